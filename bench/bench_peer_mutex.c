/* SPDX-License-Identifier: MIT */
/*
 * bench_peer_mutex.c - the row "what people write by hand": a chained
 * hash table (one bucket per flow, a malloc'd node per entry, new nodes
 * at the chain's head) behind one pthread mutex taken for every lookup.
 * Same keys (the tuple, 48 bytes with padding) and the same hash
 * (udpct's keyed XXH3) as udpct/lookup, same uniform order.
 *
 *   mutex_chain/lookup/N
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct mc_node {
	struct mc_node *next;
	uint64_t hash;
	struct bench_peer_key key;
	void *data;
};

struct mutex_chain {
	pthread_mutex_t lock;
	struct mc_node **buckets;
	uint64_t mask;
	uint32_t n;
};

static const char owner = 'm';

static void
mc_free(void *p)
{
	struct mutex_chain *mc = p;
	struct mc_node *e, *next;
	uint64_t i;

	for (i = 0; i <= mc->mask; i++) {
		for (e = mc->buckets[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(mc->buckets);
	pthread_mutex_destroy(&mc->lock);
	free(mc);
}

static struct mutex_chain *
mc_build(struct bench_fixture *fx)
{
	struct mutex_chain *mc = calloc(1, sizeof(*mc));
	struct mc_node *e;
	uint64_t nb = 1;
	uint32_t i, k;

	if (!mc)
		return NULL;
	while (nb < fx->nflows)
		nb <<= 1;
	pthread_mutex_init(&mc->lock, NULL);
	mc->mask = nb - 1;
	mc->buckets = calloc(nb, sizeof(*mc->buckets));
	if (!mc->buckets) {
		free(mc);
		return NULL;
	}
	for (k = 0; k < fx->nlive; k++) {
		i = fx->live[k];
		e = malloc(sizeof(*e));
		if (!e) {
			mc_free(mc);
			return NULL;
		}
		memset(e, 0, sizeof(*e));
		e->key.tuple = fx->tuples[i];
		e->hash = bench_hash_tuple(fx->secret, &fx->tuples[i]);
		e->data = e;
		e->next = mc->buckets[e->hash & mc->mask];
		mc->buckets[e->hash & mc->mask] = e;
	}
	mc->n = fx->nflows;
	bench_fixture_ext_set(fx, &owner, mc, mc_free);
	return mc;
}

static void *
mc_lookup(struct mutex_chain *mc, uint64_t hash,
	  const struct bench_peer_key *key)
{
	struct mc_node *e;
	void *data = NULL;

	pthread_mutex_lock(&mc->lock);
	for (e = mc->buckets[hash & mc->mask]; e; e = e->next) {
		if (e->hash == hash && !memcmp(&e->key, key, sizeof(*key))) {
			data = e->data;
			break;
		}
	}
	pthread_mutex_unlock(&mc->lock);
	return data;
}

__attribute__((noinline)) static uint32_t
mc_batch(struct mutex_chain *mc, const struct bench_peer_query *q, uint32_t n)
{
	uint32_t i, miss = 0;
	void *d;

	for (i = 0; i < n; i++) {
		d = mc_lookup(mc, q[i].hash, &q[i].key);
		cbench_do_not_optimize(d);
		miss += d == NULL;
	}
	return miss;
}

static void
bench_mc_lookup(struct cbench_state *s, void *arg)
{
	const struct bench_peer_query *q;
	struct bench_fixture *fx;
	struct mutex_chain *mc = NULL;
	const char *why = "fixture";
	uint32_t pos = 0, miss = 0;

	(void)arg;
	fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	q = fx ? bench_fixture_peer_queries(fx) : NULL;
	if (q) {
		mc = bench_fixture_ext(fx, &owner);
		if (!mc)
			mc = mc_build(fx);
	}
	if (!mc) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		miss += mc_batch(mc, q + pos, BENCH_BATCH);
		pos += BENCH_BATCH;
		if (pos == fx->nstream)
			pos = 0;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (miss)
		cbench_skip(s, "a key was not found");
}

void
bench_peer_mutex_register(int64_t flows)
{
	bench_add("mutex_chain/lookup", bench_mc_lookup, NULL, flows);
}
