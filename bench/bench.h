/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what the benchmarks of udpct-bench share: flow sets, raw
 * packets, memory, and the per-size fixture of warmed tables.
 *
 * Fixture: a table of N ESTABLISHED, ASSURED flows (each warmed by its
 * first packet, the reply, and one more packet 3 s later, committed as a
 * firewall that accepts would), plus streams of work laid out in the order
 * they are consumed, so that reading them is sequential and only the table
 * itself is accessed at random, as with packets arriving from a NIC ring:
 *  - packets: one raw IPv4/IPv6 UDP packet per 64-byte slot, each of a
 *    flow drawn uniformly (a fresh random permutation of the N flows per
 *    pass) or from a Zipf(0.99) popularity, in a random direction;
 *  - queries: the same flows as pre-hashed keys, for the index alone and
 *    the peers.
 * One fixture is kept at a time, until a benchmark asks for another size
 * or family or for another big cache (bench_cache_claim()); main.c
 * registers size-major and groups the users of each fixture, so each is
 * built once.
 */
#ifndef UDPCT_BENCH_H
#define UDPCT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <udpct/udpct.h>

#include "cbench.h"

/* Flow counts of the full run; the smoke run selects /1024$. */
#define BENCH_SIZES_INIT { 1024, 65536, 1048576, 4194304 }

#define BENCH_BATCH	64	/* operations per keep_running_batch */
#define BENCH_BURST	32	/* keys per bulk call of the peers */
#define BENCH_PAYLOAD	16	/* UDP payload: IPv4 44 B, IPv6 64 B */
#define BENCH_STRIDE	64	/* bytes per packet slot in a stream */
#define BENCH_MIN_STREAM 65536	/* packets in a stream, at least */
#define BENCH_NS_PER_PKT 20	/* simulated time between two packets */
#define BENCH_SEED	0x75647063745f6231ull	/* table hash seed */

/* Set from the command line by main.c. */
extern bool bench_hugepages;	/* --hugepages: MADV_HUGEPAGE on tables */

/* --- registration: one function per bench_*.c, called per size --- */
void bench_hash_register(int64_t flows);
void bench_classify_register(int64_t flows, int family);
void bench_lookup_register(int64_t flows);
void bench_insert_register(int64_t flows);
void bench_expire_register(int64_t flows);
void bench_memory_register(int64_t flows);
void bench_latency_register(int64_t flows);
void bench_ovs_register(void);
void bench_peer_mutex_register(int64_t flows);
#ifdef BENCH_HAVE_URCU
void bench_peer_urcu_register(int64_t flows);
#endif
#ifdef BENCH_HAVE_DPDK
void bench_peer_rte_hash_register(int64_t flows);
#endif

/* Register @fn as "@name/@flows" (a helper for the functions above). */
void bench_add(const char *name, cbench_fn fn, void *arg, int64_t flows);

/*
 * Before using a big cache of its own (a fixture, the insert table, the
 * latency buffer), a module claims it: every other cache registered here
 * is released by its @release, so that the process holds one at a time
 * (4 M flows take GBs).  @release NULL releases them all.
 */
void bench_cache_claim(void (*release)(void));

/* --- random numbers --- */
uint64_t bench_splitmix64(uint64_t *state);

/* --- flows and packets (pktgen.c) --- */

/*
 * The tuple, original direction, of flow @id: a client of 10.0.0.0/8 or
 * 2001:db8::/64 (distinct for every @id below 2^24) to one of 64 servers
 * on a well-known UDP port.  Deterministic.
 */
void bench_tuple(struct udpct_tuple *t, int family, uint32_t id);

/*
 * Write an IPv4 or IPv6 UDP packet of @t (or of its reply when @reply) with
 * @payload bytes of payload and correct checksums into @buf.
 * @return its length.
 */
size_t bench_pkt_udp(uint8_t *buf, const struct udpct_tuple *t, bool reply,
		     size_t payload);

/*
 * Write an ICMPv4 port unreachable quoting the IPv4 packet of @t (sent from
 * its destination back to its source), with correct checksums.
 * @return its length.
 */
size_t bench_pkt_icmp4_unreach(uint8_t *buf, const struct udpct_tuple *t);

/* --- memory (mem.c) --- */

/*
 * Allocation hooks for every table of the benchmark: mmap per array,
 * 2 MiB-aligned and madvise(MADV_HUGEPAGE) with --hugepages, so that RSS
 * measures the table alone.
 */
extern const struct udpct_allocator bench_allocator;

/* Big buffers (streams, peers): same policy as the tables. */
void *bench_mem_alloc(size_t size);
void bench_mem_free(void *p, size_t size);

/* Resident bytes of the process, and those in transparent huge pages. */
size_t bench_rss_bytes(void);

/* CLOCK_MONOTONIC in ns: wall-clock throughput of threaded cases. */
uint64_t bench_mono_ns(void);
size_t bench_thp_bytes(void);

/* --- fixture (fixture.c) --- */

enum bench_dist {
	BENCH_UNIFORM,
	BENCH_ZIPF,
};

/* A pre-hashed query of the index (bench_index.h). */
struct bench_query;

/* The same key for the peers: the tuple, padded to 48 bytes. */
struct bench_peer_key {
	struct udpct_tuple tuple;
	uint64_t pad;
};

struct bench_peer_query {
	uint64_t hash;
	struct bench_peer_key key;
};

struct bench_fixture {
	int family;
	uint32_t nflows;		/* flows asked for */
	uint32_t nlive;			/* flows in the tables (bench_warm) */
	uint32_t nstream;		/* packets (queries) per stream */
	uint32_t pkt_len;		/* bytes of every stream packet */
	uint64_t now_ns;		/* simulated clock, only grows */
	const uint8_t *secret;		/* the tables' XXH3 secret */
	struct udpct_tuple *tuples;	/* nflows, original direction */
	uint32_t *live;			/* ids of those nlive flows */
	uint32_t *order;		/* nstream flow ids, uniform */
	uint8_t *dir;			/* nstream directions (0/1) */
	const char *error;		/* set when building failed */
};

/*
 * The fixture of @nflows flows of @family (4 or 6), built on first use.
 * @return NULL when it could not be built (the reason is in *@why).
 */
struct bench_fixture *bench_fixture_get(int family, uint32_t nflows,
					const char **why);

/* Its warmed table, of default configuration plus @flags. */
struct udpct_table *bench_fixture_table(struct bench_fixture *fx,
					uint32_t flags);

/* Its packet stream (BENCH_STRIDE bytes per packet). */
const uint8_t *bench_fixture_packets(struct bench_fixture *fx,
				     enum bench_dist dist);

/* Its pre-hashed queries for the index (original direction). */
const struct bench_query *bench_fixture_queries(struct bench_fixture *fx);
const struct bench_peer_query *
bench_fixture_peer_queries(struct bench_fixture *fx);

/* udpct's tuple hash with the fixture's secret, for the peers. */
uint64_t bench_hash_tuple(const uint8_t *secret, const struct udpct_tuple *t);

/*
 * Per-fixture state of another module (a peer's index), freed with the
 * fixture by @dtor.  @owner is any address unique to the module.
 */
void *bench_fixture_ext(struct bench_fixture *fx, const void *owner);
void bench_fixture_ext_set(struct bench_fixture *fx, const void *owner,
			   void *p, void (*dtor)(void *));

/*
 * Warm @t with flows @first..@first+@n-1 of @family as the fixture does
 * (packet, reply, and one more 3 s later), from @now_ns on.  A flow whose
 * commit fails with -ENOSPC, or that a later commit evicts (both happen
 * when a key's two index buckets are full: see docs/performance.md), is
 * left out and, when @failed is not NULL, marked in @failed[id - @first].
 * @return the number of flows left out, or -1 when a verdict was not the
 *         expected one.
 */
int bench_warm(struct udpct_table *t, int family, uint32_t first, uint32_t n,
	       uint64_t now_ns, uint8_t *failed);

/* Create a table of @capacity for the benchmark (bench_allocator). */
struct udpct_table *bench_table_new(uint32_t capacity, uint32_t flags,
				    uint64_t timeout_ns,
				    uint64_t stream_timeout_ns);

#endif /* UDPCT_BENCH_H */
