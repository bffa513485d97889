// SPDX-License-Identifier: MIT
/*
 * test_classify.c - the per-packet state machine (spec sections 3, 4 and 6a)
 * through udpct_classify(), udpct_classify_tuple() and udpct_commit(): the
 * rows of the scenario table in spec section 11 that need no helper or
 * expectation (1-16, 19-22, 24-28, 30, 35), the two-phase commit
 * (confirmation, clashes), and the 2-second stream rule of spec 3.5.
 *
 * A = client 192.0.2.1:40000 (2001:db8:1::1), B = server 198.51.100.7:53
 * (2001:db8:2::7), R = a router.  Expected values come from the spec:
 * 30 s unreplied / young timeout, 120 s stream timeout, deadline at most one
 * 2^22 ns tick after last packet + timeout, ASSURED strictly more than 2 s
 * after the creating packet, and only on a packet after the first reply.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "unit.h"

UT_TABLE_FIXTURE(t, setup, teardown, 0)

TestSuite(classify, .init = setup, .fini = teardown);

/* A -> B and B -> A of @family. */
static void
specs(uint8_t family, struct pkt_spec *a2b, struct pkt_spec *b2a)
{
	pkt_spec_ab(a2b, family);
	pkt_spec_reply(b2a, a2b);
}

/* Classify @s at @now; assert the state and direction. */
static void
expect(struct udpct_table *tab, const struct pkt_spec *s, uint64_t now,
       enum udpct_state st, enum udpct_dir dir, struct udpct_verdict *v,
       const char *what)
{
	cr_assert_eq(th_classify(tab, s, now, v), 0, "%s", what);
	ut_verdict_is(v, st, dir, what);
}

/* Classify a NEW packet of an unknown tuple at @now and commit it. */
static struct udpct_flow *
create(struct udpct_table *tab, const struct pkt_spec *s, uint64_t now)
{
	struct udpct_verdict v;

	expect(tab, s, now, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "creating");
	cr_assert_null(v.flow, "a NEW flow must be tentative until commit");
	cr_assert_eq(udpct_commit(tab, &v), 0);
	cr_assert_not_null(v.flow);
	return v.flow;
}

/* The deadline is last + timeout, at most one tick later (spec 4). */
static void
deadline_is(const struct udpct_flow_info *info, uint64_t last,
	    uint64_t timeout, const char *what)
{
	cr_assert_geq(info->deadline_ns, last + timeout,
		      "%s: deadline %llu before last %llu + timeout %llu",
		      what, (unsigned long long)info->deadline_ns,
		      (unsigned long long)last, (unsigned long long)timeout);
	cr_assert_leq(info->deadline_ns, last + timeout + TH_TICK_NS,
		      "%s: deadline %llu more than a tick after %llu + %llu",
		      what, (unsigned long long)info->deadline_ns,
		      (unsigned long long)last, (unsigned long long)timeout);
}

static bool
has(uint32_t status, uint32_t bit)
{
	return (status & bit) != 0;
}

/* ---- rows 1-5 and 27: basic lifecycle -------------------------------- */

static void
lifecycle(uint8_t family)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow_info info;
	struct udpct_tuple ta, tb;
	struct udpct_stats st;
	struct udpct_flow *f;

	specs(family, &a2b, &b2a);
	pkt_spec_tuple(&a2b, 0, &ta);
	pkt_spec_tuple(&b2a, 0, &tb);

	/* row 1: first packet out, NEW, tentative */
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "row 1");
	cr_assert_null(v.flow);
	cr_assert(udpct_tuple_equal(&v.tuple, &ta));
	cr_assert_eq(udpct_commit(t, &v), 0);
	f = v.flow;
	cr_assert_not_null(f);
	ut_flow_info(t, f, &info);
	cr_assert(udpct_tuple_equal(&info.tuple, &ta));
	cr_assert(has(info.status, UDPCT_STATUS_CONFIRMED));
	cr_assert_not(has(info.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_not(has(info.status, UDPCT_STATUS_ASSURED));
	cr_assert_not(has(info.status, UDPCT_STATUS_EXPECTED));
	cr_assert_eq(info.first_ns, TH_T0);
	cr_assert_eq(info.last_ns, TH_T0);
	deadline_is(&info, TH_T0, TH_UDP_TIMEOUT, "row 1");

	/* row 2: a repeat before any reply is NEW again, same flow */
	expect(t, &a2b, TH_T0 + TH_MSEC(500), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       &v, "row 2");
	cr_assert_eq(v.flow, f);
	cr_assert_not(has(v.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_eq(udpct_commit(t, &v), 0);
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0 + TH_MSEC(500), TH_UDP_TIMEOUT, "row 2");

	/* row 3: the first reply, ESTABLISHED reply, not ASSURED */
	expect(t, &b2a, TH_T0 + TH_MSEC(600), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "row 3");
	cr_assert_eq(v.flow, f);
	cr_assert(udpct_tuple_equal(&v.tuple, &tb));
	cr_assert(has(v.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	cr_assert(has(info.status, UDPCT_STATUS_SEEN_REPLY));
	deadline_is(&info, TH_T0 + TH_MSEC(600), TH_UDP_TIMEOUT, "row 3");

	/* row 4: < 2 s since creation: ESTABLISHED both ways, 30 s */
	expect(t, &a2b, TH_T0 + TH_MSEC(700), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "row 4 A->B");
	cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED));
	expect(t, &b2a, TH_T0 + TH_MSEC(1900), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "row 4 B->A");
	cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0 + TH_MSEC(1900), TH_UDP_TIMEOUT, "row 4");

	/* row 5: > 2 s since creation: ASSURED, 120 s */
	expect(t, &a2b, TH_T0 + TH_MSEC(2500), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "row 5");
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	cr_assert(has(info.status, UDPCT_STATUS_ASSURED));
	cr_assert(has(info.status, UDPCT_STATUS_SEEN_REPLY));
	deadline_is(&info, TH_T0 + TH_MSEC(2500), TH_UDP_TIMEOUT_STREAM,
		    "row 5");
	expect(t, &b2a, TH_T0 + TH_SEC(3), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       &v, "row 5 B->A");
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));

	ut_flow_info(t, f, &info);
	cr_assert_eq(info.packets[UDPCT_DIR_ORIGINAL], 4);
	cr_assert_eq(info.packets[UDPCT_DIR_REPLY], 3);
	cr_assert_eq(info.bytes[UDPCT_DIR_ORIGINAL], 4 * pkt_ip_bytes(&a2b));
	cr_assert_eq(info.bytes[UDPCT_DIR_REPLY], 3 * pkt_ip_bytes(&b2a));
	cr_assert_eq(info.first_ns, TH_T0);
	cr_assert_eq(info.last_ns, TH_T0 + TH_SEC(3));
	ut_stats(t, &st);
	cr_assert_eq(st.inserted, 1);
	cr_assert_eq(st.live, 1);
}

Test(classify, ipv4_lifecycle_follows_spec_rows_1_to_5)
{
	lifecycle(UDPCT_IPV4);
}

Test(classify, ipv6_lifecycle_follows_spec_rows_1_to_5)
{
	lifecycle(UDPCT_IPV6);
}

/* ---- focused rows 1-6 ---------------------------------------------- */

Test(classify, first_packet_is_new_and_tentative)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct udpct_stats st;

	specs(UDPCT_IPV4, &a2b, &b2a);
	pkt_spec_tuple(&a2b, 0, &want);
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "first");
	cr_assert_null(v.flow);
	cr_assert(udpct_tuple_equal(&v.tuple, &want));
	ut_stats(t, &st);
	cr_assert_eq(st.live, 0, "a tentative flow is not in the table");
	cr_assert_eq(st.inserted, 0);
}

Test(classify, commit_inserts_unreplied_flow_with_30s_timeout)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_stats st;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	ut_flow_info(t, f, &info);
	cr_assert(has(info.status, UDPCT_STATUS_CONFIRMED));
	cr_assert_not(has(info.status, UDPCT_STATUS_SEEN_REPLY));
	deadline_is(&info, TH_T0, TH_UDP_TIMEOUT, "committed");
	ut_stats(t, &st);
	cr_assert_eq(st.live, 1);
	cr_assert_eq(st.inserted, 1);
}

Test(classify, repeats_before_reply_are_new_and_refresh_30s)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;
	int i;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	for (i = 1; i <= 3; i++) {
		uint64_t now = TH_T0 + TH_SEC(10) * (uint64_t)i;

		expect(t, &a2b, now, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
		       "repeat");
		cr_assert_eq(v.flow, f, "a repeat belongs to the flow");
		ut_flow_info(t, f, &info);
		deadline_is(&info, now, TH_UDP_TIMEOUT, "repeat");
		cr_assert_eq(info.packets[UDPCT_DIR_ORIGINAL],
			     (uint64_t)i + 1);
	}
	/* 40 s after creation, alive thanks to the refreshes */
	expect(t, &b2a, TH_T0 + TH_SEC(40), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "reply after refreshes");
	cr_assert_eq(v.flow, f);
}

Test(classify, reply_on_inverted_tuple_is_established)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	pkt_spec_tuple(&b2a, 0, &want);
	f = create(t, &a2b, TH_T0);
	expect(t, &b2a, TH_T0 + TH_MSEC(50), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "first reply");
	cr_assert_eq(v.flow, f);
	cr_assert(udpct_tuple_equal(&v.tuple, &want),
		  "the verdict carries the packet's tuple");
	cr_assert(has(v.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0 + TH_MSEC(50), TH_UDP_TIMEOUT, "first reply");
	/* after it, the original direction is ESTABLISHED too */
	expect(t, &a2b, TH_T0 + TH_MSEC(60), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "after reply");
	cr_assert_eq(v.flow, f);
}

Test(classify, stream_rule_timeline_of_spec_3_5)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	/* request 0, reply 0.05, request 0.1, request 2.3 (spec 3.5) */
	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0, TH_UDP_TIMEOUT, "t=0");

	expect(t, &b2a, TH_T0 + TH_MSEC(50), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "t=0.05");
	ut_flow_info(t, f, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_ASSURED));
	deadline_is(&info, TH_T0 + TH_MSEC(50), TH_UDP_TIMEOUT, "t=0.05");

	expect(t, &a2b, TH_T0 + TH_MSEC(100), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "t=0.1");
	ut_flow_info(t, f, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_ASSURED));
	deadline_is(&info, TH_T0 + TH_MSEC(100), TH_UDP_TIMEOUT, "t=0.1");

	expect(t, &a2b, TH_T0 + TH_MSEC(2300), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "t=2.3");
	ut_flow_info(t, f, &info);
	cr_assert(has(info.status, UDPCT_STATUS_ASSURED));
	deadline_is(&info, TH_T0 + TH_MSEC(2300), TH_UDP_TIMEOUT_STREAM,
		    "t=2.3");
}

Test(classify, exactly_2s_after_creation_is_not_yet_assured)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	expect(t, &b2a, TH_T0 + TH_MSEC(10), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "reply");
	/* "strictly more than 2 s": at exactly 2 s, still 30 s */
	expect(t, &a2b, TH_T0 + TH_STREAM_DELAY, UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "t=2s");
	cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_ASSURED));
	deadline_is(&info, TH_T0 + TH_STREAM_DELAY, TH_UDP_TIMEOUT, "t=2s");
	/* one nanosecond later: ASSURED and 120 s */
	expect(t, &b2a, TH_T0 + TH_STREAM_DELAY + 1, UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "t=2s+1ns");
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0 + TH_STREAM_DELAY + 1, TH_UDP_TIMEOUT_STREAM,
		    "t=2s+1ns");
}

static void
late_first_reply(bool next_is_reply)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	/* row 6: the first reply at 3 s: 30 s, not ASSURED */
	expect(t, &b2a, TH_T0 + TH_SEC(3), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       &v, "first reply at 3 s");
	cr_assert(has(v.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_ASSURED));
	deadline_is(&info, TH_T0 + TH_SEC(3), TH_UDP_TIMEOUT,
		    "first reply at 3 s");
	/* the next packet, either direction: ASSURED, 120 s */
	if (next_is_reply)
		expect(t, &b2a, TH_T0 + TH_MSEC(3100), UDPCT_ESTABLISHED,
		       UDPCT_DIR_REPLY, &v, "next packet");
	else
		expect(t, &a2b, TH_T0 + TH_MSEC(3100), UDPCT_ESTABLISHED,
		       UDPCT_DIR_ORIGINAL, &v, "next packet");
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	cr_assert(has(info.status, UDPCT_STATUS_ASSURED));
	deadline_is(&info, TH_T0 + TH_MSEC(3100), TH_UDP_TIMEOUT_STREAM,
		    "next packet");
}

Test(classify, first_reply_after_3s_is_not_assured_next_original_is)
{
	late_first_reply(false);
}

Test(classify, first_reply_after_3s_is_not_assured_next_reply_is)
{
	late_first_reply(true);
}

Test(classify, assured_flow_is_refreshed_to_120s_by_every_packet)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	expect(t, &b2a, TH_T0 + TH_MSEC(10), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "reply");
	expect(t, &a2b, TH_T0 + TH_SEC(3), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "assuring");
	expect(t, &b2a, TH_T0 + TH_SEC(100), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "100 s");
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0 + TH_SEC(100), TH_UDP_TIMEOUT_STREAM,
		    "100 s");
	expect(t, &a2b, TH_T0 + TH_SEC(210), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, &v, "210 s");
	ut_flow_info(t, f, &info);
	deadline_is(&info, TH_T0 + TH_SEC(210), TH_UDP_TIMEOUT_STREAM,
		    "210 s");
	cr_assert(has(info.status, UDPCT_STATUS_ASSURED));
}

/* ---- rows 7 and 8: near-miss replies are new flows ------------------- */

Test(classify, reply_from_other_source_port_is_a_new_flow)
{
	struct pkt_spec a2b, b2a, other;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct udpct_flow *f, *g;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	other = b2a;
	other.sport = 5353;
	pkt_spec_tuple(&other, 0, &want);
	expect(t, &other, TH_T0 + TH_MSEC(10), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       &v, "B:q' -> A:p");
	cr_assert_null(v.flow);
	cr_assert_eq(udpct_commit(t, &v), 0);
	g = v.flow;
	cr_assert_not_null(g);
	cr_assert_neq(g, f);
	ut_flow_info(t, g, &info);
	cr_assert(udpct_tuple_equal(&info.tuple, &want),
		  "the new flow's originator is B:q'");
	ut_flow_info(t, f, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_SEEN_REPLY),
		      "the original flow stays unreplied");
}

Test(classify, reply_from_other_host_or_to_other_port_is_new)
{
	struct pkt_spec a2b, b2a, other;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	other = b2a;
	pkt_addr(other.saddr, UDPCT_IPV4, PKT_B4_2);
	expect(t, &other, TH_T0 + TH_MSEC(10), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       &v, "B2:q -> A:p");
	other = b2a;
	other.dport = 40001;
	expect(t, &other, TH_T0 + TH_MSEC(20), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       &v, "B:q -> A:p'");
	other = b2a;
	pkt_addr(other.daddr, UDPCT_IPV4, PKT_A4_2);
	expect(t, &other, TH_T0 + TH_MSEC(30), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       &v, "B:q -> A2:p");
	ut_flow_info(t, f, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_SEEN_REPLY));
}

/* ---- rows 9-16 and 28: ICMP errors ---------------------------------- */

static void
icmp_at(struct udpct_table *tab, const struct pkt_icmp_spec *is,
	uint64_t now, struct udpct_verdict *v)
{
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build_icmp_error(is, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	cr_assert_eq(udpct_classify(tab, buf, n, now, v), 0);
}

Test(classify, icmp_port_unreachable_is_related_reply_without_refresh)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_flow_info before, after;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct udpct_stats st0, st1;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];
	size_t qn;

	specs(UDPCT_IPV4, &a2b, &b2a);
	pkt_spec_tuple(&a2b, 0, &want);
	f = create(t, &a2b, TH_T0);
	ut_flow_info(t, f, &before);
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	pkt_icmp_unreach(&is, &a2b, q, qn);
	ut_stats(t, &st0);
	icmp_at(t, &is, TH_T0 + TH_SEC(10), &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "row 9");
	cr_assert_eq(v.flow, f);
	cr_assert(udpct_tuple_equal(&v.tuple, &want),
		  "an error's tuple is the quoted datagram's");
	cr_assert_not(has(v.status, UDPCT_STATUS_SEEN_REPLY));
	ut_stats(t, &st1);
	cr_assert_eq(st1.related, st0.related + 1);

	/* no refresh, no SEEN_REPLY */
	ut_flow_info(t, f, &after);
	cr_assert_eq(after.deadline_ns, before.deadline_ns);
	cr_assert_eq(after.last_ns, TH_T0);
	cr_assert_not(has(after.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_eq(after.packets[UDPCT_DIR_REPLY], 0);
	/* the flow still expires 30 s after A's datagram */
	expect(t, &b2a, before.deadline_ns, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "reply after the unrefreshed deadline");
}

Test(classify, icmp_error_from_any_host_is_related_reply)
{
	static const struct {
		uint8_t family, type, code;
	} errs[] = {
		{ UDPCT_IPV4, 3, 4 },	/* frag needed */
		{ UDPCT_IPV4, 3, 13 },	/* administratively prohibited */
		{ UDPCT_IPV4, 11, 0 },	/* TTL exceeded */
		{ UDPCT_IPV4, 3, 1 },	/* host unreachable */
		{ UDPCT_IPV4, 4, 0 },	/* source quench */
		{ UDPCT_IPV4, 5, 1 },	/* redirect */
		{ UDPCT_IPV4, 12, 0 },	/* parameter problem */
		{ UDPCT_IPV6, 1, 0 },	/* row 28: DU */
		{ UDPCT_IPV6, 2, 0 },	/* PTB */
		{ UDPCT_IPV6, 3, 0 },	/* TE */
		{ UDPCT_IPV6, 4, 0 },	/* PP */
		{ UDPCT_IPV6, 100, 0 },	/* private, < 128: an error */
	};
	struct pkt_spec a2b[2], b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	struct udpct_flow *f[2];
	uint8_t q[2][PKT_MAX];
	size_t qn[2], i;

	for (i = 0; i < 2; i++) {
		specs(i ? UDPCT_IPV6 : UDPCT_IPV4, &a2b[i], &b2a);
		f[i] = create(t, &a2b[i], TH_T0);
		qn[i] = pkt_build_udp(&a2b[i], q[i], PKT_MAX);
	}
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		size_t k = errs[i].family == UDPCT_IPV6;

		pkt_icmp_unreach(&is, &a2b[k], q[k], qn[k]);
		is.type = errs[i].type;
		is.code = errs[i].code;
		/* from a router (spec 6a step 8: the source is free) */
		pkt_addr(is.saddr, errs[i].family, k ? PKT_R6 : PKT_R4);
		icmp_at(t, &is, TH_T0 + TH_SEC(1), &v);
		cr_assert_eq(v.state, UDPCT_RELATED,
			     "IPv%d type %d code %d: state %s (%s)",
			     errs[i].family, errs[i].type, errs[i].code,
			     udpct_state_name(v.state),
			     udpct_reason_name(v.reason));
		cr_assert_eq(v.dir, UDPCT_DIR_REPLY);
		cr_assert_eq(v.flow, f[k]);
	}
}

Test(classify, icmp_error_about_reply_datagram_is_related_original)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		specs(i ? UDPCT_IPV6 : UDPCT_IPV4, &a2b, &b2a);
		f = create(t, &a2b, TH_T0);
		expect(t, &b2a, TH_T0 + TH_MSEC(1), UDPCT_ESTABLISHED,
		       UDPCT_DIR_REPLY, &v, "reply");
		/* row 11: A tells B its reply was undeliverable */
		qn = pkt_build_udp(&b2a, q, sizeof(q));
		pkt_icmp_unreach(&is, &b2a, q, qn);
		icmp_at(t, &is, TH_T0 + TH_MSEC(2), &v);
		ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "row 11");
		cr_assert_eq(v.flow, f);
	}
}

Test(classify, icmp_error_for_unknown_or_uncommitted_flow_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];
	size_t qn;

	/* row 12: never seen */
	specs(UDPCT_IPV4, &a2b, &b2a);
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	pkt_icmp_unreach(&is, &a2b, q, qn);
	icmp_at(t, &is, TH_T0, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "row 12");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_UNKNOWN_FLOW);

	/* seen, NEW, but dropped (never committed) */
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "dropped");
	icmp_at(t, &is, TH_T0 + 1, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "uncommitted");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_UNKNOWN_FLOW);
	cr_assert_null(v.flow);
}

Test(classify, icmp_error_for_expired_flow_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];
	size_t qn;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	ut_flow_info(t, f, &info);
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	pkt_icmp_unreach(&is, &a2b, q, qn);
	/* RELATED does not refresh, so this probe leaves the flow alone */
	icmp_at(t, &is, info.deadline_ns - 1, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "just before");
	icmp_at(t, &is, info.deadline_ns, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "at the deadline");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_UNKNOWN_FLOW);
}

Test(classify, icmp_error_to_other_host_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];
	size_t qn;

	specs(UDPCT_IPV4, &a2b, &b2a);
	create(t, &a2b, TH_T0);
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	pkt_icmp_unreach(&is, &a2b, q, qn);
	pkt_addr(is.daddr, UDPCT_IPV4, PKT_A4_2);	/* row 13: B -> A' */
	icmp_at(t, &is, TH_T0 + 1, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "row 13");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_DADDR_MISMATCH);
}

Test(classify, icmp_error_about_error_or_echo_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is, inner;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX], x[PKT_MAX];
	size_t qn, xn;

	specs(UDPCT_IPV4, &a2b, &b2a);
	create(t, &a2b, TH_T0);
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	/* row 14: an error about an error */
	pkt_icmp_unreach(&inner, &a2b, q, qn);
	xn = pkt_build_icmp_error(&inner, x, sizeof(x));
	memset(&is, 0, sizeof(is));
	is.family = UDPCT_IPV4;
	memcpy(is.saddr, inner.daddr, 16);	/* A answers B's error */
	memcpy(is.daddr, inner.saddr, 16);
	is.type = 3;
	is.code = 3;
	is.quote = x;
	is.quote_len = xn;
	icmp_at(t, &is, TH_T0 + 1, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "error about error");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_QUOTES_UNTRACKED);

	/* about an echo request: the library does not track echo (the
	 * kernel would say RELATED for a tracked echo, row 14) */
	xn = pkt_build_icmp_echo(UDPCT_IPV4, PKT_A4, PKT_B4, 9, 1, false, x,
				 sizeof(x));
	memset(&is, 0, sizeof(is));
	is.family = UDPCT_IPV4;
	pkt_addr(is.saddr, UDPCT_IPV4, PKT_B4);
	pkt_addr(is.daddr, UDPCT_IPV4, PKT_A4);
	is.type = 3;
	is.code = 1;
	is.quote = x;
	is.quote_len = xn;
	icmp_at(t, &is, TH_T0 + 3, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "error about echo");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_QUOTES_UNTRACKED);
}

Test(classify, icmp_error_quoting_4_udp_bytes_is_related_2_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		specs(i ? UDPCT_IPV6 : UDPCT_IPV4, &a2b, &b2a);
		create(t, &a2b, TH_T0);
		qn = pkt_build_udp(&a2b, q, sizeof(q));
		pkt_icmp_unreach(&is, &a2b, q, pkt_l4_offset(q, qn) + 4);
		icmp_at(t, &is, TH_T0 + 1, &v);
		ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "4 bytes");
		pkt_icmp_unreach(&is, &a2b, q, pkt_l4_offset(q, qn) + 2);
		icmp_at(t, &is, TH_T0 + 2, &v);
		ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "2 bytes");
		cr_assert_eq(v.reason, UDPCT_REASON_BAD_ICMP_QUOTE);
	}
}

Test(classify, icmp_error_with_bad_checksum_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		specs(i ? UDPCT_IPV6 : UDPCT_IPV4, &a2b, &b2a);
		create(t, &a2b, TH_T0);
		qn = pkt_build_udp(&a2b, q, sizeof(q));
		pkt_icmp_unreach(&is, &a2b, q, qn);
		is.bad_csum = true;
		icmp_at(t, &is, TH_T0 + 1, &v);
		ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "row 16");
		cr_assert_eq(v.reason, UDPCT_REASON_BAD_ICMP_CHECKSUM);
	}
}

Test(classify, icmpv6_error_for_unknown_flow_is_invalid)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];
	size_t qn;

	specs(UDPCT_IPV6, &a2b, &b2a);
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	pkt_icmp_unreach(&is, &a2b, q, qn);
	icmp_at(t, &is, TH_T0, &v);
	ut_verdict_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "row 28, unknown");
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_UNKNOWN_FLOW);
}

/* ---- rows 19-21: expiry ---------------------------------------------- */

Test(classify, after_30s_unreplied_expiry_responder_becomes_originator)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct udpct_flow *g;

	specs(UDPCT_IPV4, &a2b, &b2a);
	pkt_spec_tuple(&b2a, 0, &want);
	create(t, &a2b, TH_T0);
	/* row 19: idle 31 s, then B speaks first */
	expect(t, &b2a, TH_T0 + TH_SEC(31), UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "B -> A after expiry");
	cr_assert_null(v.flow);
	cr_assert_eq(udpct_commit(t, &v), 0);
	g = v.flow;
	ut_flow_info(t, g, &info);
	cr_assert(udpct_tuple_equal(&info.tuple, &want));
	cr_assert_eq(info.first_ns, TH_T0 + TH_SEC(31));
	expect(t, &a2b, TH_T0 + TH_SEC(32), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "A -> B is now the reply");
	cr_assert_eq(v.flow, g);
}

Test(classify, flow_is_gone_exactly_at_its_deadline)
{
	struct udpct_table *t2 = th_table(0, 16);
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	/* two tables with the same history, probed at deadline - 1 and at
	 * the deadline (a probe refreshes, so each table is probed once) */
	cr_assert_not_null(t2);
	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	create(t2, &a2b, TH_T0);
	ut_flow_info(t, f, &info);
	expect(t, &b2a, info.deadline_ns - 1, UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "deadline - 1");
	expect(t2, &b2a, info.deadline_ns, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "deadline");
	udpct_table_free(t2);
}

Test(classify, after_stream_timeout_expiry_next_packet_is_new)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint64_t last;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	expect(t, &b2a, TH_T0 + TH_MSEC(10), UDPCT_ESTABLISHED,
	       UDPCT_DIR_REPLY, &v, "reply");
	last = TH_T0 + TH_SEC(3);
	expect(t, &a2b, last, UDPCT_ESTABLISHED, UDPCT_DIR_ORIGINAL, &v,
	       "assuring");
	/* 119 s idle: well past 30 s, still alive on the 120 s timeout */
	last += TH_SEC(119);
	expect(t, &a2b, last, UDPCT_ESTABLISHED, UDPCT_DIR_ORIGINAL, &v,
	       "after 119 s idle");
	cr_assert_eq(v.flow, f);
	ut_flow_info(t, f, &info);
	/* row 20: idle beyond the stream timeout */
	expect(t, &a2b, info.deadline_ns, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "after the stream timeout");
	cr_assert_null(v.flow);
	expect(t, &b2a, info.deadline_ns + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       &v, "old reply direction");
}

Test(classify, unreplied_flow_kept_alive_by_repeats_never_expires)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint64_t now = TH_T0;
	int i;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, now);
	/* row 21: every 20 s for 10 minutes, NEW every time */
	for (i = 0; i < 30; i++) {
		now += TH_SEC(20);
		expect(t, &a2b, now, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
		       "keep-alive");
		cr_assert_eq(v.flow, f, "keep-alive %d", i);
		cr_assert_not(has(v.status, UDPCT_STATUS_ASSURED),
			      "unreplied flows are never ASSURED");
	}
	expect(t, &b2a, now + TH_SEC(29), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       &v, "late reply");
	cr_assert_eq(v.flow, f);
}

Test(classify, deadline_never_moves_back_when_time_goes_backwards)
{
	struct pkt_spec a2b, b2a;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	expect(t, &a2b, TH_T0 + TH_SEC(10), UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "at 10 s");
	/* a packet stamped earlier than the last one */
	expect(t, &b2a, TH_T0 + TH_SEC(5), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       &v, "reply stamped 5 s");
	cr_assert_eq(v.flow, f);
	ut_flow_info(t, f, &info);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(10) + TH_UDP_TIMEOUT,
		      "the deadline moved back");
	expect(t, &b2a, TH_T0 + TH_SEC(39), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       &v, "alive until 10 s + 30 s");
}

/* ---- rows 22, 24, 25, 26: validation and state ---------------------- */

Test(classify, bad_checksum_on_new_tuple_leaves_no_flow)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_stats st;

	specs(UDPCT_IPV4, &a2b, &b2a);
	a2b.csum = PKT_CSUM_BAD;
	expect(t, &a2b, TH_T0, UDPCT_INVALID, UDPCT_DIR_NONE, &v, "row 22");
	cr_assert_eq(v.reason, UDPCT_REASON_BAD_CHECKSUM);
	cr_assert_eq(udpct_commit(t, &v), 0);	/* accepted anyway */
	cr_assert_null(v.flow);
	ut_stats(t, &st);
	cr_assert_eq(st.live, 0);
	expect(t, &b2a, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "reply to the bad packet");
}

Test(classify, invalid_reply_neither_refreshes_nor_sets_seen_reply)
{
	static const char *const what[] = {
		"bad checksum", "RFC checksum with trailer", "4 bytes of UDP",
		"uh->len beyond payload", "uh->len 7",
	};
	struct pkt_spec a2b, b2a, bad;
	struct udpct_flow_info before, after;
	struct udpct_verdict v;
	struct udpct_flow *f;
	size_t i;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	ut_flow_info(t, f, &before);
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		bad = b2a;
		switch (i) {
		case 0:
			bad.csum = PKT_CSUM_BAD;
			break;
		case 1:
			bad.trailer_len = 4;
			bad.csum = PKT_CSUM_ULEN;
			break;
		case 2:
			bad.trunc = true;
			bad.trunc_len = 4;
			break;
		case 3:
			bad.udp_len_set = true;
			bad.udp_len = (uint16_t)(8 + bad.payload_len + 1);
			break;
		default:
			bad.udp_len_set = true;
			bad.udp_len = 7;
			break;
		}
		expect(t, &bad, TH_T0 + TH_SEC(5) + i, UDPCT_INVALID,
		       UDPCT_DIR_NONE, &v, what[i]);
		cr_assert_null(v.flow, "%s", what[i]);
		ut_flow_info(t, f, &after);
		cr_assert_not(has(after.status, UDPCT_STATUS_SEEN_REPLY),
			      "%s set SEEN_REPLY", what[i]);
		cr_assert_eq(after.deadline_ns, before.deadline_ns,
			     "%s refreshed the flow", what[i]);
		cr_assert_eq(after.last_ns, before.last_ns, "%s", what[i]);
		cr_assert_eq(after.packets[UDPCT_DIR_REPLY], 0, "%s",
			     what[i]);
	}
	/* still unreplied: A's next datagram is NEW */
	expect(t, &a2b, TH_T0 + TH_SEC(6), UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "after invalid replies");
	cr_assert_eq(v.flow, f);
	expect(t, &b2a, TH_T0 + TH_SEC(7), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       &v, "good reply");
}

Test(classify, invalid_packet_on_established_flow_does_not_refresh)
{
	struct pkt_spec a2b, b2a, bad;
	struct udpct_flow_info before, after;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	expect(t, &b2a, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "reply");
	ut_flow_info(t, f, &before);
	bad = a2b;
	bad.csum = PKT_CSUM_BAD;
	/* would assure and move to 120 s if it were accepted */
	expect(t, &bad, TH_T0 + TH_SEC(10), UDPCT_INVALID, UDPCT_DIR_NONE, &v,
	       "bad checksum");
	ut_flow_info(t, f, &after);
	cr_assert_eq(after.deadline_ns, before.deadline_ns);
	cr_assert_not(has(after.status, UDPCT_STATUS_ASSURED));
	cr_assert_eq(after.packets[UDPCT_DIR_ORIGINAL], 1);
}

Test(classify, no_checksum_config_tracks_bad_checksums)
{
	struct udpct_table *nc = th_table(UDPCT_CFG_NO_CHECKSUM, 16);
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow *f;

	cr_assert_not_null(nc);
	specs(UDPCT_IPV4, &a2b, &b2a);
	a2b.csum = PKT_CSUM_BAD;
	b2a.csum = PKT_CSUM_BAD;
	f = create(nc, &a2b, TH_T0);
	expect(nc, &b2a, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "row 22, checksum off");
	cr_assert_eq(v.flow, f);
	udpct_table_free(nc);
}

Test(classify, zero_checksum_datagrams_are_tracked_both_ways)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow *f;
	size_t i;

	for (i = 0; i < 2; i++) {
		specs(i ? UDPCT_IPV6 : UDPCT_IPV4, &a2b, &b2a);
		a2b.csum = PKT_CSUM_ZERO;
		b2a.csum = PKT_CSUM_ZERO;
		f = create(t, &a2b, TH_T0);
		expect(t, &b2a, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
		       &v, "row 24");
		cr_assert_eq(v.flow, f);
	}
}

Test(classify, udp_length_below_ip_payload_row_26)
{
	struct pkt_spec s, b2a;
	struct udpct_verdict v;
	size_t i;

	for (i = 0; i < 2; i++) {
		specs(i ? UDPCT_IPV6 : UDPCT_IPV4, &s, &b2a);
		s.trailer_len = 10;
		s.csum = PKT_CSUM_ZERO;
		expect(t, &s, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
		       "checksum 0");
		s.sport++;
		s.csum = PKT_CSUM_ULEN;
		expect(t, &s, TH_T0, UDPCT_INVALID, UDPCT_DIR_NONE, &v,
		       "RFC checksum");
		cr_assert_eq(v.reason, UDPCT_REASON_BAD_CHECKSUM);
		s.sport++;
		s.csum = PKT_CSUM_AUTO;
		expect(t, &s, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
		       "checksum over the full payload");
	}
}

/* ---- row 30: IPv6 extension headers ---------------------------------- */

Test(classify, ipv6_extension_headers_do_not_change_the_flow)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV6, &a2b, &b2a);
	a2b.n_ext = 2;
	a2b.ext[0].type = PKT_PROTO_HOPOPTS;
	a2b.ext[1].type = PKT_PROTO_DSTOPTS;
	f = create(t, &a2b, TH_T0);
	expect(t, &b2a, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "plain reply");
	cr_assert_eq(v.flow, f);
	b2a.n_ext = 1;
	b2a.ext[0].type = PKT_PROTO_ROUTING;
	expect(t, &b2a, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "reply with a routing header");
	cr_assert_eq(v.flow, f);
	a2b.n_ext = 0;
	expect(t, &a2b, TH_T0 + 3, UDPCT_ESTABLISHED, UDPCT_DIR_ORIGINAL, &v,
	       "plain request");
	cr_assert_eq(v.flow, f);
}

/* ---- row 35: zones ---------------------------------------------------- */

Test(classify, same_tuple_in_another_zone_is_a_separate_flow)
{
	struct udpct_tuple fwd, rev;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct udpct_flow *f0, *f1;

	udpct_tuple_set_v4(&fwd, pkt_addr4(PKT_A4), 40000, pkt_addr4(PKT_B4),
			   53, 0);
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 100, TH_T0, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "zone 0");
	cr_assert_eq(udpct_commit(t, &v), 0);
	f0 = v.flow;

	fwd.zone = 1;
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 100, TH_T0 + 1, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "zone 1");
	cr_assert_null(v.flow, "zone 1 must not see the zone 0 flow");
	cr_assert_eq(v.tuple.zone, 1);
	cr_assert_eq(udpct_commit(t, &v), 0);
	f1 = v.flow;
	cr_assert_not_null(f1);
	cr_assert_neq(f1, f0);
	ut_stats(t, &st);
	cr_assert_eq(st.live, 2);
	cr_assert_eq(st.clash, 0);

	/* a reply in zone 1 answers the zone 1 flow only */
	udpct_tuple_invert(&rev, &fwd);
	cr_assert_eq(udpct_classify_tuple(t, &rev, 100, TH_T0 + 2, &v), 0);
	ut_verdict_is(&v, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, "zone 1 reply");
	cr_assert_eq(v.flow, f1);
	ut_flow_info(t, f0, &info);
	cr_assert_not(has(info.status, UDPCT_STATUS_SEEN_REPLY));
	cr_assert_eq(info.tuple.zone, 0);
	ut_flow_info(t, f1, &info);
	cr_assert_eq(info.tuple.zone, 1);

	/* and zone 2 knows neither */
	rev.zone = 2;
	cr_assert_eq(udpct_classify_tuple(t, &rev, 100, TH_T0 + 3, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "zone 2");
}

Test(classify, raw_packets_are_classified_in_zone_0)
{
	struct pkt_spec a2b, b2a;
	struct udpct_tuple fwd;
	struct udpct_verdict v;
	struct udpct_flow *f;

	specs(UDPCT_IPV4, &a2b, &b2a);
	pkt_spec_tuple(&a2b, 5, &fwd);
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 44, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	expect(t, &b2a, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "zone 0 reply to a zone 5 flow");
	cr_assert_eq(v.tuple.zone, 0);

	pkt_spec_tuple(&a2b, 0, &fwd);
	fwd.sport = 40001;
	a2b.sport = 40001;
	pkt_spec_reply(&b2a, &a2b);
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 44, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	f = v.flow;
	expect(t, &b2a, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "packet reply to a zone 0 tuple flow");
	cr_assert_eq(v.flow, f);
}

/* ---- two-phase commit ------------------------------------------------- */

Test(classify, uncommitted_new_leaves_no_trace)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_stats st;

	/* unsolicited inbound B -> A, dropped by the ruleset */
	specs(UDPCT_IPV4, &a2b, &b2a);
	expect(t, &b2a, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "inbound");
	cr_assert_null(v.flow);
	/* then A -> B: a NEW flow of its own, not a reply */
	expect(t, &a2b, TH_T0 + TH_MSEC(1), UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "outbound");
	cr_assert_null(v.flow);
	ut_stats(t, &st);
	cr_assert_eq(st.live, 0);
	cr_assert_eq(st.inserted, 0);
}

Test(classify, dropped_first_packet_makes_the_next_one_new_again)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;

	/* row 39 */
	specs(UDPCT_IPV4, &a2b, &b2a);
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "dropped");
	expect(t, &a2b, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v,
	       "second");
	cr_assert_null(v.flow, "still tentative");
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_not_null(v.flow);
	expect(t, &b2a, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "reply");
}

Test(classify, two_pending_commits_of_one_tuple_make_one_flow_and_a_clash)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v1, v2;
	struct udpct_flow_info info;
	struct udpct_stats st;

	/* spec 12.1 / row 36: both first packets NEW, one entry */
	specs(UDPCT_IPV4, &a2b, &b2a);
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v1, "first");
	expect(t, &a2b, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v2,
	       "second");
	cr_assert_null(v2.flow);
	cr_assert_eq(udpct_commit(t, &v1), 0);
	cr_assert_eq(udpct_commit(t, &v2), 0, "a clash is not an error");
	cr_assert_not_null(v1.flow);
	cr_assert_eq(v2.flow, v1.flow, "the loser joins the winner's flow");
	ut_stats(t, &st);
	cr_assert_eq(st.clash, 1);
	cr_assert_eq(st.live, 1);
	cr_assert_eq(st.inserted, 1);
	cr_assert_eq(st.insert_failed, 0);
	ut_flow_info(t, v1.flow, &info);
	cr_assert_eq(info.first_ns, TH_T0);
}

Test(classify, reverse_clash_joins_the_flow_already_committed)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v1, v2, v;
	struct udpct_stats st;

	/* A -> B and B -> A both NEW before either is committed */
	specs(UDPCT_IPV4, &a2b, &b2a);
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v1, "A -> B");
	expect(t, &b2a, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v2,
	       "B -> A");
	cr_assert_eq(udpct_commit(t, &v1), 0);
	cr_assert_eq(udpct_commit(t, &v2), 0);
	cr_assert_eq(v2.flow, v1.flow);
	ut_stats(t, &st);
	cr_assert_eq(st.clash, 1);
	cr_assert_eq(st.live, 1);
	/* the committed flow's originator is A */
	expect(t, &b2a, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "B -> A after the clash");
	cr_assert_eq(v.flow, v1.flow);
}

Test(classify, commit_is_a_noop_on_verdicts_other_than_tentative_new)
{
	struct pkt_spec a2b, b2a, bad;
	struct pkt_icmp_spec is;
	struct udpct_verdict v, copy;
	struct udpct_stats st0, st1;
	struct udpct_flow *f;
	uint8_t buf[PKT_MAX], q[PKT_MAX];
	size_t n, qn;
	int i;

	specs(UDPCT_IPV4, &a2b, &b2a);
	f = create(t, &a2b, TH_T0);
	ut_stats(t, &st0);
	for (i = 0; i < 5; i++) {
		switch (i) {
		case 0:		/* NEW of a committed flow */
			expect(t, &a2b, TH_T0 + 1, UDPCT_NEW,
			       UDPCT_DIR_ORIGINAL, &v, "repeat");
			break;
		case 1:
			expect(t, &b2a, TH_T0 + 2, UDPCT_ESTABLISHED,
			       UDPCT_DIR_REPLY, &v, "reply");
			break;
		case 2:
			bad = b2a;
			bad.sport = 9;
			bad.csum = PKT_CSUM_BAD;
			expect(t, &bad, TH_T0 + 3, UDPCT_INVALID,
			       UDPCT_DIR_NONE, &v, "invalid");
			break;
		case 3:
			n = pkt_build_icmp_echo(UDPCT_IPV4, PKT_A4, PKT_B4, 1,
						1, false, buf, sizeof(buf));
			cr_assert_eq(udpct_classify(t, buf, n, TH_T0 + 4, &v),
				     0);
			ut_verdict_is(&v, UDPCT_IGNORED, UDPCT_DIR_NONE,
				      "ignored");
			break;
		default:
			qn = pkt_build_udp(&a2b, q, sizeof(q));
			pkt_icmp_unreach(&is, &a2b, q, qn);
			n = pkt_build_icmp_error(&is, buf, sizeof(buf));
			cr_assert_eq(udpct_classify(t, buf, n, TH_T0 + 5, &v),
				     0);
			ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY,
				      "related");
			break;
		}
		copy = v;
		cr_assert_eq(udpct_commit(t, &v), 0, "verdict %d", i);
		cr_assert_eq(v.flow, copy.flow, "verdict %d", i);
		cr_assert_eq(v.state, copy.state, "verdict %d", i);
		ut_stats(t, &st1);
		cr_assert_eq(st1.inserted, st0.inserted, "verdict %d", i);
		cr_assert_eq(st1.live, st0.live, "verdict %d", i);
		cr_assert_eq(st1.clash, st0.clash, "verdict %d", i);
		cr_assert_eq(st1.insert_failed, st0.insert_failed, "verdict %d",
			     i);
	}
	cr_assert_eq(copy.flow, f);
}

Test(classify, commit_rejects_null_arguments)
{
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;

	specs(UDPCT_IPV4, &a2b, &b2a);
	expect(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "new");
	cr_assert_eq(udpct_commit(NULL, &v), -EINVAL);
	cr_assert_eq(udpct_commit(t, NULL), -EINVAL);
}

Test(classify, auto_commit_inserts_new_flows_at_classify)
{
	struct udpct_table *ac = th_table(UDPCT_CFG_AUTO_COMMIT, 16);
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct udpct_flow *f;

	cr_assert_not_null(ac);
	specs(UDPCT_IPV4, &a2b, &b2a);
	expect(ac, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, &v, "first");
	f = v.flow;
	cr_assert_not_null(f, "auto-commit fills in the flow");
	cr_assert(has(v.status, UDPCT_STATUS_CONFIRMED));
	cr_assert_eq(udpct_commit(ac, &v), 0, "commit is harmless");
	ut_stats(ac, &st);
	cr_assert_eq(st.live, 1);
	cr_assert_eq(st.inserted, 1);
	cr_assert_eq(st.clash, 0);
	expect(ac, &b2a, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, &v,
	       "reply");
	cr_assert_eq(v.flow, f);
	udpct_table_free(ac);
}

/* ---- udpct_classify_tuple() ------------------------------------------ */

Test(classify, classify_tuple_follows_the_same_state_machine)
{
	struct udpct_tuple fwd, rev;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t a[16], b[16];

	pkt_addr(a, UDPCT_IPV6, PKT_A6);
	pkt_addr(b, UDPCT_IPV6, PKT_B6);
	udpct_tuple_set_v6(&fwd, a, 1000, b, 2000, 0);
	udpct_tuple_invert(&rev, &fwd);
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 100, TH_T0, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "first");
	cr_assert_null(v.flow);
	cr_assert(udpct_tuple_equal(&v.tuple, &fwd));
	cr_assert_eq(udpct_commit(t, &v), 0);
	f = v.flow;
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 150, TH_T0 + 1, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "repeat");
	cr_assert_eq(udpct_classify_tuple(t, &rev, 200, TH_T0 + 2, &v), 0);
	ut_verdict_is(&v, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, "reply");
	cr_assert_eq(v.flow, f);
	cr_assert_eq(udpct_classify_tuple(t, &fwd, 10, TH_T0 + TH_SEC(3),
					  &v), 0);
	ut_verdict_is(&v, UDPCT_ESTABLISHED, UDPCT_DIR_ORIGINAL, "after 3 s");
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	ut_flow_info(t, f, &info);
	cr_assert_eq(info.packets[UDPCT_DIR_ORIGINAL], 3);
	cr_assert_eq(info.packets[UDPCT_DIR_REPLY], 1);
	cr_assert_eq(info.bytes[UDPCT_DIR_ORIGINAL], 260);
	cr_assert_eq(info.bytes[UDPCT_DIR_REPLY], 200);
	deadline_is(&info, TH_T0 + TH_SEC(3), TH_UDP_TIMEOUT_STREAM,
		    "assured");
}

Test(classify, classify_tuple_rejects_bad_arguments)
{
	struct udpct_tuple tu;
	struct udpct_verdict v;

	udpct_tuple_set_v4(&tu, pkt_addr4(PKT_A4), 1, pkt_addr4(PKT_B4), 2, 0);
	cr_assert_eq(udpct_classify_tuple(NULL, &tu, 1, TH_T0, &v), -EINVAL);
	cr_assert_eq(udpct_classify_tuple(t, NULL, 1, TH_T0, &v), -EINVAL);
	cr_assert_eq(udpct_classify_tuple(t, &tu, 1, TH_T0, NULL), -EINVAL);
	tu.family = 5;
	cr_assert_eq(udpct_classify_tuple(t, &tu, 1, TH_T0, &v), -EINVAL);
	tu.family = 0;
	cr_assert_eq(udpct_classify_tuple(t, &tu, 1, TH_T0, &v), -EINVAL);
	tu.family = UDPCT_IPV4;
	tu.proto = 6;
	cr_assert_eq(udpct_classify_tuple(t, &tu, 1, TH_T0, &v), -EINVAL);
	tu.proto = 136;		/* UDP-Lite */
	cr_assert_eq(udpct_classify_tuple(t, &tu, 1, TH_T0, &v), -EINVAL);
}

/* Classify @s, built as a raw packet, in @zone; commit what is accepted. */
static struct udpct_verdict
in_zone(struct udpct_table *tab, const struct pkt_spec *s, uint16_t zone,
	uint64_t now)
{
	uint8_t buf[PKT_MAX];
	struct udpct_verdict v;
	size_t n = pkt_build_udp(s, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	cr_assert_eq(udpct_classify_zone(tab, buf, n, zone, now, &v), 0);
	cr_assert_eq(v.tuple.zone, zone);
	cr_assert_eq(udpct_commit(tab, &v), 0);
	return v;
}

/* nft `ct zone set`: one tuple in two zones is two flows. */
Test(classify, zones_separate_flows_and_icmp_errors)
{
	struct pkt_spec a2b, b2a;
	struct pkt_icmp_spec is;
	uint8_t quote[PKT_MAX], err[PKT_MAX];
	struct udpct_verdict v;
	size_t qn, en;

	pkt_spec_v4(&a2b, PKT_A4, 40000, PKT_B4, 53);
	pkt_spec_reply(&b2a, &a2b);
	cr_assert_eq(in_zone(t, &a2b, 0, TH_T0).state, UDPCT_NEW);
	cr_assert_eq(in_zone(t, &a2b, 1, TH_T0).state, UDPCT_NEW,
		     "zone 1 does not see zone 0's flow");
	cr_assert_eq(in_zone(t, &b2a, 1, TH_T0 + 1).state,
		     UDPCT_ESTABLISHED);
	/* Zone 0's flow has seen no reply: its next packet is still NEW. */
	cr_assert_eq(in_zone(t, &a2b, 0, TH_T0 + 2).state, UDPCT_NEW);
	cr_assert_eq(in_zone(t, &a2b, 1, TH_T0 + 2).state,
		     UDPCT_ESTABLISHED);
	/* B's port unreachable about A's datagram: RELATED in either zone,
	 * unknown in a zone without the flow. */
	qn = pkt_build_udp(&a2b, quote, sizeof(quote));
	pkt_icmp_unreach(&is, &a2b, quote, qn);
	en = pkt_build_icmp_error(&is, err, sizeof(err));
	cr_assert_eq(udpct_classify_zone(t, err, en, 1, TH_T0 + 3, &v), 0);
	cr_assert_eq(v.state, UDPCT_RELATED);
	cr_assert_eq(v.tuple.zone, 1);
	cr_assert_eq(udpct_classify_zone(t, err, en, 2, TH_T0 + 3, &v), 0);
	cr_assert_eq(v.state, UDPCT_INVALID);
	cr_assert_eq(v.reason, UDPCT_REASON_ICMP_UNKNOWN_FLOW);
}
