/* bench_xfrm.c - the xfrm backend's control-plane cost: SA installs per
 * second through the backend, and netlink round trips and time per
 * IPsecSaContextUpdate0 (an encapsulation change of a pair). Run it as
 * root in a namespace of a kernel with ESP (bench/datapath/xfrm_bench.sh
 * runs it inside user-mode Linux beside `ip xfrm` doing the same).
 *   bench_xfrm [PAIRS [UPDATES [UDP_PORT]]]
 * UDP_PORT: the backend's --udp-port (default 0, none); the updates put
 * the SAs in UDP 4500, so with 4500 the backend holds its own socket
 * while they are there. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath/xfrm/xfrm_internal.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_sa(struct be_sa *sa, unsigned i, FWP_DIRECTION dir)
{
	uint32_t l = htonl(0x0a000001), r = htonl(0x0a010000 + i);

	memset(sa, 0, sizeof(*sa));
	sa->id = i + 1;
	sa->dir = dir;
	sa->sel.version = 4;
	memcpy(sa->sel.local, &l, 4);
	memcpy(sa->sel.remote, &r, 4);
	sa->xform.type = IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER;
	sa->xform.cipher_type = IPSEC_CIPHER_TYPE_AES_128;
	sa->xform.cipher_config = IPSEC_CIPHER_CONFIG_GCM_AES_128;
	sa->xform.auth_type = IPSEC_AUTH_AES_128;
	sa->xform.auth_config = IPSEC_AUTH_CONFIG_GCM_AES_128;
	sa->xform.cipher_key_len = 20;
	for (int k = 0; k < 20; k++)
		sa->xform.cipher_key[k] = (uint8_t)(i + k);
	sa->xform.spi = 0x100000 + 2 * i + (dir == FWP_DIRECTION_INBOUND);
	sa->num_xforms = 1;
}

int main(int argc, char **argv)
{
	unsigned pairs = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
	unsigned updates = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	const struct be_life_ops *l = backend_find("xfrm");
	struct dp_config cfg = { .udp_port = argc > 3 ? (uint16_t)atoi(argv[3]) : 0,
				 .replay_window = 64 };
	void **h = calloc(2 * (size_t)pairs, sizeof(*h));
	const char *why = "";
	struct dp_backend b;
	struct xfrm *x;
	void *inst;
	double t0, t1;
	uint64_t rt0;

	if (!h || !l || l->create(&inst, &cfg, &why)) {
		fprintf(stderr, "bench_xfrm: no xfrm backend: %s\n", why);
		return 1;
	}
	b = l->backend(inst);
	x = inst;
	t0 = now_s();
	for (unsigned i = 0; i < pairs; i++) {
		for (int d = 0; d < 2; d++) {
			struct be_sa sa;

			make_sa(&sa, i, d ? FWP_DIRECTION_INBOUND : FWP_DIRECTION_OUTBOUND);
			if (b.ops->sa_install(b.be, &sa, &h[2 * i + d])) {
				fprintf(stderr, "bench_xfrm: install %u failed\n", i);
				return 1;
			}
		}
	}
	t1 = now_s();
	printf("installs: %u SAs in %.3f s: %.0f SAs/s (%.1f us each, state + policy)\n",
	       2 * pairs, t1 - t0, 2 * pairs / (t1 - t0), (t1 - t0) * 1e6 / (2 * pairs));
	rt0 = x->st.round_trips;
	t0 = now_s();
	for (unsigned u = 0; u < updates; u++) {
		unsigned i = u % pairs;
		struct be_change ch = { .flags = IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION };
		const struct be_change *chp[2] = { &ch, &ch };
		struct be_sa sa;

		make_sa(&sa, i, FWP_DIRECTION_OUTBOUND);
		ch.sel = sa.sel;
		ch.encap.on = !(u / pairs % 2);
		ch.encap.sport = ch.encap.dport = 4500;
		if (b.ops->sa_update_pair(b.be, &h[2 * i], chp)) {
			fprintf(stderr, "bench_xfrm: update %u failed\n", u);
			return 1;
		}
	}
	t1 = now_s();
	printf("Update0 (NAT-T on/off, both directions): %u in %.3f s: %.1f us each, "
	       "%.2f netlink round trips each\n", updates, t1 - t0, (t1 - t0) * 1e6 / updates,
	       (double)(x->st.round_trips - rt0) / updates);
	t0 = now_s();
	for (unsigned i = 0; i < 2 * pairs; i++)
		b.ops->sa_remove(b.be, h[i]);
	t1 = now_s();
	printf("removes: %u SAs in %.3f s: %.0f SAs/s\n", 2 * pairs, t1 - t0,
	       2 * pairs / (t1 - t0));
	l->destroy(inst);
	free(h);
	return 0;
}
