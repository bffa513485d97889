/* SPDX-License-Identifier: MIT */
/*
 * expect.c - expectations (nf_conntrack_expect.c): creation with the
 * kernel's checks, matching on a lookup miss, expiry on the timer wheel,
 * and death with the master.
 *
 * Expectations live in a dense array exp[0..count): matching and the
 * overlap checks scan it, which is cheap for the handful a helper keeps
 * and bounded by expect_max; the miss path skips it entirely when count is
 * 0.  Removal swaps the last entry into the hole, so the moved entry's
 * wheel node (capacity + index) is re-filed under its new index.
 *
 * Kernel behaviour kept: a match consumes a single-use expectation at
 * lookup time, before the packet is validated or accepted; an expired but
 * not yet reaped master's expectations still match (spec 6b); re-creating
 * an identical expectation restarts its timer; at a master's limit the
 * oldest is replaced.
 */
#include <errno.h>
#include <string.h>

#include "table.h"

#define DEFAULT_EXPECT_TIMEOUT (300 * NSEC_PER_SEC)

static bool
key_match(const struct udpct__key *k, const struct udpct__key *key,
	  const struct udpct__key *mask)
{
	int i;

	for (i = 0; i < 5; i++)
		if ((k->w[i] & mask->w[i]) != key->w[i])
			return false;
	return true;
}

struct udpct__exp *
udpct__expect_match(struct udpct_table *t, const struct udpct__key *fwd,
		    uint64_t now_ns)
{
	struct udpct__exp *e;
	uint32_t i;

	for (i = 0; i < udpct__expect_n(t); i++) {
		e = &t->exp[i];
		if (now_ns < e->deadline_ns && key_match(fwd, &e->key, &e->mask))
			return e;
	}
	return NULL;
}

void
udpct__expect_remove(struct udpct_table *t, uint32_t i)
{
	uint32_t last = udpct__expect_n(t) - 1;
	struct udpct__exp *e = &t->exp[i];

	udpct__flow_at(t, e->master)->nexpect--;
	udpct__wheel_cancel(&t->wheel, t->capacity + i);
	if (i != last) {
		*e = t->exp[last];
		udpct__wheel_cancel(&t->wheel, t->capacity + last);
		udpct__wheel_arm(&t->wheel, t->capacity + i,
				 udpct__tick(e->deadline_ns));
	}
	atomic_store_explicit(&t->expect_count, last, RLX);
}

void
udpct__expect_kill_master(struct udpct_table *t, uint32_t master)
{
	uint32_t i = udpct__expect_n(t);

	while (udpct__flow_at(t, master)->nexpect && i--)
		if (t->exp[i].master == master)
			udpct__expect_remove(t, i);
}

bool
udpct__expect_fire(struct udpct_table *t, uint32_t i, uint64_t now_ns,
		   uint64_t *rearm_tick)
{
	if (t->exp[i].deadline_ns > now_ns) {
		*rearm_tick = udpct__tick(t->exp[i].deadline_ns);
		return false;
	}
	udpct__expect_remove(t, i);
	return true;
}

static void
build_mask(const struct udpct_expect *e, struct udpct__key *mask)
{
	struct udpct_tuple m = e->mask;

	if (e->tuple.family == UDPCT_IPV4) {
		/* Bytes past an IPv4 address are zero in every key. */
		memset(m.saddr + 4, 0xff, 12);
		memset(m.daddr + 4, 0xff, 12);
	}
	m.zone = 0xffff;
	m.family = 0xff;
	m.proto = 0xff;
	memcpy(&mask->w[0], m.saddr, 16);
	memcpy(&mask->w[2], m.daddr, 16);
	mask->w[4] = (uint64_t)0xffffffff << 32 | (uint64_t)m.dport << 16 |
		     m.sport;
}

static bool
same(const struct udpct__key *a, const struct udpct__key *b)
{
	return udpct__key_equal(a, b);
}

/* Equal under the intersection of both masks (__nf_ct_expect_check). */
static bool
overlap(const struct udpct__exp *a, const struct udpct__exp *b)
{
	int i;

	for (i = 0; i < 5; i++) {
		uint64_t m = a->mask.w[i] & b->mask.w[i];

		if ((a->key.w[i] & m) != (b->key.w[i] & m))
			return false;
	}
	return true;
}

static void
oldest_of_master(struct udpct_table *t, uint32_t master)
{
	uint32_t i, old = UINT32_MAX;

	for (i = 0; i < udpct__expect_n(t); i++)
		if (t->exp[i].master == master &&
		    (old == UINT32_MAX ||
		     t->exp[i].serial < t->exp[old].serial))
			old = i;
	if (old != UINT32_MAX)
		udpct__expect_remove(t, old);
}

/* Finds a replaceable twin (returns its index) or a conflict (-EBUSY). */
static int64_t
check_existing(struct udpct_table *t, const struct udpct__exp *n)
{
	uint32_t i;

	for (i = 0; i < udpct__expect_n(t); i++) {
		const struct udpct__exp *o = &t->exp[i];

		if (same(&o->key, &n->key) && same(&o->mask, &n->mask))
			return o->master == n->master ? (int64_t)i : -EBUSY;
		if (overlap(o, n))
			return -EBUSY;
	}
	return -ENOENT;
}

/* The per-master limit; a record counts at most UINT16_MAX. */
static bool
master_full(const struct udpct_flow *m, const struct udpct_expect *e)
{
	return (e->max_per_master && m->nexpect >= e->max_per_master) ||
	       m->nexpect == UINT16_MAX;
}

/* Lock held. */
static int
expect_add(struct udpct_table *t, struct udpct__exp *n,
	   const struct udpct_expect *e)
{
	int64_t r = check_existing(t, n);
	uint32_t i;

	if (r >= 0) {
		udpct__expect_remove(t, (uint32_t)r);	/* re-arm: replace */
	} else if (r == -EBUSY) {
		return -EBUSY;
	} else if (master_full(udpct__flow_at(t, n->master), e)) {
		oldest_of_master(t, n->master);
	}
	i = udpct__expect_n(t);
	if (i >= t->expect_max)
		return -ENOSPC;
	n->serial = ++t->exp_serial;
	t->exp[i] = *n;
	udpct__wheel_arm(&t->wheel, t->capacity + i,
			 udpct__tick(n->deadline_ns));
	atomic_store_explicit(&t->expect_count, i + 1, RLX);
	udpct__flow_at(t, n->master)->nexpect++;
	return 0;
}

static bool
expect_valid(const struct udpct_table *t, const struct udpct_flow *master,
	     const struct udpct_expect *e, uint64_t now_ns)
{
	struct udpct_flow_info mi;

	if ((e->flags & ~UDPCT_EXPECT_PERMANENT) ||
	    !udpct__flow_live(master, now_ns))
		return false;
	udpct__flow_info(t, master, &mi);
	return e->tuple.family == mi.tuple.family &&
	       e->tuple.zone == mi.tuple.zone &&
	       e->tuple.proto == UDPCT_PROTO_UDP;
}

UDPCT_EXPORT int
udpct_expect(struct udpct_table *t, struct udpct_flow *master,
	     const struct udpct_expect *e, uint64_t now_ns)
{
	struct udpct__key rev;
	struct udpct__exp n;
	int i, err;

	if (!t || !master || !e || !udpct__flow_valid(t, master))
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	udpct__key_build(&e->tuple, &n.key, &rev);
	build_mask(e, &n.mask);
	for (i = 0; i < 5; i++)
		n.key.w[i] &= n.mask.w[i];
	n.deadline_ns = udpct__deadline(now_ns, e->timeout_ns ? e->timeout_ns
							: DEFAULT_EXPECT_TIMEOUT);
	n.master = udpct__flow_idx(t, master);
	n.flags = e->flags;
	udpct__lock(t);
	err = expect_valid(t, master, e, now_ns) ? expect_add(t, &n, e)
						 : -EINVAL;
	if (err)
		t->wstats.expect_failed++;
	else
		t->wstats.expect_new++;
	udpct__unlock(t);
	return err;
}

UDPCT_EXPORT int
udpct_flow_set_timeout(struct udpct_table *t, struct udpct_flow *f,
		       uint64_t timeout_ns, uint64_t now_ns)
{
	uint64_t d;

	if (!t || !f || !udpct__flow_valid(t, f) || !udpct__flow_live(f, now_ns))
		return -EINVAL;
	d = udpct__deadline(now_ns, timeout_ns);
	udpct__lock(t);
	atomic_store_explicit(&f->deadline_ns, d, RLX);
	/* A shorter life must be filed earlier: the wheel never looks back. */
	udpct__wheel_cancel(&t->wheel, udpct__flow_idx(t, f));
	udpct__wheel_arm(&t->wheel, udpct__flow_idx(t, f), udpct__tick(d));
	udpct__unlock(t);
	return 0;
}
