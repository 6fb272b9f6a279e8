/* interp: debug one table lookup. Table points and query points in (JSON Lines), for each
 * query the interpolated value and how it was obtained out, by the reference's methods. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "streambuf.h"
#include "grid.h"
#include "interp_probe.h"
#include "jsonl.h"

static const char usage_text[] =
	"usage: interp [--method M] [--query X[,Y[,Z]]]... [--inner-only]\n"
	"              [--extrapolate-x LIST] [--extrapolate-y LIST] [--extrapolate-z LIST] [--sqrt-y] [FILE]\n"
	"\n"
	"Reads table points {\"x\":..,\"y\":..,\"z\":..,\"value\":..} (or \"latency\" with optional \"power\",\n"
	"\"energy\") and queries {\"query\":true,\"x\":..,...} from FILE or stdin, and writes one record per\n"
	"query: latency, power, energy, how (measured, interpolated, extrapolated) and method.\n"
	"  --method M           linear-1d (1-D tables), linear-2d (2-D), cubic-2d-1d (or cubic),\n"
	"                       bilinear-2d-1d (or bilinear), linear-3d (3-D); default by the table's\n"
	"                       dimension: linear-1d, linear-2d, cubic-2d-1d\n"
	"  --query X[,Y[,Z]]    a query point (repeatable), answered after those in the input\n"
	"  --inner-only         linear-1d: refuse queries outside the keys instead of extrapolating\n"
	"  --extrapolate-x LIST, --extrapolate-y LIST, --extrapolate-z LIST\n"
	"                       comma-separated target keys: fill a 3-D table first, as the reference's\n"
	"                       loaders do (extrapolate_data_grid)\n"
	"  --sqrt-y             the fill interpolates square roots along y\n"
	"See interp(1) and docs/records.md.\n";

/* Comma-separated numbers of an option; exits 2 on a bad one. */
static int parse_numbers(const char *opt, const char *text, double *out, int max)
{
	int n = 0;
	char *copy = strdup(text), *save = NULL;
	if (!copy)
		die(EXIT_DATA, "out of memory");
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			free(copy);
			usage_error("%s: more than %d numbers in '%s'", opt, max, text);
		}
		out[n++] = opt_double(opt, tok);
	}
	free(copy);
	if (n == 0)
		usage_error("%s: no numbers in '%s'", opt, text);
	return n;
}

static void parse_targets(interp_probe_targets *t, const char *opt, const char *text)
{
	size_t cap = 1;
	for (const char *s = text; *s; s++)
		cap += *s == ',';
	t->v = realloc(t->v, cap * sizeof *t->v);
	if (!t->v)
		die(EXIT_DATA, "out of memory");
	t->n = (size_t)parse_numbers(opt, text, t->v, (int)cap);
	t->given = true;
}

static enum interp_probe_method parse_method(const char *s)
{
	for (int m = INTERP_PROBE_LINEAR_1D; m <= INTERP_PROBE_LINEAR_3D; m++)
		if (strcmp(s, interp_probe_method_names[m]) == 0)
			return (enum interp_probe_method)m;
	if (strcmp(s, "cubic") == 0)
		return INTERP_PROBE_CUBIC;
	if (strcmp(s, "bilinear") == 0)
		return INTERP_PROBE_BILINEAR;
	usage_error("--method: '%s' is not one of linear-1d, linear-2d, cubic-2d-1d, bilinear-2d-1d, linear-3d", s);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{ "method", required_argument, 0, 'm' },        { "query", required_argument, 0, 'q' },
		{ "inner-only", no_argument, 0, 'i' },          { "extrapolate-x", required_argument, 0, 'X' },
		{ "extrapolate-y", required_argument, 0, 'Y' }, { "extrapolate-z", required_argument, 0, 'Z' },
		{ "sqrt-y", no_argument, 0, 's' },              { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	interp_probe st = { 0 };
	interp_probe_query *cli = NULL;
	size_t ncli = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': st.method = parse_method(optarg); break;
		case 'q': {
			cli = realloc(cli, (ncli + 1) * sizeof *cli);
			if (!cli)
				die(EXIT_DATA, "out of memory");
			memset(&cli[ncli], 0, sizeof cli[ncli]);
			cli[ncli].dims = parse_numbers("--query", optarg, cli[ncli].c, 3);
			snprintf(cli[ncli].where, sizeof cli[ncli].where, "--query %.60s", optarg);
			ncli++;
			break;
		}
		case 'i': st.inner_only = true; break;
		case 'X': parse_targets(&st.tx, "--extrapolate-x", optarg); break;
		case 'Y': parse_targets(&st.ty, "--extrapolate-y", optarg); break;
		case 'Z': parse_targets(&st.tz, "--extrapolate-z", optarg); break;
		case 's': st.sqrt_y = true; break;
		case 'h': usage_print(usage_text); return finish_stdout();
		default:
			if (optopt)
				usage_error("option '%s' needs a value", argv[optind - 1]);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		usage_error("unexpected argument '%s'", argv[optind + 1]);

	jsonl_reader r;
	jsonl_open(&r, optind < argc ? argv[optind] : NULL);
	cJSON *rec;
	while ((rec = jsonl_next(&r))) {
		interp_probe_take_record(&st, &r, rec);
		cJSON_Delete(rec);
	}
	/* a table and nothing asked of it: say so rather than write nothing (empty input is no error) */
	if (st.table && !st.nq && !ncli)
		die(EXIT_DATA, "%s: no query to answer (give --query X[,Y[,Z]] or records with \"query\":true)", r.name);
	jsonl_close(&r);
	for (size_t i = 0; i < ncli; i++)
		interp_probe_add_query(&st, cli[i].c, cli[i].dims, cli[i].where);
	free(cli);
	int failed = interp_probe_answer_all(&st);
	grid_free(st.table);
	free(st.q);
	free(st.tx.v);
	free(st.ty.v);
	free(st.tz.v);
	int rc = finish_stdout();
	return failed ? EXIT_DATA : rc;
}
