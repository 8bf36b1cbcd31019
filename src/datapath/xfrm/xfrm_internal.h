/* xfrm_internal.h - the xfrm backend's state, shared by xfrm.c (life
 * cycle, netlink, events) and xfrm_sa.c (the SA ops). */
#ifndef FWP_DATAPATH_XFRM_INTERNAL_H
#define FWP_DATAPATH_XFRM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/xfrm.h>
#include <libmnl/libmnl.h>

#include "datapath/instance.h"
#include "datapath/xfrm/xfrm.h"

/* Policies of this backend, so that `ip xfrm policy` shows whose they are
 * and a clean stop (or the next run) can tell them apart: every one has a
 * priority in XFRM_PRIO_MIN..MAX (xfrm_left.c). */
#define XFRM_BE_PRIORITY 0x4000
#define XFRM_PRIO_MIN 0x3ff0
#define XFRM_PRIO_MAX 0x400f

/* The reqids of this backend's states: 0x465xxxxx (xfrm_left.c). */
#define XFRM_REQID_BASE 0x46500000u
#define XFRM_REQID_MASK 0xfff00000u
static inline int xfrm_reqid_ours(uint32_t reqid)
{
	return (reqid & XFRM_REQID_MASK) == XFRM_REQID_BASE;
}

/* The kernel's SA id, and what the engine knows the SA by. */
struct xsa {
	struct xsa *prev, *next;
	uint64_t ctx_id;
	FWP_DIRECTION dir;
	uint16_t family;
	xfrm_address_t daddr, saddr;
	uint8_t nst;		/* kernel states: 1, or 2 for ESP + AH */
	uint8_t proto[2];	/* IPPROTO_ESP / _AH; [1]: the bundle's AH */
	uint32_t spi[2];	/* network order */
	uint32_t reqid;
	struct be_sel sel;
	struct be_encap encap;
	bool soft_told;
};

/* One kernel policy, shared by the SAs that name the same traffic (a
 * rekey installs the new pair before it deletes the old); its templates
 * are those of the SA that took it last. */
struct xpol {
	struct xpol *next;
	struct xfrm_selector sel;
	uint8_t dir;		/* XFRM_POLICY_IN / OUT / FWD */
	unsigned refs;
};

/* A tunnel's filter (FwpmIPsecTunnelAdd0): its inner prefixes become the
 * selectors of the policies of the tunnel SAs that name its context. */
struct xtun {
	struct xtun *next;
	uint64_t filter_id, context_id;
	bool outbound;
	uint8_t version;
	uint8_t local[16], remote[16];	/* network order */
	uint8_t lplen, rplen;
};

/* An IPsec transport filter's trap: a policy below the SAs' own for its
 * prefixes, so that its traffic with no SA is dropped (the kernel's
 * acquire), never sent or taken in the clear. */
struct xtrap {
	struct xtrap *next;
	uint64_t filter_id;
	struct xfrm_selector sel;
	uint8_t dir;
};

/* An IKE daemon's bypass filter (xfrm_bypass.c): an allow policy above
 * the SAs' own for its protocol and local port. */
struct xbypass {
	struct xbypass *next;
	uint64_t filter_id;
	uint16_t family;
	uint8_t dir;		/* XFRM_POLICY_IN / OUT */
	uint8_t proto;
	uint16_t port;		/* host order */
};

/* Below XFRM_BE_PRIORITY: an SA's own policy wins. */
#define XFRM_TRAP_PRIORITY (XFRM_BE_PRIORITY + 1)
/* The outbound trap template's reqid, which no state has: the kernel
 * finds none, drops the packet and sends XFRM_MSG_ACQUIRE. */
#define XFRM_TRAP_REQID (XFRM_REQID_BASE | 0xffff1)

/* A BLOCK filter's policies: above the SAs' own and the traps (block wins),
 * or below them where an IPsec filter of the filter's sublayer outweighs
 * it (xfrm_block.c); a permit's bypass sits one above the block it opens. */
#define XFRM_BLOCK_HIGH_PRIORITY (XFRM_BE_PRIORITY - 2)
#define XFRM_BLOCK_LOW_PRIORITY (XFRM_BE_PRIORITY + 3)

/* A policy a run that died left (xfrm_left.c). */
struct xleft {
	struct xleft *next;
	struct xfrm_selector sel;
	uint8_t dir;
};

struct xstats {
	uint64_t installs, removes, updates, round_trips;
};

struct xfrm {
	struct dp_config cfg;
	pthread_mutex_t lock;
	struct mnl_socket *nl;		/* requests */
	struct mnl_socket *ev;		/* XFRMNLGRP_EXPIRE, _ACQUIRE */
	uint32_t portid, seq;
	struct be_host host;
	struct xsa *sas;
	struct xpol *pols;
	struct xtun *tuns;
	struct xtrap *traps;
	struct xbypass *bypasses;
	struct xflt *flts;		/* filters the kernel enforces (xfrm_block.c) */
	struct xblk *blks;		/* their policies in the kernel */
	struct xleft *left;
	struct dp_instance inst;	/* the namespace's xfrm instance lock */
	int natt_fd[2];			/* our ESP-in-UDP sockets on cfg.udp_port,
					 * IPv4 and IPv6, held while SAs in UDP
					 * need them; -1: none (xfrm_adopt.c) */
	unsigned long adopted[2];	/* an IKE daemon's socket set for it,
					 * IPv4 and IPv6 (xfrm_adopt.c) */
	uint16_t natt_unheld[2];	/* the port last logged as held by no
					 * socket, IPv4 and IPv6 */
	struct xstats st;
	char desc[64];
};

/* xfrm.c: one request, its answer through cb (may be NULL), 0 / -errno;
 * batch: n messages in buf (sequence numbers from xnl_seq, consecutive)
 * sent at once, res[i] each one's result, the first error returned. The
 * caller wipes buf. */
int xnl_talk(struct xfrm *x, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
int xnl_batch(struct xfrm *x, void *buf, size_t len, unsigned n, int *res);
uint32_t xnl_seq(struct xfrm *x);

/* xfrm_pol.c: the policies an SA needs (transport: its own traffic;
 * tunnel: its tunnel's filters), taken and dropped by reference, x->lock
 * held. */
int xpol_get(struct xfrm *x, const struct xsa *s);
void xpol_put(struct xfrm *x, const struct xsa *s);
void xfrm_policy_changed(void *be, const struct be_filter *bf, bool added);
void xpol_fini(struct xfrm *x);
/* xfrm_bypass.c: bypass filters as allow policies, x->lock held. */
void xbypass_add(struct xfrm *x, const FWPM_FILTER0 *f);
void xbypass_del(struct xfrm *x, uint64_t filter_id);
void xbypass_fini(struct xfrm *x);
/* xfrm_adopt.c, x->lock held: an SA of family (AF_INET, AF_INET6) with
 * ESP in UDP on local port: the socket there decapsulates (an IKE
 * daemon's, set for it), or when none and port is cfg.udp_port, one of our
 * own; xnatt_release closes ours that no SA needs any more, xnatt_close
 * every one. xadopt_port: the option on the sockets of port that are not
 * ours; the families (bit 0: IPv4, bit 1: IPv6) where a socket holds it. */
void xnatt_need(struct xfrm *x, uint16_t family, uint16_t port);
void xnatt_release(struct xfrm *x);
void xnatt_close(struct xfrm *x);
unsigned xadopt_port(struct xfrm *x, uint16_t port);
/* The filter of the outbound trap an acquire came from (0: none). */
uint64_t xpol_trap_filter(struct xfrm *x, const struct xfrm_selector *sel, uint8_t dir);

/* xfrm_sel.c: a filter's traffic in direction dir (XFRM_POLICY_*) as at
 * most XSEL_MAX selectors: 0, XSEL_WIDER (fields made "any" to fit: the
 * selectors cover more than the filter), or XSEL_UNMAPPED (a condition the
 * classifier does not evaluate either; out unset). */
#define XSEL_MAX 64
#define XSEL_WIDER 1
#define XSEL_UNMAPPED (-1)
struct xsel_set {
	unsigned n;
	bool has_remote;	/* a remote address condition kept */
	struct xfrm_selector sel[XSEL_MAX];
};
int xsel_expand(const FWPM_FILTER0 *f, uint8_t dir, int version, struct xsel_set *out);
bool xsel_overlap(const struct xfrm_selector *a, const struct xfrm_selector *b);
void xsel_intersect(const struct xfrm_selector *a, const struct xfrm_selector *b,
		    struct xfrm_selector *out);

/* xfrm_block.c: the filters at the transport and forward layers, BLOCK
 * ones as block policies (x->lock held); which layers those are. */
bool xblk_layer(const GUID *layer, uint8_t *dir, int *version);
void xblk_filter(struct xfrm *x, const struct be_filter *bf, bool added);
void xblk_refresh(struct xfrm *x);
void xblk_fini(struct xfrm *x);

/* xfrm_left.c: at start, the states of a run that died deleted and its
 * policies adopted; at a clean stop, those policies removed; after a
 * start that failed, left in the kernel (drop). x->lock held or not yet
 * shared. */
int xleft_adopt(struct xfrm *x);
void xleft_fini(struct xfrm *x);
void xleft_drop(struct xfrm *x);

extern const struct dp_backend_ops xfrm_ops;

#endif
