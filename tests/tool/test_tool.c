/* SPDX-License-Identifier: MIT */
/*
 * test_tool.c - the udpct command, end to end.
 *
 * The tool runs as a child process, exactly as a user runs it; its path and
 * the capture directories come from meson in the environment:
 *   UDPCT_TOOL             the udpct executable;
 *   UDPCT_CAPTURES         examples/captures: captures with expected CSV;
 *   UDPCT_SHARED_CAPTURES  ../shared/captures, absent outside CI (skipped).
 * The expected CSV files were derived by hand from the spec (see
 * examples/captures/make-captures.py), so a difference is either a tool or a
 * library bug, never something to paste over.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Any fixed seed: shipped captures never fill the table. */
#define SEED "--seed=5eed"
#define MAX_ARGS 16

struct run {
	int status;	/* exit status; -1 when killed by a signal */
	char *out;
	char *err;
};

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	cr_assert(v && v[0], "%s is not set: run the test with meson test",
		  name);
	return v;
}

/*
 * Tests of the shipped captures run inside examples/captures, so that they
 * and their messages name files as a user would.
 */
static void
enter_captures(void)
{
	const char *dir = env("UDPCT_CAPTURES");

	cr_assert_eq(chdir(dir), 0, "cannot enter %s", dir);
}

TestSuite(replay, .init = enter_captures);
TestSuite(list, .init = enter_captures);
TestSuite(stats, .init = enter_captures);
TestSuite(errors, .init = enter_captures);

/* The whole content of @f from its start, NUL-terminated. */
static char *
slurp(FILE *f)
{
	long n;
	char *s;

	cr_assert(fseek(f, 0, SEEK_END) == 0);
	n = ftell(f);
	cr_assert(n >= 0);
	rewind(f);
	s = malloc((size_t)n + 1);
	cr_assert(s);
	cr_assert_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	return s;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;

	cr_assert(f, "cannot open %s", path);
	s = slurp(f);
	fclose(f);
	return s;
}

/* Run the tool with @args (NULL-terminated, argv[0] excluded). */
static void
run_tool(struct run *r, const char *const *args)
{
	const char *tool = env("UDPCT_TOOL");
	const char *argv[MAX_ARGS + 2] = { tool };
	FILE *out = tmpfile(), *err = tmpfile();
	size_t i;
	pid_t pid;
	int st;

	cr_assert(out && err);
	for (i = 0; args[i]; i++) {
		cr_assert(i < MAX_ARGS);
		argv[i + 1] = args[i];
	}
	fflush(NULL);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(err), STDERR_FILENO);
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	r->out = slurp(out);
	r->err = slurp(err);
	fclose(out);
	fclose(err);
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of @s that contains offset @at, without its newline. */
static int
line_at(const char *s, size_t at, const char **start)
{
	const char *b = s + at, *e;

	while (b > s && b[-1] != '\n')
		b--;
	e = strchr(b, '\n');
	*start = b;
	return (int)(e ? e - b : (long)strlen(b));
}

/* Byte-for-byte equality; otherwise fail showing the first differing line. */
static void
assert_same_text(const char *what, const char *expected, const char *actual)
{
	size_t i = 0, line = 1;
	const char *e, *a;
	int elen, alen;

	while (expected[i] && expected[i] == actual[i]) {
		line += expected[i] == '\n';
		i++;
	}
	if (expected[i] == '\0' && actual[i] == '\0')
		return;
	elen = line_at(expected, i, &e);
	alen = line_at(actual, i, &a);
	cr_assert_fail("%s: first difference at line %zu\n"
		       "  expected: %.*s%s\n  got:      %.*s%s", what, line,
		       elen, e, expected[i] ? "" : "<end of file>",
		       alen, a, actual[i] ? "" : "<end of output>");
}

/* Cut @out after its first @len bytes, which must end a line. */
static void
keep_prefix(char *out, size_t len, const char *then)
{
	if (strlen(out) <= len)
		return;
	cr_assert(strncmp(out + len, then, strlen(then)) == 0,
		  "after the expected lines comes:\n%s", out + len);
	out[len] = '\0';
}

/* One line on stderr, starting "udpct: ", and nothing on stdout. */
static void
assert_one_error_line(const struct run *r, const char *what)
{
	cr_assert_eq(count_lines(r->err), 1,
		     "%s: expected one line on stderr, got:\n%s", what, r->err);
	cr_assert(strncmp(r->err, "udpct: ", 7) == 0, "%s: stderr: %s",
		  what, r->err);
	cr_assert_str_empty(r->out, "%s: stdout: %s", what, r->out);
}

static void
check_capture_csv(const char *capture, const char *csv)
{
	const char *args[] = {
		"replay", "--format=csv", SEED, capture, NULL,
	};
	struct run r;
	char *expected = read_file(csv);

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "%s: exit %d, stderr: %s", capture,
		     r.status, r.err);
	assert_same_text(capture, expected, r.out);
	cr_assert(strstr(r.err, "summary: packets="),
		  "%s: no summary on stderr: %s", capture, r.err);
	free(expected);
	run_free(&r);
}

Test(replay, dns_csv_matches_expected)
{
	check_capture_csv("dns.pcap", "dns.csv");
}

Test(replay, flood_csv_matches_expected)
{
	check_capture_csv("flood.pcap", "flood.csv");
}

Test(replay, ipv6_csv_matches_expected)
{
	check_capture_csv("ipv6.pcap", "ipv6.csv");
}

Test(replay, vlan_pcapng_csv_matches_expected)
{
	check_capture_csv("vlan.pcapng", "vlan.csv");
}

/* "1,2,,x" -> "1 2 - x": the text format is the CSV with "-" for empty. */
static void
csv_to_text(const char *csv, char *text, size_t len)
{
	size_t o = 0;
	int empty = 1;

	for (; *csv && o + 3 < len; csv++) {
		if (*csv == ',' || *csv == '\n') {
			if (empty)
				text[o++] = '-';
			text[o++] = *csv == ',' ? ' ' : '\n';
			empty = 1;
			continue;
		}
		text[o++] = *csv;
		empty = 0;
	}
	text[o] = '\0';
}

Test(replay, text_format_is_csv_with_dashes)
{
	const char *args[] = {
		"replay", SEED, "dns.pcap", NULL,
	};
	char *csv = read_file("dns.csv");
	char *body = strchr(csv, '\n') + 1;	/* skip the header */
	static char text[1 << 16];
	struct run r;
	size_t rows = count_lines(body);

	csv_to_text(body, text, sizeof(text));
	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	/* the rows, then three summary lines, all on stdout */
	cr_assert_eq(count_lines(r.out), rows + 3, "stdout:\n%s", r.out);
	cr_assert(strstr(r.out, "\nsummary: packets=27 "), "%s", r.out);
	keep_prefix(r.out, strlen(text), "summary: ");
	assert_same_text("dns.pcap text", text, r.out);
	free(csv);
	run_free(&r);
}

Test(replay, quiet_csv_leaves_stdout_empty)
{
	const char *args[] = {
		"replay", "--format=csv", "--quiet", SEED,
		"dns.pcap", NULL,
	};
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert(strstr(r.err, "summary: packets=27 NEW=11 ESTABLISHED=11 "
			 "RELATED=1 INVALID=1 IGNORED=3 not_ip=1 "),
		  "stderr: %s", r.err);
	cr_assert(strstr(r.err, "summary: flows_created=10 expired=4 "
			 "evicted=0 table_full=0 live=6\n"),
		  "stderr: %s", r.err);
	run_free(&r);
}

/*
 * The live table after dns.pcap, at its last frame (t0 + 59 s), derived in
 * examples/captures/make-captures.py from the timeouts of spec section 4:
 * 30 s while unreplied or younger than 2 s, 120 s once ASSURED.
 */
static const char *const dns_list[] = {
	"udp      17 111 src=192.0.2.10 dst=198.51.100.53 sport=40001 "
	"dport=53 src=198.51.100.53 dst=192.0.2.10 sport=53 dport=40001 "
	"[ASSURED] mark=0 use=1\n",
	"udp      17 1 src=192.0.2.10 dst=198.51.100.53 sport=40001 "
	"dport=5353 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=5353 "
	"dport=40001 mark=0 use=1\n",
	"udp      17 11 src=192.0.2.11 dst=198.51.100.53 sport=40002 "
	"dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.11 sport=53 "
	"dport=40002 mark=0 use=1\n",
	"udp      17 8 src=192.0.2.11 dst=198.51.100.53 sport=40005 "
	"dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.11 sport=53 "
	"dport=40005 mark=0 use=1\n",
	"udp      17 120 src=192.0.2.12 dst=203.0.113.53 sport=40003 "
	"dport=53 src=203.0.113.53 dst=192.0.2.12 sport=53 dport=40003 "
	"[ASSURED] mark=0 use=1\n",
	"udp      17 6 src=203.0.113.53 dst=192.0.2.12 sport=53 "
	"dport=40004 src=192.0.2.12 dst=203.0.113.53 sport=40004 dport=53 "
	"mark=0 use=1\n",
};

Test(list, dns_shows_assured_and_unreplied_flows_sorted)
{
	const char *args[] = {
		"replay", "--quiet", "--list", SEED, "dns.pcap",
		NULL,
	};
	char expected[2048] = "";
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(dns_list) / sizeof(dns_list[0]); i++)
		strcat(expected, dns_list[i]);
	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	/* the listing comes first, then the summary */
	keep_prefix(r.out, strlen(expected), "summary: ");
	assert_same_text("dns.pcap --list", expected, r.out);
	run_free(&r);
}

Test(list, acct_adds_per_direction_counters)
{
	const char *args[] = {
		"replay", "--quiet", "--list", "--acct", SEED,
		"dns.pcap", NULL,
	};
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	/* 192.0.2.12:40003 -> 203.0.113.53:53: frames 14, 20, 27 and 19 */
	cr_assert(strstr(r.out, " sport=40003 dport=53 packets=3 bytes="),
		  "%s", r.out);
	cr_assert(strstr(r.out, " sport=53 dport=40003 packets=1 bytes="),
		  "%s", r.out);
	run_free(&r);
}

/* @s with its first @from replaced by @to; @s is freed. */
static char *
replaced(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from), *out;
	size_t head;

	cr_assert(p, "'%s' not found", from);
	head = (size_t)(p - s);
	out = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	cr_assert(out);
	memcpy(out, s, head);
	strcpy(out + head, to);
	strcat(out, p + strlen(from));
	free(s);
	return out;
}

/*
 * nf_conntrack_checksum=0 (spec 5.2 step 4, section 11 row 22): the three
 * bad-checksum datagrams of ipv6.pcap are accepted, so the reply with a bad
 * checksum now sets SEEN_REPLY and the query after it is ESTABLISHED.
 */
Test(replay, checksum_off_accepts_bad_checksums)
{
	const char *args[] = {
		"replay", "--format=csv", "--checksum=0", SEED, "ipv6.pcap",
		NULL,
	};
	char *expected = read_file("ipv6.csv");
	struct run r;

	expected = replaced(expected, "\n6,1700000300200000000,INVALID,,"
			    "bad_checksum,", "\n6,1700000300200000000,NEW,"
			    "original,,");
	expected = replaced(expected, "\n8,1700000300310000000,INVALID,,"
			    "bad_checksum,", "\n8,1700000300310000000,"
			    "ESTABLISHED,reply,,");
	expected = replaced(expected, "\n9,1700000300320000000,NEW,",
			    "\n9,1700000300320000000,ESTABLISHED,");
	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	assert_same_text("ipv6.pcap --checksum=0", expected, r.out);
	free(expected);
	run_free(&r);
}

/* Value of "name=" in a --stats dump, or -1 when it is not there. */
static long long
stat_value(const char *dump, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = dump; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return atoll(p + n + 1);
	return -1;
}

Test(stats, flood_counters)
{
	const char *args[] = {
		"replay", "--quiet", "--stats", SEED,
		"flood.pcap", NULL,
	};
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	/* 200 flood flows + 6 valid one-packet flows (make-captures.py) */
	cr_expect_eq(stat_value(r.out, "inserted"), 206, "%s", r.out);
	cr_expect_eq(stat_value(r.out, "invalid_bad_checksum"), 4, "%s",
		     r.out);
	cr_expect_eq(stat_value(r.out, "invalid_bad_udp_length"), 2, "%s",
		     r.out);
	cr_expect_eq(stat_value(r.out, "invalid_truncated_udp_header"), 2,
		     "%s", r.out);
	cr_expect_eq(stat_value(r.out, "early_drop"), 0, "%s", r.out);
	cr_expect_eq(stat_value(r.out, "invalid_table_full"), -1, "%s", r.out);
	run_free(&r);
}

/*
 * A table of 64 under a 200-flow unreplied flood: early drop must make
 * room (nothing is ASSURED), and every flow is accounted for.
 */
Test(stats, small_table_evicts_unassured_flows)
{
	const char *args[] = {
		"replay", "--quiet", "--stats", "--max=64", "--seed=1",
		"flood.pcap", NULL,
	};
	long long created, expired, dropped, live;
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	created = stat_value(r.out, "inserted");
	expired = stat_value(r.out, "expired");
	dropped = stat_value(r.out, "early_drop");
	live = stat_value(r.out, "live");
	cr_expect_gt(dropped, 0, "%s", r.out);
	cr_expect_leq(live, 64, "%s", r.out);
	cr_expect_eq(created, expired + dropped + live, "%s", r.out);
	cr_expect_eq(stat_value(r.out, "capacity"), 64, "%s", r.out);
	run_free(&r);
}

Test(errors, missing_file_is_a_runtime_error)
{
	const char *args[] = {
		"replay", "no-such-file.pcap", NULL,
	};
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 1, "exit %d", r.status);
	assert_one_error_line(&r, "missing file");
	cr_assert(strstr(r.err, "No such file"), "%s", r.err);
	run_free(&r);
}

Test(errors, not_a_capture_is_a_runtime_error)
{
	const char *args[] = { "replay", "dns.csv", NULL };
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 1, "exit %d", r.status);
	assert_one_error_line(&r, "not a capture");
	run_free(&r);
}

/* A classic pcap file of link type @dlt holding @n copies of @frame. */
static void
write_pcap(const char *path, uint32_t dlt, const void *frame, uint32_t len,
	   unsigned int n)
{
	const struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, dlt };
	uint32_t rec[4] = { 1700000000, 0, len, len };
	FILE *f = fopen(path, "wb");

	cr_assert(f);
	fwrite(&hdr, sizeof(hdr), 1, f);
	while (n--) {
		fwrite(rec, sizeof(rec), 1, f);
		fwrite(frame, len, 1, f);
		rec[1]++;
	}
	cr_assert_eq(fclose(f), 0);
}

Test(errors, unsupported_link_type_is_a_runtime_error)
{
	char path[] = "/tmp/udpct-test-XXXXXX";
	const char *args[] = { "replay", path, NULL };
	static const uint8_t frame[32];
	struct run r;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	write_pcap(path, DLT_IEEE802_11, frame, sizeof(frame), 1);
	run_tool(&r, args);
	unlink(path);
	cr_assert_eq(r.status, 1, "exit %d", r.status);
	assert_one_error_line(&r, "link type");
	cr_assert(strstr(r.err, "unsupported link type 105"), "%s", r.err);
	run_free(&r);
}

Test(errors, capture_cut_mid_record_is_a_runtime_error)
{
	char path[] = "/tmp/udpct-test-XXXXXX";
	const char *args[] = { "replay", "--format=csv", path, NULL };
	static const uint8_t frame[60];
	struct run r;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	write_pcap(path, DLT_EN10MB, frame, sizeof(frame), 3);
	cr_assert_eq(truncate(path, 24 + 2 * (16 + 60) + 30), 0);
	run_tool(&r, args);
	unlink(path);
	cr_assert_eq(r.status, 1, "exit %d", r.status);
	cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
	cr_assert(strstr(r.err, "truncated"), "%s", r.err);
	/* the frames before the cut were printed */
	cr_assert_eq(count_lines(r.out), 3, "%s", r.out);
	run_free(&r);
}

/* "a b c" from a NULL-terminated argument list, for messages. */
static const char *
joined(const char *const *args)
{
	static char buf[1024];
	size_t i;

	buf[0] = '\0';
	for (i = 0; args[i]; i++) {
		strncat(buf, args[i], sizeof(buf) - strlen(buf) - 2);
		strcat(buf, " ");
	}
	return buf;
}

Test(errors, usage_errors_exit_2_with_one_line)
{
	const char *f = "dns.pcap";
	const char *const cases[][6] = {
		{ NULL },
		{ "frobnicate", f, NULL },
		{ "--bogus", NULL },
		{ "replay", NULL },
		{ "replay", f, f, NULL },
		{ "replay", "--bogus", f, NULL },
		{ "replay", "-qx", f, NULL },
		{ "replay", "--quiet=1", f, NULL },
		{ "replay", f, "--format", NULL },
		{ "replay", "--format=xml", f, NULL },
		{ "replay", "--max=0", f, NULL },
		{ "replay", "--max=12x", f, NULL },
		{ "replay", "--max=-5", f, NULL },
		{ "replay", "--max=2000000000", f, NULL },
		{ "replay", "--checksum=2", f, NULL },
		{ "replay", "--seed=xyz", f, NULL },
		{ "replay", "--seed=123456789abcdef01", f, NULL },
		{ "replay", "--udp-timeout=0", f, NULL },
		{ "replay", "--udp-timeout=-3", f, NULL },
		{ "replay", "--udp-timeout=nan", f, NULL },
		{ "replay", "--udp-timeout-stream=abc", f, NULL },
		{ "replay", "--helper=ftp", f, NULL },
		{ "replay", "--helper=tftp:0", f, NULL },
		{ "replay", "--helper=tftp:70000", f, NULL },
		{ "replay", "--helper=tftpx", f, NULL },
		{ "replay", "--helper=netbios-ns", f, NULL },
		{ "replay", "--helper=netbios-ns:192.0.2.0/33", f, NULL },
		{ "replay", "--helper=netbios-ns:192.0.2.0", f, NULL },
		{ "replay", "--helper=netbios-ns:2001:db8::/64", f, NULL },
		/* two helpers on one port */
		{ "replay", "--helper=tftp", "--helper=tftp:69", f, NULL },
	};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_tool(&r, cases[i]);
		cr_assert_eq(r.status, 2, "udpct %s: exit %d, stderr: %s",
			     joined(cases[i]), r.status, r.err);
		assert_one_error_line(&r, joined(cases[i]));
		run_free(&r);
	}
}

Test(errors, valid_table_options_are_accepted)
{
	const char *args[] = {
		"replay", "--quiet", "--udp-timeout=0.5",
		"--udp-timeout-stream=600", "--checksum=0", "--max=1000",
		"--seed=0xFFFFFFFFFFFFFFFF", "--format=text", "--helper=tftp",
		"--helper=tftp:6969", "--helper=netbios-ns:192.0.2.0/24",
		/* the kernel accepts a stream timeout below the unreplied one */
		"--udp-timeout=60", "--udp-timeout-stream=30",
		"dns.pcap", NULL,
	};
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert_str_empty(r.err);
	run_free(&r);
}

Test(errors, help_and_version)
{
	const char *help[] = { "--help", NULL };
	const char *rhelp[] = { "replay", "--help", NULL };
	const char *version[] = { "--version", NULL };
	struct run r;

	run_tool(&r, help);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "Usage: udpct replay"), "%s", r.out);
	run_free(&r);
	run_tool(&r, rhelp);
	cr_assert_eq(r.status, 0);
	cr_assert(strstr(r.out, "--udp-timeout-stream"), "%s", r.out);
	run_free(&r);
	run_tool(&r, version);
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "udpct " UDPCT_EXPECTED_VERSION " ",
			  strlen("udpct " UDPCT_EXPECTED_VERSION " ")) == 0,
		  "%s", r.out);
	run_free(&r);
}

/* Frames in @path, counted by libpcap itself; -1 if it cannot read it. */
static long
count_frames(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(path, errbuf);
	struct pcap_pkthdr *h;
	const u_char *data;
	long n = 0;
	int rc;

	if (!p)
		return -1;
	while ((rc = pcap_next_ex(p, &h, &data)) == 1)
		n++;
	pcap_close(p);
	return rc == PCAP_ERROR_BREAK ? n : -1;
}

static bool
is_capture(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

/* Every frame of @path is one CSV row numbered in order, and exit is 0. */
static void
check_accounted(const char *path)
{
	/* a small table starts faster; no capture has 16384 flows */
	const char *args[] = {
		"replay", "--format=csv", "--max=16384", SEED, path, NULL,
	};
	long frames = count_frames(path), row = 0;
	struct run r;
	char *line;

	cr_assert_geq(frames, 0, "%s: libpcap cannot read it", path);
	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", path, r.status, r.err);
	line = strchr(r.out, '\n');
	cr_assert(line, "%s: no CSV header", path);
	while ((line = strchr(line, '\n')) && line[1]) {
		line++;
		row++;
		cr_assert_eq(atol(line), row, "%s: row %ld is numbered %ld",
			     path, row, atol(line));
	}
	cr_assert_eq(row, frames, "%s: %ld rows for %ld frames", path, row,
		     frames);
	run_free(&r);
}

Test(shared, every_frame_of_every_capture_is_accounted_for)
{
	const char *dir = getenv("UDPCT_SHARED_CAPTURES");
	char path[4096];
	struct dirent *de;
	DIR *d = dir ? opendir(dir) : NULL;
	int files = 0;

	if (!d)
		cr_skip_test("no shared captures at %s", dir ? dir : "(unset)");
	while ((de = readdir(d))) {
		if (!is_capture(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_accounted(path);
		files++;
	}
	closedir(d);
	cr_assert_gt(files, 0, "no capture in %s", dir);
}

/* ---- RELATED: helpers and ICMP errors (issue #4) ----------------------- */

/* Replay @capture with "--format=csv SEED" plus @opt (may be NULL). */
static void
check_capture_csv_with(const char *capture, const char *opt, const char *csv)
{
	const char *args[] = {
		"replay", "--format=csv", SEED, opt ? opt : capture,
		opt ? capture : NULL, NULL,
	};
	struct run r;
	char *expected = read_file(csv);

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "%s %s: exit %d, stderr: %s", capture,
		     opt ? opt : "", r.status, r.err);
	assert_same_text(csv, expected, r.out);
	free(expected);
	run_free(&r);
}

/*
 * tftp.pcap (make-captures.py, spec 6c): with the TFTP helper the
 * server's answers from new ports are RELATED until the client replies;
 * without it they are NEW.
 */
Test(replay, tftp_with_helper_csv_matches_expected)
{
	check_capture_csv_with("tftp.pcap", "--helper=tftp", "tftp.csv");
}

Test(replay, tftp_without_helper_answer_is_new)
{
	check_capture_csv_with("tftp.pcap", NULL, "tftp-nohelper.csv");
}

/* The helper on another port does not see transfers to port 69. */
Test(replay, tftp_helper_on_another_port_changes_nothing)
{
	check_capture_csv_with("tftp.pcap", "--helper=tftp:6969",
			       "tftp-nohelper.csv");
}

Test(replay, icmp_csv_matches_expected)
{
	check_capture_csv("icmp.pcap", "icmp.csv");
}

Test(stats, tftp_expectation_counters)
{
	const char *args[] = {
		"replay", "--quiet", "--stats", "--helper=tftp", SEED,
		"tftp.pcap", NULL,
	};
	struct run r;

	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	/* five requests (R1, W1, R6, R2, R3) expect an answer; R1, W1 and
	 * R6 are answered, R2's is used up by the bad checksum, R3's dies
	 * with its master */
	cr_expect_eq(stat_value(r.out, "expect_new"), 5, "%s", r.out);
	cr_expect_eq(stat_value(r.out, "expect_matched"), 4, "%s", r.out);
	cr_expect_eq(stat_value(r.out, "expect_failed"), 0, "%s", r.out);
	cr_expect_eq(stat_value(r.out, "related"), 0, "%s", r.out);
	run_free(&r);
}

/* The CSV row for frame @n of @out (without its newline), or NULL. */
static const char *
csv_row(const char *out, long n, int *len)
{
	const char *p = strchr(out, '\n');

	while (p && p[1]) {
		p++;
		if (atol(p) == n) {
			const char *e = strchr(p, '\n');

			*len = (int)(e ? e - p : (long)strlen(p));
			return p;
		}
		p = strchr(p, '\n');
	}
	return NULL;
}

/* Frame @n of @file replayed with @opt (NULL: none) has @state,@dir. */
static void
check_shared_frame(const char *file, const char *opt, long n,
		   const char *state_dir)
{
	const char *dir = getenv("UDPCT_SHARED_CAPTURES");
	char path[4096], want[64];
	const char *args[] = {
		"replay", "--format=csv", SEED, opt ? opt : path,
		opt ? path : NULL, NULL,
	};
	const char *row, *f;
	struct run r;
	int len;

	if (!dir)
		cr_skip_test("UDPCT_SHARED_CAPTURES is not set");
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (access(path, R_OK) != 0)
		cr_skip_test("no %s", path);
	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", file, r.status, r.err);
	row = csv_row(r.out, n, &len);
	cr_assert(row, "%s: no row %ld in:\n%s", file, n, r.out);
	/* packet,time_ns,STATE,DIR,... */
	f = strchr(strchr(row, ',') + 1, ',') + 1;
	snprintf(want, sizeof(want), "%s,", state_dir);
	cr_assert(strncmp(f, want, strlen(want)) == 0,
		  "%s %s, frame %ld: %.*s; want %s", file, opt ? opt : "", n,
		  len, row, state_dir);
	run_free(&r);
}

/*
 * A real capture (tcpdump's tests/tftp.pcap): RRQ 192.168.1.2:44935 ->
 * 192.168.1.1:69, then DATA from the server's new port 59557.  With the
 * helper, frame 2 is RELATED (spec 6c); without it, NEW.
 */
Test(shared, tcpdump_tftp_data_from_new_port_is_related)
{
	check_shared_frame("tcpdump_tftp.pcap", "--helper=tftp", 1,
			   "NEW,original");
	check_shared_frame("tcpdump_tftp.pcap", "--helper=tftp", 2,
			   "RELATED,original");
	check_shared_frame("tcpdump_tftp.pcap", "--helper=tftp", 3,
			   "ESTABLISHED,reply");
	check_shared_frame("tcpdump_tftp.pcap", NULL, 2, "NEW,original");
}

/* suricata-verify's WRQ capture: the server's ACK 0 from port 2087. */
Test(shared, suricata_tftp_wrq_ack_from_new_port_is_related)
{
	check_shared_frame("suricata_tftp-tx-handling-wrq.pcap",
			   "--helper=tftp", 2, "RELATED,original");
	check_shared_frame("suricata_tftp-tx-handling-wrq.pcap",
			   "--helper=tftp", 3, "ESTABLISHED,reply");
}

/* --list names the helper of the request's flow (spec 6c: helper=tftp). */
Test(shared, tcpdump_tftp_list_shows_the_helper)
{
	const char *dir = getenv("UDPCT_SHARED_CAPTURES");
	char path[4096];
	const char *args[] = {
		"replay", "--quiet", "--list", "--helper=tftp", SEED, path,
		NULL,
	};
	struct run r;

	if (!dir)
		cr_skip_test("UDPCT_SHARED_CAPTURES is not set");
	snprintf(path, sizeof(path), "%s/tcpdump_tftp.pcap", dir);
	if (access(path, R_OK) != 0)
		cr_skip_test("no %s", path);
	run_tool(&r, args);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, " sport=44935 dport=69 [UNREPLIED] src="
			 "192.168.1.1 dst=192.168.1.2 sport=69 dport=44935 "
			 "mark=0 helper=tftp use=1\n"), "%s", r.out);
	run_free(&r);
}
