/* SPDX-License-Identifier: MIT */
/*
 * hash.h - keyed, direction-independent tuple hashing and the flow key.
 *
 * The hash input is a canonical, padding-free byte string in which the two
 * endpoints (address, port) are ordered, so a packet and its reply hash
 * identically and one index entry serves both directions (the kernel
 * instead links tuplehash[ORIGINAL] and [REPLY] separately).  XXH3 runs with
 * a per-table 192-byte secret drawn from getrandom(), so nobody outside can
 * aim collisions at a bucket.  XXH_INLINE_ALL: the hash costs no call.
 * Only lib/ includes this file.
 */
#ifndef UDPCT_HASH_H
#define UDPCT_HASH_H

#include <stdint.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <udpct/tuple.h>

#define UDPCT__SECRET_SIZE 192

/*
 * struct udpct__key - a tuple as five words, compared word by word.
 * w[0..1] source address, w[2..3] destination address, w[4] = sport |
 * dport << 16 | zone << 32 | family << 48 | proto << 56.
 */
struct udpct__key {
	uint64_t w[5];
};

static inline void
udpct__key_build(const struct udpct_tuple *t, struct udpct__key *fwd,
		 struct udpct__key *rev)
{
	uint64_t meta = (uint64_t)t->zone << 32 | (uint64_t)t->family << 48 |
			(uint64_t)t->proto << 56;

	memcpy(&fwd->w[0], t->saddr, 16);
	memcpy(&fwd->w[2], t->daddr, 16);
	if (t->family == UDPCT_IPV4) {
		/* Ignore whatever the caller left past an IPv4 address. */
		fwd->w[0] &= 0xffffffffu;
		fwd->w[1] = 0;
		fwd->w[2] &= 0xffffffffu;
		fwd->w[3] = 0;
	}
	fwd->w[4] = meta | (uint64_t)t->dport << 16 | t->sport;
	rev->w[0] = fwd->w[2];
	rev->w[1] = fwd->w[3];
	rev->w[2] = fwd->w[0];
	rev->w[3] = fwd->w[1];
	rev->w[4] = meta | (uint64_t)t->sport << 16 | t->dport;
}

static inline int
udpct__key_equal(const struct udpct__key *a, const struct udpct__key *b)
{
	return ((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) |
		(a->w[2] ^ b->w[2]) | (a->w[3] ^ b->w[3]) |
		(a->w[4] ^ b->w[4])) == 0;
}

/* Hash of the canonical form of @t: the same for a tuple and its inverse. */
static inline uint64_t
udpct__hash_tuple(const uint8_t *secret, const struct udpct_tuple *t)
{
	uint8_t buf[40];
	const uint8_t *lo_a = t->saddr, *hi_a = t->daddr;
	uint16_t lo_p = t->sport, hi_p = t->dport;
	size_t alen = t->family == UDPCT_IPV4 ? 4 : 16;
	int c = memcmp(t->saddr, t->daddr, alen);

	if (c > 0 || (c == 0 && t->sport > t->dport)) {
		lo_a = t->daddr;
		hi_a = t->saddr;
		lo_p = t->dport;
		hi_p = t->sport;
	}
	memcpy(buf, lo_a, alen);
	memcpy(buf + alen, hi_a, alen);
	memcpy(buf + 2 * alen, &lo_p, 2);
	memcpy(buf + 2 * alen + 2, &hi_p, 2);
	memcpy(buf + 2 * alen + 4, &t->zone, 2);
	buf[2 * alen + 6] = t->family;
	buf[2 * alen + 7] = t->proto;
	return XXH3_64bits_withSecret(buf, 2 * alen + 8, secret,
				      UDPCT__SECRET_SIZE);
}

#endif /* UDPCT_HASH_H */
