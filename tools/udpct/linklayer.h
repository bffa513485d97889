/* SPDX-License-Identifier: MIT */
/*
 * linklayer.h - locate the IP header inside a captured frame.
 *
 * The library takes packets that start at the IP header; captures start at
 * the link layer.  This module strips what the capture's link type puts in
 * front (Ethernet and its VLAN tags, Linux cooked headers, BSD loopback, PPP,
 * MPLS labels) and says whether an IPv4/IPv6 packet follows.
 */
#ifndef UDPCT_TOOL_LINKLAYER_H
#define UDPCT_TOOL_LINKLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* LINKTYPE_RAW; libpcap usually maps it to DLT_RAW (12 or 14) already. */
#define LL_LINKTYPE_RAW 101

enum ll_kind {
	LL_IP,		/* an IPv4 or IPv6 header starts at the offset */
	LL_NOT_IP,	/* ARP, LLDP, 802.2 LLC, ...: not for the library */
	LL_TRUNCATED,	/* the capture ends inside the link-layer header */
};

/**
 * @return true when ll_find_l3() understands frames of @dlt (a DLT_* value
 *         from pcap_datalink()).
 */
bool ll_supported(int dlt);

/**
 * Find the IP header of one frame.
 *
 * @param dlt     the capture's link type; must satisfy ll_supported().
 * @param frame   captured bytes.
 * @param caplen  number of captured bytes.
 * @param offset  set to the IP header's offset when LL_IP is returned.
 * @return LL_IP, LL_NOT_IP or LL_TRUNCATED.
 */
enum ll_kind ll_find_l3(int dlt, const uint8_t *frame, size_t caplen,
			size_t *offset);

#endif /* UDPCT_TOOL_LINKLAYER_H */
