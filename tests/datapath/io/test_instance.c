/* test_instance.c - datapath instances (root, private namespaces): slots
 * derived from TUN names and their numbers, the lock per namespace and
 * slot (a second holder refused with who holds it, a collision named as
 * such, another namespace independent, released at unlock), and a lock
 * directory others may write to refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "datapath/instance.h"
#include "nstest.h"

static char dir[] = "/tmp/fwp-instance-XXXXXX";
static int home_ns;

static void test_slots(void **state)
{
	struct steer_config c;

	(void)state;
	assert_int_equal(dp_instance_slot("fwp0"), 0);
	assert_int_equal(dp_instance_slot("fwp12"), 12);
	assert_int_equal(dp_instance_slot("fwp255"), 255);
	assert_int_equal(dp_instance_slot("t8"), 1);	/* FNV-1a */
	assert_int_not_equal(dp_instance_slot("fwp012"), 12);
	assert_true(dp_instance_slot("fwp256") < DP_SLOTS);
	dp_instance_steer(0, &c);
	assert_int_equal(c.table, 18000);
	assert_int_equal(c.fwmark, 0x4650);
	assert_int_equal(c.reroute_mark, 0x4651);
	assert_int_equal(c.priority, 17998);
	assert_int_equal(c.reroute_priority, 150);
	dp_instance_steer(3, &c);
	assert_int_equal(c.table, 18003);
	assert_int_equal(c.fwmark, 0x4656);
	assert_int_equal(c.reroute_mark, 0x4657);
	assert_int_equal(c.priority, 17992);
	assert_int_equal(dp_instance_group(3), 18003);
}

static void test_lock(void **state)
{
	struct dp_instance a, b;
	const char *why;
	int other;

	(void)state;
	assert_int_equal(dp_instance_lock(&a, dir, "fwp1", &why), 0);
	assert_int_equal(dp_instance_lock(&b, dir, "fwp1", &why), -EBUSY);
	assert_non_null(strstr(why, "instance fwp1 already runs"));
	assert_int_equal(dp_instance_lock(&b, dir, "t8", &why), -EBUSY);
	assert_non_null(strstr(why, "slot 1 of t8 is held by instance fwp1"));
	/* Another namespace: another lock. */
	other = nstest_new_ns();
	nstest_enter(other);
	assert_int_equal(dp_instance_lock(&b, dir, "fwp1", &why), 0);
	dp_instance_unlock(&b);
	/* Back home: released at unlock, and the file goes with it. */
	nstest_enter(home_ns);
	dp_instance_unlock(&a);
	assert_int_equal(access(a.path, F_OK), -1);
	assert_int_equal(dp_instance_lock(&b, dir, "fwp1", &why), 0);
	dp_instance_unlock(&b);
	dp_instance_unlock(&b);		/* idempotent */
}

static void test_unsafe_dir(void **state)
{
	struct dp_instance a;
	const char *why;

	(void)state;
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(dp_instance_lock(&a, dir, "fwp2", &why), -EPERM);
	assert_non_null(strstr(why, "writable by no one else"));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(dp_instance_lock(&a, dir, "fwp2", &why), 0);
	dp_instance_unlock(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_unsafe_dir),
	};
	int rc;

	home_ns = nstest_enter_private("datapath.io.instance", 0);
	if (geteuid() != 0) {
		printf("skipped: needs root (the lock directory's owner)\n");
		return NSTEST_SKIP;
	}
	if (!mkdtemp(dir))
		return 1;
	chmod(dir, 0755);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	return rc;
}
