/* SPDX-License-Identifier: MIT */
/*
 * expire.c - removing flows: udpct_table_advance() drives the timer wheel
 * and reaps expired flows, udpct_table_flush() removes them on demand.
 *
 * The wheel only says "look at this flow now"; the flow's own deadline
 * decides.  A flow refreshed since it was filed is re-filed at its new
 * deadline (lazy re-arm: no wheel work on the packet path).  Expiry is a
 * pure function of (deadline, now): lookups already treat a flow past its
 * deadline as absent, so reaping late never changes a verdict (spec 8).
 * Runs under the writer lock; the embedder's callback too.
 */
#include <errno.h>
#include <string.h>

#include "index.h"

#define PEEKED 16	/* > UDPCT__WHEEL_PEEK_AHEAD, a power of two */

struct reap_ctx {
	struct udpct_table *t;
	uint64_t now_ns;
	udpct_expire_fn fn;
	void *arg;
	/* Hashes peek() computed, by record index: fire uses them. */
	struct {
		uint32_t idx1;		/* record index + 1, 0: none */
		uint64_t hash;
	} peeked[PEEKED];
};

/* The hash of flow @idx's key, computed by peek() if it was. */
static uint64_t
flow_hash(struct reap_ctx *c, uint32_t idx, const struct udpct_flow *f)
{
	struct udpct__key k;

	if (c->peeked[idx % PEEKED].idx1 == idx + 1)
		return c->peeked[idx % PEEKED].hash;
	udpct__flow_key(f, &k);
	return udpct__hash_key(c->t->secret, &k);
}

/* Reap flow @idx if its deadline has passed, else re-file it. */
static bool
fire_flow(struct reap_ctx *c, uint32_t idx, uint64_t *rearm_tick)
{
	struct udpct_table *t = c->t;
	struct udpct_flow *f = udpct__flow_at(t, idx);
	uint64_t deadline = atomic_load_explicit(&f->deadline_ns, RLX);
	uint32_t st = atomic_load_explicit(&f->status, RLX);
	struct udpct_flow_info info;

	if (deadline > c->now_ns && !(st & UDPCT_STATUS_DYING)) {
		*rearm_tick = udpct__tick(deadline);
		return false;
	}
	if (!(st & UDPCT_STATUS_DYING))
		udpct__flow_unlink_hashed(t, f, flow_hash(c, idx, f));
	if (c->fn) {
		udpct__flow_info(t, f, &info);
		c->fn(c->arg, &info, udpct__user_data(t, idx));
	}
	udpct__flow_retire(t, f);
	t->wstats.expired++;
	return true;
}

/*
 * A flow that fires soon: its record and, through its key's hash, the
 * index bucket its removal will write.  Flows expiring together were made
 * together, so their records are neighbours but their buckets are random:
 * without this, every reaped flow waits for a cache miss.
 */
static void
peek(void *p, uint32_t idx)
{
	struct reap_ctx *c = p;
	struct udpct__key k;
	uint64_t h;

	if (idx >= c->t->capacity)
		return;
	udpct__flow_key(udpct__flow_at(c->t, idx), &k);
	h = udpct__hash_key(c->t->secret, &k);
	udpct__index_prefetch_bucket(c->t, h);
	c->peeked[idx % PEEKED].idx1 = idx + 1;
	c->peeked[idx % PEEKED].hash = h;
}

/* Wheel nodes past the flows belong to expectations. */
static bool
fire(void *p, uint32_t idx, uint64_t *rearm_tick)
{
	struct reap_ctx *c = p;

	if (idx >= c->t->capacity)
		return udpct__expect_fire(c->t, idx - c->t->capacity,
					  c->now_ns, rearm_tick);
	return fire_flow(c, idx, rearm_tick);
}

UDPCT_EXPORT int
udpct_table_advance(struct udpct_table *t, uint64_t now_ns, uint32_t budget,
		    udpct_expire_fn fn, void *arg)
{
	struct reap_ctx c = { .t = t, .now_ns = now_ns, .fn = fn, .arg = arg };
	uint64_t before;
	int n;

	if (!t)
		return -EINVAL;
	udpct__lock(t);
	before = t->wstats.expired;
	if (now_ns < t->last_advance_ns) {
		t->wstats.clock_backwards++;
	} else {
		t->last_advance_ns = now_ns;
		t->wheel.peek = peek;
		if (t->wheel_started)
			udpct__wheel_advance(&t->wheel, udpct__tick(now_ns),
					     budget, fire, &c, NULL);
		udpct__qsbr_reclaim(t);
	}
	/* Flows only: expectations expire on the same wheel, uncounted. */
	n = (int)(t->wstats.expired - before);
	udpct__unlock(t);
	return n;
}

UDPCT_EXPORT int
udpct_table_flush(struct udpct_table *t, const uint16_t *zone,
		  udpct_expire_fn fn, void *arg)
{
	struct udpct_flow *f;
	uint32_t i, st;
	int n = 0;

	if (!t)
		return -EINVAL;
	udpct__lock(t);
	if (zone && !(t->zones_used[*zone / 64] & (1ull << (*zone % 64))))
		goto out;
	for (i = 0; i < t->capacity; i++) {
		f = udpct__flow_at(t, i);
		st = atomic_load_explicit(&f->status, RLX);
		/* Linked: confirmed and not yet unlinked (dying). */
		if ((st & (UDPCT_STATUS_CONFIRMED | UDPCT_STATUS_DYING)) !=
		    UDPCT_STATUS_CONFIRMED)
			continue;
		if (zone && (uint16_t)(atomic_load_explicit(&f->key[4], RLX) >>
				       32) != *zone)
			continue;
		udpct__flow_remove(t, f, fn, arg);
		t->wstats.flushed++;
		n++;
	}
	if (zone)
		t->zones_used[*zone / 64] &= ~(1ull << (*zone % 64));
	else
		memset(t->zones_used, 0, sizeof(t->zones_used));
	udpct__qsbr_reclaim(t);
out:
	udpct__unlock(t);
	return n;
}
