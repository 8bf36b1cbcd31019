/* esp_sa.h - one direction of one SA as the ESP datapath runs it: the keyed
 * transform, the sequence state (outbound counter or inbound replay
 * window), the mode and the outer-header settings, and counters.
 *
 * An esp_sa is built from the engine's record (struct sa_xform: SPI,
 * transform, keys) plus the few settings below; it keeps no pointer to it,
 * and no key bytes outside its OpenSSL contexts.
 *
 * Ownership: whoever creates an esp_sa frees it.
 * Threads: packets go through an esp_sa on one thread at a time (its
 * EVP contexts, sequence counter and window are not shared). The counters
 * are the exception: single-writer relaxed atomics, so esp_sa_stats may be
 * called from any thread at any time. esp_sa_set_udp_encap must be
 * serialised with the packets by the caller.
 */
#ifndef FWP_DATAPATH_ESP_SA_H
#define FWP_DATAPATH_ESP_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/esp_replay.h"
#include "datapath/esp_xform.h"
#include "engine/sa_context.h"

enum esp_mode {
	ESP_TRANSPORT,
	ESP_TUNNEL,
};

/* The outer IPv4 DF bit in tunnel mode. */
enum esp_df {
	ESP_DF_COPY,		/* from an IPv4 inner header; clear for IPv6 */
	ESP_DF_SET,
	ESP_DF_CLEAR,
};

struct esp_sa_config {
	const struct sa_xform *xform;	/* SPI, transform, keys: copied */
	bool outbound;
	bool esn;			/* 64-bit sequence numbers */
	enum esp_mode mode;
	uint32_t replay_window;		/* inbound; 0: ESP_REPLAY_DEFAULT */
	/* Tunnel mode, outbound: the outer header. */
	uint8_t outer_version;		/* 4 or 6 */
	uint8_t outer_src[16], outer_dst[16];	/* IPv4 in the first 4 bytes */
	uint8_t ttl;			/* TTL / hop limit; 0: 64 */
	enum esp_df df;
	/* UDP encapsulation (RFC 3948), outbound; ports in host order. */
	bool udp_encap;
	uint16_t udp_sport, udp_dport;
};

struct esp_sa;

/* Counters since creation. bytes: inner bytes protected (out) or
 * delivered (in). */
struct esp_sa_stats {
	uint64_t packets, bytes;
	uint64_t replay_drops;	/* duplicate or too old */
	uint64_t icv_failures;
	uint64_t malformed;	/* bad lengths or headers, before or after ICV */
	uint64_t trailer_errors;	/* bad padding or next header */
	uint64_t ecn_drops;	/* RFC 6040: inner Not-ECT, outer CE */
	uint64_t seq_exhausted;	/* packets refused at the hard limit */
};

/* 0, or the errors of esp_xform_new, -EINVAL (a setting out of range:
 * replay window, outer version), -ENOMEM. *why names the reason. */
int esp_sa_new(struct esp_sa **out, const struct esp_sa_config *cfg, const char **why);
/* Wipes and frees; NULL is a no-op. */
void esp_sa_free(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
const struct esp_xform_info *esp_sa_info(const struct esp_sa *sa);
void esp_sa_stats(const struct esp_sa *sa, struct esp_sa_stats *out);
/* Outbound: turns UDP encapsulation on or off (IPsecSaContextUpdate0). */
void esp_sa_set_udp_encap(struct esp_sa *sa, bool on, uint16_t sport, uint16_t dport);

/* Tunnel mode, outbound: new outer addresses (the peer moved,
 * IPsecSaContextUpdate0 with a traffic change). 0 or -EINVAL. Same
 * serialisation rule as esp_sa_set_udp_encap. */
int esp_sa_set_outer(struct esp_sa *sa, uint8_t version, const uint8_t src[16],
		     const uint8_t dst[16]);

/* Test hooks: the transform (to inject IVs), the outbound counter, the
 * inbound window and the next outer IPv4 identification. */
struct esp_xform *esp_sa_test_xform(struct esp_sa *sa);
struct esp_seq *esp_sa_test_seq(struct esp_sa *sa);
struct esp_replay *esp_sa_test_replay(struct esp_sa *sa);
void esp_sa_test_set_ip_id(struct esp_sa *sa, uint16_t id);

#endif
