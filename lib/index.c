/* SPDX-License-Identifier: MIT */
/*
 * index.c - the hash index: cache-line buckets of (tag, index) slots, two
 * candidate buckets per key, and the kernel's early drop.
 *
 * A key lives in its first bucket when that has a free slot, else in its
 * second; entries never move, so a lookup reads at most two cache lines of
 * index and, on a tag match, the record's hot line.  One entry serves both
 * directions because the hash ignores direction (hash.h); the record's
 * original-direction key tells which direction matched.
 *
 * Early drop follows early_drop() in nf_conntrack_core.c: walk at most
 * NF_CT_EVICTION_RANGE buckets from the new key's bucket and, in the first
 * bucket that has any, remove every flow that is not ASSURED (and every
 * expired flow met on the way).
 */
#include <errno.h>

#include "table.h"

#define SLOT_EMPTY 0ull

static inline uint32_t
tag_of(uint64_t hash)
{
	return (uint32_t)(hash >> 32);
}

static inline uint32_t
bucket1(const struct udpct_table *t, uint64_t hash)
{
	return (uint32_t)hash & t->bucket_mask;
}

/* The second choice depends on the tag only through a multiply. */
static inline uint32_t
bucket2(const struct udpct_table *t, uint64_t hash)
{
	return (bucket1(t, hash) ^ (tag_of(hash) * 0x9e3779b1u)) &
	       t->bucket_mask;
}

static inline uint64_t
slot_make(uint64_t hash, uint32_t idx)
{
	return (uint64_t)tag_of(hash) << 32 | (idx + 1);
}

static void
load_key(const struct udpct_flow *f, struct udpct__key *k)
{
	int i;

	for (i = 0; i < 5; i++)
		k->w[i] = atomic_load_explicit(&f->key[i], RLX);
}

static struct udpct_flow *
scan_bucket(const struct udpct_table *t, const struct udpct__bucket *b,
	    uint32_t tag, const struct udpct__key *fwd,
	    const struct udpct__key *rev, enum udpct_dir *dir)
{
	struct udpct__key k;
	struct udpct_flow *f;
	uint64_t s;
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		s = atomic_load_explicit(&b->slot[i], memory_order_acquire);
		if ((uint32_t)(s >> 32) != tag || (uint32_t)s == 0)
			continue;
		f = &t->recs[(uint32_t)s - 1].hot;
		load_key(f, &k);
		if (udpct__key_equal(&k, fwd)) {
			*dir = UDPCT_DIR_ORIGINAL;
			return f;
		}
		if (udpct__key_equal(&k, rev)) {
			*dir = UDPCT_DIR_REPLY;
			return f;
		}
	}
	return NULL;
}

struct udpct_flow *
udpct__index_find(const struct udpct_table *t, uint64_t hash,
		  const struct udpct__key *fwd, const struct udpct__key *rev,
		  enum udpct_dir *dir)
{
	uint32_t b1 = bucket1(t, hash), b2 = bucket2(t, hash);
	struct udpct_flow *f;

	f = scan_bucket(t, &t->buckets[b1], tag_of(hash), fwd, rev, dir);
	if (f || b2 == b1)
		return f;
	return scan_bucket(t, &t->buckets[b2], tag_of(hash), fwd, rev, dir);
}

void
udpct__index_prefetch_bucket(const struct udpct_table *t, uint64_t hash)
{
	__builtin_prefetch(&t->buckets[bucket1(t, hash)]);
}

/*
 * The record a tag in the first bucket points at (the common case): both
 * of its lines, since every packet updates the counters in the cold one.
 */
void
udpct__index_prefetch_flow(const struct udpct_table *t, uint64_t hash)
{
	const struct udpct__bucket *b = &t->buckets[bucket1(t, hash)];
	uint64_t s;
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		s = atomic_load_explicit(&b->slot[i], RLX);
		if ((uint32_t)(s >> 32) == tag_of(hash) && (uint32_t)s) {
			__builtin_prefetch(&t->recs[(uint32_t)s - 1].hot);
			__builtin_prefetch(&t->recs[(uint32_t)s - 1].cold, 1);
			return;
		}
	}
}

static bool
bucket_put(struct udpct__bucket *b, uint64_t slot)
{
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		if (atomic_load_explicit(&b->slot[i], RLX) == SLOT_EMPTY) {
			/* Release: pairs with the acquire in scan_bucket(). */
			atomic_store_explicit(&b->slot[i], slot,
					      memory_order_release);
			return true;
		}
	}
	return false;
}

static uint32_t drop_bucket(struct udpct_table *t, struct udpct__bucket *b,
			    uint64_t now_ns);

/*
 * Both candidate buckets full (16 flows hash there): make room in them as
 * early drop would, so that a key is refused only when its own buckets
 * hold nothing but ASSURED flows.  Lock held.
 */
int
udpct__index_insert(struct udpct_table *t, uint64_t hash, uint32_t idx,
		    uint64_t now_ns)
{
	struct udpct__bucket *b1 = &t->buckets[bucket1(t, hash)];
	struct udpct__bucket *b2 = &t->buckets[bucket2(t, hash)];
	uint64_t s = slot_make(hash, idx);

	if (bucket_put(b1, s) || bucket_put(b2, s))
		return 0;
	if ((drop_bucket(t, b1, now_ns) && bucket_put(b1, s)) ||
	    (drop_bucket(t, b2, now_ns) && bucket_put(b2, s)))
		return 0;
	return -ENOSPC;
}

static bool
bucket_del(struct udpct__bucket *b, uint32_t idx)
{
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		if ((uint32_t)atomic_load_explicit(&b->slot[i], RLX) ==
		    idx + 1) {
			atomic_store_explicit(&b->slot[i], SLOT_EMPTY, RLX);
			return true;
		}
	}
	return false;
}

void
udpct__index_remove(struct udpct_table *t, uint64_t hash, uint32_t idx)
{
	if (!bucket_del(&t->buckets[bucket1(t, hash)], idx))
		bucket_del(&t->buckets[bucket2(t, hash)], idx);
}

/* Remove @f for good, telling the embedder first. */
static void
evict(struct udpct_table *t, struct udpct_flow *f)
{
	struct udpct_flow_info info;

	if (t->evict_fn) {
		udpct__flow_info(t, f, &info);
		t->evict_fn(t->evict_arg, &info,
			    udpct__user_data(t, udpct__flow_idx(t, f)));
	}
	udpct__flow_unlink(t, f);
	udpct__flow_retire(t, f);
}

static uint32_t
drop_bucket(struct udpct_table *t, struct udpct__bucket *b, uint64_t now_ns)
{
	struct udpct_flow *f;
	uint32_t dropped = 0, st;
	uint64_t s;
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		s = atomic_load_explicit(&b->slot[i], RLX);
		if ((uint32_t)s == 0)
			continue;
		f = &t->recs[(uint32_t)s - 1].hot;
		st = atomic_load_explicit(&f->status, RLX);
		if (!udpct__flow_live(f, now_ns)) {
			t->wstats.expired++;	/* reaped on the way */
		} else if (!(st & UDPCT_STATUS_ASSURED)) {
			t->wstats.early_drop++;
		} else {
			continue;
		}
		evict(t, f);
		dropped++;
	}
	return dropped;
}

/* Lock held. */
uint32_t
udpct__early_drop(struct udpct_table *t, uint64_t hash, uint64_t now_ns)
{
	uint32_t b = bucket1(t, hash), i, n;

	for (i = 0; i < UDPCT__EVICTION_RANGE; i++) {
		n = drop_bucket(t, &t->buckets[(b + i) & t->bucket_mask],
				now_ns);
		if (n)
			return n;
	}
	return 0;
}
