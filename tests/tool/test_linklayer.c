/* SPDX-License-Identifier: MIT */
/*
 * test_linklayer.c - tools/udpct/linklayer.c: every supported link type,
 * with and without the optional parts, and every way a header can be cut.
 *
 * Frames are only as long as the link layer plus the first byte of the
 * IP header, which is all ll_find_l3() may look at.
 */
#include <criterion/criterion.h>
#include <pcap/dlt.h>

#include "linklayer.h"

#define IPV4 0x45
#define IPV6 0x60

/* Expect @kind, and @off when the frame is IP. */
static void
check(int dlt, const uint8_t *f, size_t len, enum ll_kind kind, size_t off)
{
	size_t got = 12345;
	enum ll_kind k = ll_find_l3(dlt, f, len, &got);

	cr_assert_eq(k, kind, "dlt %d, %zu bytes: kind %d, expected %d",
		     dlt, len, k, kind);
	if (kind == LL_IP)
		cr_assert_eq(got, off, "dlt %d: offset %zu, expected %zu",
			     dlt, got, off);
}

#define CHECK(dlt, kind, off, ...)					\
	do {								\
		const uint8_t f_[] = { __VA_ARGS__ };			\
		check(dlt, f_, sizeof(f_), kind, off);			\
	} while (0)

/* 12 bytes of MAC addresses. */
#define MACS 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11

Test(linklayer, ethernet_ipv4_and_ipv6)
{
	CHECK(DLT_EN10MB, LL_IP, 14, MACS, 0x08, 0x00, IPV4);
	CHECK(DLT_EN10MB, LL_IP, 14, MACS, 0x86, 0xdd, IPV6);
}

Test(linklayer, ethernet_stacked_vlan_tags)
{
	CHECK(DLT_EN10MB, LL_IP, 18, MACS, 0x81, 0x00, 0, 100,
	      0x08, 0x00, IPV4);
	CHECK(DLT_EN10MB, LL_IP, 22, MACS, 0x88, 0xa8, 0, 10,
	      0x81, 0x00, 0, 100, 0x86, 0xdd, IPV6);
	CHECK(DLT_EN10MB, LL_IP, 26, MACS, 0x91, 0x00, 0, 1,
	      0x81, 0x00, 0, 2, 0x81, 0x00, 0, 3, 0x08, 0x00, IPV4);
}

Test(linklayer, ethernet_not_ip)
{
	CHECK(DLT_EN10MB, LL_NOT_IP, 0, MACS, 0x08, 0x06, 0);	/* ARP */
	CHECK(DLT_EN10MB, LL_NOT_IP, 0, MACS, 0x00, 0x2e, 0);	/* 802.3 */
	CHECK(DLT_EN10MB, LL_NOT_IP, 0, MACS, 0x81, 0x00, 0, 5,
	      0x88, 0xcc, 0);					/* LLDP */
}

Test(linklayer, ethernet_cut_short)
{
	CHECK(DLT_EN10MB, LL_TRUNCATED, 0, MACS, 0x08);
	CHECK(DLT_EN10MB, LL_TRUNCATED, 0, MACS, 0x81, 0x00, 0, 100,
	      0x08);
	check(DLT_EN10MB, NULL, 0, LL_TRUNCATED, 0);
}

Test(linklayer, mpls_label_stack)
{
	/* two labels, S bit on the second */
	CHECK(DLT_EN10MB, LL_IP, 22, MACS, 0x88, 0x47, 0, 1, 0x00, 64,
	      0, 2, 0x01, 64, IPV4);
	CHECK(DLT_EN10MB, LL_NOT_IP, 0, MACS, 0x88, 0x47, 0, 1, 0x01, 64,
	      0x00);						/* pseudowire */
	CHECK(DLT_EN10MB, LL_TRUNCATED, 0, MACS, 0x88, 0x47, 0, 1, 0x00,
	      64);
}

Test(linklayer, linux_cooked_v1)
{
	CHECK(DLT_LINUX_SLL, LL_IP, 16, 0, 0, 0, 1, 0, 6, 0, 1, 2,
	      3, 4, 5, 0, 0, 0x08, 0x00, IPV4);
	CHECK(DLT_LINUX_SLL, LL_IP, 20, 0, 4, 0, 1, 0, 6, 0, 1, 2, 3, 4, 5,
	      0, 0, 0x81, 0x00, 0, 7, 0x86, 0xdd, IPV6);
	CHECK(DLT_LINUX_SLL, LL_NOT_IP, 0, 0, 0, 0, 1, 0, 6, 0, 1, 2, 3, 4,
	      5, 0, 0, 0x08, 0x06, 0);
	CHECK(DLT_LINUX_SLL, LL_TRUNCATED, 0, 0, 0, 0, 1, 0, 6, 0, 1, 2, 3,
	      4, 5, 0, 0, 0x08);
}

Test(linklayer, linux_cooked_v2)
{
	CHECK(DLT_LINUX_SLL2, LL_IP, 20, 0x86, 0xdd, 0, 0, 0, 0, 0, 2, 0, 1,
	      0, 6, 0, 1, 2, 3, 4, 5, 0, 0, IPV6);
	CHECK(DLT_LINUX_SLL2, LL_IP, 24, 0x81, 0x00, 0, 0, 0, 0, 0, 2, 0, 1,
	      0, 6, 0, 1, 2, 3, 4, 5, 0, 0, 0, 9, 0x08, 0x00, IPV4);
	CHECK(DLT_LINUX_SLL2, LL_TRUNCATED, 0, 0x08, 0x00, 0, 0, 0, 0, 0, 2);
}

Test(linklayer, bsd_loopback_either_byte_order)
{
	static const int dlts[] = { DLT_NULL, DLT_LOOP };
	static const uint8_t v6_families[] = { 24, 28, 30 };
	size_t i, j;

	for (i = 0; i < 2; i++) {
		CHECK(dlts[i], LL_IP, 4, 2, 0, 0, 0, IPV4);
		CHECK(dlts[i], LL_IP, 4, 0, 0, 0, 2, IPV4);
		for (j = 0; j < 3; j++) {
			CHECK(dlts[i], LL_IP, 4, v6_families[j], 0, 0, 0,
			      IPV6);
			CHECK(dlts[i], LL_IP, 4, 0, 0, 0, v6_families[j],
			      IPV6);
		}
		/* 7 is no IP family in any byte order */
		CHECK(dlts[i], LL_NOT_IP, 0, 7, 0, 0, 0, 0);
		CHECK(dlts[i], LL_TRUNCATED, 0, 2, 0, 0);
	}
}

Test(linklayer, ppp_with_and_without_address_control)
{
	CHECK(DLT_PPP, LL_IP, 4, 0xff, 0x03, 0x00, 0x21, IPV4);
	CHECK(DLT_PPP, LL_IP, 2, 0x00, 0x21, IPV4);
	CHECK(DLT_PPP, LL_IP, 4, 0xff, 0x03, 0x00, 0x57, IPV6);
	CHECK(DLT_PPP, LL_IP, 2, 0x00, 0x57, IPV6);
	/* protocol-field compression */
	CHECK(DLT_PPP, LL_IP, 3, 0xff, 0x03, 0x21, IPV4);
	CHECK(DLT_PPP, LL_IP, 1, 0x57, IPV6);
	CHECK(DLT_PPP, LL_NOT_IP, 0, 0xff, 0x03, 0xc0, 0x21, 1); /* LCP */
	CHECK(DLT_PPP, LL_IP, 8, 0xff, 0x03, 0x02, 0x81, 0x18, 0x96, 0x01,
	      0x01, IPV4);					/* MPLS */
	CHECK(DLT_PPP, LL_TRUNCATED, 0, 0xff, 0x03, 0x00);
	CHECK(DLT_PPP, LL_TRUNCATED, 0, 0xff, 0x03);
}

Test(linklayer, raw_ip_always_goes_to_the_library)
{
	static const int dlts[] = {
		DLT_RAW, DLT_IPV4, DLT_IPV6, LL_LINKTYPE_RAW,
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		CHECK(dlts[i], LL_IP, 0, IPV4);
		CHECK(dlts[i], LL_IP, 0, 0x50);		/* bad version */
		check(dlts[i], NULL, 0, LL_IP, 0);
	}
}

Test(linklayer, supported_link_types)
{
	static const int yes[] = {
		DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP,
		DLT_PPP, DLT_RAW, DLT_IPV4, DLT_IPV6, LL_LINKTYPE_RAW,
	};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_expect(ll_supported(yes[i]), "dlt %d", yes[i]);
	cr_expect_not(ll_supported(DLT_IEEE802_11));
	cr_expect_not(ll_supported(DLT_USB_LINUX));
	cr_expect_not(ll_supported(-1));
}
