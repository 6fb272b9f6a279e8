/* aggregate: config records and priced op records in, one report record per configuration out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_report.h"
#include "diag.h"
#include "streambuf.h"
#include "jsonarena.h"
#include "jsonl.h"
#include "jsonpick.h"
#include "fidelity.h"
#include "report_format.h"
#include "serving_report.h"

static const char usage_text[] =
	"usage: aggregate [--ops] [--refuse-oom] [--format jsonl|csv|table] [--fidelity load|reference]\n"
	"                 [--load-params FILE] < priced.jsonl\n"
	"\n"
	"Reads config records (opgraph) and op records priced by query (latency_ms, energy_wms,\n"
	"source) and writes one report per configuration: ttft_ms, tpot_ms, request_latency_ms,\n"
	"throughputs, memory_gib and oom, with the configuration. Other records are ignored.\n"
	"Serving configurations (mode agg or disagg) put their tagged steps together as the\n"
	"reference's run_agg / run_disagg do (docs/serving.md). A configuration with an op that\n"
	"query --keep-going could not price, or that opgraph --keep-going could not build, gets a\n"
	"report with `error` (the reason) and no numbers.\n"
	"  --ops            add `ops`: latency per op name and phase, summed as the reference does\n"
	"  --refuse-oom     a configuration that does not fit in GPU memory is an error (exit 1),\n"
	"                   as the reference's CLI refuses it\n"
	"  --warn-oom       say so on stderr (the table marks such rows and says so below them)\n"
	"  --format FORMAT  jsonl (default), csv (one row per configuration) or table (aligned, human)\n"
	"  --fidelity F     load (default: $INFERCAST_FIDELITY, else load) or reference; an agg\n"
	"                   configuration opgraph built for the load model is priced by it\n"
	"                   (lib/serve/serving_load; the report says latency_model load), and is an error\n"
	"                   under reference\n"
	"  --load-params FILE  the load model's fitted parameters (default: $INFERCAST_LOAD_PARAMS,\n"
	"                   else params/load_model.json beside the programs or in the share folder)\n"
	"See aggregate(1) and docs/records.md.\n";

/* A config record, read whole. */
static void take_config(config_report *st, jsonl_reader *r)
{
	bool in_arena;
	cJSON *rec = config_report_parse_config(st, r, &in_arena);
	config_report_take_config(st, r, rec, in_arena);
}

static jsonarena pick_arena; /* the picked members of the record being read: nothing to free per record */

/* A record op_fields_scan leaves to the tree parse (an escape, a repeated key, bad text): the
 * members aggregate reads picked by jsonarena, else by jsonpick's scan, else cJSON's whole parse
 * (which reports bad text). Returns whether it was a config record. */
static bool take_record(config_report *st, jsonl_reader *r)
{
	/* what config_report_take_op reads of an op record: the rest (attrs, points) is only checked */
	static const char *const op_keys[] = { "record", "config_id", "name", "phase", "error", "latency_ms",
					       "energy_wms", "source", "step", "scale_factor", NULL };
	bool whole = false, in_arena = true;
	cJSON *rec = jsonarena_pick(&pick_arena, r->text, r->text_len, op_keys);
	if (!rec) {
		rec = jsonpick_parse_text(r, op_keys, &whole);
		in_arena = false;
	}
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
	bool config = kind && strcmp(kind, "config") == 0;
	if (config) {
		bool config_in_arena = false;
		if (!whole) { /* (a whole parse is what config_report_parse_config gives) */
			if (!in_arena)
				cJSON_Delete(rec);
			rec = config_report_parse_config(st, r, &config_in_arena);
		}
		config_report_take_config(st, r, rec, config_in_arena); /* taken over: now st->config */
		return true;
	}
	if (kind && strcmp(kind, "op") == 0) {
		op_fields f;
		op_fields_of_json(rec, &f);
		config_report_take_op(st, r, &f);
	}
	if (!in_arena)
		cJSON_Delete(rec);
	return false;
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{"ops", no_argument, 0, 'o'}, {"format", required_argument, 0, 'f'}, {"help", no_argument, 0, 'h'},
		{"refuse-oom", no_argument, 0, 'r'}, {"warn-oom", no_argument, 0, 'w'},
		{"load-params", required_argument, 0, 'l'}, {"fidelity", required_argument, 0, 'F'},
		{0, 0, 0, 0},
	};
	config_report st = {0};
	const char *fidelity_opt = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': st.with_ops = true; break;
		case 'r': st.refuse_oom = true; break;
		case 'l': serving_report_load_params(optarg); break;
		case 'F': fidelity_opt = optarg; break;
		case 'w': st.warn_oom = true; break;
		case 'f':
			if (strcmp(optarg, "jsonl") == 0) st.fmt = CONFIG_REPORT_JSONL;
			else if (strcmp(optarg, "csv") == 0) st.fmt = CONFIG_REPORT_CSV;
			else if (strcmp(optarg, "table") == 0) st.fmt = CONFIG_REPORT_TABLE;
			else usage_error("--format: '%s' is not one of jsonl, csv, table", optarg);
			break;
		case 'h': usage_print(usage_text); return finish_stdout();
		default:
			if (optopt == 'f' || optopt == 'l' || optopt == 'F')
				usage_error("option '%s' needs a value", argv[optind - 1]);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	char ferr[256];
	if (fidelity_resolve(fidelity_opt, &st.fid, ferr, sizeof ferr))
		usage_error("%s", ferr);

	jsonl_reader r;
	jsonl_open(&r, NULL);
	long records = 0, configs = 0;
	static op_scan_buf scan; /* the scanned op record's strings: nothing to free per record */
	while (jsonl_next_text(&r)) {
		records++;
		op_fields f;
		switch (op_fields_scan(&scan, r.text, r.text_len, &f)) {
		case OP_SCAN_OP: config_report_take_op(&st, &r, &f); break;
		case OP_SCAN_OTHER: break;
		case OP_SCAN_CONFIG: take_config(&st, &r); configs++; break;
		case OP_SCAN_REFUSED: configs += take_record(&st, &r); break;
		}
	}
	op_scan_buf_free(&scan);
	jsonarena_free(&pick_arena);
	/* records, none of which it can use: say so rather than write nothing (empty input is no error) */
	if (records && !configs)
		jsonl_fail_unused(&r, records, "a config record", "config and op records from opgraph | query");
	jsonl_close(&r);
	config_report_finish(&st);
	config_report_free(&st);
	serving_report_cleanup();
	if (st.fmt == CONFIG_REPORT_TABLE) {
		report_write_table(st.kept, st.nkept, st.with_ops);
		for (size_t i = 0; i < st.nkept; i++)
			cJSON_Delete(st.kept[i]);
		free(st.kept);
	}
	return finish_stdout();
}
