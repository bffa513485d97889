// SPDX-License-Identifier: MIT
//
// cbench.cc - the C API of cbench.h over Google Benchmark (1.7.1 and later).
// The only C++ file of bench/: a struct cbench_state * is a
// benchmark::State * and a struct cbench * a benchmark::internal::Benchmark *,
// cast at the boundary; nothing here allocates per iteration.
#include <benchmark/benchmark.h>

#include "cbench.h"

#include <cstdio>

namespace {

int failures;	// cbench_skip() calls: the exit status of cbench_main()

benchmark::State &st(struct cbench_state *s)
{
	return *reinterpret_cast<benchmark::State *>(s);
}

const benchmark::State &st(const struct cbench_state *s)
{
	return *reinterpret_cast<const benchmark::State *>(s);
}

benchmark::internal::Benchmark *bm(struct cbench *b)
{
	return reinterpret_cast<benchmark::internal::Benchmark *>(b);
}

struct cbench *cb(benchmark::internal::Benchmark *b)
{
	return reinterpret_cast<struct cbench *>(b);
}

} // namespace

extern "C" {

struct cbench *cbench_register(const char *name, cbench_fn fn, void *arg)
{
	benchmark::internal::Benchmark *b = benchmark::RegisterBenchmark(
		name, [fn, arg](benchmark::State &state) {
			fn(reinterpret_cast<struct cbench_state *>(&state),
			   arg);
		});

	b->Unit(benchmark::kNanosecond);
	return cb(b);
}

struct cbench *cbench_arg_add(struct cbench *b, int64_t value)
{
	return cb(bm(b)->Arg(value));
}

struct cbench *cbench_set_threads(struct cbench *b, int n)
{
	return cb(bm(b)->Threads(n));
}

void cbench_add_context(const char *key, const char *value)
{
	benchmark::AddCustomContext(key, value);
}

int cbench_main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	if (failures)
		std::fprintf(stderr, "cbench: %d benchmark run(s) failed\n",
			     failures);
	return failures ? 1 : 0;
}

bool cbench_keep_running(struct cbench_state *s)
{
	return st(s).KeepRunning();
}

bool cbench_keep_running_batch(struct cbench_state *s, uint64_t n)
{
	return st(s).KeepRunningBatch(
		static_cast<benchmark::IterationCount>(n));
}

int64_t cbench_arg(const struct cbench_state *s, size_t i)
{
	return st(s).range(i);
}

uint64_t cbench_iterations(const struct cbench_state *s)
{
	return static_cast<uint64_t>(st(s).iterations());
}

int cbench_thread_index(const struct cbench_state *s)
{
	return st(s).thread_index();
}

int cbench_threads(const struct cbench_state *s)
{
	return st(s).threads();
}

void cbench_pause(struct cbench_state *s)
{
	st(s).PauseTiming();
}

void cbench_resume(struct cbench_state *s)
{
	st(s).ResumeTiming();
}

void cbench_set_items_processed(struct cbench_state *s, int64_t n)
{
	st(s).SetItemsProcessed(n);
}

void cbench_set_bytes_processed(struct cbench_state *s, int64_t n)
{
	st(s).SetBytesProcessed(n);
}

void cbench_set_counter(struct cbench_state *s, const char *name,
			double value, unsigned flags)
{
	int f = 0;

	if (flags & CBENCH_COUNTER_RATE)
		f |= benchmark::Counter::kIsRate;
	if (flags & CBENCH_COUNTER_AVG_THREADS)
		f |= benchmark::Counter::kAvgThreads;
	if (flags & CBENCH_COUNTER_AVG_ITERATIONS)
		f |= benchmark::Counter::kAvgIterations;
	if (flags & CBENCH_COUNTER_INVERT)
		f |= benchmark::Counter::kInvert;
	st(s).counters[name] = benchmark::Counter(
		value, static_cast<benchmark::Counter::Flags>(f));
}

void cbench_set_label(struct cbench_state *s, const char *label)
{
	st(s).SetLabel(label);
}

void cbench_skip(struct cbench_state *s, const char *msg)
{
	failures++;
	st(s).SkipWithError(msg);
}

void cbench_unavailable(struct cbench_state *s, const char *msg)
{
	st(s).SkipWithError(msg);
}

} // extern "C"
