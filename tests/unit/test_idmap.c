/* Unit tests: common/idmap (insert, find, remove, growth) against a
 * reference array, with random keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "common/idmap.h"

struct item {
	struct idmap_node node;
	uint64_t key;
	int present;
};

static void test_random_against_reference(void **state)
{
	enum { N = 50000 };
	struct idmap m;
	struct item *items = calloc(N, sizeof(*items));
	uint64_t x = 12345;

	assert_int_equal(idmap_init(&m, 16), 0);
	for (int i = 0; i < N; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		items[i].key = (x >> 11) | 1;	/* distinct enough; checked below */
	}
	for (int i = 0; i < N; i++) {
		if (idmap_find(&m, items[i].key))
			continue;	/* duplicate key drawn: skip */
		idmap_insert(&m, &items[i].node, items[i].key);
		items[i].present = 1;
	}
	/* Grew far past the initial 16 buckets and still finds everything. */
	assert_true(m.nbuckets >= m.count);
	for (int i = 0; i < N; i++) {
		struct idmap_node *n = idmap_find(&m, items[i].key);

		if (items[i].present)
			assert_ptr_equal(n, &items[i].node);
	}
	/* Remove every other one; the rest stay findable. */
	for (int i = 0; i < N; i += 2) {
		if (items[i].present) {
			idmap_remove(&m, &items[i].node);
			items[i].present = 0;
		}
	}
	for (int i = 0; i < N; i++) {
		struct idmap_node *n = idmap_find(&m, items[i].key);

		if (items[i].present)
			assert_ptr_equal(n, &items[i].node);
		else if (n)
			assert_true(idmap_entry(n, struct item, node)->present);
	}
	idmap_free(&m);
	free(items);
}

static void test_sequential_ids(void **state)
{
	struct idmap m;
	struct item it[1000];

	assert_int_equal(idmap_init(&m, 1), 0);
	for (uint64_t i = 0; i < 1000; i++)
		idmap_insert(&m, &it[i].node, i + 1);
	assert_int_equal(m.count, 1000);
	assert_null(idmap_find(&m, 0));
	assert_null(idmap_find(&m, 1001));
	for (uint64_t i = 0; i < 1000; i++)
		assert_ptr_equal(idmap_find(&m, i + 1), &it[i].node);
	idmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_sequential_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
