/*
 * test_concurrency.c - threads updating, reading and enumerating shared
 * contexts while others create and delete; torn-read checks; races on one
 * context (delete, expire, SPI); GetSpi uniqueness; ids across threads;
 * subscribe/unsubscribe churn.
 * Contract: SEMANTICS.md "IPsecSaContextUpdate0" (all or nothing, between
 * two packets), life cycle, subscriptions; decision 17.
 *
 * Worker threads never call cmocka: they record with cf_note_failure.
 */
#include "conformance.h"

#include <time.h>

#define RUN_MS 1500

static int join_all(pthread_t *t, int n, unsigned timeout_ms)
{
	struct timespec ts;
	int stuck = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	for (int i = 0; i < n; i++)
		if (pthread_timedjoin_np(t[i], NULL, &ts) != 0)
			stuck++;
	return stuck;
}

static UINT32 xorshift(UINT32 *s)
{
	UINT32 x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ? x : 0x9E3779B9u;
}

/* ---- mixed workload with torn-read checks --------------------------- */

enum { NS = 8, NTHREADS = 9 };

static const UINT32 flag_table[] = {
	0,
	IPSEC_SA_BUNDLE_FLAG_ND_SECURE,
	IPSEC_SA_BUNDLE_FLAG_NLB | IPSEC_SA_BUNDLE_FLAG_CLEAR_DF_ON_TUNNEL,
	IPSEC_SA_BUNDLE_FLAG_ASSUME_UDP_CONTEXT_OUTBOUND,
	IPSEC_SA_BUNDLE_FLAG_GUARANTEE_ENCRYPTION |
		IPSEC_SA_BUNDLE_FLAG_ND_BOUNDARY,
	IPSEC_SA_BUNDLE_FLAG_TUNNEL_BANDWIDTH1,
	IPSEC_SA_BUNDLE_FLAG_FORCE_INBOUND_CONNECTIONS |
		IPSEC_SA_BUNDLE_FLAG_FORCE_OUTBOUND_CONNECTIONS,
};
#define NFLAGS (sizeof(flag_table) / sizeof(flag_table[0]))

static struct {
	HANDLE shared_h;
	cf_ctx S[NS];
	IPSEC_TRAFFIC1 tin[NS], tout[NS];
	int stop;
	long iters[NTHREADS];
	UINT64 slot;		/* id published by the churner */
} W;

static UINT32 addr_of(UINT32 v, int remote)
{
	return CF_V4(10, 128 | ((v >> 8) & 0x7f), v & 0xff, remote ? 2 : 1);
}

/* One Update0 writing the same value v everywhere on both sides. */
static DWORD write_value(HANDLE h, int k, UINT32 v)
{
	IPSEC_SA_DETAILS1 din, dout;
	IPSEC_V4_UDP_ENCAPSULATION0 udp = { (UINT16)v, (UINT16)v };
	IPSEC_SA_CONTEXT1 nv;

	memset(&din, 0, sizeof(din));
	memset(&dout, 0, sizeof(dout));
	din.saDirection = FWP_DIRECTION_INBOUND;
	dout.saDirection = FWP_DIRECTION_OUTBOUND;
	din.ipVersion = dout.ipVersion = FWP_IP_VERSION_V4;
	din.traffic = W.tin[k];
	dout.traffic = W.tout[k];
	din.traffic.localV4Address = dout.traffic.localV4Address = addr_of(v, 0);
	din.traffic.remoteV4Address = dout.traffic.remoteV4Address =
		addr_of(v, 1);
	din.udpEncapsulation = dout.udpEncapsulation = &udp;
	din.saBundle.flags = dout.saBundle.flags = flag_table[v % NFLAGS];
	din.saBundle.napContext = dout.saBundle.napContext = v;
	din.saBundle.mmSaId = dout.saBundle.mmSaId = (UINT64)v << 20 | v;
	nv.saContextId = W.S[k].id;
	nv.inboundSa = &din;
	nv.outboundSa = &dout;
	return IPsecSaContextUpdate0(h, IPSEC_SA_DETAILS_UPDATE_TRAFFIC |
		IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION |
		IPSEC_SA_BUNDLE_UPDATE_FLAGS |
		IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT |
		IPSEC_SA_BUNDLE_UPDATE_MM_SA_ID, &nv);
}

/* Everything in one SA's details must come from one value. */
static bool one_side_consistent(const IPSEC_SA_DETAILS1 *d, UINT32 *v,
				char *why, size_t n)
{
	UINT32 val = d->saBundle.napContext;

	*v = val;
	if (!d->udpEncapsulation) {
		snprintf(why, n, "udpEncapsulation NULL");
		return false;
	}
	if (d->udpEncapsulation->localUdpEncapPort != (UINT16)val ||
	    d->udpEncapsulation->remoteUdpEncapPort != (UINT16)val) {
		snprintf(why, n, "ports %u/%u with napContext %u",
			 d->udpEncapsulation->localUdpEncapPort,
			 d->udpEncapsulation->remoteUdpEncapPort, val);
		return false;
	}
	if (d->saBundle.flags != flag_table[val % NFLAGS] ||
	    d->saBundle.mmSaId != ((UINT64)val << 20 | val)) {
		snprintf(why, n, "flags 0x%x / mmSaId 0x%llx with napContext %u",
			 d->saBundle.flags,
			 (unsigned long long)d->saBundle.mmSaId, val);
		return false;
	}
	if (d->traffic.localV4Address != addr_of(val, 0) ||
	    d->traffic.remoteV4Address != addr_of(val, 1)) {
		snprintf(why, n, "traffic 0x%x->0x%x with napContext %u",
			 d->traffic.localV4Address, d->traffic.remoteV4Address,
			 val);
		return false;
	}
	return true;
}

static void check_pair(const IPSEC_SA_CONTEXT1 *c, const char *who)
{
	UINT32 vi = 0, vo = 0;
	char why[160];

	if (!c->inboundSa || !c->outboundSa) {
		cf_note_failure("%s: context %llu lost a direction", who,
				(unsigned long long)c->saContextId);
		return;
	}
	if (!one_side_consistent(c->inboundSa, &vi, why, sizeof(why)))
		cf_note_failure("%s: torn inbound SA of %llu: %s", who,
				(unsigned long long)c->saContextId, why);
	else if (!one_side_consistent(c->outboundSa, &vo, why, sizeof(why)))
		cf_note_failure("%s: torn outbound SA of %llu: %s", who,
				(unsigned long long)c->saContextId, why);
	else if (vi != vo)
		cf_note_failure("%s: torn read of %llu: inbound from update %u, "
				"outbound from update %u", who,
				(unsigned long long)c->saContextId, vi, vo);
}

static int shared_index(UINT64 id)
{
	for (int k = 0; k < NS; k++)
		if (W.S[k].id == id)
			return k;
	return -1;
}

static void *updater(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = me == 0 ? W.shared_h : NULL;
	UINT32 seed = 0x1234567u * (UINT32)(me + 1);

	if (!h && FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h)) {
		cf_note_failure("updater: open failed");
		return NULL;
	}
	while (!__atomic_load_n(&W.stop, __ATOMIC_RELAXED)) {
		int k = (int)(xorshift(&seed) % NS);
		UINT32 v = xorshift(&seed) % 65535 + 1;
		DWORD rc = write_value(h, k, v);

		if (rc)
			cf_note_failure("updater: Update0 on a shared context: "
					"%s", cf_rc_str(rc));
		W.iters[me]++;
	}
	if (h != W.shared_h)
		FwpmEngineClose0(h);
	return NULL;
}

static void *reader(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = me == 2 ? W.shared_h : NULL;
	UINT32 seed = 0xBADC0DEu * (UINT32)(me + 1);

	if (!h && FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h)) {
		cf_note_failure("reader: open failed");
		return NULL;
	}
	while (!__atomic_load_n(&W.stop, __ATOMIC_RELAXED)) {
		IPSEC_SA_CONTEXT1 *c = NULL;
		int k = (int)(xorshift(&seed) % NS);
		DWORD rc = IPsecSaContextGetById1(h, W.S[k].id, &c);

		if (rc || !c)
			cf_note_failure("reader: GetById1 on a shared context: "
					"%s", cf_rc_str(rc));
		else
			check_pair(c, "GetById1");
		FwpmFreeMemory0((void **)&c);
		W.iters[me]++;
	}
	if (h != W.shared_h)
		FwpmEngineClose0(h);
	return NULL;
}

static void *enumerator(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = NULL;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h)) {
		cf_note_failure("enumerator: open failed");
		return NULL;
	}
	while (!__atomic_load_n(&W.stop, __ATOMIC_RELAXED)) {
		HANDLE eh = NULL;
		int found = 0;
		DWORD rc = IPsecSaContextCreateEnumHandle0(h, NULL, &eh);

		if (rc) {
			cf_note_failure("enumerator: CreateEnumHandle0: %s",
					cf_rc_str(rc));
			break;
		}
		for (;;) {
			IPSEC_SA_CONTEXT1 **e = NULL;
			UINT32 n = 0;

			rc = IPsecSaContextEnum1(h, eh, 7, &e, &n);
			if (rc) {
				cf_note_failure("enumerator: Enum1: %s",
						cf_rc_str(rc));
				break;
			}
			for (UINT32 i = 0; i < n; i++) {
				if (!e[i] || !e[i]->saContextId) {
					cf_note_failure("enumerator: bad entry");
					continue;
				}
				if (shared_index(e[i]->saContextId) >= 0) {
					found++;
					check_pair(e[i], "Enum1");
				}
			}
			FwpmFreeMemory0((void **)&e);
			if (n < 7)
				break;
		}
		IPsecSaContextDestroyEnumHandle0(h, eh);
		if (found != NS)
			cf_note_failure("enumerator: %d of %d shared contexts "
					"enumerated", found, NS);
		W.iters[me]++;
	}
	FwpmEngineClose0(h);
	return NULL;
}

static void *sa_enumerator(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = W.shared_h;
	char why[160];

	while (!__atomic_load_n(&W.stop, __ATOMIC_RELAXED)) {
		HANDLE eh = NULL;
		DWORD rc = IPsecSaCreateEnumHandle0(h, NULL, &eh);

		if (rc) {
			cf_note_failure("sa_enumerator: %s", cf_rc_str(rc));
			break;
		}
		for (;;) {
			IPSEC_SA_DETAILS1 **e = NULL;
			UINT32 n = 0;

			rc = IPsecSaEnum1(h, eh, 16, &e, &n);
			if (rc) {
				cf_note_failure("sa_enumerator: IPsecSaEnum1: "
						"%s", cf_rc_str(rc));
				break;
			}
			for (UINT32 i = 0; i < n; i++) {
				UINT32 v;

				if (!cf_keys_absent1(e[i], why, sizeof(why)))
					cf_note_failure("IPsecSaEnum1: %s", why);
				/* Shared contexts' SAs: consistent alone. */
				if (e[i]->saBundle.saList) {
					UINT32 spi = e[i]->saBundle.saList[0].spi;

					for (int k = 0; k < NS; k++)
						if ((spi == W.S[k].spi_in ||
						     spi == W.S[k].spi_out) &&
						    !one_side_consistent(e[i], &v,
							why, sizeof(why)))
							cf_note_failure(
								"IPsecSaEnum1 "
								"torn SA: %s",
								why);
				}
			}
			FwpmFreeMemory0((void **)&e);
			if (n < 16)
				break;
		}
		IPsecSaDestroyEnumHandle0(h, eh);
		W.iters[me]++;
	}
	return NULL;
}

static void *churner(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = NULL;
	long n = 0;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h)) {
		cf_note_failure("churner: open failed");
		return NULL;
	}
	while (!__atomic_load_n(&W.stop, __ATOMIC_RELAXED) && n < 20000) {
		cf_ctx c;
		cf_ctx_opts o;
		IPSEC_SA_CONTEXT1 *r = NULL;
		DWORD rc;

		cf_opts_default(&o);
		o.getspi = (n & 1) != 0;
		o.v0 = (n & 2) != 0;
		rc = cf_ctx_try(h, &c, &o, CF_MATURE);
		if (rc) {
			cf_note_failure("churner: %s: %s", c.failed_step,
					cf_rc_str(rc));
		} else {
			__atomic_store_n(&W.slot, c.id, __ATOMIC_SEQ_CST);
			rc = IPsecSaContextGetById1(h, c.id, &r);
			if (rc)
				cf_note_failure("churner: GetById1: %s",
						cf_rc_str(rc));
			else {
				r->inboundSa->saBundle.napContext = 1;
				rc = IPsecSaContextUpdate0(h,
					IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT, r);
				if (rc)
					cf_note_failure("churner: Update0: %s",
							cf_rc_str(rc));
			}
			FwpmFreeMemory0((void **)&r);
			if (n % 3 == 0 && (rc = IPsecSaContextExpire0(h, c.id)))
				cf_note_failure("churner: Expire0: %s",
						cf_rc_str(rc));
		}
		if (c.id) {
			rc = IPsecSaContextDeleteById0(h, c.id);
			if (rc)
				cf_note_failure("churner: DeleteById0: %s",
						cf_rc_str(rc));
			cf_untrack_ctx(c.id);
		}
		n++;
		W.iters[me]++;
	}
	FwpmEngineClose0(h);
	return NULL;
}

/* Races with the churner on contexts being deleted under it. */
static void *racer(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = W.shared_h;

	while (!__atomic_load_n(&W.stop, __ATOMIC_RELAXED)) {
		UINT64 id = __atomic_load_n(&W.slot, __ATOMIC_SEQ_CST);
		IPSEC_SA_CONTEXT1 *r = NULL;
		DWORD rc;

		if (!id)
			continue;
		rc = IPsecSaContextGetById1(h, id, &r);
		if (rc == ERROR_SUCCESS) {
			if (r->inboundSa)
				r->inboundSa->saBundle.napContext = 2;
			rc = IPsecSaContextUpdate0(h,
				IPSEC_SA_BUNDLE_UPDATE_NAP_CONTEXT, r);
			if (rc != ERROR_SUCCESS && rc != FWP_E_NOT_FOUND &&
			    rc != FWP_E_INCOMPATIBLE_SA_STATE &&
			    rc != FWP_E_NULL_POINTER)
				cf_note_failure("racer: Update0 on a context "
						"being deleted: %s",
						cf_rc_str(rc));
			FwpmFreeMemory0((void **)&r);
		} else if (rc != FWP_E_NOT_FOUND) {
			cf_note_failure("racer: GetById1 on a context being "
					"deleted: %s", cf_rc_str(rc));
		}
		W.iters[me]++;
	}
	return NULL;
}

static void mixed_workload(void **state)
{
	static const char *const names[NTHREADS] = {
		"updater(shared handle)", "updater", "reader(shared handle)",
		"reader", "enumerator", "sa_enumerator", "churner", "churner",
		"racer",
	};
	void *(*fn[NTHREADS])(void *) = {
		updater, updater, reader, reader, enumerator, sa_enumerator,
		churner, churner, racer,
	};
	pthread_t t[NTHREADS];
	int stuck;

	(void)state;
	memset(&W, 0, sizeof(W));
	W.shared_h = cf_open();
	for (int k = 0; k < NS; k++) {
		cf_ctx_opts o;
		IPSEC_SA_CONTEXT1 *r;

		cf_opts_default(&o);
		o.out_flags = 0;
		cf_ctx_build(W.shared_h, &W.S[k], &o, CF_MATURE);
		r = cf_get1(W.shared_h, W.S[k].id);
		W.tin[k] = r->inboundSa->traffic;
		W.tout[k] = r->outboundSa->traffic;
		FwpmFreeMemory0((void **)&r);
		CF_OK(write_value(W.shared_h, k, 1));
	}
	for (int i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn[i],
						(void *)(intptr_t)i), 0);
	cf_sleep_ms(RUN_MS);
	__atomic_store_n(&W.stop, 1, __ATOMIC_SEQ_CST);
	stuck = join_all(t, NTHREADS, 10000);
	if (stuck)
		fail_msg("%d worker thread(s) still blocked 10 s after stop: "
			 "deadlock", stuck);
	for (int i = 0; i < NTHREADS; i++)
		CF_CHECK(W.iters[i] > 0, "%s made no progress", names[i]);
	print_message("    iterations:");
	for (int i = 0; i < NTHREADS; i++)
		print_message(" %s=%ld", names[i], W.iters[i]);
	print_message("\n");
	/* The shared contexts are intact, consistent and were written. */
	{
		int changed = 0;

		for (int k = 0; k < NS; k++) {
			IPSEC_SA_CONTEXT1 *r = cf_get1(W.shared_h, W.S[k].id);

			changed += r->inboundSa &&
				   r->inboundSa->saBundle.napContext != 1;
			FwpmFreeMemory0((void **)&r);
		}
		CF_CHECK(changed > 0, "no shared context shows an update");
	}
	for (int k = 0; k < NS; k++) {
		IPSEC_SA_CONTEXT1 *r = cf_get1(W.shared_h, W.S[k].id);

		check_pair(r, "final GetById1");
		FwpmFreeMemory0((void **)&r);
		cf_ctx_delete(W.shared_h, &W.S[k]);
	}
	cf_close(W.shared_h);
	cf_assert_no_failures();
}

/* ---- races on one context ------------------------------------------- */

enum { RACERS = 8, ROUNDS = 25 };

static struct {
	pthread_barrier_t go;
	HANDLE h[RACERS];
	UINT64 id;
	int op;			/* 0 delete, 1 expire */
	DWORD rc[RACERS];
} R;

static void *race_one(void *arg)
{
	int me = (int)(intptr_t)arg;

	pthread_barrier_wait(&R.go);
	R.rc[me] = R.op ? IPsecSaContextExpire0(R.h[me], R.id) :
			  IPsecSaContextDeleteById0(R.h[me], R.id);
	return NULL;
}

static void race_rounds(int op)
{
	HANDLE h = cf_open();
	pthread_t t[RACERS];

	memset(&R, 0, sizeof(R));
	R.op = op;
	for (int i = 0; i < RACERS; i++)
		R.h[i] = i % 2 ? h : cf_open();
	for (int round = 0; round < ROUNDS; round++) {
		cf_ctx c;
		int ok = 0, other = 0;
		DWORD loser = op ? FWP_E_INCOMPATIBLE_SA_STATE : FWP_E_NOT_FOUND;

		cf_mature(h, &c);
		R.id = c.id;
		pthread_barrier_init(&R.go, NULL, RACERS);
		for (int i = 0; i < RACERS; i++)
			assert_int_equal(pthread_create(&t[i], NULL, race_one,
							(void *)(intptr_t)i), 0);
		if (join_all(t, RACERS, 10000))
			fail_msg("racing threads blocked: deadlock");
		pthread_barrier_destroy(&R.go);
		for (int i = 0; i < RACERS; i++) {
			if (R.rc[i] == ERROR_SUCCESS)
				ok++;
			else if (R.rc[i] != loser) {
				other++;
				cf_note_failure("%s race: a loser got %s, want "
						"%s", op ? "Expire0" : "Delete",
						cf_rc_str(R.rc[i]),
						cf_rc_str(loser));
			}
		}
		CF_CHECK(ok == 1, "%s race round %d: %d winners", op ?
			 "Expire0" : "DeleteById0", round, ok);
		if (op)
			cf_ctx_delete(h, &c);
		else
			cf_untrack_ctx(c.id);
		(void)other;
	}
	for (int i = 0; i < RACERS; i++)
		if (i % 2 == 0)
			cf_close(R.h[i]);
	cf_close(h);
}

static void race_delete(void **state)
{
	(void)state;
	race_rounds(0);
	cf_assert_no_failures();
}

static void race_expire(void **state)
{
	(void)state;
	race_rounds(1);
	cf_assert_no_failures();
}

/* Many contexts reserve one SPI at once: at most one inbound SA gets it. */
static struct {
	pthread_barrier_t go;
	HANDLE h;
	cf_ctx c[RACERS];
	UINT32 spi;
} SP;

static void *spi_race(void *arg)
{
	int me = (int)(intptr_t)arg;
	cf_ctx *c = &SP.c[me];

	pthread_barrier_wait(&SP.go);
	c->spi_in = SP.spi;
	if (IPsecSaContextSetSpi0(SP.h, c->id, &c->getspi, SP.spi) ==
	    ERROR_SUCCESS) {
		c->state = CF_SPI_SET;
		cf_ctx_step(SP.h, c);	/* AddInbound1 */
	}
	return NULL;
}

static void race_same_spi(void **state)
{
	pthread_t t[RACERS];

	(void)state;
	memset(&SP, 0, sizeof(SP));
	SP.h = cf_open();
	for (int round = 0; round < 10; round++) {
		int holders = 0;

		SP.spi = cf_next_spi();
		for (int i = 0; i < RACERS; i++)
			cf_ctx_build(SP.h, &SP.c[i], NULL, CF_CREATED);
		pthread_barrier_init(&SP.go, NULL, RACERS);
		for (int i = 0; i < RACERS; i++)
			assert_int_equal(pthread_create(&t[i], NULL, spi_race,
							(void *)(intptr_t)i), 0);
		if (join_all(t, RACERS, 10000))
			fail_msg("SPI race threads blocked: deadlock");
		pthread_barrier_destroy(&SP.go);
		for (int i = 0; i < RACERS; i++) {
			IPSEC_SA_CONTEXT1 *r = cf_get1(SP.h, SP.c[i].id);

			if (r->inboundSa)
				holders++;
			FwpmFreeMemory0((void **)&r);
			cf_ctx_delete(SP.h, &SP.c[i]);
		}
		CF_CHECK(holders == 1, "round %d: %d inbound SAs hold SPI 0x%x",
			 round, holders, SP.spi);
	}
	cf_close(SP.h);
	cf_assert_no_failures();
}

/* GetSpi from many threads: all distinct. Ids: unique, increasing. */
enum { GT = 4, GN = 64 };

static struct {
	pthread_barrier_t go;
	cf_ctx c[GT][GN];
	DWORD rc[GT];
} G;

static void *getspi_worker(void *arg)
{
	int me = (int)(intptr_t)arg;
	HANDLE h = NULL;
	cf_ctx_opts o;

	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h)) {
		G.rc[me] = ERROR_INVALID_HANDLE;
		return NULL;
	}
	cf_opts_default(&o);
	o.getspi = true;
	pthread_barrier_wait(&G.go);
	for (int i = 0; i < GN; i++) {
		DWORD rc = cf_ctx_try(h, &G.c[me][i], &o, CF_SPI_SET);

		if (rc && !G.rc[me])
			G.rc[me] = rc;
	}
	FwpmEngineClose0(h);
	return NULL;
}

static void getspi_and_ids(void **state)
{
	HANDLE h = cf_open();
	pthread_t t[GT];

	(void)state;
	memset(&G, 0, sizeof(G));
	pthread_barrier_init(&G.go, NULL, GT);
	for (int i = 0; i < GT; i++)
		assert_int_equal(pthread_create(&t[i], NULL, getspi_worker,
						(void *)(intptr_t)i), 0);
	if (join_all(t, GT, 10000))
		fail_msg("GetSpi threads blocked: deadlock");
	pthread_barrier_destroy(&G.go);
	for (int a = 0; a < GT; a++) {
		CF_CHECK(G.rc[a] == ERROR_SUCCESS, "thread %d: %s", a,
			 cf_rc_str(G.rc[a]));
		for (int i = 0; i < GN; i++) {
			const cf_ctx *x = &G.c[a][i];

			CF_CHECK(x->id != 0, "context id 0");
			CF_CHECK(x->spi_in >= 0x100, "GetSpi gave 0x%x",
				 x->spi_in);
			if (i)
				CF_CHECK(x->id > G.c[a][i - 1].id,
					 "ids not increasing within a thread");
			for (int b = 0; b <= a; b++)
				for (int j = 0; j < (b == a ? i : GN); j++) {
					CF_CHECK(G.c[b][j].id != x->id,
						 "id %llu issued twice",
						 (unsigned long long)x->id);
					CF_CHECK(G.c[b][j].spi_in != x->spi_in,
						 "SPI 0x%x handed out twice",
						 x->spi_in);
				}
		}
	}
	for (int a = 0; a < GT; a++)
		for (int i = 0; i < GN; i++)
			if (G.c[a][i].id)
				cf_ctx_delete(h, &G.c[a][i]);
	cf_close(h);
	cf_assert_no_failures();
}

/* ---- subscription churn while events flow --------------------------- */

static struct {
	HANDLE h;
	int stop;
	long subs, events, self_unsubs;
} SC;

static void CALLBACK churn_ext_cb(void *context,
				  const FWPX_SA_CONTEXT_EVENT0 *event)
{
	(void)context;
	(void)event;
	__atomic_add_fetch(&SC.events, 1, __ATOMIC_RELAXED);
}

static void CALLBACK churn_self_cb(void *context,
				   const IPSEC_SA_CONTEXT_CHANGE0 *change)
{
	HANDLE *ev = context;
	HANDLE mine = __atomic_exchange_n(ev, NULL, __ATOMIC_SEQ_CST);

	(void)change;
	if (mine) {
		DWORD rc = IPsecSaContextUnsubscribe0(SC.h, mine);

		if (rc)
			cf_note_failure("Unsubscribe0 from a callback: %s",
					cf_rc_str(rc));
		__atomic_add_fetch(&SC.self_unsubs, 1, __ATOMIC_RELAXED);
	}
}

static void *sub_churner(void *arg)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;

	(void)arg;
	memset(&s, 0, sizeof(s));
	while (!__atomic_load_n(&SC.stop, __ATOMIC_RELAXED)) {
		HANDLE ev = NULL;
		DWORD rc = FwpxSaContextSubscribe0(SC.h, &s, FWPX_EVENT_MASK_ALL,
						   churn_ext_cb, NULL, &ev);

		if (rc) {
			cf_note_failure("FwpxSaContextSubscribe0: %s",
					cf_rc_str(rc));
			break;
		}
		cf_sleep_ms(1);
		rc = IPsecSaContextUnsubscribe0(SC.h, ev);
		if (rc)
			cf_note_failure("Unsubscribe0: %s", cf_rc_str(rc));
		__atomic_add_fetch(&SC.subs, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *self_unsubscriber(void *arg)
{
	IPSEC_SA_CONTEXT_SUBSCRIPTION0 s;
	HANDLE *slot = malloc(sizeof(HANDLE) * 4096);
	int n = 0;

	(void)arg;
	if (!slot)
		return NULL;
	memset(&s, 0, sizeof(s));
	while (!__atomic_load_n(&SC.stop, __ATOMIC_RELAXED) && n < 4096) {
		HANDLE ev = NULL;
		DWORD rc;

		slot[n] = NULL;
		rc = IPsecSaContextSubscribe0(SC.h, &s, churn_self_cb, &slot[n],
					      &ev);
		if (rc) {
			cf_note_failure("Subscribe0: %s", cf_rc_str(rc));
			break;
		}
		__atomic_store_n(&slot[n], ev, __ATOMIC_SEQ_CST);
		n++;
		cf_sleep_ms(2);
	}
	/* Whatever did not unsubscribe itself yet. */
	for (int i = 0; i < n; i++) {
		HANDLE ev = __atomic_exchange_n(&slot[i], NULL,
						__ATOMIC_SEQ_CST);

		if (ev)
			IPsecSaContextUnsubscribe0(SC.h, ev);
	}
	free(slot);
	return NULL;
}

static void *event_maker(void *arg)
{
	HANDLE h = NULL;

	(void)arg;
	if (FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, NULL, &h))
		return NULL;
	while (!__atomic_load_n(&SC.stop, __ATOMIC_RELAXED)) {
		cf_ctx c;
		DWORD rc = cf_ctx_try(h, &c, NULL, CF_CREATED);

		if (rc)
			cf_note_failure("event_maker: %s", cf_rc_str(rc));
		if (c.id) {
			IPsecSaContextDeleteById0(h, c.id);
			cf_untrack_ctx(c.id);
		}
	}
	FwpmEngineClose0(h);
	return NULL;
}

static void subscription_churn(void **state)
{
	pthread_t t[4];

	(void)state;
	memset(&SC, 0, sizeof(SC));
	SC.h = cf_open();
	assert_int_equal(pthread_create(&t[0], NULL, sub_churner, NULL), 0);
	assert_int_equal(pthread_create(&t[1], NULL, self_unsubscriber, NULL),
			 0);
	assert_int_equal(pthread_create(&t[2], NULL, event_maker, NULL), 0);
	assert_int_equal(pthread_create(&t[3], NULL, event_maker, NULL), 0);
	cf_sleep_ms(1000);
	__atomic_store_n(&SC.stop, 1, __ATOMIC_SEQ_CST);
	if (join_all(t, 4, 10000))
		fail_msg("subscription churn threads blocked: deadlock");
	CF_CHECK(SC.subs > 0, "no subscribe/unsubscribe cycle completed");
	CF_CHECK(SC.self_unsubs > 0, "no callback unsubscribed itself");
	print_message("    cycles=%ld events=%ld self-unsubscribes=%ld\n",
		      SC.subs, SC.events, SC.self_unsubs);
	cf_close(SC.h);
	cf_assert_no_failures();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(mixed_workload),
		CF_TEST(race_delete),
		CF_TEST(race_expire),
		CF_TEST(race_same_spi),
		CF_TEST(getspi_and_ids),
		CF_TEST(subscription_churn),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.concurrency", tests,
					   NULL, NULL);
}
