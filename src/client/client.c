/* client.c - engine handles, their reference counts, and the choice of
 * transport (FWP_ENGINE). */
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/stat.h>

#include "client/client.h"
#include "client/dispatcher.h"
#include "client/service_path.h"
#include "common/handle_table.h"
#include "common/secdesc.h"
#include "common/random.h"

static struct handle_table clients;
static pthread_once_t clients_once = PTHREAD_ONCE_INIT;

static void clients_init(void)
{
	handle_table_init(&clients);
}

static void ref_client(void *obj)
{
	struct fwp_client *c = obj;

	atomic_fetch_add(&c->refs, 1);
}

/* FWP_ENGINE: "embedded" (in-process), "service" (fwpd), or "auto" (the
 * default: the service when its socket exists, else embedded). */
static DWORD choose_transport(const struct transport_ops **out)
{
	const char *v = getenv("FWP_ENGINE");
	struct stat st;

	if (!v || !*v || !strcmp(v, "auto")) {
		*out = stat(service_socket_path(), &st) == 0 && S_ISSOCK(st.st_mode)
		       ? &transport_service : &transport_inproc;
		return ERROR_SUCCESS;
	}
	if (!strcmp(v, "embedded")) {
		*out = &transport_inproc;
		return ERROR_SUCCESS;
	}
	if (!strcmp(v, "service")) {
		*out = &transport_service;
		return ERROR_SUCCESS;
	}
	return ERROR_INVALID_PARAMETER;
}

/* Opens the session with a key the client knows: the caller's, or a
 * random one made here (as the engine would) when it gives none, since
 * the library reports it in subscriptions it keeps itself. */
static DWORD open_session(struct fwp_client *c, const FWPM_SESSION0 *session)
{
	static const GUID zero;
	FWPM_SESSION0 s = { 0 };

	if (session)
		s = *session;
	if (!memcmp(&s.sessionKey, &zero, sizeof(zero)))
		fwp_random_bytes(&s.sessionKey, sizeof(s.sessionKey));
	c->session_key = s.sessionKey;
	return c->ops->open(c, &s);
}

DWORD client_open(const FWPM_SESSION0 *session, HANDLE *handle)
{
	const struct transport_ops *ops;
	struct fwp_client *c;
	DWORD rc;

	pthread_once(&clients_once, clients_init);
	rc = choose_transport(&ops);
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ERROR_NOT_ENOUGH_MEMORY;
	atomic_init(&c->refs, 1);
	pthread_mutex_init(&c->lock, NULL);
	c->ops = ops;
	c->txn_wait_ms = session ? session->txnWaitTimeoutInMSec : 0;
	if (!c->txn_wait_ms)
		c->txn_wait_ms = CLIENT_TXN_WAIT_DEFAULT_MS;
	rc = open_session(c, session);
	if (rc)
		goto err_free;
	c->handle = handle_table_add(&clients, c);
	if (!c->handle) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto err_close;
	}
	*handle = (HANDLE)(uintptr_t)c->handle;
	return ERROR_SUCCESS;

err_close:
	ops->close(c);
err_free:
	pthread_mutex_destroy(&c->lock);
	free(c);
	return rc;
}

DWORD client_get(HANDLE handle, struct fwp_client **out)
{
	pthread_once(&clients_once, clients_init);
	if (!handle)
		return ERROR_INVALID_HANDLE;
	*out = handle_table_get(&clients, (uint64_t)(uintptr_t)handle, ref_client);
	return *out ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
}

void client_put(struct fwp_client *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	/* Last reference: end the session first (no more events), then stop
	 * the callbacks. */
	c->ops->close(c);
	dispatcher_destroy(c->disp);
	client_builtin_enums_free(c);
	client_callout_subs_free(c);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

DWORD client_close(HANDLE handle)
{
	struct fwp_client *c;

	pthread_once(&clients_once, clients_init);
	if (!handle)
		return ERROR_INVALID_HANDLE;
	c = handle_table_remove(&clients, (uint64_t)(uintptr_t)handle);
	if (!c)
		return ERROR_INVALID_HANDLE;
	client_put(c);
	return ERROR_SUCCESS;
}

struct dispatcher *client_dispatcher(struct fwp_client *c)
{
	struct dispatcher *d;

	pthread_mutex_lock(&c->lock);
	if (!c->disp)
		c->disp = dispatcher_create();
	d = c->disp;
	pthread_mutex_unlock(&c->lock);
	return d;
}

/* ---- waiting for the writer lock ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* After a busy answer: sleeps a little (1 ms, doubling to 16 ms) and says
 * whether to try again. */
static bool busy_wait(struct fwp_client *c, uint64_t *deadline, unsigned *step)
{
	uint64_t now = now_ms();
	unsigned ms;

	if (!*deadline)
		*deadline = c->txn_wait_ms == INFINITE ? UINT64_MAX : now + c->txn_wait_ms;
	if (now >= *deadline)
		return false;
	ms = 1u << (*step < 4 ? (*step)++ : 4);
	if (*deadline != UINT64_MAX && now + ms > *deadline)
		ms = (unsigned)(*deadline - now);
	nanosleep(&(struct timespec){ .tv_nsec = (long)ms * 1000000 }, NULL);
	return true;
}

#define RETRY_WHILE_BUSY(c, call) do { \
	uint64_t deadline_ = 0; \
	unsigned step_ = 0; \
	DWORD rc_; \
	while ((rc_ = (call)) == FWP_E_TIMEOUT && busy_wait((c), &deadline_, &step_)) \
		; \
	return rc_; \
} while (0)

DWORD client_txn_begin(struct fwp_client *c, UINT32 flags)
{
	RETRY_WHILE_BUSY(c, c->ops->txn_begin(c, flags));
}

DWORD client_pol_add(struct fwp_client *c, enum pol_kind k, const void *obj,
		     const void *sd, UINT64 *id)
{
	size_t sd_len = sd ? sd_claimed_len(sd) : 0;

	if (!c->ops->pol_add)
		return ERROR_CALL_NOT_IMPLEMENTED;
	if (sd && !sd_len)
		return ERROR_INVALID_SECURITY_DESCR;	/* absolute, or too large */
	RETRY_WHILE_BUSY(c, c->ops->pol_add(c, k, obj, sd, sd_len, id));
}

DWORD client_pol_delete(struct fwp_client *c, enum pol_kind k, const struct pol_ref *ref)
{
	if (!c->ops->pol_delete)
		return ERROR_CALL_NOT_IMPLEMENTED;
	RETRY_WHILE_BUSY(c, c->ops->pol_delete(c, k, ref));
}
