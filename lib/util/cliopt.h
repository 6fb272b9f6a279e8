/* cliopt: pieces of the option loops the filters share. The filters that read a perf database
 * (query, perfload) name it with the same four options; every filter ends its getopt_long loop
 * with the same complaint about an unknown option or one without its value. */
#ifndef INFERCAST_CLIOPT_H
#define INFERCAST_CLIOPT_H

#include <stdbool.h>

/* --system S --backend B --version V --data-dir DIR, as getopt_long entries (letters s b v d). */
#define CLIOPT_DB_LONGOPTS                                                                                   \
	{ "system", required_argument, NULL, 's' }, { "backend", required_argument, NULL, 'b' },             \
		{ "version", required_argument, NULL, 'v' }, { "data-dir", required_argument, NULL, 'd' }

typedef struct cliopt_db {
	const char *system, *backend, *version, *data_dir; /* NULL when not given */
} cliopt_db;

/* Takes getopt_long's c (and its optarg) when it is one of the four: true, else false. */
bool cliopt_db_take(cliopt_db *o, int c, const char *arg);

/* Exits 2 for what getopt_long returned '?' for: "option '-X' is unknown or lacks its value"
 * (a short one), or the same with the long option's text. */
_Noreturn void cliopt_unknown(char **argv);

#endif
