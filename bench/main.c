/* SPDX-License-Identifier: MIT */
/*
 * main.c - udpct-bench: register every benchmark, size-major (so that the
 * fixture of one size is built once), and hand over to Google Benchmark.
 *
 * Flags: Google Benchmark's (--benchmark_filter, --benchmark_format=json,
 * --benchmark_repetitions, ...), plus --hugepages, which backs udpct's
 * tables, the streams, the mem/ buffers and DPDK's memory with transparent
 * huge pages (MADV_HUGEPAGE).  The malloc-based peers (cds_lfht, the
 * mutex chain) get them from glibc when the run's environment has
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1, which docs/performance.md sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#ifndef BENCH_BUILD_FLAGS
#define BENCH_BUILD_FLAGS "?"
#endif

static void
context(void)
{
	char thp[128] = "?";
	const char *tun;
	char ver[32];
	FILE *f;

	snprintf(ver, sizeof(ver), "%u.%u.%u", udpct_version() >> 16,
		 (udpct_version() >> 8) & 0xff, udpct_version() & 0xff);
	cbench_add_context("udpct_version", ver);
	cbench_add_context("compiler", __VERSION__);
	cbench_add_context("build", BENCH_BUILD_FLAGS);
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f) {
		if (!fgets(thp, sizeof(thp), f))
			strcpy(thp, "?");
		thp[strcspn(thp, "\n")] = 0;
		fclose(f);
	}
	cbench_add_context("thp_enabled", thp);
	cbench_add_context("tables_hugepages",
			   bench_hugepages ? "MADV_HUGEPAGE" : "no (4 KiB)");
	tun = getenv("GLIBC_TUNABLES");
	cbench_add_context("glibc_tunables", tun ? tun : "");
	if (bench_hugepages && (!tun || !strstr(tun, "malloc.hugetlb=1")))
		fprintf(stderr, "udpct-bench: --hugepages without "
			"GLIBC_TUNABLES=glibc.malloc.hugetlb=1: the "
			"malloc-based peers stay on 4 KiB pages\n");
#ifdef BENCH_HAVE_URCU
	cbench_add_context("peer_cds_lfht", "built");
#else
	cbench_add_context("peer_cds_lfht", "skipped: liburcu-cds not found");
#endif
#ifdef BENCH_HAVE_DPDK
	cbench_add_context("peer_rte_hash", "built");
#else
	cbench_add_context("peer_rte_hash", "skipped: libdpdk not found");
#endif
}

int
main(int argc, char **argv)
{
	static const int64_t sizes[] = BENCH_SIZES_INIT;
	int i, j = 1;
	size_t k;

	/* Take our flags out before Google Benchmark sees the rest. */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hugepages"))
			bench_hugepages = true;
		else
			argv[j++] = argv[i];
	}
	argc = j;
	argv[argc] = NULL;
	context();
	/*
	 * Size-major; within a size, the users of one fixture together
	 * (IPv4: classify, index, peers; then IPv6), then the benchmarks
	 * with tables of their own.
	 */
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		bench_hash_register(sizes[k]);
		bench_classify_register(sizes[k], 4);
		bench_lookup_register(sizes[k]);
#ifdef BENCH_HAVE_DPDK
		bench_peer_rte_hash_register(sizes[k]);
#endif
#ifdef BENCH_HAVE_URCU
		bench_peer_urcu_register(sizes[k]);
#endif
		bench_peer_mutex_register(sizes[k]);
		bench_classify_register(sizes[k], 6);
		bench_insert_register(sizes[k]);
		bench_expire_register(sizes[k]);
		bench_memory_register(sizes[k]);
		bench_latency_register(sizes[k]);
	}
	bench_ovs_register();
	return cbench_main(argc, argv);
}
