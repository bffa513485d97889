/* SPDX-License-Identifier: MIT */
/*
 * names.c - stable names of states, directions and INVALID reasons, made
 * from the same X-macro lists as the enums so they cannot drift apart.
 */
#include <udpct/classify.h>

#include "internal.h"

static const char *const state_names[] = {
#define X(e, s) s,
	UDPCT_STATE_LIST(X)
#undef X
};

static const char *const reason_names[] = {
#define X(e, s) s,
	UDPCT_REASON_LIST(X)
#undef X
};

UDPCT_EXPORT const char *
udpct_state_name(enum udpct_state s)
{
	return (unsigned)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

UDPCT_EXPORT const char *
udpct_dir_name(enum udpct_dir d)
{
	switch (d) {
	case UDPCT_DIR_ORIGINAL:
		return "original";
	case UDPCT_DIR_REPLY:
		return "reply";
	default:
		return "";
	}
}

UDPCT_EXPORT const char *
udpct_reason_name(enum udpct_invalid_reason r)
{
	return (unsigned)r < ARRAY_SIZE(reason_names) ? reason_names[r] : "?";
}
