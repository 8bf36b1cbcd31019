/* secdesc.c - see secdesc.h: self-relative security descriptors, parsed
 * strictly, built, evaluated against a Linux identity, and written and
 * read as SDDL.
 *
 * Multi-byte fields are little-endian (as on Windows and every Linux host
 * this runs on), except a SID's 48-bit authority, which is big-endian.
 * Nothing here trusts a length it has not checked against the buffer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/secdesc.h"

#define HDR_LEN 20u
#define ACE_MIN 16u		/* header, mask, the smallest SID */

#define CONTROL_OK (SE_OWNER_DEFAULTED | SE_GROUP_DEFAULTED | SE_DACL_PRESENT | \
	SE_DACL_DEFAULTED | SE_SACL_PRESENT | SE_SACL_DEFAULTED | \
	SE_DACL_AUTO_INHERIT_REQ | SE_SACL_AUTO_INHERIT_REQ | SE_DACL_AUTO_INHERITED | \
	SE_SACL_AUTO_INHERITED | SE_DACL_PROTECTED | SE_SACL_PROTECTED | SE_SELF_RELATIVE)
#define DACL_BITS (SE_DACL_AUTO_INHERIT_REQ | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED)
#define SACL_BITS (SE_SACL_AUTO_INHERIT_REQ | SE_SACL_AUTO_INHERITED | SE_SACL_PROTECTED)
#define MASK_OK (0x7FFu | STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | ACCESS_SYSTEM_SECURITY | \
	GENERIC_ALL | GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ)
#define ACE_FLAGS_DACL (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | \
	NO_PROPAGATE_INHERIT_ACE | INHERIT_ONLY_ACE | INHERITED_ACE)
#define ACE_FLAGS_SACL (ACE_FLAGS_DACL | SUCCESSFUL_ACCESS_ACE_FLAG | FAILED_ACCESS_ACE_FLAG)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- parts ------------------------------------------------------------ */

size_t sd_sid_len(const void *sid)
{
	const uint8_t *p = sid;

	if (!p || p[0] != SID_REVISION || p[1] < 1 || p[1] > SID_MAX_SUB_AUTHORITIES)
		return 0;
	return 8u + 4u * p[1];
}

bool sd_sid_valid(const void *sid, size_t len)
{
	return len >= 8 && sd_sid_len(sid) == len;
}

size_t sd_acl_len(const void *acl)
{
	const uint8_t *p = acl;

	return p ? get16(p + 2) : 0;
}

static bool ace_valid(const uint8_t *a, size_t avail, bool sacl)
{
	uint16_t size;

	if (avail < ACE_MIN)
		return false;
	size = get16(a + 2);
	if (size < ACE_MIN || size % 4 || size > avail)
		return false;
	if (sacl ? a[0] != SYSTEM_AUDIT_ACE_TYPE :
		   a[0] != ACCESS_ALLOWED_ACE_TYPE && a[0] != ACCESS_DENIED_ACE_TYPE)
		return false;
	if (a[1] & ~(sacl ? ACE_FLAGS_SACL : ACE_FLAGS_DACL))
		return false;
	if (get32(a + 4) & ~MASK_OK)
		return false;
	return sd_sid_valid(a + 8, size - 8u);
}

bool sd_acl_valid(const void *acl, size_t len, bool sacl)
{
	const uint8_t *p = acl;
	size_t off = 8, size;

	if (len < 8 || (p[0] != ACL_REVISION && p[0] != ACL_REVISION_DS) || p[1] ||
	    get16(p + 6))
		return false;
	size = get16(p + 2);
	if (size != len || size % 4)
		return false;
	for (unsigned i = 0, n = get16(p + 4); i < n; i++) {
		if (!ace_valid(p + off, size - off, sacl))
			return false;
		off += get16(p + off + 2);
	}
	return true;	/* room after the last entry is allowed (InitializeAcl) */
}

/* ---- descriptors ------------------------------------------------------ */

/* The length of the part at off, read from its own header; 0 if it does
 * not fit in len. */
static size_t part_len(const uint8_t *p, size_t len, uint32_t off, int which)
{
	size_t n;

	if (off < HDR_LEN || off % 4 || off > len || len - off < 8)
		return 0;
	n = which >= SD_DACL ? sd_acl_len(p + off) : sd_sid_len(p + off);
	return n && n <= len - off ? n : 0;
}

/* Where each part is: the header's offsets in the order of enum. */
static const unsigned hdr_off[4] = { 4, 8, 16, 12 };

size_t sd_claimed_len(const void *sd)
{
	const uint8_t *p = sd;
	size_t end = HDR_LEN;

	if (!p || p[0] != SECURITY_DESCRIPTOR_REVISION ||
	    !(get16(p + 2) & SE_SELF_RELATIVE))
		return 0;
	for (int i = 0; i < 4; i++) {
		uint32_t off = get32(p + hdr_off[i]);
		size_t n;

		if (!off)
			continue;
		n = part_len(p, SD_MAX_LEN, off, i);
		if (!n)
			return 0;
		if (off + n > end)
			end = off + n;
	}
	return end;
}

static bool overlaps(const struct sd_view *v, int i)
{
	for (int j = 0; j < i; j++)
		if (v->part[j] && v->part[i] < v->part[j] + v->len[j] &&
		    v->part[j] < v->part[i] + v->len[i])
			return true;
	return false;
}

int sd_parse(const void *buf, size_t len, struct sd_view *v)
{
	const uint8_t *p = buf;
	size_t used = HDR_LEN;

	memset(v, 0, sizeof(*v));
	if (!p || len < HDR_LEN || len > SD_MAX_LEN || p[0] != SECURITY_DESCRIPTOR_REVISION ||
	    p[1])
		return -EINVAL;
	v->control = get16(p + 2);
	if (!(v->control & SE_SELF_RELATIVE) || (v->control & ~CONTROL_OK))
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		uint32_t off = get32(p + hdr_off[i]);
		uint16_t present = i == SD_DACL ? SE_DACL_PRESENT : SE_SACL_PRESENT;

		/* A present ACL has an offset (no NULL DACL); an absent one
		 * none. */
		if (i >= SD_DACL && !!off != !!(v->control & present))
			return -EINVAL;
		if (!off)
			continue;
		v->len[i] = part_len(p, len, off, i);
		if (!v->len[i])
			return -EINVAL;
		v->part[i] = p + off;
		if (i < SD_DACL ? !sd_sid_valid(v->part[i], v->len[i]) :
				  !sd_acl_valid(v->part[i], v->len[i], i == SD_SACL))
			return -EINVAL;
		if (overlaps(v, i))
			return -EINVAL;
		used += v->len[i];
	}
	return used == len ? 0 : -EINVAL;	/* no byte outside the parts */
}

int sd_build(const struct sd_view *v, void **out, size_t *len)
{
	uint16_t control = SE_SELF_RELATIVE;
	size_t n = HDR_LEN;
	uint8_t *p;

	for (int i = 0; i < 4; i++)
		n += v->part[i] ? v->len[i] : 0;
	p = calloc(1, n);
	if (!p)
		return -ENOMEM;
	if (v->part[SD_DACL])
		control |= SE_DACL_PRESENT | (v->control & DACL_BITS);
	if (v->part[SD_SACL])
		control |= SE_SACL_PRESENT | (v->control & SACL_BITS);
	p[0] = SECURITY_DESCRIPTOR_REVISION;
	put16(p + 2, control);
	n = HDR_LEN;
	for (int i = 0; i < 4; i++) {
		if (!v->part[i])
			continue;
		put32(p + hdr_off[i], (uint32_t)n);
		memcpy(p + n, v->part[i], v->len[i]);
		n += v->len[i];
	}
	*out = p;
	*len = n;
	return 0;
}

static const uint32_t info_bit[4] = {
	OWNER_SECURITY_INFORMATION, GROUP_SECURITY_INFORMATION,
	DACL_SECURITY_INFORMATION, SACL_SECURITY_INFORMATION,
};

void sd_merge(struct sd_view *base, const struct sd_view *upd, uint32_t info)
{
	for (int i = 0; i < 4; i++) {
		if (!(info & info_bit[i]))
			continue;
		base->part[i] = upd->part[i];
		base->len[i] = upd->len[i];
	}
	if (info & DACL_SECURITY_INFORMATION)
		base->control = (uint16_t)((base->control & ~DACL_BITS) | (upd->control & DACL_BITS));
	if (info & SACL_SECURITY_INFORMATION)
		base->control = (uint16_t)((base->control & ~SACL_BITS) | (upd->control & SACL_BITS));
}

void sd_select(struct sd_view *v, uint32_t info)
{
	for (int i = 0; i < 4; i++) {
		if (info & info_bit[i])
			continue;
		v->part[i] = NULL;
		v->len[i] = 0;
	}
}

/* ---- identities and the access check ---------------------------------- */

static const uint8_t auth_world[6] = { 0, 0, 0, 0, 0, 1 };
static const uint8_t auth_nt[6] = { 0, 0, 0, 0, 0, 5 };
static const uint8_t auth_unix[6] = { 0, 0, 0, 0, 0, 22 };

static size_t sid_put(uint8_t *buf, const uint8_t auth[6], unsigned n, const uint32_t *sub)
{
	buf[0] = SID_REVISION;
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, auth, 6);
	for (unsigned i = 0; i < n; i++)
		put32(buf + 8 + 4 * i, sub[i]);
	return 8u + 4u * n;
}

size_t sd_sid_of_uid(uid_t uid, uint8_t *buf)
{
	return sid_put(buf, auth_unix, 2, (const uint32_t[]){ 1, (uint32_t)uid });
}

size_t sd_sid_of_gid(gid_t gid, uint8_t *buf)
{
	return sid_put(buf, auth_unix, 2, (const uint32_t[]){ 2, (uint32_t)gid });
}

static bool sid_is(const uint8_t *sid, const uint8_t auth[6], unsigned n, const uint32_t *sub)
{
	if (sid[1] != n || memcmp(sid + 2, auth, 6))
		return false;
	for (unsigned i = 0; i < n; i++)
		if (get32(sid + 8 + 4 * i) != sub[i])
			return false;
	return true;
}

bool sd_token_is_root(const struct sd_token *t)
{
	return t->uid == 0;
}

/* Whether g is t's primary or a supplementary group. */
static bool has_group(const struct sd_token *t, uint32_t g)
{
	if (g == (uint32_t)t->gid)
		return true;
	for (uint32_t i = 0; i < t->ngroups; i++)
		if ((uint32_t)t->groups[i] == g)
			return true;
	return false;
}

bool sd_token_has_sid(const struct sd_token *t, const void *sid)
{
	const uint8_t *s = sid;

	if (sid_is(s, auth_world, 1, (const uint32_t[]){ 0 }) ||
	    sid_is(s, auth_nt, 1, (const uint32_t[]){ 11 }))
		return true;
	if (sd_token_is_root(t) && (sid_is(s, auth_nt, 1, (const uint32_t[]){ 18 }) ||
				    sid_is(s, auth_nt, 2, (const uint32_t[]){ 32, 544 })))
		return true;
	if (s[1] != 2 || memcmp(s + 2, auth_unix, 6))
		return false;
	if (get32(s + 8) == 1)
		return get32(s + 12) == (uint32_t)t->uid;
	return get32(s + 8) == 2 && has_group(t, get32(s + 12));
}

/* A deny entry for a group also applies when t lost groups (fail closed). */
static bool deny_applies(const struct sd_token *t, const uint8_t *s)
{
	return sd_token_has_sid(t, s) ||
	       (t->truncated && s[1] == 2 && !memcmp(s + 2, auth_unix, 6) && get32(s + 8) == 2);
}

static uint32_t map_generic(uint32_t m)
{
	if (m & GENERIC_READ)
		m |= FWPM_GENERIC_READ;
	if (m & GENERIC_WRITE)
		m |= FWPM_GENERIC_WRITE;
	if (m & GENERIC_EXECUTE)
		m |= FWPM_GENERIC_EXECUTE;
	if (m & GENERIC_ALL)
		m |= FWPM_GENERIC_ALL;
	return m & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
}

uint32_t sd_granted(const struct sd_view *v, const struct sd_token *t)
{
	const uint8_t *acl = v->part[SD_DACL];
	uint32_t granted = 0, denied = 0;
	size_t off = 8;

	if (v->part[SD_OWNER] && sd_token_has_sid(t, v->part[SD_OWNER]))
		granted |= READ_CONTROL | WRITE_DAC;
	if (sd_token_is_root(t))
		granted |= ACCESS_SYSTEM_SECURITY;
	if (!acl)
		return granted;
	for (unsigned i = 0, n = get16(acl + 4); i < n; i++) {
		const uint8_t *a = acl + off;
		uint32_t mask = map_generic(get32(a + 4));

		off += get16(a + 2);
		if (a[1] & INHERIT_ONLY_ACE)
			continue;
		if (a[0] == ACCESS_ALLOWED_ACE_TYPE && sd_token_has_sid(t, a + 8))
			granted |= mask & ~denied;
		else if (a[0] == ACCESS_DENIED_ACE_TYPE && deny_applies(t, a + 8))
			denied |= mask & ~granted;
	}
	return granted;
}

/* ---- SDDL ------------------------------------------------------------- */

struct alias {
	const char *name;
	const uint8_t *auth;
	unsigned n;
	uint32_t sub[2];
};

static const struct alias aliases[] = {
	{ "WD", auth_world, 1, { 0 } },
	{ "AU", auth_nt, 1, { 11 } },
	{ "SY", auth_nt, 1, { 18 } },
	{ "BA", auth_nt, 2, { 32, 544 } },
};

#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

struct out {
	char *buf;
	size_t size, n;
};

static void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(o->n < o->size ? o->buf + o->n : NULL,
		      o->n < o->size ? o->size - o->n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

static void emit_sid(struct out *o, const uint8_t *s)
{
	uint64_t auth = 0;

	for (size_t i = 0; i < NALIASES; i++)
		if (sid_is(s, aliases[i].auth, aliases[i].n, aliases[i].sub)) {
			emit(o, "%s", aliases[i].name);
			return;
		}
	for (int i = 0; i < 6; i++)
		auth = auth << 8 | s[2 + i];
	emit(o, "S-1-%" PRIu64, auth);
	for (unsigned i = 0; i < s[1]; i++)
		emit(o, "-%" PRIu32, get32(s + 8 + 4 * i));
}

static const struct {
	const char *name;
	uint8_t bit;
} ace_flag_names[] = {
	{ "OI", OBJECT_INHERIT_ACE }, { "CI", CONTAINER_INHERIT_ACE },
	{ "NP", NO_PROPAGATE_INHERIT_ACE }, { "IO", INHERIT_ONLY_ACE },
	{ "ID", INHERITED_ACE }, { "SA", SUCCESSFUL_ACCESS_ACE_FLAG },
	{ "FA", FAILED_ACCESS_ACE_FLAG },
};

static void emit_acl(struct out *o, const uint8_t *acl, uint16_t control, bool sacl)
{
	size_t off = 8;

	if (control & (sacl ? SE_SACL_PROTECTED : SE_DACL_PROTECTED))
		emit(o, "P");
	if (control & (sacl ? SE_SACL_AUTO_INHERIT_REQ : SE_DACL_AUTO_INHERIT_REQ))
		emit(o, "AR");
	if (control & (sacl ? SE_SACL_AUTO_INHERITED : SE_DACL_AUTO_INHERITED))
		emit(o, "AI");
	for (unsigned i = 0, n = get16(acl + 4); i < n; i++) {
		const uint8_t *a = acl + off;

		emit(o, "(%s;", a[0] == ACCESS_ALLOWED_ACE_TYPE ? "A" :
			 a[0] == ACCESS_DENIED_ACE_TYPE ? "D" : "AU");
		for (size_t f = 0; f < sizeof(ace_flag_names) / sizeof(ace_flag_names[0]); f++)
			if (a[1] & ace_flag_names[f].bit)
				emit(o, "%s", ace_flag_names[f].name);
		emit(o, ";0x%" PRIx32 ";;;", get32(a + 4));
		emit_sid(o, a + 8);
		emit(o, ")");
		off += get16(a + 2);
	}
}

int sd_to_sddl(const struct sd_view *v, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	if (size)
		buf[0] = 0;
	if (v->part[SD_OWNER]) {
		emit(&o, "O:");
		emit_sid(&o, v->part[SD_OWNER]);
	}
	if (v->part[SD_GROUP]) {
		emit(&o, "G:");
		emit_sid(&o, v->part[SD_GROUP]);
	}
	if (v->part[SD_DACL]) {
		emit(&o, "D:");
		emit_acl(&o, v->part[SD_DACL], v->control, false);
	}
	if (v->part[SD_SACL]) {
		emit(&o, "S:");
		emit_acl(&o, v->part[SD_SACL], v->control, true);
	}
	return o.n > (size_t)INT32_MAX ? -EINVAL : (int)o.n;
}

/* A parser over the SDDL string: each function consumes what it read or
 * fails, leaving *pp anywhere. */
static bool eat(const char **pp, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*pp, s, n))
		return false;
	*pp += n;
	return true;
}

static bool parse_u64(const char **pp, uint64_t max, uint64_t *v)
{
	const char *p = *pp;
	uint64_t x = 0;

	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;	/* no sign, no leading zero */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (x > (max - (uint64_t)(*p - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*pp = p;
	*v = x;
	return true;
}

static bool parse_sid(const char **pp, uint8_t *sid)
{
	uint64_t auth, sub;
	unsigned n = 0;

	for (size_t i = 0; i < NALIASES; i++)
		if (eat(pp, aliases[i].name)) {
			sid_put(sid, aliases[i].auth, aliases[i].n, aliases[i].sub);
			return true;
		}
	if (!eat(pp, "S-1-") || !parse_u64(pp, 0xFFFFFFFFFFFFull, &auth))
		return false;
	for (int i = 0; i < 6; i++)
		sid[2 + i] = (uint8_t)(auth >> (8 * (5 - i)));
	while (**pp == '-') {
		(*pp)++;
		if (n == SID_MAX_SUB_AUTHORITIES || !parse_u64(pp, UINT32_MAX, &sub))
			return false;
		put32(sid + 8 + 4 * n++, (uint32_t)sub);
	}
	sid[0] = SID_REVISION;
	sid[1] = (uint8_t)n;
	return n >= 1;
}

static const struct {
	const char *name;
	uint32_t mask;
} right_names[] = {
	{ "GA", GENERIC_ALL }, { "GR", GENERIC_READ }, { "GW", GENERIC_WRITE },
	{ "GX", GENERIC_EXECUTE }, { "RC", READ_CONTROL }, { "SD", DELETE },
	{ "WD", WRITE_DAC }, { "WO", WRITE_OWNER },
};

static bool parse_mask(const char **pp, uint32_t *mask)
{
	uint64_t v = 0;
	bool any = false;

	if (eat(pp, "0x")) {
		const char *p = *pp;

		for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++) {
			v = v << 4 | (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
			if (v > UINT32_MAX)
				return false;
		}
		if (p == *pp)
			return false;
		*pp = p;
		*mask = (uint32_t)v;
		return true;
	}
	*mask = 0;
	for (size_t i = 0; i < sizeof(right_names) / sizeof(right_names[0]); i++)
		if (eat(pp, right_names[i].name)) {
			*mask |= right_names[i].mask;
			any = true;
			i = (size_t)-1;	/* letters in any order */
		}
	return any;
}

/* One "(type;flags;rights;;;sid)" appended to acl at *off. */
static bool parse_ace(const char **pp, uint8_t *acl, size_t *off, size_t cap, bool sacl)
{
	uint8_t *a = acl + *off, type, flags = 0;
	uint8_t sid[SECURITY_MAX_SID_SIZE];
	uint32_t mask;
	size_t n;

	if (sacl) {
		if (!eat(pp, "(AU;"))
			return false;
		type = SYSTEM_AUDIT_ACE_TYPE;
	} else if (eat(pp, "(A;")) {
		type = ACCESS_ALLOWED_ACE_TYPE;
	} else if (eat(pp, "(D;")) {
		type = ACCESS_DENIED_ACE_TYPE;
	} else {
		return false;
	}
	for (size_t i = 0; i < sizeof(ace_flag_names) / sizeof(ace_flag_names[0]); i++)
		if (eat(pp, ace_flag_names[i].name)) {
			if (flags & ace_flag_names[i].bit)
				return false;
			flags |= ace_flag_names[i].bit;
			i = (size_t)-1;
		}
	if (!eat(pp, ";") || !parse_mask(pp, &mask) || !eat(pp, ";;;") ||
	    !parse_sid(pp, sid) || !eat(pp, ")"))
		return false;
	n = 8 + sd_sid_len(sid);
	if (*off + n > cap)
		return false;
	a[0] = type;
	a[1] = flags;
	put16(a + 2, (uint16_t)n);
	put32(a + 4, mask);
	memcpy(a + 8, sid, n - 8);
	*off += n;
	put16(acl + 4, (uint16_t)(get16(acl + 4) + 1));
	return true;
}

static bool parse_acl(const char **pp, uint8_t *acl, size_t cap, bool sacl, uint16_t *control)
{
	size_t off = 8;

	if (eat(pp, "P"))
		*control |= sacl ? SE_SACL_PROTECTED : SE_DACL_PROTECTED;
	if (eat(pp, "AR"))
		*control |= sacl ? SE_SACL_AUTO_INHERIT_REQ : SE_DACL_AUTO_INHERIT_REQ;
	if (eat(pp, "AI"))
		*control |= sacl ? SE_SACL_AUTO_INHERITED : SE_DACL_AUTO_INHERITED;
	memset(acl, 0, 8);
	acl[0] = ACL_REVISION;
	while (**pp == '(')
		if (!parse_ace(pp, acl, &off, cap, sacl))
			return false;
	put16(acl + 2, (uint16_t)off);
	return true;
}

int sd_from_sddl(const char *sddl, void **out, size_t *len)
{
	static const char *const tag[4] = { "O:", "G:", "D:", "S:" };
	uint8_t sids[2][SECURITY_MAX_SID_SIZE];
	uint8_t *acls[2] = { NULL, NULL };
	struct sd_view v = { 0 };
	const char *p = sddl;
	int err = -EINVAL;

	if (!p || strlen(p) > 4 * SD_MAX_LEN)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		if (!eat(&p, tag[i]))
			continue;	/* each part at most once, in this order */
		if (i < SD_DACL) {
			if (!parse_sid(&p, sids[i]))
				goto out;
			v.part[i] = sids[i];
			v.len[i] = sd_sid_len(sids[i]);
			continue;
		}
		acls[i - 2] = calloc(1, SD_MAX_LEN);
		if (!acls[i - 2]) {
			err = -ENOMEM;
			goto out;
		}
		if (!parse_acl(&p, acls[i - 2], SD_MAX_LEN - HDR_LEN, i == SD_SACL, &v.control))
			goto out;
		v.part[i] = acls[i - 2];
		v.len[i] = sd_acl_len(acls[i - 2]);
	}
	if (*p)
		goto out;
	err = sd_build(&v, out, len);
	if (!err && sd_parse(*out, *len, &v)) {	/* too large, a bad mask */
		free(*out);
		*out = NULL;
		err = -EINVAL;
	}
out:
	free(acls[0]);
	free(acls[1]);
	return err;
}

/* ---- defaults --------------------------------------------------------- */

/* Every right, and what any local user held before descriptors: open,
 * read, enumerate, subscribe, read statistics, begin a read transaction. */
#define ALL_RIGHTS "0xf07ff"
#define USER_RIGHTS "0x3e4"

int sd_default_service(bool have_group, gid_t group, void **out, size_t *len)
{
	char sddl[160];

	if (have_group)
		snprintf(sddl, sizeof(sddl),
			 "O:SYG:S-1-22-2-%uD:(A;;" ALL_RIGHTS ";;;SY)(A;;" ALL_RIGHTS
			 ";;;S-1-22-2-%u)(A;;" USER_RIGHTS ";;;WD)", (unsigned)group,
			 (unsigned)group);
	else
		snprintf(sddl, sizeof(sddl), "O:SYG:SYD:(A;;" ALL_RIGHTS ";;;SY)(A;;"
			 USER_RIGHTS ";;;WD)");
	return sd_from_sddl(sddl, out, len);
}

int sd_default_process(uid_t uid, gid_t gid, void **out, size_t *len)
{
	char sddl[160];

	snprintf(sddl, sizeof(sddl), "O:S-1-22-1-%uG:S-1-22-2-%uD:(A;;" ALL_RIGHTS
		 ";;;S-1-22-1-%u)", (unsigned)uid, (unsigned)gid, (unsigned)uid);
	return sd_from_sddl(sddl, out, len);
}
