/* test_change_headers.c - the object-change subscription surface of
 * fwpmu.h compiles as the SDK declares it: the prototypes (checked in
 * _Generic's unevaluated operand, so nothing is linked), the callback
 * types, the version-independent names of fwpvi.h, the flag values and the
 * layouts (the headers' own _Static_asserts pin every offset on x86-64;
 * the sizes here hold on every 64-bit target). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <fwpmu.h>

#define HAS_TYPE(expr, type)	_Generic((expr), type: 1, default: 0)

#define COUNT_ONE(fn)	+ 1
enum { CHANGE_FUNCTIONS = 0 FWPUCLNT_CHANGE_API_FUNCTIONS(COUNT_ONE) };
FWP_STATIC_ASSERT(CHANGE_FUNCTIONS == 15, "FWPUCLNT_CHANGE_API_FUNCTIONS count");

#define CHECK_KIND(Name, T) \
FWP_STATIC_ASSERT(HAS_TYPE(&Fwpm##Name##SubscribeChanges0, \
	DWORD (*)(HANDLE, const FWPM_##T##_SUBSCRIPTION0 *, FWPM_##T##_CHANGE_CALLBACK0, \
		  void *, HANDLE *)), "Fwpm" #Name "SubscribeChanges0"); \
FWP_STATIC_ASSERT(HAS_TYPE(&Fwpm##Name##UnsubscribeChanges0, DWORD (*)(HANDLE, HANDLE)), \
	"Fwpm" #Name "UnsubscribeChanges0"); \
FWP_STATIC_ASSERT(HAS_TYPE(&Fwpm##Name##SubscriptionsGet0, \
	DWORD (*)(HANDLE, FWPM_##T##_SUBSCRIPTION0 ***, UINT32 *)), \
	"Fwpm" #Name "SubscriptionsGet0"); \
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_##T##_CALLBACK_CHECK)0, \
	void (CALLBACK *)(void *, const FWPM_##T##_CHANGE0 *)), "callback " #T); \
FWP_STATIC_ASSERT(sizeof(FWPM_##T##_SUBSCRIPTION0) == 32 && \
	offsetof(FWPM_##T##_SUBSCRIPTION0, flags) == 8 && \
	offsetof(FWPM_##T##_SUBSCRIPTION0, sessionKey) == 12, #T " subscription layout"); \
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_##T##_SUBSCRIPTION *)0, FWPM_##T##_SUBSCRIPTION0 *), \
	"FWPM_" #T "_SUBSCRIPTION"); \
FWP_STATIC_ASSERT(HAS_TYPE((FWPM_##T##_CHANGE *)0, FWPM_##T##_CHANGE0 *), \
	"FWPM_" #T "_CHANGE")

#define FWPM_PROVIDER_CALLBACK_CHECK FWPM_PROVIDER_CHANGE_CALLBACK0
#define FWPM_SUBLAYER_CALLBACK_CHECK FWPM_SUBLAYER_CHANGE_CALLBACK0
#define FWPM_FILTER_CALLBACK_CHECK FWPM_FILTER_CHANGE_CALLBACK0
#define FWPM_PROVIDER_CONTEXT_CALLBACK_CHECK FWPM_PROVIDER_CONTEXT_CHANGE_CALLBACK0
#define FWPM_CALLOUT_CALLBACK_CHECK FWPM_CALLOUT_CHANGE_CALLBACK0

CHECK_KIND(Provider, PROVIDER);
CHECK_KIND(SubLayer, SUBLAYER);
CHECK_KIND(Filter, FILTER);
CHECK_KIND(ProviderContext, PROVIDER_CONTEXT);
CHECK_KIND(Callout, CALLOUT);

FWP_STATIC_ASSERT(sizeof(FWPM_PROVIDER_CHANGE0) == 20 && sizeof(FWPM_SUBLAYER_CHANGE0) == 20,
		  "key-only change size");
FWP_STATIC_ASSERT(sizeof(FWPM_FILTER_CHANGE0) == 32 &&
		  offsetof(FWPM_FILTER_CHANGE0, filterKey) == 4 &&
		  offsetof(FWPM_FILTER_CHANGE0, filterId) == 24, "filter change layout");
FWP_STATIC_ASSERT(sizeof(FWPM_PROVIDER_CONTEXT_CHANGE0) == 32 &&
		  offsetof(FWPM_PROVIDER_CONTEXT_CHANGE0, providerContextId) == 24,
		  "provider context change layout");
/* mingw-w64's fwpmtypes.h: changeType, calloutKey, UINT32 calloutId. */
FWP_STATIC_ASSERT(sizeof(FWPM_CALLOUT_CHANGE0) == 24 &&
		  offsetof(FWPM_CALLOUT_CHANGE0, calloutKey) == 4 &&
		  offsetof(FWPM_CALLOUT_CHANGE0, calloutId) == 20, "callout change layout");
FWP_STATIC_ASSERT(FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD == 1 &&
		  FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE == 2, "subscription flags");
FWP_STATIC_ASSERT(FWPM_CHANGE_ADD == 1 && FWPM_CHANGE_DELETE == 2, "change types");

#define STR_(x)	#x
#define STR(x)	STR_(x)

int main(void)
{
	static const char *const names[][2] = {
		{ STR(FwpmProviderSubscribeChanges), "FwpmProviderSubscribeChanges0" },
		{ STR(FwpmSubLayerUnsubscribeChanges), "FwpmSubLayerUnsubscribeChanges0" },
		{ STR(FwpmFilterSubscriptionsGet), "FwpmFilterSubscriptionsGet0" },
		{ STR(FwpmProviderContextSubscribeChanges),
		  "FwpmProviderContextSubscribeChanges0" },
		{ STR(FWPM_FILTER_CHANGE_CALLBACK), "FWPM_FILTER_CHANGE_CALLBACK0" },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i][0], names[i][1])) {
			fprintf(stderr, "%s maps to %s\n", names[i][1], names[i][0]);
			failed = 1;
		}
	}
	return failed;
}
