/* SPDX-License-Identifier: MIT */
/*
 * replay.h - `udpct replay`: feed a capture through a table.
 */
#ifndef UDPCT_TOOL_REPLAY_H
#define UDPCT_TOOL_REPLAY_H

#include <stdbool.h>

#include <udpct/udpct.h>

#include "output.h"

/* Exit statuses of the tool. */
#define TOOL_EXIT_RUNTIME	1	/* unreadable file, bad link type... */
#define TOOL_EXIT_USAGE		2	/* bad command line */

/**
 * struct replay_opts - what the command line asked for.
 * @file:    capture to read ("-" is standard input, as for libpcap).
 * @format:  per-packet line format.
 * @quiet:   no per-packet lines.
 * @list:    dump the live table at the end, like `conntrack -L`.
 * @acct:    include packets=/bytes= in that dump (nf_conntrack_acct).
 * @stats:   print every table counter at the end.
 * @cfg:     table configuration; the tool adds UDPCT_CFG_AUTO_COMMIT.
 * @helpers: helpers to register (--helper), @nhelpers of them.
 */
struct replay_opts {
	const char *file;
	enum out_format format;
	bool quiet;
	bool list;
	bool acct;
	bool stats;
	struct udpct_config cfg;
	struct udpct_helper helpers[UDPCT_HELPERS_MAX];
	unsigned nhelpers;
};

/**
 * Replay @o->file and print what was asked for.
 *
 * @return 0, TOOL_EXIT_RUNTIME after printing one error line to stderr, or
 *         TOOL_EXIT_USAGE when the table refused the configuration.
 */
int replay_run(const struct replay_opts *o);

#endif /* UDPCT_TOOL_REPLAY_H */
