/* Unit tests: common/secdesc - the strict parser refuses each malformed
 * shape, SDDL round-trips, the access check follows the DACL in order
 * with the owner's implicit rights and the uid/gid/root SIDs, and the
 * default descriptors grant what the access rules granted before. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/secdesc.h"
#include "engine/engine.h"

static void *from_sddl(const char *s, size_t *len)
{
	void *sd = NULL;

	assert_int_equal(sd_from_sddl(s, &sd, len), 0);
	return sd;
}

static void test_sddl_round_trip(void **state)
{
	static const char *const cases[] = {
		"O:SYG:BAD:(A;;0xf07ff;;;SY)(D;;0x1;;;S-1-22-1-1000)(A;;0x3e4;;;WD)",
		"O:S-1-22-1-1000G:S-1-22-2-100D:P(A;OICI;0x80;;;AU)",
		"D:(A;;0x10000;;;S-1-5-21-1-2-3-500)S:(AU;SAFA;0x1;;;WD)",
		"O:SY",
		"D:",
	};
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sd_view v;
		size_t len;
		void *sd = from_sddl(cases[i], &len);

		assert_int_equal(sd_parse(sd, len, &v), 0);
		assert_int_equal(sd_claimed_len(sd), len);
		assert_int_equal(sd_to_sddl(&v, buf, sizeof(buf)), (int)strlen(cases[i]));
		assert_string_equal(buf, cases[i]);
		free(sd);
	}
}

static void test_sddl_refused(void **state)
{
	static const char *const bad[] = {
		"X:", "O:", "O:S-1-", "O:S-1-5", "O:S-1-5-01", "O:S-1-5-4294967296",
		"G:SYO:SY",	/* out of order */
		"O:SYO:SY", "D:(A;;0x1;;;SY", "D:(A;;;;;SY)", "D:(A;;0x1;;;SY)x",
		"D:(AU;;0x1;;;SY)", "S:(A;;0x1;;;SY)", "D:(A;;0x8000;;;SY)",	/* unknown bit */
		"D:(A;OIOI;0x1;;;SY)", "O:S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16",
		"D:NO_ACCESS_CONTROL", " O:SY",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *sd = NULL;
		size_t len;

		assert_int_equal(sd_from_sddl(bad[i], &sd, &len), -EINVAL);
		assert_null(sd);
	}
}

/* Each corruption of a valid descriptor is refused. */
static void test_parse_strict(void **state)
{
	size_t len;
	uint8_t *sd = from_sddl("O:SYG:SYD:(A;;0x1;;;WD)", &len), *m;
	struct sd_view v;
	/* offset, new byte value */
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 0, 2 },		/* revision */
		{ 1, 1 },		/* Sbz1 */
		{ 3, 0x00 },		/* not self-relative */
		{ 3, 0xC0 },		/* RM_CONTROL_VALID */
		{ 2, 0x00 },		/* DACL offset without DACL_PRESENT */
		{ 4, 22 },		/* owner offset unaligned */
		{ 4, 0xFF },		/* owner out of bounds */
		{ 20, 2 },		/* owner SID revision */
		{ 21, 0 },		/* no sub-authority */
		{ 21, 16 },		/* sub-authority count */
	};

	(void)state;
	assert_int_equal(sd_parse(sd, len, &v), 0);
	assert_int_equal(sd_parse(sd, len - 1, &v), -EINVAL);
	m = malloc(len + 4);
	memcpy(m, sd, len);
	memset(m + len, 0, 4);
	assert_int_equal(sd_parse(m, len + 4, &v), -EINVAL);	/* trailing bytes */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(m, sd, len);
		m[bad[i].off] = bad[i].val;
		assert_int_equal(sd_parse(m, len, &v), -EINVAL);
	}
	/* The group at the owner's offset: overlapping parts. */
	memcpy(m, sd, len);
	memcpy(m + 8, m + 4, 4);
	assert_int_equal(sd_parse(m, len, &v), -EINVAL);
	/* A NULL DACL: DACL_PRESENT with offset 0. */
	memcpy(m, sd, len);
	memset(m + 16, 0, 4);
	assert_int_equal(sd_parse(m, len, &v), -EINVAL);
	free(m);
	free(sd);
	assert_int_equal(sd_parse(NULL, 0, &v), -EINVAL);
}

static void test_acl_strict(void **state)
{
	size_t len;
	uint8_t *sd = from_sddl("D:(A;;0x1;;;WD)", &len);
	struct sd_view v;
	uint8_t acl[64];
	size_t alen;

	(void)state;
	assert_int_equal(sd_parse(sd, len, &v), 0);
	alen = v.len[SD_DACL];
	memcpy(acl, v.part[SD_DACL], alen);
	assert_true(sd_acl_valid(acl, alen, false));
	assert_false(sd_acl_valid(acl, alen, true));	/* an allow entry in a SACL */
	acl[0] = 3;
	assert_false(sd_acl_valid(acl, alen, false));	/* revision */
	memcpy(acl, v.part[SD_DACL], alen);
	acl[4] = 2;
	assert_false(sd_acl_valid(acl, alen, false));	/* two entries claimed */
	memcpy(acl, v.part[SD_DACL], alen);
	acl[8] = 9;
	assert_false(sd_acl_valid(acl, alen, false));	/* entry type */
	memcpy(acl, v.part[SD_DACL], alen);
	acl[10] = 24;
	assert_false(sd_acl_valid(acl, alen, false));	/* entry past the ACL */
	/* Room after the last entry (InitializeAcl with a larger buffer). */
	memcpy(acl, v.part[SD_DACL], alen);
	memset(acl + alen, 0, 8);
	acl[2] = (uint8_t)(alen + 8);
	assert_true(sd_acl_valid(acl, alen + 8, false));
	free(sd);
}

static struct sd_token token(uid_t uid, gid_t gid, uint32_t n, const gid_t *groups)
{
	struct sd_token t = { .uid = uid, .gid = gid, .ngroups = n };

	if (n)
		memcpy(t.groups, groups, n * sizeof(gid_t));
	return t;
}

static uint32_t grant(const char *sddl, const struct sd_token *t)
{
	struct sd_view v;
	size_t len;
	void *sd = from_sddl(sddl, &len);
	uint32_t g;

	assert_int_equal(sd_parse(sd, len, &v), 0);
	g = sd_granted(&v, t);
	free(sd);
	return g;
}

static void test_access(void **state)
{
	struct sd_token alice = token(1000, 1000, 1, (gid_t[]){ 27 });
	struct sd_token root = token(0, 0, 0, NULL);

	(void)state;
	/* In order: the earlier deny wins over the later allow, and the
	 * reverse. */
	assert_int_equal(grant("D:(D;;0x1;;;S-1-22-1-1000)(A;;0x3;;;WD)", &alice), 0x2);
	assert_int_equal(grant("D:(A;;0x3;;;WD)(D;;0x1;;;S-1-22-1-1000)", &alice), 0x3);
	/* Supplementary group, primary group, other uid. */
	assert_int_equal(grant("D:(A;;0x80;;;S-1-22-2-27)", &alice), 0x80);
	assert_int_equal(grant("D:(A;;0x80;;;S-1-22-2-1000)", &alice), 0x80);
	assert_int_equal(grant("D:(A;;0x80;;;S-1-22-1-1001)", &alice), 0);
	/* Root is also SY and BA; alice is neither. */
	assert_int_equal(grant("D:(A;;0x40;;;SY)(A;;0x20;;;BA)", &root) & 0x60, 0x60);
	assert_int_equal(grant("D:(A;;0x40;;;SY)(A;;0x20;;;BA)", &alice), 0);
	/* Generic rights map to FWPM_GENERIC_*; INHERIT_ONLY entries do not count. */
	assert_int_equal(grant("D:(A;;GR;;;AU)", &alice), FWPM_GENERIC_READ);
	assert_int_equal(grant("D:(A;;GA;;;WD)", &alice), FWPM_GENERIC_ALL);
	assert_int_equal(grant("D:(A;IO;GA;;;WD)", &alice), 0);
	/* The owner may always read and change the DACL. */
	assert_int_equal(grant("O:S-1-22-1-1000D:", &alice), READ_CONTROL | WRITE_DAC);
	/* A token that lost groups is denied by any group's deny entry. */
	alice.truncated = true;
	assert_int_equal(grant("D:(D;;0x1;;;S-1-22-2-4242)(A;;0x3;;;WD)", &alice), 0x2);
	/* The SACL right is root's alone. */
	assert_true(grant("D:", &root) & ACCESS_SYSTEM_SECURITY);
}

static void test_defaults(void **state)
{
	struct sd_token root = token(0, 0, 0, NULL);
	struct sd_token member = token(1000, 1000, 1, (gid_t[]){ 990 });
	struct sd_token other = token(1001, 1001, 0, NULL);
	struct sd_view v;
	void *sd;
	size_t len;

	(void)state;
	assert_int_equal(sd_default_service(true, 990, &sd, &len), 0);
	assert_int_equal(sd_parse(sd, len, &v), 0);
	assert_int_equal(sd_granted(&v, &root), ENGINE_RIGHTS_ALL);
	assert_int_equal(sd_granted(&v, &member), ENGINE_RIGHTS_ALL & ~ACCESS_SYSTEM_SECURITY);
	assert_int_equal(sd_granted(&v, &other), ENGINE_RIGHTS_READ);
	free(sd);
	assert_int_equal(sd_default_service(false, 0, &sd, &len), 0);
	assert_int_equal(sd_parse(sd, len, &v), 0);
	assert_int_equal(sd_granted(&v, &member), ENGINE_RIGHTS_READ);
	free(sd);
	assert_int_equal(sd_default_process(1001, 1001, &sd, &len), 0);
	assert_int_equal(sd_parse(sd, len, &v), 0);
	assert_int_equal(sd_granted(&v, &other), ENGINE_RIGHTS_ALL & ~ACCESS_SYSTEM_SECURITY);
	assert_int_equal(sd_granted(&v, &member), 0);
	free(sd);
}

static void test_merge_select(void **state)
{
	size_t la, lb, lc;
	void *a = from_sddl("O:SYG:SYD:(A;;0x1;;;WD)", &la);
	void *b = from_sddl("O:S-1-22-1-5D:P(A;;0x2;;;AU)", &lb);
	struct sd_view va, vb;
	char buf[256];
	void *c;

	(void)state;
	assert_int_equal(sd_parse(a, la, &va), 0);
	assert_int_equal(sd_parse(b, lb, &vb), 0);
	sd_merge(&va, &vb, DACL_SECURITY_INFORMATION);
	assert_int_equal(sd_build(&va, &c, &lc), 0);
	assert_int_equal(sd_parse(c, lc, &va), 0);
	sd_to_sddl(&va, buf, sizeof(buf));
	assert_string_equal(buf, "O:SYG:SYD:P(A;;0x2;;;AU)");
	sd_select(&va, OWNER_SECURITY_INFORMATION);
	sd_to_sddl(&va, buf, sizeof(buf));
	assert_string_equal(buf, "O:SY");
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sddl_round_trip),
		cmocka_unit_test(test_sddl_refused),
		cmocka_unit_test(test_parse_strict),
		cmocka_unit_test(test_acl_strict),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_merge_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
