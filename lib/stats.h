/* SPDX-License-Identifier: MIT */
/*
 * stats.h - counters.  Writers count under the lock in plain fields;
 * readers count in one of UDPCT__SHARDS cache-line shards chosen from the
 * address of the caller's verdict, which lives on the calling thread's
 * stack: threads land on different shards, so the packet path writes no
 * line another thread writes (see stats.c for the exactness argument).
 */
#ifndef UDPCT_STATS_H
#define UDPCT_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#include <udpct/classify.h>

#define UDPCT__SHARDS 64

struct udpct__shard {
	_Atomic uint64_t found;
	_Atomic uint64_t related;
	_Atomic uint64_t ignored;
	_Atomic uint64_t table_full;
	_Atomic uint64_t invalid[UDPCT_REASON_MAX];
} __attribute__((aligned(64)));

/* Writer-side counters (guarded by the table lock). */
struct udpct__wstats {
	uint64_t inserted;
	uint64_t expired;
	uint64_t early_drop;
	uint64_t insert_failed;
	uint64_t clash;
	uint64_t clock_backwards;
	uint64_t expect_new;
	uint64_t expect_matched;
	uint64_t expect_failed;
	uint64_t flushed;
};

static inline struct udpct__shard *
udpct__shard_of(struct udpct__shard *shards, const void *verdict)
{
	uint64_t a = (uint64_t)(uintptr_t)verdict;

	/* Stacks of different threads differ above the page offset. */
	return &shards[((a >> 12) * 0x9e3779b97f4a7c15ull) >> 58];
}

/* Add 1; a plain add on the shard's own line, no locked instruction. */
static inline void
udpct__count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
				 + 1, memory_order_relaxed);
}

#endif /* UDPCT_STATS_H */
