/* api_security.c - the Get/SetSecurityInfo calls of the engine, the IPsec
 * SA database and the policy objects (docs/CONTRACT.md, "Security
 * descriptors").
 *
 * Set takes the parts as separate pointers without lengths, as Windows
 * does: each SID's length is its sub-authority count's, each ACL's its
 * AclSize, and they are checked strictly here (ERROR_INVALID_SID,
 * ERROR_INVALID_ACL) before they become one self-relative descriptor for
 * the engine, which parses it again. Get returns one allocation whose
 * parts the optional out-pointers point into.
 */
#include <stdlib.h>
#include <string.h>

#include "client/api_policy.h"
#include "common/secdesc.h"

struct sd_parts {
	const SID *owner, *group;
	const ACL *dacl, *sacl;
};

struct sd_out {
	PSID *owner, *group;
	PACL *dacl, *sacl;
	PSECURITY_DESCRIPTOR *sd;
};

static DWORD check_info(SECURITY_INFORMATION info)
{
	return !info || (info & ~(SECURITY_INFORMATION)SD_INFO_ALL) ?
	       ERROR_INVALID_PARAMETER : ERROR_SUCCESS;
}

/* The named parts as a view of the caller's memory. A named part may not
 * be NULL: a NULL DACL would grant everyone everything. */
static DWORD parts_view(SECURITY_INFORMATION info, const struct sd_parts *p,
			struct sd_view *v)
{
	const void *part[4] = { p->owner, p->group, p->dacl, p->sacl };

	memset(v, 0, sizeof(*v));
	for (int i = 0; i < 4; i++) {
		if (!(info & (1u << i)))	/* OWNER, GROUP, DACL, SACL */
			continue;
		if (!part[i])
			return FWP_E_NULL_POINTER;
		v->part[i] = part[i];
		v->len[i] = i < SD_DACL ? sd_sid_len(part[i]) : sd_acl_len(part[i]);
		if (i < SD_DACL && !sd_sid_valid(part[i], v->len[i]))
			return ERROR_INVALID_SID;
		if (i >= SD_DACL && (v->len[i] > SD_MAX_LEN ||
				     !sd_acl_valid(part[i], v->len[i], i == SD_SACL)))
			return ERROR_INVALID_ACL;
	}
	return ERROR_SUCCESS;
}

static DWORD sd_set(struct fwp_client *c, int target, const GUID *key,
		    SECURITY_INFORMATION info, const struct sd_parts *p)
{
	struct sd_view v;
	void *sd;
	size_t len;
	DWORD rc = check_info(info);

	if (!rc && target < POL_NKINDS && !key)
		rc = FWP_E_NULL_POINTER;
	if (!rc)
		rc = parts_view(info, p, &v);
	if (rc)
		return rc;
	if (!c->ops->sd_set)
		return ERROR_CALL_NOT_IMPLEMENTED;
	if (sd_build(&v, &sd, &len))
		return ERROR_NOT_ENOUGH_MEMORY;
	rc = c->ops->sd_set(c, target, target < POL_NKINDS ? BY_KEY(key) : NULL, info, sd, len);
	free(sd);
	return rc;
}

static DWORD sd_get(struct fwp_client *c, int target, const GUID *key,
		    SECURITY_INFORMATION info, const struct sd_out *o)
{
	PSID *sids[2] = { o->owner, o->group };
	PACL *acls[2] = { o->dacl, o->sacl };
	struct sd_view v;
	void *sd = NULL;
	size_t len = 0;
	DWORD rc;

	for (int i = 0; i < 2; i++) {
		if (sids[i])
			*sids[i] = NULL;
		if (acls[i])
			*acls[i] = NULL;
	}
	if (!o->sd)
		return FWP_E_NULL_POINTER;
	*o->sd = NULL;
	rc = check_info(info);
	if (!rc && target < POL_NKINDS && !key)
		rc = FWP_E_NULL_POINTER;
	if (rc)
		return rc;
	if (!c->ops->sd_get)
		return ERROR_CALL_NOT_IMPLEMENTED;
	rc = c->ops->sd_get(c, target, target < POL_NKINDS ? BY_KEY(key) : NULL, info,
			    &sd, &len);
	if (rc)
		return rc;
	sd_parse(sd, len, &v);	/* the transport checked it */
	for (int i = 0; i < 2; i++) {
		if (sids[i])
			*sids[i] = (PSID)v.part[i];
		if (acls[i])
			*acls[i] = (PACL)v.part[2 + i];
	}
	*o->sd = sd;
	return ERROR_SUCCESS;
}

#define GET_ARGS SECURITY_INFORMATION securityInfo, PSID *sidOwner, PSID *sidGroup, \
	PACL *dacl, PACL *sacl, PSECURITY_DESCRIPTOR *securityDescriptor
#define SET_ARGS SECURITY_INFORMATION securityInfo, const SID *sidOwner, \
	const SID *sidGroup, const ACL *dacl, const ACL *sacl
#define OUT (&(struct sd_out){ sidOwner, sidGroup, dacl, sacl, securityDescriptor })
#define IN (&(struct sd_parts){ sidOwner, sidGroup, dacl, sacl })

FWP_EXPORT DWORD WINAPI FwpmEngineGetSecurityInfo0(HANDLE engineHandle, GET_ARGS)
{
	WITH_CLIENT(engineHandle, sd_get(c_, ENGINE_SD_ENGINE, NULL, securityInfo, OUT));
}

FWP_EXPORT DWORD WINAPI FwpmEngineSetSecurityInfo0(HANDLE engineHandle, SET_ARGS)
{
	WITH_CLIENT(engineHandle, sd_set(c_, ENGINE_SD_ENGINE, NULL, securityInfo, IN));
}

FWP_EXPORT DWORD WINAPI IPsecSaDbGetSecurityInfo0(HANDLE engineHandle, GET_ARGS)
{
	WITH_CLIENT(engineHandle, sd_get(c_, ENGINE_SD_SADB, NULL, securityInfo, OUT));
}

FWP_EXPORT DWORD WINAPI IPsecSaDbSetSecurityInfo0(HANDLE engineHandle, SET_ARGS)
{
	WITH_CLIENT(engineHandle, sd_set(c_, ENGINE_SD_SADB, NULL, securityInfo, IN));
}

/* The ByKey pair of one policy kind. */
#define BY_KEY_PAIR(Name, kind) \
FWP_EXPORT DWORD WINAPI Fwpm##Name##GetSecurityInfoByKey0(HANDLE engineHandle, \
	const GUID *key, GET_ARGS) \
{ \
	WITH_CLIENT(engineHandle, sd_get(c_, kind, key, securityInfo, OUT)); \
} \
FWP_EXPORT DWORD WINAPI Fwpm##Name##SetSecurityInfoByKey0(HANDLE engineHandle, \
	const GUID *key, SET_ARGS) \
{ \
	WITH_CLIENT(engineHandle, sd_set(c_, kind, key, securityInfo, IN)); \
}

BY_KEY_PAIR(Provider, POL_PROVIDER)
BY_KEY_PAIR(SubLayer, POL_SUBLAYER)
BY_KEY_PAIR(Filter, POL_FILTER)
BY_KEY_PAIR(ProviderContext, POL_CONTEXT)
