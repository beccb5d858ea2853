/* test_dialog.c - dialogs: route sets, in-dialog requests, CSeq, 481, SIPS, 2xx retransmission. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/loop.h"
#include "sip/dialog.h"
#include "sip/tsx.h"

#define T1 20u
#define LATE (T1 * 3 / 4)

static struct sip_msg *parse(const char *s)
{
	struct sip_msg *m = NULL;

	assert_int_equal(sip_msg_decode(&m, s, strlen(s), 0, NULL), 0);
	return m;
}

static struct sip_msg *reparse(const struct sip_msg *m)
{
	struct sip_msg *w;
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(sip_msg_print(&b, m), 0);
	w = parse(b.data);
	buf_free(&b);
	return w;
}

/* Alice's INVITE (RFC 3665 style) with a scheme for the Request-URI. */
static struct sip_msg *invite(const char *scheme, const char *rr)
{
	char s[2048];

	snprintf(s, sizeof(s),
		 "INVITE %s:bob@biloxi.example.com SIP/2.0\r\n"
		 "Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9\r\n"
		 "%s"
		 "Max-Forwards: 70\r\n"
		 "From: Alice <%s:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		 "To: Bob <%s:bob@biloxi.example.com>\r\n"
		 "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "Contact: <%s:alice@client.atlanta.example.com;transport=tcp>\r\n"
		 "Content-Length: 0\r\n\r\n",
		 scheme, rr ? rr : "", scheme, scheme, scheme);
	return parse(s);
}

static struct sip_msg *response(uint16_t status, const char *totag,
				const char *rr, const char *contact)
{
	char s[2048];

	snprintf(s, sizeof(s),
		 "SIP/2.0 %u X\r\n"
		 "Via: SIP/2.0/TLS client.atlanta.example.com:5061;branch=z9hG4bK74bf9\r\n"
		 "%s"
		 "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
		 "To: Bob <sip:bob@biloxi.example.com>%s%s\r\n"
		 "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		 "CSeq: 1 INVITE\r\n"
		 "%s%s%s"
		 "Content-Length: 0\r\n\r\n",
		 status, rr ? rr : "", totag ? ";tag=" : "", totag ? totag : "",
		 contact ? "Contact: <" : "", contact ? contact : "",
		 contact ? ">\r\n" : "");
	return parse(s);
}

/* A request from Bob inside the dialog Alice's INVITE made. */
static struct sip_msg *bob_req(const char *method, uint32_t cseq,
			       const char *totag, const char *contact)
{
	char s[2048];

	snprintf(s, sizeof(s),
		 "%s sip:alice@client.atlanta.example.com SIP/2.0\r\n"
		 "Via: SIP/2.0/TLS ss1.example.com:5061;branch=z9hG4bKb0b\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: Bob <sip:bob@biloxi.example.com>;tag=314159\r\n"
		 "To: Alice <sip:alice@atlanta.example.com>%s%s\r\n"
		 "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
		 "CSeq: %u %s\r\n"
		 "%s%s%s"
		 "Content-Length: 0\r\n\r\n",
		 method, totag ? ";tag=" : "", totag ? totag : "", cseq, method,
		 contact ? "Contact: <" : "", contact ? contact : "",
		 contact ? ">\r\n" : "");
	return parse(s);
}

static const char *RR2 =
	"Record-Route: <sip:ss2.biloxi.example.com;lr>\r\n"
	"Record-Route: <sip:ss1.atlanta.example.com;lr>\r\n";

static struct sip_dialog *uac_dialog(const char *scheme, const char *rr,
				     const char *contact)
{
	struct sip_msg *req = invite(scheme, NULL);
	struct sip_msg *resp = response(200, "314159", rr, contact);
	struct sip_dialog *d = NULL;

	assert_int_equal(sip_dialog_alloc_uac(&d, req, resp), 0);
	sip_msg_free(req);
	sip_msg_free(resp);
	return d;
}

static void hdr_is(struct sip_msg *m, enum sip_hdr_id id, size_t n,
		   const char *want)
{
	size_t i = 0;
	const struct sip_hdr *h = NULL;

	for (size_t k = 0; k <= n; k++)
		h = sip_msg_hdr_next(m, id, &i);
	assert_non_null(h);
	if (!pl_eq_str(&h->val, want))
		fail_msg("header %d #%zu is '%.*s', want '%s'", (int)id, n,
			 PL_FMT(&h->val), want);
}

static void ruri_is(struct sip_msg *m, const char *want)
{
	struct pl r = sip_msg_ruri_raw(m);

	if (!pl_eq_str(&r, want))
		fail_msg("Request-URI '%.*s', want '%s'", PL_FMT(&r), want);
}

static void test_uac_from_2xx(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", RR2, "sip:bob@client.biloxi.example.com");

	(void)state;
	assert_int_equal(sip_dialog_state(d), SIP_DIALOG_CONFIRMED);
	assert_string_equal(sip_dialog_callid(d),
			    "3848276298220188511@atlanta.example.com");
	assert_string_equal(sip_dialog_local_tag(d), "9fxced76sl");
	assert_string_equal(sip_dialog_remote_tag(d), "314159");
	assert_string_equal(sip_dialog_remote_target(d),
			    "sip:bob@client.biloxi.example.com");
	/* Reversed for the UAC: the proxy nearest to us first. */
	assert_int_equal(sip_dialog_route_count(d), 2);
	assert_string_equal(sip_dialog_route(d, 0),
			    "<sip:ss1.atlanta.example.com;lr>");
	assert_string_equal(sip_dialog_route(d, 1),
			    "<sip:ss2.biloxi.example.com;lr>");
	assert_null(sip_dialog_route(d, 2));
	assert_int_equal(sip_dialog_local_cseq(d), 1);
	assert_false(sip_dialog_secure(d));
	sip_dialog_free(d);
}

static void test_uac_early_then_confirmed(void **state)
{
	struct sip_msg *req = invite("sip", NULL);
	struct sip_msg *r180 = response(180, "314159",
		"Record-Route: <sip:ss1.atlanta.example.com;lr>\r\n",
		"sip:bob@early.example.com");
	struct sip_msg *r180nt = response(180, NULL, NULL, NULL);
	struct sip_msg *r200 = response(200, "314159", RR2,
					"sip:bob@final.example.com");
	struct sip_dialog *d = NULL;

	(void)state;
	assert_int_equal(sip_dialog_alloc_uac(&d, req, r180nt), EINVAL);
	assert_int_equal(sip_dialog_alloc_uac(&d, req, r180), 0);
	assert_int_equal(sip_dialog_state(d), SIP_DIALOG_EARLY);
	assert_int_equal(sip_dialog_route_count(d), 1);
	assert_string_equal(sip_dialog_remote_target(d), "sip:bob@early.example.com");
	assert_true(sip_dialog_match(d, r200));
	assert_int_equal(sip_dialog_recv_response(d, r200), 0);
	assert_int_equal(sip_dialog_state(d), SIP_DIALOG_CONFIRMED);
	/* 12.1.2: the route set is recomputed from the 2xx. */
	assert_int_equal(sip_dialog_route_count(d), 2);
	assert_string_equal(sip_dialog_remote_target(d), "sip:bob@final.example.com");
	sip_dialog_free(d);
	sip_msg_free(req);
	sip_msg_free(r180);
	sip_msg_free(r180nt);
	sip_msg_free(r200);
}

static void test_uas_from_request(void **state)
{
	struct sip_msg *req = invite("sip", RR2), *bye;
	struct sip_dialog *d = NULL;

	(void)state;
	assert_int_equal(sip_dialog_alloc_uas(&d, req, "8321234356"), 0);
	assert_int_equal(sip_dialog_state(d), SIP_DIALOG_EARLY);
	sip_dialog_confirm(d);
	assert_int_equal(sip_dialog_state(d), SIP_DIALOG_CONFIRMED);
	assert_string_equal(sip_dialog_local_tag(d), "8321234356");
	assert_string_equal(sip_dialog_remote_tag(d), "9fxced76sl");
	assert_string_equal(sip_dialog_remote_target(d),
			    "sip:alice@client.atlanta.example.com;transport=tcp");
	/* In order for the UAS. */
	assert_string_equal(sip_dialog_route(d, 0),
			    "<sip:ss2.biloxi.example.com;lr>");
	assert_string_equal(sip_dialog_route(d, 1),
			    "<sip:ss1.atlanta.example.com;lr>");
	assert_int_equal(sip_dialog_request_alloc(&bye, d, "BYE"), 0);
	{
		struct sip_msg *w = reparse(bye);

		hdr_is(w, SIP_HDR_FROM, 0,
		       "Bob <sip:bob@biloxi.example.com>;tag=8321234356");
		hdr_is(w, SIP_HDR_TO, 0,
		       "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
		ruri_is(w, "sip:alice@client.atlanta.example.com;transport=tcp");
		/* The UAS's first request picks a CSeq below 2^31. */
		assert_true(sip_dialog_local_cseq(d) >= 1);
		assert_true(sip_dialog_local_cseq(d) < 0x80000000u);
		sip_msg_free(w);
	}
	sip_msg_free(bye);
	/* A request already carrying a To tag creates no dialog. */
	sip_msg_free(req);
	req = bob_req("INVITE", 1, "abc", "sip:x@y");
	assert_int_equal(sip_dialog_alloc_uas(&d, req, "t"), EINVAL);
	sip_msg_free(req);
	sip_dialog_free(d);
}

static void test_request_loose(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", RR2, "sip:bob@client.biloxi.example.com");
	struct sip_msg *bye, *w;

	(void)state;
	assert_int_equal(sip_dialog_request_alloc(&bye, d, "BYE"), 0);
	w = reparse(bye);
	ruri_is(w, "sip:bob@client.biloxi.example.com");
	assert_int_equal(sip_msg_hdr_num(w, SIP_HDR_ROUTE), 2);
	hdr_is(w, SIP_HDR_ROUTE, 0, "<sip:ss1.atlanta.example.com;lr>");
	hdr_is(w, SIP_HDR_ROUTE, 1, "<sip:ss2.biloxi.example.com;lr>");
	hdr_is(w, SIP_HDR_FROM, 0,
	       "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
	hdr_is(w, SIP_HDR_TO, 0, "Bob <sip:bob@biloxi.example.com>;tag=314159");
	hdr_is(w, SIP_HDR_CALL_ID, 0, "3848276298220188511@atlanta.example.com");
	hdr_is(w, SIP_HDR_CSEQ, 0, "2 BYE");
	hdr_is(w, SIP_HDR_MAX_FORWARDS, 0, "70");
	sip_msg_free(w);
	sip_msg_free(bye);
	sip_dialog_free(d);
}

/* 12.2.1.1: a strict router goes in the Request-URI, the remote target
 * at the end of Route. */
static void test_request_strict(void **state)
{
	struct sip_dialog *d = uac_dialog("sip",
		"Record-Route: <sip:ss2.biloxi.example.com;lr>\r\n"
		"Record-Route: <sip:strict.atlanta.example.com;maddr=192.0.2.7>\r\n",
		"sip:bob@client.biloxi.example.com");
	struct sip_msg *m, *w;

	(void)state;
	assert_int_equal(sip_dialog_request_alloc(&m, d, "INFO"), 0);
	w = reparse(m);
	ruri_is(w, "sip:strict.atlanta.example.com;maddr=192.0.2.7");
	assert_int_equal(sip_msg_hdr_num(w, SIP_HDR_ROUTE), 2);
	hdr_is(w, SIP_HDR_ROUTE, 0, "<sip:ss2.biloxi.example.com;lr>");
	hdr_is(w, SIP_HDR_ROUTE, 1, "<sip:bob@client.biloxi.example.com>");
	sip_msg_free(w);
	sip_msg_free(m);
	sip_dialog_free(d);
}

static void test_request_no_route(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", NULL, "sip:bob@192.0.2.4:5070");
	struct sip_msg *m, *w;

	(void)state;
	assert_int_equal(sip_dialog_route_count(d), 0);
	assert_int_equal(sip_dialog_request_alloc(&m, d, "OPTIONS"), 0);
	w = reparse(m);
	ruri_is(w, "sip:bob@192.0.2.4:5070");
	assert_int_equal(sip_msg_hdr_num(w, SIP_HDR_ROUTE), 0);
	sip_msg_free(w);
	sip_msg_free(m);
	assert_int_equal(sip_dialog_request_alloc(&m, d, "ACK"), EINVAL);
	assert_int_equal(sip_dialog_request_alloc(&m, d, "CANCEL"), EINVAL);
	sip_dialog_free(d);
}

static void test_local_cseq(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", NULL, "sip:bob@192.0.2.4");
	struct sip_msg *m, *w;
	const struct sip_cseq *cs;

	(void)state;
	for (uint32_t want = 2; want < 5; want++) {
		assert_int_equal(sip_dialog_request_alloc(&m, d, "INFO"), 0);
		w = reparse(m);
		assert_int_equal(sip_msg_cseq(w, &cs), 0);
		assert_int_equal(cs->num, want);
		sip_msg_free(w);
		sip_msg_free(m);
	}
	/* The ACK of a 2xx keeps the INVITE's number and adds nothing. */
	assert_int_equal(sip_dialog_ack_alloc(&m, d, 1), 0);
	w = reparse(m);
	hdr_is(w, SIP_HDR_CSEQ, 0, "1 ACK");
	ruri_is(w, "sip:bob@192.0.2.4");
	sip_msg_free(w);
	sip_msg_free(m);
	assert_int_equal(sip_dialog_local_cseq(d), 4);
	sip_dialog_free(d);
}

static void test_remote_cseq(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", NULL, "sip:bob@192.0.2.4");
	struct sip_msg *m;
	uint16_t status;

	(void)state;
	m = bob_req("INFO", 10, "9fxced76sl", NULL);
	assert_int_equal(sip_dialog_recv_request(d, m, &status), 0);
	assert_int_equal(status, 0);
	sip_msg_free(m);
	m = bob_req("INFO", 11, "9fxced76sl", NULL);
	assert_int_equal(sip_dialog_recv_request(d, m, &status), 0);
	sip_msg_free(m);
	m = bob_req("INFO", 9, "9fxced76sl", NULL);
	assert_int_equal(sip_dialog_recv_request(d, m, &status), EPROTO);
	assert_int_equal(status, 500);
	sip_msg_free(m);
	/* ACK and CANCEL carry an old number on purpose. */
	m = bob_req("ACK", 3, "9fxced76sl", NULL);
	assert_int_equal(sip_dialog_recv_request(d, m, &status), 0);
	assert_int_equal(status, 0);
	sip_msg_free(m);
	sip_dialog_free(d);
}

static void test_target_refresh(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", NULL, "sip:bob@old.example.com");
	struct sip_msg *m;
	uint16_t status;

	(void)state;
	/* INFO is no target refresh: its Contact is ignored. */
	m = bob_req("INFO", 2, "9fxced76sl", "sip:bob@info.example.com");
	assert_int_equal(sip_dialog_recv_request(d, m, &status), 0);
	sip_msg_free(m);
	assert_string_equal(sip_dialog_remote_target(d), "sip:bob@old.example.com");
	/* A re-INVITE from the peer is. */
	m = bob_req("INVITE", 3, "9fxced76sl", "sip:bob@new.example.com");
	assert_int_equal(sip_dialog_recv_request(d, m, &status), 0);
	sip_msg_free(m);
	assert_string_equal(sip_dialog_remote_target(d), "sip:bob@new.example.com");
	/* So is the 2xx to our re-INVITE. */
	m = response(200, "314159", NULL, "sip:bob@newer.example.com");
	assert_int_equal(sip_dialog_recv_response(d, m), 0);
	sip_msg_free(m);
	assert_string_equal(sip_dialog_remote_target(d), "sip:bob@newer.example.com");
	/* An error response changes nothing. */
	m = response(488, "314159", NULL, "sip:bob@no.example.com");
	assert_int_equal(sip_dialog_recv_response(d, m), 0);
	sip_msg_free(m);
	assert_string_equal(sip_dialog_remote_target(d), "sip:bob@newer.example.com");
	sip_dialog_free(d);
}

static void test_481_helper(void **state)
{
	struct sip_dialogs *ds;
	struct sip_dialog *d = uac_dialog("sip", NULL, "sip:bob@192.0.2.4"), *got;
	struct sip_msg *m;
	uint16_t status;

	(void)state;
	assert_int_equal(sip_dialogs_alloc(&ds, 4), 0);
	assert_int_equal(sip_dialogs_add(ds, d), 0);
	/* In the dialog. */
	m = bob_req("BYE", 5, "9fxced76sl", NULL);
	assert_int_equal(sip_dialogs_request(ds, m, &got, &status), 0);
	assert_ptr_equal(got, d);
	sip_msg_free(m);
	/* A To tag we never gave. */
	m = bob_req("BYE", 6, "nosuchtag", NULL);
	assert_int_equal(sip_dialogs_request(ds, m, &got, &status), ENOENT);
	assert_int_equal(status, 481);
	assert_null(got);
	sip_msg_free(m);
	/* Out of any dialog: no To tag, not an error. */
	m = bob_req("OPTIONS", 1, NULL, NULL);
	assert_int_equal(sip_dialogs_request(ds, m, &got, &status), 0);
	assert_null(got);
	assert_int_equal(status, 0);
	sip_msg_free(m);
	/* Out of order inside the dialog: 500. */
	m = bob_req("INFO", 4, "9fxced76sl", NULL);
	assert_int_equal(sip_dialogs_request(ds, m, &got, &status), EPROTO);
	assert_int_equal(status, 500);
	sip_msg_free(m);
	sip_dialogs_remove(ds, d);
	assert_int_equal(sip_dialogs_count(ds), 0);
	m = bob_req("BYE", 7, "9fxced76sl", NULL);
	assert_int_equal(sip_dialogs_request(ds, m, &got, &status), ENOENT);
	assert_int_equal(status, 481);
	sip_msg_free(m);
	sip_dialogs_free(ds);
}

static void test_dialogs_bound(void **state)
{
	struct sip_dialogs *ds;
	struct sip_dialog *a = uac_dialog("sip", NULL, "sip:b@192.0.2.4");
	struct sip_dialog *b = uac_dialog("sip", NULL, "sip:b@192.0.2.4");
	struct sip_msg *req = invite("sip", NULL);
	struct sip_msg *resp = response(200, "other", NULL, "sip:b@192.0.2.5");
	struct sip_dialog *c = NULL;

	(void)state;
	assert_int_equal(sip_dialogs_alloc(&ds, 2), 0);
	assert_int_equal(sip_dialogs_add(ds, a), 0);
	assert_int_equal(sip_dialogs_add(ds, b), EEXIST);   /* same id */
	sip_dialog_free(b);
	/* A second fork (another remote tag) is another dialog. */
	assert_int_equal(sip_dialog_alloc_uac(&c, req, resp), 0);
	assert_int_equal(sip_dialogs_add(ds, c), 0);
	assert_ptr_equal(sip_dialogs_find(ds, resp), c);
	b = uac_dialog("sip", NULL, "sip:b@192.0.2.4");
	assert_int_equal(sip_dialogs_add(ds, b), E2BIG);
	sip_dialog_free(b);
	assert_int_equal(sip_dialogs_count(ds), 2);
	sip_msg_free(req);
	sip_msg_free(resp);
	sip_dialogs_free(ds);
}

/* RFC 5630: a sips: dialog keeps its route set and target sips:. */
static void test_sips_rewrite(void **state)
{
	struct sip_dialog *d = uac_dialog("sips",
		"Record-Route: <sip:ss2.biloxi.example.com;lr>\r\n"
		"Record-Route: <sips:ss1.atlanta.example.com;lr>\r\n",
		"sip:bob@client.biloxi.example.com");
	struct sip_msg *m, *w;
	uint16_t status;

	(void)state;
	assert_true(sip_dialog_secure(d));
	assert_string_equal(sip_dialog_route(d, 0),
			    "<sips:ss1.atlanta.example.com;lr>");
	assert_string_equal(sip_dialog_route(d, 1),
			    "<sips:ss2.biloxi.example.com;lr>");
	assert_string_equal(sip_dialog_remote_target(d),
			    "sips:bob@client.biloxi.example.com");
	/* A target refresh cannot downgrade it either. */
	m = bob_req("UPDATE", 2, "9fxced76sl", "sip:bob@new.biloxi.example.com");
	assert_int_equal(sip_dialog_recv_request(d, m, &status), 0);
	sip_msg_free(m);
	assert_string_equal(sip_dialog_remote_target(d),
			    "sips:bob@new.biloxi.example.com");
	assert_int_equal(sip_dialog_request_alloc(&m, d, "BYE"), 0);
	w = reparse(m);
	ruri_is(w, "sips:bob@new.biloxi.example.com");
	hdr_is(w, SIP_HDR_ROUTE, 0, "<sips:ss1.atlanta.example.com;lr>");
	hdr_is(w, SIP_HDR_ROUTE, 1, "<sips:ss2.biloxi.example.com;lr>");
	sip_msg_free(w);
	sip_msg_free(m);
	sip_dialog_free(d);
	/* A sip: dialog is left as it is. */
	d = uac_dialog("sip", "Record-Route: <sips:ss1.atlanta.example.com;lr>\r\n",
		       "sip:bob@client.biloxi.example.com");
	assert_false(sip_dialog_secure(d));
	assert_string_equal(sip_dialog_route(d, 0),
			    "<sips:ss1.atlanta.example.com;lr>");
	assert_string_equal(sip_dialog_remote_target(d),
			    "sip:bob@client.biloxi.example.com");
	sip_dialog_free(d);
}

static void test_match(void **state)
{
	struct sip_dialog *d = uac_dialog("sip", NULL, "sip:bob@192.0.2.4");
	struct sip_msg *m;

	(void)state;
	m = response(200, "314159", NULL, NULL);
	assert_true(sip_dialog_match(d, m));
	sip_msg_free(m);
	m = response(200, "271828", NULL, NULL);
	assert_false(sip_dialog_match(d, m));
	sip_msg_free(m);
	m = bob_req("BYE", 9, "9fxced76sl", NULL);
	assert_true(sip_dialog_match(d, m));
	sip_msg_free(m);
	m = bob_req("BYE", 9, "314159", NULL);
	assert_false(sip_dialog_match(d, m));
	sip_msg_free(m);
	sip_dialog_free(d);
}

static void test_bad_record_route(void **state)
{
	struct sip_msg *req = invite("sip", NULL);
	struct sip_msg *resp = response(200, "314159",
		"Record-Route: <tel:+15551234>\r\n", "sip:bob@192.0.2.4");
	struct sip_dialog *d = NULL;

	(void)state;
	assert_int_equal(sip_dialog_alloc_uac(&d, req, resp), EBADMSG);
	assert_null(d);
	sip_msg_free(req);
	sip_msg_free(resp);
}

/* ------------------------------------------------------------------ */
/* 2xx retransmission by the UAS core                                  */
/* ------------------------------------------------------------------ */

struct fx {
	struct loop *loop;
	struct sip_tsx_layer *l;
	struct sip_stsx *st;
	uint64_t t0;
	uint64_t t[64];
	size_t n;
	int noack;
	uint64_t t_noack;
};

static int rec_send(void *arg, const struct sip_msg *msg,
		    const struct sip_target *dst, void *flow)
{
	struct fx *f = arg;

	(void)dst;
	(void)flow;
	assert_int_equal(sip_msg_status(msg), 200);
	if (f->n < 64)
		f->t[f->n++] = loop_now_ms() - f->t0;
	return 0;
}

static void req_h(struct sip_stsx *st, struct sip_msg *req,
		  const struct sip_target *src, void *flow, void *arg)
{
	struct fx *f = arg;

	(void)req;
	(void)src;
	(void)flow;
	if (st)
		f->st = st;
}

static void noack_h(void *arg)
{
	struct fx *f = arg;

	f->noack++;
	f->t_noack = loop_now_ms() - f->t0;
}

static struct fx *fx_new(enum sip_tp tp)
{
	struct sip_tsx_cfg cfg = {.t1 = T1, .t2 = 8 * T1, .t4 = 5 * T1};
	struct sip_tsx_io io;
	struct sip_target src;
	struct fx *f = calloc(1, sizeof(*f));
	struct sip_msg *req = invite("sip", NULL);

	assert_non_null(f);
	io.send = rec_send;
	io.arg = f;
	memset(&src, 0, sizeof(src));
	src.tp = tp;
	assert_int_equal(loop_alloc(&f->loop), 0);
	assert_int_equal(sip_tsx_layer_alloc(&f->l, f->loop, &cfg, &io,
					     req_h, f), 0);
	assert_int_equal(sip_tsx_recv(f->l, req, &src, NULL), 0);
	sip_msg_free(req);
	assert_non_null(f->st);
	return f;
}

static void fx_free(struct fx *f)
{
	sip_tsx_layer_free(f->l);
	loop_free(f->loop);
	free(f);
}

static void run_to(struct fx *f, uint64_t ms)
{
	uint64_t now;

	while ((now = loop_now_ms() - f->t0) < ms)
		assert_int_equal(loop_once(f->loop, (int)(ms - now)), 0);
}

static struct sip_msg *ok_for(struct fx *f)
{
	struct sip_msg *r;

	assert_int_equal(sip_tsx_response_alloc(&r, sip_stsx_request(f->st),
						200, NULL,
						sip_stsx_tag(f->st)), 0);
	assert_int_equal(sip_msg_hdr_add(r, SIP_HDR_CONTACT,
					 "<sip:bob@192.0.2.4>"), 0);
	return r;
}

/* T1 doubling to T2 (8*T1), then "no ACK" at 64*T1; over TCP too. */
static void test_uas2xx_no_ack(void **state)
{
	static const unsigned k[] = {0, 1, 3, 7, 15, 23, 31, 39, 47, 55, 63};
	struct fx *f = fx_new(SIP_TP_TCP);
	struct sip_uas2xx *u = NULL;

	(void)state;
	f->t0 = loop_now_ms();
	assert_int_equal(sip_uas2xx_start(&u, f->l, f->st, ok_for(f),
					  noack_h, f), 0);
	assert_int_equal(sip_stsx_state(f->st), SIP_STSX_ACCEPTED);
	run_to(f, 64 * T1 + LATE);
	assert_int_equal(f->n, 11);
	for (size_t i = 0; i < f->n; i++) {
		uint64_t want = (uint64_t)k[i] * T1;

		if (f->t[i] + 1 < want || f->t[i] > want + LATE)
			fail_msg("2xx %zu at %llu ms, want %llu", i,
				 (unsigned long long)f->t[i],
				 (unsigned long long)want);
	}
	assert_int_equal(f->noack, 1);
	assert_true(f->t_noack + 1 >= 64 * T1);
	run_to(f, 70 * T1);
	assert_int_equal(f->n, 11);
	sip_uas2xx_free(u);
	fx_free(f);
}

static void test_uas2xx_ack_stops(void **state)
{
	struct fx *f = fx_new(SIP_TP_UDP);
	struct sip_uas2xx *u = NULL;
	struct sip_msg *ack;

	(void)state;
	f->t0 = loop_now_ms();
	assert_int_equal(sip_uas2xx_start(&u, f->l, f->st, ok_for(f),
					  noack_h, f), 0);
	run_to(f, 3 * T1 + LATE);
	assert_int_equal(f->n, 3);
	/* An ACK for another CSeq is not this one's. */
	ack = bob_req("ACK", 2, "x", NULL);
	assert_false(sip_uas2xx_ack(u, ack));
	sip_msg_free(ack);
	ack = bob_req("ACK", 1, "x", NULL);
	assert_true(sip_uas2xx_ack(u, ack));
	sip_msg_free(ack);
	run_to(f, 66 * T1);
	assert_int_equal(f->n, 3);
	assert_int_equal(f->noack, 0);
	sip_uas2xx_free(u);
	fx_free(f);
}

/* RFC 2543 (RFC 4475 inv2543): no Contact, no From tag: the dialog still
 * forms, reaching the caller at its From address. */
static void test_uas_rfc2543_no_contact(void **state)
{
	struct sip_msg *req = parse(
		"INVITE sip:UserB@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP iftgw.example.com\r\n"
		"From: <sip:+13035551111@ift.client.example.net;user=phone>\r\n"
		"To: sip:+16505552222@ss1.example.net;user=phone\r\n"
		"Call-ID: inv2543.1717@ift.client.example.com\r\n"
		"CSeq: 56 INVITE\r\n"
		"Content-Length: 0\r\n\r\n");
	struct sip_dialog *d = NULL;

	(void)state;
	assert_int_equal(sip_dialog_alloc_uas(&d, req, "lt"), 0);
	assert_string_equal(sip_dialog_remote_target(d),
			    "sip:+13035551111@ift.client.example.net;user=phone");
	assert_string_equal(sip_dialog_remote_tag(d), "");
	sip_dialog_free(d);
	sip_msg_free(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uac_from_2xx),
		cmocka_unit_test(test_uac_early_then_confirmed),
		cmocka_unit_test(test_uas_from_request),
		cmocka_unit_test(test_uas_rfc2543_no_contact),
		cmocka_unit_test(test_request_loose),
		cmocka_unit_test(test_request_strict),
		cmocka_unit_test(test_request_no_route),
		cmocka_unit_test(test_local_cseq),
		cmocka_unit_test(test_remote_cseq),
		cmocka_unit_test(test_target_refresh),
		cmocka_unit_test(test_481_helper),
		cmocka_unit_test(test_dialogs_bound),
		cmocka_unit_test(test_sips_rewrite),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bad_record_route),
		cmocka_unit_test(test_uas2xx_no_ack),
		cmocka_unit_test(test_uas2xx_ack_stops),
	};

	return cmocka_run_group_tests_name("dialog", tests, NULL, NULL);
}
