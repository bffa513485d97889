/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - RFC 1071 sums.  Summing big-endian 16-bit words into a 32-bit
 * accumulator cannot overflow for packets below 128 KiB, so the carry is
 * folded only at the end.
 */
#include "checksum.h"

uint32_t
udpct__csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)((acc & 0xffff) + (acc >> 16));
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
