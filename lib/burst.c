/* SPDX-License-Identifier: MIT */
/*
 * burst.c - udpct_classify_burst(): the single-packet pipeline split into
 * stages across a group of packets so that memory latency overlaps.
 *
 *   1. parse and hash every packet, prefetch its first index bucket;
 *   2. read each bucket (now in cache), prefetch the flow record its tag
 *      points at and keep it as the packet's candidate;
 *   3. resolve each packet in order with the single-packet code, which
 *      tries the candidate before a full lookup.
 *
 * Stages 1 and 2 read the table but change nothing and decide nothing; a
 * candidate is taken only if it is live with the packet's key, else the
 * full lookup runs, so stage 3 sees exactly what n single calls would: a
 * flow committed by packet i is found by packet i+1 of the same burst.
 */
#include <errno.h>

#include "parse.h"
#include "index.h"

#define GROUP 32

static bool
hashed(const struct udpct__pkt *p)
{
	return p->reason == UDPCT_REASON_NONE && p->kind != UDPCT__PKT_OTHER;
}

static void
classify_group(struct udpct_table *t, const struct udpct_burst_item *pkts,
	       size_t n, uint64_t now_ns, struct udpct_verdict *v)
{
	bool csum = !(t->flags & UDPCT_CFG_NO_CHECKSUM);
	struct udpct__pkt p[GROUP];
	uint64_t h[GROUP];
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].zone = pkts[i].zone;
		p[i].tuple = &v[i].tuple;
		p[i].hint = NULL;
		udpct__parse(pkts[i].l3, pkts[i].len, csum, &p[i]);
		h[i] = 0;
		if (hashed(&p[i])) {
			h[i] = udpct__hash_tuple(t->secret, p[i].tuple);
			udpct__index_prefetch_bucket(t, h[i]);
		}
	}
	for (i = 0; i < n; i++)
		if (hashed(&p[i]))
			p[i].hint = udpct__index_candidate(t, h[i]);
	for (i = 0; i < n; i++)
		udpct__classify_parsed(t, &p[i], h[i], now_ns, &v[i]);
}

UDPCT_EXPORT int
udpct_classify_burst(struct udpct_table *t,
		     const struct udpct_burst_item *pkts, size_t n,
		     uint64_t now_ns, struct udpct_verdict *verdicts)
{
	size_t i, k;

	if (!t || (n && (!pkts || !verdicts)))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!pkts[i].l3 && pkts[i].len)
			return -EINVAL;
	for (i = 0; i < n; i += k) {
		k = n - i < GROUP ? n - i : GROUP;
		classify_group(t, pkts + i, k, now_ns, verdicts + i);
	}
	return 0;
}
