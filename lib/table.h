/* SPDX-License-Identifier: MIT */
/*
 * table.h - private layout of the table, its flow records and its index.
 *
 * Layout (the lock-free reader path of docs/concurrency.md):
 *  - flow records come from a pool allocated at creation; a record's index
 *    in the pool is its identity for the index, the wheel and user data;
 *    a removed record is reused only after a grace period (reclaim.c);
 *  - a record is one cache line (key, deadline, status, creation time,
 *    helper and expectation count): what a lookup and a refresh touch;
 *    with UDPCT_CFG_ACCOUNTING (nf_conntrack_acct) each record is followed
 *    by a second line of packet and byte counters, so records are 128
 *    bytes apart and the adjacent-line prefetcher brings both;
 *  - the index is an array of cache-line buckets of 8 slots; a slot packs a
 *    32-bit hash tag with the record index + 1 (0 = empty) so that one
 *    64-bit load gives both; each key has two candidate buckets (two-choice
 *    hashing), entries never move, and one entry serves both directions.
 *
 * Fields and their guards:
 *  - immutable from publication (release store of the index slot) until
 *    reuse after a grace period: key, first_ns, helper;
 *  - updated by readers with relaxed atomics: deadline_ns (only grows, by
 *    CAS), status (bits only set, by fetch_or), the counters and last_ns
 *    (load + store: exact while one thread carries a flow, see
 *    docs/concurrency.md);
 *  - nexpect: the writer lock;
 *  - everything under "Writer side" in struct udpct_table: the writer lock.
 * Lock order: there is one lock, t->lock; callbacks into the embedder run
 * under it and must not call back into writer functions of the table.
 */
#ifndef UDPCT_TABLE_PRIV_H
#define UDPCT_TABLE_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <udpct/udpct.h>

#include "alloc.h"
#include "hash.h"
#include "internal.h"
#include "reclaim.h"
#include "stats.h"
#include "timer_wheel.h"

#define UDPCT__TICK_SHIFT	22	/* 2^22 ns = 4.19 ms, about a jiffy */
#define UDPCT__TICK_NS		(1ull << UDPCT__TICK_SHIFT)
#define UDPCT__WHEEL_SLOTS	(1u << 14)	/* 68.7 s span, at most */
#define UDPCT__STREAM_DELAY_NS	(2 * NSEC_PER_SEC)	/* 2 * HZ */
#define UDPCT__BUCKET_SLOTS	8
#define UDPCT__EVICTION_RANGE	8	/* NF_CT_EVICTION_RANGE */

#define RLX memory_order_relaxed

/* A flow record's (first) cache line; the public handle points here. */
struct udpct_flow {
	_Atomic uint64_t key[5];	/* struct udpct__key, original dir */
	_Atomic uint64_t deadline_ns;	/* gone once now_ns >= this */
	_Atomic uint64_t first_ns;	/* creating packet: the 2 s rule */
	_Atomic uint32_t status;	/* UDPCT_STATUS_* */
	uint8_t helper;			/* index in helpers[] + 1, 0: none */
	uint16_t nexpect;		/* expectations this flow created */
} __attribute__((aligned(UDPCT_CACHE_LINE)));

_Static_assert(sizeof(struct udpct_flow) == UDPCT_CACHE_LINE,
	       "a flow record is one cache line");

/* The line after each record with UDPCT_CFG_ACCOUNTING. */
struct udpct__acct {
	_Atomic uint64_t packets[2];
	_Atomic uint64_t bytes[2];
	_Atomic uint64_t last_ns;
} __attribute__((aligned(UDPCT_CACHE_LINE)));

/* An expectation (nf_conntrack_expect); key is stored pre-masked. */
struct udpct__exp {
	struct udpct__key key;
	struct udpct__key mask;
	uint64_t deadline_ns;
	uint64_t serial;		/* creation order: oldest is replaced */
	uint32_t master;		/* index of the creating flow */
	uint32_t flags;
};

/* Bits of udpct_verdict.priv.flags. */
#define UDPCT__V_PENDING	(1u << 0)	/* tentative flow to insert */
#define UDPCT__V_EXPECTED	(1u << 1)	/* ... created by expectation */
#define UDPCT__V_HELP		(1u << 2)	/* run the flow's helper */

struct udpct__bucket {
	_Atomic uint64_t slot[UDPCT__BUCKET_SLOTS];
} __attribute__((aligned(UDPCT_CACHE_LINE)));

struct udpct_table {
	/* Read-mostly after creation. */
	struct udpct_flow *flows;	/* record i at flows + (i << rec_shift) */
	uint32_t rec_shift;		/* 6, or 7 with accounting */
	uint8_t *user_data;
	struct udpct__bucket *buckets;
	_Atomic uint64_t *overflowed;	/* a bit per bucket: see index.h */
	uint32_t bucket_mask;
	uint32_t capacity;
	uint32_t user_data_size;	/* stride, multiple of 16 */
	uint32_t flags;
	uint64_t timeout_ns;
	uint64_t stream_timeout_ns;
	udpct_expire_fn evict_fn;
	void *evict_arg;
	uint32_t expect_max;
	uint32_t nhelpers;		/* owner-set before traffic */
	struct udpct_helper helpers[UDPCT_HELPERS_MAX];
	uint8_t secret[UDPCT__SECRET_SIZE] __attribute__((aligned(64)));

	/* Peeked at by readers, changed under the lock. */
	_Atomic uint32_t free_top;	/* records on the free stack */
	_Atomic uint32_t expect_count;	/* live entries at exp[0..count) */

	/* Reader-side counters, sharded; readers and QSBR state. */
	struct udpct__shard *shards;
	struct udpct__qsbr qsbr;

	/* Writer side: everything below is guarded by lock. */
	pthread_mutex_t lock;
	bool lock_ok;
	struct udpct__wheel wheel;
	bool wheel_started;
	uint64_t last_advance_ns;
	uint32_t *free_stack;		/* pool of unused record indices */
	struct udpct__exp *exp;
	uint64_t exp_serial;
	struct udpct__wstats wstats;
	/* Zones that may hold flows: set at insert, cleared by a flush, so
	 * that flushing an unused zone costs nothing (8 KiB). */
	uint64_t zones_used[65536 / 64];
	struct udpct__alloc alloc;
	size_t wheel_bytes;
	size_t bucket_bytes;
};

static inline void
udpct__lock(struct udpct_table *t)
{
	pthread_mutex_lock(&t->lock);
}

static inline void
udpct__unlock(struct udpct_table *t)
{
	pthread_mutex_unlock(&t->lock);
}

static inline struct udpct_flow *
udpct__flow_at(const struct udpct_table *t, uint32_t idx)
{
	return (struct udpct_flow *)((uintptr_t)t->flows +
				     ((uintptr_t)idx << t->rec_shift));
}

static inline uint32_t
udpct__flow_idx(const struct udpct_table *t, const struct udpct_flow *f)
{
	return (uint32_t)(((uintptr_t)f - (uintptr_t)t->flows) >>
			  t->rec_shift);
}

/* @f's key, original direction (written once, before publication). */
static inline void
udpct__flow_key(const struct udpct_flow *f, struct udpct__key *k)
{
	k->w[0] = atomic_load_explicit(&f->key[0], RLX);
	k->w[1] = atomic_load_explicit(&f->key[1], RLX);
	k->w[2] = atomic_load_explicit(&f->key[2], RLX);
	k->w[3] = atomic_load_explicit(&f->key[3], RLX);
	k->w[4] = atomic_load_explicit(&f->key[4], RLX);
}

/* @f's counters; only with UDPCT_CFG_ACCOUNTING. */
static inline struct udpct__acct *
udpct__acct(const struct udpct_flow *f)
{
	return (struct udpct__acct *)(uintptr_t)(f + 1);
}

static inline uint64_t
udpct__tick(uint64_t ns)
{
	return ns >> UDPCT__TICK_SHIFT;
}

/* Round up to a tick boundary: deadlines are never early. */
static inline uint64_t
udpct__deadline(uint64_t now_ns, uint64_t timeout_ns)
{
	uint64_t d = now_ns + timeout_ns;

	return (d + UDPCT__TICK_NS - 1) & ~(UDPCT__TICK_NS - 1);
}

static inline bool
udpct__flow_live(const struct udpct_flow *f, uint64_t now_ns)
{
	uint32_t st = atomic_load_explicit(&f->status, RLX);

	return (st & (UDPCT_STATUS_CONFIRMED | UDPCT_STATUS_DYING)) ==
		       UDPCT_STATUS_CONFIRMED &&
	       now_ns < atomic_load_explicit(&f->deadline_ns, RLX);
}

/* table.c */
bool udpct__flow_valid(const struct udpct_table *t,
		       const struct udpct_flow *f);
void udpct__flow_info(const struct udpct_table *t, const struct udpct_flow *f,
		      struct udpct_flow_info *info);
void *udpct__user_data(struct udpct_table *t, uint32_t idx);
struct udpct_flow *udpct__flow_alloc(struct udpct_table *t);
void udpct__flow_retire(struct udpct_table *t, struct udpct_flow *f);
void udpct__flow_unlink(struct udpct_table *t, struct udpct_flow *f);
void udpct__flow_unlink_hashed(struct udpct_table *t, struct udpct_flow *f,
			       uint64_t hash);
void udpct__flow_free_idx(struct udpct_table *t, uint32_t idx);
void udpct__flow_remove(struct udpct_table *t, struct udpct_flow *f,
			udpct_expire_fn fn, void *arg);

static inline uint32_t
udpct__expect_n(const struct udpct_table *t)
{
	return atomic_load_explicit(&t->expect_count, RLX);
}

/* expect.c; the wheel node of exp[i] is capacity + i; lock held */
struct udpct__exp *udpct__expect_match(struct udpct_table *t,
				       const struct udpct__key *fwd,
				       uint64_t now_ns);
void udpct__expect_remove(struct udpct_table *t, uint32_t i);
void udpct__expect_kill_master(struct udpct_table *t, uint32_t master);
bool udpct__expect_fire(struct udpct_table *t, uint32_t i, uint64_t now_ns,
			uint64_t *rearm_tick);

/* helper.c */
uint8_t udpct__helper_find(const struct udpct_table *t,
			   const struct udpct_tuple *tuple);
int udpct__helper_run(struct udpct_table *t, struct udpct_flow *f,
		      const struct udpct_verdict *v);

/* classify.c: everything after parsing and hashing */
struct udpct__pkt;
void udpct__classify_parsed(struct udpct_table *t,
			    const struct udpct__pkt *pkt, uint64_t hash,
			    uint64_t now_ns, struct udpct_verdict *v);

#endif /* UDPCT_TABLE_PRIV_H */
