/* SPDX-License-Identifier: MIT */
/*
 * bench_ovs.c - the two benchmarks of Open vSwitch's userspace conntrack
 * (tests/test-conntrack.c, `ovstest test-conntrack ...`), rebuilt against
 * libudpct with the same connections, threads, batch size and packets, so
 * that their figures can stand side by side (docs/performance.md).
 *
 *   udpct/ovs_benchmark/1/threads:T
 *	`benchmark T N 32`: each of T threads sends bursts of 32 copies of
 *	one packet, 10.1.1.1:(1 + thread) -> 10.1.1.2:2, 28-byte IPv4/UDP
 *	with no UDP checksum, committing (OVS commit=true: AUTO_COMMIT
 *	here), all threads on one table; the first packet creates the
 *	connection, every other is a lookup of it.  Per packet (CPU time
 *	per thread), and counter total_pps: packets per wall-clock second,
 *	all threads together, as OVS reports.
 *   udpct/ovs_zones_<phase>_z100/10000
 *	`benchmark-zones 10000 100 ITER`: 10000 connections (sport i >> 16,
 *	dport i & 0xffff, 0 read as 65535) in each of 100 zones (1 M
 *	flows), then per iteration: flush zone 1 (flush_full), re-create
 *	its 10000 connections, one packet per call, committing (commit),
 *	the same packets again without committing (lookup), flush zone
 *	65535, which is empty (flush_empty).  Every iteration runs all four
 *	phases and times one: commit and lookup per packet, the flushes per
 *	call, as OVS's stopwatches report per phase.  Except the empty flush:
 *	it costs nanoseconds here (the zone is known to be unused), so its
 *	case just repeats it, or the untimed phases (10 ms a cycle) would
 *	make it run for minutes.
 *
 * OVS classifies Ethernet frames; these are the same frames' IP packets.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define OVS_BURST	32
#define OVS_PKT_LEN	28
#define ZONES_CONNS	10000
#define ZONES_N		100
#define ZONE_EMPTY	65535
#define NOW_NS		(1000 * 1000 * 1000ull)

/* The frame of test-conntrack.c's build_packet(), from its IP header. */
static void
ovs_packet(uint8_t *p, uint16_t sport, uint16_t dport)
{
	static const uint8_t ip_udp[OVS_PKT_LEN] = {
		0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x11, 0xa4, 0xcd, 0x0a, 0x01, 0x01, 0x01,
		0x0a, 0x01, 0x01, 0x02, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x08, 0x00, 0x00,
	};

	memcpy(p, ip_udp, sizeof(ip_udp));
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
}

/* ---- ovs_benchmark: T threads, one connection each -------------------- */

static pthread_mutex_t ovs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct udpct_table *ovs_table;
static int ovs_users;

static void
bench_ovs(struct cbench_state *s, void *arg)
{
	struct udpct_burst_item it[OVS_BURST];
	struct udpct_verdict v[OVS_BURST];
	uint8_t pkt[OVS_PKT_LEN];
	struct udpct_reader *r = NULL;
	uint64_t t0 = 0, ns;
	uint32_t bad = 0;
	int i;

	(void)arg;
	pthread_mutex_lock(&ovs_lock);
	if (!ovs_users++)
		ovs_table = bench_table_new(0, UDPCT_CFG_AUTO_COMMIT, 0, 0);
	if (ovs_table && udpct_reader_register(ovs_table, &r) < 0)
		r = NULL;
	pthread_mutex_unlock(&ovs_lock);
	ovs_packet(pkt, (uint16_t)(1 + cbench_thread_index(s)), 2);
	for (i = 0; i < OVS_BURST; i++)
		it[i] = (struct udpct_burst_item){ .l3 = pkt,
						   .len = sizeof(pkt) };
	while (r && cbench_keep_running_batch(s, OVS_BURST)) {
		if (!t0)	/* after Google Benchmark's start barrier */
			t0 = bench_mono_ns();
		udpct_classify_burst(ovs_table, it, OVS_BURST, NOW_NS, v);
		for (i = 0; i < OVS_BURST; i++)
			bad += !v[i].flow;
		udpct_reader_quiescent(r);
	}
	pthread_mutex_lock(&ovs_lock);
	if (r)
		udpct_reader_unregister(r);
	if (!--ovs_users) {
		udpct_table_free(ovs_table);
		ovs_table = NULL;
	}
	pthread_mutex_unlock(&ovs_lock);
	ns = bench_mono_ns() - t0;
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	/* Summed over the threads: packets per wall-clock second, as OVS
	 * reports (its time is the wall clock between two barriers). */
	cbench_set_counter(s, "total_pps",
			   t0 && ns ? (double)cbench_iterations(s) * 1e9 /
					      (double)ns
				    : 0, 0);
	if (!r)
		cbench_skip(s, "table or reader set-up failed");
	else if (bad)
		cbench_skip(s, "a packet has no flow");
}

/* ---- ovs_zones: 10000 connections in each of 100 zones ---------------- */

enum zones_phase { FLUSH_FULL, COMMIT, LOOKUP, FLUSH_EMPTY, NPHASES };

static struct {
	struct udpct_table *t;
	uint8_t *pkts;		/* ZONES_CONNS packets of OVS_PKT_LEN */
} zfx;

static void
zones_free(void)
{
	udpct_table_free(zfx.t);
	free(zfx.pkts);
	memset(&zfx, 0, sizeof(zfx));
}

/* One packet of each connection in @zone; @return packets without flow. */
static uint32_t
zones_run(uint16_t zone, bool commit)
{
	struct udpct_verdict v;
	uint32_t i, bad = 0;

	for (i = 0; i < ZONES_CONNS; i++) {
		udpct_classify_zone(zfx.t, zfx.pkts + (size_t)i * OVS_PKT_LEN,
				    OVS_PKT_LEN, zone, NOW_NS, &v);
		if (commit)
			bad += udpct_commit(zfx.t, &v) != 0;
		bad += !v.flow;
	}
	return bad;
}

static const char *
zones_get(void)
{
	uint16_t z, sport, dport;
	uint32_t i;

	bench_cache_claim(zones_free);
	if (zfx.t)
		return NULL;
	zfx.t = bench_table_new(ZONES_CONNS * ZONES_N, 0, 0, 0);
	zfx.pkts = malloc((size_t)ZONES_CONNS * OVS_PKT_LEN);
	if (!zfx.t || !zfx.pkts) {
		zones_free();
		return "out of memory";
	}
	for (i = 0; i < ZONES_CONNS; i++) {
		sport = (uint16_t)(i >> 16);
		dport = (uint16_t)i;
		ovs_packet(zfx.pkts + (size_t)i * OVS_PKT_LEN,
			   sport ? sport : 65535, dport ? dport : 65535);
	}
	for (z = 0; z < ZONES_N; z++) {
		if (zones_run(z, true)) {
			zones_free();
			return "warm-up: a connection was not created";
		}
	}
	return NULL;
}

/* One iteration of benchmark-zones; only phase @timed counts. */
static uint32_t
zones_iteration(struct cbench_state *s, enum zones_phase timed)
{
	uint16_t full = 1, empty = ZONE_EMPTY;
	uint32_t bad = 0;
	int p;

	for (p = 0; p < NPHASES; p++) {
		if (p != (int)timed)
			cbench_pause(s);
		switch (p) {
		case FLUSH_FULL:
			bad += udpct_table_flush(zfx.t, &full, NULL, NULL) !=
			       ZONES_CONNS;
			break;
		case COMMIT:
			bad += zones_run(full, true);
			break;
		case LOOKUP:
			bad += zones_run(full, false);
			break;
		default:
			bad += udpct_table_flush(zfx.t, &empty, NULL, NULL) !=
			       0;
			break;
		}
		if (p != (int)timed)
			cbench_resume(s);
	}
	return bad;
}

static void
bench_ovs_zones(struct cbench_state *s, void *arg)
{
	enum zones_phase phase = (enum zones_phase)(uintptr_t)arg;
	uint64_t per = phase == COMMIT || phase == LOOKUP ? ZONES_CONNS : 1;
	const char *why = zones_get();
	uint16_t empty = ZONE_EMPTY;
	uint32_t bad = 0;

	if (why) {
		cbench_skip(s, why);
		return;
	}
	if (phase == FLUSH_EMPTY) {
		while (cbench_keep_running(s))
			bad += udpct_table_flush(zfx.t, &empty, NULL, NULL) !=
			       0;
	}
	while (phase != FLUSH_EMPTY && cbench_keep_running_batch(s, per))
		bad += zones_iteration(s, phase);
	cbench_set_items_processed(s, (int64_t)cbench_iterations(s));
	if (bad)
		cbench_skip(s, "a flush or a packet did not do what OVS's does");
}

void
bench_ovs_register(void)
{
	static const char *const names[NPHASES] = {
		[FLUSH_FULL] = "udpct/ovs_zones_flush_full_z100",
		[COMMIT] = "udpct/ovs_zones_commit_z100",
		[LOOKUP] = "udpct/ovs_zones_lookup_z100",
		[FLUSH_EMPTY] = "udpct/ovs_zones_flush_empty_z100",
	};
	int t;
	uintptr_t p;

	for (t = 1; t <= 2; t++)
		cbench_set_threads(cbench_arg_add(cbench_register(
				"udpct/ovs_benchmark", bench_ovs, NULL), 1), t);
	for (p = 0; p < NPHASES; p++)
		bench_add(names[p], bench_ovs_zones, (void *)p, ZONES_CONNS);
}
