/* SPDX-License-Identifier: MIT */
/*
 * tests/common/pkt.h - raw IPv4/IPv6 packet builders for tests, fuzz seeds
 * and benchmarks.
 *
 * Every builder writes one packet, starting at the IP header (no link
 * layer), into a caller buffer and returns the number of bytes written, or 0
 * when the buffer is too small or the description is impossible.  By default
 * the result is a well-formed packet: IPv4 header checksum, IP lengths and the
 * UDP / ICMP / ICMPv6 checksum are all correct.  Each knob of struct
 * pkt_spec breaks exactly one thing, so a test can produce every malformed
 * packet the specification names (docs: spec sections 5 and 6a).
 *
 * Usage:
 *
 *	struct pkt_spec s;
 *	uint8_t buf[PKT_MAX];
 *	size_t n;
 *
 *	pkt_spec_v4(&s, PKT_A4, 40000, PKT_B4, 53);
 *	s.csum = PKT_CSUM_ZERO;			(one knob)
 *	n = pkt_build_udp(&s, buf, sizeof(buf));
 *
 * Addresses: use only documentation ranges (RFC 5737 192.0.2.0/24,
 * 198.51.100.0/24, 203.0.113.0/24; RFC 3849 2001:db8::/32).  The PKT_*
 * address macros below follow that rule.
 *
 * UDP checksum, "correct": Linux's nf_conntrack verifies the UDP checksum
 * over the whole IP payload, with the IP payload length in the pseudo-header
 * (net/netfilter/utils.c), not over uh->len bytes as RFC 768 would.  The two
 * agree for every ordinary datagram.  They differ only when a trailer is
 * added after the datagram (@trailer_len), and the builder then offers both
 * (PKT_CSUM_AUTO is the kernel's form, PKT_CSUM_ULEN the RFC form).
 *
 * Thread-safety: pure; no global state.
 */
#ifndef UDPCT_TESTS_PKT_H
#define UDPCT_TESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <udpct/tuple.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Documentation addresses.  A = client, B = server, R = router. */
#define PKT_A4		"192.0.2.1"
#define PKT_A4_2	"192.0.2.2"
#define PKT_B4		"198.51.100.7"
#define PKT_B4_2	"198.51.100.8"
#define PKT_R4		"203.0.113.254"
#define PKT_A6		"2001:db8:1::1"
#define PKT_A6_2	"2001:db8:1::2"
#define PKT_B6		"2001:db8:2::7"
#define PKT_B6_2	"2001:db8:2::8"
#define PKT_R6		"2001:db8:ff::fe"

/* Large enough for every packet the builders produce by default. */
#define PKT_MAX		2048

/* IP protocol / IPv6 next-header numbers used by the builders. */
#define PKT_PROTO_HOPOPTS	0
#define PKT_PROTO_ICMP		1
#define PKT_PROTO_TCP		6
#define PKT_PROTO_UDP		17
#define PKT_PROTO_ROUTING	43
#define PKT_PROTO_FRAGMENT	44
#define PKT_PROTO_ESP		50
#define PKT_PROTO_AH		51
#define PKT_PROTO_ICMPV6	58
#define PKT_PROTO_NONE		59
#define PKT_PROTO_DSTOPTS	60

/** How the UDP checksum field is filled. */
enum pkt_csum {
	/* correct, over the whole IP payload (the kernel's rule); a
	 * computed 0 is sent as 0xFFFF as RFC 768 requires */
	PKT_CSUM_AUTO = 0,
	/* RFC 768 form: over uh->len bytes, uh->len in the pseudo-header;
	 * differs from AUTO only with a trailer */
	PKT_CSUM_ULEN,
	/* 0: "no checksum" */
	PKT_CSUM_ZERO,
	/* a wrong value: neither 0 nor equivalent to the correct one */
	PKT_CSUM_BAD,
	/* @udp_csum written verbatim */
	PKT_CSUM_RAW,
	/* the first two payload bytes are tuned so that the correct
	 * checksum is 0, which is then sent as 0xFFFF (needs a payload of
	 * at least 2 bytes) */
	PKT_CSUM_FFFF,
};

/**
 * struct pkt_ext - one IPv6 extension header, in wire order.
 * @type:      PKT_PROTO_HOPOPTS, _DSTOPTS, _ROUTING, _FRAGMENT or _AH.
 * @len:       the Hdr Ext Len field: the header is (@len + 1) * 8 bytes for
 *             Hop-by-Hop, Destination Options and Routing, (@len + 2) * 4
 *             for AH (so use an odd @len >= 1 for AH to keep 8-byte
 *             alignment); ignored for Fragment (always 8 bytes).
 * @frag_off:  Fragment: offset in 8-byte units (13 bits).
 * @frag_more: Fragment: the M flag.
 * @frag_id:   Fragment: identification.
 * Option space is filled with PadN, routing data with zeros (segments left
 * 0, so the IPv6 destination is the final one).
 */
struct pkt_ext {
	uint8_t type;
	uint8_t len;
	uint16_t frag_off;
	bool frag_more;
	uint32_t frag_id;
};

#define PKT_MAX_EXT	6

/**
 * struct pkt_spec - description of one IP packet (UDP by default).
 *
 * Fill with pkt_spec_v4() / pkt_spec_v6() / pkt_spec_from_tuple(), then set
 * knobs; every knob is off when zero.
 *
 * Addressing:
 * @family:       UDPCT_IPV4 or UDPCT_IPV6.
 * @saddr/@daddr: network byte order; IPv4 in the first 4 bytes.
 * @sport/@dport: host byte order.
 *
 * Payload:
 * @payload:      UDP payload (or, with @proto, the whole L4 segment); NULL
 *                means @payload_len bytes of a fixed pattern.
 * @payload_len:  its length.
 * @proto:        0 for UDP; otherwise the IP protocol / last next-header
 *                value, and @payload is copied verbatim as the L4 segment
 *                (no UDP header, no checksum).
 *
 * UDP knobs:
 * @csum, @udp_csum:        checksum mode, see enum pkt_csum.
 * @udp_len_set, @udp_len:  write @udp_len as uh->len instead of
 *                          8 + @payload_len.
 * @trailer_len:            bytes of the IP payload after the datagram
 *                          (uh->len < IP payload length).
 *
 * IP knobs:
 * @version_set, @version:  write this IP version nibble.
 * @ip_opt_len:             IPv4: bytes of options (NOPs), a multiple of 4,
 *                          at most 40; IHL follows.
 * @ihl_set, @ihl:          IPv4: write this IHL (the L4 data still starts
 *                          after 20 + @ip_opt_len bytes).
 * @ip_len_set, @ip_len:    write this IPv4 total length / IPv6 payload
 *                          length instead of the real one.
 * @bad_ip_csum:            IPv4: a wrong header checksum.
 * @df, @mf, @frag_off:     IPv4: DF, MF and fragment offset (8-byte units).
 * @ext, @n_ext:            IPv6: extension headers, in order.
 *
 * Length knobs:
 * @trunc, @trunc_len:      cut the IP payload (extension headers included)
 *                          to @trunc_len bytes after everything else is
 *                          built; the IP length fields and the IPv4 header
 *                          checksum describe the cut packet.
 * @pad_len:                link-layer padding after the IP packet (not in
 *                          any IP length), filled with 0xEE.
 */
struct pkt_spec {
	uint8_t family;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;
	uint16_t dport;

	const void *payload;
	size_t payload_len;
	uint8_t proto;

	enum pkt_csum csum;
	uint16_t udp_csum;
	bool udp_len_set;
	uint16_t udp_len;
	size_t trailer_len;

	bool version_set;
	uint8_t version;
	uint8_t ip_opt_len;
	bool ihl_set;
	uint8_t ihl;
	bool ip_len_set;
	uint16_t ip_len;
	bool bad_ip_csum;
	bool df;
	bool mf;
	uint16_t frag_off;
	struct pkt_ext ext[PKT_MAX_EXT];
	unsigned int n_ext;

	bool trunc;
	size_t trunc_len;
	size_t pad_len;
};

/**
 * Parse a textual address; aborts on a malformed one (test code).
 *
 * @param out     16 bytes; IPv4 in the first 4, the rest zeroed.
 * @param family  UDPCT_IPV4 or UDPCT_IPV6.
 * @param str     address text.
 */
void pkt_addr(uint8_t out[16], uint8_t family, const char *str);

/** @return the IPv4 address @str in network byte order (for tuples). */
uint32_t pkt_addr4(const char *str);

/**
 * Initialise @s (all knobs off, 16-byte pattern payload) for a UDP/IPv4
 * datagram @src:@sport -> @dst:@dport.
 */
void pkt_spec_v4(struct pkt_spec *s, const char *src, uint16_t sport,
		 const char *dst, uint16_t dport);

/** As pkt_spec_v4() for UDP/IPv6. */
void pkt_spec_v6(struct pkt_spec *s, const char *src, uint16_t sport,
		 const char *dst, uint16_t dport);

/** As pkt_spec_v4() from a tuple (family, addresses, ports). */
void pkt_spec_from_tuple(struct pkt_spec *s, const struct udpct_tuple *t);

/** pkt_spec_v4() or pkt_spec_v6(), as @family (UDPCT_IPV4 or UDPCT_IPV6). */
void pkt_spec_udp(struct pkt_spec *s, uint8_t family, const char *src,
		  uint16_t sport, const char *dst, uint16_t dport);

/** pkt_spec_udp() for A:40000 -> B:53 of @family, all knobs off. */
void pkt_spec_ab(struct pkt_spec *s, uint8_t family);

/**
 * Append one IPv6 extension header of @type and Hdr Ext Len @len to @s
 * (the caller keeps @s->n_ext below PKT_MAX_EXT).
 */
void pkt_spec_add_ext(struct pkt_spec *s, uint8_t type, uint8_t len);

/**
 * struct pkt_hosts - the documentation addresses of one family.
 * @a, @a2: clients (PKT_A4, PKT_A4_2 or the IPv6 ones);
 * @b, @b2: servers; @r: a router on the path.
 */
struct pkt_hosts {
	const char *a, *a2, *b, *b2, *r;
};

/** @return the hosts of @family (static storage). */
const struct pkt_hosts *pkt_hosts(uint8_t family);

/**
 * Initialise @out as the reply to @in: addresses and ports swapped, same
 * family, all knobs off.  @out and @in may alias.
 */
void pkt_spec_reply(struct pkt_spec *out, const struct pkt_spec *in);

/**
 * The tuple the library should report for a packet of @s (zone @zone).
 */
void pkt_spec_tuple(const struct pkt_spec *s, uint16_t zone,
		    struct udpct_tuple *t);

/**
 * Build the packet @s describes.
 *
 * @return bytes written (IP packet plus @pad_len), or 0 when @cap is too
 *         small or @s is impossible (unknown family, too many options...).
 */
size_t pkt_build_udp(const struct pkt_spec *s, void *buf, size_t cap);

/**
 * @return the IP length of a packet @s describes: IPv4 total length or
 *         40 + IPv6 payload length, as actually built (padding excluded,
 *         truncation included), i.e. the bytes the flow counters count.
 */
size_t pkt_ip_bytes(const struct pkt_spec *s);

/**
 * struct pkt_icmp_spec - an ICMP or ICMPv6 error quoting a packet.
 * @family:       UDPCT_IPV4 (ICMP) or UDPCT_IPV6 (ICMPv6).
 * @saddr/@daddr: outer addresses, network byte order.
 * @type/@code:   ICMP type and code.
 * @rest:         the 32 bits after the checksum (unused / MTU / pointer),
 *                host byte order.
 * @quote:        the offending packet, IP header first, as it was sent.
 * @quote_len:    bytes of it to quote (truncate here; pkt_l4_offset()
 *                helps quote "the IP header plus N bytes of L4").
 * @bad_csum:     a wrong ICMP checksum.
 * @trunc, @trunc_len: cut the ICMP message to @trunc_len bytes (checksum
 *                computed over the cut message when it still has one).
 * @ip_opt_len:   outer IPv4 options, as in struct pkt_spec.
 * @ext, @n_ext:  outer IPv6 extension headers, as in struct pkt_spec.
 */
struct pkt_icmp_spec {
	uint8_t family;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint8_t type;
	uint8_t code;
	uint32_t rest;
	const void *quote;
	size_t quote_len;
	bool bad_csum;
	bool trunc;
	size_t trunc_len;
	uint8_t ip_opt_len;
	struct pkt_ext ext[PKT_MAX_EXT];
	unsigned int n_ext;
};

/**
 * Initialise @is as the destination/port-unreachable error the receiver of
 * @orig would send back: outer source @orig's destination, outer
 * destination @orig's source, ICMP 3/3 or ICMPv6 1/4, quoting
 * @quote/@quote_len in full.
 */
void pkt_icmp_unreach(struct pkt_icmp_spec *is, const struct pkt_spec *orig,
		      const void *quote, size_t quote_len);

/** Build the ICMP / ICMPv6 error; @return bytes written or 0. */
size_t pkt_build_icmp_error(const struct pkt_icmp_spec *is, void *buf,
			    size_t cap);

/**
 * Build an ICMP echo request / reply (types 8 / 0) or ICMPv6 echo (128 /
 * 129) with 8 bytes of data and a correct checksum.
 *
 * @return bytes written or 0.
 */
size_t pkt_build_icmp_echo(uint8_t family, const char *src, const char *dst,
			   uint16_t id, uint16_t seq, bool reply, void *buf,
			   size_t cap);

/**
 * @return the offset of the L4 header in an IPv4 or IPv6 packet (IPv4:
 *         IHL * 4; IPv6: 40 plus the Hop-by-Hop, Routing, Destination
 *         Options, Fragment and AH headers), or 0 when the packet is too
 *         short to tell.
 */
size_t pkt_l4_offset(const void *pkt, size_t len);

/**
 * @return the 16-bit ones'-complement sum of @len bytes at @data folded
 *         with @sum (not complemented), in host order of the big-endian
 *         words.
 */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len);

/** @return ~fold(@sum) as a 16-bit value. */
uint16_t pkt_csum_fold(uint32_t sum);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_TESTS_PKT_H */
