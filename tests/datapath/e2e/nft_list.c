/* nft_list.c - runs one nftables command (libnftables) and prints its
 * output, for the end-to-end tests (the nft program need not be
 * installed): `nft_list 'list table inet fwpd_fwp0'`. Exit 1 when
 * nftables refuses it. */
#include <stdio.h>

#include <nftables/libnftables.h>

int main(int argc, char **argv)
{
	struct nft_ctx *nft;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: nft_list COMMAND\n");
		return 2;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return 1;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	rc = nft_run_cmd_from_buffer(nft, argv[1]);
	fputs(nft_ctx_get_output_buffer(nft), stdout);
	fputs(nft_ctx_get_error_buffer(nft), stderr);
	nft_ctx_free(nft);
	return rc ? 1 : 0;
}
