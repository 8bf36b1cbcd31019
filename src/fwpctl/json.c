/* json.c - a small streaming JSON writer (see json.h). */
#include <inttypes.h>

#include "json.h"

void json_init(struct json *j, FILE *f, bool pretty)
{
	*j = (struct json){ .f = f, .pretty = pretty };
}

static void newline(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Everything that goes before a value: a comma and a line break in an
 * array; in an object the key has placed them already. */
static bool value_begin(struct json *j)
{
	if (j->error)
		return false;
	if (j->depth == 0) {
		if (j->done) {
			j->error = true;	/* one value per document */
			return false;
		}
		return true;
	}
	if (j->kind[j->depth - 1] == '{') {
		if (!j->has_key) {
			j->error = true;
			return false;
		}
		j->has_key = false;
		return true;
	}
	if (j->nonempty[j->depth - 1])
		fputc(',', j->f);
	j->nonempty[j->depth - 1] = true;
	newline(j);
	return true;
}

static void value_end(struct json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void push(struct json *j, char kind)
{
	if (!value_begin(j))
		return;
	if (j->depth == JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	fputc(kind, j->f);
	j->kind[j->depth] = kind;
	j->nonempty[j->depth] = false;
	j->depth++;
}

static void pop(struct json *j, char kind)
{
	bool nonempty;

	if (j->error)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != kind || j->has_key) {
		j->error = true;
		return;
	}
	nonempty = j->nonempty[--j->depth];
	if (nonempty)
		newline(j);
	fputc(kind == '{' ? '}' : ']', j->f);
	value_end(j);
}

void json_object_begin(struct json *j)
{
	push(j, '{');
}

void json_object_end(struct json *j)
{
	pop(j, '{');
}

void json_array_begin(struct json *j)
{
	push(j, '[');
}

void json_array_end(struct json *j)
{
	pop(j, '[');
}

/* Length of the well-formed UTF-8 sequence at s, or 0 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF). Stops at the
 * terminating NUL, which is never a continuation byte. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

static void write_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		size_t n = utf8_len(s);

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (n == 0) {
				fputs("\\ufffd", f);
				n = 1;
			} else if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
			} else {
				fwrite(s, 1, n, f);
			}
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	if (j->error)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != '{' || j->has_key || !key) {
		j->error = true;
		return;
	}
	if (j->nonempty[j->depth - 1])
		fputc(',', j->f);
	j->nonempty[j->depth - 1] = true;
	newline(j);
	write_string(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->has_key = true;
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	if (!value_begin(j))
		return;
	write_string(j->f, s);
	value_end(j);
}

void json_uint(struct json *j, uint64_t v)
{
	if (!value_begin(j))
		return;
	/* Readers keep JSON numbers as doubles (jq, JavaScript): beyond
	 * 2^53 - 1 they would round, so the exact digits go in a string. */
	fprintf(j->f, v > JSON_MAX_EXACT ? "\"%" PRIu64 "\"" : "%" PRIu64, v);
	value_end(j);
}

void json_uint_string(struct json *j, uint64_t v)
{
	if (!value_begin(j))
		return;
	fprintf(j->f, "\"%" PRIu64 "\"", v);
	value_end(j);
}

void json_int(struct json *j, int64_t v)
{
	if (!value_begin(j))
		return;
	fprintf(j->f, "%" PRId64, v);
	value_end(j);
}

void json_bool(struct json *j, bool v)
{
	if (!value_begin(j))
		return;
	fputs(v ? "true" : "false", j->f);
	value_end(j);
}

void json_null(struct json *j)
{
	if (!value_begin(j))
		return;
	fputs("null", j->f);
	value_end(j);
}

int json_end(struct json *j)
{
	if (j->error || j->depth || !j->done)
		return -1;
	fputc('\n', j->f);
	return 0;
}
