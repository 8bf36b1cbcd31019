/* session.c - engine sessions, transactions, rights, statistics. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/random.h"
#include "engine/engine_internal.h"

static const GUID zero_guid;

static bool guid_eq(const GUID *a, const GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* Display strings are kept for session enumeration, bounded like every
 * other name the engine stores. */
static int copy_name(wchar_t **dst, const wchar_t *src)
{
	size_t n;

	*dst = NULL;
	if (!src)
		return 0;
	n = wcsnlen(src, SA_MAX_NAME_CHARS);
	*dst = malloc((n + 1) * sizeof(wchar_t));
	if (!*dst)
		return -1;
	wmemcpy(*dst, src, n);
	(*dst)[n] = 0;
	return 0;
}

DWORD engine_session_open(struct engine *e, const FWPM_SESSION0 *session,
			  const struct session_cred *cred,
			  const struct event_sink *sink,
			  struct engine_session **out)
{
	struct engine_session *s, *it;
	DWORD rc = ERROR_SUCCESS;

	if (!out)
		return FWP_E_NULL_POINTER;
	if (session && (session->flags & ~(UINT32)(FWPM_SESSION_FLAG_DYNAMIC |
						  FWPM_SESSION_FLAG_RESERVED)))
		return FWP_E_INVALID_FLAGS;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERROR_NOT_ENOUGH_MEMORY;
	s->e = e;
	s->cred = *cred;
	if (sink)
		s->sink = *sink;
	if (session) {
		s->key = session->sessionKey;
		s->flags = session->flags;
		s->txn_wait_ms = session->txnWaitTimeoutInMSec;
		if (copy_name(&s->name, session->displayData.name) ||
		    copy_name(&s->description, session->displayData.description)) {
			free(s->name);
			free(s);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
	}
	pthread_mutex_lock(&e->lock);
	if (security_session_init(s, cred->token))
		rc = ERROR_NOT_ENOUGH_MEMORY;
	else if (session_check(s, FWPM_ACTRL_OPEN))
		rc = ERROR_ACCESS_DENIED;	/* the engine's descriptor */
	s->serial = ++e->next_session;
	if (rc != ERROR_SUCCESS) {
		/* refused above */
	} else if (guid_eq(&s->key, &zero_guid)) {
		fwp_random_bytes(&s->key, sizeof(s->key));
	} else {
		for (it = e->sessions; it; it = it->next) {
			if (guid_eq(&it->key, &s->key)) {
				rc = FWP_E_ALREADY_EXISTS;
				break;
			}
		}
	}
	if (rc == ERROR_SUCCESS) {
		s->next = e->sessions;
		e->sessions = s;
	}
	pthread_mutex_unlock(&e->lock);
	if (rc != ERROR_SUCCESS) {
		security_session_fini(s);
		free(s->name);
		free(s->description);
		free(s);
		return rc;
	}
	*out = s;
	return ERROR_SUCCESS;
}

void engine_session_close(struct engine_session *s)
{
	struct engine *e;
	struct engine_session **pp;

	if (!s)
		return;
	e = s->e;
	pthread_mutex_lock(&e->lock);
	pol_store_wait(e);
	for (pp = &e->sessions; *pp && *pp != s; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = s->next;
	pol_txn_abort(s);	/* an open transaction is aborted */
	s->txn = TXN_NONE;
	subs_remove_session(e, s);
	pol_subs_remove_session(e, s);
	net_subs_remove_session(e, s);
	net_enums_remove_session(e, s);
	enums_free_session(s);
	policy_session_closed(e, s);
	pthread_mutex_unlock(&e->lock);
	security_session_fini(s);
	free(s->name);
	free(s->description);
	free(s);
}

DWORD session_check(struct engine_session *s, uint32_t rights)
{
	if ((s->cred.rights & atomic_load(&s->granted_engine) & rights) != rights)
		return ERROR_ACCESS_DENIED;
	return ERROR_SUCCESS;
}

DWORD session_check_sadb(struct engine_session *s, uint32_t rights)
{
	if ((s->cred.rights & atomic_load(&s->granted_sadb) & rights) != rights)
		return ERROR_ACCESS_DENIED;
	return ERROR_SUCCESS;
}

/* Every right on the engine: what its descriptor grants the caller, as
 * the transport allows it (fwpd leaves that to the descriptors). */
bool session_sees_all(const struct engine_session *s)
{
	uint32_t held = s->cred.rights & atomic_load(&s->granted_engine);

	return (held & FWPM_GENERIC_ALL) == FWPM_GENERIC_ALL;
}

bool session_may_list(const struct engine_session *s, const struct engine_session *owner)
{
	return owner == s || session_sees_all(s);
}

bool session_in_txn(const struct engine_session *s)
{
	return s->txn != TXN_NONE;
}

DWORD engine_txn_begin(struct engine_session *s, UINT32 flags)
{
	DWORD rc;

	if (flags & ~(UINT32)FWPM_TXN_READ_ONLY)
		return FWP_E_INVALID_FLAGS;
	rc = session_check(s, flags & FWPM_TXN_READ_ONLY ?
			   FWPM_ACTRL_BEGIN_READ_TXN : FWPM_ACTRL_BEGIN_WRITE_TXN);
	if (rc)
		return rc;
	pthread_mutex_lock(&s->e->lock);
	pol_store_wait(s->e);
	if (!(flags & FWPM_TXN_READ_ONLY))
		pol_txn_watchdog(s->e);
	if (s->txn != TXN_NONE || s->txn_aborted) {
		rc = FWP_E_TXN_IN_PROGRESS;
	} else if (flags & FWPM_TXN_READ_ONLY) {
		s->txn = TXN_READ;
	} else if (s->e->txn_writer) {
		rc = FWP_E_TIMEOUT;	/* one writer: the client waits, retries */
	} else {
		s->txn = TXN_WRITE;
		s->txn_started_ms = engine_now_ms(s->e);
		s->e->txn_writer = s;
	}
	pthread_mutex_unlock(&s->e->lock);
	return rc;
}

/* SA contexts are not transactional objects (docs/CONTRACT.md); policy
 * objects are (policy_txn.c). A commit the store refuses is undone and
 * ends the transaction too. */
static DWORD txn_end(struct engine_session *s, bool commit)
{
	DWORD rc = ERROR_SUCCESS;

	pthread_mutex_lock(&s->e->lock);
	pol_store_wait(s->e);
	if (s->txn_aborted) {
		/* The watchdog undid it: a commit learns so, an abort agrees. */
		s->txn_aborted = false;
		rc = commit ? FWP_E_TXN_ABORTED : ERROR_SUCCESS;
	} else if (s->txn == TXN_NONE)
		rc = FWP_E_NO_TXN_IN_PROGRESS;
	else if (commit)
		rc = pol_txn_commit(s);
	else
		pol_txn_abort(s);
	s->txn = TXN_NONE;
	pthread_mutex_unlock(&s->e->lock);
	return rc;
}

DWORD engine_txn_commit(struct engine_session *s)
{
	return txn_end(s, true);
}

DWORD engine_txn_abort(struct engine_session *s)
{
	return txn_end(s, false);
}

DWORD engine_statistics(struct engine_session *s, IPSEC_STATISTICS1 *out)
{
	struct engine *e = s->e;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_READ_STATS);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		pthread_mutex_unlock(&e->lock);
		return FWP_E_TXN_IN_PROGRESS;
	}
	memset(out, 0, sizeof(*out));
	out->aggregateSaStatistics.activeSas =
		(UINT32)(e->stats.sas_added - e->stats.sas_deleted);
	out->aggregateSaStatistics.totalSasAdded = (UINT32)e->stats.sas_added;
	out->aggregateSaStatistics.totalSasDeleted = (UINT32)e->stats.sas_deleted;
	if (e->backend.ops->statistics)
		e->backend.ops->statistics(e->backend.be, out);
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

DWORD engine_ext_statistics(struct engine_session *s, FWPX_STATISTICS0 *out)
{
	struct engine *e = s->e;
	DWORD rc;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_READ_STATS);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	if (session_in_txn(s)) {
		pthread_mutex_unlock(&e->lock);
		return FWP_E_TXN_IN_PROGRESS;
	}
	memset(out, 0, sizeof(*out));
	if (e->backend.ops->ext_statistics)
		e->backend.ops->ext_statistics(e->backend.be, out);
	pthread_mutex_unlock(&e->lock);
	return ERROR_SUCCESS;
}

DWORD engine_set_expire_drain(struct engine_session *s, UINT32 ms)
{
	DWORD rc = session_check_sadb(s, FWPM_ACTRL_WRITE);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->e->lock);
	s->e->drain_ms = ms;
	pthread_mutex_unlock(&s->e->lock);
	return ERROR_SUCCESS;
}

DWORD engine_get_expire_drain(struct engine_session *s, UINT32 *ms)
{
	if (!ms)
		return FWP_E_NULL_POINTER;
	pthread_mutex_lock(&s->e->lock);
	*ms = s->e->drain_ms;
	pthread_mutex_unlock(&s->e->lock);
	return ERROR_SUCCESS;
}
