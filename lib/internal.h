/* SPDX-License-Identifier: MIT */
/*
 * internal.h - helpers shared by every file of lib/; no logic.
 */
#ifndef UDPCT_INTERNAL_H
#define UDPCT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Marks a public definition; everything else is hidden in the shared lib. */
#define UDPCT_EXPORT __attribute__((visibility("default")))

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define UDPCT_CACHE_LINE 64
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define NSEC_PER_SEC 1000000000ull

#endif /* UDPCT_INTERNAL_H */
