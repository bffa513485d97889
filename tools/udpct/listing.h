/* SPDX-License-Identifier: MIT */
/*
 * listing.h - dump the live table in the format of `conntrack -L`.
 */
#ifndef UDPCT_TOOL_LISTING_H
#define UDPCT_TOOL_LISTING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <udpct/udpct.h>

/**
 * Print one line per flow live at @now_ns, sorted by original tuple.
 *
 * @param f       output stream.
 * @param t       table.
 * @param now_ns  time that decides liveness and the remaining timeouts.
 * @param acct    add packets= and bytes= per direction.
 * @return 0, or a negative errno (nothing printed).
 */
int listing_print(FILE *f, struct udpct_table *t, uint64_t now_ns,
		  bool acct);

#endif /* UDPCT_TOOL_LISTING_H */
