/* opts.h - the command line (siptty(1) OPTIONS). */
#ifndef SIPTTY_OPTS_H
#define SIPTTY_OPTS_H

#include <stdbool.h>
#include <stdio.h>

enum opts_action {
	OPTS_RUN = 0,
	OPTS_HELP,
	OPTS_VERSION,
	OPTS_CHECK_CONFIG,
};

struct opts {
	enum opts_action action;
	const char *config;       /* -c FILE */
	const char *log_file;     /* --log FILE */
	const char *events;       /* --events FILE */
	const char *script;       /* --script FILE */
	const char *screen_dump;  /* --screen-dump FILE */
	const char *audio_in;     /* --audio-in WAV */
	const char *audio_out;    /* --audio-out WAV */
	const char *call;         /* --call URI */
	bool headless;
	bool null_audio;
	bool demo;
	bool auto_answer;
	unsigned auto_answer_s;
	bool debug;               /* -d: debug-level log */
};

/* Returns 0, or EINVAL after writing one sentence on the problem to err. */
int opts_parse(struct opts *o, int argc, char *const argv[], FILE *err);
void opts_usage(FILE *out, const char *prog);

#endif
