/* qossend.c - runs one qos_session with tokens from the command line against an edge router and prints each state. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/qos.h"
#include "core/events.h"
#include "core/log.h"
#include "core/loop.h"

/*
 * Usage: qossend [-r ROUTER] [-s SADDR:SPORT] [-d DADDR:DPORT]
 *                [-c CODEC] [-p PTIME] [-b BITRATE] [-R REFRESH_MS]
 *                [-t SECONDS] [-u STATE] [-e EVENTS_FILE] [-l LOG_FILE]
 *                [TOKEN...]
 * -r "" (or no -r) sends by raw IP protocol 46; otherwise UDP to ROUTER
 * ("addr" or "addr:port").  Prints "state NAME REASON" on every change;
 * stops at STATE (-u, repeatable) or after SECONDS (default 5), then
 * stops the session (PathTear) and lingers 200 ms.  Exit 0, or 2 on a
 * usage or start error.  IPv4 "addr:port" only for -s and -d.
 */

struct run {
	struct loop *loop;
	const char *until[4];
	int nuntil;
};

static void state_h(enum qos_state s, const char *reason, void *arg)
{
	struct run *r = arg;
	int i;

	printf("state %s %s\n", qos_state_name(s), reason);
	fflush(stdout);
	for (i = 0; i < r->nuntil; i++)
		if (!strcmp(r->until[i], qos_state_name(s)))
			loop_stop(r->loop, 0);
}

static void timeout_h(void *arg)
{
	loop_stop(arg, 0);
}

static int hostport(const char *s, char *host, size_t hsz, uint16_t *port)
{
	const char *c = strrchr(s, ':');
	unsigned long v;
	char *end;

	if (!c || (size_t)(c - s) >= hsz)
		return EINVAL;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = '\0';
	v = strtoul(c + 1, &end, 10);
	if (*end || !v || v > 65535)
		return EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	struct qos_params p;
	struct qos_session *q = NULL;
	struct run r = {0};
	const char *codec = "PCMU", *evfile = NULL, *logfile = NULL;
	unsigned long ptime = 20, bitrate = 0, secs = 5;
	struct tmr t;
	int i, err;

	memset(&p, 0, sizeof(p));
	p.call_id = 1;
	snprintf(p.saddr, sizeof(p.saddr), "127.0.0.1");
	p.sport = 6100;
	snprintf(p.daddr, sizeof(p.daddr), "127.0.0.1");
	p.dport = 6000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1] || a[2])
			break;
		if (i + 1 >= argc) {
			fprintf(stderr, "qossend: %s needs a value\n", a);
			return 2;
		}
		switch (a[1]) {
		case 'r': snprintf(p.edge_router, sizeof(p.edge_router), "%s", argv[++i]); break;
		case 's': if (hostport(argv[++i], p.saddr, sizeof(p.saddr), &p.sport)) goto usage; break;
		case 'd': if (hostport(argv[++i], p.daddr, sizeof(p.daddr), &p.dport)) goto usage; break;
		case 'c': codec = argv[++i]; break;
		case 'p': ptime = strtoul(argv[++i], NULL, 10); break;
		case 'b': bitrate = strtoul(argv[++i], NULL, 10); break;
		case 'R': p.refresh_ms = (uint32_t)strtoul(argv[++i], NULL, 10); break;
		case 't': secs = strtoul(argv[++i], NULL, 10); break;
		case 'e': evfile = argv[++i]; break;
		case 'l': logfile = argv[++i]; break;
		case 'u':
			if (r.nuntil < 4)
				r.until[r.nuntil++] = argv[i + 1];
			i++;
			break;
		default:
			goto usage;
		}
	}
	for (; i < argc && p.ntokens < QOS_MAX_TOKENS; i++)
		p.tokens[p.ntokens++] = argv[i];
	qos_tspec_for(&p.tspec, codec, (uint32_t)ptime, (uint32_t)bitrate);
	if (logfile && log_open(logfile) == 0)
		log_set_level(LOG_DEBUG);
	if (evfile && events_open(evfile)) {
		fprintf(stderr, "qossend: cannot open %s\n", evfile);
		return 2;
	}
	if (loop_alloc(&r.loop))
		return 2;
	err = qos_session_start(&q, r.loop, &p, state_h, &r);
	if (err) {
		printf("start-error %s\n", strerror(err));
		loop_free(r.loop);
		return 2;
	}
	if (!q) {
		printf("state none\n");
		loop_free(r.loop);
		return 0;
	}
	tmr_init(&t);
	tmr_start(r.loop, &t, secs * 1000, timeout_h, r.loop);
	(void)loop_run(r.loop);
	qos_session_stop(q);
	tmr_start(r.loop, &t, 200, timeout_h, r.loop);
	(void)loop_run(r.loop);
	tmr_cancel(&t);
	loop_free(r.loop);
	events_close();
	log_close();
	return 0;
 usage:
	fprintf(stderr, "usage: qossend [-r ROUTER] [-s A:P] [-d A:P] [-c CODEC] [-p PTIME] [-b BITRATE] [-R MS] [-t S] [-u STATE] [-e FILE] [-l FILE] [TOKEN...]\n");
	return 2;
}
