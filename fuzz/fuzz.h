/* SPDX-License-Identifier: MIT */
#ifndef UDPCT_FUZZ_H
#define UDPCT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
