/* esp_sa.c - building and reading an SA direction. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "datapath/esp_sa_internal.h"

static int fail(const char **why, const char *msg, int err)
{
	if (why)
		*why = msg;
	return err;
}

/* The SA, its transform and its window share one allocation. */
static size_t sa_size(bool outbound, uint32_t window, size_t *xform_off)
{
	size_t x = (sizeof(struct esp_sa) + 63) & ~(size_t)63;	/* own cache line */

	*xform_off = x;
	return x + ((esp_xform_size() + 7) & ~(size_t)7) +
		(outbound ? 0 : esp_replay_size(window));
}

int esp_sa_new(struct esp_sa **out, const struct esp_sa_config *cfg, const char **why)
{
	uint32_t window = cfg->replay_window ? cfg->replay_window : ESP_REPLAY_DEFAULT;
	struct esp_sa *sa;
	size_t size, xoff;
	int rc;

	*out = NULL;
	if (!cfg->outbound && (window < ESP_REPLAY_MIN || window > ESP_REPLAY_MAX))
		return fail(why, "replay window out of range", -EINVAL);
	if (cfg->outbound && cfg->mode == ESP_TUNNEL &&
	    cfg->outer_version != 4 && cfg->outer_version != 6)
		return fail(why, "tunnel outer IP version must be 4 or 6", -EINVAL);
	size = sa_size(cfg->outbound, window, &xoff);
	sa = aligned_alloc(64, (size + 63) & ~(size_t)63);
	if (!sa)
		return -ENOMEM;
	memset(sa, 0, size);
	sa->x = (struct esp_xform *)((uint8_t *)sa + xoff);
	rc = esp_xform_init(sa->x, cfg->xform, cfg->esn, cfg->outbound, why);
	if (rc) {
		free(sa);
		return rc;
	}
	sa->info = *esp_xform_info(sa->x);
	sa->spi = cfg->xform->spi;
	sa->outbound = cfg->outbound;
	sa->mode = (uint8_t)cfg->mode;
	sa->outer_version = cfg->outer_version;
	memcpy(sa->outer_src, cfg->outer_src, 16);
	memcpy(sa->outer_dst, cfg->outer_dst, 16);
	sa->ttl = cfg->ttl ? cfg->ttl : 64;
	sa->df = (uint8_t)cfg->df;
	sa->udp_encap = cfg->udp_encap;
	sa->udp_sport = cfg->udp_sport;
	sa->udp_dport = cfg->udp_dport;
	if (RAND_bytes((unsigned char *)&sa->ip_id, sizeof(sa->ip_id)) != 1)
		sa->ip_id = (uint16_t)sa->spi;
	esp_seq_init(&sa->seq, cfg->esn);
	if (!cfg->outbound) {
		sa->replay = (struct esp_replay *)((uint8_t *)sa->x +
						   ((esp_xform_size() + 7) & ~(size_t)7));
		esp_replay_init(sa->replay, window, cfg->esn);
	}
	*out = sa;
	return 0;
}

void esp_sa_free(struct esp_sa *sa)
{
	size_t size, xoff;

	if (!sa)
		return;
	esp_xform_fini(sa->x);
	size = sa_size(sa->outbound, sa->replay ? sa->replay->window : 0, &xoff);
	OPENSSL_cleanse(sa, size);
	free(sa);
}

uint32_t esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

const struct esp_xform_info *esp_sa_info(const struct esp_sa *sa)
{
	return &sa->info;
}

void esp_sa_stats(const struct esp_sa *sa, struct esp_sa_stats *o)
{
	const struct esp_counters *c = &sa->ctr;

	o->packets = atomic_load_explicit(&c->packets, memory_order_relaxed);
	o->bytes = atomic_load_explicit(&c->bytes, memory_order_relaxed);
	o->replay_drops = atomic_load_explicit(&c->replay_drops, memory_order_relaxed);
	o->icv_failures = atomic_load_explicit(&c->icv_failures, memory_order_relaxed);
	o->malformed = atomic_load_explicit(&c->malformed, memory_order_relaxed);
	o->trailer_errors = atomic_load_explicit(&c->trailer_errors, memory_order_relaxed);
	o->ecn_drops = atomic_load_explicit(&c->ecn_drops, memory_order_relaxed);
	o->seq_exhausted = atomic_load_explicit(&c->seq_exhausted, memory_order_relaxed);
}

void esp_sa_set_udp_encap(struct esp_sa *sa, bool on, uint16_t sport, uint16_t dport)
{
	sa->udp_encap = on;
	sa->udp_sport = sport;
	sa->udp_dport = dport;
}

int esp_sa_set_outer(struct esp_sa *sa, uint8_t version, const uint8_t src[16],
		     const uint8_t dst[16])
{
	if (version != 4 && version != 6)
		return -EINVAL;
	sa->outer_version = version;
	memcpy(sa->outer_src, src, 16);
	memcpy(sa->outer_dst, dst, 16);
	return 0;
}

struct esp_xform *esp_sa_test_xform(struct esp_sa *sa)
{
	return sa->x;
}

struct esp_seq *esp_sa_test_seq(struct esp_sa *sa)
{
	return &sa->seq;
}

struct esp_replay *esp_sa_test_replay(struct esp_sa *sa)
{
	return sa->replay;
}

void esp_sa_test_set_ip_id(struct esp_sa *sa, uint16_t id)
{
	sa->ip_id = id;
}
