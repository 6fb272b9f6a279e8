/* query: price op records with the perf database (latency_ms, energy_wms, source, detail).
 * The stream's records are handled by lib/query/query_run; this file reads the options. */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliopt.h"
#include "diag.h"
#include "streambuf.h"
#include "explain.h"
#include "fidelity.h"
#include "jsonl.h"
#include "query_run.h"
#include "systems.h"
#include "table_sources.h"

static const char usage_text[] =
	"usage: query [--system S] [--backend B] [--version V] [--database-mode MODE] [--data-dir DIR]\n"
	"             [--keep-going] [--shared-layer] [--row-reuse] [--fidelity load|reference] [--strict]\n"
	"             [--explain] [--slim] [FILE]\n"
	"\n"
	"Reads op records (opgraph) and writes them back with latency_ms, energy_wms, source and\n"
	"detail, looked up in the perf tables of the system/backend/version as the reference does.\n"
	"Config records get data_version (the version whose tables price it) and database_mode;\n"
	"other records pass through unchanged. An op naming its own `system` (and `version`; a\n"
	"disagg decode side on another system) is priced with that system's tables.\n"
	"  --system S          system (default: each configuration's `system`)\n"
	"  --backend B         backend (default: each configuration's `backend`)\n"
	"  --version V         perf-data version (default: the configuration's, else the newest)\n"
	"  --database-mode M   silicon (default: refuse shapes without table data), hybrid (fall\n"
	"                      back to the empirical formula), empirical, or sol (speed of light)\n"
	"  --data-dir DIR      perf data root (default: $INFERCAST_DATA, else the installed data)\n"
	"  --keep-going        an op the tables cannot price gets `error` (the reason) instead of\n"
	"                      latency_ms and the stream goes on (sweeps drop such configurations)\n"
	"  --shared-layer      in hybrid mode, also read the rows the reference's HYBRID databases\n"
	"                      inherit from other backends/versions (its `default` sweeps do; its\n"
	"                      `estimate` does not); see docs/data.md\n"
	"  --row-reuse         the reference's current row-level reuse: a table is completed from the\n"
	"                      versions its reuse.yaml names, earlier versions and, as the data tree's\n"
	"                      perf_data_reuse_manifest.yaml allows, other backends (docs/data.md;\n"
	"                      also $INFERCAST_ROW_REUSE=1)\n"
	"  --fidelity F        load (default; else $INFERCAST_FIDELITY): an op the tables refuse is\n"
	"                      priced with what the engine runs instead (the checkpoint's quant modes,\n"
	"                      bfloat16 FMHA, the empirical formula for missing points), its source\n"
	"                      saying `fallback: ...` and a warning on stderr; reference: refuse as\n"
	"                      the reference does\n"
	"  --strict            refuse as the reference does, whatever the fidelity\n"
	"  --explain           add `explain` to each op record: per look-up, in order, the table file,\n"
	"                      the method (row, linear_1d, linear_2d, linear_3d, cubic_2d_then_1d,\n"
	"                      bilinear_2d_then_1d), the query point (`at`), the grid points used\n"
	"                      (coordinates, then latency per call) and the latency it gave\n"
	"  --slim              write op records without attrs and points (what they were priced from,\n"
	"                      which aggregate does not read): a third of the bytes to aggregate\n"
	"See query(1) and docs/records.md.\n";

static void parse_options(int argc, char **argv, query_run *st)
{
	static const struct option longopts[] = {
		CLIOPT_DB_LONGOPTS,
		{ "database-mode", required_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' },
		{ "keep-going", no_argument, NULL, 'k' }, { "shared-layer", no_argument, NULL, 'l' },
		{ "fidelity", required_argument, NULL, 'f' }, { "strict", no_argument, NULL, 'S' },
		{ "row-reuse", no_argument, NULL, 'r' }, { "explain", no_argument, NULL, 'e' },
		{ "slim", no_argument, NULL, 'w' }, { NULL, 0, NULL, 0 },
	};
	query_opts *o = &st->o;
	cliopt_db db = { 0 };
	const char *fidelity_opt = NULL; /* NULL: $INFERCAST_FIDELITY or load */
	bool strict = false;
	o->mode = -1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cliopt_db_take(&db, c, optarg))
			continue;
		switch (c) {
		case 'k': st->pricer.keep_going = true; break;
		case 'l': st->dbs.shared_layer = true; break;
		case 'f': fidelity_opt = optarg; break;
		case 'S': strict = true; break;
		case 'r': table_sources_set_row_reuse(true); break;
		case 'e': explain_set(true); break;
		case 'w': st->pricer.slim = true; break;
		case 'm':
			o->mode = perf_mode_parse(optarg);
			if (o->mode < 0)
				usage_error("--database-mode must be silicon, hybrid, empirical or sol, not '%s'", optarg);
			break;
		case 'h': usage_print(usage_text); exit(finish_stdout());
		default: cliopt_unknown(argv);
		}
	}
	if (optind < argc - 1)
		usage_error("at most one input file");
	if (db.system && !system_name_ok(db.system))
		usage_error("--system: bad system name '%s': use a name such as h200_sxm", db.system);
	o->system = db.system;
	o->backend = db.backend;
	o->version = db.version;
	st->dbs.data_dir = db.data_dir;
	fidelity f;
	char err[256];
	if (fidelity_resolve(fidelity_opt, &f, err, sizeof err))
		usage_error("%s", err);
	st->pricer.fallbacks = f == FIDELITY_LOAD && !strict;
	st->pricer.fallback_words = "(--strict or --fidelity reference refuses it)";
	st->o.no_system_words = "give --system and --backend or a config record first";
	st->pricer.hybrid_words = " (try --database-mode hybrid)"; /* the reference's hint */
	/* the newest tables were measured on the reference's current specs; its v0.9 numbers (the
	 * reference fidelity, the goldens) keep the v0.9 specs on either tree */
	systems_use_current(f == FIDELITY_LOAD && datadir_family_tree(db.data_dir));
}

/* fuzz/ includes this file and calls main once per input, also after a failure jumped out of
 * it: each call frees what the one before left (still reachable until then) */
#ifdef FUZZ_ROOT
enum { FREE_BEFORE_RUN = 1 };
#else
enum { FREE_BEFORE_RUN = 0 };
#endif

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
#ifdef M_MMAP_THRESHOLD
	/* The memos' slot arrays (up to a few MB, replaced when a generation turns) are mapped
	 * apart and given back when freed: glibc otherwise raises its threshold to the largest
	 * freed mapping and puts the next ones in the heap, whose holes grew the peak RSS by
	 * ~7 MB per 30,000 configurations (a 100,000-configuration stream: 65 MB, now under 50). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	/* static: what it holds stays reachable at exit (see the end) */
	static query_run st;
	if (FREE_BEFORE_RUN)
		query_run_free(&st);
	st = (query_run){ 0 };
	parse_options(argc, argv, &st);
	jsonl_reader r;
	jsonl_open(&r, optind < argc ? argv[optind] : NULL);
	while (jsonl_next_text(&r))
		query_run_line(&st, &r);
	jsonl_close(&r);
	/* The tables, memos and configurations are not freed: the process ends here and the
	 * kernel takes it all back at once, where freeing every grid node of the dense tables
	 * was 15% of a one-case run's instructions (3.4 M of 22.5 M). All of it stays reachable
	 * from st, so leak checkers do not count it (valgrind: "still reachable"). */
	return finish_stdout();
}
