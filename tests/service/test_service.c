/* test_service.c - fwpd as a service: sessions end with their connection,
 * a dead daemon is reported promptly, rights follow the peer's credentials,
 * hostile frames end only their own connection, and a subscriber that does
 * not read never stalls anyone. Each test runs its own daemon (harness.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fwpmu.h>
#include <fwpx.h>

#include "harness.h"
#include "raw_util.h"
#include "service_util.h"
#include "wire/message.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void CALLBACK ignore_event(void *ctx, const IPSEC_SA_CONTEXT_CHANGE0 *ch)
{
}

static UINT32 count_subscriptions(HANDLE h)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **subs = NULL;
	UINT32 n = 0;

	assert_int_equal(IPsecSaContextSubscriptionsGet0(h, &subs, &n), ERROR_SUCCESS);
	FwpmFreeMemory0((void **)&subs);
	return n;
}

/* kill -9 a client holding a transaction and a subscription: the daemon
 * ends its session; its SA context (never dynamic) stays; others go on. */
static void test_kill_client_cleans_up(void **state)
{
	struct fwpd_proc d;
	int pipefd[2];
	pid_t child;
	UINT64 id = 0;
	HANDLE h;
	IPSEC_SA_CONTEXT1 *ctx;
	double deadline;

	assert_int_equal(fwpd_start(&d, NULL), 0);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
		HANDLE ch, ev;
		UINT64 cid;

		memset(&sub, 0, sizeof(sub));
		if (open_engine(&ch) ||
		    IPsecSaContextSubscribe0(ch, &sub, ignore_event, NULL, &ev) ||
		    make_context(ch, 0x1000, &cid) ||
		    FwpmTransactionBegin0(ch, 0))
			_exit(1);
		if (write(pipefd[1], &cid, sizeof(cid)) != sizeof(cid))
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &id, sizeof(id)), sizeof(id));
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(count_subscriptions(h), 1);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* The daemon notices the closed connection within moments. */
	deadline = now_s() + 5;
	while (count_subscriptions(h) != 0 && now_s() < deadline)
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	assert_int_equal(count_subscriptions(h), 0);
	assert_int_equal(IPsecSaContextGetById1(h, id, &ctx), ERROR_SUCCESS);
	assert_non_null(ctx->outboundSa);
	FwpmFreeMemory0((void **)&ctx);
	assert_int_equal(FwpmTransactionBegin0(h, 0), ERROR_SUCCESS);
	assert_int_equal(FwpmTransactionAbort0(h), ERROR_SUCCESS);
	assert_int_equal(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	assert_int_equal(FwpmEngineClose0(h), ERROR_SUCCESS);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* kill -9 the daemon under an open handle: 1722 promptly and on every
 * later call; a new open gets 1753; closing still works; a restarted
 * daemon serves again (SA contexts do not survive a restart). */
static void test_daemon_killed_under_client(void **state)
{
	struct fwpd_proc d;
	HANDLE h, h2;
	UINT64 id;
	IPSEC_SA_CONTEXT1 *ctx = NULL;
	double t0;

	assert_int_equal(fwpd_start(&d, NULL), 0);
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(make_context(h, 0x2000, &id), ERROR_SUCCESS);
	fwpd_stop(&d, SIGKILL);
	t0 = now_s();
	assert_int_equal(IPsecSaContextGetById1(h, id, &ctx), RPC_S_SERVER_UNAVAILABLE);
	assert_true(now_s() - t0 < 2.0);
	assert_int_equal(IPsecSaContextDeleteById0(h, id), RPC_S_SERVER_UNAVAILABLE);
	assert_int_equal(open_engine(&h2), EPT_S_NOT_REGISTERED);
	assert_int_equal(FwpmEngineClose0(h), ERROR_SUCCESS);

	assert_int_equal(fwpd_restart(&d), 0);
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(IPsecSaContextGetById1(h, id, &ctx), FWP_E_NOT_FOUND);
	assert_int_equal(FwpmEngineClose0(h), ERROR_SUCCESS);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

/* An unprivileged user reads, enumerates, subscribes and reads statistics
 * (per-SA counters too), and is refused every change. */
static void test_access_unprivileged(void **state)
{
	struct fwpd_proc d;
	HANDLE h;
	UINT64 id;
	pid_t child;
	int status;

	if (geteuid() != 0) {
		skip();	/* switching to another user needs root */
		return;
	}
	assert_int_equal(fwpd_start(&d, NULL), 0);
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(make_context(h, 0x3000, &id), ERROR_SUCCESS);
	child = fork();
	if (child == 0) {
		IPSEC_SA_CONTEXT1 *ctx;
		IPSEC_STATISTICS1 st;
		FWPX_SA_COUNTERS0 cin, cout;
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
		IPSEC_TRAFFIC1 t;
		HANDLE uh, eh, ev;
		UINT64 nid;
		int bad = 0;

		memset(&sub, 0, sizeof(sub));
		memset(&t, 0, sizeof(t));
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (open_engine(&uh))
			_exit(11);
		bad |= IPsecSaContextGetById1(uh, id, &ctx) != ERROR_SUCCESS;
		bad |= IPsecSaContextCreateEnumHandle0(uh, NULL, &eh) != ERROR_SUCCESS;
		bad |= IPsecGetStatistics1(uh, &st) != ERROR_SUCCESS;
		bad |= IPsecSaContextSubscribe0(uh, &sub, ignore_event, NULL, &ev) != ERROR_SUCCESS;
		bad |= (IPsecSaContextCreate1(uh, &t, NULL, NULL, &nid) != ERROR_ACCESS_DENIED) << 1;
		bad |= (IPsecSaContextDeleteById0(uh, id) != ERROR_ACCESS_DENIED) << 2;
		bad |= (IPsecSaContextExpire0(uh, id) != ERROR_ACCESS_DENIED) << 3;
		ctx->inboundSa->saBundle.napContext = 7;
		bad |= (IPsecSaContextUpdate0(uh, IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT, ctx) !=
			ERROR_ACCESS_DENIED) << 4;
		bad |= (FwpxEngineSetExpireDrain0(uh, 1) != ERROR_ACCESS_DENIED) << 5;
		bad |= (FwpmTransactionBegin0(uh, 0) != ERROR_ACCESS_DENIED) << 6;
		bad |= (FwpmTransactionBegin0(uh, FWPM_TXN_READ_ONLY) != ERROR_SUCCESS) << 7;
		FwpmTransactionAbort0(uh);
		bad |= (FwpxSaContextGetCounters0(uh, id, &cin, &cout) != ERROR_SUCCESS ||
			!(cin.flags & FWPX_SA_COUNTERS_FLAG_LIVE)) << 8;
		_exit(bad);
	}
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* Nothing changed. */
	assert_int_equal(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	FwpmEngineClose0(h);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

/* The daemon answers RPC_S_PROTOCOL_ERROR and closes that connection. */
static void expect_protocol_error(int fd, const void *msg, size_t len)
{
	assert_true(send(fd, msg, len, 0) == (ssize_t)len);
	assert_int_equal(raw_result(fd), RPC_S_PROTOCOL_ERROR);
	assert_int_equal(raw_result(fd), -1);	/* then EOF */
	close(fd);
}

static void test_malformed_frames(void **state)
{
	static unsigned char buf[FWPD_MSG_MAX + 4096];
	struct fwpd_proc d;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	HANDLE h;
	UINT64 id;
	uint64_t x = 88172645463325252ull;

	assert_int_equal(fwpd_start(&d, NULL), 0);
	/* Garbage before any session. */
	expect_protocol_error(raw_connect(d.socket), "\x01\x02\x03", 3);
	/* A wrong protocol version. */
	nlh = msg_start(buf, FWPD_OP_OPEN, 7);
	msg_put_u32(nlh, FWPD_A_VERSION, 99);
	expect_protocol_error(raw_connect(d.socket), nlh, nlh->nlmsg_len);
	/* A request before OPEN. */
	nlh = msg_start(buf, FWPD_OP_SA_DELETE, 1);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	expect_protocol_error(raw_connect(d.socket), nlh, nlh->nlmsg_len);
	/* A header whose length lies. */
	nlh = msg_start(buf, FWPD_OP_SA_DELETE, 2);
	msg_put_u64(nlh, FWPD_A_ID, 1);
	nlh->nlmsg_len += 64;
	expect_protocol_error(raw_open(d.socket), buf, nlh->nlmsg_len - 64);
	/* A traffic struct whose nested fields have wrong sizes. */
	nlh = msg_start(buf, FWPD_OP_SA_CREATE, 3);
	nest = mnl_attr_nest_start(nlh, FWPD_A_TRAFFIC);
	mnl_attr_put_u64(nlh, 1, 5);	/* ipVersion must be 4 bytes */
	mnl_attr_nest_end(nlh, nest);
	expect_protocol_error(raw_open(d.socket), nlh, nlh->nlmsg_len);
	/* A wide string without its terminator. */
	nlh = msg_start(buf, FWPD_OP_OPEN, 4);
	msg_put_u32(nlh, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	nest = mnl_attr_nest_start(nlh, FWPD_A_SESSION);
	{
		struct nlattr *dd = mnl_attr_nest_start(nlh, 2);
		wchar_t name[2] = { L'x', L'y' };

		mnl_attr_put(nlh, 1, sizeof(name), name);
		mnl_attr_nest_end(nlh, dd);
	}
	mnl_attr_nest_end(nlh, nest);
	expect_protocol_error(raw_connect(d.socket), nlh, nlh->nlmsg_len);
	/* Operation numbers in the gaps of the table, and past its end. */
	{
		static const uint16_t gaps[] = { 0x3b, 0x3f, FWPD_OP_MAX, 0xff };

		for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
			nlh = msg_start(buf, gaps[i], 9);
			expect_protocol_error(raw_open(d.socket), nlh, nlh->nlmsg_len);
		}
	}
	/* An attribute number in a gap; a change subscription of no kind. */
	nlh = msg_start(buf, FWPD_OP_CHANGE_UNSUBSCRIBE, 10);
	msg_put_u32(nlh, 0x3f, 0);
	expect_protocol_error(raw_open(d.socket), nlh, nlh->nlmsg_len);
	nlh = msg_start(buf, FWPD_OP_CHANGE_SUBSCRIBE, 11);
	msg_put_u32(nlh, FWPD_A_KIND, 9);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, FWPD_A_CHANGE_SUBSCRIPTION));
	expect_protocol_error(raw_open(d.socket), nlh, nlh->nlmsg_len);
	/* Larger than any message may be. */
	nlh = msg_start(buf, FWPD_OP_STATISTICS, 5);
	nlh->nlmsg_len = FWPD_MSG_MAX + 2048;
	expect_protocol_error(raw_open(d.socket), buf, nlh->nlmsg_len);
	/* Random bytes behind a valid header, many times over. */
	for (int i = 0; i < 300; i++) {
		int fd = raw_open(d.socket);
		size_t len = 16 + (size_t)(x % 600);

		assert_true(fd >= 0);
		for (size_t k = 16; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = (unsigned char)x;
		}
		nlh = (struct nlmsghdr *)buf;
		nlh->nlmsg_len = (uint32_t)len;
		nlh->nlmsg_type = (uint16_t)(FWPD_OP_OPEN + 1 + x % (FWPD_OP_MAX - FWPD_OP_OPEN));
		nlh->nlmsg_flags = 0;
		nlh->nlmsg_seq = (uint32_t)i;
		nlh->nlmsg_pid = 0;
		assert_true(send(fd, buf, len, 0) == (ssize_t)len);
		/* Any answer is fine; the daemon must survive and stay sane. */
		raw_result(fd);
		close(fd);
	}
	/* Others were never affected. */
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(make_context(h, 0x4000, &id), ERROR_SUCCESS);
	assert_int_equal(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	FwpmEngineClose0(h);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

/* A subscriber that never reads: its events are dropped, the engine and
 * every other client go on at full speed, and it learns what it lost. */
static void test_slow_subscriber_never_stalls(void **state)
{
	static unsigned char buf[FWPD_MSG_MAX + 1];
	struct fwpd_proc d;
	struct nlmsghdr *nlh;
	HANDLE h;
	long rss0, rss1;
	uint32_t dropped = 0;
	int fd, rcvbuf = 4096;
	double t0;

	assert_int_equal(fwpd_start(&d, "--client-queue-bytes=65536"), 0);
	fd = raw_open(d.socket);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	nlh = msg_start(buf, FWPD_OP_SUBSCRIBE, 2);
	msg_put_u32(nlh, FWPD_A_MASK, FWPX_EVENT_MASK_ALL);
	msg_put_u64(nlh, FWPD_A_COOKIE, 77);
	{
		IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub;
		struct nlattr *nest;

		memset(&sub, 0, sizeof(sub));
		nest = mnl_attr_nest_start(nlh, FWPD_A_SUBSCRIPTION);
		mnl_attr_nest_end(nlh, nest);
	}
	assert_true(send(fd, nlh, nlh->nlmsg_len, 0) > 0);
	assert_int_equal(raw_result(fd), 0);

	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	rss0 = fwpd_rss_kib(&d);
	t0 = now_s();
	for (UINT32 i = 0; i < 20000; i++) {
		UINT64 id;

		assert_int_equal(make_context(h, 0x10000 + i, &id), ERROR_SUCCESS);
		assert_int_equal(IPsecSaContextDeleteById0(h, id), ERROR_SUCCESS);
	}
	/* Not a performance bound: only "did not stall" (a stalled daemon
	 * would hit the 30 s call timeout). */
	assert_true(now_s() - t0 < 25);
	rss1 = fwpd_rss_kib(&d);
	if (!FWP_TEST_ASAN)
		assert_true(rss1 - rss0 < 16 * 1024);
	/* Now read: events, then a DROPPED notice for cookie 0. */
	for (;;) {
		struct msg_attrs m;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		FWPX_SA_CONTEXT_EVENT0 ev;

		if (n <= 0) {
			/* Give the daemon a moment to queue the notice. */
			struct timeval tv = { .tv_sec = 2 };

			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
		}
		assert_int_equal(msg_parse(buf, (size_t)n, &m), 0);
		assert_int_equal(m.nlh->nlmsg_type, FWPD_MSG_EVENT);
		memcpy(&ev, mnl_attr_get_payload(m.a[FWPD_A_EVENT]), sizeof(ev));
		if (ev.eventType == FWPX_SA_CONTEXT_EVENT_DROPPED) {
			dropped = ev.numDropped;
			break;
		}
	}
	assert_true(dropped > 0);
	close(fd);
	FwpmEngineClose0(h);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

/* The same for a change subscriber that never reads: filter changes go on
 * at full speed, its changes are dropped, and it is told so. */
static void test_slow_change_subscriber(void **state)
{
	static unsigned char buf[FWPD_MSG_MAX + 1];
	static const GUID prov = { 0x6a1e2b3c, 0x1, 0x2, { 3, 4, 5, 6, 7, 8, 9, 10 } };
	FWPM_PROVIDER0 p = { .providerKey = prov, .displayData.name = L"slow" };
	struct fwpd_proc d;
	struct nlmsghdr *nlh;
	HANDLE h;
	uint32_t dropped = 0, changes = 0;
	int fd, rcvbuf = 4096;
	double t0;

	(void)state;
	assert_int_equal(fwpd_start(&d, "--client-queue-bytes=65536"), 0);
	fd = raw_open(d.socket);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	nlh = msg_start(buf, FWPD_OP_CHANGE_SUBSCRIBE, 2);
	msg_put_u32(nlh, FWPD_A_KIND, 2);	/* filters */
	msg_put_u64(nlh, FWPD_A_COOKIE, 78);
	mnl_attr_nest_end(nlh, mnl_attr_nest_start(nlh, FWPD_A_CHANGE_SUBSCRIPTION));
	assert_true(send(fd, nlh, nlh->nlmsg_len, 0) > 0);
	assert_int_equal(raw_result(fd), 0);

	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(FwpmProviderAdd0(h, &p, NULL), ERROR_SUCCESS);
	t0 = now_s();
	for (UINT32 i = 0; i < 5000; i++) {
		FWPM_FILTER0 f;
		UINT64 id = 0;

		memset(&f, 0, sizeof(f));
		f.displayData.name = L"slow filter";
		f.providerKey = (GUID *)&prov;
		f.layerKey = FWPM_LAYER_OUTBOUND_TRANSPORT_V4;
		f.action.type = FWP_ACTION_PERMIT;
		assert_int_equal(FwpmFilterAdd0(h, &f, NULL, &id), ERROR_SUCCESS);
		assert_int_equal(FwpmFilterDeleteById0(h, id), ERROR_SUCCESS);
	}
	assert_true(now_s() - t0 < 25);	/* did not stall (see above) */
	for (;;) {
		struct msg_attrs m;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		FWPX_SA_CONTEXT_EVENT0 ev;

		if (n <= 0) {
			struct timeval tv = { .tv_sec = 2 };

			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			n = recv(fd, buf, sizeof(buf), 0);
			if (n <= 0)
				break;
		}
		assert_int_equal(msg_parse(buf, (size_t)n, &m), 0);
		if (m.nlh->nlmsg_type == FWPD_MSG_CHANGE) {
			assert_int_equal(msg_u64(&m, FWPD_A_COOKIE, 0), 78);
			changes++;
			continue;
		}
		assert_int_equal(m.nlh->nlmsg_type, FWPD_MSG_EVENT);
		memcpy(&ev, mnl_attr_get_payload(m.a[FWPD_A_EVENT]), sizeof(ev));
		if (ev.eventType == FWPX_SA_CONTEXT_EVENT_DROPPED) {
			dropped = ev.numDropped;
			break;
		}
	}
	assert_true(changes > 0);
	assert_true(dropped > 0);
	assert_true(changes + dropped <= 10000);
	close(fd);
	assert_int_equal(FwpmProviderDeleteByKey0(h, &prov), ERROR_SUCCESS);
	FwpmEngineClose0(h);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

/* The engine-wide cap on SA contexts: the next Create gets a clear
 * ERROR_NOT_ENOUGH_QUOTA, nothing else changes, and a delete makes room. */
static void test_sa_context_limit(void **state)
{
	struct fwpd_proc d;
	HANDLE h;
	UINT64 ids[4], extra;
	IPSEC_STATISTICS1 st;

	assert_int_equal(fwpd_start(&d, "--max-sa-contexts=4"), 0);
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	for (UINT32 i = 0; i < 4; i++)
		assert_int_equal(make_context(h, 0x5000 + i, &ids[i]), ERROR_SUCCESS);
	assert_int_equal(make_context(h, 0x5004, &extra), ERROR_NOT_ENOUGH_QUOTA);
	assert_int_equal(IPsecGetStatistics1(h, &st), ERROR_SUCCESS);
	assert_int_equal(st.aggregateSaStatistics.activeSas, 8);
	assert_int_equal(IPsecSaContextDeleteById0(h, ids[0]), ERROR_SUCCESS);
	assert_int_equal(make_context(h, 0x5004, &extra), ERROR_SUCCESS);
	FwpmEngineClose0(h);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

static void CALLBACK ignore_filter_change(void *ctx, const FWPM_FILTER_CHANGE0 *ch)
{
	(void)ctx;
	(void)ch;
}

/* Counts of the SA-context and filter-change subscriptions h may list;
 * *own set when one of them has key. */
static int listed(HANDLE h, UINT32 *sa, UINT32 *filter, const GUID *key, bool *own)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 **v = NULL;
	FWPM_FILTER_SUBSCRIPTION0 **fv = NULL;

	*own = false;
	if (IPsecSaContextSubscriptionsGet0(h, &v, sa) ||
	    FwpmFilterSubscriptionsGet0(h, &fv, filter))
		return -1;
	for (UINT32 i = 0; key && i < *sa; i++)
		*own |= !memcmp(&v[i]->sessionKey, key, sizeof(*key));
	FwpmFreeMemory0((void **)&v);
	FwpmFreeMemory0((void **)&fv);
	return 0;
}

/* SubscriptionsGet0 (SA contexts and change subscriptions alike): root
 * lists every session's, another user only his own. */
static void test_subscriptions_get_scope(void **state)
{
	static const GUID ukey = { 0x5c0be001, 1, 2, { 3, 4, 5, 6, 7, 8, 9, 10 } };
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 sub = { 0 };
	FWPM_FILTER_SUBSCRIPTION0 fsub = { 0 };
	struct fwpd_proc d;
	HANDLE h, ev, fc;
	int up[2], down[2], status;
	UINT32 sa, filter;
	pid_t child;
	bool own;
	char c;

	if (geteuid() != 0) {
		skip();	/* switching to another user needs root */
		return;
	}
	assert_int_equal(fwpd_start(&d, NULL), 0);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	/* Forked before this process has threads (the library's event
	 * thread comes with the first subscription): the child's own threads
	 * are then safe, also under TSan. It starts when told to. */
	child = fork();
	if (child == 0) {
		FWPM_SESSION0 ses = { .sessionKey = ukey };
		HANDLE uh, uev, ufc;
		int bad = 0;

		close(up[0]);
		close(down[1]);
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		if (read(down[0], &c, 1) != 1)
			_exit(14);
		if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, &ses, &uh))
			_exit(11);
		if (IPsecSaContextSubscribe0(uh, &sub, ignore_event, NULL, &uev) ||
		    FwpmFilterSubscribeChanges0(uh, &fsub, ignore_filter_change, NULL, &ufc))
			_exit(12);
		/* Only his own: root's are not listed. */
		bad |= listed(uh, &sa, &filter, &ukey, &own) != 0;
		bad |= (sa != 1 || filter != 1 || !own) << 1;
		if (write(up[1], "s", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(13);
		_exit(bad);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(open_engine(&h), ERROR_SUCCESS);
	assert_int_equal(IPsecSaContextSubscribe0(h, &sub, ignore_event, NULL, &ev), 0);
	assert_int_equal(FwpmFilterSubscribeChanges0(h, &fsub, ignore_filter_change, NULL, &fc), 0);
	assert_int_equal(write(down[1], "g", 1), 1);
	/* Subscribed; root lists both sessions'. */
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_int_equal(listed(h, &sa, &filter, &ukey, &own), 0);
	assert_int_equal(sa, 2);
	assert_int_equal(filter, 2);
	assert_true(own);
	assert_int_equal(write(down[1], "x", 1), 1);
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(up[0]);
	close(down[1]);
	assert_int_equal(IPsecSaContextUnsubscribe0(h, ev), 0);
	assert_int_equal(FwpmFilterUnsubscribeChanges0(h, fc), 0);
	FwpmEngineClose0(h);
	assert_int_equal(fwpd_stop(&d, SIGTERM), 0);
	fwpd_cleanup(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_client_cleans_up),
		cmocka_unit_test(test_daemon_killed_under_client),
		cmocka_unit_test(test_access_unprivileged),
		cmocka_unit_test(test_subscriptions_get_scope),
		cmocka_unit_test(test_malformed_frames),
		cmocka_unit_test(test_slow_subscriber_never_stalls),
		cmocka_unit_test(test_slow_change_subscriber),
		cmocka_unit_test(test_sa_context_limit),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
