// SPDX-License-Identifier: MIT
/*
 * tests/common/pkt.c - raw IPv4/IPv6 packet builders (see pkt.h).
 *
 * Layout of a built packet:
 *
 *	IP header [+ IPv4 options | + IPv6 extension headers]
 *	L4: UDP header + payload [+ trailer]   or   raw L4 bytes
 *	[link-layer padding, not counted in the IP length]
 *
 * The builder writes everything with real lengths, computes the L4 and IP
 * checksums, and only then applies the knobs that break a field, so each knob
 * breaks that field alone.  Checksums are RFC 1071 ones'-complement sums,
 * written here independently of lib/ so the tests do not trust the code
 * under test.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

#define IPV4_HDR_LEN	20
#define IPV6_HDR_LEN	40
#define UDP_HDR_LEN	8
#define ICMP_HDR_LEN	8
#define DEFAULT_PAYLOAD	16
#define DEFAULT_TTL	64

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += get16(p + i);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1) {
		sum += (uint32_t)p[len - 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t
pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * A value that is wrong for a field whose correct content is @good: never
 * 0 (which means "no checksum" for UDP) and never the ones'-complement
 * equivalent of @good.
 */
static uint16_t
csum_corrupt(uint16_t good)
{
	uint16_t bad = good ^ 0x5a5a;

	if (bad == 0 || bad == 0xffff)
		bad = good ^ 0x0f0f;
	return bad;
}

static unsigned int
addr_len(uint8_t family)
{
	return family == UDPCT_IPV4 ? 4 : 16;
}

/* Pseudo-header sum: addresses, protocol and L4 length. */
static uint32_t
pseudo_sum(uint8_t family, const uint8_t *saddr, const uint8_t *daddr,
	   uint8_t proto, uint32_t l4len)
{
	uint32_t sum = 0;

	sum = pkt_csum_add(sum, saddr, addr_len(family));
	sum = pkt_csum_add(sum, daddr, addr_len(family));
	sum += proto;
	sum += l4len >> 16;
	sum += l4len & 0xffff;
	return sum;
}

void
pkt_addr(uint8_t out[16], uint8_t family, const char *str)
{
	memset(out, 0, 16);
	if (inet_pton(family == UDPCT_IPV4 ? AF_INET : AF_INET6, str,
		      out) != 1) {
		fprintf(stderr, "pkt_addr: bad address '%s'\n", str);
		abort();
	}
}

uint32_t
pkt_addr4(const char *str)
{
	uint8_t a[16];
	uint32_t v;

	pkt_addr(a, UDPCT_IPV4, str);
	memcpy(&v, a, sizeof(v));
	return v;
}

static void
spec_init(struct pkt_spec *s, uint8_t family, const char *src,
	  uint16_t sport, const char *dst, uint16_t dport)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	pkt_addr(s->saddr, family, src);
	pkt_addr(s->daddr, family, dst);
	s->sport = sport;
	s->dport = dport;
	s->payload_len = DEFAULT_PAYLOAD;
}

void
pkt_spec_v4(struct pkt_spec *s, const char *src, uint16_t sport,
	    const char *dst, uint16_t dport)
{
	spec_init(s, UDPCT_IPV4, src, sport, dst, dport);
}

void
pkt_spec_v6(struct pkt_spec *s, const char *src, uint16_t sport,
	    const char *dst, uint16_t dport)
{
	spec_init(s, UDPCT_IPV6, src, sport, dst, dport);
}

void
pkt_spec_from_tuple(struct pkt_spec *s, const struct udpct_tuple *t)
{
	memset(s, 0, sizeof(*s));
	s->family = t->family;
	memcpy(s->saddr, t->saddr, addr_len(t->family));
	memcpy(s->daddr, t->daddr, addr_len(t->family));
	s->sport = t->sport;
	s->dport = t->dport;
	s->payload_len = DEFAULT_PAYLOAD;
}

void
pkt_spec_udp(struct pkt_spec *s, uint8_t family, const char *src,
	     uint16_t sport, const char *dst, uint16_t dport)
{
	if (family == UDPCT_IPV4)
		pkt_spec_v4(s, src, sport, dst, dport);
	else
		pkt_spec_v6(s, src, sport, dst, dport);
}

void
pkt_spec_ab(struct pkt_spec *s, uint8_t family)
{
	if (family == UDPCT_IPV4)
		pkt_spec_v4(s, PKT_A4, 40000, PKT_B4, 53);
	else
		pkt_spec_v6(s, PKT_A6, 40000, PKT_B6, 53);
}

void
pkt_spec_add_ext(struct pkt_spec *s, uint8_t type, uint8_t len)
{
	s->ext[s->n_ext].type = type;
	s->ext[s->n_ext].len = len;
	s->n_ext++;
}

const struct pkt_hosts *
pkt_hosts(uint8_t family)
{
	static const struct pkt_hosts h4 = {
		PKT_A4, PKT_A4_2, PKT_B4, PKT_B4_2, PKT_R4,
	};
	static const struct pkt_hosts h6 = {
		PKT_A6, PKT_A6_2, PKT_B6, PKT_B6_2, PKT_R6,
	};

	return family == UDPCT_IPV4 ? &h4 : &h6;
}

void
pkt_spec_reply(struct pkt_spec *out, const struct pkt_spec *in)
{
	struct pkt_spec r;

	memset(&r, 0, sizeof(r));
	r.family = in->family;
	memcpy(r.saddr, in->daddr, 16);
	memcpy(r.daddr, in->saddr, 16);
	r.sport = in->dport;
	r.dport = in->sport;
	r.payload_len = DEFAULT_PAYLOAD;
	*out = r;
}

void
pkt_spec_tuple(const struct pkt_spec *s, uint16_t zone,
	       struct udpct_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = s->family;
	t->proto = UDPCT_PROTO_UDP;
	t->zone = zone;
	t->sport = s->sport;
	t->dport = s->dport;
	memcpy(t->saddr, s->saddr, addr_len(s->family));
	memcpy(t->daddr, s->daddr, addr_len(s->family));
}

static size_t
ext_size(const struct pkt_ext *e)
{
	switch (e->type) {
	case PKT_PROTO_FRAGMENT:
		return 8;
	case PKT_PROTO_AH:
		return ((size_t)e->len + 2) * 4;
	default:
		return ((size_t)e->len + 1) * 8;
	}
}

static size_t
hdr_size(const struct pkt_spec *s)
{
	size_t n = IPV6_HDR_LEN;
	unsigned int i;

	if (s->family == UDPCT_IPV4)
		return IPV4_HDR_LEN + s->ip_opt_len;
	for (i = 0; i < s->n_ext; i++)
		n += ext_size(&s->ext[i]);
	return n;
}

static size_t
l4_size(const struct pkt_spec *s)
{
	if (s->proto)
		return s->payload_len;
	return UDP_HDR_LEN + s->payload_len + s->trailer_len;
}

size_t
pkt_ip_bytes(const struct pkt_spec *s)
{
	size_t hdr = s->family == UDPCT_IPV4 ? IPV4_HDR_LEN + s->ip_opt_len
					     : IPV6_HDR_LEN;
	size_t pay = hdr_size(s) - hdr + l4_size(s);

	if (s->trunc && s->trunc_len < pay)
		pay = s->trunc_len;
	return hdr + pay;
}

/* Write one IPv6 extension header at @p; @next is its Next Header. */
static void
write_ext(uint8_t *p, const struct pkt_ext *e, uint8_t next)
{
	size_t n = ext_size(e);
	size_t opt;

	memset(p, 0, n);
	p[0] = next;
	switch (e->type) {
	case PKT_PROTO_FRAGMENT:
		put16(p + 2, (uint16_t)((e->frag_off & 0x1fff) << 3 |
					(e->frag_more ? 1 : 0)));
		put32(p + 4, e->frag_id);
		break;
	case PKT_PROTO_AH:
		p[1] = e->len;
		put32(p + 4, 0x1000);	/* SPI */
		put32(p + 8, 1);	/* sequence number */
		break;
	case PKT_PROTO_ROUTING:
		p[1] = e->len;
		p[2] = 253;		/* RFC 4727 experimental type */
		p[3] = 0;		/* segments left: final destination */
		break;
	default:			/* Hop-by-Hop, Destination Options */
		p[1] = e->len;
		opt = n - 2;
		if (opt == 1) {
			p[2] = 0;	/* Pad1 */
		} else {
			p[2] = 1;	/* PadN */
			p[3] = (uint8_t)(opt - 2);
		}
		break;
	}
}

/* Write the IPv4 header (and options) for @s, with an L4 of @l4len. */
static void
write_ipv4(const struct pkt_spec *s, uint8_t *p, uint8_t proto, size_t l4len)
{
	size_t hlen = IPV4_HDR_LEN + s->ip_opt_len;
	uint16_t frag = s->frag_off & 0x1fff;

	if (s->df)
		frag |= 0x4000;
	if (s->mf)
		frag |= 0x2000;
	memset(p, 0, hlen);
	p[0] = (uint8_t)(4 << 4 | (hlen / 4));
	put16(p + 2, (uint16_t)(hlen + l4len));
	put16(p + 4, 0x1234);		/* identification */
	put16(p + 6, frag);
	p[8] = DEFAULT_TTL;
	p[9] = proto;
	memcpy(p + 12, s->saddr, 4);
	memcpy(p + 16, s->daddr, 4);
	memset(p + IPV4_HDR_LEN, 1, s->ip_opt_len);	/* NOP options */
}

/* Write the IPv6 header and extension headers; @return the L4 offset. */
static size_t
write_ipv6(const struct pkt_spec *s, uint8_t *p, uint8_t proto, size_t l4len)
{
	size_t off = IPV6_HDR_LEN;
	unsigned int i;

	memset(p, 0, IPV6_HDR_LEN);
	p[0] = 6 << 4;
	put16(p + 4, (uint16_t)(hdr_size(s) - IPV6_HDR_LEN + l4len));
	p[6] = s->n_ext ? s->ext[0].type : proto;
	p[7] = DEFAULT_TTL;
	memcpy(p + 8, s->saddr, 16);
	memcpy(p + 24, s->daddr, 16);
	for (i = 0; i < s->n_ext; i++) {
		uint8_t next = i + 1 < s->n_ext ? s->ext[i + 1].type : proto;

		write_ext(p + off, &s->ext[i], next);
		off += ext_size(&s->ext[i]);
	}
	return off;
}

static void
fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Fill in the UDP checksum of the datagram at @udp (@l4len IP payload). */
static void
udp_checksum(const struct pkt_spec *s, uint8_t *udp, size_t l4len)
{
	uint16_t ulen = get16(udp + 4);
	uint32_t sum;
	uint16_t c;

	put16(udp + 6, 0);
	if (s->csum == PKT_CSUM_FFFF) {
		/* tune payload word 0 so that the sum comes out 0xffff */
		put16(udp + UDP_HDR_LEN, 0);
		sum = pseudo_sum(s->family, s->saddr, s->daddr, PKT_PROTO_UDP,
				 (uint32_t)l4len);
		sum = pkt_csum_add(sum, udp, l4len);
		put16(udp + UDP_HDR_LEN, pkt_csum_fold(sum));
	}
	if (s->csum == PKT_CSUM_ULEN) {
		size_t n = ulen < l4len ? ulen : l4len;

		sum = pseudo_sum(s->family, s->saddr, s->daddr, PKT_PROTO_UDP,
				 ulen);
		sum = pkt_csum_add(sum, udp, n);
	} else {
		sum = pseudo_sum(s->family, s->saddr, s->daddr, PKT_PROTO_UDP,
				 (uint32_t)l4len);
		sum = pkt_csum_add(sum, udp, l4len);
	}
	c = pkt_csum_fold(sum);
	if (c == 0)
		c = 0xffff;	/* RFC 768: a computed 0 is sent as ~0 */

	switch (s->csum) {
	case PKT_CSUM_ZERO:
		c = 0;
		break;
	case PKT_CSUM_BAD:
		c = csum_corrupt(c);
		break;
	case PKT_CSUM_RAW:
		c = s->udp_csum;
		break;
	default:
		break;
	}
	put16(udp + 6, c);
}

static void
ipv4_checksum(const struct pkt_spec *s, uint8_t *p)
{
	size_t hlen = IPV4_HDR_LEN + s->ip_opt_len;
	uint16_t c;

	put16(p + 10, 0);
	c = pkt_csum_fold(pkt_csum_add(0, p, hlen));
	if (s->bad_ip_csum)
		c = csum_corrupt(c);
	put16(p + 10, c);
}

/*
 * Build @s with an L4 segment either generated (UDP) or taken from @raw.
 * @return bytes written, or 0.
 */
static size_t
build(const struct pkt_spec *s, void *out, size_t cap)
{
	uint8_t *p = out;
	uint8_t proto = s->proto ? s->proto : PKT_PROTO_UDP;
	size_t hlen, l4len, off, total, pay;

	if (s->family != UDPCT_IPV4 && s->family != UDPCT_IPV6)
		return 0;
	if (s->family == UDPCT_IPV4 &&
	    (s->ip_opt_len % 4 || s->ip_opt_len > 40))
		return 0;
	if (s->n_ext > PKT_MAX_EXT)
		return 0;
	if (!s->proto && s->csum == PKT_CSUM_FFFF && s->payload_len < 2)
		return 0;
	hlen = hdr_size(s);
	l4len = l4_size(s);
	total = hlen + l4len;
	if (total > 65535 + (s->family == UDPCT_IPV6 ? IPV6_HDR_LEN : 0))
		return 0;
	if (total + s->pad_len > cap)
		return 0;

	if (s->family == UDPCT_IPV4) {
		write_ipv4(s, p, proto, l4len);
		off = hlen;
	} else {
		off = write_ipv6(s, p, proto, l4len);
	}

	if (s->proto) {
		if (s->payload)
			memcpy(p + off, s->payload, s->payload_len);
		else
			fill_pattern(p + off, s->payload_len, 0x30);
	} else {
		uint8_t *udp = p + off;

		put16(udp, s->sport);
		put16(udp + 2, s->dport);
		put16(udp + 4, s->udp_len_set ? s->udp_len :
			       (uint16_t)(UDP_HDR_LEN + s->payload_len));
		if (s->payload)
			memcpy(udp + UDP_HDR_LEN, s->payload, s->payload_len);
		else
			fill_pattern(udp + UDP_HDR_LEN, s->payload_len, 0x41);
		memset(udp + UDP_HDR_LEN + s->payload_len, 0xa5,
		       s->trailer_len);
		udp_checksum(s, udp, l4len);
	}

	/* knobs that break the IP header, then truncation */
	pay = total - (s->family == UDPCT_IPV4 ? hlen : IPV6_HDR_LEN);
	if (s->trunc && s->trunc_len < pay) {
		total -= pay - s->trunc_len;
		pay = s->trunc_len;
	}
	if (s->family == UDPCT_IPV4) {
		put16(p + 2, (uint16_t)total);
		if (s->ip_len_set)
			put16(p + 2, s->ip_len);
		if (s->ihl_set)
			p[0] = (uint8_t)((p[0] & 0xf0) | (s->ihl & 0x0f));
		if (s->version_set)
			p[0] = (uint8_t)((p[0] & 0x0f) | s->version << 4);
		ipv4_checksum(s, p);
	} else {
		put16(p + 4, (uint16_t)pay);
		if (s->ip_len_set)
			put16(p + 4, s->ip_len);
		if (s->version_set)
			p[0] = (uint8_t)((p[0] & 0x0f) | s->version << 4);
	}
	memset(p + total, 0xee, s->pad_len);
	return total + s->pad_len;
}

size_t
pkt_build_udp(const struct pkt_spec *s, void *buf, size_t cap)
{
	return build(s, buf, cap);
}

/*
 * Wrap the ICMP/ICMPv6 message @msg in the IP header @s describes (family,
 * addresses, options, extension headers) and checksum it.
 */
static size_t
wrap_icmp(struct pkt_spec *s, uint8_t *msg, size_t len, bool bad_csum,
	  void *buf, size_t cap)
{
	uint8_t family = s->family;
	uint32_t sum = 0;
	uint16_t c;

	s->proto = family == UDPCT_IPV4 ? PKT_PROTO_ICMP : PKT_PROTO_ICMPV6;
	s->payload = msg;
	s->payload_len = len;

	if (len >= 4) {
		put16(msg + 2, 0);
		if (family == UDPCT_IPV6)
			sum = pseudo_sum(family, s->saddr, s->daddr,
					 PKT_PROTO_ICMPV6, (uint32_t)len);
		sum = pkt_csum_add(sum, msg, len);
		c = pkt_csum_fold(sum);
		if (bad_csum)
			c = csum_corrupt(c);
		put16(msg + 2, c);
	}
	return build(s, buf, cap);
}

size_t
pkt_build_icmp_error(const struct pkt_icmp_spec *is, void *buf, size_t cap)
{
	uint8_t msg[PKT_MAX];
	size_t len = ICMP_HDR_LEN + is->quote_len;
	struct pkt_spec s;

	if (is->family != UDPCT_IPV4 && is->family != UDPCT_IPV6)
		return 0;
	if (len > sizeof(msg) || is->n_ext > PKT_MAX_EXT)
		return 0;
	memset(msg, 0, ICMP_HDR_LEN);
	msg[0] = is->type;
	msg[1] = is->code;
	put32(msg + 4, is->rest);
	if (is->quote_len)
		memcpy(msg + ICMP_HDR_LEN, is->quote, is->quote_len);
	if (is->trunc && is->trunc_len < len)
		len = is->trunc_len;
	memset(&s, 0, sizeof(s));
	s.family = is->family;
	memcpy(s.saddr, is->saddr, 16);
	memcpy(s.daddr, is->daddr, 16);
	s.ip_opt_len = is->ip_opt_len;
	memcpy(s.ext, is->ext, sizeof(s.ext));
	s.n_ext = is->n_ext;
	return wrap_icmp(&s, msg, len, is->bad_csum, buf, cap);
}

void
pkt_icmp_unreach(struct pkt_icmp_spec *is, const struct pkt_spec *orig,
		 const void *quote, size_t quote_len)
{
	memset(is, 0, sizeof(*is));
	is->family = orig->family;
	memcpy(is->saddr, orig->daddr, 16);
	memcpy(is->daddr, orig->saddr, 16);
	if (orig->family == UDPCT_IPV4) {
		is->type = 3;		/* destination unreachable */
		is->code = 3;		/* port unreachable */
	} else {
		is->type = 1;		/* destination unreachable */
		is->code = 4;		/* port unreachable */
	}
	is->quote = quote;
	is->quote_len = quote_len;
}

size_t
pkt_build_icmp_echo(uint8_t family, const char *src, const char *dst,
		    uint16_t id, uint16_t seq, bool reply, void *buf,
		    size_t cap)
{
	uint8_t msg[ICMP_HDR_LEN + 8];
	struct pkt_spec s;

	if (family != UDPCT_IPV4 && family != UDPCT_IPV6)
		return 0;
	memset(&s, 0, sizeof(s));
	s.family = family;
	pkt_addr(s.saddr, family, src);
	pkt_addr(s.daddr, family, dst);
	memset(msg, 0, sizeof(msg));
	if (family == UDPCT_IPV4)
		msg[0] = reply ? 0 : 8;
	else
		msg[0] = reply ? 129 : 128;
	put16(msg + 4, id);
	put16(msg + 6, seq);
	fill_pattern(msg + ICMP_HDR_LEN, 8, 0x61);
	return wrap_icmp(&s, msg, sizeof(msg), false, buf, cap);
}

size_t
pkt_l4_offset(const void *pkt, size_t len)
{
	const uint8_t *p = pkt;
	size_t off;
	uint8_t nh;

	if (len < 1)
		return 0;
	if (p[0] >> 4 == 4) {
		off = (size_t)(p[0] & 0x0f) * 4;
		return len >= IPV4_HDR_LEN && off <= len ? off : 0;
	}
	if (p[0] >> 4 != 6 || len < IPV6_HDR_LEN)
		return 0;
	nh = p[6];
	off = IPV6_HDR_LEN;
	for (;;) {
		switch (nh) {
		case PKT_PROTO_HOPOPTS:
		case PKT_PROTO_ROUTING:
		case PKT_PROTO_DSTOPTS:
			if (off + 2 > len)
				return 0;
			nh = p[off];
			off += ((size_t)p[off + 1] + 1) * 8;
			break;
		case PKT_PROTO_FRAGMENT:
			if (off + 2 > len)
				return 0;
			nh = p[off];
			off += 8;
			break;
		case PKT_PROTO_AH:
			if (off + 2 > len)
				return 0;
			nh = p[off];
			off += ((size_t)p[off + 1] + 2) * 4;
			break;
		default:
			return off <= len ? off : 0;
		}
	}
}
