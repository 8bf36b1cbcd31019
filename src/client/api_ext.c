/* api_ext.c - statistics, and the project's extension calls (fwpx.h). */
#include <string.h>

#include "client/api.h"

FWP_EXPORT DWORD WINAPI IPsecGetStatistics1(HANDLE engineHandle,
	IPSEC_STATISTICS1 *ipsecStatistics)
{
	WITH_CLIENT(engineHandle, c_->ops->statistics(c_, ipsecStatistics));
}

static DWORD stats0(struct fwp_client *c, IPSEC_STATISTICS0 *out)
{
	IPSEC_STATISTICS1 s1;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = c->ops->statistics(c, &s1);
	if (rc)
		return rc;
	/* Version 0 lacks the two totals that version 1 appends. */
	memset(out, 0, sizeof(*out));
	out->aggregateSaStatistics = s1.aggregateSaStatistics;
	out->espDropPacketStatistics = s1.espDropPacketStatistics;
	out->ahDropPacketStatistics = s1.ahDropPacketStatistics;
	memcpy(&out->aggregateDropPacketStatistics, &s1.aggregateDropPacketStatistics,
	       sizeof(out->aggregateDropPacketStatistics));
	memcpy(&out->inboundTrafficStatistics, &s1.inboundTrafficStatistics,
	       sizeof(out->inboundTrafficStatistics));
	memcpy(&out->outboundTrafficStatistics, &s1.outboundTrafficStatistics,
	       sizeof(out->outboundTrafficStatistics));
	return ERROR_SUCCESS;
}

FWP_EXPORT DWORD WINAPI IPsecGetStatistics0(HANDLE engineHandle,
	IPSEC_STATISTICS0 *ipsecStatistics)
{
	WITH_CLIENT(engineHandle, stats0(c_, ipsecStatistics));
}

FWP_EXPORT DWORD WINAPI FwpxEngineSetExpireDrain0(HANDLE engineHandle,
	UINT32 milliseconds)
{
	WITH_CLIENT(engineHandle, c_->ops->set_expire_drain(c_, milliseconds));
}

FWP_EXPORT DWORD WINAPI FwpxEngineGetExpireDrain0(HANDLE engineHandle,
	UINT32 *milliseconds)
{
	WITH_CLIENT(engineHandle, c_->ops->get_expire_drain(c_, milliseconds));
}

FWP_EXPORT DWORD WINAPI FwpxSaContextGetCounters0(HANDLE engineHandle,
	UINT64 id, FWPX_SA_COUNTERS0 *inbound, FWPX_SA_COUNTERS0 *outbound)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_counters(c_, id, inbound, outbound));
}

FWP_EXPORT DWORD WINAPI FwpxGetStatistics0(HANDLE engineHandle,
	FWPX_STATISTICS0 *statistics)
{
	WITH_CLIENT(engineHandle, c_->ops->ext_statistics(c_, statistics));
}

FWP_EXPORT DWORD WINAPI FwpxSaContextGetInfo0(HANDLE engineHandle,
	UINT64 id, FWPX_SA_CONTEXT_INFO0 *info)
{
	WITH_CLIENT(engineHandle, c_->ops->sa_info(c_, id, info));
}

#define NAME(code) { (DWORD)(code), #code }

static const struct {
	DWORD code;
	const char *name;
} names[] = {
	NAME(ERROR_SUCCESS), NAME(ERROR_ACCESS_DENIED), NAME(ERROR_INVALID_HANDLE),
	NAME(ERROR_NOT_ENOUGH_MEMORY), NAME(ERROR_NOT_SUPPORTED),
	NAME(ERROR_INVALID_PARAMETER), NAME(RPC_S_SERVER_UNAVAILABLE),
	NAME(ERROR_INVALID_OWNER), NAME(ERROR_INVALID_ACL), NAME(ERROR_INVALID_SID),
	NAME(ERROR_INVALID_SECURITY_DESCR),
	NAME(RPC_S_PROTOCOL_ERROR), NAME(RPC_S_UNKNOWN_AUTHN_SERVICE),
	NAME(EPT_S_NOT_REGISTERED), NAME(RPC_S_CALL_FAILED),
	NAME(FWP_E_CALLOUT_NOT_FOUND), NAME(FWP_E_CONDITION_NOT_FOUND),
	NAME(FWP_E_FILTER_NOT_FOUND), NAME(FWP_E_LAYER_NOT_FOUND),
	NAME(FWP_E_PROVIDER_NOT_FOUND), NAME(FWP_E_PROVIDER_CONTEXT_NOT_FOUND),
	NAME(FWP_E_SUBLAYER_NOT_FOUND), NAME(FWP_E_NOT_FOUND),
	NAME(FWP_E_ALREADY_EXISTS), NAME(FWP_E_IN_USE),
	NAME(FWP_E_DYNAMIC_SESSION_IN_PROGRESS), NAME(FWP_E_WRONG_SESSION),
	NAME(FWP_E_NO_TXN_IN_PROGRESS), NAME(FWP_E_TXN_IN_PROGRESS),
	NAME(FWP_E_TXN_ABORTED), NAME(FWP_E_SESSION_ABORTED),
	NAME(FWP_E_INCOMPATIBLE_TXN), NAME(FWP_E_TIMEOUT),
	NAME(FWP_E_NOTIFICATION_DROPPED), NAME(FWP_E_TRAFFIC_MISMATCH),
	NAME(FWP_E_INCOMPATIBLE_SA_STATE), NAME(FWP_E_NULL_POINTER),
	NAME(FWP_E_INVALID_ENUMERATOR), NAME(FWP_E_INVALID_FLAGS),
	NAME(FWP_E_INVALID_NET_MASK), NAME(FWP_E_INVALID_RANGE),
	NAME(FWP_E_NULL_DISPLAY_NAME), NAME(FWP_E_INVALID_WEIGHT),
	NAME(FWP_E_MATCH_TYPE_MISMATCH), NAME(FWP_E_TYPE_MISMATCH),
	NAME(FWP_E_OUT_OF_BOUNDS), NAME(FWP_E_ACTION_INCOMPATIBLE_WITH_LAYER),
	NAME(FWP_E_PROVIDER_CONTEXT_MISMATCH), NAME(FWP_E_INVALID_PARAMETER),
	NAME(FWP_E_INVALID_AUTH_TRANSFORM), NAME(FWP_E_INVALID_CIPHER_TRANSFORM),
	NAME(FWP_E_INVALID_TRANSFORM_COMBINATION),
};

FWP_EXPORT const char *WINAPI FwpxErrorName0(DWORD code)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return NULL;
}
