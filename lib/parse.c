/* SPDX-License-Identifier: MIT */
/*
 * parse.c - raw IP parsing with the kernel's acceptance rules.
 *
 * The checks are those a packet meets before and inside nf_conntrack_in():
 * ip_rcv()/ipv6_rcv() sanity (header length, total length, IPv4 header
 * checksum; link-layer padding beyond the total length is trimmed), the
 * fragment refusal of ipv4_get_l4proto()/ipv6_get_l4proto() (conntrack sees
 * only reassembled datagrams, so a fragment here means the caller did not
 * reassemble), ipv6_skip_exthdr(), udp_error() for UDP and
 * nf_conntrack_icmpv4_error()/nf_conntrack_icmpv6_error() for ICMP errors.
 * See docs/semantics.md for the reasons and where the kernel differs.
 */
#include <string.h>

#include "checksum.h"
#include "parse.h"

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_ICMP_		1
#define IPPROTO_UDP_		17
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_		51
#define IPPROTO_ICMPV6_		58
#define IPPROTO_DSTOPTS_	60

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Layer 3 as far as the transport header. */
struct l3 {
	uint8_t family;
	uint8_t proto;		/* transport protocol after extension headers */
	const uint8_t *saddr;
	const uint8_t *daddr;
	const uint8_t *l4;	/* transport header */
	uint32_t l4_len;	/* bytes from @l4 to the end of the IP packet */
	uint32_t ip_len;	/* IP total length */
};

static uint64_t
ip_header_sum(const uint8_t *p, uint32_t ihl)
{
	uint32_t w[5];

	/* The usual header: five loads, no loop. */
	if (ihl != 20)
		return udpct__csum_partial(0, p, ihl);
	memcpy(w, p, 20);
	return (uint64_t)w[0] + w[1] + w[2] + w[3] + w[4];
}

static enum udpct_invalid_reason
parse_v4(const uint8_t *p, size_t len, bool outer, struct l3 *l3)
{
	uint32_t ihl, tot;
	uint16_t frag;

	if (len < 20)
		return UDPCT_REASON_TRUNCATED_IP_HEADER;
	ihl = (uint32_t)(p[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return UDPCT_REASON_BAD_IHL;
	tot = rd16(p + 2);
	if (outer) {
		/* A quoted header is as the router saw it: no length check. */
		if (tot < ihl || tot > len)
			return UDPCT_REASON_BAD_IP_LENGTH;
		if (!udpct__csum_ok(ip_header_sum(p, ihl)))
			return UDPCT_REASON_BAD_IP_CHECKSUM;
	} else {
		tot = (uint32_t)len;
	}
	frag = rd16(p + 6);
	if (frag & 0x1fff)
		return UDPCT_REASON_NON_FIRST_FRAGMENT;
	/* A quoted first fragment still names its flow. */
	if ((frag & 0x2000) && outer)
		return UDPCT_REASON_FRAGMENT;
	l3->family = 4;
	l3->proto = p[9];
	l3->saddr = p + 12;
	l3->daddr = p + 16;
	l3->l4 = p + ihl;
	l3->l4_len = tot - ihl;
	l3->ip_len = tot;
	return UDPCT_REASON_NONE;
}

/* Walk extension headers from *@off to the transport header. */
static enum udpct_invalid_reason
skip_exthdr(const uint8_t *p, uint32_t end, bool outer, uint8_t *nexthdr,
	    uint32_t *off)
{
	uint8_t nh = *nexthdr;
	uint32_t o = *off, hlen;

	for (;;) {
		switch (nh) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
			if (o + 2 > end)
				return UDPCT_REASON_BAD_EXTENSION_HEADER;
			hlen = ((uint32_t)p[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH_:
			if (o + 2 > end)
				return UDPCT_REASON_BAD_EXTENSION_HEADER;
			hlen = ((uint32_t)p[o + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_:
			if (o + 8 > end)
				return UDPCT_REASON_BAD_EXTENSION_HEADER;
			if (rd16(p + o + 2) & 0xfff8)
				return UDPCT_REASON_NON_FIRST_FRAGMENT;
			if ((p[o + 3] & 1) && outer)
				return UDPCT_REASON_FRAGMENT;
			hlen = 8;	/* atomic fragment: tracked normally */
			break;
		default:
			*nexthdr = nh;
			*off = o;
			return UDPCT_REASON_NONE;
		}
		if (o + hlen > end)
			return UDPCT_REASON_BAD_EXTENSION_HEADER;
		nh = p[o];
		o += hlen;
	}
}

static enum udpct_invalid_reason
parse_v6(const uint8_t *p, size_t len, bool outer, struct l3 *l3)
{
	enum udpct_invalid_reason r;
	uint32_t end, off = 40;
	uint8_t nh;

	if (len < 40)
		return UDPCT_REASON_TRUNCATED_IP_HEADER;
	if (outer) {
		end = 40 + (uint32_t)rd16(p + 4);
		/* Payload length 0 would be a jumbogram: not supported. */
		if (end == 40 || end > len)
			return UDPCT_REASON_BAD_IP_LENGTH;
	} else {
		end = (uint32_t)len;
	}
	nh = p[6];
	r = skip_exthdr(p, end, outer, &nh, &off);
	if (r != UDPCT_REASON_NONE)
		return r;
	l3->family = 6;
	l3->proto = nh;
	l3->saddr = p + 8;
	l3->daddr = p + 24;
	l3->l4 = p + off;
	l3->l4_len = end - off;
	l3->ip_len = end;
	return UDPCT_REASON_NONE;
}

static enum udpct_invalid_reason
parse_l3(const uint8_t *p, size_t len, bool outer, struct l3 *l3)
{
	if (len < 1)
		return UDPCT_REASON_TRUNCATED_IP_HEADER;
	switch (p[0] >> 4) {
	case 4:
		return parse_v4(p, len, outer, l3);
	case 6:
		return parse_v6(p, len, outer, l3);
	default:
		return UDPCT_REASON_BAD_IP_VERSION;
	}
}

/* Every byte of @t is written: the verdict's tuple is public. */
static void
fill_tuple(struct udpct_tuple *t, const struct l3 *l3, uint16_t zone)
{
	static const uint8_t zero[12];

	t->family = l3->family;
	t->proto = UDPCT_PROTO_UDP;
	t->zone = zone;
	t->sport = rd16(l3->l4);
	t->dport = rd16(l3->l4 + 2);
	if (l3->family == 4) {
		memcpy(t->saddr, l3->saddr, 4);
		memcpy(t->saddr + 4, zero, 12);
		memcpy(t->daddr, l3->daddr, 4);
		memcpy(t->daddr + 4, zero, 12);
	} else {
		memcpy(t->saddr, l3->saddr, 16);
		memcpy(t->daddr, l3->daddr, 16);
	}
}

/* udp_error(): lengths, then the checksum over the whole IP payload. */
static enum udpct_invalid_reason
check_udp(const struct l3 *l3, bool verify_csum)
{
	uint32_t ulen;
	uint64_t sum;

	if (l3->l4_len < 8)
		return UDPCT_REASON_TRUNCATED_UDP_HEADER;
	ulen = rd16(l3->l4 + 4);
	if (ulen > l3->l4_len || ulen < 8)
		return UDPCT_REASON_BAD_UDP_LENGTH;
	if (!verify_csum || rd16(l3->l4 + 6) == 0)
		return UDPCT_REASON_NONE;
	/*
	 * nf_ip_checksum() sums the whole IP payload with that length in the
	 * pseudo-header, not uh->len: a datagram shorter than its IP payload
	 * with an RFC checksum is INVALID.  Kept for kernel parity.
	 */
	if (l3->family == 4)
		sum = udpct__csum_pseudo(0, l3->saddr, l3->daddr, 4,
					 IPPROTO_UDP_, l3->l4_len);
	else
		sum = udpct__csum_pseudo(0, l3->saddr, l3->daddr, 16,
					 IPPROTO_UDP_, l3->l4_len);
	sum = udpct__csum_partial(sum, l3->l4, l3->l4_len);
	return udpct__csum_ok(sum) ? UDPCT_REASON_NONE
				   : UDPCT_REASON_BAD_CHECKSUM;
}

static bool
icmp_is_error(uint8_t family, uint8_t type)
{
	if (family == 6)
		return type < 128;
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static bool
icmp_csum_ok(const struct l3 *l3)
{
	uint64_t sum = 0;

	if (l3->family == 6)
		sum = udpct__csum_pseudo(0, l3->saddr, l3->daddr, 16,
					 IPPROTO_ICMPV6_, l3->l4_len);
	return udpct__csum_ok(udpct__csum_partial(sum, l3->l4, l3->l4_len));
}

/* The quoted datagram of an ICMP error (nf_conntrack_inet_error()). */
static void
parse_quote(const struct l3 *outer, struct udpct__pkt *out)
{
	const uint8_t *q = outer->l4 + 8;
	uint32_t qlen = outer->l4_len - 8;
	struct l3 in;

	if (parse_l3(q, qlen, false, &in) != UDPCT_REASON_NONE ||
	    in.family != outer->family) {
		out->reason = UDPCT_REASON_BAD_ICMP_QUOTE;
		return;
	}
	if (in.proto != IPPROTO_UDP_) {
		out->reason = UDPCT_REASON_ICMP_QUOTES_UNTRACKED;
		return;
	}
	/* Ports are enough: 4 bytes of quoted UDP match (spec 6a step 5). */
	if (in.l4_len < 4) {
		out->reason = UDPCT_REASON_BAD_ICMP_QUOTE;
		return;
	}
	fill_tuple(out->tuple, &in, out->zone);
}

static void
parse_icmp(const struct l3 *l3, bool verify_csum, struct udpct__pkt *out)
{
	if (l3->l4_len < 8) {
		out->reason = UDPCT_REASON_TRUNCATED_ICMP;
		return;
	}
	/* Echo and other queries are outside the library: never INVALID. */
	if (!icmp_is_error(l3->family, l3->l4[0]))
		return;
	out->kind = UDPCT__PKT_ICMP_ERR;
	if (verify_csum && !icmp_csum_ok(l3)) {
		out->reason = UDPCT_REASON_BAD_ICMP_CHECKSUM;
		return;
	}
	memcpy(out->outer_daddr, l3->daddr, l3->family == 4 ? 4 : 16);
	parse_quote(l3, out);
}

void
udpct__parse(const uint8_t *p, size_t len, bool verify_csum,
	     struct udpct__pkt *out)
{
	struct l3 l3;

	/* Field by field: a memset of the whole packet costs more. */
	out->kind = UDPCT__PKT_OTHER;
	out->tuple->family = 0;
	out->ip_len = 0;
	out->payload = NULL;
	out->payload_len = 0;
	out->reason = parse_l3(p, len, true, &l3);
	if (out->reason != UDPCT_REASON_NONE)
		goto no_tuple;
	out->ip_len = l3.ip_len;
	if (l3.proto == IPPROTO_UDP_) {
		out->kind = UDPCT__PKT_UDP;
		if (l3.l4_len < 4) {
			out->reason = UDPCT_REASON_TRUNCATED_UDP_HEADER;
			goto no_tuple;
		}
		fill_tuple(out->tuple, &l3, out->zone);
		out->reason = check_udp(&l3, verify_csum);
		if (out->reason == UDPCT_REASON_NONE) {
			out->payload = l3.l4 + 8;
			out->payload_len = rd16(l3.l4 + 4) - 8u;
		}
		return;
	}
	if (l3.proto == (l3.family == 4 ? IPPROTO_ICMP_ : IPPROTO_ICMPV6_))
		parse_icmp(&l3, verify_csum, out);
	if (out->tuple->family)
		return;
no_tuple:
	memset(out->tuple, 0, sizeof(*out->tuple));
}
