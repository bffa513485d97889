/* SPDX-License-Identifier: MIT */
/*
 * Stress test of the concurrency contract (udpct/reader.h): reader threads
 * classify pinned flows and never-inserted keys while an inserter churns
 * new flows through a small table (constant early drop and slot reuse) and
 * an expirer advances the clock and reaps.  Two inserters walk the same
 * keys in the same order, so their commits of one new flow race (a clash).  A plain program, not a
 * Criterion test: Criterion's runner aborts under ThreadSanitizer.
 *
 * Checked, per verdict: a pinned flow (ASSURED, so never early-dropped, and
 * refreshed by the readers, so never expired) is found, ESTABLISHED, in the
 * right direction, and its flow snapshot carries its own tuple (no torn or
 * recycled record); a key never inserted is never found.  At the end the
 * books balance: flows committed = live + expired + evicted.
 *
 * Usage: stress_readers [seconds] [readers]
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

#define PINNED		32
#define CHURN_KEYS	4096
#define CAPACITY	256
#define MS		1000000ull

static struct udpct_table *table;
static _Atomic uint64_t vclock;		/* virtual time, ns */
static atomic_bool stop;
static _Atomic uint64_t failures, checked, evicted_cb;

static void
tuple_of(struct udpct_tuple *t, uint32_t range, uint32_t key)
{
	/* Ranges are disjoint client subnets: pinned, churn, never. */
	uint32_t client = htonl(0xc0000200u | range);	/* 192.0.2.x */
	uint32_t server = htonl(0xcb007101u);		/* 203.0.113.1 */

	udpct_tuple_set_v4(t, client, (uint16_t)(1024 + key), server, 53, 0);
}

static void
fail(const char *what, uint32_t key)
{
	atomic_fetch_add(&failures, 1);
	if (atomic_load(&failures) < 10)
		fprintf(stderr, "FAIL: %s (key %u)\n", what, key);
}

static void
check_pinned(uint32_t key, bool reply)
{
	struct udpct_tuple t, r;
	struct udpct_flow_info info;
	struct udpct_verdict v;

	tuple_of(&t, 1, key);
	udpct_tuple_invert(&r, &t);
	udpct_classify_tuple(table, reply ? &r : &t, 60,
			     atomic_load_explicit(&vclock,
						  memory_order_relaxed), &v);
	atomic_fetch_add_explicit(&checked, 1, memory_order_relaxed);
	if (v.state != UDPCT_ESTABLISHED || !v.flow) {
		fail("pinned flow not ESTABLISHED", key);
		return;
	}
	if (v.dir != (reply ? UDPCT_DIR_REPLY : UDPCT_DIR_ORIGINAL))
		fail("pinned flow in the wrong direction", key);
	if (udpct_flow_get_info(table, v.flow, &info) ||
	    !udpct_tuple_equal(&info.tuple, &t))
		fail("pinned flow record carries another tuple", key);
}

static void
check_never(uint32_t key)
{
	struct udpct_tuple t;
	struct udpct_verdict v;

	tuple_of(&t, 3, key);
	udpct_classify_tuple(table, &t, 60,
			     atomic_load_explicit(&vclock,
						  memory_order_relaxed), &v);
	if (v.flow || (v.state != UDPCT_NEW && v.state != UDPCT_INVALID))
		fail("never-inserted key was found", key);
}

static void *
reader(void *arg)
{
	struct udpct_reader *r;
	unsigned seed = (unsigned)(uintptr_t)arg;
	uint32_t i = 0;

	if (udpct_reader_register(table, &r)) {
		fail("reader_register", 0);
		return NULL;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		check_pinned((uint32_t)rand_r(&seed) % PINNED, i & 1);
		if ((i & 15) == 0)
			check_never((uint32_t)rand_r(&seed) % CHURN_KEYS);
		if ((++i & 7) == 0)
			udpct_reader_quiescent(r);
	}
	udpct_reader_unregister(r);
	return NULL;
}

static void *
inserter(void *arg)
{
	struct udpct_reader *r;
	struct udpct_tuple t, rt;
	struct udpct_verdict v;
	unsigned seed = (unsigned)(uintptr_t)arg;
	uint32_t key;

	udpct_reader_register(table, &r);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		key = (uint32_t)rand_r(&seed) % CHURN_KEYS;
		tuple_of(&t, 2, key);
		if (rand_r(&seed) & 1)
			udpct_tuple_invert(&rt, &t), t = rt;
		udpct_classify_tuple(table, &t, 60, atomic_load(&vclock), &v);
		if (udpct_commit(table, &v) == 0 && v.flow &&
		    v.state == UDPCT_NEW) {
			struct udpct_flow_info info;

			if (udpct_flow_get_info(table, v.flow, &info) ||
			    (!udpct_tuple_equal(&info.tuple, &t) &&
			     !(udpct_tuple_invert(&rt, &t),
			       udpct_tuple_equal(&info.tuple, &rt))))
				fail("committed flow carries another tuple",
				     key);
		}
		udpct_reader_quiescent(r);
	}
	udpct_reader_unregister(r);
	return NULL;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The clock follows real time, so a descheduled reader loses no flow. */
static void *
expirer(void *arg)
{
	uint64_t base = atomic_load(&vclock), t0 = mono_ns(), now;
	struct timespec ms = { 0, 200000 };

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		now = base + (mono_ns() - t0);
		atomic_store(&vclock, now);
		if (udpct_table_advance(table, now, 64, NULL, NULL) < 0)
			fail("advance", 0);
		nanosleep(&ms, NULL);
	}
	return NULL;
}

static void
on_evict(void *arg, const struct udpct_flow_info *info, void *ud)
{
	(void)arg;
	(void)ud;
	/* Pinned flows are ASSURED: early drop must never pick them. */
	if (info->tuple.saddr[0] == 192 && info->tuple.saddr[3] == 1)
		fail("pinned flow evicted", info->tuple.sport);
	atomic_fetch_add(&evicted_cb, 1);
}

static int
setup_pinned(void)
{
	struct udpct_tuple t, r;
	struct udpct_verdict v;
	uint32_t k;

	for (k = 0; k < PINNED; k++) {
		tuple_of(&t, 1, k);
		udpct_tuple_invert(&r, &t);
		udpct_classify_tuple(table, &t, 60, 0, &v);
		if (udpct_commit(table, &v))
			return -1;
	}
	/* A reply, then traffic every 20 ms until 2.1 s: ASSURED. */
	for (uint64_t ms = 1; ms <= 2101; ms += 20) {
		for (k = 0; k < PINNED; k++) {
			tuple_of(&t, 1, k);
			udpct_tuple_invert(&r, &t);
			udpct_classify_tuple(table, ms == 1 ? &r : &t, 60,
					     ms * MS, &v);
		}
	}
	for (k = 0; k < PINNED; k++) {
		tuple_of(&t, 1, k);
		udpct_classify_tuple(table, &t, 60, 2101 * MS, &v);
		if (!(v.status & UDPCT_STATUS_ASSURED))
			return -1;
	}
	atomic_store(&vclock, 2101 * MS);
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	int nreaders = argc > 2 ? atoi(argv[2]) : 3, i;
	pthread_t th[66];
	struct udpct_config cfg;
	struct udpct_stats st;
	struct timespec ts;

	udpct_config_init(&cfg);
	cfg.capacity = CAPACITY;
	cfg.evict_fn = on_evict;
	/* Counters on: readers then write both lines of a record. */
	cfg.flags = UDPCT_CFG_ACCOUNTING;
	/* Churn flows die within 50 ms; pinned (ASSURED) ones last 60 s. */
	cfg.udp_timeout_ns = 50 * MS;
	cfg.udp_timeout_stream_ns = 60000 * MS;
	if (nreaders < 1 || nreaders > 60 || udpct_table_new(&cfg, &table) ||
	    setup_pinned()) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	for (i = 0; i < nreaders; i++)
		pthread_create(&th[i], NULL, reader, (void *)(uintptr_t)(i + 1));
	/* Two inserters on one key space: racing commits must clash. */
	pthread_create(&th[nreaders], NULL, inserter, (void *)(uintptr_t)7);
	pthread_create(&th[nreaders + 1], NULL, inserter, (void *)(uintptr_t)7);
	pthread_create(&th[nreaders + 2], NULL, expirer, NULL);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
	atomic_store(&stop, true);
	for (i = 0; i < nreaders + 3; i++)
		pthread_join(th[i], NULL);

	udpct_table_get_stats(table, &st);
	printf("readers=%d checked=%llu inserted=%llu live=%llu expired=%llu "
	       "early_drop=%llu clash=%llu table_full=%llu\n", nreaders,
	       (unsigned long long)checked, (unsigned long long)st.inserted,
	       (unsigned long long)st.live, (unsigned long long)st.expired,
	       (unsigned long long)st.early_drop, (unsigned long long)st.clash,
	       (unsigned long long)st.table_full);
	if (st.inserted != st.live + st.expired + st.early_drop)
		fail("books do not balance", 0);
	if (st.early_drop + st.expired < 1 || checked < 1000)
		fail("too little churn to prove anything", 0);
	udpct_table_free(table);
	if (failures) {
		fprintf(stderr, "%llu failures\n",
			(unsigned long long)failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
