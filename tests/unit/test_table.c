// SPDX-License-Identifier: MIT
/*
 * test_table.c - the flow table (udpct/table.h): configuration validation
 * and defaults, the full-table policies (early drop of unassured flows,
 * refusal; spec section 7), exact statistics, per-flow user data,
 * udpct_flow_get_info(), udpct_table_scan(), udpct_table_advance() (expiry
 * never before the deadline and at most one 2^22 ns tick after it; spec
 * sections 4 and 8) and the allocation hooks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

#include "harness.h"
#include "pkt.h"
#include "talloc.h"
#include "unit.h"

#define SENTINEL ((struct udpct_table *)(uintptr_t)0x5e5e5e5e)

static bool
has(uint32_t status, uint32_t bit)
{
	return (status & bit) != 0;
}

static void
cfg_default(struct udpct_config *cfg)
{
	udpct_config_init(cfg);
	cfg->flags = UDPCT_CFG_FIXED_SEED | UDPCT_CFG_ACCOUNTING;
	cfg->hash_seed = TH_SEED;
	cfg->capacity = 64;
}

static struct udpct_table *
table_from(const struct udpct_config *cfg)
{
	struct udpct_table *t = NULL;

	cr_assert_eq(udpct_table_new(cfg, &t), 0);
	cr_assert_not_null(t);
	return t;
}

/* A:@sport -> B:53. */
static void
flow_spec(struct pkt_spec *s, uint16_t sport)
{
	pkt_spec_v4(s, PKT_A4, sport, PKT_B4, 53);
}

static struct udpct_flow *
open_flow(struct udpct_table *t, uint16_t sport, uint64_t now)
{
	struct pkt_spec s;
	struct udpct_verdict v;

	flow_spec(&s, sport);
	cr_assert_eq(th_accept(t, &s, now, &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW, "port %u: %s (%s)", sport,
		     udpct_state_name(v.state), udpct_reason_name(v.reason));
	cr_assert_not_null(v.flow);
	return v.flow;
}

/* Request at @now, reply 1 ms later, request 2.5 s later: ASSURED. */
static struct udpct_flow *
open_assured(struct udpct_table *t, uint16_t sport, uint64_t now)
{
	struct pkt_spec s, r;
	struct udpct_verdict v;
	struct udpct_flow *f = open_flow(t, sport, now);

	flow_spec(&s, sport);
	pkt_spec_reply(&r, &s);
	cr_assert_eq(th_accept(t, &r, now + TH_MSEC(1), &v), 0);
	cr_assert_eq(v.state, UDPCT_ESTABLISHED);
	cr_assert_eq(th_accept(t, &s, now + TH_MSEC(2500), &v), 0);
	cr_assert_eq(v.state, UDPCT_ESTABLISHED);
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	return f;
}

/* ---- configuration ------------------------------------------------- */

Test(table, config_init_sets_size_and_zeroes_the_rest)
{
	struct udpct_config cfg, zero;

	memset(&cfg, 0xff, sizeof(cfg));
	udpct_config_init(&cfg);
	cr_assert_eq(cfg.size, sizeof(cfg));
	memset(&zero, 0, sizeof(zero));
	zero.size = sizeof(zero);
	cr_assert_eq(cfg.flags, 0);
	cr_assert_eq(cfg.capacity, 0);
	cr_assert_eq(cfg.user_data_size, 0);
	cr_assert_eq(cfg.expect_max, 0);
	cr_assert_eq(cfg.udp_timeout_ns, 0);
	cr_assert_eq(cfg.udp_timeout_stream_ns, 0);
	cr_assert_eq(cfg.hash_seed, 0);
	cr_assert_null(cfg.alloc.alloc);
	cr_assert_null(cfg.alloc.free);
	cr_assert_null(cfg.alloc.state);
	cr_assert_null(cfg.evict_fn);
	cr_assert_null(cfg.evict_arg);
	cr_assert_eq(cfg.reserved[0] | cfg.reserved[1] | cfg.reserved[2] |
		     cfg.reserved[3], 0);
}

static void
expect_einval(const struct udpct_config *cfg, const char *what)
{
	struct udpct_table *t = SENTINEL;

	cr_assert_eq(udpct_table_new(cfg, &t), -EINVAL, "%s", what);
	cr_assert_eq(t, SENTINEL, "%s: out written on failure", what);
}

Test(table, table_new_rejects_null_out)
{
	struct udpct_config cfg;

	cfg_default(&cfg);
	cr_assert_eq(udpct_table_new(&cfg, NULL), -EINVAL);
	cr_assert_eq(udpct_table_new(NULL, NULL), -EINVAL);
}

Test(table, table_new_rejects_bad_config_size)
{
	struct udpct_config cfg;

	cfg_default(&cfg);
	cfg.size = 0;
	expect_einval(&cfg, "size 0");
	cfg.size = 1;
	expect_einval(&cfg, "size 1");
	cfg.size = sizeof(size_t);	/* the size field alone */
	expect_einval(&cfg, "size of the size field");
}

Test(table, table_new_rejects_unknown_flags)
{
	struct udpct_config cfg;
	unsigned int bit;

	for (bit = 0; bit < 32; bit++) {
		if ((1u << bit) & UDPCT_CFG_ALL_FLAGS)
			continue;
		cfg_default(&cfg);
		cfg.flags |= 1u << bit;
		expect_einval(&cfg, "unknown flag");
	}
}

Test(table, table_new_rejects_nonzero_reserved_fields)
{
	struct udpct_config cfg;
	size_t i;

	for (i = 0; i < sizeof(cfg.reserved) / sizeof(cfg.reserved[0]); i++) {
		cfg_default(&cfg);
		cfg.reserved[i] = 1;
		expect_einval(&cfg, "reserved");
	}
}

Test(table, table_new_rejects_capacity_above_2_pow_30)
{
	struct udpct_config cfg;

	cfg_default(&cfg);
	cfg.capacity = (1u << 30) + 1;
	expect_einval(&cfg, "2^30 + 1");
	cfg.capacity = UINT32_MAX;
	expect_einval(&cfg, "UINT32_MAX");
}

Test(table, stream_timeout_shorter_than_unreplied_is_accepted_and_used)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct pkt_spec s, r;
	struct udpct_flow *f;

	/* the kernel's two sysctls are independent (spec 4) */
	cfg_default(&cfg);
	cfg.udp_timeout_stream_ns = TH_SEC(10);
	t = table_from(&cfg);
	udpct_table_free(t);

	cfg_default(&cfg);
	cfg.udp_timeout_ns = TH_SEC(60);
	cfg.udp_timeout_stream_ns = TH_SEC(20);
	t = table_from(&cfg);
	f = open_flow(t, 1, TH_T0);
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(60));
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(60) + TH_TICK_NS);
	flow_spec(&s, 1);
	pkt_spec_reply(&r, &s);
	cr_assert_eq(th_classify(t, &r, TH_T0 + TH_MSEC(1), &v), 0);
	cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(3), &v), 0);
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	/* ASSURED: refreshed to the stream timeout, 20 s */
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(23));
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(23) + TH_TICK_NS);
	cr_assert_eq(th_classify(t, &r, info.deadline_ns, &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW, "alive after the stream timeout");
	udpct_table_free(t);
}

Test(table, table_new_accepts_equal_timeouts)
{
	struct udpct_config cfg;
	struct udpct_table *t;

	cfg_default(&cfg);
	cfg.udp_timeout_ns = TH_SEC(60);
	cfg.udp_timeout_stream_ns = TH_SEC(60);
	t = table_from(&cfg);
	udpct_table_free(t);
}

Test(table, table_free_null_does_nothing)
{
	udpct_table_free(NULL);
}

Test(table, null_config_gives_the_kernel_defaults)
{
	struct udpct_table *t = NULL;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct pkt_spec s, r;

	cr_assert_eq(udpct_table_new(NULL, &t), 0);
	cr_assert_not_null(t);
	ut_stats(t, &st);
	cr_assert_eq(st.capacity, 262144, "nf_conntrack_max");
	cr_assert_gt(st.memory_bytes, 0);
	cr_assert_eq(st.live, 0);

	/* checksums verified */
	flow_spec(&s, 1);
	s.csum = PKT_CSUM_BAD;
	cr_assert_eq(th_classify(t, &s, TH_T0, &v), 0);
	cr_assert_eq(v.state, UDPCT_INVALID);
	/* no auto-commit */
	flow_spec(&s, 2);
	cr_assert_eq(th_classify(t, &s, TH_T0, &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW);
	cr_assert_null(v.flow);
	/* 30 s, then 120 s */
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_eq(udpct_flow_get_info(t, v.flow, &info), 0);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_UDP_TIMEOUT);
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_UDP_TIMEOUT + TH_TICK_NS);
	pkt_spec_reply(&r, &s);
	cr_assert_eq(th_classify(t, &r, TH_T0 + 1, &v), 0);
	cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(3), &v), 0);
	cr_assert_eq(udpct_flow_get_info(t, v.flow, &info), 0);
	cr_assert(has(info.status, UDPCT_STATUS_ASSURED));
	cr_assert_geq(info.deadline_ns,
		      TH_T0 + TH_SEC(3) + TH_UDP_TIMEOUT_STREAM);
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(3) +
		      TH_UDP_TIMEOUT_STREAM + TH_TICK_NS);
	udpct_table_free(t);
}

Test(table, zero_config_fields_mean_the_defaults)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_stats st;

	udpct_config_init(&cfg);
	cfg.flags = UDPCT_CFG_FIXED_SEED;
	t = table_from(&cfg);
	ut_stats(t, &st);
	cr_assert_eq(st.capacity, 262144);
	udpct_table_free(t);
}

Test(table, random_seed_table_works)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct pkt_spec s, r;

	udpct_config_init(&cfg);
	cfg.capacity = 16;
	t = table_from(&cfg);
	flow_spec(&s, 7);
	pkt_spec_reply(&r, &s);
	cr_assert_eq(th_accept(t, &s, TH_T0, &v), 0);
	cr_assert_eq(th_classify(t, &r, TH_T0 + 1, &v), 0);
	cr_assert_eq(v.state, UDPCT_ESTABLISHED);
	udpct_table_free(t);
}

Test(table, configured_timeouts_are_used)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct pkt_spec s, r;
	struct udpct_flow *f;

	cfg_default(&cfg);
	cfg.udp_timeout_ns = TH_SEC(5);
	cfg.udp_timeout_stream_ns = TH_SEC(7);
	t = table_from(&cfg);
	f = open_flow(t, 1, TH_T0);
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(5));
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(5) + TH_TICK_NS);
	flow_spec(&s, 1);
	pkt_spec_reply(&r, &s);
	cr_assert_eq(th_classify(t, &r, TH_T0 + TH_SEC(1), &v), 0);
	cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(3), &v), 0);
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	cr_assert(has(info.status, UDPCT_STATUS_ASSURED));
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(10));
	cr_assert_leq(info.deadline_ns, TH_T0 + TH_SEC(10) + TH_TICK_NS);
	/* gone after 7 s idle, not 120 */
	cr_assert_eq(th_classify(t, &s, info.deadline_ns, &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW);
	cr_assert_null(v.flow);
	udpct_table_free(t);
}

/* ---- full table ---------------------------------------------------- */

struct evictions {
	unsigned int n;
	unsigned int assured;
	uint16_t sport[256];
};

static void
on_evict(void *arg, const struct udpct_flow_info *info, void *user_data)
{
	struct evictions *ev = arg;

	(void)user_data;
	if (has(info->status, UDPCT_STATUS_ASSURED))
		ev->assured++;
	if (ev->n < 256)
		ev->sport[ev->n] = info->tuple.sport;
	ev->n++;
}

struct seen {
	unsigned int n;
	uint16_t sport[1024];
};

static int
collect(void *arg, const struct udpct_flow_info *info, struct udpct_flow *f)
{
	struct seen *s = arg;

	(void)f;
	if (s->n < 1024)
		s->sport[s->n] = info->tuple.sport;
	s->n++;
	return 0;
}

static bool
seen_has(const struct seen *s, uint16_t sport)
{
	unsigned int i;

	for (i = 0; i < s->n && i < 1024; i++)
		if (s->sport[i] == sport)
			return true;
	return false;
}

Test(table, assured_flows_are_never_early_dropped)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct evictions ev = { 0 };
	struct seen sn = { 0 };
	struct pkt_spec s;
	uint16_t i;

	cfg_default(&cfg);
	cfg.flags |= UDPCT_CFG_AUTO_COMMIT;
	cfg.capacity = 8;
	cfg.evict_fn = on_evict;
	cfg.evict_arg = &ev;
	t = table_from(&cfg);
	for (i = 0; i < 8; i++)
		open_assured(t, (uint16_t)(10000 + i), TH_T0 + i);
	/* row 33: no unassured entry anywhere, every new flow refused */
	for (i = 0; i < 64; i++) {
		flow_spec(&s, (uint16_t)(30000 + i));
		cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(3), &v), 0);
		cr_assert_eq(v.state, UDPCT_INVALID, "attempt %u: %s", i,
			     udpct_state_name(v.state));
		cr_assert_eq(v.reason, UDPCT_REASON_TABLE_FULL);
		cr_assert_null(v.flow);
	}
	ut_stats(t, &st);
	cr_assert_eq(st.table_full, 64);
	cr_assert_eq(st.invalid_reason[UDPCT_REASON_TABLE_FULL], 64);
	cr_assert_eq(st.early_drop, 0);
	cr_assert_eq(st.live, 8);
	cr_assert_eq(ev.n, 0);
	cr_assert_eq(udpct_table_scan(t, TH_T0 + TH_SEC(3), collect, &sn), 8);
	for (i = 0; i < 8; i++)
		cr_assert(seen_has(&sn, (uint16_t)(10000 + i)));
	/* existing flows are unaffected */
	flow_spec(&s, 10003);
	cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(4), &v), 0);
	cr_assert_eq(v.state, UDPCT_ESTABLISHED);
	udpct_table_free(t);
}

/*
 * 8 assured and 8 unassured flows in a full table of 16; then 64 new flows.
 * Into a full table, each must either evict k >= 1 unassured flows and
 * enter, or be refused with nothing evicted; with room left it enters.
 * Returns the outcome of each attempt (0 refused, else 1 + number evicted)
 * in @out.
 */
static void
early_drop_run(uint64_t seed, unsigned int out[64])
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats before, after;
	struct evictions ev = { 0 };
	struct seen sn = { 0 };
	struct pkt_spec s;
	unsigned int admitted = 0;
	uint16_t i;

	cfg_default(&cfg);
	cfg.flags |= UDPCT_CFG_AUTO_COMMIT;
	cfg.hash_seed = seed;
	cfg.capacity = 16;
	cfg.evict_fn = on_evict;
	cfg.evict_arg = &ev;
	t = table_from(&cfg);
	for (i = 0; i < 8; i++)
		open_assured(t, (uint16_t)(10000 + i), TH_T0);
	for (i = 0; i < 8; i++)
		open_flow(t, (uint16_t)(20000 + i), TH_T0 + TH_SEC(3));
	ut_stats(t, &before);
	cr_assert_eq(before.live, 16);

	for (i = 0; i < 64; i++) {
		uint64_t now = TH_T0 + TH_SEC(4) + i;

		ut_stats(t, &before);
		flow_spec(&s, (uint16_t)(30000 + i));
		cr_assert_eq(th_classify(t, &s, now, &v), 0);
		ut_stats(t, &after);
		if (v.state == UDPCT_NEW) {
			uint64_t k = after.early_drop - before.early_drop;

			cr_assert_not_null(v.flow);
			/* a full table admits only by evicting; after an
			 * eviction of several flows the next ones fit */
			if (before.live == 16)
				cr_assert_geq(k, 1, "admitted into a full "
					      "table without an eviction");
			else
				cr_assert_eq(k, 0, "evicted with room left");
			cr_assert_eq(after.live, before.live - k + 1);
			cr_assert_eq(after.table_full, before.table_full);
			out[i] = 1 + (unsigned int)k;
			admitted++;
		} else {
			cr_assert_eq(v.state, UDPCT_INVALID, "attempt %u: %s",
				     i, udpct_state_name(v.state));
			cr_assert_eq(v.reason, UDPCT_REASON_TABLE_FULL);
			cr_assert_eq(before.live, 16,
				     "refused with room in the table");
			cr_assert_eq(after.early_drop, before.early_drop);
			cr_assert_eq(after.table_full, before.table_full + 1);
			cr_assert_eq(after.live, before.live);
			out[i] = 0;
		}
	}
	cr_assert_gt(admitted, 0, "early drop never found an unassured flow");
	/* only unassured flows were evicted, all reported to evict_fn */
	ut_stats(t, &after);
	cr_assert_eq(ev.n, after.early_drop);
	cr_assert_eq(ev.assured, 0);
	for (i = 0; i < ev.n && i < 256; i++)
		cr_assert(ev.sport[i] >= 20000, "assured flow %u evicted",
			  ev.sport[i]);
	cr_assert_eq(udpct_table_scan(t, TH_T0 + TH_SEC(5), collect, &sn),
		     (int)after.live);
	for (i = 0; i < 8; i++)
		cr_assert(seen_has(&sn, (uint16_t)(10000 + i)),
			  "assured flow %u is gone", 10000 + i);
	udpct_table_free(t);
}

Test(table, early_drop_evicts_only_unassured_flows_to_admit_new_ones)
{
	unsigned int out[64];

	early_drop_run(TH_SEED, out);
}

Test(table, early_drop_outcomes_are_reproducible_with_a_fixed_seed)
{
	unsigned int a[64], b[64];

	early_drop_run(TH_SEED, a);
	early_drop_run(TH_SEED, b);
	cr_assert_arr_eq(a, b, sizeof(a));
}

static int
count_expired(void *arg, const struct udpct_flow_info *info, void *ud)
{
	(void)info;
	(void)ud;
	(*(unsigned int *)arg)++;
	return 0;
}

static void
count_expire_cb(void *arg, const struct udpct_flow_info *info, void *ud)
{
	count_expired(arg, info, ud);
}

Test(table, early_dropped_flows_are_not_reported_by_advance)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct evictions ev = { 0 };
	struct pkt_spec s;
	unsigned int expired = 0;
	uint16_t i;

	cfg_default(&cfg);
	cfg.flags |= UDPCT_CFG_AUTO_COMMIT;
	cfg.capacity = 8;
	cfg.evict_fn = on_evict;
	cfg.evict_arg = &ev;
	t = table_from(&cfg);
	for (i = 0; i < 8; i++)
		open_flow(t, (uint16_t)(20000 + i), TH_T0);
	for (i = 0; i < 32 && ev.n == 0; i++) {
		flow_spec(&s, (uint16_t)(30000 + i));
		cr_assert_eq(th_classify(t, &s, TH_T0 + 1, &v), 0);
	}
	cr_assert_gt(ev.n, 0, "no early drop happened");
	ut_stats(t, &st);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(100), 0,
					 count_expire_cb, &expired),
		     (int)st.live);
	cr_assert_eq(expired, st.live);
	cr_assert_eq(expired + ev.n, 8 + 1);
	udpct_table_free(t);
}

Test(table, early_drop_happens_at_classify_and_commit_succeeds)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct pkt_spec s;
	uint16_t i;
	bool done = false;

	cfg_default(&cfg);
	cfg.capacity = 8;
	t = table_from(&cfg);
	for (i = 0; i < 8; i++)
		open_flow(t, (uint16_t)(20000 + i), TH_T0);
	for (i = 0; i < 32 && !done; i++) {
		flow_spec(&s, (uint16_t)(30000 + i));
		cr_assert_eq(th_classify(t, &s, TH_T0 + 1, &v), 0);
		if (v.state != UDPCT_NEW)
			continue;
		cr_assert_eq(udpct_commit(t, &v), 0);
		cr_assert_not_null(v.flow);
		done = true;
	}
	cr_assert(done);
	ut_stats(t, &st);
	cr_assert_geq(st.early_drop, 1);
	cr_assert_eq(st.insert_failed, 0);
	cr_assert_leq(st.live, 8);
	udpct_table_free(t);
}

Test(table, refuse_policy_never_evicts)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct evictions ev = { 0 };
	struct pkt_icmp_spec is;
	struct pkt_spec s, r;
	uint8_t q[PKT_MAX], buf[PKT_MAX];
	size_t qn, n;
	uint16_t i;

	cfg_default(&cfg);
	cfg.flags |= UDPCT_CFG_AUTO_COMMIT | UDPCT_CFG_FULL_REFUSE;
	cfg.capacity = 4;
	cfg.evict_fn = on_evict;
	cfg.evict_arg = &ev;
	t = table_from(&cfg);
	for (i = 0; i < 4; i++)
		open_flow(t, (uint16_t)(20000 + i), TH_T0);
	for (i = 0; i < 16; i++) {
		flow_spec(&s, (uint16_t)(30000 + i));
		cr_assert_eq(th_classify(t, &s, TH_T0 + 1, &v), 0);
		cr_assert_eq(v.state, UDPCT_INVALID);
		cr_assert_eq(v.reason, UDPCT_REASON_TABLE_FULL);
	}
	ut_stats(t, &st);
	cr_assert_eq(st.early_drop, 0);
	cr_assert_eq(st.table_full, 16);
	cr_assert_eq(st.invalid, 16);
	cr_assert_eq(st.invalid_reason[UDPCT_REASON_TABLE_FULL], 16);
	cr_assert_eq(st.live, 4);
	cr_assert_eq(ev.n, 0);

	/* the flows already in the table work as before */
	flow_spec(&s, 20002);
	pkt_spec_reply(&r, &s);
	cr_assert_eq(th_classify(t, &r, TH_T0 + 2, &v), 0);
	cr_assert_eq(v.state, UDPCT_ESTABLISHED);
	cr_assert_eq(v.dir, UDPCT_DIR_REPLY);
	flow_spec(&s, 20001);
	qn = pkt_build_udp(&s, q, sizeof(q));
	pkt_icmp_unreach(&is, &s, q, qn);
	n = pkt_build_icmp_error(&is, buf, sizeof(buf));
	cr_assert_eq(udpct_classify(t, buf, n, TH_T0 + 3, &v), 0);
	cr_assert_eq(v.state, UDPCT_RELATED);
	udpct_table_free(t);
}

Test(table, refuse_policy_admits_exactly_capacity_flows)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct pkt_spec s;
	uint16_t i;

	cfg_default(&cfg);
	cfg.flags |= UDPCT_CFG_FULL_REFUSE;
	cfg.capacity = 5;
	t = table_from(&cfg);
	for (i = 0; i < 5; i++)
		open_flow(t, (uint16_t)(100 + i), TH_T0 + i);
	flow_spec(&s, 200);
	cr_assert_eq(th_classify(t, &s, TH_T0 + 10, &v), 0);
	cr_assert_eq(v.state, UDPCT_INVALID);
	cr_assert_eq(v.reason, UDPCT_REASON_TABLE_FULL);
	ut_stats(t, &st);
	cr_assert_eq(st.live, 5);
	cr_assert_eq(st.inserted, 5);
	cr_assert_eq(st.capacity, 5);
	udpct_table_free(t);
}

Test(table, commit_into_a_table_filled_since_classify_is_enospc)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v1, v2;
	struct udpct_stats st;
	struct pkt_spec s1, s2;

	cfg_default(&cfg);
	cfg.flags |= UDPCT_CFG_FULL_REFUSE;
	cfg.capacity = 1;
	t = table_from(&cfg);
	flow_spec(&s1, 1);
	flow_spec(&s2, 2);
	cr_assert_eq(th_classify(t, &s1, TH_T0, &v1), 0);
	cr_assert_eq(th_classify(t, &s2, TH_T0, &v2), 0);
	cr_assert_eq(v1.state, UDPCT_NEW);
	cr_assert_eq(v2.state, UDPCT_NEW, "the table was empty");
	cr_assert_eq(udpct_commit(t, &v1), 0);
	cr_assert_eq(udpct_commit(t, &v2), -ENOSPC);
	cr_assert_null(v2.flow);
	ut_stats(t, &st);
	cr_assert_eq(st.insert_failed, 1);
	cr_assert_eq(st.live, 1);
	cr_assert_eq(st.inserted, 1);
	udpct_table_free(t);
}

/* ---- statistics ---------------------------------------------------- */

Test(table, stats_count_each_event_exactly)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v, v2;
	struct udpct_stats st;
	struct pkt_icmp_spec is;
	struct pkt_spec a2b, b2a, s;
	uint8_t buf[PKT_MAX], q[PKT_MAX];
	uint64_t sum;
	size_t n, qn;
	int i;

	cfg_default(&cfg);
	t = table_from(&cfg);
	ut_stats(t, &st);
	cr_assert_eq(st.found + st.inserted + st.related + st.invalid +
		     st.ignored + st.expired + st.early_drop + st.table_full +
		     st.insert_failed + st.clash + st.clock_backwards +
		     st.live, 0);
	cr_assert_eq(st.capacity, 64);

	flow_spec(&a2b, 1000);
	pkt_spec_reply(&b2a, &a2b);
	cr_assert_eq(th_accept(t, &a2b, TH_T0, &v), 0);	/* new */
	cr_assert_eq(th_accept(t, &a2b, TH_T0 + 1, &v), 0);	/* found */
	cr_assert_eq(th_accept(t, &b2a, TH_T0 + 2, &v), 0);	/* found */
	ut_stats(t, &st);
	cr_assert_eq(st.inserted, 1);
	cr_assert_eq(st.found, 2);
	cr_assert_eq(st.live, 1);

	flow_spec(&s, 2000);
	s.csum = PKT_CSUM_BAD;
	cr_assert_eq(th_accept(t, &s, TH_T0 + 3, &v), 0);	/* invalid */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x45;		/* 10 bytes of an IPv4 header */
	cr_assert_eq(udpct_classify(t, buf, 10, TH_T0 + 4, &v), 0);
	n = pkt_build_icmp_echo(UDPCT_IPV4, PKT_A4, PKT_B4, 1, 1, false, buf,
				sizeof(buf));
	cr_assert_eq(udpct_classify(t, buf, n, TH_T0 + 5, &v), 0);
	cr_assert_eq(v.state, UDPCT_IGNORED);
	flow_spec(&s, 3000);	/* NEW, dropped */
	cr_assert_eq(th_classify(t, &s, TH_T0 + 6, &v), 0);
	ut_stats(t, &st);
	cr_assert_eq(st.inserted, 1);
	cr_assert_eq(st.found, 2);
	cr_assert_eq(st.invalid, 2);
	cr_assert_eq(st.invalid_reason[UDPCT_REASON_BAD_CHECKSUM], 1);
	cr_assert_eq(st.invalid_reason[UDPCT_REASON_TRUNCATED_IP_HEADER], 1);
	cr_assert_eq(st.ignored, 1);
	cr_assert_eq(st.live, 1);

	/* a clash */
	flow_spec(&s, 4000);
	cr_assert_eq(th_classify(t, &s, TH_T0 + 7, &v), 0);
	cr_assert_eq(th_classify(t, &s, TH_T0 + 7, &v2), 0);
	cr_assert_eq(udpct_commit(t, &v), 0);
	cr_assert_eq(udpct_commit(t, &v2), 0);
	ut_stats(t, &st);
	cr_assert_eq(st.inserted, 2);
	cr_assert_eq(st.clash, 1);
	cr_assert_eq(st.live, 2);

	/* RELATED */
	qn = pkt_build_udp(&a2b, q, sizeof(q));
	pkt_icmp_unreach(&is, &a2b, q, qn);
	n = pkt_build_icmp_error(&is, buf, sizeof(buf));
	cr_assert_eq(udpct_classify(t, buf, n, TH_T0 + 8, &v), 0);
	cr_assert_eq(v.state, UDPCT_RELATED);
	ut_stats(t, &st);
	cr_assert_eq(st.related, 1);
	cr_assert_eq(st.invalid, 2);

	/* expiry and a clock going backwards */
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(100), 0, NULL,
					 NULL), 2);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(50), 0, NULL,
					 NULL), 0);
	ut_stats(t, &st);
	cr_assert_eq(st.expired, 2);
	cr_assert_eq(st.live, 0);
	cr_assert_eq(st.clock_backwards, 1);
	cr_assert_eq(st.early_drop, 0);
	cr_assert_eq(st.table_full, 0);
	cr_assert_eq(st.insert_failed, 0);
	for (sum = 0, i = 0; i < UDPCT_REASON_MAX; i++)
		sum += st.invalid_reason[i];
	cr_assert_eq(sum, st.invalid);
	cr_assert_eq(st.invalid_reason[UDPCT_REASON_NONE], 0);
	udpct_table_free(t);
}

Test(table, get_stats_rejects_null)
{
	struct udpct_table *t = th_table(0, 4);
	struct udpct_stats st;

	cr_assert_not_null(t);
	cr_assert_eq(udpct_table_get_stats(NULL, &st), -EINVAL);
	cr_assert_eq(udpct_table_get_stats(t, NULL), -EINVAL);
	udpct_table_free(t);
}

/* ---- user data ----------------------------------------------------- */

#define UD_SIZE 40

static struct udpct_table *
ud_table(uint32_t flags, uint32_t capacity, struct talloc *ta)
{
	struct udpct_config cfg;

	cfg_default(&cfg);
	cfg.flags |= flags;
	cfg.capacity = capacity;
	cfg.user_data_size = UD_SIZE;
	talloc_init(ta);	/* poisons every block with 0xa5 */
	talloc_hooks(ta, &cfg.alloc);
	return table_from(&cfg);
}

static void
assert_zero(const uint8_t *p, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		cr_assert_eq(p[i], 0, "%s: byte %zu is %#x", what, i, p[i]);
}

Test(table, user_data_is_null_without_user_data_size)
{
	struct udpct_table *t = th_table(0, 4);
	struct udpct_flow *f;

	cr_assert_not_null(t);
	f = open_flow(t, 1, TH_T0);
	cr_assert_null(udpct_flow_get_user_data(t, f));
	udpct_table_free(t);
}

Test(table, user_data_is_zeroed_and_16_byte_aligned)
{
	struct talloc ta;
	struct udpct_table *t = ud_table(0, 32, &ta);
	uint16_t i;

	for (i = 0; i < 32; i++) {
		struct udpct_flow *f = open_flow(t, (uint16_t)(100 + i),
						 TH_T0);
		uint8_t *ud = udpct_flow_get_user_data(t, f);

		cr_assert_not_null(ud);
		cr_assert_eq((uintptr_t)ud % 16, 0, "flow %u: %p", i,
			     (void *)ud);
		assert_zero(ud, UD_SIZE, "new flow");
	}
	cr_assert_null(udpct_flow_get_user_data(NULL, NULL));
	cr_assert_null(udpct_flow_get_user_data(t, NULL));
	udpct_table_free(t);
	talloc_fini(&ta);
}

Test(table, user_data_is_kept_across_packets_and_separate_per_flow)
{
	struct talloc ta;
	struct udpct_table *t = ud_table(0, 32, &ta);
	struct udpct_flow *f[4];
	struct udpct_verdict v;
	struct pkt_spec s, r;
	uint8_t *ud;
	uint16_t i;
	int round;

	for (i = 0; i < 4; i++) {
		f[i] = open_flow(t, (uint16_t)(100 + i), TH_T0);
		ud = udpct_flow_get_user_data(t, f[i]);
		memset(ud, 0x10 + i, UD_SIZE);
	}
	for (round = 1; round <= 3; round++) {
		for (i = 0; i < 4; i++) {
			flow_spec(&s, (uint16_t)(100 + i));
			pkt_spec_reply(&r, &s);
			cr_assert_eq(th_accept(t, round & 1 ? &r : &s,
					       TH_T0 + TH_SEC(round), &v), 0);
			cr_assert_eq(v.flow, f[i]);
			cr_assert_eq(udpct_flow_get_user_data(t, v.flow),
				     udpct_flow_get_user_data(t, f[i]));
		}
	}
	for (i = 0; i < 4; i++) {
		size_t k;

		ud = udpct_flow_get_user_data(t, f[i]);
		for (k = 0; k < UD_SIZE; k++)
			cr_assert_eq(ud[k], 0x10 + i, "flow %u byte %zu", i,
				     k);
	}
	udpct_table_free(t);
	talloc_fini(&ta);
}

Test(table, user_data_is_zeroed_again_when_a_slot_is_reused)
{
	struct talloc ta;
	struct udpct_table *t = ud_table(UDPCT_CFG_FULL_REFUSE, 1, &ta);
	struct udpct_flow *f;
	uint8_t *ud;

	f = open_flow(t, 1, TH_T0);
	ud = udpct_flow_get_user_data(t, f);
	memset(ud, 0xff, UD_SIZE);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(31), 0, NULL, NULL),
		     1);
	/* capacity 1: the new flow can only use the freed slot */
	f = open_flow(t, 2, TH_T0 + TH_SEC(32));
	ud = udpct_flow_get_user_data(t, f);
	cr_assert_not_null(ud);
	assert_zero(ud, UD_SIZE, "reused slot");
	udpct_table_free(t);
	talloc_fini(&ta);
}

/* ---- udpct_flow_get_info() ----------------------------------------- */

Test(table, flow_info_counts_accepted_packets_per_direction)
{
	struct udpct_table *t = th_table(0, 16);
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct udpct_tuple want;
	struct pkt_spec a2b, b2a, big, bad;
	struct udpct_flow *f;

	cr_assert_not_null(t);
	flow_spec(&a2b, 1000);
	pkt_spec_reply(&b2a, &a2b);
	b2a.payload_len = 50;
	big = a2b;
	big.payload_len = 100;
	bad = b2a;
	bad.csum = PKT_CSUM_BAD;
	pkt_spec_tuple(&a2b, 0, &want);

	f = open_flow(t, 1000, TH_T0);
	cr_assert_eq(th_accept(t, &big, TH_T0 + TH_SEC(1), &v), 0);
	cr_assert_eq(th_accept(t, &b2a, TH_T0 + TH_SEC(2), &v), 0);
	cr_assert_eq(th_accept(t, &bad, TH_T0 + TH_SEC(3), &v), 0);
	cr_assert_eq(v.state, UDPCT_INVALID);
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	cr_assert(udpct_tuple_equal(&info.tuple, &want));
	cr_assert_eq(info.packets[UDPCT_DIR_ORIGINAL], 2);
	cr_assert_eq(info.packets[UDPCT_DIR_REPLY], 1);
	cr_assert_eq(info.bytes[UDPCT_DIR_ORIGINAL],
		     pkt_ip_bytes(&a2b) + pkt_ip_bytes(&big));
	cr_assert_eq(info.bytes[UDPCT_DIR_REPLY], pkt_ip_bytes(&b2a));
	cr_assert_eq(info.first_ns, TH_T0);
	cr_assert_eq(info.last_ns, TH_T0 + TH_SEC(2));
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(2) + TH_UDP_TIMEOUT);
	cr_assert_leq(info.deadline_ns,
		      TH_T0 + TH_SEC(2) + TH_UDP_TIMEOUT + TH_TICK_NS);
	cr_assert(has(info.status, UDPCT_STATUS_CONFIRMED));
	cr_assert(has(info.status, UDPCT_STATUS_SEEN_REPLY));
	udpct_table_free(t);
}

Test(table, flow_info_rejects_null_and_foreign_flows)
{
	struct udpct_table *t = th_table(0, 16), *u = th_table(0, 16);
	struct udpct_flow_info info;
	struct udpct_flow *f;

	cr_assert_not_null(t);
	cr_assert_not_null(u);
	f = open_flow(t, 1, TH_T0);
	open_flow(u, 1, TH_T0);
	cr_assert_eq(udpct_flow_get_info(NULL, f, &info), -EINVAL);
	cr_assert_eq(udpct_flow_get_info(t, NULL, &info), -EINVAL);
	cr_assert_eq(udpct_flow_get_info(t, f, NULL), -EINVAL);
	cr_assert_eq(udpct_flow_get_info(u, f, &info), -EINVAL,
		     "a flow of another table");
	udpct_table_free(t);
	udpct_table_free(u);
}

/* ---- udpct_table_scan() -------------------------------------------- */

struct scan_rec {
	struct udpct_table *t;
	unsigned int n;
	unsigned int stop_after;
	uint16_t sport[16];
	struct udpct_flow *flow[16];
};

static int
scan_cb(void *arg, const struct udpct_flow_info *info, struct udpct_flow *f)
{
	struct scan_rec *r = arg;

	if (r->n < 16) {
		r->sport[r->n] = info->tuple.sport;
		r->flow[r->n] = f;
	}
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

Test(table, scan_visits_exactly_the_live_committed_flows)
{
	struct udpct_table *t = th_table(0, 16);
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct scan_rec r;
	struct pkt_spec s;
	unsigned int i, mask = 0;

	cr_assert_not_null(t);
	open_flow(t, 1, TH_T0);
	open_flow(t, 2, TH_T0 + TH_SEC(10));
	open_flow(t, 3, TH_T0 + TH_SEC(20));
	open_flow(t, 4, TH_T0 + TH_SEC(25));
	flow_spec(&s, 5);	/* tentative, never committed */
	cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(26), &v), 0);

	memset(&r, 0, sizeof(r));
	cr_assert_eq(udpct_table_scan(t, TH_T0 + TH_SEC(26), scan_cb, &r), 4);
	cr_assert_eq(r.n, 4);

	/* at 45 s, the flows of 0 s and 10 s have expired */
	memset(&r, 0, sizeof(r));
	cr_assert_eq(udpct_table_scan(t, TH_T0 + TH_SEC(45), scan_cb, &r), 2);
	cr_assert_eq(r.n, 2);
	for (i = 0; i < 2; i++) {
		mask |= 1u << r.sport[i];
		/* the handle is usable */
		cr_assert_eq(udpct_flow_get_info(t, r.flow[i], &info), 0);
		cr_assert_eq(info.tuple.sport, r.sport[i]);
	}
	cr_assert_eq(mask, (1u << 3) | (1u << 4));
	udpct_table_free(t);
}

Test(table, scan_stops_when_the_callback_returns_nonzero)
{
	struct udpct_table *t = th_table(0, 16);
	struct scan_rec r;
	uint16_t i;

	cr_assert_not_null(t);
	for (i = 0; i < 5; i++)
		open_flow(t, (uint16_t)(100 + i), TH_T0);
	memset(&r, 0, sizeof(r));
	r.stop_after = 2;
	udpct_table_scan(t, TH_T0 + 1, scan_cb, &r);
	cr_assert_eq(r.n, 2);
	udpct_table_free(t);
}

Test(table, scan_rejects_null_arguments)
{
	struct udpct_table *t = th_table(0, 16);
	struct scan_rec r;

	cr_assert_not_null(t);
	cr_assert_eq(udpct_table_scan(NULL, TH_T0, scan_cb, &r), -EINVAL);
	cr_assert_eq(udpct_table_scan(t, TH_T0, NULL, &r), -EINVAL);
	udpct_table_free(t);
}

/* ---- udpct_table_advance() ----------------------------------------- */

#define NFLOWS 64

struct expiry {
	uint64_t now;		/* time of the current advance call */
	uint64_t prev;		/* time of the previous call */
	unsigned int n;
	unsigned int bad_ud;
	uint64_t expired_at[NFLOWS];
	struct udpct_flow_info info[NFLOWS];
};

static void
on_expire(void *arg, const struct udpct_flow_info *info, void *user_data)
{
	struct expiry *ex = arg;
	unsigned int i = info->tuple.sport - 10000u;

	cr_assert_lt(i, NFLOWS, "unknown flow %u", info->tuple.sport);
	cr_assert_eq(ex->expired_at[i], 0, "flow %u expired twice", i);
	ex->expired_at[i] = ex->now;
	ex->info[i] = *info;
	ex->n++;
	/* no flow before its deadline ... */
	cr_assert_geq(ex->now, info->deadline_ns,
		      "flow %u expired at %llu, deadline %llu", i,
		      (unsigned long long)ex->now,
		      (unsigned long long)info->deadline_ns);
	/* ... nor more than a tick after it (the previous call was) */
	cr_assert_leq(ex->prev, info->deadline_ns + TH_TICK_NS,
		      "flow %u: should have expired at %llu, deadline %llu",
		      i, (unsigned long long)ex->prev,
		      (unsigned long long)info->deadline_ns);
	if (!user_data || *(uint32_t *)user_data != 0xc0de0000u + i)
		ex->bad_ud++;
}

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(table, advance_expires_no_flow_early_and_none_a_tick_late)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct pkt_spec s, r;
	static struct expiry ex;
	uint64_t last[NFLOWS], timeout[NFLOWS], pkts[NFLOWS][2];
	uint64_t rng = 0x12345678, now;
	unsigned int i;
	int total = 0, ret;

	cfg_default(&cfg);
	cfg.capacity = NFLOWS;
	cfg.user_data_size = 4;
	t = table_from(&cfg);
	for (i = 0; i < NFLOWS; i++) {
		uint64_t c = TH_T0 + i * TH_MSEC(37) + (uint64_t)i * i * 1237;
		struct udpct_flow *f = open_flow(t, (uint16_t)(10000 + i), c);

		*(uint32_t *)udpct_flow_get_user_data(t, f) = 0xc0de0000u + i;
		flow_spec(&s, (uint16_t)(10000 + i));
		pkt_spec_reply(&r, &s);
		last[i] = c;
		timeout[i] = TH_UDP_TIMEOUT;
		pkts[i][0] = 1;
		pkts[i][1] = 0;
		switch (i % 4) {
		case 1:		/* refreshed while unreplied */
			last[i] = c + TH_SEC(10) + i;
			cr_assert_eq(th_accept(t, &s, last[i], &v), 0);
			pkts[i][0]++;
			break;
		case 2:		/* replied, young */
			last[i] = c + TH_MSEC(1);
			cr_assert_eq(th_accept(t, &r, last[i], &v), 0);
			pkts[i][1]++;
			break;
		case 3:		/* assured: 120 s */
			cr_assert_eq(th_accept(t, &r, c + TH_MSEC(1), &v), 0);
			last[i] = c + TH_MSEC(2500);
			cr_assert_eq(th_accept(t, &s, last[i], &v), 0);
			cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
			timeout[i] = TH_UDP_TIMEOUT_STREAM;
			pkts[i][0]++;
			pkts[i][1]++;
			break;
		default:
			break;
		}
	}

	/* advance in irregular steps of at most one tick */
	memset(&ex, 0, sizeof(ex));
	now = TH_T0 + TH_SEC(15);
	ex.prev = now;
	while (now < TH_T0 + TH_SEC(140)) {
		ex.now = now;
		ret = udpct_table_advance(t, now, 0, on_expire, &ex);
		cr_assert_geq(ret, 0);
		total += ret;
		ex.prev = now;
		now += 1 + xorshift(&rng) % TH_TICK_NS;
	}
	cr_assert_eq(ex.n, NFLOWS, "%u of %d flows expired", ex.n, NFLOWS);
	cr_assert_eq(total, NFLOWS);
	cr_assert_eq(ex.bad_ud, 0, "user data not handed to the callback");
	for (i = 0; i < NFLOWS; i++) {
		const struct udpct_flow_info *in = &ex.info[i];

		cr_assert_eq(in->last_ns, last[i], "flow %u", i);
		cr_assert_geq(in->deadline_ns, last[i] + timeout[i],
			      "flow %u", i);
		cr_assert_leq(in->deadline_ns,
			      last[i] + timeout[i] + TH_TICK_NS, "flow %u", i);
		cr_assert_eq(in->packets[0], pkts[i][0], "flow %u", i);
		cr_assert_eq(in->packets[1], pkts[i][1], "flow %u", i);
	}
	ut_stats(t, &st);
	cr_assert_eq(st.expired, NFLOWS);
	cr_assert_eq(st.live, 0);
	udpct_table_free(t);
}

Test(table, advance_respects_the_budget)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	unsigned int cb = 0, calls;
	int total = 0, ret;
	uint16_t i;

	cfg_default(&cfg);
	cfg.capacity = 128;
	t = table_from(&cfg);
	for (i = 0; i < 100; i++)
		open_flow(t, (uint16_t)(1000 + i), TH_T0);
	for (calls = 0; total < 100 && calls < 1000; calls++) {
		ret = udpct_table_advance(t, TH_T0 + TH_SEC(31), 7,
					  count_expire_cb, &cb);
		cr_assert_geq(ret, 0);
		cr_assert_leq(ret, 7, "budget 7, expired %d", ret);
		total += ret;
	}
	cr_assert_eq(total, 100, "only %d flows expired in %u calls", total,
		     calls);
	cr_assert_eq(cb, 100);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(31), 7, NULL,
					 NULL), 0);
	udpct_table_free(t);
}

Test(table, advance_does_not_expire_refreshed_flows)
{
	struct udpct_table *t = th_table(0, 16);
	struct udpct_verdict v;
	struct pkt_spec s;
	unsigned int cb = 0;

	cr_assert_not_null(t);
	open_flow(t, 1, TH_T0);
	flow_spec(&s, 1);
	cr_assert_eq(th_accept(t, &s, TH_T0 + TH_SEC(20), &v), 0);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(35), 0,
					 count_expire_cb, &cb), 0);
	cr_assert_eq(cb, 0);
	cr_assert_eq(th_classify(t, &s, TH_T0 + TH_SEC(36), &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW);
	cr_assert_not_null(v.flow, "the refreshed flow was reaped");
	udpct_table_free(t);
}

Test(table, flow_is_gone_for_lookup_at_its_deadline_without_advance)
{
	struct udpct_table *t = th_table(0, 16);
	struct udpct_flow_info info;
	struct udpct_stats st;
	struct udpct_flow *f;
	struct scan_rec r;

	cr_assert_not_null(t);
	f = open_flow(t, 1, TH_T0);
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(udpct_table_scan(t, info.deadline_ns - 1, scan_cb, &r),
		     1);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(udpct_table_scan(t, info.deadline_ns, scan_cb, &r), 0);
	ut_stats(t, &st);
	cr_assert_eq(st.expired, 0, "nothing was reaped");
	udpct_table_free(t);
}

Test(table, advance_counts_a_clock_going_backwards)
{
	struct udpct_table *t = th_table(0, 16);
	struct udpct_stats st;
	unsigned int cb = 0;

	cr_assert_not_null(t);
	open_flow(t, 1, TH_T0);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(10), 0, NULL,
					 NULL), 0);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(5), 0,
					 count_expire_cb, &cb), 0);
	ut_stats(t, &st);
	cr_assert_eq(st.clock_backwards, 1);
	cr_assert_eq(cb, 0);
	cr_assert_eq(udpct_table_advance(t, TH_T0 + TH_SEC(31), 0,
					 count_expire_cb, &cb), 1);
	cr_assert_eq(cb, 1);
	ut_stats(t, &st);
	cr_assert_eq(st.clock_backwards, 1);
	udpct_table_free(t);
}

Test(table, advance_rejects_a_null_table)
{
	cr_assert_eq(udpct_table_advance(NULL, TH_T0, 0, NULL, NULL), -EINVAL);
}

/* ---- allocation hooks ---------------------------------------------- */

static void
alloc_cfg(struct udpct_config *cfg, struct talloc *ta)
{
	cfg_default(cfg);
	cfg->capacity = 1000;
	cfg->user_data_size = 32;
	talloc_hooks(ta, &cfg->alloc);
}

Test(table, allocator_sees_every_block_freed_with_its_size)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_stats st;
	struct talloc ta;

	talloc_init(&ta);
	alloc_cfg(&cfg, &ta);
	t = table_from(&cfg);
	cr_assert_gt(ta.calls, 0, "the hooks were not used");
	cr_assert_gt(ta.live, 0);
	ut_stats(t, &st);
	cr_assert_eq(st.memory_bytes, ta.bytes_total,
		     "memory_bytes %llu, allocated %zu",
		     (unsigned long long)st.memory_bytes, ta.bytes_total);
	udpct_table_free(t);
	cr_assert_eq(ta.live, 0, "%lu blocks leaked", ta.live);
	cr_assert_eq(ta.bytes_live, 0);
	cr_assert_eq(ta.frees, ta.calls);
	cr_assert_eq(ta.errors, 0, "bad free or alignment");
	talloc_fini(&ta);
}

Test(table, nothing_is_allocated_after_table_new)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_reader *rd = NULL;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct scan_rec r;
	struct pkt_spec s, rep;
	struct talloc ta;
	unsigned long calls;
	uint16_t i;

	talloc_init(&ta);
	alloc_cfg(&cfg, &ta);
	t = table_from(&cfg);
	calls = ta.calls;
	for (i = 0; i < 1200; i++) {	/* beyond capacity: early drop */
		flow_spec(&s, (uint16_t)(1000 + i));
		pkt_spec_reply(&rep, &s);
		cr_assert_eq(th_accept(t, &s, TH_T0 + i, &v), 0);
		if (i % 3 == 0)
			cr_assert_eq(th_accept(t, &rep, TH_T0 + i + 1, &v), 0);
	}
	memset(&r, 0, sizeof(r));
	udpct_table_scan(t, TH_T0 + TH_SEC(1), scan_cb, &r);
	ut_stats(t, &st);
	cr_assert_eq(udpct_reader_register(t, &rd), 0);
	udpct_reader_quiescent(rd);
	udpct_reader_unregister(rd);
	udpct_table_advance(t, TH_T0 + TH_SEC(200), 0, NULL, NULL);
	cr_assert_eq(ta.calls, calls, "%lu allocations after table_new",
		     ta.calls - calls);
	udpct_table_free(t);
	cr_assert_eq(ta.live, 0);
	cr_assert_eq(ta.errors, 0);
	talloc_fini(&ta);
}

Test(table, failing_any_allocation_is_enomem_without_leaks)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct talloc ta;
	unsigned long n, k;
	int pass;

	/* how many allocations a successful creation makes */
	talloc_init(&ta);
	alloc_cfg(&cfg, &ta);
	t = table_from(&cfg);
	n = ta.calls;
	udpct_table_free(t);
	talloc_fini(&ta);

	for (pass = 0; pass < 2; pass++) {
		for (k = 1; k <= n; k++) {
			talloc_init(&ta);
			ta.fail_at = k;
			ta.fail_after = pass == 1;
			alloc_cfg(&cfg, &ta);
			t = SENTINEL;
			cr_assert_eq(udpct_table_new(&cfg, &t), -ENOMEM,
				     "allocation %lu of %lu failed", k, n);
			cr_assert_eq(t, SENTINEL);
			cr_assert_eq(ta.live, 0, "failing allocation %lu of "
				     "%lu leaked %lu blocks", k, n, ta.live);
			cr_assert_eq(ta.errors, 0);
			talloc_fini(&ta);
		}
	}
	/* failing one beyond the last allocation changes nothing */
	talloc_init(&ta);
	ta.fail_at = n + 1;
	alloc_cfg(&cfg, &ta);
	t = table_from(&cfg);
	udpct_table_free(t);
	cr_assert_eq(ta.live, 0);
	talloc_fini(&ta);
}

/*
 * Without UDPCT_CFG_ACCOUNTING (the kernel's nf_conntrack_acct=0 default) a
 * record is one cache line and keeps no counters; the state machine is
 * the same.
 */
Test(table, without_accounting_records_are_one_line_and_count_nothing)
{
	struct udpct_config cfg;
	struct udpct_table *acct, *t;
	struct udpct_stats sa, st;
	struct udpct_flow_info info;
	struct udpct_verdict v;
	struct pkt_spec a2b, b2a;
	struct udpct_flow *f;

	cfg_default(&cfg);
	acct = table_from(&cfg);
	cfg.flags &= ~UDPCT_CFG_ACCOUNTING;
	t = table_from(&cfg);
	ut_stats(acct, &sa);
	ut_stats(t, &st);
	cr_assert_eq(sa.memory_bytes - st.memory_bytes, 64 * cfg.capacity);

	flow_spec(&a2b, 1000);
	pkt_spec_reply(&b2a, &a2b);
	f = open_flow(t, 1000, TH_T0);
	cr_assert_eq(th_accept(t, &b2a, TH_T0 + TH_SEC(1), &v), 0);
	cr_assert_eq(v.state, UDPCT_ESTABLISHED);
	cr_assert_eq(v.flow, f);
	cr_assert_eq(th_accept(t, &a2b, TH_T0 + TH_SEC(3), &v), 0);
	cr_assert(has(v.status, UDPCT_STATUS_ASSURED));
	cr_assert_eq(udpct_flow_get_info(t, f, &info), 0);
	cr_assert_eq(info.packets[0] | info.packets[1], 0);
	cr_assert_eq(info.bytes[0] | info.bytes[1], 0);
	cr_assert_eq(info.last_ns, 0);
	cr_assert_eq(info.first_ns, TH_T0);
	cr_assert_geq(info.deadline_ns, TH_T0 + TH_SEC(3) + TH_SEC(120));
	/* A handle into the middle of a record is not a flow. */
	cr_assert_eq(udpct_flow_get_info(t, (struct udpct_flow *)
					 ((char *)f + 32), &info), -EINVAL);
	udpct_table_free(acct);
	udpct_table_free(t);
}

static void
count_flushed(void *arg, const struct udpct_flow_info *info, void *user_data)
{
	int *n = arg;

	(void)user_data;
	cr_assert_eq(info->tuple.zone, 7, "only zone 7 is flushed");
	(*n)++;
}

/* An established packet's verdict for @tu's reply: ESTABLISHED or NEW. */
static enum udpct_state
reply_state(struct udpct_table *t, const struct udpct_tuple *tu, uint64_t now)
{
	struct udpct_tuple r;
	struct udpct_verdict v;

	udpct_tuple_invert(&r, tu);
	cr_assert_eq(udpct_classify_tuple(t, &r, 100, now, &v), 0);
	return v.state;
}

/* conntrack -D -w ZONE, then conntrack -F. */
Test(table, flush_removes_one_zone_or_every_flow_with_expectations)
{
	struct udpct_table *t = th_table(0, 64);
	struct udpct_tuple tu[15];
	struct udpct_flow *master = NULL;
	struct udpct_expect e;
	struct udpct_verdict v;
	struct udpct_stats st;
	uint16_t zone = 7;
	int i, calls = 0;

	for (i = 0; i < 15; i++) {
		/* 192.0.2.1:1000+i -> 198.51.100.7:53, zone 0 then zone 7 */
		udpct_tuple_set_v4(&tu[i], htonl(0xc0000201), 1000 + i,
				   htonl(0xc6336407), 53, i < 10 ? 0 : 7);
		cr_assert_eq(udpct_classify_tuple(t, &tu[i], 100, TH_T0, &v),
			     0);
		cr_assert_eq(v.state, UDPCT_NEW);
		cr_assert_eq(udpct_commit(t, &v), 0);
		if (i == 12)
			master = v.flow;
	}
	/* Flow 12 (zone 7) expects 198.51.100.7:* -> 192.0.2.1:5000. */
	memset(&e, 0, sizeof(e));
	udpct_tuple_set_v4(&e.tuple, htonl(0xc6336407), 0, htonl(0xc0000201),
			   5000, 7);
	memset(e.mask.saddr, 0xff, 4);
	memset(e.mask.daddr, 0xff, 4);
	e.mask.dport = 0xffff;
	e.mask.zone = 0xffff;
	cr_assert_eq(udpct_expect(t, master, &e, TH_T0), 0);

	cr_assert_eq(udpct_table_flush(t, &zone, count_flushed, &calls), 5);
	cr_assert_eq(calls, 5);
	for (i = 0; i < 15; i++)
		cr_assert_eq(reply_state(t, &tu[i], TH_T0 + 1),
			     i < 10 ? UDPCT_ESTABLISHED : UDPCT_NEW,
			     "flow %d", i);
	/* The expectation died with its master: no RELATED. */
	cr_assert_eq(udpct_classify_tuple(t, &e.tuple, 100, TH_T0 + 2, &v), 0);
	cr_assert_eq(v.state, UDPCT_NEW);
	ut_stats(t, &st);
	cr_assert_eq(st.flushed, 5);
	cr_assert_eq(st.live, 10);
	cr_assert_eq(st.inserted,
		     st.live + st.expired + st.early_drop + st.flushed);

	cr_assert_eq(udpct_table_flush(t, NULL, NULL, NULL), 10);
	ut_stats(t, &st);
	cr_assert_eq(st.live, 0);
	cr_assert_eq(st.flushed, 15);
	cr_assert_eq(reply_state(t, &tu[0], TH_T0 + 3), UDPCT_NEW);
	cr_assert_eq(udpct_table_flush(NULL, NULL, NULL, NULL), -EINVAL);
	udpct_table_free(t);
}

/*
 * QSBR: a removed record is reused only after every registered reader has
 * passed a quiescent state since its removal (lib/reclaim.c).
 */
Test(table, removed_records_wait_for_the_readers_quiescent_state)
{
	struct udpct_config cfg;
	struct udpct_table *t;
	struct udpct_reader *rd;
	struct udpct_verdict v;
	struct udpct_stats st;
	struct pkt_spec s;
	uint16_t i;

	cfg_default(&cfg);
	cfg.capacity = 4;
	cfg.flags |= UDPCT_CFG_FULL_REFUSE;
	t = table_from(&cfg);
	cr_assert_eq(udpct_reader_register(t, &rd), 0);
	for (i = 0; i < 4; i++)
		open_flow(t, (uint16_t)(1000 + i), TH_T0);
	cr_assert_eq(udpct_table_flush(t, NULL, NULL, NULL), 4);
	/* The reader may still hold the four: none is reused. */
	flow_spec(&s, 2000);
	cr_assert_eq(th_classify(t, &s, TH_T0 + 1, &v), 0);
	cr_assert_eq(v.state, UDPCT_INVALID);
	cr_assert_eq(v.reason, UDPCT_REASON_TABLE_FULL);
	udpct_reader_quiescent(rd);
	for (i = 0; i < 4; i++)
		open_flow(t, (uint16_t)(2000 + i), TH_T0 + 2);
	ut_stats(t, &st);
	cr_assert_eq(st.live, 4);
	/* An offline reader holds nothing back. */
	udpct_reader_offline(rd);
	cr_assert_eq(udpct_table_flush(t, NULL, NULL, NULL), 4);
	open_flow(t, 3000, TH_T0 + 3);
	udpct_reader_online(rd);
	udpct_reader_unregister(rd);
	udpct_table_free(t);
}
