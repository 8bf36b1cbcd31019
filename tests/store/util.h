/* util.h - helpers shared by the store tests: a scratch directory per test,
 * a collector for store_load, and self-checking test blobs. */
#ifndef FWP_TESTS_STORE_UTIL_H
#define FWP_TESTS_STORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "policy/store.h"

struct obj {
	enum store_kind kind;
	uint8_t key[STORE_KEY_LEN];
	uint64_t id;
	size_t len;
	uint8_t *blob;
};

struct objs {
	struct obj *v;
	size_t n, cap;
};

/* store_load into o (copies every object). Returns store_load's result. */
int objs_load(struct store *s, struct objs *o);
void objs_free(struct objs *o);
/* The object (kind, key) in o, or NULL. */
const struct obj *objs_find(const struct objs *o, enum store_kind kind,
			    const uint8_t key[STORE_KEY_LEN]);

/* A fresh directory under $TMPDIR (default /tmp); removed with its files. */
char *scratch_dir(void);
void scratch_remove(char *dir);
/* "<dir>/<name>", malloc'd. */
char *path_in(const char *dir, const char *name);
/* Number of entries in dir whose name starts with prefix. */
int count_prefix(const char *dir, const char *prefix);

void make_key(uint8_t key[STORE_KEY_LEN], uint64_t a, uint32_t b);

/* Test blobs: batch, index and kind, pseudo-random filler derived from
 * them, and a 64-bit FNV-1a checksum over everything before it. */
#define TEST_BLOB_LEN 300
void blob_make(uint8_t *buf, size_t len, uint64_t batch, uint32_t index,
	       uint32_t kind);
/* 0 if buf is a well-formed test blob (checksum and filler right). */
int blob_check(const uint8_t *buf, size_t len, uint64_t *batch,
	       uint32_t *index, uint32_t *kind);

#endif
