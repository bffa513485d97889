/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/hash.h: direction independence, keying, and known
 * answers for a fixed secret.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>

#include "hash.h"

static uint8_t secret_a[UDPCT__SECRET_SIZE], secret_b[UDPCT__SECRET_SIZE];

static void
setup(void)
{
	for (int i = 0; i < UDPCT__SECRET_SIZE; i++) {
		secret_a[i] = (uint8_t)(i * 7 + 1);
		secret_b[i] = (uint8_t)(i * 13 + 5);
	}
}

TestSuite(hash, .init = setup);

static void
v4(struct udpct_tuple *t, const char *s, uint16_t sp, const char *d,
   uint16_t dp, uint16_t zone)
{
	udpct_tuple_set_v4(t, inet_addr(s), sp, inet_addr(d), dp, zone);
}

Test(hash, tuple_and_its_inverse_hash_the_same)
{
	struct udpct_tuple a, b;
	uint8_t s6[16], d6[16];

	v4(&a, "192.0.2.1", 40000, "198.51.100.7", 53, 0);
	udpct_tuple_invert(&b, &a);
	cr_assert_eq(udpct__hash_tuple(secret_a, &a),
		     udpct__hash_tuple(secret_a, &b));
	inet_pton(AF_INET6, "2001:db8::1", s6);
	inet_pton(AF_INET6, "2001:db8::2", d6);
	udpct_tuple_set_v6(&a, s6, 5353, d6, 5353, 3);
	udpct_tuple_invert(&b, &a);
	cr_assert_eq(udpct__hash_tuple(secret_a, &a),
		     udpct__hash_tuple(secret_a, &b));
}

Test(hash, every_field_changes_the_hash)
{
	struct udpct_tuple base, t;
	uint64_t h;

	v4(&base, "192.0.2.1", 40000, "198.51.100.7", 53, 0);
	h = udpct__hash_tuple(secret_a, &base);
	t = base;
	t.sport++;
	cr_assert_neq(udpct__hash_tuple(secret_a, &t), h);
	t = base;
	t.dport++;
	cr_assert_neq(udpct__hash_tuple(secret_a, &t), h);
	t = base;
	t.zone = 1;
	cr_assert_neq(udpct__hash_tuple(secret_a, &t), h);
	t = base;
	t.saddr[3]++;
	cr_assert_neq(udpct__hash_tuple(secret_a, &t), h);
	/* Swapping only the ports is another flow, not the inverse. */
	t = base;
	t.sport = base.dport;
	t.dport = base.sport;
	cr_assert_neq(udpct__hash_tuple(secret_a, &t), h);
}

Test(hash, secret_changes_buckets)
{
	struct udpct_tuple t;
	int same = 0;

	for (uint16_t p = 1; p <= 1000; p++) {
		v4(&t, "192.0.2.1", p, "198.51.100.7", 53, 0);
		/* Compare a 16-bit bucket index under both secrets. */
		same += (udpct__hash_tuple(secret_a, &t) & 0xffff) ==
			(udpct__hash_tuple(secret_b, &t) & 0xffff);
	}
	cr_assert_lt(same, 5, "%d of 1000 tuples kept their bucket", same);
}

Test(hash, ipv4_ignores_bytes_past_the_address)
{
	struct udpct_tuple a, b;
	struct udpct__key fa, ra, fb, rb;

	v4(&a, "192.0.2.1", 1, "198.51.100.7", 2, 0);
	b = a;
	b.saddr[9] = 0xaa;	/* garbage a caller may leave */
	udpct__key_build(&a, &fa, &ra);
	udpct__key_build(&b, &fb, &rb);
	cr_assert(udpct__key_equal(&fa, &fb));
	cr_assert(udpct__key_equal(&ra, &rb));
	cr_assert_not(udpct__key_equal(&fa, &ra));
}

/*
 * Known answer: XXH3-64 with this secret over the canonical IPv4 input, two
 * little-endian words: the smaller endpoint (address as loaded << 16 |
 * port) with the zone in the top 16 bits, then the larger one with
 * family << 8 | protocol on top.  For 192.0.2.1:53 and 198.51.100.7:40000
 * on a little-endian host those are the 16 bytes below.  A change of the
 * canonical form shows up here.
 */
Test(hash, known_answer_ipv4)
{
	static const uint8_t canon[16] = {
		0x35, 0x00, 0xc0, 0x00, 0x02, 0x01, 0x00, 0x00,
		0x40, 0x9c, 0xc6, 0x33, 0x64, 0x07, 0x11, 0x04,
	};
	struct udpct_tuple t;

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	cr_skip_test("vector written for little-endian hosts");
#endif
	v4(&t, "198.51.100.7", 40000, "192.0.2.1", 53, 0);
	cr_assert_eq(udpct__hash_tuple(secret_a, &t),
		     XXH3_64bits_withSecret(canon, sizeof(canon), secret_a,
					    sizeof(secret_a)));
}

/* Writers hash a stored key (records keep no hash): the same value. */
Test(hash, a_stored_key_hashes_like_its_tuple)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct udpct_tuple t[3];
	struct udpct__key fwd, rev;
	int i;

	v4(&t[0], "192.0.2.1", 40000, "198.51.100.7", 53, 0);
	v4(&t[1], "203.0.113.9", 53, "192.0.2.200", 1234, 7);
	udpct_tuple_set_v6(&t[2], a6, 5353, b6, 53, 3);
	for (i = 0; i < 3; i++) {
		udpct__key_build(&t[i], &fwd, &rev);
		cr_assert_eq(udpct__hash_key(secret_a, &fwd),
			     udpct__hash_tuple(secret_a, &t[i]), "tuple %d", i);
		cr_assert_eq(udpct__hash_key(secret_a, &rev),
			     udpct__hash_tuple(secret_a, &t[i]), "tuple %d", i);
	}
}
