/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse: raw bytes as one L3 packet, classified on a fresh-enough
 * table, with and without checksum verification.  Checks that every
 * verdict is well-formed: a state in range, a reason exactly when INVALID,
 * a direction exactly when tracked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <udpct/udpct.h>

#include "fuzz.h"

static struct udpct_table *tables[2];

static void
check(const struct udpct_verdict *v)
{
	if ((unsigned)v->state >= UDPCT_STATE_MAX)
		abort();
	if ((v->state == UDPCT_INVALID) !=
	    (v->reason != UDPCT_REASON_NONE))
		abort();
	if ((v->state == UDPCT_INVALID || v->state == UDPCT_IGNORED) !=
	    (v->dir == UDPCT_DIR_NONE))
		abort();
	if (v->state == UDPCT_RELATED && !v->flow)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct udpct_config cfg;
	struct udpct_verdict v;
	int i;

	if (!tables[0]) {
		for (i = 0; i < 2; i++) {
			udpct_config_init(&cfg);
			cfg.capacity = 64;
			cfg.flags = UDPCT_CFG_AUTO_COMMIT | UDPCT_CFG_FIXED_SEED |
				    (i ? UDPCT_CFG_NO_CHECKSUM : 0);
			if (udpct_table_new(&cfg, &tables[i]))
				abort();
		}
	}
	for (i = 0; i < 2; i++) {
		if (udpct_classify(tables[i], data, size, 1000, &v))
			abort();
		check(&v);
	}
	return 0;
}
