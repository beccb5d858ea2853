/* main.c - siptty: parse the command line, load the config, run the loop. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/conf.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "audio/media.h"
#include "core/opts.h"
#include "demo/demo.h"
#include "ua/account.h"
#include "ua/call.h"
#include "ua/ident.h"
#include "ua/offer.h"
#include "ua/reg.h"
#include "ua/stack.h"
#include "ui/model.h"
#include "ui/script.h"
#include "ui/ui.h"

#define EXIT_USAGE 2
/* The bound on unregistering at exit: a dead registrar cannot hold us. */
#define UNREGISTER_WAIT_MS 3000
#define MAX_ACCOUNTS 16
/* The bound on ending calls at exit (CANCEL and BYE answered). */
#define HANGUP_WAIT_MS 2000

static int report_config(const struct conf *conf, const char *path)
{
	struct buf b;
	int status = 0;

	buf_init(&b, 0);
	for (size_t i = 0; i < conf_nerrors(conf); i++) {
		buf_reset(&b);
		conf_error_print(&b, conf_error(conf, i));
		if (!b.err)
			fprintf(stderr, "%s\n", b.data);
		status = 1;
	}
	/* Codec names are the offer's to know. */
	{
		const char *v = conf_get(conf, "audio", "codecs");
		char bad[32];

		if (v && !offer_codecs_ok(v, bad, sizeof(bad))) {
			fprintf(stderr, _("%s:%u: [audio] codecs: %s is not a "
					  "codec siptty has (opus, pcmu, pcma)\n"),
				path, conf_line(conf, "audio", "codecs"), bad);
			status = 1;
		}
	}
	/* Key names are the UI's to know; conf only checks they are strings. */
	buf_reset(&b);
	if (ui_check_keys(conf, &b)) {
		for (char *l = b.err ? NULL : b.data, *nl; l && *l; l = nl + 1) {
			nl = strchr(l, '\n');
			if (!nl)
				break;
			fprintf(stderr, "%s:%.*s\n", path, (int)(nl - l), l);
		}
		status = 1;
	}
	buf_free(&b);
	return status;
}

static size_t count_accounts(const struct conf *conf)
{
	size_t n = 0;

	while (conf_section_name(conf, "account", n))
		n++;
	return n;
}

/* Loads the config; *conf stays NULL when there is none (first start). */
static int load_config(const struct opts *o, struct conf **conf,
		       char *path, size_t sz)
{
	int err;

	if (o->config) {
		snprintf(path, sz, "%s", o->config);
	} else if (conf_default_path(path, sz)) {
		path[0] = '\0';
		return 0;
	}
	err = conf_load(conf, path);
	if (err == ENOENT && !o->config)
		return 0;
	if (err && err != EBADMSG) {
		fprintf(stderr, _("siptty: cannot read the configuration %s: %s\n"),
			path, strerror(err));
		return err;
	}
	return err;
}

/* mkdir -p with mode 0700 for each level we create. */
static int mkdir_p(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return errno;
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

static int default_log_path(char *out, size_t sz)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[3072];
	int err;

	if (state && *state)
		snprintf(dir, sizeof(dir), "%s/siptty", state);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/siptty", home);
	else
		return ENOENT;
	snprintf(out, sz, "%s/siptty.log", dir);
	err = mkdir_p(dir);
	return err;
}

struct app {
	struct loop *loop;
	struct ui *ui;
	struct script *script;
	int sigfd;
	struct stack *stack;
	struct account *acc[MAX_ACCOUNTS];
	struct reg *reg[MAX_ACCOUNTS];
	size_t nacc;
	struct call_mgr *calls;
	struct media_engine *media;
	struct ident_ctx *ident;
	const struct opts *o;
	size_t unregistering;
};

/* The stack, the accounts and their registrations, once the UI exists
 * (so that what goes wrong shows in its log pane). */
static int ua_start(struct app *app, const struct conf *conf)
{
	struct buf why;
	const char *name;
	int err;

	err = stack_alloc(&app->stack, app->loop, conf);
	if (err)
		return err;
	buf_init(&why, 1024);
	for (size_t i = 0; (name = conf_section_name(conf, "account", i)) &&
	     app->nacc < MAX_ACCOUNTS; i++) {
		struct account *acc;

		buf_reset(&why);
		err = account_alloc(&acc, conf, name, &why);
		if (err) {
			log_error("main", "%s", why.len ? why.data :
				  strerror(err));
			continue;
		}
		app->acc[app->nacc] = acc;
		err = reg_alloc(&app->reg[app->nacc], app->stack, acc);
		app->nacc++;
		if (err) {
			log_error("main", "account %s: %s", name,
				  strerror(err));
			continue;
		}
		if (acc->do_register)
			(void)reg_start(app->reg[app->nacc - 1]);
	}
	buf_free(&why);
	err = call_mgr_alloc(&app->calls, app->stack, conf);
	if (err)
		return err;
	{
		struct media_opts mo = {
			.audio_in = app->o->audio_in,
			.audio_out = app->o->audio_out,
			.null_audio = app->o->null_audio,
		};

		err = media_engine_alloc(&app->media, app->loop, conf, &mo);
		if (err)
			log_error("main", "no audio: %s", strerror(err));
		else
			call_mgr_set_media(app->calls, app->media);
	}
	err = ident_alloc(&app->ident, app->loop, conf);
	if (err)
		log_error("main", "callers cannot be verified: %s",
			  strerror(err));
	else
		call_mgr_set_ident(app->calls, app->ident);
	for (size_t i = 0; i < app->nacc; i++) {
		err = call_mgr_add_account(app->calls, app->acc[i]);
		if (err)
			return err;
	}
	if (app->o->auto_answer)
		call_mgr_set_auto_answer(app->calls, true,
					 app->o->auto_answer_s);
	ui_set_call_mgr(app->ui, app->calls);
	if (app->o->call) {
		err = call_dial(app->calls, app->o->call, NULL);
		if (err)
			log_error("main", "cannot call %s: %s", app->o->call,
				  strerror(err));
		err = 0;
	}
	return 0;
}

static void on_unregistered(struct reg *r, void *arg)
{
	struct app *app = arg;

	(void)r;
	if (app->unregistering)
		app->unregistering--;
}

/* Removes every binding, waiting a bounded time for the answers. */
static void ua_stop(struct app *app)
{
	uint64_t until = loop_now_ms() + HANGUP_WAIT_MS;

	/* Calls first: their BYEs need the flows registration uses. */
	if (app->calls) {
		call_mgr_hangup_all(app->calls);
		while (call_mgr_busy(app->calls) && loop_now_ms() < until)
			(void)loop_once(app->loop, (int)(until - loop_now_ms()));
		if (app->ui)
			ui_set_call_mgr(app->ui, NULL);
		call_mgr_free(app->calls);
		app->calls = NULL;
	}
	media_engine_free(app->media);
	app->media = NULL;
	ident_free(app->ident);
	app->ident = NULL;
	until = loop_now_ms() + UNREGISTER_WAIT_MS;
	app->unregistering = 0;
	for (size_t i = 0; i < app->nacc; i++) {
		if (!app->reg[i])
			continue;
		app->unregistering++;
		if (reg_stop(app->reg[i], on_unregistered, app) == EALREADY)
			continue;
	}
	while (app->unregistering && loop_now_ms() < until)
		(void)loop_once(app->loop, (int)(until - loop_now_ms()));
	for (size_t i = 0; i < app->nacc; i++) {
		reg_free(app->reg[i]);
		account_free(app->acc[i]);
		app->reg[i] = NULL;
		app->acc[i] = NULL;
	}
	app->nacc = 0;
	stack_free(app->stack);
	app->stack = NULL;
}

static void on_signal(int fd, short revents, void *arg)
{
	struct app *app = arg;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM ||
		    si.ssi_signo == SIGHUP) {
			log_info("main", "signal %u: stopping", si.ssi_signo);
			loop_stop(app->loop, 0);
		}
	}
}

static pthread_t main_thread;

/*
 * The log pane and `error` events belong to the loop thread: a line
 * logged on another thread (the media and device threads) goes to the
 * log file only.
 */
static void on_log(enum log_level level, const char *line, void *arg)
{
	struct app *app = arg;

	if (!pthread_equal(pthread_self(), main_thread))
		return;
	if (level >= LOG_INFO && app->ui)
		ui_log(app->ui, line);
	if (level >= LOG_ERROR)
		(void)events_emit("error", json_pack("{s:s}", "message", line));
}

static void on_quit(void *arg)
{
	struct app *app = arg;

	loop_stop(app->loop, 0);
}

static void on_script_done(int status, void *arg)
{
	struct app *app = arg;

	log_info("main", "script finished with status %d", status);
	loop_stop(app->loop, 0);
}

/* The demo's configuration: its own account, TLS and identity, and the
 * user's [audio], [ui] and [keys] (the sound card, the screen and the
 * keys are the user's; accounts and trust never are). */
static int demo_conf(struct conf **confp, const char *text,
		     const struct conf *user)
{
	static const char *const mine[] = {"audio", "ui", "keys"};
	const char *key, *value;
	unsigned line;
	struct buf b;
	int err;

	buf_init(&b, 2048);
	buf_printf(&b, "%s", text);
	for (size_t i = 0; user && i < sizeof(mine) / sizeof(mine[0]); i++) {
		buf_printf(&b, "[%s]\n", mine[i]);
		for (size_t k = 0; !conf_entry(user, mine[i], k, &key, &value,
					      &line); k++)
			buf_printf(&b, "%s = %s\n", key, value);
	}
	err = b.err ? b.err : conf_load_string(confp, "demo", b.data);
	buf_free(&b);
	return err;
}

static int run(const struct opts *o, const struct conf *conf,
	       const char *conf_path, struct script *script)
{
	struct app app = {.sigfd = -1, .script = script};
	struct ui_params up = {0};
	char headline[512];
	sigset_t mask;
	int err, status = 0;

	struct demo *demo = NULL;
	struct conf *dconf = NULL;

	if (o->call && !conf && !o->demo) {
		fprintf(stderr, _("siptty: --call needs an account in the "
				  "configuration; see siptty.conf(5)\n"));
		return EXIT_USAGE;
	}
	app.o = o;

	err = loop_alloc(&app.loop);
	if (err)
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	app.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (app.sigfd < 0) {
		err = errno;
		goto out;
	}
	err = loop_fd_add(app.loop, app.sigfd, POLLIN, on_signal, &app);
	if (err)
		goto out;

	if (o->demo) {
		const char *text;

		/* The demo account is the only one: the demo's keys and
		 * trust never meet a real account. */
		err = demo_start(&demo, app.loop, &text);
		if (!err)
			err = demo_conf(&dconf, text, conf);
		if (err) {
			fprintf(stderr, _("siptty: cannot start the demo "
					  "service: %s\n"), strerror(err));
			err = 0;
			status = 1;
			goto out;
		}
		conf = dconf;
		snprintf(headline, sizeof(headline), "%s",
			 _("Demo: siptty talks to a built-in echo service over "
			   "TLS; it calls you in a moment."));
		up.hint = _("Press a to answer, i for who is calling, d to "
			    "dial echo, ? for every key.");
	} else if (!conf) {
		snprintf(headline, sizeof(headline),
			 _("No account is configured (%s does not exist)."),
			 conf_path[0] ? conf_path : "siptty.conf");
		up.hint = _("Add an [account NAME] section with aor, registrar "
			    "and password_file; see siptty.conf(5).");
	} else {
		snprintf(headline, sizeof(headline),
			 ngettext("%zu account configured in %s.",
				  "%zu accounts configured in %s.",
				  count_accounts(conf)),
			 count_accounts(conf), conf_path);
		up.hint = _("Press d to dial, ? for every key; registration "
			    "states show in the status line.");
	}
	up.headline = headline;
	up.conf = conf;
	/* A script with no terminal runs headless: that is not an error. */
	up.headless = o->headless ||
		      (script && (!isatty(STDIN_FILENO) ||
				  !isatty(STDOUT_FILENO)));
	err = ui_alloc(&app.ui, app.loop, &up);
	if (err == ENOTTY) {
		fprintf(stderr, _("siptty: standard input is not a terminal; "
				  "use --headless to run without one\n"));
		err = 0;
		status = EXIT_USAGE;
		goto out;
	}
	if (err)
		goto out;
	ui_set_quit_handler(app.ui, on_quit, &app);
	main_thread = pthread_self();
	log_set_handler(on_log, &app);
	if (script) {
		err = script_start(script, app.loop, app.ui, on_script_done,
				   &app);
		if (err)
			goto out;
	}
	(void)events_emit("start", json_pack("{s:s}", "version",
					    PACKAGE_VERSION));
	log_info("main", "siptty %s started", PACKAGE_VERSION);
	if (conf) {
		err = ua_start(&app, conf);
		if (err)
			goto out;
	}

	err = loop_run(app.loop);

	if (script)
		status = script_finish(script);
	ua_stop(&app);
	(void)events_emit("stop", NULL);
	log_set_handler(NULL, NULL);
	if (o->screen_dump) {
		int derr = ui_dump(app.ui, o->screen_dump);

		if (derr)
			fprintf(stderr, _("siptty: cannot write the screen to "
					  "%s: %s\n"), o->screen_dump,
				strerror(derr));
	}
 out:
	if (app.stack)
		ua_stop(&app);
	/* The script's own state refers to the ui: stop it first. */
	if (script && app.ui)
		(void)script_finish(script);
	ui_free(app.ui);
	/* Only now is the terminal ours again to print on. */
	if (script && *script_failure(script))
		fputs(script_failure(script), stderr);
	if (app.sigfd >= 0)
		close(app.sigfd);
	demo_stop(demo);
	conf_free(dconf);
	loop_free(app.loop);
	if (err) {
		fprintf(stderr, _("siptty: %s\n"), strerror(err));
		return 1;
	}
	return status;
}

int main(int argc, char *argv[])
{
	struct script *script = NULL;
	struct conf *conf = NULL;
	char conf_path[4096] = "", log_path[4096] = "";
	const char *localedir;
	struct opts o;
	int err, status;

	setlocale(LC_ALL, "");
	/* SIPTTY_LOCALEDIR lets the tests use the catalogues of a build tree. */
	localedir = getenv("SIPTTY_LOCALEDIR");
	bindtextdomain(PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
	textdomain(PACKAGE);

	if (opts_parse(&o, argc, argv, stderr))
		return EXIT_USAGE;
	switch (o.action) {
	case OPTS_HELP:
		opts_usage(stdout, "siptty");
		return 0;
	case OPTS_VERSION:
		printf("siptty %s\n", PACKAGE_VERSION);
		return 0;
	default:
		break;
	}

	if (o.script && o.action == OPTS_RUN) {
		struct buf serr;

		/* The whole script is checked before anything runs. */
		buf_init(&serr, 0);
		err = script_load(&script, o.script, &serr);
		if (err == EBADMSG) {
			if (serr.len)
				fputs(serr.data, stderr);
			fprintf(stderr, _("siptty: the script %s has errors; "
					  "nothing was run\n"), o.script);
		} else if (err) {
			fprintf(stderr, _("siptty: cannot read the script %s: "
					  "%s\n"), o.script, strerror(err));
		}
		buf_free(&serr);
		if (err)
			return EXIT_USAGE;
	}

	err = load_config(&o, &conf, conf_path, sizeof(conf_path));
	if (o.action == OPTS_CHECK_CONFIG) {
		if (err && err != EBADMSG) {
			status = 1;
		} else if (!conf) {
			fprintf(stderr, _("siptty: no configuration at %s; see "
					  "siptty.conf(5) to write one\n"),
				conf_path[0] ? conf_path : "siptty.conf");
			status = 1;
		} else {
			status = report_config(conf, conf_path);
			if (!status)
				printf(_("%s: no problems found\n"), conf_path);
		}
		conf_free(conf);
		return status;
	}
	if (err == EBADMSG) {
		(void)report_config(conf, conf_path);
		fprintf(stderr, _("siptty: fix the configuration, or check it "
				  "with siptty --check-config\n"));
		conf_free(conf);
		script_free(script);
		return 1;
	}
	if (err) {
		script_free(script);
		return 1;
	}

	{
		/* [general] log_level; -d wins. */
		const char *lv = conf ? conf_get(conf, "general", "log_level") :
				 NULL;

		if (lv && !strcmp(lv, "debug"))
			log_set_level(LOG_DEBUG);
		else if (lv && !strcmp(lv, "warn"))
			log_set_level(LOG_WARN);
		else if (lv && !strcmp(lv, "error"))
			log_set_level(LOG_ERROR);
	}
	if (o.debug)
		log_set_level(LOG_DEBUG);
	if (o.log_file || (conf && conf_get(conf, "general", "log_file"))) {
		snprintf(log_path, sizeof(log_path), "%s", o.log_file ?
			 o.log_file : conf_get(conf, "general", "log_file"));
		err = 0;
	} else {
		err = default_log_path(log_path, sizeof(log_path));
	}
	if (!err)
		err = log_open(log_path);
	if (err == ENOENT && !log_path[0])
		fprintf(stderr, _("siptty: neither HOME nor XDG_STATE_HOME is "
				  "set, so there is no log; use --log FILE\n"));
	else if (err)
		fprintf(stderr, _("siptty: cannot open the log file %s: %s\n"),
			log_path, strerror(err));
	{
		/* --events, else [general] events_file. */
		const char *ev = o.events ? o.events : conf ?
				 conf_get(conf, "general", "events_file") : NULL;

		err = ev && *ev ? events_open(ev) : 0;
		if (err) {
			fprintf(stderr, _("siptty: cannot open the event log "
					  "%s: %s\n"), ev, strerror(err));
			conf_free(conf);
			script_free(script);
			return 1;
		}
	}

	status = run(&o, conf, conf_path, script);

	script_free(script);
	events_close();
	log_close();
	conf_free(conf);
	return status;
}
