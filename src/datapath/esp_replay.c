/* esp_replay.c - anti-replay window and outbound sequence counter. */
#include <errno.h>
#include <string.h>

#include "datapath/esp_replay.h"

static uint32_t round64(uint32_t w)
{
	return (w + 63) & ~63u;
}

size_t esp_replay_size(uint32_t window)
{
	/* One spare word: the word being cleared as the window slides is
	 * never one that still holds in-window bits. */
	return sizeof(struct esp_replay) + (round64(window) / 64 + 1) * sizeof(uint64_t);
}

int esp_replay_init(struct esp_replay *r, uint32_t window, bool esn)
{
	if (window < ESP_REPLAY_MIN || window > ESP_REPLAY_MAX)
		return -EINVAL;
	window = round64(window);
	r->top = 0;
	r->window = window;
	r->words = window / 64 + 1;
	r->esn = esn;
	memset(r->bitmap, 0, r->words * sizeof(uint64_t));
	return 0;
}

/* RFC 4303 Appendix A2.1: place seq_lo relative to the bottom of the
 * window, B = T - W + 1. When the window lies within one 2^32 subspace
 * (Case A), a number below Bl belongs to the next subspace; when it spans
 * two (Case B), a number at or above Bl belongs to the previous one. A
 * wrong guess is harmless: the ICV, computed with seq_hi, then fails. */
static int infer(const struct esp_replay *r, uint32_t seql, uint64_t *seq)
{
	uint32_t th = (uint32_t)(r->top >> 32), tl = (uint32_t)r->top;
	uint32_t bl = tl - r->window + 1;	/* mod 2^32 */
	uint32_t sh;

	if (tl >= r->window - 1) {		/* Case A */
		if (seql >= bl) {
			sh = th;
		} else {
			if (th == UINT32_MAX)
				return ESP_REPLAY_OLD;	/* would wrap 2^64 */
			sh = th + 1;
		}
	} else {				/* Case B */
		if (seql >= bl) {
			if (th == 0)
				return ESP_REPLAY_OLD;	/* before number 0 */
			sh = th - 1;
		} else {
			sh = th;
		}
	}
	*seq = (uint64_t)sh << 32 | seql;
	return 0;
}

int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq)
{
	uint64_t s;
	int rc;

	if (r->esn) {
		rc = infer(r, seq_lo, &s);
		if (rc)
			return rc;
	} else {
		s = seq_lo;
	}
	*seq = s;
	if (s == 0)
		return ESP_REPLAY_OLD;
	if (s > r->top)
		return 0;
	if (r->top - s >= r->window)
		return ESP_REPLAY_OLD;
	if (r->bitmap[(s / 64) % r->words] & (1ull << (s % 64)))
		return ESP_REPLAY_DUP;
	return 0;
}

void esp_replay_update(struct esp_replay *r, uint64_t seq)
{
	if (seq > r->top) {
		uint64_t cur = r->top / 64, next = seq / 64;
		uint64_t n = next - cur < r->words ? next - cur : r->words;

		/* Clear the words the window slides into. */
		for (uint64_t i = 1; i <= n; i++)
			r->bitmap[(cur + i) % r->words] = 0;
		r->top = seq;
	}
	r->bitmap[(seq / 64) % r->words] |= 1ull << (seq % 64);
}

/* ---- outbound ---- */

uint64_t esp_seq_soft_limit(bool esn)
{
	/* 2^24 packets of warning: ~8 s at 2 Mpps, minutes at real rates,
	 * enough for an IKE rekey to finish before the hard stop. */
	return esn ? UINT64_MAX - UINT32_MAX : (1ull << 32) - (1ull << 24);
}

uint64_t esp_seq_hard_limit(bool esn)
{
	return esn ? UINT64_MAX : UINT32_MAX;
}

void esp_seq_init(struct esp_seq *s, bool esn)
{
	s->next = 1;
	s->esn = esn;
	s->rekey_reported = false;
}

int esp_seq_next(struct esp_seq *s, uint64_t *seq)
{
	/* next == 0 only after the last number of a 64-bit space was used. */
	if (s->next == 0 || s->next > esp_seq_hard_limit(s->esn))
		return -ENOSPC;
	*seq = s->next++;
	if (*seq >= esp_seq_soft_limit(s->esn) && !s->rekey_reported) {
		s->rekey_reported = true;
		return ESP_SEQ_REKEY;
	}
	return 0;
}

bool esp_seq_rekey_due(const struct esp_seq *s)
{
	return s->next == 0 || s->next > esp_seq_soft_limit(s->esn);
}
