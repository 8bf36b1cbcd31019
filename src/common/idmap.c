/* idmap.c - see idmap.h. Chained buckets, Fibonacci hashing. */
#include "common/idmap.h"

#include <errno.h>
#include <stdlib.h>

static size_t bucket_of(const struct idmap *m, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> m->shift);
}

static unsigned log2_of(size_t n)
{
	unsigned l = 0;

	while (((size_t)1 << l) < n)
		l++;
	return l;
}

int idmap_init(struct idmap *m, size_t initial_buckets)
{
	unsigned l = log2_of(initial_buckets < 16 ? 16 : initial_buckets);

	m->nbuckets = (size_t)1 << l;
	m->shift = 64 - l;
	m->count = 0;
	m->buckets = calloc(m->nbuckets, sizeof(*m->buckets));
	return m->buckets ? 0 : -ENOMEM;
}

void idmap_free(struct idmap *m)
{
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = m->count = 0;
}

static int grow(struct idmap *m)
{
	size_t n = m->nbuckets * 2, i;
	struct idmap_node **nb = calloc(n, sizeof(*nb));
	struct idmap old = *m;

	if (!nb)
		return -ENOMEM;
	m->buckets = nb;
	m->nbuckets = n;
	m->shift--;
	for (i = 0; i < old.nbuckets; i++) {
		struct idmap_node *e = old.buckets[i], *next;

		for (; e; e = next) {
			size_t b = bucket_of(m, e->key);

			next = e->next;
			e->next = nb[b];
			nb[b] = e;
		}
	}
	free(old.buckets);
	return 0;
}

int idmap_insert(struct idmap *m, struct idmap_node *n, uint64_t key)
{
	size_t b;
	int ret = 0;

	if (m->count >= m->nbuckets)
		ret = grow(m);
	b = bucket_of(m, key);
	n->key = key;
	n->next = m->buckets[b];
	m->buckets[b] = n;
	m->count++;
	return ret;
}

struct idmap_node *idmap_find(const struct idmap *m, uint64_t key)
{
	struct idmap_node *e = m->buckets[bucket_of(m, key)];

	while (e && e->key != key)
		e = e->next;
	return e;
}

void idmap_remove(struct idmap *m, struct idmap_node *n)
{
	struct idmap_node **pp = &m->buckets[bucket_of(m, n->key)];

	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp) {
		*pp = n->next;
		n->next = NULL;
		m->count--;
	}
}
