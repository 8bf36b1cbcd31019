/* minheap.c - see minheap.h. */
#include "common/minheap.h"

#include <errno.h>
#include <stdlib.h>

void minheap_init(struct minheap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
}

void minheap_free(struct minheap *h)
{
	free(h->v);
	minheap_init(h);
}

static void place(struct minheap *h, uint32_t i, struct heap_node *n)
{
	h->v[i] = n;
	n->index = i;
}

static void sift_up(struct minheap *h, uint32_t i)
{
	struct heap_node *n = h->v[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (h->v[p]->key <= n->key)
			break;
		place(h, i, h->v[p]);
		i = p;
	}
	place(h, i, n);
}

static void sift_down(struct minheap *h, uint32_t i)
{
	struct heap_node *n = h->v[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->key < h->v[c]->key)
			c++;
		if (n->key <= h->v[c]->key)
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, n);
}

int minheap_set(struct minheap *h, struct heap_node *n, uint64_t key)
{
	if (heap_node_queued(n)) {
		uint64_t old = n->key;

		n->key = key;
		if (key < old)
			sift_up(h, n->index);
		else
			sift_down(h, n->index);
		return 0;
	}
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 64;
		struct heap_node **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	n->key = key;
	place(h, h->n++, n);
	sift_up(h, n->index);
	return 0;
}

void minheap_remove(struct minheap *h, struct heap_node *n)
{
	uint32_t i = n->index;
	struct heap_node *last;

	if (i == MINHEAP_NONE)
		return;
	n->index = MINHEAP_NONE;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	place(h, i, last);
	if (i > 0 && h->v[(i - 1) / 2]->key > last->key)
		sift_up(h, i);
	else
		sift_down(h, i);
}
