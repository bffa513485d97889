/* SPDX-License-Identifier: MIT */
/*
 * helper_tftp.c - the TFTP helper, as net/netfilter/nf_conntrack_tftp.c.
 *
 * A read (1) or write (2) request - the 2-byte opcode right after the UDP
 * header, in either direction of the master - expects the server's answer
 * from any source port: the master's reply tuple with the source port
 * wildcarded.  Policy: one expectation per master, 300 s, single use.
 * Filename and mode are not parsed; other opcodes do nothing.
 */
#include <string.h>

#include "table.h"

#define TFTP_PORT	69
#define TFTP_RRQ	1
#define TFTP_WRQ	2

static int
tftp_help(const struct udpct_helper *h, struct udpct_table *t,
	  struct udpct_flow *flow, enum udpct_dir dir, const uint8_t *payload,
	  size_t len, uint64_t now_ns)
{
	struct udpct_flow_info mi;
	struct udpct_expect e;
	unsigned op;

	(void)h;
	(void)dir;
	if (!payload || len < 2)
		return 0;
	op = (unsigned)payload[0] << 8 | payload[1];
	if (op != TFTP_RRQ && op != TFTP_WRQ)
		return 0;
	udpct__flow_info(t, flow, &mi);
	memset(&e, 0, sizeof(e));
	udpct_tuple_invert(&e.tuple, &mi.tuple);
	memset(e.mask.saddr, 0xff, 16);
	memset(e.mask.daddr, 0xff, 16);
	e.mask.sport = 0;		/* the server picks a new port */
	e.mask.dport = 0xffff;
	e.timeout_ns = 300 * NSEC_PER_SEC;
	e.max_per_master = 1;
	return udpct_expect(t, flow, &e, now_ns);
}

UDPCT_EXPORT void
udpct_helper_tftp(struct udpct_helper *h, uint16_t port)
{
	memset(h, 0, sizeof(*h));
	h->name = "tftp";
	h->port = port ? port : TFTP_PORT;
	h->help = tftp_help;
}
