/* esp_replay.h - sequence numbers: the inbound anti-replay window (RFC
 * 4303 sec. 3.4.3, Appendix A2 for extended sequence numbers) and the
 * outbound counter.
 *
 * Inbound is two steps, so that a forged packet cannot move the window:
 * esp_replay_check before decryption (no state change; with ESN it also
 * infers the high 32 bits), esp_replay_update only once the ICV passed.
 * The window is a bitmap ring of window + 64 bits, so sliding it forward
 * clears whole words and never shifts.
 *
 * Outbound numbers start at 1 and never repeat or wrap: esp_seq_next
 * refuses to hand out a number past the hard limit, and reports once,
 * well before it, that a rekey is due (docs/datapath-core.md):
 *   32-bit: soft 2^32 - 2^24, hard 2^32 - 1 (the last number sent);
 *   ESN:    soft 2^64 - 2^32, hard 2^64 - 1.
 *
 * Ownership: embedded in the SA that owns them. Threads: none of their own;
 * one thread at a time per object (the SA's).
 */
#ifndef FWP_DATAPATH_ESP_REPLAY_H
#define FWP_DATAPATH_ESP_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ESP_REPLAY_MIN 64
#define ESP_REPLAY_MAX 4096
#define ESP_REPLAY_DEFAULT 1024

/* esp_replay_check results besides 0. */
#define ESP_REPLAY_DUP 1	/* already received */
#define ESP_REPLAY_OLD 2	/* left of the window, or number 0 */

struct esp_replay {
	uint64_t top;		/* highest authenticated number; 0: none yet */
	uint32_t window;	/* packets accepted behind top, top included */
	uint32_t words;		/* bitmap length in 64-bit words */
	bool esn;
	uint64_t bitmap[];	/* words entries */
};

/* Bytes to allocate for a window (after rounding it up to 64). */
size_t esp_replay_size(uint32_t window);
/* Initialises r for a window size in [ESP_REPLAY_MIN, ESP_REPLAY_MAX],
 * rounded up to a multiple of 64. 0 or -EINVAL. */
int esp_replay_init(struct esp_replay *r, uint32_t window, bool esn);

/* Before decryption: 0 (new or inside the window and unseen) with *seq the
 * full number to authenticate, ESP_REPLAY_DUP or ESP_REPLAY_OLD. */
int esp_replay_check(const struct esp_replay *r, uint32_t seq_lo, uint64_t *seq);
/* After the ICV passed: records seq, sliding the window if it is ahead. */
void esp_replay_update(struct esp_replay *r, uint64_t seq);

/* The outbound counter. */
struct esp_seq {
	uint64_t next;		/* the number the next packet gets */
	bool esn;
	bool rekey_reported;
};

#define ESP_SEQ_REKEY 1		/* esp_seq_next: soft limit crossed now */

void esp_seq_init(struct esp_seq *s, bool esn);
/* Hands out the next number. 0, ESP_SEQ_REKEY (once, on the packet that
 * reaches the soft limit; the number is valid), or -ENOSPC at the hard
 * limit (no number: the SA must not send any more). */
int esp_seq_next(struct esp_seq *s, uint64_t *seq);
/* Whether the soft limit has been reached. */
bool esp_seq_rekey_due(const struct esp_seq *s);
/* The limits, for tests and the docs. */
uint64_t esp_seq_soft_limit(bool esn);
uint64_t esp_seq_hard_limit(bool esn);

#endif
