/* SPDX-License-Identifier: MIT */
/*
 * udpct/classify.h - per-packet classification, the library's central call.
 *
 * A packet is classified as the Linux kernel's nf_conntrack would at
 * PRE_ROUTING (see docs/semantics.md):
 *
 *   NEW          first packet of an unknown tuple, and every further packet in
 *                the original direction until a reply has been seen;
 *   ESTABLISHED  a packet on the inverted tuple (direction reply), and every
 *                packet of either direction after that;
 *   RELATED      an ICMP/ICMPv6 error quoting a datagram of a tracked flow;
 *   INVALID      a packet that cannot be parsed or validated, with a reason;
 *   IGNORED      a packet the library does not track (not UDP and not an ICMP
 *                error: TCP, ICMP echo, ESP, ...).
 *
 * Two-phase, as the kernel: a packet of an unknown tuple returns NEW with a
 * *tentative* flow that exists only in the verdict.  The flow enters the
 * table when the caller accepts the packet and calls udpct_commit(); a caller
 * that drops the packet simply does not commit, and no trace remains.  With
 * UDPCT_CFG_AUTO_COMMIT the table commits by itself.
 */
#ifndef UDPCT_CLASSIFY_H
#define UDPCT_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include <udpct/tuple.h>

#ifdef __cplusplus
extern "C" {
#endif

struct udpct_table;
struct udpct_flow;

/* X(enum suffix, printed name) */
#define UDPCT_STATE_LIST(X)		\
	X(NEW, "NEW")			\
	X(ESTABLISHED, "ESTABLISHED")	\
	X(RELATED, "RELATED")		\
	X(INVALID, "INVALID")		\
	X(IGNORED, "IGNORED")

/** What the packet is to a stateful firewall (nft `ct state`). */
enum udpct_state {
#define UDPCT_X_(e, s) UDPCT_##e,
	UDPCT_STATE_LIST(UDPCT_X_)
#undef UDPCT_X_
	UDPCT_STATE_MAX
};

/** Direction of a packet relative to the flow (nft `ct direction`). */
enum udpct_dir {
	UDPCT_DIR_ORIGINAL = 0,	/* same direction as the flow's first packet */
	UDPCT_DIR_REPLY = 1,	/* the inverted tuple */
	UDPCT_DIR_NONE = 2,	/* INVALID and IGNORED packets */
};

/*
 * Why a packet is INVALID.  X(enum suffix, stable snake_case name).  The
 * names are a stable interface: the tool's CSV prints them.
 */
#define UDPCT_REASON_LIST(X)					\
	X(NONE, "")						\
	X(TRUNCATED_IP_HEADER, "truncated_ip_header")		\
	X(BAD_IP_VERSION, "bad_ip_version")			\
	X(BAD_IHL, "bad_ihl")					\
	X(BAD_IP_LENGTH, "bad_ip_length")			\
	X(BAD_IP_CHECKSUM, "bad_ip_checksum")			\
	X(FRAGMENT, "fragment")					\
	X(NON_FIRST_FRAGMENT, "non_first_fragment")		\
	X(BAD_EXTENSION_HEADER, "bad_extension_header")		\
	X(TRUNCATED_UDP_HEADER, "truncated_udp_header")		\
	X(BAD_UDP_LENGTH, "bad_udp_length")			\
	X(BAD_CHECKSUM, "bad_checksum")				\
	X(TRUNCATED_ICMP, "truncated_icmp")			\
	X(BAD_ICMP_CHECKSUM, "bad_icmp_checksum")		\
	X(BAD_ICMP_QUOTE, "bad_icmp_quote")			\
	X(ICMP_QUOTES_UNTRACKED, "icmp_quotes_untracked")	\
	X(ICMP_UNKNOWN_FLOW, "icmp_unknown_flow")		\
	X(ICMP_DADDR_MISMATCH, "icmp_daddr_mismatch")		\
	X(TABLE_FULL, "table_full")				\
	X(HELPER_REFUSED, "helper_refused")

/** Reason attached to an INVALID verdict (UDPCT_REASON_NONE otherwise). */
enum udpct_invalid_reason {
#define UDPCT_X_(e, s) UDPCT_REASON_##e,
	UDPCT_REASON_LIST(UDPCT_X_)
#undef UDPCT_X_
	UDPCT_REASON_MAX
};

/*
 * Flow status bits, numbered as the kernel's enum ip_conntrack_status so that
 * values compare directly with ctnetlink's.
 */
#define UDPCT_STATUS_EXPECTED	(1u << 0)  /* created by an expectation */
#define UDPCT_STATUS_SEEN_REPLY	(1u << 1)  /* a reply has been accepted */
#define UDPCT_STATUS_ASSURED	(1u << 2)  /* never early-dropped */
#define UDPCT_STATUS_CONFIRMED	(1u << 3)  /* committed to the table */
#define UDPCT_STATUS_DYING	(1u << 9)  /* being removed */

/**
 * struct udpct_verdict - result of classifying one packet.
 * @state:  NEW, ESTABLISHED, RELATED, INVALID or IGNORED.
 * @dir:    direction; UDPCT_DIR_NONE for INVALID and IGNORED.
 * @reason: why the packet is INVALID, UDPCT_REASON_NONE otherwise.
 * @status: the flow's UDPCT_STATUS_* bits after this packet (0 without flow).
 * @flow:   the flow the packet belongs to; NULL for INVALID, IGNORED and a
 *          tentative NEW not committed yet (udpct_commit() fills it in).
 *          For RELATED it is the flow the ICMP error quotes.
 * @tuple:  the packet's tuple; for an ICMP error, the quoted datagram's.
 * @priv:   private to the library (what udpct_commit() needs); do not touch.
 */
struct udpct_verdict {
	enum udpct_state state;
	enum udpct_dir dir;
	enum udpct_invalid_reason reason;
	uint32_t status;
	struct udpct_flow *flow;
	struct udpct_tuple tuple;
	struct {
		uint64_t hash;
		uint64_t now_ns;
		const uint8_t *payload;
		uint32_t payload_len;
		uint32_t bytes;
		uint32_t flags;
	} priv;
};

/**
 * Classify one raw IPv4 or IPv6 packet (starting at the IP header, no link
 * layer), as nf_conntrack does at PRE_ROUTING, in zone 0 (see
 * udpct_classify_zone()).
 *
 * Parses the IP header (IPv6 extension headers are walked), validates UDP
 * (lengths, and the checksum unless UDPCT_CFG_NO_CHECKSUM), looks the flow
 * up, refreshes its timeout and counters, and fills @v.  A malformed packet
 * is not an error: it returns 0 with @v->state == UDPCT_INVALID and a reason.
 * Fragments are INVALID (reason fragment / non_first_fragment): like the
 * kernel, which reassembles before conntrack, callers must reassemble first.
 *
 * @param t       table.
 * @param l3      first byte of the IP header.
 * @param len     bytes available at @l3 (trailing link-layer padding beyond
 *                the IP total length is ignored).
 * @param now_ns  caller's monotonic time in nanoseconds; should not go
 *                backwards for a table (a flow's deadline never moves back).
 * @param v       verdict to fill.
 * @return 0, or -EINVAL when @t or @v is NULL, or @l3 is NULL with @len > 0.
 * Context: reader.  Lock-free for packets of live flows; takes the writer
 *          lock only on a miss that must write (full table, matching
 *          expectation) and to commit with UDPCT_CFG_AUTO_COMMIT.  No
 *          allocation, no system call.  @v->flow stays valid until the
 *          calling reader's next udpct_reader_quiescent().
 * Since: 0.1
 */
int udpct_classify(struct udpct_table *t, const void *l3, size_t len,
		   uint64_t now_ns, struct udpct_verdict *v);

/**
 * udpct_classify() in conntrack zone @zone (nft `ct zone set`, OVS's
 * ct(zone=)): equal tuples in different zones are different flows, and an
 * ICMP error is RELATED only to a flow of its own zone.
 *
 * @param zone  the packet's zone; udpct_classify() is this with zone 0.
 * @return as udpct_classify().
 * Context: reader, as udpct_classify().
 * Since: 0.1
 */
int udpct_classify_zone(struct udpct_table *t, const void *l3, size_t len,
			uint16_t zone, uint64_t now_ns,
			struct udpct_verdict *v);

/**
 * Classify a datagram given by its tuple, for callers that already know it
 * (a proxy's socket pair).  Nothing is parsed or checksummed; the state
 * machine, timeouts and counters are those of udpct_classify().
 *
 * @param t       table.
 * @param tuple   the datagram's tuple (family, proto UDP, zone, addresses,
 *                ports).
 * @param bytes   datagram length counted in the flow's byte counters.
 * @param now_ns  caller's monotonic time in nanoseconds.
 * @param v       verdict to fill.
 * @return 0, or -EINVAL for a NULL argument, an unknown family or a
 *         protocol other than UDPCT_PROTO_UDP.
 * Context: reader, as udpct_classify().
 * Since: 0.1
 */
int udpct_classify_tuple(struct udpct_table *t, const struct udpct_tuple *tuple,
			 uint32_t bytes, uint64_t now_ns,
			 struct udpct_verdict *v);

/**
 * struct udpct_burst_item - one packet of a burst.
 * @l3:   raw IPv4/IPv6 packet, as for udpct_classify().
 * @len:  bytes at @l3.
 * @zone: conntrack zone, as for udpct_classify_zone(); 0 by default.
 */
struct udpct_burst_item {
	const void *l3;
	size_t len;
	uint16_t zone;
};

/**
 * Classify @n packets at once.  Parses and hashes all of them, prefetches
 * their index buckets and flow records, then resolves them in order, so
 * that memory latency overlaps (DPDK's rte_hash_lookup_bulk, VPP's graph
 * nodes).  The verdicts are exactly those of @n udpct_classify() calls in
 * the same order, including two packets of one new flow in one burst.
 *
 * @param t         table.
 * @param pkts      @n packets.
 * @param n         number of packets (any; processed 32 at a time).
 * @param now_ns    time of the whole burst.
 * @param verdicts  @n verdicts to fill.
 * @return 0, or -EINVAL for a NULL table, @pkts or @verdicts with n > 0,
 *         or a packet with a NULL @l3 and a non-zero length (no verdict is
 *         then written).
 * Context: reader, as udpct_classify().
 * Since: 0.1
 */
int udpct_classify_burst(struct udpct_table *t,
			 const struct udpct_burst_item *pkts, size_t n,
			 uint64_t now_ns, struct udpct_verdict *verdicts);

/**
 * Accept the packet of @v: make its tentative flow real (the kernel's
 * confirmation).  Call it for every accepted packet; for anything but a
 * tentative NEW it does nothing and returns 0.  If another commit inserted
 * the same flow (either direction) in the meantime, the packet joins that
 * flow, as the kernel resolves a clash, and the clash is counted.  On
 * success @v->flow points at the flow.  Never needed with
 * UDPCT_CFG_AUTO_COMMIT.
 *
 * The flow's helper, if any, runs here and reads the packet's payload
 * through the verdict: the packet buffer given to udpct_classify() must
 * still be valid.  A helper that refuses the packet that created the flow
 * undoes the flow, as the kernel never confirms it.
 *
 * @param t  table the verdict came from.
 * @param v  verdict from udpct_classify() or udpct_classify_tuple().
 * @return 0; -EINVAL for a NULL argument; -ENOSPC when the table is full and
 *         the full-table policy refused the flow (counted as insert_failed);
 *         a helper's negative errno when it refused the packet (drop it).
 * Context: writer (takes the writer lock to insert; runs the flow's helper
 *          outside it).
 * Since: 0.1
 */
int udpct_commit(struct udpct_table *t, struct udpct_verdict *v);

/**
 * @return the stable name of @s ("NEW", ...), or "?" when out of range.
 * Context: pure.
 * Since: 0.1
 */
const char *udpct_state_name(enum udpct_state s);

/**
 * @return "original", "reply", or "" for UDPCT_DIR_NONE and bad values.
 * Context: pure.
 * Since: 0.1
 */
const char *udpct_dir_name(enum udpct_dir d);

/**
 * @return the stable snake_case name of @r ("bad_checksum", ...), "" for
 *         UDPCT_REASON_NONE, "?" when out of range.
 * Context: pure.
 * Since: 0.1
 */
const char *udpct_reason_name(enum udpct_invalid_reason r);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_CLASSIFY_H */
