/* xfrm_left.c - what a run of this backend that died left in the kernel,
 * and how the next run takes it over: fail closed.
 *
 * A run's states carry a reqid of its band (XFRM_REQID_BASE) and its
 * policies a priority of its band (XFRM_PRIO_MIN..MAX), so a successor
 * recognises them without any file of its own. At start, under the
 * namespace's instance lock (so that the run it cleans up is dead, not a
 * neighbour):
 *  - every state of the band is deleted: the keys of a process that died
 *    must not stay usable, and no engine is left to rekey or end them;
 *  - every policy of the band is kept: an SA's policy whose state is gone
 *    drops its traffic (outbound the kernel finds no state and sends an
 *    acquire; inbound cleartext and foreign ESP are refused), exactly what
 *    a trap does; a BLOCK filter's policy keeps blocking. The keying module
 *    re-adds its SAs, whose policies replace these (same selector), and
 *    the filters of the store come back the same way. What nobody claims
 *    stays until this run stops cleanly, which removes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/log.h"
#include "datapath/xfrm/xfrm_internal.h"

#define LEFT_BATCH 512		/* states deleted per dump */
#define LEFT_PASSES 64		/* dumps at most: 32768 states */

struct state_ids {
	unsigned n;
	struct xfrm_usersa_id id[LEFT_BATCH];
};

static int on_state(const struct nlmsghdr *nlh, void *data)
{
	struct state_ids *s = data;
	const struct xfrm_usersa_info *u;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || mnl_nlmsg_get_payload_len(nlh) < sizeof(*u))
		return MNL_CB_OK;
	u = mnl_nlmsg_get_payload(nlh);
	if (!xfrm_reqid_ours(u->reqid) || s->n == LEFT_BATCH)
		return MNL_CB_OK;
	memset(&s->id[s->n], 0, sizeof(s->id[0]));	/* padding goes to the kernel */
	s->id[s->n].daddr = u->id.daddr;
	s->id[s->n].spi = u->id.spi;
	s->id[s->n].family = u->family;
	s->id[s->n].proto = u->id.proto;
	s->n++;
	return MNL_CB_OK;
}

static int dump(struct xfrm *x, uint16_t type, mnl_cb_t cb, void *data)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_DUMP;
	/* The kernel answers a dump with its end, never an ACK. */
	return xnl_talk(x, nlh, cb, data);
}

static int flush_states(struct xfrm *x, unsigned *gone)
{
	struct state_ids *s = malloc(sizeof(*s));
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (unsigned pass = 0; pass < LEFT_PASSES; pass++) {
		s->n = 0;
		err = dump(x, XFRM_MSG_GETSA, on_state, s);
		if (err || !s->n)
			break;
		for (unsigned i = 0; i < s->n; i++) {
			char buf[256];
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
			struct xfrm_usersa_id *id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));

			nlh->nlmsg_type = XFRM_MSG_DELSA;
			*id = s->id[i];
			if (!xnl_talk(x, nlh, NULL, NULL))
				(*gone)++;
		}
	}
	free(s);
	return err;
}

struct pol_walk {
	struct xfrm *x;
	unsigned n;
	int err;
};

static int on_policy(const struct nlmsghdr *nlh, void *data)
{
	struct pol_walk *w = data;
	const struct xfrm_userpolicy_info *u;
	struct xleft *l;

	if (nlh->nlmsg_type != XFRM_MSG_NEWPOLICY ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*u))
		return MNL_CB_OK;
	u = mnl_nlmsg_get_payload(nlh);
	/* Sockets' own policies have dir >= XFRM_POLICY_MAX. */
	if (u->dir >= XFRM_POLICY_MAX || u->priority < XFRM_PRIO_MIN ||
	    u->priority > XFRM_PRIO_MAX)
		return MNL_CB_OK;
	l = calloc(1, sizeof(*l));
	if (!l) {
		w->err = -ENOMEM;
		return MNL_CB_OK;
	}
	l->sel = u->sel;
	l->dir = u->dir;
	l->next = w->x->left;
	w->x->left = l;
	w->n++;
	return MNL_CB_OK;
}

int xleft_adopt(struct xfrm *x)
{
	struct pol_walk w = { .x = x };
	unsigned gone = 0;
	int err = flush_states(x, &gone);

	if (err)
		return err;
	err = dump(x, XFRM_MSG_GETPOLICY, on_policy, &w);
	if (!err)
		err = w.err;
	if (gone || w.n)
		fwp_log(FWP_LOG_WARN, "datapath xfrm: a run that died left %u states (deleted) "
			"and %u policies (kept, they drop the traffic they name until its SAs "
			"come back; removed at a clean stop)", gone, w.n);
	return err;
}

/* A start that failed: what was adopted stays in the kernel, still
 * holding the traffic back, for the next try. */
void xleft_drop(struct xfrm *x)
{
	while (x->left) {
		struct xleft *l = x->left;

		x->left = l->next;
		free(l);
	}
}

/* A clean stop: the adopted policies nobody took over go. One that an SA
 * or a filter of this run replaced went with it (-ENOENT here). */
void xleft_fini(struct xfrm *x)
{
	while (x->left) {
		struct xleft *l = x->left;
		char buf[256];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct xfrm_userpolicy_id *id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));

		nlh->nlmsg_type = XFRM_MSG_DELPOLICY;
		id->sel = l->sel;
		id->dir = l->dir;
		xnl_talk(x, nlh, NULL, NULL);
		x->left = l->next;
		free(l);
	}
}
