/* prefix_set.c - address prefixes counted by their users (prefix_set.h). */
#include "datapath/prefix_set.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct prefix_ref *find(struct prefix_set *s, int family, const uint8_t *a,
			       unsigned plen)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].family == family && s->v[i].plen == plen &&
		    !memcmp(s->v[i].addr, a, 16))
			return &s->v[i];
	return NULL;
}

int prefix_set_get(struct prefix_set *s, int family, const uint8_t addr[16], unsigned plen)
{
	struct prefix_ref *r = find(s, family, addr, plen), *v;

	if (r) {
		r->refs++;
		return 0;
	}
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	r = &v[s->n++];
	r->family = family;
	memcpy(r->addr, addr, 16);
	r->plen = plen;
	r->refs = 1;
	r->held = false;
	return 1;
}

bool prefix_set_put(struct prefix_set *s, int family, const uint8_t addr[16], unsigned plen)
{
	struct prefix_ref *r = find(s, family, addr, plen);

	if (!r || --r->refs)
		return false;
	*r = s->v[--s->n];
	return true;
}

int prefix_set_hold(struct prefix_set *s, int family, const uint8_t addr[16], unsigned plen)
{
	struct prefix_ref *r = find(s, family, addr, plen);
	int first;

	if (r && r->held)
		return 0;
	first = prefix_set_get(s, family, addr, plen);
	if (first < 0)
		return first;
	find(s, family, addr, plen)->held = true;
	return 1;
}

bool prefix_within(int family, const uint8_t a[16], unsigned alen, const struct prefix_ref *b)
{
	unsigned whole = b->plen / 8, bits = b->plen % 8;

	if (b->family != family || b->plen > alen)
		return false;
	if (memcmp(a, b->addr, whole))
		return false;
	return !bits || !((a[whole] ^ b->addr[whole]) & (uint8_t)(0xff00u >> bits));
}

bool prefix_set_covered(const struct prefix_set *s, int family, const uint8_t addr[16],
			unsigned plen)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct prefix_ref *b = &s->v[i];

		if (b->plen == plen && b->family == family && !memcmp(b->addr, addr, 16))
			continue;	/* itself */
		if (prefix_within(family, addr, plen, b))
			return true;
	}
	return false;
}

void prefix_set_free(struct prefix_set *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
