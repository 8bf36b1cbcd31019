/* Unit tests: common/minheap against a brute-force minimum, with inserts,
 * moves (earlier and later) and removals from the middle. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "common/minheap.h"

enum { N = 2000 };

static struct heap_node nodes[N];

static uint64_t brute_min(void)
{
	uint64_t m = UINT64_MAX;

	for (int i = 0; i < N; i++)
		if (heap_node_queued(&nodes[i]) && nodes[i].key < m)
			m = nodes[i].key;
	return m;
}

static void test_random_operations(void **state)
{
	struct minheap h;
	uint64_t x = 7;

	minheap_init(&h);
	for (int i = 0; i < N; i++)
		heap_node_init(&nodes[i]);
	for (int step = 0; step < 50000; step++) {
		int i;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		i = (int)((x >> 33) % N);
		switch ((x >> 20) % 3) {
		case 0:
		case 1:
			assert_int_equal(minheap_set(&h, &nodes[i], (x >> 40) % 100000), 0);
			break;
		default:
			minheap_remove(&h, &nodes[i]);
			assert_false(heap_node_queued(&nodes[i]));
			break;
		}
		if (h.n)
			assert_int_equal(minheap_top(&h)->key, brute_min());
		else
			assert_int_equal(brute_min(), UINT64_MAX);
	}
	/* Popping in order yields non-decreasing keys. */
	for (uint64_t last = 0; h.n;) {
		struct heap_node *t = minheap_top(&h);

		assert_true(t->key >= last);
		last = t->key;
		minheap_remove(&h, t);
	}
	minheap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
