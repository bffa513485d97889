/* SPDX-License-Identifier: MIT */
/*
 * fuzz_classify: a sequence of packets with time steps, replayed against
 * one small table with the TFTP and NetBIOS-NS helpers on, so that early
 * drop, expiry, expectations and clashes all happen.  Record format:
 *   u8 flags (bit 0: commit, bit 1: advance first, bit 2 of the first
 *   record: a table with UDPCT_CFG_ACCOUNTING), u8 time step in 10 ms
 *   units, u16 length (LE), then that many bytes of L3 packet.
 * Invariants after every step: verdicts well-formed, and the books balance:
 * committed = live + expired + early-dropped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <udpct/udpct.h>

#include "fuzz.h"

#define MS 1000000ull

static void
books(struct udpct_table *t)
{
	struct udpct_stats st;

	if (udpct_table_get_stats(t, &st))
		abort();
	if (st.inserted != st.live + st.expired + st.early_drop)
		abort();
	if (st.live > st.capacity)
		abort();
}

static struct udpct_table *
make_table(uint32_t flags)
{
	struct udpct_config cfg;
	struct udpct_helper h;
	struct udpct_table *t;

	udpct_config_init(&cfg);
	cfg.capacity = 16;
	cfg.expect_max = 8;
	cfg.flags = UDPCT_CFG_FIXED_SEED | flags;
	cfg.udp_timeout_ns = 300 * MS;
	cfg.udp_timeout_stream_ns = 1200 * MS;
	if (udpct_table_new(&cfg, &t))
		abort();
	udpct_helper_tftp(&h, 0);
	if (udpct_helper_register(t, &h))
		abort();
	/* 192.0.2.0/24 */
	udpct_helper_netbios_ns(&h, 0x000200c0u, 24, 0, 50 * MS);
	if (udpct_helper_register(t, &h))
		abort();
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udpct_table *t =
		make_table(size && (data[0] & 4) ? UDPCT_CFG_ACCOUNTING : 0);
	struct udpct_verdict v;
	uint64_t now = 1000 * MS;
	size_t off = 0, len;

	while (off + 4 <= size) {
		uint8_t flags = data[off];

		now += data[off + 1] * 10 * MS;
		len = (size_t)data[off + 2] | (size_t)data[off + 3] << 8;
		off += 4;
		if (len > size - off)
			len = size - off;
		if ((flags & 2) && udpct_table_advance(t, now, 4, NULL,
						       NULL) < 0)
			abort();
		if (udpct_classify(t, data + off, len, now, &v))
			abort();
		if ((v.state == UDPCT_INVALID) !=
		    (v.reason != UDPCT_REASON_NONE))
			abort();
		if ((flags & 1) && udpct_commit(t, &v) == 0 &&
		    (v.state == UDPCT_NEW || v.state == UDPCT_RELATED) &&
		    !v.flow)
			abort();
		books(t);
		off += len;
	}
	if (udpct_table_advance(t, now + 10000 * MS, 0, NULL, NULL) < 0)
		abort();
	books(t);
	udpct_table_free(t);
	return 0;
}
