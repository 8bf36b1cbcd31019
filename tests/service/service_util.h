/* service_util.h - building SA contexts through the public API, for the
 * service tests. */
#ifndef FWP_TEST_SERVICE_UTIL_H
#define FWP_TEST_SERVICE_UTIL_H

#include <fwpmu.h>

DWORD open_engine(HANDLE *h);
/* A mature transport context the strongSwan way; *id on success. */
DWORD make_context(HANDLE h, UINT32 spi, UINT64 *id);

#endif
