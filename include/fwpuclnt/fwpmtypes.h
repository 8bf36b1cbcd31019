/*
 * fwpmtypes.h - WFP management-object types used by the SA-context API:
 * display data, sessions, transactions, access rights and the filter
 * object that an SA's transportFilter points at (Windows SDK fwpmtypes.h).
 */
#ifndef FWPMTYPES_H
#define FWPMTYPES_H

#include "fwpbase.h"
#include "fwptypes.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FWPM_DISPLAY_DATA0_ {
	wchar_t	*name;
	wchar_t	*description;
} FWPM_DISPLAY_DATA0;

/* Objects added in a dynamic session are deleted when the session ends. */
#define FWPM_SESSION_FLAG_DYNAMIC	0x00000001u
#define FWPM_SESSION_FLAG_RESERVED	0x10000000u

/*
 * The last four fields are filled in by the engine when sessions are
 * enumerated; a client opening a session leaves them zero.
 */
typedef struct FWPM_SESSION0_ {
	GUID			sessionKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	UINT32			txnWaitTimeoutInMSec;
	DWORD			processId;
	SID			*sid;
	wchar_t			*username;
	BOOL			kernelMode;
} FWPM_SESSION0;

/* FwpmTransactionBegin0 flags; 0 means read/write. */
#define FWPM_TXN_READ_ONLY		0x00000001u

/* Object-specific access rights checked by the engine. */
#define FWPM_ACTRL_ADD			0x00000001u
#define FWPM_ACTRL_ADD_LINK		0x00000002u
#define FWPM_ACTRL_BEGIN_READ_TXN	0x00000004u
#define FWPM_ACTRL_BEGIN_WRITE_TXN	0x00000008u
#define FWPM_ACTRL_CLASSIFY		0x00000010u
#define FWPM_ACTRL_ENUM			0x00000020u
#define FWPM_ACTRL_OPEN			0x00000040u
#define FWPM_ACTRL_READ			0x00000080u
#define FWPM_ACTRL_READ_STATS		0x00000100u
#define FWPM_ACTRL_SUBSCRIBE		0x00000200u
#define FWPM_ACTRL_WRITE		0x00000400u

#define FWPM_GENERIC_READ		\
	(STANDARD_RIGHTS_READ		| \
	 FWPM_ACTRL_BEGIN_READ_TXN	| \
	 FWPM_ACTRL_CLASSIFY		| \
	 FWPM_ACTRL_OPEN		| \
	 FWPM_ACTRL_READ		| \
	 FWPM_ACTRL_READ_STATS)

#define FWPM_GENERIC_EXECUTE		\
	(STANDARD_RIGHTS_EXECUTE	| \
	 FWPM_ACTRL_ENUM		| \
	 FWPM_ACTRL_SUBSCRIBE)

#define FWPM_GENERIC_WRITE		\
	(STANDARD_RIGHTS_WRITE		| \
	 DELETE				| \
	 FWPM_ACTRL_ADD			| \
	 FWPM_ACTRL_ADD_LINK		| \
	 FWPM_ACTRL_BEGIN_WRITE_TXN	| \
	 FWPM_ACTRL_WRITE)

#define FWPM_GENERIC_ALL		\
	(STANDARD_RIGHTS_REQUIRED	| \
	 FWPM_ACTRL_ADD			| \
	 FWPM_ACTRL_ADD_LINK		| \
	 FWPM_ACTRL_BEGIN_READ_TXN	| \
	 FWPM_ACTRL_BEGIN_WRITE_TXN	| \
	 FWPM_ACTRL_CLASSIFY		| \
	 FWPM_ACTRL_ENUM		| \
	 FWPM_ACTRL_OPEN		| \
	 FWPM_ACTRL_READ		| \
	 FWPM_ACTRL_READ_STATS		| \
	 FWPM_ACTRL_SUBSCRIBE		| \
	 FWPM_ACTRL_WRITE)

/* For the object-change subscriptions (not the SA-context one). */
#define FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD	0x00000001u
#define FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_DELETE	0x00000002u

/*
 * calloutKey is used when type carries FWP_ACTION_FLAG_CALLOUT, filterType
 * otherwise. bitmapIndex belongs to the Windows 10 SDK bitmap additions.
 * 20 bytes, 4-aligned.
 */
typedef struct FWPM_ACTION0_ {
	FWP_ACTION_TYPE	type;
	union {
		GUID	filterType;
		GUID	calloutKey;
		UINT8	bitmapIndex;
	};
} FWPM_ACTION0;

typedef struct FWPM_FILTER_CONDITION0_ {
	GUID			fieldKey;
	FWP_MATCH_TYPE		matchType;
	FWP_CONDITION_VALUE0	conditionValue;
} FWPM_FILTER_CONDITION0;

#define FWPM_FILTER_FLAG_NONE					0x00000000u
#define FWPM_FILTER_FLAG_PERSISTENT				0x00000001u
#define FWPM_FILTER_FLAG_BOOTTIME				0x00000002u
#define FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT			0x00000004u
#define FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT			0x00000008u
#define FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED		0x00000010u
#define FWPM_FILTER_FLAG_DISABLED				0x00000020u
#define FWPM_FILTER_FLAG_INDEXED				0x00000040u
#define FWPM_FILTER_FLAG_HAS_SECURITY_REALM_PROVIDER_CONTEXT	0x00000080u
#define FWPM_FILTER_FLAG_SYSTEMOS_ONLY				0x00000100u
#define FWPM_FILTER_FLAG_GAMEOS_ONLY				0x00000200u
#define FWPM_FILTER_FLAG_SILENT_MODE				0x00000400u
#define FWPM_FILTER_FLAG_IPSEC_NO_ACQUIRE_INITIATE		0x00000800u
#define FWPM_FILTER_FLAG_RESERVED0				0x00001000u
#define FWPM_FILTER_FLAG_RESERVED1				0x00002000u

/*
 * providerContextKey is used when flags has
 * FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT, rawContext otherwise. filterId and
 * effectiveWeight are outputs assigned by the engine.
 */
typedef struct FWPM_FILTER0_ {
	GUID			filterKey;
	FWPM_DISPLAY_DATA0	displayData;
	UINT32			flags;
	GUID			*providerKey;
	FWP_BYTE_BLOB		providerData;
	GUID			layerKey;
	GUID			subLayerKey;
	FWP_VALUE0		weight;
	UINT32			numFilterConditions;
	FWPM_FILTER_CONDITION0	*filterCondition;
	FWPM_ACTION0		action;
	union {
		UINT64	rawContext;
		GUID	providerContextKey;
	};
	GUID			*reserved;
	UINT64			filterId;
	FWP_VALUE0		effectiveWeight;
} FWPM_FILTER0;

/* Layout pinning: Windows x64 numbers; fix the declaration, not the number. */
#if defined(__x86_64__) && !defined(FWP_NO_LAYOUT_ASSERTS)
FWP_STATIC_ASSERT(sizeof(FWPM_DISPLAY_DATA0) == 16, "FWPM_DISPLAY_DATA0 size");
FWP_STATIC_ASSERT(offsetof(FWPM_DISPLAY_DATA0, name) == 0,
		  "FWPM_DISPLAY_DATA0.name");
FWP_STATIC_ASSERT(offsetof(FWPM_DISPLAY_DATA0, description) == 8,
		  "FWPM_DISPLAY_DATA0.description");

FWP_STATIC_ASSERT(sizeof(FWPM_SESSION0) == 72, "FWPM_SESSION0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_SESSION0) == 8, "FWPM_SESSION0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, sessionKey) == 0,
		  "FWPM_SESSION0.sessionKey");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, displayData) == 16,
		  "FWPM_SESSION0.displayData");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, flags) == 32, "FWPM_SESSION0.flags");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, txnWaitTimeoutInMSec) == 36,
		  "FWPM_SESSION0.txnWaitTimeoutInMSec");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, processId) == 40,
		  "FWPM_SESSION0.processId");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, sid) == 48, "FWPM_SESSION0.sid");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, username) == 56,
		  "FWPM_SESSION0.username");
FWP_STATIC_ASSERT(offsetof(FWPM_SESSION0, kernelMode) == 64,
		  "FWPM_SESSION0.kernelMode");

FWP_STATIC_ASSERT(sizeof(FWPM_ACTION0) == 20, "FWPM_ACTION0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_ACTION0) == 4, "FWPM_ACTION0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_ACTION0, type) == 0, "FWPM_ACTION0.type");
FWP_STATIC_ASSERT(offsetof(FWPM_ACTION0, filterType) == 4,
		  "FWPM_ACTION0.filterType");
FWP_STATIC_ASSERT(offsetof(FWPM_ACTION0, calloutKey) == 4,
		  "FWPM_ACTION0.calloutKey");

FWP_STATIC_ASSERT(sizeof(FWPM_FILTER_CONDITION0) == 40,
		  "FWPM_FILTER_CONDITION0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_FILTER_CONDITION0) == 8,
		  "FWPM_FILTER_CONDITION0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER_CONDITION0, fieldKey) == 0,
		  "FWPM_FILTER_CONDITION0.fieldKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER_CONDITION0, matchType) == 16,
		  "FWPM_FILTER_CONDITION0.matchType");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER_CONDITION0, conditionValue) == 24,
		  "FWPM_FILTER_CONDITION0.conditionValue");

FWP_STATIC_ASSERT(sizeof(FWPM_FILTER0) == 200, "FWPM_FILTER0 size");
FWP_STATIC_ASSERT(FWP_ALIGNOF(FWPM_FILTER0) == 8, "FWPM_FILTER0 align");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, filterKey) == 0,
		  "FWPM_FILTER0.filterKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, displayData) == 16,
		  "FWPM_FILTER0.displayData");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, flags) == 32, "FWPM_FILTER0.flags");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, providerKey) == 40,
		  "FWPM_FILTER0.providerKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, providerData) == 48,
		  "FWPM_FILTER0.providerData");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, layerKey) == 64,
		  "FWPM_FILTER0.layerKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, subLayerKey) == 80,
		  "FWPM_FILTER0.subLayerKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, weight) == 96, "FWPM_FILTER0.weight");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, numFilterConditions) == 112,
		  "FWPM_FILTER0.numFilterConditions");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, filterCondition) == 120,
		  "FWPM_FILTER0.filterCondition");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, action) == 128, "FWPM_FILTER0.action");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, rawContext) == 152,
		  "FWPM_FILTER0.rawContext");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, providerContextKey) == 152,
		  "FWPM_FILTER0.providerContextKey");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, reserved) == 168,
		  "FWPM_FILTER0.reserved");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, filterId) == 176,
		  "FWPM_FILTER0.filterId");
FWP_STATIC_ASSERT(offsetof(FWPM_FILTER0, effectiveWeight) == 184,
		  "FWPM_FILTER0.effectiveWeight");
#endif

#ifdef __cplusplus
}
#endif

#endif /* FWPMTYPES_H */
