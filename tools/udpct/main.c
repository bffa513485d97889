/* SPDX-License-Identifier: MIT */
/*
 * main.c - the `udpct` command line: subcommand and option parsing.
 *
 * Every option is validated here, before any file is opened, so that a
 * usage error always exits with status 2 and one line on stderr.  The table
 * options are named after the kernel's sysctls (nf_conntrack_udp_timeout,
 * ..._stream, nf_conntrack_checksum, nf_conntrack_max) and take the same
 * units, so a kernel setup can be mirrored option for option.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <udpct/udpct.h>

#include "replay.h"

#define MAX_CAPACITY	(1u << 30)	/* udpct_table_new()'s limit */
#define MAX_TIMEOUT_S	1e9		/* ~31 years: fits u64 nanoseconds */

enum {
	OPT_FORMAT = 256,
	OPT_UDP_TIMEOUT,
	OPT_UDP_TIMEOUT_STREAM,
	OPT_CHECKSUM,
	OPT_MAX,
	OPT_SEED,
	OPT_ACCT,
	OPT_HELPER,
};

static const struct option replay_longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "list", no_argument, NULL, 'L' },
	{ "acct", no_argument, NULL, OPT_ACCT },
	{ "stats", no_argument, NULL, 'S' },
	{ "udp-timeout", required_argument, NULL, OPT_UDP_TIMEOUT },
	{ "udp-timeout-stream", required_argument, NULL,
	  OPT_UDP_TIMEOUT_STREAM },
	{ "checksum", required_argument, NULL, OPT_CHECKSUM },
	{ "max", required_argument, NULL, OPT_MAX },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "helper", required_argument, NULL, OPT_HELPER },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char usage_text[] =
"Usage: udpct replay [OPTIONS] FILE\n"
"       udpct --help | --version\n"
"\n"
"Replay a pcap or pcapng capture (FILE, or - for standard input) through\n"
"libudpct and print, for every frame, the state Linux nf_conntrack would\n"
"give it at PRE_ROUTING: NEW, ESTABLISHED, RELATED, INVALID or IGNORED.\n"
"\n"
"Output:\n"
"      --format=FMT        per-packet lines: text (default) or csv\n"
"  -q, --quiet             no per-packet lines\n"
"  -L, --list              print the live table at the end, as conntrack -L\n"
"      --acct              count packets and bytes per flow\n"
"                          (nf_conntrack_acct=1); --list prints them\n"
"  -S, --stats             print every table counter at the end\n"
"Table (named after the kernel's sysctls):\n"
"      --udp-timeout=S     idle timeout while unreplied, seconds (30)\n"
"      --udp-timeout-stream=S\n"
"                          idle timeout once ASSURED, seconds (120)\n"
"      --checksum=0|1      verify UDP checksums (1)\n"
"      --max=N             table capacity, flows (262144)\n"
"      --seed=HEX          fixed hash seed (default: random); only the\n"
"                          choice of flows evicted from a full table\n"
"                          depends on it\n"
"      --helper=tftp[:PORT]\n"
"                          TFTP helper on PORT (69), as nft 'ct helper'\n"
"      --helper=netbios-ns:CIDR\n"
"                          NetBIOS-NS broadcast helper for the IPv4\n"
"                          subnet CIDR (port 137, 3 s)\n"
"  -h, --help              show this help\n"
"  -V, --version           show the version\n"
"\n"
"In csv format the summary, --list and --stats go to stderr.\n"
"Exit status: 0 success, 1 runtime error, 2 usage error.\n";

static int __attribute__((format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("udpct: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try 'udpct --help')\n", stderr);
	return TOOL_EXIT_USAGE;
}

static int
print_version(void)
{
	unsigned int v = udpct_version();

	printf("udpct %s (libudpct %u.%u.%u, %s)\n", UDPCT_VERSION_STRING,
	       v >> 16, (v >> 8) & 0xff, v & 0xff, pcap_lib_version());
	return 0;
}

/* Seconds, fractional allowed, to nanoseconds; 0 is refused (= default). */
static int
parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 ||
	    !(v > 0 && v <= MAX_TIMEOUT_S))
		return -EINVAL;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return *ns > 0 ? 0 : -EINVAL;
}

static int
parse_uint(const char *s, int base, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull() would skip blanks and take "-1" as a huge number. */
	if (!isxdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end != '\0' || errno != 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_format(const char *s, enum out_format *fmt)
{
	if (strcmp(s, "text") == 0)
		*fmt = OUT_TEXT;
	else if (strcmp(s, "csv") == 0)
		*fmt = OUT_CSV;
	else
		return -EINVAL;
	return 0;
}

static int
parse_checksum(const char *s, struct udpct_config *cfg)
{
	if (strcmp(s, "1") == 0)
		cfg->flags &= ~UDPCT_CFG_NO_CHECKSUM;
	else if (strcmp(s, "0") == 0)
		cfg->flags |= UDPCT_CFG_NO_CHECKSUM;
	else
		return -EINVAL;
	return 0;
}

static int
parse_max(const char *s, struct udpct_config *cfg)
{
	uint64_t v;

	if (parse_uint(s, 10, MAX_CAPACITY, &v) < 0 || v == 0)
		return -EINVAL;
	cfg->capacity = (uint32_t)v;
	return 0;
}

/* tftp[:PORT] or netbios-ns:A.B.C.D/LEN */
static int
parse_helper(const char *s, struct replay_opts *o)
{
	struct udpct_helper *h = &o->helpers[o->nhelpers];
	char net[32];
	unsigned len;
	uint64_t port = 0;
	struct in_addr a;
	int n = 0;

	if (o->nhelpers == UDPCT_HELPERS_MAX)
		return -ENOSPC;
	if (strncmp(s, "tftp", 4) == 0 && (s[4] == '\0' || s[4] == ':')) {
		if (s[4] == ':' && (parse_uint(s + 5, 10, 65535, &port) < 0 ||
				    port == 0))
			return -EINVAL;
		udpct_helper_tftp(h, (uint16_t)port);
	} else if (sscanf(s, "netbios-ns:%31[0-9.]/%u%n", net, &len, &n) == 2 &&
		   s[n] == '\0' && len >= 1 && len <= 30 &&
		   inet_pton(AF_INET, net, &a) == 1) {
		udpct_helper_netbios_ns(h, a.s_addr, len, 0, 0);
	} else {
		return -EINVAL;
	}
	o->nhelpers++;
	return 0;
}

static int
parse_seed(const char *s, struct udpct_config *cfg)
{
	uint64_t v;

	if (parse_uint(s, 16, UINT64_MAX, &v) < 0)
		return -EINVAL;
	cfg->flags |= UDPCT_CFG_FIXED_SEED;
	cfg->hash_seed = v;
	return 0;
}

/*
 * Apply an option that takes a value.  Returns NULL, or what the value
 * should have been.
 */
static const char *
apply_option(int opt, const char *arg, struct replay_opts *o)
{
	switch (opt) {
	case OPT_FORMAT:
		return parse_format(arg, &o->format) < 0 ?
		       "expected text or csv" : NULL;
	case OPT_UDP_TIMEOUT:
		return parse_seconds(arg, &o->cfg.udp_timeout_ns) < 0 ?
		       "expected seconds > 0" : NULL;
	case OPT_UDP_TIMEOUT_STREAM:
		return parse_seconds(arg, &o->cfg.udp_timeout_stream_ns) < 0 ?
		       "expected seconds > 0" : NULL;
	case OPT_CHECKSUM:
		return parse_checksum(arg, &o->cfg) < 0 ?
		       "expected 0 or 1" : NULL;
	case OPT_MAX:
		return parse_max(arg, &o->cfg) < 0 ?
		       "expected 1 to 1073741824" : NULL;
	case OPT_SEED:
		return parse_seed(arg, &o->cfg) < 0 ?
		       "expected up to 16 hex digits" : NULL;
	case OPT_HELPER:
		return parse_helper(arg, o) < 0 ?
		       "expected tftp[:PORT] or netbios-ns:A.B.C.D/LEN" : NULL;
	default:
		return "unexpected option";
	}
}

/*
 * getopt_long() failed on argv[optind - 1].  For a short option (alone or in
 * a cluster such as -qx) name the letter, else the whole word.
 */
static int
option_error(int rc, char **argv)
{
	const char *word = argv[optind - 1];
	char letter[3] = { '-', (char)optopt, '\0' };

	if (optopt > 0 && optopt < 128 && strncmp(word, "--", 2) != 0)
		word = letter;
	if (rc == ':')
		return usage_error("option '%s' needs a value", word);
	return usage_error("invalid option '%s'", word);
}

/*
 * Parse `replay`'s options (argv[0] is "replay").  Returns -1 to go on with
 * the replay, or an exit status.
 */
static int
parse_replay(int argc, char **argv, struct replay_opts *o)
{
	const char *hint;
	int opt, idx = 0;

	opterr = 0;	/* we print our own one-line messages */
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":qLShV", replay_longopts,
				  &idx)) != -1) {
		switch (opt) {
		case '?':
		case ':':
			return option_error(opt, argv);
		case 'q':
			o->quiet = true;
			break;
		case 'L':
			o->list = true;
			break;
		case 'S':
			o->stats = true;
			break;
		case OPT_ACCT:
			o->acct = true;
			o->cfg.flags |= UDPCT_CFG_ACCOUNTING;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			return print_version();
		default:
			/* only long options take a value: idx is valid */
			hint = apply_option(opt, optarg, o);
			if (hint)
				return usage_error("invalid --%s '%s' (%s)",
						   replay_longopts[idx].name,
						   optarg, hint);
		}
	}
	if (optind == argc)
		return usage_error("replay: missing capture FILE");
	if (optind + 1 < argc)
		return usage_error("replay: unexpected argument '%s'",
				   argv[optind + 1]);
	o->file = argv[optind];
	return -1;
}

static int
cmd_replay(int argc, char **argv)
{
	struct replay_opts o = { .format = OUT_TEXT };
	int rc;

	udpct_config_init(&o.cfg);
	rc = parse_replay(argc, argv, &o);
	if (rc >= 0)
		return rc;
	return replay_run(&o);
}

int
main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd)
		return usage_error("missing command");
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
		return print_version();
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 1, argv + 1);
	if (cmd[0] == '-')
		return usage_error("unknown option '%s'", cmd);
	return usage_error("unknown command '%s'", cmd);
}
