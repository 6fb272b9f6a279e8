/* diag: the one error and usage convention every filter shares.
 * Messages read "prog: where: what"; exit 0 ok, 1 bad data or I/O, 2 bad usage. */
#ifndef INFERCAST_DIAG_H
#define INFERCAST_DIAG_H

#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>

enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

/* Set once from main(argv[0]); every message is prefixed with it. A stage of a pipeline
 * (pipelines/estimate and default export INFERCAST_PIPELINE=NAME) speaks as the pipeline the user
 * ran instead: NAME as the prefix, "try 'NAME --help'", and no "<stdin>:LINE" (the user gave no
 * such input). */
void diag_set_progname(const char *argv0);
const char *diag_progname(void);
bool diag_in_pipeline(void);

/* Print "prog: message" to stderr and exit with code (1 data, 2 usage). */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print "prog: message" to stderr and return. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Usage error: "prog: message" then "try 'prog --help'", exit 2. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* getopt_long's '?' (opterr 0) for a filter's long options: a known option without its value,
 * one given a value it does not take, else an unknown option (arg: the argument read); exit 2. */
struct option;
_Noreturn void usage_bad_option(const struct option *longopts, int optopt, const char *arg);

/* Print a --help text whose first line is "usage: NAME ...", under the name the user ran
 * (infercast-NAME when installed): NAME at the start of the usage lines and in "NAME(1)"
 * becomes the program name. */
void usage_print(const char *text);

/* Exit 2 naming only the options of names[] not given ("--isl and --osl are required");
 * return when all were given. */
void require_options(size_t n, const char *const names[], const bool given[]);

/* Flush and close stdout; a failed write is an I/O error (exit 1), a closed pipe a quiet exit.
 * Every main() ends with `return finish_stdout();`. */
int finish_stdout(void);
/* Call after each write batch: exits quietly on EPIPE, with an error on other failures. */
void check_stdout(void);

/* Formats a library error into err (n bytes) and returns -1: the one helper behind lib/'s
 * "return diag_errf(err, errn, ...)" so that every module reports the same way. err may be NULL
 * (n 0) where the caller wants the status only. Library messages say what is wrong with the data
 * or the request, never which option to type: hints naming flags belong to the filters. */
int diag_errf(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* diag_errf with its arguments in ap (for helpers that format a message and say more of it). */
int diag_verrf(char *err, size_t n, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

/* Allocation that does not return NULL: out of memory prints "prog: out of memory" and exits 1,
 * the one way every module reacts to it (a run that cannot allocate cannot price anything, and
 * a half-filled table or record must never be printed). xrealloc(NULL, n) allocates; a size of
 * 0 allocates one byte, so that NULL always means failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parse helpers for options: exit 2 with a message naming the option on bad values. */
long opt_long(const char *opt, const char *val, long min, long max);
double opt_double(const char *opt, const char *val);

#endif
