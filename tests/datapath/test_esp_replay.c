/* test_esp_replay.c - the anti-replay window (RFC 4303 sec. 3.4.3 and
 * Appendix A2) and the outbound sequence counter: numbered edge cases, a
 * comparison against a plain model on random streams, 64-bit ESN
 * inference across 2^32, and exhaustion through esp_encap. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "test_esp_util.h"

static struct esp_replay *window_new(uint32_t w, bool esn)
{
	struct esp_replay *r = malloc(esp_replay_size(w));

	assert_non_null(r);
	assert_int_equal(esp_replay_init(r, w, esn), 0);
	return r;
}

/* check, then update when accepted: what esp_decap does around a good ICV. */
static int rx(struct esp_replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint64_t s;
	int rc = esp_replay_check(r, seq_lo, &s);

	if (rc == 0)
		esp_replay_update(r, s);
	if (seq)
		*seq = s;
	return rc;
}

#define OK 0
#define DUP ESP_REPLAY_DUP
#define OLD ESP_REPLAY_OLD

static void test_window_cases(void **state)
{
	struct esp_replay *r = window_new(64, false);
	static const struct { uint32_t seq; int want; } t[] = {
		{ 0, OLD },	/* 1: zero is never valid */
		{ 1, OK }, { 1, DUP }, { 2, OK }, { 3, OK }, { 2, DUP },
		{ 100, OK },	/* 7: jump ahead */
		{ 37, OK },	/* 8: 100 - 63: last number inside */
		{ 36, OLD },	/* 9: 100 - 64: first number outside */
		{ 37, DUP }, { 99, OK }, { 99, DUP }, { 64, OK },
		{ 1000, OK },	/* 14: slide past every word */
		{ 937, OK }, { 936, OLD }, { 999, OK }, { 100, OLD },
		{ 1064, OK },	/* 19: slide by exactly one window */
		{ 1001, OK }, { 1000, OLD }, { 1063, OK }, { 1063, DUP },
		{ 11000, OK }, { 10999, OK }, { 10937, OK }, { 10936, OLD },
		{ 0xffffffff, OK }, { 0xfffffffe, OK }, { 0xffffffc0, OK }, { 0xffffffbf, OLD },
		{ 11000, OLD },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (rx(r, t[i].seq, NULL) != t[i].want)
			fail_msg("case %zu: seq %u: want %d", i + 1, t[i].seq, t[i].want);
	free(r);
}

static void test_check_has_no_effect(void **state)
{
	struct esp_replay *r = window_new(128, false);
	uint64_t s;

	assert_int_equal(rx(r, 50, NULL), OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(esp_replay_check(r, 5000, &s), OK);
		assert_int_equal(s, 5000);
		assert_int_equal(esp_replay_check(r, 49, &s), OK);
	}
	assert_int_equal(r->top, 50);
	free(r);
}

static void test_sizes(void **state)
{
	static const uint32_t ok[] = { 64, 100, 1024, 4096 };
	struct esp_replay *r;

	assert_int_equal(esp_replay_init(&(struct esp_replay){ 0 }, 63, false), -EINVAL);
	assert_int_equal(esp_replay_init(&(struct esp_replay){ 0 }, 4097, false), -EINVAL);
	for (size_t i = 0; i < 4; i++) {
		uint32_t w = (ok[i] + 63) / 64 * 64;	/* 100 rounds up to 128 */

		r = window_new(ok[i], false);
		assert_int_equal(r->window, w);
		assert_int_equal(rx(r, 100000, NULL), OK);
		assert_int_equal(rx(r, 100000 - (w - 1), NULL), OK);
		assert_int_equal(rx(r, 100000 - w, NULL), OLD);
		free(r);
	}
}

/* A model: every number ever accepted, and the top. */
static void random_stream(uint32_t w, uint64_t seed)
{
	enum { N = 200000, SPACE = 150000 };
	struct esp_replay *r = window_new(w, false);
	uint8_t *seen = calloc(SPACE + 1, 1);
	uint64_t top = 0, s = seed, base = 1;

	assert_non_null(seen);
	for (int i = 0; i < N; i++) {
		uint64_t seq;
		int want, got;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		/* Mostly forward, some reordering inside and around the window. */
		if (s % 8 == 0)
			seq = base > 2 * w ? base - (s >> 8) % (2 * w) : 1 + (s >> 8) % base;
		else
			seq = base += (s >> 20) % 3;
		if (seq > SPACE)
			break;
		want = seq == 0 ? OLD : seq > top ? OK : top - seq >= r->window ? OLD :
			seen[seq] ? DUP : OK;
		got = rx(r, (uint32_t)seq, NULL);
		if (got != want)
			fail_msg("w %u step %d seq %llu top %llu: got %d want %d", w, i,
				 (unsigned long long)seq, (unsigned long long)top, got, want);
		if (got == OK) {
			seen[seq] = 1;
			if (seq > top)
				top = seq;
		}
	}
	free(seen);
	free(r);
}

static void test_random_against_model(void **state)
{
	random_stream(64, 0x1234567);
	random_stream(1024, 0x89abcdef);
	random_stream(4096, 0x5555aaaa);
}

static void test_esn_inference(void **state)
{
	struct esp_replay *r = window_new(64, true);
	uint64_t s;

	/* Nothing yet: numbers just below 2^32 would be subspace -1. */
	assert_int_equal(esp_replay_check(r, 0xfffffff0, &s), OLD);
	assert_int_equal(rx(r, 1, &s), OK);
	assert_int_equal(s, 1);
	/* Walk up to the edge of the first subspace, then across it. */
	esp_replay_update(r, 0xfffffff0);
	assert_int_equal(rx(r, 5, &s), OK);
	assert_int_equal(s, 0x100000005ull);	/* Case A: low seq_lo -> Th + 1 */
	/* Case B: the window spans both subspaces. */
	assert_int_equal(rx(r, 0xffffffec, &s), OK);
	assert_int_equal(s, 0xffffffecull);
	assert_int_equal(rx(r, 0xffffffec, &s), DUP);
	assert_int_equal(rx(r, 0xffffffc6, &s), OK);	/* 2^32+5 - 63 */
	assert_int_equal(s, 0xffffffc6ull);
	/* Below Bl in Case B: the current subspace, so ahead of the window
	 * (only the ICV, computed with that guess, can tell). */
	assert_int_equal(esp_replay_check(r, 0xffffffc5, &s), OK);
	assert_int_equal(s, 0x1ffffffc5ull);
	assert_int_equal(esp_replay_check(r, 1000, &s), OK);
	assert_int_equal(s, 0x1000003e8ull);
	assert_int_equal(rx(r, 3, &s), OK);
	assert_int_equal(s, 0x100000003ull);
	assert_int_equal(rx(r, 3, &s), DUP);
	free(r);

	/* The last subspace cannot be followed. */
	r = window_new(64, true);
	esp_replay_update(r, 0xffffffff00001000ull);
	assert_int_equal(esp_replay_check(r, 5, &s), OLD);
	assert_int_equal(esp_replay_check(r, 0x2000, &s), OK);
	assert_int_equal(s, 0xffffffff00002000ull);
	free(r);
}

/* A sender's 64-bit stream crossing several 2^32 boundaries, seen through
 * the low 32 bits only, with reordering inside the window: every number
 * is inferred exactly and accepted once. */
static void test_esn_stream(void **state)
{
	struct esp_replay *r = window_new(1024, true);
	uint64_t next = 0x1fffff000ull, s, x = 99;

	esp_replay_update(r, next - 1);
	for (int i = 0; i < 100000; i++) {
		uint64_t batch[8];

		for (int j = 0; j < 8; j++)
			batch[j] = next++;
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		for (int j = 7; j > 0; j--) {
			int k = (int)((x >> (j * 3)) % (uint64_t)(j + 1));
			uint64_t tmp = batch[j];

			batch[j] = batch[k];
			batch[k] = tmp;
		}
		for (int j = 0; j < 8; j++) {
			assert_int_equal(rx(r, (uint32_t)batch[j], &s), OK);
			assert_int_equal(s, batch[j]);
			assert_int_equal(esp_replay_check(r, (uint32_t)batch[j], &s), DUP);
		}
		if (i == 0)
			next += 0x100000000ull - 4000;	/* to just below 3 * 2^32 */
	}
	assert_true(r->top > 0x300000000ull);
	free(r);
}

static void test_seq_counter(void **state)
{
	struct esp_seq s;
	uint64_t v;

	esp_seq_init(&s, false);
	assert_int_equal(esp_seq_next(&s, &v), 0);
	assert_int_equal(v, 1);
	assert_false(esp_seq_rekey_due(&s));
	assert_int_equal(esp_seq_soft_limit(false), (1ull << 32) - (1ull << 24));
	s.next = esp_seq_soft_limit(false) - 1;
	assert_int_equal(esp_seq_next(&s, &v), 0);
	assert_false(esp_seq_rekey_due(&s));
	assert_int_equal(esp_seq_next(&s, &v), ESP_SEQ_REKEY);
	assert_int_equal(v, esp_seq_soft_limit(false));
	assert_true(esp_seq_rekey_due(&s));
	assert_int_equal(esp_seq_next(&s, &v), 0);	/* reported once */
	s.next = 0xffffffff;
	assert_int_equal(esp_seq_next(&s, &v), 0);
	assert_int_equal(v, 0xffffffffull);
	assert_int_equal(esp_seq_next(&s, &v), -ENOSPC);
	assert_int_equal(esp_seq_next(&s, &v), -ENOSPC);

	esp_seq_init(&s, true);
	s.next = 0x100000000ull;	/* ESN goes on past 2^32 */
	assert_int_equal(esp_seq_next(&s, &v), 0);
	assert_int_equal(v, 0x100000000ull);
	s.next = esp_seq_soft_limit(true);
	assert_int_equal(esp_seq_next(&s, &v), ESP_SEQ_REKEY);
	s.next = UINT64_MAX;
	assert_int_equal(esp_seq_next(&s, &v), 0);
	assert_int_equal(v, UINT64_MAX);
	assert_int_equal(esp_seq_next(&s, &v), -ENOSPC);
}

/* Through the packet path: the last number goes out, the next packet is
 * refused untouched and counted. */
static void test_exhaustion_refused(void **state)
{
	struct esp_sa_config cfg = { .mode = ESP_TUNNEL, .outer_version = 4 };
	struct pkt_spec ps = { .version = 4, .proto = IPPROTO_UDP, .payload = 32 };
	struct sa_xform x;
	struct esp_sa *out, *in;
	struct esp_sa_stats st;
	struct esp_out_meta meta;
	uint8_t mem[TBUF], copy[TBUF];
	struct esp_buf b = { mem, sizeof(mem), ESP_MAX_OVERHEAD, 0 };

	xf_make(&x, &xf_specs[0], 0x1001, 1);
	assert_int_equal(sa_pair(&out, &in, &x, &cfg), 0);
	esp_sa_test_seq(out)->next = 0xffffffff;
	b.len = pkt_build(mem + b.off, &ps);
	assert_int_equal(esp_encap(out, &b, &meta), 0);
	assert_int_equal(meta.seq, 0xffffffffull);
	assert_true(meta.rekey);
	b.off = ESP_MAX_OVERHEAD;
	b.len = pkt_build(mem + b.off, &ps);
	memcpy(copy, mem, sizeof(mem));
	assert_int_equal(esp_encap(out, &b, &meta), -ENOSPC);
	assert_int_equal(b.off, ESP_MAX_OVERHEAD);
	assert_memory_equal(copy, mem, sizeof(mem));
	esp_sa_stats(out, &st);
	assert_int_equal(st.seq_exhausted, 1);
	assert_int_equal(st.packets, 1);
	esp_sa_free(out);
	esp_sa_free(in);
}

static int teardown(void **state)
{
	esp_crypto_fini();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window_cases),
		cmocka_unit_test(test_check_has_no_effect),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_esn_inference),
		cmocka_unit_test(test_esn_stream),
		cmocka_unit_test(test_seq_counter),
		cmocka_unit_test(test_exhaustion_refused),
	};

	return cmocka_run_group_tests(tests, NULL, teardown);
}
