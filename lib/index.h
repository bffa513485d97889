/* SPDX-License-Identifier: MIT */
/*
 * index.h - the hash index (index.c): its layout helpers and its read
 * side, inline because every packet runs it.
 *
 * A bucket is one cache line of 8 slots; a slot packs the key's 32-bit tag
 * (the hash's high half) with the record index + 1 (0 = empty), so one
 * 64-bit load tells whether the slot may hold the key.  Each key has two
 * candidate buckets; entries never move, so a reader sees a key in one of
 * them or not at all.  One entry serves both directions (hash.h); the
 * record's original-direction key tells which direction matched.
 *
 * A key goes to its second bucket only when its first is full, which at
 * the table's load is rare; a bit per bucket says "a key of mine went to
 * its second bucket" (set before that entry is published, never cleared),
 * so a lookup that misses in the first bucket reads the second only then:
 * a new flow costs one bucket line, not two.
 */
#ifndef UDPCT_INDEX_H
#define UDPCT_INDEX_H

#include "table.h"

static inline uint32_t
udpct__tag(uint64_t hash)
{
	return (uint32_t)(hash >> 32);
}

static inline uint32_t
udpct__bucket1(const struct udpct_table *t, uint64_t hash)
{
	return (uint32_t)hash & t->bucket_mask;
}

/* The second choice depends on the tag only through a multiply. */
static inline uint32_t
udpct__bucket2(const struct udpct_table *t, uint64_t hash)
{
	return (udpct__bucket1(t, hash) ^ (udpct__tag(hash) * 0x9e3779b1u)) &
	       t->bucket_mask;
}

/* The record of a slot whose tag is @tag, NULL otherwise. */
static inline struct udpct_flow *
udpct__slot_flow(const struct udpct_table *t, uint64_t s, uint32_t tag)
{
	if ((uint32_t)(s >> 32) != tag || (uint32_t)s == 0)
		return NULL;
	return udpct__flow_at(t, (uint32_t)s - 1);
}

/* Which direction of @f's key is @fwd (whose inverse is @rev), if any. */
static inline bool
udpct__key_match(const struct udpct_flow *f, const struct udpct__key *fwd,
		 const struct udpct__key *rev, enum udpct_dir *dir)
{
	struct udpct__key k;

	udpct__flow_key(f, &k);
	if (udpct__key_equal(&k, fwd)) {
		*dir = UDPCT_DIR_ORIGINAL;
		return true;
	}
	if (udpct__key_equal(&k, rev)) {
		*dir = UDPCT_DIR_REPLY;
		return true;
	}
	return false;
}

static inline bool
udpct__overflowed(const struct udpct_table *t, uint32_t b)
{
	return atomic_load_explicit(&t->overflowed[b / 64], RLX) >> (b % 64) &
	       1;
}

static inline struct udpct_flow *
udpct__bucket_find(const struct udpct_table *t, const struct udpct__bucket *b,
		   uint32_t tag, const struct udpct__key *fwd,
		   const struct udpct__key *rev, enum udpct_dir *dir)
{
	struct udpct_flow *f;
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		/* Acquire: pairs with the publishing release in index.c. */
		f = udpct__slot_flow(t, atomic_load_explicit(
						&b->slot[i],
						memory_order_acquire), tag);
		if (f && udpct__key_match(f, fwd, rev, dir))
			return f;
	}
	return NULL;
}

/* The flow of either direction of @fwd/@rev, live or not; NULL if none. */
static inline struct udpct_flow *
udpct__index_find(const struct udpct_table *t, uint64_t hash,
		  const struct udpct__key *fwd, const struct udpct__key *rev,
		  enum udpct_dir *dir)
{
	uint32_t b1 = udpct__bucket1(t, hash), b2 = udpct__bucket2(t, hash);
	struct udpct_flow *f;

	f = udpct__bucket_find(t, &t->buckets[b1], udpct__tag(hash), fwd, rev,
			       dir);
	if (f || b2 == b1 || !udpct__overflowed(t, b1))
		return f;
	return udpct__bucket_find(t, &t->buckets[b2], udpct__tag(hash), fwd,
				  rev, dir);
}

static inline void
udpct__index_prefetch_bucket(const struct udpct_table *t, uint64_t hash)
{
	__builtin_prefetch(&t->buckets[udpct__bucket1(t, hash)]);
}

/*
 * The record the first tag match in the first bucket points at (where a
 * key usually is), prefetched with its counters' line: a candidate for the
 * lookup to try first, or NULL.
 */
static inline struct udpct_flow *
udpct__index_candidate(const struct udpct_table *t, uint64_t hash)
{
	const struct udpct__bucket *b = &t->buckets[udpct__bucket1(t, hash)];
	struct udpct_flow *f;
	int i;

	for (i = 0; i < UDPCT__BUCKET_SLOTS; i++) {
		f = udpct__slot_flow(t, atomic_load_explicit(
						&b->slot[i],
						memory_order_acquire),
				     udpct__tag(hash));
		if (f) {
			__builtin_prefetch(f);
			if (t->flags & UDPCT_CFG_ACCOUNTING)
				__builtin_prefetch(udpct__acct(f), 1);
			return f;
		}
	}
	return NULL;
}

/* Writer side, index.c; lock held. */
int udpct__index_insert(struct udpct_table *t, uint64_t hash, uint32_t idx,
			uint64_t now_ns);
void udpct__index_remove(struct udpct_table *t, uint64_t hash, uint32_t idx);
uint32_t udpct__early_drop(struct udpct_table *t, uint64_t hash,
			   uint64_t now_ns);

#endif /* UDPCT_INDEX_H */
