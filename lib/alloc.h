/* SPDX-License-Identifier: MIT */
/*
 * alloc.h - the table's allocation hooks, with byte accounting.
 */
#ifndef UDPCT_ALLOC_H
#define UDPCT_ALLOC_H

#include <stddef.h>

#include <udpct/table.h>

struct udpct__alloc {
	struct udpct_allocator hooks;
	size_t bytes;		/* currently allocated through the hooks */
};

void udpct__alloc_init(struct udpct__alloc *a, const struct udpct_allocator *h);
/* Zeroed, aligned memory or NULL. */
void *udpct__alloc_zero(struct udpct__alloc *a, size_t size, size_t align);
void udpct__alloc_free(struct udpct__alloc *a, void *p, size_t size);

#endif /* UDPCT_ALLOC_H */
