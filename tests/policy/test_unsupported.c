/* test_unsupported.c - the functions without meaning on Linux
 * (docs/CONTRACT.md, "Not supported"), in-process and against fwpd: each
 * links, refuses an invalid engine handle as every call does, clears its
 * out-parameters and answers ERROR_NOT_SUPPORTED.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <fwpmu.h>

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s = 0x%08x, want 0x%08x", #expr, rc_, (unsigned)(expected)); \
} while (0)

static void CALLBACK on_vswitch(void *ctx, const FWPM_VSWITCH_EVENT0 *e) { }
static void CALLBACK on_ports(void *ctx, const FWPM_SYSTEM_PORTS0 *p) { }
static void CALLBACK on_conn(void *ctx, FWPM_CONNECTION_EVENT_TYPE t,
			     const FWPM_CONNECTION0 *c) { }

static void *const junk = (void *)0x1;

/* Every call with engine handle h; want is the code each must give. */
static void every_call(HANDLE h, DWORD want)
{
	FWPM_VSWITCH_EVENT_SUBSCRIPTION0 vs = { 0 };
	FWPM_CONNECTION_SUBSCRIPTION0 cs = { 0 };
	HANDLE out = junk;
	PSID owner = junk, group = junk;
	PACL dacl = junk, sacl = junk;
	PSECURITY_DESCRIPTOR sd = junk;
	FWPM_SYSTEM_PORTS0 *ports = junk;
	FWPM_CONNECTION0 *conn = junk, **conns = junk;
	IPSEC_DOSP_STATE0 **states = junk;
	UINT32 n = 7;

	RC(FwpmvSwitchEventSubscribe0(h, &vs, on_vswitch, NULL, &out), want);
	assert_null(out);
	RC(FwpmvSwitchEventUnsubscribe0(h, junk), want);
	RC(FwpmvSwitchEventsGetSecurityInfo0(h, 4, &owner, &group, &dacl, &sacl, &sd), want);
	assert_true(!owner && !group && !dacl && !sacl && !sd);
	RC(FwpmvSwitchEventsSetSecurityInfo0(h, 4, NULL, NULL, NULL, NULL), want);
	RC(FwpmSystemPortsGet0(h, &ports), want);
	assert_null(ports);
	out = junk;
	RC(FwpmSystemPortsSubscribe0(h, NULL, on_ports, NULL, &out), want);
	assert_null(out);
	RC(FwpmSystemPortsUnsubscribe0(h, junk), want);
	RC(FwpmConnectionGetById0(h, 1, &conn), want);
	assert_null(conn);
	out = junk;
	RC(FwpmConnectionCreateEnumHandle0(h, NULL, &out), want);
	assert_null(out);
	RC(FwpmConnectionEnum0(h, junk, 10, &conns, &n), want);
	assert_true(!conns && n == 0);
	RC(FwpmConnectionDestroyEnumHandle0(h, junk), want);
	owner = junk;
	RC(FwpmConnectionGetSecurityInfo0(h, 4, &owner, NULL, NULL, NULL, &sd), want);
	assert_null(owner);
	RC(FwpmConnectionSetSecurityInfo0(h, 4, NULL, NULL, NULL, NULL), want);
	out = junk;
	RC(FwpmConnectionSubscribe0(h, &cs, on_conn, NULL, &out), want);
	assert_null(out);
	RC(FwpmConnectionUnsubscribe0(h, junk), want);
	out = junk;
	RC(IPsecDospStateCreateEnumHandle0(h, NULL, &out), want);
	assert_null(out);
	n = 7;
	RC(IPsecDospStateEnum0(h, junk, 10, &states, &n), want);
	assert_true(!states && n == 0);
	RC(IPsecDospStateDestroyEnumHandle0(h, junk), want);
	RC(IPsecDospGetSecurityInfo0(h, 4, NULL, NULL, NULL, NULL, &sd), want);
	RC(IPsecDospSetSecurityInfo0(h, 4, NULL, NULL, NULL, NULL), want);
}

static void not_supported(void **state)
{
	HANDLE h = NULL;
	FWP_BYTE_BLOB *app = junk;

	(void)state;
	RC(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h), ERROR_SUCCESS);
	every_call(h, ERROR_NOT_SUPPORTED);
	RC(FwpmGetAppIdFromFileName0(L"/usr/sbin/charon", &app), ERROR_NOT_SUPPORTED);
	assert_null(app);
	RC(FwpmEngineClose0(h), ERROR_SUCCESS);
	/* A closed handle is refused before anything else. */
	RC(FwpmConnectionGetById0(h, 1, NULL), ERROR_INVALID_HANDLE);
	RC(FwpmvSwitchEventUnsubscribe0(h, NULL), ERROR_INVALID_HANDLE);
	RC(IPsecDospStateDestroyEnumHandle0(h, NULL), ERROR_INVALID_HANDLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_supported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
