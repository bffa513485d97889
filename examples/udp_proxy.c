/* SPDX-License-Identifier: MIT */
/*
 * udp_proxy - a UDP proxy that keeps one upstream socket per client flow,
 * with libudpct deciding when a flow starts, when it is established and
 * when it is idle long enough to close (the kernel's 30 s / 120 s rules).
 *
 * A proxy knows its tuples already, so it uses udpct_classify_tuple() and
 * the per-flow user data (here: the upstream socket).  Flows that expire
 * are reported by udpct_table_advance(), which closes their sockets.
 *
 *   udp_proxy LISTEN_PORT UPSTREAM_PORT   proxy 127.0.0.1:LISTEN to
 *                                         127.0.0.1:UPSTREAM until killed
 *   udp_proxy --selftest                  an echo server, the proxy and
 *                                         three clients on loopback; checks
 *                                         every echo and that idle flows are
 *                                         closed; exits 0 on success
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <udpct/udpct.h>

#define MAX_FLOWS	64
#define MS		1000000ull

struct flow_data {
	int upstream;			/* socket connected to the upstream */
	struct sockaddr_in client;	/* where replies go */
};

struct proxy {
	struct udpct_table *t;
	int listen_fd;
	struct sockaddr_in listen_addr, upstream_addr;
	struct udpct_flow *flows[MAX_FLOWS];	/* for poll(): live flows */
	int closed;			/* upstream sockets closed on expiry */
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
udp_socket(uint16_t port, struct sockaddr_in *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("udp socket");
		exit(1);
	}
	if (bound)
		*bound = a;
	return fd;
}

static void
tuple_of(struct udpct_tuple *t, const struct sockaddr_in *src,
	 const struct sockaddr_in *dst)
{
	udpct_tuple_set_v4(t, src->sin_addr.s_addr, ntohs(src->sin_port),
			   dst->sin_addr.s_addr, ntohs(dst->sin_port), 0);
}

/* Expiry: the flow's upstream socket goes with it. */
static void
on_expire(void *arg, const struct udpct_flow_info *info, void *ud)
{
	struct proxy *p = arg;
	struct flow_data *fd = ud;
	int i;

	(void)info;
	close(fd->upstream);
	p->closed++;
	for (i = 0; i < MAX_FLOWS; i++)
		if (p->flows[i] &&
		    udpct_flow_get_user_data(p->t, p->flows[i]) == ud)
			p->flows[i] = NULL;
}

static void
remember(struct proxy *p, struct udpct_flow *f)
{
	int i;

	for (i = 0; i < MAX_FLOWS; i++) {
		if (!p->flows[i]) {
			p->flows[i] = f;
			return;
		}
	}
}

/* A datagram from a client: classify, open the flow if new, forward. */
static void
from_client(struct proxy *p)
{
	char buf[2048];
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	struct udpct_tuple tup;
	struct udpct_verdict v;
	struct flow_data *fd;
	ssize_t n;

	n = recvfrom(p->listen_fd, buf, sizeof(buf), 0,
		     (struct sockaddr *)&src, &sl);
	if (n < 0)
		return;
	tuple_of(&tup, &src, &p->listen_addr);
	udpct_classify_tuple(p->t, &tup, (uint32_t)n, now_ns(), &v);
	if (v.state == UDPCT_INVALID)
		return;			/* table full: drop, as the kernel */
	if (v.state == UDPCT_NEW && !v.flow) {
		if (udpct_commit(p->t, &v) < 0)
			return;
		fd = udpct_flow_get_user_data(p->t, v.flow);
		fd->client = src;
		fd->upstream = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd->upstream < 0 ||
		    connect(fd->upstream, (struct sockaddr *)&p->upstream_addr,
			    sizeof(p->upstream_addr)) < 0) {
			perror("upstream");
			exit(1);
		}
		remember(p, v.flow);
	}
	fd = udpct_flow_get_user_data(p->t, v.flow);
	send(fd->upstream, buf, (size_t)n, 0);
}

/* A reply from upstream on a flow's socket: the flow's reply direction. */
static void
from_upstream(struct proxy *p, struct udpct_flow *f)
{
	struct flow_data *fd = udpct_flow_get_user_data(p->t, f);
	struct udpct_tuple tup;
	struct udpct_verdict v;
	char buf[2048];
	ssize_t n = recv(fd->upstream, buf, sizeof(buf), 0);

	if (n < 0)
		return;
	tuple_of(&tup, &p->listen_addr, &fd->client);
	udpct_classify_tuple(p->t, &tup, (uint32_t)n, now_ns(), &v);
	if (v.flow == f)	/* ESTABLISHED, reply direction */
		sendto(p->listen_fd, buf, (size_t)n, 0,
		       (struct sockaddr *)&fd->client, sizeof(fd->client));
}

static void
proxy_poll(struct proxy *p, int timeout_ms)
{
	struct pollfd pfd[MAX_FLOWS + 1];
	struct udpct_flow *who[MAX_FLOWS + 1];
	int i, n = 1;

	pfd[0] = (struct pollfd){ .fd = p->listen_fd, .events = POLLIN };
	for (i = 0; i < MAX_FLOWS; i++) {
		if (!p->flows[i])
			continue;
		who[n] = p->flows[i];
		pfd[n++] = (struct pollfd){
			.fd = ((struct flow_data *)udpct_flow_get_user_data(
				       p->t, p->flows[i]))->upstream,
			.events = POLLIN };
	}
	if (poll(pfd, (nfds_t)n, timeout_ms) > 0) {
		if (pfd[0].revents & POLLIN)
			from_client(p);
		for (i = 1; i < n; i++)
			if (pfd[i].revents & POLLIN)
				from_upstream(p, who[i]);
	}
	udpct_table_advance(p->t, now_ns(), 0, on_expire, p);
}

static void
proxy_init(struct proxy *p, uint16_t listen_port, uint16_t upstream_port,
	   uint64_t timeout_ns)
{
	struct udpct_config cfg;

	memset(p, 0, sizeof(*p));
	udpct_config_init(&cfg);
	cfg.capacity = MAX_FLOWS;
	cfg.flags = UDPCT_CFG_FULL_REFUSE;	/* never evict a live socket */
	cfg.user_data_size = sizeof(struct flow_data);
	cfg.udp_timeout_ns = timeout_ns;
	if (udpct_table_new(&cfg, &p->t)) {
		fprintf(stderr, "udpct_table_new failed\n");
		exit(1);
	}
	p->listen_fd = udp_socket(listen_port, &p->listen_addr);
	p->upstream_addr = (struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(upstream_port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
}

/* --selftest: echo server thread + proxy + three clients. */
static volatile int echo_stop;

static void *
echo_server(void *arg)
{
	int fd = *(int *)arg;
	struct sockaddr_in src;
	socklen_t sl;
	char buf[2048];
	ssize_t n;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (!echo_stop) {
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		sl = sizeof(src);
		n = recvfrom(fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&src, &sl);
		if (n > 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&src,
			       sl);
	}
	return NULL;
}

static int
selftest(void)
{
	struct sockaddr_in up;
	int echo_fd = udp_socket(0, &up), clients[3], i, k, ok = 0;
	struct udpct_stats st;
	struct proxy p;
	pthread_t th;
	char buf[64];
	uint64_t t0;

	pthread_create(&th, NULL, echo_server, &echo_fd);
	proxy_init(&p, 0, ntohs(up.sin_port), 300 * MS);
	for (i = 0; i < 3; i++) {
		clients[i] = udp_socket(0, NULL);
		connect(clients[i], (struct sockaddr *)&p.listen_addr,
			sizeof(p.listen_addr));
	}
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 3; i++) {
			snprintf(buf, sizeof(buf), "client %d message %d", i, k);
			send(clients[i], buf, strlen(buf) + 1, 0);
			proxy_poll(&p, 100);	/* client -> upstream */
			proxy_poll(&p, 100);	/* upstream -> client */
			if (recv(clients[i], buf, sizeof(buf),
				 MSG_DONTWAIT) > 0 &&
			    buf[7] == (char)('0' + i))
				ok++;
		}
	}
	udpct_table_get_stats(p.t, &st);
	printf("echoes %d/12, flows %llu, live %llu\n", ok,
	       (unsigned long long)st.inserted, (unsigned long long)st.live);
	/* Idle: all three flows must expire and close their sockets. */
	for (t0 = now_ns(); p.closed < 3 && now_ns() - t0 < 2000 * MS;)
		proxy_poll(&p, 20);
	printf("closed after idle: %d\n", p.closed);
	echo_stop = 1;
	pthread_join(th, NULL);
	udpct_table_free(p.t);
	return ok == 12 && st.inserted == 3 && p.closed == 3 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	struct proxy p;

	if (argc == 2 && strcmp(argv[1], "--selftest") == 0)
		return selftest();
	if (argc != 3) {
		fprintf(stderr, "usage: udp_proxy LISTEN_PORT UPSTREAM_PORT | "
			"--selftest\n");
		return 2;
	}
	proxy_init(&p, (uint16_t)atoi(argv[1]), (uint16_t)atoi(argv[2]),
		   0);
	for (;;)
		proxy_poll(&p, 1000);
}
