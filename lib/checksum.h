/* SPDX-License-Identifier: MIT */
/*
 * checksum.h - Internet ones'-complement sums (RFC 1071), inline.
 *
 * The ones'-complement sum is byte-order independent (RFC 1071 2.B): add
 * the data as native-order 32-bit words into a 64-bit accumulator (2^32
 * words before it could overflow, so no carry is chased per word and the
 * loop vectorises), fold once at the end.  The folded value is in native
 * order; udpct__csum_fold() swaps it to the big-endian value, and a valid
 * packet folds to 0xffff in either order.  nf_conntrack verifies every UDP
 * datagram's checksum at PRE_ROUTING by default, so this is on the
 * per-packet path.
 *
 * Pieces of one sum must each start at an even offset of the summed
 * stream (only the last may have odd length), as with the kernel's
 * csum_partial().
 */
#ifndef UDPCT_CHECKSUM_H
#define UDPCT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A big-endian 16-bit value as it reads in native order. */
static inline uint64_t
udpct__csum_be16(uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint16_t)(v << 8 | (v >> 8 & 0xff));
#else
	return (uint16_t)v;
#endif
}

/* Add @len bytes at @p to the accumulator @acc. */
static inline uint64_t
udpct__csum_partial(uint64_t acc, const uint8_t *p, size_t len)
{
	size_t i, n;
	uint64_t q;
	uint32_t w;
	uint16_t h;

	if (len >= 64) {
		/* A counted loop of words, which the compiler vectorises. */
		for (i = 0, n = len / 4; i < n; i++) {
			memcpy(&w, p + 4 * i, 4);
			acc += w;
		}
		p += 4 * n;
		len -= 4 * n;
	}
	/* Short data (a DNS query, a header): no vector set-up. */
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&q, p, 8);
		acc += (q & 0xffffffff) + (q >> 32);
	}
	if (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	/* An odd last byte is the high-order byte of a big-endian word. */
	if (len)
		acc += udpct__csum_be16((uint32_t)p[0] << 8);
	return acc;
}

/* The pseudo-header of RFC 768 / RFC 8200 8.1; @alen is 4 or 16. */
static inline uint64_t
udpct__csum_pseudo(uint64_t acc, const uint8_t *saddr, const uint8_t *daddr,
		   size_t alen, uint8_t proto, uint32_t len)
{
	acc = udpct__csum_partial(acc, saddr, alen);
	acc = udpct__csum_partial(acc, daddr, alen);
	return acc + udpct__csum_be16(proto) + udpct__csum_be16(len >> 16) +
	       udpct__csum_be16(len & 0xffff);
}

/* Fold @acc to the 16-bit sum, as a big-endian (wire order) value. */
static inline uint16_t
udpct__csum_fold(uint64_t acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)udpct__csum_be16((uint32_t)acc);
}

/* A packet whose sum includes its checksum field is valid iff it folds to
 * all ones. */
static inline int
udpct__csum_ok(uint64_t acc)
{
	return udpct__csum_fold(acc) == 0xffff;
}

#endif /* UDPCT_CHECKSUM_H */
