/* doc.h - one read command's answer, as JSON or as indented text.
 *
 * The show and stats commands describe what they print once, as a tree of
 * named values, and this module renders the tree either through the JSON
 * writer (-j, -j -p) or as "key  value" lines, nested objects indented
 * under a "key:" heading, values aligned on one column. In text, '_' in
 * keys reads as a space, NULL and null read "-", an array of scalars is
 * one comma-separated line and an array of objects is a run of "name[i]:"
 * headings. Text is kept until doc_end(), which aligns the values of
 * each object on one column and prints.
 *
 * Members of an object take a name; values at the top level and inside
 * arrays take NULL (in text an object inside an array is headed by its
 * own name when given, else the array's).
 *
 * Ownership: the caller owns the FILE. Locking: none.
 */
#ifndef FWPCTL_DOC_H
#define FWPCTL_DOC_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

#define DOC_MAX_DEPTH JSON_MAX_DEPTH

struct doc_frame {
	const char *name;	/* of this container */
	bool array;
	unsigned group;		/* text: lines aligned together */
	unsigned items;		/* array: values written so far */
	int line;		/* array: its open line of scalars, or -1 */
};

/* Text: one output line, printed at doc_end() once every line of its
 * group is known. value NULL: a heading ("key:"). */
struct doc_line {
	unsigned indent;
	unsigned group;
	char *key;
	char *value;
};

struct doc {
	FILE *f;
	bool json;
	bool error;
	struct json j;
	unsigned depth;
	unsigned overflow;	/* containers opened beyond DOC_MAX_DEPTH */
	struct doc_frame frame[DOC_MAX_DEPTH];
	/* Text only. */
	unsigned groups;
	struct doc_line *lines;
	size_t nlines, cap;
};

void doc_init(struct doc *d, FILE *f, bool json, bool pretty);
/* Prints what remains and frees; 0, or -1 when the document was built
 * wrongly or memory ran out. */
int doc_end(struct doc *d);

void doc_object_begin(struct doc *d, const char *name);
void doc_object_end(struct doc *d);
void doc_array_begin(struct doc *d, const char *name);
void doc_array_end(struct doc *d);

void doc_str(struct doc *d, const char *name, const char *v);
/* A number (a string above 2^53 - 1: json_uint). */
void doc_uint(struct doc *d, const char *name, uint64_t v);
/* A 64-bit quantity (a weight): a string of digits in JSON, always. */
void doc_u64(struct doc *d, const char *name, uint64_t v);
/* A number in JSON, 0x%08x in text (SPIs). */
void doc_hex32(struct doc *d, const char *name, uint32_t v);
void doc_bool(struct doc *d, const char *name, bool v);
void doc_null(struct doc *d, const char *name);

#endif
