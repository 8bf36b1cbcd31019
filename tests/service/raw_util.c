/* raw_util.c - see raw_util.h. */
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "raw_util.h"
#include "wire/message.h"

int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct timeval tv = { .tv_sec = 5 };

	if (fd < 0)
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

long raw_result(int fd)
{
	static unsigned char buf[FWPD_MSG_MAX + 1];
	struct msg_attrs m;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		if (msg_parse(buf, (size_t)n, &m))
			return -2;
		if (m.nlh->nlmsg_type == FWPD_MSG_REPLY)
			return msg_u32(&m, FWPD_A_RESULT, 0xFFFFFFFF);
	}
}

int raw_open(const char *path)
{
	unsigned char buf[256];
	struct nlmsghdr *nlh = msg_start(buf, FWPD_OP_OPEN, 1);
	int fd = raw_connect(path);

	msg_put_u32(nlh, FWPD_A_VERSION, FWPD_PROTOCOL_VERSION);
	if (fd < 0)
		return -1;
	if (send(fd, nlh, nlh->nlmsg_len, 0) < 0 || raw_result(fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}
