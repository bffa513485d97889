/* SPDX-License-Identifier: MIT */
/*
 * linklayer.c - strip link-layer headers down to the IP header.
 *
 * Every parser below is bounds-checked against caplen only: a capture may cut
 * a frame anywhere (snaplen), and a frame cut inside its link-layer header is
 * reported as LL_TRUNCATED rather than guessed at.  Once the IP header is
 * found, the rest (including a cut IP packet) is the library's business: it
 * reports truncated or malformed IP as INVALID with a reason.
 *
 * Formats follow the link-type registry at tcpdump.org (LINKTYPE_*):
 *   EN10MB      dst(6) src(6) type(2); type 0x8100/0x88a8/0x9100 is a VLAN
 *               tag: TCI(2) then the next type, repeated for stacked tags.
 *   LINUX_SLL   pkttype(2) hatype(2) halen(2) addr(8) protocol(2).
 *   LINUX_SLL2  protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1)
 *               halen(1) addr(8).
 *   NULL, LOOP  a 4-byte address family, host order of the capturing machine
 *               for NULL and network order for LOOP; we accept either order
 *               for both because real files get it wrong.
 *   PPP         optional ff 03 (HDLC address/control), then a 2-byte
 *               protocol, or 1 byte when protocol-field compression is on
 *               (odd first byte).
 *   RAW, IPV4, IPV6, LINKTYPE_RAW  the IP header itself.
 * MPLS label stacks (Ethernet type 0x8847/0x8848, PPP 0x0281/0x0283) are
 * popped too: a label-switched UDP datagram is still the datagram the
 * endpoints exchange, and the ICMP errors about it come back as plain IP.
 */
#include "linklayer.h"

#include <pcap/dlt.h>

#define ETH_TYPE_OFF	12
#define ETH_HLEN	14
#define SLL_TYPE_OFF	14
#define SLL_HLEN	16
#define SLL2_HLEN	20
#define NULL_HLEN	4
#define VLAN_TAG_LEN	4
#define MPLS_LABEL_LEN	4

#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define ETHERTYPE_QINQ_OLD	0x9100	/* pre-802.1ad stacking, still seen */
#define ETHERTYPE_MPLS		0x8847
#define ETHERTYPE_MPLS_MC	0x8848

#define PPP_ADDRESS	0xff
#define PPP_CONTROL	0x03
#define PPP_IPV4	0x0021
#define PPP_IPV6	0x0057
#define PPP_MPLS	0x0281
#define PPP_MPLS_MC	0x0283

/* BSD address families as written by the BSDs and macOS. */
#define BSD_AF_INET		2
#define BSD_AF_INET6_NETBSD	24	/* also OpenBSD */
#define BSD_AF_INET6_FREEBSD	28
#define BSD_AF_INET6_DARWIN	30

static uint16_t
get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t
get_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

/* A packet whose only framing is its IP version nibble (MPLS payload). */
static enum ll_kind
by_ip_version(const uint8_t *f, size_t caplen, size_t off, size_t *l3)
{
	unsigned int version;

	if (off >= caplen)
		return LL_TRUNCATED;
	version = f[off] >> 4;
	if (version != 4 && version != 6)
		return LL_NOT_IP;	/* e.g. an Ethernet pseudowire */
	*l3 = off;
	return LL_IP;
}

static enum ll_kind
by_mpls(const uint8_t *f, size_t caplen, size_t off, size_t *l3)
{
	bool bottom = false;

	while (!bottom) {
		if (caplen - off < MPLS_LABEL_LEN)
			return LL_TRUNCATED;
		bottom = f[off + 2] & 1;	/* S bit */
		off += MPLS_LABEL_LEN;
	}
	return by_ip_version(f, caplen, off, l3);
}

static bool
is_vlan_tpid(uint16_t type)
{
	return type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ ||
	       type == ETHERTYPE_QINQ_OLD;
}

/*
 * @type was read from the frame; @off is where the data it announces
 * starts.  Shared by Ethernet and both cooked formats, which libpcap also
 * writes with VLAN tags re-inserted after the header.
 */
static enum ll_kind
by_ethertype(uint16_t type, const uint8_t *f, size_t caplen, size_t off,
	     size_t *l3)
{
	while (is_vlan_tpid(type)) {
		if (caplen - off < VLAN_TAG_LEN)
			return LL_TRUNCATED;
		type = get_be16(f + off + 2);
		off += VLAN_TAG_LEN;
	}
	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		*l3 = off;
		return LL_IP;
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		return by_mpls(f, caplen, off, l3);
	default:
		return LL_NOT_IP;	/* includes 802.3 length fields */
	}
}

static enum ll_kind
by_null(const uint8_t *f, size_t caplen, size_t *l3)
{
	uint32_t le, be;

	if (caplen < NULL_HLEN)
		return LL_TRUNCATED;
	le = get_le32(f);
	be = get_be32(f);
	*l3 = NULL_HLEN;
	if (le == BSD_AF_INET || be == BSD_AF_INET)
		return LL_IP;
	if (le == BSD_AF_INET6_NETBSD || be == BSD_AF_INET6_NETBSD ||
	    le == BSD_AF_INET6_FREEBSD || be == BSD_AF_INET6_FREEBSD ||
	    le == BSD_AF_INET6_DARWIN || be == BSD_AF_INET6_DARWIN)
		return LL_IP;
	return LL_NOT_IP;
}

static enum ll_kind
by_ppp(const uint8_t *f, size_t caplen, size_t *l3)
{
	size_t off = 0;
	uint16_t proto;

	if (caplen >= 2 && f[0] == PPP_ADDRESS && f[1] == PPP_CONTROL)
		off = 2;
	if (off >= caplen)
		return LL_TRUNCATED;
	if (f[off] & 1) {
		proto = f[off];		/* compressed: one byte */
		off += 1;
	} else {
		if (caplen - off < 2)
			return LL_TRUNCATED;
		proto = get_be16(f + off);
		off += 2;
	}
	switch (proto) {
	case PPP_IPV4:
	case PPP_IPV6:
		*l3 = off;
		return LL_IP;
	case PPP_MPLS:
	case PPP_MPLS_MC:
		return by_mpls(f, caplen, off, l3);
	default:
		return LL_NOT_IP;	/* LCP, IPCP, ... */
	}
}

bool
ll_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_PPP:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case LL_LINKTYPE_RAW:
		return true;
	default:
		return false;
	}
}

enum ll_kind
ll_find_l3(int dlt, const uint8_t *frame, size_t caplen, size_t *offset)
{
	switch (dlt) {
	case DLT_EN10MB:
		if (caplen < ETH_HLEN)
			return LL_TRUNCATED;
		return by_ethertype(get_be16(frame + ETH_TYPE_OFF), frame,
				    caplen, ETH_HLEN, offset);
	case DLT_LINUX_SLL:
		if (caplen < SLL_HLEN)
			return LL_TRUNCATED;
		return by_ethertype(get_be16(frame + SLL_TYPE_OFF), frame,
				    caplen, SLL_HLEN, offset);
	case DLT_LINUX_SLL2:
		if (caplen < SLL2_HLEN)
			return LL_TRUNCATED;
		return by_ethertype(get_be16(frame), frame, caplen, SLL2_HLEN,
				    offset);
	case DLT_NULL:
	case DLT_LOOP:
		return by_null(frame, caplen, offset);
	case DLT_PPP:
		return by_ppp(frame, caplen, offset);
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case LL_LINKTYPE_RAW:
		/*
		 * Whatever follows claims to be IP, so even a bad version
		 * nibble goes to the library, which says why it is INVALID.
		 */
		*offset = 0;
		return LL_IP;
	default:
		return LL_NOT_IP;
	}
}
