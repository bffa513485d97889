/* SPDX-License-Identifier: MIT */
/*
 * bench_lookup.c - the index alone: udpct__index_find() on pre-hashed
 * keys (hash and both direction keys computed beforehand, as classify has
 * them just before its lookup), over the fixture's table of N flows in
 * the same uniform order as classify_v4 and the peers' lookups.
 *
 *   udpct/lookup/N        one key per call
 *   udpct/lookup_burst/N  32 keys at a time in the three stages of
 *                         udpct_classify_burst(): prefetch every first
 *                         bucket, then every record its tag points at
 *                         (the candidate), then check each key against its
 *                         candidate, udpct__index_find() if that is not
 *                         it; the counterpart of
 *                         rte_hash_lookup_with_hash_bulk
 */
#include "bench_index.h"

__attribute__((noinline)) static uint32_t
lookup_batch(const struct udpct_table *t, const struct bench_query *q,
	     uint32_t n)
{
	struct udpct_flow *f;
	enum udpct_dir dir;
	uint32_t i, miss = 0;

	for (i = 0; i < n; i++) {
		f = udpct__index_find(t, q[i].hash, &q[i].fwd, &q[i].rev,
				      &dir);
		cbench_do_not_optimize(f);
		miss += f == NULL;
	}
	return miss;
}

__attribute__((noinline)) static uint32_t
lookup_burst_batch(const struct udpct_table *t, const struct bench_query *q,
		   uint32_t n)
{
	struct udpct_flow *f, *cand[BENCH_BURST];
	enum udpct_dir dir;
	uint32_t i, j, miss = 0;

	for (i = 0; i < n; i += BENCH_BURST) {
		for (j = 0; j < BENCH_BURST; j++)
			udpct__index_prefetch_bucket(t, q[i + j].hash);
		for (j = 0; j < BENCH_BURST; j++)
			cand[j] = udpct__index_candidate(t, q[i + j].hash);
		for (j = 0; j < BENCH_BURST; j++) {
			f = cand[j];
			if (!f || !udpct__key_match(f, &q[i + j].fwd,
						    &q[i + j].rev, &dir))
				f = udpct__index_find(t, q[i + j].hash,
						      &q[i + j].fwd,
						      &q[i + j].rev, &dir);
			cbench_do_not_optimize(f);
			miss += f == NULL;
		}
	}
	return miss;
}

static void
bench_lookup(struct cbench_state *s, void *arg)
{
	const struct bench_query *q;
	struct bench_fixture *fx;
	struct udpct_table *t;
	const char *why = "fixture";
	uint32_t pos = 0, miss = 0;

	fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	t = fx ? bench_fixture_table(fx, 0) : NULL;
	q = t ? bench_fixture_queries(fx) : NULL;
	if (!q) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		miss += (arg ? lookup_burst_batch : lookup_batch)(
			t, q + pos, BENCH_BATCH);
		pos += BENCH_BATCH;
		if (pos == fx->nstream)
			pos = 0;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (miss)
		cbench_skip(s, "a key was not found");
}

void
bench_lookup_register(int64_t flows)
{
	bench_add("udpct/lookup", bench_lookup, NULL, flows);
	bench_add("udpct/lookup_burst", bench_lookup, (void *)1, flows);
}
