// SPDX-License-Identifier: MIT
/*
 * tests/common/harness.c - packet-and-classify wrappers (see harness.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

struct udpct_table *
th_table(uint32_t flags, uint32_t capacity)
{
	struct udpct_config cfg;
	struct udpct_table *t = NULL;

	udpct_config_init(&cfg);
	/* Counters on: tests check them (nf_conntrack_acct=1). */
	cfg.flags = UDPCT_CFG_FIXED_SEED | UDPCT_CFG_ACCOUNTING | flags;
	cfg.hash_seed = TH_SEED;
	cfg.capacity = capacity;
	if (udpct_table_new(&cfg, &t))
		return NULL;
	return t;
}

int
th_classify(struct udpct_table *t, const struct pkt_spec *s, uint64_t now,
	    struct udpct_verdict *v)
{
	/* Static: the verdict points into the packet until udpct_commit(). */
	static uint8_t buf[PKT_MAX];
	size_t n;

	n = pkt_build_udp(s, buf, sizeof(buf));
	if (!n) {
		fprintf(stderr, "th_classify: packet cannot be built\n");
		abort();
	}
	return udpct_classify(t, buf, n, now, v);
}

int
th_accept(struct udpct_table *t, const struct pkt_spec *s, uint64_t now,
	  struct udpct_verdict *v)
{
	int ret = th_classify(t, s, now, v);

	if (ret)
		return ret;
	return udpct_commit(t, v);
}

int
th_info(const struct udpct_table *t, const struct udpct_verdict *v,
	struct udpct_flow_info *info)
{
	if (!v->flow)
		return -ENOENT;
	return udpct_flow_get_info(t, v->flow, info);
}

const char *
th_fam_name(uint8_t family)
{
	return family == UDPCT_IPV4 ? "IPv4" : "IPv6";
}
