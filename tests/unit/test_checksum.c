/* SPDX-License-Identifier: MIT */
/*
 * lib/checksum.h sums 32-bit words in native order; check it against
 * the textbook RFC 1071 loop over big-endian 16-bit words, for every length
 * and alignment up to a few cache lines.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>

#include "checksum.h"

static uint16_t
reference(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

Test(checksum, equals_rfc1071_for_every_length_and_alignment)
{
	uint8_t buf[300];
	unsigned seed = 42;
	size_t len, off;

	for (len = 0; len < 260; len++) {
		for (off = 0; off < 8; off++) {
			for (size_t i = 0; i < sizeof(buf); i++)
				buf[i] = (uint8_t)rand_r(&seed);
			cr_assert_eq(udpct__csum_fold(udpct__csum_partial(0,
							buf + off, len)),
				     reference(buf + off, len),
				     "len %zu offset %zu", len, off);
		}
	}
}

Test(checksum, all_ones_words_keep_the_end_around_carry)
{
	uint8_t buf[64];

	memset(buf, 0xff, sizeof(buf));
	cr_assert_eq(udpct__csum_fold(udpct__csum_partial(0, buf, 64)), 0xffff);
	cr_assert_eq(udpct__csum_fold(udpct__csum_partial(0, buf, 63)),
		     reference(buf, 63));
}

Test(checksum, partial_sums_add_up)
{
	uint8_t a[40], b[24];
	uint8_t both[64];

	for (int i = 0; i < 40; i++)
		a[i] = (uint8_t)(i * 37 + 11);
	for (int i = 0; i < 24; i++)
		b[i] = (uint8_t)(i * 91 + 5);
	memcpy(both, a, 40);
	memcpy(both + 40, b, 24);
	cr_assert_eq(udpct__csum_fold(udpct__csum_partial(udpct__csum_partial(0, a,
								      40),
						      b, 24)),
		     reference(both, 64));
}
