/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - RFC 1071 sums, 8 bytes at a time.
 *
 * The ones'-complement sum is byte-order independent (RFC 1071 2.B): sum
 * the data as native 64-bit words with end-around carry, fold to 16 bits,
 * and swap the result once if the machine is little-endian.  That is about
 * eight times fewer additions than summing big-endian 16-bit words, which
 * matters because nf_conntrack verifies every UDP datagram's checksum at
 * PRE_ROUTING by default.
 */
#include <string.h>

#include "checksum.h"

static inline uint64_t
add_carry(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;

	return s + (s < a);
}

/* Native-order 16-bit sum of @len bytes, not yet folded. */
static uint64_t
sum_native(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, w;
	uint16_t h = 0;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		acc = add_carry(acc, w);
	}
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		acc = add_carry(acc, v);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc = add_carry(acc, h);
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the high-order byte of a big-endian word. */
		uint8_t last[2] = { p[0], 0 };

		memcpy(&h, last, 2);
		acc = add_carry(acc, h);
	}
	return acc;
}

static uint32_t
fold64(uint64_t acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

uint32_t
udpct__csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint32_t s = fold64(sum_native(p, len));

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)((s << 8) | (s >> 8));
#endif
	return sum + s;
}

uint32_t
udpct__csum_pseudo(const uint8_t *saddr, const uint8_t *daddr, size_t alen,
		   uint8_t proto, uint32_t len)
{
	uint32_t sum = 0;

	sum = udpct__csum_add(sum, saddr, alen);
	sum = udpct__csum_add(sum, daddr, alen);
	sum += proto;
	sum += len >> 16;
	sum += len & 0xffff;
	return sum;
}
