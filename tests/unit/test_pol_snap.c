/* test_pol_snap.c - the classifier snapshot and the store write outside the
 * engine lock (src/engine/policy_snap.c, policy_txn.c, common/epoch.c).
 *
 *  - epoch: readers check a canary of the published object while a writer
 *    swaps and frees objects as fast as it can (ASan: no use after free;
 *    TSan: no race);
 *  - readers classify without pause while a writer commits transactions
 *    that replace the one filter deciding their flow by another, and
 *    aborts others that delete it: every verdict is one of the two
 *    filters, never the default (half a transaction), never a freed
 *    snapshot;
 *  - while the store writes, the engine lock is free (other calls
 *    complete), policy changes wait and reach the store in order, and an
 *    object being deleted cannot be bound;
 *  - a failed write changes nothing, in memory or in classification.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "common/epoch.h"
#include "engine/engine.h"

/* ---- epoch ---- */

#define LIVE 0x11111111u
#define DEAD 0xdeaddeadu

struct obj {
	atomic_uint magic;
	uint64_t payload[8];
};

static struct {
	struct epoch ep;
	_Atomic(struct obj *) cur;
	atomic_bool stop;
	atomic_ulong reads, bad;
} eg;

static void *epoch_reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&eg.stop)) {
		unsigned t = epoch_enter(&eg.ep);
		struct obj *o = atomic_load(&eg.cur);

		if (atomic_load(&o->magic) != LIVE || o->payload[7] != o->payload[0])
			atomic_fetch_add(&eg.bad, 1);
		epoch_exit(&eg.ep, t);
		atomic_fetch_add(&eg.reads, 1);
	}
	return NULL;
}

static struct obj *obj_new(uint64_t v)
{
	struct obj *o = malloc(sizeof(*o));

	assert_non_null(o);
	atomic_init(&o->magic, LIVE);
	for (int i = 0; i < 8; i++)
		o->payload[i] = v;
	return o;
}

/* Until the readers have done `more` reads (at most about 20 s). */
static void wait_reads(atomic_ulong *reads, unsigned long more)
{
	unsigned long want = atomic_load(reads) + more;

	for (int i = 0; i < 20000 && atomic_load(reads) < want; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

static void test_epoch_swaps(void **state)
{
	pthread_t r[3];
	struct obj *old;
	unsigned long before;

	(void)state;
	epoch_init(&eg.ep);
	atomic_init(&eg.cur, obj_new(0));
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&r[i], NULL, epoch_reader, NULL), 0);
	wait_reads(&eg.reads, 1000);	/* the readers run (a loaded machine) */
	before = atomic_load(&eg.reads);
	/* At least 20000 swaps, and go on until the readers did as many
	 * reads meanwhile. */
	for (uint64_t n = 1; n <= 20000 || (atomic_load(&eg.reads) < before + 20000 &&
					    n < 2000000); n++) {
		old = atomic_exchange(&eg.cur, obj_new(n));
		epoch_synchronize(&eg.ep);
		atomic_store(&old->magic, DEAD);	/* a reader still here sees it */
		free(old);
	}
	atomic_store(&eg.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(r[i], NULL);
	free(atomic_load(&eg.cur));
	assert_int_equal(atomic_load(&eg.bad), 0);
	assert_true(atomic_load(&eg.reads) >= before + 20000);
}

/* ---- engine helpers ---- */

struct fake_store {
	pthread_mutex_t lock;
	int fail;		/* -errno the next writes return */
	bool block;		/* write waits for `go` */
	sem_t entered, go;
	int nbatches;
	uint64_t ids[64];	/* first id of each batch, in order */
	bool deleted[64];	/* its first change was a deletion */
};

static int fake_write(void *arg, const struct pol_change *v, size_t n)
{
	struct fake_store *st = arg;
	int rc;

	if (st->block) {
		sem_post(&st->entered);
		sem_wait(&st->go);
	}
	pthread_mutex_lock(&st->lock);
	rc = st->fail;
	if (!rc && n && st->nbatches < 64) {
		st->ids[st->nbatches] = v[0].id;
		st->deleted[st->nbatches++] = v[0].enc == NULL;
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static const struct pol_store_ops fake_ops = { .write = fake_write };

static struct engine *open_engine(struct fake_store *st, struct engine_session **s)
{
	struct engine_config cfg = { 0 };
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };
	struct engine *e;

	if (st) {
		memset(st, 0, sizeof(*st));
		pthread_mutex_init(&st->lock, NULL);
		sem_init(&st->entered, 0, 0);
		sem_init(&st->go, 0, 0);
		cfg.store = &fake_ops;
		cfg.store_arg = st;
	}
	assert_int_equal(engine_create(&cfg, &e), 0);
	assert_int_equal(engine_session_open(e, NULL, &cred, NULL, s), ERROR_SUCCESS);
	return e;
}

#define LAYER (&FWPM_LAYER_OUTBOUND_TRANSPORT_V4)
#define REMOTE 0xc6336402u	/* 198.51.100.2 */

/* A filter that blocks REMOTE (weight w), persistent or not. */
static UINT64 add_block(struct engine_session *s, UINT64 w, bool persistent, DWORD want)
{
	FWPM_FILTER0 f;
	FWPM_FILTER_CONDITION0 c;
	FWP_V4_ADDR_AND_MASK m = { REMOTE, 0xffffffffu };
	UINT64 id = 0;

	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.displayData.name = L"snapshot test";
	f.layerKey = *LAYER;
	f.action.type = FWP_ACTION_BLOCK;
	f.weight.type = FWP_UINT64;
	f.weight.uint64 = &w;
	f.flags = persistent ? FWPM_FILTER_FLAG_PERSISTENT : 0;
	c.fieldKey = FWPM_CONDITION_IP_REMOTE_ADDRESS;
	c.matchType = FWP_MATCH_EQUAL;
	c.conditionValue.type = FWP_V4_ADDR_MASK;
	c.conditionValue.v4AddrMask = &m;
	f.numFilterConditions = 1;
	f.filterCondition = &c;
	assert_int_equal(engine_pol_add(s, POL_FILTER, &f, &id), want);
	return id;
}

static DWORD del_filter(struct engine_session *s, UINT64 id)
{
	struct pol_ref ref = { .by_key = false, .id = id };

	return engine_pol_delete(s, POL_FILTER, &ref);
}

static DWORD classify(struct engine *e, struct engine_verdict *v)
{
	struct engine_flow f = { .layer = LAYER, .ip_version = 4, .protocol = IPPROTO_TCP,
				 .local_port = 1000, .remote_port = 80 };
	uint32_t r = htonl(REMOTE);

	memcpy(f.remote_addr, &r, 4);
	return engine_classify(e, &f, v);
}

/* ---- readers during commits and aborts ---- */

static struct {
	struct engine *e;
	atomic_bool stop;
	atomic_ulong reads, unmatched, errors;
} rg;

static void *classify_reader(void *arg)
{
	struct engine_verdict v;

	(void)arg;
	while (!atomic_load(&rg.stop)) {
		if (classify(rg.e, &v))
			atomic_fetch_add(&rg.errors, 1);
		else if (!v.filter_id || v.action != FWP_ACTION_BLOCK)
			atomic_fetch_add(&rg.unmatched, 1);
		atomic_fetch_add(&rg.reads, 1);
	}
	return NULL;
}

static void test_readers_never_see_half_a_txn(void **state)
{
	struct engine_session *s;
	struct engine_verdict v;
	pthread_t r[3];
	UINT64 cur;

	(void)state;
	rg.e = open_engine(NULL, &s);
	atomic_store(&rg.stop, false);
	/* Other filters, so that every snapshot has an index to build. */
	for (UINT64 i = 0; i < 200; i++) {
		FWPM_FILTER0 f = { .displayData.name = L"other", .layerKey = *LAYER,
				   .action.type = FWP_ACTION_PERMIT };
		FWPM_FILTER_CONDITION0 c = { .fieldKey = FWPM_CONDITION_IP_REMOTE_PORT,
					     .matchType = FWP_MATCH_EQUAL };

		c.conditionValue.type = FWP_UINT16;
		c.conditionValue.uint16 = (UINT16)(2000 + i);
		f.numFilterConditions = 1;
		f.filterCondition = &c;
		assert_int_equal(engine_pol_add(s, POL_FILTER, &f, NULL), ERROR_SUCCESS);
	}
	cur = add_block(s, 10, false, ERROR_SUCCESS);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&r[i], NULL, classify_reader, NULL), 0);
	wait_reads(&rg.reads, 1000);
	for (int n = 0; n < 300; n++) {
		UINT64 next;

		/* Replace the deciding filter: committed at once. */
		assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
		assert_int_equal(del_filter(s, cur), ERROR_SUCCESS);
		next = add_block(s, 10 + (UINT64)n % 7, false, ERROR_SUCCESS);
		assert_int_equal(engine_txn_commit(s), ERROR_SUCCESS);
		assert_int_equal(classify(rg.e, &v), ERROR_SUCCESS);
		assert_true(v.filter_id == next);	/* published before return */
		cur = next;
		/* Delete it without a replacement, then abort. */
		assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
		assert_int_equal(del_filter(s, cur), ERROR_SUCCESS);
		assert_int_equal(engine_txn_abort(s), ERROR_SUCCESS);
	}
	wait_reads(&rg.reads, 1000);	/* some after the last commit too */
	atomic_store(&rg.stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(r[i], NULL);
	assert_int_equal(atomic_load(&rg.errors), 0);
	assert_int_equal(atomic_load(&rg.unmatched), 0);
	assert_true(atomic_load(&rg.reads) >= 2000);
	/* Outside a transaction a deletion counts at once. */
	assert_int_equal(del_filter(s, cur), ERROR_SUCCESS);
	assert_int_equal(classify(rg.e, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == 0);
	engine_session_close(s);
	engine_destroy(rg.e);
}

/* ---- the store write outside the engine lock ---- */

struct adder {
	struct engine_session *s;
	UINT64 weight;
	DWORD rc;
	UINT64 id;
	atomic_bool done;
};

static void *add_thread(void *arg)
{
	struct adder *a = arg;

	a->id = add_block(a->s, a->weight, true, ERROR_SUCCESS);
	a->rc = ERROR_SUCCESS;
	atomic_store(&a->done, true);
	return NULL;
}

static void *delete_thread(void *arg)
{
	struct adder *a = arg;

	a->rc = del_filter(a->s, a->id);
	atomic_store(&a->done, true);
	return NULL;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_nsec = ms * 1000000 }, NULL);
}

static void test_store_write_outside_lock(void **state)
{
	struct fake_store st;
	struct engine_session *s, *s2;
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };
	struct engine *e = open_engine(&st, &s);
	struct engine_verdict v;
	IPSEC_STATISTICS1 stats;
	struct adder a = { .s = s, .weight = 5 }, b = { .weight = 6 };
	pthread_t ta, tb;

	(void)state;
	assert_int_equal(engine_session_open(e, NULL, &cred, NULL, &s2), ERROR_SUCCESS);
	b.s = s2;
	st.block = true;
	assert_int_equal(pthread_create(&ta, NULL, add_thread, &a), 0);
	sem_wait(&st.entered);		/* a's write runs now */
	/* The engine lock is free: these complete while the write waits. */
	assert_int_equal(engine_statistics(s2, &stats), ERROR_SUCCESS);
	assert_int_equal(classify(e, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == 0);	/* not applied before it is stored */
	/* Another policy change waits for it. */
	assert_int_equal(pthread_create(&tb, NULL, add_thread, &b), 0);
	sleep_ms(100);
	assert_false(atomic_load(&b.done));
	assert_false(atomic_load(&a.done));
	sem_post(&st.go);
	sem_wait(&st.entered);		/* now b's */
	sem_post(&st.go);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(st.nbatches, 2);
	assert_true(st.ids[0] == a.id && st.ids[1] == b.id);	/* in order */
	assert_int_equal(classify(e, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == b.id);	/* the heavier one */

	/* While b's deletion is written, b cannot be bound to an SA context;
	 * it still decides flows until the store has the deletion. */
	{
		IPSEC_TRAFFIC1 t = { .ipVersion = FWP_IP_VERSION_V4,
				     .trafficType = IPSEC_TRAFFIC_TYPE_TRANSPORT,
				     .remoteV4Address = REMOTE, .localV4Address = 0xc0000201u,
				     .ipsecFilterId = b.id };
		UINT64 ctx;

		atomic_store(&b.done, false);
		assert_int_equal(pthread_create(&tb, NULL, delete_thread, &b), 0);
		sem_wait(&st.entered);
		assert_int_equal(engine_sa_create(s2, &t, NULL, NULL, &ctx),
				 FWP_E_FILTER_NOT_FOUND);
		assert_int_equal(classify(e, &v), ERROR_SUCCESS);
		assert_true(v.filter_id == b.id);
		pthread_mutex_lock(&st.lock);
		st.fail = -EIO;		/* and the write fails */
		pthread_mutex_unlock(&st.lock);
		sem_post(&st.go);
		pthread_join(tb, NULL);
		assert_int_equal(b.rc, ERROR_WRITE_FAULT);
		assert_int_equal(classify(e, &v), ERROR_SUCCESS);
		assert_true(v.filter_id == b.id);	/* still there */
		assert_int_equal(engine_sa_create(s2, &t, NULL, NULL, &ctx), ERROR_SUCCESS);
		assert_int_equal(engine_sa_delete(s2, ctx), ERROR_SUCCESS);
	}
	st.block = false;
	st.fail = 0;
	engine_session_close(s2);
	engine_session_close(s);
	engine_destroy(e);
}

/* A refused write changes nothing: additions, deletions, commits. */
static void test_store_failure_changes_nothing(void **state)
{
	struct fake_store st;
	struct engine_session *s;
	struct engine *e = open_engine(&st, &s);
	struct engine_verdict v;
	UINT64 id, other;
	void *got;
	struct pol_ref ref = { .by_key = false };

	(void)state;
	id = add_block(s, 5, true, ERROR_SUCCESS);
	st.fail = -EIO;
	add_block(s, 9, true, ERROR_WRITE_FAULT);
	st.fail = -ENOSPC;
	add_block(s, 9, true, ERROR_DISK_FULL);
	assert_int_equal(classify(e, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == id);
	assert_int_equal(del_filter(s, id), ERROR_DISK_FULL);
	ref.id = id;
	assert_int_equal(engine_pol_get(s, POL_FILTER, &ref, &got), ERROR_SUCCESS);
	free(got);
	/* A commit the store refuses: undone whole, nothing published. */
	assert_int_equal(engine_txn_begin(s, 0), ERROR_SUCCESS);
	assert_int_equal(del_filter(s, id), ERROR_SUCCESS);
	other = add_block(s, 9, true, ERROR_SUCCESS);
	st.fail = -EIO;
	assert_int_equal(engine_txn_commit(s), ERROR_WRITE_FAULT);
	assert_int_equal(classify(e, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == id);
	ref.id = other;
	assert_int_equal(engine_pol_get(s, POL_FILTER, &ref, &got), FWP_E_FILTER_NOT_FOUND);
	/* And once the store works again, so does everything. */
	st.fail = 0;
	assert_int_equal(del_filter(s, id), ERROR_SUCCESS);
	assert_int_equal(classify(e, &v), ERROR_SUCCESS);
	assert_true(v.filter_id == 0);
	engine_session_close(s);
	engine_destroy(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_swaps),
		cmocka_unit_test(test_readers_never_see_half_a_txn),
		cmocka_unit_test(test_store_write_outside_lock),
		cmocka_unit_test(test_store_failure_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
