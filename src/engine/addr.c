/* addr.c - see addr.h. */
#include "engine/addr.h"

void addr6_traffic_to_net(const uint8_t in[16], uint8_t out[16])
{
	for (int i = 0; i < 16; i++)
		out[i] = in[15 - i];
}

void addr6_net_to_traffic(const uint8_t in[16], uint8_t out[16])
{
	addr6_traffic_to_net(in, out);
}

void addr6_net_to_event_header(const uint8_t in[16], uint8_t out[16])
{
	addr6_traffic_to_net(in, out);
}

int addr6_prefix_match(const uint8_t a[16], const uint8_t b[16], unsigned prefix_len)
{
	unsigned i;

	for (i = 0; i + 8 <= prefix_len; i += 8)
		if (a[i / 8] != b[i / 8])
			return 0;
	if (i < prefix_len) {
		uint8_t m = (uint8_t)(0xFF << (8 - (prefix_len - i)));

		if ((a[i / 8] & m) != (b[i / 8] & m))
			return 0;
	}
	return 1;
}
