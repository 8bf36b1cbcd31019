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

/* One allocation: this struct, the transform, then (inbound) the replay
 * window, so a packet touches few, adjacent cache lines. The first line
 * holds what every packet reads. */
struct esp_sa {
	struct esp_xform *x;		/* right after the struct */
	struct esp_replay *replay;	/* inbound: after the transform */
	struct esp_xform_info info;
	uint32_t spi;
	bool outbound, udp_encap;
	uint8_t mode, outer_version, ttl, df;	/* enum esp_mode, enum esp_df */
	uint16_t udp_sport, udp_dport;
	uint16_t ip_id;
	struct esp_seq seq;		/* outbound */
	uint8_t outer_src[16], outer_dst[16];
	struct esp_counters ctr;
};

/* Single writer: a plain load and store, no locked instruction. */
static inline void esp_ctr_add(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

#endif
