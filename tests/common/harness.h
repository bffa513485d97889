/* SPDX-License-Identifier: MIT */
/*
 * tests/common/harness.h - time constants and small wrappers that build a
 * packet and classify it, shared by the unit tests, fuzz targets and
 * benchmarks.
 *
 * Time in the tests is a plain counter of nanoseconds (the library never
 * reads a clock): TH_T0 is an arbitrary non-zero start, TH_SEC()/TH_MSEC()
 * build offsets from it.
 *
 * Thread-safety: pure wrappers; each call touches only its arguments.
 */
#ifndef UDPCT_TESTS_HARNESS_H
#define UDPCT_TESTS_HARNESS_H

#include <stdint.h>

#include <udpct/udpct.h>

#include "pkt.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TH_NSEC			1000000000ull
#define TH_SEC(x)		((uint64_t)(x) * TH_NSEC)
#define TH_MSEC(x)		((uint64_t)(x) * 1000000ull)
/* The library's timer granularity: deadlines are at most one tick late. */
#define TH_TICK_NS		(1ull << 22)
/* Kernel defaults (spec section 4). */
#define TH_UDP_TIMEOUT		TH_SEC(30)
#define TH_UDP_TIMEOUT_STREAM	TH_SEC(120)
#define TH_STREAM_DELAY		TH_SEC(2)
/* An arbitrary, non-zero start of time for scenarios. */
#define TH_T0			TH_SEC(1000)
/* The seed used with UDPCT_CFG_FIXED_SEED in every test table. */
#define TH_SEED			0x5eed5eedull

/**
 * Create a table with UDPCT_CFG_FIXED_SEED | @flags and @capacity (0 for
 * the default).
 *
 * @return the table, or NULL when udpct_table_new() failed.
 */
struct udpct_table *th_table(uint32_t flags, uint32_t capacity);

/**
 * Build @s and classify it at @now.  Aborts if @s cannot be built (a bug in
 * the test, not in the library).
 *
 * @return udpct_classify()'s return value.
 */
int th_classify(struct udpct_table *t, const struct pkt_spec *s,
		uint64_t now, struct udpct_verdict *v);

/**
 * th_classify(), then udpct_commit() (a firewall that accepts everything).
 *
 * @return the first non-zero return value, or 0.
 */
int th_accept(struct udpct_table *t, const struct pkt_spec *s, uint64_t now,
	      struct udpct_verdict *v);

/**
 * Take a snapshot of the flow of @v (which must have one).
 *
 * @return udpct_flow_get_info()'s return value.
 */
int th_info(const struct udpct_table *t, const struct udpct_verdict *v,
	    struct udpct_flow_info *info);

/** @return "IPv4" or "IPv6", for assertion messages. */
const char *th_fam_name(uint8_t family);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_TESTS_HARNESS_H */
