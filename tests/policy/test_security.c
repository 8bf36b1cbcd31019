/* test_security.c - security descriptors through the public API
 * (docs/CONTRACT.md, "Security descriptors"), in-process and, from
 * tests/service, against fwpd:
 *  - validation codes of Get/Set and of the Add functions' sd argument;
 *  - Get/Set round trips on the engine, the SA database and each kind;
 *  - the object's own descriptor decides Get, Delete, enumeration,
 *    changing the descriptor (WRITE_DAC, WRITE_OWNER) and being referenced
 *    by an Add (ADD_LINK);
 *  - the engine's and the SA database's descriptors decide the container
 *    calls (transactions, SA-context creation);
 *  - against fwpd (FWPD_UNDER_TEST), as another uid (nobody, 65534): the
 *    default descriptor gives it what the access rules gave before, an
 *    object denied to it is invisible while another is readable and
 *    deletable, and granting it ADD on the engine lets it add.
 *
 * The descriptors are written in SDDL and converted with the library's
 * own converter (common/secdesc.h, hence fwp_static). Root's SIDs are
 * S-1-22-1-0, S-1-22-2-0, SY, BA, WD and AU; a descriptor that names none
 * of them denies root, which is how these tests see refusals as root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <fwpmu.h>

#include "common/secdesc.h"

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s: got 0x%08x, expected 0x%08x", #expr, \
			 (unsigned)rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

#define NOBODY 65534

static HANDLE open_engine(void)
{
	HANDLE h = NULL;

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	return h;
}

static GUID random_guid(void)
{
	static unsigned n;
	GUID g = { 0x5ec00000u + ++n, (UINT16)getpid(), 0x5678,
		   { 1, 2, 3, 4, 5, 6, 7, (unsigned char)n } };

	return g;
}

/* A descriptor from SDDL (free()), and its parts. */
static void *sd_of(const char *sddl, struct sd_view *v)
{
	void *sd = NULL;
	size_t len = 0;

	if (sd_from_sddl(sddl, &sd, &len))
		fail_msg("bad SDDL in the test: %s", sddl);
	assert_int_equal(sd_parse(sd, len, v), 0);
	return sd;
}

/* The SDDL of what a Get returned. */
static void sddl_of(PSECURITY_DESCRIPTOR sd, char *buf, size_t size)
{
	struct sd_view v;
	size_t len = sd_claimed_len(sd);

	assert_true(len > 0);
	assert_int_equal(sd_parse(sd, len, &v), 0);
	assert_true(sd_to_sddl(&v, buf, size) < (int)size);
}

static DWORD add_provider(HANDLE h, const GUID *key, const char *sddl)
{
	FWPM_PROVIDER0 p = { .providerKey = *key, .displayData = { .name = L"sd test" } };
	struct sd_view v;
	void *sd = sddl ? sd_of(sddl, &v) : NULL;
	DWORD rc = FwpmProviderAdd0(h, &p, sd);

	free(sd);
	return rc;
}

static DWORD set_dacl(HANDLE h, int which, const GUID *key, const char *sddl)
{
	struct sd_view v;
	void *sd = sd_of(sddl, &v);
	const ACL *dacl = (const ACL *)v.part[SD_DACL];
	DWORD rc;

	switch (which) {
	case 0:
		rc = FwpmEngineSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL, dacl, NULL);
		break;
	case 1:
		rc = IPsecSaDbSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL, dacl, NULL);
		break;
	default:
		rc = FwpmProviderSetSecurityInfoByKey0(h, key, DACL_SECURITY_INFORMATION, NULL,
						       NULL, dacl, NULL);
	}
	free(sd);
	return rc;
}

/* The engine's (0), the SA database's (1) or a provider's DACL as SDDL. */
static void get_dacl(HANDLE h, int which, const GUID *key, char *buf, size_t size)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	PACL dacl = NULL;
	PSID owner = (PSID)1;

	switch (which) {
	case 0:
		OK(FwpmEngineGetSecurityInfo0(h, DACL_SECURITY_INFORMATION, &owner, NULL, &dacl,
					      NULL, &sd));
		break;
	case 1:
		OK(IPsecSaDbGetSecurityInfo0(h, DACL_SECURITY_INFORMATION, &owner, NULL, &dacl,
					     NULL, &sd));
		break;
	default:
		OK(FwpmProviderGetSecurityInfoByKey0(h, key, DACL_SECURITY_INFORMATION, &owner,
						     NULL, &dacl, NULL, &sd));
	}
	assert_null(owner);	/* not asked for: NULL */
	assert_non_null(dacl);
	assert_true((uint8_t *)dacl > (uint8_t *)sd);	/* inside the one allocation */
	sddl_of(sd, buf, size);
	FwpmFreeMemory0(&sd);
	assert_null(sd);
}

/* ---- validation ---- */

static void test_validation(void **state)
{
	HANDLE h = open_engine();
	GUID key = random_guid(), missing = random_guid();
	PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)1;
	PSID owner = (PSID)1;
	struct sd_view v;
	void *good = sd_of("O:SYG:SYD:(A;;GA;;;WD)", &v);
	uint8_t bad_sid[12], bad_acl[64], absolute[20] = { 1, 0, 0x04, 0x00 };

	(void)state;
	OK(add_provider(h, &key, NULL));
	/* Get: the descriptor out-pointer; securityInfo; the key. */
	RC(FwpmEngineGetSecurityInfo0(h, DACL_SECURITY_INFORMATION, &owner, NULL, NULL, NULL,
				      NULL), FWP_E_NULL_POINTER);
	assert_null(owner);
	RC(FwpmEngineGetSecurityInfo0(h, 0, NULL, NULL, NULL, NULL, &sd),
	   ERROR_INVALID_PARAMETER);
	assert_null(sd);
	RC(FwpmEngineGetSecurityInfo0(h, 0x10, NULL, NULL, NULL, NULL, &sd),
	   ERROR_INVALID_PARAMETER);
	RC(FwpmProviderGetSecurityInfoByKey0(h, NULL, DACL_SECURITY_INFORMATION, NULL, NULL,
					     NULL, NULL, &sd), FWP_E_NULL_POINTER);
	RC(FwpmProviderGetSecurityInfoByKey0(h, &missing, DACL_SECURITY_INFORMATION, NULL,
					     NULL, NULL, NULL, &sd), FWP_E_PROVIDER_NOT_FOUND);
	RC(FwpmSubLayerGetSecurityInfoByKey0(h, &missing, DACL_SECURITY_INFORMATION, NULL,
					     NULL, NULL, NULL, &sd), FWP_E_SUBLAYER_NOT_FOUND);
	RC(FwpmFilterGetSecurityInfoByKey0(h, &missing, DACL_SECURITY_INFORMATION, NULL,
					   NULL, NULL, NULL, &sd), FWP_E_FILTER_NOT_FOUND);
	RC(FwpmProviderContextGetSecurityInfoByKey0(h, &missing, DACL_SECURITY_INFORMATION,
		NULL, NULL, NULL, NULL, &sd), FWP_E_PROVIDER_CONTEXT_NOT_FOUND);
	RC(FwpmEngineGetSecurityInfo0(NULL, DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL,
				      &sd), ERROR_INVALID_HANDLE);
	/* Set: a named part NULL (no NULL DACL), a bad SID, a bad ACL. */
	RC(FwpmEngineSetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL),
	   FWP_E_NULL_POINTER);
	RC(FwpmEngineSetSecurityInfo0(h, 0, NULL, NULL, NULL, NULL), ERROR_INVALID_PARAMETER);
	memcpy(bad_sid, v.part[SD_OWNER], sizeof(bad_sid));
	bad_sid[0] = 2;
	RC(FwpmProviderSetSecurityInfoByKey0(h, &key, OWNER_SECURITY_INFORMATION,
					     (const SID *)bad_sid, NULL, NULL, NULL),
	   ERROR_INVALID_SID);
	memcpy(bad_acl, v.part[SD_DACL], v.len[SD_DACL]);
	bad_acl[8] = 7;		/* an entry type that does not exist */
	RC(FwpmProviderSetSecurityInfoByKey0(h, &key, DACL_SECURITY_INFORMATION, NULL, NULL,
					     (const ACL *)bad_acl, NULL), ERROR_INVALID_ACL);
	RC(FwpmProviderSetSecurityInfoByKey0(h, &missing, DACL_SECURITY_INFORMATION, NULL,
					     NULL, (const ACL *)v.part[SD_DACL], NULL),
	   FWP_E_PROVIDER_NOT_FOUND);
	/* Add: an absolute (not self-relative) descriptor, a malformed one. */
	{
		FWPM_PROVIDER0 p = { .providerKey = random_guid(),
				     .displayData = { .name = L"sd test" } };
		size_t len = sd_claimed_len(good);
		uint8_t *m = malloc(len);

		RC(FwpmProviderAdd0(h, &p, absolute), ERROR_INVALID_SECURITY_DESCR);
		memcpy(m, good, len);
		m[len - v.len[SD_DACL] + 8] = 7;	/* the DACL's entry type */
		RC(FwpmProviderAdd0(h, &p, m), ERROR_INVALID_SECURITY_DESCR);
		free(m);
		RC(FwpmProviderGetSecurityInfoByKey0(h, &p.providerKey, DACL_SECURITY_INFORMATION,
			NULL, NULL, NULL, NULL, &sd), FWP_E_PROVIDER_NOT_FOUND);	/* not added */
	}
	/* Inside a transaction, Set is refused (not transactional). */
	OK(FwpmTransactionBegin0(h, 0));
	RC(FwpmProviderSetSecurityInfoByKey0(h, &key, DACL_SECURITY_INFORMATION, NULL, NULL,
					     (const ACL *)v.part[SD_DACL], NULL),
	   FWP_E_TXN_IN_PROGRESS);
	OK(FwpmTransactionAbort0(h));
	OK(FwpmProviderDeleteByKey0(h, &key));
	free(good);
	OK(FwpmEngineClose0(h));
}

/* ---- round trips ---- */

static void test_round_trip(void **state)
{
	HANDLE h = open_engine();
	char before[512], after[512];
	GUID key = random_guid();

	(void)state;
	for (int which = 0; which < 2; which++) {
		get_dacl(h, which, NULL, before, sizeof(before));
		/* A deny for an uid nobody here has, in front of what was. */
		char want[600];

		snprintf(want, sizeof(want), "D:(D;;0x400;;;S-1-22-1-4242)%s", before + 2);
		OK(set_dacl(h, which, NULL, want));
		get_dacl(h, which, NULL, after, sizeof(after));
		assert_string_equal(after, want);
		OK(set_dacl(h, which, NULL, before));
		get_dacl(h, which, NULL, after, sizeof(after));
		assert_string_equal(after, before);
	}
	/* An object added with a descriptor returns it, the parts it left out
	 * from the default; Set replaces only the parts named. */
	OK(add_provider(h, &key, "O:S-1-22-1-0D:(A;;GA;;;S-1-22-1-0)(A;;0x80;;;AU)"));
	{
		PSECURITY_DESCRIPTOR sd = NULL;
		PSID owner = NULL, group = NULL;
		PACL dacl = NULL, sacl = (PACL)1;
		char got[512];

		OK(FwpmProviderGetSecurityInfoByKey0(h, &key, OWNER_SECURITY_INFORMATION |
			GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner, &group,
			&dacl, &sacl, &sd));
		assert_non_null(owner);
		assert_non_null(group);	/* the default's */
		assert_null(sacl);
		sddl_of(sd, got, sizeof(got));
		assert_memory_equal(got, "O:S-1-22-1-0G:", 14);
		assert_non_null(strstr(got, "D:(A;;0x10000000;;;S-1-22-1-0)(A;;0x80;;;AU)"));
		FwpmFreeMemory0(&sd);
	}
	OK(set_dacl(h, 2, &key, "D:(A;;0xf07ff;;;S-1-22-1-0)"));
	get_dacl(h, 2, &key, after, sizeof(after));
	assert_string_equal(after, "D:(A;;0xf07ff;;;S-1-22-1-0)");
	OK(FwpmProviderDeleteByKey0(h, &key));
	OK(FwpmEngineClose0(h));
}

/* Each kind's ByKey pair reaches that kind's objects. */
static void test_each_kind(void **state)
{
	HANDLE h = open_engine();
	GUID pkey = random_guid();
	FWPM_SUBLAYER0 sl = { .subLayerKey = random_guid(), .displayData = { .name = L"sd" } };
	FWPM_FILTER0 f = { .filterKey = random_guid(), .displayData = { .name = L"sd" },
			   .layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4,
			   .weight = { .type = FWP_EMPTY },
			   .action = { .type = FWP_ACTION_PERMIT } };
	struct sd_view v;
	void *sd = sd_of("O:SYG:SYD:(A;;GA;;;S-1-22-1-0)(A;;0x80;;;S-1-22-1-777)", &v);
	PSECURITY_DESCRIPTOR got = NULL;
	UINT64 id = 0;
	char buf[256];

	(void)state;
	OK(add_provider(h, &pkey, NULL));
	OK(FwpmSubLayerAdd0(h, &sl, sd));
	f.subLayerKey = sl.subLayerKey;
	OK(FwpmFilterAdd0(h, &f, sd, &id));
	OK(FwpmSubLayerGetSecurityInfoByKey0(h, &sl.subLayerKey, DACL_SECURITY_INFORMATION,
					     NULL, NULL, NULL, NULL, &got));
	sddl_of(got, buf, sizeof(buf));
	assert_string_equal(buf, "D:(A;;0x10000000;;;S-1-22-1-0)(A;;0x80;;;S-1-22-1-777)");
	FwpmFreeMemory0(&got);
	OK(FwpmFilterSetSecurityInfoByKey0(h, &f.filterKey, OWNER_SECURITY_INFORMATION,
					   (const SID *)v.part[SD_OWNER], NULL, NULL, NULL));
	OK(FwpmFilterGetSecurityInfoByKey0(h, &f.filterKey, OWNER_SECURITY_INFORMATION,
					   NULL, NULL, NULL, NULL, &got));
	sddl_of(got, buf, sizeof(buf));
	assert_string_equal(buf, "O:SY");
	FwpmFreeMemory0(&got);
	OK(FwpmProviderGetSecurityInfoByKey0(h, &pkey, GROUP_SECURITY_INFORMATION,
					     NULL, NULL, NULL, NULL, &got));
	FwpmFreeMemory0(&got);
	OK(FwpmFilterDeleteById0(h, id));
	OK(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey));
	OK(FwpmProviderDeleteByKey0(h, &pkey));
	free(sd);
	OK(FwpmEngineClose0(h));
}

/* FwpmIPsecTunnelAdd1 gives its descriptor to what it adds. */
static void test_tunnel(void **state)
{
	HANDLE h = open_engine();
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 esp = {
		.authTransform.authTransformId = { IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 },
		.cipherTransform.cipherTransformId = { IPSEC_CIPHER_TYPE_AES_128,
						       IPSEC_CIPHER_CONFIG_CBC_AES_128 },
	};
	IPSEC_SA_TRANSFORM0 tr = { .ipsecTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER,
				   .espAuthAndCipherTransform = &esp };
	IPSEC_PROPOSAL0 prop = { .lifetime = { 3600, 100000, 0x7fffffff },
				 .numSaTransforms = 1, .saTransforms = &tr };
	IPSEC_TUNNEL_POLICY1 tp = { .numIpsecProposals = 1, .ipsecProposals = &prop,
		.tunnelEndpoints = { .ipVersion = FWP_IP_VERSION_V4,
				     .localV4Address = 0xc0000201, .remoteV4Address = 0xc6336402 } };
	FWPM_PROVIDER_CONTEXT1 qm = { .providerContextKey = random_guid(),
		.displayData = { .name = L"sd tunnel" }, .type = FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT,
		.ikeV2QmTunnelPolicy = &tp };
	struct sd_view v;
	void *sd = sd_of("D:(A;;0xf07ff;;;S-1-22-1-0)(A;;0x80;;;S-1-22-1-31337)", &v);
	PSECURITY_DESCRIPTOR got = NULL;
	char buf[256];

	(void)state;
	OK(FwpmIPsecTunnelAdd1(h, 0, NULL, &qm, 0, NULL, NULL, sd));
	OK(FwpmProviderContextGetSecurityInfoByKey0(h, &qm.providerContextKey,
		DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL, &got));
	sddl_of(got, buf, sizeof(buf));
	assert_string_equal(buf, "D:(A;;0xf07ff;;;S-1-22-1-0)(A;;0x80;;;S-1-22-1-31337)");
	FwpmFreeMemory0(&got);
	OK(FwpmIPsecTunnelDeleteByKey0(h, &qm.providerContextKey));
	free(sd);
	OK(FwpmEngineClose0(h));
}

/* ---- enforcement on objects ---- */

static UINT32 providers_listed(HANDLE h, const GUID *key)
{
	HANDLE eh = NULL;
	FWPM_PROVIDER0 **e = NULL;
	UINT32 n = 0, seen = 0;

	OK(FwpmProviderCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmProviderEnum0(h, eh, 100000, &e, &n));
	for (UINT32 i = 0; i < n; i++)
		seen += !memcmp(&e[i]->providerKey, key, sizeof(*key));
	FwpmFreeMemory0((void **)&e);
	OK(FwpmProviderDestroyEnumHandle0(h, eh));
	return seen;
}

static void test_object_rights(void **state)
{
	HANDLE h = open_engine();
	GUID key = random_guid();
	FWPM_PROVIDER0 *p = NULL;
	struct sd_view v;
	void *sd = sd_of("O:S-1-22-1-4242D:(A;;0x80;;;S-1-22-1-4242)", &v);
	char buf[256];

	(void)state;
	/* The owner is someone else, and the DACL gives root everything but
	 * WRITE_DAC (0xb07ff). */
	OK(add_provider(h, &key, "O:S-1-22-1-4242G:SYD:(A;;0xb07ff;;;S-1-22-1-0)"));
	OK(FwpmProviderGetByKey0(h, &key, &p));
	FwpmFreeMemory0((void **)&p);
	RC(FwpmProviderSetSecurityInfoByKey0(h, &key, DACL_SECURITY_INFORMATION, NULL, NULL,
					     (const ACL *)v.part[SD_DACL], NULL),
	   ERROR_ACCESS_DENIED);
	get_dacl(h, 2, &key, buf, sizeof(buf));
	assert_string_equal(buf, "D:(A;;0xb07ff;;;S-1-22-1-0)");	/* unchanged */
	/* WRITE_OWNER lets root take the object; as owner it may then
	 * change the DACL (the owner's implicit WRITE_DAC). */
	free(sd);
	sd = sd_of("O:S-1-22-1-0", &v);
	OK(FwpmProviderSetSecurityInfoByKey0(h, &key, OWNER_SECURITY_INFORMATION,
					     (const SID *)v.part[SD_OWNER], NULL, NULL, NULL));
	OK(set_dacl(h, 2, &key, "D:(D;;0x80;;;WD)(A;;0x10000;;;S-1-22-1-0)"));
	/* READ denied: Get refused, enumeration hides it. */
	RC(FwpmProviderGetByKey0(h, &key, &p), ERROR_ACCESS_DENIED);
	assert_null(p);
	assert_int_equal(providers_listed(h, &key), 0);
	/* DELETE allowed by the object, so it goes. */
	OK(FwpmProviderDeleteByKey0(h, &key));
	/* And one whose DACL refuses DELETE stays. */
	OK(add_provider(h, &key, "D:(A;;0x000e07ff;;;S-1-22-1-0)"));
	assert_int_equal(providers_listed(h, &key), 1);
	RC(FwpmProviderDeleteByKey0(h, &key), ERROR_ACCESS_DENIED);
	OK(set_dacl(h, 2, &key, "D:(A;;0xf07ff;;;S-1-22-1-0)"));
	OK(FwpmProviderDeleteByKey0(h, &key));
	free(sd);
	OK(FwpmEngineClose0(h));
}

/* ADD_LINK is checked on each object an Add references. */
static void test_add_link(void **state)
{
	HANDLE h = open_engine();
	GUID prov = random_guid();
	FWPM_SUBLAYER0 sl = { .subLayerKey = random_guid(), .displayData = { .name = L"sd" },
			      .providerKey = &prov };

	(void)state;
	/* Everything but ADD_LINK (0x2) for root. */
	OK(add_provider(h, &prov, "D:(A;;0xf07fd;;;S-1-22-1-0)"));
	RC(FwpmSubLayerAdd0(h, &sl, NULL), ERROR_ACCESS_DENIED);
	sl.providerKey = NULL;
	OK(FwpmSubLayerAdd0(h, &sl, NULL));	/* no reference, no link */
	OK(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey));
	OK(set_dacl(h, 2, &prov, "D:(A;;0xf07ff;;;S-1-22-1-0)"));
	sl.providerKey = &prov;
	OK(FwpmSubLayerAdd0(h, &sl, NULL));
	OK(FwpmSubLayerDeleteByKey0(h, &sl.subLayerKey));
	OK(FwpmProviderDeleteByKey0(h, &prov));
	OK(FwpmEngineClose0(h));
}

/* ---- enforcement on the containers ---- */

static void test_container_rights(void **state)
{
	HANDLE h = open_engine();
	IPSEC_TRAFFIC0 t = { .ipVersion = FWP_IP_VERSION_V4,
			     .localV4Address = 0x0a000001, .remoteV4Address = 0x0a000002,
			     .trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT };
	char engine[512], sadb[512], want[600];
	HANDLE other = NULL;
	UINT64 id = 0;

	(void)state;
	get_dacl(h, 0, NULL, engine, sizeof(engine));
	get_dacl(h, 1, NULL, sadb, sizeof(sadb));
	/* The SA database: ADD denied, SA-context creation refused. */
	snprintf(want, sizeof(want), "D:(D;;0x1;;;WD)%s", sadb + 2);
	OK(set_dacl(h, 1, NULL, want));
	RC(IPsecSaContextCreate0(h, &t, NULL, &id), ERROR_ACCESS_DENIED);
	OK(set_dacl(h, 1, NULL, sadb));
	OK(IPsecSaContextCreate0(h, &t, NULL, &id));
	OK(IPsecSaContextDeleteById0(h, id));
	/* The engine: write transactions and opening. */
	snprintf(want, sizeof(want), "D:(D;;0x48;;;WD)%s", engine + 2);
	OK(set_dacl(h, 0, NULL, want));
	RC(FwpmTransactionBegin0(h, 0), ERROR_ACCESS_DENIED);
	OK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	OK(FwpmTransactionAbort0(h));
	RC(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &other), ERROR_ACCESS_DENIED);
	assert_null(other);
	OK(set_dacl(h, 0, NULL, engine));	/* the owner may, whatever the DACL */
	OK(FwpmTransactionBegin0(h, 0));
	OK(FwpmTransactionAbort0(h));
	OK(FwpmEngineClose0(h));
}

/* ---- another uid, against fwpd ---- */

/* In the child: the line of the first failed check is the exit status. */
#define CHILD_CHECK(cond) do { if (!(cond)) _exit(__LINE__ % 250 + 1); } while (0)

static int as_nobody(const GUID *hidden, const GUID *shared)
{
	HANDLE h = NULL, eh = NULL;
	FWPM_PROVIDER0 *p = NULL, **e = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	FWPM_PROVIDER0 mine = { .providerKey = random_guid(), .displayData = { .name = L"n" } };
	UINT32 n = 0;
	bool saw_hidden = false, saw_shared = false;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(250);
	CHILD_CHECK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) == 0);
	/* The default engine descriptor: what the access rules gave before. */
	CHILD_CHECK(FwpmTransactionBegin0(h, 0) == ERROR_ACCESS_DENIED);
	CHILD_CHECK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY) == 0);
	CHILD_CHECK(FwpmTransactionAbort0(h) == 0);
	CHILD_CHECK(FwpmEngineGetSecurityInfo0(h, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
					       NULL, &sd) == ERROR_ACCESS_DENIED);
	/* One object denied to it, one allowed. */
	CHILD_CHECK(FwpmProviderGetByKey0(h, hidden, &p) == ERROR_ACCESS_DENIED);
	CHILD_CHECK(FwpmProviderGetByKey0(h, shared, &p) == 0);
	FwpmFreeMemory0((void **)&p);
	CHILD_CHECK(FwpmProviderCreateEnumHandle0(h, NULL, &eh) == 0);
	CHILD_CHECK(FwpmProviderEnum0(h, eh, 100000, &e, &n) == 0);
	for (UINT32 i = 0; i < n; i++) {
		saw_hidden |= !memcmp(&e[i]->providerKey, hidden, sizeof(GUID));
		saw_shared |= !memcmp(&e[i]->providerKey, shared, sizeof(GUID));
	}
	FwpmFreeMemory0((void **)&e);
	CHILD_CHECK(!saw_hidden && saw_shared);
	CHILD_CHECK(FwpmProviderDestroyEnumHandle0(h, eh) == 0);
	CHILD_CHECK(FwpmProviderDeleteByKey0(h, hidden) == ERROR_ACCESS_DENIED);
	CHILD_CHECK(FwpmProviderDeleteByKey0(h, shared) == 0);	/* its DACL allows */
	/* Adding needs ADD on the engine: the parent grants it in between. */
	CHILD_CHECK(FwpmProviderAdd0(h, &mine, NULL) == ERROR_ACCESS_DENIED);
	CHILD_CHECK(FwpmEngineClose0(h) == 0);
	return 0;
}

static int run_child(int (*fn)(const GUID *, const GUID *), const GUID *a, const GUID *b)
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn(a, b));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static int nobody_adds(const GUID *a, const GUID *b)
{
	HANDLE h = NULL;
	FWPM_PROVIDER0 mine = { .providerKey = *a, .displayData = { .name = L"n" } };

	(void)b;
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(250);
	CHILD_CHECK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h) == 0);
	CHILD_CHECK(FwpmProviderAdd0(h, &mine, NULL) == 0);
	CHILD_CHECK(FwpmEngineClose0(h) == 0);
	return 0;
}

static void test_other_uid(void **state)
{
	const char *under = getenv("FWPD_UNDER_TEST");
	GUID hidden = random_guid(), shared = random_guid(), added = random_guid();
	char engine[512], want[600];
	HANDLE h;

	(void)state;
	if (!under || getuid() != 0) {
		print_message("skipped: needs fwpd (FWPD_UNDER_TEST) and root to switch to uid %d\n",
			      NOBODY);
		skip();
	}
	h = open_engine();
	OK(add_provider(h, &hidden, "D:(D;;0x10080;;;S-1-22-1-65534)(A;;GA;;;WD)"));
	OK(add_provider(h, &shared, "D:(A;;0x10080;;;S-1-22-1-65534)(A;;GA;;;SY)"));
	assert_int_equal(run_child(as_nobody, &hidden, &shared), 0);
	assert_int_equal(providers_listed(h, &shared), 0);	/* nobody deleted it */
	assert_int_equal(providers_listed(h, &hidden), 1);
	/* ADD on the engine for nobody: now it may add. */
	get_dacl(h, 0, NULL, engine, sizeof(engine));
	snprintf(want, sizeof(want), "D:(A;;0x1;;;S-1-22-1-65534)%s", engine + 2);
	OK(set_dacl(h, 0, NULL, want));
	assert_int_equal(run_child(nobody_adds, &added, NULL), 0);
	OK(set_dacl(h, 0, NULL, engine));
	assert_int_equal(providers_listed(h, &added), 1);
	OK(FwpmProviderDeleteByKey0(h, &added));
	OK(FwpmProviderDeleteByKey0(h, &hidden));
	OK(FwpmEngineClose0(h));
}

/* Change subscriptions deliver what enumeration would show: an object the
 * subscriber may not READ is added and deleted unseen. */
struct changes_seen {
	GUID key[8];
	UINT32 type[8];
	volatile unsigned n;
};

static void CALLBACK on_provider_change(void *ctx, const FWPM_PROVIDER_CHANGE0 *ch)
{
	struct changes_seen *c = ctx;

	if (c->n < 8) {
		c->key[c->n] = ch->providerKey;
		c->type[c->n] = ch->changeType;
		__atomic_add_fetch(&c->n, 1, __ATOMIC_RELEASE);
	}
}

static void wait_changes(struct changes_seen *c, unsigned n)
{
	for (int i = 0; i < 500 && __atomic_load_n(&c->n, __ATOMIC_ACQUIRE) < n; i++)
		usleep(10000);
	usleep(50000);	/* anything more would have come by now */
}

static void test_change_hidden(void **state)
{
	HANDLE h = open_engine();
	GUID hidden = random_guid(), shown = random_guid();
	FWPM_PROVIDER_SUBSCRIPTION0 sub = { 0 };
	struct changes_seen c = { .n = 0 };
	HANDLE ch = NULL;

	(void)state;
	OK(FwpmProviderSubscribeChanges0(h, &sub, on_provider_change, &c, &ch));
	/* READ (0x80) denied to everyone, DELETE still allowed to root. */
	OK(add_provider(h, &hidden, "D:(D;;0x80;;;WD)(A;;0xf07ff;;;S-1-22-1-0)"));
	OK(add_provider(h, &shown, NULL));
	OK(FwpmProviderDeleteByKey0(h, &hidden));
	OK(FwpmProviderDeleteByKey0(h, &shown));
	wait_changes(&c, 2);
	assert_int_equal(c.n, 2);
	assert_memory_equal(&c.key[0], &shown, sizeof(GUID));
	assert_int_equal(c.type[0], FWPM_CHANGE_ADD);
	assert_memory_equal(&c.key[1], &shown, sizeof(GUID));
	assert_int_equal(c.type[1], FWPM_CHANGE_DELETE);
	OK(FwpmProviderUnsubscribeChanges0(h, ch));
	OK(FwpmEngineClose0(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_each_kind),
		cmocka_unit_test(test_tunnel),
		cmocka_unit_test(test_object_rights),
		cmocka_unit_test(test_change_hidden),
		cmocka_unit_test(test_add_link),
		cmocka_unit_test(test_container_rights),
		cmocka_unit_test(test_other_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
