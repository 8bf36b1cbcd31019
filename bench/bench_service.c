/* bench_service.c - the engine service against its physics, in one run.
 *
 * Interleaved rounds (medians of ROUNDS) of:
 *   - a raw SOCK_SEQPACKET ping-pong between two processes with the
 *     message sizes of an Update0 call (the ceiling for one call in flight);
 *   - Update0/s through fwpd with one client and with 16 clients, with p50
 *     and p99 latency for one client;
 *   - life cycles/s (Create1, SetSpi0, AddInbound0, AddOutbound0,
 *     DeleteById0) with one and with 16 clients;
 * then the daemon's RSS per idle SA context with 1M contexts (made by 16
 * clients). Needs FWPD_BIN (the daemon) in the environment. Prints a table
 * and writes JSON (--out FILE).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fwpmu.h>

#include "harness.h"
#include "service_util.h"

#define ROUNDS 3
#define SECONDS 2.0
#define CLIENTS 16

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Raw ping-pong: 120-byte request, 24-byte reply, one in flight. */
static double pingpong(void)
{
	int sv[2];
	pid_t pid;
	char req[120], rep[24];
	long n = 0;
	double t0, t;

	memset(req, 1, sizeof(req));
	memset(rep, 2, sizeof(rep));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		return 0;
	pid = fork();
	if (pid == 0) {
		char b[256];

		close(sv[0]);
		while (recv(sv[1], b, sizeof(b), 0) > 0)
			if (send(sv[1], rep, sizeof(rep), 0) < 0)
				break;
		_exit(0);
	}
	close(sv[1]);
	t0 = now_s();
	do {
		for (int i = 0; i < 256; i++, n++) {
			char b[256];

			if (send(sv[0], req, sizeof(req), 0) < 0 || recv(sv[0], b, sizeof(b), 0) <= 0)
				break;
		}
		t = now_s();
	} while (t - t0 < SECONDS);
	close(sv[0]);
	waitpid(pid, NULL, 0);
	return n / (t - t0);
}

/* The same with 16 client threads and one epoll echo process: the ceiling
 * for 16 clients with one call in flight each. */
static atomic_bool pp_stop;
static atomic_long pp_total;

static void *pp_client(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char req[120], b[256];
	long n = 0;

	memset(req, 1, sizeof(req));
	while (!atomic_load(&pp_stop)) {
		if (send(fd, req, sizeof(req), 0) < 0 || recv(fd, b, sizeof(b), 0) <= 0)
			break;
		n++;
	}
	atomic_fetch_add(&pp_total, n);
	return NULL;
}

static double pingpong16(void)
{
	int sv[16][2];
	pthread_t t[16];
	pid_t pid;
	double t0, t1;

	for (int i = 0; i < 16; i++)
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv[i]))
			return 0;
	pid = fork();
	if (pid == 0) {
		int ep = epoll_create1(0);
		char b[256], rep[24];
		struct epoll_event ev[64];

		memset(rep, 2, sizeof(rep));
		for (int i = 0; i < 16; i++) {
			struct epoll_event e = { .events = EPOLLIN, .data.fd = sv[i][1] };

			close(sv[i][0]);
			epoll_ctl(ep, EPOLL_CTL_ADD, sv[i][1], &e);
		}
		for (;;) {
			int n = epoll_wait(ep, ev, 64, -1);

			for (int i = 0; i < n; i++) {
				if (recv(ev[i].data.fd, b, sizeof(b), MSG_DONTWAIT) <= 0)
					_exit(0);
				send(ev[i].data.fd, rep, sizeof(rep), 0);
			}
		}
	}
	atomic_store(&pp_stop, false);
	atomic_store(&pp_total, 0);
	for (int i = 0; i < 16; i++) {
		close(sv[i][1]);
		pthread_create(&t[i], NULL, pp_client, (void *)(intptr_t)sv[i][0]);
	}
	t0 = now_s();
	while (now_s() - t0 < SECONDS)
		usleep(10000);
	atomic_store(&pp_stop, true);
	for (int i = 0; i < 16; i++)
		pthread_join(t[i], NULL);
	t1 = now_s();
	for (int i = 0; i < 16; i++)
		close(sv[i][0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return atomic_load(&pp_total) / (t1 - t0);
}

struct worker {
	pthread_t th;
	HANDLE h;
	UINT64 id;
	UINT32 spi_base;
	int mode;		/* 0 update, 1 life cycle */
	long ops;
	double *lat;		/* per-op latency samples (mode 0, client 0) */
	long nlat, cap;
	DWORD err;
};

static atomic_bool go, stop;

static void *work(void *arg)
{
	struct worker *w = arg;
	IPSEC_SA_DETAILS1 in, out;
	IPSEC_V4_UDP_ENCAPSULATION0 encap = { 4500, 4500 };
	IPSEC_SA_CONTEXT1 ctx = { w->id, &in, &out };
	UINT32 spi = w->spi_base;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.udpEncapsulation = out.udpEncapsulation = &encap;
	while (!atomic_load(&go))
		;
	while (!atomic_load(&stop)) {
		double t0 = w->lat ? now_s() : 0;
		DWORD rc;

		if (w->mode == 0) {
			encap.remoteUdpEncapPort = (UINT16)(4500 + (w->ops & 1023));
			rc = IPsecSaContextUpdate0(w->h, IPSEC_SA_DETAILS_UPDATE_UDP_ENCAPSULATION,
						   &ctx);
		} else {
			UINT64 id;

			rc = make_context(w->h, spi++, &id);
			if (!rc)
				rc = IPsecSaContextDeleteById0(w->h, id);
		}
		if (rc) {
			w->err = rc;
			break;
		}
		if (w->lat && w->nlat < w->cap)
			w->lat[w->nlat++] = now_s() - t0;
		w->ops++;
	}
	return NULL;
}

static double run(struct worker *w, int n, int mode, double *p50, double *p99)
{
	long total = 0;
	double t0;

	atomic_store(&go, false);
	atomic_store(&stop, false);
	for (int i = 0; i < n; i++) {
		w[i].mode = mode;
		w[i].ops = 0;
		w[i].nlat = 0;
		pthread_create(&w[i].th, NULL, work, &w[i]);
	}
	t0 = now_s();
	atomic_store(&go, true);
	while (now_s() - t0 < SECONDS)
		usleep(10000);
	atomic_store(&stop, true);
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].th, NULL);
		if (w[i].err) {
			fprintf(stderr, "bench: call failed: 0x%08x\n", (unsigned)w[i].err);
			exit(1);
		}
		total += w[i].ops;
	}
	if (p50 && w[0].nlat) {
		qsort(w[0].lat, (size_t)w[0].nlat, sizeof(double), cmp_double);
		*p50 = w[0].lat[w[0].nlat / 2] * 1e6;
		*p99 = w[0].lat[w[0].nlat * 99 / 100] * 1e6;
	}
	return total / (now_s() - t0);
}

struct maker {
	pthread_t th;
	HANDLE h;
	UINT32 base;
	long n;
	DWORD err;
};

static void *make_many(void *arg)
{
	struct maker *m = arg;

	for (long i = 0; i < m->n; i++) {
		UINT64 id;
		DWORD rc = make_context(m->h, m->base + (UINT32)i, &id);

		if (rc) {
			m->err = rc;
			break;
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	long total_ctx = 1000000;
	struct fwpd_proc d;
	struct worker w[CLIENTS];
	struct maker mk[CLIENTS];
	double pp16[ROUNDS], pp[ROUNDS], u1[ROUNDS], u16[ROUNDS], l1[ROUNDS], l16[ROUNDS];
	double p50[ROUNDS], p99[ROUNDS];
	long rss0, rss1;
	double per_ctx;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--contexts") && i + 1 < argc)
			total_ctx = atol(argv[++i]);
	}
	signal(SIGPIPE, SIG_IGN);
	if (fwpd_start(&d, NULL)) {
		fprintf(stderr, "bench: cannot start fwpd (set FWPD_BIN)\n");
		return 1;
	}
	memset(w, 0, sizeof(w));
	for (int i = 0; i < CLIENTS; i++) {
		if (open_engine(&w[i].h) || make_context(w[i].h, 0x100000u * (i + 1), &w[i].id)) {
			fprintf(stderr, "bench: setup failed\n");
			return 1;
		}
		w[i].spi_base = 0x100000u * (i + 1) + 0x10;
	}
	w[0].cap = 4000000;
	w[0].lat = malloc(sizeof(double) * (size_t)w[0].cap);
	for (int r = 0; r < ROUNDS; r++) {
		pp[r] = pingpong();
		u1[r] = run(w, 1, 0, &p50[r], &p99[r]);
		pp16[r] = pingpong16();
		u16[r] = run(w, CLIENTS, 0, NULL, NULL);
		l1[r] = run(w, 1, 1, NULL, NULL);
		l16[r] = run(w, CLIENTS, 1, NULL, NULL);
		for (int i = 0; i < CLIENTS; i++)
			w[i].spi_base += 0x8000;
	}

	/* Memory: 1M idle contexts made by 16 clients. */
	rss0 = fwpd_rss_kib(&d);
	memset(mk, 0, sizeof(mk));
	for (int i = 0; i < CLIENTS; i++) {
		mk[i].h = w[i].h;
		mk[i].base = 0x40000000u + (UINT32)i * 0x100000u;
		mk[i].n = total_ctx / CLIENTS;
		pthread_create(&mk[i].th, NULL, make_many, &mk[i]);
	}
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(mk[i].th, NULL);
		if (mk[i].err) {
			fprintf(stderr, "bench: making contexts failed: 0x%08x\n",
				(unsigned)mk[i].err);
			return 1;
		}
	}
	rss1 = fwpd_rss_kib(&d);
	per_ctx = (rss1 - rss0) * 1024.0 / (double)(total_ctx / CLIENTS * CLIENTS);

	printf("engine service over SOCK_SEQPACKET (%d interleaved rounds, medians)\n", ROUNDS);
	printf("  %-36s %12.0f /s\n", "raw ping-pong (120 B / 24 B)", median(pp, ROUNDS));
	printf("  %-36s %12.0f /s  (%.0f%% of ping-pong)\n", "Update0, 1 client",
	       median(u1, ROUNDS), 100 * median(u1, ROUNDS) / median(pp, ROUNDS));
	printf("  %-36s %12.1f us / %.1f us\n", "Update0 latency p50 / p99, 1 client",
	       median(p50, ROUNDS), median(p99, ROUNDS));
	printf("  %-36s %12.0f /s\n", "raw ping-pong, 16 clients, epoll echo", median(pp16, ROUNDS));
	printf("  %-36s %12.0f /s  (%.0f%% of 16-client ping-pong)\n", "Update0, 16 clients",
	       median(u16, ROUNDS), 100 * median(u16, ROUNDS) / median(pp16, ROUNDS));
	printf("  %-36s %12.0f /s\n", "life cycles, 1 client", median(l1, ROUNDS));
	printf("  %-36s %12.0f /s\n", "life cycles, 16 clients", median(l16, ROUNDS));
	printf("  %-36s %12.0f B   (%ld contexts)\n", "daemon RSS per idle context",
	       per_ctx, total_ctx / CLIENTS * CLIENTS);
	printf("targets: 1 client >= 70%% of ping-pong; 16 clients >= 150k Update0/s; "
	       "<= 1536 B per idle context\n");
	if (out) {
		FILE *f = fopen(out, "w");

		if (!f) {
			fprintf(stderr, "bench: %s: %s\n", out, strerror(errno));
		} else {
			fprintf(f, "{\"bench\":\"service\",\"rounds\":%d,\"pingpong_per_s\":%.0f,"
				"\"update_1_per_s\":%.0f,\"update_p50_us\":%.1f,"
				"\"update_p99_us\":%.1f,\"pingpong_16_per_s\":%.0f,\"update_16_per_s\":%.0f,"
				"\"lifecycles_1_per_s\":%.0f,\"lifecycles_16_per_s\":%.0f,"
				"\"rss_bytes_per_idle_context\":%.0f,\"contexts\":%ld}\n",
				ROUNDS, median(pp, ROUNDS), median(u1, ROUNDS), median(p50, ROUNDS),
				median(p99, ROUNDS), median(pp16, ROUNDS), median(u16, ROUNDS),
				median(l1, ROUNDS),
				median(l16, ROUNDS), per_ctx, total_ctx / CLIENTS * CLIENTS);
			fclose(f);
		}
	}
	for (int i = 0; i < CLIENTS; i++)
		FwpmEngineClose0(w[i].h);
	fwpd_stop(&d, SIGKILL);
	fwpd_cleanup(&d);
	return 0;
}
