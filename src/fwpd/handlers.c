/* handlers.c - one function per protocol operation: call the engine with
 * the request's decoded arguments, encode the results.
 *
 * Before any handler runs, handle_request checks the connection's rights
 * for the operation (so a caller without them costs no decoding), then
 * decodes the struct arguments the operation's table entry names, with
 * the schema codec alone, into a fixed array of OP_MAX_ARGS slots. A
 * message that does not decode ends the connection with
 * RPC_S_PROTOCOL_ERROR; anything the engine refuses is an ordinary result.
 * Decoded arguments may hold keys and are wiped when the call returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/secdesc.h"
#include "fwpd/fwpd.h"
#include "wire/codec.h"
#include "wire/message.h"

/* The most struct arguments any operation takes. */
#define OP_MAX_ARGS 2

struct req {
	struct conn *c;
	const struct msg_attrs *m;
	struct nlmsghdr *reply;
	void *arg[OP_MAX_ARGS];		/* decoded, or NULL when absent */
	size_t arg_size[OP_MAX_ARGS];	/* for wiping */
};

#define S(r) ((r)->c->session)
#define A(r, t) ((r)->m->a[t])

typedef int (*handler_fn)(struct req *r, DWORD *rc);

static int h_txn_begin(struct req *r, DWORD *rc)
{
	*rc = engine_txn_begin(S(r), msg_u32(r->m, FWPD_A_FLAGS, 0));
	return 0;
}

static int h_txn_commit(struct req *r, DWORD *rc)
{
	*rc = engine_txn_commit(S(r));
	return 0;
}

static int h_txn_abort(struct req *r, DWORD *rc)
{
	*rc = engine_txn_abort(S(r));
	return 0;
}

static int h_sa_create(struct req *r, DWORD *rc)
{
	const IPSEC_TRAFFIC1 *t = r->arg[0];
	const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif = r->arg[1];
	UINT64 id = 0, fid = 0;

	*rc = engine_sa_create(S(r), t, vif, &fid, &id);
	if (*rc == ERROR_SUCCESS &&
	    (!msg_put_u64(r->reply, FWPD_A_ID, id) ||
	     !msg_put_u64(r->reply, FWPD_A_FILTER_ID, fid)))
		return -EMSGSIZE;
	return 0;
}

static int h_sa_spi(struct req *r, DWORD *rc, bool fixed)
{
	const IPSEC_GETSPI1 *g = r->arg[0];
	IPSEC_SA_SPI spi = msg_u32(r->m, FWPD_A_SPI, 0);
	UINT64 id = msg_u64(r->m, FWPD_A_ID, 0);

	if (fixed) {
		*rc = engine_sa_set_spi(S(r), id, g, spi);
		return 0;
	}
	*rc = engine_sa_get_spi(S(r), id, g, &spi);
	if (*rc == ERROR_SUCCESS && !msg_put_u32(r->reply, FWPD_A_SPI, spi))
		return -EMSGSIZE;
	return 0;
}

static int h_sa_get_spi(struct req *r, DWORD *rc)
{
	return h_sa_spi(r, rc, false);
}

static int h_sa_set_spi(struct req *r, DWORD *rc)
{
	return h_sa_spi(r, rc, true);
}

static int h_sa_add(struct req *r, DWORD *rc)
{
	const IPSEC_SA_BUNDLE1 *b = r->arg[0];
	uint32_t dir = msg_u32(r->m, FWPD_A_DIRECTION, 0);

	if (dir >= FWP_DIRECTION_MAX)
		return -EINVAL;
	*rc = engine_sa_add(S(r), msg_u64(r->m, FWPD_A_ID, 0), (FWP_DIRECTION)dir, b);
	return 0;
}

/* Each side is an IPSEC_SA_DETAILS1 with only the fields the flags name
 * set (the engine reads no other); absent means a NULL side. */
static int h_sa_update(struct req *r, DWORD *rc)
{
	IPSEC_SA_CONTEXT1 v;

	memset(&v, 0, sizeof(v));
	v.saContextId = msg_u64(r->m, FWPD_A_ID, 0);
	v.inboundSa = r->arg[0];
	v.outboundSa = r->arg[1];
	*rc = engine_sa_update(S(r), msg_u64(r->m, FWPD_A_FLAGS, 0), &v);
	return 0;
}

static int h_sa_get(struct req *r, DWORD *rc)
{
	IPSEC_SA_CONTEXT1 *ctx = NULL;
	int err = 0;

	*rc = engine_sa_get(S(r), msg_u64(r->m, FWPD_A_ID, 0), &ctx);
	if (*rc == ERROR_SUCCESS)
		err = wf_put(r->reply, FWPD_MSG_MAX, FWPD_A_CONTEXT, &wf_IPSEC_SA_CONTEXT1, ctx);
	free(ctx);
	return err;
}

static int h_sa_delete(struct req *r, DWORD *rc)
{
	*rc = engine_sa_delete(S(r), msg_u64(r->m, FWPD_A_ID, 0));
	return 0;
}

static int h_sa_expire(struct req *r, DWORD *rc)
{
	*rc = engine_sa_expire(S(r), msg_u64(r->m, FWPD_A_ID, 0));
	return 0;
}

/* Counts a new enumeration against the connection and returns its handle. */
static int enum_opened(struct req *r, DWORD rc, uint64_t h)
{
	if (rc != ERROR_SUCCESS)
		return 0;
	r->c->nenums++;
	return msg_put_u64(r->reply, FWPD_A_HANDLE, h) ? 0 : -EMSGSIZE;
}

static DWORD enum_quota(struct conn *c)
{
	return c->nenums >= c->srv->opt.max_enums ? ERROR_NOT_ENOUGH_QUOTA : ERROR_SUCCESS;
}

static int h_sa_enum_create(struct req *r, DWORD *rc)
{
	const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t = r->arg[0];
	uint64_t h = 0;

	*rc = enum_quota(r->c);
	if (*rc == ERROR_SUCCESS)
		*rc = engine_sa_enum_create(S(r), t, &h);
	return enum_opened(r, *rc, h);
}

static int h_sad_enum_create(struct req *r, DWORD *rc)
{
	const IPSEC_SA_ENUM_TEMPLATE0 *t = r->arg[0];
	uint64_t h = 0;

	*rc = enum_quota(r->c);
	if (*rc == ERROR_SUCCESS)
		*rc = engine_sad_enum_create(S(r), t, &h);
	return enum_opened(r, *rc, h);
}

/* Takes the next entry of enumeration h (engine_*_enum with want 1). */
typedef DWORD (*next_entry_fn)(struct req *r, uint64_t h, void ***entries, UINT32 *n);

/* Fills the reply with up to FWPD_A_COUNT entries of type sd, one engine
 * call per entry, while an entry of the largest size still fits;
 * FWPD_A_MORE says the page ended for room, not because the enumeration
 * did. Shared by every enumeration of the protocol. */
static int enum_page(struct req *r, DWORD *rc, const struct wf_struct *sd,
		     next_entry_fn next)
{
	uint64_t h = msg_u64(r->m, FWPD_A_HANDLE, 0);
	uint32_t want = msg_u32(r->m, FWPD_A_COUNT, 0), got = 0;

	*rc = ERROR_SUCCESS;
	while (got < want) {
		void **entries = NULL;
		UINT32 n = 0;
		int err;

		if (r->reply->nlmsg_len + FWPD_ENTRY_MAX > FWPD_MSG_MAX) {
			if (!msg_put_u32(r->reply, FWPD_A_MORE, 1))
				return -EMSGSIZE;
			break;
		}
		*rc = next(r, h, &entries, &n);
		if (*rc != ERROR_SUCCESS || n == 0)
			break;
		err = wf_put(r->reply, FWPD_MSG_MAX, FWPD_A_ENTRY, sd, entries[0]);
		free(entries);
		if (err)
			return err;
		got++;
	}
	return 0;
}

static DWORD next_context(struct req *r, uint64_t h, void ***entries, UINT32 *n)
{
	return engine_sa_enum(S(r), h, 1, (IPSEC_SA_CONTEXT1 ***)entries, n);
}

static DWORD next_sa(struct req *r, uint64_t h, void ***entries, UINT32 *n)
{
	return engine_sad_enum(S(r), h, 1, (IPSEC_SA_DETAILS1 ***)entries, n);
}

static int h_sa_enum(struct req *r, DWORD *rc)
{
	return enum_page(r, rc, &wf_IPSEC_SA_CONTEXT1, next_context);
}

static int h_sad_enum(struct req *r, DWORD *rc)
{
	return enum_page(r, rc, &wf_IPSEC_SA_DETAILS1, next_sa);
}

static int h_enum_destroy(struct req *r, DWORD *rc, bool sas)
{
	uint64_t h = msg_u64(r->m, FWPD_A_HANDLE, 0);

	*rc = sas ? engine_sad_enum_destroy(S(r), h) : engine_sa_enum_destroy(S(r), h);
	if (*rc == ERROR_SUCCESS && r->c->nenums)
		r->c->nenums--;
	return 0;
}

static int h_sa_enum_destroy(struct req *r, DWORD *rc)
{
	return h_enum_destroy(r, rc, false);
}

static int h_sad_enum_destroy(struct req *r, DWORD *rc)
{
	return h_enum_destroy(r, rc, true);
}

static int h_subscribe(struct req *r, DWORD *rc)
{
	uint64_t h = 0;

	if (r->c->nsubs >= r->c->srv->opt.max_subscriptions) {
		*rc = ERROR_NOT_ENOUGH_QUOTA;
		return 0;
	}
	*rc = engine_subscribe(S(r), r->arg[0], msg_u32(r->m, FWPD_A_MASK, 0),
			       msg_u64(r->m, FWPD_A_COOKIE, 0), &h);
	if (*rc == ERROR_SUCCESS) {
		r->c->nsubs++;
		if (!msg_put_u64(r->reply, FWPD_A_HANDLE, h))
			return -EMSGSIZE;
	}
	return 0;
}

static int h_unsubscribe(struct req *r, DWORD *rc)
{
	*rc = engine_unsubscribe(S(r), msg_u64(r->m, FWPD_A_HANDLE, 0));
	if (*rc == ERROR_SUCCESS && r->c->nsubs)
		r->c->nsubs--;
	return 0;
}

/* Net-event subscriptions count against the same per-connection limit. */
static int h_net_subscribe(struct req *r, DWORD *rc)
{
	uint64_t h = 0;

	if (r->c->nsubs >= r->c->srv->opt.max_subscriptions) {
		*rc = ERROR_NOT_ENOUGH_QUOTA;
		return 0;
	}
	*rc = engine_net_subscribe(S(r), r->arg[0], msg_u64(r->m, FWPD_A_COOKIE, 0), &h);
	if (*rc == ERROR_SUCCESS) {
		r->c->nsubs++;
		if (!msg_put_u64(r->reply, FWPD_A_HANDLE, h))
			return -EMSGSIZE;
	}
	return 0;
}

static int h_net_unsubscribe(struct req *r, DWORD *rc)
{
	*rc = engine_net_unsubscribe(S(r), msg_u64(r->m, FWPD_A_HANDLE, 0));
	if (*rc == ERROR_SUCCESS && r->c->nsubs)
		r->c->nsubs--;
	return 0;
}

/* Test hook (test_hooks.c): NET_EVENT raised COUNT times. */
static int h_test_net_raise(struct req *r, DWORD *rc)
{
	const struct nlattr *a = A(r, FWPD_A_NET_EVENT);
	struct fwp_net_event ev;
	uint32_t n;

	if (!r->c->srv->opt.test_hooks) {
		*rc = ERROR_NOT_SUPPORTED;
		return 0;
	}
	if (!a)		/* msg_parse checked its size */
		return -EINVAL;
	memcpy(&ev, mnl_attr_get_payload(a), sizeof(ev));
	if (!net_event_valid(&ev))
		return -EINVAL;
	n = msg_u32(r->m, FWPD_A_COUNT, 1);
	*rc = test_net_raise(r->c->srv, &ev, n < 1000000 ? n : 1000000) ?
	      ERROR_NOT_ENOUGH_MEMORY : ERROR_SUCCESS;
	return 0;
}

static int h_subscriptions_get(struct req *r, DWORD *rc)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **v = NULL;
	UINT32 n = 0;
	int err = 0;

	*rc = engine_subscriptions_get(S(r), &v, &n);
	for (UINT32 i = 0; *rc == ERROR_SUCCESS && i < n && !err; i++)
		err = wf_put(r->reply, FWPD_MSG_MAX, FWPD_A_ENTRY,
			     &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, v[i]);
	free(v);
	return err;
}

static int h_statistics(struct req *r, DWORD *rc)
{
	IPSEC_STATISTICS1 st;
	FWPX_STATISTICS0 ext;

	*rc = engine_statistics(S(r), &st);
	if (*rc == ERROR_SUCCESS)
		*rc = engine_ext_statistics(S(r), &ext);
	if (*rc == ERROR_SUCCESS &&
	    (!msg_put_raw(r->reply, FWPD_A_STATS, &st, sizeof(st)) ||
	     !msg_put_raw(r->reply, FWPD_A_STATS_EXT, &ext, sizeof(ext))))
		return -EMSGSIZE;
	return 0;
}

/* Both directions always travel; the library hands out what was asked. */
static int h_sa_counters(struct req *r, DWORD *rc)
{
	FWPX_SA_COUNTERS0 in, out;

	*rc = engine_sa_counters(S(r), msg_u64(r->m, FWPD_A_ID, 0), &in, &out);
	if (*rc == ERROR_SUCCESS &&
	    (!msg_put_raw(r->reply, FWPD_A_COUNTERS_IN, &in, sizeof(in)) ||
	     !msg_put_raw(r->reply, FWPD_A_COUNTERS_OUT, &out, sizeof(out))))
		return -EMSGSIZE;
	return 0;
}

static int h_sa_info(struct req *r, DWORD *rc)
{
	FWPX_SA_CONTEXT_INFO0 info;

	*rc = engine_sa_info(S(r), msg_u64(r->m, FWPD_A_ID, 0), &info);
	if (*rc == ERROR_SUCCESS && !msg_put_raw(r->reply, FWPD_A_SA_INFO, &info, sizeof(info)))
		return -EMSGSIZE;
	return 0;
}

static int h_session_enum_create(struct req *r, DWORD *rc)
{
	uint64_t h = 0;

	*rc = enum_quota(r->c);
	if (*rc == ERROR_SUCCESS)
		*rc = engine_session_enum_create(S(r), &h);
	return enum_opened(r, *rc, h);
}

static DWORD next_session(struct req *r, uint64_t h, void ***entries, UINT32 *n)
{
	return engine_session_enum(S(r), h, 1, (FWPM_SESSION0 ***)entries, n);
}

static int h_session_enum(struct req *r, DWORD *rc)
{
	return enum_page(r, rc, &wf_FWPM_SESSION0, next_session);
}

static int h_session_enum_destroy(struct req *r, DWORD *rc)
{
	*rc = engine_session_enum_destroy(S(r), msg_u64(r->m, FWPD_A_HANDLE, 0));
	if (*rc == ERROR_SUCCESS && r->c->nenums)
		r->c->nenums--;
	return 0;
}

static int h_set_drain(struct req *r, DWORD *rc)
{
	*rc = engine_set_expire_drain(S(r), msg_u32(r->m, FWPD_A_MS, 0));
	return 0;
}

static int h_get_drain(struct req *r, DWORD *rc)
{
	UINT32 ms = 0;

	*rc = engine_get_expire_drain(S(r), &ms);
	if (*rc == ERROR_SUCCESS && !msg_put_u32(r->reply, FWPD_A_MS, ms))
		return -EMSGSIZE;
	return 0;
}

/* Policy objects: one set of operations for the four kinds. */
_Static_assert(POL_NKINDS == WF_POL_KINDS, "policy kinds and their schemas agree");

static int pol_kind_of(struct req *r, enum pol_kind *k)
{
	uint32_t v = msg_u32(r->m, FWPD_A_KIND, UINT32_MAX);

	if (v >= POL_NKINDS)
		return -EINVAL;
	*k = (enum pol_kind)v;
	return 0;
}

/* FLAGS 1: by key (KEY absent means a NULL key); else by ID. */
static void pol_ref_of(struct req *r, struct pol_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->by_key = msg_u32(r->m, FWPD_A_FLAGS, 0) == 1;
	if (ref->by_key && A(r, FWPD_A_KEY))
		ref->key = mnl_attr_get_payload(A(r, FWPD_A_KEY));
	ref->id = msg_u64(r->m, FWPD_A_ID, 0);
}

static int h_pol_add(struct req *r, DWORD *rc)
{
	enum pol_kind k;
	UINT64 id = 0;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	if (A(r, FWPD_A_SD))
		*rc = engine_pol_add_sd(S(r), k, r->arg[0], mnl_attr_get_payload(A(r, FWPD_A_SD)),
					mnl_attr_get_payload_len(A(r, FWPD_A_SD)), &id);
	else
		*rc = engine_pol_add(S(r), k, r->arg[0], &id);
	if (*rc == ERROR_SUCCESS && !msg_put_u64(r->reply, FWPD_A_ID, id))
		return -EMSGSIZE;
	return 0;
}

static int h_pol_delete(struct req *r, DWORD *rc)
{
	enum pol_kind k;
	struct pol_ref ref;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	pol_ref_of(r, &ref);
	*rc = engine_pol_delete(S(r), k, &ref);
	return 0;
}

static int h_pol_get(struct req *r, DWORD *rc)
{
	enum pol_kind k;
	struct pol_ref ref;
	void *out = NULL;
	int err = 0;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	pol_ref_of(r, &ref);
	*rc = engine_pol_get(S(r), k, &ref, &out);
	if (*rc == ERROR_SUCCESS)
		err = wf_put(r->reply, FWPD_MSG_MAX, FWPD_A_OBJECT, wf_pol_object[k], out);
	free(out);
	return err;
}

static int h_pol_enum_create(struct req *r, DWORD *rc)
{
	enum pol_kind k;
	uint64_t h = 0;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	*rc = enum_quota(r->c);
	if (*rc == ERROR_SUCCESS)
		*rc = engine_pol_enum_create(S(r), k, r->arg[0], &h);
	return enum_opened(r, *rc, h);
}

static DWORD next_pol(struct req *r, uint64_t h, void ***entries, UINT32 *n)
{
	enum pol_kind k = (enum pol_kind)msg_u32(r->m, FWPD_A_KIND, 0);

	return engine_pol_enum(S(r), k, h, 1, entries, n);
}

static int h_pol_enum(struct req *r, DWORD *rc)
{
	enum pol_kind k;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	return enum_page(r, rc, wf_pol_object[k], next_pol);
}

static int h_pol_enum_destroy(struct req *r, DWORD *rc)
{
	enum pol_kind k;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	*rc = engine_pol_enum_destroy(S(r), k, msg_u64(r->m, FWPD_A_HANDLE, 0));
	if (*rc == ERROR_SUCCESS && r->c->nenums)
		r->c->nenums--;
	return 0;
}

static void sink_deliver(void *arg, uint64_t cookie, const FWPX_SA_CONTEXT_EVENT0 *ev);
static void sink_deliver_change(void *arg, uint64_t cookie, const struct fwp_pol_change *ch);

static int h_open(struct req *r, DWORD *rc)
{
	struct sd_token tok;
	struct session_cred cred = {
		.pid = r->c->pid, .uid = r->c->uid, .rights = r->c->rights, .token = &tok,
	};
	struct event_sink sink = {
		.deliver = sink_deliver, .deliver_net = net_relay_post,
		.deliver_change = sink_deliver_change, .arg = r->c,
	};

	if (token_for_peer(r->c->fd, &tok)) {
		*rc = ERROR_ACCESS_DENIED;	/* an unknown peer holds nothing */
		return 0;
	}
	*rc = engine_session_open(r->c->srv->engine, r->arg[0], &cred, &sink, &r->c->session);
	return 0;
}

/* Events from the engine (engine lock held, this same thread). */
static void sink_deliver(void *arg, uint64_t cookie, const FWPX_SA_CONTEXT_EVENT0 *ev)
{
	struct conn *c = arg;
	unsigned char buf[128];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_MSG_EVENT, 0);

	if (c->closing)
		return;
	msg_put_u64(nlh, FWPD_A_COOKIE, cookie);
	msg_put_raw(nlh, FWPD_A_EVENT, ev, sizeof(*ev));
	/* A subscriber that does not read loses events; the client library
	 * turns the gap into a DROPPED notice (FWP_E_NOTIFICATION_DROPPED). */
	if (conn_queue(c, nlh, nlh->nlmsg_len))
		c->events_dropped++;
}

static int h_option_get(struct req *r, DWORD *rc)
{
	FWP_VALUE0 *v = NULL;
	int err = 0;

	*rc = engine_option_get(S(r), msg_u32(r->m, FWPD_A_OPTION, FWPM_ENGINE_OPTION_MAX), &v);
	if (*rc == ERROR_SUCCESS)
		err = wf_put(r->reply, FWPD_MSG_MAX, FWPD_A_VALUE, &wf_FWP_VALUE0, v);
	free(v);
	return err;
}

/* A missing value is the caller's NULL (FWP_E_NULL_POINTER). */
static int h_option_set(struct req *r, DWORD *rc)
{
	*rc = engine_option_set(S(r), msg_u32(r->m, FWPD_A_OPTION, FWPM_ENGINE_OPTION_MAX),
				r->arg[0]);
	return 0;
}

static int h_net_enum_create(struct req *r, DWORD *rc)
{
	uint64_t h = 0;

	*rc = enum_quota(r->c);
	if (*rc == ERROR_SUCCESS)
		*rc = engine_net_enum_create(S(r), r->arg[0], &h);
	return enum_opened(r, *rc, h);
}

static DWORD next_net_event(struct req *r, uint64_t h, void ***entries, UINT32 *n)
{
	return engine_net_enum(S(r), h, 1, (struct fwp_net_event ***)entries, n);
}

static int h_net_enum(struct req *r, DWORD *rc)
{
	return enum_page(r, rc, &wf_WF_NET_EVENT_RECORD, next_net_event);
}

static int h_net_enum_destroy(struct req *r, DWORD *rc)
{
	*rc = engine_net_enum_destroy(S(r), msg_u64(r->m, FWPD_A_HANDLE, 0));
	if (*rc == ERROR_SUCCESS && r->c->nenums)
		r->c->nenums--;
	return 0;
}

/* ---- object-change subscriptions (0x40-0x42) ---- */

/* Counted against the same per-connection limit as the other kinds. */
static int h_change_subscribe(struct req *r, DWORD *rc)
{
	const FWPM_FILTER_SUBSCRIPTION0 *sub = r->arg[0];	/* the shared layout */
	enum pol_kind k;
	uint64_t h = 0;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	if (r->c->nsubs >= r->c->srv->opt.max_subscriptions) {
		*rc = ERROR_NOT_ENOUGH_QUOTA;
		return 0;
	}
	if (!sub) {
		*rc = FWP_E_NULL_POINTER;
		return 0;
	}
	*rc = engine_change_subscribe(S(r), k, sub->enumTemplate, sub->flags,
				      msg_u64(r->m, FWPD_A_COOKIE, 0), &h);
	if (*rc == ERROR_SUCCESS) {
		r->c->nsubs++;
		if (!msg_put_u64(r->reply, FWPD_A_HANDLE, h))
			return -EMSGSIZE;
	}
	return 0;
}

static int h_change_unsubscribe(struct req *r, DWORD *rc)
{
	enum pol_kind k;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	*rc = engine_change_unsubscribe(S(r), k, msg_u64(r->m, FWPD_A_HANDLE, 0));
	if (*rc == ERROR_SUCCESS && r->c->nsubs)
		r->c->nsubs--;
	return 0;
}

static int h_change_subscriptions_get(struct req *r, DWORD *rc)
{
	enum pol_kind k;
	void **v = NULL;
	UINT32 n = 0;
	int err = 0;

	if (pol_kind_of(r, &k))
		return -EINVAL;
	*rc = engine_change_subscriptions_get(S(r), k, &v, &n);
	for (UINT32 i = 0; *rc == ERROR_SUCCESS && i < n && !err; i++)
		err = wf_put(r->reply, FWPD_MSG_MAX, FWPD_A_ENTRY, wf_pol_subscription[k], v[i]);
	free(v);
	return err;
}

/* Changes from the engine (engine lock held): queued like SA events, and
 * lost like them when the client does not read. */
static void sink_deliver_change(void *arg, uint64_t cookie, const struct fwp_pol_change *ch)
{
	struct conn *c = arg;
	unsigned char buf[128];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_MSG_CHANGE, 0);

	if (c->closing)
		return;
	msg_put_u64(nlh, FWPD_A_COOKIE, cookie);
	msg_put_raw(nlh, FWPD_A_CHANGE, ch, sizeof(*ch));
	if (conn_queue(c, nlh, nlh->nlmsg_len))
		c->events_dropped++;
}

/* ---- security descriptors (0x50-0x5f) ---- */

/* SD_TARGET names the engine, the SA database or a policy kind, whose
 * object KEY names (absent: a NULL key). */
static int sd_target_of(struct req *r, int *target, struct pol_ref *ref)
{
	uint32_t t = msg_u32(r->m, FWPD_A_SD_TARGET, UINT32_MAX);

	if (t >= POL_NKINDS && t != ENGINE_SD_ENGINE && t != ENGINE_SD_SADB)
		return -EINVAL;
	*target = (int)t;
	*ref = (struct pol_ref){ .by_key = true,
		.key = A(r, FWPD_A_KEY) ? mnl_attr_get_payload(A(r, FWPD_A_KEY)) : NULL };
	return 0;
}

static int h_sd_get(struct req *r, DWORD *rc)
{
	struct pol_ref ref;
	void *sd = NULL;
	size_t len = 0;
	int target, err = 0;

	if (sd_target_of(r, &target, &ref))
		return -EINVAL;
	*rc = engine_sd_get(S(r), target, &ref, msg_u32(r->m, FWPD_A_SECINFO, 0), &sd, &len);
	if (*rc == ERROR_SUCCESS && !msg_put_raw(r->reply, FWPD_A_SD, sd, len))
		err = -EMSGSIZE;
	free(sd);
	return err;
}

/* A missing SD is the caller's NULL (FWP_E_NULL_POINTER). */
static int h_sd_set(struct req *r, DWORD *rc)
{
	const struct nlattr *a = A(r, FWPD_A_SD);
	struct pol_ref ref;
	int target;

	if (sd_target_of(r, &target, &ref))
		return -EINVAL;
	*rc = engine_sd_set(S(r), target, &ref, msg_u32(r->m, FWPD_A_SECINFO, 0),
			    a ? mnl_attr_get_payload(a) : NULL, a ? mnl_attr_get_payload_len(a) : 0);
	return 0;
}

/* What each operation needs before its handler runs: every right the
 * engine will demand of it (checked first, so a caller without them costs
 * no decoding; the engine checks again), and the struct arguments it
 * takes, decoded into r->arg[] in this order. */
struct op_arg {
	uint16_t attr;				/* FWPD_A_*; 0: an unused slot */
	const struct wf_struct *sd;		/* its schema, or */
	const struct wf_struct *const *by_kind;	/* that of the request's KIND */
};

struct op {
	handler_fn fn;
	uint32_t rights;
	struct op_arg args[OP_MAX_ARGS];
};

#define ARG(a, T) { FWPD_A_##a, &wf_##T, NULL }
#define KIND_ARG(a, table) { FWPD_A_##a, NULL, table }
#define R_ENUM (FWPM_ACTRL_ENUM | FWPM_ACTRL_READ)

static const struct op ops[FWPD_OP_MAX] = {
	[FWPD_OP_OPEN] = { h_open, FWPM_ACTRL_OPEN, { ARG(SESSION, FWPM_SESSION0) } },
	/* A read or a write transaction, as FLAGS says: the engine decides. */
	[FWPD_OP_TXN_BEGIN] = { h_txn_begin, 0, { { 0 } } },
	[FWPD_OP_TXN_COMMIT] = { h_txn_commit, 0, { { 0 } } },
	[FWPD_OP_TXN_ABORT] = { h_txn_abort, 0, { { 0 } } },
	[FWPD_OP_SA_CREATE] = { h_sa_create, FWPM_ACTRL_ADD,
		{ ARG(TRAFFIC, IPSEC_TRAFFIC1), ARG(VIF, IPSEC_VIRTUAL_IF_TUNNEL_INFO0) } },
	[FWPD_OP_SA_GET_SPI] = { h_sa_get_spi, FWPM_ACTRL_ADD, { ARG(GETSPI, IPSEC_GETSPI1) } },
	[FWPD_OP_SA_SET_SPI] = { h_sa_set_spi, FWPM_ACTRL_ADD, { ARG(GETSPI, IPSEC_GETSPI1) } },
	[FWPD_OP_SA_ADD] = { h_sa_add, FWPM_ACTRL_ADD, { ARG(BUNDLE, IPSEC_SA_BUNDLE1) } },
	[FWPD_OP_SA_UPDATE] = { h_sa_update, FWPM_ACTRL_WRITE,
		{ ARG(UPDATE_IN, IPSEC_SA_DETAILS1), ARG(UPDATE_OUT, IPSEC_SA_DETAILS1) } },
	[FWPD_OP_SA_GET] = { h_sa_get, FWPM_ACTRL_READ, { { 0 } } },
	[FWPD_OP_SA_DELETE] = { h_sa_delete, DELETE, { { 0 } } },
	[FWPD_OP_SA_EXPIRE] = { h_sa_expire, DELETE, { { 0 } } },
	[FWPD_OP_SA_ENUM_CREATE] = { h_sa_enum_create, R_ENUM,
		{ ARG(CTX_TEMPLATE, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0) } },
	[FWPD_OP_SA_ENUM] = { h_sa_enum, 0, { { 0 } } },
	[FWPD_OP_SA_ENUM_DESTROY] = { h_sa_enum_destroy, 0, { { 0 } } },
	[FWPD_OP_SAD_ENUM_CREATE] = { h_sad_enum_create, R_ENUM,
		{ ARG(SA_TEMPLATE, IPSEC_SA_ENUM_TEMPLATE0) } },
	[FWPD_OP_SAD_ENUM] = { h_sad_enum, 0, { { 0 } } },
	[FWPD_OP_SAD_ENUM_DESTROY] = { h_sad_enum_destroy, 0, { { 0 } } },
	[FWPD_OP_SUBSCRIBE] = { h_subscribe, FWPM_ACTRL_SUBSCRIBE,
		{ ARG(SUBSCRIPTION, IPSEC_SA_CONTEXT_SUBSCRIPTION0) } },
	[FWPD_OP_UNSUBSCRIBE] = { h_unsubscribe, 0, { { 0 } } },
	[FWPD_OP_SUBSCRIPTIONS_GET] = { h_subscriptions_get, FWPM_ACTRL_READ, { { 0 } } },
	[FWPD_OP_STATISTICS] = { h_statistics, FWPM_ACTRL_READ_STATS, { { 0 } } },
	[FWPD_OP_SET_DRAIN] = { h_set_drain, FWPM_ACTRL_WRITE, { { 0 } } },
	[FWPD_OP_GET_DRAIN] = { h_get_drain, 0, { { 0 } } },
	[FWPD_OP_SESSION_ENUM_CREATE] = { h_session_enum_create, R_ENUM, { { 0 } } },
	[FWPD_OP_SESSION_ENUM] = { h_session_enum, 0, { { 0 } } },
	[FWPD_OP_SESSION_ENUM_DESTROY] = { h_session_enum_destroy, 0, { { 0 } } },
	[FWPD_OP_POL_ADD] = { h_pol_add, FWPM_ACTRL_ADD, { KIND_ARG(OBJECT, wf_pol_object) } },
	/* DELETE and READ on the object's own descriptor: the engine checks. */
	[FWPD_OP_POL_DELETE] = { h_pol_delete, 0, { { 0 } } },
	[FWPD_OP_POL_GET] = { h_pol_get, 0, { { 0 } } },
	[FWPD_OP_POL_ENUM_CREATE] = { h_pol_enum_create, R_ENUM,
		{ KIND_ARG(POL_TEMPLATE, wf_pol_template) } },
	[FWPD_OP_POL_ENUM] = { h_pol_enum, 0, { { 0 } } },
	[FWPD_OP_POL_ENUM_DESTROY] = { h_pol_enum_destroy, 0, { { 0 } } },
	[FWPD_OP_NET_SUBSCRIBE] = { h_net_subscribe, FWPM_ACTRL_SUBSCRIBE,
		{ ARG(NET_SUBSCRIPTION, FWPM_NET_EVENT_SUBSCRIPTION0) } },
	[FWPD_OP_NET_UNSUBSCRIBE] = { h_net_unsubscribe, 0, { { 0 } } },
	[FWPD_OP_TEST_NET_RAISE] = { h_test_net_raise, FWPM_ACTRL_WRITE, { { 0 } } },
	[FWPD_OP_SA_COUNTERS] = { h_sa_counters, FWPM_ACTRL_READ_STATS, { { 0 } } },
	[FWPD_OP_SA_INFO] = { h_sa_info, FWPM_ACTRL_READ, { { 0 } } },
	[FWPD_OP_OPTION_GET] = { h_option_get, FWPM_ACTRL_READ, { { 0 } } },
	[FWPD_OP_OPTION_SET] = { h_option_set, FWPM_ACTRL_WRITE, { ARG(VALUE, FWP_VALUE0) } },
	[FWPD_OP_NET_ENUM_CREATE] = { h_net_enum_create, R_ENUM,
		{ ARG(NET_TEMPLATE, FWPM_NET_EVENT_ENUM_TEMPLATE0) } },
	[FWPD_OP_NET_ENUM] = { h_net_enum, 0, { { 0 } } },
	[FWPD_OP_NET_ENUM_DESTROY] = { h_net_enum_destroy, 0, { { 0 } } },
	/* 0x3b-0x3f: unassigned, refused (no handler). */
	[FWPD_OP_CHANGE_SUBSCRIBE] = { h_change_subscribe, FWPM_ACTRL_SUBSCRIBE | R_ENUM,
		{ KIND_ARG(CHANGE_SUBSCRIPTION, wf_pol_subscription) } },
	[FWPD_OP_CHANGE_UNSUBSCRIBE] = { h_change_unsubscribe, 0, { { 0 } } },
	[FWPD_OP_CHANGE_SUBSCRIPTIONS_GET] = { h_change_subscriptions_get, FWPM_ACTRL_READ,
		{ { 0 } } },
	/* 0x50-0x5f: the rights are on the descriptor named: the engine checks. */
	[FWPD_OP_SD_GET] = { h_sd_get, 0, { { 0 } } },
	[FWPD_OP_SD_SET] = { h_sd_set, 0, { { 0 } } },
};

static void args_free(struct req *r)
{
	for (int i = 0; i < OP_MAX_ARGS; i++) {
		wf_free_secret(r->arg[i], r->arg_size[i]);
		r->arg[i] = NULL;
	}
}

/* Decodes the operation's struct arguments; an absent one stays NULL. */
static int decode_args(struct req *r, const struct op *op)
{
	for (int i = 0; i < OP_MAX_ARGS; i++) {
		const struct op_arg *oa = &op->args[i];
		const struct wf_struct *sd = oa->sd;
		enum pol_kind k;
		int err;

		if (!oa->attr || !A(r, oa->attr))
			continue;
		if (oa->by_kind) {
			if (pol_kind_of(r, &k))
				return -EINVAL;
			sd = oa->by_kind[k];
		}
		err = wf_decode(sd, A(r, oa->attr), &r->arg[i], &r->arg_size[i]);
		if (err)
			return err;
	}
	return 0;
}

/* Rights, then decoding, then the handler. */
static int run_op(struct req *r, const struct op *op, DWORD *rc)
{
	uint32_t have = r->c->session ? engine_session_rights(r->c->session) : r->c->rights;
	int err;

	if ((have & op->rights) != op->rights) {
		*rc = ERROR_ACCESS_DENIED;
		return 0;
	}
	err = decode_args(r, op);
	if (!err)
		err = op->fn(r, rc);
	args_free(r);
	return err;
}

static void send_result(struct conn *c, uint32_t seq, DWORD rc)
{
	struct nlmsghdr *nlh = msg_start(c->srv->txbuf, FWPD_MSG_REPLY, seq);

	msg_put_u32(nlh, FWPD_A_RESULT, rc);
	conn_queue(c, nlh, nlh->nlmsg_len);
}

bool handle_request(struct conn *c, const void *buf, size_t len)
{
	struct msg_attrs m;
	struct req r = { .c = c, .m = &m };
	uint16_t type;
	DWORD rc = ERROR_SUCCESS;
	int err;

	if (msg_parse(buf, len, &m)) {
		send_result(c, len >= sizeof(struct nlmsghdr) ?
			    ((const struct nlmsghdr *)buf)->nlmsg_seq : 0,
			    RPC_S_PROTOCOL_ERROR);
		return false;
	}
	type = m.nlh->nlmsg_type;
	r.reply = msg_start(c->srv->txbuf, FWPD_MSG_REPLY, m.nlh->nlmsg_seq);
	msg_put_u32(r.reply, FWPD_A_RESULT, 0);
	if (!c->session) {
		/* The first request must open the session, in our version. */
		err = type == FWPD_OP_OPEN &&
		      msg_u32(&m, FWPD_A_VERSION, 0) == FWPD_PROTOCOL_VERSION ?
		      run_op(&r, &ops[FWPD_OP_OPEN], &rc) : -EPROTO;
	} else if (type > FWPD_OP_OPEN && type < FWPD_OP_MAX && ops[type].fn) {
		err = run_op(&r, &ops[type], &rc);
	} else {
		err = -EPROTO;
	}
	if (err) {
		bool no_room = err == -EMSGSIZE || err == -ENOMEM;

		send_result(c, m.nlh->nlmsg_seq, no_room ? ERROR_NOT_ENOUGH_MEMORY
							 : RPC_S_PROTOCOL_ERROR);
		return no_room && c->session;
	}
	/* The result is the first attribute, written before the call. */
	memcpy(mnl_attr_get_payload(mnl_nlmsg_get_payload(r.reply)), &rc, sizeof(rc));
	conn_queue(c, r.reply, r.reply->nlmsg_len);
	/* A failed open ends the connection (after the reply). */
	return c->session != NULL;
}
