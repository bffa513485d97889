/* SPDX-License-Identifier: MIT */
/*
 * mem.c - memory for the benchmarks: the tables' allocation hooks (one
 * mmap per array, so RSS growth is the table's own), optional transparent
 * huge pages, and RSS readings; and the wall clock of the threaded cases.
 *
 * With --hugepages every mapping is 2 MiB-aligned and advised
 * MADV_HUGEPAGE (the machine's THP mode is "madvise"), and is pre-faulted
 * by the library's zeroing; without it, 4 KiB pages as with the library's
 * default aligned_alloc() hooks, which glibc serves by mmap at these sizes.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define HUGE_SZ (2u << 20)

bool bench_hugepages;

static size_t
map_size(size_t size)
{
	size_t unit = bench_hugepages ? HUGE_SZ : (size_t)sysconf(_SC_PAGESIZE);

	return (size + unit - 1) & ~(unit - 1);
}

void *
bench_mem_alloc(size_t size)
{
	size_t len = map_size(size), extra = bench_hugepages ? HUGE_SZ : 0;
	uint8_t *p, *a;

	p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (!extra)
		return p;
	/* Trim to a 2 MiB-aligned mapping of exactly len bytes. */
	a = (uint8_t *)(((uintptr_t)p + HUGE_SZ - 1) &
			~(uintptr_t)(HUGE_SZ - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + extra)
		munmap(a + len, (size_t)(p + len + extra - (a + len)));
	madvise(a, len, MADV_HUGEPAGE);
	return a;
}

void
bench_mem_free(void *p, size_t size)
{
	if (p)
		munmap(p, map_size(size));
}

static void *
hook_alloc(void *state, size_t size, size_t align)
{
	(void)state;
	(void)align;	/* at most 4096, which mmap gives */
	return bench_mem_alloc(size);
}

static void
hook_free(void *state, void *p, size_t size)
{
	(void)state;
	bench_mem_free(p, size);
}

const struct udpct_allocator bench_allocator = {
	.alloc = hook_alloc,
	.free = hook_free,
	.state = NULL,
};

size_t
bench_rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}

size_t
bench_thp_bytes(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

uint64_t
bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
