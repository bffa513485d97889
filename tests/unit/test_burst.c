/* SPDX-License-Identifier: MIT */
/*
 * udpct_classify_burst(): its verdicts are exactly those of single
 * udpct_classify_zone() calls in the same order, whatever the mix of
 * packets, zones and burst boundaries, including packets of one new flow in
 * one burst.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "pkt.h"

#define NPKT 600

struct trace {
	uint8_t buf[NPKT][PKT_MAX];
	struct udpct_burst_item item[NPKT];
	size_t n;
};

static struct trace tr;

/*
 * A mixed trace: new flows, replies, repeats, bad checksums, ICMP errors,
 * in zones 0 and 1 (the same tuples in both: different flows).
 */
static void
make_trace(unsigned seed)
{
	struct pkt_spec s, r;
	struct pkt_icmp_spec is;
	uint8_t quote[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < NPKT; i++) {
		unsigned k = (unsigned)rand_r(&seed) % 24, kind = k % 6;

		if (k & 1)
			pkt_spec_v4(&s, PKT_A4, (uint16_t)(40000 + k % 12),
				    PKT_B4, 53);
		else
			pkt_spec_v6(&s, PKT_A6, (uint16_t)(40000 + k % 12),
				    PKT_B6, 53);
		if (rand_r(&seed) % 3 == 0) {
			pkt_spec_reply(&r, &s);
			s = r;
		}
		if (kind == 5 && rand_r(&seed) % 4 == 0)
			s.csum = PKT_CSUM_BAD;
		tr.item[i].l3 = tr.buf[i];
		tr.item[i].len = pkt_build_udp(&s, tr.buf[i], PKT_MAX);
		tr.item[i].zone = (uint16_t)(rand_r(&seed) % 2);
		if (kind == 4 && rand_r(&seed) % 3 == 0) {
			/* An ICMP error quoting this datagram instead. */
			qn = pkt_build_udp(&s, quote, sizeof(quote));
			pkt_icmp_unreach(&is, &s, quote, qn);
			tr.item[i].len = pkt_build_icmp_error(&is, tr.buf[i],
							      PKT_MAX);
		}
		cr_assert_gt(tr.item[i].len, 0);
	}
	tr.n = NPKT;
}

static void
assert_same(struct udpct_table *ta, const struct udpct_verdict *a,
	    struct udpct_table *tb, const struct udpct_verdict *b, size_t i)
{
	struct udpct_flow_info fa, fb;

	cr_assert_eq(a->state, b->state, "packet %zu: %s vs %s", i,
		     udpct_state_name(a->state), udpct_state_name(b->state));
	cr_assert_eq(a->dir, b->dir, "packet %zu", i);
	cr_assert_eq(a->reason, b->reason, "packet %zu", i);
	cr_assert_eq(a->status, b->status, "packet %zu", i);
	cr_assert(udpct_tuple_equal(&a->tuple, &b->tuple) ||
		  (a->tuple.family == 0 && b->tuple.family == 0),
		  "packet %zu", i);
	cr_assert_eq(!a->flow, !b->flow, "packet %zu", i);
	if (!a->flow)
		return;
	cr_assert_eq(udpct_flow_get_info(ta, a->flow, &fa), 0);
	cr_assert_eq(udpct_flow_get_info(tb, b->flow, &fb), 0);
	cr_assert(udpct_tuple_equal(&fa.tuple, &fb.tuple), "packet %zu", i);
	cr_assert_eq(fa.packets[0], fb.packets[0], "packet %zu", i);
	cr_assert_eq(fa.packets[1], fb.packets[1], "packet %zu", i);
	cr_assert_eq(fa.deadline_ns, fb.deadline_ns, "packet %zu", i);
}

static void
compare_runs(uint32_t flags, unsigned seed)
{
	static struct udpct_verdict va[NPKT], vb[NPKT];
	struct udpct_table *ta = th_table(flags, 8);
	struct udpct_table *tb = th_table(flags, 8);
	struct udpct_stats sa, sb;
	uint64_t now = TH_MSEC(1000);
	size_t i = 0, k, j;

	make_trace(seed);
	while (i < tr.n) {
		/* Bursts of 1 to 70 packets: across the 32-packet groups. */
		k = 1 + (size_t)rand_r(&seed) % 70;
		if (k > tr.n - i)
			k = tr.n - i;
		for (j = i; j < i + k; j++)
			cr_assert_eq(udpct_classify_zone(ta, tr.item[j].l3,
							 tr.item[j].len,
							 tr.item[j].zone, now,
							 &va[j]), 0);
		cr_assert_eq(udpct_classify_burst(tb, tr.item + i, k, now,
						  vb + i), 0);
		for (j = i; j < i + k; j++)
			assert_same(ta, &va[j], tb, &vb[j], j);
		i += k;
		now += TH_MSEC(700);	/* crosses the 2 s rule */
	}
	cr_assert_eq(udpct_table_get_stats(ta, &sa), 0);
	cr_assert_eq(udpct_table_get_stats(tb, &sb), 0);
	cr_assert_eq(sa.inserted, sb.inserted);
	cr_assert_eq(sa.found, sb.found);
	cr_assert_eq(sa.invalid, sb.invalid);
	cr_assert_eq(sa.related, sb.related);
	cr_assert_eq(sa.early_drop, sb.early_drop);
	cr_assert_gt(sa.invalid, 0);
	if (flags & UDPCT_CFG_AUTO_COMMIT) {
		/* The trace really exercised flows and ICMP errors. */
		cr_assert_gt(sa.inserted, 0);
		cr_assert_gt(sa.related, 0);
		cr_assert_gt(sa.early_drop, 0);
	} else {
		cr_assert_eq(sa.inserted, 0);
	}
	udpct_table_free(ta);
	udpct_table_free(tb);
}

Test(burst, same_verdicts_as_single_calls_auto_commit)
{
	compare_runs(UDPCT_CFG_AUTO_COMMIT, 1);
	compare_runs(UDPCT_CFG_AUTO_COMMIT, 2);
}

Test(burst, same_verdicts_as_single_calls_without_commit)
{
	/* Nothing is committed: every UDP packet stays NEW, ICMP INVALID. */
	compare_runs(0, 3);
}

Test(burst, one_new_flow_twice_and_its_reply_in_one_burst)
{
	struct udpct_table *t = th_table(UDPCT_CFG_AUTO_COMMIT, 0);
	struct udpct_verdict v[3];
	struct udpct_burst_item it[3];
	uint8_t b[3][PKT_MAX];
	struct pkt_spec s, r;
	int i;

	pkt_spec_v4(&s, PKT_A4, 40001, PKT_B4, 53);
	pkt_spec_reply(&r, &s);
	for (i = 0; i < 3; i++) {
		it[i].l3 = b[i];
		it[i].zone = 0;
		it[i].len = pkt_build_udp(i < 2 ? &s : &r, b[i], PKT_MAX);
	}
	cr_assert_eq(udpct_classify_burst(t, it, 3, 0, v), 0);
	cr_assert_eq(v[0].state, UDPCT_NEW);
	cr_assert_eq(v[1].state, UDPCT_NEW);	/* unreplied: still NEW */
	cr_assert_eq(v[1].flow, v[0].flow);	/* the flow packet 0 made */
	cr_assert_eq(v[2].state, UDPCT_ESTABLISHED);
	cr_assert_eq(v[2].dir, UDPCT_DIR_REPLY);
	cr_assert_eq(v[2].flow, v[0].flow);
	udpct_table_free(t);
}

Test(burst, misuse_is_einval_and_writes_nothing)
{
	struct udpct_table *t = th_table(0, 0);
	struct udpct_burst_item it[2] = { { .l3 = "x", .len = 1 },
					  { .l3 = NULL, .len = 20 } };
	struct udpct_verdict v[2];

	memset(v, 0x5a, sizeof(v));
	cr_assert_eq(udpct_classify_burst(NULL, it, 1, 0, v), -EINVAL);
	cr_assert_eq(udpct_classify_burst(t, NULL, 1, 0, v), -EINVAL);
	cr_assert_eq(udpct_classify_burst(t, it, 1, 0, NULL), -EINVAL);
	cr_assert_eq(udpct_classify_burst(t, it, 2, 0, v), -EINVAL);
	cr_assert_eq(v[0].reason, (enum udpct_invalid_reason)0x5a5a5a5a);
	cr_assert_eq(udpct_classify_burst(t, NULL, 0, 0, NULL), 0);
	udpct_table_free(t);
}
