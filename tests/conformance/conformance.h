/*
 * conformance.h - shared helpers of the conformance suite.
 *
 * The suite uses the public API only (fwpmu.h, fwpx.h), so that it can run
 * against the in-process engine (FWP_ENGINE=embedded) and later against the
 * engine service. All tests of one binary share one engine: every test
 * cleans up what it creates, and cf_teardown (run after every test) deletes
 * whatever a failed test left behind.
 *
 * Threads other than the test's main thread (worker threads, subscription
 * callbacks) must never call cmocka asserts: they record failures with
 * cf_note_failure(), and the main thread calls cf_assert_no_failures().
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fwpmu.h>
#include <fwpx.h>

/* ------------------------------------------------------------------ */
/* Result codes and failure reporting                                 */
/* ------------------------------------------------------------------ */

/* "FWP_E_NOT_FOUND (0x80320008)"; per-thread rotating buffers. */
const char *cf_rc_str(DWORD rc);

void cf_assert_rc_at(DWORD got, DWORD expected, const char *expr,
		     const char *file, int line);
/* Fails the test unless expr returns `expected`, naming both codes. */
#define CF_ASSERT_RC(expr, expected) \
	cf_assert_rc_at((DWORD)(expr), (DWORD)(expected), #expr, \
			__FILE__, __LINE__)
#define CF_OK(expr) CF_ASSERT_RC(expr, ERROR_SUCCESS)

/*
 * Soft checks: a mismatch is recorded (and printed at once) but the test
 * goes on, so one run reports every failing row of a table. Safe in any
 * thread. cf_assert_no_failures() fails the test if anything was recorded.
 */
void cf_note_failure(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
bool cf_check_rc_at(DWORD got, DWORD expected, const char *label,
		    const char *expr, const char *file, int line);
#define CF_CHECK_RC(expr, expected, label) \
	cf_check_rc_at((DWORD)(expr), (DWORD)(expected), (label), #expr, \
		       __FILE__, __LINE__)
#define CF_CHECK(cond, ...) \
	((cond) ? true : (cf_note_failure(__VA_ARGS__), false))
int cf_failure_count(void);
void cf_assert_no_failures_at(const char *file, int line);
#define cf_assert_no_failures() cf_assert_no_failures_at(__FILE__, __LINE__)

/* ------------------------------------------------------------------ */
/* Process set-up, per-test teardown                                   */
/* ------------------------------------------------------------------ */

/* Call first in main(): defaults FWP_ENGINE to "embedded" when unset. */
void cf_main_init(void);
/* cmocka teardown: unsubscribes, deletes tracked contexts, restores the
 * expire drain and environment, closes handles; returns -1 when a test
 * left unreported soft failures. */
int cf_teardown(void **state);
#define CF_TEST(f) cmocka_unit_test_teardown(f, cf_teardown)

/* True when the suite runs against the engine service, not in-process. */
bool cf_against_service(void);

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

uint64_t cf_now_ms(void);
void cf_sleep_ms(unsigned ms);
/* Polls `cond` every 2 ms until it holds or timeout_ms passed; sets ok. */
#define CF_WAIT(ok, cond, timeout_ms) do {				\
	uint64_t cf_deadline_ = cf_now_ms() + (timeout_ms);		\
	for (;;) {							\
		if (cond) { (ok) = true; break; }			\
		if (cf_now_ms() > cf_deadline_) { (ok) = (cond); break; } \
		cf_sleep_ms(2);						\
	}								\
} while (0)

/* ------------------------------------------------------------------ */
/* Engine handles                                                     */
/* ------------------------------------------------------------------ */

/* FwpmEngineOpen0(NULL, RPC_C_AUTHN_WINNT, NULL, session, &h); tracked. */
DWORD cf_try_open(const FWPM_SESSION0 *session, HANDLE *h);
HANDLE cf_open(void);
HANDLE cf_open_session(const FWPM_SESSION0 *session);
/* FwpmEngineClose0, asserting success; untracks. */
void cf_close(HANDLE h);
/* For tests that close a handle through the raw API. */
void cf_forget_handle(HANDLE h);
GUID cf_random_guid(void);
bool cf_guid_eq(const GUID *a, const GUID *b);
bool cf_guid_is_zero(const GUID *g);

/* ------------------------------------------------------------------ */
/* Values                                                             */
/* ------------------------------------------------------------------ */

#define CF_V4(a, b, c, d) \
	((UINT32)(a) << 24 | (UINT32)(b) << 16 | (UINT32)(c) << 8 | (UINT32)(d))

/* Default addresses of contexts built without explicit ones. */
#define CF_DEFAULT_LOCAL4	CF_V4(192, 0, 2, 1)
#define CF_DEFAULT_REMOTE4	CF_V4(198, 51, 100, 2)

/* Unique inbound SPI (>= 0x80000000) for this process. */
UINT32 cf_next_spi(void);
/* The id of a real policy object a context may be bound to, taken in turn
 * from a pool the harness adds once per process in its own dynamic session:
 * a transport filter of the version and direction (TRANSPORT) or a QM
 * tunnel provider context (TUNNEL; dir ignored). */
UINT64 cf_policy_id(FWP_IP_VERSION v, IPSEC_TRAFFIC_TYPE type, FWP_DIRECTION dir);
/* cf_policy_id(V4, TRANSPORT, OUTBOUND). */
UINT64 cf_next_filter_id(void);
/* A fresh 10.x.y.0/24 (host order) not used by any other test. */
UINT32 cf_unique_net24(void);
/* A fresh 2001:db8:x:y::/64 in network order. */
void cf_unique_net6(UINT8 net[16]);
/* IPv6 network order -> IPSEC_TRAFFIC order (the 16 bytes reversed). */
void cf_v6_to_traffic(UINT8 out[16], const UINT8 net[16]);

IPSEC_TRAFFIC1 cf_traffic_v4(UINT32 local, UINT32 remote,
			     IPSEC_TRAFFIC_TYPE type, UINT64 filter_or_policy);
/* Addresses already in IPSEC_TRAFFIC byte order. */
IPSEC_TRAFFIC1 cf_traffic_v6(const UINT8 local[16], const UINT8 remote[16],
			     IPSEC_TRAFFIC_TYPE type, UINT64 filter_or_policy);
IPSEC_TRAFFIC0 cf_traffic1_to0(const IPSEC_TRAFFIC1 *t);
IPSEC_GETSPI1 cf_getspi1(const IPSEC_TRAFFIC1 *inbound);
IPSEC_GETSPI0 cf_getspi1_to0(const IPSEC_GETSPI1 *g);

/* ------------------------------------------------------------------ */
/* SA bundles                                                         */
/* ------------------------------------------------------------------ */

typedef enum cf_suite {
	CF_SUITE_GCM128 = 0,	/* ESP_AUTH_AND_CIPHER, GCM both, key+salt 20 */
	CF_SUITE_GCM192,
	CF_SUITE_GCM256,
	CF_SUITE_CBC_SHA1,	/* AES-128-CBC + HMAC-SHA1-96 */
	CF_SUITE_AES256_SHA256,	/* AES-256-CBC + HMAC-SHA256-128 */
	CF_SUITE_3DES_SHA1,	/* 3DES-CBC + HMAC-SHA1-96 */
	CF_SUITE_GMAC128,	/* ESP_AUTH with the GCM-AES-128 auth id */
	CF_SUITE_ESP_SHA1,	/* ESP_AUTH HMAC-SHA1-96 (NULL encryption) */
	CF_SUITE_AH_SHA256,	/* AH HMAC-SHA256-128 */
	CF_SUITE_GCM_CIPHER,	/* ESP_CIPHER with GCM-AES-128 */
	CF_SUITE_ESP_AH,	/* ESP (AES-128-CBC+SHA1) at [0], AH SHA1 at [1] */
	CF_SUITE_COUNT
} cf_suite;

const char *cf_suite_name(cf_suite s);

#define CF_MAX_SAS 3
#define CF_KEY_MAX 64

/*
 * A bundle with everything it points to. It points into itself: build it
 * in place with cf_bundle_init and never copy it by value. Edit b1 (and
 * the arrays); cf_bundle0() copies b1 into the version-0 bundle.
 */
typedef struct cf_bundle {
	IPSEC_SA_BUNDLE1 b1;
	IPSEC_SA_BUNDLE0 b0;
	IPSEC_SA0 sa[CF_MAX_SAS];
	IPSEC_SA_AUTH_AND_CIPHER_INFORMATION0 aci[CF_MAX_SAS];
	IPSEC_SA_AUTH_INFORMATION0 ai[CF_MAX_SAS];
	IPSEC_SA_CIPHER_INFORMATION0 ci[CF_MAX_SAS];
	UINT8 ckey[CF_MAX_SAS][CF_KEY_MAX];
	UINT8 akey[CF_MAX_SAS][CF_KEY_MAX];
} cf_bundle;

void cf_bundle_init(cf_bundle *b, cf_suite s, UINT32 spi, FWP_IP_VERSION v);
/*
 * (Re)sets SA i: transform type, SPI, ids and key lengths. auth/cipher may
 * be NULL when the type has no such half. For GCM pairs the auth key is a
 * byte copy of the cipher key. numSAs is raised to i+1 if lower.
 */
void cf_bundle_set_sa(cf_bundle *b, unsigned i, IPSEC_TRANSFORM_TYPE type,
		      UINT32 spi, const IPSEC_AUTH_TRANSFORM_ID0 *auth,
		      UINT32 akeylen, const IPSEC_CIPHER_TRANSFORM_ID0 *cipher,
		      UINT32 ckeylen);
const IPSEC_SA_BUNDLE0 *cf_bundle0(cf_bundle *b);

/* ------------------------------------------------------------------ */
/* SA contexts                                                        */
/* ------------------------------------------------------------------ */

typedef enum cf_state {
	CF_NONE = 0,
	CF_CREATED,
	CF_SPI_SET,
	CF_INBOUND,
	CF_MATURE,
	CF_EXPIRING
} cf_state;

const char *cf_state_name(cf_state s);

typedef struct cf_ctx_opts {
	FWP_IP_VERSION ipv;		/* default V4 */
	IPSEC_TRAFFIC_TYPE type;	/* default TRANSPORT */
	UINT32 local4, remote4;		/* 0: CF_DEFAULT_* */
	UINT8 local6[16], remote6[16];	/* traffic order; zero: defaults */
	cf_suite suite;			/* default GCM128 */
	UINT32 in_flags, out_flags;	/* default 0 / ASSUME_UDP_CONTEXT_OUTBOUND */
	IPSEC_SA_LIFETIME0 in_life, out_life;	/* default 0 (no limit) */
	UINT32 in_idle, out_idle;
	bool v0;			/* Create0, AddInbound0, AddOutbound0 */
	bool getspi;			/* GetSpi1 (GetSpi0 with v0) */
	UINT32 spi;			/* 0: cf_next_spi() */
} cf_ctx_opts;

typedef struct cf_ctx {
	UINT64 id;
	cf_state state;			/* as far as the builder got */
	UINT32 spi_in, spi_out;
	UINT64 out_filter, in_filter;	/* ipsecFilterId / tunnelPolicyId */
	IPSEC_TRAFFIC1 out_traffic;	/* given to Create */
	IPSEC_GETSPI1 getspi;		/* given to GetSpi/SetSpi */
	cf_bundle in, out;
	cf_ctx_opts o;
	const char *failed_step;	/* cf_ctx_try: the call that failed */
} cf_ctx;

void cf_opts_default(cf_ctx_opts *o);
/* Builds a context up to `upto` with the options (NULL: defaults) and
 * returns the first failing result (ERROR_SUCCESS on success). Never
 * asserts, usable from any thread. Tracks the context for teardown. */
DWORD cf_ctx_try(HANDLE h, cf_ctx *c, const cf_ctx_opts *o, cf_state upto);
/* The same, asserting success. */
void cf_ctx_build_at(HANDLE h, cf_ctx *c, const cf_ctx_opts *o,
		     cf_state upto, const char *file, int line);
#define cf_ctx_build(h, c, o, upto) \
	cf_ctx_build_at((h), (c), (o), (upto), __FILE__, __LINE__)
/* Advance one step (Create/SetSpi/AddInbound/AddOutbound/Expire). */
DWORD cf_ctx_step(HANDLE h, cf_ctx *c);
/* A default MATURE context. */
UINT64 cf_mature(HANDLE h, cf_ctx *c);
/* IPsecSaContextDeleteById0, asserting success; untracks. */
void cf_ctx_delete_at(HANDLE h, cf_ctx *c, const char *file, int line);
#define cf_ctx_delete(h, c) cf_ctx_delete_at((h), (c), __FILE__, __LINE__)
void cf_track_ctx(UINT64 id);
void cf_untrack_ctx(UINT64 id);

/* ------------------------------------------------------------------ */
/* Reading and comparing                                              */
/* ------------------------------------------------------------------ */

/* GetById1 asserting success; free with FwpmFreeMemory0. */
IPSEC_SA_CONTEXT1 *cf_get1_at(HANDLE h, UINT64 id, const char *file, int line);
#define cf_get1(h, id) cf_get1_at((h), (id), __FILE__, __LINE__)

/* Field-by-field comparison, nested structs included; on a difference
 * writes its path into why and returns false. */
bool cf_details1_equal(const IPSEC_SA_DETAILS1 *a, const IPSEC_SA_DETAILS1 *b,
		       const char *path, char *why, size_t n);
bool cf_ctx1_equal(const IPSEC_SA_CONTEXT1 *a, const IPSEC_SA_CONTEXT1 *b,
		   char *why, size_t n);
bool cf_traffic1_equal(const IPSEC_TRAFFIC1 *a, const IPSEC_TRAFFIC1 *b,
		       const char *path, char *why, size_t n);

/* Re-reads the context and compares it with `before`. */
void cf_assert_unchanged_at(HANDLE h, UINT64 id,
			    const IPSEC_SA_CONTEXT1 *before,
			    const char *file, int line);
#define CF_ASSERT_UNCHANGED(h, id, before) \
	cf_assert_unchanged_at((h), (id), (before), __FILE__, __LINE__)
/* Soft version; label names the case in the message. */
bool cf_check_unchanged(HANDLE h, UINT64 id, const IPSEC_SA_CONTEXT1 *before,
			const char *label);

/* Every key blob is {0, NULL}. */
bool cf_keys_absent1(const IPSEC_SA_DETAILS1 *d, char *why, size_t n);
bool cf_keys_absent0(const IPSEC_SA_DETAILS0 *d, char *why, size_t n);
/* SA list of the details matches the bundle that was added (spi, types,
 * transform ids), keys aside. */
bool cf_salist_matches(const IPSEC_SA0 *got, UINT32 ngot,
		       const IPSEC_SA0 *want, UINT32 nwant, char *why,
		       size_t n);

IPSEC_STATISTICS1 cf_stats_at(HANDLE h, const char *file, int line);
#define cf_stats(h) cf_stats_at((h), __FILE__, __LINE__)

/* All context ids an enumeration returns (Enum1, batch `batch`); malloc'd. */
DWORD cf_enum_ids(HANDLE h, const IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		  UINT32 batch, UINT64 **ids, size_t *n);
bool cf_ids_contain(const UINT64 *ids, size_t n, UINT64 id);

/* Template with a v4 subnet on each side (mask 0: FWP_EMPTY side). The
 * struct points at the two address/mask structs inside it. */
typedef struct cf_template {
	IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 t;
	FWP_V4_ADDR_AND_MASK l4, r4;
	FWP_V6_ADDR_AND_MASK l6, r6;
} cf_template;
void cf_template_v4(cf_template *t, UINT32 laddr, UINT32 lmask,
		    UINT32 raddr, UINT32 rmask);

/* ------------------------------------------------------------------ */
/* Subscriptions                                                      */
/* ------------------------------------------------------------------ */

typedef struct cf_event {
	UINT32 type;		/* IPSEC_SA_CONTEXT_EVENT_* / FWPX_* */
	UINT32 dropped;
	UINT64 id;
	UINT64 flags;
} cf_event;

/* Thread-safe event recorder; heap-allocated, freed by cf_teardown
 * after every subscription is gone (a callback can never see freed
 * memory, even after a failed test). */
typedef struct cf_evlog {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	cf_event *ev;
	size_t n, cap;
	UINT64 dropped_total;
	int in_cb, max_in_cb;	/* concurrency of callbacks */
	int bad_context;	/* callback got a foreign context pointer */
} cf_evlog;

cf_evlog *cf_evlog_new(void);
void CALLBACK cf_evlog_win_cb(void *context,
			      const IPSEC_SA_CONTEXT_CHANGE0 *change);
void CALLBACK cf_evlog_ext_cb(void *context,
			      const FWPX_SA_CONTEXT_EVENT0 *event);
/* Index of the first event (type, id) at or after `from`, or -1. */
long cf_evlog_find(cf_evlog *l, UINT32 type, UINT64 id, size_t from);
size_t cf_evlog_count(cf_evlog *l, UINT32 type, UINT64 id);
size_t cf_evlog_size(cf_evlog *l);
/* Sum of numDropped of the DROPPED events so far. */
UINT64 cf_evlog_dropped(cf_evlog *l);
/* Waits until the event (type, id) was recorded; false on timeout. */
bool cf_evlog_wait(cf_evlog *l, UINT32 type, UINT64 id, unsigned timeout_ms);

/* IPsecSaContextSubscribe0 / FwpxSaContextSubscribe0 into a log; tracked. */
HANDLE cf_subscribe_at(HANDLE h, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
		       cf_evlog *l, const char *file, int line);
#define cf_subscribe(h, t, l) cf_subscribe_at((h), (t), (l), __FILE__, __LINE__)
HANDLE cf_subscribe_ext_at(HANDLE h, IPSEC_SA_CONTEXT_ENUM_TEMPLATE0 *t,
			   UINT32 mask, cf_evlog *l, const char *file,
			   int line);
#define cf_subscribe_ext(h, t, m, l) \
	cf_subscribe_ext_at((h), (t), (m), (l), __FILE__, __LINE__)
void cf_track_subscription(HANDLE h, HANDLE events);
void cf_untrack_subscription(HANDLE events);
/* Unsubscribe0 asserting success; untracks. */
void cf_unsubscribe(HANDLE h, HANDLE events);

/* ------------------------------------------------------------------ */
/* Engine-wide settings restored by teardown                          */
/* ------------------------------------------------------------------ */

/* FwpxEngineSetExpireDrain0, remembering the value to restore. */
void cf_set_drain(HANDLE h, UINT32 ms);
/* setenv that teardown undoes. */
void cf_setenv(const char *name, const char *value);

#endif /* CONFORMANCE_H */
