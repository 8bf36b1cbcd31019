/* module.c - the datapaths as a module that libfwpuclnt loads only when
 * FWP_DATAPATH asks for one (fwpuclnt-datapath.so, installed beside the
 * library in its directory fwpuclnt/), so that clients without a datapath
 * never map OpenSSL or libnftables. Its one symbol gives the backends of
 * backends.c by name; everything else stays inside (module.map). */
#include "engine/backend.h"

const struct be_life_ops *fwp_datapath_find(const char *name);

__attribute__((visibility("default")))
const struct be_life_ops *fwp_datapath_find(const char *name)
{
	return backend_find(name);
}
