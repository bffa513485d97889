/* SPDX-License-Identifier: MIT */
/*
 * bench_memory.c - bytes per tracked flow.
 *
 *   udpct/memory_v4/N, udpct/memory_v6/N
 *
 * Each iteration creates a table of capacity N, fills it with N
 * established flows exactly as the fixture does (first packet + commit,
 * reply, one more packet 3 s later) and frees it.  Counters:
 *   lib_bytes_per_flow  the library's own accounting
 *                       (udpct_stats.memory_bytes / N);
 *   rss_bytes_per_flow  growth of the process's RSS from before
 *                       udpct_table_new() to after the fill, over N (the
 *                       tables allocate through bench_allocator, one mmap
 *                       per array, so no malloc arena blurs it);
 *   thp_bytes_per_flow  of that, bytes in transparent huge pages;
 *   insert_failed_pct   flows refused for index overflow (bench_warm()),
 *                       in % of N; the per-flow figures still divide by N.
 * The time per item is the cost of creating one established flow (three
 * classify calls and a commit) on a table that is being filled.
 */
#include "bench.h"

static void
bench_memory(struct cbench_state *s, void *arg)
{
	uint32_t n = (uint32_t)cbench_arg(s, 0);
	int family = arg ? 6 : 4;
	double lib = 0, rss = 0, thp = 0;
	struct udpct_stats st = { 0 };
	struct udpct_table *t;
	size_t rss0, thp0;
	uint32_t bad = 0;
	int nf = 0;

	bench_cache_claim(NULL);
	while (cbench_keep_running_batch(s, n)) {
		rss0 = bench_rss_bytes();
		thp0 = bench_thp_bytes();
		t = bench_table_new(n, 0, 0, 0);
		if (!t) {
			bad++;
			break;
		}
		nf = bench_warm(t, family, 0, n, 1000 * 1000 * 1000ull, NULL);
		bad += nf < 0;
		cbench_pause(s);
		rss = (double)(bench_rss_bytes() - rss0) / n;
		thp = (double)(bench_thp_bytes() - thp0) / n;
		if (udpct_table_get_stats(t, &st) == 0)
			lib = (double)st.memory_bytes / n;
		bad += nf >= 0 && st.live != n - (uint32_t)nf;
		udpct_table_free(t);
		cbench_resume(s);
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	cbench_set_counter(s, "lib_bytes_per_flow", lib, 0);
	cbench_set_counter(s, "rss_bytes_per_flow", rss, 0);
	cbench_set_counter(s, "thp_bytes_per_flow", thp, 0);
	cbench_set_counter(s, "insert_failed_pct", 100.0 * nf / n, 0);
	if (bad)
		cbench_skip(s, "could not fill the table");
}

void
bench_memory_register(int64_t flows)
{
	bench_add("udpct/memory_v4", bench_memory, NULL, flows);
	bench_add("udpct/memory_v6", bench_memory, (void *)1, flows);
}
