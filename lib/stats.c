/* SPDX-License-Identifier: MIT */
/*
 * stats.c - aggregation of the counters into struct udpct_stats.
 *
 * Exactness: writer-side counters are exact (lock).  Reader-side counters
 * are added with a relaxed load and store, no locked instruction, on a
 * shard picked from the caller's stack address; they are exact as long as
 * no two threads that classify at the same time share a shard (64 shards;
 * stacks of different threads map to different shards with high
 * probability), and otherwise may miss an increment under a true race.
 * The packet path is worth more than that certainty; the flow counters
 * follow the same rule.
 */
#include <errno.h>
#include <string.h>

#include "table.h"

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

static void
add_shards(const struct udpct_table *t, struct udpct_stats *o)
{
	const struct udpct__shard *s;
	int i, r;

	for (i = 0; i < UDPCT__SHARDS; i++) {
		s = &t->shards[i];
		o->found += LD(s->found);
		o->related += LD(s->related);
		o->ignored += LD(s->ignored);
		o->table_full += LD(s->table_full);
		for (r = 0; r < UDPCT_REASON_MAX; r++) {
			o->invalid_reason[r] += LD(s->invalid[r]);
			o->invalid += LD(s->invalid[r]);
		}
	}
}

UDPCT_EXPORT int
udpct_table_get_stats(struct udpct_table *t, struct udpct_stats *o)
{
	const struct udpct__wstats *w;

	if (!t || !o)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	add_shards(t, o);
	udpct__lock(t);
	w = &t->wstats;
	o->inserted = w->inserted;
	o->expired = w->expired;
	o->early_drop = w->early_drop;
	o->insert_failed = w->insert_failed;
	o->clash = w->clash;
	o->clock_backwards = w->clock_backwards;
	o->expect_new = w->expect_new;
	o->expect_matched = w->expect_matched;
	o->expect_failed = w->expect_failed;
	o->flushed = w->flushed;
	o->live = t->capacity - LD(t->free_top) - t->qsbr.count;
	o->capacity = t->capacity;
	o->memory_bytes = t->alloc.bytes;
	udpct__unlock(t);
	return 0;
}
