/* natt_share.c - the stateless port rewrite of natt_share.h. */
#include "datapath/natt_share.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

static int run(struct natt_share *s, const char *cmd)
{
	return nft_run_cmd_from_buffer(s->nft, cmd) ? -EINVAL : 0;
}

/* One family's pair of rules: in to the private port, out from it. */
static int append_family(char *buf, size_t cap, const char *t, const char *fam,
			 uint16_t served, uint16_t priv)
{
	size_t len = strlen(buf);
	int n;

	if (!priv)
		return 0;
	/* A zero UDP checksum (allowed over IPv4, RFC 3948 2.1) must stay
	 * zero: "udp dport set" would update it into a wrong one, the raw
	 * payload form leaves it alone. */
	n = snprintf(buf + len, cap - len,
		     "add rule inet %1$s in meta nfproto %2$s fib daddr type local "
		     "udp dport %3$u udp checksum 0 @th,64,32 != 0 @th,16,16 set %4$u notrack\n"
		     "add rule inet %1$s in meta nfproto %2$s fib daddr type local "
		     "udp dport %3$u @th,64,32 != 0 udp dport set %4$u notrack\n"
		     "add rule inet %1$s out meta nfproto %2$s udp sport %4$u "
		     "udp sport set %3$u notrack\n",
		     t, fam, served, priv);
	return n < 0 || (size_t)n >= cap - len ? -ENAMETOOLONG : 0;
}

int natt_share_open(struct natt_share *s, const char *name, uint16_t served,
		    uint16_t private4, uint16_t private6)
{
	char buf[1536];
	int err;

	memset(s, 0, sizeof(*s));
	if (!served || (!private4 && !private6))
		return -EINVAL;
	if ((size_t)snprintf(s->table, sizeof(s->table), "%s", name) >= sizeof(s->table))
		return -ENAMETOOLONG;
	s->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!s->nft)
		return -ENOMEM;
	nft_ctx_buffer_output(s->nft);
	nft_ctx_buffer_error(s->nft);
	/* A table left by a run that crashed goes first, in the same batch as
	 * the new one, so there is no moment without a rewrite. */
	snprintf(buf, sizeof(buf),
		 "add table inet %1$s\n"
		 "delete table inet %1$s\n"
		 "add table inet %1$s\n"
		 "add chain inet %1$s in { type filter hook prerouting priority raw; policy accept; }\n"
		 "add chain inet %1$s out { type filter hook output priority raw; policy accept; }\n",
		 s->table);
	err = append_family(buf, sizeof(buf), s->table, "ipv4", served, private4);
	if (!err)
		err = append_family(buf, sizeof(buf), s->table, "ipv6", served, private6);
	if (!err)
		err = run(s, buf);
	if (err) {
		nft_ctx_free(s->nft);
		s->nft = NULL;
		s->table[0] = 0;
	}
	return err;
}

void natt_share_close(struct natt_share *s)
{
	char cmd[80];

	if (!s->nft)
		return;
	snprintf(cmd, sizeof(cmd), "delete table inet %s", s->table);
	run(s, cmd);
	nft_ctx_free(s->nft);
	s->nft = NULL;
	s->table[0] = 0;
}
