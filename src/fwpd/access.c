/* access.c - who may do what: clients, from the peer's credentials; files,
 * from their owner and mode.
 *
 * Root and members of the service's group (default "fwpd") are privileged
 * clients (connection slots); what any client may do is decided by the
 * engine's security descriptors against the identity read here, whose
 * defaults give root and the group every right and every other local user
 * open, read, enumerate, subscribe and read statistics. The kernel vouches
 * for the credentials (SO_PEERCRED, SO_PEERGROUPS), so no client can claim
 * another identity.
 *
 * fwpd restores persistent filters from its state directory and hands out
 * rights through its socket, so another user who can write there could
 * plant a BLOCK filter or a socket of his own. The rule for files is sshd's
 * StrictModes: the state directory, the socket's directory and the files
 * fwpd reads belong to root or to fwpd's own user and are not writable by
 * group or others; every directory above them likewise, except that a
 * sticky directory (/tmp) may be writable by all, since nobody can rename
 * or remove what is not his there.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/secdesc.h"
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

int token_for_peer(int fd, struct sd_token *t)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[SD_TOKEN_MAX_GROUPS + 1];

	memset(t, 0, sizeof(*t));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return -errno;
	t->uid = cred.uid;
	t->gid = cred.gid;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
		/* ERANGE: more than we keep; the token says so (fail closed) */
		t->truncated = true;
		return errno == ERANGE ? 0 : -errno;
	}
	t->ngroups = (uint32_t)(len / sizeof(gid_t));
	if (t->ngroups > SD_TOKEN_MAX_GROUPS) {
		t->ngroups = SD_TOKEN_MAX_GROUPS;
		t->truncated = true;
	}
	memcpy(t->groups, groups, t->ngroups * sizeof(gid_t));
	return 0;
}

/* ---- files ------------------------------------------------------------- */

static const char *kind_of(mode_t m)
{
	if (S_ISLNK(m))
		return "symbolic link";
	if (S_ISREG(m))
		return "regular file";
	if (S_ISDIR(m))
		return "directory";
	if (S_ISSOCK(m))
		return "socket";
	return "special file";
}

/* Owner root or us, and not writable by group or others (a sticky
 * directory excepted where sticky_ok). */
static int check_owner_mode(const char *path, const struct stat *st, bool sticky_ok)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		fwp_log(FWP_LOG_ERROR, "%s is owned by uid %u, not by root or uid %u: refusing it",
			path, (unsigned)st->st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if ((st->st_mode & 022) && !(sticky_ok && S_ISDIR(st->st_mode) &&
				      (st->st_mode & S_ISVTX))) {
		fwp_log(FWP_LOG_ERROR,
			"%s is writable by %s (mode %04o): refusing it (chmod go-w)", path,
			(st->st_mode & 020) ? "its group" : "others",
			(unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* dir itself strictly, then each directory above it up to "/". */
static int check_dir_chain(const char *dir)
{
	char real[PATH_MAX], *slash;
	struct stat st;
	bool self = true;
	int err;

	if (!realpath(dir, real)) {
		err = -errno;
		fwp_log(FWP_LOG_ERROR, "%s: %s", dir, strerror(errno));
		return err;
	}
	for (;;) {
		if (lstat(real[0] ? real : "/", &st)) {
			err = -errno;
			fwp_log(FWP_LOG_ERROR, "%s: %s", real, strerror(errno));
			return err;
		}
		if (!S_ISDIR(st.st_mode)) {
			fwp_log(FWP_LOG_ERROR, "%s is not a directory", real);
			return -ENOTDIR;
		}
		err = check_owner_mode(real[0] ? real : "/", &st, !self);
		if (err)
			return err;
		self = false;
		if (!real[0])
			return 0;
		slash = strrchr(real, '/');
		*slash = 0;	/* "/a/b" -> "/a" -> "" (the root) */
	}
}

int check_state_dir(const char *dir)
{
	return check_dir_chain(dir);
}

int check_state_file(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISREG(st.st_mode)) {
		fwp_log(FWP_LOG_ERROR, "%s is a %s, not a regular file: refusing it", path,
			kind_of(st.st_mode));
		return -EINVAL;
	}
	return check_owner_mode(path, &st, false);
}

int check_socket_path(const char *path)
{
	char dir[PATH_MAX], *slash;
	struct stat st;
	int err;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = 0;
	else
		*slash = 0;
	err = check_dir_chain(dir);
	if (err)
		return err;
	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		fwp_log(FWP_LOG_ERROR,
			"%s exists and is a %s, not a socket: not replacing it (remove it, or "
			"choose another --socket)", path, kind_of(st.st_mode));
		return -EEXIST;
	}
	return 0;
}
