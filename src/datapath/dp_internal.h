/* dp_internal.h - the datapath's state, shared by dp.c (life cycle and
 * notices), dp_sa.c (the SA table: the backend ops), dp_flow.c (verdicts),
 * dp_out.c and dp_in.c (the packet threads).
 *
 * Locking.
 * - table.lock (a writer-preferring rwlock) guards the SA table: the
 *   backend ops (engine lock held) take it for writing; a packet thread
 *   takes it for reading around the part of a batch that touches SAs,
 *   never across an upcall (engine_net_event_raise may take the engine
 *   lock: the order is always engine lock, then table lock).
 * - Verdicts (host classify, dp_flow.c) take no engine lock: the engine
 *   answers from its published classifier snapshot (policy_snap.c), never
 *   waiting for a policy change, an SA install or a store write. They are
 *   still made outside the table lock, so that no upcall ever is.
 * - dp_sa.lock serialises packets through one SA (its EVP contexts,
 *   sequence counter, replay window) when several threads use it.
 * - sa_gen changes under the write lock whenever an SA comes, goes or
 *   changes; pol_gen whenever a filter does (policy_changed) and again when
 *   the engine has published the snapshot with the change
 *   (policy_published: a verdict cached between the two is from the old
 *   snapshot). A thread's cached verdict is good while pol_gen is
 *   unchanged; its cached SA pointer while sa_gen is
 *   (checked under the read lock, so the pointer cannot go stale while
 *   used).
 * - Counters are relaxed atomics, added once per batch.
 */
#ifndef FWP_DATAPATH_DP_INTERNAL_H
#define FWP_DATAPATH_DP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/idmap.h"
#include "datapath/dp.h"
#include "datapath/esp_ip.h"
#include "datapath/esp_packet.h"
#include "datapath/guard.h"
#include "datapath/instance.h"
#include "datapath/natt_share.h"
#include "datapath/prefix_set.h"
#include "datapath/steer.h"
#include "datapath/tun.h"
#include "datapath/udp_io.h"
#include "engine/engine.h"
#include "engine/net_event.h"

/* Windows NTSTATUS values a kernel IPsec drop reports (ntstatus.h). */
#define DP_STATUS_IPSEC_BAD_SPI			((INT32)0xC0360001)
#define DP_STATUS_IPSEC_SA_LIFETIME_EXPIRED	((INT32)0xC0360002)
#define DP_STATUS_IPSEC_WRONG_SA		((INT32)0xC0360003)
#define DP_STATUS_IPSEC_REPLAY_CHECK_FAILED	((INT32)0xC0360004)
#define DP_STATUS_IPSEC_INVALID_PACKET		((INT32)0xC0360005)
#define DP_STATUS_IPSEC_INTEGRITY_CHECK_FAILED	((INT32)0xC0360006)
#define DP_STATUS_IPSEC_CLEAR_TEXT_DROP		((INT32)0xC0360007)
/* A packet that waited for an SA no keying module added (Windows queues it
 * for IKE; here the keying module must add the SA): docs/CONTRACT.md. */
#define DP_STATUS_IPSEC_QUEUE_OVERFLOW		((INT32)0xC000A010)

/* Soft lifetime: this share (per mille) of a kilobyte or packet limit. */
#define DP_SOFT_PERMILLE 900

/* What IPsecSaContextUpdate0 may change on a live SA: its selectors and
 * outer settings. One struct, so an update prepares a copy and swaps it in
 * under the write lock, and the inbound thread copies it out under the
 * read lock. */
struct dp_sel {
	bool tunnel, udp;
	uint8_t version;		/* 4 or 6: the traffic's */
	uint8_t proto;			/* traffic selector, 0: any */
	uint16_t lport, rport;		/* traffic selector, 0: any */
	uint16_t udp_sport, udp_dport;	/* outbound NAT-T ports */
	uint8_t local[16], remote[16];	/* network order; tunnel: endpoints */
	uint64_t bind_id;		/* ipsecFilterId / tunnelPolicyId */
};

/* One direction of one SA context. */
struct dp_sa {
	struct idmap_node by_spi;	/* inbound: table.by_spi */
	struct dp_sa *prev, *next;	/* outbound: table.out list */
	uint64_t ctx_id;
	bool outbound;
	struct dp_sel sel;
	bool routed;			/* its peer is routed (outbound) */
	bool guarded;			/* its peer is in the guard (inbound) */
	uint64_t limit_packets, limit_bytes;	/* 0: none */
	pthread_mutex_t lock;
	struct esp_sa *esp;
	atomic_bool dead;		/* a hard limit: carries nothing more */
	atomic_bool soft_sent, hard_sent;
	_Atomic uint64_t last_use_ms;
	_Atomic uint64_t nosa_drops;	/* outbound, dead: in its otherDrops */
};

struct dp_stats {
	_Atomic uint64_t in_packets, in_bytes, out_packets, out_bytes;
	_Atomic uint64_t bad_spi, auth_fail, decrypt_fail, replay, udp_invalid;
	_Atomic uint64_t not_matching, in_drops, out_drops, blocked, no_sa;
	_Atomic uint64_t bypass, ike_unhandled, keepalives;
	_Atomic uint64_t in_tunnel_bytes, out_tunnel_bytes;	/* of *_bytes */
	_Atomic uint64_t cleartext;	/* dropped by the guard */
};

/* A verdict cached per flow by one packet thread. */
enum dp_kind { DP_BYPASS, DP_PROTECT, DP_BLOCK, DP_NOSA };

struct dp_flow_key {
	uint8_t version, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

struct dp_flow {
	struct dp_flow_key key;
	uint64_t pol_gen, sa_gen;	/* stored + 1: 0 is empty */
	struct engine_verdict v;
	bool tunnel_callout;		/* v.callout is a tunnel callout */
	enum dp_kind kind;		/* with sa: valid while sa_gen holds */
	struct dp_sa *sa;
};

#define DP_FLOW_SLOTS 4096		/* per thread, direct mapped */

struct dp_flow_cache {
	struct dp_flow slot[DP_FLOW_SLOTS];
};

/* A limit a packet thread saw, for the engine. */
struct dp_notice {
	uint64_t ctx_id;
	uint8_t dir;			/* FWP_DIRECTION */
	uint8_t ev;			/* enum dp_sa_event */
};

#define DP_NOTICES 1024

struct dp_thread;

struct dp {
	struct dp_config cfg;
	char tun_name[16];
	struct be_host host;		/* ops NULL until attached */
	struct tun tun;
	struct udp_io io;
	struct natt_share natt;		/* port shared with an IKE daemon */
	struct dp_instance natt_lock;	/* this namespace's NAT-T port */
	struct dp_instance inst;	/* the slot and its lock */
	struct steer_config steer_cfg;	/* the slot's numbers */
	struct steer steer;
	int bypass_fd[2];		/* raw IP, marked: permitted packets out */
	struct guard guard;		/* both directions (control thread) */
	bool guarded;			/* the guard is up */
	unsigned slot_out;		/* bytes per outbound packet slot */
	struct {
		pthread_rwlock_t lock;
		struct idmap by_spi;	/* inbound SAs */
		struct dp_sa *out;	/* outbound SAs, newest first */
		struct prefix_set routes;	/* routed into the TUN */
	} table;
	_Atomic uint64_t sa_gen, pol_gen;
	struct dp_stats st;
	/* Notices: any thread posts, the host drains. */
	pthread_mutex_t notice_lock;
	struct dp_notice notices[DP_NOTICES];
	size_t nnotices;
	int notice_fd;			/* eventfd */
	int stop_fd;			/* eventfd: the threads end */
	struct dp_thread *threads;
	unsigned nthreads;
	bool running;
	bool started;			/* dp_start succeeded once */
	atomic_bool stopping;		/* the packet threads end */
};

/* dp_sa.c */
extern const struct dp_backend_ops dp_tun_ops;
void dp_table_fini(struct dp *dp);
/* Read lock held: the inbound SA of spi, or NULL. */
struct dp_sa *dp_sa_by_spi(struct dp *dp, uint32_t spi);
/* Whether a flow (outbound: its source is local) is one the selectors
 * name: addresses, and protocol and ports when not zero. */
bool dp_sel_match(const struct dp_sel *sel, const struct dp_flow_key *k, bool outbound);
/* Read lock held: the outbound SA for a flow whose verdict is v. */
enum dp_kind dp_resolve_out(struct dp *dp, const struct dp_flow *f, struct dp_sa **sa);
/* After packets went through sa (its lock not held): limits, last use. */
void dp_sa_account(struct dp *dp, struct dp_sa *sa, uint64_t now_ms);

/* dp_guard.c: the guard classes of filter f (its remote prefixes, times
 * its protocol and port conditions), added or removed. 0 or -EINVAL (some
 * could not be guarded). */
int dp_guard_filter(struct dp *dp, const FWPM_FILTER0 *f, enum guard_dir dir, bool add);

/* dp.c */
uint64_t dp_now_ms(void);
/* Any thread, no lock needed: false when the queue is full. */
bool dp_post_notice(struct dp *dp, uint64_t ctx_id, FWP_DIRECTION dir,
		    enum dp_sa_event ev);

/* dp_flow.c: verdicts (no table lock held: they call the engine). */
void dp_flow_key(struct dp_flow_key *k, const struct esp_selector *sel);
/* The cached flow for k, classified at layer now if stale. */
struct dp_flow *dp_flow_get(struct dp *dp, struct dp_flow_cache *fc,
			    const struct dp_flow_key *k, bool outbound);
/* The slot k maps to, whatever it holds (no engine call: safe under the
 * table lock). */
struct dp_flow *dp_flow_slot(struct dp_flow_cache *fc, const struct dp_flow_key *k);
void dp_raise_drop(struct dp *dp, const struct dp_flow_key *k, bool outbound,
		   const struct engine_verdict *v, INT32 status, uint32_t spi);

/* dp_reasm.c: outbound fragments put back together (one thread's state). */
struct dp_reasm;
struct dp_reasm *dp_reasm_new(void);
void dp_reasm_free(struct dp_reasm *r);
bool dp_is_fragment(const uint8_t *pkt, size_t len);
/* 1: the datagram is whole, *out holds it (until dp_reasm_release);
 * 0: kept, waiting for more; -errno: dropped. */
int dp_reasm_add(struct dp_reasm *r, const uint8_t *pkt, size_t len, uint64_t now,
		 struct esp_buf *out);
void dp_reasm_release(struct dp_reasm *r);
uint64_t dp_reasm_dropped(struct dp_reasm *r);	/* since the last call */

/* dp_out.c, dp_in.c: the packet threads. */
void *dp_out_thread(void *arg);
void *dp_in_thread(void *arg);

struct dp_thread {
	struct dp *dp;
	pthread_t tid;
	unsigned queue;			/* outbound: the TUN queue */
	bool started;
};

#endif
