/* SPDX-License-Identifier: MIT */
/*
 * udpct/table.h - the flow table: creation, configuration, expiry, dumps and
 * statistics.
 *
 * Memory: every byte is allocated by udpct_table_new() through the
 * configured allocator (flow pool, index, timer wheel, user data); nothing is
 * allocated afterwards.  Capacity is fixed at creation.
 *
 * Time: the library never reads a clock.  Every call that needs time takes
 * now_ns, nanoseconds of a monotonic clock of the caller's choosing (packet
 * timestamps in a replay).  A flow is gone for lookups as soon as now_ns
 * reaches its deadline, whether or not udpct_table_advance() has reaped it.
 */
#ifndef UDPCT_TABLE_H
#define UDPCT_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <udpct/classify.h>
#include <udpct/tuple.h>

#ifdef __cplusplus
extern "C" {
#endif

struct udpct_table;
struct udpct_flow;

/**
 * struct udpct_allocator - allocation hooks, per table.
 * @alloc: return @size bytes aligned to @align (a power of two, at most
 *         4096), or NULL.  Memory need not be zeroed.
 * @free:  release memory from @alloc; @size is the size that was asked for.
 * @state: passed back to both hooks.
 * Both NULL means the C library's allocator.  Called only from
 * udpct_table_new() and udpct_table_free().
 */
struct udpct_allocator {
	void *(*alloc)(void *state, size_t size, size_t align);
	void (*free)(void *state, void *ptr, size_t size);
	void *state;
};

/**
 * struct udpct_flow_info - snapshot of a flow, for callbacks and dumps.
 * @tuple:        original-direction tuple (the first packet's).
 * @status:       UDPCT_STATUS_* bits.
 * @packets:      packets accepted per direction ([UDPCT_DIR_ORIGINAL],
 *                [UDPCT_DIR_REPLY]); 0 without UDPCT_CFG_ACCOUNTING.
 * @bytes:        IP bytes accepted per direction; 0 without accounting.
 * @first_ns:     time of the creating packet.
 * @last_ns:      time of the latest accepted packet; 0 without accounting.
 * @deadline_ns:  the flow is gone once now_ns reaches this.
 * @helper:       name of the helper attached to the flow, or NULL.
 */
struct udpct_flow_info {
	struct udpct_tuple tuple;
	uint32_t status;
	uint64_t packets[2];
	uint64_t bytes[2];
	uint64_t first_ns;
	uint64_t last_ns;
	uint64_t deadline_ns;
	const char *helper;
};

/* Bits of udpct_config.flags. */
#define UDPCT_CFG_AUTO_COMMIT	(1u << 0) /* commit every NEW at classify */
#define UDPCT_CFG_NO_CHECKSUM	(1u << 1) /* nf_conntrack_checksum=0 */
#define UDPCT_CFG_FIXED_SEED	(1u << 2) /* hash secret from hash_seed */
#define UDPCT_CFG_FULL_REFUSE	(1u << 3) /* full table: refuse, no early drop */
#define UDPCT_CFG_ACCOUNTING	(1u << 4) /* nf_conntrack_acct=1: counters */
#define UDPCT_CFG_ALL_FLAGS	0x1fu

/**
 * struct udpct_config - table parameters.  Fill with udpct_config_init(),
 * then change what you need; every numeric 0 means "the default", and the
 * defaults are the kernel's.
 * @size:             sizeof(struct udpct_config), set by udpct_config_init().
 * @flags:            UDPCT_CFG_* bits; unknown bits are rejected.
 * @capacity:         maximum number of flows (nf_conntrack_max); default
 *                    262144.
 * @user_data_size:   bytes of caller data per flow, zeroed when a flow is
 *                    created, 16-byte aligned; default 0.
 * @expect_max:       most expectations at once (nf_conntrack_expect_max);
 *                    default 4096.
 * @udp_timeout_ns:   idle timeout while unreplied, and while a replied flow
 *                    is at most 2 s old; default 30 s.
 * @udp_timeout_stream_ns: idle timeout once replied and older than 2 s (the
 *                    flow is then ASSURED); default 120 s.
 * @hash_seed:        with UDPCT_CFG_FIXED_SEED, the seed the XXH3 secret is
 *                    derived from (reproducible replays); otherwise the
 *                    secret comes from getrandom().
 * @alloc:            allocation hooks; zeroed means malloc/free.
 * @evict_fn:         called for each flow removed outside
 *                    udpct_table_advance() (early drop on a full table),
 *                    under the writer lock; may be NULL.
 * @evict_arg:        passed to @evict_fn.
 * @reserved:         must be zero.
 */
struct udpct_config {
	size_t size;
	uint32_t flags;
	uint32_t capacity;
	uint32_t user_data_size;
	uint32_t expect_max;
	uint64_t udp_timeout_ns;
	uint64_t udp_timeout_stream_ns;
	uint64_t hash_seed;
	struct udpct_allocator alloc;
	void (*evict_fn)(void *arg, const struct udpct_flow_info *info,
			 void *user_data);
	void *evict_arg;
	uint64_t reserved[4];
};

/**
 * Fill @cfg with the defaults (all zero but @size).
 *
 * @param cfg  configuration to initialise.
 * Context: pure.
 * Since: 0.1
 */
void udpct_config_init(struct udpct_config *cfg);

/**
 * Create a table.  A full table follows the kernel's early_drop: flows that
 * are not ASSURED are evicted near the new flow's bucket; if none is found
 * (or with UDPCT_CFG_FULL_REFUSE) the new packet is INVALID with reason
 * table_full.  Both outcomes are counted.
 *
 * @param cfg  configuration, or NULL for the defaults.
 * @param out  receives the table on success; untouched on failure.
 * @return 0; -EINVAL for a NULL @out, a bad @cfg->size, unknown flags,
 *         non-zero reserved fields, or a capacity above 2^30; -ENOMEM
 *         when allocation
 *         fails; a negative errno from getrandom() when no seed is given and
 *         the system has no entropy source.
 * Context: owner.
 * Since: 0.1
 */
int udpct_table_new(const struct udpct_config *cfg, struct udpct_table **out);

/**
 * Free a table and everything it owns.  NULL does nothing.  Flow handles
 * into the table become invalid.
 *
 * @param t  table.
 * Context: owner (no other call on @t may be running or follow).
 * Since: 0.1
 */
void udpct_table_free(struct udpct_table *t);


/**
 * Take a snapshot of @f.
 *
 * @param t     table that owns @f.
 * @param f     flow, e.g. from a verdict.
 * @param info  filled on success.
 * @return 0, or -EINVAL for a NULL argument or a flow of another table.
 * Context: reader; the flow must be one the caller may hold (udpct/reader.h).
 * Since: 0.1
 */
int udpct_flow_get_info(const struct udpct_table *t,
			const struct udpct_flow *f,
			struct udpct_flow_info *info);

/**
 * @return the flow's user-data area (udpct_config.user_data_size bytes,
 *         zeroed at creation, 16-byte aligned), or NULL when the table has
 *         no user data or an argument is invalid.  The area belongs to the
 *         flow until it expires or is evicted.
 * Context: reader, as udpct_flow_get_info().
 * Since: 0.1
 */
void *udpct_flow_get_user_data(struct udpct_table *t, struct udpct_flow *f);

/**
 * Called once for each flow that udpct_table_advance() expires, before its
 * memory is reused.
 *
 * @param arg        the caller's argument.
 * @param info       the flow's final state.
 * @param user_data  the flow's user data (NULL without user data).
 */
typedef void (*udpct_expire_fn)(void *arg, const struct udpct_flow_info *info,
				void *user_data);

/**
 * Move the table's clock to @now_ns and expire every flow whose deadline has
 * passed, at most @budget wheel entries at a time.  No flow expires before
 * its deadline; a flow expires at most one tick (2^22 ns, about 4.2 ms)
 * after it, provided advance is called that often with enough budget.
 * Flows evicted by early drop are reported to udpct_config.evict_fn instead.
 * Verdicts never depend on reaping: a flow past its deadline is absent
 * for lookups already.  (With udp_timeout_stream_ns shorter than
 * udp_timeout_ns, a flow whose deadline moved earlier when it became
 * ASSURED is reaped up to the difference late.)
 *
 * @param t       table.
 * @param now_ns  current time; an earlier time than a previous call is
 *                counted (clock_backwards) and treated as no progress.
 * @param budget  maximum wheel entries to examine; 0 means no limit.  The
 *                call returns early when it runs out; call again.
 * @param fn      callback for each expired flow, or NULL.
 * @param arg     passed to @fn.
 * @return the number of flows expired (>= 0), or -EINVAL for a NULL @t.
 * Context: writer (takes the writer lock; @fn runs under it and must not
 *          call writer functions of the table).
 * Since: 0.1
 */
int udpct_table_advance(struct udpct_table *t, uint64_t now_ns,
			uint32_t budget, udpct_expire_fn fn, void *arg);

/**
 * Remove every flow, or every flow of one zone, now: `conntrack -F`, or
 * `conntrack -D -w ZONE` (OVS's conntrack_flush()), e.g. after a ruleset
 * reload.  Expired flows not reaped yet go too.  Their expectations die
 * with them; readers holding a removed flow keep a valid handle until
 * their next quiescent state.  The next packet of a removed flow is NEW.
 * Walks the whole pool, O(capacity), unless @zone never held a flow since
 * its last flush: then O(1).
 *
 * @param t     table.
 * @param zone  zone to flush, or NULL for all zones.
 * @param fn    callback for each removed flow, before its removal, or NULL.
 * @param arg   passed to @fn.
 * @return the number of flows removed (counted in udpct_stats.flushed), or
 *         -EINVAL for a NULL @t.
 * Context: writer (takes the writer lock; @fn runs under it and must not
 *          call writer functions of the table).
 * Since: 0.1
 */
int udpct_table_flush(struct udpct_table *t, const uint16_t *zone,
		      udpct_expire_fn fn, void *arg);

/**
 * Called for each live flow by udpct_table_scan(); return non-zero to stop.
 */
typedef int (*udpct_scan_fn)(void *arg, const struct udpct_flow_info *info,
			     struct udpct_flow *flow);

/**
 * Visit every flow that is committed and not expired at @now_ns, in pool
 * order (not sorted).
 *
 * @param t       table.
 * @param now_ns  time that decides which flows are live.
 * @param fn      callback.
 * @param arg     passed to @fn.
 * @return the number of flows visited, or -EINVAL for a NULL argument.
 * Context: writer (takes the writer lock; @fn runs under it and must not
 *          call writer functions of the table).
 * Since: 0.1
 */
int udpct_table_scan(struct udpct_table *t, uint64_t now_ns,
		     udpct_scan_fn fn, void *arg);

/**
 * struct udpct_stats - counters in the spirit of `conntrack -S`.
 * @found:          packets that matched a live flow (either direction).
 * @inserted:       flows committed (conntrack -S "insert").
 * @related:        ICMP errors classified RELATED.
 * @invalid:        INVALID packets in all; by reason in @invalid_reason.
 * @ignored:        packets the library does not track.
 * @expired:        flows reaped by udpct_table_advance().
 * @early_drop:     flows evicted to make room (kernel early_drop).
 * @table_full:     new packets refused because no room could be made.
 * @insert_failed:  commits that failed for lack of room.
 * @clash:          commits that found their flow already inserted.
 * @clock_backwards: advance calls whose time went backwards.
 * @live:           flows in the table now (expired ones not yet reaped
 *                  included).
 * @capacity:       configured capacity.
 * @memory_bytes:   bytes the table allocated in all.
 * @expect_new:     expectations created.
 * @expect_matched: flows created by an expectation.
 * @expect_failed:  udpct_expect() calls that failed.
 * @flushed:        flows removed by udpct_table_flush(); inserted ==
 *                  live + expired + early_drop + flushed.
 * @invalid_reason: INVALID packets per enum udpct_invalid_reason.
 */
struct udpct_stats {
	uint64_t found;
	uint64_t inserted;
	uint64_t related;
	uint64_t invalid;
	uint64_t ignored;
	uint64_t expired;
	uint64_t early_drop;
	uint64_t table_full;
	uint64_t insert_failed;
	uint64_t clash;
	uint64_t clock_backwards;
	uint64_t live;
	uint64_t capacity;
	uint64_t memory_bytes;
	uint64_t expect_new;
	uint64_t expect_matched;
	uint64_t expect_failed;
	uint64_t flushed;
	uint64_t invalid_reason[UDPCT_REASON_MAX];
};

/**
 * Copy the table's counters into @out.
 *
 * @param t    table.
 * @param out  filled on success.
 * @return 0, or -EINVAL for a NULL argument.
 * Context: writer (takes the writer lock briefly); reader-side counters
 *          are read without it.
 * Since: 0.1
 */
int udpct_table_get_stats(struct udpct_table *t, struct udpct_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_TABLE_H */
