/* SPDX-License-Identifier: MIT */
/*
 * cbench.h - a C API over Google Benchmark, so that every benchmark of
 * udpct-bench is written in C (only cbench.cc is C++).
 *
 * Usage:
 *
 *	static void
 *	bench_something(struct cbench_state *s, void *arg)
 *	{
 *		int64_t flows = cbench_arg(s, 0);
 *
 *		setup(flows);				(not timed)
 *		while (cbench_keep_running_batch(s, 64)) {
 *			for (i = 0; i < 64; i++)
 *				one_packet();		(timed)
 *		}
 *		cbench_set_items_processed(s, cbench_iterations(s));
 *	}
 *
 *	cbench_arg_add(cbench_register("udpct/something", bench_something,
 *				       NULL), 1048576);
 *	return cbench_main(argc, argv);
 *
 * Names: Google Benchmark appends each argument to the name, so
 * "udpct/classify_v4" registered with the argument 1048576 reports as
 * "udpct/classify_v4/1048576" (and "/threads:2" with cbench_set_threads()).
 * Nothing else is appended: cbench offers no per-benchmark minimum time,
 * iteration count or real-time switch, because those change the name, and
 * names are a stable interface (docs/performance.md).
 *
 * Batches: a call into cbench costs a few nanoseconds, as much as the
 * cheapest operations measured, so per-packet loops run
 * cbench_keep_running_batch(s, n) and do n operations per call; the
 * iteration count, and therefore the reported time per iteration, is then
 * per operation.
 *
 * Every function but cbench_register(), cbench_arg_add(),
 * cbench_set_threads(), cbench_add_context() and cbench_main() is called
 * from inside a benchmark function with the state it was given.
 */
#ifndef UDPCT_CBENCH_H
#define UDPCT_CBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The running benchmark (a benchmark::State). */
struct cbench_state;

/* A registered benchmark (a benchmark::internal::Benchmark). */
struct cbench;

/* A benchmark body; @arg is the pointer given to cbench_register(). */
typedef void (*cbench_fn)(struct cbench_state *s, void *arg);

/**
 * Register @fn under @name (copied).  Benchmarks run in registration
 * order, which lets callers register size-major so that fixtures of one
 * size are built once.
 * @return the benchmark, to add arguments to; never NULL.
 */
struct cbench *cbench_register(const char *name, cbench_fn fn, void *arg);

/* Run @b once more with @value as its argument 0 (appended to the name). */
struct cbench *cbench_arg_add(struct cbench *b, int64_t value);

/* Run @b with @n threads at once (the name gets "/threads:n"). */
struct cbench *cbench_set_threads(struct cbench *b, int n);

/* A key/value line in the report's context (JSON "context"). */
void cbench_add_context(const char *key, const char *value);

/**
 * Parse Google Benchmark's flags out of @argv, run the benchmarks the
 * filter selects and report them.
 * @return 0; 1 when @argv holds an unknown flag or a benchmark called
 *         cbench_skip().
 */
int cbench_main(int argc, char **argv);

/* One more iteration?  Starts the timer on the first call. */
bool cbench_keep_running(struct cbench_state *s);

/* As cbench_keep_running(), counting @n iterations per true return. */
bool cbench_keep_running_batch(struct cbench_state *s, uint64_t n);

/* Argument @i of this run; @i must be below the number of arguments. */
int64_t cbench_arg(const struct cbench_state *s, size_t i);

/* Iterations done so far (after the loop: in all). */
uint64_t cbench_iterations(const struct cbench_state *s);

int cbench_thread_index(const struct cbench_state *s);
int cbench_threads(const struct cbench_state *s);

/* Stop and restart the timer around work that must not be counted. */
void cbench_pause(struct cbench_state *s);
void cbench_resume(struct cbench_state *s);

/* Items (packets) processed: reported as items_per_second. */
void cbench_set_items_processed(struct cbench_state *s, int64_t n);
void cbench_set_bytes_processed(struct cbench_state *s, int64_t n);

/* Flags of cbench_set_counter(), as benchmark::Counter::Flags. */
#define CBENCH_COUNTER_RATE		(1u << 0) /* divided by the time */
#define CBENCH_COUNTER_AVG_THREADS	(1u << 1) /* divided by threads */
#define CBENCH_COUNTER_AVG_ITERATIONS	(1u << 3) /* / iterations */
#define CBENCH_COUNTER_INVERT		(1u << 31) /* 1/x, applied last */

/* A user counter (a JSON field of the run), e.g. bytes per flow. */
void cbench_set_counter(struct cbench_state *s, const char *name,
			double value, unsigned flags);

void cbench_set_label(struct cbench_state *s, const char *label);

/*
 * Mark this run as failed with @msg and end it: return from the benchmark
 * function right after (before or after the loop, never inside it).
 * cbench_main() then returns 1, so a smoke run fails on a wrong result.
 */
void cbench_skip(struct cbench_state *s, const char *msg);

/*
 * As cbench_skip(), for a run that cannot happen in this environment (a
 * peer's runtime refused to start): reported, but not a failure.
 */
void cbench_unavailable(struct cbench_state *s, const char *msg);

/*
 * benchmark::DoNotOptimize: the compiler must assume @p's object is read
 * and written here.
 */
static inline void
cbench_do_not_optimize(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* DoNotOptimize for a value in a register: it must be computed. */
static inline void
cbench_use_u64(uint64_t v)
{
	__asm__ volatile("" : : "r"(v));
}

/* benchmark::ClobberMemory: every pending store happens before this. */
static inline void
cbench_clobber_memory(void)
{
	__asm__ volatile("" : : : "memory");
}

#ifdef __cplusplus
}
#endif

#endif /* UDPCT_CBENCH_H */
