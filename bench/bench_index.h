/* SPDX-License-Identifier: MIT */
/*
 * bench_index.h - the benchmarks that call lib/'s internal index and hash
 * (udpct__index_find, udpct__hash_tuple) include this; the peers do not,
 * so that lib/'s private headers never meet DPDK's or liburcu's.
 */
#ifndef UDPCT_BENCH_INDEX_H
#define UDPCT_BENCH_INDEX_H

#include "bench.h"
/*
 * lib/index.h: spelled with its directory, as it includes lib/table.h and
 * include/udpct/, which is on the include path too, has a public table.h.
 */
#include "../lib/index.h"

/* What classify holds just before the lookup: hash and both keys. */
struct bench_query {
	uint64_t hash;
	struct udpct__key fwd;	/* the packet's direction */
	struct udpct__key rev;	/* the other direction */
};

#endif /* UDPCT_BENCH_INDEX_H */
