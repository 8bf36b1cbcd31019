/* backends.c - the datapath backends of this build, by name (backend.h). */
#include <string.h>

#include "datapath/dp.h"
#include "datapath/xfrm/xfrm.h"

static const struct be_life_ops *const backends[] = {
	&dp_tun_life,
	&xfrm_life,
};

const struct be_life_ops *backend_find(const char *name)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}
