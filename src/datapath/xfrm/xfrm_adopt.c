/* xfrm_adopt.c - ESP in UDP through an IKE daemon's own socket.
 *
 * The kernel decapsulates ESP in UDP only on a socket with the
 * UDP_ENCAP_ESPINUDP option, on the port the peer sends to. When an IKE
 * daemon owns that port (it shares it with IKE, RFC 3948), the socket is
 * the daemon's, and most daemons set the option themselves. strongSwan's
 * kernel-wfp does not: on Windows the system decapsulates, so its
 * enable_udp_decap answers "not supported", and ESP in UDP reaching the
 * host would be handed to charon as an ordinary datagram and dropped.
 *
 * So when an SA with UDP encapsulation is installed or updated and the
 * backend has no socket of its own on its local port, the socket bound to
 * that port in this namespace gets the option: found in /proc/net/udp and
 * udp6 (its inode), then among the processes' descriptors, duplicated with
 * pidfd_getfd(2) and set. Only a socket owned by root (the owner column):
 * an unprivileged program that took the port gets nothing from us. The
 * option on a daemon's socket changes nothing for its IKE (the non-ESP
 * marker keeps IKE for the socket). The inode last done is remembered per
 * family, so a daemon's restart (a new socket) is noticed and done again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "common/log.h"
#include "datapath/xfrm/xfrm_internal.h"

#ifndef UDP_ENCAP
#define UDP_ENCAP 100
#endif
#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

/* The inode and owner of the unconnected UDP socket on local port port in
 * file (/proc/net/udp or udp6); 0 when none. */
static unsigned long udp_inode(const char *file, uint16_t port, unsigned *uid)
{
	char line[512];
	unsigned long inode = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned lport, st, u;
		unsigned long ino;

		if (sscanf(line, " %*u: %63[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %u %*d %lu",
			   local, &lport, &st, &u, &ino) != 5)
			continue;
		if (lport == port && st == 7 /* TCP_CLOSE: unconnected */) {
			inode = ino;
			*uid = u;
		}
	}
	fclose(f);
	return inode;
}

/* The process and descriptor that hold socket inode; false when none. */
static bool inode_owner(unsigned long inode, pid_t *pid, int *fd)
{
	char want[64], path[528], link[64];	/* path: two names of a dirent */
	DIR *proc = opendir("/proc");
	struct dirent *p;
	bool found = false;

	if (!proc)
		return false;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (!found && (p = readdir(proc))) {
		DIR *fds;
		struct dirent *d;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while (!found && (d = readdir(fds))) {
			ssize_t n;

			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, d->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (!strcmp(link, want)) {
				*pid = (pid_t)atol(p->d_name);
				*fd = atoi(d->d_name);
				found = true;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

/* Sets the option on descriptor fd of process pid, which must still be a
 * socket on port. 0 / -errno. */
static int set_encap(pid_t pid, int fd, uint16_t port)
{
	int encap = UDP_ENCAP_ESPINUDP, err = 0;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int pfd, sfd;

	pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return -errno;
	sfd = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	if (sfd < 0) {
		err = -errno;
		close(pfd);
		return err;
	}
	if (getsockname(sfd, (struct sockaddr *)&ss, &len))
		err = -errno;
	else if (ntohs(((struct sockaddr_in *)&ss)->sin_port) != port)
		err = -ESTALE;	/* the descriptor changed under us */
	else if (setsockopt(sfd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		err = -errno;
	close(sfd);
	close(pfd);
	return err;
}

static void adopt_family(struct xfrm *x, int fam, const char *file, uint16_t port)
{
	unsigned uid = 0;
	unsigned long inode = udp_inode(file, port, &uid);
	pid_t pid;
	int fd, err;

	if (!inode || inode == x->adopted[fam])
		return;
	if (uid != 0) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: UDP port %u belongs to uid %u, not "
			"root: ESP in UDP to it is not decapsulated", (unsigned)port, uid);
		x->adopted[fam] = inode;
		return;
	}
	if (!inode_owner(inode, &pid, &fd))
		return;
	err = set_encap(pid, fd, port);
	if (err) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: cannot set ESP-in-UDP decapsulation "
			"on process %ld's socket on UDP port %u: %s", (long)pid,
			(unsigned)port, strerror(-err));
		return;
	}
	x->adopted[fam] = inode;
	fwp_log(FWP_LOG_INFO, "datapath xfrm: ESP in UDP on port %u decapsulated through "
		"process %ld's socket (%s)", (unsigned)port, (long)pid, file + 10);
}

/* An SA with ESP in UDP on local port port: the socket that receives it
 * decapsulates. x->lock held. */
void xadopt_port(struct xfrm *x, uint16_t port)
{
	if (!port || (x->natt_fd >= 0 && port == x->cfg.udp_port))
		return;
	adopt_family(x, 0, "/proc/net/udp", port);
	adopt_family(x, 1, "/proc/net/udp6", port);
}
