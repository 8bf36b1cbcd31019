/* datapath.c - fwpctl datapath clear: what a dead datapath instance (an
 * in-process keying module or fwpd killed before its clean stop) left in
 * this network namespace, removed on the operator's word. Not an engine
 * call: the kernel state is the namespace's, so this links the small
 * library of src/datapath that knows its names (dp_clear.h), and works
 * without any engine running. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "datapath/dp_clear.h"
#include "fwpctl.h"

int datapath_clear(struct ctl *ctl, int argc, char **argv)
{
	const char *tun = "fwp0", *dir = NULL, *why = "";
	struct dp_clear_result r;
	int err;

	(void)ctl;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--tun") && i + 1 < argc)
			tun = argv[++i];
		else if (!strcmp(argv[i], "--lock-dir") && i + 1 < argc)
			dir = argv[++i];
		else
			return ctl_usage("datapath clear: unexpected argument '%s'", argv[i]);
	}
	if (!*tun || strlen(tun) >= 16)
		return ctl_usage("datapath clear: '%s' is not a TUN name", tun);
	err = dp_instance_clear(dir, tun, &r, &why);
	if (err == -EBUSY)
		return ctl_error("datapath %s is alive, not cleared: %s", tun, why);
	if (err)
		return ctl_error("datapath %s: %s: %s", tun, why, strerror(-err));
	printf("datapath %s (slot %u) cleared: %d guard table, %d port rewrite table, "
	       "%d rules and routes\n", tun, r.slot, r.guard_tables, r.natt_tables, r.steering);
	return FWPCTL_OK;
}
