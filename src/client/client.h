/* client.h - what an engine HANDLE stands for in this process.
 *
 * A client is one open engine session: the transport that carries its
 * calls, the transport's connection state, and the dispatcher that runs its
 * subscription callbacks. Handles are validated through a handle table
 * (common/handle_table.h), and every API call holds a reference for its
 * duration, so FwpmEngineClose0 racing another call cannot free the client
 * under it: the last reference closes the session.
 */
#ifndef FWP_CLIENT_CLIENT_H
#define FWP_CLIENT_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <fwpmu.h>

#include "client/transport.h"

struct dispatcher;

struct fwp_client {
	atomic_int refs;
	uint64_t handle;
	const struct transport_ops *ops;
	void *conn;			/* the transport's state */
	pthread_mutex_t lock;		/* guards disp creation */
	struct dispatcher *disp;	/* created at the first subscription */
	uint32_t txn_wait_ms;		/* the session's txnWaitTimeoutInMSec */
	struct builtin_enums *bienums;	/* layer/callout enumerations, created
					 * on first use under lock (api_layer.c) */
	GUID session_key;		/* the session's key (client_open makes
					 * one when the caller gives none) */
};

/* Creates a client on the transport chosen by FWP_ENGINE (embedded,
 * service or auto) and opens its session. */
DWORD client_open(const FWPM_SESSION0 *session, HANDLE *handle);
/* Invalidates the handle; the session ends when the last call using it
 * returns. */
DWORD client_close(HANDLE handle);
/* Looks up a live handle and takes a reference; ERROR_INVALID_HANDLE. */
DWORD client_get(HANDLE handle, struct fwp_client **out);
void client_put(struct fwp_client *c);
/* Policy changes and write transactions wait for another session's
 * write transaction: the engine answers FWP_E_TIMEOUT at once while it is
 * busy, and these retry until the session's txnWaitTimeoutInMSec has
 * passed (0: CLIENT_TXN_WAIT_DEFAULT_MS; INFINITE: no limit). */
#define CLIENT_TXN_WAIT_DEFAULT_MS 5000
DWORD client_txn_begin(struct fwp_client *c, UINT32 flags);
/* sd: the caller's PSECURITY_DESCRIPTOR (NULL: the default); one that is
 * not self-relative is ERROR_INVALID_SECURITY_DESCR. */
DWORD client_pol_add(struct fwp_client *c, enum pol_kind k, const void *obj,
		     const void *sd, UINT64 *id);
DWORD client_pol_delete(struct fwp_client *c, enum pol_kind k, const struct pol_ref *ref);

/* api_layer.c: frees the layer and callout enumerations left open. */
void client_builtin_enums_free(struct fwp_client *c);
/* api_callout_change.c: drops the callout subscriptions of c. */
void client_callout_subs_free(const struct fwp_client *c);

/* The client's dispatcher, created on first use; NULL when out of memory. */
struct dispatcher *client_dispatcher(struct fwp_client *c);

#endif
