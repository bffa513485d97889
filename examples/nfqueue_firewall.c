/* SPDX-License-Identifier: MIT */
/*
 * nfqueue_firewall - a userspace stateful UDP firewall on NFQUEUE: the
 * seed question's ruleset, with libudpct as the connection tracker.
 *
 *   accept  ESTABLISHED, RELATED         (replies, ICMP errors, TFTP data)
 *   accept  NEW udp to port 53           (outgoing DNS)
 *   drop    everything else UDP; other protocols pass untouched
 *
 * Only accepted packets are committed, so a dropped unsolicited datagram
 * leaves no trace and cannot make a later packet look like a reply: the
 * same two-phase rule as the kernel's confirmation.
 *
 * Run (root; a kernel with NFQUEUE; test traffic in a namespace of yours):
 *   iptables -A FORWARD -p udp -j NFQUEUE --queue-num 0
 *   iptables -A FORWARD -p icmp -j NFQUEUE --queue-num 0
 *   nfqueue_firewall 0
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <udpct/udpct.h>

static struct udpct_table *table;
static unsigned long counts[2];		/* accepted, dropped */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The ruleset, on the verdict alone. */
static int
ruleset(const struct udpct_verdict *v)
{
	switch (v->state) {
	case UDPCT_ESTABLISHED:
	case UDPCT_RELATED:
	case UDPCT_IGNORED:		/* not ours to judge */
		return NF_ACCEPT;
	case UDPCT_NEW:
		return v->tuple.dport == 53 ? NF_ACCEPT : NF_DROP;
	default:
		return NF_DROP;		/* INVALID */
	}
}

static int
on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa,
	  void *arg)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
	unsigned char *pkt;
	struct udpct_verdict v;
	int len = nfq_get_payload(nfa, &pkt), verdict = NF_ACCEPT;

	(void)msg;
	(void)arg;
	if (len >= 0 &&
	    udpct_classify(table, pkt, (size_t)len, now_ns(), &v) == 0) {
		verdict = ruleset(&v);
		/* Confirm only what passes; a failed commit drops. */
		if (verdict == NF_ACCEPT && udpct_commit(table, &v) < 0)
			verdict = NF_DROP;
	}
	counts[verdict == NF_ACCEPT ? 0 : 1]++;
	return nfq_set_verdict(qh, ntohl(ph->packet_id), (uint32_t)verdict,
			       0, NULL);
}

int
main(int argc, char **argv)
{
	struct nfq_q_handle *qh;
	struct nfq_handle *h;
	struct udpct_helper tftp;
	char buf[65536] __attribute__((aligned));
	uint64_t last = 0;
	ssize_t n;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: nfqueue_firewall QUEUE_NUM\n");
		return 2;
	}
	if (udpct_table_new(NULL, &table))
		return 1;
	udpct_helper_tftp(&tftp, 0);	/* nft: udp dport 69 ct helper set */
	udpct_helper_register(table, &tftp);
	h = nfq_open();
	if (!h || nfq_bind_pf(h, AF_INET) < 0) {
		perror("nfq_open");
		return 1;
	}
	qh = nfq_create_queue(h, (uint16_t)atoi(argv[1]), on_packet, NULL);
	if (!qh || nfq_set_mode(qh, NFQNL_COPY_PACKET, 0xffff) < 0) {
		perror("nfq_create_queue");
		return 1;
	}
	fd = nfq_fd(h);
	while ((n = recv(fd, buf, sizeof(buf), 0)) >= 0) {
		nfq_handle_packet(h, buf, (int)n);
		/* Expire idle flows every 100 ms, a bounded amount each. */
		if (now_ns() - last > 100000000ull) {
			last = now_ns();
			udpct_table_advance(table, last, 4096, NULL, NULL);
			fprintf(stderr, "accepted %lu dropped %lu\n", counts[0],
				counts[1]);
		}
	}
	nfq_destroy_queue(qh);
	nfq_close(h);
	udpct_table_free(table);
	return 0;
}
