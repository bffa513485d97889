/* SPDX-License-Identifier: MIT */
/*
 * index.c - the hash index's writer side (its layout and read side are in
 * index.h): insertion into the first candidate bucket with a free slot,
 * else the second, removal, and the kernel's early drop.
 *
 * Early drop follows early_drop() in nf_conntrack_core.c: walk at most
 * NF_CT_EVICTION_RANGE buckets from the new key's bucket and, in the first
 * bucket that has any, remove every flow that is not ASSURED (and every
 * expired flow met on the way).
 */
#include <errno.h>

#include "index.h"

#define SLOT_EMPTY 0ull

static inline uint64_t
slot_make(uint64_t hash, uint32_t idx)
{
	return (uint64_t)udpct__tag(hash) << 32 | (idx + 1);
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
	uint32_t i1 = udpct__bucket1(t, hash);
	struct udpct__bucket *b1 = &t->buckets[i1];
	struct udpct__bucket *b2 = &t->buckets[udpct__bucket2(t, hash)];
	uint64_t s = slot_make(hash, idx);

	if (bucket_put(b1, s))
		return 0;
	/*
	 * Before the entry is published in b2 (bucket_put's release store):
	 * a reader that can see the entry sees the bit.
	 */
	atomic_fetch_or_explicit(&t->overflowed[i1 / 64], 1ull << (i1 % 64),
				 RLX);
	if (bucket_put(b2, s))
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
	if (!bucket_del(&t->buckets[udpct__bucket1(t, hash)], idx))
		bucket_del(&t->buckets[udpct__bucket2(t, hash)], idx);
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
		f = udpct__flow_at(t, (uint32_t)s - 1);
		st = atomic_load_explicit(&f->status, RLX);
		if (!udpct__flow_live(f, now_ns)) {
			t->wstats.expired++;	/* reaped on the way */
		} else if (!(st & UDPCT_STATUS_ASSURED)) {
			t->wstats.early_drop++;
		} else {
			continue;
		}
		udpct__flow_remove(t, f, t->evict_fn, t->evict_arg);
		dropped++;
	}
	return dropped;
}

/* Lock held. */
uint32_t
udpct__early_drop(struct udpct_table *t, uint64_t hash, uint64_t now_ns)
{
	uint32_t b = udpct__bucket1(t, hash), i, n;

	for (i = 0; i < UDPCT__EVICTION_RANGE; i++) {
		n = drop_bucket(t, &t->buckets[(b + i) & t->bucket_mask],
				now_ns);
		if (n)
			return n;
	}
	return 0;
}
