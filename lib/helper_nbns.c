/* SPDX-License-Identifier: MIT */
/*
 * helper_nbns.c - the NetBIOS name service helper, as
 * nf_conntrack_netbios_ns.c over nf_conntrack_broadcast_help().
 *
 * A query sent in the original direction to the broadcast address of the
 * configured subnet expects answers from any host of the subnet, from the
 * service port, to the query's source port: the master's reply tuple with
 * the source address masked to the subnet.  The expectation is permanent
 * for the timeout (3 s) and the master is cut to the same timeout.  The
 * kernel also requires a locally generated packet on a broadcast route of
 * the output device; a library sees neither, so the subnet is given.
 * data[0] = subnet (network order), data[1] = netmask (network order),
 * data[2] = timeout in ns.
 */
#include <arpa/inet.h>
#include <string.h>

#include "table.h"

#define NBNS_PORT	137
#define NBNS_TIMEOUT	(3 * NSEC_PER_SEC)

static int
nbns_help(const struct udpct_helper *h, struct udpct_table *t,
	  struct udpct_flow *flow, enum udpct_dir dir, const uint8_t *payload,
	  size_t len, uint64_t now_ns)
{
	uint32_t net = (uint32_t)h->data[0], mask = (uint32_t)h->data[1];
	struct udpct_flow_info mi;
	struct udpct_expect e;
	uint32_t daddr;
	int err;

	(void)payload;
	(void)len;
	udpct__flow_info(t, flow, &mi);
	memcpy(&daddr, mi.tuple.daddr, 4);
	if (dir != UDPCT_DIR_ORIGINAL || mi.tuple.family != UDPCT_IPV4 ||
	    daddr != (net | ~mask))
		return 0;
	memset(&e, 0, sizeof(e));
	udpct_tuple_invert(&e.tuple, &mi.tuple);
	e.tuple.sport = h->port;
	memcpy(e.mask.saddr, &mask, 4);
	memset(e.mask.daddr, 0xff, 4);
	e.mask.sport = 0xffff;
	e.mask.dport = 0xffff;
	e.timeout_ns = h->data[2];
	e.flags = UDPCT_EXPECT_PERMANENT;
	e.max_per_master = 1;
	err = udpct_expect(t, flow, &e, now_ns);
	if (err)
		return err;
	return udpct_flow_set_timeout(t, flow, h->data[2], now_ns);
}

UDPCT_EXPORT void
udpct_helper_netbios_ns(struct udpct_helper *h, uint32_t subnet,
			unsigned prefix_len, uint16_t port,
			uint64_t timeout_ns)
{
	uint32_t mask = prefix_len ? htonl(~0u << (32 - (prefix_len & 31)))
				   : 0;

	if (prefix_len >= 32)
		mask = ~0u;
	memset(h, 0, sizeof(*h));
	h->name = "netbios-ns";
	h->port = port ? port : NBNS_PORT;
	h->family = UDPCT_IPV4;
	h->help = nbns_help;
	h->data[0] = subnet & mask;
	h->data[1] = mask;
	h->data[2] = timeout_ns ? timeout_ns : NBNS_TIMEOUT;
}
