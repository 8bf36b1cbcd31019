/* doc.c - one read command's answer, as JSON or as indented text (see
 * doc.h). JSON goes straight to the writer; text is collected as lines
 * and printed by doc_end(), when each object's widest key is known. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

void doc_init(struct doc *d, FILE *f, bool json, bool pretty)
{
	memset(d, 0, sizeof(*d));
	d->f = f;
	d->json = json;
	if (json)
		json_init(&d->j, f, pretty);
}

static struct doc_frame *top(struct doc *d)
{
	return d->depth ? &d->frame[d->depth - 1] : NULL;
}

/* The text group of the innermost object: arrays belong to their object. */
static unsigned object_group(const struct doc *d)
{
	for (unsigned i = d->depth; i > 0; i--)
		if (!d->frame[i - 1].array)
			return d->frame[i - 1].group;
	return 0;
}

/* Members of the object at depth n (the top-level one being 1) are
 * indented 2(n-1); an array's lines sit where its own name would. */
static unsigned indent_of(const struct doc *d)
{
	unsigned n = 0;

	for (unsigned i = 1; i < d->depth; i++)
		if (!d->frame[i].array)
			n += 2;
	return n;
}

/* Appends a text line; its index, or -1 (and the error flag). */
static int add_line(struct doc *d, const char *key, const char *suffix, const char *value)
{
	struct doc_line *l;
	size_t klen;

	if (d->error)
		return -1;
	if (d->nlines == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct doc_line *p = realloc(d->lines, cap * sizeof(*p));

		if (!p)
			goto err;
		d->lines = p;
		d->cap = cap;
	}
	l = &d->lines[d->nlines];
	klen = strlen(key) + strlen(suffix);
	l->key = malloc(klen + 1);
	l->value = value ? strdup(value) : NULL;
	if (!l->key || (value && !l->value)) {
		free(l->key);
		free(l->value);
		goto err;
	}
	/* '_' in keys reads as a space. */
	for (size_t i = 0; key[i]; i++)
		l->key[i] = key[i] == '_' ? ' ' : key[i];
	strcpy(l->key + strlen(key), suffix);
	l->indent = indent_of(d);
	l->group = object_group(d);
	return (int)d->nlines++;
err:
	d->error = true;
	return -1;
}

static void append_value(struct doc *d, int line, const char *more)
{
	struct doc_line *l;
	size_t len;
	char *v;

	if (d->error || line < 0)
		return;
	l = &d->lines[line];
	len = strlen(l->value);
	v = realloc(l->value, len + 2 + strlen(more) + 1);
	if (!v) {
		d->error = true;
		return;
	}
	sprintf(v + len, ", %s", more);
	l->value = v;
}

/* A scalar, already formatted for text. */
static void text_scalar(struct doc *d, const char *name, const char *value)
{
	struct doc_frame *t = top(d);

	if (t && t->array) {
		if (t->line >= 0)
			append_value(d, t->line, value);
		else
			t->line = add_line(d, t->name ? t->name : "", "", value);
		t->items++;
		return;
	}
	add_line(d, name ? name : "", "", value);
}

/* A container opens: its heading line. */
static void text_heading(struct doc *d, const char *name)
{
	struct doc_frame *t = top(d);
	char index[16];

	if (!t)
		return;
	if (!t->array) {
		add_line(d, name ? name : "", ":", NULL);
		return;
	}
	t->line = -1;		/* scalars after this start a new line */
	snprintf(index, sizeof(index), "[%u]:", t->items++);
	if (!name)
		name = t->name;
	if (name)
		add_line(d, name, index, NULL);
}

static void text_print(struct doc *d)
{
	unsigned *width = calloc(d->groups + 1, sizeof(*width));

	if (!width) {
		d->error = true;
		return;
	}
	for (size_t i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];
		unsigned n = (unsigned)strlen(l->key);

		if (l->value && n > width[l->group])
			width[l->group] = n;
	}
	for (size_t i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];

		if (l->value)
			fprintf(d->f, "%*s%-*s  %s\n", (int)l->indent, "",
				(int)width[l->group], l->key, l->value);
		else
			fprintf(d->f, "%*s%s\n", (int)l->indent, "", l->key);
	}
	free(width);
}

int doc_end(struct doc *d)
{
	int err = d->error || d->depth || d->overflow;

	if (d->json) {
		if (json_end(&d->j))
			err = 1;
	} else {
		if (!err)
			text_print(d);
		for (size_t i = 0; i < d->nlines; i++) {
			free(d->lines[i].key);
			free(d->lines[i].value);
		}
		free(d->lines);
		d->lines = NULL;
		d->nlines = d->cap = 0;
	}
	return err || d->error ? -1 : 0;
}

static void json_name(struct doc *d, const char *name)
{
	struct doc_frame *t = top(d);

	if (t && !t->array)
		json_key(&d->j, name ? name : "");
}

static void push(struct doc *d, const char *name, bool array)
{
	if (d->json) {
		json_name(d, name);
		if (array)
			json_array_begin(&d->j);
		else
			json_object_begin(&d->j);
	} else if (!array || (top(d) && top(d)->array)) {
		text_heading(d, name);
	}
	if (d->overflow || d->depth == DOC_MAX_DEPTH) {
		d->overflow++;
		d->error = true;
		return;
	}
	d->frame[d->depth++] = (struct doc_frame){
		.name = name, .array = array, .group = ++d->groups, .line = -1,
	};
}

static void pop(struct doc *d, bool array)
{
	struct doc_frame *t = top(d);
	struct doc_frame f;

	if (d->overflow) {
		d->overflow--;
		return;
	}
	if (!t || t->array != array) {
		d->error = true;
		return;
	}
	f = *t;
	d->depth--;
	if (d->json) {
		if (array)
			json_array_end(&d->j);
		else
			json_object_end(&d->j);
	} else if (array && !f.items) {
		add_line(d, f.name ? f.name : "", "", "-");
	}
}

void doc_object_begin(struct doc *d, const char *name)
{
	push(d, name, false);
}

void doc_object_end(struct doc *d)
{
	pop(d, false);
}

void doc_array_begin(struct doc *d, const char *name)
{
	push(d, name, true);
}

void doc_array_end(struct doc *d)
{
	pop(d, true);
}

void doc_str(struct doc *d, const char *name, const char *v)
{
	if (d->json) {
		json_name(d, name);
		json_string(&d->j, v);
		return;
	}
	text_scalar(d, name, v ? v : "-");
}

void doc_uint(struct doc *d, const char *name, uint64_t v)
{
	char buf[24];

	if (d->json) {
		json_name(d, name);
		json_uint(&d->j, v);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	text_scalar(d, name, buf);
}

void doc_u64(struct doc *d, const char *name, uint64_t v)
{
	char buf[24];

	if (d->json) {
		json_name(d, name);
		json_uint_string(&d->j, v);
		return;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	text_scalar(d, name, buf);
}

void doc_hex32(struct doc *d, const char *name, uint32_t v)
{
	char buf[16];

	if (d->json) {
		json_name(d, name);
		json_uint(&d->j, v);
		return;
	}
	snprintf(buf, sizeof(buf), "0x%08" PRIx32, v);
	text_scalar(d, name, buf);
}

void doc_bool(struct doc *d, const char *name, bool v)
{
	if (d->json) {
		json_name(d, name);
		json_bool(&d->j, v);
		return;
	}
	text_scalar(d, name, v ? "yes" : "no");
}

void doc_null(struct doc *d, const char *name)
{
	if (d->json) {
		json_name(d, name);
		json_null(&d->j);
		return;
	}
	text_scalar(d, name, "-");
}
