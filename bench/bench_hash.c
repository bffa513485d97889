/* SPDX-License-Identifier: MIT */
/*
 * bench_hash.c - the floor of the hash step: udpct__hash_tuple() (keyed
 * XXH3 over the canonical, direction-free tuple) on 1024 tuples that stay
 * in L1/L2, and bare XXH3 on a 13-byte key, the reference figure's input.
 * The flow count does not matter, so these are registered at 1024 only.
 *
 *   udpct/hash_v4/1024   16-byte canonical input
 *   udpct/hash_v6/1024   40-byte canonical input
 *   xxh3/hash_13/1024    XXH3_64bits_withSecret, 13 bytes
 */
#include <stdlib.h>

#include "bench_index.h"

#define NTUPLES 1024

static uint8_t secret[UDPCT__SECRET_SIZE];
static struct udpct_tuple tuples[2][NTUPLES];
static bool ready;

static void
setup(void)
{
	uint64_t rng = BENCH_SEED, w;
	size_t i;

	if (ready)
		return;
	for (i = 0; i < sizeof(secret); i += 8) {
		w = bench_splitmix64(&rng);
		memcpy(secret + i, &w, 8);
	}
	for (i = 0; i < NTUPLES; i++) {
		bench_tuple(&tuples[0][i], 4, (uint32_t)i);
		bench_tuple(&tuples[1][i], 6, (uint32_t)i);
	}
	ready = true;
}

__attribute__((noinline)) static uint64_t
hash_batch(const struct udpct_tuple *tu, uint32_t n)
{
	uint64_t acc = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		acc ^= udpct__hash_tuple(secret, &tu[i]);
	return acc;
}

static void
bench_hash(struct cbench_state *s, void *arg)
{
	const struct udpct_tuple *tu = tuples[arg != NULL];
	uint32_t pos = 0;

	setup();
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		cbench_use_u64(hash_batch(tu + pos, BENCH_BATCH));
		pos = (pos + BENCH_BATCH) % NTUPLES;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
}

__attribute__((noinline)) static uint64_t
xxh3_batch(const struct udpct_tuple *tu, uint32_t n)
{
	uint64_t acc = 0;
	uint32_t i;

	/* saddr, daddr, ports, proto of an IPv4 tuple: 4 + 4 + 4 + 1. */
	for (i = 0; i < n; i++)
		acc ^= XXH3_64bits_withSecret(&tu[i].sport, 13, secret,
					      sizeof(secret));
	return acc;
}

static void
bench_xxh3(struct cbench_state *s, void *arg)
{
	uint32_t pos = 0;

	(void)arg;
	setup();
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		cbench_use_u64(xxh3_batch(tuples[0] + pos, BENCH_BATCH));
		pos = (pos + BENCH_BATCH) % NTUPLES;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
}

void
bench_hash_register(int64_t flows)
{
	if (flows != 1024)
		return;
	bench_add("udpct/hash_v4", bench_hash, NULL, flows);
	bench_add("udpct/hash_v6", bench_hash, (void *)1, flows);
	bench_add("xxh3/hash_13", bench_xxh3, NULL, flows);
}
