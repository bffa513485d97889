/* SPDX-License-Identifier: MIT */
/*
 * udpct/tuple.h - the 5-tuple plus zone that names a UDP pseudo-connection.
 *
 * A tuple is a plain value: the caller owns it, copies it and compares it
 * freely.  Addresses are stored in network byte order in a 16-byte field; an
 * IPv4 address occupies the first 4 bytes and the other 12 are zero (as in the
 * kernel's union nf_inet_addr).  Ports are in host byte order.
 *
 * Thread-safety: every function here is "pure": it touches no table and may
 * be called from any thread at any time.
 */
#ifndef UDPCT_TUPLE_H
#define UDPCT_TUPLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Address family of a tuple (the IP version number). */
enum udpct_family {
	UDPCT_IPV4 = 4,
	UDPCT_IPV6 = 6,
};

/** Transport protocol number of tracked flows (only UDP for now). */
#define UDPCT_PROTO_UDP 17

/** Longest string udpct_tuple_format() writes, terminating NUL included. */
#define UDPCT_TUPLE_STRLEN 112

/**
 * struct udpct_tuple - one direction of a UDP pseudo-connection.
 * @family: UDPCT_IPV4 or UDPCT_IPV6.
 * @proto:  transport protocol, UDPCT_PROTO_UDP.
 * @zone:   conntrack zone; equal tuples in different zones are different
 *          flows, as with the kernel's `ct zone set`.
 * @sport:  source port, host byte order.
 * @dport:  destination port, host byte order.
 * @saddr:  source address, network byte order (IPv4: first 4 bytes).
 * @daddr:  destination address, network byte order (IPv4: first 4 bytes).
 */
struct udpct_tuple {
	uint8_t family;
	uint8_t proto;
	uint16_t zone;
	uint16_t sport;
	uint16_t dport;
	uint8_t saddr[16];
	uint8_t daddr[16];
};

/**
 * Fill @t from IPv4 addresses in network byte order and host-order ports.
 *
 * @param t      tuple to fill (all bytes are written).
 * @param saddr  source address, network byte order.
 * @param sport  source port, host byte order.
 * @param daddr  destination address, network byte order.
 * @param dport  destination port, host byte order.
 * @param zone   conntrack zone (0 for the default zone).
 * Context: pure.
 * Since: 0.1
 */
void udpct_tuple_set_v4(struct udpct_tuple *t, uint32_t saddr, uint16_t sport,
			uint32_t daddr, uint16_t dport, uint16_t zone);

/**
 * Fill @t from two 16-byte IPv6 addresses and host-order ports.
 *
 * @param t      tuple to fill (all bytes are written).
 * @param saddr  source address (16 bytes, network byte order).
 * @param sport  source port, host byte order.
 * @param daddr  destination address (16 bytes, network byte order).
 * @param dport  destination port, host byte order.
 * @param zone   conntrack zone (0 for the default zone).
 * Context: pure.
 * Since: 0.1
 */
void udpct_tuple_set_v6(struct udpct_tuple *t, const uint8_t saddr[16],
			uint16_t sport, const uint8_t daddr[16], uint16_t dport,
			uint16_t zone);

/**
 * Write the reply-direction tuple of @in to @out (addresses and ports
 * swapped, like nf_ct_invert_tuple()).  @in and @out may alias.
 *
 * @param out  inverted tuple.
 * @param in   tuple to invert.
 * Context: pure.
 * Since: 0.1
 */
void udpct_tuple_invert(struct udpct_tuple *out, const struct udpct_tuple *in);

/**
 * Compare two tuples field by field (family, protocol, zone, addresses,
 * ports); bytes of an IPv4 address beyond the first 4 are ignored.
 *
 * @return true when @a and @b name the same direction of the same flow.
 * Context: pure.
 * Since: 0.1
 */
bool udpct_tuple_equal(const struct udpct_tuple *a, const struct udpct_tuple *b);

/**
 * Format @t as "udp 192.0.2.1:53 -> 198.51.100.7:40001" (IPv6 addresses in
 * brackets, RFC 5952 form), the tuple column of `udpct replay --format=csv`.
 *
 * @param t    tuple to print.
 * @param buf  output buffer; UDPCT_TUPLE_STRLEN bytes always suffice.
 * @param len  size of @buf.
 * @return the length of the string written (excluding NUL), -EINVAL for a
 *         NULL argument or an unknown family, -ENOSPC when @buf is too small
 *         (it then holds a truncated, NUL-terminated string).
 * Context: pure.
 * Since: 0.1
 */
int udpct_tuple_format(const struct udpct_tuple *t, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_TUPLE_H */
