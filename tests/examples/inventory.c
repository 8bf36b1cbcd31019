/* inventory.c - what an engine holds, counted through the public API: SA
 * contexts, filters, provider contexts, providers, sublayers. A second
 * client for tests/examples/test_static_keying.sh, which compares the
 * counts before an example keying module starts and after it quits.
 * Output: one "KIND COUNT" line per kind. Exit 1 when a call fails.
 */
#include <stdio.h>

#include <fwpmu.h>

#define BATCH 256

/* Every enumeration has the same shape: create, enum in batches, destroy. */
#define COUNT(h, create, enumerate, destroy, type, out) do { \
	HANDLE eh_ = NULL; \
	type **v_ = NULL; \
	UINT32 n_ = 0; \
	DWORD rc_ = create(h, NULL, &eh_); \
	*(out) = 0; \
	while (!rc_) { \
		rc_ = enumerate(h, eh_, BATCH, &v_, &n_); \
		if (rc_) \
			break; \
		*(out) += n_; \
		FwpmFreeMemory0((void **)&v_); \
		if (n_ < BATCH) \
			break; \
	} \
	if (eh_) \
		destroy(h, eh_); \
	if (rc_) { \
		fprintf(stderr, "inventory: %s failed: 0x%08x\n", #enumerate, (unsigned)rc_); \
		return 1; \
	} \
} while (0)

int main(void)
{
	HANDLE h;
	unsigned long sa, filters, contexts, providers, sublayers;
	DWORD rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h);

	if (rc) {
		fprintf(stderr, "inventory: FwpmEngineOpen0 failed: 0x%08x\n", (unsigned)rc);
		return 1;
	}
	COUNT(h, IPsecSaContextCreateEnumHandle0, IPsecSaContextEnum1,
	      IPsecSaContextDestroyEnumHandle0, IPSEC_SA_CONTEXT1, &sa);
	COUNT(h, FwpmFilterCreateEnumHandle0, FwpmFilterEnum0,
	      FwpmFilterDestroyEnumHandle0, FWPM_FILTER0, &filters);
	COUNT(h, FwpmProviderContextCreateEnumHandle0, FwpmProviderContextEnum0,
	      FwpmProviderContextDestroyEnumHandle0, FWPM_PROVIDER_CONTEXT0, &contexts);
	COUNT(h, FwpmProviderCreateEnumHandle0, FwpmProviderEnum0,
	      FwpmProviderDestroyEnumHandle0, FWPM_PROVIDER0, &providers);
	COUNT(h, FwpmSubLayerCreateEnumHandle0, FwpmSubLayerEnum0,
	      FwpmSubLayerDestroyEnumHandle0, FWPM_SUBLAYER0, &sublayers);
	printf("sa_contexts %lu\nfilters %lu\nprovider_contexts %lu\nproviders %lu\n"
	       "sublayers %lu\n", sa, filters, contexts, providers, sublayers);
	FwpmEngineClose0(h);
	return 0;
}
