/* SPDX-License-Identifier: MIT */
/*
 * bench_peer_rte_hash.c - DPDK's cuckoo hash, rte_hash, in lock-free
 * read/write concurrency mode (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF),
 * on the same keys and hash as udpct/lookup:
 *  - key: the tuple padded to 48 bytes, so rte_hash compares it with its
 *    vector rte_hash_k48_cmp_eq (40 bytes would fall back to memcmp);
 *  - hash: udpct's keyed XXH3 (its low 32 bits are the signature),
 *    given pre-computed to the _with_hash calls and computed by
 *    hash_func = the same function in rte_hash_lookup_bulk;
 *  - entries = 2 N: as many slots as udpct's index has for N flows (N/4
 *    buckets of 8), so both are half full.
 *
 *   rte_hash/lookup/N                    rte_hash_lookup_with_hash
 *   rte_hash/lookup_burst/N              rte_hash_lookup_bulk, 32 keys,
 *                                        hashing included
 *   rte_hash/lookup_burst_prehashed/N    rte_hash_lookup_with_hash_bulk
 *
 * EAL runs without hugetlbfs (--no-huge --no-shconf: anonymous memory in
 * 4 KiB pages, as udpct's default); with --hugepages its memory is advised
 * MADV_HUGEPAGE like udpct's tables, so both get transparent huge pages.
 * EAL is started on first use only, and the main thread's CPU affinity,
 * which rte_eal_init() narrows to lcore 0, is restored.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_memory.h>

#include "bench.h"

#define EAL_MEM_MB "3072"

static int eal_state;		/* 0 not tried, 1 up, -1 failed */
static const uint8_t *cur_secret;	/* for hash_func */
static const char owner = 'r';

static int
advise_huge(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	madvise(msl->base_va, msl->len, MADV_HUGEPAGE);
	return 0;
}

static const char *
eal_up(void)
{
	static char *args[] = {
		"udpct-bench", "--no-huge", "-m", EAL_MEM_MB, "--no-pci",
		"--no-shconf", "--no-telemetry", "-l", "0",
		"--log-level=lib.eal:error", NULL,
	};
	static char *argv[sizeof(args) / sizeof(args[0])];
	cpu_set_t cpus;
	int ok;

	if (eal_state)
		return eal_state > 0 ? NULL : "rte_eal_init failed";
	memcpy(argv, args, sizeof(args));
	ok = pthread_getaffinity_np(pthread_self(), sizeof(cpus), &cpus) == 0;
	eal_state = rte_eal_init((int)(sizeof(args) / sizeof(args[0])) - 1,
				 argv) < 0 ? -1 : 1;
	if (ok)
		pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
	if (eal_state > 0 && bench_hugepages)
		rte_memseg_list_walk(advise_huge, NULL);
	return eal_state > 0 ? NULL : "rte_eal_init failed";
}

static uint32_t
peer_hash(const void *key, uint32_t key_len, uint32_t init_val)
{
	(void)key_len;
	(void)init_val;
	return (uint32_t)bench_hash_tuple(cur_secret, key);
}

static void
rh_free(void *p)
{
	rte_hash_free(p);
}

static struct rte_hash *
rh_build(struct bench_fixture *fx, const char **why)
{
	struct rte_hash_parameters prm;
	struct bench_peer_key key;
	struct rte_hash *h;
	char name[64];
	uint32_t k;

	snprintf(name, sizeof(name), "udpct-bench-%u", fx->nflows);
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.entries = 2 * fx->nflows;
	prm.key_len = sizeof(struct bench_peer_key);
	prm.hash_func = peer_hash;
	prm.socket_id = 0;
	prm.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
	cur_secret = fx->secret;
	h = rte_hash_create(&prm);
	if (!h) {
		*why = "rte_hash_create failed (EAL memory?)";
		return NULL;
	}
	memset(&key, 0, sizeof(key));
	for (k = 0; k < fx->nlive; k++) {
		key.tuple = fx->tuples[fx->live[k]];
		if (rte_hash_add_key_with_hash(h, &key,
					       peer_hash(&key, 0, 0)) < 0) {
			rte_hash_free(h);
			*why = "rte_hash_add_key_with_hash failed";
			return NULL;
		}
	}
	bench_fixture_ext_set(fx, &owner, h, rh_free);
	return h;
}

enum rh_mode { RH_SINGLE, RH_BULK, RH_BULK_PREHASHED };

__attribute__((noinline)) static uint32_t
rh_single(const struct rte_hash *h, const struct bench_peer_query *q,
	  uint32_t n)
{
	uint32_t i, miss = 0;

	for (i = 0; i < n; i++)
		miss += rte_hash_lookup_with_hash(h, &q[i].key,
						  (hash_sig_t)q[i].hash) < 0;
	return miss;
}

__attribute__((noinline)) static uint32_t
rh_bulk(const struct rte_hash *h, const struct bench_peer_query *q,
	uint32_t n, bool prehashed)
{
	const void *keys[BENCH_BURST];
	hash_sig_t sig[BENCH_BURST];
	int32_t pos[BENCH_BURST];
	uint32_t i, j, miss = 0;

	for (i = 0; i < n; i += BENCH_BURST) {
		for (j = 0; j < BENCH_BURST; j++) {
			keys[j] = &q[i + j].key;
			sig[j] = (hash_sig_t)q[i + j].hash;
		}
		if (prehashed)
			rte_hash_lookup_with_hash_bulk(h, keys, sig,
						       BENCH_BURST, pos);
		else
			rte_hash_lookup_bulk(h, keys, BENCH_BURST, pos);
		for (j = 0; j < BENCH_BURST; j++)
			miss += pos[j] < 0;
	}
	return miss;
}

static void
bench_rh(struct cbench_state *s, void *arg)
{
	enum rh_mode mode = (enum rh_mode)(uintptr_t)arg;
	const struct bench_peer_query *q = NULL;
	struct bench_fixture *fx = NULL;
	struct rte_hash *h = NULL;
	const char *why = eal_up();
	uint32_t pos = 0, miss = 0;

	if (!why)
		fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	if (fx)
		q = bench_fixture_peer_queries(fx);
	if (q) {
		h = bench_fixture_ext(fx, &owner);
		if (!h)
			h = rh_build(fx, &why);
	}
	if (!h) {
		/* EAL may be refused by a container: not udpct's failure. */
		if (eal_state < 0)
			cbench_unavailable(s, why);
		else
			cbench_skip(s, why ? why : "fixture");
		return;
	}
	cur_secret = fx->secret;
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		if (mode == RH_SINGLE)
			miss += rh_single(h, q + pos, BENCH_BATCH);
		else
			miss += rh_bulk(h, q + pos, BENCH_BATCH,
					mode == RH_BULK_PREHASHED);
		pos += BENCH_BATCH;
		if (pos == fx->nstream)
			pos = 0;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (miss)
		cbench_skip(s, "a key was not found");
}

void
bench_peer_rte_hash_register(int64_t flows)
{
	bench_add("rte_hash/lookup", bench_rh, (void *)RH_SINGLE, flows);
	bench_add("rte_hash/lookup_burst", bench_rh, (void *)RH_BULK, flows);
	bench_add("rte_hash/lookup_burst_prehashed", bench_rh,
		  (void *)RH_BULK_PREHASHED, flows);
}
