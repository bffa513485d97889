/* SPDX-License-Identifier: MIT */
/*
 * reclaim.h - quiescent-state-based reclamation of flow records.
 */
#ifndef UDPCT_RECLAIM_H
#define UDPCT_RECLAIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <udpct/reader.h>

struct udpct_table;

struct udpct_reader {
	/* Grace period last seen at a quiescent state; 0 = offline. */
	_Atomic uint64_t qs;
	struct udpct_table *t;
	bool used;			/* guarded by the table lock */
} __attribute__((aligned(64)));

struct udpct__qsbr {
	_Atomic uint64_t gp;		/* grace-period counter, from 1 */
	_Atomic uint32_t nreaders;	/* registered readers */
	struct udpct_reader readers[UDPCT_READERS_MAX];
	/*
	 * FIFO of retired record indices.  Only a retire moves gp, by one, as
	 * it appends, so the tokens are implicit: the newest entry's is gp,
	 * the oldest's gp - count + 1.
	 */
	uint32_t *ring;
	uint32_t ring_size;
	uint32_t head;			/* next to reclaim */
	uint32_t count;			/* entries in the ring */
};

/* Writer lock held for both. */
void udpct__qsbr_retire(struct udpct_table *t, uint32_t idx);
uint32_t udpct__qsbr_reclaim(struct udpct_table *t);

#endif /* UDPCT_RECLAIM_H */
