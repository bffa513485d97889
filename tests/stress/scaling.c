/* SPDX-License-Identifier: MIT */
/*
 * scaling: reader throughput against one table, with or without a writer
 * that inserts and expires flows meanwhile (docs/concurrency.md).  A
 * measurement, not a test: it prints packets per second.
 *
 * Usage: scaling READERS [--writer] [SECONDS]
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <udpct/udpct.h>

#define FLOWS	65536
#define SEC	1000000000ull

static struct udpct_table *table;
static atomic_bool stop;
static _Atomic uint64_t vclock;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* Readers' flows in 192.0.2.0/24-style space, writer's in another. */
static void
tuple_of(struct udpct_tuple *t, uint32_t k, uint32_t range)
{
	udpct_tuple_set_v4(t, htonl(0xc0000000u | range << 16 | k >> 8),
			   (uint16_t)(1024 + (k & 255)), htonl(0xcb007101u),
			   53, 0);
}

static void *
reader(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	struct udpct_reader *r;
	struct udpct_tuple t;
	struct udpct_verdict v;
	uint64_t n = 0;
	int i;

	if (udpct_reader_register(table, &r))
		abort();
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (i = 0; i < 64; i++) {
			tuple_of(&t, (uint32_t)rand_r(&seed) % FLOWS, 1);
			udpct_classify_tuple(table, &t, 60,
					     atomic_load_explicit(&vclock,
						memory_order_relaxed), &v);
			if (v.state != UDPCT_ESTABLISHED)
				abort();
		}
		n += 64;
		udpct_reader_quiescent(r);
	}
	udpct_reader_unregister(r);
	return (void *)(uintptr_t)n;
}

/* A new flow per round; the clock moves 50 ms every 256 rounds. */
static void *
writer(void *arg)
{
	struct udpct_reader *r;
	struct udpct_tuple t;
	struct udpct_verdict v;
	uint64_t k = 0;

	(void)arg;
	if (udpct_reader_register(table, &r))
		abort();
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		tuple_of(&t, (uint32_t)(k++ % 60000), 2);
		udpct_classify_tuple(table, &t, 60, atomic_load(&vclock), &v);
		udpct_commit(table, &v);
		udpct_reader_quiescent(r);
		if ((k & 255) == 0)
			udpct_table_advance(table,
					    atomic_fetch_add(&vclock, SEC / 20),
					    1024, NULL, NULL);
	}
	udpct_reader_unregister(r);
	return NULL;
}

/* Readers' flows: replied and older than 2 s, so ASSURED for an hour. */
static void
warm(void)
{
	struct udpct_tuple t, rt;
	struct udpct_verdict v;
	uint64_t ms;
	uint32_t k;

	for (k = 0; k < FLOWS; k++) {
		tuple_of(&t, k, 1);
		udpct_tuple_invert(&rt, &t);
		udpct_classify_tuple(table, &t, 60, 0, &v);
		udpct_commit(table, &v);
		udpct_classify_tuple(table, &rt, 60, 1, &v);
	}
	for (ms = 500; ms <= 2500; ms += 500)
		for (k = 0; k < FLOWS; k++) {
			tuple_of(&t, k, 1);
			udpct_classify_tuple(table, &t, 60, ms * 1000000, &v);
		}
	atomic_store(&vclock, 2500 * 1000000ull);
}

int
main(int argc, char **argv)
{
	int nr = argc > 1 ? atoi(argv[1]) : 1, i;
	bool with_writer = argc > 2 && strcmp(argv[2], "--writer") == 0;
	double secs = argc > 2 + with_writer ? atof(argv[2 + with_writer]) : 2;
	struct timespec ts = { (time_t)secs, 0 };
	struct udpct_config cfg;
	pthread_t th[16], w;
	uint64_t total = 0, t0;
	void *ret;

	if (nr < 1 || nr > 16)
		return 2;
	udpct_config_init(&cfg);
	cfg.capacity = 1u << 18;
	cfg.udp_timeout_ns = SEC;
	cfg.udp_timeout_stream_ns = 3600 * SEC;
	if (udpct_table_new(&cfg, &table))
		return 1;
	warm();
	t0 = mono_ns();
	for (i = 0; i < nr; i++)
		pthread_create(&th[i], NULL, reader, (void *)(uintptr_t)(i + 1));
	if (with_writer)
		pthread_create(&w, NULL, writer, NULL);
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < nr; i++) {
		pthread_join(th[i], &ret);
		total += (uintptr_t)ret;
	}
	if (with_writer)
		pthread_join(w, NULL);
	printf("readers=%d writer=%s: %.2f Mpps\n", nr,
	       with_writer ? "yes" : "no",
	       (double)total / ((double)(mono_ns() - t0) / 1e9) / 1e6);
	udpct_table_free(table);
	return 0;
}
