/* test_ui_files.c - contacts, history, vCard import, completion and the atomic writer. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/loop.h"
#include "ui/complete.h"
#include "ui/contacts.h"
#include "ui/history.h"
#include "ui/store.h"
#include "ui/ui.h"
#include "ui/ui_priv.h"

static char tmpdir[256];

static int dir_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/siptty-uifiles.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_contacts_parse(void **state)
{
	struct contacts *cs;
	struct buf b;
	const char *why = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(contacts_alloc(&cs), 0);
	assert_int_equal(contacts_parse(cs,
		"# my phone book\n"
		"Alice Smith <sip:alice@example.com>\n"
		"\n"
		"  Bob <tel:+358401234567>  \r\n"
		"<sips:carol@example.org:5061>\n"
		"+44 20 7946 0000\n"
		"Dup <sip:alice@example.com>\n", &line, &why), 0);
	assert_int_equal(cs->n, 4);
	assert_string_equal(cs->v[0].name, "Alice Smith");
	assert_string_equal(cs->v[0].uri, "sip:alice@example.com");
	assert_string_equal(cs->v[1].name, "Bob");
	assert_string_equal(cs->v[1].uri, "tel:+358401234567");
	assert_string_equal(cs->v[2].name, "");
	assert_string_equal(cs->v[3].uri, "+44 20 7946 0000");
	/* Round trip. */
	buf_init(&b, 0);
	assert_int_equal(contacts_format(cs, &b), 0);
	assert_int_equal(contacts_parse(cs, b.data, &line, &why), 0);
	assert_int_equal(cs->n, 4);
	assert_string_equal(cs->v[2].uri, "sips:carol@example.org:5061");
	buf_free(&b);
	/* The first bad line is named, and the list is left empty. */
	assert_int_equal(contacts_parse(cs, "A <sip:a@x.org>\nB <sip:b@>\n",
					&line, &why), EBADMSG);
	assert_int_equal(line, 2);
	assert_string_equal(why, "the host part after @ is missing");
	assert_int_equal(cs->n, 0);
	assert_int_equal(contacts_parse(cs, "\n\nA <sip:a@x.org> tail\n",
					&line, &why), EBADMSG);
	assert_int_equal(line, 3);
	assert_int_equal(contacts_parse(cs, "Esc\x1b <sip:a@x.org>\n", &line,
					&why), EBADMSG);
	assert_int_equal(line, 1);
	contacts_free(cs);
}

static void fill_entry(struct hist_entry *e, unsigned i)
{
	memset(e, 0, sizeof(*e));
	e->when = 1767225600 + (time_t)i;  /* 2026-01-01 */
	e->out = i % 2;
	e->result = (enum hist_result)(i % 6);
	e->code = i % 6 == HIST_FAILED ? 408 : 0;
	e->duration_s = i;
	e->have_verdict = !e->out;
	e->verdict = (enum ident_kind)(i % 6);
	if (e->verdict == IDENT_VERIFIED)
		snprintf(e->who, sizeof(e->who), "+1215555%04u", i % 10000);
	snprintf(e->peer, sizeof(e->peer), "sip:u%u@example.com", i);
}

static void test_history_roundtrip_and_cap(void **state)
{
	struct history *h;
	struct hist_entry e;
	struct buf b;
	const char *why = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(history_alloc(&h), 0);
	for (unsigned i = 0; i < HISTORY_MAX + 5; i++) {
		fill_entry(&e, i);
		history_add(h, &e);
	}
	/* Capped: the five oldest went. */
	assert_int_equal(h->n, HISTORY_MAX);
	assert_string_equal(h->v[0].peer, "sip:u5@example.com");
	buf_init(&b, 0);
	assert_int_equal(history_format(h, &b), 0);
	assert_int_equal(history_parse(h, b.data, &line, &why), 0);
	assert_int_equal(h->n, HISTORY_MAX);
	fill_entry(&e, HISTORY_MAX + 4);
	assert_int_equal(h->v[HISTORY_MAX - 1].when, e.when);
	assert_int_equal(h->v[HISTORY_MAX - 1].duration_s, e.duration_s);
	assert_int_equal(h->v[HISTORY_MAX - 1].result, e.result);
	assert_int_equal(h->v[HISTORY_MAX - 1].out, e.out);
	assert_string_equal(h->v[HISTORY_MAX - 1].peer, e.peer);
	buf_free(&b);
	/* A tab or newline in a peer's text cannot split a line. */
	h->n = 0;
	fill_entry(&e, 2);
	snprintf(e.who, sizeof(e.who), "evil\tname\nsecond");
	history_add(h, &e);
	buf_init(&b, 0);
	assert_int_equal(history_format(h, &b), 0);
	assert_int_equal(history_parse(h, b.data, &line, &why), 0);
	assert_int_equal(h->n, 1);
	assert_string_equal(h->v[0].who, "evil name second");
	buf_free(&b);
	history_free(h);
}

static void test_history_bad(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
	} bad[] = {
		{"garbage\n", 1},
		{"# siptty history 1\n2026-01-01T00:00:00Z\tout\tfailed\t408\t0"
		 "\t-\t\tsip:a@b\n2026-01-01T00:00:00Z\tsideways\tfailed\t408"
		 "\t0\t-\t\tsip:a@b\n", 3},
		{"# siptty history 1\n2026-13-01T00:00:00Z\tout\tfailed\t408\t0"
		 "\t-\t\tsip:a@b\n", 2},
		{"# siptty history 1\n2026-01-01T00:00:00Z\tout\tfailed\t999\t0"
		 "\t-\t\tsip:a@b\n", 2},
		{"# siptty history 1\n2026-01-01T00:00:00Z\tin\tmissed\t0\t0"
		 "\tmaybe\t\tsip:a@b\n", 2},
		{"# siptty history 1\n2026-01-01T00:00:00Z\tin\tmissed\t0\t0"
		 "\tverified\t+1\n", 2},
		/* Cut short by a crash: no final newline. */
		{"# siptty history 1\n2026-01-01T00:00:00Z\tin\tmissed\t0\t0"
		 "\tverified\t+1\tsip:a@b", 2},
		{"# siptty history 1\n2026-01-01T00:00:00Z\tin\tmissed\t0\t0"
		 "\tverified\t+1\tsip:a@b\textra\n", 2},
	};
	struct history *h;

	(void)state;
	assert_int_equal(history_alloc(&h), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = NULL;
		unsigned line = 0;

		if (getenv("UI_TEST_SHOW"))
			fprintf(stderr, "case %zu\n", i);
		assert_int_equal(history_parse(h, bad[i].text, &line, &why),
				 EBADMSG);
		assert_int_equal(line, bad[i].line);
		assert_non_null(why);
		assert_int_equal(h->n, 0);
	}
	history_free(h);
}

static void test_vcard_import(void **state)
{
	static const char vcf[] =
		"BEGIN:VCARD\r\n"
		"VERSION:3.0\r\n"
		"FN:Alice Smith\\, PhD\r\n"
		"TEL;TYPE=cell:+358 40 123 4567\r\n"
		"item1.IMPP:sip:alice@exa\r\n"
		" mple.com\r\n"
		"IMPP:xmpp:alice@jabber.example\r\n"
		"TEL;TYPE=work:+1 555 0100 ext. 7\r\n"
		"END:VCARD\r\n"
		"BEGIN:VCARD\n"
		"VERSION:4.0\n"
		"N:Jones;Bob;;;\n"
		"TEL;VALUE=uri:tel:+44-20-7946-0000\n"
		"X-SIP:bob@example.org\n"
		"END:VCARD\n"
		"BEGIN:VCARD\n"
		"FN:Again\n"
		"IMPP:sip:alice@example.com\n"
		"END:VCARD\n";
	struct contacts *cs;
	size_t added, skipped;
	const char *why = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(contacts_alloc(&cs), 0);
	assert_int_equal(contacts_import_vcard(cs, vcf, &added, &skipped,
					       &line, &why), 0);
	assert_int_equal(added, 4);
	/* xmpp:, the extension number and the listed-already address. */
	assert_int_equal(skipped, 3);
	assert_string_equal(cs->v[0].name, "Alice Smith, PhD");
	assert_string_equal(cs->v[0].uri, "+358401234567");
	assert_string_equal(cs->v[1].uri, "sip:alice@example.com");
	assert_string_equal(cs->v[2].name, "Bob Jones");
	assert_string_equal(cs->v[2].uri, "+442079460000");
	assert_string_equal(cs->v[3].uri, "sip:bob@example.org");
	/* Not a vCard file: nothing is added, the line is named. */
	assert_int_equal(contacts_import_vcard(cs, "BEGIN:VCARD\nFN:X\n"
					       "TEL:+123\n", &added, &skipped,
					       &line, &why), EBADMSG);
	assert_int_equal(added, 0);
	assert_int_equal(cs->n, 4);
	assert_int_equal(contacts_import_vcard(cs, "hello\n", &added,
					       &skipped, &line, &why),
			 EBADMSG);
	assert_int_equal(line, 1);
	assert_int_equal(contacts_import_vcard(cs, "BEGIN:VCARD\nFN:X\n"
					       "END:VCARD\nEND:VCARD\n", &added,
					       &skipped, &line, &why),
			 EBADMSG);
	assert_int_equal(line, 4);
	assert_int_equal(cs->n, 4);
	contacts_free(cs);
}

static void test_complete(void **state)
{
	struct contacts *cs;
	struct history *h;
	struct hist_entry e;
	const char *out[COMPLETE_MAX], *why;
	char user[300];
	unsigned line;

	(void)state;
	assert_int_equal(contacts_alloc(&cs), 0);
	assert_int_equal(history_alloc(&h), 0);
	assert_int_equal(contacts_parse(cs, "Alice Smith <sip:alice@a.org>\n"
					"Bob <sips:bob@b.org>\n", &line, &why),
			 0);
	fill_entry(&e, 1);
	snprintf(e.peer, sizeof(e.peer), "sip:alina@c.org");
	history_add(h, &e);
	fill_entry(&e, 2);
	snprintf(e.peer, sizeof(e.peer), "sip:alice@a.org");
	history_add(h, &e);
	assert_int_equal(complete_find(cs, h, "smi", out, COMPLETE_MAX), 1);
	assert_string_equal(out[0], "sip:alice@a.org");
	/* Contacts first, then history; each address once. */
	assert_int_equal(complete_find(cs, h, "ALI", out, COMPLETE_MAX), 2);
	assert_string_equal(out[0], "sip:alice@a.org");
	assert_string_equal(out[1], "sip:alina@c.org");
	assert_int_equal(complete_find(cs, h, "sips:", out, COMPLETE_MAX), 1);
	assert_int_equal(complete_find(cs, h, "zed", out, COMPLETE_MAX), 0);
	assert_int_equal(complete_find(cs, h, "", out, COMPLETE_MAX), 0);
	assert_int_equal(complete_user("dave", "sips:me@example.com", user,
				       sizeof(user)), 0);
	assert_string_equal(user, "sips:dave@example.com");
	assert_int_equal(complete_user("dave", "sip:me@10.0.0.1:5070;x=y",
				       user, sizeof(user)), 0);
	assert_string_equal(user, "sip:dave@10.0.0.1:5070");
	assert_int_equal(complete_user("dave@x.org", "sip:me@example.com",
				       user, sizeof(user)), EINVAL);
	assert_int_equal(complete_user("sip:dave", "sip:me@example.com",
				       user, sizeof(user)), EINVAL);
	history_free(h);
	contacts_free(cs);
}

static void test_store_write_read(void **state)
{
	char path[512], *text = NULL;
	size_t len = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/new/dir/file", tmpdir);
	assert_int_equal(store_read(path, &text, &len), ENOENT);
	assert_int_equal(store_write(path, "one\n", 4), 0);
	assert_int_equal(store_write(path, "two\n", 4), 0);
	assert_int_equal(store_read(path, &text, &len), 0);
	assert_int_equal(len, 4);
	assert_string_equal(text, "two\n");
	free(text);
	assert_int_equal(store_write(path, "a\0b", 3), 0);
	assert_int_equal(store_read(path, &text, &len), EBADMSG);
}

/* The history text of n entries, as the writer child writes it. */
static void history_text(struct buf *b, unsigned n)
{
	struct history *h;
	struct hist_entry e;

	assert_int_equal(history_alloc(&h), 0);
	for (unsigned i = 0; i < n; i++) {
		fill_entry(&e, i);
		history_add(h, &e);
	}
	assert_int_equal(history_format(h, b), 0);
	history_free(h);
}

/*
 * kill -9 at random moments while a child rewrites the file over and
 * over: the file is always the old or the new text, never a mix.
 */
static void test_store_kill9(void **state)
{
	char path[512];
	struct buf a, b;
	struct history *h;
	unsigned seen_a = 0, seen_b = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/kill/history", tmpdir);
	buf_init(&a, 0);
	buf_init(&b, 0);
	history_text(&a, HISTORY_MAX);
	history_text(&b, 300);
	assert_int_equal(store_write(path, a.data, a.len), 0);
	assert_int_equal(history_alloc(&h), 0);
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (int round = 0; round < 40; round++) {
		struct timespec ts = {0, (long)(rand() % 4000) * 1000};
		char *text = NULL;
		const char *why = NULL;
		unsigned line = 0;
		size_t len = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (!pid) {
			for (unsigned i = 0;; i++) {
				const struct buf *w = i % 2 ? &a : &b;

				if (store_write(path, w->data, w->len))
					_exit(3);
			}
		}
		nanosleep(&ts, NULL);
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, NULL, 0), pid);
		assert_int_equal(store_read(path, &text, &len), 0);
		assert_int_equal(history_parse(h, text, &line, &why), 0);
		if (len == a.len && !memcmp(text, a.data, len))
			seen_a++;
		else if (len == b.len && !memcmp(text, b.data, len))
			seen_b++;
		else
			fail_msg("round %d: the file is neither version", round);
		free(text);
	}
	assert_int_equal(seen_a + seen_b, 40);
	history_free(h);
	buf_free(&a);
	buf_free(&b);
}

static bool has_aside(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			found = true;
	closedir(d);
	return found;
}

/* A corrupt history is reported with file:line and set aside; the calls
 * that end later start a new file. */
static void test_corrupt_set_aside(void **state)
{
	struct ui_params p = {.headless = true, .headline = "H", .hint = "I"};
	char path[1024], dir[512];
	struct loop *loop;
	struct ui *ui;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/state/siptty", tmpdir);
	snprintf(path, sizeof(path), "%s/history", dir);
	assert_int_equal(store_write(path, "# siptty history 1\nbroken\n", 26),
			 0);
	snprintf(dir, sizeof(dir), "%s/state", tmpdir);
	setenv("XDG_STATE_HOME", dir, 1);
	snprintf(dir, sizeof(dir), "%s/data", tmpdir);
	setenv("XDG_DATA_HOME", dir, 1);
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(ui_alloc(&ui, loop, &p), 0);
	assert_non_null(strstr(ui->model.status, "/state/siptty/history:2: "
			       "a call needs 8 fields"));
	assert_non_null(strstr(ui->model.status, "history.corrupt-"));
	snprintf(dir, sizeof(dir), "%s/state/siptty", tmpdir);
	assert_true(has_aside(dir, "history.corrupt-"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(ui->history->n, 0);
	ui_free(ui);
	loop_free(loop);
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_DATA_HOME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_contacts_parse),
		cmocka_unit_test(test_history_roundtrip_and_cap),
		cmocka_unit_test(test_history_bad),
		cmocka_unit_test(test_vcard_import),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_store_write_read),
		cmocka_unit_test(test_store_kill9),
		cmocka_unit_test(test_corrupt_set_aside),
	};

	return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
