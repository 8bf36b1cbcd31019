/* message.c - see message.h. */
#include <errno.h>
#include <string.h>

#include <fwpx.h>

#include "common/secdesc.h"
#include "engine/net_event.h"
#include "engine/policy_kind.h"
#include "wire/codec.h"
#include "wire/message.h"

struct nlmsghdr *msg_start(void *buf, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	return nlh;
}

bool msg_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	return mnl_attr_put_check(nlh, FWPD_MSG_MAX, type, sizeof(v), &v);
}

bool msg_put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	return mnl_attr_put_check(nlh, FWPD_MSG_MAX, type, sizeof(v), &v);
}

bool msg_put_raw(struct nlmsghdr *nlh, uint16_t type, const void *p, size_t len)
{
	return mnl_attr_put_check(nlh, FWPD_MSG_MAX, type, len, p);
}

/* Operation numbers are the protocol: appended, never renumbered. */
_Static_assert(FWPD_OP_TEST_NET_RAISE == 0x33 && FWPD_OP_SA_COUNTERS == 0x34,
	       "operation numbers moved");
_Static_assert(FWPD_OP_CHANGE_SUBSCRIPTIONS_GET == 0x42 && FWPD_A_CHANGE == 0x41,
	       "change-subscription numbers moved");
_Static_assert(FWPD_OP_SD_GET == 0x50 && FWPD_A_SD == 0x50, "descriptor numbers moved");

/* What each top-level attribute is: a fixed size (scalars, and the raw
 * structs a receiver copies whole), a nest (a struct the codec decodes), or
 * FLAGS, which is u32 or u64 depending on the operation. A type absent
 * from the table is refused. */
enum { A_UNKNOWN, A_FIXED, A_NEST, A_FLAGS, A_BLOB };

struct attr_policy {
	uint8_t kind;
	uint16_t size;		/* A_FIXED; A_BLOB: the most */
};

#define FIXED(n) { A_FIXED, (n) }
#define NEST { A_NEST, 0 }

static const struct attr_policy policy[FWPD_A_MAX] = {
	[FWPD_A_RESULT] = FIXED(4), [FWPD_A_VERSION] = FIXED(4),
	[FWPD_A_SESSION] = NEST, [FWPD_A_ID] = FIXED(8), [FWPD_A_HANDLE] = FIXED(8),
	[FWPD_A_FLAGS] = { A_FLAGS, 0 }, [FWPD_A_TRAFFIC] = NEST, [FWPD_A_VIF] = NEST,
	[FWPD_A_GETSPI] = NEST, [FWPD_A_SPI] = FIXED(4), [FWPD_A_DIRECTION] = FIXED(4),
	[FWPD_A_BUNDLE] = NEST, [FWPD_A_CONTEXT] = NEST,
	[FWPD_A_UPDATE_IN] = NEST, [FWPD_A_UPDATE_OUT] = NEST,
	[FWPD_A_CTX_TEMPLATE] = NEST, [FWPD_A_SA_TEMPLATE] = NEST,
	[FWPD_A_COUNT] = FIXED(4), [FWPD_A_ENTRY] = NEST, [FWPD_A_MORE] = FIXED(4),
	[FWPD_A_SUBSCRIPTION] = NEST, [FWPD_A_MASK] = FIXED(4), [FWPD_A_COOKIE] = FIXED(8),
	[FWPD_A_EVENT] = FIXED(sizeof(FWPX_SA_CONTEXT_EVENT0)),
	[FWPD_A_STATS] = FIXED(sizeof(IPSEC_STATISTICS1)),
	[FWPD_A_MS] = FIXED(4), [FWPD_A_FILTER_ID] = FIXED(8), [FWPD_A_KIND] = FIXED(4),
	[FWPD_A_OBJECT] = NEST, [FWPD_A_KEY] = FIXED(sizeof(GUID)),
	[FWPD_A_POL_TEMPLATE] = NEST, [FWPD_A_NET_SUBSCRIPTION] = NEST,
	[FWPD_A_NET_EVENT] = FIXED(sizeof(struct fwp_net_event)),
	[FWPD_A_COUNTERS_IN] = FIXED(sizeof(FWPX_SA_COUNTERS0)),
	[FWPD_A_COUNTERS_OUT] = FIXED(sizeof(FWPX_SA_COUNTERS0)),
	[FWPD_A_STATS_EXT] = FIXED(sizeof(FWPX_STATISTICS0)),
	[FWPD_A_SA_INFO] = FIXED(sizeof(FWPX_SA_CONTEXT_INFO0)),
	[FWPD_A_OPTION] = FIXED(4), [FWPD_A_VALUE] = NEST, [FWPD_A_NET_TEMPLATE] = NEST,
	/* 0x29-0x3f: unassigned, refused. */
	[FWPD_A_CHANGE_SUBSCRIPTION] = NEST,
	[FWPD_A_CHANGE] = FIXED(sizeof(struct fwp_pol_change)),
	/* Security descriptors: the blob is parsed strictly by the engine. */
	[FWPD_A_SD] = { A_BLOB, SD_MAX_LEN }, [FWPD_A_SECINFO] = FIXED(4),
	[FWPD_A_SD_TARGET] = FIXED(4),
};

static int check_attr(const struct nlattr *a)
{
	uint16_t type = mnl_attr_get_type(a), len = mnl_attr_get_payload_len(a);
	const struct attr_policy *p;

	if (type >= FWPD_A_MAX)
		return -EINVAL;
	p = &policy[type];
	if (wf_check_flags(a, p->kind == A_NEST))
		return -EINVAL;
	switch (p->kind) {
	case A_FIXED:
		return len == p->size ? 0 : -EINVAL;
	case A_NEST:
		return 0;	/* the codec checks the inside */
	case A_FLAGS:
		return len == 4 || len == 8 ? 0 : -EINVAL;
	case A_BLOB:
		return len >= 20 && len <= p->size ? 0 : -EINVAL;
	default:
		return -EINVAL;
	}
}

int msg_parse(const void *buf, size_t len, struct msg_attrs *out)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlattr *a;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(*nlh) || nlh->nlmsg_len != len || len > FWPD_MSG_MAX)
		return -EINVAL;
	/* Every attribute inside the datagram (not merely inside its
	 * aligned length) before any of them is looked at. */
	if (wf_attrs_check(mnl_nlmsg_get_payload(nlh), len - MNL_NLMSG_HDRLEN))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, 0) {
		uint16_t type = mnl_attr_get_type(a);

		if (check_attr(a))
			return -EINVAL;
		if (type == FWPD_A_ENTRY) {
			out->nentries++;	/* the one repeated attribute */
		} else if (out->a[type]) {
			return -EINVAL;
		}
		out->a[type] = a;
	}
	out->nlh = nlh;
	return 0;
}

uint32_t msg_u32(const struct msg_attrs *m, int type, uint32_t dflt)
{
	return m->a[type] ? mnl_attr_get_u32(m->a[type]) : dflt;
}

uint64_t msg_u64(const struct msg_attrs *m, int type, uint64_t dflt)
{
	const struct nlattr *a = m->a[type];

	if (!a)
		return dflt;
	if (mnl_attr_get_payload_len(a) == 4)
		return mnl_attr_get_u32(a);
	return mnl_attr_get_u64(a);
}
