/* SPDX-License-Identifier: MIT */
/*
 * recorder.c - the kernel side of the conformance suite: write down, for
 * every packet the router namespace forwards, the bytes and the state that
 * nf_conntrack gave it.
 *
 * This kernel cannot attach conntrack information to NFQUEUE or NFLOG
 * messages (CONFIG_NETFILTER_NETLINK_GLUE_CT is off) and has no nft `queue`
 * (CONFIG_NFT_QUEUE is off).  So the router's forward chain encodes the
 * verdict into the packet mark with ordinary nft rules (run-live.sh, table
 * udpct_conf) and then logs the packet to NFLOG group --group:
 *
 *   mark bits 0-7   ct state bit: 1 invalid, 2 established, 4 related,
 *                   8 new, 64 untracked (NF_CT_STATE_BIT values)
 *   mark bit  8     ct direction reply
 *   mark bits 16-31 ct status bits 0-15 (expected, seen-reply, assured,
 *                   confirmed, ...), after this packet
 *
 * nf_conntrack's own INVALID diagnostics (sysctl nf_conntrack_log_invalid,
 * with nfnetlink_log as the namespace's logger) arrive on NFLOG group 0 on
 * the same socket, before the packet they are about reaches the forward
 * chain; their prefixes become the "reason" column of that packet.
 *
 * Output: a pcap file (nanosecond timestamps, LINKTYPE_RAW, the packet as it
 * left the forward hook: TTL/hop limit already decremented, fragments
 * already reassembled) and a CSV file
 *
 *   packet,time_ns,state,dir,status,mark,reason
 *
 * time_ns is CLOCK_REALTIME when the recorder received the record, i.e.
 * within microseconds of the kernel processing the packet.  After each
 * record the recorder sends its number as a datagram to the --ack unix
 * socket, so that the traffic generator can send one packet at a time and
 * know it was seen; "ready" is sent once NFLOG is bound.
 *
 * Stops on SIGTERM/SIGINT, or when its parent dies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#define DIAG_GROUP	0	/* nfnetlink_log's default nf_log group */
#define REASON_MAX	512

struct recorder {
	struct mnl_socket *nl;
	unsigned int portid;
	uint16_t group;
	FILE *pcap;
	FILE *csv;
	int ack_fd;
	struct sockaddr_un ack_addr;
	bool ack;
	uint64_t packets;
	char reason[REASON_MAX];	/* diagnostics waiting for a packet */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
die(const char *what)
{
	fprintf(stderr, "recorder: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
send_ack(struct recorder *r, const char *msg)
{
	if (!r->ack)
		return;
	if (sendto(r->ack_fd, msg, strlen(msg), 0,
		   (const struct sockaddr *)&r->ack_addr,
		   sizeof(r->ack_addr)) < 0) {
		fprintf(stderr, "recorder: ack to %s: %s\n",
			r->ack_addr.sun_path, strerror(errno));
	}
}

/* One NFULNL_MSG_CONFIG request, acknowledged by the kernel. */
static int
config(struct recorder *r, uint16_t group, uint8_t family, uint8_t cmd,
       bool mode)
{
	char buf[8192];	/* MNL_SOCKET_BUFFER_SIZE is a VLA */
	static uint32_t seq = 1;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	int n;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(group);
	if (cmd != NFULNL_CFG_CMD_NONE) {
		struct nfulnl_msg_config_cmd c = { .command = cmd };

		mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof(c), &c);
	}
	if (mode) {
		struct nfulnl_msg_config_mode m = {
			.copy_range = htonl(0xffff),
			.copy_mode = NFULNL_COPY_PACKET,
		};

		mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof(m), &m);
		/* one message per packet, sent at once */
		mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
		mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(0));
	}
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		die("netlink send");
	n = (int)mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
	if (n < 0)
		die("netlink receive");
	return mnl_cb_run(buf, (size_t)n, seq, r->portid, NULL, NULL);
}

static int
attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, NFULA_MAX) > 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static const char *
state_name(uint32_t bit)
{
	switch (bit) {
	case 1: return "INVALID";
	case 2: return "ESTABLISHED";
	case 4: return "RELATED";
	case 8: return "NEW";
	case 64: return "UNTRACKED";
	default: return "UNKNOWN";
	}
}

static void
put_u32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof(v), 1, f);
}

static void
add_reason(struct recorder *r, const char *prefix)
{
	size_t used = strlen(r->reason);
	char *p;

	if (used > 0 && used + 2 < sizeof(r->reason))
		strcat(r->reason, "; ");
	used = strlen(r->reason);
	snprintf(r->reason + used, sizeof(r->reason) - used, "%s", prefix);
	/* keep the CSV one field per column, one line per record */
	for (p = r->reason; *p; p++)
		if (*p == ',' || *p == '\n' || *p == '\r' || *p == '"')
			*p = ' ';
	while (used = strlen(r->reason), used > 0 && r->reason[used - 1] == ' ')
		r->reason[used - 1] = '\0';
}

static void
record(struct recorder *r, const uint8_t *pkt, uint32_t len, uint32_t mark)
{
	struct timespec ts;
	uint32_t bit = mark & 0xff;
	const char *state = state_name(bit);
	const char *dir = "";
	char ack[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	r->packets++;
	put_u32(r->pcap, (uint32_t)ts.tv_sec);
	put_u32(r->pcap, (uint32_t)ts.tv_nsec);
	put_u32(r->pcap, len);
	put_u32(r->pcap, len);
	fwrite(pkt, 1, len, r->pcap);
	fflush(r->pcap);
	if (bit == 2 || bit == 4 || bit == 8)
		dir = (mark & 0x100) ? "reply" : "original";
	fprintf(r->csv, "%" PRIu64 ",%" PRIu64 ",%s,%s,0x%x,0x%x,%s\n",
		r->packets,
		(uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
		state, dir, mark >> 16, mark, r->reason);
	fflush(r->csv);
	r->reason[0] = '\0';
	snprintf(ack, sizeof(ack), "%" PRIu64, r->packets);
	send_ack(r, ack);
}

static int
msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct recorder *r = data;
	const struct nlattr *tb[NFULA_MAX + 1] = { NULL };
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	uint16_t group = ntohs(nfg->res_id);
	uint32_t mark = 0;

	if ((nlh->nlmsg_type & 0xff) != NFULNL_MSG_PACKET)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, tb);
	if (group == DIAG_GROUP && group != r->group) {
		if (tb[NFULA_PREFIX])
			add_reason(r, mnl_attr_get_str(tb[NFULA_PREFIX]));
		return MNL_CB_OK;
	}
	if (group != r->group || !tb[NFULA_PAYLOAD])
		return MNL_CB_OK;
	if (tb[NFULA_MARK])
		mark = ntohl(mnl_attr_get_u32(tb[NFULA_MARK]));
	record(r, mnl_attr_get_payload(tb[NFULA_PAYLOAD]),
	       mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]), mark);
	return MNL_CB_OK;
}

static void
usage(void)
{
	fputs("usage: udpct-conformance-recorder --group N --pcap FILE "
	      "--csv FILE [--ack SOCKET]\n", stderr);
	exit(2);
}

static FILE *
open_out(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "recorder: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "pcap", required_argument, NULL, 'p' },
		{ "csv", required_argument, NULL, 'c' },
		{ "ack", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct recorder r = { .group = 0xffff, .ack_fd = -1 };
	const char *pcap_path = NULL, *csv_path = NULL, *ack_path = NULL;
	char buf[1 << 17];
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	int opt, rcvbuf = 16 << 20;
	ssize_t n;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'g': r.group = (uint16_t)atoi(optarg); break;
		case 'p': pcap_path = optarg; break;
		case 'c': csv_path = optarg; break;
		case 'a': ack_path = optarg; break;
		default: usage();
		}
	}
	if (r.group == 0xffff || r.group == DIAG_GROUP || !pcap_path ||
	    !csv_path || optind != argc)
		usage();

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (ack_path) {
		if (strlen(ack_path) >= sizeof(r.ack_addr.sun_path)) {
			fprintf(stderr, "recorder: --ack path too long\n");
			return 2;
		}
		r.ack_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (r.ack_fd < 0)
			die("unix socket");
		r.ack_addr.sun_family = AF_UNIX;
		strcpy(r.ack_addr.sun_path, ack_path);
		r.ack = true;
	}

	r.pcap = open_out(pcap_path);
	r.csv = open_out(csv_path);
	/* pcap, nanosecond timestamps, LINKTYPE_RAW */
	put_u32(r.pcap, 0xa1b23c4d);
	fwrite("\x02\x00\x04\x00", 1, 4, r.pcap);
	put_u32(r.pcap, 0);
	put_u32(r.pcap, 0);
	put_u32(r.pcap, 65535);
	put_u32(r.pcap, 101);
	fflush(r.pcap);
	fputs("packet,time_ns,state,dir,status,mark,reason\n", r.csv);
	fflush(r.csv);

	r.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!r.nl)
		die("netlink socket");
	if (mnl_socket_bind(r.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink bind");
	r.portid = mnl_socket_get_portid(r.nl);
	if (setsockopt(mnl_socket_get_fd(r.nl), SOL_SOCKET, SO_RCVBUFFORCE,
		       &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(r.nl), SOL_SOCKET, SO_RCVBUF,
			   &rcvbuf, sizeof(rcvbuf));
	/* per-family binding is a no-op on current kernels; harmless */
	config(&r, 0, AF_INET, NFULNL_CFG_CMD_PF_BIND, false);
	config(&r, 0, AF_INET6, NFULNL_CFG_CMD_PF_BIND, false);
	if (config(&r, r.group, AF_UNSPEC, NFULNL_CFG_CMD_BIND, false) < 0 ||
	    config(&r, r.group, AF_UNSPEC, NFULNL_CFG_CMD_NONE, true) < 0)
		die("binding the NFLOG group");
	if (config(&r, DIAG_GROUP, AF_UNSPEC, NFULNL_CFG_CMD_BIND, false) < 0 ||
	    config(&r, DIAG_GROUP, AF_UNSPEC, NFULNL_CFG_CMD_NONE, true) < 0)
		die("binding NFLOG group 0 (conntrack diagnostics)");
	send_ack(&r, "ready");

	pfd.fd = mnl_socket_get_fd(r.nl);
	pfd.events = POLLIN;
	while (!stop) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = mnl_socket_recvfrom(r.nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* ENOBUFS: records were lost; the run is worthless */
			die("netlink receive (records lost)");
		}
		if (mnl_cb_run(buf, (size_t)n, 0, r.portid, msg_cb, &r) < 0 &&
		    errno != 0)
			fprintf(stderr, "recorder: bad message: %s\n",
				strerror(errno));
	}
	fclose(r.pcap);
	fclose(r.csv);
	mnl_socket_close(r.nl);
	return 0;
}
