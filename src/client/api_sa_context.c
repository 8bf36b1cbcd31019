/* api_sa_context.c - the IPsecSaContext* calls that act on one context. */
#include <stdlib.h>
#include <string.h>

#include "client/api.h"

FWP_EXPORT DWORD WINAPI IPsecSaContextCreate0(HANDLE engineHandle,
	const IPSEC_TRAFFIC0 *outboundTraffic, UINT64 *inboundFilterId, UINT64 *id)
{
	IPSEC_TRAFFIC1 t1;

	if (outboundTraffic)
		traffic0_to_1(outboundTraffic, &t1);
	WITH_CLIENT(engineHandle, c_->ops->sa_create(c_,
		outboundTraffic ? &t1 : NULL, NULL, inboundFilterId, id));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextCreate1(HANDLE engineHandle,
	const IPSEC_TRAFFIC1 *outboundTraffic,
	const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *virtualIfTunnelInfo,
	UINT64 *inboundFilterId, UINT64 *id)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_create(c_, outboundTraffic,
		virtualIfTunnelInfo, inboundFilterId, id));
}

/* An IPv6 GetSpi/SetSpi whose inbound traffic leaves its own ipVersion
 * at zero (FWP_IP_VERSION_V4) is read as getSpi->ipVersion says:
 * strongSwan's kernel-wfp fills only the latter (docs/CONTRACT.md). Every
 * other disagreement still reaches the engine as it is. */
static const IPSEC_GETSPI1 *getspi_version(const IPSEC_GETSPI1 *g, IPSEC_GETSPI1 *copy)
{
	if (!g || g->ipVersion != FWP_IP_VERSION_V6 ||
	    g->inboundIpsecTraffic.ipVersion != FWP_IP_VERSION_V4)
		return g;
	*copy = *g;
	copy->inboundIpsecTraffic.ipVersion = FWP_IP_VERSION_V6;
	return copy;
}

FWP_EXPORT DWORD WINAPI IPsecSaContextGetSpi0(HANDLE engineHandle, UINT64 id,
	const IPSEC_GETSPI0 *getSpi, IPSEC_SA_SPI *inboundSpi)
{
	IPSEC_GETSPI1 g1, g2;

	if (getSpi)
		getspi0_to_1(getSpi, &g1);
	WITH_CLIENT(engineHandle, c_->ops->sa_get_spi(c_, id,
		getSpi ? getspi_version(&g1, &g2) : NULL, inboundSpi));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextGetSpi1(HANDLE engineHandle, UINT64 id,
	const IPSEC_GETSPI1 *getSpi, IPSEC_SA_SPI *inboundSpi)
{
	IPSEC_GETSPI1 g;

	WITH_CLIENT(engineHandle, c_->ops->sa_get_spi(c_, id,
		getspi_version(getSpi, &g), inboundSpi));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextSetSpi0(HANDLE engineHandle, UINT64 id,
	const IPSEC_GETSPI1 *getSpi, IPSEC_SA_SPI inboundSpi)
{
	IPSEC_GETSPI1 g;

	WITH_CLIENT(engineHandle, c_->ops->sa_set_spi(c_, id,
		getspi_version(getSpi, &g), inboundSpi));
}

static DWORD add0(HANDLE h, UINT64 id, FWP_DIRECTION dir, const IPSEC_SA_BUNDLE0 *b)
{
	IPSEC_SA_BUNDLE1 b1;

	if (b)
		bundle0_to_1(b, &b1);
	WITH_CLIENT(h, c_->ops->sa_add(c_, id, dir, b ? &b1 : NULL));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextAddInbound0(HANDLE engineHandle, UINT64 id,
	const IPSEC_SA_BUNDLE0 *inboundBundle)
{
	return add0(engineHandle, id, FWP_DIRECTION_INBOUND, inboundBundle);
}

FWP_EXPORT DWORD WINAPI IPsecSaContextAddInbound1(HANDLE engineHandle, UINT64 id,
	const IPSEC_SA_BUNDLE1 *inboundBundle)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_add(c_, id, FWP_DIRECTION_INBOUND,
		inboundBundle));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextAddOutbound0(HANDLE engineHandle, UINT64 id,
	const IPSEC_SA_BUNDLE0 *outboundBundle)
{
	return add0(engineHandle, id, FWP_DIRECTION_OUTBOUND, outboundBundle);
}

FWP_EXPORT DWORD WINAPI IPsecSaContextAddOutbound1(HANDLE engineHandle, UINT64 id,
	const IPSEC_SA_BUNDLE1 *outboundBundle)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_add(c_, id, FWP_DIRECTION_OUTBOUND,
		outboundBundle));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextUpdate0(HANDLE engineHandle, UINT64 flags,
	const IPSEC_SA_CONTEXT1 *newValues)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_update(c_, flags, newValues));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextGetById1(HANDLE engineHandle, UINT64 id,
	IPSEC_SA_CONTEXT1 **saContext)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_get(c_, id, saContext));
}

static DWORD get0(struct fwp_client *c, UINT64 id, IPSEC_SA_CONTEXT0 **out)
{
	IPSEC_SA_CONTEXT1 *c1 = NULL;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->sa_get(c, id, &c1);
	if (rc)
		return rc;
	*out = context1_to_0(c1);
	free(c1);
	return *out ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

FWP_EXPORT DWORD WINAPI IPsecSaContextGetById0(HANDLE engineHandle, UINT64 id,
	IPSEC_SA_CONTEXT0 **saContext)
{
	WITH_CLIENT(engineHandle, get0(c_, id, saContext));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextDeleteById0(HANDLE engineHandle, UINT64 id)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_delete(c_, id));
}

FWP_EXPORT DWORD WINAPI IPsecSaContextExpire0(HANDLE engineHandle, UINT64 id)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_expire(c_, id));
}
