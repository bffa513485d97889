/* SPDX-License-Identifier: MIT */
/*
 * fuzz_alloc: table creation with an allocator that fails the Nth call
 * (N and the capacity from the input).  Every failure must come back as
 * -ENOMEM with nothing leaked (LeakSanitizer, and our own count).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <udpct/udpct.h>

#include "fuzz.h"

struct failing {
	unsigned calls, fail_at;
	long live;
};

static void *
f_alloc(void *state, size_t size, size_t align)
{
	struct failing *f = state;
	void *p;

	if (++f->calls == f->fail_at)
		return NULL;
	if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align,
			   size))
		return NULL;
	f->live++;
	return p;
}

static void
f_free(void *state, void *p, size_t size)
{
	struct failing *f = state;

	(void)size;
	f->live--;
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct failing f = { 0 };
	struct udpct_config cfg;
	struct udpct_table *t = NULL;
	int err;

	if (size < 2)
		return 0;
	udpct_config_init(&cfg);
	f.fail_at = data[0] % 16;
	cfg.capacity = 1 + data[1];
	cfg.user_data_size = size > 2 ? data[2] : 0;
	cfg.alloc.alloc = f_alloc;
	cfg.alloc.free = f_free;
	cfg.alloc.state = &f;
	err = udpct_table_new(&cfg, &t);
	if (err && err != -ENOMEM)
		abort();
	udpct_table_free(t);
	if (f.live != 0)
		abort();
	return 0;
}
