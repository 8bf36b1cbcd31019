/* instance.c - the datapath's slot in its network namespace and the lock
 * that holds it (instance.h). */
#include "datapath/instance.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

unsigned dp_instance_slot(const char *tun)
{
	uint32_t h = 2166136261u;
	char *end;
	unsigned long n;

	if (!strncmp(tun, "fwp", 3) && tun[3] >= '0' && tun[3] <= '9' &&
	    (tun[3] != '0' || !tun[4])) {
		n = strtoul(tun + 3, &end, 10);
		if (!*end && n < DP_SLOTS)
			return (unsigned)n;
	}
	for (const char *p = tun; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h % DP_SLOTS;
}

void dp_instance_steer(unsigned slot, struct steer_config *c)
{
	steer_config_default(c);
	c->table = STEER_DEFAULT_TABLE + slot;
	c->fwmark = STEER_DEFAULT_FWMARK + 2 * slot;
	c->reroute_mark = c->fwmark + 1;
	c->reroute_priority = DP_REROUTE_PRIORITY;
	c->priority = STEER_DEFAULT_PRIORITY - 2 * slot;
}

unsigned dp_instance_group(unsigned slot)
{
	return DP_GROUP_BASE + slot;
}

/* The lock directory: created if missing, then it must be ours alone (a
 * directory others may write to would let them plant the lock file). */
static int lock_dir(const char *dir, const char **why)
{
	struct stat st;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		*why = "cannot create the lock directory";
		return -errno;
	}
	if (lstat(dir, &st)) {
		*why = "cannot stat the lock directory";
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || (st.st_uid != geteuid() && st.st_uid != 0) ||
	    (st.st_mode & 022)) {
		*why = "the lock directory is not a directory owned by this user or root "
		       "and writable by no one else";
		return -EPERM;
	}
	return 0;
}

/* A refusal's text: it outlives struct dp_instance (the caller frees it
 * before logging). */
static __thread char msg[200];

/* Who holds the slot, from the file's contents. */
static void holder(struct dp_instance *in, int fd, const char *tun)
{
	char buf[64] = "", name[32] = "?";
	long pid = 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n > 0)
		buf[n] = 0;
	if (sscanf(buf, "%31s %ld", name, &pid) < 1)
		snprintf(name, sizeof(name), "?");
	if (in->port)
		snprintf(msg, sizeof(msg),
			 "ESP-in-UDP port %u is served by instance %s (pid %ld) in this network "
			 "namespace: give one of them another --udp-port", in->port, name, pid);
	else if (!strcmp(name, tun))
		snprintf(msg, sizeof(msg),
			 "instance %s already runs in this network namespace (pid %ld)", tun, pid);
	else
		snprintf(msg, sizeof(msg),
			 "slot %u of %s is held by instance %s (pid %ld) in this network "
			 "namespace: give one of them another TUN name", in->slot, tun, name, pid);
}

/* One attempt: 1 locked, 0 the file was replaced under us (again), <0. */
static int try_lock(struct dp_instance *in, const char *tun, const char **why)
{
	struct stat a, b;
	char line[64];
	int fd, n;

	fd = open(in->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		*why = "cannot open the lock file";
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno;

		if (err == EWOULDBLOCK) {
			holder(in, fd, tun);
			*why = msg;
			err = EBUSY;
		} else {
			*why = "cannot lock the lock file";
		}
		close(fd);
		return -err;
	}
	/* The previous holder unlinks the file when it stops: the file we
	 * locked must still be the one at the path. */
	if (fstat(fd, &a) || stat(in->path, &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		return 0;
	}
	n = snprintf(line, sizeof(line), "%s %ld\n", tun, (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, line, (size_t)n, 0) != n) {
		/* Only the refusal message of a later start suffers. */
	}
	in->fd = fd;
	return 1;
}

/* Locks DIR/<kind>-<netns dev>-<netns inode>-<n>.lock for tun. */
static int lock_named(struct dp_instance *in, const char *dir, const char *kind, unsigned n,
		      const char *tun, const char **why)
{
	struct stat ns;
	int err;

	if (!dir)
		dir = DP_LOCK_DIR;
	if (stat("/proc/thread-self/ns/net", &ns)) {
		*why = "cannot identify the network namespace";
		return -errno;
	}
	err = lock_dir(dir, why);
	if (err)
		return err;
	if (snprintf(in->path, sizeof(in->path), "%s/%s-%llx-%llx-%u.lock", dir, kind,
		     (unsigned long long)ns.st_dev, (unsigned long long)ns.st_ino,
		     n) >= (int)sizeof(in->path)) {
		*why = "lock directory name too long";
		return -ENAMETOOLONG;
	}
	for (int i = 0; i < 16; i++) {
		err = try_lock(in, tun, why);
		if (err)
			return err < 0 ? err : 0;
	}
	*why = "the lock file keeps changing";
	return -EAGAIN;
}

int dp_instance_lock(struct dp_instance *in, const char *dir, const char *tun,
		     const char **why)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->slot = dp_instance_slot(tun);
	return lock_named(in, dir, "dp", in->slot, tun, why);
}

int dp_port_lock(struct dp_instance *in, const char *dir, unsigned port, const char *tun,
		 const char **why)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->port = port;
	return lock_named(in, dir, "natt", port, tun, why);
}

void dp_instance_unlock(struct dp_instance *in)
{
	if (in->fd < 0)
		return;
	unlink(in->path);
	close(in->fd);
	in->fd = -1;
}
