/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/timer_wheel.c against a trivial model: each entry has
 * an owner deadline (in ticks); the fire callback expires it when the
 * wheel's tick has reached that deadline and re-files it otherwise.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "timer_wheel.h"

#define NODES 512
#define SLOTS 64

struct model {
	uint64_t deadline[NODES];	/* owner's real deadline, in ticks */
	uint64_t now;			/* tick being advanced to */
	uint64_t expired_at[NODES];	/* 0: not expired */
	int fired;
};

static struct udpct__wheel w;
static struct udpct__wheel_node mem[NODES + SLOTS];
static struct model m;

static bool
fire(void *ctx, uint32_t idx, uint64_t *rearm)
{
	struct model *mm = ctx;

	mm->fired++;
	if (mm->deadline[idx] > mm->now) {
		*rearm = mm->deadline[idx];
		return false;
	}
	mm->expired_at[idx] = mm->now;
	return true;
}

static void
setup(void)
{
	memset(&m, 0, sizeof(m));
	udpct__wheel_init(&w, mem, NODES, SLOTS, 100);
}

TestSuite(timer_wheel, .init = setup);

static uint32_t
advance_to(uint64_t tick, uint32_t budget)
{
	m.now = tick;
	return udpct__wheel_advance(&w, tick, budget, fire, &m, NULL);
}

Test(timer_wheel, never_fires_before_deadline_and_fires_on_it)
{
	udpct__wheel_arm(&w, 7, 110);
	m.deadline[7] = 110;
	cr_assert_eq(advance_to(109, 0), 0);
	cr_assert_eq(m.expired_at[7], 0);
	cr_assert_eq(advance_to(110, 0), 1);
	cr_assert_eq(m.expired_at[7], 110);
	cr_assert_not(udpct__wheel_armed(&w, 7));
}

Test(timer_wheel, past_deadline_fires_on_next_advance)
{
	advance_to(200, 0);
	udpct__wheel_arm(&w, 3, 150);
	m.deadline[3] = 150;
	/* Tick 200 is done: the entry waits in the next tick's slot. */
	cr_assert_eq(advance_to(201, 0), 1);
	cr_assert_eq(m.expired_at[3], 201);
}

Test(timer_wheel, deadline_beyond_span_wraps_without_firing_early)
{
	/* 10 turns of the wheel ahead. */
	udpct__wheel_arm(&w, 1, 100 + 10 * SLOTS + 5);
	m.deadline[1] = 100 + 10 * SLOTS + 5;
	for (uint64_t t = 101; t < 100 + 10 * SLOTS + 5; t++)
		cr_assert_eq(advance_to(t, 0), 0, "fired early at %lu",
			     (unsigned long)t);
	cr_assert_eq(advance_to(100 + 10 * SLOTS + 5, 0), 1);
}

Test(timer_wheel, refreshed_owner_deadline_is_refiled_lazily)
{
	udpct__wheel_arm(&w, 9, 120);
	m.deadline[9] = 120;
	m.deadline[9] = 300;	/* refresh: the wheel is not told */
	cr_assert_eq(advance_to(120, 0), 0);
	cr_assert(udpct__wheel_armed(&w, 9));
	cr_assert_eq(advance_to(299, 0), 0);
	cr_assert_eq(advance_to(300, 0), 1);
}

Test(timer_wheel, cancel_is_o1_and_idempotent)
{
	udpct__wheel_arm(&w, 5, 130);
	udpct__wheel_arm(&w, 6, 130);
	m.deadline[5] = m.deadline[6] = 130;
	udpct__wheel_cancel(&w, 5);
	udpct__wheel_cancel(&w, 5);
	cr_assert_not(udpct__wheel_armed(&w, 5));
	cr_assert_eq(advance_to(130, 0), 1);
	cr_assert_eq(m.expired_at[6], 130);
	cr_assert_eq(m.expired_at[5], 0);
}

Test(timer_wheel, budget_bounds_work_and_resumes)
{
	uint32_t i, total = 0, seen;

	for (i = 0; i < 100; i++) {
		udpct__wheel_arm(&w, i, 105);
		m.deadline[i] = 105;
	}
	m.now = 105;
	total += udpct__wheel_advance(&w, 105, 30, fire, &m, &seen);
	cr_assert_eq(seen, 30);
	cr_assert_eq(total, 30);
	while (total < 100) {
		uint32_t n = udpct__wheel_advance(&w, 105, 30, fire, &m, &seen);

		cr_assert_leq(seen, 30);
		total += n;
	}
	cr_assert_eq(total, 100);
}

Test(timer_wheel, long_gap_visits_every_entry_once)
{
	uint32_t i;

	for (i = 0; i < NODES; i++) {
		m.deadline[i] = 100 + (i * 37) % (5 * SLOTS);
		udpct__wheel_arm(&w, i, m.deadline[i]);
	}
	cr_assert_eq(advance_to(1000000, 0), NODES);
	cr_assert_leq(m.fired, 2 * NODES);
}

/* Random arms, refreshes, cancels and advances against the model. */
Test(timer_wheel, random_model_never_early_never_late)
{
	uint64_t now = 100;
	bool armed[NODES] = { false };
	unsigned seed = 12345;
	int step, i;

	for (step = 0; step < 20000; step++) {
		uint32_t idx = (uint32_t)rand_r(&seed) % NODES;
		int op = rand_r(&seed) % 4;

		if (op == 0 && !armed[idx]) {
			m.deadline[idx] = now + 1 + (uint64_t)rand_r(&seed) %
							    (3 * SLOTS);
			m.expired_at[idx] = 0;
			udpct__wheel_arm(&w, idx, m.deadline[idx]);
			armed[idx] = true;
		} else if (op == 1 && armed[idx]) {
			m.deadline[idx] += (uint64_t)rand_r(&seed) % SLOTS;
		} else if (op == 2 && armed[idx] && rand_r(&seed) % 8 == 0) {
			udpct__wheel_cancel(&w, idx);
			armed[idx] = false;
		} else if (op == 3) {
			now += (uint64_t)rand_r(&seed) % 5;
			advance_to(now, 0);
			for (i = 0; i < NODES; i++) {
				if (!armed[i] || !m.expired_at[i])
					continue;
				cr_assert_geq(m.expired_at[i], m.deadline[i]);
				armed[i] = false;
			}
			/* Nothing whose deadline has passed is still armed. */
			for (i = 0; i < NODES; i++)
				if (armed[i])
					cr_assert_gt(m.deadline[i], now);
		}
	}
}

struct peek_log {
	int peeked_at[NODES];	/* fire count when peeked, -1: never */
	int fired_at[NODES];
	int fires;
};

static struct peek_log pl;

static void
peek_rec(void *ctx, uint32_t idx)
{
	(void)ctx;
	if (pl.peeked_at[idx] < 0)
		pl.peeked_at[idx] = pl.fires;
}

static bool
fire_rec(void *ctx, uint32_t idx, uint64_t *rearm)
{
	pl.fired_at[idx] = pl.fires++;
	return fire(ctx, idx, rearm);
}

/* The peek cursor runs UDPCT__WHEEL_PEEK_AHEAD entries ahead of firing. */
Test(timer_wheel, peek_sees_each_entry_before_it_fires)
{
	const int n = 40, k = UDPCT__WHEEL_PEEK_AHEAD;
	uint32_t i;

	memset(pl.peeked_at, 0xff, sizeof(pl.peeked_at));
	for (i = 0; i < (uint32_t)n; i++) {
		udpct__wheel_arm(&w, i, 105);
		m.deadline[i] = 105;
	}
	w.peek = peek_rec;
	m.now = 105;
	cr_assert_eq(udpct__wheel_advance(&w, 105, 0, fire_rec, &m, NULL),
		     (uint32_t)n);
	for (i = 0; i < (uint32_t)n; i++) {
		if ((int)i < k) {
			cr_assert_eq(pl.peeked_at[i], -1, "entry %u", i);
			continue;
		}
		/* Peeked while entry i - k was about to fire. */
		cr_assert_eq(pl.peeked_at[i], (int)i - k, "entry %u", i);
		cr_assert_eq(pl.fired_at[i], (int)i, "entry %u", i);
	}
}
