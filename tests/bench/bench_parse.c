/* bench_parse.c - parse throughput of siptty against libosip2 and sofia-sip on one corpus, in one run. */
#include <config.h>

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "sip/msg.h"

/*
 * What each parser turns into structure.  The rule is equal work: every
 * header a peer structures, siptty decodes into its typed form too.
 *
 * libosip2 5.3 (osip_message_parse): the start line, with the Request-URI
 * parsed into an osip_uri_t; Via, From, To, Contact, Route and
 * Record-Route (URIs split into scheme, user, password, host, port and a
 * parameter list); Call-ID, CSeq, Content-Length, Content-Type (type,
 * subtype, parameters); Authorization, Proxy-Authorization,
 * WWW-Authenticate, Proxy-Authenticate, Authentication-Info and
 * Proxy-Authentication-Info (each digest parameter in its own field);
 * Accept, Accept-Encoding, Accept-Language, Alert-Info, Allow, Call-Info,
 * Content-Encoding, Error-Info and MIME-Version.  Every other header
 * (Max-Forwards, Expires, Supported, Session-Expires, User-Agent, Server,
 * Date, Identity, extensions) stays a raw name/value pair.  The body is
 * copied, and a multipart body is split into parts with their MIME
 * headers (mpart01), which siptty does not do: extra work for osip on
 * that one message.  osip drops an invalid optional header silently, so
 * osip_check() also requires the mandatory headers in structure.
 *
 * sofia-sip 1.12 (msg_make with sip_default_mclass): the start line and
 * every header of its default SIP class: Via, Route, Record-Route,
 * From, To, Contact (URIs split by url_d, parameters into lists), Call-ID,
 * CSeq, Max-Forwards, Expires, Content-Length, Session-Expires (numbers),
 * Date (to seconds), Allow, Supported, Require (token lists), Content-Type,
 * the four authentication headers (scheme and a list of "name=value"
 * strings) and the rest of its RFC 3261 / 3262 / 3265 / 3515 / 3329 set;
 * User-Agent, Server and Subject become plain strings.  Unknown headers
 * (Identity, extensions) stay raw.  The body is one payload, not parsed.
 *
 * siptty (sip_msg_decode + sip_msg_decode_all): the start line and
 * Request-URI (sip_uri_decode), then every header with a typed form in
 * src/sip/hdr.c: all of the above, including auth-param lists checked
 * one by one, plus Identity, which neither peer structures.  Its untyped
 * headers (User-Agent, Server, Subject, Organization, MIME-Version,
 * Timestamp, Accept-Contact, Reject-Contact, History-Info) are kept as
 * slices; of those only the three text headers occur in the corpus, and
 * the peers keep them as strings too.
 *
 * All three parse the same bytes, a buffer holding exactly one file, and
 * all three copy it first: the peers' APIs own the message memory, and
 * siptty runs in its default mode (no SIP_MSG_NOCOPY) to match.
 */

#define ROUNDS 5
#ifndef ROUND_NS   /* -DROUND_NS=1e7 for a quick run under sanitizers */
#define ROUND_NS 1000000000.0   /* each round of each parser runs >= 1 s */
#endif
#ifndef WARMUP_NS
#define WARMUP_NS 100000000.0   /* untimed warm-up, per parser */
#endif
#define BATCH 16                /* parses of one message per clock reading */
#define MAX_SAMPLES 64
#define MAX_FILE (256 * 1024)
#define REASON_MAX 200

#define TARGET_SOFIA 4.0
#define TARGET_OSIP 10.0

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BENCH_HAS_ASAN 1
#endif
#endif
#ifndef BENCH_HAS_ASAN
#define BENCH_HAS_ASAN 0
#endif

struct sample {
	char *name;     /* file name without directory */
	char *data;     /* exactly len bytes, no terminator */
	size_t len;
};

struct parser {
	const char *name;
	/* Parse and free one message: 0, or an error code (never printed). */
	int (*parse)(const char *p, size_t n);
	/* Same, but explains a rejection in why[REASON_MAX]. */
	int (*check)(const char *p, size_t n, char *why);
	bool ok[MAX_SAMPLES];
	char why[MAX_SAMPLES][REASON_MAX];
	unsigned long passes;               /* passes over the set, all rounds */
	double ns[ROUNDS][MAX_SAMPLES];     /* ns per parse, per round */
};

static struct sample samples[MAX_SAMPLES];
static size_t nsamples;
static volatile int sink;   /* keeps results observable */

/* The RFC 4475 section 3.1.1 valid messages. */
static const char *const torture_files[] = {
	"wsinv.dat", "intmeth.dat", "esc01.dat", "escnull.dat", "esc02.dat",
	"lwsdisp.dat", "longreq.dat", "dblreq.dat", "semiuri.dat",
	"transports.dat", "mpart01.dat", "unreason.dat", "noreason.dat",
};

static void reason(char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void reason(char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, REASON_MAX, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* siptty adapter                                                      */
/* ------------------------------------------------------------------ */

static int siptty_decode(const char *p, size_t n, char *why)
{
	struct sip_msg *msg = NULL;
	struct sip_err e = {0};
	int err;

	/* The default copies the bytes, as both peers do. */
	err = sip_msg_decode(&msg, p, n, 0, why ? &e : NULL);
	if (err) {
		if (why)
			reason(why, "sip_msg_decode: %s (status %u %s)",
			       strerror(err), e.status,
			       e.reason ? e.reason : "");
		return err;
	}
	err = sip_msg_decode_all(msg, why ? &e : NULL);
	if (err && why)
		reason(why, "sip_msg_decode_all: %s (status %u %s, header %s)",
		       strerror(err), e.status, e.reason ? e.reason : "",
		       sip_hdr_name(e.hdr) ? sip_hdr_name(e.hdr) : "none");
	sip_msg_free(msg);
	return err;
}

/* ADAPTER: what the benchmark times for siptty.  Parses one message,
 * forces every typed header and the Request-URI to be decoded (the rule
 * of equal work), frees it. */
static int siptty_parse_one(const char *p, size_t n)
{
	return siptty_decode(p, n, NULL);
}

static int siptty_check(const char *p, size_t n, char *why)
{
	return siptty_decode(p, n, why);
}

/* ------------------------------------------------------------------ */
/* libosip2                                                            */
/* ------------------------------------------------------------------ */

static char *osip_why;   /* where the trace hook writes, or NULL */

static void osip_trace_hook(const char *fi, int li, osip_trace_level_t level,
			    const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void osip_trace_hook(const char *fi, int li, osip_trace_level_t level,
			    const char *fmt, va_list ap)
{
	char line[REASON_MAX];
	size_t l;

	(void)fi;
	(void)li;
	(void)level;
	if (!osip_why || osip_why[0])
		return;   /* keep the first, most specific, complaint */
	vsnprintf(line, sizeof(line), fmt, ap);
	l = strlen(line);
	while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
		line[--l] = '\0';
	reason(osip_why, "osip: %s", line);
}

static int osip_parse_one(const char *p, size_t n)
{
	osip_message_t *m;
	int err;

	if (osip_message_init(&m) != OSIP_SUCCESS)
		return ENOMEM;
	err = osip_message_parse(m, p, n);
	osip_message_free(m);
	return err;
}

static int osip_check(const char *p, size_t n, char *why)
{
	osip_message_t *m;
	int err;

	if (osip_message_init(&m) != OSIP_SUCCESS) {
		reason(why, "osip_message_init failed");
		return ENOMEM;
	}
	why[0] = '\0';
	osip_why = why;
	err = osip_message_parse(m, p, n);
	osip_why = NULL;
	if (err != OSIP_SUCCESS) {
		if (!why[0])
			reason(why, "osip_message_parse returned %d", err);
		goto out;
	}
	/* osip drops invalid optional headers quietly; the mandatory ones
	 * must have made it into structure or the message did not parse. */
	if (!m->from || !m->to || !m->call_id || !m->cseq ||
	    osip_list_size(&m->vias) < 1) {
		reason(why, "osip: From, To, Call-ID, CSeq or Via not parsed");
		err = EBADMSG;
	}
 out:
	osip_message_free(m);
	return err;
}

static void osip_setup(void)
{
	int lvl;

	(void)parser_init();
	/* Rejections are explained through the hook during the checks; the
	 * timed runs never take a failure path, and trace nothing. */
	osip_trace_initialize_func(OSIP_INFO4, osip_trace_hook);
	for (lvl = OSIP_WARNING; lvl < END_TRACE_LEVEL; lvl++)
		osip_trace_disable_level((osip_trace_level_t)lvl);
}

/* ------------------------------------------------------------------ */
/* sofia-sip                                                           */
/* ------------------------------------------------------------------ */

static int sofia_parse_one(const char *p, size_t n)
{
	msg_t *m;
	int err;

	m = msg_make(sip_default_mclass(), 0, p, (ssize_t)n);
	if (!m)
		return ENOMEM;
	err = msg_has_error(m);
	msg_destroy(m);
	return err;
}

static int sofia_check(const char *p, size_t n, char *why)
{
	msg_t *m;
	sip_t *sip;
	int err = 0;

	m = msg_make(sip_default_mclass(), 0, p, (ssize_t)n);
	if (!m) {
		reason(why, "msg_make failed");
		return ENOMEM;
	}
	sip = sip_object(m);
	if (sip && sip->sip_error) {
		reason(why, "sofia: header %s did not parse",
		       sip->sip_error->er_name ? sip->sip_error->er_name
					      : "(unnamed)");
		err = EBADMSG;
	}
	else if (msg_has_error(m) || !sip) {
		reason(why, "sofia: msg_extract() failed (message error flag)");
		err = EBADMSG;
	}
	else if (!sip->sip_from || !sip->sip_to || !sip->sip_call_id ||
		 !sip->sip_cseq || !sip->sip_via ||
		 (!sip->sip_request && !sip->sip_status)) {
		reason(why, "sofia: start line or a mandatory header missing");
		err = EBADMSG;
	}
	msg_destroy(m);
	return err;
}

/* ------------------------------------------------------------------ */
/* corpus                                                              */
/* ------------------------------------------------------------------ */

static int load_file(const char *path)
{
	struct sample *s;
	const char *base;
	FILE *f;
	char *data = NULL;
	size_t n;
	int err = 0;

	if (nsamples >= MAX_SAMPLES) {
		fprintf(stderr, "bench: more than %d message files\n",
			MAX_SAMPLES);
		return E2BIG;
	}
	f = fopen(path, "rb");
	if (!f) {
		err = errno;
		fprintf(stderr, "bench: cannot open %s: %s\n", path,
			strerror(err));
		return err;
	}
	data = malloc(MAX_FILE);
	if (!data) {
		err = ENOMEM;
		goto out;
	}
	n = fread(data, 1, MAX_FILE, f);
	if (ferror(f) || n == 0 || n == MAX_FILE) {
		fprintf(stderr, "bench: %s: unreadable, empty or over %d bytes\n",
			path, MAX_FILE);
		err = EINVAL;
		goto out;
	}
	/* Exactly n bytes, so a parser reading past the end trips ASan. */
	s = &samples[nsamples];
	s->data = malloc(n);
	base = strrchr(path, '/');
	s->name = strdup(base ? base + 1 : path);
	if (!s->data || !s->name) {
		free(s->data);
		free(s->name);
		err = ENOMEM;
		goto out;
	}
	memcpy(s->data, data, n);
	s->len = n;
	nsamples++;
 out:
	free(data);
	fclose(f);
	return err;
}

static int load_dir(const char *dir, const char *const *names, size_t count)
{
	char path[PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < count; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path))
			return ENAMETOOLONG;
		err = load_file(path);
		if (err)
			return err;
	}
	return 0;
}

/* Every *.sip of the corpus directory, in name order: adding a message
 * to the benchmark needs no C. */
static int load_glob(const char *dir)
{
	char pat[PATH_MAX];
	glob_t g;
	size_t i;
	int err = 0;

	if (snprintf(pat, sizeof(pat), "%s/*.sip", dir) >= (int)sizeof(pat))
		return ENAMETOOLONG;
	if (glob(pat, GLOB_ERR, NULL, &g) != 0) {
		fprintf(stderr, "bench: no message files match %s\n", pat);
		return ENOENT;
	}
	for (i = 0; i < g.gl_pathc && !err; i++)
		err = load_file(g.gl_pathv[i]);
	globfree(&g);
	return err;
}

/* Default corpus: the hand-written messages of tests/bench/corpus (found
 * beside the test data unless SIPTTY_BENCH_CORPUS names it) and the
 * RFC 4475 valid set from the test data. */
static int load_default(void)
{
	const char *data = getenv("SIPTTY_TESTDATA");
	const char *corpus = getenv("SIPTTY_BENCH_CORPUS");
	char dir[PATH_MAX];
	int err;

	if (!data || !*data)
		data = "tests/data";
	if (!corpus || !*corpus) {
		if (snprintf(dir, sizeof(dir), "%s/../bench/corpus", data) >=
		    (int)sizeof(dir))
			return ENAMETOOLONG;
		corpus = dir;
	}
	err = load_glob(corpus);
	if (err)
		return err;
	if (snprintf(dir, sizeof(dir), "%s/rfc4475", data) >= (int)sizeof(dir))
		return ENAMETOOLONG;
	return load_dir(dir, torture_files,
			sizeof(torture_files) / sizeof(torture_files[0]));
}

/* ------------------------------------------------------------------ */
/* timing                                                              */
/* ------------------------------------------------------------------ */

static double now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* One pass: BATCH parses of every accepted message, each batch timed.
 * Adds ns per batch into acc[], returns the pass's total ns. */
static double run_pass(const struct parser *pr, double *acc)
{
	double total = 0;
	size_t i;
	int b, r = 0;

	for (i = 0; i < nsamples; i++) {
		const struct sample *s = &samples[i];
		double t0, dt;

		if (!pr->ok[i])
			continue;
		t0 = now_ns();
		for (b = 0; b < BATCH; b++)
			r |= pr->parse(s->data, s->len);
		dt = now_ns() - t0;
		if (acc)
			acc[i] += dt;
		total += dt;
	}
	sink = r;
	return total;
}

static size_t accepted(const struct parser *pr)
{
	size_t i, n = 0;

	for (i = 0; i < nsamples; i++)
		n += pr->ok[i];
	return n;
}

/* Warms caches and branch predictors before the first timed round. */
static void warm_up(const struct parser *pr)
{
	double t = 0;

	while (t < WARMUP_NS)
		t += run_pass(pr, NULL);
}

/* Passes over the set until the round has run ROUND_NS: every round is
 * long enough by construction, whatever the machine's load. */
static void run_round(struct parser *pr, int round)
{
	double acc[MAX_SAMPLES] = {0};
	double t = 0;
	unsigned long k = 0;
	size_t i;

	while (t < ROUND_NS) {
		t += run_pass(pr, acc);
		k++;
	}
	pr->passes += k;
	for (i = 0; i < nsamples; i++)
		pr->ns[round][i] = pr->ok[i] ? acc[i] / ((double)k * BATCH) : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median over the rounds of the mean ns per message over the set. */
static double set_ns(const struct parser *pr, const bool *set)
{
	double v[ROUNDS];
	size_t i, count;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		double sum = 0;

		count = 0;
		for (i = 0; i < nsamples; i++) {
			if (!set[i])
				continue;
			sum += pr->ns[r][i];
			count++;
		}
		v[r] = count ? sum / (double)count : 0;
	}
	return median(v, ROUNDS);
}

static double sample_ns(const struct parser *pr, size_t i)
{
	double v[ROUNDS];
	int r;

	for (r = 0; r < ROUNDS; r++)
		v[r] = pr->ns[r][i];
	return median(v, ROUNDS);
}

/* ------------------------------------------------------------------ */
/* report                                                              */
/* ------------------------------------------------------------------ */

static void print_table(const struct parser *pr)
{
	double ns = set_ns(pr, pr->ok);
	size_t i, count = accepted(pr);

	printf("\n%s: %.0f messages/s, %.0f ns/message over %zu messages "
	       "(%lu passes x %d per round)\n",
	       pr->name, ns > 0 ? 1e9 / ns : 0, ns, count,
	       pr->passes / ROUNDS, BATCH);
	for (i = 0; i < nsamples; i++) {
		if (pr->ok[i])
			printf("  %-20s %6zu B %10.0f ns\n", samples[i].name,
			       samples[i].len, sample_ns(pr, i));
		else
			printf("  %-20s %6zu B    skipped (%s)\n",
			       samples[i].name, samples[i].len, pr->why[i]);
	}
}

/* Prints the ratio line against one peer over the messages both parse;
 * returns the speed-up. */
static double print_ratio(const struct parser *self, const struct parser *peer)
{
	bool both[MAX_SAMPLES];
	double a, b, x;
	size_t i;

	for (i = 0; i < nsamples; i++)
		both[i] = self->ok[i] && peer->ok[i];
	a = set_ns(self, both);
	b = set_ns(peer, both);
	x = a > 0 ? b / a : 0;
	if (x == 0)
		printf("ratio %s/%s: none (no message that both parse)\n",
		       self->name, peer->name);
	else if (x >= 1)
		printf("ratio %s/%s: %.1fx faster (%s %.0f ns/msg, %s %.0f ns/msg)\n",
		       self->name, peer->name, x, self->name, a, peer->name, b);
	else
		printf("ratio %s/%s: %.1fx slower (%s %.0f ns/msg, %s %.0f ns/msg)\n",
		       self->name, peer->name, 1 / x, self->name, a, peer->name, b);
	return x;
}

static void print_skips(const struct parser *self, const struct parser *peer)
{
	size_t i;

	for (i = 0; i < nsamples; i++) {
		if (!peer->ok[i] && self->ok[i])
			printf("skipped for %s and %s: %s (%s)\n", peer->name,
			       self->name, samples[i].name, peer->why[i]);
	}
}

/* Nobody is timed on a failure path: a message siptty rejects is out for
 * every parser, one a peer rejects is out of that peer's ratio. */
static void check_all(struct parser *parsers, size_t np)
{
	struct parser *self = &parsers[0];
	size_t i, p;

	for (p = 0; p < np; p++) {
		for (i = 0; i < nsamples; i++) {
			parsers[p].why[i][0] = '\0';
			parsers[p].ok[i] = parsers[p].check(samples[i].data,
							    samples[i].len,
							    parsers[p].why[i]) == 0;
		}
	}
	for (i = 0; i < nsamples; i++) {
		if (self->ok[i])
			continue;
		printf("skipped for all parsers: %s (siptty: %s)\n",
		       samples[i].name, self->why[i]);
		for (p = 1; p < np; p++) {
			parsers[p].ok[i] = false;
			reason(parsers[p].why[i], "siptty rejects it");
		}
	}
	for (p = 1; p < np; p++)
		print_skips(self, &parsers[p]);
}

static void measure(struct parser *parsers, size_t np)
{
	size_t p;
	int r;

	for (p = 0; p < np; p++) {
		if (accepted(&parsers[p]))
			warm_up(&parsers[p]);
	}
	/* Rounds interleave the parsers so a noisy neighbour on the machine
	 * hits all of them alike. */
	for (r = 0; r < ROUNDS; r++) {
		for (p = 0; p < np; p++) {
			if (accepted(&parsers[p]))
				run_round(&parsers[p], r);
		}
	}
}

int main(int argc, char **argv)
{
	struct parser parsers[] = {
		{ .name = "siptty", .parse = siptty_parse_one,
		  .check = siptty_check },
		{ .name = "sofia-sip", .parse = sofia_parse_one,
		  .check = sofia_check },
		{ .name = "libosip2", .parse = osip_parse_one,
		  .check = osip_check },
	};
	const size_t np = sizeof(parsers) / sizeof(parsers[0]);
	double t0, x_sofia, x_osip;
	size_t i, p;
	int r, err = 0;

	if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "usage: %s [MESSAGE-FILE...]\n"
			"Without files: SIPTTY_BENCH_CORPUS/*.sip (default "
			"$SIPTTY_TESTDATA/../bench/corpus) and the RFC 4475 "
			"valid set in $SIPTTY_TESTDATA/rfc4475.\n", argv[0]);
		return 2;
	}
	for (r = 1; r < argc && !err; r++)
		err = load_file(argv[r]);
	if (argc == 1)
		err = load_default();
	if (err || nsamples == 0) {
		fprintf(stderr, "bench: no corpus (set SIPTTY_TESTDATA to the "
			"tests/data directory, or name message files)\n");
		return 1;
	}

	osip_setup();
	t0 = now_ns();
	check_all(parsers, np);
#ifndef __OPTIMIZE__
	printf("warning: built without optimisation; numbers are not "
	       "representative (configure with the default CFLAGS=-O2)\n");
#endif
#if defined(__SANITIZE_ADDRESS__) || BENCH_HAS_ASAN
	printf("warning: built with AddressSanitizer; numbers are not "
	       "representative\n");
#endif
	measure(parsers, np);

	printf("\nbench parse: %zu messages, %d rounds of >= %.1f s per "
	       "parser, median of rounds, %.1f s in all\n", nsamples, ROUNDS,
	       ROUND_NS / 1e9, (now_ns() - t0) / 1e9);
	for (p = 0; p < np; p++)
		print_table(&parsers[p]);
	printf("\n");
	x_sofia = print_ratio(&parsers[0], &parsers[1]);
	x_osip = print_ratio(&parsers[0], &parsers[2]);
	printf("targets: %.0fx sofia-sip, %.0fx libosip2\n", TARGET_SOFIA,
	       TARGET_OSIP);
	printf("bench parse: %s\n", x_sofia >= TARGET_SOFIA &&
	       x_osip >= TARGET_OSIP ? "PASS" : "FAIL");

	for (i = 0; i < nsamples; i++) {
		free(samples[i].data);
		free(samples[i].name);
	}
	return 0;
}
