// SPDX-License-Identifier: MIT
//
// The public headers are usable from C++: extern "C" linkage, no C-only
// keywords or constructs, and the library links into a C++ program.

#include <udpct/udpct.h>

#include <cstdio>

int main()
{
	struct udpct_config cfg;
	struct udpct_tuple a, b;
	struct udpct_stats st;
	enum udpct_state s = UDPCT_ESTABLISHED;

	udpct_config_init(&cfg);
	udpct_tuple_set_v4(&a, 0x0100007f, 40001, 0x0200007f, 53, 0);
	udpct_tuple_invert(&b, &a);
	(void)st;

	if (udpct_version() != UDPCT_VERSION_NUMBER)
		return 1;
	if (cfg.size != sizeof(cfg) || udpct_tuple_equal(&a, &b))
		return 1;
	std::printf("udpct %s from C++: %s\n", UDPCT_VERSION_STRING,
		    udpct_state_name(s));
	return 0;
}
