/* service_path.h - where the engine service listens: FWP_SOCKET, else
 * /run/fwpd/fwpd.sock. */
#ifndef FWP_CLIENT_SERVICE_PATH_H
#define FWP_CLIENT_SERVICE_PATH_H

#define FWPD_DEFAULT_SOCKET "/run/fwpd/fwpd.sock"

const char *service_socket_path(void);

#endif
