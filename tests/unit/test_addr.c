/* Unit tests: engine/addr, the one place of the IPv6 byte-order convention
 * (traffic structs hold the 16 bytes reversed, as strongSwan writes them). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "engine/addr.h"

static void test_strongswan_conversion_round_trip(void **state)
{
	uint8_t net[16], traffic[16], back[16];

	inet_pton(AF_INET6, "2001:db8::1", net);
	addr6_net_to_traffic(net, traffic);
	/* strongSwan's host conversion: the address as one little-endian
	 * 128-bit number, so the last network byte comes first. */
	assert_int_equal(traffic[0], 0x01);
	assert_int_equal(traffic[15], 0x20);
	assert_int_equal(traffic[14], 0x01);
	addr6_traffic_to_net(traffic, back);
	assert_memory_equal(back, net, 16);
}

static void test_prefix_match(void **state)
{
	uint8_t a[16], b[16];

	inet_pton(AF_INET6, "2001:db8:1234::1", a);
	inet_pton(AF_INET6, "2001:db8:12ff::9", b);
	assert_true(addr6_prefix_match(a, b, 0));
	assert_true(addr6_prefix_match(a, b, 32));
	assert_true(addr6_prefix_match(a, b, 40));
	assert_false(addr6_prefix_match(a, b, 41));
	assert_false(addr6_prefix_match(a, b, 128));
	assert_true(addr6_prefix_match(a, a, 128));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strongswan_conversion_round_trip),
		cmocka_unit_test(test_prefix_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
