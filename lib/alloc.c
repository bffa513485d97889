/* SPDX-License-Identifier: MIT */
/*
 * alloc.c - allocation through the embedder's hooks (rule: no allocation
 * after udpct_table_new()).  The default hooks use aligned_alloc().
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static void *
default_alloc(void *state, size_t size, size_t align)
{
	(void)state;
	/* aligned_alloc() wants a size that is a multiple of the alignment. */
	size = (size + align - 1) & ~(align - 1);
	return aligned_alloc(align, size);
}

static void
default_free(void *state, void *p, size_t size)
{
	(void)state;
	(void)size;
	free(p);
}

void
udpct__alloc_init(struct udpct__alloc *a, const struct udpct_allocator *h)
{
	a->bytes = 0;
	if (h && h->alloc && h->free) {
		a->hooks = *h;
	} else {
		a->hooks.alloc = default_alloc;
		a->hooks.free = default_free;
		a->hooks.state = NULL;
	}
}

void *
udpct__alloc_zero(struct udpct__alloc *a, size_t size, size_t align)
{
	void *p;

	if (size == 0)
		size = 1;
	p = a->hooks.alloc(a->hooks.state, size, align);
	if (!p)
		return NULL;
	memset(p, 0, size);
	a->bytes += size;
	return p;
}

void
udpct__alloc_free(struct udpct__alloc *a, void *p, size_t size)
{
	if (!p)
		return;
	if (size == 0)
		size = 1;
	a->hooks.free(a->hooks.state, p, size);
	a->bytes -= size;
}
