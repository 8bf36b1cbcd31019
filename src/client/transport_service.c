/* transport_service.c - the engine service (fwpd) transport.
 *
 * One SOCK_SEQPACKET connection per engine handle; one call in flight per
 * connection (the io mutex). The calling thread sends its request and reads
 * until its reply arrives, handing any event it meets to the dispatcher, so
 * a call costs one round trip and no thread switch. Once a handle has
 * subscribed (SA-context changes or net events), an event thread reads
 * events between calls.
 *
 * Failures: no service at open gives EPT_S_NOT_REGISTERED; a service gone
 * (EOF, error, or no reply within the call timeout: FWP_TIMEOUT_MS, default
 * 30 s) gives
 * RPC_S_SERVER_UNAVAILABLE now and on every later call; a reply that does
 * not parse gives RPC_S_PROTOCOL_ERROR and closes the connection.
 */
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client/client.h"
#include "client/dispatcher.h"
#include "client/service_path.h"
#include "common/flat.h"
#include "common/log.h"
#include "common/secdesc.h"
#include "engine/net_event.h"
#include "wire/codec.h"
#include "wire/message.h"

#define CALL_TIMEOUT_MS 30000
#define CALL_TIMEOUT_MAX_MS 3600000

/* The bound on connecting, sending and waiting for one reply: FWP_TIMEOUT_MS
 * (1 .. 3600000) when set and valid, else CALL_TIMEOUT_MS. */
static struct timeval call_timeout(void)
{
	const char *v = getenv("FWP_TIMEOUT_MS");
	unsigned long ms = CALL_TIMEOUT_MS;
	char *end;

	if (v && *v >= '0' && *v <= '9') {
		errno = 0;
		ms = strtoul(v, &end, 10);
		if (errno || *end || ms == 0 || ms > CALL_TIMEOUT_MAX_MS)
			ms = CALL_TIMEOUT_MS;
	}
	return (struct timeval){ .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };
}

struct svc {
	struct fwp_client *c;
	int fd;
	pthread_mutex_t io;
	uint32_t seq;
	atomic_bool dead;	/* set by the caller or the event thread */
	unsigned char *rx;		/* FWPD_MSG_MAX + 1 */
	unsigned char *tx;		/* FWPD_MSG_MAX */
	struct msg_attrs reply;		/* the last reply, points into rx */
	pthread_t events;
	bool events_started;
	atomic_bool stop;
};

const char *service_socket_path(void)
{
	const char *p = getenv("FWP_SOCKET");

	return p && *p ? p : FWPD_DEFAULT_SOCKET;
}

#define SVC(c) ((struct svc *)(c)->conn)

static void handle_event(struct svc *s, const struct msg_attrs *m)
{
	FWPX_SA_CONTEXT_EVENT0 ev;
	const struct nlattr *a = m->a[FWPD_A_EVENT];
	struct dispatcher *d = s->c->disp;

	if (!d || !a || mnl_attr_get_payload_len(a) != sizeof(ev))
		return;
	memcpy(&ev, mnl_attr_get_payload(a), sizeof(ev));
	if (ev.eventType == FWPX_SA_CONTEXT_EVENT_DROPPED &&
	    msg_u64(m, FWPD_A_COOKIE, 0) == 0)
		dispatcher_drop_all(d, ev.numDropped);
	else
		dispatcher_post(d, msg_u64(m, FWPD_A_COOKIE, 0), &ev);
}

/* A net event: the record travels raw, so one of another size (another
 * build) or of a type this build does not produce is dropped. */
static void handle_net_event(struct svc *s, const struct msg_attrs *m)
{
	struct fwp_net_event ev;
	const struct nlattr *a = m->a[FWPD_A_NET_EVENT];
	struct dispatcher *d = s->c->disp;

	if (!d || !a || mnl_attr_get_payload_len(a) != sizeof(ev))
		return;
	memcpy(&ev, mnl_attr_get_payload(a), sizeof(ev));
	if (net_event_valid(&ev))
		dispatcher_post_net(d, msg_u64(m, FWPD_A_COOKIE, 0), &ev);
}

/* A policy-object change: raw too; a kind or type this build does not
 * know is dropped (the dispatcher also checks the kind is the
 * subscription's). */
static void handle_change(struct svc *s, const struct msg_attrs *m)
{
	struct fwp_pol_change ch;
	const struct nlattr *a = m->a[FWPD_A_CHANGE];
	struct dispatcher *d = s->c->disp;

	if (!d || !a || mnl_attr_get_payload_len(a) != sizeof(ch))
		return;
	memcpy(&ch, mnl_attr_get_payload(a), sizeof(ch));
	if (ch.kind < POL_NKINDS &&
	    (ch.change_type == FWPM_CHANGE_ADD || ch.change_type == FWPM_CHANGE_DELETE))
		dispatcher_post_change(d, msg_u64(m, FWPD_A_COOKIE, 0), &ch);
}

/* Hands a message the service pushed to the dispatcher; false when the
 * message is not a push (a reply). */
static bool handle_push(struct svc *s, uint16_t type)
{
	if (type == FWPD_MSG_EVENT)
		handle_event(s, &s->reply);
	else if (type == FWPD_MSG_NET_EVENT)
		handle_net_event(s, &s->reply);
	else if (type == FWPD_MSG_CHANGE)
		handle_change(s, &s->reply);
	else
		return false;
	return true;
}

/* Receives one message into s->rx; its type, or a result code (>= 0x10000
 * never collides with message types) on failure. */
#define RX_FAIL(code) (0x10000 | (code))

static DWORD recv_one(struct svc *s, int flags, uint16_t *type)
{
	ssize_t n = recv(s->fd, s->rx, FWPD_MSG_MAX + 1, flags | MSG_TRUNC);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && (flags & MSG_DONTWAIT))
		return ERROR_NO_MORE_ITEMS;
	if (n <= 0) {
		s->dead = true;
		return RPC_S_SERVER_UNAVAILABLE;
	}
	if (n > FWPD_MSG_MAX || msg_parse(s->rx, (size_t)n, &s->reply)) {
		s->dead = true;
		shutdown(s->fd, SHUT_RDWR);
		return RPC_S_PROTOCOL_ERROR;
	}
	*type = s->reply.nlh->nlmsg_type;
	return ERROR_SUCCESS;
}

/* Sends the request in s->tx and waits for its reply. On ERROR_SUCCESS the
 * io lock is HELD and s->reply is the reply: finish with svc_end(). */
static DWORD svc_call(struct svc *s, struct nlmsghdr *req, DWORD *result)
{
	uint32_t seq;
	uint16_t type;
	DWORD rc;

	if (s->dead) {
		pthread_mutex_unlock(&s->io);
		return RPC_S_SERVER_UNAVAILABLE;
	}
	seq = req->nlmsg_seq;
	if (send(s->fd, req, req->nlmsg_len, MSG_NOSIGNAL) != (ssize_t)req->nlmsg_len) {
		s->dead = true;
		explicit_bzero(s->tx, req->nlmsg_len);
		pthread_mutex_unlock(&s->io);
		return RPC_S_SERVER_UNAVAILABLE;
	}
	/* Requests may carry keys (AddInbound/AddOutbound). */
	explicit_bzero(s->tx, req->nlmsg_len);
	for (;;) {
		rc = recv_one(s, 0, &type);
		if (rc) {
			pthread_mutex_unlock(&s->io);
			return rc;
		}
		if (handle_push(s, type))
			continue;
		if (type == FWPD_MSG_REPLY && s->reply.nlh->nlmsg_seq == seq)
			break;
	}
	*result = msg_u32(&s->reply, FWPD_A_RESULT, RPC_S_PROTOCOL_ERROR);
	if (*result == RPC_S_PROTOCOL_ERROR) {
		/* The service refused our message; it closes the connection. */
		s->dead = true;
	}
	return ERROR_SUCCESS;
}

static void svc_end(struct svc *s)
{
	pthread_mutex_unlock(&s->io);
}

/* Starts a request: takes the io lock and returns the message to fill. */
static struct nlmsghdr *svc_begin(struct svc *s, uint16_t op)
{
	pthread_mutex_lock(&s->io);
	return msg_start(s->tx, op, ++s->seq);
}

static DWORD encode_error(int err)
{
	switch (err) {
	case -EINVAL:
		return FWP_E_NULL_POINTER;	/* a NULL array or blob with a size */
	case -EOPNOTSUPP:
		return ERROR_NOT_SUPPORTED;
	default:
		return FWP_E_OUT_OF_BOUNDS;	/* does not fit one message */
	}
}

/* Sends a request that returns nothing but its result. */
static DWORD simple_call(struct svc *s, struct nlmsghdr *req)
{
	DWORD result, rc = svc_call(s, req, &result);

	if (rc)
		return rc;
	svc_end(s);
	return result;
}

static void *event_main(void *arg)
{
	struct svc *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		uint16_t type;

		if (poll(&p, 1, 200) <= 0)
			continue;
		/* A call in progress reads its own events: wait for it. */
		pthread_mutex_lock(&s->io);
		while (!s->dead && !atomic_load(&s->stop) &&
		       recv_one(s, MSG_DONTWAIT, &type) == ERROR_SUCCESS)
			handle_push(s, type);
		pthread_mutex_unlock(&s->io);
		if (s->dead)
			break;
	}
	return NULL;
}

static DWORD service_open(struct fwp_client *c, const FWPM_SESSION0 *session)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = service_socket_path();
	struct timeval tv = call_timeout();
	struct nlmsghdr *req;
	struct svc *s;
	DWORD rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return EPT_S_NOT_REGISTERED;
	strcpy(sa.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERROR_NOT_ENOUGH_MEMORY;
	s->c = c;
	s->rx = malloc(FWPD_MSG_MAX + 1);
	s->tx = malloc(FWPD_MSG_MAX);
	pthread_mutex_init(&s->io, NULL);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (!s->rx || !s->tx || s->fd < 0) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		goto err;
	}
	/* Every call has a bound: a service that stops answering is gone.
	 * Set before connect(), which waits on a full backlog. */
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		/* No engine service (Windows: BFE stopped), unless the socket
		 * exists and we may not use it. */
		rc = errno == EACCES || errno == EPERM ? ERROR_ACCESS_DENIED
						       : EPT_S_NOT_REGISTERED;
		goto err;
	}
	c->conn = s;
	req = svc_begin(s, FWPD_OP_OPEN);
	msg_put_u32(req, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	if (session && wf_put(req, FWPD_MSG_MAX, FWPD_A_SESSION, &wf_FWPM_SESSION0, session)) {
		svc_end(s);
		rc = FWP_E_OUT_OF_BOUNDS;
		goto err;
	}
	rc = simple_call(s, req);
	if (rc == ERROR_SUCCESS)
		return rc;
err:
	c->conn = NULL;
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->io);
	free(s->rx);
	free(s->tx);
	free(s);
	return rc;
}

static void service_close(struct fwp_client *c)
{
	struct svc *s = SVC(c);

	if (!s)
		return;
	atomic_store(&s->stop, true);
	/* Closing the connection ends the session in the service. */
	shutdown(s->fd, SHUT_RDWR);
	if (s->events_started)
		pthread_join(s->events, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->io);
	free(s->rx);
	free(s->tx);
	free(s);
	c->conn = NULL;
}

static DWORD op_u32(struct fwp_client *c, uint16_t op, uint16_t attr, uint32_t v)
{
	struct nlmsghdr *req = svc_begin(SVC(c), op);

	msg_put_u32(req, attr, v);
	return simple_call(SVC(c), req);
}

static DWORD op_u64(struct fwp_client *c, uint16_t op, uint16_t attr, uint64_t v)
{
	struct nlmsghdr *req = svc_begin(SVC(c), op);

	msg_put_u64(req, attr, v);
	return simple_call(SVC(c), req);
}

static DWORD svc_txn_begin(struct fwp_client *c, UINT32 flags)
{
	return op_u32(c, FWPD_OP_TXN_BEGIN, FWPD_A_FLAGS, flags);
}

static DWORD svc_txn_commit(struct fwp_client *c)
{
	return simple_call(SVC(c), svc_begin(SVC(c), FWPD_OP_TXN_COMMIT));
}

static DWORD svc_txn_abort(struct fwp_client *c)
{
	return simple_call(SVC(c), svc_begin(SVC(c), FWPD_OP_TXN_ABORT));
}

/* Puts an optional struct argument; returns a result code. */
static DWORD put_arg(struct nlmsghdr *req, uint16_t type, const struct wf_struct *sd,
		     const void *p)
{
	int err = p ? wf_put(req, FWPD_MSG_MAX, type, sd, p) : 0;

	return err ? encode_error(err) : ERROR_SUCCESS;
}

static DWORD svc_sa_create(struct fwp_client *c, const IPSEC_TRAFFIC1 *t,
			   const IPSEC_VIRTUAL_IF_TUNNEL_INFO0 *vif, UINT64 *fid, UINT64 *id)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!id)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, FWPD_OP_SA_CREATE);
	if ((rc = put_arg(req, FWPD_A_TRAFFIC, &wf_IPSEC_TRAFFIC1, t)) ||
	    (rc = put_arg(req, FWPD_A_VIF, &wf_IPSEC_VIRTUAL_IF_TUNNEL_INFO0, vif))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS) {
		*id = msg_u64(&s->reply, FWPD_A_ID, 0);
		if (fid)
			*fid = msg_u64(&s->reply, FWPD_A_FILTER_ID, 0);
	}
	svc_end(s);
	return result;
}

static DWORD svc_spi(struct fwp_client *c, uint16_t op, UINT64 id,
		     const IPSEC_GETSPI1 *g, IPSEC_SA_SPI *spi)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!spi)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, op);
	msg_put_u64(req, FWPD_A_ID, id);
	msg_put_u32(req, FWPD_A_SPI, *spi);
	if ((rc = put_arg(req, FWPD_A_GETSPI, &wf_IPSEC_GETSPI1, g))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS && op == FWPD_OP_SA_GET_SPI)
		*spi = msg_u32(&s->reply, FWPD_A_SPI, 0);
	svc_end(s);
	return result;
}

static DWORD svc_sa_get_spi(struct fwp_client *c, UINT64 id, const IPSEC_GETSPI1 *g,
			    IPSEC_SA_SPI *spi)
{
	return svc_spi(c, FWPD_OP_SA_GET_SPI, id, g, spi);
}

static DWORD svc_sa_set_spi(struct fwp_client *c, UINT64 id, const IPSEC_GETSPI1 *g,
			    IPSEC_SA_SPI spi)
{
	return svc_spi(c, FWPD_OP_SA_SET_SPI, id, g, &spi);
}

/* The counts the encoder must trust are checked first, with the engine's
 * own codes, so that a bad count is never followed into memory. */
static DWORD precheck_bundle(const IPSEC_SA_BUNDLE1 *b)
{
	if (!b)
		return ERROR_SUCCESS;
	if (b->numSAs != 1 && b->numSAs != 2)
		return FWP_E_INVALID_PARAMETER;
	if (!b->saList)
		return FWP_E_NULL_POINTER;
	if (b->ipsecId && b->ipsecId->numTokens > 64)
		return FWP_E_OUT_OF_BOUNDS;
	if (b->keyModuleState && b->keyModuleState->stateBlob.size > 4096)
		return FWP_E_OUT_OF_BOUNDS;
	return ERROR_SUCCESS;
}

static DWORD svc_sa_add(struct fwp_client *c, UINT64 id, FWP_DIRECTION dir,
			const IPSEC_SA_BUNDLE1 *b)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc = precheck_bundle(b);

	if (rc)
		return rc;
	req = svc_begin(s, FWPD_OP_SA_ADD);
	msg_put_u64(req, FWPD_A_ID, id);
	msg_put_u32(req, FWPD_A_DIRECTION, (uint32_t)dir);
	rc = put_arg(req, FWPD_A_BUNDLE, &wf_IPSEC_SA_BUNDLE1, b);
	if (rc) {
		/* Keys may already be in the buffer. */
		explicit_bzero(s->tx, FWPD_MSG_MAX);
		svc_end(s);
		return rc;
	}
	return simple_call(s, req);
}

/* One side of Update0 as an IPSEC_SA_DETAILS1 with only the fields the
 * flags name (the service reads no other), so the codec alone decodes it. */
static DWORD put_update_side(struct nlmsghdr *req, uint16_t type, UINT64 flags,
			     const IPSEC_SA_DETAILS1 *d)
{
	const IPSEC_SA_BUNDLE1 *b = &d->saBundle;
	IPSEC_SA_DETAILS1 side;

	memset(&side, 0, sizeof(side));
	if (flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC)
		side.traffic = d->traffic;
	if (flags & IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION)
		side.udpEncapsulation = d->udpEncapsulation;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_FLAGS)
		side.saBundle.flags = b->flags;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT)
		side.saBundle.napContext = b->napContext;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_PEER_V4_PRIVATE_ADDRESS)
		side.saBundle.peerV4PrivateAddress = b->peerV4PrivateAddress;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID)
		side.saBundle.mmSaId = b->mmSaId;
	if (flags & IPSEC_SA_BUNDLE_UPDATE_KEY_MODULE_STATE) {
		if (b->keyModuleState && b->keyModuleState->stateBlob.size > 4096)
			return FWP_E_OUT_OF_BOUNDS;
		side.saBundle.keyModuleState = b->keyModuleState;
	}
	return put_arg(req, type, &wf_IPSEC_SA_DETAILS1, &side);
}

static DWORD svc_sa_update(struct fwp_client *c, UINT64 flags, const IPSEC_SA_CONTEXT1 *v)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc = ERROR_SUCCESS;

	if (!v)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, FWPD_OP_SA_UPDATE);
	msg_put_u64(req, FWPD_A_ID, v->saContextId);
	msg_put_u64(req, FWPD_A_FLAGS, flags);
	if (v->inboundSa)
		rc = put_update_side(req, FWPD_A_UPDATE_IN, flags, v->inboundSa);
	if (!rc && v->outboundSa)
		rc = put_update_side(req, FWPD_A_UPDATE_OUT, flags, v->outboundSa);
	if (rc) {
		svc_end(s);
		return rc;
	}
	return simple_call(s, req);
}

/* Decodes reply attribute `a` as a new single allocation. */
static DWORD decode_result(const struct nlattr *a, const struct wf_struct *sd, void **out)
{
	if (!a)
		return RPC_S_PROTOCOL_ERROR;
	switch (wf_decode(sd, a, out, NULL)) {
	case 0:
		return ERROR_SUCCESS;
	case -ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	default:
		return RPC_S_PROTOCOL_ERROR;
	}
}

static DWORD svc_sa_get(struct fwp_client *c, UINT64 id, IPSEC_SA_CONTEXT1 **out)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!out)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, FWPD_OP_SA_GET);
	msg_put_u64(req, FWPD_A_ID, id);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS)
		result = decode_result(s->reply.a[FWPD_A_CONTEXT], &wf_IPSEC_SA_CONTEXT1,
				       (void **)out);
	svc_end(s);
	return result;
}

static DWORD svc_sa_delete(struct fwp_client *c, UINT64 id)
{
	return op_u64(c, FWPD_OP_SA_DELETE, FWPD_A_ID, id);
}

static DWORD svc_sa_expire(struct fwp_client *c, UINT64 id)
{
	return op_u64(c, FWPD_OP_SA_EXPIRE, FWPD_A_ID, id);
}

/* kind: a policy object kind, or -1 for the other enumerations. */
static DWORD enum_create_kind(struct fwp_client *c, uint16_t op, int kind, uint16_t attr,
			      const struct wf_struct *sd, const void *tmpl, uint64_t *h)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req = svc_begin(s, op);
	DWORD rc, result;

	if (kind >= 0)
		msg_put_u32(req, FWPD_A_KIND, (uint32_t)kind);
	if ((rc = put_arg(req, attr, sd, tmpl))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS)
		*h = msg_u64(&s->reply, FWPD_A_HANDLE, 0);
	svc_end(s);
	return result;
}

static DWORD enum_create(struct fwp_client *c, uint16_t op, uint16_t attr,
			 const struct wf_struct *sd, const void *tmpl, uint64_t *h)
{
	return enum_create_kind(c, op, -1, attr, sd, tmpl, h);
}

static DWORD svc_sa_enum_create(struct fwp_client *c,
				const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t, uint64_t *h)
{
	return enum_create(c, FWPD_OP_SA_ENUM_CREATE, FWPD_A_CTX_TEMPLATE,
			   &wf_IPSEC_SA_CONTEXT_ENUM_TEMPLATE0, t, h);
}

static DWORD svc_sad_enum_create(struct fwp_client *c, const IPSEC_SA_ENUM_TEMPLATE0 *t,
				 uint64_t *h)
{
	return enum_create(c, FWPD_OP_SAD_ENUM_CREATE, FWPD_A_SA_TEMPLATE,
			   &wf_IPSEC_SA_ENUM_TEMPLATE0, t, h);
}

/* Saved reply pages of one enumeration call. */
struct pages {
	unsigned char **buf;
	size_t n;
};

static void pages_free(struct pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->buf[i]);
	free(p->buf);
}

/* Builds the single-allocation array of every FWPD_A_ENTRY in the pages. */
static void *pages_decode(const struct pages *p, const struct wf_struct *sd, UINT32 total)
{
	struct flat f;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		void **arr = FLAT_ARRAY(&f, void *, total);
		UINT32 i = 0;

		for (size_t k = 0; arr && k < p->n; k++) {
			const struct nlmsghdr *nlh = (const void *)p->buf[k];
			const struct nlattr *a;

			mnl_attr_for_each(a, nlh, 0) {
				void *e;

				if (mnl_attr_get_type(a) != FWPD_A_ENTRY || i >= total)
					continue;
				e = flat_take(&f, sd->size, sd->align);
				arr[i++] = e;
				if (!e || wf_decode_into(&f, sd, a, e)) {
					flat_abort(&f);
					return NULL;
				}
			}
		}
		if (pass == 0 && flat_end_measure(&f))
			return NULL;
	}
	return flat_end(&f);
}

/* kind: a policy object kind, or -1 for the other enumerations. */
static DWORD enum_next_kind(struct fwp_client *c, uint16_t op, int kind,
			    const struct wf_struct *sd, uint64_t h, UINT32 want,
			    void ***entries, UINT32 *returned)
{
	struct svc *s = SVC(c);
	struct pages pages = { NULL, 0 };
	UINT32 got = 0;
	DWORD rc = ERROR_SUCCESS, result = ERROR_SUCCESS;

	if (!entries || !returned)
		return FWP_E_NULL_POINTER;
	/* Pages until `want` entries or the end: fewer than asked means the
	 * end to a Windows caller. */
	while (got < want) {
		struct nlmsghdr *req = svc_begin(s, op);
		unsigned char **grown;
		bool more;
		unsigned n;

		msg_put_u64(req, FWPD_A_HANDLE, h);
		msg_put_u32(req, FWPD_A_COUNT, want - got);
		if (kind >= 0)
			msg_put_u32(req, FWPD_A_KIND, (uint32_t)kind);
		rc = svc_call(s, req, &result);
		if (rc)
			break;
		if (result != ERROR_SUCCESS) {
			svc_end(s);
			break;
		}
		n = s->reply.nentries;
		more = msg_u32(&s->reply, FWPD_A_MORE, 0) != 0;
		grown = realloc(pages.buf, (pages.n + 1) * sizeof(*grown));
		if (grown)
			pages.buf = grown;
		if (!grown || !(pages.buf[pages.n] = malloc(s->reply.nlh->nlmsg_len))) {
			svc_end(s);
			result = ERROR_NOT_ENOUGH_MEMORY;
			break;
		}
		memcpy(pages.buf[pages.n++], s->reply.nlh, s->reply.nlh->nlmsg_len);
		svc_end(s);
		got += n;
		if (!more || n == 0)
			break;
	}
	if (rc == ERROR_SUCCESS && result == ERROR_SUCCESS) {
		*entries = NULL;
		if (got) {
			*entries = pages_decode(&pages, sd, got);
			if (!*entries)
				result = RPC_S_PROTOCOL_ERROR;
		}
		if (result == ERROR_SUCCESS)
			*returned = got;
	}
	pages_free(&pages);
	return rc ? rc : result;
}

static DWORD enum_next(struct fwp_client *c, uint16_t op, const struct wf_struct *sd,
		       uint64_t h, UINT32 want, void ***entries, UINT32 *returned)
{
	return enum_next_kind(c, op, -1, sd, h, want, entries, returned);
}

static DWORD svc_sa_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			 IPSEC_SA_CONTEXT1 ***entries, UINT32 *n)
{
	return enum_next(c, FWPD_OP_SA_ENUM, &wf_IPSEC_SA_CONTEXT1, h, want,
			 (void ***)entries, n);
}

static DWORD svc_sad_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			  IPSEC_SA_DETAILS1 ***entries, UINT32 *n)
{
	return enum_next(c, FWPD_OP_SAD_ENUM, &wf_IPSEC_SA_DETAILS1, h, want,
			 (void ***)entries, n);
}

static DWORD svc_session_enum_create(struct fwp_client *c, uint64_t *h)
{
	return enum_create(c, FWPD_OP_SESSION_ENUM_CREATE, FWPD_A_UNSPEC, NULL, NULL, h);
}

static DWORD svc_session_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			      FWPM_SESSION0 ***entries, UINT32 *n)
{
	return enum_next(c, FWPD_OP_SESSION_ENUM, &wf_FWPM_SESSION0, h, want,
			 (void ***)entries, n);
}

static DWORD svc_session_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return op_u64(c, FWPD_OP_SESSION_ENUM_DESTROY, FWPD_A_HANDLE, h);
}

static DWORD svc_sa_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return op_u64(c, FWPD_OP_SA_ENUM_DESTROY, FWPD_A_HANDLE, h);
}

static DWORD svc_sad_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return op_u64(c, FWPD_OP_SAD_ENUM_DESTROY, FWPD_A_HANDLE, h);
}

/* Events may arrive between calls once a subscription exists: an event
 * thread reads them (io lock held). */
static void start_events(struct svc *s)
{
	if (!s->events_started && pthread_create(&s->events, NULL, event_main, s) == 0)
		s->events_started = true;
}

static DWORD svc_subscribe(struct fwp_client *c, const IPSEC_SA_CONTEXT_SUBSCRIPTION0 *sub,
			   UINT32 mask, uint64_t cookie, uint64_t *h)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	req = svc_begin(s, FWPD_OP_SUBSCRIBE);
	msg_put_u32(req, FWPD_A_MASK, mask);
	msg_put_u64(req, FWPD_A_COOKIE, cookie);
	if ((rc = put_arg(req, FWPD_A_SUBSCRIPTION, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, sub))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS) {
		*h = msg_u64(&s->reply, FWPD_A_HANDLE, 0);
		start_events(s);
	}
	svc_end(s);
	return result;
}

static DWORD svc_unsubscribe(struct fwp_client *c, uint64_t h)
{
	return op_u64(c, FWPD_OP_UNSUBSCRIBE, FWPD_A_HANDLE, h);
}

static DWORD svc_net_subscribe(struct fwp_client *c, const FWPM_NET_EVENT_SUBSCRIPTION0 *sub,
			       uint64_t cookie, uint64_t *h)
{
	struct svc *s = SVC(c);
	FWPM_NET_EVENT_SUBSCRIPTION0 copy;
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t;
	struct nlmsghdr *req;
	DWORD rc, result;

	if (sub && sub->enumTemplate) {
		/* The engine decides on the first six conditions at most (a
		 * sixth repeats a field), so a count beyond that is never
		 * followed into the caller's memory. */
		copy = *sub;
		t = *sub->enumTemplate;
		if (t.numFilterConditions > NET_EVENT_MAX_CONDITIONS + 1)
			t.numFilterConditions = NET_EVENT_MAX_CONDITIONS + 1;
		copy.enumTemplate = &t;
		sub = &copy;
	}
	req = svc_begin(s, FWPD_OP_NET_SUBSCRIBE);
	msg_put_u64(req, FWPD_A_COOKIE, cookie);
	if ((rc = put_arg(req, FWPD_A_NET_SUBSCRIPTION, &wf_FWPM_NET_EVENT_SUBSCRIPTION0, sub))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS) {
		*h = msg_u64(&s->reply, FWPD_A_HANDLE, 0);
		start_events(s);
	}
	svc_end(s);
	return result;
}

static DWORD svc_net_unsubscribe(struct fwp_client *c, uint64_t h)
{
	return op_u64(c, FWPD_OP_NET_UNSUBSCRIBE, FWPD_A_HANDLE, h);
}

static DWORD svc_subscriptions_get(struct fwp_client *c,
				   IPSEC_SA_CONTEXT_SUBSCRIPTION0 ***entries, UINT32 *count)
{
	struct svc *s = SVC(c);
	struct pages pages = { NULL, 0 };
	DWORD rc, result;

	if (!entries || !count)
		return FWP_E_NULL_POINTER;
	rc = svc_call(s, svc_begin(s, FWPD_OP_SUBSCRIPTIONS_GET), &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS) {
		unsigned char *copy = malloc(s->reply.nlh->nlmsg_len);
		UINT32 n = s->reply.nentries;

		if (!copy) {
			result = ERROR_NOT_ENOUGH_MEMORY;
		} else {
			memcpy(copy, s->reply.nlh, s->reply.nlh->nlmsg_len);
			pages.buf = &copy;
			pages.n = 1;
			*entries = n ? pages_decode(&pages, &wf_IPSEC_SA_CONTEXT_SUBSCRIPTION0, n)
				     : NULL;
			if (n && !*entries)
				result = RPC_S_PROTOCOL_ERROR;
			else
				*count = n;
			free(copy);
		}
	}
	svc_end(s);
	return result;
}

/* One STATISTICS call; its reply carries IPSEC_STATISTICS1 (FWPD_A_STATS)
 * and FWPX_STATISTICS0 (FWPD_A_STATS_EXT): copies the one asked for,
 * whose size msg_parse has checked. */
static DWORD stats_call(struct fwp_client *c, uint16_t attr, void *out, size_t size)
{
	struct svc *s = SVC(c);
	const struct nlattr *a;
	DWORD rc, result;

	if (!out)
		return FWP_E_NULL_POINTER;
	rc = svc_call(s, svc_begin(s, FWPD_OP_STATISTICS), &result);
	if (rc)
		return rc;
	a = s->reply.a[attr];
	if (result == ERROR_SUCCESS) {
		if (a && mnl_attr_get_payload_len(a) == size)
			memcpy(out, mnl_attr_get_payload(a), size);
		else
			result = RPC_S_PROTOCOL_ERROR;
	}
	svc_end(s);
	return result;
}

static DWORD svc_statistics(struct fwp_client *c, IPSEC_STATISTICS1 *out)
{
	return stats_call(c, FWPD_A_STATS, out, sizeof(*out));
}

/* FwpxGetStatistics0: the same operation, the other attribute. */
static DWORD svc_ext_statistics(struct fwp_client *c, FWPX_STATISTICS0 *out)
{
	return stats_call(c, FWPD_A_STATS_EXT, out, sizeof(*out));
}

static DWORD svc_set_drain(struct fwp_client *c, UINT32 ms)
{
	return op_u32(c, FWPD_OP_SET_DRAIN, FWPD_A_MS, ms);
}

static DWORD svc_get_drain(struct fwp_client *c, UINT32 *ms)
{
	struct svc *s = SVC(c);
	DWORD rc, result;

	if (!ms)
		return FWP_E_NULL_POINTER;
	rc = svc_call(s, svc_begin(s, FWPD_OP_GET_DRAIN), &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS)
		*ms = msg_u32(&s->reply, FWPD_A_MS, 0);
	svc_end(s);
	return result;
}

/* The service always answers both directions (msg_parse checked their
 * size); the caller gets what it asked for, nothing when one is missing. */
static DWORD svc_sa_counters(struct fwp_client *c, UINT64 id,
			     FWPX_SA_COUNTERS0 *in, FWPX_SA_COUNTERS0 *out)
{
	struct svc *s = SVC(c);
	const struct nlattr *a_in, *a_out;
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!in && !out)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, FWPD_OP_SA_COUNTERS);
	msg_put_u64(req, FWPD_A_ID, id);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	a_in = s->reply.a[FWPD_A_COUNTERS_IN];
	a_out = s->reply.a[FWPD_A_COUNTERS_OUT];
	if (result == ERROR_SUCCESS && (!a_in || !a_out))
		result = RPC_S_PROTOCOL_ERROR;
	if (result == ERROR_SUCCESS && in)
		memcpy(in, mnl_attr_get_payload(a_in), sizeof(*in));
	if (result == ERROR_SUCCESS && out)
		memcpy(out, mnl_attr_get_payload(a_out), sizeof(*out));
	svc_end(s);
	return result;
}

static DWORD svc_sa_info(struct fwp_client *c, UINT64 id, FWPX_SA_CONTEXT_INFO0 *info)
{
	struct svc *s = SVC(c);
	const struct nlattr *a;
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!info)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, FWPD_OP_SA_INFO);
	msg_put_u64(req, FWPD_A_ID, id);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	a = s->reply.a[FWPD_A_SA_INFO];
	if (result == ERROR_SUCCESS) {
		if (a)
			memcpy(info, mnl_attr_get_payload(a), sizeof(*info));
		else
			result = RPC_S_PROTOCOL_ERROR;
	}
	svc_end(s);
	return result;
}

/* Policy objects: the kind travels with every call; objects and templates
 * use the schema of their kind. */
static bool pol_kind_ok(enum pol_kind k)
{
	return (unsigned)k < WF_POL_KINDS;
}

/* A descriptor the service's attribute policy refuses would end the
 * connection: refuse it here with the engine's code instead. */
static DWORD put_sd(struct nlmsghdr *req, const void *sd, size_t len)
{
	struct sd_view v;

	if (sd_parse(sd, len, &v))
		return ERROR_INVALID_SECURITY_DESCR;
	return msg_put_raw(req, FWPD_A_SD, sd, len) ? ERROR_SUCCESS : ERROR_NOT_ENOUGH_MEMORY;
}

static DWORD svc_pol_add(struct fwp_client *c, enum pol_kind k, const void *obj,
			 const void *sd, size_t sd_len, UINT64 *id)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(s, FWPD_OP_POL_ADD);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	if ((rc = put_arg(req, FWPD_A_OBJECT, wf_pol_object[k], obj)) ||
	    (sd && (rc = put_sd(req, sd, sd_len)))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS && id)
		*id = msg_u64(&s->reply, FWPD_A_ID, 0);
	svc_end(s);
	return result;
}

static void put_ref(struct nlmsghdr *req, const struct pol_ref *ref)
{
	msg_put_u32(req, FWPD_A_FLAGS, ref->by_key ? 1 : 0);
	if (ref->by_key && ref->key)
		msg_put_raw(req, FWPD_A_KEY, ref->key, sizeof(GUID));
	msg_put_u64(req, FWPD_A_ID, ref->id);
}

static DWORD svc_pol_delete(struct fwp_client *c, enum pol_kind k, const struct pol_ref *ref)
{
	struct nlmsghdr *req;

	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(SVC(c), FWPD_OP_POL_DELETE);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	put_ref(req, ref);
	return simple_call(SVC(c), req);
}

static DWORD svc_pol_get(struct fwp_client *c, enum pol_kind k, const struct pol_ref *ref,
			 void **out)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!out)
		return FWP_E_NULL_POINTER;
	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(s, FWPD_OP_POL_GET);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	put_ref(req, ref);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS)
		result = decode_result(s->reply.a[FWPD_A_OBJECT], wf_pol_object[k], out);
	svc_end(s);
	return result;
}

static DWORD svc_pol_enum_create(struct fwp_client *c, enum pol_kind k, const void *tmpl,
				 uint64_t *h)
{
	if (!h)
		return FWP_E_NULL_POINTER;
	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	return enum_create_kind(c, FWPD_OP_POL_ENUM_CREATE, (int)k, FWPD_A_POL_TEMPLATE,
				wf_pol_template[k], tmpl, h);
}

static DWORD svc_pol_enum(struct fwp_client *c, enum pol_kind k, uint64_t h, UINT32 want,
			  void ***entries, UINT32 *returned)
{
	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	return enum_next_kind(c, FWPD_OP_POL_ENUM, (int)k, wf_pol_object[k], h, want,
			      entries, returned);
}

static DWORD svc_pol_enum_destroy(struct fwp_client *c, enum pol_kind k, uint64_t h)
{
	struct nlmsghdr *req;

	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(SVC(c), FWPD_OP_POL_ENUM_DESTROY);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	msg_put_u64(req, FWPD_A_HANDLE, h);
	return simple_call(SVC(c), req);
}

static DWORD svc_option_get(struct fwp_client *c, UINT32 option, FWP_VALUE0 **v)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!v)
		return FWP_E_NULL_POINTER;
	req = svc_begin(s, FWPD_OP_OPTION_GET);
	msg_put_u32(req, FWPD_A_OPTION, option);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS)
		result = decode_result(s->reply.a[FWPD_A_VALUE], &wf_FWP_VALUE0, (void **)v);
	svc_end(s);
	return result;
}

static DWORD svc_option_set(struct fwp_client *c, UINT32 option, const FWP_VALUE0 *v)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req = svc_begin(s, FWPD_OP_OPTION_SET);
	DWORD rc;

	msg_put_u32(req, FWPD_A_OPTION, option);
	if ((rc = put_arg(req, FWPD_A_VALUE, &wf_FWP_VALUE0, v))) {
		svc_end(s);
		return rc;
	}
	return simple_call(s, req);
}

static void put_sd_target(struct nlmsghdr *req, int target, const struct pol_ref *ref,
			  UINT32 info)
{
	msg_put_u32(req, FWPD_A_SD_TARGET, (uint32_t)target);
	if (ref && ref->key)
		msg_put_raw(req, FWPD_A_KEY, ref->key, sizeof(GUID));
	msg_put_u32(req, FWPD_A_SECINFO, info);
}

/* The reply's descriptor is checked as strictly as a request's. */
static DWORD svc_sd_get(struct fwp_client *c, int target, const struct pol_ref *ref,
			UINT32 info, void **sd, size_t *len)
{
	struct svc *s = SVC(c);
	const struct nlattr *a;
	struct nlmsghdr *req;
	struct sd_view v;
	DWORD rc, result;

	if (!sd || !len)
		return FWP_E_NULL_POINTER;
	*sd = NULL;
	req = svc_begin(s, FWPD_OP_SD_GET);
	put_sd_target(req, target, ref, info);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	a = s->reply.a[FWPD_A_SD];
	if (result == ERROR_SUCCESS) {
		if (!a || sd_parse(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), &v))
			result = RPC_S_PROTOCOL_ERROR;
		else if (!(*sd = malloc(mnl_attr_get_payload_len(a))))
			result = ERROR_NOT_ENOUGH_MEMORY;
		else {
			*len = mnl_attr_get_payload_len(a);
			memcpy(*sd, mnl_attr_get_payload(a), *len);
		}
	}
	svc_end(s);
	return result;
}

static DWORD svc_sd_set(struct fwp_client *c, int target, const struct pol_ref *ref,
			UINT32 info, const void *sd, size_t len)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req = svc_begin(s, FWPD_OP_SD_SET);
	DWORD rc;

	put_sd_target(req, target, ref, info);
	if (sd && (rc = put_sd(req, sd, len))) {
		svc_end(s);
		return rc;
	}
	return simple_call(s, req);
}

static DWORD svc_net_enum_create(struct fwp_client *c,
				 const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t, uint64_t *h)
{
	FWPM_NET_EVENT_ENUM_TEMPLATE0 copy;

	if (!h)
		return FWP_E_NULL_POINTER;
	if (t && t->numFilterConditions > NET_EVENT_MAX_CONDITIONS + 1) {
		copy = *t;	/* as svc_net_subscribe: never read past six */
		copy.numFilterConditions = NET_EVENT_MAX_CONDITIONS + 1;
		t = &copy;
	}
	return enum_create(c, FWPD_OP_NET_ENUM_CREATE, FWPD_A_NET_TEMPLATE,
			   &wf_FWPM_NET_EVENT_ENUM_TEMPLATE0, t, h);
}

/* Records from the service are checked like pushed ones. */
static DWORD svc_net_enum(struct fwp_client *c, uint64_t h, UINT32 want,
			  struct fwp_net_event ***entries, UINT32 *n)
{
	DWORD rc = enum_next(c, FWPD_OP_NET_ENUM, &wf_WF_NET_EVENT_RECORD, h, want,
			     (void ***)entries, n);

	for (UINT32 i = 0; rc == ERROR_SUCCESS && i < *n; i++) {
		if (!net_event_valid((*entries)[i])) {
			free(*entries);
			*entries = NULL;
			*n = 0;
			rc = RPC_S_PROTOCOL_ERROR;
		}
	}
	return rc;
}

static DWORD svc_net_enum_destroy(struct fwp_client *c, uint64_t h)
{
	return op_u64(c, FWPD_OP_NET_ENUM_DESTROY, FWPD_A_HANDLE, h);
}

/* ---- object-change subscriptions ---- */

static DWORD svc_change_subscribe(struct fwp_client *c, enum pol_kind k, const void *tmpl,
				  UINT32 flags, uint64_t cookie, uint64_t *h)
{
	struct svc *s = SVC(c);
	/* Every kind's subscription has this layout (fwpmtypes.h). */
	FWPM_FILTER_SUBSCRIPTION0 sub = {
		.enumTemplate = (FWPM_FILTER_ENUM_TEMPLATE0 *)tmpl, .flags = flags,
	};
	struct nlmsghdr *req;
	DWORD rc, result;

	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(s, FWPD_OP_CHANGE_SUBSCRIBE);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	msg_put_u64(req, FWPD_A_COOKIE, cookie);
	if ((rc = put_arg(req, FWPD_A_CHANGE_SUBSCRIPTION, wf_pol_subscription[k], &sub))) {
		svc_end(s);
		return rc;
	}
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result == ERROR_SUCCESS) {
		*h = msg_u64(&s->reply, FWPD_A_HANDLE, 0);
		start_events(s);
	}
	svc_end(s);
	return result;
}

static DWORD svc_change_unsubscribe(struct fwp_client *c, enum pol_kind k, uint64_t h)
{
	struct nlmsghdr *req;

	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(SVC(c), FWPD_OP_CHANGE_UNSUBSCRIBE);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	msg_put_u64(req, FWPD_A_HANDLE, h);
	return simple_call(SVC(c), req);
}

static DWORD svc_change_subscriptions_get(struct fwp_client *c, enum pol_kind k,
					  void ***entries, UINT32 *count)
{
	struct svc *s = SVC(c);
	struct nlmsghdr *req;
	unsigned char *copy;
	DWORD rc, result;
	UINT32 n;

	if (!entries || !count)
		return FWP_E_NULL_POINTER;
	if (!pol_kind_ok(k))
		return FWP_E_INVALID_PARAMETER;
	req = svc_begin(s, FWPD_OP_CHANGE_SUBSCRIPTIONS_GET);
	msg_put_u32(req, FWPD_A_KIND, (uint32_t)k);
	rc = svc_call(s, req, &result);
	if (rc)
		return rc;
	if (result != ERROR_SUCCESS)
		goto out;
	n = s->reply.nentries;
	*entries = NULL;
	*count = 0;
	if (!n)
		goto out;
	copy = malloc(s->reply.nlh->nlmsg_len);
	if (!copy) {
		result = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	memcpy(copy, s->reply.nlh, s->reply.nlh->nlmsg_len);
	*entries = pages_decode(&(struct pages){ &copy, 1 }, wf_pol_subscription[k], n);
	free(copy);
	if (!*entries)
		result = RPC_S_PROTOCOL_ERROR;
	else
		*count = n;
out:
	svc_end(s);
	return result;
}

const struct transport_ops transport_service = {
	.name = "service",
	.open = service_open,
	.close = service_close,
	.session_enum_create = svc_session_enum_create,
	.session_enum = svc_session_enum,
	.session_enum_destroy = svc_session_enum_destroy,
	.txn_begin = svc_txn_begin,
	.txn_commit = svc_txn_commit,
	.txn_abort = svc_txn_abort,
	.sa_create = svc_sa_create,
	.sa_get_spi = svc_sa_get_spi,
	.sa_set_spi = svc_sa_set_spi,
	.sa_add = svc_sa_add,
	.sa_update = svc_sa_update,
	.sa_get = svc_sa_get,
	.sa_delete = svc_sa_delete,
	.sa_expire = svc_sa_expire,
	.sa_enum_create = svc_sa_enum_create,
	.sa_enum = svc_sa_enum,
	.sa_enum_destroy = svc_sa_enum_destroy,
	.sad_enum_create = svc_sad_enum_create,
	.sad_enum = svc_sad_enum,
	.sad_enum_destroy = svc_sad_enum_destroy,
	.subscribe = svc_subscribe,
	.unsubscribe = svc_unsubscribe,
	.subscriptions_get = svc_subscriptions_get,
	.net_subscribe = svc_net_subscribe,
	.net_unsubscribe = svc_net_unsubscribe,
	.statistics = svc_statistics,
	.ext_statistics = svc_ext_statistics,
	.set_expire_drain = svc_set_drain,
	.get_expire_drain = svc_get_drain,
	.sa_counters = svc_sa_counters,
	.sa_info = svc_sa_info,
	.pol_add = svc_pol_add,
	.sd_get = svc_sd_get,
	.sd_set = svc_sd_set,
	.pol_delete = svc_pol_delete,
	.pol_get = svc_pol_get,
	.pol_enum_create = svc_pol_enum_create,
	.pol_enum = svc_pol_enum,
	.pol_enum_destroy = svc_pol_enum_destroy,
	.option_get = svc_option_get,
	.option_set = svc_option_set,
	.net_enum_create = svc_net_enum_create,
	.net_enum = svc_net_enum,
	.net_enum_destroy = svc_net_enum_destroy,
	.change_subscribe = svc_change_subscribe,
	.change_unsubscribe = svc_change_unsubscribe,
	.change_subscriptions_get = svc_change_subscriptions_get,
};
