/* SPDX-License-Identifier: MIT */
/*
 * classify.c - the per-packet pipeline: parse -> hash -> lookup ->
 * state machine -> verdict, and the commit that makes a NEW flow real.
 *
 * Two phases as in nf_conntrack_in() / nf_confirm(): a miss returns NEW
 * (or RELATED when an expectation matched) with the tentative flow
 * described in the verdict only; udpct_commit() inserts it and runs the
 * flow's helper.  A commit that finds its flow already inserted (two
 * pending verdicts of one flow, or of its two directions) joins it and
 * counts a clash, as nf_ct_resolve_clash() merges the loser into the winner.
 *
 * A full table is handled where the kernel handles it, at the miss: early
 * drop near the new key's bucket, or the packet is refused (table_full).
 *
 * ICMP errors (nf_conntrack_inet_error()): the quoted datagram is looked
 * up; the error is RELATED in the direction opposite to the quoted packet,
 * never refreshes the flow and never sets SEEN_REPLY, and must be addressed
 * to the quoted packet's sender.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"
#include "flow.h"
#include "index.h"

static void
verdict_none(struct udpct_verdict *v, enum udpct_state s,
	     enum udpct_invalid_reason r)
{
	v->state = s;
	v->dir = UDPCT_DIR_NONE;
	v->reason = r;
	v->status = 0;
	v->flow = NULL;
	v->priv.flags = 0;
}

static inline struct udpct__shard *
shard(struct udpct_table *t, const struct udpct_verdict *v)
{
	return udpct__shard_of(t->shards, v);
}

static void
verdict_invalid(struct udpct_table *t, struct udpct_verdict *v,
		enum udpct_invalid_reason r)
{
	verdict_none(v, UDPCT_INVALID, r);
	udpct__count(&shard(t, v)->invalid[r]);
}

/*
 * Look up a live flow for @tuple; expired flows are absent (spec 8).  A
 * live @hint with the key is the answer: the index holds one entry per
 * key, and the hint's record cannot be reused before the caller's next
 * quiescent state.  Anything else takes the full lookup.
 */
static struct udpct_flow *
lookup(struct udpct_table *t, const struct udpct_tuple *tuple, uint64_t hash,
       struct udpct_flow *hint, uint64_t now_ns, enum udpct_dir *dir)
{
	struct udpct__key fwd, rev;
	struct udpct_flow *f;

	udpct__key_build(tuple, &fwd, &rev);
	if (hint && udpct__key_match(hint, &fwd, &rev, dir) &&
	    udpct__flow_live(hint, now_ns))
		return hint;
	f = udpct__index_find(t, hash, &fwd, &rev, dir);
	return f && udpct__flow_live(f, now_ns) ? f : NULL;
}

/*
 * A miss that matches an expectation uses it up at lookup time, even if
 * the packet is then found INVALID or dropped (init_conntrack()).  Takes
 * the lock only when the table has expectations.
 */
static bool
consume_expectation(struct udpct_table *t, const struct udpct_tuple *tuple,
		    uint64_t now_ns)
{
	struct udpct__key fwd, rev;
	struct udpct__exp *e;

	if (!udpct__expect_n(t))
		return false;
	udpct__key_build(tuple, &fwd, &rev);
	udpct__lock(t);
	e = udpct__expect_match(t, &fwd, now_ns);
	if (e) {
		if (!(e->flags & UDPCT_EXPECT_PERMANENT))
			udpct__expect_remove(t, (uint32_t)(e - t->exp));
		t->wstats.expect_matched++;
	}
	udpct__unlock(t);
	return e != NULL;
}

/* Is there room for one more flow?  Makes some if the policy allows. */
static bool
room_for_new(struct udpct_table *t, uint64_t hash, uint64_t now_ns)
{
	bool ok;

	if (likely(atomic_load_explicit(&t->free_top, RLX) != 0))
		return true;
	udpct__lock(t);
	ok = atomic_load_explicit(&t->free_top, RLX) != 0 ||
	     udpct__qsbr_reclaim(t) ||
	     (!(t->flags & UDPCT_CFG_FULL_REFUSE) &&
	      udpct__early_drop(t, hash, now_ns));
	udpct__unlock(t);
	return ok;
}

/* No live flow: a tentative one, unless the table is full. */
static void
classify_miss(struct udpct_table *t, uint64_t hash, uint64_t now_ns,
	      struct udpct_verdict *v)
{
	if (!room_for_new(t, hash, now_ns)) {
		udpct__count(&shard(t, v)->table_full);
		verdict_invalid(t, v, UDPCT_REASON_TABLE_FULL);
		return;
	}
	v->state = UDPCT_NEW;
	v->dir = UDPCT_DIR_ORIGINAL;
	v->status = 0;
	v->flow = NULL;
	v->priv.hash = hash;
	v->priv.flags |= UDPCT__V_PENDING;
	if (consume_expectation(t, &v->tuple, now_ns)) {
		v->state = UDPCT_RELATED;
		v->priv.flags |= UDPCT__V_EXPECTED;
	}
}

/* Verdict for a valid UDP datagram; commits itself in auto-commit mode. */
static void
classify_udp(struct udpct_table *t, uint64_t hash, uint32_t bytes,
	     struct udpct_flow *hint, uint64_t now_ns, struct udpct_verdict *v)
{
	struct udpct_flow *f;
	enum udpct_dir dir;
	int err;

	v->reason = UDPCT_REASON_NONE;
	v->priv.now_ns = now_ns;
	v->priv.bytes = bytes;
	f = lookup(t, &v->tuple, hash, hint, now_ns, &dir);
	if (f) {
		udpct__count(&shard(t, v)->found);
		udpct__flow_packet(t, f, dir, bytes, now_ns, v);
		if (f->helper)
			v->priv.flags |= UDPCT__V_HELP;
	} else {
		classify_miss(t, hash, now_ns, v);
	}
	if (!(t->flags & UDPCT_CFG_AUTO_COMMIT) || !v->priv.flags)
		return;
	err = udpct_commit(t, v);
	if (err == -ENOSPC)
		verdict_invalid(t, v, UDPCT_REASON_TABLE_FULL);
	else if (err < 0)
		verdict_invalid(t, v, UDPCT_REASON_HELPER_REFUSED);
}

static void
classify_icmp(struct udpct_table *t, const struct udpct__pkt *pkt,
	      uint64_t hash, uint64_t now_ns, struct udpct_verdict *v)
{
	size_t alen = pkt->tuple->family == UDPCT_IPV4 ? 4 : 16;
	struct udpct_flow *f;
	enum udpct_dir qdir;

	f = lookup(t, pkt->tuple, hash, pkt->hint, now_ns, &qdir);
	if (!f) {
		verdict_invalid(t, v, UDPCT_REASON_ICMP_UNKNOWN_FLOW);
		return;
	}
	/* The error must go back to whoever sent the quoted datagram. */
	if (memcmp(pkt->outer_daddr, pkt->tuple->saddr, alen)) {
		verdict_invalid(t, v, UDPCT_REASON_ICMP_DADDR_MISMATCH);
		return;
	}
	udpct__count(&shard(t, v)->related);
	v->state = UDPCT_RELATED;
	v->dir = qdir == UDPCT_DIR_ORIGINAL ? UDPCT_DIR_REPLY
					    : UDPCT_DIR_ORIGINAL;
	v->reason = UDPCT_REASON_NONE;
	v->status = atomic_load_explicit(&f->status, RLX);
	v->flow = f;
}

/* UDP that fails validation: no flow, but it still eats an expectation. */
static void
classify_bad_udp(struct udpct_table *t, const struct udpct__pkt *pkt,
		 uint64_t now_ns, struct udpct_verdict *v)
{
	enum udpct_dir dir;

	if (udpct__expect_n(t) && pkt->tuple->family &&
	    !lookup(t, pkt->tuple, udpct__hash_tuple(t->secret, pkt->tuple),
		    NULL, now_ns, &dir))
		consume_expectation(t, pkt->tuple, now_ns);
	verdict_invalid(t, v, pkt->reason);
}

void
udpct__classify_parsed(struct udpct_table *t, const struct udpct__pkt *pkt,
		       uint64_t hash, uint64_t now_ns, struct udpct_verdict *v)
{
	v->priv.flags = 0;
	v->priv.payload = pkt->payload;
	v->priv.payload_len = pkt->payload_len;
	if (pkt->reason != UDPCT_REASON_NONE) {
		if (pkt->kind == UDPCT__PKT_UDP)
			classify_bad_udp(t, pkt, now_ns, v);
		else
			verdict_invalid(t, v, pkt->reason);
		return;
	}
	switch (pkt->kind) {
	case UDPCT__PKT_UDP:
		classify_udp(t, hash, pkt->ip_len, pkt->hint, now_ns, v);
		break;
	case UDPCT__PKT_ICMP_ERR:
		classify_icmp(t, pkt, hash, now_ns, v);
		break;
	default:
		udpct__count(&shard(t, v)->ignored);
		verdict_none(v, UDPCT_IGNORED, UDPCT_REASON_NONE);
		break;
	}
}

UDPCT_EXPORT int
udpct_classify_zone(struct udpct_table *t, const void *l3, size_t len,
		    uint16_t zone, uint64_t now_ns, struct udpct_verdict *v)
{
	struct udpct__pkt pkt;
	uint64_t hash = 0;

	if (!t || !v || (!l3 && len))
		return -EINVAL;
	pkt.zone = zone;
	pkt.tuple = &v->tuple;
	pkt.hint = NULL;
	udpct__parse(l3, len, !(t->flags & UDPCT_CFG_NO_CHECKSUM), &pkt);
	if (pkt.reason == UDPCT_REASON_NONE && pkt.kind != UDPCT__PKT_OTHER)
		hash = udpct__hash_tuple(t->secret, pkt.tuple);
	udpct__classify_parsed(t, &pkt, hash, now_ns, v);
	return 0;
}

UDPCT_EXPORT int
udpct_classify(struct udpct_table *t, const void *l3, size_t len,
	       uint64_t now_ns, struct udpct_verdict *v)
{
	return udpct_classify_zone(t, l3, len, 0, now_ns, v);
}

UDPCT_EXPORT int
udpct_classify_tuple(struct udpct_table *t, const struct udpct_tuple *tuple,
		     uint32_t bytes, uint64_t now_ns, struct udpct_verdict *v)
{
	if (!t || !tuple || !v || tuple->proto != UDPCT_PROTO_UDP ||
	    (tuple->family != UDPCT_IPV4 && tuple->family != UDPCT_IPV6))
		return -EINVAL;
	v->priv.flags = 0;
	v->priv.payload = NULL;
	v->priv.payload_len = 0;
	v->tuple = *tuple;
	if (tuple->family == UDPCT_IPV4) {
		/* Canonical IPv4: only the first 4 address bytes count. */
		memset(v->tuple.saddr + 4, 0, 12);
		memset(v->tuple.daddr + 4, 0, 12);
	}
	classify_udp(t, udpct__hash_tuple(t->secret, &v->tuple), bytes, NULL,
		     now_ns, v);
	return 0;
}

/* A flow of the same key that is already linked: join it or reap it.
 * Lock held. */
static bool
resolve_clash(struct udpct_table *t, struct udpct_verdict *v,
	      const struct udpct__key *fwd, const struct udpct__key *rev)
{
	struct udpct_flow *f;
	enum udpct_dir dir;

	f = udpct__index_find(t, v->priv.hash, fwd, rev, &dir);
	if (!f)
		return false;
	if (!udpct__flow_live(f, v->priv.now_ns)) {
		/*
		 * Expired, not reaped yet: met by a lookup, the kernel deletes
		 * it, and its expectations with it.  The wheel reports it.
		 */
		udpct__flow_unlink(t, f);
		udpct__expect_kill_master(t, udpct__flow_idx(t, f));
		return false;
	}
	/* The packet keeps its verdict; only counters merge. */
	t->wstats.clash++;
	udpct__flow_account(t, f, dir, v->priv.bytes, v->priv.now_ns);
	v->flow = f;
	v->status = atomic_load_explicit(&f->status, RLX);
	return true;
}

static struct udpct_flow *
alloc_room(struct udpct_table *t, uint64_t hash, uint64_t now_ns)
{
	struct udpct_flow *f = udpct__flow_alloc(t);

	if (!f && !(t->flags & UDPCT_CFG_FULL_REFUSE) &&
	    udpct__early_drop(t, hash, now_ns))
		f = udpct__flow_alloc(t);
	return f;
}

/*
 * Confirmation: insert the tentative flow of @v (__nf_conntrack_confirm).
 * Lock held.
 */
static int
insert(struct udpct_table *t, struct udpct_verdict *v, uint32_t flags)
{
	struct udpct__key fwd, rev;
	struct udpct_flow *f;
	uint32_t idx;

	udpct__key_build(&v->tuple, &fwd, &rev);
	if (resolve_clash(t, v, &fwd, &rev))
		return 0;
	f = alloc_room(t, v->priv.hash, v->priv.now_ns);
	if (!f)
		goto full;
	idx = udpct__flow_idx(t, f);
	udpct__flow_init(t, f, &fwd, v->priv.bytes,
			 v->priv.now_ns);
	if (flags & UDPCT__V_EXPECTED)
		atomic_fetch_or_explicit(&f->status, UDPCT_STATUS_EXPECTED,
					 RLX);
	else if (t->nhelpers)
		f->helper = udpct__helper_find(t, &v->tuple);
	/* The packet's view: a reader may add SEEN_REPLY once published. */
	v->status = atomic_load_explicit(&f->status, RLX);
	/* Publish last: the release store makes the record whole. */
	if (udpct__index_insert(t, v->priv.hash, idx, v->priv.now_ns) < 0) {
		udpct__flow_free_idx(t, idx);
		goto full;
	}
	if (!t->wheel_started) {
		t->wheel.cur = udpct__tick(v->priv.now_ns);
		t->wheel_started = true;
	}
	udpct__wheel_arm(&t->wheel, idx,
			 udpct__tick(atomic_load_explicit(&f->deadline_ns,
							  RLX)));
	t->wstats.inserted++;
	t->zones_used[v->tuple.zone / 64] |= 1ull << (v->tuple.zone % 64);
	v->flow = f;
	return 0;
full:
	t->wstats.insert_failed++;
	return -ENOSPC;
}

/*
 * The helper refused the packet that created the flow: the kernel runs
 * helpers before confirming, so the flow never existed.  Lock taken.
 */
static void
rollback(struct udpct_table *t, struct udpct_verdict *v)
{
	udpct__lock(t);
	if (!(atomic_load_explicit(&v->flow->status, RLX) &
	      UDPCT_STATUS_DYING)) {
		udpct__flow_unlink(t, v->flow);
		udpct__flow_retire(t, v->flow);
		t->wstats.inserted--;
		t->wstats.insert_failed++;
	}
	udpct__unlock(t);
	v->flow = NULL;
	v->status = 0;
}

UDPCT_EXPORT int
udpct_commit(struct udpct_table *t, struct udpct_verdict *v)
{
	uint32_t flags;
	int err;

	if (!t || !v)
		return -EINVAL;
	flags = v->priv.flags;
	v->priv.flags = 0;
	if (flags & UDPCT__V_PENDING) {
		udpct__lock(t);
		err = insert(t, v, flags);
		udpct__unlock(t);
		if (err)
			return err;
		if (v->flow->helper)
			flags |= UDPCT__V_HELP;
	}
	if (!(flags & UDPCT__V_HELP))
		return 0;
	/* Outside the lock: a helper calls udpct_expect(). */
	err = udpct__helper_run(t, v->flow, v);
	if (err && (flags & UDPCT__V_PENDING))
		rollback(t, v);
	return err;
}
