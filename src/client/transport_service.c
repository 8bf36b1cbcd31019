/* transport_service.c - the engine service (fwpd) transport.
 *
 * The fwpd daemon and its wire protocol are not built yet: every session
 * open answers EPT_S_NOT_REGISTERED, exactly what Windows answers when the
 * Base Filtering Engine is not running, so FWP_ENGINE=service fails
 * honestly and FWP_ENGINE=auto picks the in-process engine unless a socket
 * exists.
 */
#include <stdlib.h>

#include "client/client.h"
#include "client/service_path.h"

const char *service_socket_path(void)
{
	const char *p = getenv("FWP_SOCKET");

	return p && *p ? p : FWPD_DEFAULT_SOCKET;
}

static DWORD service_open(struct fwp_client *c, const FWPM_SESSION0 *session)
{
	return EPT_S_NOT_REGISTERED;
}

static void service_close(struct fwp_client *c)
{
}

const struct transport_ops transport_service = {
	.name = "service",
	.open = service_open,
	.close = service_close,
};
