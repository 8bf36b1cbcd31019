/* message.c - see message.h. */
#include <errno.h>
#include <string.h>

#include <fwpx.h>

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
_Static_assert(FWPD_OP_TEST_NET_RAISE == 0x33 && FWPD_OP_SA_COUNTERS == 0x34 &&
	       FWPD_OP_SA_INFO == 0x35,
	       "operation numbers moved");

/* Fixed sizes of top-level attributes: scalars, and the raw structs that
 * a receiver copies whole (0: nested or variable). */
static const uint8_t attr_size[FWPD_A_MAX] = {
	[FWPD_A_RESULT] = 4, [FWPD_A_VERSION] = 4, [FWPD_A_ID] = 8,
	[FWPD_A_HANDLE] = 8, [FWPD_A_SPI] = 4, [FWPD_A_DIRECTION] = 4,
	[FWPD_A_COUNT] = 4, [FWPD_A_MORE] = 4, [FWPD_A_MASK] = 4,
	[FWPD_A_COOKIE] = 8, [FWPD_A_MS] = 4, [FWPD_A_FILTER_ID] = 8,
	[FWPD_A_KIND] = 4, [FWPD_A_KEY] = 16,
	[FWPD_A_COUNTERS_IN] = sizeof(FWPX_SA_COUNTERS0),
	[FWPD_A_COUNTERS_OUT] = sizeof(FWPX_SA_COUNTERS0),
	[FWPD_A_STATS_EXT] = sizeof(FWPX_STATISTICS0),
	[FWPD_A_SA_INFO] = sizeof(FWPX_SA_CONTEXT_INFO0),
};

int msg_parse(const void *buf, size_t len, struct msg_attrs *out)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlattr *a;
	int remaining;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(*nlh) || nlh->nlmsg_len != len || len > FWPD_MSG_MAX)
		return -EINVAL;
	remaining = (int)(len - MNL_NLMSG_HDRLEN);
	mnl_attr_for_each(a, nlh, 0) {
		uint16_t type = mnl_attr_get_type(a);

		remaining -= (int)MNL_ALIGN(a->nla_len);
		if (type >= FWPD_A_MAX)
			continue;	/* from a newer peer: ignored */
		/* FLAGS is u32 or u64 depending on the operation. */
		if (attr_size[type] && mnl_attr_get_payload_len(a) != attr_size[type])
			return -EINVAL;
		if (type == FWPD_A_FLAGS && mnl_attr_get_payload_len(a) != 4 &&
		    mnl_attr_get_payload_len(a) != 8)
			return -EINVAL;
		if (type == FWPD_A_ENTRY)
			out->nentries++;
		out->a[type] = a;
	}
	if (remaining > 0 || remaining < -3)
		return -EINVAL;
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
