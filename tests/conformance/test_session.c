/* test_session.c - FwpmSessionEnum0: every open session, with its key,
 * display data, flags, process and user; closed sessions vanish; the
 * enumeration is a snapshot like the others. Public API only. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <fwpmu.h>

static const GUID key_a = { 0x11111111, 0x2222, 0x3333, { 1, 2, 3, 4, 5, 6, 7, 8 } };
static const GUID key_b = { 0x11111111, 0x2222, 0x3333, { 1, 2, 3, 4, 5, 6, 7, 9 } };

static DWORD open_named(const GUID *key, const wchar_t *name, UINT32 flags, HANDLE *h)
{
	FWPM_SESSION0 s;

	memset(&s, 0, sizeof(s));
	s.sessionKey = *key;
	s.displayData.name = (wchar_t *)name;
	s.displayData.description = L"conformance";
	s.flags = flags;
	s.txnWaitTimeoutInMSec = 1234;
	return FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &s, h);
}

/* Finds key in a fresh enumeration; copies the entry's fields. */
static int find_session(HANDLE h, const GUID *key, FWPM_SESSION0 *out, wchar_t *name,
			size_t len)
{
	HANDLE eh;
	FWPM_SESSION0 **v;
	UINT32 n;
	int found = 0;

	assert_int_equal(FwpmSessionCreateEnumHandle0(h, NULL, &eh), ERROR_SUCCESS);
	do {
		assert_int_equal(FwpmSessionEnum0(h, eh, 2, &v, &n), ERROR_SUCCESS);
		for (UINT32 i = 0; i < n; i++) {
			if (memcmp(&v[i]->sessionKey, key, sizeof(*key)))
				continue;
			found++;
			*out = *v[i];
			wcsncpy(name, v[i]->displayData.name ? v[i]->displayData.name : L"",
				len - 1);
			name[len - 1] = 0;
			assert_non_null(v[i]->username);
			assert_true(wcslen(v[i]->username) > 0);
			assert_null(v[i]->sid);
		}
		FwpmFreeMemory0((void **)&v);
	} while (n == 2);
	assert_int_equal(FwpmSessionDestroyEnumHandle0(h, eh), ERROR_SUCCESS);
	return found;
}

static void test_sessions_listed_with_their_data(void **state)
{
	HANDLE a, b;
	FWPM_SESSION0 s;
	wchar_t name[64];

	assert_int_equal(open_named(&key_a, L"session A", 0, &a), ERROR_SUCCESS);
	assert_int_equal(open_named(&key_b, L"session B", FWPM_SESSION_FLAG_DYNAMIC, &b),
			 ERROR_SUCCESS);
	assert_int_equal(find_session(a, &key_b, &s, name, 64), 1);
	assert_true(wcscmp(name, L"session B") == 0);
	assert_int_equal(s.flags, FWPM_SESSION_FLAG_DYNAMIC);
	assert_int_equal(s.txnWaitTimeoutInMSec, 1234);
	/* The service runs in another process, but we opened it. */
	assert_int_equal(s.processId, (DWORD)getpid());
	assert_false(s.kernelMode);
	assert_int_equal(find_session(b, &key_a, &s, name, 64), 1);
	assert_true(wcscmp(name, L"session A") == 0);
	/* A closed session is gone. */
	assert_int_equal(FwpmEngineClose0(b), ERROR_SUCCESS);
	assert_int_equal(find_session(a, &key_b, &s, name, 64), 0);
	assert_int_equal(FwpmEngineClose0(a), ERROR_SUCCESS);
}

static void test_snapshot_and_handles(void **state)
{
	HANDLE a, b, eh;
	FWPM_SESSION0 **v;
	UINT32 n, total = 0;

	assert_int_equal(open_named(&key_a, L"A", 0, &a), ERROR_SUCCESS);
	assert_int_equal(FwpmSessionCreateEnumHandle0(a, NULL, &eh), ERROR_SUCCESS);
	/* Opened after the snapshot: not listed. */
	assert_int_equal(open_named(&key_b, L"B", 0, &b), ERROR_SUCCESS);
	do {
		assert_int_equal(FwpmSessionEnum0(a, eh, 100, &v, &n), ERROR_SUCCESS);
		for (UINT32 i = 0; i < n; i++)
			assert_true(memcmp(&v[i]->sessionKey, &key_b, sizeof(key_b)) != 0);
		total += n;
		FwpmFreeMemory0((void **)&v);
	} while (n == 100);
	assert_true(total >= 1);
	assert_null(v);
	/* Another engine handle's enumeration handle is not ours. */
	assert_int_equal(FwpmSessionEnum0(b, eh, 1, &v, &n), ERROR_INVALID_HANDLE);
	assert_int_equal(FwpmSessionEnum0(a, eh, 1, NULL, &n), FWP_E_NULL_POINTER);
	assert_int_equal(FwpmSessionCreateEnumHandle0(a, NULL, NULL), FWP_E_NULL_POINTER);
	assert_int_equal(FwpmSessionDestroyEnumHandle0(a, eh), ERROR_SUCCESS);
	assert_int_equal(FwpmSessionDestroyEnumHandle0(a, eh), ERROR_INVALID_HANDLE);
	assert_int_equal(FwpmSessionCreateEnumHandle0(NULL, NULL, &eh), ERROR_INVALID_HANDLE);
	FwpmEngineClose0(b);
	FwpmEngineClose0(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sessions_listed_with_their_data),
		cmocka_unit_test(test_snapshot_and_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
