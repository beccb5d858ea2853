/* cmd.c - the command table, key bindings and the dispatcher. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "ua/call.h"
#include "ua/privacy.h"
#include "ui/cmd.h"
#include "ui/contacts.h"
#include "ui/files.h"
#include "ui/keys.h"
#include "ui/target.h"
#include "ui/ui_priv.h"

static int cmd_help(struct ui *ui, const char *args);
static int cmd_quit(struct ui *ui, const char *args);
static int cmd_dial(struct ui *ui, const char *args);
static int cmd_log(struct ui *ui, const char *args);
static int cmd_trace(struct ui *ui, const char *args);
static int cmd_prompt(struct ui *ui, const char *args);
static int cmd_answer(struct ui *ui, const char *args);
static int cmd_hangup(struct ui *ui, const char *args);
static int cmd_reject(struct ui *ui, const char *args);
static int cmd_hold(struct ui *ui, const char *args);
static int cmd_next(struct ui *ui, const char *args);
static int cmd_transfer(struct ui *ui, const char *args);
static int cmd_privacy(struct ui *ui, const char *args);
static int cmd_preview(struct ui *ui, const char *args);
static int cmd_mute(struct ui *ui, const char *args);
static int cmd_dtmf(struct ui *ui, const char *args);
static int cmd_identity(struct ui *ui, const char *args);
static int cmd_contacts(struct ui *ui, const char *args);
static int cmd_history(struct ui *ui, const char *args);
static int cmd_import(struct ui *ui, const char *args);

/*
 * Only commands that do something are here: a key that pretends to
 * work would be worse than none.  The help overlay lists them all at
 * 80x24, so a new one needs a row there (render.c).
 */
static const struct cmd table[] = {
	{"help", '?', KEYS_F1, NULL, 0,
	 N_("show or hide this list of keys"), cmd_help},
	{"dial", 'd', KEYS_NONE, NULL, CMD_ARGS,
	 N_("dial a sip:, sips:, tel: address, number or user"),
	 cmd_dial},
	{"answer", 'a', KEYS_NONE, NULL, 0,
	 N_("answer the ringing call (calls that are up go on hold)"),
	 cmd_answer},
	{"hangup", 'h', KEYS_NONE, NULL, 0,
	 N_("hang up, cancel, or reject the selected call (486 busy)"),
	 cmd_hangup},
	{"reject", KEYS_NONE, KEYS_NONE, NULL, CMD_ARGS,
	 N_("reject the ringing call: \"reject\" busy, \"reject decline\" 603"),
	 cmd_reject},
	{"hold", 'H', KEYS_NONE, NULL, 0,
	 N_("put the selected call on hold, or resume it"), cmd_hold},
	{"transfer", 't', KEYS_NONE, NULL, CMD_ARGS,
	 N_("transfer the selected call to another address (blind, REFER)"),
	 cmd_transfer},
	{"privacy", 'p', KEYS_NONE, NULL, CMD_ARGS,
	 N_("privacy of the next call: p cycles, \"privacy user;id\" sets, "
	    "\"privacy account\" resets"), cmd_privacy},
	{"preview", 'w', KEYS_NONE, NULL, CMD_ARGS,
	 N_("show or hide the INVITE the next call would send, after "
	    "privacy scrubbing"), cmd_preview},
	{"next", KEYS_TAB, KEYS_NONE, NULL, 0,
	 N_("select the next call"), cmd_next},
	{"mute", 'm', KEYS_NONE, NULL, 0,
	 N_("mute or unmute the microphone in the selected call"), cmd_mute},
	{"dtmf", KEYS_NONE, KEYS_NONE, "0123456789*#", CMD_ARGS | CMD_KEY_ARG,
	 N_("send digits in the call; with no call, dial starting with it"),
	 cmd_dtmf},
	{"identity", 'i', KEYS_NONE, NULL, 0,
	 N_("show or hide who the selected call is with, and how sure"),
	 cmd_identity},
	{"contacts", 'c', KEYS_NONE, NULL, 0,
	 N_("contacts: arrows choose, Enter dials, Esc closes"),
	 cmd_contacts},
	{"history", 'r', KEYS_NONE, NULL, 0,
	 N_("recent calls: arrows choose, Enter dials back, Esc closes"),
	 cmd_history},
	{"import", KEYS_NONE, KEYS_NONE, NULL, CMD_ARGS,
	 N_("add the contacts of a vCard file: \"import FILE.vcf\""),
	 cmd_import},
	{"log", 'l', KEYS_NONE, NULL, 0,
	 N_("show or hide the log pane"), cmd_log},
	{"trace", 's', KEYS_NONE, NULL, 0,
	 N_("show or hide the SIP trace pane"), cmd_trace},
	{"command", ':', KEYS_NONE, NULL, 0,
	 N_("type a command, e.g. \"dial sip:alice@example.com\""),
	 cmd_prompt},
	{"quit", 'q', KEYS_NONE, NULL, 0,
	 N_("quit siptty"), cmd_quit},
};

#define NCMD (sizeof(table) / sizeof(table[0]))

size_t cmd_count(void)
{
	return NCMD;
}

const struct cmd *cmd_get(size_t i)
{
	return i < NCMD ? &table[i] : NULL;
}

const struct cmd *cmd_find(const char *name)
{
	for (size_t i = 0; i < NCMD; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

static void keymap_unbind_key(struct keymap *km, int key)
{
	size_t j = 0;

	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key != key)
			km->b[j++] = km->b[i];
	km->n = j;
}

static int keymap_add(struct keymap *km, int key, unsigned cmd)
{
	keymap_unbind_key(km, key);
	if (km->n == KEYMAP_MAX)
		return E2BIG;
	km->b[km->n].key = key;
	km->b[km->n].cmd = cmd;
	km->n++;
	return 0;
}

void keymap_defaults(struct keymap *km)
{
	km->n = 0;
	for (unsigned i = 0; i < NCMD; i++) {
		if (table[i].key != KEYS_NONE)
			(void)keymap_add(km, table[i].key, i);
		if (table[i].key2 != KEYS_NONE)
			(void)keymap_add(km, table[i].key2, i);
		for (const char *k = table[i].more; k && *k; k++)
			(void)keymap_add(km, (unsigned char)*k, i);
	}
}

const struct cmd *keymap_lookup(const struct keymap *km, int key)
{
	for (size_t i = 0; i < km->n; i++)
		if (km->b[i].key == key)
			return &table[km->b[i].cmd];
	return NULL;
}

void keymap_keys(const struct keymap *km, const struct cmd *c, char *out,
		 size_t sz)
{
	int keys[KEYMAP_MAX];
	size_t nk = 0, len = 0;

	if (!sz)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < km->n; i++)
		if (&table[km->b[i].cmd] == c)
			keys[nk++] = km->b[i].key;
	for (size_t i = 0; i < nk;) {
		char name[KEYS_NAME_MAX], last[KEYS_NAME_MAX];
		size_t j = i;
		int n;

		/* "0-9" rather than ten names: a run of three or more. */
		while (j + 1 < nk && keys[j + 1] == keys[j] + 1 &&
		       keys_is_text(keys[j + 1]))
			j++;
		keys_name(keys[i], name, sizeof(name));
		if (j - i >= 2 && keys_is_text(keys[i])) {
			keys_name(keys[j], last, sizeof(last));
			n = snprintf(out + len, sz - len, "%s%s-%s",
				     len ? ", " : "", name, last);
			i = j + 1;
		} else {
			n = snprintf(out + len, sz - len, "%s%s",
				     len ? ", " : "", name);
			i++;
		}
		if (n < 0 || (size_t)n >= sz - len)
			break;
		len += (size_t)n;
	}
}

int keymap_bind(struct keymap *km, const char *name, const char *keys,
		char *why, size_t sz)
{
	const struct cmd *c = cmd_find(name);
	int parsed[8];
	size_t np = 0;
	char copy[256], *tok, *save = NULL;
	int err;

	if (!c) {
		snprintf(why, sz, _("there is no command \"%s\""), name);
		return ENOENT;
	}
	snprintf(copy, sizeof(copy), "%s", keys);
	/* Parse all first: a bad list leaves the old binding whole. */
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (np == sizeof(parsed) / sizeof(parsed[0])) {
			snprintf(why, sz, _("at most 8 keys per command"));
			return EINVAL;
		}
		if (keys_parse(tok, &parsed[np])) {
			snprintf(why, sz, _("\"%s\" is not a key name (use a "
					    "character, Enter, Esc, Tab, F1 to "
					    "F12, an arrow or C-x)"), tok);
			return EINVAL;
		}
		np++;
	}
	if (!np) {
		snprintf(why, sz, _("no key given"));
		return EINVAL;
	}
	for (size_t i = 0; i < km->n;) {
		if (&table[km->b[i].cmd] == c)
			keymap_unbind_key(km, km->b[i].key);
		else
			i++;
	}
	for (size_t i = 0; i < np; i++) {
		err = keymap_add(km, parsed[i], (unsigned)(c - table));
		if (err) {
			snprintf(why, sz, _("too many key bindings"));
			return err;
		}
	}
	return 0;
}

int keymap_load_conf(struct keymap *km, const struct conf *conf,
		     struct buf *errs)
{
	const char *key, *value;
	unsigned line;
	int ret = 0;

	for (size_t i = 0;
	     !conf_entry(conf, "keys", i, &key, &value, &line); i++) {
		char why[256];
		int err;

		err = keymap_bind(km, key, value, why, sizeof(why));
		if (err) {
			(void)buf_printf(errs, _("%u: [keys] %s: %s\n"),
					 line, key, why);
			if (!ret)
				ret = err;
		}
	}
	return ret;
}

static void help_close(struct ui *ui)
{
	if (!ui->model.show_help)
		return;
	ui->model.show_help = false;
	ui->model.dirty = true;
	ui_view_event("help", false);
}

int cmd_dispatch_key(struct ui *ui, int key)
{
	const struct cmd *c = keymap_lookup(&ui->keymap, key);
	char name[KEYS_NAME_MAX];

	if (!c) {
		keys_name(key, name, sizeof(name));
		help_close(ui);
		model_status(&ui->model, true,
			     _("The key %s does nothing here; press ? for the "
			       "list of keys."), name);
		return ENOENT;
	}
	if (c->h != cmd_help)
		help_close(ui);
	if (c->h != cmd_quit)
		ui->model.quit_armed = false;
	if (c->flags & CMD_KEY_ARG && keys_is_text(key)) {
		char arg[KEYS_NAME_MAX];
		int err;

		keys_name(key, arg, sizeof(arg));
		ui->from_key = true;
		err = c->h(ui, arg);
		ui->from_key = false;
		return err;
	}
	return c->h(ui, "");
}

int cmd_dispatch_line(struct ui *ui, const char *line)
{
	char name[64];
	const struct cmd *c;
	size_t n;

	while (*line == ' ' || *line == '\t')
		line++;
	n = strcspn(line, " \t");
	if (!n)
		return 0;  /* an empty prompt line does nothing, like a shell */
	snprintf(name, sizeof(name), "%.*s", (int)n, line);
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	c = n < sizeof(name) ? cmd_find(name) : NULL;
	if (!c) {
		model_status(&ui->model, true,
			     _("There is no command \"%s\"; press ? for the "
			       "list of commands."), name);
		return ENOENT;
	}
	if (*line && !(c->flags & CMD_ARGS)) {
		model_status(&ui->model, true,
			     _("The command %s takes no argument."), c->name);
		return EINVAL;
	}
	if (c->h != cmd_help)
		help_close(ui);
	return c->h(ui, line);
}

static int cmd_help(struct ui *ui, const char *args)
{
	(void)args;
	ui->model.show_help = !ui->model.show_help;
	ui->model.dirty = true;
	ui_view_event("help", ui->model.show_help);
	return 0;
}

static int cmd_quit(struct ui *ui, const char *args)
{
	(void)args;
	if (model_live_calls(&ui->model) && !ui->model.quit_armed) {
		ui->model.quit_armed = true;
		model_status(&ui->model, true,
			     _("A call is up: press q again to hang up and "
			       "quit."));
		return 0;
	}
	ui->model.quit_armed = false;
	log_info("ui", "quit requested");
	if (ui->quit_h)
		ui->quit_h(ui->quit_arg);
	else
		loop_stop(ui->loop, 0);
	return 0;
}

static int cmd_dial(struct ui *ui, const char *args)
{
	enum target_kind kind;
	const char *why = NULL;
	char target[TARGET_MAX + 1];
	unsigned id;
	size_t n;
	int err;

	if (!*args) {
		prompt_open(&ui->model.prompt, PROMPT_DIAL);
		ui->model.dirty = true;
		ui_view_event("dial", true);
		return 0;
	}
	n = strlen(args);
	while (n && (args[n - 1] == ' ' || args[n - 1] == '\t'))
		n--;
	if (n > TARGET_MAX) {
		model_status(&ui->model, true,
			     _("Cannot dial: %s."),
			     _("the address is longer than 256 characters"));
		return EINVAL;
	}
	snprintf(target, sizeof(target), "%.*s", (int)n, args);
	if (target_check(target, &kind, &why)) {
		model_status(&ui->model, true, _("Cannot dial \"%s\": %s."),
			     target, _(why));
		log_info("ui", "dial refused: \"%s\": %s", target, why);
		return EINVAL;
	}
	if (!ui->model.cm) {
		model_status(&ui->model, true,
			     _("Cannot dial %s: no account is configured."),
			     target);
		return ENOENT;
	}
	err = call_dial(ui->model.cm, target, &id);
	if (err) {
		model_status(&ui->model, true, _("Cannot dial %s: %s."),
			     target, strerror(err));
		log_info("ui", "dial %s: %s", target, strerror(err));
		return err;
	}
	model_status(&ui->model, false, _("Calling %s."), target);
	model_calls_update(&ui->model, loop_now_ms());
	return 0;
}

/* The reason a call command did nothing, on the status line. */
static int call_result(struct ui *ui, int err, const char *what)
{
	if (err == ENOENT)
		model_status(&ui->model, true, _("%s: there is no such call."),
			     what);
	else if (err == EAGAIN)
		model_status(&ui->model, true,
			     _("%s: the call is still changing; try again."),
			     what);
	else if (err)
		model_status(&ui->model, true, "%s: %s.", what, strerror(err));
	model_calls_update(&ui->model, loop_now_ms());
	return err;
}

static int cmd_answer(struct ui *ui, const char *args)
{
	(void)args;
	if (!ui->model.cm)
		return call_result(ui, ENOENT, _("Answer"));
	return call_result(ui, call_answer(ui->model.cm), _("Answer"));
}

static int cmd_hangup(struct ui *ui, const char *args)
{
	(void)args;
	if (!ui->model.cm)
		return call_result(ui, ENOENT, _("Hang up"));
	return call_result(ui, call_hangup(ui->model.cm, false), _("Hang up"));
}

static int cmd_reject(struct ui *ui, const char *args)
{
	bool decline = !strcmp(args, "decline");

	if (*args && !decline && strcmp(args, "busy")) {
		model_status(&ui->model, true,
			     _("reject takes \"busy\" or \"decline\"."));
		return EINVAL;
	}
	if (!ui->model.cm)
		return call_result(ui, ENOENT, _("Reject"));
	return call_result(ui, call_hangup(ui->model.cm, decline),
			   _("Reject"));
}

static int cmd_hold(struct ui *ui, const char *args)
{
	(void)args;
	if (!ui->model.cm)
		return call_result(ui, ENOENT, _("Hold"));
	return call_result(ui, call_hold_toggle(ui->model.cm), _("Hold"));
}

static int cmd_next(struct ui *ui, const char *args)
{
	(void)args;
	if (!ui->model.cm)
		return call_result(ui, ENOENT, _("Next call"));
	return call_result(ui, call_select_next(ui->model.cm),
			   _("Next call"));
}

static int cmd_transfer(struct ui *ui, const char *args)
{
	static const char verb[] = "transfer ";
	struct prompt *pr = &ui->model.prompt;
	enum target_kind kind;
	const char *why = NULL;
	char target[TARGET_MAX + 1];
	size_t n;
	int err;

	if (!*args) {
		/* The command line, the verb typed already: the target is
		 * read like a dial target, and Esc cancels. */
		prompt_open(pr, PROMPT_COMMAND);
		snprintf(pr->text, sizeof(pr->text), "%s", verb);
		pr->len = pr->cursor = strlen(pr->text);
		ui->model.dirty = true;
		ui_view_event("command", true);
		return 0;
	}
	n = strlen(args);
	while (n && (args[n - 1] == ' ' || args[n - 1] == '\t'))
		n--;
	if (n > TARGET_MAX) {
		model_status(&ui->model, true, _("Cannot transfer: %s."),
			     _("the address is longer than 256 characters"));
		return EINVAL;
	}
	snprintf(target, sizeof(target), "%.*s", (int)n, args);
	if (target_check(target, &kind, &why)) {
		model_status(&ui->model, true,
			     _("Cannot transfer to \"%s\": %s."), target,
			     _(why));
		return EINVAL;
	}
	if (!ui->model.cm)
		return call_result(ui, ENOENT, _("Transfer"));
	err = call_transfer(ui->model.cm, target);
	if (err == EALREADY) {
		model_status(&ui->model, true,
			     _("Transfer: a transfer of this call is under "
			       "way."));
		return err;
	}
	if (err)
		return call_result(ui, err, _("Transfer"));
	model_status(&ui->model, false,
		     _("Transferring the call to %s."), target);
	model_calls_update(&ui->model, loop_now_ms());
	return 0;
}

static int toggle(struct ui *ui, bool *flag, const char *view)
{
	*flag = !*flag;
	ui->model.dirty = true;
	ui_view_event(view, *flag);
	return 0;
}

static int cmd_log(struct ui *ui, const char *args)
{
	(void)args;
	return toggle(ui, &ui->model.show_log, "log");
}

static int cmd_trace(struct ui *ui, const char *args)
{
	(void)args;
	return toggle(ui, &ui->model.show_trace, "trace");
}

static int cmd_prompt(struct ui *ui, const char *args)
{
	(void)args;
	prompt_open(&ui->model.prompt, PROMPT_COMMAND);
	ui->model.dirty = true;
	ui_view_event("command", true);
	return 0;
}

/* The status bar's privacy item from the call manager. */
static void privacy_show(struct ui *ui)
{
	bool from_acc = true;
	unsigned lv = call_mgr_next_privacy(ui->model.cm, &from_acc);

	privacy_str(ui->model.privacy, sizeof(ui->model.privacy), lv);
	ui->model.privacy_chosen = !from_acc;
	ui->model.dirty = true;
}

/* The message keeps its line breaks; any other control character (a
 * peer's bytes never get here, but the screen is not the place to
 * learn that) becomes '?'. */
static void preview_copy(char *dst, size_t sz, const char *p, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < len && j + 1 < sz; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '\r')
			continue;
		dst[j++] = ch == '\n' || ch >= 0x20 ? (char)ch : '?';
	}
	dst[j] = '\0';
}

static void preview_fill(struct ui *ui, const char *target)
{
	struct buf b;
	int err;

	buf_init(&b, sizeof(ui->model.preview) - 1);
	err = call_preview(ui->model.cm, target, &b);
	if (!err)
		err = b.err;
	if (err)
		snprintf(ui->model.preview, sizeof(ui->model.preview),
			 _("No preview: %s."), strerror(err));
	else
		preview_copy(ui->model.preview, sizeof(ui->model.preview),
			     b.data, b.len);
	buf_free(&b);
}

static int cmd_privacy(struct ui *ui, const char *args)
{
	unsigned lv;
	char shown[PRIVACY_STR_MAX];
	struct buf why;
	int err;

	if (!ui->model.cm) {
		model_status(&ui->model, true,
			     _("Privacy: no account is configured."));
		return ENOENT;
	}
	if (!*args) {
		bool from_acc;

		lv = call_mgr_next_privacy(ui->model.cm, &from_acc);
		lv = privacy_next(from_acc ? 0 : lv);
	} else if (!strcmp(args, "account")) {
		lv = 0;
	} else {
		buf_init(&why, 512);
		err = privacy_parse(&lv, args, &why);
		if (err) {
			(void)buf_putc(&why, '\0');
			model_status(&ui->model, true, "%s.",
				     why.data ? why.data : "");
			buf_free(&why);
			return err;
		}
		buf_free(&why);
	}
	call_mgr_set_next_privacy(ui->model.cm, lv);
	privacy_show(ui);
	privacy_str(shown, sizeof(shown), lv);
	if (lv)
		model_status(&ui->model, false,
			     _("The next call goes out with privacy %s."),
			     shown);
	else
		model_status(&ui->model, false,
			     _("The next call goes out with the account's "
			       "privacy."));
	if (ui->model.show_preview)
		preview_fill(ui, NULL);
	return 0;
}

static int cmd_preview(struct ui *ui, const char *args)
{
	if (!ui->model.cm) {
		model_status(&ui->model, true,
			     _("Preview: no account is configured."));
		return ENOENT;
	}
	if (ui->model.show_preview && !*args)
		return toggle(ui, &ui->model.show_preview, "preview");
	privacy_show(ui);
	preview_fill(ui, *args ? args : NULL);
	ui->model.show_preview = false;
	return toggle(ui, &ui->model.show_preview, "preview");
}

static int cmd_mute(struct ui *ui, const char *args)
{
	int err;

	(void)args;
	err = ui->model.cm ? call_mute_toggle(ui->model.cm) : ENOENT;
	if (err == ENOENT) {
		model_status(&ui->model, true,
			     _("Mute: no call is up; mute works in a call "
			       "that was answered."));
		return err;
	}
	if (err)
		return call_result(ui, err, _("Mute"));
	model_calls_update(&ui->model, loop_now_ms());
	for (size_t i = 0; i < ui->model.ncalls; i++)
		if (ui->model.calls[i].selected)
			model_status(&ui->model, false, "%s",
				     ui->model.calls[i].muted ?
				     _("Microphone muted: press m again to "
				       "unmute.") : _("Microphone on."));
	return 0;
}

static bool dtmf_char(char *c)
{
	if (*c >= 'a' && *c <= 'd')
		*c = (char)(*c - 'a' + 'A');
	return *c && strchr("0123456789*#ABCD", *c);
}

static int cmd_dtmf(struct ui *ui, const char *args)
{
	char digits[33];
	size_t n = strlen(args);
	int err = 0;

	while (n && (args[n - 1] == ' ' || args[n - 1] == '\t'))
		n--;
	if (!n || n >= sizeof(digits)) {
		model_status(&ui->model, true,
			     _("dtmf takes 1 to 32 of 0-9 * # A-D, e.g. "
			       "\"dtmf 123#\"."));
		return EINVAL;
	}
	memcpy(digits, args, n);
	digits[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!dtmf_char(&digits[i])) {
			model_status(&ui->model, true,
				     _("DTMF: \"%c\" is not a digit; use 0-9, "
				       "*, # or A-D."), digits[i]);
			return EINVAL;
		}
	}
	if (!model_live_calls(&ui->model) && ui->from_key) {
		/* No call: a digit starts a number, as on a phone. */
		struct prompt *pr = &ui->model.prompt;

		prompt_open(pr, PROMPT_DIAL);
		snprintf(pr->text, sizeof(pr->text), "%s", digits);
		pr->len = pr->cursor = strlen(pr->text);
		ui->model.dirty = true;
		ui_view_event("dial", true);
		return 0;
	}
	for (size_t i = 0; i < n && !err; i++)
		err = ui->model.cm ? call_dtmf(ui->model.cm, digits[i]) :
		      ENOENT;
	if (err == ENOENT)
		model_status(&ui->model, true,
			     _("DTMF: no call is up to send digits in."));
	else if (err == ENOTSUP)
		model_status(&ui->model, true,
			     _("DTMF: the far end did not agree to "
			       "telephone-event (RFC 4733); nothing was "
			       "sent."));
	else if (err)
		return call_result(ui, err, _("DTMF"));
	else
		model_status(&ui->model, false, _("Sent DTMF %s."), digits);
	return err;
}

static int view_toggle(struct ui *ui, enum model_view v, const char *name)
{
	static const char *const names[] = {
		[VIEW_IDENTITY] = "identity", [VIEW_CONTACTS] = "contacts",
		[VIEW_HISTORY] = "history",
	};
	enum model_view old = ui->model.view;

	if (old != VIEW_NONE)
		ui_view_event(names[old], false);
	ui->model.view = old == v ? VIEW_NONE : v;
	ui->model.list_sel = 0;
	ui->model.dirty = true;
	if (ui->model.view != VIEW_NONE)
		ui_view_event(name, true);
	return 0;
}

static int cmd_identity(struct ui *ui, const char *args)
{
	(void)args;
	if (ui->model.view != VIEW_IDENTITY && !ui->model.ncalls) {
		model_status(&ui->model, true,
			     _("Identity: there is no call to show."));
		return ENOENT;
	}
	return view_toggle(ui, VIEW_IDENTITY, "identity");
}

static int cmd_contacts(struct ui *ui, const char *args)
{
	(void)args;
	return view_toggle(ui, VIEW_CONTACTS, "contacts");
}

static int cmd_history(struct ui *ui, const char *args)
{
	(void)args;
	return view_toggle(ui, VIEW_HISTORY, "history");
}

static int cmd_import(struct ui *ui, const char *args)
{
	if (!*args) {
		model_status(&ui->model, true,
			     _("import takes the vCard file to read, e.g. "
			       "\"import ~/contacts.vcf\"."));
		return EINVAL;
	}
	return files_import_vcard(ui, args);
}
