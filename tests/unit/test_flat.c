/* Unit tests: common/flat builds a pointer-linked structure as one block:
 * the measuring pass sizes it exactly, the filling pass links it inside the
 * block, and a builder that takes growing objects (which moves scratch
 * chunks while measuring) still works. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common/flat.h"

struct node {
	int value;
	struct node *next;
	char *name;
};

static void build(struct flat *f, int n, struct node **head)
{
	struct node *prev = NULL;

	for (int i = 0; i < n; i++) {
		struct node *x = FLAT_NEW(f, struct node);
		char buf[32];
		size_t len;

		if (!x)
			return;
		if (prev)
			prev->next = x;
		else
			*head = x;
		x->value = i;
		len = (size_t)snprintf(buf, sizeof(buf), "node-%d", i) + 1;
		/* Growing takes force new scratch chunks while measuring. */
		x->name = flat_dup(f, buf, len, 1);
		(void)FLAT_ARRAY(f, char, (size_t)i * 100);
		prev = x;
	}
}

static void test_one_block(void **state)
{
	struct flat f;
	struct node *head = NULL, **slot;
	unsigned char *block;
	size_t size;

	flat_begin(&f);
	slot = FLAT_NEW(&f, struct node *);
	build(&f, 50, &head);
	size = f.used;
	assert_int_equal(flat_end_measure(&f), 0);
	head = NULL;
	slot = FLAT_NEW(&f, struct node *);
	build(&f, 50, &head);
	*slot = head;
	assert_int_equal(f.used, size);	/* both passes agree */
	block = flat_end(&f);
	assert_non_null(block);
	assert_ptr_equal(*(struct node **)(void *)block, head);
	for (int i = 0; head; head = head->next, i++) {
		char want[32];

		snprintf(want, sizeof(want), "node-%d", i);
		assert_int_equal(head->value, i);
		assert_string_equal(head->name, want);
		assert_true((unsigned char *)head >= block &&
			    (unsigned char *)head < block + size);
		assert_true((unsigned char *)head->name >= block &&
			    (unsigned char *)head->name < block + size);
	}
	free(block);	/* one free releases everything */
}

static void test_alignment(void **state)
{
	struct flat f;
	unsigned char *b;
	uint64_t *p;

	flat_begin(&f);
	for (int pass = 0; pass < 2; pass++) {
		(void)flat_take(&f, 3, 1);
		p = FLAT_NEW(&f, uint64_t);
		if (pass == 0)
			assert_int_equal(flat_end_measure(&f), 0);
	}
	assert_int_equal((uintptr_t)p % _Alignof(uint64_t), 0);
	b = flat_end(&f);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_block),
		cmocka_unit_test(test_alignment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
