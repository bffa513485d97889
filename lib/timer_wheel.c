/* SPDX-License-Identifier: MIT */
/*
 * timer_wheel.c - single-level hashed timing wheel with lazy re-filing
 * (Varghese & Lauck, "Hashed and Hierarchical Timing Wheels", scheme 4).
 *
 * Why single-level: a flow's deadline moves on almost every packet.  The
 * wheel does not follow it (no per-packet wheel work): an entry stays in the
 * slot of the deadline it had when filed, and when that slot comes round
 * the owner compares its real deadline with now and either expires the
 * entry or re-files it.  Deadlines past the wheel's span (nslots ticks) are
 * parked in the farthest slot and re-filed on the way, so a hierarchy buys
 * nothing for timeouts of 30 s and 120 s over a span of ~69 s.
 *
 * Invariants:
 *  - an entry filed for tick t sits in slot (t & mask) and is examined when
 *    the wheel reaches a tick >= t, never before: no early expiry as long as
 *    the owner's deadline is not earlier than the tick it filed;
 *  - slot heads are sentinel nodes (indices nnodes..nnodes+nslots-1), so
 *    arm and cancel are O(1) with no slot lookup;
 *  - advance examines at most `budget` entries and resumes where it stopped.
 */
#include "timer_wheel.h"

size_t
udpct__wheel_mem_size(uint32_t nnodes, uint32_t nslots)
{
	return ((size_t)nnodes + nslots) * sizeof(struct udpct__wheel_node);
}

static void
node_init(struct udpct__wheel *w, uint32_t i)
{
	w->nodes[i].prev = i;
	w->nodes[i].next = i;
}

void
udpct__wheel_init(struct udpct__wheel *w, void *mem, uint32_t nnodes,
		  uint32_t nslots, uint64_t start_tick)
{
	uint32_t i;

	w->nodes = mem;
	w->nnodes = nnodes;
	w->mask = nslots - 1;
	w->cur = start_tick;
	w->peek = NULL;
	for (i = 0; i < nnodes + nslots; i++)
		node_init(w, i);
}

bool
udpct__wheel_armed(const struct udpct__wheel *w, uint32_t idx)
{
	return w->nodes[idx].next != idx;
}

static void
unlink_node(struct udpct__wheel *w, uint32_t idx)
{
	struct udpct__wheel_node *n = &w->nodes[idx];

	w->nodes[n->prev].next = n->next;
	w->nodes[n->next].prev = n->prev;
	node_init(w, idx);
}

void
udpct__wheel_arm(struct udpct__wheel *w, uint32_t idx, uint64_t tick)
{
	uint32_t head, tail;

	if (tick < w->cur)
		tick = w->cur;
	if (tick - w->cur > w->mask)
		tick = w->cur + w->mask;	/* park; re-filed on the way */
	head = w->nnodes + (uint32_t)(tick & w->mask);
	tail = w->nodes[head].prev;
	w->nodes[idx].prev = tail;
	w->nodes[idx].next = head;
	w->nodes[tail].next = idx;
	w->nodes[head].prev = idx;
}

void
udpct__wheel_cancel(struct udpct__wheel *w, uint32_t idx)
{
	if (udpct__wheel_armed(w, idx))
		unlink_node(w, idx);
}

/* The entry UDPCT__WHEEL_PEEK_AHEAD places into @head's slot, or @head. */
static uint32_t
ahead_of(const struct udpct__wheel *w, uint32_t head)
{
	uint32_t idx = head;
	int k;

	for (k = 0; k <= UDPCT__WHEEL_PEEK_AHEAD; k++) {
		idx = w->nodes[idx].next;
		if (idx == head)
			break;
	}
	return idx;
}

uint32_t
udpct__wheel_advance(struct udpct__wheel *w, uint64_t now_tick,
		     uint32_t budget, udpct__wheel_fire_fn fire, void *ctx,
		     uint32_t *examined)
{
	uint32_t expired = 0, seen = 0, head, idx, ahead;
	uint64_t rearm;

	/* After a long gap one turn visits every slot once. */
	if (now_tick >= w->cur && now_tick - w->cur > w->mask)
		w->cur = now_tick - w->mask;
	while (w->cur <= now_tick) {
		head = w->nnodes + (uint32_t)(w->cur & w->mask);
		/*
		 * A cursor that runs ahead of the firing entry, one step per
		 * entry: the owner prefetches for it.  Only a hint: if its
		 * entry is cancelled meanwhile it stalls or strays, harmlessly.
		 */
		ahead = w->peek ? ahead_of(w, head) : head;
		while (w->nodes[head].next != head) {
			if (budget && seen == budget)
				goto out;
			idx = w->nodes[head].next;
			if (ahead != head) {
				w->peek(ctx, ahead);
				ahead = w->nodes[ahead].next;
			}
			unlink_node(w, idx);
			seen++;
			if (fire(ctx, idx, &rearm)) {
				expired++;
				continue;
			}
			/* Never back into a slot being processed. */
			if (rearm <= now_tick)
				rearm = now_tick + 1;
			udpct__wheel_arm(w, idx, rearm);
		}
		w->cur++;
	}
out:
	if (examined)
		*examined = seen;
	return expired;
}
