/* SPDX-License-Identifier: MIT */
/*
 * bench_insert.c - new flows.
 *
 *   udpct/insert/N    udpct_classify() of the first packet of an unknown
 *                     IPv4 flow (parse, checksum, hash, lookup miss: NEW)
 *                     then udpct_commit() (clash check, pool, index
 *                     insert, record init, timer arm): a firewall that
 *                     accepts every new flow
 *   udpct/miss_new/N  udpct_classify() alone of such packets: the tentative
 *                     NEW verdict of a flow the caller then drops
 *
 * The table has capacity N and index geometry of the fixture's.  It holds
 * N - K ASSURED flows; a round inserts K new flows (timed), taking it to N,
 * then expires them (not timed), K = N/8 within [512, 131072].  New flows
 * get a 4 s unreplied timeout (the warm-up's 3 s rule must not kill the
 * others first) and the others a 3-year stream timeout, so that one
 * advance 4 s later removes exactly the K.  Each round reuses the K packets
 * and the K records just freed (the pool is LIFO, as in steady state where
 * a new flow takes the slot of one that expired moments before); the index
 * buckets of the new keys are random, hence cold at 1 M flows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define NEW_ID0		0x800000u	/* above every warmed flow id */
#define MISS_ID0	0xc00000u
#define MISS_COUNT	65536
#define NEW_TIMEOUT	(4000ull * 1000 * 1000)
#define BASE_TIMEOUT	(100000000ull * 1000 * 1000 * 1000) /* 3 years */
#define TICK_NS		(1ull << 22)

struct insert_fx {
	uint32_t n, k;
	uint32_t pkt_len;
	uint64_t now_ns;
	struct udpct_table *t;
	uint8_t *new_pkts;	/* k packets of unknown flows */
	uint8_t *miss_pkts;	/* MISS_COUNT more */
};

static struct insert_fx ifx;

static void
insert_fx_free(void)
{
	udpct_table_free(ifx.t);
	free(ifx.new_pkts);
	free(ifx.miss_pkts);
	memset(&ifx, 0, sizeof(ifx));
}

static const char *
insert_fx_get(uint32_t n)
{
	struct udpct_tuple tu;
	uint32_t i;

	bench_cache_claim(insert_fx_free);
	if (ifx.t && ifx.n == n)
		return NULL;
	insert_fx_free();
	ifx.n = n;
	ifx.k = n / 8 < 512 ? 512 : n / 8 > 131072 ? 131072 : n / 8;
	ifx.now_ns = 1000 * 1000 * 1000ull;
	ifx.t = bench_table_new(n, 0, NEW_TIMEOUT, BASE_TIMEOUT);
	ifx.new_pkts = malloc((size_t)ifx.k * BENCH_STRIDE);
	ifx.miss_pkts = malloc((size_t)MISS_COUNT * BENCH_STRIDE);
	if (!ifx.t || !ifx.new_pkts || !ifx.miss_pkts) {
		insert_fx_free();
		return "out of memory";
	}
	for (i = 0; i < ifx.k; i++) {
		bench_tuple(&tu, 4, NEW_ID0 + i);
		ifx.pkt_len = (uint32_t)bench_pkt_udp(
			ifx.new_pkts + (size_t)i * BENCH_STRIDE, &tu, false,
			BENCH_PAYLOAD);
	}
	for (i = 0; i < MISS_COUNT; i++) {
		bench_tuple(&tu, 4, MISS_ID0 + i);
		bench_pkt_udp(ifx.miss_pkts + (size_t)i * BENCH_STRIDE, &tu,
			      false, BENCH_PAYLOAD);
	}
	if (bench_warm(ifx.t, 4, 0, n - ifx.k, ifx.now_ns, NULL) < 0) {
		insert_fx_free();
		return "warm-up: unexpected verdict";
	}
	ifx.now_ns += 4 * 1000 * 1000 * 1000ull;
	return NULL;
}

/* @return the number of commits refused with -ENOSPC, or > n on error. */
__attribute__((noinline)) static uint32_t
insert_batch(struct udpct_table *t, const uint8_t *p, uint32_t len,
	     uint32_t n, uint64_t now_ns)
{
	struct udpct_verdict v;
	uint32_t i, failed = 0;
	int err;

	for (i = 0; i < n; i++) {
		udpct_classify(t, p + (size_t)i * BENCH_STRIDE, len, now_ns,
			       &v);
		if (v.state != UDPCT_NEW)
			return n + 1;
		err = udpct_commit(t, &v);
		failed += err == -ENOSPC;
		if (err < 0 && err != -ENOSPC)
			return n + 1;
	}
	return failed;
}

static void
bench_insert(struct cbench_state *s, void *arg)
{
	const char *why = insert_fx_get((uint32_t)cbench_arg(s, 0));
	struct udpct_stats st0, st1;
	uint64_t lost = 0, evicted;
	uint32_t bad = 0, failed;
	int expired;

	(void)arg;
	if (why) {
		cbench_skip(s, why);
		return;
	}
	udpct_table_get_stats(ifx.t, &st0);
	while (cbench_keep_running_batch(s, ifx.k)) {
		failed = insert_batch(ifx.t, ifx.new_pkts, ifx.pkt_len, ifx.k,
				      ifx.now_ns);
		cbench_pause(s);
		bad += failed > ifx.k;
		lost += failed;
		/* New flows that a later new flow evicted from full buckets. */
		udpct_table_get_stats(ifx.t, &st1);
		evicted = st1.early_drop - st0.early_drop;
		ifx.now_ns += NEW_TIMEOUT + 2 * TICK_NS;
		expired = udpct_table_advance(ifx.t, ifx.now_ns, 0, NULL, NULL);
		bad += (uint64_t)expired + evicted != ifx.k - failed;
		lost += evicted;
		st0 = st1;
		cbench_resume(s);
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	cbench_set_counter(s, "batch", ifx.k, 0);
	/*
	 * New flows refused, or evicted by another new flow, although the
	 * pool had room (index overflow).
	 */
	cbench_set_counter(s, "insert_failed_pct",
			   100.0 * (double)lost / (double)cbench_iterations(s),
			   0);
	if (bad)
		cbench_skip(s, "an insert failed or a flow did not expire");
}

__attribute__((noinline)) static uint32_t
miss_batch(struct udpct_table *t, const uint8_t *p, uint32_t len,
	   uint32_t n, uint64_t now_ns)
{
	struct udpct_verdict v;
	uint32_t i, bad = 0;

	for (i = 0; i < n; i++) {
		udpct_classify(t, p + (size_t)i * BENCH_STRIDE, len, now_ns,
			       &v);
		bad += v.state != UDPCT_NEW;
	}
	return bad;
}

static void
bench_miss_new(struct cbench_state *s, void *arg)
{
	const char *why = insert_fx_get((uint32_t)cbench_arg(s, 0));
	uint32_t pos = 0, bad = 0;

	(void)arg;
	if (why) {
		cbench_skip(s, why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		bad += miss_batch(ifx.t,
				  ifx.miss_pkts + (size_t)pos * BENCH_STRIDE,
				  ifx.pkt_len, BENCH_BATCH, ifx.now_ns);
		pos = (pos + BENCH_BATCH) % MISS_COUNT;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (bad)
		cbench_skip(s, "a packet was not NEW");
}

void
bench_insert_register(int64_t flows)
{
	bench_add("udpct/insert", bench_insert, NULL, flows);
	bench_add("udpct/miss_new", bench_miss_new, NULL, flows);
}
