/* dp_leftover.c - at a datapath's start, the guards other instances left
 * in the namespace are named in the log, with the command that clears
 * them (dp_clear.h): a start clears only its own instance's (a takeover). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "common/log.h"
#include "datapath/dp_clear.h"
#include "datapath/guard.h"

/* The TUN name of a guard table's name (guard_table_name, inverted), or
 * false for another table. */
static bool tun_of_table(const char *table, char *tun, size_t size)
{
	size_t n = 0;
	unsigned x;

	if (strncmp(table, "fwpd_", 5))
		return false;
	for (const char *p = table + 5; *p; p++) {
		if (n + 1 >= size)
			return false;
		if (*p == '_') {
			if (sscanf(p + 1, "%2x", &x) != 1 || !p[1] || !p[2])
				return false;
			tun[n++] = (char)x;
			p += 2;
		} else {
			tun[n++] = *p;
		}
	}
	tun[n] = 0;
	return n > 0;
}

int dp_warn_leftovers(const char *own_tun)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	char own[64], table[64], tun[32];
	const char *p;
	int n = 0;

	if (!nft)
		return 0;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	guard_table_name(own, sizeof(own), own_tun);
	if (!nft_run_cmd_from_buffer(nft, "list tables inet")) {
		p = nft_ctx_get_output_buffer(nft);
		while ((p = strstr(p, "table inet ")) != NULL) {
			p += 11;
			if (sscanf(p, "%63s", table) != 1)
				break;
			if (!strcmp(table, own) || !tun_of_table(table, tun, sizeof(tun)))
				continue;
			fwp_log(FWP_LOG_WARN, "datapath: %s: instance %s left a guard in this "
				"network namespace; if its process died, `fwpctl datapath clear "
				"--tun %s` removes it", own_tun, tun, tun);
			n++;
		}
	}
	nft_ctx_free(nft);
	return n;
}
