// SPDX-License-Identifier: MIT
/*
 * test_helper_tftp.c - the TFTP helper (spec 6c, section 11 rows 17 and
 * 18), IPv4 and IPv6: the observed read and write sequences with the
 * server answering from a new port, which opcodes create an expectation,
 * the 300 s expectation timeout, the master dying first, one expectation
 * per master, an overlap with another master, the table's expectation
 * limit, and an INVALID packet consuming the expectation.
 *
 * A = client, B = server, B2 = another server.  The table commits by hand
 * (a firewall that accepts every packet), so that the helper's return
 * value is visible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "unit.h"

static struct udpct_table *t;

static void
setup_with(uint32_t expect_max, uint16_t port)
{
	struct udpct_config cfg;
	struct udpct_helper h;

	udpct_config_init(&cfg);
	cfg.flags = UDPCT_CFG_FIXED_SEED | UDPCT_CFG_ACCOUNTING;
	cfg.hash_seed = TH_SEED;
	cfg.capacity = 1024;
	cfg.expect_max = expect_max;
	cr_assert_eq(udpct_table_new(&cfg, &t), 0);
	udpct_helper_tftp(&h, port);
	cr_assert_eq(udpct_helper_register(t, &h), 0);
}

static void
setup(void)
{
	setup_with(0, 0);
}

static void
teardown(void)
{
	udpct_table_free(t);
}

TestSuite(tftp, .init = setup, .fini = teardown);

/* TFTP opcodes (RFC 1350), big-endian, right after the UDP header. */
static const uint8_t rrq[] = { 0, 1, 'f', 'i', 'l', 'e', 0,
			       'o', 'c', 't', 'e', 't', 0 };
static const uint8_t wrq[] = { 0, 2, 'u', 'p', 0, 'o', 'c', 't', 'e', 't',
			       0 };
static const uint8_t data1[] = { 0, 3, 0, 1, 'd', 'a', 't', 'a' };
static const uint8_t ack0[] = { 0, 4, 0, 0 };
static const uint8_t ack1[] = { 0, 4, 0, 1 };
static const uint8_t err[] = { 0, 5, 0, 1, 'n', 'o', 0 };

/* @src:@sport -> @dst:@dport carrying @payload. */
static void
pkt(struct pkt_spec *s, uint8_t fam, const char *src, uint16_t sport,
    const char *dst, uint16_t dport, const uint8_t *payload, size_t len)
{
	pkt_spec_udp(s, fam, src, sport, dst, dport);
	s->payload = payload;
	s->payload_len = len;
}

/*
 * Spec 6c, observed sequence, exactly: RRQ A:3000 -> B:69 NEW
 * (+expectation); DATA B:4000 -> A:3000 RELATED (original direction of a
 * new child flow; the expectation is used up); DATA again RELATED; ACK
 * A:3000 -> B:4000 ESTABLISHED (reply); DATA ESTABLISHED; a second server
 * port B:4001 -> A:3000 NEW (one-shot consumed); DATA from another host
 * B2:4000 -> A:3000 NEW; the master stays unreplied with helper=tftp.
 */
static void
read_request_sequence_of_spec_6c(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req, data, ack, other;
	struct udpct_flow_info mi, ci;
	struct udpct_flow *m, *c;
	struct udpct_stats st;

	pkt(&req, fam, h->a, 3000, h->b, 69, rrq, sizeof(rrq));
	pkt(&data, fam, h->b, 4000, h->a, 3000, data1, sizeof(data1));
	pkt(&ack, fam, h->a, 3000, h->b, 4000, ack1, sizeof(ack1));

	m = ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1, "the RRQ expects the answer");
	c = ut_accept(t, &data, TH_T0 + TH_MSEC(14), UDPCT_RELATED,
			 UDPCT_DIR_ORIGINAL, "DATA from a new port");
	cr_assert_neq(c, m);
	cr_assert_eq(ut_accept(t, &data, TH_T0 + TH_MSEC(15), UDPCT_RELATED,
				  UDPCT_DIR_ORIGINAL, "DATA again"), c);
	cr_assert_eq(ut_accept(t, &ack, TH_T0 + TH_MSEC(16), UDPCT_ESTABLISHED,
				  UDPCT_DIR_REPLY, "ACK"), c);
	cr_assert_eq(ut_accept(t, &data, TH_T0 + TH_MSEC(17), UDPCT_ESTABLISHED,
				  UDPCT_DIR_ORIGINAL, "next DATA"), c);
	pkt(&other, fam, h->b, 4001, h->a, 3000, data1, sizeof(data1));
	ut_accept(t, &other, TH_T0 + TH_MSEC(18), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "second server port: the expectation was one-shot");
	pkt(&other, fam, h->b2, 4000, h->a, 3000, data1, sizeof(data1));
	ut_accept(t, &other, TH_T0 + TH_MSEC(19), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "another host");

	ut_flow_info(t, m, &mi);
	cr_assert_eq(mi.status & UDPCT_STATUS_SEEN_REPLY, 0,
		     "the master stays [UNREPLIED]");
	cr_assert_str_eq(mi.helper, "tftp");
	cr_assert_eq(mi.packets[UDPCT_DIR_ORIGINAL], 1);
	cr_assert_eq(mi.packets[UDPCT_DIR_REPLY], 0);
	ut_flow_info(t, c, &ci);
	cr_assert_neq(ci.status & UDPCT_STATUS_EXPECTED, 0);
	cr_assert_neq(ci.status & UDPCT_STATUS_SEEN_REPLY, 0);
	cr_assert_null(ci.helper, "the TFTP expectation has no helper");
	cr_assert_eq(ci.packets[UDPCT_DIR_ORIGINAL], 3);
	cr_assert_eq(ci.packets[UDPCT_DIR_REPLY], 1);
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1, "DATA and ACK create nothing");
	cr_assert_eq(st.expect_matched, 1);
	cr_assert_eq(st.inserted, 4);
}
TEST_BOTH(tftp, read_request_sequence_of_spec_6c)

/*
 * A write: WRQ A:3001 -> B:69 NEW; the server's ACK 0 from a new port
 * RELATED; the client's DATA ESTABLISHED (reply); the server's ACK 1
 * ESTABLISHED.
 */
static void
write_request_sequence(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req, a0, d, a1;
	struct udpct_flow *c;

	pkt(&req, fam, h->a, 3001, h->b, 69, wrq, sizeof(wrq));
	pkt(&a0, fam, h->b, 2087, h->a, 3001, ack0, sizeof(ack0));
	pkt(&d, fam, h->a, 3001, h->b, 2087, data1, sizeof(data1));
	pkt(&a1, fam, h->b, 2087, h->a, 3001, ack1, sizeof(ack1));
	ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "WRQ");
	c = ut_accept(t, &a0, TH_T0 + TH_MSEC(50), UDPCT_RELATED,
			 UDPCT_DIR_ORIGINAL, "ACK 0 from a new port");
	cr_assert_eq(ut_accept(t, &d, TH_T0 + TH_MSEC(54), UDPCT_ESTABLISHED,
				  UDPCT_DIR_REPLY, "DATA 1"), c);
	cr_assert_eq(ut_accept(t, &a1, TH_T0 + TH_MSEC(55), UDPCT_ESTABLISHED,
				  UDPCT_DIR_ORIGINAL, "ACK 1"), c);
}
TEST_BOTH(tftp, write_request_sequence)

/*
 * Spec 6c: only opcodes 1 and 2 create an expectation; DATA, ACK, ERROR,
 * unknown opcodes and payloads shorter than 2 bytes do nothing.
 */
static void
other_opcodes_expect_nothing(uint8_t fam)
{
	static const uint8_t unknown[] = { 0, 9, 1, 2 };
	static const uint8_t swapped[] = { 1, 0 };	/* opcode 256 */
	static const uint8_t one[] = { 1 };
	static const struct {
		const uint8_t *p;
		size_t len;
	} cases[] = {
		{ data1, sizeof(data1) }, { ack1, sizeof(ack1) },
		{ err, sizeof(err) }, { unknown, sizeof(unknown) },
		{ swapped, sizeof(swapped) }, { one, sizeof(one) },
		{ NULL, 0 },
	};
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req, d;
	struct udpct_stats st;
	uint16_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pkt(&req, fam, h->a, (uint16_t)(3000 + i), h->b, 69,
		    cases[i].p, cases[i].len);
		ut_accept(t, &req, TH_T0 + i, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			     "not a request");
		pkt(&d, fam, h->b, 4000, h->a, (uint16_t)(3000 + i), data1,
		    sizeof(data1));
		ut_accept(t, &d, TH_T0 + 100 + i, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			     "nothing expected");
	}
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 0);
	cr_assert_eq(st.expect_failed, 0);
}
TEST_BOTH(tftp, other_opcodes_expect_nothing)

/*
 * Spec 6c: the helper runs on packets in either direction of the master:
 * an RRQ-shaped packet from the server on the master's reply direction
 * creates the same expectation (from the master's reply tuple).
 */
Test(tftp, request_opcode_in_the_reply_direction_expects_too)
{
	struct pkt_spec req, rep, d;
	struct udpct_stats st;

	pkt(&req, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, err, sizeof(err));
	pkt(&rep, UDPCT_IPV4, PKT_B4, 69, PKT_A4, 3000, rrq, sizeof(rrq));
	ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "not a request");
	ut_accept(t, &rep, TH_T0 + 1, UDPCT_ESTABLISHED, UDPCT_DIR_REPLY,
		     "request opcode from the server");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4, 3000, data1, sizeof(data1));
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "DATA");
}

/*
 * Without the helper the same exchange has no RELATED at all: the server's
 * answer from a new port is an unrelated NEW flow (what a firewall that
 * accepts only ESTABLISHED,RELATED drops).
 */
Test(tftp, without_the_helper_the_answer_is_new)
{
	struct udpct_table *plain = th_table(0, 64);
	struct pkt_spec req, d;
	struct udpct_verdict v;

	cr_assert_not_null(plain);
	pkt(&req, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4, 3000, data1, sizeof(data1));
	cr_assert_eq(ut_classify(plain, &req, TH_T0, &v), 0);
	cr_assert_eq(udpct_commit(plain, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ");
	cr_assert_eq(ut_classify(plain, &d, TH_T0 + 1, &v), 0);
	cr_assert_eq(udpct_commit(plain, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "DATA, no helper");
	udpct_table_free(plain);
}

/* udpct_helper_tftp(h, PORT): the helper attaches to that port only. */
Test(tftp, custom_port_helper_attaches_to_its_port_only)
{
	struct pkt_spec req, d;
	struct udpct_flow_info info;
	struct udpct_flow *m;

	udpct_table_free(t);			/* a table with tftp:6969 */
	setup_with(0, 6969);
	pkt(&req, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	m = ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		      "RRQ to 69");
	ut_flow_info(t, m, &info);
	cr_assert_null(info.helper);
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4, 3000, data1, sizeof(data1));
	ut_accept(t, &d, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "DATA");
	pkt(&req, UDPCT_IPV4, PKT_A4, 3001, PKT_B4, 6969, rrq, sizeof(rrq));
	m = ut_accept(t, &req, TH_T0 + 2, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			 "RRQ to 6969");
	ut_flow_info(t, m, &info);
	cr_assert_str_eq(info.helper, "tftp");
	pkt(&d, UDPCT_IPV4, PKT_B4, 4001, PKT_A4, 3001, data1, sizeof(data1));
	ut_accept(t, &d, TH_T0 + 3, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "DATA");
}

/*
 * Spec 6c: the expectation lasts 300 s.  Three clients, masters kept
 * alive by non-request packets (ERROR, which the helper ignores), so that
 * only the expectation's timer matters: an answer 1 ns before 300 s is
 * RELATED, one after 300 s (plus a tick) NEW, reaped or not.
 */
static void
expectation_times_out_after_300s(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req[3], keep[3], d[3];
	uint64_t now;
	int i;

	for (i = 0; i < 3; i++) {
		pkt(&req[i], fam, h->a, (uint16_t)(3000 + i), h->b, 69, rrq,
		    sizeof(rrq));
		pkt(&keep[i], fam, h->a, (uint16_t)(3000 + i), h->b, 69, err,
		    sizeof(err));
		pkt(&d[i], fam, h->b, 4000, h->a, (uint16_t)(3000 + i),
		    data1, sizeof(data1));
		ut_accept(t, &req[i], TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			  "RRQ");
	}
	for (now = TH_T0 + TH_SEC(25); now < TH_T0 + TH_SEC(300);
	     now += TH_SEC(25)) {
		for (i = 0; i < 3; i++)
			ut_accept(t, &keep[i], now, UDPCT_NEW,
				  UDPCT_DIR_ORIGINAL,
				     "keepalive");
		cr_assert_geq(udpct_table_advance(t, now, 0, NULL, NULL), 0);
	}
	ut_accept(t, &d[0], TH_T0 + TH_SEC(300) - 1, UDPCT_RELATED,
		     UDPCT_DIR_ORIGINAL, "299.999999999 s");
	ut_accept(t, &d[1], TH_T0 + TH_SEC(300) + TH_TICK_NS, UDPCT_NEW,
		     UDPCT_DIR_ORIGINAL, "300 s + a tick, not reaped");
	cr_assert_geq(udpct_table_advance(t, TH_T0 + TH_SEC(301), 0, NULL,
					  NULL), 0);
	ut_accept(t, &d[2], TH_T0 + TH_SEC(301), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "301 s, reaped");
}
TEST_BOTH(tftp, expectation_times_out_after_300s)

/*
 * Spec 6b: re-sending the request re-arms the one expectation (timer back
 * to 300 s): client 0 repeats its RRQ at 20 s, client 1 does not.
 */
static void
repeated_request_restarts_the_300s(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req[2], keep[2], d[2];
	struct udpct_stats st;
	uint64_t now;
	int i;

	for (i = 0; i < 2; i++) {
		pkt(&req[i], fam, h->a, (uint16_t)(3000 + i), h->b, 69, rrq,
		    sizeof(rrq));
		pkt(&keep[i], fam, h->a, (uint16_t)(3000 + i), h->b, 69, err,
		    sizeof(err));
		pkt(&d[i], fam, h->b, 4000, h->a, (uint16_t)(3000 + i),
		    data1, sizeof(data1));
		ut_accept(t, &req[i], TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			  "RRQ");
	}
	ut_accept(t, &req[0], TH_T0 + TH_SEC(20), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "RRQ again");
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 3);
	cr_assert_eq(st.expect_failed, 0, "re-arming is not an overlap");
	for (now = TH_T0 + TH_SEC(25); now < TH_T0 + TH_SEC(310);
	     now += TH_SEC(25)) {
		for (i = 0; i < 2; i++)
			ut_accept(t, &keep[i], now, UDPCT_NEW,
				  UDPCT_DIR_ORIGINAL,
				     "keepalive");
		cr_assert_geq(udpct_table_advance(t, now, 0, NULL, NULL), 0);
	}
	ut_accept(t, &d[1], TH_T0 + TH_SEC(310), UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		     "310 s: client 1's expectation is gone");
	ut_accept(t, &d[0], TH_T0 + TH_SEC(310), UDPCT_RELATED,
		  UDPCT_DIR_ORIGINAL,
		     "310 s: client 0's was re-armed at 20 s");
}
TEST_BOTH(tftp, repeated_request_restarts_the_300s)

/*
 * Spec 6c policy max_expected = 1: a second request from the same master
 * (here a WRQ after the RRQ) leaves one expectation, so one answer only.
 */
Test(tftp, one_expectation_per_master)
{
	struct pkt_spec r, w, d;

	pkt(&r, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	pkt(&w, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, wrq, sizeof(wrq));
	ut_accept(t, &r, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ");
	ut_accept(t, &w, TH_T0 + 1, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "WRQ");
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4, 3000, data1, sizeof(data1));
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL, "first");
	pkt(&d, UDPCT_IPV4, PKT_B4, 4001, PKT_A4, 3000, ack0, sizeof(ack0));
	ut_accept(t, &d, TH_T0 + 3, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "second");
}

/*
 * Spec 6b, "deleted is not expired": the RRQ master (unreplied, 30 s)
 * expires long before its expectation (300 s).  Until the master is
 * reaped the expectation still matches (the kernel: DATA 0.3 s after the
 * master's timeout was RELATED); once udpct_table_advance() has reaped it,
 * the expectation is gone and the answer is NEW.
 */
static void
master_expiring_first_takes_the_expectation_when_reaped(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req[2], d[2];
	struct udpct_flow_info info;
	struct udpct_flow *m;
	int i;

	for (i = 0; i < 2; i++) {
		pkt(&req[i], fam, h->a, (uint16_t)(3000 + i), h->b, 69, rrq,
		    sizeof(rrq));
		pkt(&d[i], fam, h->b, 4000, h->a, (uint16_t)(3000 + i),
		    data1, sizeof(data1));
	}
	m = ut_accept(t, &req[0], TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		      "RRQ 0");
	ut_accept(t, &req[1], TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ 1");
	ut_flow_info(t, m, &info);
	ut_accept(t, &d[0], info.deadline_ns + TH_MSEC(300), UDPCT_RELATED,
		     UDPCT_DIR_ORIGINAL, "0.3 s after the master's deadline, "
		     "before any reap");
	cr_assert_eq(udpct_table_advance(t, info.deadline_ns + TH_MSEC(300),
					 0, NULL, NULL), 2,
		     "both masters are reaped");
	ut_accept(t, &d[1], info.deadline_ns + TH_MSEC(400), UDPCT_NEW,
		     UDPCT_DIR_ORIGINAL, "after the reap");
}
TEST_BOTH(tftp, master_expiring_first_takes_the_expectation_when_reaped)

/*
 * Spec 11 row 18: RRQ N; DATA with a bad checksum I (and the expectation
 * is consumed); valid DATA N.
 */
static void
invalid_data_consumes_the_expectation(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req, d;
	struct udpct_verdict v;

	pkt(&req, fam, h->a, 3000, h->b, 69, rrq, sizeof(rrq));
	pkt(&d, fam, h->b, 4000, h->a, 3000, data1, sizeof(data1));
	ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ");
	d.csum = PKT_CSUM_BAD;
	cr_assert_eq(ut_classify(t, &d, TH_T0 + 1, &v), 0);
	ut_state_dir_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE,
			"DATA, bad checksum");
	cr_assert_eq(v.reason, UDPCT_REASON_BAD_CHECKSUM);
	cr_assert_eq(udpct_commit(t, &v), 0);
	d.csum = PKT_CSUM_AUTO;
	ut_accept(t, &d, TH_T0 + 2, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "valid DATA");
}
TEST_BOTH(tftp, invalid_data_consumes_the_expectation)

/*
 * Spec 6b: an overlapping expectation of another master is -EBUSY.  Two
 * TFTP helpers (69 and 6969); the same client port asks both servers'
 * ports on B: both would expect B:* -> A:3000.  The second request's
 * helper fails and udpct_commit() returns -EBUSY (the kernel drops it).
 */
Test(tftp, overlapping_request_to_another_port_is_ebusy)
{
	struct udpct_helper h;
	struct pkt_spec r1, r2, d;
	struct udpct_verdict v;
	struct udpct_stats st;

	udpct_helper_tftp(&h, 6969);
	cr_assert_eq(udpct_helper_register(t, &h), 0);
	pkt(&r1, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	pkt(&r2, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 6969, rrq, sizeof(rrq));
	ut_accept(t, &r1, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ to 69");
	cr_assert_eq(ut_classify(t, &r2, TH_T0 + 1, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ to 6969");
	cr_assert_eq(udpct_commit(t, &v), -EBUSY);
	ut_stats(t, &st);
	cr_assert_eq(st.expect_new, 1);
	cr_assert_eq(st.expect_failed, 1);
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4, 3000, data1, sizeof(data1));
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		     "the first request's expectation is intact");
}

/* The same with UDPCT_CFG_AUTO_COMMIT: INVALID helper_refused. */
Test(tftp, refused_request_with_auto_commit_is_invalid)
{
	struct udpct_helper h;
	struct pkt_spec r1, r2;
	struct udpct_verdict v;

	udpct_table_free(t);
	t = th_table(UDPCT_CFG_AUTO_COMMIT, 64);
	cr_assert_not_null(t);
	udpct_helper_tftp(&h, 69);
	cr_assert_eq(udpct_helper_register(t, &h), 0);
	udpct_helper_tftp(&h, 6969);
	cr_assert_eq(udpct_helper_register(t, &h), 0);
	pkt(&r1, UDPCT_IPV6, PKT_A6, 3000, PKT_B6, 69, rrq, sizeof(rrq));
	pkt(&r2, UDPCT_IPV6, PKT_A6, 3000, PKT_B6, 6969, rrq, sizeof(rrq));
	cr_assert_eq(ut_classify(t, &r1, TH_T0, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ to 69");
	cr_assert_eq(ut_classify(t, &r2, TH_T0 + 1, &v), 0);
	ut_state_dir_is(&v, UDPCT_INVALID, UDPCT_DIR_NONE, "RRQ to 6969");
	cr_assert_eq(v.reason, UDPCT_REASON_HELPER_REFUSED);
}

/*
 * Spec 6b (nf_conntrack_expect_max) and 6c ("if nf_ct_expect_related()
 * fails the request packet is dropped"): with room for one expectation,
 * a second client's RRQ is refused with -ENOSPC.
 */
Test(tftp, request_beyond_expect_max_is_refused_with_enospc)
{
	struct pkt_spec r1, r2, d;
	struct udpct_verdict v;
	struct udpct_stats st;

	udpct_table_free(t);			/* room for 1 expectation */
	setup_with(1, 0);
	pkt(&r1, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	pkt(&r2, UDPCT_IPV4, PKT_A4_2, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	ut_accept(t, &r1, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ 1");
	cr_assert_eq(ut_classify(t, &r2, TH_T0 + 1, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ 2");
	cr_assert_eq(udpct_commit(t, &v), -ENOSPC);
	ut_stats(t, &st);
	cr_assert_eq(st.expect_failed, 1);
	/* client 1's transfer works; then client 2 may retry */
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4, 3000, data1, sizeof(data1));
	ut_accept(t, &d, TH_T0 + 2, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		  "client 1");
	ut_accept(t, &r2, TH_T0 + 3, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
		  "RRQ 2 again");
	pkt(&d, UDPCT_IPV4, PKT_B4, 4000, PKT_A4_2, 3000, data1,
	    sizeof(data1));
	ut_accept(t, &d, TH_T0 + 4, UDPCT_RELATED, UDPCT_DIR_ORIGINAL,
		  "client 2");
}

/*
 * Spec 8 and 6b: a lookup that meets an expired entry deletes it on the
 * spot (nf_ct_gc_expired), and deleting a master removes its
 * expectations.  A client that repeats its RRQ from the same port after
 * the first master expired therefore gets a fresh master and a fresh
 * expectation in the kernel: RRQ NEW, accepted; DATA RELATED.
 * Regression: the old master's expectation once outlived it until
 * udpct_table_advance() reaped it, and the new master's identical one was
 * refused as another master's (-EBUSY).
 */
static void
repeated_request_after_the_master_expired_is_accepted(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req, d;
	struct udpct_flow_info info;
	struct udpct_flow *m;

	pkt(&req, fam, h->a, 3000, h->b, 69, rrq, sizeof(rrq));
	pkt(&d, fam, h->b, 4000, h->a, 3000, data1, sizeof(data1));
	m = ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ");
	ut_flow_info(t, m, &info);
	ut_accept(t, &req, info.deadline_ns + TH_SEC(1), UDPCT_NEW,
		     UDPCT_DIR_ORIGINAL, "RRQ after the master expired");
	ut_accept(t, &d, info.deadline_ns + TH_SEC(2), UDPCT_RELATED,
		     UDPCT_DIR_ORIGINAL, "DATA");
}
TEST_BOTH(tftp, repeated_request_after_the_master_expired_is_accepted)

/*
 * The same root cause without a second request: any new packet on the
 * expired master's own tuple (here an ERROR, which the helper ignores) is
 * a lookup that meets the master, so the kernel deletes it and its
 * expectation; the server's DATA afterwards is NEW.
 * Regression: the expectation once lived on until udpct_table_advance()
 * reaped the master, and the DATA was RELATED.  (Before any such lookup
 * the DATA is RELATED in both: "deleted is not expired".)
 */
static void
packet_on_the_expired_master_tuple_deletes_its_expectation(uint8_t fam)
{
	const struct pkt_hosts *h = pkt_hosts(fam);
	struct pkt_spec req, e, d;
	struct udpct_flow_info info;
	struct udpct_flow *m;

	pkt(&req, fam, h->a, 3000, h->b, 69, rrq, sizeof(rrq));
	pkt(&e, fam, h->a, 3000, h->b, 69, err, sizeof(err));
	pkt(&d, fam, h->b, 4000, h->a, 3000, data1, sizeof(data1));
	m = ut_accept(t, &req, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ");
	ut_flow_info(t, m, &info);
	ut_accept(t, &e, info.deadline_ns + TH_SEC(1), UDPCT_NEW,
		     UDPCT_DIR_ORIGINAL, "ERROR on the expired master's tuple");
	ut_accept(t, &d, info.deadline_ns + TH_SEC(2), UDPCT_NEW,
		     UDPCT_DIR_ORIGINAL, "DATA: the old master was deleted");
}
TEST_BOTH(tftp, packet_on_the_expired_master_tuple_deletes_its_expectation)

/*
 * Spec 1 step 4 and 6c: "if nf_ct_expect_related() fails the request
 * packet is dropped", before confirmation: the kernel keeps no entry for
 * it, so the server's answer from port 69 is NEW.
 * Regression: the refused request's flow once stayed in the table and
 * the answer was ESTABLISHED (reply).
 */
Test(tftp, refused_request_leaves_no_flow)
{
	struct pkt_spec r1, r2, ans;
	struct udpct_verdict v;
	struct udpct_stats st;

	udpct_table_free(t);			/* room for 1 expectation */
	setup_with(1, 0);
	pkt(&r1, UDPCT_IPV4, PKT_A4, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	pkt(&r2, UDPCT_IPV4, PKT_A4_2, 3000, PKT_B4, 69, rrq, sizeof(rrq));
	pkt(&ans, UDPCT_IPV4, PKT_B4, 69, PKT_A4_2, 3000, err, sizeof(err));
	ut_accept(t, &r1, TH_T0, UDPCT_NEW, UDPCT_DIR_ORIGINAL, "RRQ 1");
	cr_assert_eq(ut_classify(t, &r2, TH_T0 + 1, &v), 0);
	cr_assert_eq(udpct_commit(t, &v), -ENOSPC);
	ut_stats(t, &st);
	cr_assert_eq(st.inserted, 1, "the refused request was inserted");
	cr_assert_eq(ut_classify(t, &ans, TH_T0 + 2, &v), 0);
	ut_state_dir_is(&v, UDPCT_NEW, UDPCT_DIR_ORIGINAL,
			"answer to a dropped request");
}
