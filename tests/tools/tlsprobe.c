/* tlsprobe.c - sends one SIP OPTIONS over siptty's TLS transport and reports whether the server was refused and how many SIP bytes left. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/loop.h"
#include "sip/transport.h"

/*
 * Usage: tlsprobe ADDRESS PORT DOMAIN CA_FILE [TIMEOUT_MS]
 * Prints, one per line:
 *   verified                 the server was authenticated for DOMAIN
 *   refused <errno-name>     the flow closed before it was ready
 *   text <sentence>          the sentence the user would read
 *   sip-bytes-sent N         application bytes the transport wrote
 * Exit: 0 verified and the OPTIONS written, 3 refused, 2 anything else.
 * Only CA_FILE is trusted (not the system store), so a self-signed
 * certificate is unknown here as it is on a user's machine.
 */

static const char options_fmt[] =
	"OPTIONS sip:%s SIP/2.0\r\n"
	"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKprobe1\r\n"
	"Max-Forwards: 70\r\n"
	"To: <sip:%s>\r\n"
	"From: <sip:probe@%s>;tag=probe\r\n"
	"Call-ID: tlsprobe-1\r\n"
	"CSeq: 1 OPTIONS\r\n"
	"Content-Length: 0\r\n\r\n";

struct probe {
	struct loop *loop;
	struct sip_flow *flow;
	size_t len;
	int result;          /* -1 pending, 0 verified, 3 refused */
};

static void on_recv(const struct sip_rx *rx, void *arg)
{
	(void)rx;
	(void)arg;
}

static void on_event(struct sip_flow *flow, const struct sip_flow_event *ev,
		     void *arg)
{
	struct probe *p = arg;

	(void)flow;
	switch (ev->type) {
	case SIP_FLOW_TLS_VERIFIED:
		printf("verified\n");
		p->result = 0;
		break;
	case SIP_FLOW_CLOSED:
		if (p->result < 0) {
			printf("refused %s\n", ev->err == EACCES ? "EACCES" :
			       ev->err == EPROTO ? "EPROTO" :
			       ev->err == ECONNRESET ? "ECONNRESET" :
			       ev->err == ETIMEDOUT ? "ETIMEDOUT" :
			       ev->err == ECONNREFUSED ? "ECONNREFUSED" : "other");
			printf("text %s\n", ev->text ? ev->text : "");
			printf("dropped %zu\n", ev->dropped);
			p->result = 3;
		}
		break;
	default:
		break;
	}
}

int main(int argc, char **argv)
{
	struct sip_transport_conf conf = {.no_system_ca = true};
	struct sip_transport *tp = NULL;
	struct probe p = {.result = -1};
	struct sip_target t;
	char msg[1024];
	unsigned long port, timeout = 8000;
	uint64_t end;
	int rc = 2, err;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: tlsprobe ADDRESS PORT DOMAIN CA_FILE [TIMEOUT_MS]\n");
		return 2;
	}
	port = strtoul(argv[2], NULL, 10);
	if (argc == 6)
		timeout = strtoul(argv[5], NULL, 10);
	memset(&t, 0, sizeof(t));
	t.tp = SIP_TP_TLS;
	if (inet_pton(AF_INET, argv[1], &((struct sockaddr_in *)&t.addr)->sin_addr) == 1) {
		((struct sockaddr_in *)&t.addr)->sin_family = AF_INET;
		((struct sockaddr_in *)&t.addr)->sin_port = htons((uint16_t)port);
		t.addrlen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, argv[1],
			     &((struct sockaddr_in6 *)&t.addr)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&t.addr)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&t.addr)->sin6_port = htons((uint16_t)port);
		t.addrlen = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "tlsprobe: bad address %s\n", argv[1]);
		return 2;
	}
	snprintf(t.host, sizeof(t.host), "%s", argv[1]);
	conf.ca_file = argv[4];
	if (loop_alloc(&p.loop))
		return 2;
	err = sip_transport_alloc(&tp, p.loop, &conf, on_recv, on_event, &p);
	if (err) {
		fprintf(stderr, "tlsprobe: transport: %s\n", strerror(err));
		goto out;
	}
	p.len = (size_t)snprintf(msg, sizeof(msg), options_fmt, argv[3], argv[3],
				 argv[3]);
	err = sip_transport_send(tp, &t, argv[3], msg, p.len, &p.flow);
	if (err) {
		fprintf(stderr, "tlsprobe: send: %s\n", strerror(err));
		goto out;
	}
	end = loop_now_ms() + timeout;
	/* Until refused, or verified and the whole OPTIONS written. */
	while (loop_now_ms() < end &&
	       !(p.result == 3 ||
		 (p.result == 0 && sip_flow_tx_bytes(p.flow) >= p.len)))
		(void)loop_once(p.loop, 50);
	printf("sip-bytes-sent %llu\n",
	       (unsigned long long)sip_flow_tx_bytes(p.flow));
	rc = p.result < 0 ? 2 : p.result;
	if (p.result < 0)
		printf("timeout\n");
 out:
	sip_flow_unref(p.flow);
	sip_transport_free(tp);
	loop_free(p.loop);
	fflush(stdout);
	return rc;
}
