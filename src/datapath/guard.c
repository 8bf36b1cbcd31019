/* guard.c - the nftables table that drops unprotected inbound traffic from
 * protected peers, and the NFLOG reader that reports it (guard.h). */
#include "datapath/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <nftables/libnftables.h>

#include "datapath/esp_ip.h"

#define GUARD_RX 65536
#define GUARD_COPY 128		/* header bytes copied per dropped packet */

static int nft(struct guard *g, const char *cmd)
{
	return nft_run_cmd_from_buffer(g->nft, cmd) ? -EINVAL : 0;
}

/* ports: the UDP destination ports served here (IKE, NAT-T). Admitted by
 * destination only: a source port of 500 or 4500 proves nothing. */
static int ruleset(struct guard *g, const char *tun, const uint16_t *ports, unsigned nports)
{
	char buf[2048];
	char list[64] = "";

	for (unsigned i = 0; i < nports; i++) {
		size_t len = strlen(list);

		snprintf(list + len, sizeof(list) - len, "%s%u", i ? ", " : "", ports[i]);
	}
	snprintf(buf, sizeof(buf),
		 "add table inet %1$s\n"
		 "add set inet %1$s guard4 { type ipv4_addr; flags interval; }\n"
		 "add set inet %1$s guard6 { type ipv6_addr; flags interval; }\n"
		 "add chain inet %1$s input { type filter hook input priority -10; policy accept; }\n"
		 "add rule inet %1$s input iifname \"%2$s\" accept\n"
		 "add rule inet %1$s input meta l4proto esp accept\n"
		 "add rule inet %1$s input udp dport { %3$s } accept\n"
		 "add rule inet %1$s input icmp type { destination-unreachable, time-exceeded, parameter-problem } accept\n"
		 "add rule inet %1$s input icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept\n"
		 "add rule inet %1$s input ip saddr @guard4 log group %4$u drop\n"
		 "add rule inet %1$s input ip6 saddr @guard6 log group %4$u drop\n",
		 g->table, tun, list, g->group);
	return nft(g, buf);
}

static int nflog_config(struct guard *g, const void *attr, uint16_t type, size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	uint32_t seq = (uint32_t)time(NULL);
	int n;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons((uint16_t)g->group);
	mnl_attr_put(nlh, type, len, attr);
	if (mnl_socket_sendto(g->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	/* The socket is non-blocking: wait briefly for the acknowledgement. */
	for (int i = 0; i < 100; i++) {
		n = (int)mnl_socket_recvfrom(g->nl, buf, sizeof(buf));
		if (n > 0)
			return mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(g->nl),
					  NULL, NULL) < 0 ? -errno : 0;
		if (errno != EAGAIN)
			return -errno;
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return -ETIMEDOUT;
}

static int nflog_open(struct guard *g)
{
	struct nfulnl_msg_config_cmd bind = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = {
		.copy_range = htonl(GUARD_COPY), .copy_mode = NFULNL_COPY_PACKET };
	int err;

	g->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!g->nl)
		return -errno;
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	err = nflog_config(g, &bind, NFULA_CFG_CMD, sizeof(bind));
	if (!err)
		err = nflog_config(g, &mode, NFULA_CFG_MODE, sizeof(mode));
	return err;
}

int guard_open(struct guard *g, const char *tun, const uint16_t *ports, unsigned nports,
	       unsigned group, const char **why)
{
	char cmd[96];
	int err;

	memset(g, 0, sizeof(*g));
	g->group = group ? group : GUARD_DEFAULT_GROUP;
	snprintf(g->table, sizeof(g->table), "fwpd_%s", tun);
	for (char *p = g->table; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9'))
			*p = '_';
	*why = "out of memory";
	g->rx = malloc(GUARD_RX);
	g->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!g->rx || !g->nft) {
		guard_close(g);
		return -ENOMEM;
	}
	nft_ctx_buffer_output(g->nft);
	nft_ctx_buffer_error(g->nft);
	/* A table left by a run that crashed goes first. */
	snprintf(cmd, sizeof(cmd), "delete table inet %s", g->table);
	nft(g, cmd);
	*why = "nftables table (nf_tables in the kernel?)";
	err = ruleset(g, tun, ports, nports);
	if (err) {
		guard_close(g);
		return err;
	}
	*why = "NFLOG group";
	err = nflog_open(g);
	if (err) {
		guard_close(g);
		return err;
	}
	return 0;
}

void guard_close(struct guard *g)
{
	char cmd[96];

	if (g->nft && g->table[0]) {
		snprintf(cmd, sizeof(cmd), "delete table inet %s", g->table);
		nft(g, cmd);
	}
	if (g->nft)
		nft_ctx_free(g->nft);
	if (g->nl)
		mnl_socket_close(g->nl);
	prefix_set_free(&g->set);
	free(g->rx);
	memset(g, 0, sizeof(*g));
}

static int element(struct guard *g, bool add, int family, const uint8_t *a, unsigned plen)
{
	char addr[INET6_ADDRSTRLEN], cmd[192];

	if (!inet_ntop(family, a, addr, sizeof(addr)))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "%s element inet %s %s { %s/%u }", add ? "add" : "delete",
		 g->table, family == AF_INET ? "guard4" : "guard6", addr, plen);
	return nft(g, cmd);
}

int guard_add(struct guard *g, int family, const uint8_t addr[16], unsigned plen)
{
	int first;

	if (!g->nft)
		return 0;
	first = prefix_set_get(&g->set, family, addr, plen);
	if (first <= 0)
		return first;
	/* Overlapping intervals are refused by the set: such a prefix is
	 * already covered by a wider one, which is enough; it stays counted. */
	return element(g, true, family, addr, plen);
}

void guard_del(struct guard *g, int family, const uint8_t addr[16], unsigned plen)
{
	if (g->nft && prefix_set_put(&g->set, family, addr, plen))
		element(g, false, family, addr, plen);
}

int guard_fd(const struct guard *g)
{
	return g->nl ? mnl_socket_get_fd(g->nl) : -1;
}

/* The header of a dropped packet: NFLOG cut it at GUARD_COPY bytes, so the
 * lengths in it cannot be checked against the copy (esp_selector_get
 * would refuse it); only what lies within the copy is read. */
static bool parse_header(const uint8_t *p, size_t len, struct guard_drop *d)
{
	size_t l4;

	memset(d, 0, sizeof(*d));
	if (len < 1)
		return false;
	d->version = p[0] >> 4;
	if (d->version == 4 && len >= IP4_HDR_LEN) {
		l4 = (size_t)(p[0] & 15) * 4;
		d->proto = p[9];
		memcpy(d->src, p + 12, 4);
		memcpy(d->dst, p + 16, 4);
		if ((p[6] & 0x1f) || p[7])
			l4 = 0;		/* a later fragment: no ports */
	} else if (d->version == 6 && len >= IP6_HDR_LEN) {
		l4 = IP6_HDR_LEN;
		d->proto = p[6];
		memcpy(d->src, p + 8, 16);
		memcpy(d->dst, p + 24, 16);
	} else {
		return false;
	}
	if (l4 && (d->proto == IPPROTO_TCP || d->proto == IPPROTO_UDP) && len >= l4 + 4) {
		d->sport = (uint16_t)(p[l4] << 8 | p[l4 + 1]);
		d->dport = (uint16_t)(p[l4 + 2] << 8 | p[l4 + 3]);
	}
	return true;
}

struct read_ctx {
	struct guard_drop *out;
	unsigned max, n;
};

static int on_packet(const struct nlmsghdr *nlh, void *arg)
{
	struct read_ctx *r = arg;
	const struct nlattr *a;

	if (r->n == r->max ||
	    nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFULA_PAYLOAD &&
		    parse_header(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
				 &r->out[r->n])) {
			r->n++;
			break;
		}
	}
	return MNL_CB_OK;
}

int guard_read(struct guard *g, struct guard_drop *out, unsigned max)
{
	struct read_ctx r = { .out = out, .max = max };
	ssize_t n;

	if (!g->nl)
		return 0;
	while (r.n < max) {
		n = mnl_socket_recvfrom(g->nl, g->rx, GUARD_RX);
		if (n <= 0)
			break;		/* EAGAIN; ENOBUFS: the kernel dropped logs */
		mnl_cb_run(g->rx, (size_t)n, 0, 0, on_packet, &r);
	}
	return (int)r.n;
}
