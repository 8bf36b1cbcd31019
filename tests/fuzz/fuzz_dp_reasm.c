/* fuzz_dp_reasm.c - the datapath's outbound reassembly (src/datapath/
 * dp_reasm.c) over hostile fragments: a local program can put any IP
 * packet into the TUN. The input is a series of records, a 2-byte length
 * then that many bytes, each offered to the reassembler as one packet read
 * from the TUN; a byte of the record's length high bits also moves the
 * clock, so that timeouts run. Every datagram it completes must lie inside
 * its buffer, with a length that matches its own IP header. */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "datapath/dp_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dp_reasm *r;
	uint64_t now = 1;
	size_t n = 0;

	if (!r)
		r = dp_reasm_new();
	while (size - n >= 2) {
		size_t len = (size_t)(data[n] & 0x0f) << 8 | data[n + 1];
		struct esp_buf out;
		uint8_t pkt[4096];
		int rc;

		now += (uint64_t)(data[n] >> 4) * 100;
		n += 2;
		if (len > size - n)
			len = size - n;
		memcpy(pkt, data + n, len);
		n += len;
		if (!dp_is_fragment(pkt, len))
			continue;
		rc = dp_reasm_add(r, pkt, len, now, &out);
		if (rc == 1) {
			const uint8_t *h = out.base + out.off;

			assert(out.off >= ESP_MAX_OVERHEAD);
			assert(out.off + out.len + ESP_MAX_OVERHEAD <= out.size);
			if (h[0] >> 4 == 4)
				assert((size_t)(h[2] << 8 | h[3]) == out.len);
			else
				assert((size_t)(h[4] << 8 | h[5]) + 40 == out.len);
			dp_reasm_release(r);
		}
	}
	dp_reasm_release(r);
	return 0;
}
