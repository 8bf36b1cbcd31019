/*
 * uml_xstate.c - lets Debian's UML 6.1 kernel run on hosts with a large
 * XSAVE area (AVX-512, AMX), preloaded into linux.uml by uml-run.sh.
 *
 * UML keeps each guest thread's FPU state in a fixed buffer of
 * sizeof(struct _xstate) (832 bytes: legacy area, header, AVX) and moves
 * it with PTRACE_GETREGSET/SETREGSET(NT_X86_XSTATE). Reading a shorter
 * buffer is allowed, but the host refuses a SETREGSET shorter than its
 * whole XSAVE size with EFAULT, and the guest's first process dies
 * ("userspace - ptrace set fp regs failed, errno = 14").
 *
 * This wrapper of ptrace() keeps, per UML buffer (one per guest thread),
 * a shadow of the whole XSAVE area read at each GETREGSET; a short
 * SETREGSET writes that shadow with UML's bytes over its head. So every
 * component, those past UML's buffer too (AVX-512 registers that glibc's
 * string functions use), follows its guest thread. A buffer without a
 * shadow (a thread's first entry, after fork or exec) takes the host
 * process's current upper state, which no caller relies on there. Calls
 * of the right size and every other request pass through unchanged. UML
 * is single-threaded where it calls ptrace (its kernel), and runs this on
 * its small kernel stacks: hence static buffers, mmap, no locks.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define MAX_XSAVE	(64 * 1024)	/* larger than any x86 XSAVE area */
#define SHADOWS		4096		/* guest threads with a shadow */

typedef long (*ptrace_fn)(int, pid_t, void *, void *);

struct shadow {
	const void *key;	/* UML's buffer */
	unsigned char *area;	/* full_size bytes, mmap'ed */
};

static ptrace_fn real_ptrace;
static size_t full_size;	/* the host's XSAVE size, 0: not known yet */
static unsigned char scratch[MAX_XSAVE];
static struct shadow shadows[SHADOWS];

static long regset(int req, pid_t pid, void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	long r = real_ptrace(req, pid, (void *)NT_X86_XSTATE, &iov);

	if (r == 0 && req == PTRACE_GETREGSET && full_size == 0)
		full_size = iov.iov_len;
	return r;
}

/* shadow_of KEY: the shadow of UML's buffer KEY; a new one if CREATE;
 * NULL when there is none (or no room). Open addressing, never emptied:
 * UML reuses the buffers of finished threads. */
static struct shadow *shadow_of(const void *key, int create)
{
	size_t h = ((uintptr_t)key >> 4) % SHADOWS;

	for (size_t i = 0; i < SHADOWS; i++) {
		struct shadow *s = &shadows[(h + i) % SHADOWS];

		if (s->key == key)
			return s;
		if (s->key != NULL)
			continue;
		if (!create)
			return NULL;
		s->area = mmap(NULL, full_size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (s->area == MAP_FAILED)
			return NULL;
		s->key = key;
		return s;
	}
	return NULL;
}

/* A short GETREGSET: the whole area into the buffer's shadow. */
static long get_short(pid_t pid, struct iovec *iov)
{
	struct shadow *s = shadow_of(iov->iov_base, 1);
	unsigned char *area = s != NULL ? s->area : scratch;
	long r = regset(PTRACE_GETREGSET, pid, area, full_size);

	if (r == 0)
		memcpy(iov->iov_base, area, iov->iov_len);
	return r;
}

/* A short SETREGSET: UML's bytes over the shadow (or over the current
 * state), then the whole area. */
static long set_short(pid_t pid, struct iovec *iov)
{
	struct shadow *s = shadow_of(iov->iov_base, 0);
	unsigned char *area = scratch;

	if (s != NULL) {
		area = s->area;
	} else if (regset(PTRACE_GETREGSET, pid, area, full_size) != 0) {
		return -1;
	}
	memcpy(area, iov->iov_base, iov->iov_len);
	return regset(PTRACE_SETREGSET, pid, area, full_size);
}

long ptrace(enum __ptrace_request req, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;
	struct iovec *iov;

	va_start(ap, req);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	if (real_ptrace == NULL)
		real_ptrace = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
	iov = data;
	if ((req != PTRACE_GETREGSET && req != PTRACE_SETREGSET) ||
	    (uintptr_t)addr != NT_X86_XSTATE || iov == NULL)
		return real_ptrace(req, pid, addr, data);
	if (full_size == 0 &&
	    regset(PTRACE_GETREGSET, pid, scratch, sizeof(scratch)) != 0)
		return -1;
	if (iov->iov_len >= full_size || full_size > MAX_XSAVE)
		return real_ptrace(req, pid, addr, data);
	if (req == PTRACE_GETREGSET)
		return get_short(pid, iov);
	return set_short(pid, iov);
}
