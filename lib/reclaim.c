/* SPDX-License-Identifier: MIT */
/*
 * reclaim.c - quiescent-state-based reclamation (QSBR), the only file that
 * decides when a flow record may be reused.
 *
 * Design (after liburcu-qsbr and DPDK rte_rcu_qsbr): a grace-period counter
 * gp only grows.  Retiring a record (after it was unlinked from the index)
 * increments gp and tags the record with the new value T.  A reader's
 * quiescent state stores the gp it reads into its own cache line.  The
 * record may be reused once every online reader has stored a value >= T:
 * each of them has since passed a point where it held no flow handle, and
 * its acquire load of gp made the unlink visible to its later lookups.
 * Offline readers (qs == 0) hold nothing back.  A reader coming online
 * stores its qs and then issues a full fence; the reclaimer issues a full
 * fence before reading the readers' qs: one of the two sees the other
 * (the store-buffering pattern), so a reader cannot come online unseen and
 * then find a record that is being reused.
 *
 * Retired records wait in a FIFO ring, so reclaim stops at the first
 * record that is not yet safe: O(records freed + readers).  Since only a
 * retire increments gp, the ring's tokens are consecutive and end at gp:
 * it stores record indices only (4 bytes a flow, not 16).
 * With no reader registered, a table is used by one thread and records are
 * reused at once.
 */
#include <errno.h>

#include "table.h"

static uint64_t
min_quiescent(struct udpct__qsbr *q)
{
	uint64_t min = UINT64_MAX, v;
	int i;

	atomic_thread_fence(memory_order_seq_cst);
	for (i = 0; i < UDPCT_READERS_MAX; i++) {
		if (!q->readers[i].used)
			continue;
		v = atomic_load_explicit(&q->readers[i].qs,
					 memory_order_acquire);
		if (v && v < min)
			min = v;
	}
	return min;
}

void
udpct__qsbr_retire(struct udpct_table *t, uint32_t idx)
{
	struct udpct__qsbr *q = &t->qsbr;

	if (!atomic_load_explicit(&q->nreaders, memory_order_relaxed)) {
		udpct__flow_free_idx(t, idx);
		return;
	}
	/* Release: the unlink is visible to whoever reads the new gp. */
	atomic_fetch_add_explicit(&q->gp, 1, memory_order_seq_cst);
	q->ring[(q->head + q->count) % q->ring_size] = idx;
	q->count++;
}

uint32_t
udpct__qsbr_reclaim(struct udpct_table *t)
{
	struct udpct__qsbr *q = &t->qsbr;
	uint32_t n = 0;
	uint64_t min, token;

	if (!q->count)
		return 0;
	min = min_quiescent(q);
	/* The oldest entry's token; gp moves only under the lock we hold. */
	token = atomic_load_explicit(&q->gp, memory_order_relaxed) -
		q->count + 1;
	while (q->count && token <= min) {
		udpct__flow_free_idx(t, q->ring[q->head]);
		q->head = (q->head + 1) % q->ring_size;
		q->count--;
		token++;
		n++;
	}
	return n;
}

static void
go_online(struct udpct_reader *r)
{
	struct udpct__qsbr *q = &r->t->qsbr;

	atomic_store_explicit(&r->qs,
			      atomic_load_explicit(&q->gp, memory_order_acquire),
			      memory_order_seq_cst);
	atomic_thread_fence(memory_order_seq_cst);
}

UDPCT_EXPORT int
udpct_reader_register(struct udpct_table *t, struct udpct_reader **out)
{
	struct udpct__qsbr *q;
	int i;

	if (!t || !out)
		return -EINVAL;
	q = &t->qsbr;
	udpct__lock(t);
	for (i = 0; i < UDPCT_READERS_MAX && q->readers[i].used; i++)
		;
	if (i == UDPCT_READERS_MAX) {
		udpct__unlock(t);
		return -ENOSPC;
	}
	q->readers[i].used = true;
	q->readers[i].t = t;
	atomic_fetch_add_explicit(&q->nreaders, 1, memory_order_seq_cst);
	go_online(&q->readers[i]);
	udpct__unlock(t);
	*out = &q->readers[i];
	return 0;
}

UDPCT_EXPORT void
udpct_reader_unregister(struct udpct_reader *r)
{
	struct udpct_table *t;

	if (!r)
		return;
	t = r->t;
	udpct__lock(t);
	atomic_store_explicit(&r->qs, 0, memory_order_release);
	r->used = false;
	atomic_fetch_sub_explicit(&t->qsbr.nreaders, 1, memory_order_seq_cst);
	udpct__qsbr_reclaim(t);
	udpct__unlock(t);
}

UDPCT_EXPORT void
udpct_reader_quiescent(struct udpct_reader *r)
{
	struct udpct__qsbr *q = &r->t->qsbr;

	/* Release: our reads of flows happen before any reuse of them. */
	atomic_store_explicit(&r->qs,
			      atomic_load_explicit(&q->gp, memory_order_acquire),
			      memory_order_release);
}

UDPCT_EXPORT void
udpct_reader_offline(struct udpct_reader *r)
{
	atomic_store_explicit(&r->qs, 0, memory_order_release);
}

UDPCT_EXPORT void
udpct_reader_online(struct udpct_reader *r)
{
	go_online(r);
}
