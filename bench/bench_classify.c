/* SPDX-License-Identifier: MIT */
/*
 * bench_classify.c - udpct_classify() on established flows: raw packet to
 * verdict (parse, checksum, hash, lookup, state machine, refresh,
 * counters), and the cheapest miss, an ICMP error about an unknown flow.
 *
 *   udpct/classify_v4/N          IPv4, uniform popularity, checksum on
 *   udpct/classify_v4_nocsum/N   the same, UDPCT_CFG_NO_CHECKSUM
 *   udpct/classify_v4_acct[_burst]/N  the same, UDPCT_CFG_ACCOUNTING:
 *                                per-flow counters, a second record line
 *   udpct/classify_v4_zipf/N     IPv4, Zipf(0.99) popularity
 *   udpct/classify_v6/N          IPv6, uniform
 *   udpct/classify_v6_zipf/N     IPv6, Zipf(0.99)
 *   udpct/classify_v4_1500/1024  1500-byte IPv4 packets: checksum cost
 *   udpct/classify_v4_1500_nocsum/1024  the same without UDP checksum
 *   udpct/miss_icmp/N            ICMP port unreachable, unknown flow
 *
 *   udpct/classify_v4_burst/N    udpct_classify_burst(), 32 packets a call
 *   udpct/classify_v4_zipf_burst/N  the same, Zipf(0.99)
 *   udpct/classify_v6_burst/N    the same, IPv6, uniform
 *   udpct/scaling_v4/N/threads:T T reader threads (udpct_reader_register,
 *                                quiescent after each burst) classifying
 *                                bursts on one table, each its own half of
 *                                the flows (as RSS spreads flows over
 *                                cores); counter total_pps = the threads'
 *                                summed packets per wall-clock second
 *
 * Single calls: the packets of a batch are independent, so the processor
 * may overlap the cache misses of neighbouring calls as far as its
 * out-of-order window allows; bursts overlap them on purpose (prefetch).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct classify_case {
	const char *name;
	int family;
	uint32_t flags;
	enum bench_dist dist;
	bool burst;
};

static const struct classify_case cases[] = {
	{ "udpct/classify_v4", 4, 0, BENCH_UNIFORM, false },
	{ "udpct/classify_v4_burst", 4, 0, BENCH_UNIFORM, true },
	{ "udpct/classify_v4_nocsum", 4, UDPCT_CFG_NO_CHECKSUM, BENCH_UNIFORM,
	  false },
	{ "udpct/classify_v4_zipf", 4, 0, BENCH_ZIPF, false },
	{ "udpct/classify_v4_zipf_burst", 4, 0, BENCH_ZIPF, true },
	{ "udpct/classify_v4_acct", 4, UDPCT_CFG_ACCOUNTING, BENCH_UNIFORM,
	  false },
	{ "udpct/classify_v4_acct_burst", 4, UDPCT_CFG_ACCOUNTING,
	  BENCH_UNIFORM, true },
	{ "udpct/classify_v6", 6, 0, BENCH_UNIFORM, false },
	{ "udpct/classify_v6_burst", 6, 0, BENCH_UNIFORM, true },
	{ "udpct/classify_v6_zipf", 6, 0, BENCH_ZIPF, false },
};

/* The timed loop; its own symbol so that callgrind can count it. */
__attribute__((noinline)) static uint32_t
classify_batch(struct udpct_table *t, const uint8_t *p, size_t stride,
	       uint32_t len, uint32_t n, uint64_t now_ns,
	       enum udpct_state want)
{
	struct udpct_verdict v;
	uint32_t i, bad = 0;

	for (i = 0; i < n; i++) {
		udpct_classify(t, p + i * stride, len, now_ns, &v);
		bad += v.state != want;
	}
	return bad;
}

/* The same with udpct_classify_burst(), BENCH_BURST packets a call. */
__attribute__((noinline)) static uint32_t
burst_batch(struct udpct_table *t, const uint8_t *p, size_t stride,
	    uint32_t len, uint32_t n, uint64_t now_ns, enum udpct_state want)
{
	struct udpct_burst_item items[BENCH_BURST];
	struct udpct_verdict v[BENCH_BURST];
	uint32_t i, j, bad = 0;

	for (i = 0; i < n; i += BENCH_BURST) {
		for (j = 0; j < BENCH_BURST; j++) {
			items[j].l3 = p + (i + j) * stride;
			items[j].len = len;
			items[j].zone = 0;
		}
		udpct_classify_burst(t, items, BENCH_BURST, now_ns, v);
		for (j = 0; j < BENCH_BURST; j++)
			bad += v[j].state != want;
	}
	return bad;
}

static void
bench_classify(struct cbench_state *s, void *arg)
{
	const struct classify_case *c = arg;
	struct bench_fixture *fx;
	struct udpct_table *t;
	const uint8_t *pk;
	const char *why = "fixture";
	uint32_t pos = 0, bad = 0;

	fx = bench_fixture_get(c->family, (uint32_t)cbench_arg(s, 0), &why);
	t = fx ? bench_fixture_table(fx, c->flags) : NULL;
	pk = t ? bench_fixture_packets(fx, c->dist) : NULL;
	if (!pk) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		bad += (c->burst ? burst_batch : classify_batch)(
			t, pk + (size_t)pos * BENCH_STRIDE, BENCH_STRIDE,
			fx->pkt_len, BENCH_BATCH, fx->now_ns,
			UDPCT_ESTABLISHED);
		fx->now_ns += BENCH_BATCH * BENCH_NS_PER_PKT;
		pos += BENCH_BATCH;
		if (pos == fx->nstream)
			pos = 0;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (bad)
		cbench_skip(s, "a packet was not ESTABLISHED");
}

/* 1500-byte packets over the 1 K-flow IPv4 table. */
#define BIG_PAYLOAD	(1500 - 28)
#define BIG_STRIDE	1536
#define BIG_COUNT	4096

static uint8_t *big_packets;
static uint32_t big_len;

static void
bench_classify_1500(struct cbench_state *s, void *arg)
{
	uint32_t flags = arg ? UDPCT_CFG_NO_CHECKSUM : 0;
	struct bench_fixture *fx;
	struct udpct_table *t;
	const char *why = "fixture";
	uint32_t i, pos = 0, bad = 0;

	fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	t = fx ? bench_fixture_table(fx, flags) : NULL;
	if (t && !big_packets) {
		big_packets = malloc((size_t)BIG_COUNT * BIG_STRIDE);
		for (i = 0; big_packets && i < BIG_COUNT; i++)
			big_len = (uint32_t)bench_pkt_udp(
				big_packets + (size_t)i * BIG_STRIDE,
				&fx->tuples[fx->order[i]], fx->dir[i],
				BIG_PAYLOAD);
	}
	if (!t || !big_packets) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		bad += classify_batch(t, big_packets + (size_t)pos * BIG_STRIDE,
				      BIG_STRIDE, big_len, BENCH_BATCH,
				      fx->now_ns, UDPCT_ESTABLISHED);
		fx->now_ns += BENCH_BATCH * BENCH_NS_PER_PKT;
		pos = (pos + BENCH_BATCH) % BIG_COUNT;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	cbench_set_bytes_processed(s,
				   (int64_t)(cbench_iterations(s) * big_len));
	if (bad)
		cbench_skip(s, "a packet was not ESTABLISHED");
}

/* ICMP errors quoting flows that were never seen: INVALID. */
#define MISS_COUNT	65536
#define MISS_ID0	0x800000u	/* ids above every fixture flow */

static uint8_t *icmp_packets;
static uint32_t icmp_len;

static void
bench_miss_icmp(struct cbench_state *s, void *arg)
{
	struct udpct_verdict v;
	struct udpct_tuple tu;
	struct bench_fixture *fx;
	struct udpct_table *t;
	const char *why = "fixture";
	uint32_t i, pos = 0, bad = 0;

	(void)arg;
	fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	t = fx ? bench_fixture_table(fx, 0) : NULL;
	if (t && !icmp_packets) {
		icmp_packets = malloc((size_t)MISS_COUNT * BENCH_STRIDE);
		for (i = 0; icmp_packets && i < MISS_COUNT; i++) {
			bench_tuple(&tu, 4, MISS_ID0 + i);
			icmp_len = (uint32_t)bench_pkt_icmp4_unreach(
				icmp_packets + (size_t)i * BENCH_STRIDE, &tu);
		}
	}
	if (!t || !icmp_packets) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	udpct_classify(t, icmp_packets, icmp_len, fx->now_ns, &v);
	if (v.reason != UDPCT_REASON_ICMP_UNKNOWN_FLOW) {
		cbench_skip(s, "the ICMP error is not icmp_unknown_flow");
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		bad += classify_batch(t, icmp_packets +
					      (size_t)pos * BENCH_STRIDE,
				      BENCH_STRIDE, icmp_len, BENCH_BATCH,
				      fx->now_ns, UDPCT_INVALID);
		pos = (pos + BENCH_BATCH) % MISS_COUNT;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (bad)
		cbench_skip(s, "an ICMP error was not INVALID");
}

/*
 * Scaling: the fixture and the per-thread packet lists (kept with the
 * fixture) are built once, under a lock, by whichever thread comes first.
 */
static pthread_mutex_t scaling_lock = PTHREAD_MUTEX_INITIALIZER;

struct scaling_lists {
	struct udpct_burst_item *items[2];	/* flows of even, odd id */
	uint32_t count[2];
};

static void
scaling_free(void *p)
{
	struct scaling_lists *sl = p;

	free(sl->items[0]);
	free(sl->items[1]);
	free(sl);
}

static const char *
scaling_setup(uint32_t nflows, struct bench_fixture **fxp,
	      struct udpct_table **tp, struct scaling_lists **slp)
{
	struct scaling_lists *sl;
	struct bench_fixture *fx;
	const char *why = "fixture";
	const uint8_t *pk;
	uint32_t i, k;

	fx = bench_fixture_get(4, nflows, &why);
	*tp = fx ? bench_fixture_table(fx, 0) : NULL;
	pk = *tp ? bench_fixture_packets(fx, BENCH_UNIFORM) : NULL;
	if (!pk)
		return fx && fx->error ? fx->error : why;
	*fxp = fx;
	*slp = sl = bench_fixture_ext(fx, scaling_free);
	if (sl)
		return NULL;
	sl = calloc(1, sizeof(*sl));
	for (k = 0; sl && k < 2; k++) {
		sl->items[k] = malloc((size_t)fx->nstream *
				      sizeof(**sl->items));
		if (!sl->items[k]) {
			scaling_free(sl);
			sl = NULL;
		}
	}
	if (!sl)
		return "out of memory";
	for (i = 0; i < fx->nstream; i++) {
		k = fx->order[i] & 1;
		sl->items[k][sl->count[k]].zone = 0;
		sl->items[k][sl->count[k]].l3 = pk + (size_t)i * BENCH_STRIDE;
		sl->items[k][sl->count[k]++].len = fx->pkt_len;
	}
	/* Whole batches only. */
	for (k = 0; k < 2; k++)
		sl->count[k] -= sl->count[k] % BENCH_BATCH;
	bench_fixture_ext_set(fx, scaling_free, sl, scaling_free);
	*slp = sl;
	return NULL;
}

static void
bench_scaling(struct cbench_state *s, void *arg)
{
	struct udpct_verdict v[BENCH_BURST];
	struct scaling_lists *sl = NULL;
	struct bench_fixture *fx = NULL;
	struct udpct_reader *r = NULL;
	struct udpct_table *t = NULL;
	const struct udpct_burst_item *it;
	uint32_t k = (uint32_t)cbench_thread_index(s) & 1, pos = 0, bad = 0;
	uint32_t i, j;
	uint64_t t0, ns, now;
	const char *why;
	bool go;

	(void)arg;
	pthread_mutex_lock(&scaling_lock);
	why = scaling_setup((uint32_t)cbench_arg(s, 0), &fx, &t, &sl);
	if (!why && udpct_reader_register(t, &r) < 0)
		why = "udpct_reader_register failed";
	now = why ? 0 : fx->now_ns;
	pthread_mutex_unlock(&scaling_lock);
	if (why) {
		cbench_skip(s, why);
		return;
	}
	it = sl->items[k];
	/* The first call waits for all threads (Google Benchmark barrier). */
	go = cbench_keep_running_batch(s, BENCH_BATCH);
	t0 = bench_mono_ns();
	while (go) {
		for (i = 0; i < BENCH_BATCH; i += BENCH_BURST) {
			udpct_classify_burst(t, it + pos + i, BENCH_BURST, now,
					     v);
			for (j = 0; j < BENCH_BURST; j++)
				bad += v[j].state != UDPCT_ESTABLISHED;
			udpct_reader_quiescent(r);
		}
		now += BENCH_BATCH * BENCH_NS_PER_PKT;
		pos += BENCH_BATCH;
		if (pos == sl->count[k])
			pos = 0;
		go = cbench_keep_running_batch(s, BENCH_BATCH);
	}
	ns = bench_mono_ns() - t0;
	pthread_mutex_lock(&scaling_lock);
	udpct_reader_unregister(r);
	pthread_mutex_unlock(&scaling_lock);
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	/* Summed over the threads by Google Benchmark. */
	cbench_set_counter(s, "total_pps",
			   ns ? (double)cbench_iterations(s) * 1e9 / (double)ns
			      : 0, 0);
	if (bad)
		cbench_skip(s, "a packet was not ESTABLISHED");
}

void
bench_classify_register(int64_t flows, int family)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].family == family)
			bench_add(cases[i].name, bench_classify,
				  (void *)&cases[i], flows);
	if (family != 4)
		return;
	if (flows == 1024) {
		bench_add("udpct/classify_v4_1500", bench_classify_1500, NULL,
			  flows);
		bench_add("udpct/classify_v4_1500_nocsum", bench_classify_1500,
			  (void *)1, flows);
	}
	bench_add("udpct/miss_icmp", bench_miss_icmp, NULL, flows);
	cbench_set_threads(cbench_arg_add(cbench_register("udpct/scaling_v4",
							  bench_scaling, NULL),
					  flows), 1);
	cbench_set_threads(cbench_arg_add(cbench_register("udpct/scaling_v4",
							  bench_scaling, NULL),
					  flows), 2);
}
