/* test_hooks.c - what fwpd --test-hooks adds for the test suite
 * (docs/protocol.md, "Test hooks").
 *
 * FWPD_OP_TEST_NET_RAISE raises a given net event a given number of times
 * from a thread of its own, as the datapath's packet threads will, so that
 * a test drives the real path end to end: engine, relay, socket, client
 * library, callback. The option is absent from --help and the manual: a
 * client holding the WRITE right could inject events with it.
 *
 * Ownership: the server owns the one raiser; a new request joins the
 * previous raiser first, and test_hooks_fini joins the last before the
 * engine goes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fwpd/fwpd.h"

struct test_raiser {
	pthread_t thread;
	bool running;
	struct engine *engine;
	struct fwp_net_event ev;
	uint32_t n;
};

static void *raise_main(void *arg)
{
	struct test_raiser *t = arg;

	for (uint32_t i = 0; i < t->n; i++)
		engine_net_event_raise(t->engine, &t->ev);
	return NULL;
}

static void join(struct test_raiser *t)
{
	if (t->running)
		pthread_join(t->thread, NULL);
	t->running = false;
}

int test_net_raise(struct server *srv, const struct fwp_net_event *ev, uint32_t n)
{
	struct test_raiser *t = srv->raiser;
	int err;

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		srv->raiser = t;
	}
	join(t);
	t->engine = srv->engine;
	t->ev = *ev;
	t->n = n;
	err = pthread_create(&t->thread, NULL, raise_main, t);
	if (err)
		return -err;
	t->running = true;
	return 0;
}

void test_hooks_fini(struct server *srv)
{
	if (!srv->raiser)
		return;
	join(srv->raiser);
	free(srv->raiser);
	srv->raiser = NULL;
}
