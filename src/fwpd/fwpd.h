/* fwpd.h - the engine service: one event loop owning one engine.
 *
 * Threads: one. The epoll loop accepts connections, reads one request at a
 * time from a readable connection, runs it against the engine, and queues
 * the reply; engine events are queued on the subscriber's connection by the
 * engine's sink. Nothing blocks: sockets are non-blocking and output that
 * cannot be sent waits in a bounded per-connection queue.
 *
 * Ownership: struct server owns the engine, the listening socket and every
 * struct conn; a conn owns its engine session, its socket and its queue.
 */
#ifndef FWPD_FWPD_H
#define FWPD_FWPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
	unsigned max_connections;
	size_t max_sa_contexts;		/* engine-wide; 0 = no limit */
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
	unsigned nsubs, nenums;
	bool closing;			/* close once the queue is flushed */
	bool want_write;
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
	gid_t group_gid;
	bool have_group;
	unsigned char *rxbuf;		/* FWPD_MSG_MAX + 1 */
	unsigned char *txbuf;		/* FWPD_MSG_MAX */
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

/* access.c */
uint32_t rights_for_peer(const struct server *srv, int fd, uid_t *uid, pid_t *pid);

#endif
