/* net_events.c - prints the net events an engine raises, one line each:
 *
 *   net_events [--count N] [--timeout SECONDS]
 *
 * "ready" once subscribed, then per event
 *   classify_drop filter=ID proto=P local=A:PORT remote=A:PORT
 *   ipsec_drop status=0xSTATUS spi=0xSPI dir=in|out filter=ID
 * Exits 0 after N events, 1 on timeout or error. Public API only, so it
 * works against fwpd (FWP_ENGINE=service, FWP_SOCKET) like any client.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fwpmu.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static unsigned seen;

static void addr(char *out, size_t n, const FWPM_NET_EVENT_HEADER1 *h, UINT32 v4)
{
	struct in_addr a = { .s_addr = htonl(v4) };

	if (h->ipVersion == FWP_IP_VERSION_V4)
		inet_ntop(AF_INET, &a, out, (socklen_t)n);
	else
		snprintf(out, n, "v6");
}

static void CALLBACK on_event(void *ctx, const FWPM_NET_EVENT1 *ev)
{
	const FWPM_NET_EVENT_HEADER1 *h = &ev->header;
	char l[64], r[64];

	addr(l, sizeof(l), h, h->localAddrV4);
	addr(r, sizeof(r), h, h->remoteAddrV4);
	pthread_mutex_lock(&lock);
	if (ev->type == FWPM_NET_EVENT_TYPE_CLASSIFY_DROP && ev->classifyDrop)
		printf("classify_drop filter=%llu proto=%u local=%s:%u remote=%s:%u\n",
		       (unsigned long long)ev->classifyDrop->filterId, h->ipProtocol,
		       l, h->localPort, r, h->remotePort);
	else if (ev->type == FWPM_NET_EVENT_TYPE_IPSEC_KERNEL_DROP && ev->ipsecDrop)
		printf("ipsec_drop status=0x%08x spi=0x%08x dir=%s filter=%llu\n",
		       (unsigned)ev->ipsecDrop->failureStatus, (unsigned)ev->ipsecDrop->spi,
		       ev->ipsecDrop->direction == FWP_DIRECTION_INBOUND ? "in" : "out",
		       (unsigned long long)ev->ipsecDrop->filterId);
	else
		printf("event type=%u\n", (unsigned)ev->type);
	fflush(stdout);
	seen++;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

int main(int argc, char **argv)
{
	FWPM_NET_EVENT_SUBSCRIPTION0 sub = { 0 };
	FWPM_NET_EVENT_ENUM_TEMPLATE0 tmpl = { 0 };
	unsigned count = 1, timeout = 10;
	HANDLE engine, events;
	struct timespec until;
	DWORD rc;
	int ret = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--timeout"))
			timeout = (unsigned)atoi(argv[i + 1]);
	}
	rc = FwpmEngineOpen0(NULL, RPC_C_AUTHN_DEFAULT, NULL, NULL, &engine);
	if (rc) {
		fprintf(stderr, "net_events: FwpmEngineOpen0: 0x%08x\n", (unsigned)rc);
		return 1;
	}
	sub.enumTemplate = &tmpl;
	rc = FwpmNetEventSubscribe0(engine, &sub, on_event, NULL, &events);
	if (rc) {
		fprintf(stderr, "net_events: FwpmNetEventSubscribe0: 0x%08x\n", (unsigned)rc);
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout;
	pthread_mutex_lock(&lock);
	while (seen < count)
		if (pthread_cond_timedwait(&cond, &lock, &until)) {
			ret = 1;
			break;
		}
	pthread_mutex_unlock(&lock);
	FwpmNetEventUnsubscribe0(engine, events);
	FwpmEngineClose0(engine);
	return ret;
}
