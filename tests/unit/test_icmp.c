// SPDX-License-Identifier: MIT
/*
 * test_icmp.c - parsing and validation of ICMP and ICMPv6 errors through
 * udpct_classify() (spec section 6a): every ICMP INVALID reason for IPv4 and
 * IPv6 (truncated_icmp, bad_icmp_checksum, bad_icmp_quote,
 * icmp_quotes_untracked, icmp_unknown_flow, icmp_daddr_mismatch), what a
 * quote needs (4 bytes of UDP, inner extension headers skipped), and what is
 * not checked (quoted UDP checksum and length, outer source).  The state
 * machine side of RELATED (direction, no refresh) is in test_classify.c.
 *
 * The table commits automatically; every INVALID check also verifies that
 * no flow and no stats other than the INVALID counters changed.
 */
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "unit.h"

UT_TABLE_FIXTURE(t, setup, teardown, UDPCT_CFG_AUTO_COMMIT)
static const uint8_t families[] = { UDPCT_IPV4, UDPCT_IPV6 };

TestSuite(icmp, .init = setup, .fini = teardown);

/*
 * Track A:40000 -> B:53 of @family (auto-commit) and leave the datagram,
 * as sent, in @q; @return its length.
 */
static size_t
track(uint8_t family, struct pkt_spec *s, uint8_t *q)
{
	struct udpct_verdict v;
	size_t n;

	pkt_spec_ab(s, family);
	n = pkt_build_udp(s, q, PKT_MAX);
	cr_assert_gt(n, 0);
	cr_assert_eq(udpct_classify(t, q, n, TH_T0, &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW);
	cr_assert_not_null(v.flow);
	return n;
}

static void
icmp_classify_in(struct udpct_table *tab, const struct pkt_icmp_spec *is,
		 struct udpct_verdict *v)
{
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build_icmp_error(is, buf, sizeof(buf));

	cr_assert_gt(n, 0);
	cr_assert_eq(udpct_classify(tab, buf, n, TH_T0 + TH_SEC(1), v), 0);
}

static void
expect_icmp_invalid(const struct pkt_icmp_spec *is,
		    enum udpct_invalid_reason want, const char *what)
{
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build_icmp_error(is, buf, sizeof(buf));

	cr_assert_gt(n, 0, "%s: cannot build", what);
	ut_expect_invalid_buf(t, buf, n, want, what);
}

static void
expect_icmp_related(const struct pkt_icmp_spec *is, const char *what)
{
	struct udpct_verdict v;

	icmp_classify_in(t, is, &v);
	cr_assert_eq(v.state, UDPCT_RELATED, "%s: state %s (%s), want RELATED",
		     what, udpct_state_name(v.state),
		     udpct_reason_name(v.reason));
	cr_assert_eq(v.dir, UDPCT_DIR_REPLY, "%s", what);
	cr_assert_not_null(v.flow, "%s", what);
}

Test(icmp, icmp_error_shorter_than_8_bytes_is_truncated_icmp)
{
	/* IPv6 payload length 0 is bad_ip_length, so IPv6 starts at 1 */
	static const size_t cut[] = { 0, 1, 4, 7 };
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, j, qn;

	for (i = 0; i < 2; i++) {
		qn = track(families[i], &s, q);
		for (j = families[i] == UDPCT_IPV6; j < 4; j++) {
			pkt_icmp_unreach(&is, &s, q, qn);
			is.trunc = true;
			is.trunc_len = cut[j];
			expect_icmp_invalid(&is, UDPCT_REASON_TRUNCATED_ICMP,
					    th_fam_name(families[i]));
		}
	}
}

Test(icmp, icmp_error_with_bad_checksum_is_bad_icmp_checksum)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		qn = track(families[i], &s, q);
		pkt_icmp_unreach(&is, &s, q, qn);
		expect_icmp_related(&is, "control: good checksum");
		is.bad_csum = true;
		expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_CHECKSUM,
				    th_fam_name(families[i]));
	}
}

Test(icmp, icmpv6_checksum_includes_the_pseudo_header)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX], buf[PKT_MAX];
	size_t qn, n;

	qn = track(UDPCT_IPV6, &s, q);
	pkt_icmp_unreach(&is, &s, q, qn);
	n = pkt_build_icmp_error(&is, buf, sizeof(buf));
	/* outer source changed after the checksum was made: only the
	 * pseudo-header notices (the outer source is otherwise free) */
	buf[8 + 15] ^= 1;
	ut_expect_invalid_buf(t, buf, n, UDPCT_REASON_BAD_ICMP_CHECKSUM,
				 "ICMPv6 source changed");
}

Test(icmp, no_checksum_config_accepts_bad_icmp_checksum)
{
	struct udpct_table *nc = th_table(UDPCT_CFG_AUTO_COMMIT |
					  UDPCT_CFG_NO_CHECKSUM, 64);
	struct udpct_verdict v;
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	cr_assert_not_null(nc);
	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		qn = pkt_build_udp(&s, q, sizeof(q));
		cr_assert_eq(udpct_classify(nc, q, qn, TH_T0, &v), 0);
		cr_assert_eq(v.state, UDPCT_NEW);
		pkt_icmp_unreach(&is, &s, q, qn);
		is.bad_csum = true;
		icmp_classify_in(nc, &is, &v);
		cr_assert_eq(v.state, UDPCT_RELATED, "%s: state %s (%s)",
			     th_fam_name(families[i]),
			     udpct_state_name(v.state),
			     udpct_reason_name(v.reason));
	}
	udpct_table_free(nc);
}

Test(icmp, icmp_quote_with_truncated_ip_header_is_bad_icmp_quote)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		qn = track(families[i], &s, q);
		pkt_icmp_unreach(&is, &s, q, qn);
		is.quote_len = families[i] == UDPCT_IPV4 ? 16 : 36;
		expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
				    "quoted IP header cut");
		is.quote_len = 0;
		expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
				    "nothing quoted");
	}
}

Test(icmp, icmp_quote_with_less_than_4_udp_bytes_is_bad_icmp_quote)
{
	static const size_t l4[] = { 0, 2, 3 };
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, j, qn;

	for (i = 0; i < 2; i++) {
		qn = track(families[i], &s, q);
		for (j = 0; j < sizeof(l4) / sizeof(l4[0]); j++) {
			pkt_icmp_unreach(&is, &s, q, qn);
			is.quote_len = pkt_l4_offset(q, qn) + l4[j];
			expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
					    th_fam_name(families[i]));
		}
	}
}

Test(icmp, icmp_quote_with_4_udp_bytes_is_enough)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		qn = track(families[i], &s, q);
		pkt_icmp_unreach(&is, &s, q, qn);
		is.quote_len = pkt_l4_offset(q, qn) + 4;
		expect_icmp_related(&is, th_fam_name(families[i]));
	}
}

Test(icmp, icmp_quote_of_non_first_fragment_is_bad_icmp_quote)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, frag;
	uint8_t q[PKT_MAX], fq[PKT_MAX];
	size_t i, fn;

	for (i = 0; i < 2; i++) {
		track(families[i], &s, q);
		frag = s;
		if (families[i] == UDPCT_IPV4) {
			frag.frag_off = 10;
		} else {
			pkt_spec_add_ext(&frag, PKT_PROTO_FRAGMENT, 0);
			frag.ext[0].frag_off = 10;
		}
		fn = pkt_build_udp(&frag, fq, sizeof(fq));
		pkt_icmp_unreach(&is, &s, fq, fn);
		expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
				    th_fam_name(families[i]));
	}
}

Test(icmp, icmp_quote_of_first_fragment_is_related)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, frag;
	uint8_t q[PKT_MAX], fq[PKT_MAX];
	size_t i, fn;

	/* spec 6a step 5 refuses only non-first fragments */
	for (i = 0; i < 2; i++) {
		track(families[i], &s, q);
		frag = s;
		if (families[i] == UDPCT_IPV4) {
			frag.mf = true;
		} else {
			pkt_spec_add_ext(&frag, PKT_PROTO_FRAGMENT, 0);
			frag.ext[0].frag_more = true;
		}
		fn = pkt_build_udp(&frag, fq, sizeof(fq));
		pkt_icmp_unreach(&is, &s, fq, fn);
		expect_icmp_related(&is, th_fam_name(families[i]));
	}
}

Test(icmp, icmpv6_quote_extension_headers_are_skipped)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, ext;
	uint8_t q[PKT_MAX], eq[PKT_MAX];
	size_t en;

	track(UDPCT_IPV6, &s, q);
	ext = s;
	pkt_spec_add_ext(&ext, PKT_PROTO_HOPOPTS, 0);
	pkt_spec_add_ext(&ext, PKT_PROTO_DSTOPTS, 1);
	en = pkt_build_udp(&ext, eq, sizeof(eq));
	pkt_icmp_unreach(&is, &s, eq, en);
	expect_icmp_related(&is, "quote with extension headers");
	/* ... and 4 bytes of UDP after them are enough */
	is.quote_len = pkt_l4_offset(eq, en) + 4;
	expect_icmp_related(&is, "quote with extension headers, 4 bytes");
	/* but a quote cut inside the chain is not */
	is.quote_len = 40 + 8 + 4;
	expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
			    "quote cut inside the extension headers");
}

Test(icmp, icmp_quoted_udp_checksum_and_length_are_not_validated)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, bad;
	uint8_t q[PKT_MAX], bq[PKT_MAX];
	size_t i, bn;

	for (i = 0; i < 2; i++) {
		track(families[i], &s, q);
		bad = s;
		bad.csum = PKT_CSUM_BAD;
		bn = pkt_build_udp(&bad, bq, sizeof(bq));
		pkt_icmp_unreach(&is, &s, bq, bn);
		expect_icmp_related(&is, "quoted bad checksum");
		bad = s;
		bad.udp_len_set = true;
		bad.udp_len = 3;
		bn = pkt_build_udp(&bad, bq, sizeof(bq));
		pkt_icmp_unreach(&is, &s, bq, bn);
		expect_icmp_related(&is, "quoted bad UDP length");
	}
}

Test(icmp, icmp_quote_of_non_udp_is_icmp_quotes_untracked)
{
	struct pkt_icmp_spec is, inner;
	struct pkt_spec s, tcp;
	uint8_t q[PKT_MAX], xq[PKT_MAX];
	size_t i, xn;

	for (i = 0; i < 2; i++) {
		track(families[i], &s, q);

		/* TCP between the same hosts and ports */
		tcp = s;
		tcp.proto = PKT_PROTO_TCP;
		tcp.payload_len = 20;
		xn = pkt_build_udp(&tcp, xq, sizeof(xq));
		pkt_icmp_unreach(&is, &s, xq, xn);
		expect_icmp_invalid(&is, UDPCT_REASON_ICMP_QUOTES_UNTRACKED,
				    "quoted TCP");

		/* an ICMP echo (the library does not track echo) */
		xn = pkt_build_icmp_echo(families[i],
					 families[i] == UDPCT_IPV4 ? PKT_A4
								   : PKT_A6,
					 families[i] == UDPCT_IPV4 ? PKT_B4
								   : PKT_B6,
					 1, 1, false, xq, sizeof(xq));
		pkt_icmp_unreach(&is, &s, xq, xn);
		expect_icmp_invalid(&is, UDPCT_REASON_ICMP_QUOTES_UNTRACKED,
				    "quoted echo request");

		/* an error about an error (spec 6a step 6) */
		pkt_icmp_unreach(&inner, &s, q, 0);
		inner.quote = q;
		inner.quote_len = pkt_l4_offset(q, PKT_MAX) + 8;
		/* the inner error goes A -> B, about B's datagram */
		memcpy(inner.saddr, s.saddr, 16);
		memcpy(inner.daddr, s.daddr, 16);
		xn = pkt_build_icmp_error(&inner, xq, sizeof(xq));
		pkt_icmp_unreach(&is, &s, xq, xn);
		expect_icmp_invalid(&is, UDPCT_REASON_ICMP_QUOTES_UNTRACKED,
				    "error about an error");
	}
}

Test(icmp, icmp_error_for_unknown_flow_is_icmp_unknown_flow)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, other;
	uint8_t q[PKT_MAX], oq[PKT_MAX];
	size_t i, on;

	for (i = 0; i < 2; i++) {
		track(families[i], &s, q);
		other = s;
		other.dport = 54;	/* never seen */
		on = pkt_build_udp(&other, oq, sizeof(oq));
		pkt_icmp_unreach(&is, &other, oq, on);
		expect_icmp_invalid(&is, UDPCT_REASON_ICMP_UNKNOWN_FLOW,
				    th_fam_name(families[i]));
	}
}

Test(icmp, icmp_error_to_other_host_is_icmp_daddr_mismatch)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t i, qn;

	for (i = 0; i < 2; i++) {
		qn = track(families[i], &s, q);
		pkt_icmp_unreach(&is, &s, q, qn);
		pkt_addr(is.daddr, families[i],
			 families[i] == UDPCT_IPV4 ? PKT_A4_2 : PKT_A6_2);
		expect_icmp_invalid(&is, UDPCT_REASON_ICMP_DADDR_MISMATCH,
				    th_fam_name(families[i]));
	}
}

Test(icmp, quote_with_ip_options_is_related)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, opt;
	uint8_t q[PKT_MAX], oq[PKT_MAX];
	size_t on;

	track(UDPCT_IPV4, &s, q);
	opt = s;
	opt.ip_opt_len = 12;	/* quoted IHL 8 */
	on = pkt_build_udp(&opt, oq, sizeof(oq));
	pkt_icmp_unreach(&is, &s, oq, on);
	expect_icmp_related(&is, "quoted IP options");
	is.quote_len = 32 + 4;
	expect_icmp_related(&is, "quoted IP options, 4 bytes of UDP");
	is.quote_len = 32 + 2;
	expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
			    "quoted IP options, 2 bytes of UDP");
	is.quote_len = 24;
	expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE,
			    "quoted IP options cut");
}

Test(icmp, quote_with_ihl_below_5_is_bad_icmp_quote)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s, bad;
	uint8_t q[PKT_MAX], bq[PKT_MAX];
	size_t bn;

	track(UDPCT_IPV4, &s, q);
	bad = s;
	bad.ihl_set = true;
	bad.ihl = 4;
	bn = pkt_build_udp(&bad, bq, sizeof(bq));
	pkt_icmp_unreach(&is, &s, bq, bn);
	expect_icmp_invalid(&is, UDPCT_REASON_BAD_ICMP_QUOTE, "quoted IHL 4");
}

Test(icmp, outer_ip_options_and_extension_headers_are_skipped)
{
	struct pkt_icmp_spec is;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t qn;

	qn = track(UDPCT_IPV4, &s, q);
	pkt_icmp_unreach(&is, &s, q, qn);
	is.ip_opt_len = 8;
	expect_icmp_related(&is, "outer IPv4 options");

	qn = track(UDPCT_IPV6, &s, q);
	pkt_icmp_unreach(&is, &s, q, qn);
	is.n_ext = 2;
	is.ext[0].type = PKT_PROTO_HOPOPTS;
	is.ext[1].type = PKT_PROTO_DSTOPTS;
	expect_icmp_related(&is, "outer IPv6 extension headers");
	/* the ICMPv6 header cut after the extension headers */
	is.trunc = true;
	is.trunc_len = 4;
	expect_icmp_invalid(&is, UDPCT_REASON_TRUNCATED_ICMP,
			    "ICMPv6 cut after extension headers");
}

Test(icmp, error_quoting_other_zone_flow_is_unknown_in_zone_0)
{
	struct pkt_icmp_spec is;
	struct udpct_verdict v;
	struct udpct_tuple tu;
	struct pkt_spec s;
	uint8_t q[PKT_MAX];
	size_t qn;

	/* the flow exists in zone 3 only; raw packets are zone 0 */
	pkt_spec_ab(&s, UDPCT_IPV4);
	pkt_spec_tuple(&s, 3, &tu);
	cr_assert_eq(udpct_classify_tuple(t, &tu, 44, TH_T0, &v), 0);
	cr_assert_not_null(v.flow);
	qn = pkt_build_udp(&s, q, sizeof(q));
	pkt_icmp_unreach(&is, &s, q, qn);
	expect_icmp_invalid(&is, UDPCT_REASON_ICMP_UNKNOWN_FLOW,
			    "flow of zone 3");
}
