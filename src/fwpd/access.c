/* access.c - who may do what, from the peer's credentials.
 *
 * Root and members of the service's group (default "fwpd") hold every
 * right; every other local user may open, read, enumerate, subscribe and
 * read statistics. The kernel vouches for the credentials (SO_PEERCRED,
 * SO_PEERGROUPS), so no client can claim another identity.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "fwpd/fwpd.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

static bool in_group(int fd, gid_t primary, gid_t want)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (primary == want)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == want)
			return true;
	return false;
}

uint32_t rights_for_peer(const struct server *srv, int fd, uid_t *uid, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return 0;	/* unknown peer: no right at all */
	*uid = cred.uid;
	*pid = cred.pid;
	if (cred.uid == 0 || (srv->have_group && in_group(fd, cred.gid, srv->group_gid)))
		return ENGINE_RIGHTS_ALL;
	return ENGINE_RIGHTS_READ;
}
