/* SPDX-License-Identifier: MIT */
/*
 * output.c - per-packet lines, the summary and the counter dump.
 *
 * The CSV columns are a stable interface (tests and scripts diff them), so
 * they print the library's stable names verbatim: an empty field stays empty.
 * The text format is for people: the same fields separated by spaces, with
 * "-" for an empty field so that columns stay countable with awk.
 */
#include "output.h"

#include <inttypes.h>

/* Counters of struct udpct_stats, in declaration order: keep in step. */
#define STATS_FIELDS(X)							\
	X(found) X(inserted) X(related) X(invalid) X(ignored) X(expired)	\
	X(early_drop) X(table_full) X(insert_failed) X(clash)		\
	X(clock_backwards) X(live) X(capacity) X(memory_bytes)		\
	X(expect_new) X(expect_matched) X(expect_failed)

void
out_header(FILE *f, enum out_format fmt)
{
	if (fmt == OUT_CSV)
		fputs("packet,time_ns,state,dir,reason,tuple\n", f);
}

/* The verdict's tuple as text, "" when it has none (family 0). */
static void
format_tuple(const struct udpct_verdict *v, char *buf, size_t len)
{
	buf[0] = '\0';
	if (v->tuple.family == 0)
		return;
	/* A tuple the library cannot print is a library bug: show it. */
	if (udpct_tuple_format(&v->tuple, buf, len) < 0)
		snprintf(buf, len, "?");
}

static const char *
or_dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

void
out_packet(FILE *f, enum out_format fmt, uint64_t n, uint64_t ts_ns,
	   const struct udpct_verdict *v)
{
	char tuple[UDPCT_TUPLE_STRLEN];
	const char *state = udpct_state_name(v->state);
	const char *dir = udpct_dir_name(v->dir);
	const char *reason = udpct_reason_name(v->reason);

	format_tuple(v, tuple, sizeof(tuple));
	if (fmt == OUT_CSV)
		fprintf(f, "%" PRIu64 ",%" PRIu64 ",%s,%s,%s,%s\n",
			n, ts_ns, state, dir, reason, tuple);
	else
		fprintf(f, "%" PRIu64 " %" PRIu64 " %s %s %s %s\n",
			n, ts_ns, state, or_dash(dir), or_dash(reason),
			or_dash(tuple));
}

void
out_summary(FILE *f, const struct replay_counts *c,
	    const struct udpct_stats *s)
{
	double rate = c->elapsed_s > 0 ? (double)c->frames / c->elapsed_s : 0;
	int i;

	fprintf(f, "summary: packets=%" PRIu64, c->frames);
	for (i = 0; i < UDPCT_STATE_MAX; i++)
		fprintf(f, " %s=%" PRIu64, udpct_state_name(i), c->state[i]);
	fprintf(f, " not_ip=%" PRIu64 " link_truncated=%" PRIu64
		" time_backwards=%" PRIu64 "\n",
		c->not_ip, c->link_truncated, c->time_backwards);
	fprintf(f, "summary: flows_created=%" PRIu64 " expired=%" PRIu64
		" evicted=%" PRIu64 " table_full=%" PRIu64 " live=%" PRIu64
		"\n", s->inserted, s->expired, s->early_drop, s->table_full,
		s->live);
	fprintf(f, "summary: elapsed_s=%.6f packets_per_s=%.0f\n",
		c->elapsed_s, rate);
}

void
out_stats(FILE *f, const struct udpct_stats *s)
{
	int r;

#define PRINT_FIELD(name) fprintf(f, #name "=%" PRIu64 "\n", s->name);
	STATS_FIELDS(PRINT_FIELD)
#undef PRINT_FIELD
	/* Only the reasons that occurred: the list is long and grows. */
	for (r = UDPCT_REASON_NONE + 1; r < UDPCT_REASON_MAX; r++)
		if (s->invalid_reason[r] != 0)
			fprintf(f, "invalid_%s=%" PRIu64 "\n",
				udpct_reason_name(r), s->invalid_reason[r]);
}
