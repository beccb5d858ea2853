/* test_rfc4475.c - every RFC 4475 torture message against its expected outcome in tests/data/rfc4475.expect. */
#include <config.h>

#include "test_msg_check.h"

int main(void)
{
	return expect_main("rfc4475", "rfc4475.expect", "rfc4475");
}
