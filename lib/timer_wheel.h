/* SPDX-License-Identifier: MIT */
/*
 * timer_wheel.h - a single-level timer wheel with lazy re-filing.
 *
 * Knows nothing about flows: entries are indices 0..nnodes-1 whose owner
 * keeps the real deadline.  See timer_wheel.c for the algorithm.
 */
#ifndef UDPCT_TIMER_WHEEL_H
#define UDPCT_TIMER_WHEEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Circular doubly-linked list links; slot heads are nodes too. */
struct udpct__wheel_node {
	uint32_t prev;
	uint32_t next;
};

/*
 * Peek callback: @idx will probably fire a few entries from now; its owner
 * may prefetch what firing it will touch.  A hint only: it may come for an
 * entry that is then cancelled, or more than once.
 */
typedef void (*udpct__wheel_peek_fn)(void *ctx, uint32_t idx);

struct udpct__wheel {
	struct udpct__wheel_node *nodes;	/* nnodes entries + nslots heads */
	uint32_t nnodes;
	uint32_t mask;				/* nslots - 1 */
	uint64_t cur;				/* next tick to process */
	udpct__wheel_peek_fn peek;		/* NULL after init */
};

/* Entries between the one peeked at and the one firing. */
#define UDPCT__WHEEL_PEEK_AHEAD 8

/*
 * Fire callback: @idx has been unlinked.  Return true when it expired (it
 * stays unlinked), false to re-file it at *@rearm_tick, which must be later
 * than the tick being advanced to.
 */
typedef bool (*udpct__wheel_fire_fn)(void *ctx, uint32_t idx,
				     uint64_t *rearm_tick);

/* Bytes of node memory for @nnodes entries and @nslots (power of 2) slots. */
size_t udpct__wheel_mem_size(uint32_t nnodes, uint32_t nslots);

/* @mem must hold udpct__wheel_mem_size() bytes. */
void udpct__wheel_init(struct udpct__wheel *w, void *mem, uint32_t nnodes,
		       uint32_t nslots, uint64_t start_tick);

/* File @idx (not armed) to fire at @tick; a past tick fires next advance. */
void udpct__wheel_arm(struct udpct__wheel *w, uint32_t idx, uint64_t tick);

/* Unlink @idx if armed.  O(1). */
void udpct__wheel_cancel(struct udpct__wheel *w, uint32_t idx);

bool udpct__wheel_armed(const struct udpct__wheel *w, uint32_t idx);

/*
 * Process every slot up to and including @now_tick, examining at most
 * @budget entries (0: no limit).  Returns the number of entries that
 * expired; *@examined (if not NULL) receives the number examined.
 */
uint32_t udpct__wheel_advance(struct udpct__wheel *w, uint64_t now_tick,
			      uint32_t budget, udpct__wheel_fire_fn fire,
			      void *ctx, uint32_t *examined);

#endif /* UDPCT_TIMER_WHEEL_H */
