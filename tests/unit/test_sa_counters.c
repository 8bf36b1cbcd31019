/* test_sa_counters.c - a datapath's numbers reach clients unchanged.
 *
 * An engine is created with a fake backend (struct dp_backend_ops) whose
 * per-SA counters and traffic statistics are chosen by the test, with
 * every bit of every field significant. They must arrive as they are in
 * FWPX_SA_COUNTERS0 (engine_sa_counters) and IPSEC_STATISTICS1
 * (engine_statistics), and once more through fwpd's handlers, encoded as
 * the wire carries them. Also here, because only a session made by hand
 * lacks it: the READ_STATS right.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/engine.h"
#include "fwpd/fwpd.h"
#include "wire/message.h"

/* ---- the fake datapath ------------------------------------------------ */

#define FAKE_MAX 8

struct fake_sa {
	uint64_t id;
	FWP_DIRECTION dir;
	bool installed;
	struct sa_counters ctr;
};

struct fake {
	struct fake_sa sa[FAKE_MAX];
	int n;
	int counter_calls;
	int fail;			/* sa_counters returns this when set */
	bool forget;			/* sa_counters says -ENOENT */
	IPSEC_STATISTICS1 stats;	/* added by statistics() */
};

static struct fake fake;

static struct fake_sa *fake_find(uint64_t id, FWP_DIRECTION dir)
{
	for (int i = 0; i < fake.n; i++)
		if (fake.sa[i].id == id && fake.sa[i].dir == dir)
			return &fake.sa[i];
	return NULL;
}

/* The handle the backend returns is its own record. */
static int fake_install(void *be, const struct be_sa *sa, void **handle)
{
	struct fake_sa *f = fake_find(sa->id, sa->dir);

	(void)be;
	if (!f) {
		if (fake.n == FAKE_MAX)
			return -ENOMEM;
		f = &fake.sa[fake.n++];
		memset(f, 0, sizeof(*f));
		f->id = sa->id;
		f->dir = sa->dir;
	}
	f->installed = true;
	*handle = f;
	return 0;
}

static int fake_update(void *be, void *const h[2], const struct be_change *const ch[2])
{
	(void)be, (void)h, (void)ch;
	return 0;
}

static void fake_remove(void *be, void *handle)
{
	struct fake_sa *f = handle;

	(void)be;
	if (f)
		f->installed = false;
}

static int fake_counters(void *be, void *handle, struct sa_counters *out)
{
	struct fake_sa *f = handle;

	(void)be;
	fake.counter_calls++;
	if (fake.fail)
		return fake.fail;
	if (!f || !f->installed || fake.forget)
		return -ENOENT;
	*out = f->ctr;
	return 0;
}

/* As the seam says: adds to what the engine filled in. */
static void fake_statistics(void *be, IPSEC_STATISTICS1 *out)
{
	const uint8_t *add = (const uint8_t *)&fake.stats;
	uint8_t *o = (uint8_t *)out;

	(void)be;
	/* Every field past the SA counts, whatever its width. The engine
	 * hands them over zeroed, so OR-ing the bytes in is the addition. */
	for (size_t i = offsetof(IPSEC_STATISTICS1, espDropPacketStatistics);
	     i < sizeof(*out); i++)
		o[i] |= add[i];
}

static const struct dp_backend_ops fake_ops = {
	.name = "fake",
	.sa_install = fake_install,
	.sa_update_pair = fake_update,
	.sa_remove = fake_remove,
	.sa_counters = fake_counters,
	.statistics = fake_statistics,
};

/* ---- engine and contexts ---------------------------------------------- */

static struct engine *e;
static struct engine_session *s;

static int setup(void **state)
{
	struct engine_config cfg = { .backend = { .ops = &fake_ops } };
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

	(void)state;
	memset(&fake, 0, sizeof(fake));
	if (engine_create(&cfg, &e))
		return -1;
	return engine_session_open(e, NULL, &cred, NULL, &s) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	engine_session_close(s);
	engine_destroy(e);
	return 0;
}

static const UINT8 key[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
			       11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

static IPSEC_TRAFFIC1 traffic(void)
{
	IPSEC_TRAFFIC1 t;

	memset(&t, 0, sizeof(t));
	t.ipVersion = FWP_IP_VERSION_V4;
	t.localV4Address = 0xC0000201;
	t.remoteV4Address = 0xC6336402;
	t.trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT;
	return t;
}

static void add_sa(UINT64 id, FWP_DIRECTION dir, UINT32 spi)
{
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 aci;
	IPSEC_SA0 sa;
	IPSEC_SA_BUNDLE1 b;

	memset(&aci, 0, sizeof(aci));
	aci.saCipherInformation.cipherTransform.cipherTransformId =
		IPSEC_CIPHER_TRANSFORM_ID_GCM_AES_128;
	aci.saCipherInformation.cipherKey.size = sizeof(key);
	aci.saCipherInformation.cipherKey.data = (UINT8 *)key;
	aci.saAuthInformation.authTransform.authTransformId =
		IPSEC_AUTH_TRANSFORM_ID_GCM_AES_128;
	memset(&sa, 0, sizeof(sa));
	sa.spi = spi;
	sa.saTransformType = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa.espAuthAndCipherInformation = &aci;
	memset(&b, 0, sizeof(b));
	b.numSAs = 1;
	b.saList = &sa;
	b.ipVersion = FWP_IP_VERSION_V4;
	assert_int_equal(engine_sa_add(s, id, dir, &b), ERROR_SUCCESS);
}

/* A context with its inbound SA, and its outbound one when `mature`. */
static UINT64 context(UINT32 spi, bool mature)
{
	IPSEC_TRAFFIC1 t = traffic();
	IPSEC_GETSPI1 g;
	UINT64 id = 0, fid = 0;

	assert_int_equal(engine_sa_create(s, &t, NULL, &fid, &id), ERROR_SUCCESS);
	memset(&g, 0, sizeof(g));
	g.inboundIpsecTraffic = t;
	g.ipVersion = FWP_IP_VERSION_V4;
	assert_int_equal(engine_sa_set_spi(s, id, &g, spi), ERROR_SUCCESS);
	add_sa(id, FWP_DIRECTION_INBOUND, spi);
	if (mature)
		add_sa(id, FWP_DIRECTION_OUTBOUND, spi + 1);
	return id;
}

/* Values that use every byte of every field, different per direction. */
static void set_counters(UINT64 id, FWP_DIRECTION dir, uint64_t base)
{
	struct fake_sa *f = fake_find(id, dir);

	assert_non_null(f);
	f->ctr.packets = base ^ 0x0102030405060708ull;
	f->ctr.bytes = base ^ 0xF1F2F3F4F5F6F7F8ull;
	f->ctr.replay_drops = base ^ 0x1111111111111111ull;
	f->ctr.icv_failures = base ^ 0x2222222222222222ull;
	f->ctr.other_drops = base ^ 0x3333333333333333ull;
	f->ctr.last_use_ms = base ^ 0x4444444444444444ull;
}

static void expect_counters(const FWPX_SA_COUNTERS0 *got, UINT64 id, FWP_DIRECTION dir)
{
	const struct sa_counters *want = &fake_find(id, dir)->ctr;

	assert_int_equal(got->packets, want->packets);
	assert_int_equal(got->bytes, want->bytes);
	assert_int_equal(got->replayDrops, want->replay_drops);
	assert_int_equal(got->icvFailures, want->icv_failures);
	assert_int_equal(got->otherDrops, want->other_drops);
	assert_int_equal(got->lastUseMs, want->last_use_ms);
	assert_int_equal(got->flags, FWPX_SA_COUNTERS_FLAG_LIVE);
	assert_int_equal(got->reserved, 0);
}

static void expect_not_live(const FWPX_SA_COUNTERS0 *got)
{
	FWPX_SA_COUNTERS0 zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(got, &zero, sizeof(zero));
}

/* ---- the engine path -------------------------------------------------- */

static void test_mature_unchanged(void **state)
{
	FWPX_SA_COUNTERS0 in, out;
	UINT64 id = context(0x1000, true);

	(void)state;
	set_counters(id, FWP_DIRECTION_INBOUND, 0xA0A0A0A0A0A0A0A0ull);
	set_counters(id, FWP_DIRECTION_OUTBOUND, 0x0B0B0B0B0B0B0B0Bull);
	assert_int_equal(engine_sa_counters(s, id, &in, &out), ERROR_SUCCESS);
	expect_counters(&in, id, FWP_DIRECTION_INBOUND);
	expect_counters(&out, id, FWP_DIRECTION_OUTBOUND);
	/* One direction alone asks the backend for that one only. */
	fake.counter_calls = 0;
	memset(&out, 0, sizeof(out));
	assert_int_equal(engine_sa_counters(s, id, NULL, &out), ERROR_SUCCESS);
	expect_counters(&out, id, FWP_DIRECTION_OUTBOUND);
	assert_int_equal(fake.counter_calls, 1);
}

static void test_inbound_only(void **state)
{
	FWPX_SA_COUNTERS0 in, out;
	UINT64 id = context(0x2000, false);

	(void)state;
	set_counters(id, FWP_DIRECTION_INBOUND, 7);
	fake.counter_calls = 0;
	memset(&out, 0x5A, sizeof(out));
	assert_int_equal(engine_sa_counters(s, id, &in, &out), ERROR_SUCCESS);
	expect_counters(&in, id, FWP_DIRECTION_INBOUND);
	expect_not_live(&out);
	/* A direction that is not live is never asked about. */
	assert_int_equal(fake.counter_calls, 1);
}

/* Expire0 removes the outbound SA from the backend: no longer live, even
 * though the fake still remembers its numbers. */
static void test_after_expire(void **state)
{
	FWPX_SA_COUNTERS0 in, out;
	UINT64 id = context(0x3000, true);

	(void)state;
	set_counters(id, FWP_DIRECTION_INBOUND, 0x77);
	set_counters(id, FWP_DIRECTION_OUTBOUND, 0x88);
	assert_int_equal(engine_sa_expire(s, id), ERROR_SUCCESS);
	assert_false(fake_find(id, FWP_DIRECTION_OUTBOUND)->installed);
	assert_int_equal(engine_sa_counters(s, id, &in, &out), ERROR_SUCCESS);
	expect_counters(&in, id, FWP_DIRECTION_INBOUND);
	expect_not_live(&out);
	assert_int_equal(engine_sa_delete(s, id), ERROR_SUCCESS);
	assert_int_equal(engine_sa_counters(s, id, &in, &out), FWP_E_NOT_FOUND);
}

/* A live SA the backend does not know (yet) reads as zeros, still LIVE;
 * a backend error fails the call and leaves the caller's structs. */
static void test_backend_answers(void **state)
{
	FWPX_SA_COUNTERS0 in, out, before;
	UINT64 id = context(0x4000, true);

	(void)state;
	set_counters(id, FWP_DIRECTION_INBOUND, 1);
	fake.forget = true;
	assert_int_equal(engine_sa_counters(s, id, &in, &out), ERROR_SUCCESS);
	assert_int_equal(in.flags, FWPX_SA_COUNTERS_FLAG_LIVE);
	assert_int_equal(in.packets, 0);
	assert_int_equal(out.flags, FWPX_SA_COUNTERS_FLAG_LIVE);
	fake.forget = false;

	fake.fail = -EIO;
	memset(&in, 0x5A, sizeof(in));
	memset(&out, 0x5A, sizeof(out));
	before = in;
	assert_int_equal(engine_sa_counters(s, id, &in, &out), ERROR_NOT_SUPPORTED);
	assert_memory_equal(&in, &before, sizeof(in));
	assert_memory_equal(&out, &before, sizeof(out));
	fake.fail = -ENOMEM;
	assert_int_equal(engine_sa_counters(s, id, &in, NULL), ERROR_NOT_ENOUGH_MEMORY);
	fake.fail = 0;
}

/* Check order: NULL pointers, then rights (READ_STATS, which every fwpd
 * user holds), then the transaction, then the id. */
static void test_rights_and_order(void **state)
{
	struct session_cred reader = { .rights = ENGINE_RIGHTS_READ };
	struct session_cred no_stats = {
		.rights = ENGINE_RIGHTS_READ & ~(uint32_t)FWPM_ACTRL_READ_STATS,
	};
	struct engine_session *r, *n;
	FWPX_SA_COUNTERS0 in;
	IPSEC_STATISTICS1 st;
	UINT64 id = context(0x5000, true);

	(void)state;
	assert_int_equal(engine_session_open(e, NULL, &reader, NULL, &r), ERROR_SUCCESS);
	assert_int_equal(engine_session_open(e, NULL, &no_stats, NULL, &n), ERROR_SUCCESS);
	assert_int_equal(engine_sa_counters(r, id, &in, NULL), ERROR_SUCCESS);
	assert_int_equal(engine_sa_counters(n, id, &in, NULL), ERROR_ACCESS_DENIED);
	assert_int_equal(engine_sa_counters(n, 999999, &in, NULL), ERROR_ACCESS_DENIED);
	assert_int_equal(engine_statistics(n, &st), ERROR_ACCESS_DENIED);
	assert_int_equal(engine_sa_counters(n, id, NULL, NULL), FWP_E_NULL_POINTER);
	assert_int_equal(engine_txn_begin(r, FWPM_TXN_READ_ONLY), ERROR_SUCCESS);
	assert_int_equal(engine_sa_counters(r, 999999, &in, NULL), FWP_E_TXN_IN_PROGRESS);
	assert_int_equal(engine_txn_abort(r), ERROR_SUCCESS);
	assert_int_equal(engine_sa_counters(r, 999999, &in, NULL), FWP_E_NOT_FOUND);
	engine_session_close(r);
	engine_session_close(n);
}

/* Every traffic and drop field of IPSEC_STATISTICS1 comes from the
 * backend unchanged; the SA counts stay the engine's. */
static void fill_stats(IPSEC_STATISTICS1 *st)
{
	uint8_t *p = (uint8_t *)st;

	memset(st, 0, sizeof(*st));
	for (size_t i = offsetof(IPSEC_STATISTICS1, espDropPacketStatistics);
	     i < sizeof(*st); i++)
		p[i] = (uint8_t)(i * 7 + 1);
}

static void expect_stats(const IPSEC_STATISTICS1 *got, UINT32 active)
{
	IPSEC_STATISTICS1 a = *got;

	assert_int_equal(got->aggregateSaStatistics.activeSas, active);
	memset(&a.aggregateSaStatistics, 0, sizeof(a.aggregateSaStatistics));
	assert_memory_equal(&a, &fake.stats, sizeof(a));
}

static void test_statistics_unchanged(void **state)
{
	IPSEC_STATISTICS1 st;

	(void)state;
	fill_stats(&fake.stats);
	/* The fields the operator sees first (fwpctl stats, "traffic"). */
	assert_int_not_equal(fake.stats.inboundTrafficStatistics.totalSuccessfulPackets, 0);
	assert_int_not_equal(fake.stats.outboundTrafficStatistics.encryptedByteCount, 0);
	assert_int_not_equal(fake.stats.aggregateDropPacketStatistics.totalDropPacketsInbound, 0);
	context(0x6000, true);
	assert_int_equal(engine_statistics(s, &st), ERROR_SUCCESS);
	expect_stats(&st, 2);
}

/* ---- through fwpd's handlers: the numbers as the wire carries them ---- */

/* handlers.c is linked alone: what it needs of the rest of fwpd. Replies
 * are queued on the connection as server.c queues them. */
int conn_queue(struct conn *c, const void *msg, size_t len)
{
	struct out_msg *m = malloc(sizeof(*m) + len);

	if (!m)
		return -ENOBUFS;
	m->next = NULL;
	m->len = len;
	memcpy(m->data, msg, len);
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	c->queued_bytes += len;
	return 0;
}

void net_relay_post(void *c, uint64_t cookie, const struct fwp_net_event *ev)
{
	(void)c, (void)cookie, (void)ev;
}

int test_net_raise(struct server *sv, const struct fwp_net_event *ev, uint32_t n)
{
	(void)sv, (void)ev, (void)n;
	return -ENOSYS;
}

/* Sessions are opened directly here, never through OPEN. */
int token_for_peer(int fd, struct sd_token *t)
{
	(void)fd, (void)t;
	return -ENOSYS;
}

static struct server srv;
static struct conn conn;

/* Runs one request on conn; returns the reply, parsed (freed by caller). */
static struct out_msg *request(struct nlmsghdr *req, struct msg_attrs *m)
{
	struct out_msg *reply;

	assert_true(handle_request(&conn, req, req->nlmsg_len));
	reply = conn.out_head;
	assert_non_null(reply);
	assert_null(reply->next);
	conn.out_head = conn.out_tail = NULL;
	conn.queued_bytes = 0;
	assert_int_equal(msg_parse(reply->data, reply->len, m), 0);
	return reply;
}

static void test_wire_unchanged(void **state)
{
	static unsigned char buf[FWPD_MSG_MAX];
	struct msg_attrs m;
	struct out_msg *reply;
	struct nlmsghdr *req;
	FWPX_SA_COUNTERS0 in, out;
	UINT64 id = context(0x7000, true);

	(void)state;
	set_counters(id, FWP_DIRECTION_INBOUND, 0xFEDCBA9876543210ull);
	set_counters(id, FWP_DIRECTION_OUTBOUND, 0x0123456789ABCDEFull);
	fill_stats(&fake.stats);
	srv.txbuf = malloc(FWPD_MSG_MAX);
	srv.engine = e;
	conn.srv = &srv;
	conn.fd = -1;
	conn.rights = ENGINE_RIGHTS_READ;
	conn.session = s;

	req = msg_start(buf, FWPD_OP_SA_COUNTERS, 1);
	msg_put_u64(req, FWPD_A_ID, id);
	reply = request(req, &m);
	assert_int_equal(msg_u32(&m, FWPD_A_RESULT, 1), ERROR_SUCCESS);
	assert_non_null(m.a[FWPD_A_COUNTERS_IN]);
	assert_non_null(m.a[FWPD_A_COUNTERS_OUT]);
	memcpy(&in, mnl_attr_get_payload(m.a[FWPD_A_COUNTERS_IN]), sizeof(in));
	memcpy(&out, mnl_attr_get_payload(m.a[FWPD_A_COUNTERS_OUT]), sizeof(out));
	expect_counters(&in, id, FWP_DIRECTION_INBOUND);
	expect_counters(&out, id, FWP_DIRECTION_OUTBOUND);
	free(reply);

	/* An unknown id: the result only. */
	req = msg_start(buf, FWPD_OP_SA_COUNTERS, 2);
	msg_put_u64(req, FWPD_A_ID, id + 1000);
	reply = request(req, &m);
	assert_int_equal(msg_u32(&m, FWPD_A_RESULT, 0), FWP_E_NOT_FOUND);
	assert_null(m.a[FWPD_A_COUNTERS_IN]);
	free(reply);

	req = msg_start(buf, FWPD_OP_STATISTICS, 3);
	reply = request(req, &m);
	assert_int_equal(msg_u32(&m, FWPD_A_RESULT, 1), ERROR_SUCCESS);
	assert_int_equal(mnl_attr_get_payload_len(m.a[FWPD_A_STATS]), sizeof(IPSEC_STATISTICS1));
	{
		IPSEC_STATISTICS1 st;

		memcpy(&st, mnl_attr_get_payload(m.a[FWPD_A_STATS]), sizeof(st));
		expect_stats(&st, 2);
	}
	free(reply);
	free(srv.txbuf);
	srv.txbuf = NULL;
}

/* Operation and attribute numbers in the gaps below a feature's range
 * (0x3b-0x4f) are unknown: protocol error, connection closed; the
 * descriptor range's own numbers are known. */
static void test_number_gaps(void **state)
{
	static unsigned char buf[FWPD_MSG_MAX];
	static const uint16_t ops[] = { 0x3b, 0x4f, 0x52, 0x5f };
	struct msg_attrs m;
	struct nlmsghdr *req;

	(void)state;
	srv.txbuf = malloc(FWPD_MSG_MAX);
	srv.engine = e;
	conn.srv = &srv;
	conn.fd = -1;
	conn.rights = ENGINE_RIGHTS_ALL;
	conn.session = s;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		req = msg_start(buf, ops[i], (uint32_t)i + 1);
		assert_false(handle_request(&conn, req, req->nlmsg_len));
		assert_int_equal(msg_parse(conn.out_head->data, conn.out_head->len, &m), 0);
		assert_int_equal(msg_u32(&m, FWPD_A_RESULT, 0), RPC_S_PROTOCOL_ERROR);
		free(conn.out_head);
		conn.out_head = conn.out_tail = NULL;
	}
	for (uint16_t a = 0x3b; a <= 0x4f; a++) {	/* attributes in the gap */
		req = msg_start(buf, FWPD_OP_STATISTICS, a);
		msg_put_u32(req, a, 0);
		assert_false(handle_request(&conn, req, req->nlmsg_len));
		free(conn.out_head);
		conn.out_head = conn.out_tail = NULL;
	}
	/* SD_GET (0x50) is known: an ordinary result for the engine's DACL. */
	req = msg_start(buf, FWPD_OP_SD_GET, 99);
	msg_put_u32(req, FWPD_A_SD_TARGET, ENGINE_SD_ENGINE);
	msg_put_u32(req, FWPD_A_SECINFO, DACL_SECURITY_INFORMATION);
	free(request(req, &m));
	conn.queued_bytes = 0;
	free(srv.txbuf);
	srv.txbuf = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mature_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inbound_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rights_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statistics_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wire_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_gaps, setup, teardown),
	};

	return cmocka_run_group_tests_name("unit.sa_counters", tests, NULL, NULL);
}
