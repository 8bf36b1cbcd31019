/* sa_counters.c - FwpxSaContextGetCounters0: the datapath's per-SA counters
 * of one context, read through the backend (backend.h: sa_counters); and
 * FwpxSaContextGetInfo0, what the engine itself knows of it.
 *
 * The engine decides which directions exist (dir.live, the rule GetById
 * follows); the backend only supplies the numbers, passed on unchanged.
 * A direction that is not live is never asked about: its SA was never
 * installed or has been removed (Expire0 removes the outbound one).
 */
#include <errno.h>
#include <string.h>

#include "engine/engine_internal.h"

/* Fills *o for dir of c (engine lock held). 0, or the backend's -errno. */
static int read_dir(struct engine *e, const struct sa_context *c,
		    FWP_DIRECTION dir, FWPX_SA_COUNTERS0 *o)
{
	const struct sa_dir *d = dir == FWP_DIRECTION_INBOUND ? &c->in : &c->out;
	struct sa_counters ctr;
	int err;

	memset(o, 0, sizeof(*o));
	if (!d->live)
		return 0;
	o->flags = FWPX_SA_COUNTERS_FLAG_LIVE;
	memset(&ctr, 0, sizeof(ctr));
	err = engine_be_counters(e, c, dir, &ctr);
	/* A live SA the backend does not hold has carried nothing yet: the
	 * engine's view of what is installed is the one clients see. */
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	o->packets = ctr.packets;
	o->bytes = ctr.bytes;
	o->replayDrops = ctr.replay_drops;
	o->icvFailures = ctr.icv_failures;
	o->otherDrops = ctr.other_drops;
	o->lastUseMs = ctr.last_use_ms;
	return 0;
}

/* Both directions into local copies first, so that a failing backend
 * leaves the caller's structs as they were. */
static DWORD read_counters(struct engine *e, const struct sa_context *c,
			   FWPX_SA_COUNTERS0 *in, FWPX_SA_COUNTERS0 *out)
{
	FWPX_SA_COUNTERS0 v[2];
	int err = 0;

	if (in)
		err = read_dir(e, c, FWP_DIRECTION_INBOUND, &v[0]);
	if (!err && out)
		err = read_dir(e, c, FWP_DIRECTION_OUTBOUND, &v[1]);
	if (err)
		return errno_to_win(err);
	if (in)
		*in = v[0];
	if (out)
		*out = v[1];
	return ERROR_SUCCESS;
}

DWORD engine_sa_counters(struct engine_session *s, UINT64 id,
			 FWPX_SA_COUNTERS0 *in, FWPX_SA_COUNTERS0 *out)
{
	struct engine *e = s->e;
	struct sa_context *c;
	DWORD rc;

	if (!in && !out)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_READ_STATS);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	/* Counters are statistics: refused inside a transaction, as
	 * IPsecGetStatistics* are (docs/CONTRACT.md). */
	if (session_in_txn(s)) {
		rc = FWP_E_TXN_IN_PROGRESS;
	} else {
		c = engine_find(e, id);
		rc = c ? read_counters(e, c, in, out) : FWP_E_NOT_FOUND;
	}
	pthread_mutex_unlock(&e->lock);
	return rc;
}

static void fill_info(struct engine *e, const struct sa_context *c,
		      FWPX_SA_CONTEXT_INFO0 *o)
{
	static const UINT32 states[] = {
		[SA_CREATED] = FWPX_SA_CONTEXT_STATE_CREATED,
		[SA_SPI_SET] = FWPX_SA_CONTEXT_STATE_SPI_SET,
		[SA_INBOUND] = FWPX_SA_CONTEXT_STATE_INBOUND,
		[SA_MATURE] = FWPX_SA_CONTEXT_STATE_MATURE,
		[SA_EXPIRING] = FWPX_SA_CONTEXT_STATE_EXPIRING,
	};

	memset(o, 0, sizeof(*o));
	o->state = states[c->state];
	o->creatorPid = c->creator_pid;
	o->creatorUid = c->creator_uid;
	o->creatorSessionKey = c->creator_key;
	o->nowMs = engine_now_ms(e);
	o->createdMs = c->created_ms;
	if (c->state == SA_EXPIRING)
		o->drainDeadlineMs = c->drain_deadline_ms;
	if (c->in.live) {
		o->inboundAddedMs = c->in.added_ms;
		o->inboundHardDeadlineMs = c->in.hard_deadline_ms;
	}
	if (c->out.live) {
		o->outboundAddedMs = c->out.added_ms;
		o->outboundHardDeadlineMs = c->out.hard_deadline_ms;
	}
}

DWORD engine_sa_info(struct engine_session *s, UINT64 id, FWPX_SA_CONTEXT_INFO0 *info)
{
	struct engine *e = s->e;
	struct sa_context *c;
	DWORD rc;

	if (!info)
		return FWP_E_NULL_POINTER;
	rc = session_check_sadb(s, FWPM_ACTRL_READ);
	if (rc)
		return rc;
	pthread_mutex_lock(&e->lock);
	c = engine_find(e, id);
	if (c)
		fill_info(e, c, info);
	else
		rc = FWP_E_NOT_FOUND;
	pthread_mutex_unlock(&e->lock);
	return rc;
}
