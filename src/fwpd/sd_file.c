/* sd_file.c - the engine's and the IPsec SA database's security
 * descriptors across restarts, in <state dir>/security.
 *
 * The file holds both, whole: the magic "FWPSD1\0\0", then for the engine
 * and then the SA database a little-endian u32 length and that many bytes
 * of self-relative descriptor, and nothing after. It is replaced, never
 * edited: a temporary file (O_EXCL, 0600) written and fsync'd, renamed over
 * the old one, the directory fsync'd, before the Set call returns.
 *
 * At start-up it is read under the rules of every state file (access.c:
 * ours, not writable by others) and parsed as strictly as a client's
 * descriptor. A file that is there but does not read stops fwpd: the
 * restrictions it held would otherwise silently become the defaults.
 * Delete it to return to the default descriptors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/secdesc.h"
#include "fwpd/fwpd.h"

static const char magic[8] = "FWPSD1";

#define FILE_MAX (sizeof(magic) + 2 * (4 + SD_MAX_LEN))

static void path_of(const struct server *srv, char *buf, size_t size, const char *suffix)
{
	snprintf(buf, size, "%s/security%s", srv->opt.state_dir, suffix);
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int put_sd(int fd, const void *sd, size_t len)
{
	uint8_t n[4] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
			 (uint8_t)(len >> 24) };
	int err = write_all(fd, n, sizeof(n));

	return err ? err : write_all(fd, sd, len);
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);	/* best effort, as the store does */
		close(fd);
	}
}

static int sd_file_write(void *arg, const void *engine_sd, size_t engine_len,
			 const void *sadb_sd, size_t sadb_len)
{
	struct server *srv = arg;
	char tmp[4096], path[4096];
	int fd, err;

	path_of(srv, tmp, sizeof(tmp), ".new");
	path_of(srv, path, sizeof(path), "");
	unlink(tmp);	/* left by a crash between write and rename */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	err = write_all(fd, magic, sizeof(magic));
	if (!err)
		err = put_sd(fd, engine_sd, engine_len);
	if (!err)
		err = put_sd(fd, sadb_sd, sadb_len);
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		fwp_log(FWP_LOG_ERROR, "%s: %s", path, strerror(-err));
		return err;
	}
	sync_dir(srv->opt.state_dir);
	return 0;
}

const struct sd_store_ops sd_file_ops = { .write = sd_file_write };

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Splits buf into the two descriptors and hands them to the engine. */
static int restore(struct server *srv, const uint8_t *buf, size_t len)
{
	static const int targets[2] = { ENGINE_SD_ENGINE, ENGINE_SD_SADB };
	size_t off = sizeof(magic);

	if (len < off || memcmp(buf, magic, sizeof(magic)))
		return -EINVAL;
	for (int i = 0; i < 2; i++) {
		uint32_t n;

		if (len - off < 4)
			return -EINVAL;
		n = get32(buf + off);
		off += 4;
		if (n > len - off ||
		    engine_sd_restore(srv->engine, targets[i], buf + off, n) != ERROR_SUCCESS)
			return -EINVAL;
		off += n;
	}
	return off == len ? 0 : -EINVAL;
}

int sd_file_load(struct server *srv)
{
	uint8_t *buf = NULL;
	char path[4096];
	ssize_t n;
	int fd, err;

	path_of(srv, path, sizeof(path), "");
	err = check_state_file(path);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	buf = malloc(FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, FILE_MAX + 1);	/* one read: the file is small */
	err = n < 0 ? -errno : restore(srv, buf, (size_t)n);
	close(fd);
	free(buf);
	if (err)
		fwp_log(FWP_LOG_ERROR, "%s: %s: not reading the security descriptors "
			"it holds (remove it to return to the defaults)", path,
			err == -EINVAL ? "malformed" : strerror(-err));
	return err;
}
