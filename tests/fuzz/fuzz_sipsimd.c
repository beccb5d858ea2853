/* fuzz_sipsimd.c - libFuzzer target: the SIP parser's vector paths and its plain ones must decode every input to the same fields. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/sipsimd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each input decoded with the vector paths on and off (see
 * tests/sipsimd.c); two decodes that differ are a crash. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (sipsimd_differ((const char *)data, size, stderr, "fuzz_sipsimd"))
		abort();
	return 0;
}
