/* SPDX-License-Identifier: MIT */
/*
 * Records a short concurrent history for the linearisability check
 * (lin_check.py): THREADS threads call udpct_classify_tuple() and
 * udpct_commit() on a few flows of one table, each call logged with its
 * invocation and response times and its result.  Output, one call a line:
 *   <thread> <invoke_ns> <return_ns> classify <flow> <o|r> <STATE> <dir>
 *   <thread> <invoke_ns> <return_ns> commit <flow> <o|r> <replied 0|1>
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <udpct/udpct.h>

#define THREADS	3
#define OPS	24
#define FLOWS	3

struct rec {
	uint64_t inv, ret;
	int commit, flow, reply, state, dir, replied;
};

static struct udpct_table *table;
static struct rec log_[THREADS][2 * OPS];
static int nlog[THREADS];
static pthread_barrier_t start;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
tuple_of(struct udpct_tuple *t, int flow, int reply)
{
	struct udpct_tuple o;

	udpct_tuple_set_v4(&o, htonl(0xc0000201u), (uint16_t)(1000 + flow),
			   htonl(0xc6336401u), 53, 0);
	if (reply)
		udpct_tuple_invert(t, &o);
	else
		*t = o;
}

static void *
worker(void *arg)
{
	int tid = (int)(uintptr_t)arg, i;
	unsigned seed = (unsigned)tid * 7919u + (unsigned)time(NULL);
	struct udpct_reader *r;
	struct udpct_tuple t;
	struct udpct_verdict v;
	struct rec *e;

	udpct_reader_register(table, &r);
	pthread_barrier_wait(&start);
	for (i = 0; i < OPS; i++) {
		e = &log_[tid][nlog[tid]++];
		e->flow = rand_r(&seed) % FLOWS;
		e->reply = rand_r(&seed) % 3 == 0;
		tuple_of(&t, e->flow, e->reply);
		e->inv = now_ns();
		udpct_classify_tuple(table, &t, 60, 1000, &v);
		e->ret = now_ns();
		e->state = (int)v.state;
		e->dir = (int)v.dir;
		if (v.state == UDPCT_NEW && !v.flow && rand_r(&seed) % 4) {
			struct rec *c = &log_[tid][nlog[tid]++];

			*c = *e;
			c->commit = 1;
			c->inv = now_ns();
			udpct_commit(table, &v);
			c->ret = now_ns();
			c->replied = !!(v.status & UDPCT_STATUS_SEEN_REPLY);
		}
		udpct_reader_quiescent(r);
	}
	udpct_reader_unregister(r);
	return NULL;
}

int
main(void)
{
	pthread_t th[THREADS];
	int i, k;

	if (udpct_table_new(NULL, &table))
		return 1;
	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < THREADS; i++) {
		for (k = 0; k < nlog[i]; k++) {
			struct rec *e = &log_[i][k];

			if (e->commit)
				printf("%d %llu %llu commit %d %c %d\n", i,
				       (unsigned long long)e->inv,
				       (unsigned long long)e->ret, e->flow,
				       e->reply ? 'r' : 'o', e->replied);
			else
				printf("%d %llu %llu classify %d %c %s %s\n", i,
				       (unsigned long long)e->inv,
				       (unsigned long long)e->ret, e->flow,
				       e->reply ? 'r' : 'o',
				       udpct_state_name(e->state),
				       e->dir == UDPCT_DIR_NONE ? "-" :
				       udpct_dir_name(e->dir));
		}
	}
	udpct_table_free(table);
	return 0;
}
