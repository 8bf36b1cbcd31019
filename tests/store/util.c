/* util.c - see util.h. */
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int collect(void *arg, enum store_kind kind, const uint8_t key[STORE_KEY_LEN],
		   uint64_t id, const void *blob, size_t len)
{
	struct objs *o = arg;
	struct obj *x;

	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct obj *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		o->v = v;
		o->cap = cap;
	}
	x = &o->v[o->n];
	x->kind = kind;
	memcpy(x->key, key, STORE_KEY_LEN);
	x->id = id;
	x->len = len;
	x->blob = malloc(len ? len : 1);
	if (!x->blob || !blob)
		return -ENOMEM;
	memcpy(x->blob, blob, len);
	o->n++;
	return 0;
}

int objs_load(struct store *s, struct objs *o)
{
	return store_load(s, collect, o);
}

void objs_free(struct objs *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].blob);
	free(o->v);
	o->v = NULL;
	o->n = o->cap = 0;
}

const struct obj *objs_find(const struct objs *o, enum store_kind kind,
			    const uint8_t key[STORE_KEY_LEN])
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].kind == kind && !memcmp(o->v[i].key, key, STORE_KEY_LEN))
			return &o->v[i];
	return NULL;
}

char *scratch_dir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&dir, "%s/store-test.XXXXXX", base) < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

void scratch_remove(char *dir)
{
	DIR *d;
	struct dirent *e;

	if (!dir)
		return;
	d = opendir(dir);
	if (d) {
		while ((e = readdir(d))) {
			char *p;

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			p = path_in(dir, e->d_name);
			if (p)
				unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

char *path_in(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

int count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n++;
	closedir(d);
	return n;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void make_key(uint8_t key[STORE_KEY_LEN], uint64_t a, uint32_t b)
{
	put_le64(key, a);
	put_le64(key + 8, (uint64_t)0x5354 << 32 | b);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t filler_seed(uint64_t batch, uint32_t index, uint32_t kind)
{
	return (batch * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)index << 32 | kind) ^ 1;
}

static uint8_t filler_next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint8_t)*x;
}

/* Layout: batch (8), index (4), kind (4), filler, FNV-1a of the rest (8). */
void blob_make(uint8_t *buf, size_t len, uint64_t batch, uint32_t index, uint32_t kind)
{
	uint64_t x = filler_seed(batch, index, kind);

	put_le64(buf, batch);
	put_le64(buf + 8, (uint64_t)kind << 32 | index);
	for (size_t i = 16; i < len - 8; i++)
		buf[i] = filler_next(&x);
	put_le64(buf + len - 8, fnv1a(buf, len - 8));
}

int blob_check(const uint8_t *buf, size_t len, uint64_t *batch, uint32_t *index,
	       uint32_t *kind)
{
	uint64_t x;

	if (len < 24 || get_le64(buf + len - 8) != fnv1a(buf, len - 8))
		return -1;
	*batch = get_le64(buf);
	*index = (uint32_t)get_le64(buf + 8);
	*kind = (uint32_t)(get_le64(buf + 8) >> 32);
	x = filler_seed(*batch, *index, *kind);
	for (size_t i = 16; i < len - 8; i++)
		if (buf[i] != filler_next(&x))
			return -1;
	return 0;
}
