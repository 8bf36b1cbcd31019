/* test_output.c - fwpctl's output modules alone: the JSON writer (escaping,
 * UTF-8 checking, layout, misuse), the text/JSON document renderer and
 * the aligned tables. Each case writes to a memory stream and compares the
 * bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"
#include "json.h"
#include "names.h"
#include "table.h"

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static void capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
}

/* Closes the stream and compares; frees. */
static void capture_check(struct capture *c, const char *want)
{
	fclose(c->f);
	if (strcmp(c->buf, want))
		fail_msg("got:\n%s\nwant:\n%s", c->buf, want);
	free(c->buf);
}

static void json_string_case(const char *in, const char *want)
{
	struct capture c;
	struct json j;

	capture_open(&c);
	json_init(&j, c.f, false);
	json_string(&j, in);
	assert_int_equal(json_end(&j), 0);
	capture_check(&c, want);
}

static void test_json_escapes(void **state)
{
	(void)state;
	json_string_case("plain", "\"plain\"\n");
	json_string_case("q\"b\\s/", "\"q\\\"b\\\\s/\"\n");
	json_string_case("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"\n");
	json_string_case("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"\n");
	json_string_case("", "\"\"\n");
	json_string_case(NULL, "null\n");
}

static void test_json_utf8(void **state)
{
	(void)state;
	/* Well-formed: copied as is. */
	json_string_case("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
			 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n");
	/* Each bad byte is U+FFFD: stray continuation, 0xff, overlong,
	 * surrogate, above U+10FFFF, truncated at the end. */
	json_string_case("a\x80z", "\"a\\ufffdz\"\n");
	json_string_case("\xff", "\"\\ufffd\"\n");
	json_string_case("\xc0\xaf", "\"\\ufffd\\ufffd\"\n");
	json_string_case("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"\n");
	json_string_case("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"\n");
	json_string_case("\xe2\x82", "\"\\ufffd\\ufffd\"\n");
}

static void build(struct json *j)
{
	json_object_begin(j);
	json_key(j, "a");
	json_array_begin(j);
	json_uint(j, 18446744073709551615ULL);
	json_uint(j, 9007199254740991ULL);	/* 2^53 - 1: still a number */
	json_uint(j, 9007199254740992ULL);
	json_uint_string(j, 5);
	json_int(j, -5);
	json_bool(j, true);
	json_null(j);
	json_string(j, "x");
	json_array_end(j);
	json_key(j, "b");
	json_object_begin(j);
	json_object_end(j);
	json_key(j, "c");
	json_array_begin(j);
	json_array_end(j);
	json_object_end(j);
}

static void test_json_layout(void **state)
{
	struct capture c;
	struct json j;

	(void)state;
	capture_open(&c);
	json_init(&j, c.f, false);
	build(&j);
	assert_int_equal(json_end(&j), 0);
	capture_check(&c, "{\"a\":[\"18446744073709551615\",9007199254740991,"
		      "\"9007199254740992\",\"5\",-5,true,null,\"x\"],\"b\":{},\"c\":[]}\n");

	capture_open(&c);
	json_init(&j, c.f, true);
	build(&j);
	assert_int_equal(json_end(&j), 0);
	capture_check(&c,
		"{\n"
		"  \"a\": [\n"
		"    \"18446744073709551615\",\n"
		"    9007199254740991,\n"
		"    \"9007199254740992\",\n"
		"    \"5\",\n"
		"    -5,\n"
		"    true,\n"
		"    null,\n"
		"    \"x\"\n"
		"  ],\n"
		"  \"b\": {},\n"
		"  \"c\": []\n"
		"}\n");
}

static void test_json_misuse(void **state)
{
	struct capture c;
	struct json j;

	(void)state;
	/* A value in an object without a key. */
	capture_open(&c);
	json_init(&j, c.f, false);
	json_object_begin(&j);
	json_uint(&j, 1);
	json_object_end(&j);
	assert_int_equal(json_end(&j), -1);
	fclose(c.f);
	free(c.buf);

	/* Two documents; a container left open; the wrong closer; a key in
	 * an array. */
	capture_open(&c);
	json_init(&j, c.f, false);
	json_uint(&j, 1);
	json_uint(&j, 2);
	assert_int_equal(json_end(&j), -1);
	json_init(&j, c.f, false);
	json_array_begin(&j);
	assert_int_equal(json_end(&j), -1);
	json_init(&j, c.f, false);
	json_array_begin(&j);
	json_object_end(&j);
	assert_int_equal(json_end(&j), -1);
	json_init(&j, c.f, false);
	json_array_begin(&j);
	json_key(&j, "k");
	json_array_end(&j);
	assert_int_equal(json_end(&j), -1);
	/* Nothing at all. */
	json_init(&j, c.f, false);
	assert_int_equal(json_end(&j), -1);
	/* Too deep. */
	json_init(&j, c.f, false);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(&j);
	assert_true(j.error);
	fclose(c.f);
	free(c.buf);
}

static void build_doc(struct doc *d)
{
	doc_object_begin(d, NULL);
	doc_uint(d, "id", 7);
	doc_object_begin(d, "inner_part");
	doc_hex32(d, "spi", 0xc0000101);
	doc_str(d, "longer_key_name", "v");
	doc_null(d, "nothing");
	doc_array_begin(d, "flags");
	doc_str(d, NULL, "a");
	doc_str(d, NULL, "b");
	doc_array_end(d);
	doc_array_begin(d, "empty");
	doc_array_end(d);
	doc_array_begin(d, "sas");
	doc_object_begin(d, "sa");
	doc_bool(d, "on", true);
	doc_object_end(d);
	doc_object_begin(d, "sa");
	doc_bool(d, "on", false);
	doc_object_end(d);
	doc_array_end(d);
	doc_object_end(d);
	doc_str(d, "last", NULL);
	doc_object_end(d);
}

static void test_doc_text(void **state)
{
	struct capture c;
	struct doc d;

	(void)state;
	capture_open(&c);
	doc_init(&d, c.f, false, false);
	build_doc(&d);
	assert_int_equal(doc_end(&d), 0);
	/* Values aligned per object; '_' reads as a space. */
	capture_check(&c,
		"id    7\n"
		"inner part:\n"
		"  spi              0xc0000101\n"
		"  longer key name  v\n"
		"  nothing          -\n"
		"  flags            a, b\n"
		"  empty            -\n"
		"  sa[0]:\n"
		"    on  yes\n"
		"  sa[1]:\n"
		"    on  no\n"
		"last  -\n");
}

static void test_doc_json(void **state)
{
	struct capture c;
	struct doc d;

	(void)state;
	capture_open(&c);
	doc_init(&d, c.f, true, false);
	build_doc(&d);
	assert_int_equal(doc_end(&d), 0);
	capture_check(&c,
		"{\"id\":7,\"inner_part\":{\"spi\":3221225729,\"longer_key_name\":\"v\","
		"\"nothing\":null,\"flags\":[\"a\",\"b\"],\"empty\":[],"
		"\"sas\":[{\"on\":true},{\"on\":false}]},\"last\":null}\n");
}

static void test_doc_unbalanced(void **state)
{
	struct capture c;
	struct doc d;

	(void)state;
	capture_open(&c);
	doc_init(&d, c.f, false, false);
	doc_object_begin(&d, NULL);
	doc_array_begin(&d, "x");
	doc_object_end(&d);	/* wrong closer */
	assert_int_equal(doc_end(&d), -1);
	capture_check(&c, "");	/* text is printed only when well-formed */
}

static void test_table(void **state)
{
	static const struct table_column cols[] = {
		{ "id", true }, { "name", false }, { "last", false },
	};
	const char *r1[] = { "1", "short", "x" };
	const char *r2[] = { "1234", "a-longer-cell", NULL };
	struct table *t = table_new(cols, 3);
	struct capture c;

	(void)state;
	assert_non_null(t);
	assert_int_equal(table_add(t, r1), 0);
	assert_int_equal(table_add(t, r2), 0);
	assert_int_equal(table_rows(t), 2);
	capture_open(&c);
	table_print(t, c.f);
	table_free(t);
	/* Numbers right-aligned, the last column without trailing blanks. */
	capture_check(&c,
		"  id  name           last\n"
		"   1  short          x\n"
		"1234  a-longer-cell  -\n");
}

/* Filter conditions and GUIDs as fwpctl filter show prints them. */
static void test_names(void **state)
{
	FWP_V4_ADDR_AND_MASK v4 = { 0xC6336400, 0xFFFFFF00 }, odd = { 0x0A000000, 0xFF00FF00 };
	FWP_V6_ADDR_AND_MASK v6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 32 };
	FWP_RANGE0 ports = { { .type = FWP_UINT16, .uint16 = 1000 },
			     { .type = FWP_UINT16, .uint16 = 2000 } };
	UINT64 big = 18446744073709551615ULL;
	FWP_CONDITION_VALUE0 v;
	char buf[128];

	(void)state;
	v = (FWP_CONDITION_VALUE0){ .type = FWP_V4_ADDR_MASK, .v4AddrMask = &v4 };
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "198.51.100.0/24");
	v.v4AddrMask = &odd;
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "10.0.0.0/255.0.255.0");
	v = (FWP_CONDITION_VALUE0){ .type = FWP_V6_ADDR_MASK, .v6AddrMask = &v6 };
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "2001:db8::/32");
	v = (FWP_CONDITION_VALUE0){ .type = FWP_RANGE_TYPE, .rangeValue = &ports };
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "1000-2000");
	v = (FWP_CONDITION_VALUE0){ .type = FWP_UINT64, .uint64 = &big };
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "18446744073709551615");
	v = (FWP_CONDITION_VALUE0){ .type = FWP_UINT8, .uint8 = 17 };
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "17");
	v = (FWP_CONDITION_VALUE0){ .type = FWP_SID };
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "(type 13)");
	v = (FWP_CONDITION_VALUE0){ .type = FWP_V4_ADDR_MASK };	/* NULL arm */
	assert_string_equal(name_condition_value(&v, buf, sizeof(buf)), "(type 256)");
	assert_string_equal(name_match(FWP_MATCH_RANGE), "range");
	assert_null(name_match(FWP_MATCH_TYPE_MAX));
	assert_string_equal(name_callout(&FWPM_CALLOUT_IPSEC_INBOUND_TUNNEL_V6, buf, sizeof(buf)),
			    "ipsec-inbound-tunnel-v6");
	assert_string_equal(name_condition_field(&FWPM_CONDITION_IP_REMOTE_PORT, buf, sizeof(buf)),
			    "ip-remote-port");
	assert_string_equal(name_layer(&FWPM_CONDITION_IP_REMOTE_PORT, buf, sizeof(buf)),
			    "{c35a604d-d22b-4e1a-91b4-68f674ee674b}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_json_utf8),
		cmocka_unit_test(test_json_layout),
		cmocka_unit_test(test_json_misuse),
		cmocka_unit_test(test_doc_text),
		cmocka_unit_test(test_doc_json),
		cmocka_unit_test(test_doc_unbalanced),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
