/* dp.h - the user-space ESP datapath as fwpd runs it (`fwpd --datapath tun`).
 *
 * It joins the ESP core (esp_*.h) and the I/O shell (tun.h, udp_io.h,
 * steer.h) into a backend of the engine (backend.h): SAs the engine
 * installs are keyed into OpenSSL once and kept in a table the packet
 * threads read; packets routed into the TUN are classified by the
 * engine's filters, encrypted and sent from the outer sockets; ESP from
 * the outer sockets is looked up by SPI, checked, decrypted and written to
 * the TUN. docs/datapath.md describes the whole.
 *
 * Life cycle (the host's control thread):
 *   dp_create     the instance's lock, its guard (taking over the one a run
 *                 that died left), TUN, sockets, steering rules (that run's
 *                 leftovers removed)
 *   engine_create with dp_backend(dp) as its backend
 *   dp_attach     the host's upcalls (engine_host): the verdicts the
 *                 packet threads classify with, the events they raise
 *   dp_start      the packet threads
 *   ...           dp_notice_fd readable: dp_deliver_notices
 *   dp_stop       joins the packet threads
 *   engine_destroy (removes every SA through the backend)
 *   dp_destroy    routes, rules, sockets, TUN, then the guard, the lock
 *
 * When the process dies instead, the guard stays in the kernel and drops
 * what it protected (guard.h) until a successor of the same instance
 * takes it over. Instances: instance.h.
 *
 * Ownership: struct dp owns its device, sockets, threads, SA table and
 * keys (wiped when an SA is removed). Locking: see dp_internal.h.
 */
#ifndef FWP_DATAPATH_DP_H
#define FWP_DATAPATH_DP_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/steer.h"
#include "engine/backend.h"

struct dp;

/* 0 or -errno; *why names the step that failed (-EBUSY: this instance, or
 * one with the same slot, runs already; nothing was touched). Needs
 * CAP_NET_ADMIN (and CAP_NET_RAW for raw ESP). Nothing is left behind on
 * failure but a guard taken over from a run that died. */
int dp_create(struct dp **out, const struct dp_config *cfg, const char **why);
struct dp_backend dp_backend(struct dp *dp);
void dp_attach(struct dp *dp, const struct be_host *host);
int dp_start(struct dp *dp);
void dp_stop(struct dp *dp);
void dp_destroy(struct dp *dp);
/* For a process that exits with the engine alive (the in-process engine):
 * stops the packet threads, removes the routing rules and routes and the
 * guard (an exit is a clean stop), drops the lock; the device and the SA
 * table go with the process. */
void dp_stop_at_exit(struct dp *dp);

/* Soft and hard limits the packet threads saw, for the engine: readable
 * when some are waiting. dp_deliver_notices hands them to the host's
 * sa_event; call it with no engine lock held. */
int dp_notice_fd(const struct dp *dp);
void dp_deliver_notices(struct dp *dp);

/* The TUN's name and index, for logs and tests. */
const char *dp_tun_name(const struct dp *dp);

/* The above as a backend registered by name (backend.h: "tun"). */
extern const struct be_life_ops dp_tun_life;

#endif
