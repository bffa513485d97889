/* SPDX-License-Identifier: MIT */
/*
 * output.h - per-packet lines, the summary and the counter dump.
 */
#ifndef UDPCT_TOOL_OUTPUT_H
#define UDPCT_TOOL_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include <udpct/udpct.h>

enum out_format {
	OUT_TEXT,
	OUT_CSV,
};

/**
 * struct replay_counts - what the tool itself counted during a replay.
 * @frames:         frames read from the capture.
 * @state:          frames per printed state; frames that are not IP count as
 *                  IGNORED here although the library never saw them.
 * @not_ip:         frames whose link layer announced something else than IP.
 * @link_truncated: frames cut inside their link-layer header.
 * @time_backwards: frames stamped earlier than a previous one (the table's
 *                  clock was held still for them).
 * @elapsed_s:      wall time of the replay loop.
 */
struct replay_counts {
	uint64_t frames;
	uint64_t state[UDPCT_STATE_MAX];
	uint64_t not_ip;
	uint64_t link_truncated;
	uint64_t time_backwards;
	double elapsed_s;
};

/** Print the CSV header line (nothing in text format). */
void out_header(FILE *f, enum out_format fmt);

/**
 * Print one packet's line.
 *
 * @param n      1-based frame number in the capture.
 * @param ts_ns  the frame's timestamp.
 * @param v      its verdict.
 */
void out_packet(FILE *f, enum out_format fmt, uint64_t n, uint64_t ts_ns,
		const struct udpct_verdict *v);

/** Print the end-of-replay summary (three "summary:" lines). */
void out_summary(FILE *f, const struct replay_counts *c,
		 const struct udpct_stats *s);

/** Print every counter of @s as name=value lines. */
void out_stats(FILE *f, const struct udpct_stats *s);

#endif /* UDPCT_TOOL_OUTPUT_H */
