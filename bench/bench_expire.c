/* SPDX-License-Identifier: MIT */
/*
 * bench_expire.c - udpct_table_advance() reaping N flows.
 *
 *   udpct/expire/N            N unreplied IPv4 flows created over 1 s,
 *                             never refreshed: one wheel visit each
 *   udpct/expire_refreshed/N  the same flows each refreshed once, 1 s
 *                             after creation: the wheel first re-files
 *                             each entry at its new deadline (lazy
 *                             re-arm), then expires it
 *
 * Timed: udpct_table_advance(now, budget 0) called every 16 ticks (67 ms)
 * from just before the first deadline to past the last, as an embedder's
 * timer would, with a callback that counts (so the library builds each
 * flow's info, as for an embedder that logs expiries).  Not timed:
 * creating the N flows with udpct_classify_tuple() + udpct_commit(), and
 * advancing the wheel over the empty 30 s before the first deadline.  Per
 * item: one expired flow.
 */
#include <errno.h>
#include <stdlib.h>

#include "bench.h"

#define SPREAD_NS	(1000 * 1000 * 1000ull)
#define TIMEOUT_NS	(30 * SPREAD_NS)	/* the default, unreplied */
#define TICK_NS		(1ull << 22)
#define STEP_NS		(16 * TICK_NS)

/*
 * Create (and with @refresh, refresh) flows 0..n-1 from @t0 on.
 * @return how many are in the table (a commit may fail or evict others:
 *         see bench_warm), or -1 on an unexpected result.
 */
static int64_t
fill(struct udpct_table *t, uint32_t n, uint64_t t0, bool refresh,
     uint8_t *failed)
{
	struct udpct_stats st0, st1;
	struct udpct_verdict v;
	struct udpct_tuple tu;
	uint32_t i, pass, in = 0;
	int err;

	if (udpct_table_get_stats(t, &st0) < 0)
		return -1;
	for (pass = 0; pass < (refresh ? 2u : 1u); pass++) {
		for (i = 0; i < n; i++) {
			if (pass && failed[i])
				continue;
			bench_tuple(&tu, 4, i);
			if (udpct_classify_tuple(t, &tu, 44,
						 t0 + pass * SPREAD_NS +
							 i * (SPREAD_NS / n),
						 &v) < 0 ||
			    v.state != UDPCT_NEW)
				return -1;
			/* Evicted since by the index (see below): gone. */
			if (pass && !v.flow)
				continue;
			err = udpct_commit(t, &v);
			if (!pass)
				failed[i] = err == -ENOSPC;
			if (err < 0 && err != -ENOSPC)
				return -1;
			in += !pass && !err;
		}
	}
	/*
	 * A commit that finds both of its buckets full evicts the flows
	 * there that are not ASSURED (index.c), which all of these are.
	 */
	if (udpct_table_get_stats(t, &st1) < 0)
		return -1;
	return (int64_t)in - (int64_t)(st1.early_drop - st0.early_drop);
}

static void
count_cb(void *arg, const struct udpct_flow_info *info, void *user_data)
{
	(void)info;
	(void)user_data;
	(*(uint64_t *)arg)++;
}

/* Advance in steps over [@from, @to]; @return flows expired, or -1. */
static int64_t
advance(struct udpct_table *t, uint64_t from, uint64_t to, uint64_t *seen)
{
	int64_t total = 0;
	uint64_t now;
	int n;

	for (now = from;; now += STEP_NS) {
		if (now > to)
			now = to;
		n = udpct_table_advance(t, now, 0, count_cb, seen);
		if (n < 0)
			return -1;
		total += n;
		if (now == to)
			return total;
	}
}

static void
bench_expire(struct cbench_state *s, void *arg)
{
	uint32_t n = (uint32_t)cbench_arg(s, 0);
	bool refresh = arg != NULL;
	uint64_t t0 = SPREAD_NS, end, seen = 0, want = 0, lost = 0;
	struct udpct_table *t;
	uint8_t *failed = calloc(n, 1);
	uint32_t bad = 0;
	int64_t in;

	bench_cache_claim(NULL);
	t = bench_table_new(n, 0, 0, 0);
	in = t && failed ? fill(t, n, t0, refresh, failed) : -1;
	/* The empty wheel up to the first deadline: not timed. */
	if (in >= 0 && advance(t, t0, t0 + TIMEOUT_NS - TICK_NS, &seen) != 0)
		in = -1;
	if (in < 0) {
		udpct_table_free(t);
		free(failed);
		cbench_skip(s, "could not create the flows");
		return;
	}
	while (cbench_keep_running_batch(s, n)) {
		end = t0 + (refresh ? 2 : 1) * SPREAD_NS + TIMEOUT_NS +
		      2 * TICK_NS;
		bad += advance(t, t0 + TIMEOUT_NS, end, &seen) != in;
		cbench_pause(s);
		want += (uint64_t)in;
		lost += n - (uint64_t)in;
		t0 = end + TICK_NS;
		in = fill(t, n, t0, refresh, failed);
		bad += in < 0 ||
		       advance(t, end, t0 + TIMEOUT_NS - TICK_NS, &seen) != 0;
		cbench_resume(s);
	}
	udpct_table_free(t);
	free(failed);
	/* Per expired flow (the few that never got in are not counted). */
	cbench_set_items_processed(s, (int64_t)want);
	cbench_set_counter(s, "insert_failed_pct",
			   want + lost ? 100.0 * (double)lost /
						 (double)(want + lost) : 0, 0);
	if (bad || seen != want)
		cbench_skip(s, "advance did not expire every flow once");
}

void
bench_expire_register(int64_t flows)
{
	bench_add("udpct/expire", bench_expire, NULL, flows);
	bench_add("udpct/expire_refreshed", bench_expire, (void *)1, flows);
}
