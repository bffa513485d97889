/* SPDX-License-Identifier: MIT */
/*
 * udpct/udpct.h - libudpct: UDP pseudo-connection tracking with the Linux
 * kernel's nf_conntrack semantics, for userspace firewalls and proxies.
 *
 * Usage:
 *
 *	struct udpct_table *t;
 *	struct udpct_verdict v;
 *
 *	udpct_table_new(NULL, &t);
 *	for each packet:
 *		udpct_classify(t, ip_header, len, now_ns, &v);
 *		if (ruleset accepts v.state)
 *			udpct_commit(t, &v);	(makes a NEW flow real)
 *		every few milliseconds:
 *		udpct_table_advance(t, now_ns, 0, NULL, NULL);
 *	udpct_table_free(t);
 *
 * Thread-safety classes, named on every function ("Context:"):
 *   reader  any thread holding a registered, online reader of the table
 *           (or the table's only thread); lock-free, never blocks,
 *           allocates or makes a system call on the established path;
 *   writer  any thread; serialised by the table's writer lock; may run
 *           concurrently with readers and other writers;
 *   owner   must not run concurrently with any other call on the table
 *           (creation, destruction, helper registration);
 *   pure    touches no table; any thread, any time.
 * Reclamation rules are in udpct/reader.h; the design in
 * docs/concurrency.md.  Different tables are independent: no global state
 * exists.
 *
 * Time: see udpct/table.h.  Memory: see udpct_table_new().
 */
#ifndef UDPCT_UDPCT_H
#define UDPCT_UDPCT_H

#include <udpct/version.h>
#include <udpct/tuple.h>
#include <udpct/classify.h>
#include <udpct/table.h>
#include <udpct/expect.h>
#include <udpct/reader.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @return UDPCT_VERSION_NUMBER of the library that was linked, to detect a
 *         header/library mismatch.
 * Context: pure.
 * Since: 0.1
 */
unsigned udpct_version(void);

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_UDPCT_H */
