/* SPDX-License-Identifier: MIT */
/*
 * tuple.c - the public tuple helpers (pure functions).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <udpct/tuple.h>

#include "internal.h"

UDPCT_EXPORT void
udpct_tuple_set_v4(struct udpct_tuple *t, uint32_t saddr, uint16_t sport,
		   uint32_t daddr, uint16_t dport, uint16_t zone)
{
	memset(t, 0, sizeof(*t));
	t->family = UDPCT_IPV4;
	t->proto = UDPCT_PROTO_UDP;
	t->zone = zone;
	t->sport = sport;
	t->dport = dport;
	memcpy(t->saddr, &saddr, 4);
	memcpy(t->daddr, &daddr, 4);
}

UDPCT_EXPORT void
udpct_tuple_set_v6(struct udpct_tuple *t, const uint8_t saddr[16],
		   uint16_t sport, const uint8_t daddr[16], uint16_t dport,
		   uint16_t zone)
{
	memset(t, 0, sizeof(*t));
	t->family = UDPCT_IPV6;
	t->proto = UDPCT_PROTO_UDP;
	t->zone = zone;
	t->sport = sport;
	t->dport = dport;
	memcpy(t->saddr, saddr, 16);
	memcpy(t->daddr, daddr, 16);
}

UDPCT_EXPORT void
udpct_tuple_invert(struct udpct_tuple *out, const struct udpct_tuple *in)
{
	struct udpct_tuple r = *in;

	memcpy(r.saddr, in->daddr, 16);
	memcpy(r.daddr, in->saddr, 16);
	r.sport = in->dport;
	r.dport = in->sport;
	*out = r;
}

UDPCT_EXPORT bool
udpct_tuple_equal(const struct udpct_tuple *a, const struct udpct_tuple *b)
{
	size_t alen = a->family == UDPCT_IPV4 ? 4 : 16;

	return a->family == b->family && a->proto == b->proto &&
	       a->zone == b->zone && a->sport == b->sport &&
	       a->dport == b->dport && !memcmp(a->saddr, b->saddr, alen) &&
	       !memcmp(a->daddr, b->daddr, alen);
}

UDPCT_EXPORT int
udpct_tuple_format(const struct udpct_tuple *t, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af, n;

	if (!t || !buf || len == 0)
		return -EINVAL;
	if (t->family != UDPCT_IPV4 && t->family != UDPCT_IPV6)
		return -EINVAL;
	af = t->family == UDPCT_IPV4 ? AF_INET : AF_INET6;
	inet_ntop(af, t->saddr, s, sizeof(s));
	inet_ntop(af, t->daddr, d, sizeof(d));
	if (af == AF_INET)
		n = snprintf(buf, len, "udp %s:%u -> %s:%u", s, t->sport, d,
			     t->dport);
	else
		n = snprintf(buf, len, "udp [%s]:%u -> [%s]:%u", s, t->sport,
			     d, t->dport);
	if (n < 0)
		return -EINVAL;
	return (size_t)n >= len ? -ENOSPC : n;
}
