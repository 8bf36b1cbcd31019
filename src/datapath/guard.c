/* guard.c - the nftables table that drops traffic to and from protected
 * peers that did not go through the datapath, the adoption of a table a
 * dead run left, and the NFLOG reader that reports drops (guard.h). */
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
#include "datapath/prefix_set.h"

#define GUARD_RX 65536
#define GUARD_COPY 128		/* header bytes copied per dropped packet */

/* [direction][IPv6][classes]: the prefix sets and the class sets. */
static const char *const set_names[2][2][2] = {
	[GUARD_IN] = { { "in4", "in4p" }, { "in6", "in6p" } },
	[GUARD_OUT] = { { "out4", "out4p" }, { "out6", "out6p" } } };

static const char *set_name(enum guard_dir dir, const struct guard_sel *s)
{
	return set_names[dir][s->family == AF_INET6][!guard_sel_whole(s)];
}

static size_t addr_bits(int family)
{
	return family == AF_INET6 ? 128 : 32;
}

/* Runs cmd as one transaction; its output alone is in the output buffer
 * afterwards (reading a buffer empties it: what earlier commands printed
 * is dropped first, so nothing accumulates). */
static int nft(struct guard *g, const char *cmd)
{
	nft_ctx_get_output_buffer(g->nft);
	nft_ctx_get_error_buffer(g->nft);
	return nft_run_cmd_from_buffer(g->nft, cmd) ? -EINVAL : 0;
}

/* "fwpd_" and the TUN name, one to one: letters and digits kept, any
 * other byte as _xx (nftables names allow no '-', and two names must never
 * give one table). */
void guard_table_name(char *out, size_t size, const char *tun)
{
	size_t n = (size_t)snprintf(out, size, "fwpd_");

	for (const unsigned char *p = (const unsigned char *)tun; *p && n + 4 < size; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9'))
			out[n++] = (char)*p;
		else
			n += (size_t)snprintf(out + n, size - n, "_%02x", *p);
	}
	out[n] = 0;
}

/* ---- the rules ---- */

static void rules_in(FILE *f, const char *t, const char *tun, const char *ports, unsigned group)
{
	fprintf(f,
		"add chain inet %1$s peer_in\n"
		"add chain inet %1$s input { type filter hook input priority -10; policy accept; }\n"
		"add rule inet %1$s input iifname \"%2$s\" accept\n"
		"add rule inet %1$s input ip saddr @in4 jump peer_in\n"
		"add rule inet %1$s input ip6 saddr @in6 jump peer_in\n"
		"add rule inet %1$s input ip saddr . meta l4proto . th dport . th sport "
		"@in4p jump peer_in\n"
		"add rule inet %1$s input ip6 saddr . meta l4proto . th dport . th sport "
		"@in6p jump peer_in\n"
		"add rule inet %1$s peer_in meta l4proto esp accept\n"
		"add rule inet %1$s peer_in udp dport { %3$s } accept\n"
		"add rule inet %1$s peer_in ip frag-off & 0x1fff != 0 accept\n"
		"add rule inet %1$s peer_in frag frag-off != 0 accept\n"
		"add rule inet %1$s peer_in icmp type { destination-unreachable, time-exceeded, "
		"parameter-problem } accept\n"
		"add rule inet %1$s peer_in icmpv6 type { destination-unreachable, packet-too-big, "
		"time-exceeded, parameter-problem, nd-neighbor-solicit, nd-neighbor-advert, "
		"nd-router-advert } accept\n"
		"add rule inet %1$s peer_in log prefix \"fwpd-in\" group %4$u drop\n",
		t, tun, ports, group);
}

/* Outbound, the local port is the source port. */
#define OUT_CLASS4 "ip daddr . meta l4proto . th sport . th dport @out4p"
#define OUT_CLASS6 "ip6 daddr . meta l4proto . th sport . th dport @out6p"

#define OUT_EXEMPT_ND "icmpv6 type { nd-router-solicit, nd-neighbor-solicit, " \
		      "nd-neighbor-advert, mld-listener-report, mld2-listener-report }"

/* Local traffic. At the output hook a packet's device is the one its
 * first route chose: one the reroute chain marked S may still change (the
 * kernel routes it again after the chain), so that one is judged after
 * routing, at postrouting; the mark is this instance's alone. */
static void rules_out(FILE *f, const char *t, const char *tun, uint32_t mark,
		      uint32_t reroute, unsigned group)
{
	fprintf(f,
		"add chain inet %1$s out_check\n"
		"add chain inet %1$s output { type filter hook output priority 10; policy accept; }\n"
		"add rule inet %1$s output oifname { \"lo\", \"%2$s\" } accept\n"
		"add rule inet %1$s output meta mark 0x%3$x accept\n",
		t, tun, mark);
	if (reroute)
		fprintf(f,
			"add rule inet %1$s output meta mark 0x%2$x accept\n"
			"add chain inet %1$s post { type filter hook postrouting priority 10; "
			"policy accept; }\n"
			"add rule inet %1$s post meta mark 0x%2$x oifname != \"%3$s\" "
			"log prefix \"fwpd-out\" group %4$u drop\n",
			t, reroute, tun, group);
	fprintf(f,
		"add rule inet %1$s output ip daddr @out4 jump out_check\n"
		"add rule inet %1$s output ip6 daddr @out6 jump out_check\n"
		"add rule inet %1$s output " OUT_CLASS4 " jump out_check\n"
		"add rule inet %1$s output " OUT_CLASS6 " jump out_check\n"
		"add rule inet %1$s out_check udp sport { 500, 4500 } accept\n"
		"add rule inet %1$s out_check " OUT_EXEMPT_ND " accept\n"
		"add rule inet %1$s out_check log prefix \"fwpd-out\" group %2$u drop\n",
		t, group);
}

/* Forwarded traffic (a gateway) to a protected prefix leaves through the
 * TUN too. (Inbound, forwarded traffic is not checked: the inbound
 * filters are about traffic to this host, and a transport-mode peer may
 * route other traffic through it.) */
static void rules_forward(FILE *f, const char *t, const char *tun)
{
	fprintf(f,
		"add chain inet %1$s forward { type filter hook forward priority -10; policy accept; }\n"
		"add rule inet %1$s forward iifname \"%2$s\" accept\n"
		"add rule inet %1$s forward oifname \"%2$s\" accept\n"
		"add rule inet %1$s forward ip daddr @out4 jump out_check\n"
		"add rule inet %1$s forward ip6 daddr @out6 jump out_check\n"
		"add rule inet %1$s forward " OUT_CLASS4 " jump out_check\n"
		"add rule inet %1$s forward " OUT_CLASS6 " jump out_check\n",
		t, tun);
}

/* Local traffic a rule ahead of the steering one sent elsewhere goes
 * through the TUN all the same: marked, routed again (steer.h, rule R). */
static void rules_reroute(FILE *f, const char *t, const char *tun, uint32_t mark,
			  uint32_t reroute)
{
	fprintf(f,
		"add chain inet %1$s reroute { type route hook output priority -150; policy accept; }\n"
		"add rule inet %1$s reroute oifname { \"lo\", \"%2$s\" } return\n"
		"add rule inet %1$s reroute meta mark 0x%3$x return\n"
		"add rule inet %1$s reroute udp sport { 500, 4500 } return\n"
		"add rule inet %1$s reroute " OUT_EXEMPT_ND " return\n"
		"add rule inet %1$s reroute ip daddr @out4 meta mark set 0x%4$x\n"
		"add rule inet %1$s reroute ip6 daddr @out6 meta mark set 0x%4$x\n"
		"add rule inet %1$s reroute " OUT_CLASS4 " meta mark set 0x%4$x\n"
		"add rule inet %1$s reroute " OUT_CLASS6 " meta mark set 0x%4$x\n",
		t, tun, mark, reroute);
}

static void element(FILE *f, const char *verb, const char *t, enum guard_dir dir,
		    const struct guard_sel *r)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(r->family, r->addr, a, sizeof(a)))
		return;
	fprintf(f, "%s element inet %s %s { %s/%u", verb, t, set_name(dir, r), a, r->plen);
	if (!guard_sel_whole(r))
		fprintf(f, " . %u-%u . %u-%u . %u-%u", r->proto[0], r->proto[1],
			r->lport[0], r->lport[1], r->rport[0], r->rport[1]);
	fprintf(f, " }\n");
}

/* Whether a lies inside b: the prefix and every range. */
static bool sel_within(const struct guard_sel *a, const struct guard_sel *b)
{
	struct prefix_ref p = { .family = b->family, .plen = b->plen };

	memcpy(p.addr, b->addr, 16);
	return a->family == b->family && prefix_within(a->family, a->addr, a->plen, &p) &&
	       a->proto[0] >= b->proto[0] && a->proto[1] <= b->proto[1] &&
	       a->lport[0] >= b->lport[0] && a->lport[1] <= b->lport[1] &&
	       a->rport[0] >= b->rport[0] && a->rport[1] <= b->rport[1];
}

/* Whether r is in the kernel set: no other entry (but skip) contains it. */
static bool in_kernel(const struct guard_list *s, const struct guard_entry *r,
		      const struct guard_entry *skip)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct guard_entry *b = &s->v[i];

		if (b != r && b != skip && sel_within(&r->sel, &b->sel))
			return false;
	}
	return true;
}

/* The whole table, replacing any other of that name in the same
 * transaction, with the adopted prefixes in it. */
static int ruleset(struct guard *g, const struct guard_config *c)
{
	char ports[48], *buf = NULL;
	size_t len = 0, n;
	FILE *f;
	const char *t = g->table;
	const uint16_t more[] = { c->natt_port, c->private_ports[0], c->private_ports[1] };
	int err;

	/* IKE, NAT-T, and the ports behind a shared NAT-T port, once each. */
	n = (size_t)snprintf(ports, sizeof(ports), "500, 4500");
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		bool dup = !more[i] || more[i] == 500 || more[i] == 4500;

		for (size_t j = 0; j < i && !dup; j++)
			dup = more[j] == more[i];
		if (!dup)
			n += (size_t)snprintf(ports + n, sizeof(ports) - n, ", %u", more[i]);
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "add table inet %1$s\ndelete table inet %1$s\n"
		"add table inet %1$s { comment \"fwpd datapath %2$s: protected traffic "
		"passes only through it\"; }\n", t, c->tun);
	for (int d = 0; d < 2; d++)
		fprintf(f, "add set inet %1$s %2$s { type ipv4_addr; flags interval; }\n"
			"add set inet %1$s %3$s { type ipv6_addr; flags interval; }\n"
			"add set inet %1$s %4$s { type ipv4_addr . inet_proto . inet_service . "
			"inet_service; flags interval; }\n"
			"add set inet %1$s %5$s { type ipv6_addr . inet_proto . inet_service . "
			"inet_service; flags interval; }\n",
			t, set_names[d][0][0], set_names[d][1][0], set_names[d][0][1],
			set_names[d][1][1]);
	rules_in(f, t, c->tun, ports, g->group);
	rules_out(f, t, c->tun, c->own_mark, c->reroute_mark, g->group);
	rules_forward(f, t, c->tun);
	if (c->reroute_mark)
		rules_reroute(f, t, c->tun, c->own_mark, c->reroute_mark);
	for (int d = 0; d < 2; d++)
		for (size_t i = 0; i < g->set[d].n; i++)
			if (in_kernel(&g->set[d], &g->set[d].v[i], NULL))
				element(f, "add", t, (enum guard_dir)d, &g->set[d].v[i].sel);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	err = nft(g, buf);
	free(buf);
	return err;
}

/* ---- adopting what a dead run left ---- */

/* "N" or "N-M", decimal, at most max: one field of a class. */
static bool parse_range(const char *t, unsigned long max, unsigned long out[2])
{
	char *end;

	if (*t < '0' || *t > '9')
		return false;
	out[0] = strtoul(t, &end, 10);
	out[1] = out[0];
	if (*end == '-') {
		t = end + 1;
		if (*t < '0' || *t > '9')
			return false;
		out[1] = strtoul(t, &end, 10);
	}
	return !*end && out[0] <= out[1] && out[1] <= max;
}

/* "a/len" or "a" (this code writes only those). */
static bool parse_prefix(char *t, int family, struct guard_sel *s)
{
	char *slash = strchr(t, '/'), *end;
	unsigned long plen = addr_bits(family);

	if (slash) {
		*slash = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (*end || end == slash + 1 || plen > addr_bits(family))
			return false;
	}
	memset(s->addr, 0, sizeof(s->addr));
	if (inet_pton(family, t, s->addr) != 1)
		return false;
	guard_sel_prefix(s, family, s->addr, (unsigned)plen);
	return true;
}

/* One element: a prefix, or (classes) "prefix . proto . lport . rport". */
static bool parse_element(char *tok, int family, bool classes, struct guard_sel *s)
{
	static const unsigned long max[3] = { 255, 65535, 65535 };
	unsigned long r[3][2];
	char *field[4];
	unsigned n = 0;

	for (char *p = tok; n < 4; n++) {
		field[n] = p;
		p = strstr(p, " . ");
		if (!p) {
			n++;
			break;
		}
		*p = 0;
		p += 3;
		if (n == 3)
			return false;	/* a fifth field */
	}
	if (n != (classes ? 4u : 1u) || !parse_prefix(field[0], family, s))
		return false;
	for (unsigned i = 1; i < n; i++)
		if (!parse_range(field[i], max[i - 1], r[i - 1]))
			return false;
	if (classes) {
		s->proto[0] = (uint8_t)r[0][0];
		s->proto[1] = (uint8_t)r[0][1];
		s->lport[0] = (uint16_t)r[1][0];
		s->lport[1] = (uint16_t)r[1][1];
		s->rport[0] = (uint16_t)r[2][0];
		s->rport[1] = (uint16_t)r[2][1];
	}
	return true;
}

static int hold(struct guard_list *l, const struct guard_sel *s);

/* The elements of one set as `nft list set` prints them (numeric
 * protocols: the context prints no names); anything this code does not
 * write is an error. */
static int parse_elements(struct guard *g, enum guard_dir dir, int family, bool classes,
			  const char *text)
{
	const char *p = strstr(text, "elements = {");
	char tok[INET6_ADDRSTRLEN + 48];
	struct guard_sel sel;
	size_t n;
	int err;

	if (!p)
		return 0;		/* empty */
	for (p += 12;;) {
		p += strspn(p, " \t\n,");
		if (*p == '}')
			return 0;
		n = strcspn(p, "\n,}");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n || n >= sizeof(tok))
			return -EPROTO;
		memcpy(tok, p, n);
		tok[n] = 0;
		p += n;
		if (!parse_element(tok, family, classes, &sel))
			return -EPROTO;
		err = hold(&g->set[dir], &sel);
		if (err < 0)
			return err;
		g->held += (unsigned)err;
	}
}

static int adopt(struct guard *g)
{
	char cmd[160];
	int err;

	snprintf(cmd, sizeof(cmd), "list table inet %s", g->table);
	if (nft(g, cmd))
		return 0;		/* none */
	for (int d = 0; d < 2; d++) {
		for (int v = 0; v < 2; v++) {
			for (int c = 0; c < 2; c++) {
				snprintf(cmd, sizeof(cmd), "list set inet %s %s", g->table,
					 set_names[d][v][c]);
				if (nft(g, cmd))
					continue;	/* an older table without it */
				err = parse_elements(g, (enum guard_dir)d, v ? AF_INET6 : AF_INET,
						     c, nft_ctx_get_output_buffer(g->nft));
				if (err)
					return err;
			}
		}
	}
	/* The inbound sets of the first version of this table. */
	for (int v = 0; v < 2; v++) {
		snprintf(cmd, sizeof(cmd), "list set inet %s guard%d", g->table, v ? 6 : 4);
		if (!nft(g, cmd)) {
			err = parse_elements(g, GUARD_IN, v ? AF_INET6 : AF_INET, false,
					     nft_ctx_get_output_buffer(g->nft));
			if (err)
				return err;
		}
	}
	return 0;
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
	/* The kernel batches logs for up to a second by default: 0.1 s, so
	 * that a drop's net event and count follow it closely. */
	uint32_t timeout = htonl(10), qthresh = htonl(64);
	int err;

	g->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!g->nl)
		return -errno;
	if (mnl_socket_bind(g->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	err = nflog_config(g, &bind, NFULA_CFG_CMD, sizeof(bind));
	if (!err)
		err = nflog_config(g, &mode, NFULA_CFG_MODE, sizeof(mode));
	if (!err)
		err = nflog_config(g, &timeout, NFULA_CFG_TIMEOUT, sizeof(timeout));
	if (!err)
		err = nflog_config(g, &qthresh, NFULA_CFG_QTHRESH, sizeof(qthresh));
	return err;
}

int guard_open(struct guard *g, const struct guard_config *cfg, const char **why)
{
	int err;

	memset(g, 0, sizeof(*g));
	g->group = cfg->group;
	guard_table_name(g->table, sizeof(g->table), cfg->tun);
	*why = "out of memory";
	g->rx = malloc(GUARD_RX);
	g->nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!g->rx || !g->nft) {
		guard_close(g, true);
		return -ENOMEM;
	}
	nft_ctx_buffer_output(g->nft);
	nft_ctx_buffer_error(g->nft);
	nft_ctx_output_set_flags(g->nft, NFT_CTX_OUTPUT_NUMERIC_PROTO);
	err = adopt(g);
	if (err) {
		*why = err == -EPROTO ? "a leftover nftables table it cannot read (remove it "
					"if what it protects may travel in the clear)" :
					"out of memory";
		guard_close(g, true);
		return err;
	}
	*why = "nftables table (nf_tables in the kernel?)";
	err = ruleset(g, cfg);
	if (err) {
		guard_close(g, true);
		return err;
	}
	*why = "NFLOG group";
	err = nflog_open(g);
	if (err) {
		guard_close(g, g->held);
		return err;
	}
	return 0;
}

void guard_close(struct guard *g, bool keep)
{
	char cmd[96];

	if (g->nft && g->table[0] && !keep) {
		snprintf(cmd, sizeof(cmd), "delete table inet %s", g->table);
		nft(g, cmd);
	}
	if (g->nft)
		nft_ctx_free(g->nft);
	if (g->nl)
		mnl_socket_close(g->nl);
	for (int d = 0; d < 2; d++)
		free(g->set[d].v);
	free(g->rx);
	memset(g, 0, sizeof(*g));
}

/* ---- the counted sets and the kernel's ---- */

static void mask(uint8_t out[16], const uint8_t in[16], unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;

		out[i] = bits >= 8 ? in[i] : in[i] & (uint8_t)(0xff00u >> bits);
	}
}

void guard_sel_prefix(struct guard_sel *s, int family, const uint8_t addr[16], unsigned plen)
{
	uint8_t a[16];

	memcpy(a, addr, 16);
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->plen = plen;
	memcpy(s->addr, a, 16);
	s->proto[1] = 255;
	s->lport[1] = s->rport[1] = 65535;
}

bool guard_sel_whole(const struct guard_sel *s)
{
	return s->proto[0] == 0 && s->proto[1] == 255 && s->lport[0] == 0 &&
	       s->lport[1] == 65535 && s->rport[0] == 0 && s->rport[1] == 65535;
}

/* The canonical form (host bits cleared, nothing else set), or false. */
static bool sel_norm(struct guard_sel *out, const struct guard_sel *in)
{
	if ((in->family != AF_INET && in->family != AF_INET6) ||
	    in->plen > addr_bits(in->family) || in->proto[0] > in->proto[1] ||
	    in->lport[0] > in->lport[1] || in->rport[0] > in->rport[1])
		return false;
	memset(out, 0, sizeof(*out));
	out->family = in->family;
	out->plen = in->plen;
	mask(out->addr, in->addr, in->plen);
	memcpy(out->proto, in->proto, sizeof(out->proto));
	memcpy(out->lport, in->lport, sizeof(out->lport));
	memcpy(out->rport, in->rport, sizeof(out->rport));
	return true;
}

static bool sel_eq(const struct guard_sel *a, const struct guard_sel *b)
{
	return a->family == b->family && a->plen == b->plen && !memcmp(a->addr, b->addr, 16) &&
	       !memcmp(a->proto, b->proto, sizeof(a->proto)) &&
	       !memcmp(a->lport, b->lport, sizeof(a->lport)) &&
	       !memcmp(a->rport, b->rport, sizeof(a->rport));
}

static struct guard_entry *entry(struct guard_list *l, const struct guard_sel *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (sel_eq(&l->v[i].sel, s))
			return &l->v[i];
	return NULL;
}

/* 1: the first reference, 0: one more, -ENOMEM. */
static int get(struct guard_list *l, const struct guard_sel *s, bool held)
{
	struct guard_entry *e = entry(l, s), *v;

	if (e) {
		if (held && e->held)
			return 0;
		e->refs++;
		e->held |= held;
		return held;
	}
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = (struct guard_entry){ .sel = *s, .refs = 1, .held = held };
	return 1;
}

/* A held reference (one per entry): 1 held now, 0 already, -ENOMEM. */
static int hold(struct guard_list *l, const struct guard_sel *s)
{
	struct guard_sel a;

	return sel_norm(&a, s) ? get(l, &a, true) : -EPROTO;
}

/* true: that was the last reference. */
static bool put(struct guard_list *l, const struct guard_sel *s)
{
	struct guard_entry *e = entry(l, s);

	if (!e || --e->refs)
		return false;
	*e = l->v[--l->n];
	return true;
}

/* Whether another entry contains s. */
static bool covered(const struct guard_list *l, const struct guard_sel *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!sel_eq(&l->v[i].sel, s) && sel_within(s, &l->v[i].sel))
			return true;
	return false;
}

/* Closes f (open_memstream on *buf: set by fclose) and runs what it holds
 * as one transaction. */
static int run(struct guard *g, char **buf, FILE *f)
{
	int err;

	if (fclose(f)) {
		free(*buf);
		return -ENOMEM;
	}
	err = *buf[0] ? nft(g, *buf) : 0;
	free(*buf);
	return err;
}

int guard_add_sel(struct guard *g, enum guard_dir dir, const struct guard_sel *sel)
{
	struct guard_list *s = &g->set[dir];
	struct guard_entry *r;
	struct guard_sel a;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int first, err;

	if (!g->nft)
		return 0;
	if (!sel_norm(&a, sel))
		return -EINVAL;
	first = get(s, &a, false);
	if (first <= 0 || covered(s, &a))
		return first < 0 ? first : 0;
	f = open_memstream(&buf, &len);
	if (!f) {
		put(s, &a);
		return -ENOMEM;
	}
	/* What it contains leaves the kernel set, in the same transaction. */
	r = entry(s, &a);
	for (size_t i = 0; i < s->n; i++)
		if (&s->v[i] != r && sel_within(&s->v[i].sel, &a) && in_kernel(s, &s->v[i], r))
			element(f, "delete", g->table, dir, &s->v[i].sel);
	element(f, "add", g->table, dir, &a);
	err = run(g, &buf, f);
	if (err)
		put(s, &a);
	return err;
}

void guard_del_sel(struct guard *g, enum guard_dir dir, const struct guard_sel *sel)
{
	struct guard_list *s = &g->set[dir];
	struct guard_sel gone;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	bool was_in;

	if (!g->nft || !sel_norm(&gone, sel))
		return;
	was_in = !covered(s, &gone);
	if (!put(s, &gone) || !was_in)
		return;
	f = open_memstream(&buf, &len);
	if (!f)
		return;		/* it stays in the kernel: still dropped */
	element(f, "delete", g->table, dir, &gone);
	/* What it contained and nothing else contains enters the kernel. */
	for (size_t i = 0; i < s->n; i++)
		if (sel_within(&s->v[i].sel, &gone) && in_kernel(s, &s->v[i], NULL))
			element(f, "add", g->table, dir, &s->v[i].sel);
	run(g, &buf, f);
}

int guard_add(struct guard *g, enum guard_dir dir, int family, const uint8_t addr[16],
	      unsigned plen)
{
	struct guard_sel s;

	guard_sel_prefix(&s, family, addr, plen);
	return guard_add_sel(g, dir, &s);
}

void guard_del(struct guard *g, enum guard_dir dir, int family, const uint8_t addr[16],
	       unsigned plen)
{
	struct guard_sel s;

	guard_sel_prefix(&s, family, addr, plen);
	guard_del_sel(g, dir, &s);
}

void guard_release_held(struct guard *g)
{
	for (int d = 0; d < 2; d++) {
		struct guard_list *s = &g->set[d];
		bool again = true;

		while (again) {
			again = false;
			for (size_t i = 0; i < s->n; i++) {
				struct guard_sel r = s->v[i].sel;

				if (!s->v[i].held)
					continue;
				s->v[i].held = false;
				guard_del_sel(g, (enum guard_dir)d, &r);
				again = true;
				break;
			}
		}
	}
	g->held = 0;
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
	bool outbound = false, got = false;

	if (r->n == r->max ||
	    nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFULA_PREFIX)
			outbound = mnl_attr_get_payload_len(a) >= 8 &&
				   !memcmp(mnl_attr_get_payload(a), "fwpd-out", 8);
		if (mnl_attr_get_type(a) == NFULA_PAYLOAD && !got)
			got = parse_header(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a),
					   &r->out[r->n]);
	}
	if (got)
		r->out[r->n++].outbound = outbound;
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
