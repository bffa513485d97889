/* SPDX-License-Identifier: MIT */
/*
 * helper.c - helper registry and dispatch.  Helpers attach to a flow when
 * it is created (by destination port, zone and family, like an nft
 * `ct helper set` rule on the first packet) and run on every accepted packet
 * of that flow from udpct_commit(), as nf_confirm() runs them.
 */
#include <errno.h>

#include "table.h"

static bool
overlaps(const struct udpct_helper *a, const struct udpct_helper *b)
{
	return a->port == b->port && a->zone == b->zone &&
	       (!a->family || !b->family || a->family == b->family);
}

UDPCT_EXPORT int
udpct_helper_register(struct udpct_table *t, const struct udpct_helper *h)
{
	uint32_t i;

	if (!t || !h || !h->help || !h->name ||
	    (h->family && h->family != UDPCT_IPV4 && h->family != UDPCT_IPV6))
		return -EINVAL;
	for (i = 0; i < t->nhelpers; i++)
		if (overlaps(&t->helpers[i], h))
			return -EEXIST;
	if (t->nhelpers == UDPCT_HELPERS_MAX)
		return -ENOSPC;
	t->helpers[t->nhelpers++] = *h;
	return 0;
}

uint8_t
udpct__helper_find(const struct udpct_table *t,
		   const struct udpct_tuple *tuple)
{
	const struct udpct_helper *h;
	uint32_t i;

	for (i = 0; i < t->nhelpers; i++) {
		h = &t->helpers[i];
		if (h->port == tuple->dport && h->zone == tuple->zone &&
		    (!h->family || h->family == tuple->family))
			return (uint8_t)(i + 1);
	}
	return 0;
}

int
udpct__helper_run(struct udpct_table *t, struct udpct_flow *f,
		  const struct udpct_verdict *v)
{
	uint8_t id = f->helper;
	const struct udpct_helper *h;

	if (!id)
		return 0;
	h = &t->helpers[id - 1];
	return h->help(h, t, f, v->dir, v->priv.payload, v->priv.payload_len,
		       v->priv.now_ns);
}
