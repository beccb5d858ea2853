/* opts.c - getopt_long parsing of the command line. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "core/opts.h"

enum {
	O_HEADLESS = 256,
	O_SCRIPT,
	O_EVENTS,
	O_SCREEN_DUMP,
	O_AUDIO_IN,
	O_AUDIO_OUT,
	O_NULL_AUDIO,
	O_AUTO_ANSWER,
	O_CALL,
	O_DEMO,
	O_CHECK_CONFIG,
	O_LOG,
};

static const struct option longopts[] = {
	{"config", required_argument, NULL, 'c'},
	{"debug", no_argument, NULL, 'd'},
	{"headless", no_argument, NULL, O_HEADLESS},
	{"script", required_argument, NULL, O_SCRIPT},
	{"events", required_argument, NULL, O_EVENTS},
	{"screen-dump", required_argument, NULL, O_SCREEN_DUMP},
	{"audio-in", required_argument, NULL, O_AUDIO_IN},
	{"audio-out", required_argument, NULL, O_AUDIO_OUT},
	{"null-audio", no_argument, NULL, O_NULL_AUDIO},
	{"auto-answer", optional_argument, NULL, O_AUTO_ANSWER},
	{"call", required_argument, NULL, O_CALL},
	{"demo", no_argument, NULL, O_DEMO},
	{"check-config", no_argument, NULL, O_CHECK_CONFIG},
	{"log", required_argument, NULL, O_LOG},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void opts_usage(FILE *out, const char *prog)
{
	fprintf(out, _("Usage: %s [OPTION]...\n"), prog);
	fputs(_("A secure SIP softphone for the terminal.\n\n"), out);
	fputs(_("  -c, --config FILE       read the configuration from FILE\n"
		"      --check-config      check the configuration, report every problem and exit\n"
		"      --headless          run without a terminal, rendering the screen as text\n"
		"      --script FILE       drive siptty from a keystroke script\n"
		"      --events FILE       write the event log (one JSON object per line) to FILE\n"
		"      --screen-dump FILE  write the screen to FILE at exit\n"
		"      --log FILE          write the diagnostic log to FILE\n"
		"  -d, --debug             log debugging detail too\n"
		"      --audio-in WAV      read the microphone from a WAV file\n"
		"      --audio-out WAV     write the speaker to a WAV file\n"
		"      --null-audio        use no sound device at all\n"
		"      --auto-answer[=S]   answer incoming calls, after S seconds\n"
		"      --call URI          place a call to URI at start\n"
		"      --demo              call the built-in demo service\n"
		"  -V, --version           print the version and exit\n"
		"  -h, --help              print this help and exit\n"), out);
	fputs(_("\nThe configuration is read from $XDG_CONFIG_HOME/siptty/siptty.conf "
		"unless -c is given; see siptty.conf(5).\n"), out);
}

static int parse_seconds(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 3600)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

int opts_parse(struct opts *o, int argc, char *const argv[], FILE *err)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;  /* we print our own, translatable, sentence */
	while ((c = getopt_long(argc, argv, ":c:dVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'd': o->debug = true; break;
		case 'V': o->action = OPTS_VERSION; break;
		case 'h': o->action = OPTS_HELP; break;
		case O_HEADLESS: o->headless = true; break;
		case O_SCRIPT: o->script = optarg; break;
		case O_EVENTS: o->events = optarg; break;
		case O_SCREEN_DUMP: o->screen_dump = optarg; break;
		case O_AUDIO_IN: o->audio_in = optarg; break;
		case O_AUDIO_OUT: o->audio_out = optarg; break;
		case O_NULL_AUDIO: o->null_audio = true; break;
		case O_CALL: o->call = optarg; break;
		case O_DEMO: o->demo = true; break;
		case O_LOG: o->log_file = optarg; break;
		case O_CHECK_CONFIG:
			if (o->action == OPTS_RUN)
				o->action = OPTS_CHECK_CONFIG;
			break;
		case O_AUTO_ANSWER:
			o->auto_answer = true;
			if (optarg && parse_seconds(optarg, &o->auto_answer_s)) {
				fprintf(err, _("siptty: --auto-answer takes a number "
					       "of seconds from 0 to 3600, not \"%s\"\n"),
					optarg);
				return EINVAL;
			}
			break;
		case ':':
			fprintf(err, _("siptty: option %s needs a value; "
				       "see siptty --help\n"), argv[optind - 1]);
			return EINVAL;
		default:
			fprintf(err, _("siptty: unknown option %s; "
				       "see siptty --help\n"), argv[optind - 1]);
			return EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(err, _("siptty: unexpected argument \"%s\"; "
			       "see siptty --help\n"), argv[optind]);
		return EINVAL;
	}
	return 0;
}
