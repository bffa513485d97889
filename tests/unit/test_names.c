// SPDX-License-Identifier: MIT
/*
 * test_names.c - the printed names of states, directions and INVALID
 * reasons.  They are a stable interface (the tool's CSV prints them), so the
 * expected strings are written out here, from classify.h, rather than taken
 * from the X-macro lists the library also uses.
 */
#include <stddef.h>
#include <string.h>

#include <criterion/criterion.h>

#include <udpct/udpct.h>

static const struct {
	enum udpct_state s;
	const char *name;
} states[] = {
	{ UDPCT_NEW, "NEW" },
	{ UDPCT_ESTABLISHED, "ESTABLISHED" },
	{ UDPCT_RELATED, "RELATED" },
	{ UDPCT_INVALID, "INVALID" },
	{ UDPCT_IGNORED, "IGNORED" },
};

static const struct {
	enum udpct_invalid_reason r;
	const char *name;
} reasons[] = {
	{ UDPCT_REASON_NONE, "" },
	{ UDPCT_REASON_TRUNCATED_IP_HEADER, "truncated_ip_header" },
	{ UDPCT_REASON_BAD_IP_VERSION, "bad_ip_version" },
	{ UDPCT_REASON_BAD_IHL, "bad_ihl" },
	{ UDPCT_REASON_BAD_IP_LENGTH, "bad_ip_length" },
	{ UDPCT_REASON_BAD_IP_CHECKSUM, "bad_ip_checksum" },
	{ UDPCT_REASON_FRAGMENT, "fragment" },
	{ UDPCT_REASON_NON_FIRST_FRAGMENT, "non_first_fragment" },
	{ UDPCT_REASON_BAD_EXTENSION_HEADER, "bad_extension_header" },
	{ UDPCT_REASON_TRUNCATED_UDP_HEADER, "truncated_udp_header" },
	{ UDPCT_REASON_BAD_UDP_LENGTH, "bad_udp_length" },
	{ UDPCT_REASON_BAD_CHECKSUM, "bad_checksum" },
	{ UDPCT_REASON_TRUNCATED_ICMP, "truncated_icmp" },
	{ UDPCT_REASON_BAD_ICMP_CHECKSUM, "bad_icmp_checksum" },
	{ UDPCT_REASON_BAD_ICMP_QUOTE, "bad_icmp_quote" },
	{ UDPCT_REASON_ICMP_QUOTES_UNTRACKED, "icmp_quotes_untracked" },
	{ UDPCT_REASON_ICMP_UNKNOWN_FLOW, "icmp_unknown_flow" },
	{ UDPCT_REASON_ICMP_DADDR_MISMATCH, "icmp_daddr_mismatch" },
	{ UDPCT_REASON_TABLE_FULL, "table_full" },
	{ UDPCT_REASON_HELPER_REFUSED, "helper_refused" },
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

Test(names, state_names_are_the_documented_strings)
{
	size_t i;

	cr_assert_eq(N_ELEM(states), UDPCT_STATE_MAX,
		     "a state was added without a name test");
	for (i = 0; i < N_ELEM(states); i++) {
		const char *n = udpct_state_name(states[i].s);

		cr_assert_not_null(n);
		cr_assert_str_eq(n, states[i].name);
	}
}

Test(names, state_name_out_of_range_is_question_mark)
{
	cr_assert_str_eq(udpct_state_name(UDPCT_STATE_MAX), "?");
	cr_assert_str_eq(udpct_state_name((enum udpct_state)(UDPCT_STATE_MAX +
							     1)), "?");
	cr_assert_str_eq(udpct_state_name((enum udpct_state)1000), "?");
	cr_assert_str_eq(udpct_state_name((enum udpct_state)-1), "?");
}

Test(names, dir_names_are_original_reply_and_empty)
{
	cr_assert_str_eq(udpct_dir_name(UDPCT_DIR_ORIGINAL), "original");
	cr_assert_str_eq(udpct_dir_name(UDPCT_DIR_REPLY), "reply");
	cr_assert_str_eq(udpct_dir_name(UDPCT_DIR_NONE), "");
}

Test(names, dir_name_out_of_range_is_empty)
{
	cr_assert_str_eq(udpct_dir_name((enum udpct_dir)3), "");
	cr_assert_str_eq(udpct_dir_name((enum udpct_dir)1000), "");
	cr_assert_str_eq(udpct_dir_name((enum udpct_dir)-1), "");
}

Test(names, reason_names_are_the_documented_strings)
{
	size_t i;

	cr_assert_eq(N_ELEM(reasons), UDPCT_REASON_MAX,
		     "a reason was added without a name test");
	for (i = 0; i < N_ELEM(reasons); i++) {
		const char *n = udpct_reason_name(reasons[i].r);

		cr_assert_not_null(n);
		cr_assert_str_eq(n, reasons[i].name, "reason %d: '%s' != '%s'",
				 (int)reasons[i].r, n, reasons[i].name);
	}
}

Test(names, reason_name_out_of_range_is_question_mark)
{
	cr_assert_str_eq(udpct_reason_name(UDPCT_REASON_MAX), "?");
	cr_assert_str_eq(udpct_reason_name((enum udpct_invalid_reason)
					   (UDPCT_REASON_MAX + 1)), "?");
	cr_assert_str_eq(udpct_reason_name((enum udpct_invalid_reason)1000),
			 "?");
	cr_assert_str_eq(udpct_reason_name((enum udpct_invalid_reason)-1),
			 "?");
}

Test(names, reason_names_are_unique_snake_case)
{
	int i, j;

	for (i = 1; i < UDPCT_REASON_MAX; i++) {
		const char *a = udpct_reason_name((enum udpct_invalid_reason)i);
		size_t k;

		cr_assert_gt(strlen(a), 0, "reason %d has an empty name", i);
		for (k = 0; a[k]; k++)
			cr_assert((a[k] >= 'a' && a[k] <= 'z') || a[k] == '_',
				  "reason %d name '%s' is not snake_case", i,
				  a);
		for (j = 1; j < i; j++)
			cr_assert_str_neq(a, udpct_reason_name(
				(enum udpct_invalid_reason)j));
	}
}

Test(names, names_are_static_strings)
{
	/* the same pointer every time: static storage, not a buffer */
	cr_assert_eq(udpct_state_name(UDPCT_NEW), udpct_state_name(UDPCT_NEW));
	cr_assert_eq(udpct_reason_name(UDPCT_REASON_BAD_CHECKSUM),
		     udpct_reason_name(UDPCT_REASON_BAD_CHECKSUM));
	cr_assert_eq(udpct_dir_name(UDPCT_DIR_REPLY),
		     udpct_dir_name(UDPCT_DIR_REPLY));
}
