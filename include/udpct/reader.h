/* SPDX-License-Identifier: MIT */
/*
 * udpct/reader.h - reader threads and memory reclamation (QSBR).
 *
 * Many threads may classify packets against one table at once.  Lookups
 * and the refresh of established flows take no lock; everything that
 * changes the table's structure (commit, expiry, eviction, expectations)
 * is serialised by the table's writer lock.  A flow's memory is reused only
 * after every registered, online reader has passed a quiescent state since
 * the flow was removed (quiescent-state-based reclamation, as liburcu-qsbr
 * and DPDK's rte_rcu_qsbr): a flow handle a reader got from a verdict stays
 * valid (it may be removed, never recycled) until that reader's next
 * udpct_reader_quiescent().
 *
 * Rules:
 *  - a thread that classifies while any other thread uses the table must
 *    hold a registered reader, be online, and call
 *    udpct_reader_quiescent() regularly (after each burst, say) when it
 *    holds no flow handle; flows removed meanwhile are reused only then,
 *    so a reader that never reports stalls reclamation (the table then
 *    fills up and early-drops or refuses);
 *  - before blocking (a poll() that may sleep), go offline; online again
 *    before the next classify;
 *  - a table used by one thread only needs no reader at all.
 */
#ifndef UDPCT_READER_H
#define UDPCT_READER_H

#ifdef __cplusplus
extern "C" {
#endif

struct udpct_table;
struct udpct_reader;

/** Most readers one table holds. */
#define UDPCT_READERS_MAX 64

/**
 * Register the calling thread as a reader of @t; it starts online.
 *
 * @param t    table.
 * @param out  receives the reader handle.
 * @return 0; -EINVAL for a NULL argument; -ENOSPC when UDPCT_READERS_MAX
 *         readers are registered.
 * Context: writer (takes the writer lock).
 * Since: 0.1
 */
int udpct_reader_register(struct udpct_table *t, struct udpct_reader **out);

/**
 * Unregister a reader; its handle becomes invalid.  NULL does nothing.
 *
 * @param r  reader.
 * Context: writer (takes the writer lock); by the reader's own thread.
 * Since: 0.1
 */
void udpct_reader_unregister(struct udpct_reader *r);

/**
 * Report a quiescent state: the thread holds no flow handle of this table.
 * One release store to the reader's own cache line.
 *
 * @param r  reader.
 * Context: reader; lock-free; by the reader's own thread.
 * Since: 0.1
 */
void udpct_reader_quiescent(struct udpct_reader *r);

/**
 * Go offline (before blocking) or back online.  An offline reader holds
 * back no reclamation and must not classify.
 *
 * @param r  reader.
 * Context: reader; lock-free; by the reader's own thread.
 * Since: 0.1
 */
void udpct_reader_offline(struct udpct_reader *r);

/** See udpct_reader_offline().  Context: reader.  Since: 0.1 */
void udpct_reader_online(struct udpct_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_READER_H */
