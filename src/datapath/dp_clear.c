/* dp_clear.c - removing a dead datapath instance's guard, port rewrite,
 * steering and lock (dp_clear.h). */
#include "datapath/dp_clear.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "datapath/guard.h"
#include "datapath/instance.h"
#include "datapath/steer.h"

/* "fwpn_" and the TUN name with every byte but letters, digits and '_' as
 * '_', as the datapath names its port rewrite (dp.c, dp_share_port). */
static void natt_table_name(char *out, size_t size, const char *tun)
{
	snprintf(out, size, "fwpn_%s", tun);
	for (char *p = out; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_')
			*p = '_';
}

/* 1 removed, 0 there was none, -errno. */
static int drop_table(struct nft_ctx *nft, const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "list table inet %s", name);
	if (nft_run_cmd_from_buffer(nft, cmd))
		return 0;
	snprintf(cmd, sizeof(cmd), "delete table inet %s", name);
	return nft_run_cmd_from_buffer(nft, cmd) ? -EPERM : 1;
}

static int drop_tables(const char *tun, struct dp_clear_result *res, const char **why)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	char name[64];

	*why = "nftables";
	if (!nft)
		return -ENOMEM;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	guard_table_name(name, sizeof(name), tun);
	res->guard_tables = drop_table(nft, name);
	natt_table_name(name, sizeof(name), tun);
	res->natt_tables = drop_table(nft, name);
	nft_ctx_free(nft);
	return res->guard_tables < 0 ? res->guard_tables :
	       res->natt_tables < 0 ? res->natt_tables : 0;
}

int dp_instance_clear(const char *dir, const char *tun, struct dp_clear_result *res,
		      const char **why)
{
	struct dp_instance in;
	struct steer_config sc;
	int err;

	memset(res, 0, sizeof(*res));
	if (!tun || !*tun || strlen(tun) >= 16) {
		*why = "not a TUN name";
		return -EINVAL;
	}
	err = dp_instance_lock(&in, dir, tun, why);
	if (err)
		return err;
	res->slot = in.slot;
	err = drop_tables(tun, res, why);
	if (!err) {
		dp_instance_steer(in.slot, &sc);
		res->steering = steer_cleanup(&sc);
		if (res->steering < 0) {
			err = res->steering;
			*why = "routing rules";
		}
	}
	dp_instance_unlock(&in);	/* removes the file */
	return err;
}
