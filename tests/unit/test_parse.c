// SPDX-License-Identifier: MIT
/*
 * test_parse.c - parsing and validation through udpct_classify(): every
 * IP and UDP INVALID reason for IPv4 and IPv6 (spec section 5), what is
 * NOT invalid (padding, options, extension headers, zero checksum, uh->len
 * below the payload), the kernel's whole-payload checksum quirk, the
 * 0xFFFF checksum, UDPCT_CFG_NO_CHECKSUM, and what is IGNORED.  The ICMP
 * error reasons are in test_icmp.c.
 *
 * The table commits automatically, so a packet wrongly accepted would also
 * leave a flow behind; every INVALID check also verifies that no flow and no
 * stats other than the INVALID counters changed.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "unit.h"

UT_TABLE_FIXTURE(t, setup, teardown, UDPCT_CFG_AUTO_COMMIT)
static const uint8_t families[] = { UDPCT_IPV4, UDPCT_IPV6 };

TestSuite(parse, .init = setup, .fini = teardown);

static void
expect_invalid(const struct pkt_spec *s, enum udpct_invalid_reason want,
	       const char *what)
{
	uint8_t buf[PKT_MAX];
	size_t n = pkt_build_udp(s, buf, sizeof(buf));

	cr_assert_gt(n, 0, "%s: cannot build", what);
	ut_expect_invalid_buf(t, buf, n, want, what);
}

/* NEW, original direction, the packet's tuple, and a committed flow. */
static void
expect_new_in(struct udpct_table *tab, const struct pkt_spec *s,
	      const char *what)
{
	struct udpct_verdict v;
	struct udpct_tuple want;

	pkt_spec_tuple(s, 0, &want);
	cr_assert_eq(th_classify(tab, s, TH_T0, &v), 0, "%s", what);
	cr_assert_eq(v.state, UDPCT_NEW, "%s: state %s (%s), want NEW", what,
		     udpct_state_name(v.state), udpct_reason_name(v.reason));
	cr_assert_eq(v.dir, UDPCT_DIR_ORIGINAL, "%s", what);
	cr_assert_eq(v.reason, UDPCT_REASON_NONE, "%s", what);
	cr_assert(udpct_tuple_equal(&v.tuple, &want), "%s: wrong tuple",
		  what);
	cr_assert_eq(v.tuple.sport, s->sport, "%s", what);
	cr_assert_eq(v.tuple.dport, s->dport, "%s", what);
	cr_assert_not_null(v.flow, "%s: auto-commit left no flow", what);
}

static void
expect_new(const struct pkt_spec *s, const char *what)
{
	expect_new_in(t, s, what);
}

static void
expect_ignored_buf(const void *buf, size_t len, const char *what)
{
	struct udpct_stats before, after;
	struct udpct_verdict v;

	ut_stats(t, &before);
	cr_assert_eq(udpct_classify(t, buf, len, TH_T0, &v), 0, "%s", what);
	cr_assert_eq(v.state, UDPCT_IGNORED, "%s: state %s (%s), want IGNORED",
		     what, udpct_state_name(v.state),
		     udpct_reason_name(v.reason));
	cr_assert_eq(v.dir, UDPCT_DIR_NONE, "%s", what);
	cr_assert_eq(v.reason, UDPCT_REASON_NONE, "%s", what);
	cr_assert_null(v.flow, "%s", what);
	cr_assert_eq(v.status, 0, "%s", what);
	ut_stats(t, &after);
	cr_assert_eq(after.ignored, before.ignored + 1, "%s", what);
	cr_assert_eq(after.invalid, before.invalid, "%s", what);
	cr_assert_eq(after.live, before.live, "%s", what);
}

/* ---- API misuse --------------------------------------------------- */

Test(parse, classify_rejects_null_table_verdict_and_buffer)
{
	struct pkt_spec s;
	struct udpct_verdict v;
	uint8_t buf[PKT_MAX];
	size_t n;

	pkt_spec_ab(&s, UDPCT_IPV4);
	n = pkt_build_udp(&s, buf, sizeof(buf));
	cr_assert_eq(udpct_classify(NULL, buf, n, TH_T0, &v), -EINVAL);
	cr_assert_eq(udpct_classify(t, buf, n, TH_T0, NULL), -EINVAL);
	cr_assert_eq(udpct_classify(t, NULL, n, TH_T0, &v), -EINVAL);
}

/* ---- IPv4 header -------------------------------------------------- */

Test(parse, ipv4_valid_datagram_is_new_with_its_tuple)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV4);
	expect_new(&s, "plain IPv4 datagram");
}

Test(parse, empty_buffer_is_truncated_ip_header)
{
	uint8_t buf[1] = { 0x45 };

	ut_expect_invalid_buf(t, NULL, 0, UDPCT_REASON_TRUNCATED_IP_HEADER,
				 "NULL, 0");
	ut_expect_invalid_buf(t, buf, 0, UDPCT_REASON_TRUNCATED_IP_HEADER,
				 "buffer, 0");
}

Test(parse, ipv4_shorter_than_20_bytes_is_truncated_ip_header)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t cut[] = { 1, 2, 10, 19 };
	size_t i;

	pkt_spec_ab(&s, UDPCT_IPV4);
	cr_assert_gt(pkt_build_udp(&s, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		ut_expect_invalid_buf(t, buf, cut[i],
					 UDPCT_REASON_TRUNCATED_IP_HEADER,
					 "IPv4 header cut short");
}

Test(parse, unknown_ip_version_is_bad_ip_version)
{
	static const uint8_t versions[] = { 0, 1, 2, 3, 5, 7, 8, 15 };
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < sizeof(versions); i++) {
		pkt_spec_ab(&s, UDPCT_IPV4);
		s.payload_len = 40;	/* 68 bytes: enough for v6 too */
		s.version_set = true;
		s.version = versions[i];
		expect_invalid(&s, UDPCT_REASON_BAD_IP_VERSION,
			       "version nibble");
	}
}

Test(parse, ipv4_ihl_below_5_is_bad_ihl)
{
	struct pkt_spec s;
	uint8_t ihl;

	for (ihl = 0; ihl < 5; ihl++) {
		pkt_spec_ab(&s, UDPCT_IPV4);
		s.ihl_set = true;
		s.ihl = ihl;
		expect_invalid(&s, UDPCT_REASON_BAD_IHL, "IHL < 5");
	}
}

Test(parse, ipv4_ihl_beyond_packet_is_bad_ihl)
{
	struct pkt_spec s;

	/* 44-byte packet; IHL 12 = 48 bytes, IHL 15 = 60 bytes */
	pkt_spec_ab(&s, UDPCT_IPV4);
	s.ihl_set = true;
	s.ihl = 12;
	expect_invalid(&s, UDPCT_REASON_BAD_IHL, "IHL 12 in 44 bytes");
	s.ihl = 15;
	expect_invalid(&s, UDPCT_REASON_BAD_IHL, "IHL 15 in 44 bytes");
}

Test(parse, ipv4_total_length_below_header_is_bad_ip_length)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.ip_len_set = true;
	s.ip_len = 19;
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH, "total length 19");
	s.ip_len = 0;
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH, "total length 0");
	/* 28-byte header (8 bytes of options), total length 24 */
	pkt_spec_ab(&s, UDPCT_IPV4);
	s.ip_opt_len = 8;
	s.ip_len_set = true;
	s.ip_len = 24;
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH,
		       "total length inside the options");
}

Test(parse, ipv4_total_length_beyond_buffer_is_bad_ip_length)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t n;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.ip_len_set = true;
	s.ip_len = (uint16_t)(pkt_ip_bytes(&s) + 1);
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH,
		       "total length one byte too long");
	s.ip_len = 65535;
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH, "total length 65535");

	/* a correct packet handed over short (capture snap length) */
	pkt_spec_ab(&s, UDPCT_IPV4);
	n = pkt_build_udp(&s, buf, sizeof(buf));
	ut_expect_invalid_buf(t, buf, n - 1, UDPCT_REASON_BAD_IP_LENGTH,
				 "buffer one byte short");
	ut_expect_invalid_buf(t, buf, 20, UDPCT_REASON_BAD_IP_LENGTH,
				 "header only");
}

Test(parse, ipv4_bad_header_checksum_is_bad_ip_checksum)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t n;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.bad_ip_csum = true;
	expect_invalid(&s, UDPCT_REASON_BAD_IP_CHECKSUM, "bad checksum");

	/* the checksum covers the options too */
	pkt_spec_ab(&s, UDPCT_IPV4);
	s.ip_opt_len = 8;
	n = pkt_build_udp(&s, buf, sizeof(buf));
	buf[20 + 5] = 0;	/* NOP -> EOL after the checksum was made */
	ut_expect_invalid_buf(t, buf, n, UDPCT_REASON_BAD_IP_CHECKSUM,
				 "option byte changed");

	/* and the addresses */
	pkt_spec_ab(&s, UDPCT_IPV4);
	n = pkt_build_udp(&s, buf, sizeof(buf));
	buf[15] ^= 1;
	ut_expect_invalid_buf(t, buf, n, UDPCT_REASON_BAD_IP_CHECKSUM,
				 "source address changed");
}

Test(parse, ipv4_options_are_skipped)
{
	struct pkt_spec s;
	uint8_t opt;

	for (opt = 4; opt <= 40; opt += 4) {
		pkt_spec_ab(&s, UDPCT_IPV4);
		s.sport = (uint16_t)(1000 + opt);
		s.ip_opt_len = opt;
		expect_new(&s, "IPv4 with options");
	}
}

Test(parse, ipv4_more_fragments_at_offset_zero_is_fragment)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.mf = true;
	expect_invalid(&s, UDPCT_REASON_FRAGMENT, "MF, offset 0");
	s.df = true;		/* contradictory, still a first fragment */
	expect_invalid(&s, UDPCT_REASON_FRAGMENT, "MF+DF, offset 0");
}

Test(parse, ipv4_nonzero_offset_is_non_first_fragment)
{
	static const uint16_t offs[] = { 1, 3, 185, 8191 };
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		pkt_spec_ab(&s, UDPCT_IPV4);
		s.frag_off = offs[i];
		expect_invalid(&s, UDPCT_REASON_NON_FIRST_FRAGMENT,
			       "last fragment");
		s.mf = true;
		expect_invalid(&s, UDPCT_REASON_NON_FIRST_FRAGMENT,
			       "middle fragment");
	}
}

Test(parse, ipv4_dont_fragment_alone_is_tracked)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.df = true;
	expect_new(&s, "DF set");
}

/* ---- IPv6 header -------------------------------------------------- */

Test(parse, ipv6_valid_datagram_is_new_with_its_tuple)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV6);
	expect_new(&s, "plain IPv6 datagram");
}

Test(parse, ipv6_shorter_than_40_bytes_is_truncated_ip_header)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t cut[] = { 1, 8, 20, 39 };
	size_t i;

	pkt_spec_ab(&s, UDPCT_IPV6);
	cr_assert_gt(pkt_build_udp(&s, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		ut_expect_invalid_buf(t, buf, cut[i],
					 UDPCT_REASON_TRUNCATED_IP_HEADER,
					 "IPv6 header cut short");
}

Test(parse, ipv6_payload_length_beyond_buffer_is_bad_ip_length)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t n;

	pkt_spec_ab(&s, UDPCT_IPV6);
	s.ip_len_set = true;
	s.ip_len = (uint16_t)(pkt_ip_bytes(&s) - 40 + 1);
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH,
		       "payload length one byte too long");

	pkt_spec_ab(&s, UDPCT_IPV6);
	n = pkt_build_udp(&s, buf, sizeof(buf));
	ut_expect_invalid_buf(t, buf, n - 1, UDPCT_REASON_BAD_IP_LENGTH,
				 "buffer one byte short");
	ut_expect_invalid_buf(t, buf, 40, UDPCT_REASON_BAD_IP_LENGTH,
				 "header only");
}

Test(parse, ipv6_zero_payload_length_is_bad_ip_length)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV6);
	s.ip_len_set = true;
	s.ip_len = 0;		/* jumbogram marker; no jumbo option */
	expect_invalid(&s, UDPCT_REASON_BAD_IP_LENGTH, "payload length 0");
}

/* ---- link-layer padding ------------------------------------------- */

Test(parse, padding_beyond_ip_length_is_ignored)
{
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.payload_len = 2;	/* a 30/50-byte packet ... */
		s.pad_len = 30;		/* ... in a 60/80-byte frame */
		cr_assert_eq(th_classify(t, &s, TH_T0, &v), 0);
		cr_assert_eq(v.state, UDPCT_NEW, "%s: state %s (%s)",
			     th_fam_name(families[i]),
			     udpct_state_name(v.state),
			     udpct_reason_name(v.reason));
		cr_assert_not_null(v.flow);
		cr_assert_eq(udpct_flow_get_info(t, v.flow, &info), 0);
		/* IP bytes are counted, not the frame */
		cr_assert_eq(info.bytes[UDPCT_DIR_ORIGINAL], pkt_ip_bytes(&s),
			     "%s: counted %llu bytes, IP length %zu",
			     th_fam_name(families[i]),
			     (unsigned long long)info.bytes[0],
			     pkt_ip_bytes(&s));
	}
}

/* ---- UDP header --------------------------------------------------- */

Test(parse, udp_header_shorter_than_8_is_truncated_udp_header)
{
	static const size_t ipv4_cut[] = { 0, 1, 4, 7 };
	static const size_t ipv6_cut[] = { 1, 4, 7 };
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < sizeof(ipv4_cut) / sizeof(ipv4_cut[0]); i++) {
		pkt_spec_ab(&s, UDPCT_IPV4);
		s.trunc = true;
		s.trunc_len = ipv4_cut[i];
		expect_invalid(&s, UDPCT_REASON_TRUNCATED_UDP_HEADER,
			       "IPv4, short UDP header");
	}
	/* IPv6 payload length 0 is bad_ip_length, so start at 1 */
	for (i = 0; i < sizeof(ipv6_cut) / sizeof(ipv6_cut[0]); i++) {
		pkt_spec_ab(&s, UDPCT_IPV6);
		s.trunc = true;
		s.trunc_len = ipv6_cut[i];
		expect_invalid(&s, UDPCT_REASON_TRUNCATED_UDP_HEADER,
			       "IPv6, short UDP header");
	}
	/* after an extension header: the chain ends exactly at UDP */
	pkt_spec_ab(&s, UDPCT_IPV6);
	s.n_ext = 1;
	s.ext[0].type = PKT_PROTO_DSTOPTS;
	s.trunc = true;
	s.trunc_len = 8;
	expect_invalid(&s, UDPCT_REASON_TRUNCATED_UDP_HEADER,
		       "IPv6, Destination Options then nothing");
	s.trunc_len = 8 + 6;
	expect_invalid(&s, UDPCT_REASON_TRUNCATED_UDP_HEADER,
		       "IPv6, Destination Options then 6 bytes");
}

Test(parse, udp_length_beyond_payload_is_bad_udp_length)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.udp_len_set = true;
		s.udp_len = (uint16_t)(8 + s.payload_len + 1);
		expect_invalid(&s, UDPCT_REASON_BAD_UDP_LENGTH,
			       th_fam_name(families[i]));
		s.udp_len = 65535;
		expect_invalid(&s, UDPCT_REASON_BAD_UDP_LENGTH,
			       th_fam_name(families[i]));
	}
}

Test(parse, udp_length_below_8_is_bad_udp_length)
{
	static const uint16_t lens[] = { 0, 1, 4, 7 };
	struct pkt_spec s;
	size_t i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			pkt_spec_ab(&s, families[i]);
			s.udp_len_set = true;
			s.udp_len = lens[j];
			expect_invalid(&s, UDPCT_REASON_BAD_UDP_LENGTH,
				       th_fam_name(families[i]));
		}
	}
}

Test(parse, udp_header_only_datagram_is_tracked)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.payload_len = 0;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, ports_zero_are_tracked)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.sport = 0;
		s.dport = 0;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, ipv4_options_without_udp_header_is_truncated_udp_header)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.ip_opt_len = 12;
	s.trunc = true;
	s.trunc_len = 4;	/* the UDP header starts after the options */
	expect_invalid(&s, UDPCT_REASON_TRUNCATED_UDP_HEADER,
		       "IHL 8, 4 bytes after the options");
}

/* ---- order of the checks (spec 1, 5.1, 5.2) ----------------------- */

Test(parse, ip_header_is_checked_before_udp)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV4);
	s.bad_ip_csum = true;
	s.udp_len_set = true;
	s.udp_len = 3;
	s.csum = PKT_CSUM_BAD;
	expect_invalid(&s, UDPCT_REASON_BAD_IP_CHECKSUM,
		       "bad IP checksum and bad UDP");
}

Test(parse, fragments_are_refused_before_udp_validation)
{
	struct pkt_spec s;

	/* a first fragment's UDP checksum covers data not present */
	pkt_spec_ab(&s, UDPCT_IPV4);
	s.mf = true;
	s.csum = PKT_CSUM_BAD;
	expect_invalid(&s, UDPCT_REASON_FRAGMENT, "IPv4 first fragment");
	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
	s.ext[0].frag_more = true;
	s.csum = PKT_CSUM_BAD;
	s.udp_len_set = true;
	s.udp_len = 1000;	/* the whole datagram's length */
	expect_invalid(&s, UDPCT_REASON_FRAGMENT, "IPv6 first fragment");
}

Test(parse, udp_length_is_checked_before_the_checksum)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.udp_len_set = true;
		s.udp_len = 7;
		s.csum = PKT_CSUM_BAD;
		expect_invalid(&s, UDPCT_REASON_BAD_UDP_LENGTH,
			       th_fam_name(families[i]));
	}
}

/* ---- UDP checksum ------------------------------------------------- */

Test(parse, bad_udp_checksum_is_bad_checksum)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t i, n, l4;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.csum = PKT_CSUM_BAD;
		expect_invalid(&s, UDPCT_REASON_BAD_CHECKSUM,
			       th_fam_name(families[i]));

		/* correct checksum, then one payload bit flipped */
		pkt_spec_ab(&s, families[i]);
		n = pkt_build_udp(&s, buf, sizeof(buf));
		l4 = pkt_l4_offset(buf, n);
		buf[l4 + 8 + 3] ^= 0x10;
		ut_expect_invalid_buf(t, buf, n, UDPCT_REASON_BAD_CHECKSUM,
					 "payload bit flipped");

		/* pseudo-header: destination address changed (v4 header
		 * checksum fixed up by building with the other address) */
		pkt_spec_ab(&s, families[i]);
		s.csum = PKT_CSUM_RAW;
		{
			struct pkt_spec good;
			uint8_t gbuf[PKT_MAX];
			size_t gn;

			pkt_spec_ab(&good, families[i]);
			pkt_addr(good.daddr, families[i],
				 families[i] == UDPCT_IPV4 ? PKT_B4_2
							   : PKT_B6_2);
			gn = pkt_build_udp(&good, gbuf, sizeof(gbuf));
			l4 = pkt_l4_offset(gbuf, gn);
			s.udp_csum = (uint16_t)(gbuf[l4 + 6] << 8 |
						gbuf[l4 + 7]);
		}
		expect_invalid(&s, UDPCT_REASON_BAD_CHECKSUM,
			       "checksum of another destination");
	}
}

Test(parse, odd_length_payload_checksum_is_accepted)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.payload_len = 17;
		expect_new(&s, th_fam_name(families[i]));
		s.payload_len = 1;
		s.sport++;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, large_datagram_is_accepted)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.payload_len = 1400;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, zero_udp_checksum_is_valid_for_ipv4_and_ipv6)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.csum = PKT_CSUM_ZERO;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, ffff_checksum_is_valid_when_the_sum_is_zero)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t i, n, l4;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.csum = PKT_CSUM_FFFF;
		n = pkt_build_udp(&s, buf, sizeof(buf));
		l4 = pkt_l4_offset(buf, n);
		cr_assert_eq(buf[l4 + 6], 0xff);
		cr_assert_eq(buf[l4 + 7], 0xff);
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, ffff_checksum_on_a_nonzero_sum_is_bad_checksum)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t i, n, l4;

	for (i = 0; i < 2; i++) {
		/* the datagram's real checksum is not 0 (i.e. not 0xffff) */
		pkt_spec_ab(&s, families[i]);
		n = pkt_build_udp(&s, buf, sizeof(buf));
		l4 = pkt_l4_offset(buf, n);
		cr_assert(buf[l4 + 6] != 0xff || buf[l4 + 7] != 0xff);
		s.csum = PKT_CSUM_RAW;
		s.udp_csum = 0xffff;
		expect_invalid(&s, UDPCT_REASON_BAD_CHECKSUM,
			       th_fam_name(families[i]));
	}
}

Test(parse, udp_length_below_payload_is_accepted_with_full_checksum)
{
	struct pkt_spec s;
	size_t i;

	/* spec 5.2 step 2: the rest is ignored; the checksum covering the
	 * whole IP payload is the one the kernel accepts */
	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.trailer_len = 6;
		s.csum = PKT_CSUM_AUTO;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, udp_length_below_payload_with_zero_checksum_is_accepted)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.trailer_len = 6;
		s.csum = PKT_CSUM_ZERO;
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, rfc_checksum_over_udp_length_only_is_bad_checksum)
{
	struct pkt_spec s;
	size_t i;

	/* spec 5.2 quirk: the kernel sums the whole IP payload */
	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.trailer_len = 6;
		s.csum = PKT_CSUM_ULEN;
		expect_invalid(&s, UDPCT_REASON_BAD_CHECKSUM,
			       th_fam_name(families[i]));
	}
}

Test(parse, checksum_covers_ip_payload_not_link_padding)
{
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.pad_len = 7;	/* odd, non-zero padding bytes */
		expect_new(&s, th_fam_name(families[i]));
	}
}

Test(parse, no_checksum_config_accepts_bad_udp_checksums)
{
	struct udpct_table *nc = th_table(UDPCT_CFG_AUTO_COMMIT |
					  UDPCT_CFG_NO_CHECKSUM, 64);
	struct pkt_spec s;
	size_t i;

	cr_assert_not_null(nc);
	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.csum = PKT_CSUM_BAD;
		expect_new_in(nc, &s, "bad checksum");

		pkt_spec_ab(&s, families[i]);
		s.sport = 40001;
		s.trailer_len = 6;
		s.csum = PKT_CSUM_ULEN;
		expect_new_in(nc, &s, "RFC checksum with trailer");

		pkt_spec_ab(&s, families[i]);
		s.sport = 40002;
		s.csum = PKT_CSUM_RAW;
		s.udp_csum = 0xffff;
		expect_new_in(nc, &s, "0xffff on a non-zero sum");
	}
	udpct_table_free(nc);
}

Test(parse, no_checksum_config_still_validates_lengths)
{
	struct udpct_table *nc = th_table(UDPCT_CFG_AUTO_COMMIT |
					  UDPCT_CFG_NO_CHECKSUM, 64);
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t i, n;

	cr_assert_not_null(nc);
	for (i = 0; i < 2; i++) {
		pkt_spec_ab(&s, families[i]);
		s.udp_len_set = true;
		s.udp_len = 7;
		n = pkt_build_udp(&s, buf, sizeof(buf));
		ut_expect_invalid_buf(nc, buf, n, UDPCT_REASON_BAD_UDP_LENGTH,
				      "uh->len 7");
		pkt_spec_ab(&s, families[i]);
		s.trunc = true;
		s.trunc_len = 4;
		n = pkt_build_udp(&s, buf, sizeof(buf));
		ut_expect_invalid_buf(nc, buf, n,
				      UDPCT_REASON_TRUNCATED_UDP_HEADER,
				      "4 bytes of UDP");
	}
	udpct_table_free(nc);
}

/* ---- IPv6 extension headers --------------------------------------- */

Test(parse, ipv6_extension_headers_are_walked)
{
	static const struct {
		uint8_t type;
		uint8_t len;
		const char *what;
	} one[] = {
		{ PKT_PROTO_HOPOPTS, 0, "Hop-by-Hop" },
		{ PKT_PROTO_HOPOPTS, 20, "Hop-by-Hop, 168 bytes" },
		{ PKT_PROTO_DSTOPTS, 0, "Destination Options" },
		{ PKT_PROTO_DSTOPTS, 3, "Destination Options, 32 bytes" },
		{ PKT_PROTO_ROUTING, 0, "Routing" },
		{ PKT_PROTO_ROUTING, 2, "Routing, 24 bytes" },
		{ PKT_PROTO_AH, 4, "AH, 24 bytes" },
	};
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		pkt_spec_ab(&s, UDPCT_IPV6);
		s.sport = (uint16_t)(2000 + i);
		pkt_spec_add_ext(&s, one[i].type, one[i].len);
		expect_new(&s, one[i].what);
	}
}

Test(parse, ipv6_extension_header_chain_is_walked)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_HOPOPTS, 0);
	pkt_spec_add_ext(&s, PKT_PROTO_DSTOPTS, 1);
	pkt_spec_add_ext(&s, PKT_PROTO_ROUTING, 0);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0); /* atomic fragment */
	pkt_spec_add_ext(&s, PKT_PROTO_AH, 2);
	pkt_spec_add_ext(&s, PKT_PROTO_DSTOPTS, 0);
	s.payload_len = 33;
	expect_new(&s, "six extension headers");
}

Test(parse, ipv6_atomic_fragment_is_tracked_normally)
{
	struct udpct_verdict v, r;
	struct pkt_spec s, reply;

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
	s.ext[0].frag_id = 0xdeadbeef;
	expect_new(&s, "atomic fragment");

	/* and it is the same flow as the unfragmented datagrams */
	cr_assert_eq(th_classify(t, &s, TH_T0, &v), 0);
	pkt_spec_reply(&reply, &s);
	cr_assert_eq(th_classify(t, &reply, TH_T0 + 1, &r), 0);
	cr_assert_eq(r.state, UDPCT_ESTABLISHED, "reply state %s",
		     udpct_state_name(r.state));
	cr_assert_eq(r.dir, UDPCT_DIR_REPLY);
	cr_assert_eq(r.flow, v.flow);
}

Test(parse, ipv6_truncated_extension_chain_is_bad_extension_header)
{
	struct pkt_spec s;

	/* 16-byte Hop-by-Hop, 8 bytes present */
	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_HOPOPTS, 1);
	s.trunc = true;
	s.trunc_len = 8;
	expect_invalid(&s, UDPCT_REASON_BAD_EXTENSION_HEADER,
		       "Hop-by-Hop cut in the middle");
	/* not even the two-byte header */
	s.trunc_len = 1;
	expect_invalid(&s, UDPCT_REASON_BAD_EXTENSION_HEADER,
		       "Hop-by-Hop, 1 byte");

	/* second header of the chain cut */
	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_HOPOPTS, 0);
	pkt_spec_add_ext(&s, PKT_PROTO_DSTOPTS, 1);
	s.trunc = true;
	s.trunc_len = 8 + 10;
	expect_invalid(&s, UDPCT_REASON_BAD_EXTENSION_HEADER,
		       "Destination Options cut");

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_ROUTING, 2);
	s.trunc = true;
	s.trunc_len = 16;
	expect_invalid(&s, UDPCT_REASON_BAD_EXTENSION_HEADER,
		       "Routing cut");

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
	s.trunc = true;
	s.trunc_len = 4;
	expect_invalid(&s, UDPCT_REASON_BAD_EXTENSION_HEADER,
		       "Fragment cut");

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_AH, 4);
	s.trunc = true;
	s.trunc_len = 12;
	expect_invalid(&s, UDPCT_REASON_BAD_EXTENSION_HEADER, "AH cut");
}

Test(parse, ipv6_fragment_with_more_flag_is_fragment)
{
	struct pkt_spec s;

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
	s.ext[0].frag_more = true;
	expect_invalid(&s, UDPCT_REASON_FRAGMENT, "first fragment");

	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_HOPOPTS, 0);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
	s.ext[1].frag_more = true;
	expect_invalid(&s, UDPCT_REASON_FRAGMENT,
		       "first fragment after Hop-by-Hop");
}

Test(parse, ipv6_fragment_offset_is_non_first_fragment)
{
	static const uint16_t offs[] = { 1, 185, 8191 };
	struct pkt_spec s;
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		pkt_spec_ab(&s, UDPCT_IPV6);
		pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
		s.ext[0].frag_off = offs[i];
		expect_invalid(&s, UDPCT_REASON_NON_FIRST_FRAGMENT,
			       "last fragment");
		s.ext[0].frag_more = true;
		expect_invalid(&s, UDPCT_REASON_NON_FIRST_FRAGMENT,
			       "middle fragment");
	}
	pkt_spec_ab(&s, UDPCT_IPV6);
	pkt_spec_add_ext(&s, PKT_PROTO_DSTOPTS, 0);
	pkt_spec_add_ext(&s, PKT_PROTO_FRAGMENT, 0);
	s.ext[1].frag_off = 100;
	expect_invalid(&s, UDPCT_REASON_NON_FIRST_FRAGMENT,
		       "fragment after Destination Options");
}

/* ---- not UDP: IGNORED --------------------------------------------- */

static void
expect_ignored_proto(uint8_t family, uint8_t proto, size_t l4len,
		     bool with_ext)
{
	struct pkt_spec s;
	uint8_t buf[PKT_MAX];
	size_t n;

	pkt_spec_ab(&s, family);
	s.proto = proto;
	s.payload_len = l4len;
	if (with_ext)
		pkt_spec_add_ext(&s, PKT_PROTO_DSTOPTS, 0);
	n = pkt_build_udp(&s, buf, sizeof(buf));
	cr_assert_gt(n, 0);
	expect_ignored_buf(buf, n, th_fam_name(family));
}

Test(parse, tcp_is_ignored)
{
	expect_ignored_proto(UDPCT_IPV4, PKT_PROTO_TCP, 20, false);
	expect_ignored_proto(UDPCT_IPV6, PKT_PROTO_TCP, 20, false);
	expect_ignored_proto(UDPCT_IPV6, PKT_PROTO_TCP, 20, true);
}

Test(parse, esp_is_ignored)
{
	expect_ignored_proto(UDPCT_IPV4, PKT_PROTO_ESP, 40, false);
	expect_ignored_proto(UDPCT_IPV6, PKT_PROTO_ESP, 40, false);
	expect_ignored_proto(UDPCT_IPV6, PKT_PROTO_ESP, 40, true);
}

Test(parse, icmp_echo_is_ignored)
{
	uint8_t buf[PKT_MAX];
	size_t n;

	n = pkt_build_icmp_echo(UDPCT_IPV4, PKT_A4, PKT_B4, 1, 1, false, buf,
				sizeof(buf));
	expect_ignored_buf(buf, n, "ICMP echo request");
	n = pkt_build_icmp_echo(UDPCT_IPV4, PKT_B4, PKT_A4, 1, 1, true, buf,
				sizeof(buf));
	expect_ignored_buf(buf, n, "ICMP echo reply");
	n = pkt_build_icmp_echo(UDPCT_IPV6, PKT_A6, PKT_B6, 1, 1, false, buf,
				sizeof(buf));
	expect_ignored_buf(buf, n, "ICMPv6 echo request");
	n = pkt_build_icmp_echo(UDPCT_IPV6, PKT_B6, PKT_A6, 1, 1, true, buf,
				sizeof(buf));
	expect_ignored_buf(buf, n, "ICMPv6 echo reply");
}
