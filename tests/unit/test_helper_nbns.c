// SPDX-License-Identifier: MIT
/*
 * test_helper_nbns.c - the NetBIOS name service broadcast helper (spec 6d,
 * section 11 row 32): a query from Q:5137 to the subnet's broadcast
 * address, port 137, makes answers from any host of the subnet with source
 * port 137 RELATED for 3 s (a PERMANENT expectation), and cuts the query's
 * own flow to 3 s.  A unicast query, an IPv6 query, or a query to another
 * subnet's broadcast address expects nothing.
 *
 * The subnet is 192.0.2.0/24 (broadcast 192.0.2.255); the querier Q is
 * 192.0.2.1; responders are 192.0.2.7 and 192.0.2.8; 198.51.100.7 is off
 * the subnet.  The table commits by hand.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "unit.h"

#define Q	"192.0.2.1"
#define BCAST	"192.0.2.255"
#define R1	"192.0.2.7"
#define R2	"192.0.2.8"
#define OFF	"198.51.100.7"
#define QPORT	5137

static struct udpct_table *t;

/* A table with the helper for 192.0.2.0/@prefix, port @port, @timeout. */
static void
setup_with(const char *subnet, unsigned prefix, uint16_t port,
	   uint64_t timeout)
{
	struct udpct_helper h;

	t = th_table(0, 1024);
	cr_assert_not_null(t);
	udpct_helper_netbios_ns(&h, pkt_addr4(subnet), prefix, port, timeout);
	cr_assert_eq(udpct_helper_register(t, &h), 0);
}

static void
setup(void)
{
	setup_with("192.0.2.0", 24, 0, 0);
}

static void
teardown(void)
{
	udpct_table_free(t);
}

TestSuite(nbns, .init = setup, .fini = teardown);

/* A name query (any payload: the helper does not parse it). */
static const uint8_t query[] = {
	0x12, 0x34, 0x01, 0x10, 0, 1, 0, 0, 0, 0, 0, 0,
};

static void
pkt4(struct pkt_spec *s, const char *src, uint16_t sport, const char *dst,
     uint16_t dport)
{
	pkt_spec_v4(s, src, sport, dst, dport);
	s->payload = query;
	s->payload_len = sizeof(query);
}

/* The broadcast query, accepted, at @now; returns its flow. */
static struct udpct_flow *
broadcast_query(uint64_t now)
{
	struct pkt_spec q;

	pkt4(&q, Q, QPORT, BCAST, 137);
	return ut_accept(t, &q, now, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
}

/*
 * Spec 11 row 32: query N; a reply from any subnet host with source port
 * 137 R; again R; several responders each R; source port 138 N; from
 * outside the subnet N; after 3 s N.
 */
Test(nbns, broadcast_query_sequence_of_row_32)
{
	struct pkt_spec a;
	struct udpct_flow *c1, *c2;
	struct udpct_flow_info info;
	struct udpct_stats st;

	broadcast_query(TH_T0);
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	pkt4(&a, R1, 137, Q, QPORT);
	c1 = ut_accept(t, &a, TH_T0 + TH_MSEC(10), UDPCT_RELATED,
			  UDPCT_DIR_ORIGINAL, "answer from .7");
	cr_assert_eq(ut_accept(t, &a, TH_T0 + TH_MSEC(20), UDPCT_RELATED,
				  UDPCT_DIR_ORIGINAL, ".7 again"), c1);
	pkt4(&a, R2, 137, Q, QPORT);
	c2 = ut_accept(t, &a, TH_T0 + TH_MSEC(30), UDPCT_RELATED,
			  UDPCT_DIR_ORIGINAL, "answer from .8: PERMANENT");
	cr_assert_neq(c1, c2);
	pkt4(&a, R1, 138, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_MSEC(40), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "source port 138");
	pkt4(&a, OFF, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_MSEC(50), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "off the subnet");
	pkt4(&a, "192.0.2.9", 137, Q, QPORT + 1);
	ut_accept(t, &a, TH_T0 + TH_MSEC(60), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "to another port of the querier");
	pkt4(&a, "192.0.2.9", 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_SEC(3) + TH_TICK_NS, UDPCT_NEW,
		     UDPCT_DIR_ORIGINAL, "after 3 s");
	cr_assert_eq(udpct_flow_get_info(t, c1, &info), 0);
	cr_assert_neq(info.status & UDPCT_STATUS_EXPECTED, 0);
	cr_assert_null(info.helper, "the expectation carries no helper");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_matched, 2, "two responders");
}

/* "The same responder again -> RELATED until B answers it." */
Test(nbns, answer_is_related_until_the_querier_replies)
{
	struct pkt_spec a, back;

	broadcast_query(TH_T0);
	pkt4(&a, R1, 137, Q, QPORT);
	pkt4(&back, Q, QPORT, R1, 137);
	ut_accept(t, &a, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		  "answer");
	ut_accept(t, &back, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
		     "the querier to the responder");
	ut_accept(t, &a, TH_T0 + 3, UDPCT_ESTABLISHED, UDPCT_DIR_ORIGINAL,
		     "answer after that");
}

/*
 * Spec 6d: "then the master entry is refreshed to timeout seconds"
 * (3 s), and the expectation lives 3 s.  Just before 3 s: RELATED; the
 * master is gone for lookups at 3 s, and reaped by advance.
 */
Test(nbns, master_is_cut_to_3s_and_expectation_lives_3s)
{
	struct udpct_flow_info info;
	struct pkt_spec a;
	struct udpct_stats st;
	struct udpct_flow *m;
	uint64_t expired;

	m = broadcast_query(TH_T0);
	cr_assert_eq(udpct_flow_get_info(t, m, &info), 0);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(3));
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(3) + TH_TICK_NS,
		      "the master keeps 30 s instead of 3 s");
	cr_assert_str_eq(info.helper, "netbios-ns");
	pkt4(&a, R1, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_SEC(3) - 1, UDPCT_RELATED,
		  UDPCT_DIR_ORIGINAL,
		     "1 ns before 3 s");
	ut_stats(t, &st);
	cr_assert_geq(udpct_table_advance(t, TH_T0 + TH_SEC(3) + TH_TICK_NS,
					  0, NULL, NULL), 1);
	expired = st.expired;
	ut_stats(t, &st);
	cr_assert_eq(st.expired, expired + 1, "the master is reaped at 3 s");
	pkt4(&a, R2, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_SEC(4), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "after 3 s");
}

/*
 * A repeated query re-arms the expectation and cuts the master to 3 s
 * again from the repeat (the repeat first refreshes the master to 30 s,
 * then the helper runs): an answer at 3.5 s after the first query, 2.5 s
 * after the repeat, is RELATED.
 */
Test(nbns, repeated_query_restarts_the_3s)
{
	struct udpct_flow_info info;
	struct pkt_spec a;
	struct udpct_flow *m;
	struct udpct_stats st;

	m = broadcast_query(TH_T0);
	cr_assert_eq(broadcast_query(TH_T0 + TH_SEC(1)), m);
	cr_assert_eq(udpct_flow_get_info(t, m, &info), 0);
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(4) + TH_TICK_NS);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(4));
	pkt4(&a, R1, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_MSEC(3500), UDPCT_RELATED,
		  UDPCT_DIR_ORIGINAL,
		     "3.5 s after the first query");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 2);
	cr_assert_eq(st.expect_failed, 0);
}

/* Spec 6d / 11 row 32: "a unicast query creates no expectation". */
Test(nbns, unicast_query_expects_nothing)
{
	struct udpct_flow_info info;
	struct pkt_spec q, a;
	struct udpct_flow *m;
	struct udpct_stats st;

	pkt4(&q, Q, QPORT, R1, 137);
	m = ut_accept(t, &q, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "unicast");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 0);
	cr_assert_eq(udpct_flow_get_info(t, m, &info), 0);
	cr_assert_str_eq(info.helper, "netbios-ns", "attached, but idle");
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_UDP_TIMEOUT,
		      "a unicast query keeps its 30 s");
	pkt4(&a, R1, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
		     "the queried host answers: the flow's own reply");
	pkt4(&a, R2, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + 2, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "another host");
}

/*
 * The broadcast address must be the configured subnet's: a query to the
 * limited broadcast 255.255.255.255, or to another subnet's broadcast,
 * expects nothing.
 */
Test(nbns, query_to_another_broadcast_address_expects_nothing)
{
	const char *dst[] = { "255.255.255.255", "192.0.3.255",
			      "192.0.2.127", "192.0.2.0" };
	struct pkt_spec q;
	struct udpct_stats st;
	size_t i;

	for (i = 0; i < sizeof(dst) / sizeof(dst[0]); i++) {
		pkt4(&q, Q, (uint16_t)(QPORT + i), dst[i], 137);
		ut_accept(t, &q, TH_T0 + i, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			  dst[i]);
	}
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 0);
}

/* Another prefix: /16 broadcasts at 192.0.255.255, matches 192.0.x.y. */
Test(nbns, prefix_length_sets_broadcast_and_responders)
{
	struct pkt_spec q, a;
	struct udpct_stats st;

	udpct_table_free(t);
	setup_with("192.0.2.77", 16, 0, 0);	/* host bits are ignored */
	pkt4(&q, Q, QPORT, "192.0.2.255", 137);
	ut_accept(t, &q, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "/24 broadcast");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 0);
	pkt4(&q, Q, QPORT, "192.0.255.255", 137);
	ut_accept(t, &q, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "/16 broadcast");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	pkt4(&a, "192.0.200.1", 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		     "in the /16");
	pkt4(&a, "192.1.2.1", 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + 3, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "off the /16");
}

/* udpct_helper_netbios_ns(): the service port and the timeout. */
Test(nbns, port_and_timeout_parameters)
{
	struct udpct_flow_info info;
	struct pkt_spec q, a;
	struct udpct_flow *m;

	udpct_table_free(t);
	setup_with("192.0.2.0", 24, 161, TH_SEC(30));	/* SNMP-like */
	pkt4(&q, Q, QPORT, BCAST, 137);
	ut_accept(t, &q, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "to 137: no helper");
	pkt4(&q, Q, QPORT, BCAST, 161);
	m = ut_accept(t, &q, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		      "to 161");
	cr_assert_eq(udpct_flow_get_info(t, m, &info), 0);
	cr_assert_geq(info.deadline_ns, TH_T0 + 1 + TH_SEC(30));
	pkt4(&a, R1, 161, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_SEC(20), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		     "20 s: within the 30 s");
	pkt4(&a, R1, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_SEC(21), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "source port 137 is not the service's");
}

/* Spec 6d: IPv4 only.  An IPv6 flow to port 137 gets no helper. */
Test(nbns, ipv6_flows_get_no_helper)
{
	struct udpct_flow_info info;
	struct pkt_spec q;
	struct udpct_flow *m;
	struct udpct_verdict v;

	pkt_spec_v6(&q, PKT_A6, QPORT, "ff02::1", 137);
	cr_assert_eq(ut_classify(t, &q, TH_T0, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "IPv6 query");
	cr_assert_eq(udpct_commit(t, &v), 0);
	m = v.flow;
	cr_assert_eq(udpct_flow_get_info(t, m, &info), 0);
	cr_assert_null(info.helper);
}

/*
 * Answers to a query are new flows of their own: a responder's answer does
 * not touch the query's flow (still unreplied, still 3 s).
 */
Test(nbns, answers_do_not_touch_the_query_flow)
{
	struct udpct_flow_info before, after;
	struct pkt_spec a;
	struct udpct_flow *m;

	m = broadcast_query(TH_T0);
	cr_assert_eq(udpct_flow_get_info(t, m, &before), 0);
	pkt4(&a, R1, 137, Q, QPORT);
	ut_accept(t, &a, TH_T0 + TH_SEC(1), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		     "answer");
	cr_assert_eq(udpct_flow_get_info(t, m, &after), 0);
	cr_assert_eq(after.deadline_ns, before.deadline_ns);
	cr_assert_eq(after.status & UDPCT_STATUS_SEEN_REPLY, 0);
	cr_assert_eq(after.packets[UDPCT_DIR_REPLY], 0);
}
