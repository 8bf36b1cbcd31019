/* nstest.h - private network namespaces for the datapath I/O tests.
 *
 * A test process moves itself into a fresh network namespace before its
 * first test (nstest_enter_private); every namespace, device, route and rule
 * it makes there dies with the process, even when it crashes or is killed,
 * so there is nothing to clean up on the host. Without the right to do so
 * (not root, no unprivileged user namespaces) it prints why and exits 77,
 * which CTest reports as a skip.
 *
 * Threads: namespace switches (setns) apply to the calling thread only;
 * threads started afterwards inherit the namespace of their creator.
 */
#ifndef FWP_TESTS_DATAPATH_NSTEST_H
#define FWP_TESTS_DATAPATH_NSTEST_H

#include <stddef.h>

#define NSTEST_SKIP 77

/* Enters a new network namespace (also a user namespace when not root and
 * the kernel allows it) and brings its loopback up; exits 77 when
 * impossible, or when need_tun and /dev/net/tun cannot be opened. Returns
 * a descriptor of the new namespace. */
int nstest_enter_private(const char *test_name, int need_tun);

/* Creates another namespace with its loopback up and returns its
 * descriptor; the calling thread stays where it was. */
int nstest_new_ns(void);

/* Switches the calling thread to the namespace ns. Aborts on failure. */
void nstest_enter(int ns);

/* Creates a veth pair: name_a in the current namespace, name_b in peer_ns,
 * both up, with the IPv4 address (dotted, with /len) and the IPv6 one
 * given (either may be NULL). Returns 0 or -errno. */
int nstest_veth(const char *name_a, const char *addr4_a, const char *addr6_a,
		int peer_ns, const char *name_b, const char *addr4_b,
		const char *addr6_b);

/* Runs a shell command in the current namespace (of the calling thread)
 * and returns its standard output (NUL-terminated, in out) and exit
 * status. */
int nstest_sh(char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parses "a.b.c.d/len" or "x::y/len" into addr (4 or 16 bytes), returns
 * the family or -1. */
int nstest_parse(const char *s, void *addr, unsigned *prefixlen);

#endif
