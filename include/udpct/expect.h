/* SPDX-License-Identifier: MIT */
/*
 * udpct/expect.h - RELATED flows: expectations and helpers.
 *
 * An expectation announces a flow that has not started yet (the TFTP
 * server's answer from a new port).  The first packet that matches it
 * creates a flow linked to nothing but marked EXPECTED: its
 * original-direction packets are RELATED until a reply is seen, then
 * ESTABLISHED, exactly as nf_conntrack_expect does.  Expectations expire on
 * the table's timer wheel and die with the flow that created them.
 *
 * A helper is code attached to flows by destination port (and zone and
 * family) when they are created, like nft's `udp dport 69 ct helper set
 * "tftp"`.  It sees the payload of every accepted packet of its flows, at
 * udpct_commit() time (the kernel runs helpers in nf_confirm()), and calls
 * udpct_expect().  Helpers are off until registered.  docs/helpers.md shows
 * how to write one.
 *
 * Cost: a table with no expectations pays one load and branch on the miss
 * path only; matching scans the live expectations (at most expect_max).
 */
#ifndef UDPCT_EXPECT_H
#define UDPCT_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include <udpct/classify.h>
#include <udpct/tuple.h>

#ifdef __cplusplus
extern "C" {
#endif

struct udpct_table;
struct udpct_flow;

/* Bits of udpct_expect.flags (values of the kernel's NF_CT_EXPECT_*). */
#define UDPCT_EXPECT_PERMANENT	(1u << 0)  /* not consumed by a match */

/**
 * struct udpct_expect - a flow to expect.
 * @tuple:   original-direction tuple of the expected flow.  Its zone and
 *           family must be the master's.
 * @mask:    which bits of @tuple must match: a byte-wise mask over saddr and
 *           daddr, and port masks in sport and dport (0 = any port).  Other
 *           fields of @mask are ignored (family, protocol and zone always
 *           match exactly).
 * @timeout_ns: lifetime; the expectation is gone once now reaches creation
 *           time + timeout (0 means 300 s, the TFTP helper's).
 * @flags:   UDPCT_EXPECT_* bits.
 * @max_per_master: at most this many expectations per master flow; at the
 *           limit the master's oldest is replaced, as the kernel's
 *           max_expected does (0: no per-master limit).
 */
struct udpct_expect {
	struct udpct_tuple tuple;
	struct udpct_tuple mask;
	uint64_t timeout_ns;
	uint32_t flags;
	uint32_t max_per_master;
};

/**
 * Register an expectation created by @master.  An existing expectation of
 * the same master with the same tuple and mask is replaced (its timer
 * restarts), as __nf_ct_expect_check() does.
 *
 * @param t       table.
 * @param master  a live flow of @t.
 * @param e       what to expect.
 * @param now_ns  current time.
 * @return 0; -EINVAL for a NULL argument, a dead master, unknown flags, a
 *         protocol other than UDP, or a tuple whose family or zone differs
 *         from the master's; -EBUSY when
 *         another master's expectation overlaps; -ENOSPC when the table
 *         already holds udpct_config.expect_max expectations.
 * Context: writer (takes the writer lock); typically from a helper.
 * Since: 0.1
 */
int udpct_expect(struct udpct_table *t, struct udpct_flow *master,
		 const struct udpct_expect *e, uint64_t now_ns);

/**
 * Set a flow's remaining lifetime to @timeout_ns from @now_ns, shorter or
 * longer than it had (nf_ct_refresh() from a helper: the broadcast helper
 * cuts its master to 3 s).
 *
 * @return 0, or -EINVAL for a NULL argument or a flow that is not live.
 * Context: writer (takes the writer lock).
 * Since: 0.1
 */
int udpct_flow_set_timeout(struct udpct_table *t, struct udpct_flow *f,
			   uint64_t timeout_ns, uint64_t now_ns);

struct udpct_helper;

/**
 * A helper's packet hook, called for every accepted packet of a flow the
 * helper is attached to, except ICMP errors.
 *
 * @param h        the registered helper (its copy inside the table).
 * @param t        table.
 * @param flow     the flow (the master of any expectation created).
 * @param dir      direction of the packet.
 * @param payload  UDP payload (NULL for udpct_classify_tuple() packets).
 * @param len      payload length.
 * @param now_ns   the packet's time.
 * @return 0, or a negative errno: the packet should be dropped (the kernel
 *         drops a TFTP request whose expectation cannot be created);
 *         udpct_commit() returns it.
 */
typedef int (*udpct_help_fn)(const struct udpct_helper *h,
			     struct udpct_table *t, struct udpct_flow *flow,
			     enum udpct_dir dir, const uint8_t *payload,
			     size_t len, uint64_t now_ns);

/**
 * struct udpct_helper - a helper and where it attaches.
 * @name:   short name, e.g. "tftp" (the tool prints helper=NAME).  The
 *          string must outlive the table.
 * @port:   attach to new flows whose original destination port is this.
 * @zone:   ... and whose zone is this.
 * @family: ... and whose family is this (0: IPv4 and IPv6).
 * @help:   the hook.
 * @arg:    for the hook's use.
 * @data:   for the hook's use; copied at registration (built-in helpers
 *          keep their parameters here).
 */
struct udpct_helper {
	const char *name;
	uint16_t port;
	uint16_t zone;
	uint8_t family;
	udpct_help_fn help;
	void *arg;
	uint64_t data[4];
};

/** Most helpers one table holds. */
#define UDPCT_HELPERS_MAX 8

/**
 * Register a helper; it attaches to flows created from now on.  The
 * structure is copied.
 *
 * @return 0; -EINVAL for a NULL argument, a NULL hook or name, or a bad
 *         family; -EEXIST when a helper already has that port, zone and an
 *         overlapping family; -ENOSPC beyond UDPCT_HELPERS_MAX.
 * Context: owner.
 * Since: 0.1
 */
int udpct_helper_register(struct udpct_table *t, const struct udpct_helper *h);

/**
 * Fill @h with the TFTP helper (nf_conntrack_tftp): a read or write request
 * (opcode 1 or 2 right after the UDP header) expects the server's answer
 * from any source port to the client's port, single-use, 300 s, one per
 * master.
 *
 * @param h     helper to fill.
 * @param port  server port; 0 means 69.
 * Context: pure.
 * Since: 0.1
 */
void udpct_helper_tftp(struct udpct_helper *h, uint16_t port);

/**
 * Fill @h with the NetBIOS name service broadcast helper
 * (nf_conntrack_netbios_ns over nf_conntrack_broadcast): a query in the
 * original direction to the broadcast address of the subnet
 * @subnet/@prefix_len expects answers from any host of that subnet, source
 * port @port, to the query's source port; the expectation is permanent for
 * @timeout_ns and the query's flow is cut to the same lifetime.  IPv4 only.
 * The subnet is configuration because a library has no interfaces; the
 * kernel reads it from the output device.
 *
 * @param h           helper to fill.
 * @param subnet      network address, network byte order.
 * @param prefix_len  1..30.
 * @param port        0 means 137.
 * @param timeout_ns  0 means 3 s (the module's default).
 * Context: pure.
 * Since: 0.1
 */
void udpct_helper_netbios_ns(struct udpct_helper *h, uint32_t subnet,
			     unsigned prefix_len, uint16_t port,
			     uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_EXPECT_H */
