/* SPDX-License-Identifier: MIT */
/*
 * examples/minimal.c - the README's usage example, built and run as a test
 * with the library so that it cannot rot (the 'readme-example' test checks
 * that the README shows exactly the body of main()).
 *
 * The Server Fault question the project started from: an outgoing DNS query
 * is NEW; once the firewall has accepted it (udpct_commit), the answer that
 * comes back on the inverted tuple is ESTABLISHED, direction reply.
 */
#include <stdio.h>
#include <arpa/inet.h>
#include <udpct/udpct.h>

int
main(void)
{
	struct udpct_table *t;
	struct udpct_tuple query, answer;
	struct udpct_verdict v;
	int rc = 1;

	if (udpct_table_new(NULL, &t) != 0) /* the kernel's defaults */
		return 1;
	udpct_tuple_set_v4(&query, inet_addr("192.0.2.1"), 40001,
			   inet_addr("198.51.100.53"), 53, 0);
	udpct_tuple_invert(&answer, &query); /* the answer: 53 -> 40001 */
	/* The query, at t = 0, is NEW; the ruleset accepts it: commit. */
	if (udpct_classify_tuple(t, &query, 57, 0, &v) == 0 &&
	    v.state == UDPCT_NEW && udpct_commit(t, &v) == 0 &&
	    udpct_classify_tuple(t, &answer, 73, 20000000, &v) == 0) {
		/* 20 ms later: ESTABLISHED, direction reply. */
		printf("answer: %s (%s)\n", udpct_state_name(v.state),
		       udpct_dir_name(v.dir));
		rc = v.state == UDPCT_ESTABLISHED ? 0 : 1;
	}
	udpct_table_free(t);
	return rc;
}
