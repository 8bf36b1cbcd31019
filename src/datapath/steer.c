/* steer.c - policy routing into the TUN (rules and routes). */
#include "datapath/steer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

static const int families[2] = { AF_INET, AF_INET6 };

static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

static int fam_index(int family)
{
	return family == AF_INET6 ? 1 : 0;
}

void steer_config_default(struct steer_config *c)
{
	c->table = STEER_DEFAULT_TABLE;
	c->fwmark = STEER_DEFAULT_FWMARK;
	c->fwmask = 0xffffffffu;
	c->priority = STEER_DEFAULT_PRIORITY;
	c->reroute_mark = 0;
	c->reroute_priority = 0;
}

static bool config_ok(const struct steer_config *c)
{
	return c->table != RT_TABLE_UNSPEC && c->table != RT_TABLE_DEFAULT &&
	       c->table != RT_TABLE_MAIN && c->table != RT_TABLE_LOCAL &&
	       c->fwmark != 0 && (c->fwmark & c->fwmask) == c->fwmark &&
	       c->priority > 0 && c->priority < 32765 &&
	       (!c->reroute_mark || (c->reroute_priority > 0 && c->reroute_priority < 32765 &&
				     c->reroute_mark != c->fwmark));
}

int steer_open(struct steer *s, const struct steer_config *cfg)
{
	memset(s, 0, sizeof(*s));
	if (!config_ok(cfg))
		return -EINVAL;
	s->cfg = *cfg;
	return rtnl_open(&s->rtnl);
}

void steer_close(struct steer *s)
{
	if (s->rtnl.nl)
		steer_uninstall(s);
	rtnl_close(&s->rtnl);
	free(s->routes);
	memset(s, 0, sizeof(*s));
}

/* --- rules -------------------------------------------------------------- */

/* The three rules of an instance. */
enum rule_kind { RULE_STEER, RULE_SUPPRESS, RULE_REROUTE };

static int rule_msg(struct steer *s, uint16_t type, int family, enum rule_kind kind)
{
	char buf[256];
	uint16_t flags = type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nlmsghdr *nlh = rtnl_msg(&s->rtnl, buf, type, flags);
	struct fib_rule_hdr *frh = mnl_nlmsg_put_extra_header(nlh,
							      sizeof(*frh));
	const struct steer_config *c = &s->cfg;

	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	if (kind == RULE_SUPPRESS) {
		frh->table = RT_TABLE_MAIN;
		mnl_attr_put_u32(nlh, FRA_PRIORITY, c->priority);
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, 0);
	} else if (kind == RULE_REROUTE) {
		frh->table = c->table < 256 ? (uint8_t)c->table : RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, FRA_TABLE, c->table);
		mnl_attr_put_u32(nlh, FRA_PRIORITY, c->reroute_priority);
		mnl_attr_put_u32(nlh, FRA_FWMARK, c->reroute_mark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffffu);
	} else {
		frh->flags = FIB_RULE_INVERT;
		frh->table = c->table < 256 ? (uint8_t)c->table : RT_TABLE_UNSPEC;
		mnl_attr_put_u32(nlh, FRA_TABLE, c->table);
		mnl_attr_put_u32(nlh, FRA_PRIORITY, c->priority + 1);
		mnl_attr_put_u32(nlh, FRA_FWMARK, c->fwmark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, c->fwmask);
	}
	return rtnl_request(&s->rtnl, nlh);
}

/* Adding what is already there (a leftover identical to ours) is fine;
 * removing what is gone is fine. */
static int rule_add(struct steer *s, int family, enum rule_kind kind)
{
	int ret = rule_msg(s, RTM_NEWRULE, family, kind);

	return ret == -EEXIST ? 0 : ret;
}

static int rule_del(struct steer *s, int family, enum rule_kind kind)
{
	int ret = rule_msg(s, RTM_DELRULE, family, kind);

	return ret == -ENOENT || ret == -ESRCH ? 0 : ret;
}

static void rules_del(struct steer *s, int family)
{
	rule_del(s, family, RULE_STEER);
	if (s->cfg.reroute_mark)
		rule_del(s, family, RULE_REROUTE);
}

int steer_install(struct steer *s)
{
	int ret, i;

	if (s->installed)
		return 0;
	for (i = 0; i < 2; i++) {
		ret = rule_add(s, families[i], RULE_STEER);
		if (!ret && s->cfg.reroute_mark)
			ret = rule_add(s, families[i], RULE_REROUTE);
		if (ret < 0) {
			rules_del(s, families[i]);
			if (i == 1)
				rules_del(s, families[0]);
			return ret;
		}
	}
	s->installed = true;
	return 0;
}

/* --- routes ------------------------------------------------------------- */

static int route_msg(struct steer *s, uint16_t type,
		     const struct steer_route *r)
{
	char buf[256];
	uint16_t flags = type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct nlmsghdr *nlh = rtnl_msg(&s->rtnl, buf, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	uint32_t table = s->cfg.table;

	rtm->rtm_family = (uint8_t)r->family;
	rtm->rtm_dst_len = (uint8_t)r->prefixlen;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_type = RTN_UNICAST;
	if (type == RTM_DELROUTE)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;	/* any scope */
	else
		rtm->rtm_scope = r->family == AF_INET ? RT_SCOPE_LINK :
							RT_SCOPE_UNIVERSE;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (r->prefixlen)
		mnl_attr_put(nlh, RTA_DST, addr_len(r->family), r->dst);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->ifindex);
	if (r->has_src && type == RTM_NEWROUTE)
		mnl_attr_put(nlh, RTA_PREFSRC, addr_len(r->family), r->src);
	return rtnl_request(&s->rtnl, nlh);
}

static int make_route(struct steer_route *r, int ifindex, int family,
		      const void *addr, unsigned prefixlen, const void *src)
{
	size_t alen = addr_len(family), i;

	memset(r, 0, sizeof(*r));
	if ((family != AF_INET && family != AF_INET6) || ifindex <= 0 ||
	    prefixlen > alen * 8)
		return -EINVAL;
	r->family = family;
	r->ifindex = ifindex;
	r->prefixlen = prefixlen;
	memcpy(r->dst, addr, alen);
	for (i = 0; i < alen; i++) {
		unsigned bits = prefixlen > i * 8 ? prefixlen - (unsigned)i * 8 : 0;

		if (bits < 8)
			r->dst[i] &= (uint8_t)(0xff00u >> bits);
	}
	if (src) {
		memcpy(r->src, src, alen);
		r->has_src = true;
	}
	return 0;
}

static struct steer_route *find_route(struct steer *s,
				      const struct steer_route *r)
{
	size_t i;

	for (i = 0; i < s->nroutes; i++) {
		struct steer_route *e = &s->routes[i];

		if (e->family == r->family && e->prefixlen == r->prefixlen &&
		    e->ifindex == r->ifindex &&
		    memcmp(e->dst, r->dst, addr_len(r->family)) == 0)
			return e;
	}
	return NULL;
}

static unsigned defaults(const struct steer *s, int family)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < s->nroutes; i++)
		n += s->routes[i].family == family &&
		     s->routes[i].prefixlen == 0;
	return n;
}

int steer_add_prefix(struct steer *s, int ifindex, int family,
		     const void *addr, unsigned prefixlen, const void *src)
{
	struct steer_route r;
	int ret, fi;

	ret = make_route(&r, ifindex, family, addr, prefixlen, src);
	if (ret < 0)
		return ret;
	if (find_route(s, &r))
		return -EEXIST;
	if (s->nroutes == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct steer_route *n = realloc(s->routes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->routes = n;
		s->cap = cap;
	}
	fi = fam_index(family);
	if (prefixlen == 0 && !s->suppress[fi]) {
		ret = rule_add(s, family, RULE_SUPPRESS);
		if (ret < 0)
			return ret;
		s->suppress[fi] = true;
	}
	ret = route_msg(s, RTM_NEWROUTE, &r);
	if (ret < 0) {
		if (prefixlen == 0 && defaults(s, family) == 0) {
			rule_del(s, family, RULE_SUPPRESS);
			s->suppress[fi] = false;
		}
		return ret;
	}
	s->routes[s->nroutes++] = r;
	return 0;
}

static int route_del(struct steer *s, const struct steer_route *r)
{
	int ret = route_msg(s, RTM_DELROUTE, r);

	/* Gone with its device, or removed by hand. */
	return ret == -ESRCH || ret == -ENOENT || ret == -ENODEV ? 0 : ret;
}

int steer_del_prefix(struct steer *s, int ifindex, int family,
		     const void *addr, unsigned prefixlen)
{
	struct steer_route r, *e;
	int ret, ret2 = 0, fi;

	ret = make_route(&r, ifindex, family, addr, prefixlen, NULL);
	if (ret < 0)
		return ret;
	e = find_route(s, &r);
	if (!e)
		return -ENOENT;
	ret = route_del(s, e);
	*e = s->routes[--s->nroutes];
	fi = fam_index(family);
	if (prefixlen == 0 && s->suppress[fi] && defaults(s, family) == 0) {
		ret2 = rule_del(s, family, RULE_SUPPRESS);
		s->suppress[fi] = false;
	}
	return ret < 0 ? ret : ret2;
}

int steer_uninstall(struct steer *s)
{
	int ret = 0, r, i;

	while (s->nroutes) {
		r = route_del(s, &s->routes[--s->nroutes]);
		if (r < 0 && !ret)
			ret = r;
	}
	for (i = 0; i < 2; i++) {
		if (s->suppress[i]) {
			r = rule_del(s, families[i], RULE_SUPPRESS);
			if (r < 0 && !ret)
				ret = r;
			s->suppress[i] = false;
		}
		if (s->installed) {
			r = rule_del(s, families[i], RULE_STEER);
			if (r < 0 && !ret)
				ret = r;
			r = s->cfg.reroute_mark ? rule_del(s, families[i], RULE_REROUTE) : 0;
			if (r < 0 && !ret)
				ret = r;
		}
	}
	s->installed = false;
	return ret;
}

/* --- cleanup after a crash ----------------------------------------------- */

/* Messages to send back as deletions, collected during a dump. */
struct leftovers {
	const struct steer_config *cfg;
	struct nlmsghdr **msg;
	size_t n, cap;
	int err;
};

static int keep(struct leftovers *l, const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct nlmsghdr **m = realloc(l->msg, cap * sizeof(*m));

		if (!m) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		l->msg = m;
		l->cap = cap;
	}
	copy = malloc(nlh->nlmsg_len);
	if (!copy) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	memcpy(copy, nlh, nlh->nlmsg_len);
	l->msg[l->n++] = copy;
	return MNL_CB_OK;
}

static int cb_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	/* FRA_MAX and RTA_MAX are both far below 64. */
	if (type < 64 && mnl_attr_validate(a, MNL_TYPE_UNSPEC) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static uint32_t attr_u32(const struct nlattr *a, uint32_t dflt)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) :
						       dflt;
}

static int cb_rule(const struct nlmsghdr *nlh, void *data)
{
	struct leftovers *l = data;
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = {0};
	uint32_t prio, table;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*frh))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*frh), cb_attr, tb);
	prio = attr_u32(tb[FRA_PRIORITY], 0);
	table = attr_u32(tb[FRA_TABLE], frh->table);
	if (frh->action != FR_ACT_TO_TBL)
		return MNL_CB_OK;
	if ((prio == l->cfg->priority && table == RT_TABLE_MAIN &&
	     attr_u32(tb[FRA_SUPPRESS_PREFIXLEN], 0xffffffffu) == 0) ||
	    (prio == l->cfg->priority + 1 && table == l->cfg->table) ||
	    (l->cfg->reroute_mark && prio == l->cfg->reroute_priority &&
	     table == l->cfg->table && attr_u32(tb[FRA_FWMARK], 0) == l->cfg->reroute_mark))
		return keep(l, nlh);
	return MNL_CB_OK;
}

static int cb_route(const struct nlmsghdr *nlh, void *data)
{
	struct leftovers *l = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[64] = {0};

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm) ||
	    (rtm->rtm_flags & RTM_F_CLONED))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), cb_attr, tb);
	if (attr_u32(tb[RTA_TABLE], rtm->rtm_table) == l->cfg->table)
		return keep(l, nlh);
	return MNL_CB_OK;
}

static int collect(struct rtnl *r, uint16_t type, int family, mnl_cb_t cb,
		   struct leftovers *l)
{
	char buf[256];
	struct nlmsghdr *nlh = rtnl_msg(r, buf, type, 0);
	int ret = 0, tries;

	if (type == RTM_GETRULE) {
		struct fib_rule_hdr *frh =
			mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));

		frh->family = (uint8_t)family;
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh,
							       sizeof(*rtm));

		rtm->rtm_family = (uint8_t)family;
	}
	/* A dump interrupted by a concurrent change is redone (what it
	 * collected twice is deleted once; the second delete finds nothing). */
	for (tries = 0; tries < 8; tries++) {
		ret = rtnl_dump(r, nlh, cb, l);
		if (ret != -EINTR)
			break;
		nlh->nlmsg_seq = ++r->seq;
	}
	return ret;
}

int steer_cleanup(const struct steer_config *cfg)
{
	struct leftovers l = { .cfg = cfg };
	struct rtnl r;
	int ret, removed = 0, i;
	size_t k;

	if (!config_ok(cfg))
		return -EINVAL;
	ret = rtnl_open(&r);
	if (ret < 0)
		return ret;
	for (i = 0; i < 2 && ret >= 0; i++) {
		ret = collect(&r, RTM_GETRULE, families[i], cb_rule, &l);
		if (ret >= 0)
			ret = collect(&r, RTM_GETROUTE, families[i], cb_route,
				      &l);
	}
	for (k = 0; k < l.n; k++) {
		struct nlmsghdr *m = l.msg[k];
		int err;

		if (ret >= 0) {
			m->nlmsg_type = m->nlmsg_type == RTM_NEWRULE ?
					RTM_DELRULE : RTM_DELROUTE;
			m->nlmsg_flags = NLM_F_REQUEST;
			m->nlmsg_seq = ++r.seq;
			m->nlmsg_pid = 0;
			err = rtnl_request(&r, m);
			if (err == 0)
				removed++;
			else if (err != -ENOENT && err != -ESRCH)
				ret = err;
		}
		free(m);
	}
	free(l.msg);
	rtnl_close(&r);
	return ret < 0 ? ret : removed;
}
