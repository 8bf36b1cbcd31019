/* random.c - see random.h. Buffers getrandom() output so that drawing an
 * SPI does not cost a system call each time. */
#include "common/random.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char pool[512];
static size_t avail;

static void fill(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		}
	}
}

void fwp_random_bytes(void *buf, size_t len)
{
	unsigned char *out = buf;

	pthread_mutex_lock(&lock);
	while (len) {
		size_t n;

		if (!avail) {
			fill(pool, sizeof(pool));
			avail = sizeof(pool);
		}
		n = len < avail ? len : avail;
		memcpy(out, pool + sizeof(pool) - avail, n);
		/* Used random bytes are not kept around. */
		memset(pool + sizeof(pool) - avail, 0, n);
		avail -= n;
		out += n;
		len -= n;
	}
	pthread_mutex_unlock(&lock);
}

uint32_t fwp_random_u32(void)
{
	uint32_t v;

	fwp_random_bytes(&v, sizeof(v));
	return v;
}
