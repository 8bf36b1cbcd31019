/* xfrm_adopt.c - the socket that decapsulates an SA's ESP in UDP: an IKE
 * daemon's, or one of the backend's own held only while SAs need it.
 *
 * The kernel decapsulates ESP in UDP only on a socket with the
 * UDP_ENCAP_ESPINUDP option, on the port the peer sends to. An IKE daemon
 * shares that port with IKE (RFC 3948) and binds it when it starts; the
 * backend must not take it first, or the daemon's NAT-T breaks (the engine
 * usually starts before the daemon). So the backend holds no socket at
 * start. When an SA with UDP encapsulation is installed or updated:
 *
 * - a socket already bound to its local port (an IKE daemon's) gets the
 *   option. Most daemons set it themselves; strongSwan's kernel-wfp does
 *   not: on Windows the system decapsulates, so its enable_udp_decap
 *   answers "not supported", and ESP in UDP would be handed to charon as
 *   an ordinary datagram and dropped. The socket is found in
 *   /proc/net/udp and udp6 (its inode), then among the processes'
 *   descriptors, duplicated with pidfd_getfd(2) and set. Only a socket
 *   owned by root (the owner column): an unprivileged program that took
 *   the port gets nothing from us. The option changes nothing for the
 *   daemon's IKE (the non-ESP marker keeps IKE for the socket). The inode
 *   last done is remembered per family, so a daemon's restart (a new
 *   socket) is noticed and done again.
 * - when nobody holds the port and it is cfg.udp_port (--udp-port, 4500
 *   by default; 0: never), the backend binds a socket of its own there, in
 *   the SA's family, and closes it when the last SA in UDP on that port
 *   and family goes (removed, or updated out of UDP): the port is free
 *   again for a daemon that starts later. A daemon that starts while such
 *   an SA lives finds the port taken; the kernel gives no word of a bind
 *   that failed, so the backend cannot yield it then (and SO_REUSEPORT
 *   would split the flows between the two sockets).
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
#ifndef IPV6_XFRM_POLICY
#define IPV6_XFRM_POLICY 35
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

/* A socket holds port in family fam (0: IPv4, 1: IPv6): true, and it has
 * the option when it is root's and we could set it; false: nobody. */
static bool adopt_family(struct xfrm *x, int fam, const char *file, uint16_t port)
{
	unsigned uid = 0;
	unsigned long inode = udp_inode(file, port, &uid);
	pid_t pid;
	int fd, err;

	if (!inode)
		return false;
	if (inode == x->adopted[fam])
		return true;
	if (uid != 0) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: UDP port %u belongs to uid %u, not "
			"root: ESP in UDP to it is not decapsulated", (unsigned)port, uid);
		x->adopted[fam] = inode;
		return true;
	}
	if (!inode_owner(inode, &pid, &fd))
		return true;	/* it went while we looked */
	err = set_encap(pid, fd, port);
	if (err) {
		fwp_log(FWP_LOG_WARN, "datapath xfrm: cannot set ESP-in-UDP decapsulation "
			"on process %ld's socket on UDP port %u: %s", (long)pid,
			(unsigned)port, strerror(-err));
		return true;
	}
	x->adopted[fam] = inode;
	fwp_log(FWP_LOG_INFO, "datapath xfrm: ESP in UDP on port %u decapsulated through "
		"process %ld's socket (%s)", (unsigned)port, (long)pid, file + 10);
	return true;
}

static bool own_port(const struct xfrm *x, int fam, uint16_t port)
{
	return x->natt_fd[fam] >= 0 && port == x->cfg.udp_port;
}

/* The sockets on local port port that are not ours get the option; the
 * families (bit 0: IPv4, bit 1: IPv6) where a socket, ours or not, holds
 * the port. x->lock held. */
unsigned xadopt_port(struct xfrm *x, uint16_t port)
{
	static const char *const file[2] = { "/proc/net/udp", "/proc/net/udp6" };
	unsigned held = 0;

	if (!port)
		return 0;
	for (int fam = 0; fam < 2; fam++)
		if (own_port(x, fam, port) || adopt_family(x, fam, file[fam], port))
			held |= 1u << fam;
	return held;
}

/* ---- the backend's own socket, while SAs need it ---- */

/* A socket on cfg.udp_port in family fam with the option, and a
 * per-socket policy bypass both ways (or the ESP policies would apply to
 * the datagrams before decapsulation). Bound without SO_REUSEADDR or
 * SO_REUSEPORT: -EADDRINUSE when another program holds the port. */
static int natt_bind(struct xfrm *x, int fam)
{
	int af = fam ? AF_INET6 : AF_INET, level = fam ? IPPROTO_IPV6 : IPPROTO_IP;
	int opt = fam ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
	int fd, err, on = 1, encap = UDP_ENCAP_ESPINUDP;
	struct xfrm_userpolicy_info pol;
	struct sockaddr_storage ss;
	socklen_t len;

	fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	memset(&pol, 0, sizeof(pol));
	pol.action = XFRM_POLICY_ALLOW;
	pol.sel.family = af;
	pol.dir = XFRM_POLICY_IN;
	if (setsockopt(fd, level, opt, &pol, sizeof(pol)))
		goto fail;
	pol.dir = XFRM_POLICY_OUT;
	if (setsockopt(fd, level, opt, &pol, sizeof(pol)))
		goto fail;
	/* IPv6 only: an IPv4 holder of the port is another family's. */
	if (fam && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)))
		goto fail;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = af;
	if (fam) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(x->cfg.udp_port);
		len = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(x->cfg.udp_port);
		len = sizeof(struct sockaddr_in);
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		goto fail;
	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &encap, sizeof(encap)))
		goto fail;
	x->natt_fd[fam] = fd;
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

void xnatt_need(struct xfrm *x, uint16_t family, uint16_t port)
{
	int fam = family == AF_INET6;
	int err = 0;

	if (!port)
		return;
	if (port == x->cfg.udp_port && x->natt_fd[fam] < 0) {
		err = natt_bind(x, fam);
		if (!err)
			fwp_log(FWP_LOG_INFO, "datapath xfrm: UDP port %u (%s) held for ESP "
				"in UDP while SAs use it", (unsigned)port, fam ? "IPv6" : "IPv4");
		else if (err != -EADDRINUSE)
			fwp_log(FWP_LOG_WARN, "datapath xfrm: cannot open an ESP-in-UDP socket "
				"on UDP port %u: %s", (unsigned)port, strerror(-err));
	}
	if (xadopt_port(x, port) & (1u << fam)) {
		x->natt_unheld[fam] = 0;
		return;
	}
	if (x->natt_unheld[fam] == port)
		return;		/* said once, not at every SA */
	x->natt_unheld[fam] = port;
	fwp_log(FWP_LOG_WARN, "datapath xfrm: no socket on UDP port %u (%s): ESP in UDP "
		"to it is not decapsulated (fwpd opens its own only on --udp-port, now %u)",
		(unsigned)port, fam ? "IPv6" : "IPv4", (unsigned)x->cfg.udp_port);
}

static bool natt_used(const struct xfrm *x, int fam)
{
	for (const struct xsa *s = x->sas; s; s = s->next)
		if (s->encap.on && s->encap.sport == x->cfg.udp_port &&
		    (s->family == AF_INET6) == fam)
			return true;
	return false;
}

void xnatt_release(struct xfrm *x)
{
	for (int fam = 0; fam < 2; fam++) {
		if (x->natt_fd[fam] < 0 || natt_used(x, fam))
			continue;
		close(x->natt_fd[fam]);
		x->natt_fd[fam] = -1;
		fwp_log(FWP_LOG_INFO, "datapath xfrm: UDP port %u (%s) released: no SA in "
			"UDP on it", (unsigned)x->cfg.udp_port, fam ? "IPv6" : "IPv4");
	}
}

void xnatt_close(struct xfrm *x)
{
	for (int fam = 0; fam < 2; fam++) {
		if (x->natt_fd[fam] >= 0)
			close(x->natt_fd[fam]);
		x->natt_fd[fam] = -1;
	}
}
