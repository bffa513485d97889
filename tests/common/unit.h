/* SPDX-License-Identifier: MIT */
/*
 * tests/common/unit.h - Criterion assertion helpers shared by the unit
 * tests: a per-file table fixture, classify-and-check wrappers, and the
 * INVALID check that also verifies no flow and no other counter changed.
 *
 * Every helper fails the running test through cr_assert*(), so they link
 * only into Criterion test programs (not the fuzz targets or benchmarks:
 * those use harness.h and pkt.h).
 *
 * Thread-safety: ut_classify() and ut_accept() share one static packet
 * buffer; the rest touch only their arguments.
 */
#ifndef UDPCT_TESTS_UNIT_H
#define UDPCT_TESTS_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Define the file's table @tab and the Criterion fixtures @setup (a table
 * from th_table(@flags, 1024), asserted non-NULL) and @teardown (frees it).
 */
#define UT_TABLE_FIXTURE(tab, setup, teardown, flags)			\
	static struct udpct_table *tab;					\
	static void setup(void)						\
	{								\
		tab = th_table((flags), 1024);				\
		cr_assert_not_null(tab);				\
	}								\
	static void teardown(void)					\
	{								\
		udpct_table_free(tab);					\
	}

/* One scenario function @fn(family), two tests: fn_ipv4 and fn_ipv6. */
#define TEST_BOTH(suite, fn)					\
	Test(suite, fn##_ipv4) { fn(UDPCT_IPV4); }		\
	Test(suite, fn##_ipv6) { fn(UDPCT_IPV6); }

/**
 * Build @s and classify it at @now.  The packet lives in one buffer per
 * test process, valid until the next call: a verdict keeps pointing at the
 * packet's payload, and a helper reads it at udpct_commit() time, so the
 * buffer must outlive the commit (a stack buffer would not).
 *
 * @return udpct_classify()'s return value.
 */
int ut_classify(struct udpct_table *tab, const struct pkt_spec *s,
		uint64_t now, struct udpct_verdict *v);

/** Assert @v's state is @st and its direction @dir. */
void ut_state_dir_is(const struct udpct_verdict *v, enum udpct_state st,
		     enum udpct_dir dir, const char *what);

/**
 * ut_state_dir_is(), and unless @st is UDPCT_INVALID, no reason
 * (UDPCT_REASON_NONE).
 */
void ut_verdict_is(const struct udpct_verdict *v, enum udpct_state st,
		   enum udpct_dir dir, const char *what);

/**
 * Classify @s at @now, ut_verdict_is(), then udpct_commit(): the commit
 * (and so any helper) must succeed and leave a flow.
 *
 * @return the flow.
 */
struct udpct_flow *ut_accept(struct udpct_table *tab,
			     const struct pkt_spec *s, uint64_t now,
			     enum udpct_state st, enum udpct_dir dir,
			     const char *what);

/** udpct_table_get_stats(), asserted to succeed. */
void ut_stats(struct udpct_table *tab, struct udpct_stats *st);

/** udpct_flow_get_info() of @f, asserted to succeed. */
void ut_flow_info(struct udpct_table *tab, struct udpct_flow *f,
		  struct udpct_flow_info *info);

/**
 * Classify the raw packet @buf/@len at TH_T0 and assert it is INVALID for
 * @want: no direction, no flow, no status, the INVALID counter and
 * @want's counter up by one, and no flow inserted or left live.
 */
void ut_expect_invalid_buf(struct udpct_table *tab, const void *buf,
			   size_t len, enum udpct_invalid_reason want,
			   const char *what);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_TESTS_UNIT_H */
