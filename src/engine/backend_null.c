/* backend_null.c - a datapath that carries no packets.
 *
 * Used by the in-process engine and by fwpd without --datapath: the SA
 * database is complete and correct, only nothing is encrypted. Counters
 * stay at zero.
 */
#include <errno.h>
#include <string.h>

#include "engine/backend.h"

static int null_install(void *be, const struct be_sa *sa, void **handle)
{
	*handle = NULL;
	return 0;
}

static int null_update(void *be, void *const h[2], const struct be_change *const ch[2])
{
	return 0;
}

static void null_remove(void *be, void *handle)
{
}

static int null_counters(void *be, void *handle, struct sa_counters *out)
{
	memset(out, 0, sizeof(*out));
	return 0;
}

const struct dp_backend_ops dp_null_ops = {
	.name = "null",
	.sa_install = null_install,
	.sa_update_pair = null_update,
	.sa_remove = null_remove,
	.sa_counters = null_counters,
};
