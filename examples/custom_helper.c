/* SPDX-License-Identifier: MIT */
/*
 * custom_helper - writing your own conntrack helper (docs/helpers.md).
 *
 * The protocol is made up, and is the smallest one that needs a helper.
 * A client sends a request to UDP port 5000; its first two bytes are a
 * port number, big-endian, and the server answers *from that port*:
 *
 *     192.0.2.1:40000    -> 198.51.100.7:5000   "\x1f\x90" (8080) + data
 *     198.51.100.7:8080  -> 192.0.2.1:40000     the answer
 *
 * To a tuple-matching tracker the answer is a new, unrelated flow (NEW).
 * A helper attached to port 5000 reads the port from the request and
 * announces the answer with udpct_expect(), so the answer is RELATED,
 * like TFTP's data from a new port.  Any other port stays NEW.
 *
 * The program builds the four packets itself (IPv4 + UDP), classifies
 * them, prints each verdict and exits 0 when all four are what the
 * comments say.  It is built and run as a test ('example-custom_helper').
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <udpct/udpct.h>

#define ANNOUNCE_PORT 5000
#define NSEC 1000000000ull

/*
 * Step 1: the hook.  The table calls it at udpct_commit() for every
 * accepted packet of a flow the helper is attached to (both directions),
 * with the UDP payload.  It runs outside the table's writer lock, so it
 * may call udpct_expect() and udpct_flow_set_timeout(); it must not call
 * udpct_table_advance() or udpct_table_scan() on the same table.
 * Returning a negative errno tells the caller to drop the packet
 * (udpct_commit() returns it).
 */
static int
announce_help(const struct udpct_helper *h, struct udpct_table *t,
	      struct udpct_flow *flow, enum udpct_dir dir,
	      const uint8_t *payload, size_t len, uint64_t now_ns)
{
	struct udpct_flow_info info;
	struct udpct_expect e;
	uint16_t port;
	int err;

	/* Only requests, i.e. the client's packets, announce a port.
	 * payload is NULL for udpct_classify_tuple() packets. */
	if (dir != UDPCT_DIR_ORIGINAL || !payload || len < 2)
		return 0;
	port = (uint16_t)(payload[0] << 8 | payload[1]);
	if (port == 0)
		return 0;
	err = udpct_flow_get_info(t, flow, &info);
	if (err)
		return err;

	/*
	 * Step 2: describe the expected flow by its *original* tuple (its
	 * first packet's): the request's reply tuple, server -> client,
	 * with the source port replaced by the announced one.
	 */
	memset(&e, 0, sizeof(e));
	udpct_tuple_invert(&e.tuple, &info.tuple);
	e.tuple.sport = port;
	/* Which bits must match: all of it here.  A 0 in a mask is a
	 * wildcard (TFTP leaves the source port 0: "any port"). */
	memset(e.mask.saddr, 0xff, sizeof(e.mask.saddr));
	memset(e.mask.daddr, 0xff, sizeof(e.mask.daddr));
	e.mask.sport = 0xffff;
	e.mask.dport = 0xffff;
	e.timeout_ns = h->data[0]; /* a parameter given at registration */
	e.flags = 0; /* single use: the first match eats it */
	e.max_per_master = 1; /* a new request replaces the old one */

	/* Step 3: register it.  -EBUSY (another flow expects the same),
	 * -ENOSPC (expect_max reached): returned, so the request is
	 * dropped, as the kernel's helpers do. */
	return udpct_expect(t, flow, &e, now_ns);
}

/* A minimal IPv4/UDP packet: header checksum right, UDP checksum 0
 * ("none", valid for IPv4). */
static size_t
build(uint8_t *p, const char *src, uint16_t sport, const char *dst,
      uint16_t dport, const void *payload, size_t plen)
{
	uint32_t sum = 0, s, d;
	size_t n = 28 + plen, i;

	memset(p, 0, 28);
	p[0] = 0x45; /* IPv4, 20-byte header */
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[8] = 64; /* TTL */
	p[9] = 17; /* UDP */
	s = inet_addr(src);
	d = inet_addr(dst);
	memcpy(p + 12, &s, 4);
	memcpy(p + 16, &d, 4);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (uint8_t)(~sum >> 8);
	p[11] = (uint8_t)~sum;
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(dport >> 8);
	p[23] = (uint8_t)dport;
	p[24] = (uint8_t)((8 + plen) >> 8);
	p[25] = (uint8_t)(8 + plen);
	memcpy(p + 28, payload, plen);
	return n;
}

/* Classify and accept one packet; 0 when it got @want. */
static int
packet(struct udpct_table *t, const char *what, uint64_t now, const char *src,
       uint16_t sport, const char *dst, uint16_t dport, const void *payload,
       size_t plen, enum udpct_state want)
{
	uint8_t buf[128];
	struct udpct_verdict v;
	size_t n = build(buf, src, sport, dst, dport, payload, plen);
	int err;

	if (udpct_classify(t, buf, n, now, &v) != 0)
		return -1;
	/* A firewall would apply its rules here; this one accepts. */
	err = udpct_commit(t, &v);
	printf("%-34s %-11s %s%s\n", what, udpct_state_name(v.state),
	       udpct_dir_name(v.dir), err ? " (helper refused)" : "");
	return err || v.state != want ? -1 : 0;
}

int
main(void)
{
	static const uint8_t request[] = { 0x1f, 0x90, 'h', 'i' }; /* 8080 */
	static const uint8_t answer[] = { 'o', 'k' };
	struct udpct_helper h;
	struct udpct_table *t;
	uint64_t now = NSEC;
	int bad = 0;

	if (udpct_table_new(NULL, &t) != 0)
		return 1;

	/* Step 4: attach the helper to flows created from now on whose
	 * destination port is 5000, in zone 0, IPv4 and IPv6 (family 0),
	 * like nft's `udp dport 5000 ct helper set "announce"`.  The
	 * structure is copied; the name must outlive the table. */
	memset(&h, 0, sizeof(h));
	h.name = "announce";
	h.port = ANNOUNCE_PORT;
	h.zone = 0;
	h.family = 0;
	h.help = announce_help;
	h.data[0] = 60 * NSEC; /* expectations live 60 s */
	if (udpct_helper_register(t, &h) != 0) {
		udpct_table_free(t);
		return 1;
	}

	/* The request: NEW; its commit runs the helper (expects :8080). */
	bad |= packet(t, "request 40000 -> 5000", now, "192.0.2.1", 40000,
		      "198.51.100.7", ANNOUNCE_PORT, request, sizeof(request),
		      UDPCT_NEW);
	/* A port nobody announced: NEW, an unrelated flow. */
	bad |= packet(t, "stray 9999 -> 40000", now + NSEC / 100,
		      "198.51.100.7", 9999, "192.0.2.1", 40000, answer,
		      sizeof(answer), UDPCT_NEW);
	/* The answer from the announced port: RELATED. */
	bad |= packet(t, "answer 8080 -> 40000", now + NSEC / 50,
		      "198.51.100.7", 8080, "192.0.2.1", 40000, answer,
		      sizeof(answer), UDPCT_RELATED);
	/* The client answers back: that flow's first reply, ESTABLISHED;
	 * from now on the flow is ESTABLISHED both ways. */
	bad |= packet(t, "client 40000 -> 8080", now + NSEC / 20, "192.0.2.1",
		      40000, "198.51.100.7", 8080, answer, sizeof(answer),
		      UDPCT_ESTABLISHED);

	udpct_table_free(t);
	return bad ? 1 : 0;
}
