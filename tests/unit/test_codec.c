/* test_codec.c - the strict decoder's rules (src/wire/codec.c) and
 * msg_parse's (src/wire/message.c): what the encoder writes decodes; a
 * repeated field, an unknown attribute type, a misplaced nested flag, bytes
 * outside the nest, and every way a union's selector and arm can disagree
 * are refused with -EINVAL, and the encoder refuses a NULL pointer arm. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <fwpx.h>

#include "wire/codec.h"
#include "wire/message.h"

static unsigned char buf[FWPD_MSG_MAX];

static struct nlmsghdr *start(void)
{
	return msg_start(buf, FWPD_MSG_REPLY, 1);
}

static int decode(const struct wf_struct *sd, const struct nlattr *nest)
{
	void *p = NULL;
	size_t size = 0;
	int err = wf_decode(sd, nest, &p, &size);

	wf_free_secret(p, size);
	return err;
}

/* The first attribute of the message: the nest under test. */
static const struct nlattr *first(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload(nlh);
}

static void test_round_trip(void **state)
{
	static FWP_V4_ADDR_AND_MASK m = { 0xC0000200, 0xFFFFFF00 };
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t, *got;
	struct nlmsghdr *nlh = start();
	size_t size;

	memset(&t, 0, sizeof(t));
	t.localSubNet.type = FWP_V4_ADDR_MASK;
	t.localSubNet.v4AddrMask = &m;
	t.remoteSubNet.type = FWP_UINT32;
	t.remoteSubNet.uint32 = 7;
	assert_int_equal(wf_put(nlh, sizeof(buf), 1, &wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, &t), 0);
	assert_int_equal(wf_decode(&wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, first(nlh),
				   (void **)&got, &size), 0);
	assert_int_equal(got->localSubNet.type, FWP_V4_ADDR_MASK);
	assert_non_null(got->localSubNet.v4AddrMask);
	assert_int_equal(got->localSubNet.v4AddrMask->mask, 0xFFFFFF00);
	assert_int_equal(got->remoteSubNet.type, FWP_UINT32);
	assert_int_equal(got->remoteSubNet.uint32, 7);
	wf_free_secret(got, size);
}

/* FWP_VALUE0 {type, union} hand-built: the attributes given in order. */
static const struct nlattr *value(struct nlmsghdr *nlh, const uint32_t *types, int ntypes,
				  bool with_arm, uint32_t arm)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, 1);

	for (int i = 0; i < ntypes; i++)
		mnl_attr_put_u32(nlh, 1, types[i]);
	if (with_arm)
		mnl_attr_put_u32(nlh, 2, arm);
	mnl_attr_nest_end(nlh, nest);
	return nest;
}

static void test_repeated_field(void **state)
{
	static const uint32_t twice[] = { FWP_UINT32, FWP_UINT32 };
	static const uint32_t once[] = { FWP_UINT32 };

	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), once, 1, true, 5)), 0);
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), twice, 2, true, 5)), -EINVAL);
}

/* The crash: {type=UINT32, value=0x41414141, type=V4_ADDR_MASK} in
 * a template's localSubNet; before, the arm came from the first selector
 * and the struct kept the last, a pointer to 0x41414141. */
static void test_selector_given_twice(void **state)
{
	struct nlmsghdr *nlh = start();
	struct nlattr *tmpl = mnl_attr_nest_start(nlh, FWPD_A_CTX_TEMPLATE);
	struct nlattr *sub = mnl_attr_nest_start(nlh, 1);

	mnl_attr_put_u32(nlh, 1, FWP_UINT32);
	mnl_attr_put_u32(nlh, 2, 0x41414141);
	mnl_attr_put_u32(nlh, 1, FWP_V4_ADDR_MASK);
	mnl_attr_nest_end(nlh, sub);
	mnl_attr_nest_end(nlh, tmpl);
	assert_int_equal(decode(&wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, tmpl), -EINVAL);
}

static void test_union_mismatch(void **state)
{
	static const uint32_t v4mask[] = { FWP_V4_ADDR_MASK };
	static const uint32_t empty[] = { FWP_EMPTY };
	static const uint32_t unknown[] = { 0x4141 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	/* A 4-byte arm where the selector names an 8-byte one. */
	assert_int_equal(decode(&wf_FWP_CONDITION_VALUE0, value(start(), v4mask, 1, true, 1)),
			 -EINVAL);
	/* A value for FWP_EMPTY, and for a selector with no arm. */
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), empty, 1, true, 1)), -EINVAL);
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), unknown, 1, true, 1)), -EINVAL);
	/* An arm without any selector. */
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), NULL, 0, true, 1)), -EINVAL);
	/* A selector with no arm and no value is the engine's to refuse. */
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), unknown, 1, false, 0)), 0);
	/* A scalar where the selected arm is a nest: IPSEC_SA_BUNDLE1's
	 * saList (field 8) holding one IPSEC_SA0 {spi, AH, union}. */
	nlh = start();
	nest = mnl_attr_nest_start(nlh, 1);
	{
		struct nlattr *list = mnl_attr_nest_start(nlh, 8);
		struct nlattr *sa = mnl_attr_nest_start(nlh, 1);

		mnl_attr_put_u32(nlh, 1, 0x1234);
		mnl_attr_put_u32(nlh, 2, IPSEC_TRANSFORM_AH);
		mnl_attr_put_u32(nlh, 3, 1);
		mnl_attr_nest_end(nlh, sa);
		mnl_attr_nest_end(nlh, list);
	}
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(decode(&wf_IPSEC_SA_BUNDLE1, nest), -EINVAL);
}

/* A selector naming a pointer arm whose attribute is missing used to
 * decode to NULL, which the engine then dereferenced. */
static void test_missing_pointer_arm(void **state)
{
	static const uint32_t v4mask[] = { FWP_V4_ADDR_MASK };
	static const uint32_t u64[] = { FWP_UINT64 };
	static const uint32_t str[] = { FWP_UNICODE_STRING_TYPE };
	static const uint32_t u8[] = { FWP_UINT8 };

	assert_int_equal(decode(&wf_FWP_CONDITION_VALUE0, value(start(), v4mask, 1, false, 0)),
			 -EINVAL);
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), u64, 1, false, 0)), -EINVAL);
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), str, 1, false, 0)), -EINVAL);
	/* Every arm that carries a value needs it, scalars too. */
	assert_int_equal(decode(&wf_FWP_VALUE0, value(start(), u8, 1, false, 0)), -EINVAL);
}

/* What the encoder writes always decodes: a NULL pointer arm is refused
 * before anything is sent (the library answers FWP_E_NULL_POINTER). */
static void test_encoder_refuses_null_arm(void **state)
{
	FWP_VALUE0 v = { FWP_UINT64, { .uint64 = NULL } };
	FWPM_PROVIDER_CONTEXT1 pc;
	struct nlmsghdr *nlh = start();
	uint32_t len = nlh->nlmsg_len;

	assert_int_equal(wf_put(nlh, sizeof(buf), 1, &wf_FWP_VALUE0, &v), -EINVAL);
	assert_int_equal(nlh->nlmsg_len, len);	/* the message is as it was */
	memset(&pc, 0, sizeof(pc));
	pc.type = FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT;
	assert_int_equal(wf_put(nlh, sizeof(buf), 1, &wf_FWPM_PROVIDER_CONTEXT1, &pc), -EINVAL);
	/* A keying context's arm is carried too: NULL refused. */
	pc.type = FWPM_IPSEC_KEYING_CONTEXT;
	assert_int_equal(wf_put(nlh, sizeof(buf), 1, &wf_FWPM_PROVIDER_CONTEXT1, &pc), -EINVAL);
	/* A type the schema carries no arm for travels without a value. */
	pc.type = FWPM_GENERAL_CONTEXT;
	assert_int_equal(wf_put(nlh, sizeof(buf), 1, &wf_FWPM_PROVIDER_CONTEXT1, &pc), 0);
	assert_int_equal(decode(&wf_FWPM_PROVIDER_CONTEXT1, first(nlh)), 0);
}

static void test_unknown_attribute(void **state)
{
	struct nlmsghdr *nlh = start();
	struct nlattr *nest = mnl_attr_nest_start(nlh, 1);

	mnl_attr_put_u32(nlh, 1, FWP_UINT32);
	mnl_attr_put_u32(nlh, 2, 5);
	mnl_attr_put_u32(nlh, 3, 0);	/* FWP_VALUE0 has two fields */
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(decode(&wf_FWP_VALUE0, nest), -EINVAL);

	nlh = start();
	nest = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, 0, 0);	/* type 0 */
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(decode(&wf_IPSEC_SA_ENUM_TEMPLATE0, nest), -EINVAL);
}

static void test_nested_flag(void **state)
{
	struct nlmsghdr *nlh = start();
	struct nlattr *nest = mnl_attr_nest_start(nlh, 1);
	struct nlattr *a;

	/* IPSEC_SA_CONTEXT_SUBSCRIPTION0.flags (field 2) with NLA_F_NESTED. */
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, 2, 0);
	a->nla_type |= NLA_F_NESTED;
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(decode(&wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, nest), -EINVAL);
	/* The nest itself without the flag. */
	nlh = start();
	nest = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, 2, 0);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(decode(&wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, nest), 0);
	nest->nla_type &= (uint16_t)~NLA_F_NESTED;
	assert_int_equal(decode(&wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, nest), -EINVAL);
}

/* Attributes must fill their nest exactly: no trailing bytes, no length
 * below a header, none running past the nest. */
static void test_framing(void **state)
{
	unsigned char raw[64];
	struct nlattr *nest = (struct nlattr *)raw, *a = (struct nlattr *)(raw + 4);

	memset(raw, 0, sizeof(raw));
	nest->nla_type = 1 | NLA_F_NESTED;
	a->nla_type = 1;
	a->nla_len = 8;
	nest->nla_len = 12;
	assert_int_equal(decode(&wf_IPSEC_SA_ENUM_TEMPLATE0, nest), 0);
	nest->nla_len = 16;	/* 4 trailing bytes */
	assert_int_equal(decode(&wf_IPSEC_SA_ENUM_TEMPLATE0, nest), -EINVAL);
	nest->nla_len = 12;
	a->nla_len = 2;		/* shorter than a header */
	assert_int_equal(decode(&wf_IPSEC_SA_ENUM_TEMPLATE0, nest), -EINVAL);
	a->nla_len = 12;	/* past the nest */
	assert_int_equal(decode(&wf_IPSEC_SA_ENUM_TEMPLATE0, nest), -EINVAL);
	assert_int_equal(wf_attrs_check(raw + 4, 8), -EINVAL);
	a->nla_len = 7;		/* padding past the nest */
	assert_int_equal(wf_attrs_check(raw + 4, 7), -EINVAL);
}

/* msg_parse: the attribute that ran into the padding past the datagram
 * (the counters over-read), repeats, unknown types, flags. */
static void test_message(void **state)
{
	FWPX_SA_COUNTERS0 ctr;
	struct msg_attrs m;
	struct nlmsghdr *nlh = start();

	memset(&ctr, 0, sizeof(ctr));
	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	msg_put_raw(nlh, FWPD_A_COUNTERS_IN, &ctr, sizeof(ctr));
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), 0);
	/* The datagram ends 3 bytes before its last attribute does. */
	nlh->nlmsg_len -= 3;
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);
	nlh->nlmsg_len += 3;
	msg_put_u32(nlh, FWPD_A_RESULT, 0);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);

	nlh = start();
	msg_put_u32(nlh, FWPD_A_MAX, 0);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);
	nlh = start();
	msg_put_u32(nlh, FWPD_A_RESULT | NLA_F_NESTED, 0);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);
	nlh = start();
	msg_put_u32(nlh, FWPD_A_STATS, 0);	/* a raw struct of another size */
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);

	/* ENTRY is the one attribute that repeats. */
	nlh = start();
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, FWPD_A_ENTRY));
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, FWPD_A_ENTRY));
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), 0);
	assert_int_equal(m.nentries, 2);
	/* A nest attribute must carry NLA_F_NESTED. */
	nlh = start();
	msg_put_raw(nlh, FWPD_A_TRAFFIC, "", 0);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);
	nlh = start();
	msg_put_raw(nlh, FWPD_A_CHANGE_SUBSCRIPTION, "", 0);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);

	/* The gap below the change-subscription attributes is refused; a
	 * change is exactly 32 bytes. */
	for (uint16_t type = FWPD_A_NET_TEMPLATE + 1; type < FWPD_A_CHANGE_SUBSCRIPTION; type++) {
		nlh = start();
		msg_put_u32(nlh, type, 0);
		assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);
	}
	nlh = start();
	msg_put_raw(nlh, FWPD_A_CHANGE, &ctr, 31);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), -EINVAL);
	nlh = start();
	msg_put_raw(nlh, FWPD_A_CHANGE, &ctr, 32);
	assert_int_equal(msg_parse(buf, nlh->nlmsg_len, &m), 0);
}

/* An array nest: elements are type 1 and nested. IPSEC_SA_BUNDLE1's
 * ipsecId (field 5) is an IPSEC_ID0, whose tokens are field 3. */
static const struct nlattr *tokens(uint16_t second_type)
{
	struct nlmsghdr *nlh = start();
	struct nlattr *b = mnl_attr_nest_start(nlh, 1);
	struct nlattr *id = mnl_attr_nest_start(nlh, 5);
	struct nlattr *arr = mnl_attr_nest_start(nlh, 3);

	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, 1));
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, second_type));
	mnl_attr_nest_end(nlh, arr);
	mnl_attr_nest_end(nlh, id);
	mnl_attr_nest_end(nlh, b);
	return b;
}

static void test_array(void **state)
{
	IPSEC_SA_BUNDLE1 *b;
	size_t size;

	assert_int_equal(wf_decode(&wf_IPSEC_SA_BUNDLE1, tokens(1), (void **)&b, &size), 0);
	assert_non_null(b->ipsecId);
	assert_int_equal(b->ipsecId->numTokens, 2);
	wf_free_secret(b, size);
	assert_int_equal(decode(&wf_IPSEC_SA_BUNDLE1, tokens(2)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_repeated_field),
		cmocka_unit_test(test_selector_given_twice),
		cmocka_unit_test(test_union_mismatch),
		cmocka_unit_test(test_missing_pointer_arm),
		cmocka_unit_test(test_encoder_refuses_null_arm),
		cmocka_unit_test(test_unknown_attribute),
		cmocka_unit_test(test_nested_flag),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
