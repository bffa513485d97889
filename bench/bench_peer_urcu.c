/* SPDX-License-Identifier: MIT */
/*
 * bench_peer_urcu.c - liburcu's lock-free resizable hash table, cds_lfht
 * (split-ordered lists, Shalev & Shavit), with the default memb flavour:
 * each lookup in its own rcu_read_lock() section.  Fixed size, one bucket
 * per flow (no resize thread during the run).  Same keys (the tuple, 48
 * bytes with padding), same hash (udpct's keyed XXH3, all 64 bits) and
 * same uniform order as udpct/lookup.
 *
 *   cds_lfht/lookup/N
 */
#include <stdlib.h>
#include <string.h>

#include <urcu.h>
#include <urcu/rculfhash.h>

#include "bench.h"

struct lf_node {
	struct cds_lfht_node node;
	struct bench_peer_key key;
};

struct lf_table {
	struct cds_lfht *ht;
	struct lf_node *nodes;
	uint32_t n;
};

static const char owner = 'u';
static bool registered;

static void
ensure_registered(void)
{
	/* Every benchmark of one process runs on the main thread. */
	if (!registered) {
		rcu_register_thread();
		registered = true;
	}
}

static int
lf_match(struct cds_lfht_node *node, const void *key)
{
	const struct lf_node *e = caa_container_of(node, struct lf_node, node);

	return !memcmp(&e->key, key, sizeof(e->key));
}

static void
lf_free(void *p)
{
	struct lf_table *lt = p;
	uint32_t i;

	rcu_read_lock();
	for (i = 0; i < lt->n; i++)
		if (lt->nodes[i].key.tuple.family)	/* added */
			cds_lfht_del(lt->ht, &lt->nodes[i].node);
	rcu_read_unlock();
	synchronize_rcu();
	cds_lfht_destroy(lt->ht, NULL);
	free(lt->nodes);
	free(lt);
}

static struct lf_table *
lf_build(struct bench_fixture *fx)
{
	struct lf_table *lt = calloc(1, sizeof(*lt));
	unsigned long nb = 1;
	uint32_t i, k;

	if (!lt)
		return NULL;
	while (nb < fx->nflows)
		nb <<= 1;
	lt->ht = cds_lfht_new(nb, nb, nb, 0, NULL);
	lt->nodes = calloc(fx->nflows, sizeof(*lt->nodes));
	if (!lt->ht || !lt->nodes) {
		if (lt->ht)
			cds_lfht_destroy(lt->ht, NULL);
		free(lt->nodes);
		free(lt);
		return NULL;
	}
	rcu_read_lock();
	for (k = 0; k < fx->nlive; k++) {
		i = fx->live[k];
		cds_lfht_node_init(&lt->nodes[i].node);
		lt->nodes[i].key.tuple = fx->tuples[i];
		cds_lfht_add(lt->ht, bench_hash_tuple(fx->secret,
						      &fx->tuples[i]),
			     &lt->nodes[i].node);
	}
	rcu_read_unlock();
	lt->n = fx->nflows;
	bench_fixture_ext_set(fx, &owner, lt, lf_free);
	return lt;
}

__attribute__((noinline)) static uint32_t
lf_batch(struct cds_lfht *ht, const struct bench_peer_query *q, uint32_t n)
{
	struct cds_lfht_iter it;
	struct cds_lfht_node *node;
	uint32_t i, miss = 0;

	for (i = 0; i < n; i++) {
		rcu_read_lock();
		cds_lfht_lookup(ht, q[i].hash, lf_match, &q[i].key, &it);
		node = cds_lfht_iter_get_node(&it);
		cbench_do_not_optimize(node);
		rcu_read_unlock();
		miss += node == NULL;
	}
	return miss;
}

static void
bench_lf_lookup(struct cbench_state *s, void *arg)
{
	const struct bench_peer_query *q;
	struct bench_fixture *fx;
	struct lf_table *lt = NULL;
	const char *why = "fixture";
	uint32_t pos = 0, miss = 0;

	(void)arg;
	ensure_registered();
	fx = bench_fixture_get(4, (uint32_t)cbench_arg(s, 0), &why);
	q = fx ? bench_fixture_peer_queries(fx) : NULL;
	if (q) {
		lt = bench_fixture_ext(fx, &owner);
		if (!lt)
			lt = lf_build(fx);
	}
	if (!lt) {
		cbench_skip(s, fx && fx->error ? fx->error : why);
		return;
	}
	while (cbench_keep_running_batch(s, BENCH_BATCH)) {
		miss += lf_batch(lt->ht, q + pos, BENCH_BATCH);
		pos += BENCH_BATCH;
		if (pos == fx->nstream)
			pos = 0;
	}
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (miss)
		cbench_skip(s, "a key was not found");
}

void
bench_peer_urcu_register(int64_t flows)
{
	bench_add("cds_lfht/lookup", bench_lf_lookup, NULL, flows);
}
