/* test_ui_ident.c - the identity verdict on screen: call rows, incoming view, panel, at 80x24. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ui/cmd.h"
#include "ui/grid.h"
#include "ui/idview.h"
#include "ui/model.h"
#include "ui/render.h"

struct fx {
	struct model m;
	struct keymap km;
	struct grid *g;
	struct buf text;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || grid_alloc(&f->g, 80, 24))
		return -1;
	model_init(&f->m, NULL, "H", "I");
	/* One account, so the screen is the calls list. */
	f->m.nacc = 1;
	snprintf(f->m.acc[0].name, sizeof(f->m.acc[0].name), "me");
	f->m.show_log = true;
	keymap_defaults(&f->km);
	buf_init(&f->text, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	grid_free(f->g);
	buf_free(&f->text);
	free(f);
	return 0;
}

/* An incoming call: the verdict as the identity module would fill it. */
static struct model_call *add_call(struct fx *f, unsigned id, bool out,
				   const char *state)
{
	struct model_call *c = &f->m.calls[f->m.ncalls++];

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->out = out;
	c->live = true;
	c->selected = f->m.ncalls == 1;
	c->incoming = !strcmp(state, "incoming");
	snprintf(c->state, sizeof(c->state), "%s", state);
	snprintf(c->peer, sizeof(c->peer), "sip:+12155550121@carrier.example");
	c->loss_pct = c->rtt_ms = -1;
	return c;
}

static const char *draw(struct fx *f)
{
	buf_reset(&f->text);
	render(&f->m, &f->km, f->g, 0);
	assert_int_equal(grid_text(f->g, &f->text), 0);
	return f->text.data;
}

/* The row holding needle, or -1. */
static int row_of(struct fx *f, const char *needle)
{
	const char *t = draw(f), *hit = strstr(t, needle);

	if (!hit && getenv("UI_TEST_SHOW"))
		fprintf(stderr, "no \"%s\" in:\n%s", needle, t);
	int row = 0;

	if (!hit)
		return -1;
	for (const char *p = t; p < hit; p++)
		row += *p == '\n';
	return row;
}

static int col_of(struct fx *f, int row, const char *needle)
{
	const char *t = f->text.data, *hit;

	for (int r = 0; r < row; r++)
		t = strchr(t, '\n') + 1;
	hit = strstr(t, needle);
	return hit ? (int)(hit - t) : -1;
}

static void no_line_wider_than_80(struct fx *f)
{
	const char *t = draw(f);
	int rows = 0;

	while (*t) {
		size_t n = strcspn(t, "\n");
		int w;
		char line[512];

		snprintf(line, sizeof(line), "%.*s", (int)n, t);
		w = grid_text_width(line);
		assert_true(w <= 80);
		rows++;
		t += n + (t[n] == '\n');
	}
	assert_int_equal(rows, 24);
}

static void test_verified_incoming(void **state)
{
	struct fx *f = *state;
	struct model_call *c = add_call(f, 3, false, "incoming");
	int row, col;

	c->ident.kind = IDENT_VERIFIED;
	snprintf(c->ident.method, sizeof(c->ident.method), "stir");
	c->ident.attest = 'A';
	/* As the verifier gives it: canonical digits (RFC 8224 8.1); the
	 * screen writes it as E.164. */
	snprintf(c->ident.orig, sizeof(c->ident.orig), "12155550121");
	snprintf(c->ident.signer, sizeof(c->ident.signer),
		 "CN=SHAKEN Carrier Test");
	snprintf(c->ident.display, sizeof(c->ident.display), "Alice");
	snprintf(c->ident.from, sizeof(c->ident.from),
		 "sip:+12155550121@carrier.example");
	/* The incoming view leads with the verdict, above the rows. */
	row = row_of(f, "VERIFIED A +12155550121 (signed by CN=SHAKEN "
		     "Carrier Test)");
	assert_int_equal(row, 3);
	assert_int_equal(row_of(f, "Incoming call 3:"), 2);
	assert_int_equal(row_of(f, "claims to be \"Alice\" "
				"<sip:+12155550121@carrier.example> "
				"(unverified)"), 4);
	assert_true(row_of(f, "a answers, h rejects, i shows the identity") >
		    4);
	/* The verdict is drawn in the "good" attribute. */
	col = col_of(f, row, "VERIFIED");
	assert_int_equal(f->g->cells[row * 80 + col].attr, GRID_GOOD);
	/* The call row: direction, verdict, the verified number first. */
	row = row_of(f, "> 3  in  VERIFIED A +12155550121");
	assert_true(row > 4);
	assert_int_not_equal(col_of(f, row, "incoming"), -1);
	assert_int_not_equal(col_of(f, row, "----"), -1);
	no_line_wider_than_80(f);
}

static void test_failed_and_others(void **state)
{
	static const struct {
		enum ident_kind kind;
		const char *line;
		enum grid_attr attr;
	} t[] = {
		{IDENT_FAILED, "FAILED: signature does not match", GRID_BAD},
		{IDENT_ASSERTED, "ASSERTED by network: sip:+12155550199@"
		 "trusted.example", GRID_NORMAL},
		{IDENT_UNVERIFIED, "UNVERIFIED", GRID_NORMAL},
		{IDENT_UNSUPPORTED, "UNSUPPORTED: the certificate URL is not "
		 "https", GRID_NORMAL},
		{IDENT_CHECKING, "CHECKING...", GRID_NORMAL},
	};
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct model_call *c;
		int row, col;

		f->m.ncalls = 0;
		c = add_call(f, 1, false, "incoming");
		c->ident.kind = t[i].kind;
		snprintf(c->ident.reason, sizeof(c->ident.reason), "%s",
			 t[i].kind == IDENT_FAILED ?
			 "signature does not match" :
			 "the certificate URL is not https");
		snprintf(c->ident.pai, sizeof(c->ident.pai),
			 "sip:+12155550199@trusted.example");
		snprintf(c->ident.display, sizeof(c->ident.display), "Bank");
		snprintf(c->ident.from, sizeof(c->ident.from),
			 "sip:bank@spoof.example");
		row = row_of(f, t[i].line);
		assert_int_equal(row, 3);
		col = col_of(f, row, t[i].line);
		assert_int_equal(f->g->cells[row * 80 + col].attr, t[i].attr);
		/* A failed or unverified call never shows the claim as
		 * its identity: the row shows the From, after the verdict. */
		if (t[i].kind == IDENT_ASSERTED)
			assert_int_not_equal(row_of(f, "in  ASSERTED sip:+1215"
						    "5550199@trusted"), -1);
		else
			assert_int_not_equal(row_of(f, "sip:+12155550121@"
						    "carrier"), -1);
		assert_int_not_equal(row_of(f, "claims to be \"Bank\" <sip:"
					    "bank@spoof.example> (unverified)"),
				     -1);
		no_line_wider_than_80(f);
	}
}

static void test_flags_and_dtmf(void **state)
{
	struct fx *f = *state;
	struct model_call *c = add_call(f, 7, true, "answered");
	int row;

	snprintf(c->codec, sizeof(c->codec), "opus");
	snprintf(c->srtp, sizeof(c->srtp), "AES_CM_128_HMAC_SHA1_80");
	snprintf(c->qos, sizeof(c->qos), "reserved");
	c->local_hold = true;
	c->muted = true;
	c->duration_s = 754;
	snprintf(c->dtmf_rx, sizeof(c->dtmf_rx), "12#");
	row = row_of(f, "> 7  out sip:+12155550121@carrier.example");
	assert_int_not_equal(row, -1);
	assert_int_not_equal(col_of(f, row, "answered  12:34  opus  SQHM"),
			     -1);
	/* The row ends at the right edge: flags in the last columns. */
	assert_int_equal(col_of(f, row, "SQHM"), 79 - 4);
	assert_int_equal(row_of(f, "DTMF received: 12#"), row + 1);
	c->qos[0] = '\0';
	snprintf(c->qos, sizeof(c->qos), "denied");
	c->remote_hold = true;
	c->muted = false;
	c->srtp[0] = '\0';
	assert_int_not_equal(row_of(f, "-!B-"), -1);
	/* A long peer is cut, the right part stays whole at 80. */
	snprintf(c->peer, sizeof(c->peer), "sip:%0200d@example.com", 0);
	assert_int_not_equal(row_of(f, "answered  12:34  opus  -!B-"), -1);
	no_line_wider_than_80(f);
}

static void test_identity_panel(void **state)
{
	struct fx *f = *state;
	struct model_call *c = add_call(f, 2, false, "answered");

	c->ident.kind = IDENT_FAILED;
	c->ident.code = 438;
	snprintf(c->ident.method, sizeof(c->ident.method), "stir");
	snprintf(c->ident.reason, sizeof(c->ident.reason),
		 "signature does not match");
	snprintf(c->ident.pai_note, sizeof(c->ident.pai_note),
		 "from an untrusted host");
	snprintf(c->ident.verstat, sizeof(c->ident.verstat),
		 "TN-Validation-Failed");
	snprintf(c->ident.display, sizeof(c->ident.display), "Alice");
	snprintf(c->ident.from, sizeof(c->ident.from), "sip:alice@x.example");
	f->m.view = VIEW_IDENTITY;
	assert_int_equal(row_of(f, "Identity of call 2"), 1);
	assert_int_equal(row_of(f, "FAILED: signature does not match"), 2);
	assert_int_not_equal(row_of(f, "STIR signature (RFC 8224)"), -1);
	assert_int_not_equal(row_of(f, "signature does not match (438)"), -1);
	assert_int_not_equal(row_of(f, "TN-Validation-Failed"), -1);
	assert_int_not_equal(row_of(f, "ignored: from an untrusted host"), -1);
	assert_int_not_equal(row_of(f, "From (unverified):    \"Alice\" "
				    "<sip:alice@x.example>"), -1);
	assert_int_not_equal(row_of(f, "no SRTP"), -1);
	assert_int_not_equal(row_of(f, "far end, B both); muted"), -1);
	no_line_wider_than_80(f);
	/* Verified: attestation in words. */
	c->ident.kind = IDENT_VERIFIED;
	c->ident.attest = 'B';
	snprintf(c->ident.orig, sizeof(c->ident.orig), "+12155550121");
	assert_int_not_equal(row_of(f, "B: the provider knows the caller, "
				    "not the number"), -1);
	assert_int_equal(row_of(f, "(438)"), -1);
}

/* Peer bytes never reach the terminal raw. */
static void test_control_chars(void **state)
{
	struct fx *f = *state;
	struct model_call *c = add_call(f, 1, false, "incoming");
	struct ident_verdict raw;

	memset(&raw, 0, sizeof(raw));
	raw.kind = IDENT_UNVERIFIED;
	raw.attest = '\x1b';
	snprintf(raw.display, sizeof(raw.display), "\x1b[2J\x07" "Evil");
	snprintf(raw.from, sizeof(raw.from), "sip:a@b\r\nX: y");
	model_ident_copy(&c->ident, &raw);
	assert_null(strchr(draw(f), '\x1b'));
	assert_null(strchr(f->text.data, '\x07'));
	assert_int_not_equal(row_of(f, "claims to be \" [2J Evil\" <sip:a@b  "
				    "X: y> (unverified)"), -1);
}

static void test_keys_compressed(void **state)
{
	struct fx *f = *state;
	char keys[64];

	keymap_keys(&f->km, cmd_find("dtmf"), keys, sizeof(keys));
	assert_string_equal(keys, "0-9, *, #");
	keymap_keys(&f->km, cmd_find("mute"), keys, sizeof(keys));
	assert_string_equal(keys, "m");
	/* Every command has a row in the help at 80x24. */
	f->m.show_help = true;
	for (size_t i = 0; i < cmd_count(); i++) {
		char needle[64];

		snprintf(needle, sizeof(needle), "  %s  ", cmd_get(i)->name);
		assert_int_not_equal(row_of(f, needle), -1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_verified_incoming, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_and_others, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flags_and_dtmf, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_identity_panel, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_chars, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keys_compressed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
