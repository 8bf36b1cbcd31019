/*
 * test_lifetime.c - time-driven behaviour: the Expire0 drain (default,
 * FwpxEngineSetExpireDrain0, drain 0), hard lifetimes and idle timeouts
 * deleting contexts with a DELETE event.
 * Contract: SEMANTICS.md life-cycle row Expire0, "Subscriptions" (DELETE
 * at the end of a drain and on a hard lifetime); decisions 11, 12, 15.
 *
 * Only here do tests sleep, and only as long as the behaviour under test
 * takes (drains of 200 ms, lifetimes of 1 s), polling with deadlines.
 */
#include "conformance.h"

#define EXT_EXPIRE	FWPX_SA_CONTEXT_EVENT_EXPIRE
#define EXT_DELETE	FWPX_SA_CONTEXT_EVENT_DELETE
#define EXT_SOFT	FWPX_SA_CONTEXT_EVENT_SOFT_LIFETIME
#define WIN_DELETE	IPSEC_SA_CONTEXT_EVENT_DELETE

static bool gone(HANDLE h, UINT64 id)
{
	IPSEC_SA_CONTEXT1 *r = NULL;
	DWORD rc = IPsecSaContextGetById1(h, id, &r);

	if (rc == ERROR_SUCCESS) {
		FwpmFreeMemory0((void **)&r);
		return false;
	}
	if (rc != FWP_E_NOT_FOUND)
		cf_note_failure("GetById1 while polling: %s", cf_rc_str(rc));
	return true;
}

/* Must run first: nothing has changed the drain yet. */
static void drain_default(void **state)
{
	HANDLE h = cf_open();
	UINT32 ms = 0;

	(void)state;
	CF_OK(FwpxEngineGetExpireDrain0(h, &ms));
	assert_int_equal(ms, 60000);
	CF_ASSERT_RC(FwpxEngineGetExpireDrain0(h, NULL), FWP_E_NULL_POINTER);
	cf_close(h);
}

static void drain_engine_wide(void **state)
{
	HANDLE a = cf_open(), b = cf_open();
	UINT32 ms = 0;

	(void)state;
	cf_set_drain(a, 1234);
	CF_OK(FwpxEngineGetExpireDrain0(b, &ms));
	assert_int_equal(ms, 1234);
	cf_set_drain(b, 60000);
	CF_OK(FwpxEngineGetExpireDrain0(a, &ms));
	assert_int_equal(ms, 60000);
	cf_close(a);
	cf_close(b);
}

/*
 * Expire0 with a 200 ms drain: the outbound SA goes at once, the inbound
 * one when the drain ends; EXPIRE then DELETE to the extension
 * subscriber, DELETE to the Windows one; the statistics follow.
 */
static void expire_drain(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *x = cf_evlog_new(), *w = cf_evlog_new();
	HANDLE evx, evw;
	cf_ctx_opts o;
	cf_ctx c;
	IPSEC_SA_CONTEXT1 *r;
	IPSEC_STATISTICS1 s0, s1;
	uint64_t t0, t_mid, t_gone;
	bool ok = false, present_mid;
	long ie, id;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	evx = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_ALL, x);
	evw = cf_subscribe(h, &t.t, w);
	cf_set_drain(h, 200);
	cf_opts_default(&o);
	o.local4 = net | 1;
	o.remote4 = net | 2;
	cf_ctx_build(h, &c, &o, CF_MATURE);
	s0 = cf_stats(h);

	t0 = cf_now_ms();
	CF_OK(IPsecSaContextExpire0(h, c.id));
	r = cf_get1(h, c.id);
	CF_CHECK(r->inboundSa != NULL, "inbound SA removed at Expire0");
	CF_CHECK(r->outboundSa == NULL, "outbound SA kept after Expire0");
	FwpmFreeMemory0((void **)&r);
	s1 = cf_stats(h);
	CF_CHECK(s1.aggregateSaStatistics.activeSas + 1 ==
		 s0.aggregateSaStatistics.activeSas &&
		 s1.aggregateSaStatistics.totalSasDeleted ==
		 s0.aggregateSaStatistics.totalSasDeleted + 1,
		 "statistics after Expire0: activeSas %u -> %u, deleted %u -> "
		 "%u", s0.aggregateSaStatistics.activeSas,
		 s1.aggregateSaStatistics.activeSas,
		 s0.aggregateSaStatistics.totalSasDeleted,
		 s1.aggregateSaStatistics.totalSasDeleted);
	CF_ASSERT_RC(IPsecSaContextExpire0(h, c.id),
		     FWP_E_INCOMPATIBLE_SA_STATE);

	cf_sleep_ms(60);
	present_mid = !gone(h, c.id);
	t_mid = cf_now_ms() - t0;
	if (t_mid < 150)
		CF_CHECK(present_mid, "context gone %llu ms into a 200 ms "
			 "drain", (unsigned long long)t_mid);
	CF_WAIT(ok, gone(h, c.id), 3000);
	t_gone = cf_now_ms() - t0;
	if (!ok)
		fail_msg("context still there 3 s after Expire0 with a 200 ms "
			 "drain");
	cf_untrack_ctx(c.id);
	CF_CHECK(t_gone >= 180, "drain ended after %llu ms, want >= 200",
		 (unsigned long long)t_gone);

	CF_CHECK(cf_evlog_wait(x, EXT_DELETE, c.id, 2000),
		 "no extension DELETE at the end of the drain");
	CF_CHECK(cf_evlog_wait(w, WIN_DELETE, c.id, 2000),
		 "no Windows DELETE at the end of the drain");
	ie = cf_evlog_find(x, EXT_EXPIRE, c.id, 0);
	id = cf_evlog_find(x, EXT_DELETE, c.id, 0);
	CF_CHECK(ie >= 0 && id > ie, "extension events: EXPIRE at %ld, DELETE "
		 "at %ld", ie, id);
	CF_CHECK(cf_evlog_count(x, EXT_DELETE, c.id) == 1 &&
		 cf_evlog_count(w, WIN_DELETE, c.id) == 1,
		 "DELETE reported more than once");
	s1 = cf_stats(h);
	CF_CHECK(s1.aggregateSaStatistics.activeSas + 2 ==
		 s0.aggregateSaStatistics.activeSas &&
		 s1.aggregateSaStatistics.totalSasDeleted ==
		 s0.aggregateSaStatistics.totalSasDeleted + 2,
		 "statistics after the drain: activeSas %u -> %u, deleted %u -> "
		 "%u", s0.aggregateSaStatistics.activeSas,
		 s1.aggregateSaStatistics.activeSas,
		 s0.aggregateSaStatistics.totalSasDeleted,
		 s1.aggregateSaStatistics.totalSasDeleted);
	/* The inbound SPI is free again. */
	o.spi = c.spi_in;
	cf_ctx_build(h, &c, &o, CF_INBOUND);
	cf_ctx_delete(h, &c);
	cf_unsubscribe(h, evx);
	cf_unsubscribe(h, evw);
	cf_close(h);
	cf_assert_no_failures();
}

/* Drain 0: Expire0 deletes at once; Expire0 from INBOUND drains too. */
static void expire_drain_zero_and_inbound(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *x = cf_evlog_new();
	HANDLE evx;
	cf_ctx_opts o;
	cf_ctx c, d;
	long ie, id;
	bool ok = false;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	evx = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_ALL, x);
	cf_opts_default(&o);
	o.local4 = net | 1;
	o.remote4 = net | 2;

	cf_set_drain(h, 0);
	cf_ctx_build(h, &c, &o, CF_MATURE);
	CF_OK(IPsecSaContextExpire0(h, c.id));
	CF_CHECK(gone(h, c.id), "drain 0: context still there after Expire0 "
		 "returned");
	cf_untrack_ctx(c.id);
	CF_CHECK(cf_evlog_wait(x, EXT_DELETE, c.id, 2000), "drain 0: no DELETE");
	ie = cf_evlog_find(x, EXT_EXPIRE, c.id, 0);
	id = cf_evlog_find(x, EXT_DELETE, c.id, 0);
	CF_CHECK(ie >= 0 && id > ie, "drain 0: EXPIRE at %ld, DELETE at %ld",
		 ie, id);

	cf_set_drain(h, 200);
	cf_ctx_build(h, &d, &o, CF_INBOUND);
	CF_OK(IPsecSaContextExpire0(h, d.id));
	CF_CHECK(!gone(h, d.id), "INBOUND context gone at Expire0 with a "
		 "200 ms drain");
	CF_WAIT(ok, gone(h, d.id), 3000);
	CF_CHECK(ok, "INBOUND context not deleted at the end of the drain");
	if (ok)
		cf_untrack_ctx(d.id);
	CF_CHECK(cf_evlog_wait(x, EXT_DELETE, d.id, 2000),
		 "Expire0 from INBOUND: no DELETE");
	cf_unsubscribe(h, evx);
	cf_close(h);
	cf_assert_no_failures();
}

/*
 * Decision 12: a direction's lifetimeSeconds (here 1 s) deletes the whole
 * context with a DELETE event; 0 means no limit.
 */
typedef struct timed {
	const char *name;
	cf_ctx c;
	cf_state state;
	uint64_t t_add;		/* just before the SA with the limit */
	uint64_t t_gone;
	bool expect_gone;
} timed;

static void run_timed(HANDLE h, timed *v, int n, cf_evlog *w)
{
	uint64_t deadline;
	bool all;

	deadline = cf_now_ms() + 4000;
	do {
		all = true;
		for (int i = 0; i < n; i++) {
			if (!v[i].expect_gone || v[i].t_gone)
				continue;
			if (gone(h, v[i].c.id)) {
				v[i].t_gone = cf_now_ms();
				cf_untrack_ctx(v[i].c.id);
			} else {
				all = false;
			}
		}
		if (!all)
			cf_sleep_ms(5);
	} while (!all && cf_now_ms() < deadline);

	for (int i = 0; i < n; i++) {
		if (!v[i].expect_gone) {
			CF_CHECK(!gone(h, v[i].c.id), "[%s] deleted although "
				 "it has no limit", v[i].name);
			continue;
		}
		if (!CF_CHECK(v[i].t_gone, "[%s] still there after 4 s",
			      v[i].name))
			continue;
		CF_CHECK(v[i].t_gone - v[i].t_add >= 900, "[%s] deleted after "
			 "%llu ms, before its 1 s limit", v[i].name,
			 (unsigned long long)(v[i].t_gone - v[i].t_add));
		CF_CHECK(cf_evlog_wait(w, WIN_DELETE, v[i].c.id, 2000),
			 "[%s] no DELETE event", v[i].name);
	}
}

static void build_timed(HANDLE h, timed *v, const char *name, UINT32 net,
			int host, cf_state upto, void (*limit)(cf_ctx_opts *),
			bool expect_gone)
{
	cf_ctx_opts o;

	cf_opts_default(&o);
	o.local4 = net | (UINT32)host;
	o.remote4 = net | 0xFE;
	if (limit)
		limit(&o);
	v->name = name;
	v->state = upto;
	v->expect_gone = expect_gone;
	v->t_gone = 0;
	cf_ctx_build(h, &v->c, &o, CF_SPI_SET);
	v->t_add = cf_now_ms();	/* the limited SA is added after this */
	while (v->c.state < upto)
		CF_OK(cf_ctx_step(h, &v->c));
}

static void in_life_1s(cf_ctx_opts *o) { o->in_life.lifetimeSeconds = 1; }
static void out_life_1s(cf_ctx_opts *o) { o->out_life.lifetimeSeconds = 1; }
static void in_idle_1s(cf_ctx_opts *o) { o->in_idle = 1; }
static void out_idle_1s(cf_ctx_opts *o) { o->out_idle = 1; }
static void big_limits(cf_ctx_opts *o)
{
	o->in_life.lifetimeSeconds = 3600;
	o->out_life.lifetimeSeconds = 3600;
	o->in_idle = 600;
	o->out_idle = 600;
}

static void hard_lifetimes(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *w = cf_evlog_new();
	HANDLE ev;
	timed v[5];
	IPSEC_STATISTICS1 s0, s1;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	ev = cf_subscribe(h, &t.t, w);
	s0 = cf_stats(h);
	build_timed(h, &v[0], "inbound lifetimeSeconds 1", net, 1, CF_MATURE,
		    in_life_1s, true);
	build_timed(h, &v[1], "outbound lifetimeSeconds 1", net, 2, CF_MATURE,
		    out_life_1s, true);
	build_timed(h, &v[2], "INBOUND state, lifetimeSeconds 1", net, 3,
		    CF_INBOUND, in_life_1s, true);
	build_timed(h, &v[3], "lifetimes 0 (no limit)", net, 4, CF_MATURE,
		    NULL, false);
	build_timed(h, &v[4], "lifetimes 3600, idle 600", net, 5, CF_MATURE,
		    big_limits, false);
	run_timed(h, v, 5, w);
	s1 = cf_stats(h);
	/* 5 SAs of the three expired contexts left; none of the others. */
	CF_CHECK(s1.aggregateSaStatistics.totalSasDeleted -
		 s0.aggregateSaStatistics.totalSasDeleted == 5,
		 "totalSasDeleted %+d, want +5",
		 (int)(s1.aggregateSaStatistics.totalSasDeleted -
		       s0.aggregateSaStatistics.totalSasDeleted));
	cf_ctx_delete(h, &v[3].c);
	cf_ctx_delete(h, &v[4].c);
	cf_unsubscribe(h, ev);
	cf_close(h);
	cf_assert_no_failures();
}

/* idleTimeoutSeconds: no datapath, so no traffic: deleted after it. */
static void idle_timeouts(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *w = cf_evlog_new();
	HANDLE ev;
	timed v[4];

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	ev = cf_subscribe(h, &t.t, w);
	build_timed(h, &v[0], "inbound idleTimeoutSeconds 1", net, 1,
		    CF_MATURE, in_idle_1s, true);
	build_timed(h, &v[1], "outbound idleTimeoutSeconds 1", net, 2,
		    CF_MATURE, out_idle_1s, true);
	build_timed(h, &v[2], "INBOUND state, idleTimeoutSeconds 1", net, 3,
		    CF_INBOUND, in_idle_1s, true);
	build_timed(h, &v[3], "idle 0 (no limit)", net, 4, CF_MATURE, NULL,
		    false);
	run_timed(h, v, 4, w);
	cf_ctx_delete(h, &v[3].c);
	cf_unsubscribe(h, ev);
	cf_close(h);
	cf_assert_no_failures();
}

/* A lifetime ending during an Expire0 drain deletes once. */
static void lifetime_during_drain(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *w = cf_evlog_new();
	HANDLE ev;
	cf_ctx_opts o;
	cf_ctx c;
	bool ok = false;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	ev = cf_subscribe(h, &t.t, w);
	cf_set_drain(h, 1500);
	cf_opts_default(&o);
	o.local4 = net | 1;
	o.remote4 = net | 2;
	o.in_life.lifetimeSeconds = 1;
	cf_ctx_build(h, &c, &o, CF_MATURE);
	CF_OK(IPsecSaContextExpire0(h, c.id));
	CF_WAIT(ok, gone(h, c.id), 3000);
	CF_CHECK(ok, "context not deleted by its lifetime during the drain");
	if (ok)
		cf_untrack_ctx(c.id);
	cf_sleep_ms(700);	/* past the drain end too */
	CF_CHECK(cf_evlog_count(w, WIN_DELETE, c.id) == 1,
		 "%zu DELETE events, want 1", cf_evlog_count(w, WIN_DELETE,
							     c.id));
	cf_unsubscribe(h, ev);
	cf_close(h);
	cf_assert_no_failures();
}

/*
 * The soft lifetime (an extension): at 90% of lifetimeSeconds (2 s here)
 * one SOFT_LIFETIME event, then DELETE at the hard limit; a context without
 * a limit gets none.
 */
static void soft_lifetime(void **state)
{
	HANDLE h = cf_open();
	UINT32 net = cf_unique_net24();
	cf_template t;
	cf_evlog *x = cf_evlog_new();
	HANDLE evx;
	cf_ctx_opts o;
	cf_ctx c, c0;
	uint64_t t0, t_soft = 0;
	bool ok = false;
	long is, id;

	(void)state;
	cf_template_v4(&t, net, 0xFFFFFF00u, 0, 0);
	evx = cf_subscribe_ext(h, &t.t, FWPX_EVENT_MASK_ALL, x);
	cf_opts_default(&o);
	o.local4 = net | 3;
	o.remote4 = net | 4;
	cf_ctx_build(h, &c0, &o, CF_MATURE);	/* no limit: no event */
	o.local4 = net | 1;
	o.remote4 = net | 2;
	o.out_life.lifetimeSeconds = 2;
	cf_ctx_build(h, &c, &o, CF_SPI_SET);
	t0 = cf_now_ms();
	while (c.state < CF_MATURE)
		CF_OK(cf_ctx_step(h, &c));
	CF_WAIT(ok, cf_evlog_count(x, EXT_SOFT, c.id) > 0, 4000);
	t_soft = cf_now_ms() - t0;
	if (!ok)
		fail_msg("no SOFT_LIFETIME within 4 s of a 2 s lifetime");
	CF_CHECK(t_soft >= 1700, "SOFT_LIFETIME after %llu ms, want about 1800",
		 (unsigned long long)t_soft);
	CF_CHECK(cf_evlog_wait(x, EXT_DELETE, c.id, 3000), "no DELETE at the hard limit");
	cf_untrack_ctx(c.id);
	is = cf_evlog_find(x, EXT_SOFT, c.id, 0);
	id = cf_evlog_find(x, EXT_DELETE, c.id, 0);
	CF_CHECK(is >= 0 && id > is, "SOFT_LIFETIME (%ld) not before DELETE (%ld)", is, id);
	CF_CHECK(cf_evlog_count(x, EXT_SOFT, c.id) == 1, "%zu SOFT_LIFETIME events, want 1",
		 cf_evlog_count(x, EXT_SOFT, c.id));
	CF_CHECK(cf_evlog_count(x, EXT_SOFT, c0.id) == 0,
		 "SOFT_LIFETIME for a context without a lifetime");
	cf_ctx_delete(h, &c0);
	cf_unsubscribe(h, evx);
	cf_close(h);
	cf_assert_no_failures();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CF_TEST(drain_default),
		CF_TEST(drain_engine_wide),
		CF_TEST(expire_drain),
		CF_TEST(expire_drain_zero_and_inbound),
		CF_TEST(hard_lifetimes),
		CF_TEST(idle_timeouts),
		CF_TEST(lifetime_during_drain),
		CF_TEST(soft_lifetime),
	};

	cf_main_init();
	return cmocka_run_group_tests_name("conformance.lifetime", tests, NULL,
					   NULL);
}
