/* SPDX-License-Identifier: MIT */
/*
 * listing.c - `conntrack -L` lines for the live table.
 *
 * The line follows the default formatter of conntrack-tools 1.4.7 (spec
 * section 9), so that a replay can be diffed against a kernel's listing:
 *
 *   udp      17 <secs> src= dst= sport= dport= [packets= bytes=] [UNREPLIED]
 *   src= dst= sport= dport= [packets= bytes=] [ASSURED] mark=0 [zone=N] use=1
 *
 * <secs> is the remaining timeout truncated to whole seconds.  Addresses are
 * printed by inet_ntop(), i.e. compressed IPv6 as conntrack prints them
 * (/proc/net/nf_conntrack expands them instead).  The library scans in pool
 * order, which depends on history; we sort so that the output depends only on
 * the table's contents.
 */
#include "listing.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NS_PER_S UINT64_C(1000000000)

struct flow_vec {
	struct udpct_flow_info *v;
	size_t n;
	size_t cap;
	bool failed;	/* realloc failed: the dump is incomplete */
};

static int
collect(void *arg, const struct udpct_flow_info *info,
	struct udpct_flow *flow)
{
	struct flow_vec *fv = arg;
	struct udpct_flow_info *grown;
	size_t cap;

	(void)flow;
	if (fv->n == fv->cap) {
		cap = fv->cap ? fv->cap * 2 : 64;
		grown = realloc(fv->v, cap * sizeof(*grown));
		if (!grown) {
			fv->failed = true;
			return 1;		/* stops the scan */
		}
		fv->v = grown;
		fv->cap = cap;
	}
	fv->v[fv->n++] = *info;
	return 0;
}

static int
cmp_u16(uint16_t a, uint16_t b)
{
	return (a > b) - (a < b);
}

/* Numeric order: family, source, source port, destination, port, zone. */
static int
cmp_flows(const void *pa, const void *pb)
{
	const struct udpct_flow_info *fa = pa, *fb = pb;
	const struct udpct_tuple *a = &fa->tuple, *b = &fb->tuple;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->saddr, b->saddr, sizeof(a->saddr));
	if (c == 0)
		c = cmp_u16(a->sport, b->sport);
	if (c == 0)
		c = memcmp(a->daddr, b->daddr, sizeof(a->daddr));
	if (c == 0)
		c = cmp_u16(a->dport, b->dport);
	if (c == 0)
		c = cmp_u16(a->zone, b->zone);
	return c;
}

static void
print_addr(FILE *f, const char *key, const struct udpct_tuple *t,
	   const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];
	int af = t->family == UDPCT_IPV6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(af, addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	fprintf(f, "%s=%s ", key, buf);
}

static void
print_tuple(FILE *f, const struct udpct_tuple *t, bool acct, uint64_t packets,
	    uint64_t bytes)
{
	print_addr(f, "src", t, t->saddr);
	print_addr(f, "dst", t, t->daddr);
	fprintf(f, "sport=%u dport=%u ", t->sport, t->dport);
	if (acct)
		fprintf(f, "packets=%" PRIu64 " bytes=%" PRIu64 " ",
			packets, bytes);
}

static void
print_flow(FILE *f, const struct udpct_flow_info *fi, uint64_t now_ns,
	   bool acct)
{
	struct udpct_tuple reply;
	uint64_t left = fi->deadline_ns > now_ns ? fi->deadline_ns - now_ns : 0;

	udpct_tuple_invert(&reply, &fi->tuple);
	fprintf(f, "%-8s %u %" PRIu64 " ", "udp",
		(unsigned int)fi->tuple.proto, left / NS_PER_S);
	print_tuple(f, &fi->tuple, acct, fi->packets[UDPCT_DIR_ORIGINAL],
		    fi->bytes[UDPCT_DIR_ORIGINAL]);
	if (!(fi->status & UDPCT_STATUS_SEEN_REPLY))
		fputs("[UNREPLIED] ", f);
	print_tuple(f, &reply, acct, fi->packets[UDPCT_DIR_REPLY],
		    fi->bytes[UDPCT_DIR_REPLY]);
	if (fi->status & UDPCT_STATUS_ASSURED)
		fputs("[ASSURED] ", f);
	fputs("mark=0 ", f);
	if (fi->tuple.zone != 0)
		fprintf(f, "zone=%u ", fi->tuple.zone);
	if (fi->helper)
		fprintf(f, "helper=%s ", fi->helper);
	fputs("use=1\n", f);
}

int
listing_print(FILE *f, struct udpct_table *t, uint64_t now_ns,
	      bool acct)
{
	struct flow_vec fv = { 0 };
	int rc = udpct_table_scan(t, now_ns, collect, &fv);
	size_t i;

	if (rc < 0 || fv.failed) {
		free(fv.v);
		return rc < 0 ? rc : -ENOMEM;
	}
	if (fv.n > 0)
		qsort(fv.v, fv.n, sizeof(*fv.v), cmp_flows);
	for (i = 0; i < fv.n; i++)
		print_flow(f, &fv.v[i], now_ns, acct);
	free(fv.v);
	return 0;
}
