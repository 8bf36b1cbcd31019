/* test_net_events.c - FwpmNetEventSubscribe0 / FwpmNetEventUnsubscribe0
 * end to end: every field of both event types, templates, unsubscribing,
 * several subscribers, session close, every validation code, the bounded
 * queue under a burst, and raising from many threads during churn.
 *
 * The subscriptions use the public API. The events need a source:
 *  - in-process, engine_net_event_raise() on this process's engine
 *    (inproc_engine(), not exported: the test links fwp_static), called
 *    from threads of the test as the datapath's packet threads will;
 *  - against fwpd (tests/service: FWP_ENGINE=service, FWPD_UNDER_TEST=1),
 *    fwpd's test hook (--test-hooks, FWPD_OP_TEST_NET_RAISE) over a
 *    private connection: fwpd raises on a thread of its own, so events
 *    take the whole real path (engine, relay, socket, the library's event
 *    thread, dispatcher, callback).
 * Events of one source arrive in the order raised, so the last event a
 * subscription should get is a fence for everything raised before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <fwpmu.h>

#include "client/client.h"
#include "client/dispatcher.h"
#include "client/service_path.h"
#include "engine/engine.h"
#include "wire/message.h"

#define RC(expr, expected) do { \
	DWORD rc_ = (expr); \
	if (rc_ != (DWORD)(expected)) \
		fail_msg("%s: got 0x%08x, expected 0x%08x", #expr, \
			 (unsigned)rc_, (unsigned)(expected)); \
} while (0)
#define OK(expr) RC(expr, ERROR_SUCCESS)

#define WAIT_MS 10000
#define UDP 17
#define TCP 6

/* ---- the source ---- */

static bool service;		/* against fwpd */
static bool have_source;	/* events can be raised */
static int hook_fd = -1;
static uint32_t hook_seq;
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char hook_tx[FWPD_MSG_MAX], hook_rx[FWPD_MSG_MAX + 1];

/* Sends one request on the hook connection and waits for its result. */
static DWORD hook_call(struct nlmsghdr *req)
{
	uint32_t seq = req->nlmsg_seq;

	if (send(hook_fd, req, req->nlmsg_len, MSG_NOSIGNAL) != (ssize_t)req->nlmsg_len)
		return RPC_S_SERVER_UNAVAILABLE;
	for (;;) {
		ssize_t n = recv(hook_fd, hook_rx, sizeof(hook_rx), 0);
		struct msg_attrs m;

		if (n <= 0 || msg_parse(hook_rx, (size_t)n, &m))
			return RPC_S_SERVER_UNAVAILABLE;
		if (m.nlh->nlmsg_type == FWPD_MSG_REPLY && m.nlh->nlmsg_seq == seq)
			return msg_u32(&m, FWPD_A_RESULT, RPC_S_PROTOCOL_ERROR);
	}
}

static DWORD hook_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct nlmsghdr *req;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", service_socket_path());
	hook_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (hook_fd < 0 || connect(hook_fd, (struct sockaddr *)&sa, sizeof(sa)))
		return EPT_S_NOT_REGISTERED;
	req = msg_start(hook_tx, FWPD_OP_OPEN, ++hook_seq);
	msg_put_u32(req, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	return hook_call(req);
}

static DWORD hook_raise(const struct fwp_net_event *ev, uint32_t n)
{
	struct nlmsghdr *req;
	DWORD rc;

	pthread_mutex_lock(&hook_lock);
	req = msg_start(hook_tx, FWPD_OP_TEST_NET_RAISE, ++hook_seq);
	msg_put_raw(req, FWPD_A_NET_EVENT, ev, sizeof(*ev));
	msg_put_u32(req, FWPD_A_COUNT, n);
	rc = hook_call(req);
	pthread_mutex_unlock(&hook_lock);
	return rc;
}

struct raiser {
	const struct fwp_net_event *ev;
	uint32_t n;
};

static void *raise_main(void *arg)
{
	struct raiser *r = arg;

	for (uint32_t i = 0; i < r->n; i++)
		engine_net_event_raise(inproc_engine(), r->ev);
	return NULL;
}

/* Raises ev n times, as the datapath would: from another thread. */
static void raise_n(const struct fwp_net_event *ev, uint32_t n)
{
	struct raiser r = { ev, n };
	pthread_t t;

	if (service) {
		OK(hook_raise(ev, n));
		return;
	}
	assert_int_equal(pthread_create(&t, NULL, raise_main, &r), 0);
	pthread_join(t, NULL);
}

static void raise1(const struct fwp_net_event ev)
{
	raise_n(&ev, 1);
}

/* ---- records ---- */

static struct fwp_net_event classify_v4(uint64_t filter_id, uint32_t local, uint32_t remote,
					uint16_t lport, uint16_t rport, uint8_t proto)
{
	struct fwp_net_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.flags = FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
		   FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET |
		   FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET | FWPM_NET_EVENT_FLAG_IP_VERSION_SET;
	ev.ip_version = FWP_IP_VERSION_V4;
	ev.ip_protocol = proto;
	ev.local.v4 = local;
	ev.remote.v4 = remote;
	ev.local_port = lport;
	ev.remote_port = rport;
	ev.type = FWPM_NET_EVENT_TYPE_CLASSIFY_DROP;
	ev.classify_drop.filterId = filter_id;
	ev.classify_drop.layerId = 44;
	ev.classify_drop.msFwpDirection = FWP_DIRECTION_OUTBOUND;
	ev.classify_drop.isLoopback = FALSE;
	return ev;
}

static const UINT8 db8_1[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const UINT8 db8_2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };
static const UINT8 other6[16] = { 0x20, 0x01, 0x0d, 0xb9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static struct fwp_net_event kernel_v6(uint64_t filter_id, const UINT8 local[16],
				      const UINT8 remote[16], uint16_t rport)
{
	struct fwp_net_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.flags = FWPM_NET_EVENT_FLAG_IP_PROTOCOL_SET | FWPM_NET_EVENT_FLAG_LOCAL_ADDR_SET |
		   FWPM_NET_EVENT_FLAG_REMOTE_ADDR_SET | FWPM_NET_EVENT_FLAG_REMOTE_PORT_SET |
		   FWPM_NET_EVENT_FLAG_IP_VERSION_SET | FWPM_NET_EVENT_FLAG_SCOPE_ID_SET;
	ev.ip_version = FWP_IP_VERSION_V6;
	ev.ip_protocol = 50;	/* ESP */
	memcpy(ev.local.v6.byteArray16, local, 16);
	memcpy(ev.remote.v6.byteArray16, remote, 16);
	ev.remote_port = rport;
	ev.scope_id = 3;
	ev.type = FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP;
	ev.ipsec_drop.failureStatus = (INT32)0xC0360003;	/* a replay check failure */
	ev.ipsec_drop.direction = FWP_DIRECTION_INBOUND;
	ev.ipsec_drop.spi = 0xc0ffee01;
	ev.ipsec_drop.filterId = filter_id;
	ev.ipsec_drop.layerId = 13;
	return ev;
}

/* ---- what the callbacks saw ---- */

struct got {
	FWPM_NET_EVENT_HEADER1 hdr;
	FWPM_NET_EVENT_TYPE type;
	FWPM_NET_EVENT_CLASSIFY_DROP1 cd;
	FWPM_NET_EVENT_IPSEC_KERNEL_DROP0 kd;
	uint64_t received_at;	/* FILETIME */
};

#define LOG_CAP 64

struct evlog {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct got ev[LOG_CAP];
	size_t n;		/* every event, also beyond LOG_CAP */
	bool bad_context;
	/* the burst test: the first callback waits for release */
	bool block, released;
	/* unsubscribe from inside the callback */
	HANDLE engine, self;
};

static struct evlog *evlog_new(void)
{
	struct evlog *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	return l;
}

static void evlog_free(struct evlog *l)
{
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}

static uint64_t filetime(FILETIME t)
{
	return (uint64_t)t.dwHighDateTime << 32 | t.dwLowDateTime;
}

static void CALLBACK on_event(void *context, const FWPM_NET_EVENT1 *e)
{
	struct evlog *l = context;
	HANDLE self = NULL;

	pthread_mutex_lock(&l->lock);
	if (l->n < LOG_CAP) {
		struct got *g = &l->ev[l->n];

		g->hdr = e->header;
		g->type = e->type;
		if (e->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP)
			g->cd = *e->classifyDrop;
		else if (e->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP)
			g->kd = *e->ipsecDrop;
		else
			l->bad_context = true;
		g->received_at = net_event_filetime_now();
	}
	l->n++;
	pthread_cond_broadcast(&l->cond);
	while (l->block && !l->released)
		pthread_cond_wait(&l->cond, &l->lock);
	if (l->self) {
		self = l->self;
		l->self = NULL;
	}
	pthread_mutex_unlock(&l->lock);
	if (self)
		OK(FwpmNetEventUnsubscribe0(l->engine, self));
}

static size_t evlog_count(struct evlog *l)
{
	size_t n;

	pthread_mutex_lock(&l->lock);
	n = l->n;
	pthread_mutex_unlock(&l->lock);
	return n;
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static bool evlog_wait(struct evlog *l, size_t n)
{
	struct timespec ts;
	bool ok;

	deadline_in(&ts, WAIT_MS);
	pthread_mutex_lock(&l->lock);
	while (l->n < n && pthread_cond_timedwait(&l->cond, &l->lock, &ts) != ETIMEDOUT)
		;
	ok = l->n >= n;
	pthread_mutex_unlock(&l->lock);
	return ok;
}

/* Waits for the event whose filterId (either arm) is id. */
static bool evlog_wait_id(struct evlog *l, uint64_t id)
{
	struct timespec ts;
	bool found = false;

	deadline_in(&ts, WAIT_MS);
	pthread_mutex_lock(&l->lock);
	for (;;) {
		for (size_t i = 0; i < l->n && i < LOG_CAP && !found; i++)
			found = l->ev[i].cd.filterId == id || l->ev[i].kd.filterId == id;
		if (found || pthread_cond_timedwait(&l->cond, &l->lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&l->lock);
	return found;
}

static HANDLE open_engine(void)
{
	HANDLE h = NULL;

	OK(FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h));
	return h;
}

static HANDLE subscribe(HANDLE h, FWPM_NET_EVENT_ENUM_TEMPLATE0 *t, struct evlog *l)
{
	FWPM_NET_EVENT_SUBSCRIPTION0 sub;
	HANDLE ev = NULL;

	memset(&sub, 0, sizeof(sub));
	sub.enumTemplate = t;
	OK(FwpmNetEventSubscribe0(h, &sub, on_event, l, &ev));
	assert_non_null(ev);
	return ev;
}

#define NEED_SOURCE() do { if (!have_source) skip(); } while (0)

/* ---- every field of both types ---- */

static void check_classify(const struct got *g, const struct fwp_net_event *r)
{
	assert_int_equal(g->type, FWPM_NET_EVENT_TYPE_CLASSIFY_DROP);
	assert_int_equal(g->hdr.flags, r->flags);
	assert_int_equal(g->hdr.ipVersion, FWP_IP_VERSION_V4);
	assert_int_equal(g->hdr.ipProtocol, r->ip_protocol);
	assert_int_equal(g->hdr.localAddrV4, r->local.v4);
	assert_int_equal(g->hdr.remoteAddrV4, r->remote.v4);
	assert_int_equal(g->hdr.localPort, r->local_port);
	assert_int_equal(g->hdr.remotePort, r->remote_port);
	assert_int_equal(g->cd.filterId, r->classify_drop.filterId);
	assert_int_equal(g->cd.layerId, r->classify_drop.layerId);
	assert_int_equal(g->cd.msFwpDirection, r->classify_drop.msFwpDirection);
	assert_int_equal(g->cd.isLoopback, r->classify_drop.isLoopback);
	assert_int_equal(g->cd.reauthReason, r->classify_drop.reauthReason);
	assert_int_equal(g->cd.originalProfile, r->classify_drop.originalProfile);
	assert_int_equal(g->cd.currentProfile, r->classify_drop.currentProfile);
	assert_int_equal(g->hdr.appId.size, 0);
	assert_null(g->hdr.userId);
}

static void check_kernel(const struct got *g, const struct fwp_net_event *r)
{
	assert_int_equal(g->type, FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP);
	assert_int_equal(g->hdr.flags, r->flags);
	assert_int_equal(g->hdr.ipVersion, FWP_IP_VERSION_V6);
	assert_int_equal(g->hdr.ipProtocol, r->ip_protocol);
	/* Header IPv6 bytes are reversed, as in the traffic structs
	 * (docs/CONTRACT.md, byte order). */
	for (int i = 0; i < 16; i++) {
		assert_int_equal(g->hdr.localAddrV6.byteArray16[i],
				 r->local.v6.byteArray16[15 - i]);
		assert_int_equal(g->hdr.remoteAddrV6.byteArray16[i],
				 r->remote.v6.byteArray16[15 - i]);
	}
	assert_int_equal(g->hdr.remotePort, r->remote_port);
	assert_int_equal(g->hdr.scopeId, r->scope_id);
	assert_int_equal(g->kd.failureStatus, r->ipsec_drop.failureStatus);
	assert_int_equal(g->kd.direction, r->ipsec_drop.direction);
	assert_int_equal(g->kd.spi, r->ipsec_drop.spi);
	assert_int_equal(g->kd.filterId, r->ipsec_drop.filterId);
	assert_int_equal(g->kd.layerId, r->ipsec_drop.layerId);
}

/* strongSwan's subscription: all zero, both types, every field intact. */
static void all_events(void **state)
{
	HANDLE h = open_engine();
	FWPM_NET_EVENT_ENUM_TEMPLATE0 empty;
	struct evlog *a = evlog_new(), *b = evlog_new();
	HANDLE ea, eb;
	struct fwp_net_event c = classify_v4(0x10001, 0xC0000201, 0x0A010203, 4500, 1701, UDP);
	struct fwp_net_event k = kernel_v6(0x10002, db8_1, db8_2, 500);
	struct fwp_net_event stamped = classify_v4(0x10003, 1, 2, 3, 4, TCP);
	uint64_t before = net_event_filetime_now();

	(void)state;
	NEED_SOURCE();
	memset(&empty, 0, sizeof(empty));
	empty.startTime.dwHighDateTime = 7;	/* the window is ignored */
	ea = subscribe(h, NULL, a);
	eb = subscribe(h, &empty, b);
	c.classify_drop.reauthReason = 5;
	c.classify_drop.originalProfile = 1;
	c.classify_drop.currentProfile = 2;
	c.classify_drop.isLoopback = TRUE;
	stamped.timestamp = 0x01d9000012345678ull;
	raise1(c);
	raise1(k);
	raise1(stamped);
	assert_true(evlog_wait(a, 3));
	assert_true(evlog_wait(b, 3));
	for (int i = 0; i < 2; i++) {
		struct evlog *l = i ? b : a;
		uint64_t t0 = filetime(l->ev[0].hdr.timeStamp);
		uint64_t t1 = filetime(l->ev[1].hdr.timeStamp);

		check_classify(&l->ev[0], &c);
		check_kernel(&l->ev[1], &k);
		check_classify(&l->ev[2], &stamped);
		/* Raised with no time: stamped when raised, 100 ns units. */
		assert_true(t0 + 10000000 >= before && t0 <= l->ev[0].received_at);
		assert_true(t1 >= t0 && t1 <= l->ev[1].received_at);
		assert_int_equal(filetime(l->ev[2].hdr.timeStamp), stamped.timestamp);
		assert_false(l->bad_context);
	}
	OK(FwpmNetEventUnsubscribe0(h, ea));
	OK(FwpmNetEventUnsubscribe0(h, eb));
	OK(FwpmEngineClose0(h));
	assert_int_equal(evlog_count(a), 3);
	evlog_free(a);
	evlog_free(b);
}

/* ---- templates ---- */

/* A condition of type t; a pointer arm points at a zero value, since a
 * NULL one is refused as FWP_E_NULL_POINTER before anything else is
 * looked at when the call goes to the service (docs/protocol.md). */
static FWPM_FILTER_CONDITION0 cond(const GUID *field, FWP_MATCH_TYPE m, FWP_DATA_TYPE t)
{
	static union {
		UINT64 u64;
		FWP_BYTE_BLOB blob;
		FWP_V4_ADDR_AND_MASK v4;
		FWP_V6_ADDR_AND_MASK v6;
		FWP_RANGE0 range;
		FWP_BYTE_ARRAY16 a16;
	} zero;
	static wchar_t empty[1];
	FWPM_FILTER_CONDITION0 c;

	memset(&c, 0, sizeof(c));
	c.fieldKey = *field;
	c.matchType = m;
	c.conditionValue.type = t;
	switch (t) {
	case FWP_UINT64:
	case FWP_INT64:
	case FWP_DOUBLE:
	case FWP_BYTE_ARRAY16_TYPE:
	case FWP_BYTE_BLOB_TYPE:
	case FWP_SECURITY_DESCRIPTOR_TYPE:
	case FWP_TOKEN_ACCESS_INFORMATION_TYPE:
	case FWP_BYTE_ARRAY6_TYPE:
	case FWP_V4_ADDR_MASK:
	case FWP_V6_ADDR_MASK:
	case FWP_RANGE_TYPE:
		c.conditionValue.uint64 = &zero.u64;	/* every pointer arm */
		break;
	case FWP_UNICODE_STRING_TYPE:
		c.conditionValue.unicodeString = empty;
		break;
	default:
		break;
	}
	return c;
}

static FWPM_NET_EVENT_ENUM_TEMPLATE0 tmpl(FWPM_FILTER_CONDITION0 *c, UINT32 n)
{
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t;

	memset(&t, 0, sizeof(t));
	t.numFilterConditions = n;
	t.filterCondition = c;
	return t;
}

static void template_match(void **state)
{
	HANDLE h = open_engine();
	/* v4: UDP, remote 10.1.0.0/16, local port 1000..2000 */
	FWP_V4_ADDR_AND_MASK net = { 0x0A010000, 0xFFFF0000 };
	FWP_RANGE0 ports;
	FWPM_FILTER_CONDITION0 c4[3];
	/* v6: local 2001:db8::/32, remote == 2001:db8::2, remote port 500 */
	FWP_V6_ADDR_AND_MASK net6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	FWP_BYTE_ARRAY16 peer6;
	FWPM_FILTER_CONDITION0 c6[3];
	/* v4 address range and equality */
	FWP_RANGE0 peers;
	FWPM_FILTER_CONDITION0 cr[2];
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t4 = tmpl(c4, 3), t6 = tmpl(c6, 3), tr = tmpl(cr, 2);
	struct evlog *l4 = evlog_new(), *l6 = evlog_new(), *lr = evlog_new();
	HANDLE e4, e6, er;
	struct fwp_net_event no_port;

	(void)state;
	NEED_SOURCE();
	c4[0] = cond(&FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8);
	c4[0].conditionValue.uint8 = UDP;
	c4[1] = cond(&FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_V4_ADDR_MASK);
	c4[1].conditionValue.v4AddrMask = &net;
	memset(&ports, 0, sizeof(ports));
	ports.valueLow.type = ports.valueHigh.type = FWP_UINT16;
	ports.valueLow.uint16 = 1000;
	ports.valueHigh.uint16 = 2000;
	c4[2] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_RANGE, FWP_RANGE_TYPE);
	c4[2].conditionValue.rangeValue = &ports;

	memcpy(peer6.byteArray16, db8_2, 16);
	c6[0] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_V6_ADDR_MASK);
	c6[0].conditionValue.v6AddrMask = &net6;
	c6[1] = cond(&FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_BYTE_ARRAY16_TYPE);
	c6[1].conditionValue.byteArray16 = &peer6;
	c6[2] = cond(&FWPM_CONDITION_IP_REMOTE_PORT, FWP_MATCH_EQUAL, FWP_UINT16);
	c6[2].conditionValue.uint16 = 500;

	memset(&peers, 0, sizeof(peers));
	peers.valueLow.type = peers.valueHigh.type = FWP_UINT32;
	peers.valueLow.uint32 = 0xC000020A;
	peers.valueHigh.uint32 = 0xC0000214;
	cr[0] = cond(&FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_RANGE, FWP_RANGE_TYPE);
	cr[0].conditionValue.rangeValue = &peers;
	cr[1] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32);
	cr[1].conditionValue.uint32 = 0xC0000201;

	e4 = subscribe(h, &t4, l4);
	e6 = subscribe(h, &t6, l6);
	er = subscribe(h, &tr, lr);

	raise1(classify_v4(1, 0xC0000201, 0x0A010203, 1500, 9, UDP));	/* t4 */
	raise1(classify_v4(2, 0xC0000201, 0x0A020203, 1500, 9, UDP));	/* address */
	raise1(classify_v4(3, 0xC0000201, 0x0A010203, 2001, 9, UDP));	/* port */
	raise1(classify_v4(4, 0xC0000201, 0x0A010203, 1500, 9, TCP));	/* protocol */
	raise1(kernel_v6(5, db8_1, db8_2, 500));			/* t6 */
	no_port = classify_v4(6, 0xC0000201, 0x0A010203, 1500, 9, UDP);
	no_port.flags &= ~FWPM_NET_EVENT_FLAG_LOCAL_PORT_SET;
	raise1(no_port);					/* field absent */
	raise1(kernel_v6(7, other6, db8_2, 500));		/* local prefix */
	raise1(kernel_v6(8, db8_1, db8_1, 500));		/* remote address */
	raise1(kernel_v6(9, db8_1, db8_2, 501));		/* remote port */
	raise1(classify_v4(10, 0xC0000201, 0xC0000209, 1, 2, TCP));	/* below range */
	raise1(classify_v4(11, 0xC0000201, 0xC000020A, 1, 2, TCP));	/* tr, low end */
	raise1(classify_v4(12, 0xC0000202, 0xC0000210, 1, 2, TCP));	/* local */
	raise1(classify_v4(13, 0xC0000201, 0xC0000215, 1, 2, TCP));	/* above range */
	raise1(classify_v4(14, 0xC0000201, 0xC0000214, 1, 2, TCP));	/* tr, high end */
	raise1(classify_v4(15, 0xC0000201, 0x0A01FFFF, 1000, 9, UDP));	/* t4, edges */
	raise1(kernel_v6(16, db8_2, db8_2, 500));			/* t6 */

	assert_true(evlog_wait_id(l4, 15));
	assert_true(evlog_wait_id(l6, 16));
	assert_true(evlog_wait_id(lr, 14));
	assert_int_equal(evlog_count(l4), 2);
	assert_int_equal(l4->ev[0].cd.filterId, 1);
	assert_int_equal(l4->ev[1].cd.filterId, 15);
	assert_int_equal(evlog_count(l6), 2);
	assert_int_equal(l6->ev[0].kd.filterId, 5);
	assert_int_equal(l6->ev[1].kd.filterId, 16);
	assert_int_equal(evlog_count(lr), 2);
	assert_int_equal(lr->ev[0].cd.filterId, 11);
	assert_int_equal(lr->ev[1].cd.filterId, 14);
	OK(FwpmNetEventUnsubscribe0(h, e4));
	OK(FwpmNetEventUnsubscribe0(h, e6));
	OK(FwpmNetEventUnsubscribe0(h, er));
	OK(FwpmEngineClose0(h));
	evlog_free(l4);
	evlog_free(l6);
	evlog_free(lr);
}

/* ---- unsubscribing, several subscribers, session close ---- */

static void unsubscribe_stops(void **state)
{
	HANDLE h = open_engine();
	struct evlog *a = evlog_new(), *b = evlog_new(), *self = evlog_new();
	HANDLE ea, eb;

	(void)state;
	NEED_SOURCE();
	ea = subscribe(h, NULL, a);
	eb = subscribe(h, NULL, b);
	/* This one unsubscribes from inside its first callback. */
	self->engine = h;
	pthread_mutex_lock(&self->lock);
	self->self = subscribe(h, NULL, self);
	pthread_mutex_unlock(&self->lock);
	raise1(classify_v4(21, 1, 2, 3, 4, UDP));
	assert_true(evlog_wait_id(a, 21));
	assert_true(evlog_wait_id(b, 21));
	assert_true(evlog_wait_id(self, 21));
	OK(FwpmNetEventUnsubscribe0(h, ea));
	raise1(classify_v4(22, 1, 2, 3, 4, UDP));
	raise1(classify_v4(23, 1, 2, 3, 4, UDP));
	assert_true(evlog_wait_id(b, 23));
	assert_int_equal(evlog_count(a), 1);
	assert_int_equal(evlog_count(self), 1);
	/* Gone twice over: an unknown handle now. */
	RC(FwpmNetEventUnsubscribe0(h, ea), ERROR_INVALID_HANDLE);
	OK(FwpmNetEventUnsubscribe0(h, eb));
	OK(FwpmEngineClose0(h));
	evlog_free(a);
	evlog_free(b);
	evlog_free(self);
}

static void sessions(void **state)
{
	HANDLE h1 = open_engine(), h2 = open_engine(), h3 = open_engine();
	struct evlog *l1 = evlog_new(), *l2 = evlog_new(), *l3 = evlog_new();
	HANDLE e1;

	(void)state;
	NEED_SOURCE();
	e1 = subscribe(h1, NULL, l1);
	subscribe(h2, NULL, l2);
	subscribe(h3, NULL, l3);
	raise1(kernel_v6(31, db8_1, db8_2, 500));
	assert_true(evlog_wait_id(l1, 31));
	assert_true(evlog_wait_id(l2, 31));
	assert_true(evlog_wait_id(l3, 31));
	/* Closing a session with its subscriptions live removes them. */
	OK(FwpmEngineClose0(h2));
	raise1(kernel_v6(32, db8_1, db8_2, 500));
	assert_true(evlog_wait_id(l1, 32));
	assert_true(evlog_wait_id(l3, 32));
	assert_int_equal(evlog_count(l2), 1);
	OK(FwpmEngineClose0(h3));
	OK(FwpmNetEventUnsubscribe0(h1, e1));
	OK(FwpmEngineClose0(h1));
	evlog_free(l1);
	evlog_free(l2);
	evlog_free(l3);
}

/* ---- validation ---- */

static void CALLBACK never(void *context, const FWPM_NET_EVENT1 *e)
{
	fail_msg("callback of a refused subscription");
}

static void CALLBACK never_sa(void *context, const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	fail_msg("SA callback");
}

static DWORD try_template(HANDLE h, FWPM_FILTER_CONDITION0 *c, UINT32 n)
{
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t = tmpl(c, n);
	FWPM_NET_EVENT_SUBSCRIPTION0 sub = { .enumTemplate = &t };
	HANDLE ev = (HANDLE)1;
	DWORD rc = FwpmNetEventSubscribe0(h, &sub, never, NULL, &ev);

	if (rc == ERROR_SUCCESS)
		OK(FwpmNetEventUnsubscribe0(h, ev));
	else
		assert_null(ev);	/* no stale handle */
	return rc;
}

static void validation(void **state)
{
	HANDLE h = open_engine();
	FWPM_NET_EVENT_SUBSCRIPTION0 sub;
	FWP_V4_ADDR_AND_MASK bad4 = { 0x0A000000, 0xFF00FF00 };
	FWP_V6_ADDR_AND_MASK bad6 = { { 0x20 }, 129 };
	FWP_RANGE0 r;
	FWPM_FILTER_CONDITION0 c[7];
	HANDLE ev = NULL, sa_ev = NULL;
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sa_sub;

	(void)state;
	memset(&sub, 0, sizeof(sub));
	RC(FwpmNetEventSubscribe0(NULL, &sub, never, NULL, &ev), ERROR_INVALID_HANDLE);
	RC(FwpmNetEventSubscribe0(h, NULL, never, NULL, &ev), FWP_E_NULL_POINTER);
	RC(FwpmNetEventSubscribe0(h, &sub, NULL, NULL, &ev), FWP_E_NULL_POINTER);
	RC(FwpmNetEventSubscribe0(h, &sub, never, NULL, NULL), FWP_E_NULL_POINTER);
	sub.flags = 1;
	RC(FwpmNetEventSubscribe0(h, &sub, never, NULL, &ev), FWP_E_INVALID_FLAGS);
	sub.flags = 0;
	OK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	RC(FwpmNetEventSubscribe0(h, &sub, never, NULL, &ev), FWP_E_TXN_IN_PROGRESS);
	OK(FwpmTransactionAbort0(h));

	/* Fields. */
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_INTERFACE, FWP_MATCH_EQUAL, FWP_UINT64);
	RC(try_template(h, c, 1), FWP_E_CONDITION_NOT_FOUND);
	c[0] = cond(&FWPM_CONDITION_IP_SOURCE_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32);
	RC(try_template(h, c, 1), FWP_E_CONDITION_NOT_FOUND);
	c[0] = cond(&FWPM_CONDITION_ALE_APP_ID, FWP_MATCH_EQUAL, FWP_BYTE_BLOB_TYPE);
	RC(try_template(h, c, 1), ERROR_NOT_SUPPORTED);
	c[0] = cond(&FWPM_CONDITION_ALE_USER_ID, FWP_MATCH_EQUAL, FWP_SECURITY_DESCRIPTOR_TYPE);
	RC(try_template(h, c, 1), ERROR_NOT_SUPPORTED);
	/* The same field twice; also six conditions (one field repeats). */
	c[0] = cond(&FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT8);
	c[1] = c[0];
	RC(try_template(h, c, 2), FWP_E_INVALID_PARAMETER);
	c[1] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_UINT16);
	c[2] = cond(&FWPM_CONDITION_IP_REMOTE_PORT, FWP_MATCH_EQUAL, FWP_UINT16);
	c[3] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32);
	c[4] = cond(&FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT32);
	OK(try_template(h, c, 5));
	c[5] = c[2];
	c[6] = cond(&FWPM_CONDITION_IP_LOCAL_INTERFACE, FWP_MATCH_EQUAL, FWP_UINT64);
	RC(try_template(h, c, 7), FWP_E_INVALID_PARAMETER);

	/* Match types and value types. */
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_GREATER, FWP_UINT16);
	RC(try_template(h, c, 1), FWP_E_MATCH_TYPE_MISMATCH);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, (FWP_MATCH_TYPE)99, FWP_UINT16);
	RC(try_template(h, c, 1), FWP_E_INVALID_ENUMERATOR);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_UINT32);
	RC(try_template(h, c, 1), FWP_E_TYPE_MISMATCH);
	c[0] = cond(&FWPM_CONDITION_IP_PROTOCOL, FWP_MATCH_EQUAL, FWP_UINT16);
	RC(try_template(h, c, 1), FWP_E_TYPE_MISMATCH);
	c[0] = cond(&FWPM_CONDITION_IP_REMOTE_ADDRESS, FWP_MATCH_EQUAL, FWP_UINT16);
	RC(try_template(h, c, 1), FWP_E_TYPE_MISMATCH);
	c[0] = cond(&FWPM_CONDITION_IP_REMOTE_PORT, FWP_MATCH_EQUAL, FWP_V4_ADDR_MASK);
	c[0].conditionValue.v4AddrMask = &bad4;
	RC(try_template(h, c, 1), FWP_E_TYPE_MISMATCH);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_RANGE, FWP_UINT16);
	RC(try_template(h, c, 1), FWP_E_MATCH_TYPE_MISMATCH);
	memset(&r, 0, sizeof(r));
	r.valueLow.type = r.valueHigh.type = FWP_UINT16;
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_EQUAL, FWP_RANGE_TYPE);
	c[0].conditionValue.rangeValue = &r;
	RC(try_template(h, c, 1), FWP_E_MATCH_TYPE_MISMATCH);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_RANGE, FWP_V4_ADDR_MASK);
	c[0].conditionValue.v4AddrMask = &bad4;
	RC(try_template(h, c, 1), FWP_E_MATCH_TYPE_MISMATCH);

	/* Masks and ranges. */
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_V4_ADDR_MASK);
	c[0].conditionValue.v4AddrMask = &bad4;
	RC(try_template(h, c, 1), FWP_E_INVALID_NET_MASK);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_V6_ADDR_MASK);
	c[0].conditionValue.v6AddrMask = &bad6;
	RC(try_template(h, c, 1), FWP_E_INVALID_NET_MASK);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_PORT, FWP_MATCH_RANGE, FWP_RANGE_TYPE);
	c[0].conditionValue.rangeValue = &r;
	r.valueLow.uint16 = 2000;
	r.valueHigh.uint16 = 1000;
	RC(try_template(h, c, 1), FWP_E_INVALID_RANGE);
	r.valueHigh.type = FWP_UINT32;
	r.valueHigh.uint32 = 3000;
	RC(try_template(h, c, 1), FWP_E_INVALID_RANGE);
	r.valueLow.type = FWP_UINT32;
	r.valueLow.uint32 = 1000;
	RC(try_template(h, c, 1), FWP_E_TYPE_MISMATCH);
	r.valueLow.type = r.valueHigh.type = FWP_UINT16;
	r.valueLow.uint16 = r.valueHigh.uint16 = 1000;
	OK(try_template(h, c, 1));

	/* NULL pointers inside the template. */
	RC(try_template(h, NULL, 1), FWP_E_NULL_POINTER);
	c[0].conditionValue.rangeValue = NULL;
	RC(try_template(h, c, 1), FWP_E_NULL_POINTER);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_V4_ADDR_MASK);
	c[0].conditionValue.v4AddrMask = NULL;
	RC(try_template(h, c, 1), FWP_E_NULL_POINTER);
	c[0] = cond(&FWPM_CONDITION_IP_LOCAL_ADDRESS, FWP_MATCH_EQUAL, FWP_BYTE_ARRAY16_TYPE);
	c[0].conditionValue.byteArray16 = NULL;
	RC(try_template(h, c, 1), FWP_E_NULL_POINTER);
	/* No conditions: everything, whatever the pointer. */
	OK(try_template(h, NULL, 0));

	/* Unsubscribe: NULL is a no-op; unknown and SA handles are refused. */
	OK(FwpmNetEventUnsubscribe0(h, NULL));
	RC(FwpmNetEventUnsubscribe0(h, (HANDLE)(uintptr_t)0x7777), ERROR_INVALID_HANDLE);
	RC(FwpmNetEventUnsubscribe0(NULL, NULL), ERROR_INVALID_HANDLE);
	memset(&sa_sub, 0, sizeof(sa_sub));
	OK(IPsecSaContextSubscribe0(h, &sa_sub, never_sa, NULL, &sa_ev));
	RC(FwpmNetEventUnsubscribe0(h, sa_ev), ERROR_INVALID_HANDLE);
	OK(FwpmNetEventSubscribe0(h, &sub, never, NULL, &ev));
	RC(IPsecSaContextUnsubscribe0(h, ev), ERROR_INVALID_HANDLE);
	OK(FwpmTransactionBegin0(h, FWPM_TXN_READ_ONLY));
	RC(FwpmNetEventUnsubscribe0(h, ev), FWP_E_TXN_IN_PROGRESS);
	OK(FwpmTransactionAbort0(h));
	OK(FwpmNetEventUnsubscribe0(h, ev));
	OK(IPsecSaContextUnsubscribe0(h, sa_ev));

	/* fwpd: net and SA subscriptions share 64 per connection. */
	if (service) {
		HANDLE v[64];

		for (int i = 0; i < 64; i++) {
			if (i % 2)
				OK(FwpmNetEventSubscribe0(h, &sub, never, NULL, &v[i]));
			else
				OK(IPsecSaContextSubscribe0(h, &sa_sub, never_sa, NULL,
							    &v[i]));
		}
		RC(FwpmNetEventSubscribe0(h, &sub, never, NULL, &ev), ERROR_NOT_ENOUGH_QUOTA);
		OK(FwpmNetEventUnsubscribe0(h, v[1]));
		OK(FwpmNetEventSubscribe0(h, &sub, never, NULL, &v[1]));
	}
	OK(FwpmEngineClose0(h));
}

/* ---- the engine directly: rights, session close, the counter, copies ---- */

struct sinkrec {
	pthread_mutex_t lock;
	unsigned n;
	struct fwp_net_event last;
};

static void sink_net(void *arg, uint64_t cookie, const struct fwp_net_event *ev)
{
	struct sinkrec *r = arg;

	pthread_mutex_lock(&r->lock);
	r->n++;
	r->last = *ev;
	pthread_mutex_unlock(&r->lock);
}

static void engine_direct(void **state)
{
	struct engine *e;
	struct engine_session *s1, *s2, *ro;
	struct sinkrec r1 = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct sinkrec r2 = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct event_sink k1 = { .deliver_net = sink_net, .arg = &r1 };
	struct event_sink k2 = { .deliver_net = sink_net, .arg = &r2 };
	struct session_cred all = { .rights = ENGINE_RIGHTS_ALL };
	struct session_cred no_sub = { .rights = ENGINE_RIGHTS_READ & ~FWPM_ACTRL_SUBSCRIBE };
	FWPM_NET_EVENT_SUBSCRIPTION0 sub;
	struct fwp_net_event ev = classify_v4(41, 1, 2, 3, 4, UDP), dirty, clean;
	uint64_t h1, h2, h;

	(void)state;
	memset(&sub, 0, sizeof(sub));
	assert_int_equal(engine_create(NULL, &e), 0);
	OK(engine_session_open(e, NULL, &all, &k1, &s1));
	OK(engine_session_open(e, NULL, &all, &k2, &s2));
	OK(engine_session_open(e, NULL, &no_sub, NULL, &ro));
	RC(engine_net_subscribe(ro, &sub, 1, &h), ERROR_ACCESS_DENIED);
	RC(engine_net_subscribe(s1, NULL, 1, &h), FWP_E_NULL_POINTER);
	RC(engine_net_subscribe(s1, &sub, 1, NULL), FWP_E_NULL_POINTER);

	/* Nobody listening: counted, delivered nowhere. */
	engine_net_event_raise(e, &ev);
	assert_int_equal(engine_net_events_raised(e), 1);
	OK(engine_net_subscribe(s1, &sub, 1, &h1));
	OK(engine_net_subscribe(s2, &sub, 2, &h2));
	RC(engine_net_unsubscribe(s1, h2), ERROR_INVALID_HANDLE);	/* not s1's */
	engine_net_event_raise(e, &ev);
	assert_int_equal(r1.n, 1);
	assert_int_equal(r2.n, 1);

	/* Another type or IP version is ignored, not counted. */
	dirty = ev;
	dirty.type = FWPM_NET_EVENT_TYPE_IKEEXT_MM_FAILURE;
	engine_net_event_raise(e, &dirty);
	dirty = ev;
	dirty.ip_version = FWP_IP_VERSION_MAX;
	engine_net_event_raise(e, &dirty);
	assert_int_equal(engine_net_events_raised(e), 2);
	assert_int_equal(r1.n, 1);

	/* Padding and reserved bytes never leave the raiser. */
	memset(&dirty, 0xA5, sizeof(dirty));
	dirty.timestamp = 12345;
	dirty.flags = ev.flags | FWPM_NET_EVENT_FLAG_APP_ID_SET;	/* not carried */
	dirty.ip_version = ev.ip_version;
	dirty.local = ev.local;
	dirty.remote = ev.remote;
	dirty.local_port = ev.local_port;
	dirty.remote_port = ev.remote_port;
	dirty.scope_id = 0;
	dirty.ip_protocol = ev.ip_protocol;
	dirty.type = FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP;
	dirty.ipsec_drop.failureStatus = -5;
	dirty.ipsec_drop.direction = FWP_DIRECTION_OUTBOUND;
	dirty.ipsec_drop.spi = 0x1234;
	dirty.ipsec_drop.filterId = 42;
	dirty.ipsec_drop.layerId = 7;
	engine_net_event_raise(e, &dirty);
	memset(&clean, 0, sizeof(clean));
	clean.timestamp = 12345;
	clean.flags = ev.flags;
	clean.ip_version = ev.ip_version;
	clean.local = ev.local;
	clean.remote = ev.remote;
	clean.local_port = ev.local_port;
	clean.remote_port = ev.remote_port;
	clean.ip_protocol = ev.ip_protocol;
	clean.type = FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP;
	clean.ipsec_drop.failureStatus = -5;
	clean.ipsec_drop.direction = FWP_DIRECTION_OUTBOUND;
	clean.ipsec_drop.spi = 0x1234;
	clean.ipsec_drop.filterId = 42;
	clean.ipsec_drop.layerId = 7;
	assert_int_equal(r2.n, 2);
	assert_memory_equal(&r2.last, &clean, sizeof(clean));

	/* A closed session's subscriptions are gone with it. */
	engine_session_close(s1);
	engine_net_event_raise(e, &ev);
	assert_int_equal(r1.n, 2);
	assert_int_equal(r2.n, 3);
	assert_int_equal(engine_net_events_raised(e), 4);

	/* Inside a transaction. */
	OK(engine_txn_begin(s2, FWPM_TXN_READ_ONLY));
	RC(engine_net_subscribe(s2, &sub, 3, &h), FWP_E_TXN_IN_PROGRESS);
	RC(engine_net_unsubscribe(s2, h2), FWP_E_TXN_IN_PROGRESS);
	OK(engine_txn_abort(s2));
	OK(engine_net_unsubscribe(s2, h2));
	RC(engine_net_unsubscribe(s2, h2), ERROR_INVALID_HANDLE);
	engine_session_close(s2);
	engine_session_close(ro);
	engine_destroy(e);
}

/* ---- the bounded queue under a burst ---- */

/* Captures stderr (the library's log) while a test runs. */
struct errcap {
	int saved, rd;
	char buf[65536];
	size_t len;
};

static void errcap_start(struct errcap *c)
{
	int p[2];

	c->len = 0;
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	fflush(stderr);
	c->saved = dup(2);
	dup2(p[1], 2);
	close(p[1]);
	c->rd = p[0];
}

static void errcap_poll(struct errcap *c)
{
	ssize_t n;

	while (c->len < sizeof(c->buf) - 1 &&
	       (n = read(c->rd, c->buf + c->len, sizeof(c->buf) - 1 - c->len)) > 0)
		c->len += (size_t)n;
	c->buf[c->len] = 0;
}

static void errcap_stop(struct errcap *c)
{
	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	errcap_poll(c);
	close(c->rd);
	fputs(c->buf, stderr);	/* keep it in the test's output */
}

/* The losses the log reported for net-event subscription cookie. */
static unsigned long long errcap_dropped(const struct errcap *c, uint64_t cookie)
{
	char want[64];
	unsigned long long sum = 0;
	const char *p = c->buf;

	snprintf(want, sizeof(want), "net-event subscription %llu: ",
		 (unsigned long long)cookie);
	while ((p = strstr(p, want))) {
		unsigned n;

		p += strlen(want);
		if (sscanf(p, "%u events dropped", &n) == 1)
			sum += n;
	}
	return sum;
}

static uint64_t lost(HANDLE h, HANDLE ev)
{
	struct fwp_client *c;
	uint64_t n;

	OK(client_get(h, &c));
	n = dispatcher_lost(c->disp, (uint64_t)(uintptr_t)ev);
	client_put(c);
	return n;
}

static bool wait_until(bool (*done)(void *), void *arg, struct errcap *cap)
{
	for (int i = 0; i < WAIT_MS; i += 5) {
		if (cap)
			errcap_poll(cap);
		if (done(arg))
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
	}
	return done(arg);
}

struct burst {
	HANDLE h, ev;
	struct evlog *l;
	uint64_t total;
	struct errcap *cap;
};

static bool some_lost(void *arg)
{
	struct burst *b = arg;

	return lost(b->h, b->ev) > 0;
}

static bool all_accounted(void *arg)
{
	struct burst *b = arg;

	return evlog_count(b->l) + lost(b->h, b->ev) >= b->total &&
	       errcap_dropped(b->cap, (uint64_t)(uintptr_t)b->ev) == lost(b->h, b->ev);
}

static void burst_drops(void **state)
{
	enum { N = 3000 };
	HANDLE h = open_engine();
	struct evlog *l = evlog_new();
	struct errcap *cap = calloc(1, sizeof(*cap));
	struct burst b = { .h = h, .l = l, .total = N, .cap = cap };
	struct fwp_net_event ev = classify_v4(51, 1, 2, 3, 4, UDP);

	(void)state;
	NEED_SOURCE();
	assert_non_null(cap);
	l->block = true;	/* the first callback waits: the queue fills */
	b.ev = subscribe(h, NULL, l);
	errcap_start(cap);
	raise_n(&ev, N);
	assert_true(wait_until(some_lost, &b, cap));
	pthread_mutex_lock(&l->lock);
	l->released = true;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	assert_true(wait_until(all_accounted, &b, cap));
	errcap_stop(cap);
	/* Every event either reached the callback or was counted and logged,
	 * and the engine never waited for the subscriber. */
	assert_int_equal(evlog_count(l) + lost(h, b.ev), N);
	assert_true(evlog_count(l) >= 1);
	/* In-process the raiser outruns the blocked callback: the queue
	 * holds DISPATCH_QUEUE_LEN, plus the one taken before it blocked if
	 * that happened while raising went on. */
	if (!service)
		assert_true(evlog_count(l) == DISPATCH_QUEUE_LEN ||
			    evlog_count(l) == DISPATCH_QUEUE_LEN + 1);
	OK(FwpmNetEventUnsubscribe0(h, b.ev));
	OK(FwpmEngineClose0(h));
	evlog_free(l);
	free(cap);
}

/* ---- many raising threads, subscriptions coming and going ---- */

struct stress {
	struct fwp_net_event ev;
	uint32_t n;
};

static void *stress_main(void *arg)
{
	struct stress *s = arg;

	/* Small batches so that raising interleaves with the churn. */
	for (uint32_t i = 0; i < s->n; i += 100)
		raise_n(&s->ev, 100);
	return NULL;
}

struct counted {
	HANDLE h, ev;
	struct evlog *l;
	uint64_t total;
};

static bool counted_all(void *arg)
{
	struct counted *c = arg;

	return evlog_count(c->l) + lost(c->h, c->ev) >= c->total;
}

static void threads(void **state)
{
	enum { THREADS = 4, PER = 2000 };
	HANDLE h = open_engine(), churn = open_engine();
	struct evlog *l = evlog_new(), *junk = evlog_new();
	struct stress s[THREADS];
	pthread_t t[THREADS];
	struct counted c = { .h = h, .l = l, .total = THREADS * PER };

	(void)state;
	NEED_SOURCE();
	/* Alone on its connection, so that fwpd's losses are its own. */
	c.ev = subscribe(h, NULL, l);
	for (int i = 0; i < THREADS; i++) {
		s[i].ev = classify_v4(60 + (uint64_t)i, 1, 2, 3, 4, UDP);
		s[i].n = PER;
		assert_int_equal(pthread_create(&t[i], NULL, stress_main, &s[i]), 0);
	}
	for (int i = 0; i < 50; i++) {
		HANDLE ev = subscribe(churn, NULL, junk);

		OK(FwpmNetEventUnsubscribe0(churn, ev));
	}
	subscribe(churn, NULL, junk);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_true(wait_until(counted_all, &c, NULL));
	assert_int_equal(evlog_count(l) + lost(h, c.ev), THREADS * PER);
	OK(FwpmEngineClose0(churn));
	OK(FwpmNetEventUnsubscribe0(h, c.ev));
	OK(FwpmEngineClose0(h));
	evlog_free(l);
	evlog_free(junk);
}

static int group_setup(void **state)
{
	const char *engine = getenv("FWP_ENGINE");
	const char *under_test = getenv("FWPD_UNDER_TEST");

	(void)state;
	service = engine && !strcmp(engine, "service");
	if (!service) {
		have_source = inproc_engine() != NULL;
		return 0;
	}
	/* Against fwpd, events come from its test hook, when it has one. */
	if (under_test && !strcmp(under_test, "1") && hook_open() == ERROR_SUCCESS) {
		struct fwp_net_event probe = classify_v4(1, 1, 2, 3, 4, UDP);

		have_source = hook_raise(&probe, 0) == ERROR_SUCCESS;
	}
	if (!have_source)
		fprintf(stderr, "no net-event source (fwpd without --test-hooks): "
			"event tests skipped\n");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (hook_fd >= 0)
		close(hook_fd);
	return 0;
}

/* ---- engine options and the history ---- */

static DWORD set_u32(HANDLE h, FWPM_ENGINE_OPTION o, UINT32 v)
{
	FWP_VALUE0 val;

	memset(&val, 0, sizeof(val));
	val.type = FWP_UINT32;
	val.uint32 = v;
	return FwpmEngineSetOption0(h, o, &val);
}

static UINT32 get_u32(HANDLE h, FWPM_ENGINE_OPTION o)
{
	FWP_VALUE0 *v = NULL;
	UINT32 r;

	OK(FwpmEngineGetOption0(h, o, &v));
	assert_non_null(v);
	assert_int_equal(v->type, FWP_UINT32);
	r = v->uint32;
	FwpmFreeMemory0((void **)&v);
	return r;
}

static void engine_options(void **state)
{
	HANDLE h = open_engine();
	FWP_VALUE0 v, *got = NULL;

	(void)state;
	assert_int_equal(get_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS), 0);	/* off by default */
	memset(&v, 0, sizeof(v));
	v.type = FWP_UINT8;
	v.uint8 = 1;
	RC(FwpmEngineSetOption0(h, FWPM_ENGINE_COLLECT_NET_EVENTS, &v), FWP_E_TYPE_MISMATCH);
	RC(FwpmEngineSetOption0(h, FWPM_ENGINE_COLLECT_NET_EVENTS, NULL), FWP_E_NULL_POINTER);
	RC(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 2), FWP_E_INVALID_PARAMETER);
	RC(set_u32(h, FWPM_ENGINE_OPTION_MAX, 0), FWP_E_INVALID_ENUMERATOR);
	RC(FwpmEngineGetOption0(h, FWPM_ENGINE_OPTION_MAX, &got), FWP_E_INVALID_ENUMERATOR);
	RC(FwpmEngineGetOption0(h, FWPM_ENGINE_COLLECT_NET_EVENTS, NULL), FWP_E_NULL_POINTER);
	RC(set_u32(h, FWPM_ENGINE_NAME_CACHE, 1), ERROR_NOT_SUPPORTED);
	RC(set_u32(h, FWPM_ENGINE_PACKET_QUEUING, FWPM_ENGINE_OPTION_PACKET_QUEUE_INBOUND),
	   ERROR_NOT_SUPPORTED);
	assert_int_equal(get_u32(h, FWPM_ENGINE_PACKET_QUEUING), FWPM_ENGINE_OPTION_PACKET_QUEUE_NONE);
	RC(set_u32(h, FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS, 0x40), FWP_E_INVALID_FLAGS);
	OK(set_u32(h, FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS,
		   FWPM_NET_EVENT_KEYWORD_INBOUND_MCAST | FWPM_NET_EVENT_KEYWORD_CLASSIFY_ALLOW));
	assert_int_equal(get_u32(h, FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS), 0x11);
	OK(set_u32(h, FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC, 5000));
	assert_int_equal(get_u32(h, FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC), 5000);
	OK(set_u32(h, FWPM_ENGINE_NET_EVENT_MATCH_ANY_KEYWORDS, 0));
	OK(set_u32(h, FWPM_ENGINE_TXN_WATCHDOG_TIMEOUT_IN_MSEC, 0));
	/* Engine-wide: another session sees the value. */
	{
		HANDLE h2 = open_engine();

		OK(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 1));
		assert_int_equal(get_u32(h2, FWPM_ENGINE_COLLECT_NET_EVENTS), 1);
		OK(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 0));
		OK(FwpmEngineClose0(h2));
	}
	OK(FwpmEngineClose0(h));
}

/* fwpd raises from a thread of its own; its next raise request joins the
 * previous one, so raising nothing waits for what was raised. */
static void flush_raises(const struct fwp_net_event *any)
{
	if (service)
		OK(hook_raise(any, 0));
}

/* Every entry of a fresh enumeration with template t, version 1. */
static UINT32 history(HANDLE h, const FWPM_NET_EVENT_ENUM_TEMPLATE0 *t,
		      FWPM_NET_EVENT1 ***v)
{
	HANDLE eh = NULL;
	UINT32 n = 0;

	OK(FwpmNetEventCreateEnumHandle0(h, t, &eh));
	OK(FwpmNetEventEnum1(h, eh, 100000, v, &n));
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));
	return n;
}

static void net_event_history(void **state)
{
	HANDLE h = open_engine(), eh = NULL;
	struct fwp_net_event c = classify_v4(0x20001, 0xC0000201, 0x0A010203, 4500, 1701, UDP);
	struct fwp_net_event k = kernel_v6(0x20002, db8_1, db8_2, 500);
	struct fwp_net_event stamped = classify_v4(0x20003, 1, 2, 3, 4, TCP);
	struct fwp_net_event mark = classify_v4(0x20004, 1, 2, 3, 4, TCP);
	FWPM_NET_EVENT_ENUM_TEMPLATE0 t;
	FWPM_FILTER_CONDITION0 fc;
	FWPM_NET_EVENT1 **v = NULL;
	FWPM_NET_EVENT0 **v0 = NULL;
	UINT32 n = 0;

	(void)state;
	NEED_SOURCE();
	raise1(c);		/* not collecting: not kept */
	flush_raises(&c);
	assert_int_equal(history(h, NULL, &v), 0);
	assert_null(v);
	OK(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 1));
	stamped.timestamp = 0x01d9000012345678ull;
	raise1(c);
	raise1(k);
	raise1(stamped);
	flush_raises(&c);

	/* Oldest first, every field, both versions. */
	assert_int_equal(history(h, NULL, &v), 3);
	assert_int_equal(v[0]->type, FWPM_NET_EVENT_TYPE_CLASSIFY_DROP);
	assert_int_equal(v[0]->classifyDrop->filterId, 0x20001);
	assert_int_equal(v[0]->header.localAddrV4, 0xC0000201);
	assert_int_equal(v[0]->header.remotePort, 1701);
	assert_int_equal(v[1]->type, FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP);
	assert_int_equal(v[1]->ipsecDrop->spi, 0xc0ffee01);
	assert_int_equal(v[1]->header.scopeId, 3);
	assert_int_equal(v[2]->header.timeStamp.dwLowDateTime, 0x12345678);
	assert_int_equal(v[2]->header.timeStamp.dwHighDateTime, 0x01d90000);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmNetEventCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmNetEventEnum0(h, eh, 10, &v0, &n));
	assert_int_equal(n, 3);
	assert_int_equal(v0[0]->classifyDrop->filterId, 0x20001);
	assert_int_equal(v0[0]->classifyDrop->layerId, 44);
	assert_int_equal(v0[1]->ipsecDrop->filterId, 0x20002);
	FwpmFreeMemory0((void **)&v0);
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));
	RC(FwpmNetEventDestroyEnumHandle0(h, eh), ERROR_INVALID_HANDLE);
	RC(FwpmNetEventEnum1(h, eh, 10, &v, &n), ERROR_INVALID_HANDLE);

	/* A condition and a time window select. */
	memset(&fc, 0, sizeof(fc));
	fc.fieldKey = FWPM_CONDITION_IP_REMOTE_PORT;
	fc.matchType = FWP_MATCH_EQUAL;
	fc.conditionValue.type = FWP_UINT16;
	fc.conditionValue.uint16 = 500;
	t = tmpl(&fc, 1);
	t.endTime.dwHighDateTime = 0xffffffffu;
	t.endTime.dwLowDateTime = 0xffffffffu;
	assert_int_equal(history(h, &t, &v), 1);
	assert_int_equal(v[0]->type, FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP);
	FwpmFreeMemory0((void **)&v);
	t = tmpl(NULL, 0);
	t.startTime.dwLowDateTime = t.endTime.dwLowDateTime = 0x12345678;
	t.startTime.dwHighDateTime = t.endTime.dwHighDateTime = 0x01d90000;
	assert_int_equal(history(h, &t, &v), 1);
	assert_int_equal(v[0]->classifyDrop->filterId, 0x20003);
	FwpmFreeMemory0((void **)&v);

	/* Pages, and a snapshot: later events are not in it. */
	OK(FwpmNetEventCreateEnumHandle0(h, NULL, &eh));
	raise1(mark);
	flush_raises(&c);
	OK(FwpmNetEventEnum1(h, eh, 2, &v, &n));
	assert_int_equal(n, 2);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmNetEventEnum1(h, eh, 2, &v, &n));
	assert_int_equal(n, 1);
	FwpmFreeMemory0((void **)&v);
	OK(FwpmNetEventEnum1(h, eh, 2, &v, &n));
	assert_int_equal(n, 0);
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));

	/* Bounded: 1024 records, the oldest overwritten first. */
	raise_n(&k, 1100);
	flush_raises(&c);
	assert_int_equal(history(h, NULL, &v), 1024);
	for (UINT32 i = 0; i < 1024; i++)
		assert_int_equal(v[i]->type, FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP);
	FwpmFreeMemory0((void **)&v);

	/* Switched off, what was collected stays and nothing is added. */
	OK(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 0));
	raise1(mark);
	flush_raises(&c);
	fc.fieldKey = FWPM_CONDITION_IP_PROTOCOL;
	fc.conditionValue.type = FWP_UINT8;
	fc.conditionValue.uint8 = TCP;
	t = tmpl(&fc, 1);
	t.endTime.dwHighDateTime = 0xffffffffu;
	assert_int_equal(history(h, &t, &v), 0);
	assert_int_equal(history(h, NULL, &v), 1024);
	FwpmFreeMemory0((void **)&v);
	RC(FwpmNetEventCreateEnumHandle0(h, NULL, NULL), FWP_E_NULL_POINTER);
	OK(FwpmEngineClose0(h));
}

/* ---- the newer structure versions ---- */

struct vlog {
	pthread_mutex_t lock;
	unsigned n;
	UINT64 classify_filter;
	UINT32 spi, loopback, remote_port;
	bool bad;
};

#define VLOG_RECORD(l, e) do { \
	pthread_mutex_lock(&(l)->lock); \
	(l)->n++; \
	if ((e)->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP) { \
		(l)->classify_filter = (e)->classifyDrop->filterId; \
		(l)->loopback = (UINT32)(e)->classifyDrop->isLoopback; \
		(l)->remote_port = (e)->header.remotePort; \
		if ((e)->classifyDrop->vSwitchId.size || (e)->header.appId.size || \
		    (e)->header.packageSid) \
			(l)->bad = true; \
	} else if ((e)->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP) { \
		(l)->spi = (e)->ipsecDrop->spi; \
	} else { \
		(l)->bad = true; \
	} \
	pthread_mutex_unlock(&(l)->lock); \
} while (0)

static void CALLBACK on_v2(void *c, const FWPM_NET_EVENT2 *e) { VLOG_RECORD((struct vlog *)c, e); }
static void CALLBACK on_v3(void *c, const FWPM_NET_EVENT3 *e) { VLOG_RECORD((struct vlog *)c, e); }
static void CALLBACK on_v4(void *c, const FWPM_NET_EVENT4 *e) { VLOG_RECORD((struct vlog *)c, e); }
static void CALLBACK on_v5(void *c, const FWPM_NET_EVENT5 *e) { VLOG_RECORD((struct vlog *)c, e); }

static unsigned vlog_count(struct vlog *l)
{
	unsigned n;

	pthread_mutex_lock(&l->lock);
	n = l->n;
	pthread_mutex_unlock(&l->lock);
	return n;
}

/* FwpmNetEventSubscribe1..4 and FwpmNetEventEnum2..5: the same events in
 * FWPM_NET_EVENT2..5. */
static void newer_versions(void **state)
{
	HANDLE h = open_engine(), ev[4] = { NULL }, eh = NULL;
	struct vlog l[4];
	FWPM_NET_EVENT_SUBSCRIPTION0 sub;
	struct fwp_net_event c = classify_v4(0x30001, 0xC0000201, 0x0A010203, 4500, 1701, UDP);
	struct fwp_net_event k = kernel_v6(0x30002, db8_1, db8_2, 500);
	FWPM_NET_EVENT2 **v2 = NULL;
	FWPM_NET_EVENT3 **v3 = NULL;
	FWPM_NET_EVENT4 **v4 = NULL;
	FWPM_NET_EVENT5 **v5 = NULL;
	UINT32 n = 0;

	(void)state;
	NEED_SOURCE();
	memset(&sub, 0, sizeof(sub));
	for (int i = 0; i < 4; i++) {
		memset(&l[i], 0, sizeof(l[i]));
		pthread_mutex_init(&l[i].lock, NULL);
	}
	RC(FwpmNetEventSubscribe1(h, &sub, NULL, &l[0], &ev[0]), FWP_E_NULL_POINTER);
	assert_null(ev[0]);
	OK(FwpmNetEventSubscribe1(h, &sub, on_v2, &l[0], &ev[0]));
	OK(FwpmNetEventSubscribe2(h, &sub, on_v3, &l[1], &ev[1]));
	OK(FwpmNetEventSubscribe3(h, &sub, on_v4, &l[2], &ev[2]));
	OK(FwpmNetEventSubscribe4(h, &sub, on_v5, &l[3], &ev[3]));
	OK(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 1));
	c.classify_drop.isLoopback = TRUE;
	raise1(c);
	raise1(k);
	flush_raises(&c);
	for (int i = 0; i < 4; i++) {
		for (int t = 0; t < 200 && vlog_count(&l[i]) < 2; t++)
			usleep(10000);
		assert_int_equal(vlog_count(&l[i]), 2);
		assert_int_equal(l[i].classify_filter, 0x30001);
		assert_int_equal(l[i].loopback, 1);
		assert_int_equal(l[i].remote_port, 1701);
		assert_int_equal(l[i].spi, 0xc0ffee01);
		assert_false(l[i].bad);
		OK(FwpmNetEventUnsubscribe0(h, ev[i]));
	}

	/* The history in every version: the last two events. */
	OK(FwpmNetEventCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmNetEventEnum2(h, eh, 100000, &v2, &n));
	assert_true(n >= 2);
	assert_int_equal(v2[n - 2]->classifyDrop->filterId, 0x30001);
	assert_int_equal(v2[n - 2]->classifyDrop->isLoopback, TRUE);
	assert_int_equal(v2[n - 1]->ipsecDrop->spi, 0xc0ffee01);
	assert_int_equal(v2[n - 1]->header.scopeId, 3);
	FwpmFreeMemory0((void **)&v2);
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));
	OK(FwpmNetEventCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmNetEventEnum3(h, eh, 100000, &v3, &n));
	assert_true(n >= 2);
	assert_int_equal(v3[n - 2]->header.localAddrV4, 0xC0000201);
	assert_null(v3[n - 2]->header.enterpriseId);
	FwpmFreeMemory0((void **)&v3);
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));
	OK(FwpmNetEventCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmNetEventEnum4(h, eh, 100000, &v4, &n));
	assert_true(n >= 2);
	assert_int_equal(v4[n - 1]->type, FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP);
	FwpmFreeMemory0((void **)&v4);
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));
	OK(FwpmNetEventCreateEnumHandle0(h, NULL, &eh));
	OK(FwpmNetEventEnum5(h, eh, 100000, &v5, &n));
	assert_true(n >= 2);
	assert_int_equal(v5[n - 2]->classifyDrop->msFwpDirection, FWP_DIRECTION_OUTBOUND);
	assert_int_equal(v5[n - 1]->ipsecDrop->filterId, 0x30002);
	FwpmFreeMemory0((void **)&v5);
	OK(FwpmNetEventDestroyEnumHandle0(h, eh));
	OK(set_u32(h, FWPM_ENGINE_COLLECT_NET_EVENTS, 0));
	OK(FwpmEngineClose0(h));
	for (int i = 0; i < 4; i++)
		pthread_mutex_destroy(&l[i].lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_events),
		cmocka_unit_test(template_match),
		cmocka_unit_test(unsubscribe_stops),
		cmocka_unit_test(sessions),
		cmocka_unit_test(validation),
		cmocka_unit_test(engine_direct),
		cmocka_unit_test(burst_drops),
		cmocka_unit_test(threads),
		cmocka_unit_test(engine_options),
		cmocka_unit_test(net_event_history),
		cmocka_unit_test(newer_versions),
	};

	setenv("FWP_ENGINE", "embedded", 0);
	setenv("FWP_LOG", "warn", 1);	/* the burst test reads the warnings */
	setvbuf(stderr, NULL, _IONBF, 0);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
