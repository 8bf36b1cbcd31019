/* fuzz_request.c - the daemon's request path on hostile input: datagrams
 * go through msg_parse, the schema decoder and the engine, as fwpd does
 * with what a client sends. The session is open (so every operation is
 * reachable) and holds every right.
 *
 * An input is a sequence of datagrams, each as long as its header's
 * nlmsg_len says (the next one starts 4-aligned); when a header's length
 * does not fit what is left, the rest of the input is the last datagram
 * as it is. So one input can walk an SA context through Create, SetSpi,
 * Add and Update, and a single message is still one datagram. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "fwpd/fwpd.h"
#include "wire/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct server srv;
static struct conn conn;

static void open_session(void)
{
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

	conn.nsubs = conn.nenums = 0;
	engine_session_open(srv.engine, NULL, &cred, NULL, &conn.session);
}

static void setup(void)
{
	srv.opt.max_queued_bytes = 1u << 20;
	srv.opt.max_subscriptions = 64;
	srv.opt.max_enums = 64;
	srv.txbuf = malloc(FWPD_MSG_MAX);
	engine_create(NULL, &srv.engine);
	conn.srv = &srv;
	conn.fd = -1;
	conn.rights = ENGINE_RIGHTS_ALL;
	open_session();
}

static void drain(void)
{
	while (conn.out_head) {
		struct out_msg *n = conn.out_head->next;

		free(conn.out_head);
		conn.out_head = n;
	}
	conn.out_tail = NULL;
	conn.queued_bytes = 0;
}

/* Runs one datagram as fwpd would. */
static void one(const uint8_t *data, size_t size)
{
	/* The daemon receives into an aligned buffer. */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	if (!handle_request(&conn, copy, size)) {
		/* A protocol error ends the connection: start a new session. */
		engine_session_close(conn.session);
		open_session();
	}
	free(copy);
	drain();
}

/* NLMSG_ALIGN computes in 32 bits: 0xffffffff would align to 0. */
static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Length of the next datagram of the input. */
static size_t next_len(const uint8_t *data, size_t size)
{
	struct nlmsghdr h;

	if (size < sizeof(h))
		return size;
	memcpy(&h, data, sizeof(h));
	if (h.nlmsg_len < sizeof(h) || align4(h.nlmsg_len) > size)
		return size;
	return h.nlmsg_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int runs;

	if (!srv.engine)
		setup();
	if (size > 4 * FWPD_MSG_MAX)
		return 0;
	while (size > 0) {
		size_t len = next_len(data, size);
		size_t step = align4(len) < size ? align4(len) : size;

		if (len <= FWPD_MSG_MAX + 1)
			one(data, len);
		data += step;
		size -= step;
	}
	/* The engine lives across inputs (a new one costs more than most
	 * inputs) and is renewed often to stay small. What it holds is not
	 * freed per input, so the fuzz runs use -detect_leaks=0; leaks are
	 * found by the ASan build's replay of the seeds and regressions. */
	if (++runs % 1000 == 0) {
		engine_session_close(conn.session);
		engine_destroy(srv.engine);
		engine_create(NULL, &srv.engine);
		open_session();
	}
	return 0;
}
