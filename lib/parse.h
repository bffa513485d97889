/* SPDX-License-Identifier: MIT */
/*
 * parse.h - raw IPv4/IPv6 packet -> tuple or INVALID reason.  Pure: no
 * table, no state; fuzzed on its own.
 */
#ifndef UDPCT_PARSE_H
#define UDPCT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <udpct/classify.h>

enum udpct__pkt_kind {
	UDPCT__PKT_UDP,		/* a UDP datagram: tuple is the packet's */
	UDPCT__PKT_ICMP_ERR,	/* an ICMP error: tuple is the quoted one */
	UDPCT__PKT_OTHER,	/* not tracked: IGNORED */
};

/*
 * struct udpct__pkt - what the classifier needs from a packet.
 * @kind:        see enum udpct__pkt_kind.
 * @reason:      UDPCT_REASON_NONE, or why the packet is INVALID.
 * @zone:        set by the caller: the zone of the tuple (an ICMP error
 *               is about a flow of its own zone).
 * @tuple:       caller's storage (the verdict's tuple), always written:
 *               UDP: the packet's tuple (all zero if the ports could not
 *               be read); ICMP error: the quoted datagram's tuple.
 * @outer_daddr: ICMP error: the error's own destination address.
 * @ip_len:      IP total length (header included), for byte counters.
 * @payload:     valid UDP datagram: its payload (uh->len - 8 bytes).
 * @payload_len: length of @payload.
 * @hint:        set by the caller: a record that may be the packet's flow
 *               (udpct__index_candidate()), tried first, or NULL.
 */
struct udpct__pkt {
	enum udpct__pkt_kind kind;
	enum udpct_invalid_reason reason;
	uint16_t zone;
	struct udpct_tuple *tuple;
	uint8_t outer_daddr[16];
	uint32_t ip_len;
	const uint8_t *payload;
	uint32_t payload_len;
	struct udpct_flow *hint;
};

/*
 * Parse @len bytes at @p.  @verify_csum mirrors nf_conntrack_checksum at
 * PRE_ROUTING.  @out->tuple must point at storage for the tuple and
 * @out->zone hold its zone.  Always
 * fills @out; never reads beyond @p + @len.
 */
void udpct__parse(const uint8_t *p, size_t len, bool verify_csum,
		  struct udpct__pkt *out);

#endif /* UDPCT_PARSE_H */
