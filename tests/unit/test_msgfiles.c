/* test_msgfiles.c - siptty's own message files (tests/data/msg) against tests/data/msg/messages.expect. */
#include <config.h>

#include "test_msg_check.h"

int main(void)
{
	return expect_main("msgfiles", "msg/messages.expect", "msg");
}
