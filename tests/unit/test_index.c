/* SPDX-License-Identifier: MIT */
/*
 * lib/index.h and index.c: keys whose first bucket is full go to their
 * second bucket, and the first bucket's overflow bit makes lookups look
 * there; a lookup that misses in a bucket that never overflowed reads no
 * second bucket.  Tuples are chosen through the table's own secret (a
 * white-box test) so that nine share a first bucket.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <udpct/udpct.h>

#include "harness.h"
#include "index.h"

#define CAP 64		/* 32 buckets of 8 slots */

/* 192.0.2.1:@sport -> 198.51.100.7:53 */
static void
tuple_of(struct udpct_tuple *t, uint16_t sport)
{
	udpct_tuple_set_v4(t, htonl(0xc0000201), sport, htonl(0xc6336407), 53,
			   0);
}

/* Ports whose key has first bucket @b and a different second bucket. */
static int
ports_in_bucket(const struct udpct_table *t, uint32_t b, uint16_t *out,
		int n)
{
	struct udpct_tuple tu;
	uint64_t h;
	int k = 0;
	uint32_t p;

	for (p = 1024; p < 65536 && k < n; p++) {
		tuple_of(&tu, (uint16_t)p);
		h = udpct__hash_tuple(t->secret, &tu);
		if (udpct__bucket1(t, h) == b && udpct__bucket2(t, h) != b)
			out[k++] = (uint16_t)p;
	}
	return k;
}

static enum udpct_state
classify(struct udpct_table *t, const struct udpct_tuple *tu, bool reply,
	 uint64_t now, bool commit)
{
	struct udpct_tuple r;
	struct udpct_verdict v;

	udpct_tuple_invert(&r, tu);
	cr_assert_eq(udpct_classify_tuple(t, reply ? &r : tu, 100, now, &v),
		     0);
	if (commit)
		cr_assert_eq(udpct_commit(t, &v), 0);
	return v.state;
}

Test(index, a_full_first_bucket_sends_keys_to_the_second_and_lookups_follow)
{
	struct udpct_table *t = th_table(0, CAP);
	struct udpct_tuple tu[10];
	uint16_t port[10];
	int i;

	cr_assert_eq(ports_in_bucket(t, 3, port, 10), 10);
	cr_assert_not(udpct__overflowed(t, 3));
	for (i = 0; i < 9; i++) {
		tuple_of(&tu[i], port[i]);
		cr_assert_eq(classify(t, &tu[i], false, TH_T0, true),
			     UDPCT_NEW);
	}
	/* Eight filled bucket 3; the ninth went to its second bucket. */
	cr_assert(udpct__overflowed(t, 3));
	for (i = 0; i < 9; i++)
		cr_assert_eq(classify(t, &tu[i], true, TH_T0 + 1, false),
			     UDPCT_ESTABLISHED, "flow %d", i);
	/* A tenth key of bucket 3 is still unknown: both buckets read. */
	tuple_of(&tu[9], port[9]);
	cr_assert_eq(classify(t, &tu[9], true, TH_T0 + 2, false), UDPCT_NEW);
	udpct_table_free(t);
}

Test(index, buckets_that_never_overflowed_have_no_bit)
{
	struct udpct_table *t = th_table(0, CAP);
	struct udpct_tuple tu;
	uint16_t port[2];
	uint32_t b;
	int i;

	/* Two flows in each of the 32 buckets: the table's 64, no overflow. */
	for (b = 0; b < 32; b++) {
		cr_assert_eq(ports_in_bucket(t, b, port, 2), 2);
		for (i = 0; i < 2; i++) {
			tuple_of(&tu, port[i]);
			cr_assert_eq(classify(t, &tu, false, TH_T0, true),
				     UDPCT_NEW);
		}
	}
	for (b = 0; b < 32; b++)
		cr_assert_not(udpct__overflowed(t, b), "bucket %u", b);
	udpct_table_free(t);
}
