/* fwpd.h - the engine service: one event loop owning one engine.
 *
 * Threads: one owns everything. The epoll loop accepts connections, reads
 * one request at a time from a readable connection, runs it against the
 * engine, and queues the reply; engine events are queued on the
 * subscriber's connection by the engine's sink. Net events may be raised on
 * other threads (the datapath's); they reach the loop through net_relay.c.
 * Nothing blocks: sockets are non-blocking and output that cannot be sent
 * waits in a bounded per-connection queue.
 *
 * No client can push the loop over (docs/ARCHITECTURE.md, "fwpd"): a
 * connection is not read while its queue is more than half full; the
 * queues together are capped (the largest is cut first); connections are
 * capped per unprivileged user and in all, with slots only privileged
 * clients may take; an accept that runs out of descriptors pauses the
 * listening socket instead of retrying at once.
 *
 * Ownership: struct server owns the engine, the listening socket and every
 * struct conn; a conn owns its engine session, its socket and its queue.
 */
#ifndef FWPD_FWPD_H
#define FWPD_FWPD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "datapath/dp.h"
#include "engine/engine.h"

struct pol_store;

struct server_options {
	const char *socket_path;	/* --socket */
	const char *state_dir;		/* --state-dir */
	const char *group;		/* --group: members hold every right */
	unsigned socket_mode;		/* --socket-mode, default 0666 */
	bool foreground;
	uint32_t expire_drain_ms;
	bool expire_drain_set;		/* else the engine's default */
	/* Per-connection limits. */
	unsigned max_subscriptions;
	unsigned max_enums;
	size_t max_queued_bytes;
	/* Limits across connections. */
	size_t max_queued_total;	/* --max-queued-total */
	unsigned max_connections;	/* --max-connections */
	unsigned reserved_connections;	/* --reserved-connections: root and
					 * the group only */
	unsigned max_user_connections;	/* --max-user-connections, per
					 * unprivileged uid; 0 = no limit */
	size_t max_sa_contexts;		/* engine-wide; 0 = no limit */
	bool refuse_md5;		/* --refuse-md5 */
	bool test_hooks;		/* --test-hooks (test_hooks.c) */
	const struct be_life_ops *datapath;	/* --datapath tun|xfrm; NULL: none */
	struct dp_config dp;		/* --tun-*, --udp-port, ... */
};

/* One queued outgoing message. */
struct out_msg {
	struct out_msg *next;
	size_t len;
	unsigned char data[];
};

struct conn {
	struct conn *next, *prev;
	struct server *srv;
	int fd;
	uid_t uid;
	pid_t pid;
	uint32_t rights;
	struct engine_session *session;	/* NULL until FWPD_OP_OPEN */
	struct out_msg *out_head, *out_tail;
	size_t queued_bytes;
	uint64_t events_dropped;	/* since the last DROPPED notice */
	atomic_uint_least64_t net_lost;	/* net events the relay dropped for
					 * this connection (any thread) */
	unsigned nsubs, nenums;
	bool closing;			/* close once the queue is flushed */
	bool cut;			/* queue dropped (output cap): close */
	bool privileged;		/* root or the group: connection slots */
	bool want_write;		/* a send would block */
	uint32_t epoll_events;		/* the interest registered now */
};

struct server {
	struct server_options opt;
	struct engine *engine;
	struct pol_store *store;	/* persistent policy objects */
	int epfd, listen_fd, timer_fd, signal_fd;
	bool timer_dirty;		/* the earliest deadline moved */
	bool owns_socket;		/* not passed in by systemd */
	bool stop;
	struct conn *conns;
	unsigned nconns;
	unsigned nunprivileged;		/* of nconns */
	size_t total_queued;		/* over every connection's queue */
	size_t queued_hiwat;		/* the most since memory was last
					 * given back (malloc_trim) */
	bool trim;			/* a large queue went: give it back */
	int accept_timer_fd;		/* resumes a paused accept */
	bool accept_paused;		/* out of descriptors */
	dev_t sock_dev;			/* the socket we created, so that */
	ino_t sock_ino;			/* only it is ever unlinked */
	gid_t group_gid;
	bool have_group;
	unsigned char *rxbuf;		/* FWPD_MSG_MAX + 1 */
	unsigned char *txbuf;		/* FWPD_MSG_MAX */
	struct net_relay *relay;	/* net events from other threads */
	struct test_raiser *raiser;	/* --test-hooks */
	void *dp;			/* opt.datapath's instance; NULL: none */
};

/* server.c */
int server_init(struct server *srv, const struct server_options *opt, int inherited_fd);
int server_run(struct server *srv);
void server_fini(struct server *srv);
/* Queues a message for c (copying it) and tries to send. Returns 0 or
 * -ENOBUFS when c's queue is full. */
int conn_queue(struct conn *c, const void *msg, size_t len);

/* handlers.c: runs one request; the reply (if any) is queued on c. Returns
 * false when the connection must be closed (protocol error). */
bool handle_request(struct conn *c, const void *buf, size_t len);

/* net_relay.c: net events from the thread that raised them to the loop. */
int net_relay_init(struct server *srv);		/* 0 or -errno */
void net_relay_fini(struct server *srv);
int net_relay_fd(const struct server *srv);	/* readable: call drain */
/* The sessions' deliver_net sink (arg: the conn): any thread, engine lock
 * held, never blocks. */
void net_relay_post(void *conn, uint64_t cookie, const struct fwp_net_event *ev);
/* Loop thread: moves what was posted into the connections' queues. */
void net_relay_drain(struct server *srv);
/* Loop thread, once c's session is closed: drops what is posted for c. */
void net_relay_forget(struct server *srv, struct conn *c);

/* test_hooks.c (--test-hooks) */
/* Raises ev n times from a thread of its own; the previous raiser is
 * joined first. 0 or -errno. */
int test_net_raise(struct server *srv, const struct fwp_net_event *ev, uint32_t n);
void test_hooks_fini(struct server *srv);

/* sd_file.c: the engine's and the SA database's descriptors in the state
 * directory. load: after engine_create, before any client; 0 when there is
 * no file, -errno (logged) when there is one that does not read. */
extern const struct sd_store_ops sd_file_ops;
int sd_file_load(struct server *srv);

/* access.c */
uint32_t rights_for_peer(const struct server *srv, int fd, uid_t *uid, pid_t *pid);
/* The peer's identity for the security descriptors: uid, gid and
 * supplementary groups as the kernel recorded them. 0 or -errno. */
struct sd_token;
int token_for_peer(int fd, struct sd_token *t);

/* access.c: the ownership and mode rules for what fwpd reads and creates
 * (sshd's StrictModes). 0, or -errno with the reason logged. */
int check_state_dir(const char *dir);
int check_state_file(const char *path);	/* missing is fine */
int check_socket_path(const char *path);

#endif
