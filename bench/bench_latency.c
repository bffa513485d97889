/* SPDX-License-Identifier: MIT */
/*
 * bench_latency.c - the memory limits the table figures are held against,
 * over a buffer as large as a table of N flows touches (3 cache lines per
 * flow: index bucket, hot line, cold line), with the tables' page policy
 * (4 KiB, or THP with --hugepages).
 *
 *   mem/chase/N     dependent random loads (a random cyclic permutation of
 *                   the lines): the load-to-use latency at that footprint,
 *                   what one lookup that misses everywhere must wait for,
 *                   once per line it needs
 *   mem/parallel/N  independent random loads from a sequential list of line
 *                   numbers: the throughput when the core overlaps misses,
 *                   the floor for a burst that prefetches
 *   cpu/cycle/1024  one dependent register add (1 cycle on every x86 core
 *                   since the P6): ns per cycle, the core's actual clock,
 *                   to turn the other figures into cycles
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define LINES_PER_FLOW	3

struct line {
	uint64_t next;
	uint64_t pad[7];
};

static struct {
	uint32_t nflows;
	uint64_t nlines;
	struct line *buf;
	uint32_t *idx;		/* nlines random line numbers */
} lat;

static void
lat_free(void)
{
	bench_mem_free(lat.buf, lat.nlines * sizeof(*lat.buf));
	free(lat.idx);
	memset(&lat, 0, sizeof(lat));
}

static const char *
lat_get(uint32_t nflows)
{
	uint64_t rng = 0x6c6174ull, i, j, tmp;

	bench_cache_claim(lat_free);
	if (lat.buf && lat.nflows == nflows)
		return NULL;
	lat_free();
	lat.nflows = nflows;
	lat.nlines = (uint64_t)nflows * LINES_PER_FLOW;
	lat.buf = bench_mem_alloc(lat.nlines * sizeof(*lat.buf));
	lat.idx = malloc(lat.nlines * sizeof(*lat.idx));
	if (!lat.buf || !lat.idx) {
		lat_free();
		return "out of memory";
	}
	/* Sattolo: one cycle through every line. */
	for (i = 0; i < lat.nlines; i++)
		lat.idx[i] = (uint32_t)i;
	for (i = lat.nlines - 1; i > 0; i--) {
		j = bench_splitmix64(&rng) % i;
		tmp = lat.idx[i];
		lat.idx[i] = lat.idx[j];
		lat.idx[j] = (uint32_t)tmp;
	}
	for (i = 0; i < lat.nlines; i++)
		lat.buf[lat.idx[i]].next =
			lat.idx[(i + 1) % lat.nlines];
	return NULL;
}

__attribute__((noinline)) static uint64_t
chase_batch(const struct line *b, uint64_t at, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		at = b[at].next;
	return at;
}

static void
bench_chase(struct cbench_state *s, void *arg)
{
	const char *why = lat_get((uint32_t)cbench_arg(s, 0));
	uint64_t at = 0;

	(void)arg;
	if (why) {
		cbench_skip(s, why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH))
		at = chase_batch(lat.buf, at, BENCH_BATCH);
	cbench_use_u64(at);
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
}

__attribute__((noinline)) static uint64_t
parallel_batch(const struct line *b, const uint32_t *idx, uint32_t n)
{
	uint64_t acc = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		acc += b[idx[i]].next;
	return acc;
}

static void
bench_parallel(struct cbench_state *s, void *arg)
{
	const char *why = lat_get((uint32_t)cbench_arg(s, 0));
	uint64_t pos = 0, acc = 0;

	(void)arg;
	if (why) {
		cbench_skip(s, why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		acc += parallel_batch(lat.buf, lat.idx + pos, BENCH_BATCH);
		pos += BENCH_BATCH;
		if (pos + BENCH_BATCH > lat.nlines)
			pos = 0;
	}
	cbench_use_u64(acc);
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
}

__attribute__((noinline)) static uint64_t
cycle_batch(uint64_t x, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i += 8) {
		/* Eight adds, each waiting for the previous. */
		__asm__ volatile("add $1, %0\n\tadd $1, %0\n\t"
				 "add $1, %0\n\tadd $1, %0\n\t"
				 "add $1, %0\n\tadd $1, %0\n\t"
				 "add $1, %0\n\tadd $1, %0"
				 : "+r"(x));
	}
	return x;
}

static void
bench_cycle(struct cbench_state *s, void *arg)
{
	uint64_t x = 0;

	(void)arg;
	while (cbench_keep_running_batch(s, 1024))
		x = cycle_batch(x, 1024);
	cbench_use_u64(x);
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
}

void
bench_latency_register(int64_t flows)
{
	if (flows == 1024)
		bench_add("cpu/cycle", bench_cycle, NULL, flows);
	bench_add("mem/chase", bench_chase, NULL, flows);
	bench_add("mem/parallel", bench_parallel, NULL, flows);
}
