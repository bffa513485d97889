// SPDX-License-Identifier: MIT
/*
 * test_tuple.c - the tuple value helpers: set_v4/set_v6, invert, equal and
 * format (udpct/tuple.h).
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "pkt.h"

/* The tuple tuple.h describes, built field by field without the library. */
static void
make(struct udpct_tuple *t, uint8_t family, const char *src, uint16_t sport,
     const char *dst, uint16_t dport, uint16_t zone)
{
	memset(t, 0, sizeof(*t));
	t->family = family;
	t->proto = UDPCT_PROTO_UDP;
	t->zone = zone;
	t->sport = sport;
	t->dport = dport;
	pkt_addr(t->saddr, family, src);
	pkt_addr(t->daddr, family, dst);
}

static void
assert_same(const struct udpct_tuple *a, const struct udpct_tuple *b)
{
	cr_assert_eq(a->family, b->family);
	cr_assert_eq(a->proto, b->proto);
	cr_assert_eq(a->zone, b->zone);
	cr_assert_eq(a->sport, b->sport);
	cr_assert_eq(a->dport, b->dport);
	cr_assert_arr_eq(a->saddr, b->saddr, 16);
	cr_assert_arr_eq(a->daddr, b->daddr, 16);
}

Test(tuple, set_v4_fills_every_field_and_zeroes_address_tail)
{
	struct udpct_tuple t, want;
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	static const uint8_t b[4] = { 198, 51, 100, 7 };

	make(&want, UDPCT_IPV4, PKT_A4, 40000, PKT_B4, 53, 7);
	memset(&t, 0xaa, sizeof(t));
	udpct_tuple_set_v4(&t, pkt_addr4(PKT_A4), 40000, pkt_addr4(PKT_B4),
			   53, 7);
	assert_same(&t, &want);
	/* network byte order in the first 4 bytes */
	cr_assert_arr_eq(t.saddr, a, 4);
	cr_assert_arr_eq(t.daddr, b, 4);
	/* "all bytes are written": the struct has no padding to leave */
	cr_assert_eq(memcmp(&t, &want, sizeof(t)), 0);
}

Test(tuple, set_v6_fills_every_field)
{
	struct udpct_tuple t, want;
	uint8_t s[16], d[16];

	make(&want, UDPCT_IPV6, PKT_A6, 1, PKT_B6, 65535, 65535);
	pkt_addr(s, UDPCT_IPV6, PKT_A6);
	pkt_addr(d, UDPCT_IPV6, PKT_B6);
	memset(&t, 0xaa, sizeof(t));
	udpct_tuple_set_v6(&t, s, 1, d, 65535, 65535);
	assert_same(&t, &want);
	cr_assert_eq(memcmp(&t, &want, sizeof(t)), 0);
}

Test(tuple, invert_swaps_addresses_and_ports_only)
{
	struct udpct_tuple t, r, want;

	make(&t, UDPCT_IPV4, PKT_A4, 40000, PKT_B4, 53, 3);
	make(&want, UDPCT_IPV4, PKT_B4, 53, PKT_A4, 40000, 3);
	memset(&r, 0x55, sizeof(r));
	udpct_tuple_invert(&r, &t);
	assert_same(&r, &want);

	make(&t, UDPCT_IPV6, PKT_A6, 1000, PKT_B6, 2000, 0);
	make(&want, UDPCT_IPV6, PKT_B6, 2000, PKT_A6, 1000, 0);
	udpct_tuple_invert(&r, &t);
	assert_same(&r, &want);
}

Test(tuple, invert_in_place_is_allowed)
{
	struct udpct_tuple t, want;

	make(&t, UDPCT_IPV6, PKT_A6, 1000, PKT_B6, 2000, 9);
	make(&want, UDPCT_IPV6, PKT_B6, 2000, PKT_A6, 1000, 9);
	udpct_tuple_invert(&t, &t);
	assert_same(&t, &want);
}

Test(tuple, invert_twice_is_identity)
{
	struct udpct_tuple t, r;

	make(&t, UDPCT_IPV4, PKT_A4, 5, PKT_B4, 6, 1);
	udpct_tuple_invert(&r, &t);
	cr_assert_not(udpct_tuple_equal(&r, &t));
	udpct_tuple_invert(&r, &r);
	cr_assert(udpct_tuple_equal(&r, &t));
}

Test(tuple, equal_for_identical_tuples)
{
	struct udpct_tuple a, b;

	make(&a, UDPCT_IPV4, PKT_A4, 40000, PKT_B4, 53, 0);
	make(&b, UDPCT_IPV4, PKT_A4, 40000, PKT_B4, 53, 0);
	cr_assert(udpct_tuple_equal(&a, &b));
	cr_assert(udpct_tuple_equal(&a, &a));
	make(&a, UDPCT_IPV6, PKT_A6, 40000, PKT_B6, 53, 0);
	make(&b, UDPCT_IPV6, PKT_A6, 40000, PKT_B6, 53, 0);
	cr_assert(udpct_tuple_equal(&a, &b));
}

Test(tuple, equal_detects_a_difference_in_each_field)
{
	struct udpct_tuple a, b;
	int field;

	for (field = 0; field < 7; field++) {
		make(&a, UDPCT_IPV6, PKT_A6, 40000, PKT_B6, 53, 4);
		b = a;
		switch (field) {
		case 0:
			b.family = UDPCT_IPV4;
			break;
		case 1:
			b.proto = 6;
			break;
		case 2:
			b.zone = 5;
			break;
		case 3:
			b.sport = 40001;
			break;
		case 4:
			b.dport = 54;
			break;
		case 5:
			b.saddr[15] ^= 1;
			break;
		default:
			b.daddr[0] ^= 0x80;
			break;
		}
		cr_assert_not(udpct_tuple_equal(&a, &b), "field %d", field);
		cr_assert_not(udpct_tuple_equal(&b, &a), "field %d", field);
	}
}

Test(tuple, equal_ignores_ipv4_address_tail)
{
	struct udpct_tuple a, b;

	make(&a, UDPCT_IPV4, PKT_A4, 40000, PKT_B4, 53, 0);
	b = a;
	memset(b.saddr + 4, 0x77, 12);
	memset(b.daddr + 4, 0x99, 12);
	cr_assert(udpct_tuple_equal(&a, &b));
	b.saddr[3] ^= 1;
	cr_assert_not(udpct_tuple_equal(&a, &b));
}

Test(tuple, equal_is_false_for_the_inverse)
{
	struct udpct_tuple a, r;

	make(&a, UDPCT_IPV4, PKT_A4, 40000, PKT_B4, 53, 0);
	udpct_tuple_invert(&r, &a);
	cr_assert_not(udpct_tuple_equal(&a, &r));
}

static void
assert_format(const struct udpct_tuple *t, const char *want)
{
	char buf[UDPCT_TUPLE_STRLEN];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = udpct_tuple_format(t, buf, sizeof(buf));
	cr_assert_eq(n, (int)strlen(want), "returned %d for '%s'", n, want);
	cr_assert_str_eq(buf, want);
}

Test(tuple, format_ipv4)
{
	struct udpct_tuple t;

	make(&t, UDPCT_IPV4, "192.0.2.1", 53, "198.51.100.7", 40001, 0);
	assert_format(&t, "udp 192.0.2.1:53 -> 198.51.100.7:40001");
}

Test(tuple, format_ports_zero_and_max)
{
	struct udpct_tuple t;

	make(&t, UDPCT_IPV4, "203.0.113.0", 0, "203.0.113.255", 65535, 0);
	assert_format(&t, "udp 203.0.113.0:0 -> 203.0.113.255:65535");
}

Test(tuple, format_ipv6_in_brackets)
{
	struct udpct_tuple t;

	make(&t, UDPCT_IPV6, "2001:db8::1", 53, "2001:db8::2", 40001, 0);
	assert_format(&t, "udp [2001:db8::1]:53 -> [2001:db8::2]:40001");
}

Test(tuple, format_ipv6_is_rfc5952)
{
	struct udpct_tuple t;

	/* lower case, leading zeros dropped */
	make(&t, UDPCT_IPV6, "2001:0DB8:00AB:CDEF:0001:0002:0003:00FF", 1,
	     "2001:db8:1:2:3:4:5:6", 2, 0);
	assert_format(&t, "udp [2001:db8:ab:cdef:1:2:3:ff]:1 -> "
		      "[2001:db8:1:2:3:4:5:6]:2");
	/* a single zero group is not compressed */
	make(&t, UDPCT_IPV6, "2001:db8:0:1:1:1:1:1", 1,
	     "2001:db8:1:0:1:1:1:1", 2, 0);
	assert_format(&t, "udp [2001:db8:0:1:1:1:1:1]:1 -> "
		      "[2001:db8:1:0:1:1:1:1]:2");
	/* the longest run is compressed; on a tie, the first */
	make(&t, UDPCT_IPV6, "2001:db8:0:0:1:0:0:0", 1,
	     "2001:db8:0:0:1:0:0:1", 2, 0);
	assert_format(&t, "udp [2001:db8:0:0:1::]:1 -> "
		      "[2001:db8::1:0:0:1]:2");
}

Test(tuple, format_longest_tuple_fits_in_tuple_strlen)
{
	struct udpct_tuple t;
	char buf[UDPCT_TUPLE_STRLEN];
	const char *want = "udp [2001:db8:1111:2222:3333:4444:5555:6666]:65535"
			   " -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535";
	int n;

	make(&t, UDPCT_IPV6, "2001:db8:1111:2222:3333:4444:5555:6666", 65535,
	     "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", 65535, 65535);
	n = udpct_tuple_format(&t, buf, sizeof(buf));
	cr_assert_eq(n, (int)strlen(want));
	cr_assert_lt(n, UDPCT_TUPLE_STRLEN);
	cr_assert_str_eq(buf, want);
}

Test(tuple, format_too_small_buffer_is_enospc_and_truncated)
{
	struct udpct_tuple t;
	char full[UDPCT_TUPLE_STRLEN], buf[UDPCT_TUPLE_STRLEN];
	size_t len, n;

	make(&t, UDPCT_IPV6, PKT_A6, 40000, PKT_B6, 53, 0);
	cr_assert_gt(udpct_tuple_format(&t, full, sizeof(full)), 0);
	len = strlen(full);
	for (n = 1; n <= len; n++) {
		memset(buf, 'x', sizeof(buf));
		cr_assert_eq(udpct_tuple_format(&t, buf, n), -ENOSPC,
			     "buffer of %zu for %zu chars", n, len);
		/* NUL-terminated inside the buffer, a prefix of the text */
		cr_assert_not_null(memchr(buf, '\0', n), "size %zu", n);
		cr_assert_eq(strncmp(buf, full, strlen(buf)), 0, "size %zu",
			     n);
		cr_assert_eq(buf[n], 'x', "wrote past %zu bytes", n);
	}
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(udpct_tuple_format(&t, buf, len + 1), (int)len);
	cr_assert_str_eq(buf, full);
}

Test(tuple, format_rejects_null_and_unknown_family)
{
	struct udpct_tuple t;
	char buf[UDPCT_TUPLE_STRLEN];

	make(&t, UDPCT_IPV4, PKT_A4, 1, PKT_B4, 2, 0);
	cr_assert_eq(udpct_tuple_format(NULL, buf, sizeof(buf)), -EINVAL);
	cr_assert_eq(udpct_tuple_format(&t, NULL, sizeof(buf)), -EINVAL);
	t.family = 0;
	cr_assert_eq(udpct_tuple_format(&t, buf, sizeof(buf)), -EINVAL);
	t.family = 5;
	cr_assert_eq(udpct_tuple_format(&t, buf, sizeof(buf)), -EINVAL);
	t.family = 10;		/* AF_INET6, not UDPCT_IPV6 */
	cr_assert_eq(udpct_tuple_format(&t, buf, sizeof(buf)), -EINVAL);
}
