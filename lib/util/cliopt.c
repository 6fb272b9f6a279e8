#include "cliopt.h"

#include <unistd.h>

#include "diag.h"

bool cliopt_db_take(cliopt_db *o, int c, const char *arg)
{
	switch (c) {
	case 's': o->system = arg; return true;
	case 'b': o->backend = arg; return true;
	case 'v': o->version = arg; return true;
	case 'd': o->data_dir = arg; return true;
	default: return false;
	}
}

void cliopt_unknown(char **argv)
{
	if (optopt)
		usage_error("option '-%c' is unknown or lacks its value", optopt);
	usage_error("option '%s' is unknown or lacks its value", argv[optind - 1]);
}
