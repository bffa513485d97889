// SPDX-License-Identifier: MIT
/*
 * tests/common/unit.c - Criterion assertion helpers (see unit.h).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "unit.h"

int
ut_classify(struct udpct_table *tab, const struct pkt_spec *s, uint64_t now,
	    struct udpct_verdict *v)
{
	static uint8_t wire[PKT_MAX];
	size_t n = pkt_build_udp(s, wire, sizeof(wire));

	cr_assert_gt(n, 0, "packet cannot be built");
	return udpct_classify(tab, wire, n, now, v);
}

void
ut_state_dir_is(const struct udpct_verdict *v, enum udpct_state st,
		enum udpct_dir dir, const char *what)
{
	cr_assert_eq(v->state, st, "%s: state %s (%s), want %s", what,
		     udpct_state_name(v->state), udpct_reason_name(v->reason),
		     udpct_state_name(st));
	cr_assert_eq(v->dir, dir, "%s: dir '%s', want '%s'", what,
		     udpct_dir_name(v->dir), udpct_dir_name(dir));
}

void
ut_verdict_is(const struct udpct_verdict *v, enum udpct_state st,
	      enum udpct_dir dir, const char *what)
{
	ut_state_dir_is(v, st, dir, what);
	if (st != UDPCT_INVALID)
		cr_assert_eq(v->reason, UDPCT_REASON_NONE, "%s", what);
}

struct udpct_flow *
ut_accept(struct udpct_table *tab, const struct pkt_spec *s, uint64_t now,
	  enum udpct_state st, enum udpct_dir dir, const char *what)
{
	struct udpct_verdict v;
	int rc;

	cr_assert_eq(ut_classify(tab, s, now, &v), 0, "%s", what);
	ut_verdict_is(&v, st, dir, what);
	rc = udpct_commit(tab, &v);
	cr_assert_eq(rc, 0, "%s: udpct_commit() returned %d", what, rc);
	cr_assert_not_null(v.flow, "%s: no flow after commit", what);
	return v.flow;
}

void
ut_stats(struct udpct_table *tab, struct udpct_stats *st)
{
	cr_assert_eq(udpct_table_get_stats(tab, st), 0);
}

void
ut_flow_info(struct udpct_table *tab, struct udpct_flow *f,
	     struct udpct_flow_info *info)
{
	cr_assert_eq(udpct_flow_get_info(tab, f, info), 0);
}

void
ut_expect_invalid_buf(struct udpct_table *tab, const void *buf, size_t len,
		      enum udpct_invalid_reason want, const char *what)
{
	struct udpct_stats before, after;
	struct udpct_verdict v;

	ut_stats(tab, &before);
	memset(&v, 0x5a, sizeof(v));
	cr_assert_eq(udpct_classify(tab, buf, len, TH_T0, &v), 0, "%s", what);
	cr_assert_eq(v.state, UDPCT_INVALID, "%s: state %s (%s), want INVALID",
		     what, udpct_state_name(v.state),
		     udpct_reason_name(v.reason));
	cr_assert_eq(v.reason, want, "%s: reason '%s', want '%s'", what,
		     udpct_reason_name(v.reason), udpct_reason_name(want));
	cr_assert_eq(v.dir, UDPCT_DIR_NONE, "%s", what);
	cr_assert_null(v.flow, "%s", what);
	cr_assert_eq(v.status, 0, "%s", what);
	ut_stats(tab, &after);
	cr_assert_eq(after.invalid, before.invalid + 1, "%s", what);
	cr_assert_eq(after.invalid_reason[want],
		     before.invalid_reason[want] + 1, "%s", what);
	cr_assert_eq(after.live, before.live, "%s: a flow appeared", what);
	cr_assert_eq(after.inserted, before.inserted, "%s", what);
}
