#include "diag.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *progname = "infercast";
static bool in_pipeline;

void diag_set_progname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;
	progname = slash ? slash + 1 : (argv0 ? argv0 : progname);
	const char *pipeline = getenv("INFERCAST_PIPELINE");
	if (pipeline && *pipeline && strlen(pipeline) < 64 && !strchr(pipeline, '\n')) {
		progname = pipeline;
		in_pipeline = true;
	}
	/* A closed pipe must end us quietly, so we see EPIPE from writes instead of dying mid-line. */
	signal(SIGPIPE, SIG_IGN);
}

const char *diag_progname(void) { return progname; }

bool diag_in_pipeline(void) { return in_pipeline; }

/* Inside a pipeline, "<stdin>:LINE: " names a stream between two stages: leave it out. */
static const char *drop_stdin_where(const char *msg)
{
	if (!in_pipeline || strncmp(msg, "<stdin>:", 8))
		return msg;
	const char *p = msg + 8;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p[0] == ':' && p[1] == ' ')
		return p + 2;
	return p == msg + 8 && p[0] == ' ' ? p + 1 : msg;
}

static void vmsg(const char *fmt, va_list ap)
{
	char msg[8192];
	fflush(stdout);
	vsnprintf(msg, sizeof msg, fmt, ap);
	fprintf(stderr, "%s: %s\n", progname, drop_stdin_where(msg));
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "try '%s --help'\n", progname);
	exit(EXIT_USAGE);
}

void usage_bad_option(const struct option *longopts, int optopt, const char *arg)
{
	for (const struct option *o = longopts; optopt && o->name; o++) {
		if (o->flag || o->val != optopt)
			continue;
		if (o->has_arg == required_argument)
			usage_error("option '--%s' needs a value", o->name);
		if (o->has_arg == no_argument)
			usage_error("option '--%s' takes no value", o->name);
	}
	usage_error("unknown option '%s'", arg);
}

void usage_print(const char *text)
{
	/* the name the text was written under: the word after "usage: " */
	const char *name = strncmp(text, "usage: ", 7) ? NULL : text + 7;
	size_t nlen = name ? strcspn(name, " \n") : 0;
	if (!nlen || (strlen(progname) == nlen && !strncmp(progname, name, nlen))) {
		fputs(text, stdout);
		return;
	}
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		const char *at = line;
		/* "usage: NAME" and the aligned "       NAME" of further synopsis lines */
		size_t lead = !strncmp(line, "usage: ", 7) || !strncmp(line, "       ", 7) ? 7 : 0;
		if (lead && len > lead + nlen && !strncmp(line + lead, name, nlen) && line[lead + nlen] == ' ') {
			printf("%.*s%s", (int)lead, line, progname);
			at = line + lead + nlen;
		}
		/* "See NAME(1)" */
		for (const char *p = at; p < line + len; p++) {
			if ((size_t)(line + len - p) >= nlen + 3 && !strncmp(p, name, nlen) && !strncmp(p + nlen, "(1)", 3) &&
			    (p == line || p[-1] == ' ')) {
				printf("%.*s%s", (int)(p - at), at, progname);
				at = p + nlen;
			}
		}
		printf("%.*s", (int)(line + len - at), at);
		line += len;
		if (*line == '\n') {
			putchar('\n');
			line++;
		}
	}
}

void require_options(size_t n, const char *const names[], const bool given[])
{
	char list[1024] = "";
	size_t used = 0, missing = 0, total = 0;
	for (size_t i = 0; i < n; i++)
		missing += !given[i];
	for (size_t i = 0; i < n && used < sizeof list; i++) {
		if (given[i])
			continue;
		total++;
		const char *sep = total == 1 ? "" : total == missing ? " and " : ", ";
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", sep, names[i]);
	}
	if (missing)
		usage_error("%s %s required", list, missing == 1 ? "is" : "are");
}

void check_stdout(void)
{
	if (!ferror(stdout))
		return;
	if (errno == EPIPE)
		_Exit(0);
	die(EXIT_DATA, "write error: %s", strerror(errno));
}

int finish_stdout(void)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			return 0;
		fprintf(stderr, "%s: write error: %s\n", progname, strerror(errno ? errno : EIO));
		return EXIT_DATA;
	}
	if (fclose(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, "%s: write error: %s\n", progname, strerror(errno));
		return EXIT_DATA;
	}
	return 0;
}

long opt_long(const char *opt, const char *val, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(val, &end, 10);
	if (errno || end == val || *end)
		usage_error("%s: '%s' is not an integer", opt, val);
	if (v < min || v > max)
		usage_error("%s: %ld is out of range [%ld, %ld]", opt, v, min, max);
	return v;
}

double opt_double(const char *opt, const char *val)
{
	char *end;
	errno = 0;
	double v = strtod(val, &end);
	if (errno || end == val || *end || !isfinite(v))
		usage_error("%s: '%s' is not a finite number", opt, val);
	return v;
}

int diag_verrf(char *err, size_t n, const char *fmt, va_list ap)
{
	if (err && n)
		vsnprintf(err, n, fmt, ap);
	return -1;
}

int diag_errf(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_verrf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

static void *checked(void *p)
{
	if (!p)
		die(EXIT_DATA, "out of memory");
	return p;
}

void *xmalloc(size_t n) { return checked(malloc(n ? n : 1)); }
void *xcalloc(size_t n, size_t size) { return checked(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *p, size_t n) { return checked(realloc(p, n ? n : 1)); }
char *xstrdup(const char *s) { return checked(strdup(s)); }
char *xstrndup(const char *s, size_t n) { return checked(strndup(s, n)); }
