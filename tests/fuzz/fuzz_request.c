/* fuzz_request.c - the daemon's request path on hostile input: one
 * datagram goes through msg_parse, the schema decoder and the engine, as
 * fwpd does with what a client sends. The session is open (so every
 * operation is reachable) and holds every right. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwpd/fwpd.h"
#include "wire/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct server srv;
static struct conn conn;

static void setup(void)
{
	struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

	srv.opt.max_queued_bytes = 1u << 20;
	srv.opt.max_subscriptions = 64;
	srv.opt.max_enums = 64;
	srv.txbuf = malloc(FWPD_MSG_MAX);
	engine_create(NULL, &srv.engine);
	conn.srv = &srv;
	conn.fd = -1;
	conn.rights = ENGINE_RIGHTS_ALL;
	engine_session_open(srv.engine, NULL, &cred, NULL, &conn.session);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int runs;
	uint8_t *copy;

	if (!srv.engine)
		setup();
	if (size > FWPD_MSG_MAX)
		return 0;
	/* The daemon receives into an aligned buffer. */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (!handle_request(&conn, copy, size)) {
		/* A protocol error ends the connection: start a new session. */
		struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

		engine_session_close(conn.session);
		conn.nsubs = conn.nenums = 0;
		engine_session_open(srv.engine, NULL, &cred, NULL, &conn.session);
	}
	free(copy);
	drain();
	/* Keep the engine small so that runs stay fast. */
	if (++runs % 1000 == 0) {
		struct session_cred cred = { .rights = ENGINE_RIGHTS_ALL };

		engine_session_close(conn.session);
		engine_destroy(srv.engine);
		engine_create(NULL, &srv.engine);
		conn.nsubs = conn.nenums = 0;
		engine_session_open(srv.engine, NULL, &cred, NULL, &conn.session);
	}
	return 0;
}
