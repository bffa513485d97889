// SPDX-License-Identifier: MIT
/*
 * tests/common/talloc.c - checking allocator (see talloc.h).  Blocks come
 * from posix_memalign(); the bookkeeping is a plain array, searched
 * linearly: tables make a handful of allocations.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "talloc.h"

#define MAX_ALIGN	4096

static bool
record(struct talloc *ta, void *ptr, size_t size)
{
	struct talloc_block *nb;
	size_t cap;

	if (ta->n_blocks == ta->cap_blocks) {
		cap = ta->cap_blocks ? ta->cap_blocks * 2 : 16;
		nb = realloc(ta->blocks, cap * sizeof(*nb));
		if (!nb)
			return false;
		ta->blocks = nb;
		ta->cap_blocks = cap;
	}
	ta->blocks[ta->n_blocks].ptr = ptr;
	ta->blocks[ta->n_blocks].size = size;
	ta->n_blocks++;
	return true;
}

static void *
ta_alloc(void *state, size_t size, size_t align)
{
	struct talloc *ta = state;
	void *p;
	size_t a = align;

	ta->calls++;
	if (align == 0 || (align & (align - 1)) || align > MAX_ALIGN)
		ta->errors++;
	if (ta->fail_at &&
	    (ta->calls == ta->fail_at ||
	     (ta->fail_after && ta->calls > ta->fail_at)))
		return NULL;
	if (a < sizeof(void *) || (a & (a - 1)))
		a = sizeof(void *);
	if (posix_memalign(&p, a, size ? size : 1))
		return NULL;
	if (!record(ta, p, size)) {
		free(p);
		return NULL;
	}
	if (ta->poison)
		memset(p, 0xa5, size);
	ta->live++;
	ta->bytes_live += size;
	ta->bytes_total += size;
	return p;
}

static void
ta_free(void *state, void *ptr, size_t size)
{
	struct talloc *ta = state;
	size_t i;

	if (!ptr)
		return;
	for (i = 0; i < ta->n_blocks; i++) {
		if (ta->blocks[i].ptr != ptr)
			continue;
		if (ta->blocks[i].size != size)
			ta->errors++;
		ta->live--;
		ta->frees++;
		ta->bytes_live -= ta->blocks[i].size;
		ta->blocks[i] = ta->blocks[--ta->n_blocks];
		free(ptr);
		return;
	}
	ta->errors++;		/* unknown pointer or double free */
}

void
talloc_init(struct talloc *ta)
{
	memset(ta, 0, sizeof(*ta));
	ta->poison = true;
}

void
talloc_hooks(struct talloc *ta, struct udpct_allocator *out)
{
	out->alloc = ta_alloc;
	out->free = ta_free;
	out->state = ta;
}

void
talloc_fini(struct talloc *ta)
{
	size_t i;

	for (i = 0; i < ta->n_blocks; i++)
		free(ta->blocks[i].ptr);
	free(ta->blocks);
	ta->blocks = NULL;
	ta->n_blocks = 0;
	ta->cap_blocks = 0;
}
