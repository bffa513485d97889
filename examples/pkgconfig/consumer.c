/* SPDX-License-Identifier: MIT */
/*
 * examples/pkgconfig/consumer.c - a program built against an *installed*
 * libudpct with nothing but pkg-config:
 *
 *	cc consumer.c $(pkg-config --cflags --libs --static udpct)
 *
 * tests/build/check-pkgconfig.sh builds and runs it against a staged
 * install.  It checks the header/library version skew, classifies a raw
 * IPv4 DNS query (NEW), accepts it, and classifies the answer's tuple
 * (ESTABLISHED, reply).
 */
#include <stdio.h>
#include <stdint.h>

#include <udpct/udpct.h>

/* 192.0.2.1:40001 -> 198.51.100.53:53, "example.com A?", valid checksums. */
static const uint8_t dns_query[] = {
	0x45, 0x00, 0x00, 0x39, 0x00, 0x01, 0x40, 0x00, 0x40, 0x11, 0x4e, 0x49,
	0xc0, 0x00, 0x02, 0x01, 0xc6, 0x33, 0x64, 0x35, 0x9c, 0x41, 0x00, 0x35,
	0x00, 0x25, 0x95, 0x21, 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
	0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01,
};

int
main(void)
{
	struct udpct_table *t = NULL;
	struct udpct_verdict v;
	struct udpct_tuple answer;
	char buf[UDPCT_TUPLE_STRLEN];
	int err, ret = 1;

	if (udpct_version() != UDPCT_VERSION_NUMBER) {
		fprintf(stderr, "header %s but library 0x%06x\n",
			UDPCT_VERSION_STRING, udpct_version());
		return 1;
	}
	err = udpct_table_new(NULL, &t);
	if (err != 0) {
		fprintf(stderr, "udpct_table_new: %d\n", err);
		return 1;
	}

	err = udpct_classify(t, dns_query, sizeof(dns_query), 0, &v);
	if (err != 0 || v.state != UDPCT_NEW) {
		fprintf(stderr, "query: %d %s %s\n", err,
			udpct_state_name(v.state), udpct_reason_name(v.reason));
		goto out;
	}
	if (udpct_tuple_format(&v.tuple, buf, sizeof(buf)) < 0 ||
	    udpct_commit(t, &v) != 0)
		goto out;
	printf("%s: %s\n", buf, udpct_state_name(v.state));

	udpct_tuple_invert(&answer, &v.tuple);
	err = udpct_classify_tuple(t, &answer, 73, 20000000, &v);
	if (err != 0 || v.state != UDPCT_ESTABLISHED ||
	    v.dir != UDPCT_DIR_REPLY) {
		fprintf(stderr, "answer: %d %s %s\n", err,
			udpct_state_name(v.state), udpct_dir_name(v.dir));
		goto out;
	}
	if (udpct_tuple_format(&v.tuple, buf, sizeof(buf)) < 0)
		goto out;
	printf("%s: %s (%s)\n", buf, udpct_state_name(v.state),
	       udpct_dir_name(v.dir));
	printf("libudpct %s via pkg-config: ok\n", UDPCT_VERSION_STRING);
	ret = 0;
out:
	udpct_table_free(t);
	return ret;
}
