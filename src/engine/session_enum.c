/* session_enum.c - FwpmSessionEnum0: the sessions open on the engine.
 *
 * Like every enumeration here, CreateEnumHandle records which sessions
 * exist (by serial) and Enum reads those still open. Each entry carries the
 * session's key, display data and flags, and who opened it: process id
 * and user name from the credentials the transport established (the
 * kernel's, for the service). sid is always NULL: Linux has no SIDs.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/flat.h"
#include "engine/engine_internal.h"

DWORD engine_session_enum_create(struct engine_session *s, uint64_t *handle)
{
	struct engine *e = s->e;
	struct enum_snapshot *sn;
	size_t n = 0;
	DWORD rc;

	if (!handle)
		return FWP_E_NULL_POINTER;
	rc = session_check(s, FWPM_ACTRL_ENUM | FWPM_ACTRL_READ);
	if (rc)
		return rc;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return ERROR_NOT_ENOUGH_MEMORY;
	sn->kind = ENUM_SESSIONS;
	pthread_mutex_lock(&e->lock);
	for (struct engine_session *it = e->sessions; it; it = it->next)
		n++;
	sn->ids = n ? malloc(n * sizeof(*sn->ids)) : NULL;
	if (n && !sn->ids) {
		pthread_mutex_unlock(&e->lock);
		free(sn);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	/* The list is newest first: record oldest first. */
	sn->n = n;
	for (struct engine_session *it = e->sessions; it; it = it->next)
		sn->ids[--n] = it->serial;
	sn->handle = e->next_handle++;
	sn->next = s->enums;
	s->enums = sn;
	*handle = sn->handle;
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

static struct engine_session *by_serial(struct engine *e, uint64_t serial)
{
	for (struct engine_session *it = e->sessions; it; it = it->next)
		if (it->serial == serial)
			return it;
	return NULL;
}

static wchar_t *flat_wcs(struct flat *f, const wchar_t *s)
{
	return s ? flat_dup(f, s, (wcslen(s) + 1) * sizeof(wchar_t), _Alignof(wchar_t))
		 : NULL;
}

/* The user name of uid as a wide string, or its number. */
static void user_name(uid_t uid, wchar_t *out, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		swprintf(out, len, L"%s", res->pw_name);
	else
		swprintf(out, len, L"%u", (unsigned)uid);
}

DWORD engine_session_enum(struct engine_session *s, uint64_t handle, UINT32 want,
			  FWPM_SESSION0 ***entries, UINT32 *returned)
{
	struct engine *e = s->e;
	struct enum_snapshot *sn;
	struct engine_session **v = NULL;
	struct flat f;
	size_t n = 0, cap;
	DWORD rc = ERROR_SUCCESS;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	pthread_mutex_lock(&e->lock);
	sn = enum_find(s, handle, ENUM_SESSIONS, NULL);
	if (!sn) {
		rc = ERROR_INVALID_HANDLE;
		goto out;
	}
	cap = sn->n - sn->pos < want ? sn->n - sn->pos : want;
	v = cap ? malloc(cap * sizeof(*v)) : NULL;
	if (cap && !v) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	while (n < cap && sn->pos < sn->n) {
		struct engine_session *it = by_serial(e, sn->ids[sn->pos++]);

		if (it)
			v[n++] = it;
	}
	*entries = NULL;
	*returned = 0;
	if (!n)
		goto out;
	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		FWPM_SESSION0 **arr = FLAT_ARRAY(&f, FWPM_SESSION0 *, n);

		for (size_t i = 0; arr && i < n; i++) {
			FWPM_SESSION0 *d = FLAT_NEW(&f, FWPM_SESSION0);
			wchar_t user[64];

			arr[i] = d;
			if (!d)
				continue;
			d->sessionKey = v[i]->key;
			d->displayData.name = flat_wcs(&f, v[i]->name);
			d->displayData.description = flat_wcs(&f, v[i]->description);
			d->flags = v[i]->flags;
			d->txnWaitTimeoutInMSec = v[i]->txn_wait_ms;
			d->processId = (DWORD)v[i]->cred.pid;
			user_name(v[i]->cred.uid, user, sizeof(user) / sizeof(user[0]));
			d->username = flat_wcs(&f, user);
			d->kernelMode = FALSE;
		}
		if (pass == 0 && flat_end_measure(&f)) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
			goto out;
		}
	}
	*entries = flat_end(&f);
	if (!*entries) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	*returned = (UINT32)n;
out:
	pthread_mutex_unlock(&e->lock);
	free(v);
	return rc;
}

DWORD engine_session_enum_destroy(struct engine_session *s, uint64_t handle)
{
	struct enum_snapshot *sn, **link;
	DWORD rc = ERROR_INVALID_HANDLE;

	pthread_mutex_lock(&s->e->lock);
	sn = enum_find(s, handle, ENUM_SESSIONS, &link);
	if (sn) {
		*link = sn->next;
		enum_snapshot_free(sn);
		rc = ERROR_SUCCESS;
	}
	pthread_mutex_unlock(&s->e->lock);
	return rc;
}
