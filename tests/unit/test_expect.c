// SPDX-License-Identifier: MIT
/*
 * test_expect.c - RELATED for UDP, everything but the two built-in helpers
 * (those are test_helper_tftp.c and test_helper_nbns.c):
 *
 *  - suite related_icmp: ICMP and ICMPv6 errors, the scenario rows 9-16
 *    and 28 of spec section 11 (spec 6a), IPv4 and IPv6: port unreachable
 *    for a tracked flow (RELATED, reply) and an unknown one (INVALID), time
 *    exceeded from a router (any outer source), an error in the original
 *    direction, an outer destination that is not the quoted sender, a
 *    truncated quote (4 bytes of UDP are enough, 2 are not), an error
 *    about an error; errors never refresh, never set SEEN_REPLY and never
 *    consume an expectation;
 *  - suite expect: udpct_expect() itself (spec 6b): RELATED until the first
 *    reply, single use and PERMANENT, the timeout, re-arming, the per-master
 *    and per-table limits, overlaps, masks, the master's death (and the
 *    "deleted is not expired" window), INVALID packets consuming a match,
 *    udpct_flow_set_timeout(), and a table with no expectations;
 *  - suite helper: udpct_helper_register() and a custom helper's contract.
 *
 * Tables commit by hand (udpct_commit), as a firewall does, unless a test
 * says otherwise.  Every expected state is taken from the spec, not from
 * the library.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "unit.h"

UT_TABLE_FIXTURE(t, setup, teardown, 0)

TestSuite(related_icmp, .init = setup, .fini = teardown);
TestSuite(expect, .init = setup, .fini = teardown);
TestSuite(helper, .init = setup, .fini = teardown);

/* ---- hosts and packets ------------------------------------------------ */

static void
invalid_is(const struct udpct_verdict *v, enum udpct_invalid_reason r,
	   const char *what)
{
	ut_verdict_is(v, UDPCT_INVALID, UDPCT_DIR_NONE, what);
	cr_assert_eq(v->reason, r, "%s: reason '%s', want '%s'", what,
		     udpct_reason_name(v->reason), udpct_reason_name(r));
	cr_assert_null(v->flow, "%s", what);
}

/* ---- ICMP errors ------------------------------------------------------ */

/* Classify an ICMP/ICMPv6 error and commit it (a no-op for errors). */
static void
icmp_at(struct udpct_table *tab, const struct pkt_icmp_spec *is,
	uint64_t now, struct udpct_verdict *v)
{
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build_icmp_error(is, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	cr_assert_eq(udpct_classify(tab, buf, n, now, v), 0);
	cr_assert_eq(udpct_commit(tab, v), 0);
}

/*
 * The port unreachable the receiver of @orig sends back, quoting @orig
 * whole (@l4_bytes 0) or its IP header plus @l4_bytes of UDP.  @q holds
 * the quote and must outlive @is.
 */
static void
unreach_about(struct pkt_icmp_spec *is, const struct pkt_spec *orig,
	      size_t l4_bytes, uint8_t q[PKT_MAX])
{
	size_t qn = pkt_build_udp(orig, q, PKT_MAX);

	cr_assert_gt(qn, 0);
	if (l4_bytes)
		qn = pkt_l4_offset(q, qn) + l4_bytes;
	pkt_icmp_unreach(is, orig, q, qn);
}

/* Time exceeded (ICMP 11/0, ICMPv6 3/0) from @from about @orig. */
static void
time_exceeded_about(struct pkt_icmp_spec *is, const struct pkt_spec *orig,
		    const char *from, uint8_t q[PKT_MAX])
{
	unreach_about(is, orig, 0, q);
	is->type = orig->family == UDPCT_IPV4 ? 11 : 3;
	is->code = 0;
	pkt_addr(is->saddr, orig->family, from);
}

/* Spec 11 row 9 / 28: port unreachable about a tracked flow. */
static void
port_unreachable_for_tracked_flow_is_related_reply(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct udpct_stats st0, st1;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	pkt_spec_tuple(&a2b, 0, &want);
	f = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	unreach_about(&is, &a2b, 0, q);
	ut_stats(t, &st0);
	icmp_at(t, &is, TH_T0 + TH_MSEC(10), &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, th_fam_name(fam));
	cr_assert_eq(v.flow, f, "the error names the flow it quotes");
	cr_assert(udpct_tuple_equal(&v.tuple, &want),
		  "the tuple of an error is the quoted datagram's");
	ut_stats(t, &st1);
	cr_assert_eq(st1.related, st0.related + 1);
	cr_assert_eq(st1.inserted, st0.inserted, "an error gets no flow");
}
TEST_BOTH(related_icmp, port_unreachable_for_tracked_flow_is_related_reply)

/* Spec 11 row 12 / 28: the quoted datagram belongs to no flow. */
static void
port_unreachable_for_unknown_flow_is_invalid(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, other;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];

	/* a flow exists, but not the quoted one (other source port) */
	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	pkt_spec_udp(&other, fam, h->a, 40001, h->b, 53);
	unreach_about(&is, &other, 0, q);
	icmp_at(t, &is, TH_T0 + 1, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_UNKNOWN_FLOW, th_fam_name(fam));
}
TEST_BOTH(related_icmp, port_unreachable_for_unknown_flow_is_invalid)

/* Spec 11 row 10 / 6a step 8: the outer source is never checked. */
static void
time_exceeded_from_any_host_is_related_reply(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	const char *from[] = { h->r, h->a2, h->b2, h->b };
	struct pkt_icmp_spec is;
	struct pkt_spec a2b;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];
	size_t i;

	/* a traceroute */
	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 33434);
	f = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "probe");
	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		time_exceeded_about(&is, &a2b, from[i], q);
		icmp_at(t, &is, TH_T0 + TH_MSEC(1 + i), &v);
		ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, from[i]);
		cr_assert_eq(v.flow, f);
	}
}
TEST_BOTH(related_icmp, time_exceeded_from_any_host_is_related_reply)

/*
 * Spec 11 row 11: A tells B that B's datagram could not be delivered; the
 * quoted datagram travels in the reply direction, so the error is RELATED
 * in the original direction.  Before and after the flow has seen a reply.
 */
static void
error_about_reply_datagram_is_related_original(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	pkt_spec_reply(&b2a, &a2b);
	f = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	unreach_about(&is, &b2a, 0, q);		/* A -> B, quoting B -> A */
	icmp_at(t, &is, TH_T0 + 1, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "unreplied flow");
	cr_assert_eq(v.flow, f);
	ut_accept(t, &b2a, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       "answer");
	icmp_at(t, &is, TH_T0 + 3, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "replied flow");
	cr_assert_eq(v.flow, f);
}
TEST_BOTH(related_icmp, error_about_reply_datagram_is_related_original)

/*
 * Spec 11 row 13 / 6a step 8: an error must be addressed to whoever sent
 * the quoted datagram, in either direction.
 */
static void
error_to_other_than_quoted_sender_is_invalid(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX];

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	pkt_spec_reply(&b2a, &a2b);
	ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	unreach_about(&is, &a2b, 0, q);
	pkt_addr(is.daddr, fam, h->a2);			/* B -> A' */
	icmp_at(t, &is, TH_T0 + 1, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_DADDR_MISMATCH, "B -> A'");
	/* quoting A's datagram but sent to B, its destination */
	unreach_about(&is, &a2b, 0, q);
	pkt_addr(is.daddr, fam, h->b);
	icmp_at(t, &is, TH_T0 + 2, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_DADDR_MISMATCH, "B -> B");
	/* original direction: quoting B's datagram, sent to someone else */
	unreach_about(&is, &b2a, 0, q);
	pkt_addr(is.daddr, fam, h->b2);			/* A -> B' */
	icmp_at(t, &is, TH_T0 + 3, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_DADDR_MISMATCH, "A -> B'");
}
TEST_BOTH(related_icmp, error_to_other_than_quoted_sender_is_invalid)

/* Spec 11 row 15 / 6a step 5: 4 bytes of quoted UDP hold the ports. */
static void
truncated_quote_4_udp_bytes_related_2_invalid(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	f = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	unreach_about(&is, &a2b, 8, q);
	icmp_at(t, &is, TH_T0 + 1, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "8 bytes");
	unreach_about(&is, &a2b, 4, q);
	icmp_at(t, &is, TH_T0 + 2, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "4 bytes");
	cr_assert_eq(v.flow, f);
	unreach_about(&is, &a2b, 2, q);
	icmp_at(t, &is, TH_T0 + 3, &v);
	invalid_is(&v, UDPCT_REASON_BAD_ICMP_QUOTE, "2 bytes");
}
TEST_BOTH(related_icmp, truncated_quote_4_udp_bytes_related_2_invalid)

/*
 * Spec 11 row 14 / 6a step 6: an error quoting an ICMP error cannot be
 * inverted: INVALID, even though the inner error is about a tracked flow.
 */
static void
error_about_an_error_is_invalid(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec inner, outer;
	struct pkt_spec a2b;
	struct udpct_verdict v;
	uint8_t q[PKT_MAX], x[PKT_MAX];
	size_t xn;

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	unreach_about(&inner, &a2b, 0, q);		/* B -> A, RELATED */
	icmp_at(t, &inner, TH_T0 + 1, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "the first error");
	xn = pkt_build_icmp_error(&inner, x, sizeof(x));
	cr_assert_gt(xn, 0);
	memset(&outer, 0, sizeof(outer));
	outer.family = fam;
	memcpy(outer.saddr, inner.daddr, 16);		/* A -> B about it */
	memcpy(outer.daddr, inner.saddr, 16);
	outer.type = fam == UDPCT_IPV4 ? 3 : 1;
	outer.code = fam == UDPCT_IPV4 ? 1 : 3;
	outer.quote = x;
	outer.quote_len = xn;
	icmp_at(t, &outer, TH_T0 + 2, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_QUOTES_UNTRACKED, "error about error");
}
TEST_BOTH(related_icmp, error_about_an_error_is_invalid)

/*
 * Spec 3.3, 4 and 6a step 9: an error neither refreshes the flow nor sets
 * SEEN_REPLY, nor counts as a packet of it; the flow behaves afterwards
 * exactly as if the error had not been seen.
 */
static void
errors_neither_refresh_nor_set_seen_reply(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_flow_info before, after;
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, b2a;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];
	int i;

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	pkt_spec_reply(&b2a, &a2b);
	f = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	ut_flow_info(t, f, &before);
	for (i = 1; i <= 3; i++) {
		unreach_about(&is, &a2b, 0, q);
		icmp_at(t, &is, TH_T0 + TH_SEC(i), &v);
		ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY,
			      "reply error");
		cr_assert_eq(v.status & UDPCT_STATUS_SEEN_REPLY, 0);
		time_exceeded_about(&is, &b2a, h->r, q);
		pkt_addr(is.daddr, fam, h->b);
		icmp_at(t, &is, TH_T0 + TH_SEC(i) + 1, &v);
		ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
			      "original error");
	}
	ut_flow_info(t, f, &after);
	cr_assert_eq(after.deadline_ns, before.deadline_ns, "refreshed");
	cr_assert_eq(after.last_ns, before.last_ns);
	cr_assert_eq(after.status, before.status);
	cr_assert_eq(after.packets[0], 1);
	cr_assert_eq(after.packets[1], 0);
	cr_assert_eq(after.bytes[1], 0);
	/* still unreplied: A's next datagram is NEW, B's is the first reply */
	ut_accept(t, &a2b, TH_T0 + TH_SEC(4), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "query after the errors");
	cr_assert_eq(ut_classify(t, &b2a, TH_T0 + TH_SEC(5), &v), 0);
	ut_verdict_is(&v, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY, "first reply");
	cr_assert_neq(v.status & UDPCT_STATUS_SEEN_REPLY, 0);
	cr_assert_eq(v.status & UDPCT_STATUS_ASSURED, 0,
		     "the first reply is processed as unreplied (spec 3.5)");
}
TEST_BOTH(related_icmp, errors_neither_refresh_nor_set_seen_reply)

/* An error does not keep a flow alive: at the deadline it quotes nothing. */
static void
errors_do_not_keep_a_flow_alive(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_flow_info info;
	struct pkt_icmp_spec is;
	struct pkt_spec a2b;
	struct udpct_verdict v;
	struct udpct_flow *f;
	uint8_t q[PKT_MAX];
	uint64_t now;

	pkt_spec_udp(&a2b, fam, h->a, 40000, h->b, 53);
	f = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "query");
	ut_flow_info(t, f, &info);
	unreach_about(&is, &a2b, 0, q);
	for (now = TH_T0 + TH_SEC(5); now < info.deadline_ns;
	     now += TH_SEC(5)) {
		icmp_at(t, &is, now, &v);
		ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "before");
	}
	icmp_at(t, &is, info.deadline_ns, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_UNKNOWN_FLOW, "at the deadline");
}
TEST_BOTH(related_icmp, errors_do_not_keep_a_flow_alive)

/*
 * ICMP errors take the error path only (nf_conntrack_inet_error() looks the
 * quoted tuple up, nothing else): an error quoting a datagram that an
 * expectation announces is INVALID and leaves the expectation alone.
 */
static void
error_quoting_an_expected_datagram_neither_matches_nor_consumes(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, data;
	struct udpct_expect e;
	struct udpct_verdict v;
	struct udpct_flow *m;
	uint8_t q[PKT_MAX];

	pkt_spec_udp(&a2b, fam, h->a, 3000, h->b, 69);
	m = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "master");
	pkt_spec_udp(&data, fam, h->b, 4000, h->a, 3000);
	memset(&e, 0, sizeof(e));
	pkt_spec_tuple(&data, 0, &e.tuple);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.dport = 0xffff;
	cr_assert_eq(udpct_expect(t, m, &e, TH_T0), 0);
	/* A says B's (future) datagram was undeliverable */
	unreach_about(&is, &data, 0, q);
	icmp_at(t, &is, TH_T0 + 1, &v);
	invalid_is(&v, UDPCT_REASON_ICMP_UNKNOWN_FLOW, "error");
	ut_accept(t, &data, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "the expectation is still there");
}
TEST_BOTH(related_icmp,
	  error_quoting_an_expected_datagram_neither_matches_nor_consumes)

/* An error about an expected flow's datagram is RELATED like any other. */
static void
error_about_an_expected_flow_is_related(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, data;
	struct udpct_expect e;
	struct udpct_verdict v;
	struct udpct_flow *m, *c;
	uint8_t q[PKT_MAX];

	pkt_spec_udp(&a2b, fam, h->a, 3000, h->b, 69);
	m = ut_accept(t, &a2b, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "master");
	pkt_spec_udp(&data, fam, h->b, 4000, h->a, 3000);
	memset(&e, 0, sizeof(e));
	pkt_spec_tuple(&data, 0, &e.tuple);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.dport = 0xffff;
	cr_assert_eq(udpct_expect(t, m, &e, TH_T0), 0);
	c = ut_accept(t, &data, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		   "expected flow");
	unreach_about(&is, &data, 0, q);		/* A -> B about it */
	icmp_at(t, &is, TH_T0 + 2, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "error");
	cr_assert_eq(v.flow, c);
	/* and the child is still unreplied: RELATED */
	ut_accept(t, &data, TH_T0 + 3, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "expected flow again");
}
TEST_BOTH(related_icmp, error_about_an_expected_flow_is_related)

/* ---- expectations ---------------------------------------------------- */

/*
 * Expectations are built here by hand around one master, A:3000 -> B:69,
 * as a TFTP-like helper would: B answering from any port to A:3000.
 */
struct scene {
	uint8_t fam;
	const struct pkt_hosts *h;
	struct pkt_spec req;		/* A:3000 -> B:69, the master */
	struct udpct_flow *master;
};

static void
scene_init(struct scene *sc, uint8_t fam, uint64_t now)
{
	sc->fam = fam;
	sc->h = pkt_hosts(fam);
	pkt_spec_udp(&sc->req, fam, sc->h->a, 3000, sc->h->b, 69);
	sc->master = ut_accept(t, &sc->req, now, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			    "master request");
}

/* A packet @src:@sport -> A:3000. */
static void
to_client(const struct scene *sc, struct pkt_spec *s, const char *src,
	  uint16_t sport)
{
	pkt_spec_udp(s, sc->fam, src, sport, sc->h->a, 3000);
}

/* Expect @src:@sport -> A:3000 exactly, single use, default timeout. */
static void
exp_exact(const struct scene *sc, struct udpct_expect *e, const char *src,
	  uint16_t sport)
{
	struct pkt_spec s;

	to_client(sc, &s, src, sport);
	memset(e, 0, sizeof(*e));
	pkt_spec_tuple(&s, 0, &e->tuple);
	memset(e->mask.saddr, 0xff, 16);
	memset(e->mask.daddr, 0xff, 16);
	e->mask.sport = 0xffff;
	e->mask.dport = 0xffff;
}

/* ... from B, any source port (the TFTP expectation). */
static void
exp_any_port(const struct scene *sc, struct udpct_expect *e)
{
	exp_exact(sc, e, sc->h->b, 0);
	e->mask.sport = 0;
}

static void
classify_at(const struct pkt_spec *s, uint64_t now, enum udpct_state st,
	    enum udpct_dir dir, struct udpct_verdict *v, const char *what)
{
	cr_assert_eq(ut_classify(t, s, now, v), 0, "%s", what);
	ut_verdict_is(v, st, dir, what);
}

/*
 * Spec 3.3 and 6b: the first packet matching an expectation creates a flow
 * marked EXPECTED whose original-direction packets are RELATED until the
 * first reply, then ESTABLISHED; the reply itself is ESTABLISHED (reply).
 * The child times out like any UDP flow (30 s, then 120 s ASSURED).
 */
static void
expected_flow_is_related_until_its_first_reply(uint8_t fam)
{
	struct udpct_flow_info info;
	struct pkt_spec d, ack;
	struct udpct_expect e;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct scene sc;
	struct udpct_flow *c;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, sc.h->b, 4000);
	pkt_spec_reply(&ack, &d);
	classify_at(&d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, &v,
		    "first");
	cr_assert_null(v.flow, "tentative until commit");
	cr_assert_eq(udpct_commit(t, &v), 0);
	c = v.flow;
	cr_assert_not_null(c);
	cr_assert_neq(c, sc.master);
	cr_assert_neq(v.status & UDPCT_STATUS_EXPECTED, 0);
	ut_flow_info(t, c, &info);
	cr_assert_neq(info.status & UDPCT_STATUS_EXPECTED, 0);
	cr_assert_eq(info.status & UDPCT_STATUS_SEEN_REPLY, 0);
	cr_assert_null(info.helper, "no helper is inherited");
	cr_assert_geq(info.deadline_ns, TH_T0 + 1 + TH_UDP_TIMEOUT);
	cr_assert_leq(info.deadline_ns, TH_T0 + 1 + TH_UDP_TIMEOUT +
		      TH_TICK_NS);
	cr_assert_eq(ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED,
			    UDPCT_DIR_ORIGINAL, "again"), c);
	cr_assert_eq(ut_accept(t, &ack, TH_T0 + 3, UDPCT_ESTABLISHED,
			    UDPCT_DIR_REPLY, "first reply"), c);
	cr_assert_eq(ut_accept(t, &d, TH_T0 + 4, UDPCT_ESTABLISHED,
			    UDPCT_DIR_ORIGINAL, "after the reply"), c);
	/* > 2 s after creation: ASSURED, 120 s (spec 3.5) */
	ut_accept(t, &d, TH_T0 + TH_SEC(3), UDPCT_ESTABLISHED,
	       UDPCT_DIR_ORIGINAL, "3 s");
	ut_flow_info(t, c, &info);
	cr_assert_neq(info.status & UDPCT_STATUS_ASSURED, 0);
	cr_assert_neq(info.status & UDPCT_STATUS_EXPECTED, 0,
		      "EXPECTED never changes");
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(3) +
		      TH_UDP_TIMEOUT_STREAM);
	/* the master saw nothing of it */
	ut_flow_info(t, sc.master, &info);
	cr_assert_eq(info.status & UDPCT_STATUS_SEEN_REPLY, 0);
	cr_assert_eq(info.packets[1], 0);
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	cr_assert_eq(st.expect_matched, 1);
	cr_assert_eq(st.inserted, 2);
}
TEST_BOTH(expect, expected_flow_is_related_until_its_first_reply)

/* Spec 6b: a match consumes a single-use expectation. */
static void
single_use_expectation_is_consumed_by_the_first_flow(uint8_t fam)
{
	struct pkt_spec d1, d2;
	struct udpct_expect e;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d1, sc.h->b, 4000);
	to_client(&sc, &d2, sc.h->b, 4001);
	ut_accept(t, &d1, TH_T0 + 1,
		  UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "first");
	ut_accept(t, &d2, TH_T0 + 2, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "another port: the expectation is used up");
	ut_accept(t, &d1, TH_T0 + 3, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "the first flow stays RELATED");
}
TEST_BOTH(expect, single_use_expectation_is_consumed_by_the_first_flow)

/* Spec 6b: PERMANENT is not consumed; every matching flow is RELATED. */
static void
permanent_expectation_serves_every_matching_flow(uint8_t fam)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct udpct_stats st;
	struct scene sc;
	uint16_t p;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	e.flags = UDPCT_EXPECT_PERMANENT;
	e.timeout_ns = TH_SEC(10);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	for (p = 4000; p < 4005; p++) {
		to_client(&sc, &d, sc.h->b, p);
		ut_accept(t, &d, TH_T0 + p, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		       "permanent");
	}
	ut_stats(t, &st);
	cr_assert_eq(st.expect_matched, 5);
	/* until its timer */
	to_client(&sc, &d, sc.h->b, 4005);
	ut_accept(t, &d, TH_T0 + TH_SEC(10) + TH_TICK_NS, UDPCT_NEW,
	       UDPCT_DIR_ORIGINAL, "after 10 s");
}
TEST_BOTH(expect, permanent_expectation_serves_every_matching_flow)

/*
 * Spec 6b: the expectation lives for its timeout (0 means 300 s, the TFTP
 * policy); it is gone once now reaches creation + timeout (rounded up to
 * one tick at most), whether or not udpct_table_advance() ran.  Two
 * masters keep everything else equal; the masters are kept alive so that
 * only the expectation's own timer matters.
 */
static void
expectation_times_out_after_300s_by_default(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req[3], d[3];
	struct udpct_flow *m[3];
	struct udpct_expect e;
	uint64_t now;
	int i;

	for (i = 0; i < 3; i++) {
		pkt_spec_udp(&req[i], fam, h->a, (uint16_t)(3000 + i), h->b,
			     69);
		m[i] = ut_accept(t, &req[i], TH_T0, UDPCT_NEW,
			      UDPCT_DIR_ORIGINAL, "master");
		pkt_spec_udp(&d[i], fam, h->b, 4000, h->a,
			     (uint16_t)(3000 + i));
		memset(&e, 0, sizeof(e));
		pkt_spec_tuple(&d[i], 0, &e.tuple);
		memset(e.mask.saddr, 0xff, 16);
		memset(e.mask.daddr, 0xff, 16);
		e.mask.dport = 0xffff;
		cr_assert_eq(udpct_expect(t, m[i], &e, TH_T0), 0);
	}
	/* keep the masters alive (NEW each time) and reap as we go; the
	 * last keepalive, at 280 s, keeps them until 310 s */
	for (now = TH_T0 + TH_SEC(20); now < TH_T0 + TH_SEC(300);
	     now += TH_SEC(20)) {
		for (i = 0; i < 3; i++)
			ut_accept(t, &req[i], now, UDPCT_NEW,
				  UDPCT_DIR_ORIGINAL, "keepalive");
		cr_assert_geq(udpct_table_advance(t, now, 0, NULL, NULL), 0);
	}
	ut_accept(t, &d[0], TH_T0 + TH_SEC(300) - 1, UDPCT_RELATED,
	       UDPCT_DIR_ORIGINAL, "1 ns before 300 s");
	/* without a reap in between: lookups alone see it gone */
	ut_accept(t, &d[1], TH_T0 + TH_SEC(300) + TH_TICK_NS, UDPCT_NEW,
	       UDPCT_DIR_ORIGINAL, "300 s + a tick, not reaped");
	/* after a reap */
	cr_assert_geq(udpct_table_advance(t, TH_T0 + TH_SEC(301), 0, NULL,
					  NULL), 0);
	ut_accept(t, &d[2], TH_T0 + TH_SEC(301), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "301 s, reaped");
}
TEST_BOTH(expect, expectation_times_out_after_300s_by_default)

/*
 * Spec 6b (__nf_ct_expect_check): re-creating an identical expectation of
 * the same master replaces it and restarts its timer; it stays one.
 */
static void
recreating_an_identical_expectation_restarts_its_timer(uint8_t fam)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct udpct_stats st;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	e.timeout_ns = TH_SEC(10);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0 + TH_SEC(8)), 0);
	to_client(&sc, &d, sc.h->b, 4000);
	ut_accept(t, &d, TH_T0 + TH_SEC(15), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "15 s: re-armed at 8 s for 10 s");
	/* one expectation, not two: the next flow is NEW */
	to_client(&sc, &d, sc.h->b, 4001);
	ut_accept(t, &d, TH_T0 + TH_SEC(16), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "no second copy");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 2);
	cr_assert_eq(st.expect_failed, 0);
}
TEST_BOTH(expect, recreating_an_identical_expectation_restarts_its_timer)

/* The same, past the time the first one would have died, with reaping. */
Test(expect, rearmed_expectation_survives_the_reap_of_its_old_deadline)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	exp_any_port(&sc, &e);
	e.timeout_ns = TH_SEC(10);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0 + TH_SEC(9)), 0);
	cr_assert_geq(udpct_table_advance(t, TH_T0 + TH_SEC(12), 0, NULL,
					  NULL), 0);
	to_client(&sc, &d, sc.h->b, 4000);
	ut_accept(t, &d, TH_T0 + TH_SEC(18), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "18 s");
}

/*
 * Spec 6b (max_expected): at the per-master limit the master's oldest
 * expectation is replaced by the new one.
 */
static void
per_master_limit_replaces_the_oldest(uint8_t fam)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct udpct_stats st;
	struct scene sc;
	uint16_t p;

	scene_init(&sc, fam, TH_T0);
	for (p = 4000; p < 4003; p++) {
		exp_exact(&sc, &e, sc.h->b, p);
		e.max_per_master = 2;
		cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0 + p), 0,
			     "port %u", p);
	}
	to_client(&sc, &d, sc.h->b, 4000);
	ut_accept(t, &d, TH_T0 + TH_SEC(1), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "the oldest (4000) was replaced");
	to_client(&sc, &d, sc.h->b, 4001);
	ut_accept(t, &d, TH_T0 + TH_SEC(1), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "4001 kept");
	to_client(&sc, &d, sc.h->b, 4002);
	ut_accept(t, &d, TH_T0 + TH_SEC(1), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "4002 kept");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 3);
	cr_assert_eq(st.expect_failed, 0, "replacing is not a failure");
}
TEST_BOTH(expect, per_master_limit_replaces_the_oldest)

/* The limit is per master: another master's expectations are untouched. */
Test(expect, per_master_limit_does_not_touch_other_masters)
{
	struct pkt_spec req2, d;
	struct udpct_expect e;
	struct udpct_flow *m2;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	pkt_spec_udp(&req2, UDPCT_IPV4, PKT_A4, 3001, PKT_B4, 69);
	m2 = ut_accept(t, &req2, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "m2");
	exp_exact(&sc, &e, PKT_B4, 4000);
	e.max_per_master = 1;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	/* m2 expects B:4000 -> A:3001 (no overlap with A:3000) */
	e.tuple.dport = 3001;
	cr_assert_eq(udpct_expect(t, m2, &e, TH_T0 + 1), 0);
	to_client(&sc, &d, PKT_B4, 4000);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "the first master's expectation survived");
}

/* max_per_master 0: no per-master limit. */
Test(expect, per_master_limit_zero_means_no_limit)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;
	uint16_t p;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	for (p = 4000; p < 4010; p++) {
		exp_exact(&sc, &e, PKT_B4, p);
		cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	}
	for (p = 4000; p < 4010; p++) {
		to_client(&sc, &d, PKT_B4, p);
		ut_accept(t, &d, TH_T0 + p, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		       "all ten");
	}
}

/*
 * Spec 6b (nf_conntrack_expect_max): the table holds at most expect_max
 * expectations; one more is -ENOSPC (the kernel's -EMFILE) and counted as
 * expect_failed.  A consumed expectation makes room again.
 */
Test(expect, table_limit_is_enospc)
{
	struct udpct_config cfg;
	struct udpct_table *small;
	struct udpct_expect e;
	struct udpct_stats st;
	struct pkt_spec req, d;
	struct udpct_flow *m;

	udpct_config_init(&cfg);
	cfg.flags = UDPCT_CFG_FIXED_SEED;
	cfg.hash_seed = TH_SEED;
	cfg.capacity = 64;
	cfg.expect_max = 2;
	cr_assert_eq(udpct_table_new(&cfg, &small), 0);
	pkt_spec_v4(&req, PKT_A4, 3000, PKT_B4, 69);
	m = ut_accept(small, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "m");
	memset(&e, 0, sizeof(e));
	pkt_spec_v4(&d, PKT_B4, 4000, PKT_A4, 3000);
	pkt_spec_tuple(&d, 0, &e.tuple);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.sport = 0xffff;
	e.mask.dport = 0xffff;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0), 0);
	e.tuple.sport = 4001;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0), 0);
	e.tuple.sport = 4002;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0), -ENOSPC);
	/* the per-master replacement does not apply without a limit... */
	ut_stats(small, &st);
	cr_assert_eq(st.expect_new, 2);
	cr_assert_eq(st.expect_failed, 1);
	/* ... and re-arming an existing one still works when full */
	e.tuple.sport = 4001;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0 + 1), 0);
	/* consume one: room for the third */
	ut_accept(small, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "4000");
	e.tuple.sport = 4002;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0 + 3), 0);
	pkt_spec_v4(&d, PKT_B4, 4002, PKT_A4, 3000);
	ut_accept(small, &d, TH_T0 + 4, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "4002");
	udpct_table_free(small);
}

/* In a full table, a master at its own limit replaces its oldest
 * expectation (the kernel evicts before the table check): no -ENOSPC. */
Test(expect, per_master_replacement_makes_room_in_a_full_table)
{
	struct udpct_config cfg;
	struct udpct_table *small;
	struct udpct_expect e;
	struct pkt_spec req, d;
	struct udpct_flow *m;

	udpct_config_init(&cfg);
	cfg.flags = UDPCT_CFG_FIXED_SEED;
	cfg.hash_seed = TH_SEED;
	cfg.capacity = 64;
	cfg.expect_max = 1;
	cr_assert_eq(udpct_table_new(&cfg, &small), 0);
	pkt_spec_v4(&req, PKT_A4, 3000, PKT_B4, 69);
	m = ut_accept(small, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "m");
	memset(&e, 0, sizeof(e));
	pkt_spec_v4(&d, PKT_B4, 4000, PKT_A4, 3000);
	pkt_spec_tuple(&d, 0, &e.tuple);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.sport = 0xffff;
	e.mask.dport = 0xffff;
	e.max_per_master = 1;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0), 0);
	e.tuple.sport = 4001;
	cr_assert_eq(udpct_expect(small, m, &e, TH_T0), 0);
	pkt_spec_v4(&d, PKT_B4, 4001, PKT_A4, 3000);
	ut_accept(small, &d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "4001");
	udpct_table_free(small);
}

/*
 * Spec 6b: an expectation that overlaps another master's (equal under the
 * intersection of both masks) is -EBUSY; identical ones too.
 */
static void
overlap_with_another_master_is_ebusy(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_expect e, o;
	struct pkt_spec req2, d;
	struct udpct_stats st;
	struct udpct_flow *m2;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	/* same client port */
	pkt_spec_udp(&req2, fam, h->a, 3000, h->b, 6969);
	m2 = ut_accept(t, &req2, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "m2");
	exp_any_port(&sc, &e);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	cr_assert_eq(udpct_expect(t, m2, &e, TH_T0), -EBUSY, "identical");
	exp_exact(&sc, &o, h->b, 4000);			/* inside B:* */
	cr_assert_eq(udpct_expect(t, m2, &o, TH_T0), -EBUSY, "overlapping");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_failed, 2);
	cr_assert_eq(st.expect_new, 1);
	/* from another server: disjoint, fine */
	exp_exact(&sc, &o, h->b2, 4000);
	cr_assert_eq(udpct_expect(t, m2, &o, TH_T0), 0, "disjoint");
	/* the first master's expectation is unharmed */
	to_client(&sc, &d, h->b, 4000);
	ut_accept(t, &d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "B");
	to_client(&sc, &d, h->b2, 4000);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "B2");
}
TEST_BOTH(expect, overlap_with_another_master_is_ebusy)

/*
 * Masks (spec 6b: source address and source port may be wildcarded or
 * masked; destination address and port, family and protocol are exact).
 */
static void
any_source_port_mask(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, h->b, 1);
	ut_accept(t, &d, TH_T0 + 1,
		  UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "port 1");
	to_client(&sc, &d, h->b, 65535);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "port 65535");
	to_client(&sc, &d, h->b, 0);
	ut_accept(t, &d, TH_T0 + 3,
		  UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "port 0");
	/* the source address stays exact */
	to_client(&sc, &d, h->b2, 4000);
	ut_accept(t, &d, TH_T0 + 4,
		  UDPCT_NEW, UDPCT_DIR_ORIGINAL, "other host");
	/* the destination port stays exact */
	pkt_spec_udp(&d, fam, h->b, 4000, h->a, 3001);
	ut_accept(t, &d, TH_T0 + 5,
		  UDPCT_NEW, UDPCT_DIR_ORIGINAL, "other port");
	/* the destination address stays exact */
	pkt_spec_udp(&d, fam, h->b, 4000, h->a2, 3000);
	ut_accept(t, &d, TH_T0 + 6, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "other dst");
}
TEST_BOTH(expect, any_source_port_mask)

Test(expect, ipv4_source_address_mask_matches_the_subnet)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	/* 198.51.100.0/24, source port 137 */
	exp_exact(&sc, &e, "198.51.100.0", 137);
	memset(e.mask.saddr, 0, 16);
	memset(e.mask.saddr, 0xff, 3);
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, "198.51.100.7", 137);
	ut_accept(t, &d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, ".7");
	to_client(&sc, &d, "198.51.100.254", 137);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, ".254");
	to_client(&sc, &d, "198.51.101.7", 137);
	ut_accept(t, &d, TH_T0 + 3, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "off /24");
	to_client(&sc, &d, "198.51.100.8", 138);
	ut_accept(t, &d, TH_T0 + 4, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "port 138");
}

Test(expect, ipv4_host_bits_of_the_tuple_are_masked_out)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	/* the tuple names a host; the mask keeps only its /24 */
	exp_exact(&sc, &e, "198.51.100.255", 137);
	memset(e.mask.saddr, 0, 16);
	memset(e.mask.saddr, 0xff, 3);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, "198.51.100.9", 137);
	ut_accept(t, &d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, ".9");
}

Test(expect, ipv6_source_prefix_mask_matches_the_prefix)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV6, TH_T0);
	exp_exact(&sc, &e, "2001:db8:2::", 5000);
	memset(e.mask.saddr, 0, 16);
	memset(e.mask.saddr, 0xff, 8);			/* /64 */
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, "2001:db8:2::7", 5000);
	ut_accept(t, &d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "::7");
	to_client(&sc, &d, "2001:db8:2:0:ffff::1", 5000);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "in the /64");
	to_client(&sc, &d, "2001:db8:2:1::7", 5000);
	ut_accept(t, &d, TH_T0 + 3, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "off /64");
}

/* Masking the source completely: any host, any port, to A:3000. */
Test(expect, fully_wildcarded_source_matches_any_sender)
{
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	exp_exact(&sc, &e, PKT_B4, 0);
	memset(e.mask.saddr, 0, 16);
	e.mask.sport = 0;
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, PKT_R4, 7);
	ut_accept(t, &d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "R");
	to_client(&sc, &d, PKT_B4_2, 9);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "B2");
}

/* An expectation matches in its own zone only (the master's). */
Test(expect, expectation_matches_only_its_zone)
{
	struct udpct_tuple tup, other;
	struct udpct_flow *m;
	struct udpct_expect e;
	struct udpct_verdict v;

	/* master in zone 7 */
	udpct_tuple_set_v4(&tup, pkt_addr4(PKT_A4), 3000, pkt_addr4(PKT_B4),
			   69, 7);
	cr_assert_eq(udpct_classify_tuple(t, &tup, 64, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	m = v.flow;
	memset(&e, 0, sizeof(e));
	udpct_tuple_set_v4(&e.tuple, pkt_addr4(PKT_B4), 4000,
			   pkt_addr4(PKT_A4), 3000, 7);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.sport = 0xffff;
	e.mask.dport = 0xffff;
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, m, &e, TH_T0), 0);
	other = e.tuple;
	other.zone = 0;
	cr_assert_eq(udpct_classify_tuple(t, &other, 64, TH_T0 + 1, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "zone 0");
	cr_assert_eq(udpct_classify_tuple(t, &e.tuple, 64, TH_T0 + 2, &v), 0);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "zone 7");
}

/*
 * Spec 6b: expectations die with their master.  The master is deleted
 * when udpct_table_advance() reaps it (or early drop evicts it); from
 * then on its expectations are gone.
 */
static void
expectations_die_when_the_master_is_reaped(uint8_t fam)
{
	struct udpct_flow_info info;
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	ut_flow_info(t, sc.master, &info);
	/* reaping before the master's deadline changes nothing */
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(29), 0, NULL,
					 NULL), 0);
	to_client(&sc, &d, sc.h->b, 4000);
	ut_accept(t, &d, TH_T0 + TH_SEC(29), UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "master alive");
	/* the master (30 s, unreplied) is reaped at its deadline */
	cr_assert_eq(udpct_table_advance(t, info.deadline_ns, 0, NULL, NULL),
		     1);
	to_client(&sc, &d, sc.h->b, 4001);
	ut_accept(t, &d, info.deadline_ns, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "master reaped: no expectation");
}
TEST_BOTH(expect, expectations_die_when_the_master_is_reaped)

/*
 * Spec 6b, "deleted is not expired": the kernel keeps an expired master
 * (and so its expectations) until something deletes it; TFTP data 0.3 s
 * after the master's timeout was still RELATED.  libudpct does the same:
 * until udpct_table_advance() reaps the master, its expectations match
 * (docs/helpers.md documents the window).
 */
static void
expired_but_unreaped_master_still_has_its_expectations(uint8_t fam)
{
	struct udpct_flow_info info;
	struct udpct_expect e;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	ut_flow_info(t, sc.master, &info);
	to_client(&sc, &d, sc.h->b, 4000);
	ut_accept(t, &d, info.deadline_ns + TH_MSEC(300), UDPCT_RELATED,
	       UDPCT_DIR_ORIGINAL, "0.3 s after the master's deadline");
	/* the master itself is gone for lookups */
	ut_accept(t, &sc.req, info.deadline_ns + TH_MSEC(400), UDPCT_NEW,
	       UDPCT_DIR_ORIGINAL, "the request again is a new flow");
}
TEST_BOTH(expect, expired_but_unreaped_master_still_has_its_expectations)

/* A master evicted by early drop takes its expectations with it. */
Test(expect, early_dropped_master_loses_its_expectations)
{
	struct udpct_config cfg;
	struct udpct_table *tiny;
	struct udpct_expect e;
	struct udpct_stats st;
	struct pkt_spec req, d, fill;
	struct udpct_flow *m;
	uint16_t p;

	udpct_config_init(&cfg);
	cfg.flags = UDPCT_CFG_FIXED_SEED;
	cfg.hash_seed = TH_SEED;
	cfg.capacity = 1;
	cr_assert_eq(udpct_table_new(&cfg, &tiny), 0);
	pkt_spec_v4(&req, PKT_A4, 3000, PKT_B4, 69);
	m = ut_accept(tiny, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "m");
	memset(&e, 0, sizeof(e));
	pkt_spec_v4(&d, PKT_B4, 4000, PKT_A4, 3000);
	pkt_spec_tuple(&d, 0, &e.tuple);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.dport = 0xffff;
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(tiny, m, &e, TH_T0), 0);
	/* a one-flow table: the next new flow evicts the (unassured) master
	 * if it lands in its eviction range; keep trying other tuples */
	for (p = 1; p < 2000; p++) {
		pkt_spec_v4(&fill, PKT_A4_2, p, PKT_B4_2, 53);
		ut_accept(tiny, &fill, TH_T0 + p, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		       "filler");
		ut_stats(tiny, &st);
		if (st.early_drop)
			break;
	}
	cr_assert_gt(st.early_drop, 0, "no early drop happened");
	/* the filler now occupies the only slot; make room by expiry */
	cr_assert_geq(udpct_table_advance(tiny, TH_T0 + TH_SEC(40), 0, NULL,
					  NULL), 0);
	ut_accept(tiny, &d, TH_T0 + TH_SEC(40), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "the evicted master's expectation is gone");
	udpct_table_free(tiny);
}

/*
 * Spec 5.2 and 14.5: a matching packet consumes a single-use expectation
 * at lookup time, even when it then turns out INVALID (bad checksum, a
 * UDP header of 4 bytes) or is dropped by the caller (never committed).
 * A packet whose ports cannot be read (2 bytes of UDP) has no tuple and
 * matches nothing.
 */
static void
invalid_or_dropped_packets_consume_a_single_use_expectation(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_expect e;
	struct udpct_verdict v;
	struct pkt_spec d;
	struct scene sc;
	int round;

	scene_init(&sc, fam, TH_T0);
	for (round = 0; round < 4; round++) {
		exp_any_port(&sc, &e);
		cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0 + round), 0);
		to_client(&sc, &d, h->b, (uint16_t)(4000 + round));
		switch (round) {
		case 0:
			d.csum = PKT_CSUM_BAD;
			classify_at(&d, TH_T0 + 10 + round, UDPCT_INVALID,
				    UDPCT_DIR_NONE, &v, "bad checksum");
			cr_assert_eq(v.reason, UDPCT_REASON_BAD_CHECKSUM);
			break;
		case 1:
			d.trunc = true;
			d.trunc_len = 4;
			classify_at(&d, TH_T0 + 10 + round, UDPCT_INVALID,
				    UDPCT_DIR_NONE, &v, "4-byte UDP header");
			cr_assert_eq(v.reason,
				     UDPCT_REASON_TRUNCATED_UDP_HEADER);
			break;
		case 2:
			classify_at(&d, TH_T0 + 10 + round, UDPCT_RELATED,
				    UDPCT_DIR_ORIGINAL, &v,
				    "RELATED, dropped by the caller");
			break;
		case 3:
			d.udp_len_set = true;
			d.udp_len = 4;
			classify_at(&d, TH_T0 + 10 + round, UDPCT_INVALID,
				    UDPCT_DIR_NONE, &v, "UDP length 4");
			cr_assert_eq(v.reason, UDPCT_REASON_BAD_UDP_LENGTH);
			break;
		}
		to_client(&sc, &d, h->b, (uint16_t)(4000 + round));
		ut_accept(t, &d, TH_T0 + 20 + round, UDPCT_NEW,
		       UDPCT_DIR_ORIGINAL, "the valid one after it");
	}
}
TEST_BOTH(expect, invalid_or_dropped_packets_consume_a_single_use_expectation)

static void
packets_without_ports_consume_nothing(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_expect e;
	struct udpct_verdict v;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, fam, TH_T0);
	exp_any_port(&sc, &e);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, h->b, 4000);
	d.trunc = true;
	d.trunc_len = 2;
	classify_at(&d, TH_T0 + 1, UDPCT_INVALID, UDPCT_DIR_NONE, &v,
		    "2 bytes of UDP");
	/* a first fragment never reaches conntrack in the kernel */
	to_client(&sc, &d, h->b, 4000);
	if (fam == UDPCT_IPV4) {
		d.mf = true;
	} else {
		d.ext[0].type = PKT_PROTO_FRAGMENT;
		d.ext[0].frag_more = true;
		d.ext[0].frag_id = 7;
		d.n_ext = 1;
	}
	classify_at(&d, TH_T0 + 2, UDPCT_INVALID, UDPCT_DIR_NONE, &v,
		    "first fragment");
	cr_assert_eq(v.reason, UDPCT_REASON_FRAGMENT);
	to_client(&sc, &d, h->b, 4000);
	ut_accept(t, &d, TH_T0 + 3, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "the expectation is still there");
}
TEST_BOTH(expect, packets_without_ports_consume_nothing)

/* Spec 11 row 39 with a PERMANENT expectation: dropped, then RELATED. */
Test(expect, permanent_expectation_survives_a_dropped_first_packet)
{
	struct udpct_expect e;
	struct udpct_verdict v;
	struct pkt_spec d;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	exp_any_port(&sc, &e);
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	to_client(&sc, &d, PKT_B4, 4000);
	classify_at(&d, TH_T0 + 1, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, &v,
		    "dropped");
	classify_at(&d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, &v,
		    "dropped again");
	ut_accept(t, &d, TH_T0 + 3, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "accepted");
}

/* A lookup hit never consults expectations: the flow's state wins. */
Test(expect, packets_of_existing_flows_ignore_expectations)
{
	struct udpct_expect e;
	struct pkt_spec d, r;
	struct udpct_stats st;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	pkt_spec_reply(&r, &sc.req);			/* B:69 -> A:3000 */
	exp_any_port(&sc, &e);
	e.flags = UDPCT_EXPECT_PERMANENT;
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	ut_accept(t, &r, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       "the master's reply matches the expectation's mask too");
	to_client(&sc, &d, PKT_B4, 4000);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "child");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_matched, 1);
}

/*
 * A table with no expectations never takes the expectation path: misses
 * are NEW and nothing is matched, with or without helpers registered,
 * and again once every expectation has been used up.
 */
Test(expect, table_without_expectations_never_matches)
{
	struct udpct_helper hh;
	struct udpct_expect e;
	struct udpct_stats st;
	struct pkt_spec s;
	struct scene sc;
	uint16_t p;

	/* a helper on a port nothing below uses */
	udpct_helper_tftp(&hh, 6969);
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	for (p = 1; p <= 200; p++) {
		pkt_spec_udp(&s, p & 1 ? UDPCT_IPV4 : UDPCT_IPV6,
			     p & 1 ? PKT_B4_2 : PKT_B6_2, p,
			     p & 1 ? PKT_A4_2 : PKT_A6_2, 3000);
		ut_accept(t, &s, TH_T0 + p, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		       "miss");
	}
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 0);
	cr_assert_eq(st.expect_matched, 0);
	cr_assert_eq(st.expect_failed, 0);
	/* one expectation, used up: back to no expectations */
	scene_init(&sc, UDPCT_IPV4, TH_T0 + 300);
	exp_exact(&sc, &e, PKT_B4_2, 9);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0 + 300), 0);
	to_client(&sc, &s, PKT_B4_2, 9);
	ut_accept(t, &s, TH_T0 + 301,
		  UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "used");
	for (p = 1; p <= 50; p++) {
		to_client(&sc, &s, PKT_B4_2, (uint16_t)(9 + p));
		ut_accept(t, &s, TH_T0 + 400 + p, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		       "after");
	}
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	cr_assert_eq(st.expect_matched, 1);
}

/* Errors of udpct_expect(). */
Test(expect, expect_rejects_bad_arguments)
{
	struct udpct_table *other;
	struct udpct_flow_info info;
	struct udpct_expect e, bad;
	struct udpct_stats st;
	struct scene sc;
	struct udpct_flow *foreign;
	struct pkt_spec s;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	exp_any_port(&sc, &e);
	cr_assert_eq(udpct_expect(NULL, sc.master, &e, TH_T0), -EINVAL);
	cr_assert_eq(udpct_expect(t, NULL, &e, TH_T0), -EINVAL);
	cr_assert_eq(udpct_expect(t, sc.master, NULL, TH_T0), -EINVAL);
	bad = e;
	bad.flags = 0x2;				/* INACTIVE: unknown */
	cr_assert_eq(udpct_expect(t, sc.master, &bad, TH_T0), -EINVAL,
		     "unknown flags");
	bad = e;
	bad.tuple.family = UDPCT_IPV6;
	cr_assert_eq(udpct_expect(t, sc.master, &bad, TH_T0), -EINVAL,
		     "family differs from the master's");
	bad = e;
	bad.tuple.zone = 1;
	cr_assert_eq(udpct_expect(t, sc.master, &bad, TH_T0), -EINVAL,
		     "zone differs from the master's");
	/* a flow of another table */
	other = th_table(0, 64);
	cr_assert_not_null(other);
	pkt_spec_v4(&s, PKT_A4, 3000, PKT_B4, 69);
	foreign = ut_accept(other, &s, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			 "foreign");
	cr_assert_eq(udpct_expect(t, foreign, &e, TH_T0), -EINVAL,
		     "master of another table");
	udpct_table_free(other);
	/* a master past its deadline */
	ut_flow_info(t, sc.master, &info);
	cr_assert_eq(udpct_expect(t, sc.master, &e, info.deadline_ns),
		     -EINVAL, "dead master");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 0);
	/* and after all that, a good one works */
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0 + 1), 0);
}

/*
 * include/udpct/table.h: udpct_table_advance() returns "the number of
 * flows expired", and udpct_stats.expired counts the same flows.
 * Regression: an expectation that times out on the same timer wheel was
 * once counted in the return value too.
 */
Test(expect, advance_counts_flows_not_expectations)
{
	struct udpct_expect e;
	struct udpct_stats st;
	struct scene sc;
	int n;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	cr_assert_eq(udpct_flow_set_timeout(t, sc.master, TH_SEC(100), TH_T0),
		     0);
	exp_any_port(&sc, &e);
	e.timeout_ns = TH_SEC(10);
	cr_assert_eq(udpct_expect(t, sc.master, &e, TH_T0), 0);
	n = udpct_table_advance(t, TH_T0 + TH_SEC(11), 0, NULL, NULL);
	ut_stats(t, &st);
	cr_assert_eq(st.expired, 0);
	cr_assert_eq(n, 0, "no flow expired, advance() says %d", n);
}

/* ---- udpct_flow_set_timeout ------------------------------------------ */

Test(expect, set_timeout_shortens_and_lengthens_a_flow)
{
	struct udpct_flow_info info;
	struct pkt_spec r;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	cr_assert_eq(udpct_flow_set_timeout(t, sc.master, TH_SEC(3), TH_T0),
		     0);
	ut_flow_info(t, sc.master, &info);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(3));
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(3) + TH_TICK_NS);
	pkt_spec_reply(&r, &sc.req);
	/* reaped at 3 s, not 30 s */
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(3) + TH_TICK_NS, 0,
					 NULL, NULL), 1);
	ut_accept(t, &r, TH_T0 + TH_SEC(4), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "the reply after 3 s finds nothing");
	scene_init(&sc, UDPCT_IPV6, TH_T0 + TH_SEC(10));
	cr_assert_eq(udpct_flow_set_timeout(t, sc.master, TH_SEC(100),
					    TH_T0 + TH_SEC(10)), 0);
	pkt_spec_reply(&r, &sc.req);
	ut_accept(t, &r, TH_T0 + TH_SEC(90), UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       "80 s later, still there");
}

Test(expect, set_timeout_rejects_bad_arguments)
{
	struct udpct_flow_info info;
	struct scene sc;

	scene_init(&sc, UDPCT_IPV4, TH_T0);
	cr_assert_eq(udpct_flow_set_timeout(NULL, sc.master, 1, TH_T0),
		     -EINVAL);
	cr_assert_eq(udpct_flow_set_timeout(t, NULL, 1, TH_T0), -EINVAL);
	ut_flow_info(t, sc.master, &info);
	cr_assert_eq(udpct_flow_set_timeout(t, sc.master, TH_SEC(60),
					    info.deadline_ns), -EINVAL,
		     "a dead flow cannot be revived");
}

/* ---- helpers ---------------------------------------------------------- */

#define REC_MAX 16

/* What a recording helper saw. */
struct rec {
	int calls;
	int ret;			/* what the hook returns */
	struct udpct_table *tab[REC_MAX];
	const struct udpct_helper *h[REC_MAX];
	struct udpct_flow *flow[REC_MAX];
	enum udpct_dir dir[REC_MAX];
	size_t len[REC_MAX];
	uint8_t first[REC_MAX];		/* first payload byte */
	bool null_payload[REC_MAX];
	uint64_t now[REC_MAX];
	uint64_t data0[REC_MAX];
};

static int
rec_help(const struct udpct_helper *h, struct udpct_table *tab,
	 struct udpct_flow *flow, enum udpct_dir dir, const uint8_t *payload,
	 size_t len, uint64_t now_ns)
{
	struct rec *r = h->arg;
	int i = r->calls++;

	if (i >= REC_MAX)
		return r->ret;
	r->tab[i] = tab;
	r->h[i] = h;
	r->flow[i] = flow;
	r->dir[i] = dir;
	r->len[i] = len;
	r->first[i] = payload && len ? payload[0] : 0;
	r->null_payload[i] = payload == NULL;
	r->now[i] = now_ns;
	r->data0[i] = h->data[0];
	return r->ret;
}

static void
rec_helper(struct udpct_helper *h, struct rec *r, const char *name,
	   uint16_t port)
{
	memset(h, 0, sizeof(*h));
	memset(r, 0, sizeof(*r));
	h->name = name;
	h->port = port;
	h->help = rec_help;
	h->arg = r;
}

static const uint8_t hello[] = { 'h', 'e', 'l', 'l', 'o' };

/*
 * Spec 6b: the helper runs for every accepted packet of the flows it is
 * attached to (both directions), with the payload, at commit time.  Not
 * for packets that are dropped (not committed), INVALID packets, ICMP
 * errors about the flow, or flows to other ports.
 */
static void
custom_helper_sees_every_accepted_packet_with_its_payload(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct udpct_helper hh;
	struct udpct_flow_info info;
	struct pkt_icmp_spec is;
	struct pkt_spec req, rep, other;
	struct udpct_verdict v;
	struct udpct_flow *f;
	struct rec r;
	uint8_t q[PKT_MAX];

	rec_helper(&hh, &r, "custom", 5000);
	hh.data[0] = 0xfeed;
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	hh.data[0] = 0;			/* the table holds a copy */
	pkt_spec_udp(&req, fam, h->a, 40000, h->b, 5000);
	req.payload = hello;
	req.payload_len = sizeof(hello);
	pkt_spec_reply(&rep, &req);
	rep.payload_len = 3;

	/* classified but dropped: not run */
	cr_assert_eq(ut_classify(t, &req, TH_T0, &v), 0);
	cr_assert_eq(r.calls, 0, "classify alone never runs a helper");
	f = ut_accept(t, &req, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		   "request");
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.tab[0], t);
	cr_assert_eq(r.flow[0], f);
	cr_assert_eq(r.dir[0], UDPCT_DIR_ORIGINAL);
	cr_assert_eq(r.len[0], sizeof(hello));
	cr_assert_eq(r.first[0], 'h');
	cr_assert_eq(r.now[0], TH_T0 + 1);
	cr_assert_eq(r.data0[0], 0xfeed, "data is copied at registration");
	cr_assert_neq(r.h[0], &hh, "the hook gets the table's copy");
	ut_flow_info(t, f, &info);
	cr_assert_str_eq(info.helper, "custom");

	ut_accept(t, &rep, TH_T0 + 2, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
	       "reply");
	cr_assert_eq(r.calls, 2);
	cr_assert_eq(r.dir[1], UDPCT_DIR_REPLY);
	cr_assert_eq(r.len[1], 3);
	cr_assert_eq(r.flow[1], f);

	ut_accept(t, &req, TH_T0 + 3, UDPCT_ESTABLISHED, UDPCT_DIR_ORIGINAL,
	       "request again");
	cr_assert_eq(r.calls, 3);

	/* INVALID: nothing to commit, no call */
	rep.csum = PKT_CSUM_BAD;
	cr_assert_eq(ut_classify(t, &rep, TH_T0 + 4, &v), 0);
	invalid_is(&v, UDPCT_REASON_BAD_CHECKSUM, "bad reply");
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_eq(r.calls, 3, "INVALID packets are not helped");

	/* an ICMP error about the flow: RELATED, not helped */
	unreach_about(&is, &req, 0, q);
	icmp_at(t, &is, TH_T0 + 5, &v);
	ut_verdict_is(&v, UDPCT_RELATED, UDPCT_DIR_REPLY, "error");
	cr_assert_eq(r.calls, 3, "ICMP errors are not helped");

	/* a flow to another port has no helper */
	pkt_spec_udp(&other, fam, h->a, 40000, h->b, 5001);
	f = ut_accept(t, &other, TH_T0 + 6, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		   "port 5001");
	cr_assert_eq(r.calls, 3);
	ut_flow_info(t, f, &info);
	cr_assert_null(info.helper);
	/* nor does a flow *from* port 5000 (attachment is by dport) */
	pkt_spec_udp(&other, fam, h->b, 5000, h->a2, 40000);
	ut_accept(t, &other, TH_T0 + 7, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "from port 5000");
	cr_assert_eq(r.calls, 3);
}
TEST_BOTH(helper, custom_helper_sees_every_accepted_packet_with_its_payload)

/* An empty datagram: a valid payload pointer or NULL, length 0. */
Test(helper, custom_helper_sees_an_empty_payload_as_length_0)
{
	struct udpct_helper hh;
	struct pkt_spec req;
	struct rec r;

	rec_helper(&hh, &r, "custom", 5000);
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	pkt_spec_v4(&req, PKT_A4, 40000, PKT_B4, 5000);
	req.payload_len = 0;
	ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "empty");
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.len[0], 0);
}

/* udpct_classify_tuple() packets have no payload: NULL, 0. */
Test(helper, classify_tuple_packets_reach_the_helper_without_payload)
{
	struct udpct_helper hh;
	struct udpct_tuple tup;
	struct udpct_verdict v;
	struct rec r;

	rec_helper(&hh, &r, "custom", 5000);
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	udpct_tuple_set_v4(&tup, pkt_addr4(PKT_A4), 40000, pkt_addr4(PKT_B4),
			   5000, 0);
	cr_assert_eq(udpct_classify_tuple(t, &tup, 100, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_eq(r.calls, 1);
	cr_assert(r.null_payload[0]);
	cr_assert_eq(r.len[0], 0);
}

/*
 * Spec 6b: a helper's failure means "drop the packet"; udpct_commit()
 * returns the helper's negative errno, and with UDPCT_CFG_AUTO_COMMIT the
 * verdict becomes INVALID helper_refused.
 */
Test(helper, helper_error_is_returned_by_commit)
{
	struct udpct_helper hh;
	struct pkt_spec req;
	struct udpct_verdict v;
	struct rec r;

	rec_helper(&hh, &r, "custom", 5000);
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	pkt_spec_v4(&req, PKT_A4, 40000, PKT_B4, 5000);
	r.ret = -EPERM;
	cr_assert_eq(ut_classify(t, &req, TH_T0, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "request");
	cr_assert_eq(udpct_commit(t, &v), -EPERM);
	cr_assert_eq(r.calls, 1);
	r.ret = -ENOSPC;
	cr_assert_eq(ut_classify(t, &req, TH_T0 + 1, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), -ENOSPC);
	r.ret = 0;
	cr_assert_eq(ut_classify(t, &req, TH_T0 + 2, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
}

Test(helper, helper_error_with_auto_commit_is_invalid_helper_refused)
{
	struct udpct_table *ac = th_table(UDPCT_CFG_AUTO_COMMIT, 64);
	struct udpct_helper hh;
	struct pkt_spec req;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct rec r;

	cr_assert_not_null(ac);
	rec_helper(&hh, &r, "custom", 5000);
	r.ret = -EPERM;
	cr_assert_eq(udpct_helper_register(ac, &hh), 0);
	pkt_spec_v4(&req, PKT_A4, 40000, PKT_B4, 5000);
	cr_assert_eq(ut_classify(ac, &req, TH_T0, &v), 0);
	invalid_is(&v, UDPCT_REASON_HELPER_REFUSED, "auto-commit");
	cr_assert_eq(r.calls, 1);
	cr_assert_eq(r.tab[0], ac);
	ut_stats(ac, &st);
	cr_assert_eq(st.invalid_reason[UDPCT_REASON_HELPER_REFUSED], 1);
	udpct_table_free(ac);
}

/*
 * Spec 1 step 4 and 6b: the kernel runs the helper in nf_confirm() before
 * __nf_conntrack_confirm(); a helper that refuses the packet drops it and
 * the new entry is never confirmed ("the next packet is NEW again"; a
 * reply finds nothing).  libudpct inserts the flow, runs the helper, and
 * rolls the flow back when the helper refuses the packet that created it.
 */
Test(helper, refused_first_packet_leaves_no_flow)
{
	struct udpct_helper hh;
	struct pkt_spec req, rep;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct rec r;

	rec_helper(&hh, &r, "custom", 5000);
	r.ret = -EPERM;
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	pkt_spec_v4(&req, PKT_A4, 40000, PKT_B4, 5000);
	pkt_spec_reply(&rep, &req);
	cr_assert_eq(ut_classify(t, &req, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), -EPERM);
	ut_stats(t, &st);
	cr_assert_eq(st.inserted, 0, "the refused flow was inserted");
	cr_assert_eq(st.live, 0);
	cr_assert_eq(ut_classify(t, &rep, TH_T0 + 1, &v), 0);
	ut_verdict_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		      "the server's answer to a dropped request");
}

/* Attachment by zone and family (spec 6b: explicit, per rule). */
Test(helper, helper_attaches_by_port_zone_and_family)
{
	struct udpct_helper h4, h6z;
	struct udpct_tuple tup;
	struct udpct_verdict v;
	struct udpct_flow_info info;
	struct pkt_spec s;
	struct rec r4, r6;
	uint8_t a6[16], b6[16];

	rec_helper(&h4, &r4, "v4-zone0", 5000);
	h4.family = UDPCT_IPV4;
	rec_helper(&h6z, &r6, "v6-zone3", 5000);
	h6z.family = UDPCT_IPV6;
	h6z.zone = 3;
	cr_assert_eq(udpct_helper_register(t, &h4), 0);
	cr_assert_eq(udpct_helper_register(t, &h6z), 0);
	pkt_spec_v6(&s, PKT_A6, 40000, PKT_B6, 5000);
	ut_accept(t, &s, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "v6 zone 0");
	cr_assert_eq(r4.calls + r6.calls, 0);
	pkt_spec_v4(&s, PKT_A4, 40000, PKT_B4, 5000);
	ut_accept(t, &s, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "v4 zone 0");
	cr_assert_eq(r4.calls, 1);
	pkt_addr(a6, UDPCT_IPV6, PKT_A6);
	pkt_addr(b6, UDPCT_IPV6, PKT_B6);
	udpct_tuple_set_v6(&tup, a6, 40000, b6, 5000, 3);
	cr_assert_eq(udpct_classify_tuple(t, &tup, 80, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_eq(r6.calls, 1);
	ut_flow_info(t, v.flow, &info);
	cr_assert_str_eq(info.helper, "v6-zone3");
	udpct_tuple_set_v4(&tup, pkt_addr4(PKT_A4), 40000, pkt_addr4(PKT_B4),
			   5000, 3);
	cr_assert_eq(udpct_classify_tuple(t, &tup, 80, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_eq(r4.calls + r6.calls, 2, "v4 zone 3 has no helper");
}

/* A helper attaches to flows created after it is registered. */
Test(helper, helper_attaches_only_to_flows_created_after_registration)
{
	struct udpct_helper hh;
	struct pkt_spec before, after;
	struct rec r;

	pkt_spec_v4(&before, PKT_A4, 40000, PKT_B4, 5000);
	pkt_spec_v4(&after, PKT_A4, 40001, PKT_B4, 5000);
	ut_accept(t, &before, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "before");
	rec_helper(&hh, &r, "custom", 5000);
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	ut_accept(t, &before, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
	       "before, again");
	cr_assert_eq(r.calls, 0);
	ut_accept(t, &after, TH_T0 + 2, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "after");
	cr_assert_eq(r.calls, 1);
}

/* A helper may create an expectation: the worked example of helpers.md in
 * miniature (the request's first two bytes are the port to expect). */
static int
port_help(const struct udpct_helper *h, struct udpct_table *tab,
	  struct udpct_flow *flow, enum udpct_dir dir, const uint8_t *payload,
	  size_t len, uint64_t now_ns)
{
	struct udpct_flow_info mi;
	struct udpct_expect e;

	(void)h;
	if (dir != UDPCT_DIR_ORIGINAL || !payload || len < 2)
		return 0;
	cr_assert_eq(udpct_flow_get_info(tab, flow, &mi), 0);
	memset(&e, 0, sizeof(e));
	udpct_tuple_invert(&e.tuple, &mi.tuple);
	e.tuple.sport = (uint16_t)(payload[0] << 8 | payload[1]);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.sport = 0xffff;
	e.mask.dport = 0xffff;
	e.timeout_ns = TH_SEC(60);
	e.max_per_master = 1;
	return udpct_expect(tab, flow, &e, now_ns);
}

Test(helper, helper_created_expectation_makes_the_announced_flow_related)
{
	static const uint8_t ask[] = { 0x1f, 0x90 };	/* port 8080 */
	struct udpct_helper hh;
	struct pkt_spec req, d;
	struct udpct_stats st;

	memset(&hh, 0, sizeof(hh));
	hh.name = "port-announce";
	hh.port = 5000;
	hh.help = port_help;
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
	pkt_spec_v4(&req, PKT_A4, 40000, PKT_B4, 5000);
	req.payload = ask;
	req.payload_len = sizeof(ask);
	ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "request");
	pkt_spec_v4(&d, PKT_B4, 8081, PKT_A4, 40000);
	ut_accept(t, &d, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "port 8081");
	pkt_spec_v4(&d, PKT_B4, 8080, PKT_A4, 40000);
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
	       "port 8080");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	cr_assert_eq(st.expect_matched, 1);
}

/* Errors of udpct_helper_register(). */
Test(helper, register_rejects_bad_helpers)
{
	struct udpct_helper hh, bad;
	struct rec r;

	rec_helper(&hh, &r, "custom", 5000);
	cr_assert_eq(udpct_helper_register(NULL, &hh), -EINVAL);
	cr_assert_eq(udpct_helper_register(t, NULL), -EINVAL);
	bad = hh;
	bad.help = NULL;
	cr_assert_eq(udpct_helper_register(t, &bad), -EINVAL, "no hook");
	bad = hh;
	bad.name = NULL;
	cr_assert_eq(udpct_helper_register(t, &bad), -EINVAL, "no name");
	bad = hh;
	bad.family = 5;
	cr_assert_eq(udpct_helper_register(t, &bad), -EINVAL, "family 5");
	bad.family = 2;					/* AF_INET */
	cr_assert_eq(udpct_helper_register(t, &bad), -EINVAL, "family 2");
	/* nothing was registered by the failures */
	cr_assert_eq(udpct_helper_register(t, &hh), 0);
}

Test(helper, register_rejects_overlapping_helpers_with_eexist)
{
	struct udpct_helper any, v4, v6, z1, other;
	struct rec r;

	rec_helper(&any, &r, "any", 69);
	v4 = any;
	v4.family = UDPCT_IPV4;
	v6 = any;
	v6.family = UDPCT_IPV6;
	z1 = any;
	z1.zone = 1;
	other = any;
	other.port = 70;
	cr_assert_eq(udpct_helper_register(t, &v4), 0);
	cr_assert_eq(udpct_helper_register(t, &v4), -EEXIST, "same");
	cr_assert_eq(udpct_helper_register(t, &any), -EEXIST,
		     "both families overlap IPv4");
	cr_assert_eq(udpct_helper_register(t, &v6), 0, "IPv6 is free");
	cr_assert_eq(udpct_helper_register(t, &z1), 0, "zone 1 is free");
	cr_assert_eq(udpct_helper_register(t, &z1), -EEXIST);
	cr_assert_eq(udpct_helper_register(t, &other), 0, "port 70");
	v4.port = 70;
	cr_assert_eq(udpct_helper_register(t, &v4), -EEXIST,
		     "IPv4 overlaps both families");
}

Test(helper, register_rejects_a_ninth_helper_with_enospc)
{
	struct udpct_helper hh;
	struct rec r;
	uint16_t i;

	rec_helper(&hh, &r, "custom", 0);
	for (i = 0; i < UDPCT_HELPERS_MAX; i++) {
		hh.port = (uint16_t)(1000 + i);
		cr_assert_eq(udpct_helper_register(t, &hh), 0, "helper %u", i);
	}
	hh.port = 2000;
	cr_assert_eq(udpct_helper_register(t, &hh), -ENOSPC);
	/* an overlapping one is still -EEXIST first */
	hh.port = 1000;
	cr_assert_eq(udpct_helper_register(t, &hh), -EEXIST);
}

/* The built-in helpers' descriptions (pure functions). */
Test(helper, builtin_helpers_fill_their_descriptions)
{
	struct udpct_helper h;

	memset(&h, 0xa5, sizeof(h));
	udpct_helper_tftp(&h, 0);
	cr_assert_str_eq(h.name, "tftp");
	cr_assert_eq(h.port, 69);
	cr_assert_eq(h.zone, 0);
	cr_assert_eq(h.family, 0, "TFTP: IPv4 and IPv6");
	cr_assert_not_null(h.help);
	udpct_helper_tftp(&h, 6969);
	cr_assert_eq(h.port, 6969);
	memset(&h, 0xa5, sizeof(h));
	udpct_helper_netbios_ns(&h, pkt_addr4("192.0.2.77"), 24, 0, 0);
	cr_assert_str_eq(h.name, "netbios-ns");
	cr_assert_eq(h.port, 137);
	cr_assert_eq(h.zone, 0);
	cr_assert_eq(h.family, UDPCT_IPV4, "NetBIOS-NS: IPv4 only");
	cr_assert_not_null(h.help);
	udpct_helper_netbios_ns(&h, pkt_addr4("192.0.2.0"), 24, 1137, 0);
	cr_assert_eq(h.port, 1137);
}
