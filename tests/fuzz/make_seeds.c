/* make_seeds.c - writes seed corpora for the fuzz targets: well-formed
 * requests (fuzz_request) and replies (fuzz_reply), encoded by the real
 * codec, so fuzzing starts from every shape the protocol uses: each
 * operation, each arm of every union (FWP_VALUE0, FWP_CONDITION_VALUE0,
 * IPSEC_SA0's transforms, IPSEC_SA_TRANSFORM0, provider contexts by type,
 * v4 and v6 traffic), arrays, both sides of Update0, and every kind of
 * policy object. Sequence seeds (several requests back to back, see
 * fuzz_request.c) walk an SA context through its whole life.
 * Usage: make_seeds REQUEST_DIR REPLY_DIR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <fwpx.h>

#include "common/secdesc.h"
#include "engine/net_event.h"
#include "engine/policy_kind.h"
#include "wire/codec.h"
#include "wire/message.h"

static unsigned char buf[FWPD_MSG_MAX];
static unsigned char seq_buf[4 * FWPD_MSG_MAX];
static size_t seq_len;
static uint32_t next_seq = 1;
static const char *rq_dir, *rp_dir;
static int failed;

static const UINT8 key[36] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
			       31, 32, 33, 34, 35, 36 };
static const GUID guid_a = { 0x11111111, 0x2222, 0x3333, { 4, 4, 4, 4, 4, 4, 4, 4 } };
static const GUID guid_b = { 0x55555555, 0x6666, 0x7777, { 8, 8, 8, 8, 8, 8, 8, 8 } };

static void save_bytes(const char *dir, const char *name, const void *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len) {
		perror(path);
		failed = 1;
	}
	if (f && fclose(f))
		failed = 1;
}

static struct nlmsghdr *req(uint16_t op)
{
	return msg_start(buf, op, next_seq++);
}

static struct nlmsghdr *reply(void)
{
	struct nlmsghdr *nlh = msg_start(buf, FWPD_MSG_REPLY, next_seq++);

	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	return nlh;
}

/* Puts a struct; a seed that does not encode is a bug of this program. */
static void put(struct nlmsghdr *nlh, uint16_t type, const struct wf_struct *sd, const void *p)
{
	if (wf_put(nlh, FWPD_MSG_MAX, type, sd, p)) {
		fprintf(stderr, "make_seeds: %s does not encode\n", sd->name);
		failed = 1;
	}
}

/* Saves the message as a request seed and appends it to the sequence. */
static void save_rq(const char *name, const struct nlmsghdr *nlh)
{
	save_bytes(rq_dir, name, nlh, nlh->nlmsg_len);
	if (seq_len + nlh->nlmsg_len <= sizeof(seq_buf)) {
		memcpy(seq_buf + seq_len, nlh, nlh->nlmsg_len);
		seq_len += nlh->nlmsg_len;
	}
}

static void save_rp(const char *name, const struct nlmsghdr *nlh)
{
	save_bytes(rp_dir, name, nlh, nlh->nlmsg_len);
}

/* Sequences: the requests saved since seq_begin, as one input. */
static void seq_begin(void)
{
	seq_len = 0;
}

static void seq_save(const char *name)
{
	save_bytes(rq_dir, name, seq_buf, seq_len);
}

static void mkdir_p(const char *path)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

static IPSEC_TRAFFIC1 traffic4(void)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = 0xC0000201;
	t.remoteV4Address = 0xC0000202;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	return t;
}

static IPSEC_TRAFFIC1 traffic6(void)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V6;
	t.localV6Address[0] = 0x20;
	t.localV6Address[15] = 1;
	t.remoteV6Address[0] = 0x20;
	t.remoteV6Address[15] = 2;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TUNNEL;
	t.tunnelPolicyId = 7;
	t.ipProtocol = 17;
	t.localPort = 500;
	t.remotePort = 4500;
	return t;
}

/* ---- SA contexts ---- */

static IPSEC_SA_AUTH_INFORMATION0 auth_info;
static IPSEC_SA_CIPHER_INFORMATION0 cipher_info;
static IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 aci_info;
static IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
static IPSEC_KEYMODULE_STATE0 km = { { 1, 2, 3, { 4 } }, { 3, (UINT8 *)"abc" } };
static IPSEC_TOKEN0 tok = { IPSEC_TOKEN_TYPE_MACHINE, IPSEC_TOKEN_PRINCIPAL_PEER,
			    IPSEC_TOKEN_MODE_MAIN, 42 };
static IPSEC_ID0 ipsec_id = { L"mm-target", L"em-target", 1, &tok, 0, 0 };

static void sa_info_init(void)
{
	memset(&aci_info, 0, sizeof(aci_info));
	aci_info.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	aci_info.saCipherInformation.cipherKey.size = 20;
	aci_info.saCipherInformation.cipherKey.data = (UINT8 *)key;
	aci_info.saAuthInformation.authTransform.authTransformId =
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	memset(&auth_info, 0, sizeof(auth_info));
	auth_info.authTransform.authTransformId = IPSEC_AUTH_TRANSFORM_ID_HMAC_SHA_256_128;
	auth_info.authKey.size = 32;
	auth_info.authKey.data = (UINT8 *)key;
	memset(&cipher_info, 0, sizeof(cipher_info));
	cipher_info.cipherTransform.cipherTransformId = IPSEC_CIPHER_TRANSFORM_ID_AES_128;
	cipher_info.cipherKey.size = 16;
	cipher_info.cipherKey.data = (UINT8 *)key;
}

/* An SA of each transform type (IPSEC_SA0's union). */
static IPSEC_SA0 sa_of(IPSEC_TRANSFORM_TYPE type, UINT32 spi)
{
	IPSEC_SA0 sa;

	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.saTransformType = type;
	switch (type) {
	case IPSEC_TRANSFORM_AH:
		sa.ahInformation = &auth_info;
		break;
	case IPSEC_TRANSFORM_ESP_AUTH:
		sa.espAuthInformation = &auth_info;
		break;
	case IPSEC_TRANSFORM_ESP_CIPHER:
		sa.espCipherInformation = &cipher_info;
		break;
	case IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER:
		sa.espAuthAndCipherInformation = &aci_info;
		break;
	default:
		sa.espAuthFwInformation = &auth_info;
		break;
	}
	return sa;
}

static void bundle_init(IPSEC_SA_BUNDLE1 *b, IPSEC_SA0 *sas, UINT32 n)
{
	memset(b, 0, sizeof(*b));
	b->numSAs = n;
	b->saList = sas;
	b->keyModuleState = &km;
	b->ipsecId = &ipsec_id;
	b->lifetime.lifetimeSeconds = 3600;
	b->ipVersion = FWP_IP_VERSION_V4;
	b->qmFilterId = 3;
}

static void seeds_sa(void)
{
	static const IPSEC_TRANSFORM_TYPE types[] = {
		IPSEC_TRANSFORM_AH, IPSEC_TRANSFORM_ESP_AUTH, IPSEC_TRANSFORM_ESP_CIPHER,
		IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_TRANSFORM_ESP_AUTH_FW,
	};
	IPSEC_TRAFFIC1 t4 = traffic4(), t6 = traffic6();
	IPSEC_VIRTUAL_IF_TUNNEL_INFO0 vif = { 5, 6 };
	IPSEC_GETSPI1 g;
	IPSEC_SA_BUNDLE1 b;
	IPSEC_SA0 sas[2];
	IPSEC_SA_DETAILS1 side;
	struct nlmsghdr *nlh;
	char name[64];

	/* A context's whole life, as one sequence of requests. */
	seq_begin();
	nlh = req(FWPD_OP_SA_CREATE);
	put(nlh, FWPD_A_TRAFFIC, &wf_IPSEC_TRAFFIC1, &t4);
	save_rq("sa_create", nlh);

	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = t4;
	g.ipVersion = FWP_IP_VERSION_V4;
	g.inboundUdpEncapsulation = &encap;
	g.rngCryptoModuleID = (GUID *)&guid_a;
	nlh = req(FWPD_OP_SA_SET_SPI);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u32(nlh, FWPD_A_SPI, 0x1234);
	put(nlh, FWPD_A_GETSPI, &wf_IPSEC_GETSPI1, &g);
	save_rq("sa_set_spi", nlh);

	sas[0] = sa_of(IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, 0x1234);
	sas[1] = sa_of(IPSEC_TRANSFORM_AH, 0x1234);
	bundle_init(&b, sas, 1);
	nlh = req(FWPD_OP_SA_ADD);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u32(nlh, FWPD_A_DIRECTION, FWP_DIRECTION_INBOUND);
	put(nlh, FWPD_A_BUNDLE, &wf_IPSEC_SA_BUNDLE1, &b);
	save_rq("sa_add_in", nlh);
	sas[0].spi = 0x5678;
	nlh = req(FWPD_OP_SA_ADD);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u32(nlh, FWPD_A_DIRECTION, FWP_DIRECTION_OUTBOUND);
	put(nlh, FWPD_A_BUNDLE, &wf_IPSEC_SA_BUNDLE1, &b);
	save_rq("sa_add_out", nlh);

	/* Update0: both sides, every flag, as the library sends them. */
	memset(&side, 0, sizeof(side));
	side.traffic = t4;
	side.udpEncapsulation = &encap;
	side.saBundle.flags = IPSEC_SA_BUNDLE_FLAG_GUARANTEE_ENCRYPTION;
	side.saBundle.napContext = 9;
	side.saBundle.keyModuleState = &km;
	side.saBundle.peerV4PrivateAddress = 0x0A000001;
	side.saBundle.mmSaId = 77;
	nlh = req(FWPD_OP_SA_UPDATE);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u64(nlh, FWPD_A_FLAGS, 0x7f);
	put(nlh, FWPD_A_UPDATE_IN, &wf_IPSEC_SA_DETAILS1, &side);
	put(nlh, FWPD_A_UPDATE_OUT, &wf_IPSEC_SA_DETAILS1, &side);
	save_rq("sa_update", nlh);

	nlh = req(FWPD_OP_SA_GET);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	save_rq("sa_get", nlh);
	nlh = req(FWPD_OP_SA_COUNTERS);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	save_rq("sa_counters", nlh);
	nlh = req(FWPD_OP_SA_INFO);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	save_rq("sa_info", nlh);
	nlh = req(FWPD_OP_SA_ENUM_CREATE);
	save_rq("sa_enum_create_all", nlh);
	nlh = req(FWPD_OP_SA_ENUM);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	msg_put_u32(nlh, FWPD_A_COUNT, 100);
	save_rq("sa_enum", nlh);
	nlh = req(FWPD_OP_SA_ENUM_DESTROY);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	save_rq("sa_enum_destroy", nlh);
	nlh = req(FWPD_OP_SAD_ENUM_CREATE);
	{
		IPSEC_SA_ENUM_TEMPLATE0 st = { FWP_DIRECTION_OUTBOUND };

		put(nlh, FWPD_A_SA_TEMPLATE, &wf_IPSEC_SA_ENUM_TEMPLATE0, &st);
	}
	save_rq("sad_enum_create", nlh);
	nlh = req(FWPD_OP_SAD_ENUM);
	msg_put_u64(nlh, FWPD_A_HANDLE, 2);
	msg_put_u32(nlh, FWPD_A_COUNT, 100);
	save_rq("sad_enum", nlh);
	nlh = req(FWPD_OP_SAD_ENUM_DESTROY);
	msg_put_u64(nlh, FWPD_A_HANDLE, 2);
	save_rq("sad_enum_destroy", nlh);
	nlh = req(FWPD_OP_SA_EXPIRE);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	save_rq("sa_expire", nlh);
	nlh = req(FWPD_OP_SA_DELETE);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	save_rq("sa_delete", nlh);
	seq_save("seq_sa_life");

	/* v6 tunnel traffic with a virtual interface; GetSpi. */
	nlh = req(FWPD_OP_SA_CREATE);
	put(nlh, FWPD_A_TRAFFIC, &wf_IPSEC_TRAFFIC1, &t6);
	put(nlh, FWPD_A_VIF, &wf_IPSEC_VIRTUAL_IF_TUNNEL_INFO0, &vif);
	save_rq("sa_create_v6_vif", nlh);
	g.inboundIpsecTraffic = t6;
	g.ipVersion = FWP_IP_VERSION_V6;
	g.inboundUdpEncapsulation = NULL;
	nlh = req(FWPD_OP_SA_GET_SPI);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	put(nlh, FWPD_A_GETSPI, &wf_IPSEC_GETSPI1, &g);
	save_rq("sa_get_spi_v6", nlh);

	/* Every arm of IPSEC_SA0, one bundle each, and two SAs in one. */
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		sas[0] = sa_of(types[i], 0x1234);
		bundle_init(&b, sas, 1);
		nlh = req(FWPD_OP_SA_ADD);
		msg_put_u64(nlh, FWPD_A_ID, 1);
		msg_put_u32(nlh, FWPD_A_DIRECTION, FWP_DIRECTION_INBOUND);
		put(nlh, FWPD_A_BUNDLE, &wf_IPSEC_SA_BUNDLE1, &b);
		snprintf(name, sizeof(name), "sa_add_transform_%d", (int)types[i]);
		save_rq(name, nlh);
	}
	sas[0] = sa_of(IPSEC_TRANSFORM_ESP_CIPHER, 0x1234);
	sas[1] = sa_of(IPSEC_TRANSFORM_AH, 0x1234);
	bundle_init(&b, sas, 2);
	nlh = req(FWPD_OP_SA_ADD);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u32(nlh, FWPD_A_DIRECTION, FWP_DIRECTION_INBOUND);
	put(nlh, FWPD_A_BUNDLE, &wf_IPSEC_SA_BUNDLE1, &b);
	save_rq("sa_add_two", nlh);

	/* Update0 with one side and a single flag. */
	memset(&side, 0, sizeof(side));
	side.saBundle.napContext = 3;
	nlh = req(FWPD_OP_SA_UPDATE);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u64(nlh, FWPD_A_FLAGS, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT);
	put(nlh, FWPD_A_UPDATE_OUT, &wf_IPSEC_SA_DETAILS1, &side);
	save_rq("sa_update_out_nap", nlh);
}

/* Enumeration templates and subscriptions: every subnet arm the engine
 * takes (FWP_CONDITION_VALUE0). */
static void seeds_templates(void)
{
	static FWP_V4_ADDR_AND_MASK v4 = { 0xC0000200, 0xFFFFFF00 };
	static FWP_V6_ADDR_AND_MASK v6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	static FWP_BYTE_ARRAY16 a16 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 tmpl;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	struct nlmsghdr *nlh;

	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.localSubNet.type = FWP_V4_ADDR_MASK;
	tmpl.localSubNet.v4AddrMask = &v4;
	tmpl.remoteSubNet.type = FWP_V6_ADDR_MASK;
	tmpl.remoteSubNet.v6AddrMask = &v6;
	nlh = req(FWPD_OP_SA_ENUM_CREATE);
	put(nlh, FWPD_A_CTX_TEMPLATE, &wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, &tmpl);
	save_rq("sa_enum_create_masks", nlh);

	tmpl.localSubNet.type = FWP_UINT32;
	tmpl.localSubNet.uint32 = 0xC0000201;
	tmpl.remoteSubNet.type = FWP_BYTE_ARRAY16_TYPE;
	tmpl.remoteSubNet.byteArray16 = &a16;
	nlh = req(FWPD_OP_SA_ENUM_CREATE);
	put(nlh, FWPD_A_CTX_TEMPLATE, &wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, &tmpl);
	save_rq("sa_enum_create_addrs", nlh);

	memset(&sub, 0, sizeof(sub));
	sub.enumTemplate = &tmpl;
	sub.sessionKey = guid_a;
	nlh = req(FWPD_OP_SUBSCRIBE);
	msg_put_u32(nlh, FWPD_A_MASK, 0x1f);
	msg_put_u64(nlh, FWPD_A_COOKIE, 1);
	put(nlh, FWPD_A_SUBSCRIPTION, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, &sub);
	save_rq("subscribe", nlh);
	nlh = req(FWPD_OP_SUBSCRIPTIONS_GET);
	save_rq("subscriptions_get", nlh);
	nlh = req(FWPD_OP_UNSUBSCRIBE);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	save_rq("unsubscribe", nlh);
}

/* ---- engine, sessions, net events ---- */

static void seeds_engine(void)
{
	FWPM_SESSION0 session;
	struct nlmsghdr *nlh;

	memset(&session, 0, sizeof(session));
	session.displayData.name = L"seed";
	session.displayData.description = L"a session";
	session.flags = FWPM_SESSION_FLAG_DYNAMIC;
	session.txnWaitTimeoutInMSec = 100;
	session.username = L"user";
	nlh = req(FWPD_OP_OPEN);
	msg_put_u32(nlh, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	put(nlh, FWPD_A_SESSION, &wf_FWPM_SESSION0, &session);
	save_rq("open", nlh);

	seq_begin();
	nlh = req(FWPD_OP_TXN_BEGIN);
	msg_put_u32(nlh, FWPD_A_FLAGS, 0);
	save_rq("txn_begin", nlh);
	nlh = req(FWPD_OP_TXN_COMMIT);
	save_rq("txn_commit", nlh);
	nlh = req(FWPD_OP_TXN_BEGIN);
	msg_put_u32(nlh, FWPD_A_FLAGS, FWPM_TXN_READ_ONLY);
	save_rq("txn_begin_read", nlh);
	nlh = req(FWPD_OP_TXN_ABORT);
	save_rq("txn_abort", nlh);
	seq_save("seq_txn");

	seq_begin();
	nlh = req(FWPD_OP_STATISTICS);
	save_rq("statistics", nlh);
	nlh = req(FWPD_OP_SET_DRAIN);
	msg_put_u32(nlh, FWPD_A_MS, 10);
	save_rq("set_drain", nlh);
	nlh = req(FWPD_OP_GET_DRAIN);
	save_rq("get_drain", nlh);
	nlh = req(FWPD_OP_SESSION_ENUM_CREATE);
	save_rq("session_enum_create", nlh);
	nlh = req(FWPD_OP_SESSION_ENUM);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	msg_put_u32(nlh, FWPD_A_COUNT, 10);
	save_rq("session_enum", nlh);
	nlh = req(FWPD_OP_SESSION_ENUM_DESTROY);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	save_rq("session_enum_destroy", nlh);
	seq_save("seq_engine");
}

static struct fwp_net_event net_event(void)
{
	struct fwp_net_event nev;

	memset(&nev, 0, sizeof(nev));
	nev.flags = FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
		    FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_IP_VERSION_SET;
	nev.ip_version = FWP_IP_VERSION_V4;
	nev.ip_protocol = 17;
	nev.local.v4 = 0xC0000201;
	nev.remote.v4 = 0x0A010203;
	nev.type = FWPM_NET_EVENT_TYPE_CLASSIFY_DROP;
	nev.classify_drop.filterId = 0x10001;
	return nev;
}

static void seeds_net_events(void)
{
	static FWP_V4_ADDR_AND_MASK v4 = { 0xC0000200, 0xFFFFFF00 };
	static FWP_V6_ADDR_AND_MASK v6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	static FWP_RANGE0 ports = { { FWP_UINT16, { .uint16 = 1000 } },
				    { FWP_UINT16, { .uint16 = 2000 } } };
	static FWP_BYTE_ARRAY16 peer6 = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };
	FWPM_FILTER_CONDITION0 c[5];
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t;
	FWPM_NET_EVENT_SUBSCRIPTION0 sub;
	struct fwp_net_event nev = net_event();
	struct nlmsghdr *nlh;

	memset(c, 0, sizeof(c));
	c[0].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	c[0].conditionValue.type = FWP_UINT8;
	c[0].conditionValue.uint8 = 17;
	c[1].fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
	c[1].matchType = FWP_MATCH_RANGE;
	c[1].conditionValue.type = FWP_RANGE_TYPE;
	c[1].conditionValue.rangeValue = &ports;
	c[2].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[2].conditionValue.type = FWP_V4_ADDR_MASK;
	c[2].conditionValue.v4AddrMask = &v4;
	c[3].fieldKey = FWPM_CONDITION_IP_LOCAL_ADDRESS;
	c[3].conditionValue.type = FWP_V6_ADDR_MASK;
	c[3].conditionValue.v6AddrMask = &v6;
	c[4].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	c[4].conditionValue.type = FWP_UINT16;
	c[4].conditionValue.uint16 = 500;
	memset(&t, 0, sizeof(t));
	t.numFilterConditions = 5;
	t.filterCondition = c;
	memset(&sub, 0, sizeof(sub));
	sub.enumTemplate = &t;
	seq_begin();
	nlh = req(FWPD_OP_NET_SUBSCRIBE);
	msg_put_u64(nlh, FWPD_A_COOKIE, 2);
	put(nlh, FWPD_A_NET_SUBSCRIPTION, &wf_FWPM_NET_EVENT_SUBSCRIPTION0, &sub);
	save_rq("net_subscribe", nlh);
	nlh = req(FWPD_OP_TEST_NET_RAISE);
	msg_put_raw(nlh, FWPD_A_NET_EVENT, &nev, sizeof(nev));
	msg_put_u32(nlh, FWPD_A_COUNT, 1);
	save_rq("test_net_raise", nlh);
	nlh = req(FWPD_OP_NET_UNSUBSCRIBE);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	save_rq("net_unsubscribe", nlh);
	seq_save("seq_net_events");

	c[0].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c[0].conditionValue.type = FWP_BYTE_ARRAY16_TYPE;
	c[0].conditionValue.byteArray16 = &peer6;
	t.numFilterConditions = 1;
	nlh = req(FWPD_OP_NET_SUBSCRIBE);
	msg_put_u64(nlh, FWPD_A_COOKIE, 3);
	put(nlh, FWPD_A_NET_SUBSCRIPTION, &wf_FWPM_NET_EVENT_SUBSCRIPTION0, &sub);
	save_rq("net_subscribe_v6", nlh);

	/* Engine options, then the history: on, raise, enumerate, off. */
	{
		FWP_VALUE0 on = { FWP_UINT32, { .uint32 = 1 } };

		seq_begin();
		nlh = req(FWPD_OP_OPTION_SET);
		msg_put_u32(nlh, FWPD_A_OPTION, FWPM_ENGINE_COLLECT_NET_EVENTS);
		put(nlh, FWPD_A_VALUE, &wf_FWP_VALUE0, &on);
		save_rq("option_set", nlh);
		nlh = req(FWPD_OP_OPTION_GET);
		msg_put_u32(nlh, FWPD_A_OPTION, FWPM_ENGINE_COLLECT_NET_EVENTS);
		save_rq("option_get", nlh);
		nlh = req(FWPD_OP_TEST_NET_RAISE);
		msg_put_raw(nlh, FWPD_A_NET_EVENT, &nev, sizeof(nev));
		msg_put_u32(nlh, FWPD_A_COUNT, 3);
		save_rq("test_net_raise_3", nlh);
		t.numFilterConditions = 5;
		c[0].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
		c[0].conditionValue.type = FWP_UINT8;
		c[0].conditionValue.uint8 = 17;
		t.endTime.dwHighDateTime = 0xffffffffu;
		nlh = req(FWPD_OP_NET_ENUM_CREATE);
		put(nlh, FWPD_A_NET_TEMPLATE, &wf_FWPM_NET_EVENT_ENUM_TEMPLATE0, &t);
		save_rq("net_enum_create", nlh);
		nlh = req(FWPD_OP_NET_ENUM);
		msg_put_u64(nlh, FWPD_A_HANDLE, 1);
		msg_put_u32(nlh, FWPD_A_COUNT, 10);
		save_rq("net_enum", nlh);
		nlh = req(FWPD_OP_NET_ENUM_DESTROY);
		msg_put_u64(nlh, FWPD_A_HANDLE, 1);
		save_rq("net_enum_destroy", nlh);
		seq_save("seq_net_history");
	}
}

/* ---- object-change subscriptions (0x40-0x42) ---- */

static void pol_add(enum pol_kind k, const struct wf_struct *sd, const void *obj,
		    const char *name);

/* One subscribe, get and unsubscribe per kind; for filters a template
 * and a sequence in which a filter is added and deleted, so the daemon
 * sends FWPD_MSG_CHANGE on the way. */
static void seeds_changes(void)
{
	static GUID prov = { 0x11111111, 0x2222, 0x3333, { 4, 4, 4, 4, 4, 4, 4, 4 } };
	static const char *const names[POL_NKINDS] = { "provider", "sublayer", "filter",
						       "context" };
	FWPM_FILTER_ENUM_TEMPLATE0 ft;
	FWPM_SUBLAYER_ENUM_TEMPLATE0 st = { .providerKey = &prov };
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 ct = { &prov, FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT };
	FWPM_PROVIDER_ENUM_TEMPLATE0 pt = { 0 };
	const void *tmpl[POL_NKINDS] = { &pt, &st, &ft, &ct };
	FWPM_FILTER0 f;
	char name[64];

	memset(&ft, 0, sizeof(ft));
	ft.providerKey = &prov;
	ft.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
	ft.enumType = FWP_FILTER_ENUM_OVERLAPPING;
	ft.actionMask = 0xFFFFFFFF;
	for (int k = 0; k < POL_NKINDS; k++) {
		/* Every kind's subscription has the filter's layout. */
		FWPM_FILTER_SUBSCRIPTION0 sub = {
			.enumTemplate = (FWPM_FILTER_ENUM_TEMPLATE0 *)tmpl[k],
			.flags = FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD |
				 FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE,
		};
		struct nlmsghdr *nlh;

		seq_begin();
		nlh = req(FWPD_OP_CHANGE_SUBSCRIBE);
		msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
		msg_put_u64(nlh, FWPD_A_COOKIE, 5);
		put(nlh, FWPD_A_CHANGE_SUBSCRIPTION, wf_pol_subscription[k], &sub);
		snprintf(name, sizeof(name), "change_subscribe_%s", names[k]);
		save_rq(name, nlh);
		if (k == POL_FILTER) {
			FWPM_PROVIDER0 p = { .providerKey = prov, .displayData.name = L"p" };

			pol_add(POL_PROVIDER, &wf_FWPM_PROVIDER0, &p, "change_provider");
			memset(&f, 0, sizeof(f));
			f.filterKey = guid_b;
			f.displayData.name = L"changed";
			f.providerKey = &prov;
			f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
			f.action.type = FWP_ACTION_PERMIT;
			pol_add(POL_FILTER, &wf_FWPM_FILTER0, &f, "change_filter");
			nlh = req(FWPD_OP_POL_DELETE);
			msg_put_u32(nlh, FWPD_A_KIND, POL_FILTER);
			msg_put_u32(nlh, FWPD_A_FLAGS, 1);
			msg_put_raw(nlh, FWPD_A_KEY, &guid_b, sizeof(GUID));
			save_rq("change_filter_delete", nlh);
		}
		nlh = req(FWPD_OP_CHANGE_SUBSCRIPTIONS_GET);
		msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
		snprintf(name, sizeof(name), "change_subscriptions_get_%s", names[k]);
		save_rq(name, nlh);
		nlh = req(FWPD_OP_CHANGE_UNSUBSCRIBE);
		msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
		msg_put_u64(nlh, FWPD_A_HANDLE, 1);
		snprintf(name, sizeof(name), "change_unsubscribe_%s", names[k]);
		save_rq(name, nlh);
		snprintf(name, sizeof(name), "seq_changes_%s", names[k]);
		seq_save(name);
	}
}

/* The daemon's side: a change, and a SubscriptionsGet0 reply. */
static void seeds_change_replies(void)
{
	struct fwp_pol_change ch = {
		.kind = POL_FILTER, .change_type = FWPM_CHANGE_ADD, .key = guid_a, .id = 0x10001,
	};
	FWPM_FILTER_ENUM_TEMPLATE0 ft;
	FWPM_FILTER_SUBSCRIPTION0 sub = { .flags = 3, .sessionKey = guid_b };
	struct nlmsghdr *nlh;

	nlh = msg_start(buf, FWPD_MSG_CHANGE, 0);
	msg_put_u64(nlh, FWPD_A_COOKIE, 5);
	msg_put_raw(nlh, FWPD_A_CHANGE, &ch, sizeof(ch));
	save_rp("change", nlh);
	memset(&ft, 0, sizeof(ft));
	ft.providerKey = (GUID *)&guid_a;
	ft.actionMask = 0xFFFFFFFF;
	nlh = reply();
	put(nlh, FWPD_A_ENTRY, &wf_FWPM_FILTER_SUBSCRIPTION0, &sub);
	sub.enumTemplate = &ft;
	put(nlh, FWPD_A_ENTRY, &wf_FWPM_FILTER_SUBSCRIPTION0, &sub);
	save_rp("change_subscriptions_get", nlh);
}

/* ---- security descriptors (ops 0x50-0x5f) ---- */

static void seeds_security(void)
{
	struct nlmsghdr *nlh;
	void *sd = NULL;
	size_t len = 0;

	if (sd_from_sddl("O:SYG:S-1-22-2-990D:(A;;0xf07ff;;;SY)(D;;0x80;;;S-1-22-1-1000)"
			 "(A;;0x3e4;;;WD)S:(AU;SA;0x1;;;WD)", &sd, &len)) {
		failed = 1;
		return;
	}
	seq_begin();
	nlh = req(FWPD_OP_SD_GET);
	msg_put_u32(nlh, FWPD_A_SD_TARGET, ENGINE_SD_ENGINE);
	msg_put_u32(nlh, FWPD_A_SECINFO, SD_INFO_ALL);
	save_rq("sd_get_engine", nlh);
	nlh = req(FWPD_OP_SD_SET);
	msg_put_u32(nlh, FWPD_A_SD_TARGET, ENGINE_SD_SADB);
	msg_put_u32(nlh, FWPD_A_SECINFO, DACL_SECURITY_INFORMATION);
	msg_put_raw(nlh, FWPD_A_SD, sd, len);
	save_rq("sd_set_sadb", nlh);
	nlh = req(FWPD_OP_SD_SET);
	msg_put_u32(nlh, FWPD_A_SD_TARGET, POL_PROVIDER);
	msg_put_raw(nlh, FWPD_A_KEY, &guid_a, sizeof(guid_a));
	msg_put_u32(nlh, FWPD_A_SECINFO, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION);
	msg_put_raw(nlh, FWPD_A_SD, sd, len);
	save_rq("sd_set_provider", nlh);
	nlh = req(FWPD_OP_SD_GET);
	msg_put_u32(nlh, FWPD_A_SD_TARGET, POL_FILTER);
	msg_put_raw(nlh, FWPD_A_KEY, &guid_b, sizeof(guid_b));
	msg_put_u32(nlh, FWPD_A_SECINFO, DACL_SECURITY_INFORMATION);
	save_rq("sd_get_filter", nlh);
	seq_save("seq_security");
	nlh = reply();
	msg_put_raw(nlh, FWPD_A_SD, sd, len);
	save_rp("sd_get", nlh);
	free(sd);
}

/* ---- policy objects ---- */

static FWPM_FILTER_CONDITION0 conds[20];
static FWP_V4_ADDR_AND_MASK f_v4 = { 0x0A000000, 0xFF000000 };
static FWP_V6_ADDR_AND_MASK f_v6 = { { 0xfd }, 8 };
static FWP_BYTE_ARRAY16 f_a16 = { { 0xfd, [15] = 1 } };
static FWP_BYTE_ARRAY6 f_a6 = { { 1, 2, 3, 4, 5, 6 } };
static FWP_BYTE_BLOB f_blob = { 3, (UINT8 *)"xyz" };
static UINT64 f_u64 = 0x1122334455667788ull;
static INT64 f_i64 = -5;
static double f_dbl = 1.5;
static FWP_RANGE0 f_range = { { FWP_UINT16, { .uint16 = 1 } },
			      { FWP_UINT16, { .uint16 = 1024 } } };

/* Conditions carrying every arm of FWP_CONDITION_VALUE0. */
static UINT32 conditions_init(void)
{
	FWP_CONDITION_VALUE0 *v;
	UINT32 n = 0;

	memset(conds, 0, sizeof(conds));
#define COND(field, T, member, val) \
	conds[n].fieldKey = field; \
	conds[n].matchType = FWP_MATCH_EQUAL; \
	v = &conds[n++].conditionValue; \
	v->type = T; \
	v->member = val
	COND(FWPM_CONDITION_IP_PROTOCOL, FWP_UINT8, uint8, 6);
	COND(FWPM_CONDITION_IP_LOCAL_PORT, FWP_UINT16, uint16, 80);
	COND(FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_UINT32, uint32, 0x0A000001);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_UINT64, uint64, &f_u64);
	COND(FWPM_CONDITION_IP_REMOTE_PORT, FWP_INT8, int8, -1);
	COND(FWPM_CONDITION_IP_REMOTE_PORT, FWP_INT16, int16, -2);
	COND(FWPM_CONDITION_IP_REMOTE_PORT, FWP_INT32, int32, -3);
	COND(FWPM_CONDITION_IP_REMOTE_PORT, FWP_INT64, int64, &f_i64);
	COND(FWPM_CONDITION_IP_REMOTE_PORT, FWP_FLOAT, float32, 2.5f);
	COND(FWPM_CONDITION_IP_REMOTE_PORT, FWP_DOUBLE, double64, &f_dbl);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_BYTE_ARRAY16_TYPE, byteArray16, &f_a16);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_BYTE_BLOB_TYPE, byteBlob, &f_blob);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_SECURITY_DESCRIPTOR_TYPE, sd, &f_blob);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_TOKEN_ACCESS_INFORMATION_TYPE,
	     tokenAccessInformation, &f_blob);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_UNICODE_STRING_TYPE, unicodeString,
	     L"name");
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_BYTE_ARRAY6_TYPE, byteArray6, &f_a6);
	COND(FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_V4_ADDR_MASK, v4AddrMask, &f_v4);
	COND(FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_V6_ADDR_MASK, v6AddrMask, &f_v6);
	COND(FWPM_CONDITION_IP_LOCAL_PORT, FWP_RANGE_TYPE, rangeValue, &f_range);
	conds[n - 1].matchType = FWP_MATCH_RANGE;
	COND(FWPM_CONDITION_IP_LOCAL_PORT, FWP_EMPTY, uint8, 0);
#undef COND
	return n;
}

static void pol_add(enum pol_kind k, const struct wf_struct *sd, const void *obj,
		    const char *name)
{
	struct nlmsghdr *nlh = req(FWPD_OP_POL_ADD);

	msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
	put(nlh, FWPD_A_OBJECT, sd, obj);
	save_rq(name, nlh);
}

/* GET, ENUM_CREATE (with the kind's template), ENUM, ENUM_DESTROY and
 * DELETE of one kind, by key or by id. */
static void pol_ops(enum pol_kind k, const void *tmpl, bool by_key, const char *kind)
{
	struct nlmsghdr *nlh;
	char name[64];

	nlh = req(FWPD_OP_POL_GET);
	msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
	msg_put_u32(nlh, FWPD_A_FLAGS, by_key);
	if (by_key)
		msg_put_raw(nlh, FWPD_A_KEY, &guid_a, sizeof(GUID));
	msg_put_u64(nlh, FWPD_A_ID, 1);
	snprintf(name, sizeof(name), "pol_get_%s", kind);
	save_rq(name, nlh);
	nlh = req(FWPD_OP_POL_ENUM_CREATE);
	msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
	if (tmpl)
		put(nlh, FWPD_A_POL_TEMPLATE, wf_pol_template[k], tmpl);
	snprintf(name, sizeof(name), "pol_enum_create_%s", kind);
	save_rq(name, nlh);
	nlh = req(FWPD_OP_POL_ENUM);
	msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	msg_put_u32(nlh, FWPD_A_COUNT, 10);
	snprintf(name, sizeof(name), "pol_enum_%s", kind);
	save_rq(name, nlh);
	nlh = req(FWPD_OP_POL_ENUM_DESTROY);
	msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	snprintf(name, sizeof(name), "pol_enum_destroy_%s", kind);
	save_rq(name, nlh);
	nlh = req(FWPD_OP_POL_DELETE);
	msg_put_u32(nlh, FWPD_A_KIND, (uint32_t)k);
	msg_put_u32(nlh, FWPD_A_FLAGS, by_key);
	if (by_key)
		msg_put_raw(nlh, FWPD_A_KEY, &guid_a, sizeof(GUID));
	msg_put_u64(nlh, FWPD_A_ID, 1);
	snprintf(name, sizeof(name), "pol_delete_%s", kind);
	save_rq(name, nlh);
}

/* Provider contexts: each context type with each transform arm. */
static void seeds_contexts(void)
{
	static const IPSEC_TRANSFORM_TYPE types[] = {
		IPSEC_TRANSFORM_AH, IPSEC_TRANSFORM_ESP_AUTH, IPSEC_TRANSFORM_ESP_CIPHER,
		IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, IPSEC_TRANSFORM_ESP_AUTH_FW,
	};
	static const FWPM_PROVIDER_CONTEXT_TYPE pc_types[] = {
		FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT, FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT,
		FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT, FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT,
	};
	IPSEC_AUTH_TRANSFORM0 auth = { { IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 },
				       NULL };
	IPSEC_CIPHER_TRANSFORM0 cipher = { { IPSEC_CIPHER_TYPE_AES_128,
					     IPSEC_CIPHER_CONFIG_CBC_AES_128 }, NULL };
	IPSEC_AUTH_AND_CIPHER_TRANSFORM0 ac = { auth, cipher };
	IPSEC_SA_TRANSFORM0 tr[4];
	IPSEC_PROPOSAL0 prop;
	IPSEC_TRANSPORT_POLICY1 tp;
	IPSEC_TUNNEL_POLICY1 tun;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 tmpl = { (GUID *)&guid_b,
						      FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT };
	FWPM_PROVIDER_CONTEXT1 pc;
	char name[64];

	for (size_t i = 0; i < 4; i++) {
		memset(&tr[i], 0, sizeof(tr[i]));
		tr[i].ipsecTransformType = types[i + 1];
		tr[i].espAuthTransform = &auth;	/* the union's pointer */
	}
	tr[1].espCipherTransform = &cipher;
	tr[2].espAuthAndCipherTransform = &ac;
	memset(&prop, 0, sizeof(prop));
	prop.lifetime.lifetimeSeconds = 3600;
	prop.numSaTransforms = 4;
	prop.saTransforms = tr;
	memset(&tp, 0, sizeof(tp));
	tp.numIpsecProposals = 1;
	tp.ipsecProposals = &prop;
	tp.saIdleTimeout.idleTimeoutSeconds = 300;
	memset(&tun, 0, sizeof(tun));
	tun.numIpsecProposals = 1;
	tun.ipsecProposals = &prop;
	tun.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	tun.tunnelEndpoints.localV4Address = 0xC0A80001;
	tun.tunnelEndpoints.remoteV4Address = 0xC0A80002;
	for (size_t i = 0; i < sizeof(pc_types) / sizeof(pc_types[0]); i++) {
		bool tunnel = pc_types[i] == FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT ||
			      pc_types[i] == FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT;

		memset(&pc, 0, sizeof(pc));
		pc.providerContextKey = guid_a;
		pc.providerContextKey.Data2 = (unsigned short)i;
		pc.displayData.name = L"context";
		pc.providerKey = (GUID *)&guid_b;
		pc.type = pc_types[i];
		if (tunnel)
			pc.ikeQmTunnelPolicy = &tun;
		else
			pc.ikeQmTransportPolicy = &tp;
		snprintf(name, sizeof(name), "pol_add_context_%d", (int)pc_types[i]);
		pol_add(POL_CONTEXT, &wf_FWPM_PROVIDER_CONTEXT1, &pc, name);
	}
	/* The AH arm of IPSEC_SA_TRANSFORM0 alone. */
	tr[0].ipsecTransformType = IPSEC_TRANSFORM_AH;
	tr[0].ahTransform = &auth;
	prop.numSaTransforms = 1;
	pc.type = FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT;
	pc.ikeQmTransportPolicy = &tp;
	pol_add(POL_CONTEXT, &wf_FWPM_PROVIDER_CONTEXT1, &pc, "pol_add_context_ah");
	/* The IKEv2 quick-mode transport arm (the union's one pointer). */
	pc.type = FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT;
	pol_add(POL_CONTEXT, &wf_FWPM_PROVIDER_CONTEXT1, &pc, "pol_add_context_12");
	/* The keying-module list. */
	{
		GUID mods[2] = { FWPM_KEYING_MODULE_IKE, FWPM_KEYING_MODULE_IKEV2 };
		IPSEC_KEYING_POLICY0 kp = { .numKeyMods = 2, .keyModKeys = mods };

		memset(&pc, 0, sizeof(pc));
		pc.providerContextKey = guid_a;
		pc.providerContextKey.Data2 = 0x77;
		pc.displayData.name = L"keying";
		pc.type = FWPM_IPSEC_KEYING_CONTEXT;
		pc.keyingPolicy = &kp;
		pol_add(POL_CONTEXT, &wf_FWPM_PROVIDER_CONTEXT1, &pc, "pol_add_context_keying");
	}
	pol_ops(POL_CONTEXT, &tmpl, true, "context");
}

/* Main-mode contexts: every carried authentication-method arm (pre-shared
 * key, Kerberos, anonymous, NTLMv2, EAP) and the IKEv2 quick-mode tunnel. */
static void seeds_mm_contexts(void)
{
	static const FWPM_PROVIDER_CONTEXT_TYPE mm_types[] = {
		FWPM_IPSEC_IKE_MM_CONTEXT, FWPM_IPSEC_AUTHIP_MM_CONTEXT,
		FWPM_IPSEC_IKEV2_MM_CONTEXT,
	};
	static UINT8 psk[] = "seed pre-shared key";
	IKEEXT_AUTHENTICATION_METHOD1 m[5];
	IKEEXT_PROPOSAL0 prop;
	IKEEXT_POLICY1 pol;
	IPSEC_AUTH_TRANSFORM0 auth = { { IPSEC_AUTH_SHA_1, IPSEC_AUTH_CONFIG_HMAC_SHA_1_96 },
				       NULL };
	IPSEC_SA_TRANSFORM0 tr = { IPSEC_TRANSFORM_ESP_AUTH, { .espAuthTransform = &auth } };
	IPSEC_PROPOSAL0 qprop;
	IPSEC_TUNNEL_POLICY1 tun;
	FWPM_PROVIDER_CONTEXT1 pc;
	struct nlmsghdr *nlh;
	char name[64];

	memset(m, 0, sizeof(m));
	m[0].authenticationMethodType = IKEEXT_PRESHARED_KEY;
	m[0].presharedKeyAuthentication.presharedKey.size = sizeof(psk) - 1;
	m[0].presharedKeyAuthentication.presharedKey.data = psk;
	m[0].presharedKeyAuthentication.flags = IKEEXT_PSK_FLAG_LOCAL_AUTH_ONLY;
	m[1].authenticationMethodType = IKEEXT_KERBEROS;
	m[1].kerberosAuthentication.flags = 1;
	m[2].authenticationMethodType = IKEEXT_ANONYMOUS;
	m[3].authenticationMethodType = IKEEXT_NTLM_V2;
	m[3].ntlmV2Authentication.flags = 1;
	m[4].authenticationMethodType = IKEEXT_EAP;
	m[4].eapAuthentication.flags = 2;
	memset(&prop, 0, sizeof(prop));
	prop.cipherAlgorithm.algoIdentifier = IKEEXT_CIPHER_AES_128;
	prop.integrityAlgorithm.algoIdentifier = IKEEXT_INTEGRITY_SHA_256;
	prop.dhGroup = IKEEXT_DH_GROUP_14;
	prop.maxLifetimeSeconds = 28800;
	memset(&pol, 0, sizeof(pol));
	pol.numAuthenticationMethods = 5;
	pol.authenticationMethods = m;
	pol.numIkeProposals = 1;
	pol.ikeProposals = &prop;
	pol.flags = IKEEXT_POLICY_FLAG_SITE_TO_SITE;
	pol.retransmitDurationSecs = 30;
	for (size_t i = 0; i < sizeof(mm_types) / sizeof(mm_types[0]); i++) {
		memset(&pc, 0, sizeof(pc));
		pc.providerContextKey = guid_a;
		pc.providerContextKey.Data3 = (unsigned short)(0x100 + i);
		pc.displayData.name = L"main mode";
		pc.type = mm_types[i];
		pc.ikeMmPolicy = &pol;
		snprintf(name, sizeof(name), "pol_add_context_%d", (int)mm_types[i]);
		pol_add(POL_CONTEXT, &wf_FWPM_PROVIDER_CONTEXT1, &pc, name);
		/* The same object as a read returns it (the reply target). */
		nlh = reply();
		put(nlh, FWPD_A_OBJECT, &wf_FWPM_PROVIDER_CONTEXT1, &pc);
		snprintf(name, sizeof(name), "pol_get_context_%d", (int)mm_types[i]);
		save_rp(name, nlh);
	}
	memset(&qprop, 0, sizeof(qprop));
	qprop.lifetime.lifetimeSeconds = 3600;
	qprop.numSaTransforms = 1;
	qprop.saTransforms = &tr;
	memset(&tun, 0, sizeof(tun));
	tun.numIpsecProposals = 1;
	tun.ipsecProposals = &qprop;
	tun.tunnelEndpoints.ipVersion = FWP_IP_VERSION_V4;
	tun.tunnelEndpoints.localV4Address = 0xC0A80001;
	tun.tunnelEndpoints.remoteV4Address = 0xC0A80002;
	memset(&pc, 0, sizeof(pc));
	pc.providerContextKey = guid_a;
	pc.providerContextKey.Data3 = 0x1ff;
	pc.displayData.name = L"IKEv2 quick mode";
	pc.type = FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT;
	pc.ikeV2QmTunnelPolicy = &tun;
	pol_add(POL_CONTEXT, &wf_FWPM_PROVIDER_CONTEXT1, &pc, "pol_add_context_9");
}

static void seeds_policy(void)
{
	FWPM_PROVIDER0 prov;
	FWPM_SUBLAYER0 sl;
	FWPM_FILTER0 f;
	FWPM_SUBLAYER_ENUM_TEMPLATE0 sl_tmpl = { (GUID *)&guid_b };
	FWPM_FILTER_ENUM_TEMPLATE0 f_tmpl;
	FWPM_PROVIDER_CONTEXT_ENUM_TEMPLATE0 pc_tmpl = { NULL, FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT };
	FWPM_PROVIDER_ENUM_TEMPLATE0 p_tmpl = { 0 };
	UINT32 n = conditions_init();

	seq_begin();
	memset(&prov, 0, sizeof(prov));
	prov.providerKey = guid_b;
	prov.displayData.name = L"provider";
	prov.flags = FWPM_PROVIDER_FLAG_PERSISTENT;
	prov.providerData = f_blob;
	prov.serviceName = L"svc";
	pol_add(POL_PROVIDER, &wf_FWPM_PROVIDER0, &prov, "pol_add_provider");

	memset(&sl, 0, sizeof(sl));
	sl.subLayerKey = guid_a;
	sl.displayData.name = L"sublayer";
	sl.providerKey = (GUID *)&guid_b;
	sl.weight = 0x100;
	pol_add(POL_SUBLAYER, &wf_FWPM_SUBLAYER0, &sl, "pol_add_sublayer");

	memset(&f, 0, sizeof(f));
	f.filterKey = guid_a;
	f.displayData.name = L"filter";
	f.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f.subLayerKey = guid_a;
	f.providerKey = (GUID *)&guid_b;
	f.weight.type = FWP_UINT8;
	f.weight.uint8 = 3;
	f.numFilterConditions = 3;
	f.filterCondition = conds;
	f.action.type = FWP_ACTION_PERMIT;
	pol_add(POL_FILTER, &wf_FWPM_FILTER0, &f, "pol_add_filter");
	pol_ops(POL_FILTER, NULL, false, "filter");
	pol_ops(POL_SUBLAYER, &sl_tmpl, true, "sublayer");
	pol_ops(POL_PROVIDER, &p_tmpl, true, "provider");
	seq_save("seq_policy");

	/* Every condition arm in one filter, and FWP_VALUE0's weight arms. */
	f.numFilterConditions = n;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &f_u64;
	f.effectiveWeight.type = FWP_UINT64;
	f.effectiveWeight.uint64 = &f_u64;
	f.rawContext = 9;
	f.reserved = (GUID *)&guid_b;
	pol_add(POL_FILTER, &wf_FWPM_FILTER0, &f, "pol_add_filter_all_conditions");
	f.numFilterConditions = 0;
	f.weight.type = FWP_EMPTY;
	f.action.type = FWP_ACTION_CALLOUT_TERMINATING;
	f.action.calloutKey = guid_b;
	pol_add(POL_FILTER, &wf_FWPM_FILTER0, &f, "pol_add_filter_callout");

	memset(&f_tmpl, 0, sizeof(f_tmpl));
	f_tmpl.providerKey = (GUID *)&guid_b;
	f_tmpl.layerKey = FWPM_LAYER_INBOUND_TRANSPORT_V4;
	f_tmpl.enumType = FWP_FILTER_ENUM_OVERLAPPING;
	f_tmpl.providerContextTemplate = &pc_tmpl;
	f_tmpl.numFilterConditions = 2;
	f_tmpl.filterCondition = conds;
	f_tmpl.actionMask = 0xFFFFFFFF;
	f_tmpl.calloutKey = (GUID *)&guid_a;
	{
		struct nlmsghdr *nlh = req(FWPD_OP_POL_ENUM_CREATE);

		msg_put_u32(nlh, FWPD_A_KIND, POL_FILTER);
		put(nlh, FWPD_A_POL_TEMPLATE, &wf_FWPM_FILTER_ENUM_TEMPLATE0, &f_tmpl);
		save_rq("pol_enum_create_filter_template", nlh);
	}
	seeds_contexts();
	seeds_mm_contexts();
}

/* ---- replies ---- */

static void seeds_replies(void)
{
	IPSEC_TRAFFIC1 t = traffic4();
	IPSEC_SA0 sas[2];
	IPSEC_SA_DETAILS1 in, out;
	IPSEC_SA_CONTEXT1 ctx;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
	IPSEC_STATISTICS1 st;
	FWPM_SESSION0 session;
	FWPM_FILTER0 f;
	FWPX_SA_COUNTERS0 ctr;
	FWPX_SA_CONTEXT_EVENT0 ev;
	struct fwp_net_event nev = net_event();
	struct nlmsghdr *nlh;

	sas[0] = sa_of(IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER, 0x1234);
	sas[1] = sa_of(IPSEC_TRANSFORM_AH, 0x1234);
	memset(&in, 0, sizeof(in));
	in.traffic = t;
	bundle_init(&in.saBundle, sas, 2);
	in.udpEncapsulation = &encap;
	memset(&f, 0, sizeof(f));
	f.displayData.name = L"transport";
	f.numFilterConditions = conditions_init();
	f.filterCondition = conds;
	in.transportFilter = &f;
	out = in;
	out.saDirection = FWP_DIRECTION_OUTBOUND;
	ctx.saContextId = 1;
	ctx.inboundSa = &in;
	ctx.outboundSa = &out;
	nlh = reply();
	put(nlh, FWPD_A_CONTEXT, &wf_IPSEC_SA_CONTEXT1, &ctx);
	save_rp("sa_get", nlh);

	nlh = reply();
	put(nlh, FWPD_A_ENTRY, &wf_IPSEC_SA_DETAILS1, &in);
	put(nlh, FWPD_A_ENTRY, &wf_IPSEC_SA_DETAILS1, &out);
	msg_put_u32(nlh, FWPD_A_MORE, 1);
	save_rp("sad_enum_page", nlh);

	nlh = reply();
	put(nlh, FWPD_A_ENTRY, &wf_IPSEC_SA_CONTEXT1, &ctx);
	save_rp("sa_enum_page", nlh);

	memset(&sub, 0, sizeof(sub));
	nlh = reply();
	put(nlh, FWPD_A_ENTRY, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, &sub);
	save_rp("subscriptions", nlh);

	memset(&session, 0, sizeof(session));
	session.displayData.name = L"s";
	session.username = L"root";
	nlh = reply();
	put(nlh, FWPD_A_ENTRY, &wf_FWPM_SESSION0, &session);
	save_rp("session_enum_page", nlh);

	nlh = reply();
	put(nlh, FWPD_A_OBJECT, &wf_FWPM_FILTER0, &f);
	save_rp("pol_get_filter", nlh);

	nlh = reply();
	msg_put_u64(nlh, FWPD_A_ID, 1);
	msg_put_u64(nlh, FWPD_A_FILTER_ID, 0);
	save_rp("sa_create", nlh);
	nlh = reply();
	msg_put_u64(nlh, FWPD_A_HANDLE, 1);
	save_rp("handle", nlh);
	nlh = reply();
	msg_put_u32(nlh, FWPD_A_SPI, 0x1234);
	save_rp("spi", nlh);
	nlh = reply();
	msg_put_u32(nlh, FWPD_A_MS, 100);
	save_rp("drain", nlh);

	memset(&st, 0, sizeof(st));
	nlh = reply();
	msg_put_raw(nlh, FWPD_A_STATS, &st, sizeof(st));
	save_rp("statistics", nlh);
	{
		FWPX_STATISTICS0 ext;
		FWPX_SA_CONTEXT_INFO0 info;

		memset(&ext, 0, sizeof(ext));
		ext.outboundNoSaDrops = 3;
		nlh = reply();
		msg_put_raw(nlh, FWPD_A_STATS, &st, sizeof(st));
		msg_put_raw(nlh, FWPD_A_STATS_EXT, &ext, sizeof(ext));
		save_rp("statistics_ext", nlh);
		memset(&info, 0, sizeof(info));
		nlh = reply();
		msg_put_raw(nlh, FWPD_A_SA_INFO, &info, sizeof(info));
		save_rp("sa_info", nlh);
	}

	memset(&ctr, 0, sizeof(ctr));
	ctr.packets = 10;
	ctr.bytes = 15000;
	ctr.lastUseMs = 123456;
	ctr.flags = FWPX_SA_COUNTERS_FLAG_LIVE;
	nlh = reply();
	msg_put_raw(nlh, FWPD_A_COUNTERS_IN, &ctr, sizeof(ctr));
	msg_put_raw(nlh, FWPD_A_COUNTERS_OUT, &ctr, sizeof(ctr));
	save_rp("sa_counters", nlh);

	memset(&ev, 0, sizeof(ev));
	ev.eventType = FWPX_SA_CONTEXT_EVENT_ADD;
	nlh = msg_start(buf, FWPD_MSG_EVENT, 0);
	msg_put_u64(nlh, FWPD_A_COOKIE, 1);
	msg_put_raw(nlh, FWPD_A_EVENT, &ev, sizeof(ev));
	save_rp("event", nlh);

	nlh = msg_start(buf, FWPD_MSG_NET_EVENT, 0);
	msg_put_u64(nlh, FWPD_A_COOKIE, 2);
	msg_put_raw(nlh, FWPD_A_NET_EVENT, &nev, sizeof(nev));
	save_rp("net_event", nlh);

	{
		FWP_VALUE0 on = { FWP_UINT32, { .uint32 = 1 } };
		WF_NET_EVENT_RECORD rec;

		nlh = reply();
		put(nlh, FWPD_A_VALUE, &wf_FWP_VALUE0, &on);
		save_rp("option_get", nlh);
		memcpy(rec.raw, &nev, sizeof(rec.raw));
		nlh = reply();
		put(nlh, FWPD_A_ENTRY, &wf_WF_NET_EVENT_RECORD, &rec);
		put(nlh, FWPD_A_ENTRY, &wf_WF_NET_EVENT_RECORD, &rec);
		msg_put_u32(nlh, FWPD_A_MORE, 1);
		save_rp("net_enum_page", nlh);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	rq_dir = argv[1];
	rp_dir = argv[2];
	mkdir_p(rq_dir);
	mkdir_p(rp_dir);
	sa_info_init();
	seeds_engine();
	seeds_sa();
	seeds_templates();
	seeds_net_events();
	seeds_policy();
	seeds_changes();
	seeds_security();
	seeds_replies();
	seeds_change_replies();
	return failed;
}
