/* winsock2.h - the socket names strongSwan's kernel-wfp plugin uses, for
 * Linux: Windows' typedefs of the BSD structures and its error value. */
#ifndef FWP_SHIM_WINSOCK2_H
#define FWP_SHIM_WINSOCK2_H

#include <netinet/in.h>
#include <sys/socket.h>

typedef struct sockaddr_in SOCKADDR_IN;
typedef struct sockaddr_in6 SOCKADDR_IN6;

#ifndef SOCKET_ERROR
#define SOCKET_ERROR (-1)
#endif

#endif
