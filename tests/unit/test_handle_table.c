/* Unit tests: common/handle_table refuses closed, reused-slot, forged and
 * zero handles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "common/handle_table.h"

static int refs;

static void ref(void *obj)
{
	refs++;
}

static void test_lifecycle(void **state)
{
	struct handle_table t;
	int a, b;
	uint64_t ha, hb;

	handle_table_init(&t);
	ha = handle_table_add(&t, &a);
	assert_int_not_equal(ha, 0);
	assert_ptr_equal(handle_table_get(&t, ha, ref), &a);
	assert_int_equal(refs, 1);
	assert_ptr_equal(handle_table_remove(&t, ha), &a);
	/* Closed: refused, and the ref hook is not called. */
	assert_null(handle_table_get(&t, ha, ref));
	assert_int_equal(refs, 1);
	assert_null(handle_table_remove(&t, ha));
	/* The slot is reused with a new generation: the old handle stays dead. */
	hb = handle_table_add(&t, &b);
	assert_int_not_equal(hb, ha);
	assert_int_equal((uint32_t)hb, (uint32_t)ha);
	assert_null(handle_table_get(&t, ha, NULL));
	assert_ptr_equal(handle_table_get(&t, hb, NULL), &b);
	/* Forged and zero handles. */
	assert_null(handle_table_get(&t, 0, NULL));
	assert_null(handle_table_get(&t, 0xdeadbeefcafeull, NULL));
	assert_null(handle_table_get(&t, hb + 1, NULL));
	handle_table_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
