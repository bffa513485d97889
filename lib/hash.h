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

#include <stdbool.h>
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

/*
 * An IPv4 address as a key word: its 4 bytes first in memory, then zeros,
 * built in a register (no partial stores for the key compare to wait on).
 */
static inline uint64_t
udpct__addr4_word(const uint8_t *a)
{
	uint32_t v;

	memcpy(&v, a, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return v;
#else
	return (uint64_t)v << 32;
#endif
}

static inline void
udpct__key_build(const struct udpct_tuple *t, struct udpct__key *fwd,
		 struct udpct__key *rev)
{
	uint64_t meta = (uint64_t)t->zone << 32 | (uint64_t)t->family << 48 |
			(uint64_t)t->proto << 56;

	if (t->family == UDPCT_IPV4) {
		/* Ignore whatever the caller left past an IPv4 address. */
		fwd->w[0] = udpct__addr4_word(t->saddr);
		fwd->w[1] = 0;
		fwd->w[2] = udpct__addr4_word(t->daddr);
		fwd->w[3] = 0;
	} else {
		memcpy(&fwd->w[0], t->saddr, 16);
		memcpy(&fwd->w[2], t->daddr, 16);
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

/*
 * Hash of the canonical form of @t: the same for a tuple and its inverse.
 * Fixed sizes per family so that every copy compiles to plain moves.
 *
 * IPv4: each endpoint is the 48-bit value address << 16 | port (address in
 * network byte order as loaded); the smaller one first, and the top 16 bits
 * of the two words carry the zone and family/protocol: 16 bytes of XXH3.
 * IPv6: the endpoints (16-byte address, port) ordered as native 64-bit
 * words, then ports, zone, family and protocol: 40 bytes.
 */
static inline uint64_t
udpct__hash_v4_parts(const uint8_t *secret, const uint8_t *saddr,
		     uint16_t sport, const uint8_t *daddr, uint16_t dport,
		     uint16_t zone, uint16_t family_proto)
{
	uint32_t sa, da;
	uint64_t a, b, w[2];

	memcpy(&sa, saddr, 4);
	memcpy(&da, daddr, 4);
	a = (uint64_t)sa << 16 | sport;
	b = (uint64_t)da << 16 | dport;
	w[0] = (a < b ? a : b) | (uint64_t)zone << 48;
	w[1] = (a < b ? b : a) | (uint64_t)family_proto << 48;
	return XXH3_64bits_withSecret(w, sizeof(w), secret,
				      UDPCT__SECRET_SIZE);
}

static inline uint64_t
udpct__hash_v4(const uint8_t *secret, const struct udpct_tuple *t)
{
	return udpct__hash_v4_parts(secret, t->saddr, t->sport, t->daddr,
				    t->dport, t->zone,
				    (uint16_t)(t->family << 8 | t->proto));
}

static inline uint64_t
udpct__hash_v6(const uint8_t *secret, const struct udpct_tuple *t)
{
	uint64_t s[2], d[2], w[5];
	bool swap;

	memcpy(s, t->saddr, 16);
	memcpy(d, t->daddr, 16);
	/* Any total order of the endpoints will do: words, then ports. */
	swap = s[0] != d[0] ? s[0] > d[0]
	       : s[1] != d[1] ? s[1] > d[1] : t->sport > t->dport;
	w[0] = swap ? d[0] : s[0];
	w[1] = swap ? d[1] : s[1];
	w[2] = swap ? s[0] : d[0];
	w[3] = swap ? s[1] : d[1];
	w[4] = (uint64_t)(swap ? t->dport : t->sport) |
	       (uint64_t)(swap ? t->sport : t->dport) << 16 |
	       (uint64_t)t->zone << 32 | (uint64_t)t->family << 48 |
	       (uint64_t)t->proto << 56;
	return XXH3_64bits_withSecret(w, sizeof(w), secret,
				      UDPCT__SECRET_SIZE);
}

static inline uint64_t
udpct__hash_tuple(const uint8_t *secret, const struct udpct_tuple *t)
{
	return t->family == UDPCT_IPV4 ? udpct__hash_v4(secret, t)
				       : udpct__hash_v6(secret, t);
}

/* The tuple a key was built from (its original direction). */
static inline void
udpct__key_tuple(const struct udpct__key *k, struct udpct_tuple *t)
{
	t->sport = (uint16_t)k->w[4];
	t->dport = (uint16_t)(k->w[4] >> 16);
	t->zone = (uint16_t)(k->w[4] >> 32);
	t->family = (uint8_t)(k->w[4] >> 48);
	t->proto = (uint8_t)(k->w[4] >> 56);
	memcpy(t->saddr, &k->w[0], 16);
	memcpy(t->daddr, &k->w[2], 16);
}

/*
 * The hash of a stored key: records keep no hash, writers recompute it.
 * IPv4 straight from the key's words, IPv6 through the tuple.
 */
static inline uint64_t
udpct__hash_key(const uint8_t *secret, const struct udpct__key *k)
{
	uint64_t m = k->w[4];
	struct udpct_tuple t;

	if ((uint8_t)(m >> 48) == UDPCT_IPV4)
		return udpct__hash_v4_parts(
			secret, (const uint8_t *)&k->w[0], (uint16_t)m,
			(const uint8_t *)&k->w[2], (uint16_t)(m >> 16),
			(uint16_t)(m >> 32),
			(uint16_t)((m >> 48 & 0xff) << 8 | m >> 56));
	udpct__key_tuple(k, &t);
	return udpct__hash_tuple(secret, &t);
}

#endif /* UDPCT_HASH_H */
