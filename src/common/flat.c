/* flat.c - see flat.h. */
#include "common/flat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct flat_chunk {
	struct flat_chunk *prev;
	size_t size;
	max_align_t data[];
};

/* Scratch and abandoned blocks may have held key bytes: wipe them. */
static void free_scratch(struct flat *f)
{
	while (f->scratch) {
		struct flat_chunk *p = f->scratch->prev;

		explicit_bzero(f->scratch->data, f->scratch->size);
		free(f->scratch);
		f->scratch = p;
	}
	f->scratch_size = 0;
}

void flat_begin(struct flat *f)
{
	memset(f, 0, sizeof(*f));
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

void *flat_take(struct flat *f, size_t size, size_t align)
{
	size_t off = align_up(f->used, align);

	if (f->failed)
		return NULL;
	f->used = off + size;
	if (f->base)
		return f->base + off;
	/* Measuring: hand out scratch large enough for this one object. */
	if (!f->scratch || size > f->scratch_size) {
		size_t want = size < 256 ? 256 : size;
		struct flat_chunk *s = malloc(sizeof(*s) + want);

		if (!s) {
			f->failed = 1;
			return NULL;
		}
		s->prev = f->scratch;
		s->size = want;
		f->scratch = s;
		f->scratch_size = want;
	}
	memset(f->scratch->data, 0, size);
	return f->scratch->data;
}

void *flat_dup(struct flat *f, const void *src, size_t size, size_t align)
{
	void *p = flat_take(f, size, align);

	if (p && size)
		memcpy(p, src, size);
	return p;
}

int flat_end_measure(struct flat *f)
{
	size_t size = f->used ? f->used : 1;

	free_scratch(f);
	if (f->failed)
		return -ENOMEM;
	f->base = calloc(1, size);
	if (!f->base)
		return -ENOMEM;
	f->cap = size;
	f->used = 0;
	return 0;
}

void *flat_end(struct flat *f)
{
	void *p = f->base;

	if (f->failed) {
		flat_abort(f);
		return NULL;
	}
	f->base = NULL;
	return p;
}

void flat_abort(struct flat *f)
{
	free_scratch(f);
	if (f->base)
		explicit_bzero(f->base, f->cap);
	free(f->base);
	memset(f, 0, sizeof(*f));
}
