/* Unit tests: the xfrm backend's bypass filters (xfrm_bypass.c) as kernel
 * policies, on the build host's kernel in a network namespace of their
 * own (XFRM policies need no ESP): an IKE daemon's PERMIT on a protocol and
 * a local port becomes an allow policy in its family and direction, two
 * filters share one, the last takes it away; other filters are not
 * policies; a clean stop leaves none. Needs root (skips otherwise). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "datapath/xfrm/xfrm_internal.h"

static struct xfrm the_x;

/* The lines of `ip xfrm policy` that contain what. */
static int policies(const char *what)
{
	char line[512];
	int n = 0;
	FILE *p = popen("ip xfrm policy", "r");

	assert_non_null(p);
	while (fgets(line, sizeof(line), p))
		n += strstr(line, what) != NULL;
	pclose(p);
	return n;
}

struct filt {
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c[3];
};

/* A filter like kernel-wfp's "charon IKE bypass". */
static void bypass(struct filt *b, uint64_t id, const GUID *layer, uint16_t port)
{
	memset(b, 0, sizeof(*b));
	b->f.filterId = id;
	b->f.layerKey = *layer;
	b->f.action.type = FWP_ACTION_PERMIT;
	b->c[0].fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	b->c[0].matchType = FWP_MATCH_EQUAL;
	b->c[0].conditionValue.type = FWP_UINT8;
	b->c[0].conditionValue.uint8 = IPPROTO_UDP;
	b->c[1].fieldKey = FWPM_CONDITION_IP_LOCAL_PORT;
	b->c[1].matchType = FWP_MATCH_EQUAL;
	b->c[1].conditionValue.type = FWP_UINT16;
	b->c[1].conditionValue.uint16 = port;
	b->f.numFilterConditions = 2;
	b->f.filterCondition = b->c;
}

static int setup(void **state)
{
	memset(&the_x, 0, sizeof(the_x));
	the_x.natt_fd[0] = the_x.natt_fd[1] = -1;
	the_x.nl = mnl_socket_open(NETLINK_XFRM);
	if (!the_x.nl || mnl_socket_bind(the_x.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	the_x.portid = mnl_socket_get_portid(the_x.nl);
	*state = &the_x;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mnl_socket_close(the_x.nl);
	return 0;
}

static void test_ike_bypass(void **state)
{
	struct xfrm *x = *state;
	struct filt in4, out4, in6, again;

	bypass(&in4, 11, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	bypass(&out4, 12, &FWPM_LAYER_OUTBOUND_TRANSPORT_V4, 500);
	bypass(&in6, 13, &FWPM_LAYER_INBOUND_TRANSPORT_V6, 4500);
	xbypass_add(x, &in4.f);
	xbypass_add(x, &out4.f);
	xbypass_add(x, &in6.f);
	assert_int_equal(policies("src 0.0.0.0/0 dst 0.0.0.0/0 proto udp dport 500"), 1);
	assert_int_equal(policies("src 0.0.0.0/0 dst 0.0.0.0/0 proto udp sport 500"), 1);
	assert_int_equal(policies("src ::/0 dst ::/0 proto udp dport 4500"), 1);
	assert_int_equal(policies("dir in priority 16383"), 2);
	assert_int_equal(policies("dir out priority 16383"), 1);
	assert_int_equal(policies("tmpl"), 0);	/* allow: no template */
	/* A second filter on the same traffic shares the policy. */
	bypass(&again, 14, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	xbypass_add(x, &again.f);
	xbypass_del(x, 11);
	assert_int_equal(policies("proto udp dport 500"), 1);
	xbypass_del(x, 14);
	assert_int_equal(policies("proto udp dport 500"), 0);
	assert_int_equal(policies("proto udp sport 500"), 1);
	xbypass_del(x, 999);	/* unknown: nothing */
	xbypass_fini(x);
	assert_int_equal(policies("proto udp"), 0);
	assert_null(x->bypasses);
}

static void test_not_bypasses(void **state)
{
	struct xfrm *x = *state;
	struct filt b;
	UINT32 remote = 0xc0000201;

	bypass(&b, 21, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	b.f.action.type = FWP_ACTION_BLOCK;
	xbypass_add(x, &b.f);
	bypass(&b, 22, &FWPM_LAYER_ALE_AUTH_CONNECT_V4, 500);
	xbypass_add(x, &b.f);
	bypass(&b, 23, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	b.c[1].matchType = FWP_MATCH_GREATER;
	xbypass_add(x, &b.f);
	bypass(&b, 24, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	b.c[0].conditionValue.uint8 = IPPROTO_ICMP;
	xbypass_add(x, &b.f);
	bypass(&b, 25, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 0);
	xbypass_add(x, &b.f);
	bypass(&b, 26, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	b.c[2].fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	b.c[2].matchType = FWP_MATCH_EQUAL;
	b.c[2].conditionValue.type = FWP_UINT32;
	b.c[2].conditionValue.uint32 = remote;
	b.f.numFilterConditions = 3;
	xbypass_add(x, &b.f);
	bypass(&b, 27, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	b.c[1].fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	xbypass_add(x, &b.f);
	bypass(&b, 28, &FWPM_LAYER_INBOUND_TRANSPORT_V4, 500);
	b.f.numFilterConditions = 1;
	xbypass_add(x, &b.f);
	assert_int_equal(policies("proto"), 0);
	assert_null(x->bypasses);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ike_bypass),
		cmocka_unit_test(test_not_bypasses),
	};

	if (geteuid() != 0 || unshare(CLONE_NEWNET)) {
		printf("skipped: needs root (a network namespace of its own)\n");
		return 77;
	}
	if (system("ip xfrm policy >/dev/null 2>&1")) {
		printf("skipped: no XFRM policies on this kernel (xfrm_user)\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
