/* xfrm_sa.c - the xfrm backend's SA ops: an SA is an XFRM state, its
 * traffic (transport mode) an XFRM policy per direction.
 *
 * Keys go from the engine's be_sa into one netlink buffer, which is wiped
 * after the send; the kernel holds them from then on. An update (the peer
 * moved, NAT-T came or went) reads each state back (XFRM_MSG_GETSA: keys,
 * sequence numbers, replay window, lifetime counters) and replaces it in
 * one batch, delete then add with the same SPI, keys and reqid, so the
 * counters carry over: Linux 6.1 refuses XFRM_MSG_UPDSA that adds or
 * changes an encapsulation, and a state's destination is its id. When a
 * message of the batch fails, the states it touched are put back as they
 * were, from what GETSA returned.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "common/log.h"
#include "datapath/esp_xform.h"
#include "datapath/xfrm/xfrm_internal.h"

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif
#define XFRM_MAX_WINDOW 4096

static void addr_to(xfrm_address_t *a, const uint8_t b[16], uint8_t version)
{
	memset(a, 0, sizeof(*a));
	memcpy(a, b, version == 4 ? 4 : 16);
}

/* One reqid per traffic, the same for a rekeyed pair: the outbound
 * policy's template finds the newest state of that reqid. */
static uint32_t reqid_of(const struct be_sel *s)
{
	uint32_t h = 2166136261u;
	const uint8_t *p;

#define MIX(v) for (p = (const uint8_t *)&(v); p < (const uint8_t *)(&(v) + 1); p++) \
		h = (h ^ *p) * 16777619u
	MIX(s->version);
	MIX(s->tunnel);
	MIX(s->local);
	MIX(s->remote);
	MIX(s->proto);
	MIX(s->lport);
	MIX(s->rport);
#undef MIX
	/* In this backend's band (xfrm_left.c), below the trap's reqid. */
	return XFRM_REQID_BASE | ((h % 0xfff00u) | 1);
}

static void xsa_place(struct xsa *s, const struct be_sel *sel, const struct be_encap *e)
{
	bool out = s->dir == FWP_DIRECTION_OUTBOUND;

	s->sel = *sel;
	s->encap = *e;
	s->family = sel->version == 4 ? AF_INET : AF_INET6;
	addr_to(&s->daddr, out ? sel->remote : sel->local, sel->version);
	addr_to(&s->saddr, out ? sel->local : sel->remote, sel->version);
}

/* ---- the transform ---- */

static void put_algo(struct nlmsghdr *nlh, const char *name, const uint8_t *key,
		     unsigned len)
{
	struct {
		struct xfrm_algo a;
		char key[SA_MAX_KEY];
	} b;

	memset(&b, 0, sizeof(b));
	snprintf(b.a.alg_name, sizeof(b.a.alg_name), "%s", name);
	b.a.alg_key_len = len * 8;
	memcpy(b.key, key, len);
	mnl_attr_put(nlh, XFRMA_ALG_CRYPT, sizeof(b.a) + len, &b);
	explicit_bzero(&b, sizeof(b));
}

static void put_aead(struct nlmsghdr *nlh, const char *name, const uint8_t *key,
		     unsigned len)
{
	struct {
		struct xfrm_algo_aead a;
		char key[SA_MAX_KEY];
	} b;

	memset(&b, 0, sizeof(b));
	snprintf(b.a.alg_name, sizeof(b.a.alg_name), "%s", name);
	b.a.alg_key_len = len * 8;
	b.a.alg_icv_len = 128;
	memcpy(b.key, key, len);
	mnl_attr_put(nlh, XFRMA_ALG_AEAD, sizeof(b.a) + len, &b);
	explicit_bzero(&b, sizeof(b));
}

static void put_auth(struct nlmsghdr *nlh, const struct sa_xform *x, unsigned icv)
{
	struct {
		struct xfrm_algo_auth a;
		char key[SA_MAX_KEY];
	} b;
	const char *name = x->auth_type == IPSEC_AUTH_MD5 ? "hmac(md5)" :
			   x->auth_type == IPSEC_AUTH_SHA_1 ? "hmac(sha1)" : "hmac(sha256)";

	memset(&b, 0, sizeof(b));
	snprintf(b.a.alg_name, sizeof(b.a.alg_name), "%s", name);
	b.a.alg_key_len = x->auth_key_len * 8u;
	b.a.alg_trunc_len = icv * 8;
	memcpy(b.key, x->auth_key, x->auth_key_len);
	mnl_attr_put(nlh, XFRMA_ALG_AUTH_TRUNC, sizeof(b.a) + x->auth_key_len, &b);
	explicit_bzero(&b, sizeof(b));
}

/* AH: HMAC only (the kernel's AH has no GMAC). */
static int put_ah(struct nlmsghdr *nlh, const struct sa_xform *x)
{
	switch (x->auth_type) {
	case IPSEC_AUTH_MD5:
	case IPSEC_AUTH_SHA_1:
		put_auth(nlh, x, 12);
		return 0;
	case IPSEC_AUTH_SHA_256:
		put_auth(nlh, x, 16);
		return 0;
	default:
		fwp_log(FWP_LOG_WARN, "datapath xfrm: AH with AES-GMAC is not in the kernel");
		return -ENOTSUP;
	}
}

/* The Windows transform map (esp_xform.h) in the kernel's names. */
static int put_xform(struct nlmsghdr *nlh, const struct sa_xform *x)
{
	struct esp_xform_info info;
	const char *why;
	int err;

	if (x->type == IPSEC_TRANSFORM_AH)
		return put_ah(nlh, x);
	err = esp_xform_check(x, &info, &why);

	if (err) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: transform refused: %s", why);
		return err;
	}
	switch (info.kind) {
	case ESP_KIND_GCM:
		put_aead(nlh, "rfc4106(gcm(aes))", x->cipher_key, x->cipher_key_len);
		return 0;
	case ESP_KIND_GMAC:
		put_aead(nlh, "rfc4543(gcm(aes))", x->auth_key, x->auth_key_len);
		return 0;
	case ESP_KIND_CBC_HMAC:
		put_algo(nlh, x->cipher_type == IPSEC_CIPHER_TYPE_3DES ? "cbc(des3_ede)" :
			 "cbc(aes)", x->cipher_key, x->cipher_key_len);
		put_auth(nlh, x, info.icv_len);
		return 0;
	case ESP_KIND_NULL_HMAC:
		put_algo(nlh, "ecb(cipher_null)", x->cipher_key, 0);
		put_auth(nlh, x, info.icv_len);
		return 0;
	default:
		return -ENOTSUP;	/* ESP without integrity */
	}
}

static void put_encap(struct nlmsghdr *nlh, const struct xsa *s, unsigned k)
{
	struct xfrm_encap_tmpl t;
	bool out = s->dir == FWP_DIRECTION_OUTBOUND;

	if (!s->encap.on || s->proto[k] != IPPROTO_ESP)
		return;
	memset(&t, 0, sizeof(t));
	t.encap_type = UDP_ENCAP_ESPINUDP;
	t.encap_sport = htons(out ? s->encap.sport : s->encap.dport);
	t.encap_dport = htons(out ? s->encap.dport : s->encap.sport);
	mnl_attr_put(nlh, XFRMA_ENCAP, sizeof(t), &t);
}

static uint64_t limit(uint64_t v, unsigned permille)
{
	return v ? v / 1000 * permille + v % 1000 * permille / 1000 : XFRM_INF;
}

static int put_newsa(struct xfrm *x, struct nlmsghdr *nlh, const struct xsa *s,
		     unsigned k, const struct be_sa *sa)
{
	struct xfrm_usersa_info *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));
	uint32_t win = x->cfg.replay_window ? x->cfg.replay_window : 64;
	int err;

	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	u->family = s->family;
	u->sel.family = s->family;
	u->id.daddr = s->daddr;
	u->saddr = s->saddr;
	u->id.spi = s->spi[k];
	u->id.proto = s->proto[k];
	u->mode = s->sel.tunnel && !k ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	u->reqid = s->reqid;
	u->lft.hard_byte_limit = limit(sa->limit_bytes, 1000);
	u->lft.soft_byte_limit = limit(sa->limit_bytes, 900);
	u->lft.hard_packet_limit = limit(sa->limit_packets, 1000);
	u->lft.soft_packet_limit = limit(sa->limit_packets, 900);
	/* The engine ends the SA at its seconds lifetime; the kernel's limit
	 * a little later is the backstop for an engine that died. */
	if (sa->limit_seconds)
		u->lft.hard_add_expires_seconds = (uint64_t)sa->limit_seconds + 30;
	err = put_xform(nlh, k ? &sa->ah_xform : &sa->xform);
	if (err)
		return err;
	put_encap(nlh, s, k);
	if (s->dir == FWP_DIRECTION_INBOUND) {
		struct {
			struct xfrm_replay_state_esn r;
			uint32_t bmp[XFRM_MAX_WINDOW / 32];
		} r;

		if (win > XFRM_MAX_WINDOW)
			win = XFRM_MAX_WINDOW;
		memset(&r, 0, sizeof(r));
		r.r.replay_window = win;
		r.r.bmp_len = (win + 31) / 32;
		mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL, sizeof(r.r) + r.r.bmp_len * 4, &r);
	}
	return 0;
}

static void put_delsa(struct nlmsghdr *nlh, const struct xsa *s, unsigned k)
{
	struct xfrm_usersa_id *id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));

	nlh->nlmsg_type = XFRM_MSG_DELSA;
	id->daddr = s->daddr;
	id->spi = s->spi[k];
	id->family = s->family;
	id->proto = s->proto[k];
}

/* ---- SAs ---- */

static void link_sa(struct xfrm *x, struct xsa *s)
{
	s->next = x->sas;
	if (s->next)
		s->next->prev = s;
	x->sas = s;
}

static void unlink_sa(struct xfrm *x, struct xsa *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		x->sas = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static int xfrm_install(void *be, const struct be_sa *sa, void **handle)
{
	struct xfrm *x = be;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct xsa *s;
	int err;

	unsigned added = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ctx_id = sa->id;
	s->dir = sa->dir;
	s->nst = sa->num_xforms == 2 ? 2 : 1;
	s->proto[0] = sa->xform.type == IPSEC_TRANSFORM_AH ? IPPROTO_AH : IPPROTO_ESP;
	s->spi[0] = htonl(sa->xform.spi);
	s->proto[1] = IPPROTO_AH;
	s->spi[1] = htonl(sa->ah_xform.spi);
	xsa_place(s, &sa->sel, &sa->encap);
	/* Kept for the SA's life: an update moves it, its states keep it. */
	s->reqid = reqid_of(&sa->sel);
	pthread_mutex_lock(&x->lock);
	for (err = 0; added < s->nst && !err; added += !err) {
		nlh = mnl_nlmsg_put_header(buf);
		err = put_newsa(x, nlh, s, added, sa);
		if (!err)
			err = xnl_talk(x, nlh, NULL, NULL);
		explicit_bzero(buf, sizeof(buf));
	}
	if (!err)
		err = xpol_get(x, s);
	if (err) {
		while (added--) {
			nlh = mnl_nlmsg_put_header(buf);
			put_delsa(nlh, s, added);
			xnl_talk(x, nlh, NULL, NULL);
		}
	}
	if (!err) {
		link_sa(x, s);
		x->st.installs++;
		if (s->encap.on)
			xnatt_need(x, s->family, s->encap.sport);
	}
	pthread_mutex_unlock(&x->lock);
	if (err) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: SA context %llu: cannot install: %s",
			(unsigned long long)sa->id, strerror(-err));
		free(s);
		return err;
	}
	*handle = s;
	return 0;
}

static void remove_locked(struct xfrm *x, struct xsa *s)
{
	char buf[256];

	for (unsigned k = 0; k < s->nst; k++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

		put_delsa(nlh, s, k);
		xnl_talk(x, nlh, NULL, NULL);	/* -ESRCH: the kernel expired it */
	}
	xpol_put(x, s);
	unlink_sa(x, s);
	if (s->encap.on)
		xnatt_release(x);	/* the last SA in UDP gone: the port is free */
	x->st.removes++;
}

static void xfrm_remove(void *be, void *handle)
{
	struct xfrm *x = be;
	struct xsa *s = handle;

	if (!s)
		return;
	pthread_mutex_lock(&x->lock);
	remove_locked(x, s);
	pthread_mutex_unlock(&x->lock);
	free(s);
}

/* ---- GETSA: counters, and the state to re-add ---- */

struct got {
	size_t len;
	char msg[8192];		/* the XFRM_MSG_NEWSA answer */
};

static int on_got(const struct nlmsghdr *nlh, void *data)
{
	struct got *g = data;

	if (nlh->nlmsg_type != XFRM_MSG_NEWSA || nlh->nlmsg_len > sizeof(g->msg))
		return MNL_CB_OK;
	memcpy(g->msg, nlh, nlh->nlmsg_len);
	g->len = nlh->nlmsg_len;
	return MNL_CB_OK;
}

static int getsa(struct xfrm *x, const struct xsa *s, unsigned k, struct got *g)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_id *id = mnl_nlmsg_put_extra_header(nlh, sizeof(*id));
	int err;

	nlh->nlmsg_type = XFRM_MSG_GETSA;
	id->daddr = s->daddr;
	id->spi = s->spi[k];
	id->family = s->family;
	id->proto = s->proto[k];
	g->len = 0;
	err = xnl_talk(x, nlh, on_got, g);
	if (!err && !g->len)
		err = -ENOENT;
	return err;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The kernel's last use (wall seconds) on the engine's clock. */
static uint64_t last_use(uint64_t wall_s)
{
	time_t now = time(NULL);
	uint64_t ago = (uint64_t)now > wall_s ? ((uint64_t)now - wall_s) * 1000 : 0;
	uint64_t m = mono_ms();

	return wall_s ? (m > ago ? m - ago : 1) : 0;
}

static void counters_of(const struct got *g, struct sa_counters *out)
{
	const struct nlmsghdr *nlh = (const void *)g->msg;
	const struct xfrm_usersa_info *u = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	uint64_t used = 0;

	mnl_attr_for_each(a, nlh, sizeof(*u))
		if (mnl_attr_get_type(a) == XFRMA_LASTUSED &&
		    mnl_attr_get_payload_len(a) >= 8)
			memcpy(&used, mnl_attr_get_payload(a), 8);
	if (!used && u->curlft.packets)
		used = u->curlft.use_time;
	out->packets = u->curlft.packets;
	out->bytes = u->curlft.bytes;
	out->replay_drops = u->stats.replay;
	out->icv_failures = u->stats.integrity_failed;
	out->last_use_ms = u->curlft.packets ? last_use(used) : 0;
}

static int xfrm_counters(void *be, void *handle, struct sa_counters *out)
{
	struct xfrm *x = be;
	struct xsa *s = handle;
	struct got *g;
	int err;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -ENOENT;
	g = malloc(sizeof(*g));
	if (!g)
		return -ENOMEM;
	pthread_mutex_lock(&x->lock);
	err = getsa(x, s, 0, g);
	pthread_mutex_unlock(&x->lock);
	if (!err)
		counters_of(g, out);
	explicit_bzero(g, sizeof(*g));
	free(g);
	/* Gone from the kernel (a hard limit it enforced): carried nothing
	 * more than it said, and the engine hears of it from the expire. */
	return err == -ESRCH ? -ENOENT : err;
}

/* ---- updates: delete and re-add with the same SPI, keys, counters ---- */

/* The attributes of a GETSA answer that a NEWSA takes back: the
 * transform with its keys, the sequence numbers and replay window, the
 * lifetime counters. Not the encapsulation: the caller puts the new one. */
static bool carried(uint16_t type)
{
	switch (type) {
	case XFRMA_ALG_AEAD:
	case XFRMA_ALG_CRYPT:
	case XFRMA_ALG_AUTH_TRUNC:
	case XFRMA_REPLAY_VAL:
	case XFRMA_REPLAY_ESN_VAL:
	case XFRMA_LTIME_VAL:
	case XFRMA_SA_EXTRA_FLAGS:
		return true;
	default:
		return false;
	}
}

/* The replay state for the re-added state, its output sequence number
 * moved ahead: the old state keeps sending between our GETSA and the
 * batch that replaces it, and a number it used must never go out again
 * (the kernel's GCM IV is the sequence number). The peer's window just
 * moves on. Near the end of the 32-bit space the state is left at its
 * end, so it stops sending (rekey) rather than wrap. */
#define XFRM_OSEQ_GAP 65536u

static void put_replay_ahead(struct nlmsghdr *nlh, const struct nlattr *a)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	unsigned char buf[4096];
	struct xfrm_replay_state_esn *r = (void *)buf;

	memcpy(buf, mnl_attr_get_payload(a), len);
	r->oseq = r->oseq > UINT32_MAX - XFRM_OSEQ_GAP ? UINT32_MAX : r->oseq + XFRM_OSEQ_GAP;
	mnl_attr_put(nlh, XFRMA_REPLAY_ESN_VAL, len, buf);
}

/* A NEWSA from a GETSA answer g, moved to what s says now. */
static void put_readd(struct xfrm *x, struct nlmsghdr *nlh, const struct got *g,
		      const struct xsa *s, unsigned k)
{
	const struct nlmsghdr *old = (const void *)g->msg;
	const struct xfrm_usersa_info *ou = mnl_nlmsg_get_payload(old);
	struct xfrm_usersa_info *u = mnl_nlmsg_put_extra_header(nlh, sizeof(*u));
	const struct nlattr *a;

	nlh->nlmsg_type = XFRM_MSG_NEWSA;
	*u = *ou;
	u->id.daddr = s->daddr;
	u->saddr = s->saddr;
	u->family = s->family;
	u->sel.family = s->family;
	mnl_attr_for_each(a, old, sizeof(*ou)) {
		if (!carried(mnl_attr_get_type(a)))
			continue;
		if (mnl_attr_get_type(a) == XFRMA_REPLAY_ESN_VAL &&
		    mnl_attr_get_payload_len(a) >= sizeof(struct xfrm_replay_state_esn) &&
		    mnl_attr_get_payload_len(a) <= 4096) {
			put_replay_ahead(nlh, a);
			continue;
		}
		mnl_attr_put(nlh, mnl_attr_get_type(a), mnl_attr_get_payload_len(a),
			     mnl_attr_get_payload(a));
	}
	put_encap(nlh, s, k);
}

static struct nlmsghdr *batch_next(struct xfrm *x, struct mnl_nlmsg_batch *b)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = xnl_seq(x);
	return nlh;
}

/* One kernel state of one direction. */
struct side {
	struct xsa *s;		/* the handle: old values until committed */
	unsigned k;		/* which of its states */
	struct xsa next;	/* its new place */
	struct got *g;		/* the state as it was */
	bool moved;		/* its policy changes */
};

/* Puts the states back as they were after a batch that failed: res says
 * which delete (2i) and which add (2i + 1) went through. */
static void undo(struct xfrm *x, struct side *sd, unsigned n, const int *res, char *buf)
{
	for (unsigned i = 0; i < n; i++) {
		struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, MNL_SOCKET_BUFFER_SIZE);
		unsigned k = 0;
		int r[2];

		if (!res[2 * i + 1]) {
			put_delsa(batch_next(x, b), &sd[i].next, sd[i].k);
			mnl_nlmsg_batch_next(b);
			k++;
		}
		if (!res[2 * i]) {
			put_readd(x, batch_next(x, b), sd[i].g, sd[i].s, sd[i].k);
			mnl_nlmsg_batch_next(b);
			k++;
		}
		if (k && xnl_batch(x, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), k, r))
			fwp_log(FWP_LOG_ERROR, "datapath xfrm: SA context %llu: an update "
				"failed and its SA could not be restored",
				(unsigned long long)sd[i].s->ctx_id);
		mnl_nlmsg_batch_stop(b);
		explicit_bzero(buf, MNL_SOCKET_BUFFER_SIZE);
	}
}

static int replace_states(struct xfrm *x, struct side *sd, unsigned n)
{
	char *buf = malloc(MNL_SOCKET_BUFFER_SIZE * 2);
	struct mnl_nlmsg_batch *b;
	int res[8], err;

	if (!buf)
		return -ENOMEM;
	b = mnl_nlmsg_batch_start(buf, MNL_SOCKET_BUFFER_SIZE * 2);
	for (unsigned i = 0; i < n; i++) {
		put_delsa(batch_next(x, b), sd[i].s, sd[i].k);
		mnl_nlmsg_batch_next(b);
		put_readd(x, batch_next(x, b), sd[i].g, &sd[i].next, sd[i].k);
		mnl_nlmsg_batch_next(b);
	}
	err = xnl_batch(x, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b), 2 * n, res);
	mnl_nlmsg_batch_stop(b);
	explicit_bzero(buf, MNL_SOCKET_BUFFER_SIZE * 2);
	if (err)
		undo(x, sd, n, res, buf);
	explicit_bzero(buf, MNL_SOCKET_BUFFER_SIZE * 2);
	free(buf);
	return err;
}

static void side_next(struct side *d, const struct be_change *ch)
{
	d->next = *d->s;
	xsa_place(&d->next, ch->flags & IPSEC_SA_DETAILS_UPDATE_TRAFFIC ? &ch->sel : &d->s->sel,
		  &ch->encap);
	d->moved = memcmp(&d->next.daddr, &d->s->daddr, sizeof(d->s->daddr)) ||
		   memcmp(&d->next.saddr, &d->s->saddr, sizeof(d->s->saddr));
}

static int update_locked(struct xfrm *x, struct side *sd, unsigned n)
{
	unsigned got_pols = 0;
	int err = 0;

	for (unsigned i = 0; i < n && !err; i++)
		err = getsa(x, sd[i].s, sd[i].k, sd[i].g);
	/* New policies first (one per direction): a failure leaves the old. */
	for (; got_pols < n && !err; got_pols++)
		if (sd[got_pols].moved && !sd[got_pols].k)
			err = xpol_get(x, &sd[got_pols].next);
	if (!err)
		err = replace_states(x, sd, n);
	for (unsigned i = 0; i < got_pols; i++) {
		if (!sd[i].moved || sd[i].k)
			continue;
		xpol_put(x, err ? &sd[i].next : sd[i].s);
	}
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++) {
		struct xsa *s = sd[i].s;

		if (!sd[i].k)
			xsa_place(s, &sd[i].next.sel, &sd[i].next.encap);
		if (s->encap.on)
			xnatt_need(x, s->family, s->encap.sport);
	}
	xnatt_release(x);	/* NAT-T turned off, or another port */
	x->st.updates++;
	return 0;
}

static int xfrm_update_pair(void *be, void *const h[2], const struct be_change *const ch[2])
{
	struct xfrm *x = be;
	struct side sd[4];
	unsigned n = 0;
	int err = -ENOMEM;

	memset(sd, 0, sizeof(sd));
	for (int dir = 0; dir < 2; dir++) {
		struct xsa *s = h[dir];

		for (unsigned k = 0; ch[dir] && s && k < s->nst; k++) {
			sd[n].s = s;
			sd[n].k = k;
			side_next(&sd[n], ch[dir]);
			sd[n].g = malloc(sizeof(*sd[n].g));
			if (!sd[n].g)
				goto out;
			n++;
		}
	}
	if (!n)
		return 0;
	pthread_mutex_lock(&x->lock);
	err = update_locked(x, sd, n);
	pthread_mutex_unlock(&x->lock);
	if (err)
		fwp_log(FWP_LOG_WARN, "datapath xfrm: SA context %llu: update refused: %s",
			(unsigned long long)sd[0].s->ctx_id, strerror(-err));
out:
	for (unsigned i = 0; i < 4; i++) {
		if (sd[i].g)
			explicit_bzero(sd[i].g, sizeof(*sd[i].g));
		free(sd[i].g);
	}
	return err;
}

/* ---- statistics ---- */

/* One counter of /proc/net/xfrm_stat (the kernel's own, all SAs of the
 * namespace), 0 when absent. */
static uint64_t xfrm_stat(const char *name)
{
	FILE *f = fopen("/proc/net/xfrm_stat", "re");
	char key[64];
	unsigned long long v, found = 0;

	if (!f)
		return 0;
	while (fscanf(f, "%63s %llu", key, &v) == 2)
		if (!strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

static UINT32 u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (UINT32)v;
}

static void xfrm_statistics(void *be, IPSEC_STATISTICS1 *out)
{
	struct xfrm *x = be;
	IPSEC_AGGREGATE_DROP_PACKET_STATISTICS1 *a = &out->aggregateDropPacketStatistics;
	uint64_t b[2] = { 0 }, p[2] = { 0 }, t[2] = { 0 };
	struct got *g = malloc(sizeof(*g));

	pthread_mutex_lock(&x->lock);
	for (struct xsa *s = g ? x->sas : NULL; s; s = s->next) {
		struct sa_counters c;

		if (getsa(x, s, 0, g))
			continue;
		counters_of(g, &c);
		b[s->dir] += c.bytes;
		p[s->dir] += c.packets;
		if (s->sel.tunnel)
			t[s->dir] += c.bytes;
	}
	pthread_mutex_unlock(&x->lock);
	if (g)
		explicit_bzero(g, sizeof(*g));
	free(g);
	a->invalidSpisOnInbound = u32(xfrm_stat("XfrmInNoStates"));
	a->authenticationFailuresOnInbound = u32(xfrm_stat("XfrmInStateProtoError"));
	a->replayCheckFailuresOnInbound = u32(xfrm_stat("XfrmInStateSeqError"));
	a->secureReceivesNotMatchingFilters = u32(xfrm_stat("XfrmInTmplMismatch"));
	a->invalidClearTextInbound = u32(xfrm_stat("XfrmInNoPols"));
	a->totalDropPacketsInbound = u32(xfrm_stat("XfrmInError") + xfrm_stat("XfrmInBufferError") +
		xfrm_stat("XfrmInHdrError") + a->invalidSpisOnInbound +
		a->authenticationFailuresOnInbound + a->replayCheckFailuresOnInbound +
		a->secureReceivesNotMatchingFilters + xfrm_stat("XfrmInPolBlock"));
	out->espDropPacketStatistics.invalidSpisOnInbound = a->invalidSpisOnInbound;
	out->espDropPacketStatistics.authenticationFailuresOnInbound =
		a->authenticationFailuresOnInbound;
	out->espDropPacketStatistics.replayCheckFailuresOnInbound =
		a->replayCheckFailuresOnInbound;
	for (int d = 0; d < 2; d++) {
		IPSEC_TRAFFIC_STATISTICS1 *o = d == FWP_DIRECTION_OUTBOUND ?
			&out->outboundTrafficStatistics : &out->inboundTrafficStatistics;

		o->encryptedByteCount = b[d];
		o->authenticatedESPByteCount = b[d];
		o->totalSuccessfulPackets = p[d];
		o->tunnelByteCount = t[d];
		o->transportByteCount = b[d] - t[d];
	}
}

static void xfrm_ext_statistics(void *be, FWPX_STATISTICS0 *out)
{
	out->outboundNoSaDrops = xfrm_stat("XfrmOutNoStates");
	out->outboundBlockDrops = xfrm_stat("XfrmOutPolBlock");
	out->outboundOtherDrops = xfrm_stat("XfrmOutError") + xfrm_stat("XfrmOutStateProtoError") +
				  xfrm_stat("XfrmOutStateModeError") +
				  xfrm_stat("XfrmOutStateExpired") + xfrm_stat("XfrmOutPolError");
}

const struct dp_backend_ops xfrm_ops = {
	.name = "xfrm",
	.sa_install = xfrm_install,
	.sa_update_pair = xfrm_update_pair,
	.sa_remove = xfrm_remove,
	.sa_counters = xfrm_counters,
	.statistics = xfrm_statistics,
	.ext_statistics = xfrm_ext_statistics,
	.policy_changed = xfrm_policy_changed,
};
