/* SPDX-License-Identifier: MIT */
/*
 * tests/common/talloc.h - a checking, counting and failing allocator for
 * struct udpct_allocator.
 *
 * Every block is recorded, so the tests (and the alloc-fail fuzz target) can
 * check that udpct_table_free() returns each block exactly once with the size
 * that was asked for, that alignments are honoured, that nothing is
 * allocated after udpct_table_new(), and that a failure of the Nth
 * allocation leaks nothing.
 *
 * Usage:
 *
 *	struct talloc ta;
 *	struct udpct_config cfg;
 *
 *	talloc_init(&ta);
 *	ta.fail_at = 3;			(optional: fail the 3rd call)
 *	udpct_config_init(&cfg);
 *	talloc_hooks(&ta, &cfg.alloc);
 *	... udpct_table_new(&cfg, &t) ... udpct_table_free(t) ...
 *	assert(ta.live == 0 && ta.errors == 0);
 *	talloc_fini(&ta);
 *
 * Thread-safety: one struct talloc per thread; no global state.
 */
#ifndef UDPCT_TESTS_TALLOC_H
#define UDPCT_TESTS_TALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include <udpct/table.h>

#ifdef __cplusplus
extern "C" {
#endif

struct talloc_block {
	void *ptr;
	size_t size;
};

/**
 * struct talloc - allocator state.
 * @calls:       alloc calls seen (failed ones included).
 * @fail_at:     fail the call with this 1-based number; 0 never fails.
 * @fail_after:  with true, also fail every call after @fail_at.
 * @poison:      fill new blocks with 0xA5 (catches "forgot to zero").
 * @live:        blocks allocated and not freed.
 * @frees:       successful free calls.
 * @bytes_live:  bytes allocated and not freed (sizes as asked).
 * @bytes_total: bytes ever handed out (sizes as asked).
 * @errors:      contract violations seen: free of an unknown pointer or
 *               with a wrong size, alignment not a power of two or above
 *               4096.
 */
struct talloc {
	unsigned long calls;
	unsigned long fail_at;
	bool fail_after;
	bool poison;
	unsigned long live;
	unsigned long frees;
	size_t bytes_live;
	size_t bytes_total;
	unsigned long errors;
	struct talloc_block *blocks;
	size_t n_blocks;
	size_t cap_blocks;
};

/** Zero @ta (poisoning on, no failure). */
void talloc_init(struct talloc *ta);

/** Point @out at @ta's hooks. */
void talloc_hooks(struct talloc *ta, struct udpct_allocator *out);

/** Release every block still live and the bookkeeping. */
void talloc_fini(struct talloc *ta);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_TESTS_TALLOC_H */
