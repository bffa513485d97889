/* SPDX-License-Identifier: MIT */
/*
 * bench_whatif.c - experiments that model a change to lib/ from outside,
 * to size a recommendation of docs/performance.md.  They read lib/'s
 * private layout, so they go when lib/ adopts (or rejects) the change.
 *
 *   whatif/classify_v4_burst_pfcold/N
 *       udpct/classify_v4_burst with the cold line of each packet's flow
 *       record (the second line of its 128 bytes: counters and last_ns,
 *       written for every packet) prefetched before
 *       udpct_classify_burst(), as its stage 2 could do from the slot it
 *       already reads; the bench finds each record beforehand and reads
 *       its index from a sequential array, so the extra work is one load
 *       and one prefetch per packet.
 */
#include <stdlib.h>

#include "bench_index.h"

struct pfcold {
	uint32_t *idx;		/* record index per stream packet */
};

static void
pfcold_free(void *p)
{
	struct pfcold *pc = p;

	free(pc->idx);
	free(pc);
}

static struct pfcold *
pfcold_get(struct bench_fixture *fx, struct udpct_table *t)
{
	const struct bench_query *q = bench_fixture_queries(fx);
	struct pfcold *pc = bench_fixture_ext(fx, pfcold_free);
	struct udpct_flow *f;
	enum udpct_dir dir;
	uint32_t i;

	if (pc || !q)
		return pc;
	pc = calloc(1, sizeof(*pc));
	if (pc)
		pc->idx = malloc((size_t)fx->nstream * sizeof(*pc->idx));
	if (!pc || !pc->idx) {
		free(pc);
		return NULL;
	}
	/* The queries follow the same flows as the uniform packets. */
	for (i = 0; i < fx->nstream; i++) {
		f = udpct__index_find(t, q[i].hash, &q[i].fwd, &q[i].rev, &dir);
		if (!f) {
			pfcold_free(pc);
			return NULL;
		}
		pc->idx[i] = udpct__flow_idx(t, f);
	}
	bench_fixture_ext_set(fx, pfcold_free, pc, pfcold_free);
	return pc;
}

__attribute__((noinline)) static uint32_t
pfcold_batch(struct udpct_table *t, const uint8_t *p, const uint32_t *idx,
	     uint32_t len, uint32_t n, uint64_t now_ns)
{
	struct udpct_burst_item items[BENCH_BURST];
	struct udpct_verdict v[BENCH_BURST];
	uint32_t i, j, bad = 0;

	for (i = 0; i < n; i += BENCH_BURST) {
		for (j = 0; j < BENCH_BURST; j++) {
			__builtin_prefetch(&t->recs[idx[i + j]].cold, 1);
			items[j].l3 = p + (i + j) * BENCH_STRIDE;
			items[j].len = len;
		}
		udpct_classify_burst(t, items, BENCH_BURST, now_ns, v);
		for (j = 0; j < BENCH_BURST; j++)
			bad += v[j].state != UDPCT_ESTABLISHED;
	}
	return bad;
}

static void
bench_pfcold(struct cbench_state *s, void *arg)
{
	struct bench_fixture *fx;
	struct udpct_table *t;
	struct pfcold *pc = NULL;
	const uint8_t *pk = NULL;
	const char *why = "fixture";
	uint32_t pos = 0, bad = 0;

	(void)arg;
	fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	t = fx ? bench_fixture_table(fx, 0) : NULL;
	if (t)
		pk = bench_fixture_packets(fx, BENCH_UNIFORM);
	if (pk)
		pc = pfcold_get(fx, t);
	if (!pc) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		bad += pfcold_batch(t, pk + (size_t)pos * BENCH_STRIDE,
				    pc->idx + pos, fx->pkt_len, BENCH_BATCH,
				    fx->now_ns);
		fx->now_ns += BENCH_BATCH * BENCH_NS_PER_PKT;
		pos += BENCH_BATCH;
		if (pos == fx->nstream)
			pos = 0;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (bad)
		cbench_skip(s, "a packet was not ESTABLISHED");
}

void
bench_whatif_register(int64_t flows)
{
	bench_add("whatif/classify_v4_burst_pfcold", bench_pfcold, NULL, flows);
}
