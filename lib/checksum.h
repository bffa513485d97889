/* SPDX-License-Identifier: MIT */
/*
 * checksum.h - Internet ones'-complement sums (RFC 1071).
 */
#ifndef UDPCT_CHECKSUM_H
#define UDPCT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add @len bytes at @p to the 32-bit partial sum @sum. */
uint32_t udpct__csum_add(uint32_t sum, const uint8_t *p, size_t len);

/* Fold a partial sum to 16 bits (not complemented). */
static inline uint16_t
udpct__csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Partial sum of the UDP/ICMPv6 pseudo-header: addresses (4 or 16 bytes
 * each), protocol and upper-layer length.
 */
uint32_t udpct__csum_pseudo(const uint8_t *saddr, const uint8_t *daddr,
			    size_t alen, uint8_t proto, uint32_t len);

/* True when data (checksum field included) plus @sum verifies. */
static inline int
udpct__csum_ok(uint32_t sum)
{
	return udpct__csum_fold(sum) == 0xffff;
}

#endif /* UDPCT_CHECKSUM_H */
