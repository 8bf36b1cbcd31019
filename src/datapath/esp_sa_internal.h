/* esp_sa_internal.h - the layout of struct esp_sa, shared by esp_sa.c and
 * esp_packet.c only. Rules: see esp_sa.h. */
#ifndef FWP_DATAPATH_ESP_SA_INTERNAL_H
#define FWP_DATAPATH_ESP_SA_INTERNAL_H

#include <stdatomic.h>

#include "datapath/esp_sa.h"

struct esp_counters {
	_Atomic uint64_t packets, bytes, replay_drops, icv_failures, malformed,
		trailer_errors, ecn_drops, seq_exhausted;
};

struct esp_sa {
	struct esp_xform *x;
	const struct esp_xform_info *info;
	uint32_t spi;
	bool outbound;
	enum esp_mode mode;
	uint8_t outer_version, ttl;
	enum esp_df df;
	bool udp_encap;
	uint16_t udp_sport, udp_dport;
	uint16_t ip_id;
	uint8_t outer_src[16], outer_dst[16];
	struct esp_seq seq;		/* outbound */
	struct esp_counters ctr;
	struct esp_replay *replay;	/* inbound: right after the struct */
};

/* Single writer: a plain load and store, no locked instruction. */
static inline void esp_ctr_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

#endif
