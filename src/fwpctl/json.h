/* json.h - a small streaming JSON writer.
 *
 * Values are written as they come: the writer only remembers, per open
 * container, whether it already holds a value (to place commas) and, in
 * an object, whether a key is waiting for its value. Strings are taken as
 * UTF-8 and escaped as RFC 8259 requires; bytes that are not valid UTF-8
 * become U+FFFD, so the output is always valid JSON text.
 *
 * Misuse (a value in an object without a key, a key outside an object,
 * closing the wrong container, nesting deeper than JSON_MAX_DEPTH) writes
 * nothing and sets the error flag, which json_end() reports.
 *
 * Compact output is one line; pretty output puts each member on its own
 * line, indented by two spaces per level. json_end() ends the document
 * with a newline. Ownership: the caller owns the FILE. Locking: none.
 */
#ifndef FWPCTL_JSON_H
#define FWPCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32
#define JSON_MAX_EXACT 9007199254740991ULL

struct json {
	FILE *f;
	bool pretty;
	bool error;
	bool has_key;		/* a key waits for its value */
	bool done;		/* the top-level value is complete */
	unsigned depth;
	char kind[JSON_MAX_DEPTH];	/* '{' or '[' per open container */
	bool nonempty[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f, bool pretty);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* The key of the next member; only inside an object. */
void json_key(struct json *j, const char *key);

/* Scalars. A NULL string is written as null. */
void json_string(struct json *j, const char *s);
/* A number, or, above JSON_MAX_EXACT (2^53 - 1, the largest integer a
 * double holds exactly), a string of its decimal digits. */
void json_uint(struct json *j, uint64_t v);
/* Always a string of decimal digits: for 64-bit quantities (weights). */
void json_uint_string(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Ends the document (newline). Returns 0, or -1 if the document was
 * misused or left incomplete. */
int json_end(struct json *j);

#endif
