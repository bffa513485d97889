/* SPDX-License-Identifier: MIT */
#include <udpct/udpct.h>

#include "internal.h"

UDPCT_EXPORT unsigned
udpct_version(void)
{
	return UDPCT_VERSION_NUMBER;
}
