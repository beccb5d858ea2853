/* scrub.c - the privacy choke point (pass-through until the privacy issue fills it in). */
#include <config.h>

#include <errno.h>

#include "sip/msg.h"
#include "ua/scrub.h"

static uint64_t scrubbed;

int scrub_print(struct buf *out, const struct sip_msg *msg,
		const struct scrub_policy *policy)
{
	(void)policy;
	if (!out || !msg)
		return EINVAL;
	scrubbed++;
	return sip_msg_print(out, msg);
}

uint64_t scrub_count(void)
{
	return scrubbed;
}
