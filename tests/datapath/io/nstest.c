/* nstest.c - private network namespaces for the datapath I/O tests. */
#include "nstest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include "datapath/rtnl.h"

static int current_ns(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		perror("open /proc/thread-self/ns/net");
		abort();
	}
	return fd;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(path);
		close(fd);
	}
}

static void lo_up(void)
{
	struct rtnl r;
	int ret = rtnl_open(&r);

	if (ret == 0)
		ret = rtnl_link_set(&r, (int)if_nametoindex("lo"), 0, 0, true);
	rtnl_close(&r);
	if (ret < 0) {
		fprintf(stderr, "lo up: %s\n", strerror(-ret));
		abort();
	}
}

int nstest_enter_private(const char *test_name, int need_tun)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWNET) < 0) {
		int err = errno;

		/* Not root: a user namespace of our own gives the network
		 * capabilities inside it, where the kernel allows that. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
			printf("SKIP %s: cannot create a network namespace "
			       "(%s; as uid %u: %s); run as root\n", test_name,
			       strerror(err), (unsigned)uid, strerror(errno));
			exit(NSTEST_SKIP);
		}
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		write_file("/proc/self/gid_map", map);
	}
	if (need_tun && access("/dev/net/tun", R_OK | W_OK) < 0) {
		printf("SKIP %s: /dev/net/tun: %s\n", test_name,
		       strerror(errno));
		exit(NSTEST_SKIP);
	}
	lo_up();
	return current_ns();
}

int nstest_new_ns(void)
{
	int home = current_ns(), ns;

	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare");
		abort();
	}
	lo_up();
	ns = current_ns();
	nstest_enter(home);
	close(home);
	return ns;
}

void nstest_enter(int ns)
{
	if (setns(ns, CLONE_NEWNET) < 0) {
		perror("setns");
		abort();
	}
}

int nstest_parse(const char *s, void *addr, unsigned *prefixlen)
{
	char buf[64], *slash;
	int family;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*prefixlen = 0;
	if (slash) {
		*slash = '\0';
		*prefixlen = (unsigned)atoi(slash + 1);
	}
	family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, buf, addr) != 1)
		return -1;
	if (!slash)
		*prefixlen = family == AF_INET6 ? 128 : 32;
	return family;
}

static int add_addrs(const char *ifname, const char *a4, const char *a6)
{
	const char *addrs[2] = { a4, a6 };
	unsigned char addr[16];
	unsigned plen;
	struct rtnl r;
	int ret, i, fam;

	ret = rtnl_open(&r);
	if (ret < 0)
		return ret;
	ret = rtnl_link_set(&r, (int)if_nametoindex(ifname), 0, 0, true);
	for (i = 0; i < 2 && ret == 0; i++) {
		if (!addrs[i])
			continue;
		fam = nstest_parse(addrs[i], addr, &plen);
		if (fam < 0) {
			ret = -EINVAL;
			break;
		}
		ret = rtnl_addr_add(&r, (int)if_nametoindex(ifname), fam, addr,
				    plen);
	}
	rtnl_close(&r);
	return ret;
}

int nstest_veth(const char *name_a, const char *addr4_a, const char *addr6_a,
		int peer_ns, const char *name_b, const char *addr4_b,
		const char *addr6_b)
{
	char buf[512];
	struct rtnl r;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *linkinfo, *data, *peer;
	int ret, home;

	ret = rtnl_open(&r);
	if (ret < 0)
		return ret;
	nlh = rtnl_msg(&r, buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name_a);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name_b);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_ns);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	ret = rtnl_request(&r, nlh);
	rtnl_close(&r);
	if (ret < 0)
		return ret;
	ret = add_addrs(name_a, addr4_a, addr6_a);
	if (ret < 0)
		return ret;
	home = current_ns();
	nstest_enter(peer_ns);
	ret = add_addrs(name_b, addr4_b, addr6_b);
	nstest_enter(home);
	close(home);
	return ret;
}

int nstest_sh(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	size_t n = 0;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (n + 1 < cap && !feof(f)) {
		size_t got = fread(out + n, 1, cap - 1 - n, f);

		if (got == 0)
			break;
		n += got;
	}
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
