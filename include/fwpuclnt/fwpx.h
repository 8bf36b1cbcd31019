/* fwpx.h - this project's extensions to the Windows API.
 *
 * Nothing here exists on Windows; names carry the Fwpx/FWPX prefix so they
 * can never collide with a future SDK. Windows enum values are never
 * reused or extended: extension events have their own type and callback.
 */
#ifndef FWPX_H
#define FWPX_H

#include "fwpmu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Event types seen by FwpxSaContextSubscribe0 callbacks. ADD and DELETE
 * keep the Windows values of IPSEC_SA_CONTEXT_EVENT_TYPE0. */
typedef enum FWPX_SA_CONTEXT_EVENT_TYPE0_ {
	FWPX_SA_CONTEXT_EVENT_ADD = 1,
	FWPX_SA_CONTEXT_EVENT_DELETE = 2,
	/* IPsecSaContextUpdate0 succeeded; updateFlags holds its flags. */
	FWPX_SA_CONTEXT_EVENT_UPDATE = 0x100,
	/* IPsecSaContextExpire0: outbound removed, inbound draining. */
	FWPX_SA_CONTEXT_EVENT_EXPIRE = 0x101,
	/* A soft lifetime was reached: 90% of lifetimeSeconds (the engine),
	 * of lifetimeKilobytes or lifetimePackets (the datapath), or the
	 * soft sequence-number limit. Once per context and cause. */
	FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME = 0x102,
	/* The subscriber fell behind; numDropped events were lost
	 * (FWP_E_NOTIFICATION_DROPPED). saContextId is 0. */
	FWPX_SA_CONTEXT_EVENT_DROPPED = 0x1FF
} FWPX_SA_CONTEXT_EVENT_TYPE0;

/* eventMask bits for FwpxSaContextSubscribe0. DROPPED is always delivered. */
#define FWPX_EVENT_MASK_ADD		0x00000001u
#define FWPX_EVENT_MASK_DELETE		0x00000002u
#define FWPX_EVENT_MASK_UPDATE		0x00000004u
#define FWPX_EVENT_MASK_EXPIRE		0x00000008u
#define FWPX_EVENT_MASK_SOFT_LIFETIME	0x00000010u
#define FWPX_EVENT_MASK_ALL		0x0000001Fu

typedef struct FWPX_SA_CONTEXT_EVENT0_ {
	UINT32 eventType;	/* FWPX_SA_CONTEXT_EVENT_TYPE0 */
	UINT32 numDropped;	/* DROPPED only */
	UINT64 saContextId;
	UINT64 updateFlags;	/* UPDATE only: the IPSEC_SA_*_UPDATE_* flags */
} FWPX_SA_CONTEXT_EVENT0;

typedef void (CALLBACK *FWPX_SA_CONTEXT_CALLBACK0)(void *context,
	const FWPX_SA_CONTEXT_EVENT0 *event);

/* Like IPsecSaContextSubscribe0, with extension events chosen by eventMask
 * (0 or unknown bits: FWP_E_INVALID_FLAGS). The handle is released with
 * IPsecSaContextUnsubscribe0. */
FWPUCLNT_API DWORD WINAPI FwpxSaContextSubscribe0(HANDLE engineHandle,
	const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *subscription, UINT32 eventMask,
	FWPX_SA_CONTEXT_CALLBACK0 callback, void *context, HANDLE *eventsHandle);

/* Engine-wide drain period of IPsecSaContextExpire0, in milliseconds
 * (default 60000; 0 deletes the inbound SA at once). Needs write rights. */
FWPUCLNT_API DWORD WINAPI FwpxEngineSetExpireDrain0(HANDLE engineHandle,
	UINT32 milliseconds);
FWPUCLNT_API DWORD WINAPI FwpxEngineGetExpireDrain0(HANDLE engineHandle,
	UINT32 *milliseconds);

/* Per-SA counters of one direction, as the datapath counts them since the
 * SA was installed (FwpxSaContextGetCounters0). With no datapath (the
 * in-process engine, fwpd without one) every counter stays 0. */
typedef struct FWPX_SA_COUNTERS0_ {
	UINT64 packets;		/* outbound: protected; inbound: delivered */
	UINT64 bytes;		/* inner (plaintext) bytes of those packets */
	UINT64 replayDrops;	/* inbound: duplicate or too old */
	UINT64 icvFailures;	/* inbound: integrity check failed */
	UINT64 otherDrops;	/* malformed, bad trailer, ECN, limits */
	UINT64 lastUseMs;	/* engine monotonic ms (CLOCK_MONOTONIC) of the
				 * last packet; 0 never */
	UINT32 flags;		/* FWPX_SA_COUNTERS_FLAG_* */
	UINT32 reserved;	/* 0 */
} FWPX_SA_COUNTERS0;

/* The direction's SA is installed (the one GetById returns). Without it
 * every counter is 0. */
#define FWPX_SA_COUNTERS_FLAG_LIVE	0x00000001u

/* The counters of the inbound and outbound SA of context id. Either
 * pointer may be NULL, not both (FWP_E_NULL_POINTER). Needs the
 * FWPM_ACTRL_READ_STATS right; inside a transaction FWP_E_TXN_IN_PROGRESS,
 * as IPsecGetStatistics*; an unknown id FWP_E_NOT_FOUND. */
FWPUCLNT_API DWORD WINAPI FwpxSaContextGetCounters0(HANDLE engineHandle,
	UINT64 id, FWPX_SA_COUNTERS0 *inbound, FWPX_SA_COUNTERS0 *outbound);

/* Where an SA context is in its life cycle (FwpxSaContextGetInfo0). The
 * first three are larval: no SA yet, the inbound SPI set, the inbound SA
 * added. */
#define FWPX_SA_CONTEXT_STATE_CREATED	0u	/* after Create */
#define FWPX_SA_CONTEXT_STATE_SPI_SET	1u	/* after GetSpi / SetSpi */
#define FWPX_SA_CONTEXT_STATE_INBOUND	2u	/* inbound SA added */
#define FWPX_SA_CONTEXT_STATE_MATURE	3u	/* both SAs added */
#define FWPX_SA_CONTEXT_STATE_EXPIRING	4u	/* after Expire0: inbound drains */

/* What the engine knows of an SA context beyond IPSEC_SA_CONTEXT1. Times
 * are the engine's clock, CLOCK_MONOTONIC in milliseconds; subtract from
 * nowMs for ages and from deadlines for what is left. 0: none. */
typedef struct FWPX_SA_CONTEXT_INFO0_ {
	UINT32 state;			/* FWPX_SA_CONTEXT_STATE_* */
	UINT32 creatorPid;		/* the process that created it */
	UINT32 creatorUid;		/* and its user */
	UINT32 reserved0;		/* 0 */
	GUID creatorSessionKey;		/* its session, which may be closed */
	UINT64 nowMs;			/* when this was read */
	UINT64 createdMs;		/* Create */
	UINT64 drainDeadlineMs;		/* EXPIRING: when the inbound SA goes */
	UINT64 inboundAddedMs;		/* AddInbound; 0 while not live */
	UINT64 outboundAddedMs;		/* AddOutbound; 0 while not live */
	UINT64 inboundHardDeadlineMs;	/* end of the seconds lifetime */
	UINT64 outboundHardDeadlineMs;
	UINT64 reserved[4];		/* 0 */
} FWPX_SA_CONTEXT_INFO0;

/* Fills *info for context id. Needs the FWPM_ACTRL_READ right; an unknown
 * id FWP_E_NOT_FOUND. Kilobytes and packets left are the bundle's lifetime
 * less FwpxSaContextGetCounters0's bytes and packets. */
FWPUCLNT_API DWORD WINAPI FwpxSaContextGetInfo0(HANDLE engineHandle,
	UINT64 id, FWPX_SA_CONTEXT_INFO0 *info);

/* What the datapath counts that IPSEC_STATISTICS1 has no field for (all its
 * drop fields are inbound), since the engine started (FwpxGetStatistics0).
 * With no datapath every counter stays 0. */
typedef struct FWPX_STATISTICS0_ {
	UINT64 outboundNoSaDrops;	/* matched an IPsec callout filter with no
					 * live outbound SA (none added yet, or it
					 * reached its hard limit) */
	UINT64 outboundBlockDrops;	/* matched a BLOCK filter */
	UINT64 outboundOtherDrops;	/* malformed, cannot be sent, encryption
					 * failed */
	UINT64 reserved[5];		/* 0 */
} FWPX_STATISTICS0;

/* Fills *statistics. Needs the FWPM_ACTRL_READ_STATS right; inside a
 * transaction FWP_E_TXN_IN_PROGRESS, as IPsecGetStatistics*. */
FWPUCLNT_API DWORD WINAPI FwpxGetStatistics0(HANDLE engineHandle,
	FWPX_STATISTICS0 *statistics);

/* The symbolic name of a result code ("FWP_E_NOT_FOUND"), or NULL when the
 * code is not one this API returns. The string is static. */
FWPUCLNT_API const char *WINAPI FwpxErrorName0(DWORD code);

FWP_STATIC_ASSERT(sizeof(FWPX_SA_COUNTERS0) == 56, "FWPX_SA_COUNTERS0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPX_SA_COUNTERS0) == 8, "FWPX_SA_COUNTERS0 align");
FWP_STATIC_ASSERT(sizeof(FWPX_STATISTICS0) == 64, "FWPX_STATISTICS0 size");
FWP_STATIC_ASSERT(sizeof(FWPX_SA_CONTEXT_INFO0) == 120, "FWPX_SA_CONTEXT_INFO0 size");

#define FWPX_API_FUNCTIONS(X) \
	X(FwpxSaContextSubscribe0) \
	X(FwpxEngineSetExpireDrain0) \
	X(FwpxEngineGetExpireDrain0) \
	X(FwpxSaContextGetCounters0) \
	X(FwpxGetStatistics0) \
	X(FwpxSaContextGetInfo0) \
	X(FwpxErrorName0)

#ifdef __cplusplus
}
#endif

#endif
