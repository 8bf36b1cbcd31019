/* policy.c - the policy objects: "filter" and "provider".
 *
 * The policy-object functions (FwpmFilterEnum0, FwpmProviderEnum0, ...) are
 * declared but return ERROR_CALL_NOT_IMPLEMENTED until the policy engine
 * lands, so these handlers check their arguments and say so. Each is in
 * main.c's command table already: when the engine lands, only the bodies
 * here change (enumerate with FwpmFilterEnum0 and the like, print with
 * table.h and doc.h as sa.c does).
 */
#include "fwpctl.h"

static int unavailable(void)
{
	return ctl_error("fwpctl cannot show policy objects yet");
}

int filter_list(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	if (argc > 0)
		return ctl_usage("filter list: unexpected argument '%s'", argv[0]);
	return unavailable();
}

int filter_show(struct ctl *ctl, int argc, char **argv)
{
	UINT64 id;

	(void)ctl;
	if (argc < 1)
		return ctl_usage("filter show: missing ID");
	if (argc > 1)
		return ctl_usage("filter show: unexpected argument '%s'", argv[1]);
	if (ctl_parse_id(argv[0], &id))
		return ctl_usage("filter show: '%s' is not a filter id", argv[0]);
	return unavailable();
}

int provider_list(struct ctl *ctl, int argc, char **argv)
{
	(void)ctl;
	if (argc > 0)
		return ctl_usage("provider list: unexpected argument '%s'", argv[0]);
	return unavailable();
}
