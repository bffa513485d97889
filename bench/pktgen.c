/* SPDX-License-Identifier: MIT */
/*
 * pktgen.c - flow tuples and raw IPv4/IPv6 packets for the benchmarks.
 *
 * The checksum code here is independent of lib/checksum.c on purpose: a
 * packet built with the library's own sum would hide a bug in it.  Every
 * packet is well formed (IPv4 DF set, TTL 64, correct header and UDP
 * checksums), so classify takes the path of real traffic with checksum
 * verification on.
 */
#include <string.h>

#include "bench.h"

uint64_t
bench_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A bijection of 24-bit integers: distinct ids give distinct clients. */
static uint32_t
scramble24(uint32_t x)
{
	x &= 0xffffff;
	x = (x * 0x9e3779u + 0x5bd1e9u) & 0xffffff;	/* odd multiplier */
	x ^= x >> 12;
	x = (x * 0x2c1b3du) & 0xffffff;
	x ^= x >> 11;
	return x;
}

void
bench_tuple(struct udpct_tuple *t, int family, uint32_t id)
{
	static const uint16_t services[] = { 53, 123, 443, 500, 4500, 51820 };
	uint64_t h = id * 0x9e3779b97f4a7c15ull, r = bench_splitmix64(&h);
	uint8_t s[16] = { 0 }, d[16] = { 0 };
	uint32_t c = scramble24(id);
	uint16_t sport = (uint16_t)(1024 + (r >> 16) % 64511);
	uint16_t dport = services[(r >> 40) % 6];
	uint8_t server = (uint8_t)(1 + (r & 63));
	int i;

	if (family == 4) {
		s[0] = 10;
		s[1] = (uint8_t)(c >> 16);
		s[2] = (uint8_t)(c >> 8);
		s[3] = (uint8_t)c;
		d[0] = 198;
		d[1] = 18;
		d[2] = 0;
		d[3] = server;
		memset(t, 0, sizeof(*t));
		t->family = UDPCT_IPV4;
		t->proto = UDPCT_PROTO_UDP;
		memcpy(t->saddr, s, 4);
		memcpy(t->daddr, d, 4);
		t->sport = sport;
		t->dport = dport;
		return;
	}
	/* 2001:db8::/64 + an interface id unique per id. */
	s[0] = 0x20;
	s[1] = 0x01;
	s[2] = 0x0d;
	s[3] = 0xb8;
	h = r;
	r = bench_splitmix64(&h);
	for (i = 0; i < 5; i++)
		s[8 + i] = (uint8_t)(r >> (8 * i));
	s[13] = (uint8_t)(c >> 16);
	s[14] = (uint8_t)(c >> 8);
	s[15] = (uint8_t)c;
	d[0] = 0x20;
	d[1] = 0x01;
	d[2] = 0x0d;
	d[3] = 0xb8;
	d[4] = 0xff;
	d[5] = 0xff;
	d[15] = server;
	udpct_tuple_set_v6(t, s, sport, d, dport, 0);
}

static void
wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* RFC 1071 sum of @len bytes into a 32-bit accumulator (not folded). */
static uint32_t
sum16(uint32_t acc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)(p[len - 1] << 8);
	return acc;
}

static uint16_t
fold_not(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static size_t
put_ip4(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto,
	size_t l4_len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	wr16(p + 2, (uint32_t)(20 + l4_len));
	wr16(p + 4, 0x1234);
	wr16(p + 6, 0x4000);	/* DF */
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	wr16(p + 10, fold_not(sum16(0, p, 20)));
	return 20;
}

static size_t
put_ip6(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t proto,
	size_t l4_len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	wr16(p + 4, (uint32_t)l4_len);
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* UDP header + payload at @p, checksum over the pseudo-header. */
static void
put_udp(uint8_t *p, const uint8_t *src, const uint8_t *dst, size_t alen,
	uint16_t sport, uint16_t dport, size_t payload)
{
	size_t len = 8 + payload, i;
	uint32_t acc;
	uint16_t c;

	wr16(p, sport);
	wr16(p + 2, dport);
	wr16(p + 4, (uint32_t)len);
	wr16(p + 6, 0);
	for (i = 0; i < payload; i++)
		p[8 + i] = (uint8_t)(0xa5 ^ i);
	acc = sum16(0, src, alen);
	acc = sum16(acc, dst, alen);
	acc += 17 + (uint32_t)len;
	c = fold_not(sum16(acc, p, len));
	wr16(p + 6, c ? c : 0xffff);	/* 0 would mean "no checksum" */
}

size_t
bench_pkt_udp(uint8_t *buf, const struct udpct_tuple *t, bool reply,
	      size_t payload)
{
	const uint8_t *src = reply ? t->daddr : t->saddr;
	const uint8_t *dst = reply ? t->saddr : t->daddr;
	uint16_t sport = reply ? t->dport : t->sport;
	uint16_t dport = reply ? t->sport : t->dport;
	size_t alen = t->family == UDPCT_IPV4 ? 4 : 16, off;

	if (t->family == UDPCT_IPV4)
		off = put_ip4(buf, src, dst, 17, 8 + payload);
	else
		off = put_ip6(buf, src, dst, 17, 8 + payload);
	put_udp(buf + off, src, dst, alen, sport, dport, payload);
	return off + 8 + payload;
}

size_t
bench_pkt_icmp4_unreach(uint8_t *buf, const struct udpct_tuple *t)
{
	uint8_t quoted[64];
	uint8_t *icmp = buf + 20;
	size_t qlen = bench_pkt_udp(quoted, t, false, BENCH_PAYLOAD);

	/* RFC 792: the IP header and the first 8 bytes of the datagram. */
	if (qlen > 28)
		qlen = 28;
	put_ip4(buf, t->daddr, t->saddr, 1, 8 + qlen);
	memset(icmp, 0, 8);
	icmp[0] = 3;	/* destination unreachable */
	icmp[1] = 3;	/* port unreachable */
	memcpy(icmp + 8, quoted, qlen);
	wr16(icmp + 2, fold_not(sum16(0, icmp, 8 + qlen)));
	return 20 + 8 + qlen;
}
