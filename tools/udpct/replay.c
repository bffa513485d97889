/* SPDX-License-Identifier: MIT */
/*
 * replay.c - the replay loop: capture -> link layer -> udpct_classify().
 *
 * Time.  The table's clock is the capture's timestamps, read with nanosecond
 * precision whatever the file stores.  The library needs a clock that never
 * goes backwards, but merged captures do; such a frame is classified at the
 * latest time seen so far (packets cannot arrive in the past) and counted as
 * time_backwards.  The printed time is always the frame's own.
 *
 * Streams.  Per-packet lines go to stdout.  The summary, --list and --stats
 * go to stdout in text format and to stderr in CSV format, so that stdout
 * stays a well-formed CSV file.
 */
#include "replay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include "linklayer.h"
#include "listing.h"

#define NS_PER_S UINT64_C(1000000000)

struct replay {
	const struct replay_opts *opts;
	pcap_t *pcap;
	int dlt;
	struct udpct_table *table;
	uint64_t now_ns;	/* latest frame time: the table's clock */
	struct replay_counts counts;
	FILE *info;		/* summary, --list, --stats */
};

/* libpcap names the file in some messages only; name it exactly once. */
static void
report_pcap_error(const char *file, const char *msg)
{
	size_t n = strlen(file);

	if (strncmp(msg, file, n) == 0 && msg[n] == ':')
		fprintf(stderr, "udpct: %s\n", msg);
	else
		fprintf(stderr, "udpct: %s: %s\n", file, msg);
}

static int
open_capture(struct replay *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	const char *name;

	r->pcap = pcap_open_offline_with_tstamp_precision(r->opts->file,
			PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!r->pcap) {
		report_pcap_error(r->opts->file, errbuf);
		return TOOL_EXIT_RUNTIME;
	}
	r->dlt = pcap_datalink(r->pcap);
	if (!ll_supported(r->dlt)) {
		name = pcap_datalink_val_to_name(r->dlt);
		fprintf(stderr, "udpct: %s: unsupported link type %d (%s)\n",
			r->opts->file, r->dlt, name ? name : "unknown");
		return TOOL_EXIT_RUNTIME;
	}
	return 0;
}

static int
make_table(struct replay *r)
{
	struct udpct_config cfg = r->opts->cfg;
	int rc;

	/* A replay has no ruleset: every packet is accepted. */
	cfg.flags |= UDPCT_CFG_AUTO_COMMIT;
	rc = udpct_table_new(&cfg, &r->table);
	if (rc < 0) {
		fprintf(stderr, "udpct: cannot create the table: %s\n",
			strerror(-rc));
		return TOOL_EXIT_RUNTIME;
	}
	for (unsigned i = 0; i < r->opts->nhelpers; i++) {
		rc = udpct_helper_register(r->table, &r->opts->helpers[i]);
		if (rc < 0) {
			fprintf(stderr, "udpct: --helper=%s: %s\n",
				r->opts->helpers[i].name, strerror(-rc));
			return TOOL_EXIT_USAGE;
		}
	}
	return 0;
}

static uint64_t
frame_time_ns(const struct pcap_pkthdr *h)
{
	/* With nanosecond precision requested, tv_usec holds nanoseconds. */
	return (uint64_t)h->ts.tv_sec * NS_PER_S + (uint64_t)h->ts.tv_usec;
}

static void
advance_clock(struct replay *r, uint64_t ts_ns)
{
	if (ts_ns >= r->now_ns)
		r->now_ns = ts_ns;
	else
		r->counts.time_backwards++;
}

/* Fill @v for one frame; frames that are not IP never reach the library. */
static int
classify_frame(struct replay *r, const struct pcap_pkthdr *h,
	       const uint8_t *data, struct udpct_verdict *v)
{
	size_t off = 0;
	enum ll_kind kind = ll_find_l3(r->dlt, data, h->caplen, &off);

	memset(v, 0, sizeof(*v));
	/* Reap before classifying, so expiry is counted as it happens. */
	if (udpct_table_advance(r->table, r->now_ns, 0, NULL, NULL) < 0)
		return -EINVAL;
	if (kind == LL_IP)
		return udpct_classify(r->table, data + off, h->caplen - off,
				      r->now_ns, v);
	v->state = UDPCT_IGNORED;
	v->dir = UDPCT_DIR_NONE;
	if (kind == LL_NOT_IP)
		r->counts.not_ip++;
	else
		r->counts.link_truncated++;
	return 0;
}

static double
wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
replay_loop(struct replay *r)
{
	const struct replay_opts *o = r->opts;
	struct pcap_pkthdr *h;
	const u_char *data;
	struct udpct_verdict v;
	uint64_t ts;
	double start = wall_s();
	int rc;

	if (!o->quiet)
		out_header(stdout, o->format);
	while ((rc = pcap_next_ex(r->pcap, &h, &data)) == 1) {
		ts = frame_time_ns(h);
		r->counts.frames++;
		advance_clock(r, ts);
		rc = classify_frame(r, h, data, &v);
		if (rc < 0) {
			fprintf(stderr, "udpct: %s: frame %" PRIu64
				": library error: %s\n", o->file,
				r->counts.frames, strerror(-rc));
			return TOOL_EXIT_RUNTIME;
		}
		if ((unsigned int)v.state < UDPCT_STATE_MAX)
			r->counts.state[v.state]++;
		if (!o->quiet)
			out_packet(stdout, o->format, r->counts.frames, ts, &v);
	}
	r->counts.elapsed_s = wall_s() - start;
	if (rc == PCAP_ERROR) {
		report_pcap_error(o->file, pcap_geterr(r->pcap));
		return TOOL_EXIT_RUNTIME;
	}
	return 0;
}

static int
report(struct replay *r)
{
	const struct replay_opts *o = r->opts;
	struct udpct_stats s;
	int rc;

	if (o->list) {
		rc = listing_print(r->info, r->table, r->now_ns, o->acct);
		if (rc < 0) {
			fprintf(stderr, "udpct: --list: %s\n", strerror(-rc));
			return TOOL_EXIT_RUNTIME;
		}
	}
	rc = udpct_table_get_stats(r->table, &s);
	if (rc < 0) {
		fprintf(stderr, "udpct: cannot read the table's counters: %s\n",
			strerror(-rc));
		return TOOL_EXIT_RUNTIME;
	}
	if (o->stats)
		out_stats(r->info, &s);
	out_summary(r->info, &r->counts, &s);
	return 0;
}

/* A full disk or a closed pipe must not look like success. */
static int
check_written(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fprintf(stderr, "udpct: error writing the output: %s\n",
		strerror(errno));
	return TOOL_EXIT_RUNTIME;
}

int
replay_run(const struct replay_opts *o)
{
	struct replay r = {
		.opts = o,
		.info = o->format == OUT_CSV ? stderr : stdout,
	};
	int rc;

	rc = open_capture(&r);
	if (rc == 0)
		rc = make_table(&r);
	if (rc == 0)
		rc = replay_loop(&r);
	if (rc == 0)
		rc = report(&r);
	if (rc == 0)
		rc = check_written();
	udpct_table_free(r.table);
	if (r.pcap)
		pcap_close(r.pcap);
	return rc;
}
