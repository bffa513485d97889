/* SPDX-License-Identifier: MIT */
/*
 * flow.h - the UDP state machine of one flow: ctinfo, timeouts, ASSURED,
 * counters; inline, as classify.c runs it for every packet.  Follows
 * resolve_normal_ct() and nf_conntrack_udp_packet()
 * (net/netfilter/nf_conntrack_core.c, nf_conntrack_proto_udp.c, 6.18):
 *
 *   reply direction                    -> ESTABLISHED (reply)
 *   original, a reply has been seen    -> ESTABLISHED
 *   original, created by expectation   -> RELATED
 *   original otherwise                 -> NEW
 *
 * Timeout: 30 s, unless a reply has been seen *before* this packet and the
 * flow is strictly more than 2 s old: then 120 s and ASSURED (the "stream"
 * rule of 2021/2023).  SEEN_REPLY is set after the reply packet has been
 * processed, so the first reply itself still gets 30 s.  Every accepted
 * packet refreshes.  The deadline only grows (a late packet from a slower
 * thread never shortens a flow's life), except on the ASSURED transition,
 * which sets it exactly as the kernel does.
 */
#ifndef UDPCT_FLOW_H
#define UDPCT_FLOW_H

#include <string.h>

#include "table.h"

/* Packet and byte counters, with UDPCT_CFG_ACCOUNTING (nf_conntrack_acct). */
static inline void
udpct__flow_account(const struct udpct_table *t, struct udpct_flow *f,
		    enum udpct_dir dir, uint32_t bytes, uint64_t now_ns)
{
	struct udpct__acct *a = udpct__acct(f);

	if (!(t->flags & UDPCT_CFG_ACCOUNTING))
		return;
	/*
	 * Load + store, no locked instruction: exact while one thread carries
	 * a flow (RSS steers a flow to one queue); racing threads on the same
	 * flow may lose an increment (docs/concurrency.md).
	 */
	atomic_store_explicit(&a->packets[dir],
			      atomic_load_explicit(&a->packets[dir], RLX) + 1,
			      RLX);
	atomic_store_explicit(&a->bytes[dir],
			      atomic_load_explicit(&a->bytes[dir], RLX) + bytes,
			      RLX);
	if (now_ns > atomic_load_explicit(&a->last_ns, RLX))
		atomic_store_explicit(&a->last_ns, now_ns, RLX);
}

static inline void
udpct__flow_init(struct udpct_table *t, struct udpct_flow *f,
		 const struct udpct__key *key, uint32_t bytes, uint64_t now_ns)
{
	uint32_t idx = udpct__flow_idx(t, f);
	int i;

	/* No reader sees this record until the index slot is published. */
	for (i = 0; i < 5; i++)
		atomic_store_explicit(&f->key[i], key->w[i], RLX);
	atomic_store_explicit(&f->first_ns, now_ns, RLX);
	atomic_store_explicit(&f->deadline_ns,
			      udpct__deadline(now_ns, t->timeout_ns), RLX);
	f->helper = 0;
	f->nexpect = 0;
	if (t->flags & UDPCT_CFG_ACCOUNTING)
		memset(udpct__acct(f), 0, sizeof(struct udpct__acct));
	if (t->user_data_size)
		memset(udpct__user_data(t, idx), 0, t->user_data_size);
	udpct__flow_account(t, f, UDPCT_DIR_ORIGINAL, bytes, now_ns);
	atomic_store_explicit(&f->status, UDPCT_STATUS_CONFIRMED, RLX);
}

static inline enum udpct_state
packet_state(uint32_t status, enum udpct_dir dir)
{
	if (dir == UDPCT_DIR_REPLY || (status & UDPCT_STATUS_SEEN_REPLY))
		return UDPCT_ESTABLISHED;
	if (status & UDPCT_STATUS_EXPECTED)
		return UDPCT_RELATED;
	return UDPCT_NEW;
}

static inline void
refresh(struct udpct_flow *f, uint64_t deadline)
{
	uint64_t cur = atomic_load_explicit(&f->deadline_ns, RLX);

	/*
	 * Written only when it moves, at most once per tick (4 ms) per flow;
	 * the CAS keeps the latest of two racing refreshes.
	 */
	while (deadline > cur &&
	       !atomic_compare_exchange_weak_explicit(&f->deadline_ns, &cur,
						      deadline, RLX, RLX))
		;
}

static inline void
udpct__flow_packet(struct udpct_table *t, struct udpct_flow *f,
		   enum udpct_dir dir, uint32_t bytes, uint64_t now_ns,
		   struct udpct_verdict *v)
{
	uint32_t st = atomic_load_explicit(&f->status, RLX), set = 0;
	uint64_t timeout = t->timeout_ns, d;
	int64_t age;

	v->state = packet_state(st, dir);
	v->dir = dir;
	if (st & UDPCT_STATUS_SEEN_REPLY) {
		age = (int64_t)(now_ns -
				atomic_load_explicit(&f->first_ns, RLX));
		if (age > (int64_t)UDPCT__STREAM_DELAY_NS) {
			timeout = t->stream_timeout_ns;
			set |= UDPCT_STATUS_ASSURED;
		}
	} else if (dir == UDPCT_DIR_REPLY) {
		set |= UDPCT_STATUS_SEEN_REPLY;
	}
	d = udpct__deadline(now_ns, timeout);
	if (set & ~st)
		st = atomic_fetch_or_explicit(&f->status, set, RLX);
	/*
	 * The packet that makes a flow ASSURED sets the stream deadline even
	 * when it is earlier (a stream timeout shorter than the unreplied
	 * one, as the kernel allows); every other packet only extends it.
	 */
	if ((set & ~st) & UDPCT_STATUS_ASSURED)
		atomic_store_explicit(&f->deadline_ns, d, RLX);
	else
		refresh(f, d);
	udpct__flow_account(t, f, dir, bytes, now_ns);
	v->status = st | set;
	v->flow = f;
}

#endif /* UDPCT_FLOW_H */
