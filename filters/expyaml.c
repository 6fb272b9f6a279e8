/* expyaml: read an experiments file in the reference's `cli exp` YAML format (libyaml) and write
 * one line per experiment it would run, in its order: the experiment's name and the options of
 * pipelines/default that run it. Experiments the reference skips are skipped with its warning;
 * what it refuses (a backend version without data) ends the run as it does; keys infercast does
 * not apply yet are named and refused rather than ignored. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "diag.h"
#include "streambuf.h"
#include "exp_experiment.h"
#include "jsonl.h"
#include "yamlnode.h"

static const char usage_text[] =
	"usage: expyaml [--data-dir DIR] [--format args|jsonl] FILE\n"
	"\n"
	"Reads experiments in the reference's `cli exp` YAML format and writes, for each experiment\n"
	"it would run (the `exps` list's order, else the file's), one line: the name, a tab, and the\n"
	"options of pipelines/default that run it (--modes agg or disagg, --model, --system,\n"
	"--backend, --total-gpus, --isl, --osl, --prefix, --ttft (default 1000), --tpot (default\n"
	"50), --request-latency, --version, --database-mode, --decode-system, --nextn, ...);\n"
	"--format jsonl writes `experiment` records instead. An experiment without serving_mode,\n"
	"model_path, system_name or total_gpus is skipped with a warning, as the reference skips it;\n"
	"a backend_version without perf data ends the run (exit 1), as the reference's does. Keys\n"
	"infercast does not apply (config.enable_eplb, worker settings other than the lists and quant\n"
	"modes) are refused with their name (exit 1); a top-level enable_eplb, which the reference's\n"
	"runs never read, is ignored with a warning. See expyaml(1) and pipelines/exp.\n";

enum { OPT_DATA_DIR = 1, OPT_FORMAT, OPT_HELP };

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{ "data-dir", required_argument, NULL, OPT_DATA_DIR }, { "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *data_dir = NULL;
	bool as_json = false;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DATA_DIR: data_dir = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "args") && strcmp(optarg, "jsonl"))
				usage_error("--format: '%s' is not one of args, jsonl", optarg);
			as_json = !strcmp(optarg, "jsonl");
			break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		usage_error(optind == argc ? "name one experiments FILE" : "unexpected argument '%s'", argv[optind + 1]);
	const char *file_name = argv[optind];
	FILE *f = fopen(file_name, "rb");
	if (!f)
		die(EXIT_DATA, "%s: %s", file_name, strerror(errno));
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		die(EXIT_DATA, "out of memory");
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc))
		die(EXIT_DATA, "%s:%zu:%zu: %s%s%s", file_name, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "not valid YAML", parser.context ? " " : "",
		    parser.context ? parser.context : "");
	fclose(f);
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: the experiments must be a mapping of names to experiments", file_name);
	/* the order: the `exps` list (names the file has), else the file's order */
	const char *names[256];
	size_t n = 0;
	yaml_node_t *order = yamlnode_get(&doc, root, "exps");
	if (order && order->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = order->data.sequence.items.start; i < order->data.sequence.items.top && n < 256; i++) {
			const char *s = yamlnode_scalar(yamlnode_at(&doc, *i));
			if (s && yamlnode_get(&doc, root, s))
				names[n++] = s;
		}
	} else if (root) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && n < 256; p++) {
			const char *s = yamlnode_scalar(yamlnode_at(&doc, p->key));
			if (s && strcmp(s, "exps"))
				names[n++] = s;
		}
	}
	/* every experiment is checked before any line is written: a refusal leaves nothing to run */
	args *all = calloc(n + 1, sizeof *all);
	bool *ok = calloc(n + 1, sizeof *ok);
	if (!all || !ok)
		die(EXIT_DATA, "out of memory");
	size_t good = 0;
	for (size_t i = 0; i < n; i++) {
		if (!exp_plain_token(names[i]))
			die(EXIT_DATA, "%s: experiment name '%s' is not a plain name (letters, digits, ._-)", file_name, names[i]);
		ok[i] = exp_experiment(&doc, yamlnode_get(&doc, root, names[i]), names[i], data_dir, file_name, &all[i]);
		good += ok[i];
	}
	if (!good)
		die(EXIT_DATA, "%s: no valid experiments", file_name);
	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (as_json) {
			cJSON_AddStringToObject(all[i].rec, "args", all[i].buf);
			jsonl_write(all[i].rec);
		} else {
			printf("%s\t%s\n", names[i], all[i].buf);
		}
		cJSON_Delete(all[i].rec);
	}
	free(all);
	free(ok);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return finish_stdout();
}
