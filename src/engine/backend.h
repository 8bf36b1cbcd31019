/* backend.h - the seam between the engine and a datapath.
 *
 * The engine decides what must be installed; a backend makes packets obey
 * it (none: nothing; tun: the user-space ESP datapath; xfrm: the kernel's
 * ESP). Backends are registered by name (backend_find).
 *
 * Downcalls: the engine hands a backend plain data, never its records: an
 * id and a struct be_sa per SA (built by be_sa_build, keys included, which
 * the engine wipes after the call), and gets back the backend's own handle,
 * which it keeps and passes to every later call for that SA. Every downcall
 * is made with the engine lock held and must neither block for long nor
 * call back into the engine. A failing install leaves the backend as it
 * was; a pair update applies both changes or neither (the backend undoes
 * its own half-done work, since only it knows how), and must switch
 * between two packets: no packet sees half-old, half-new settings, and
 * sequence numbers and replay state carry over.
 *
 * Upcalls: what the datapath sees (lifetimes reached, acquires, drops) and
 * what its packet threads ask (a filter verdict) goes through the host's
 * table, struct be_host, given at attach time: a backend links against
 * this header and never against the engine. Upcalls may take the engine
 * lock, so a backend makes them from its own threads or from the host's
 * loop (notice_fd / deliver), never from inside a downcall. The verdict
 * (classify) does not: it reads the engine's published classifier
 * snapshot, so packet threads never wait for the engine.
 */
#ifndef FWP_ENGINE_BACKEND_H
#define FWP_ENGINE_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include <fwpx.h>

#include "engine/sa_context.h"

struct sa_counters {
	uint64_t packets, bytes;	/* protected (out) / delivered (in) */
	uint64_t replay_drops, icv_failures;
	uint64_t other_drops;		/* malformed, bad trailer, ECN, limits */
	uint64_t last_use_ms;	/* engine clock; 0 = never used */
};

/* What happened to an SA in the datapath that the engine must act on
 * (be_host_ops.sa_event). */
enum dp_sa_event {
	DP_SA_SOFT_LIFETIME = 1,	/* 90% of kilobytes/packets used */
	DP_SA_HARD_LIFETIME = 2,	/* a limit reached: the SA carries no more */
	DP_SA_SEQ_EXHAUSTED = 3,	/* outbound sequence numbers ran out */
};

/* ---- plain data per SA ---- */

/* Whom an SA carries traffic for. Addresses in network order, IPv4 in the
 * first 4 bytes; in tunnel mode local/remote are the tunnel endpoints. */
struct be_sel {
	uint8_t version;	/* 4 or 6 */
	bool tunnel;
	uint8_t local[16], remote[16];
	uint64_t bind_id;	/* ipsecFilterId = tunnelPolicyId; 0: unbound */
	uint8_t proto;		/* 0: any */
	uint16_t lport, rport;	/* 0: any */
};

/* ESP in UDP (NAT-T), ports in host order. */
struct be_encap {
	bool on;
	uint16_t sport, dport;	/* local, remote */
};

struct be_sa {
	uint64_t id;		/* the SA context's id */
	FWP_DIRECTION dir;
	struct be_sel sel;
	struct be_encap encap;
	struct sa_xform xform;	/* transform, SPI and keys: ESP, or AH alone */
	struct sa_xform ah_xform;	/* the AH of an ESP + AH bundle */
	uint8_t num_xforms;	/* 1, or 2 for ESP + AH */
	bool ah;		/* the bundle has AH (the tun backend refuses it) */
	uint64_t limit_bytes, limit_packets;	/* 0: none */
	uint32_t limit_seconds;	/* the engine enforces it; for information */
};

/* A change of addresses or encapsulation (IPsecSaContextUpdate0). */
struct be_change {
	uint64_t flags;		/* IPSEC_SA_DETAILS_UPDATE_TRAFFIC / _UDP_ENCAPSULATION */
	struct be_sel sel;	/* valid with UPDATE_TRAFFIC */
	struct be_encap encap;	/* valid with either flag */
};

/* ---- upcalls ---- */

struct engine_flow;
struct engine_verdict;
struct fwp_net_event;

struct be_host_ops {
	/* A soft or hard limit of id's dir SA was reached. */
	void (*sa_event)(void *host, uint64_t id, FWP_DIRECTION dir, enum dp_sa_event ev);
	/* A drop, or an acquire (a packet hit a trap with no SA). */
	void (*net_event)(void *host, const struct fwp_net_event *ev);
	/* The verdict of the filters for a flow: 0 or a Windows code. */
	DWORD (*classify)(void *host, const struct engine_flow *f, struct engine_verdict *v);
	/* The address prefixes of a filter's conditions (engine.h
	 * engine_filter_prefixes): a pure function. */
	void (*filter_prefixes)(const FWPM_FILTER0 *f,
				void (*fn)(void *arg, bool remote, int family,
					   const uint8_t addr[16], unsigned plen),
				void *arg);
};

struct be_host {
	const struct be_host_ops *ops;
	void *host;
};

/* ---- downcalls ---- */

/* A filter as the backend hears of it, with what the classifier orders it
 * by besides its own weight (src/policy/classify.h, "Order"): sublayers
 * by sublayer_weight, higher first, equal weights by sublayer_index,
 * lower first; inside a sublayer by the filter's effectiveWeight, higher
 * first, then by the lower filterId. */
struct be_filter {
	const FWPM_FILTER0 *f;
	uint64_t context_id;		/* its provider context's id; 0: none */
	uint16_t sublayer_weight;
	uint32_t sublayer_index;
};

struct dp_backend_ops {
	const char *name;
	/* Install sa (its dir is about to go live); *handle is the backend's
	 * (may be NULL). 0 / -errno. */
	int (*sa_install)(void *be, const struct be_sa *sa, void **handle);
	/* Apply ch[dir] to h[dir] for each dir whose ch is not NULL: both or
	 * neither. 0 / -errno. */
	int (*sa_update_pair)(void *be, void *const h[2], const struct be_change *const ch[2]);
	void (*sa_remove)(void *be, void *handle);
	/* 0, or -ENOENT when nothing is installed. */
	int (*sa_counters)(void *be, void *handle, struct sa_counters *out);
	/* Adds the datapath's traffic and drop counters to *out (the fields
	 * IPsecGetStatistics1 reports besides the SA counts). May be NULL. */
	void (*statistics)(void *be, IPSEC_STATISTICS1 *out);
	/* Fills the zeroed *out (FwpxGetStatistics0). May be NULL. */
	void (*ext_statistics)(void *be, FWPX_STATISTICS0 *out);
	/* Filter bf->f came (added) or went: flow verdicts cached by the
	 * datapath are stale, and f may name traffic to steer or protect or,
	 * with a tunnel callout, the inner traffic of the tunnel SAs whose
	 * tunnelPolicyId is bf->context_id. Calls come in pairs per filter.
	 * Committed filters only: outside a transaction at once; a write
	 * transaction's net effect at its commit (a filter added and deleted
	 * in it: nothing), in two passes, each oldest first: filters that
	 * protect (BLOCK, callouts) coming and PERMITs going, then PERMITs
	 * coming and filters that protect going; an aborted one: nothing.
	 * bf and what it points to are the caller's, valid for the call.
	 * May be NULL. */
	void (*policy_changed)(void *be, const struct be_filter *bf, bool added);
	/* A new classifier snapshot is what the host's classify upcall
	 * answers from (it runs without the engine lock): verdicts cached
	 * before now are stale. Comes after the policy_changed calls of the
	 * change (which may come before the snapshot exists: a verdict cached
	 * between the two would be from the old one). May be NULL. */
	void (*policy_published)(void *be);
};

struct dp_backend {
	const struct dp_backend_ops *ops;
	void *be;
};

extern const struct dp_backend_ops dp_null_ops;

/* The engine's side: a be_sa from dir's bundle of c (be_sa_wipe after). */
void be_sa_build(const struct sa_context *c, FWP_DIRECTION dir, struct be_sa *out);
void be_sa_wipe(struct be_sa *sa);
void be_sel_from_traffic(const IPSEC_TRAFFIC1 *t, struct be_sel *s);

/* ---- backends by name ---- */

/* What a host may set for any backend; each reads what it needs. */
struct dp_config {
	const char *tun_name;	/* tun: NULL: "fwp0" */
	unsigned queues;	/* tun: TUN queues = outbound threads; 0: 1 */
	unsigned mtu;		/* tun: TUN MTU; 0: 1400 */
	uint16_t udp_port;	/* ESP-in-UDP port; 0: no UDP sockets */
	bool raw_esp;		/* tun: plain ESP (IP protocol 50) sockets */
	uint32_t replay_window;	/* inbound; 0: 64 */
	const char *lock_dir;	/* NULL: DP_LOCK_DIR (instance.h) */
};

/* Defaults: "fwp0", 1 queue, MTU 1400, UDP 4500, raw ESP on, window 64. */
void dp_config_default(struct dp_config *c);

/* The life cycle of a running backend, for fwpd and the in-process
 * engine: create, (engine_create with .backend), attach the host, start,
 * and when notice_fd is readable deliver (no engine lock held); stop,
 * (engine_destroy), destroy; or stop_at_exit for a process that exits
 * with the engine alive. */
struct be_life_ops {
	const char *name;
	int (*create)(void **out, const struct dp_config *cfg, const char **why);
	struct dp_backend (*backend)(void *inst);
	void (*attach)(void *inst, const struct be_host *host);
	int (*start)(void *inst);
	void (*stop)(void *inst);
	void (*destroy)(void *inst);
	void (*stop_at_exit)(void *inst);
	int (*notice_fd)(const void *inst);	/* -1: none */
	void (*deliver)(void *inst);
	const char *(*describe)(const void *inst);	/* for logs */
};

/* The backend named name ("tun", "xfrm"), or NULL when this build has
 * none of that name ("none" is no backend: NULL too). */
const struct be_life_ops *backend_find(const char *name);

#endif
