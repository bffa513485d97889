/* SPDX-License-Identifier: MIT */
/*
 * fixture.c - warmed tables and work streams shared by the benchmarks of
 * one size (see bench.h), and table creation for the others.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_index.h"

#define T0_NS		NSEC_PER_SEC
#define ASSURE_NS	(3 * NSEC_PER_SEC)	/* > the 2 s stream rule */
#define ZIPF_THETA	0.99
#define MAX_TABLES	4
#define MAX_EXT		8

struct fixture {
	struct bench_fixture pub;
	struct {
		uint32_t flags;
		struct udpct_table *t;
	} tables[MAX_TABLES];
	uint8_t *packets[2];		/* by enum bench_dist */
	struct bench_query *queries;
	struct bench_peer_query *peer_queries;
	struct {
		const void *owner;
		void *p;
		void (*dtor)(void *);
	} ext[MAX_EXT];
};

static struct fixture *cache;	/* the one fixture alive */

#define MAX_CACHES 8
static void (*caches[MAX_CACHES])(void);

void
bench_cache_claim(void (*release)(void))
{
	bool have = false;
	int i;

	for (i = 0; i < MAX_CACHES; i++) {
		if (!caches[i])
			continue;
		if (caches[i] == release) {
			have = true;
			continue;
		}
		caches[i]();
		caches[i] = NULL;
	}
	for (i = 0; release && !have && i < MAX_CACHES; i++) {
		if (!caches[i]) {
			caches[i] = release;
			break;
		}
	}
}

void
bench_add(const char *name, cbench_fn fn, void *arg, int64_t flows)
{
	cbench_arg_add(cbench_register(name, fn, arg), flows);
}

struct udpct_table *
bench_table_new(uint32_t capacity, uint32_t flags, uint64_t timeout_ns,
		uint64_t stream_timeout_ns)
{
	struct udpct_config cfg;
	struct udpct_table *t;

	udpct_config_init(&cfg);
	cfg.capacity = capacity;
	cfg.flags = flags | UDPCT_CFG_FIXED_SEED;
	cfg.hash_seed = BENCH_SEED;
	cfg.udp_timeout_ns = timeout_ns;
	cfg.udp_timeout_stream_ns = stream_timeout_ns;
	cfg.alloc = bench_allocator;
	if (udpct_table_new(&cfg, &t) < 0)
		return NULL;
	return t;
}

int
bench_warm(struct udpct_table *t, int family, uint32_t first, uint32_t n,
	   uint64_t now_ns, uint8_t *failed)
{
	struct udpct_verdict v;
	struct udpct_tuple tu;
	uint8_t pkt[128], *out = failed;
	uint32_t i, nfailed = 0;
	size_t len;
	int err;

	if (!out) {
		out = calloc(n ? n : 1, 1);
		if (!out)
			return -1;
	}
	for (i = 0; i < n; i++) {
		out[i] = 0;
		bench_tuple(&tu, family, first + i);
		len = bench_pkt_udp(pkt, &tu, false, BENCH_PAYLOAD);
		if (udpct_classify(t, pkt, len, now_ns, &v) < 0 ||
		    v.state != UDPCT_NEW)
			goto bad;
		err = udpct_commit(t, &v);
		if (err == -ENOSPC) {
			out[i] = 1;
			nfailed++;
			continue;
		}
		if (err < 0 || !v.flow)
			goto bad;
		len = bench_pkt_udp(pkt, &tu, true, BENCH_PAYLOAD);
		if (udpct_classify(t, pkt, len, now_ns, &v) < 0 ||
		    v.state != UDPCT_ESTABLISHED || v.dir != UDPCT_DIR_REPLY)
			goto bad;
	}
	for (i = 0; i < n; i++) {
		if (out[i])
			continue;
		bench_tuple(&tu, family, first + i);
		len = bench_pkt_udp(pkt, &tu, false, BENCH_PAYLOAD);
		if (udpct_classify(t, pkt, len, now_ns + ASSURE_NS, &v) < 0)
			goto bad;
		if (v.state == UDPCT_NEW) {
			/*
			 * Evicted by a later insert that found both of its
			 * buckets full (the index's own early drop takes
			 * flows that are not ASSURED yet): left out too.
			 */
			out[i] = 1;
			nfailed++;
			continue;
		}
		if (v.state != UDPCT_ESTABLISHED ||
		    !(v.status & UDPCT_STATUS_ASSURED))
			goto bad;
	}
	if (out != failed)
		free(out);
	return (int)nfailed;
bad:
	if (out != failed)
		free(out);
	return -1;
}

static void
fixture_free(struct fixture *f)
{
	struct bench_fixture *p;
	int i;

	if (!f)
		return;
	p = &f->pub;
	for (i = 0; i < MAX_EXT; i++)
		if (f->ext[i].dtor)
			f->ext[i].dtor(f->ext[i].p);
	for (i = 0; i < MAX_TABLES; i++)
		udpct_table_free(f->tables[i].t);
	for (i = 0; i < 2; i++)
		bench_mem_free(f->packets[i],
			       (size_t)p->nstream * BENCH_STRIDE);
	bench_mem_free(f->queries, (size_t)p->nstream * sizeof(*f->queries));
	bench_mem_free(f->peer_queries,
		       (size_t)p->nstream * sizeof(*f->peer_queries));
	free(p->tuples);
	free(p->live);
	free(p->order);
	free(p->dir);
	free(f);
}

/* Shuffle @n ids in place. */
static void
shuffle(uint32_t *o, uint32_t n, uint64_t *rng)
{
	uint32_t j, k, tmp;

	for (k = n ? n - 1 : 0; k > 0; k--) {
		j = (uint32_t)(bench_splitmix64(rng) % (k + 1));
		tmp = o[k];
		o[k] = o[j];
		o[j] = tmp;
	}
}

/* Random permutations of the live flows, one per pass over the stream. */
static void
make_order(struct bench_fixture *p)
{
	uint64_t rng = 0x6f72646572ull ^ p->nflows ^ (uint64_t)p->family << 40;
	uint32_t i, k, n;

	for (i = 0; i < p->nstream; i += n) {
		n = p->nstream - i < p->nlive ? p->nstream - i : p->nlive;
		memcpy(p->order + i, p->live, (size_t)n * sizeof(*p->order));
		shuffle(p->order + i, n, &rng);
	}
	for (k = 0; k < p->nstream; k++)
		p->dir[k] = (uint8_t)(bench_splitmix64(&rng) & 1);
}

static struct fixture *
fixture_new(int family, uint32_t nflows, const char **why)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct bench_fixture *p;
	struct udpct_tuple tu;
	uint8_t pkt[128];
	uint32_t i;

	if (!f)
		goto nomem;
	p = &f->pub;
	p->family = family;
	p->nflows = nflows;
	p->nstream = nflows > BENCH_MIN_STREAM ? nflows : BENCH_MIN_STREAM;
	bench_tuple(&tu, family, 0);
	p->pkt_len = (uint32_t)bench_pkt_udp(pkt, &tu, false, BENCH_PAYLOAD);
	p->now_ns = T0_NS;
	p->tuples = malloc((size_t)nflows * sizeof(*p->tuples));
	p->order = malloc((size_t)p->nstream * sizeof(*p->order));
	p->dir = malloc(p->nstream);
	if (!p->tuples || !p->order || !p->dir)
		goto nomem;
	for (i = 0; i < nflows; i++)
		bench_tuple(&p->tuples[i], family, i);
	/* The first table decides which flows are live (see bench_warm). */
	if (!bench_fixture_table(p, 0)) {
		*why = p->error;
		fixture_free(f);
		return NULL;
	}
	p->secret = bench_fixture_table(p, 0)->secret;
	make_order(p);
	return f;
nomem:
	*why = "out of memory building the fixture";
	fixture_free(f);
	return NULL;
}

static void
fixture_release(void)
{
	fixture_free(cache);
	cache = NULL;
}

struct bench_fixture *
bench_fixture_get(int family, uint32_t nflows, const char **why)
{
	bench_cache_claim(fixture_release);
	if (cache && (cache->pub.family != family ||
		      cache->pub.nflows != nflows))
		fixture_release();
	if (!cache)
		cache = fixture_new(family, nflows, why);
	return cache ? &cache->pub : NULL;
}

/*
 * Warm a fixture table.  The first one fixes the live set; the others must
 * leave out the same flows (same seed, same order: same buckets), so that
 * one stream serves every table.
 */
static int
warm_table(struct bench_fixture *p, struct udpct_table *t)
{
	uint8_t *failed = calloc(p->nflows, 1);
	uint32_t i, n = 0;
	int nf;

	if (!failed) {
		p->error = "out of memory";
		return -1;
	}
	nf = bench_warm(t, p->family, 0, p->nflows, p->now_ns, failed);
	if (nf < 0) {
		p->error = "warm-up: unexpected verdict";
		goto fail;
	}
	if (!p->live) {
		p->live = malloc(((size_t)p->nflows - (size_t)nf + 1) *
				 sizeof(*p->live));
		if (!p->live) {
			p->error = "out of memory";
			goto fail;
		}
		for (i = 0; i < p->nflows; i++)
			if (!failed[i])
				p->live[n++] = i;
		p->nlive = n;
	} else {
		for (i = 0; i < p->nflows; i++)
			n += !failed[i];
		for (i = 0; i < p->nlive; i++)
			if (failed[p->live[i]])
				break;
		if (n != p->nlive || i != p->nlive) {
			p->error = "tables of one fixture hold different flows";
			goto fail;
		}
	}
	free(failed);
	return 0;
fail:
	free(failed);
	return -1;
}

struct udpct_table *
bench_fixture_table(struct bench_fixture *p, uint32_t flags)
{
	struct fixture *f = (struct fixture *)p;
	int i;

	for (i = 0; i < MAX_TABLES; i++) {
		if (f->tables[i].t && f->tables[i].flags == flags)
			return f->tables[i].t;
		if (!f->tables[i].t)
			break;
	}
	if (i == MAX_TABLES) {
		p->error = "too many table variants";
		return NULL;
	}
	f->tables[i].flags = flags;
	f->tables[i].t = bench_table_new(p->nflows, flags, 0, 0);
	if (!f->tables[i].t) {
		p->error = "udpct_table_new failed";
		return NULL;
	}
	if (warm_table(p, f->tables[i].t) < 0) {
		udpct_table_free(f->tables[i].t);
		f->tables[i].t = NULL;
		return NULL;
	}
	p->now_ns += ASSURE_NS + NSEC_PER_SEC / 1000;
	return f->tables[i].t;
}

/* YCSB's Zipfian generator (Gray et al., SIGMOD 1994): rank 0 hottest. */
struct zipf {
	double n, theta, alpha, zetan, eta;
};

static void
zipf_init(struct zipf *z, uint32_t n, double theta)
{
	double zeta2 = 1.0 + pow(0.5, theta);
	uint32_t i;

	z->n = n;
	z->theta = theta;
	z->alpha = 1.0 / (1.0 - theta);
	z->zetan = 0;
	for (i = 1; i <= n; i++)
		z->zetan += pow((double)i, -theta);
	z->eta = (1.0 - pow(2.0 / n, 1.0 - theta)) / (1.0 - zeta2 / z->zetan);
}

static uint32_t
zipf_next(const struct zipf *z, uint64_t *rng)
{
	double u = (double)(bench_splitmix64(rng) >> 11) * 0x1p-53;
	double uz = u * z->zetan;
	uint64_t r;

	if (uz < 1.0)
		return 0;
	if (uz < 1.0 + pow(0.5, z->theta))
		return 1;
	r = (uint64_t)(z->n * pow(z->eta * u - z->eta + 1.0, z->alpha));
	return r >= (uint64_t)z->n ? (uint32_t)z->n - 1 : (uint32_t)r;
}

const uint8_t *
bench_fixture_packets(struct bench_fixture *p, enum bench_dist dist)
{
	struct fixture *f = (struct fixture *)p;
	uint64_t rng = 0x7a697066ull ^ p->nflows;
	uint32_t i, id, *rank = NULL;
	struct zipf z;
	uint8_t *s;

	if (f->packets[dist])
		return f->packets[dist];
	s = bench_mem_alloc((size_t)p->nstream * BENCH_STRIDE);
	if (!s)
		return NULL;
	if (dist == BENCH_ZIPF) {
		/* Rank r is flow rank[r]: popular flows scattered. */
		rank = malloc((size_t)p->nlive * sizeof(*rank));
		if (!rank) {
			bench_mem_free(s, (size_t)p->nstream * BENCH_STRIDE);
			return NULL;
		}
		memcpy(rank, p->live, (size_t)p->nlive * sizeof(*rank));
		shuffle(rank, p->nlive, &rng);
		zipf_init(&z, p->nlive, ZIPF_THETA);
	}
	for (i = 0; i < p->nstream; i++) {
		if (dist == BENCH_ZIPF)
			id = rank[zipf_next(&z, &rng)];
		else
			id = p->order[i];
		bench_pkt_udp(s + (size_t)i * BENCH_STRIDE, &p->tuples[id],
			      p->dir[i], BENCH_PAYLOAD);
	}
	free(rank);
	f->packets[dist] = s;
	return s;
}

const struct bench_query *
bench_fixture_queries(struct bench_fixture *p)
{
	struct fixture *f = (struct fixture *)p;
	const struct udpct_tuple *tu;
	struct bench_query *q;
	uint32_t i;

	if (f->queries)
		return f->queries;
	q = bench_mem_alloc((size_t)p->nstream * sizeof(*q));
	if (!q)
		return NULL;
	for (i = 0; i < p->nstream; i++) {
		tu = &p->tuples[p->order[i]];
		q[i].hash = udpct__hash_tuple(p->secret, tu);
		udpct__key_build(tu, &q[i].fwd, &q[i].rev);
	}
	f->queries = q;
	return q;
}

const struct bench_peer_query *
bench_fixture_peer_queries(struct bench_fixture *p)
{
	struct fixture *f = (struct fixture *)p;
	const struct udpct_tuple *tu;
	struct bench_peer_query *q;
	uint32_t i;

	if (f->peer_queries)
		return f->peer_queries;
	q = bench_mem_alloc((size_t)p->nstream * sizeof(*q));
	if (!q)
		return NULL;
	for (i = 0; i < p->nstream; i++) {
		tu = &p->tuples[p->order[i]];
		q[i].hash = udpct__hash_tuple(p->secret, tu);
		q[i].key.tuple = *tu;
		q[i].key.pad = 0;
	}
	f->peer_queries = q;
	return q;
}

uint64_t
bench_hash_tuple(const uint8_t *secret, const struct udpct_tuple *t)
{
	return udpct__hash_tuple(secret, t);
}

void *
bench_fixture_ext(struct bench_fixture *p, const void *owner)
{
	struct fixture *f = (struct fixture *)p;
	int i;

	for (i = 0; i < MAX_EXT; i++)
		if (f->ext[i].owner == owner)
			return f->ext[i].p;
	return NULL;
}

void
bench_fixture_ext_set(struct bench_fixture *p, const void *owner, void *ptr,
		      void (*dtor)(void *))
{
	struct fixture *f = (struct fixture *)p;
	int i;

	for (i = 0; i < MAX_EXT; i++) {
		if (!f->ext[i].owner) {
			f->ext[i].owner = owner;
			f->ext[i].p = ptr;
			f->ext[i].dtor = dtor;
			return;
		}
	}
	/* Out of slots: a programming error; free rather than leak. */
	if (dtor)
		dtor(ptr);
}
