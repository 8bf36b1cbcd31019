/* handle_table.c - see handle_table.h. */
#include "common/handle_table.h"

#include <stdlib.h>

void handle_table_init(struct handle_table *t)
{
	pthread_mutex_init(&t->lock, NULL);
	t->slots = NULL;
	t->nslots = t->cap = t->free_head = 0;
}

void handle_table_fini(struct handle_table *t)
{
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->cap = t->free_head = 0;
	pthread_mutex_destroy(&t->lock);
}

static struct handle_slot *slot_of(struct handle_table *t, uint64_t h)
{
	uint32_t idx = (uint32_t)h, gen = (uint32_t)(h >> 32);

	if (idx == 0 || idx > t->nslots)
		return NULL;
	if (t->slots[idx - 1].gen != gen || !t->slots[idx - 1].obj)
		return NULL;
	return &t->slots[idx - 1];
}

uint64_t handle_table_add(struct handle_table *t, void *obj)
{
	uint32_t idx;
	struct handle_slot *s;
	uint64_t h = 0;

	pthread_mutex_lock(&t->lock);
	if (t->free_head) {
		idx = t->free_head - 1;
		t->free_head = t->slots[idx].next_free;
	} else {
		if (t->nslots == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 16;
			struct handle_slot *v = realloc(t->slots, cap * sizeof(*v));

			if (!v)
				goto out;
			t->slots = v;
			t->cap = cap;
		}
		idx = t->nslots++;
		t->slots[idx].gen = 0;
	}
	s = &t->slots[idx];
	/* Generations start at 1 and skip 0 so that no handle is ever 0. */
	if (++s->gen == 0)
		s->gen = 1;
	s->obj = obj;
	s->next_free = 0;
	h = ((uint64_t)s->gen << 32) | (idx + 1);
out:
	pthread_mutex_unlock(&t->lock);
	return h;
}

void *handle_table_get(struct handle_table *t, uint64_t h, void (*ref)(void *))
{
	struct handle_slot *s;
	void *obj = NULL;

	pthread_mutex_lock(&t->lock);
	s = slot_of(t, h);
	if (s) {
		obj = s->obj;
		if (ref)
			ref(obj);
	}
	pthread_mutex_unlock(&t->lock);
	return obj;
}

void *handle_table_remove(struct handle_table *t, uint64_t h)
{
	struct handle_slot *s;
	void *obj = NULL;

	pthread_mutex_lock(&t->lock);
	s = slot_of(t, h);
	if (s) {
		obj = s->obj;
		s->obj = NULL;
		s->next_free = t->free_head;
		t->free_head = (uint32_t)(s - t->slots) + 1;
	}
	pthread_mutex_unlock(&t->lock);
	return obj;
}
