/* report_format: the csv and table formats of aggregate's reports (see report_format.h). */
#include "report_format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csvtab.h"
#include "diag.h"
#include "jsonget.h"
#include "jsonl.h"
#include "strcut.h"

/* Columns of the csv and table formats: report key (dotted for memory_gib), table heading and
 * the unit the table prints under it ("" for text: names, modes, quant modes). */
static const struct column {
	const char *key, *heading, *unit;
	bool in_table;
} columns[] = {
	{"config_id", "config", "", true}, {"model", "model", "", true}, {"system", "system", "", true},
	{"backend", "backend", "", true}, {"version", "version", "", false},
	{"database_mode", "database", "", false}, {"mode", "mode", "", false},
	{"latency_model", "latency", "", false}, {"tp", "tp", "GPUs", true}, {"pp", "pp", "GPUs", true},
	{"dp", "dp", "GPUs", true}, {"moe_tp", "moe_tp", "GPUs", false}, {"moe_ep", "moe_ep", "GPUs", false},
	{"batch", "batch", "req", true}, {"workers", "workers", "workers", false}, {"isl", "isl", "tok", true},
	{"osl", "osl", "tok", true}, {"prefix", "prefix", "tok", false}, {"nextn", "nextn", "tok", false},
	{"gemm_quant", "gemm", "", true}, {"kvcache_quant", "kvcache", "", true}, {"fmha_quant", "fmha", "", false},
	{"moe_quant", "moe", "", false}, {"comm_quant", "comm", "", false}, {"num_gpus", "gpus", "GPUs", false},
	{"ttft_ms", "ttft_ms", "ms", true}, {"tpot_ms", "tpot_ms", "ms", true},
	{"encoder_latency_ms", "encoder_ms", "ms", false}, {"context_latency_ms", "context_ms", "ms", false},
	{"generation_latency_ms", "generation_ms", "ms", false}, {"request_latency_ms", "request_ms", "ms", true},
	{"seq_per_s", "seq/s", "seq/s", false}, {"tokens_per_s", "tokens/s", "tok/s", false},
	{"tokens_per_s_per_gpu", "tokens/s/gpu", "tok/s/GPU", true},
	{"tokens_per_s_per_user", "tokens/s/user", "tok/s/user", true},
	{"memory_gib.weights", "mem_weights_gib", "GiB", false}, {"memory_gib.kvcache", "mem_kvcache_gib", "GiB", false},
	{"memory_gib.activations", "mem_activations_gib", "GiB", false}, {"memory_gib.nccl", "mem_nccl_gib", "GiB", false},
	{"memory_gib.others", "mem_others_gib", "GiB", false}, {"memory_gib.total", "memory_gib", "GiB", true},
	{"oom", "oom", "", true},
};
enum { NCOLS = sizeof columns / sizeof columns[0] };

/* workers is the table's alone (the two sides of a disagg deployment): the csv keeps its columns */
static bool table_only(const struct column *col)
{
	return strcmp(col->key, "workers") == 0 || strcmp(col->key, "latency_model") == 0;
}

static void cell(const cJSON *report, const char *key, bool human, char *buf, size_t n);

/* The table shows a disaggregated deployment's two sides in one cell: "p1/d4". */
static bool side_cell(const cJSON *report, const char *key, char *buf, size_t n)
{
	static const char *const per_side[] = {"tp", "pp", "dp", "moe_tp", "moe_ep", "batch", "workers",
					       "memory_gib.total"};
	const cJSON *serving = cJSON_GetObjectItemCaseSensitive(report, "serving");
	const cJSON *pre = cJSON_GetObjectItemCaseSensitive(serving, "prefill");
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(serving, "decode");
	if (!cJSON_IsObject(pre) || !cJSON_IsObject(dec))
		return false;
	/* decode workers on another system (estimate --decode-system) name it */
	const char *dsys = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(dec, "system"));
	const char *sys = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "system"));
	if (strcmp(key, "system") == 0 && dsys && sys) {
		snprintf(buf, n, "p%s/d%s", sys, dsys);
		return true;
	}
	for (size_t i = 0; i < sizeof per_side / sizeof per_side[0]; i++) {
		if (strcmp(key, per_side[i]))
			continue;
		char p[64], d[64];
		cell(pre, key, true, p, sizeof p);
		cell(dec, key, true, d, sizeof d);
		if (*p || *d)
			snprintf(buf, n, "p%s/d%s", p, d);
		else
			buf[0] = '\0';
		return true;
	}
	return false;
}

/* Columns the table shows only when they tell the rows apart from a plain static estimate: the
 * mode, the MoE layout and quant of MoE models, the workers of disagg, the data version and
 * database mode (which query writes on every configuration). */
static bool table_shows(const struct column *col, cJSON *const *reports, size_t n)
{
	if (col->in_table)
		return true;
	const char *k = col->key;
	for (size_t i = 0; i < n; i++) {
		const cJSON *r = reports[i];
		const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "mode"));
		bool moe = !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "moe_tp")) &&
			   cJSON_GetObjectItemCaseSensitive(r, "moe_tp");
		if ((!strcmp(k, "mode") || !strcmp(k, "latency_model")) && mode && strcmp(mode, "static") &&
		    strcmp(mode, "static_ctx") && strcmp(mode, "static_gen"))
			return true;
		if ((!strcmp(k, "moe_tp") || !strcmp(k, "moe_ep") || !strcmp(k, "moe_quant")) && moe)
			return true;
		if (!strcmp(k, "workers") && mode && !strcmp(mode, "disagg"))
			return true;
		if (!strcmp(k, "version") && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, "version")))
			return true;
		/* query names it for every configuration: only a hand-made stream lacks it */
		if (!strcmp(k, "database_mode") && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r, k)))
			return true;
	}
	return false;
}

/* A report field as text: numbers in full precision for csv, rounded for the table. */
static void cell(const cJSON *report, const char *key, bool human, char *buf, size_t n)
{
	if (human && side_cell(report, key, buf, n))
		return;
	/* which model produced a serving row's numbers (a static row is the same under both) */
	if (strcmp(key, "latency_model") == 0) {
		const char *lm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, key));
		const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "mode"));
		bool serving = mode && (strcmp(mode, "agg") == 0 || strcmp(mode, "disagg") == 0);
		snprintf(buf, n, "%s", lm ? lm : serving ? "reference" : "-");
		return;
	}
	/* a dotted key names a member of a member (memory_gib.total); the columns' keys have no
	 * empty parts */
	const cJSON *v = report;
	for (const char *part = key; v;) {
		const char *dot = strchr(part, '.');
		char k[64];
		str_cut(k, dot && (size_t)(dot - part) < sizeof k ? (size_t)(dot - part) + 1 : sizeof k, part);
		v = json_member(v, k);
		if (!dot)
			break;
		part = dot + 1;
	}
	if (!v || cJSON_IsNull(v))
		str_cut(buf, n, "");
	else if (cJSON_IsString(v))
		str_cut(buf, n, v->valuestring);
	else if (cJSON_IsBool(v))
		str_cut(buf, n, cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNumber(v) && human && !(fabs(v->valuedouble) < 9e18 && v->valuedouble == (double)(long long)v->valuedouble))
		snprintf(buf, n, "%.3f", v->valuedouble);
	else if (cJSON_IsNumber(v))
		json_format_double(buf, n, v->valuedouble);
	else
		snprintf(buf, n, "%s", "?");
}

/* Why a report is oom, for the warning, the refusal and the table's note. */
void report_oom_reason(const cJSON *report, char *buf, size_t n)
{
	/* disagg: the side that does not fit, on its own system (decode workers may have another) */
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(report, "serving");
	static const char *const sides[] = {"prefill", "decode"};
	for (int i = 0; i < 2; i++) {
		const cJSON *side = cJSON_GetObjectItemCaseSensitive(sv, sides[i]);
		if (!cJSON_IsObject(side) || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(side, "oom")))
			continue;
		const char *side_sys = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(side, "system"));
		snprintf(buf, n, "the model '%s' does not fit in GPU memory on system '%s' (%s workers: %.3f GiB per GPU, capacity %.3f GiB)",
			 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "model")),
			 side_sys ? side_sys : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "system")),
			 sides[i],
			 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(
				 cJSON_GetObjectItemCaseSensitive(side, "memory_gib"), "total")),
			 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(side, "mem_capacity_gib")));
		return;
	}
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(report, "memory_gib");
	snprintf(buf, n, "the model '%s' does not fit in GPU memory on system '%s' (%.3f GiB per GPU, capacity %.3f GiB)",
		 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "model")),
		 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "system")),
		 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(mem, "total")),
		 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(report, "mem_capacity_gib")));
}

bool report_is_oom(const cJSON *report)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "oom"));
}

void report_write_csv(const cJSON *report, bool header)
{
	char buf[256];
	if (header) {
		for (int c = 0, k = 0; c < NCOLS; c++)
			if (!table_only(&columns[c]))
				printf("%s%s", k++ ? "," : "", columns[c].key);
		putchar('\n');
	}
	for (int c = 0, k = 0; c < NCOLS; c++) {
		if (table_only(&columns[c]))
			continue;
		if (k++)
			putchar(',');
		cell(report, columns[c].key, false, buf, sizeof buf);
		csv_write_field(stdout, buf);
	}
	putchar('\n');
	check_stdout();
}

/* Text left, numbers right. */
static bool text_column(const char *key)
{
	return !strcmp(key, "config_id") || !strcmp(key, "model") || !strcmp(key, "system") || !strcmp(key, "backend") ||
	       strstr(key, "quant") || !strcmp(key, "oom") || !strcmp(key, "mode") || !strcmp(key, "version") ||
	       !strcmp(key, "database_mode") || !strcmp(key, "latency_model");
}

/* One line of a block: the cells of cols[0..n), two blanks apart, no trailing blanks. */
static void block_line(const int *cols, int n, const size_t *width, char (*cells)[256])
{
	char out[4096];
	size_t used = 0;
	for (int i = 0; i < n && used < sizeof out; i++) {
		const char *key = columns[cols[i]].key;
		int w = text_column(key) ? -(int)width[cols[i]] : (int)width[cols[i]];
		used += (size_t)snprintf(out + used, sizeof out - used, "%s%*s", i ? "  " : "", w, cells[cols[i]]);
	}
	if (used >= sizeof out)
		used = sizeof out - 1;
	while (used > 0 && out[used - 1] == ' ')
		used--;
	out[used] = '\0';
	puts(out);
}

/* Splits the shown columns into blocks of at most limit characters, each after the first
 * repeating shown[0] (the id) in front: block b holds shown[first[b] .. first[b + 1]). Every
 * block takes at least one column, however wide. Returns the number of blocks. */
static int plan_blocks(const int *shown, int nshown, const size_t *width, size_t limit, int *first)
{
	int blocks = 0;
	for (int next = 0; next < nshown; blocks++) {
		first[blocks] = next;
		size_t used = next > 0 ? width[shown[0]] + 2 : 0;
		used += width[shown[next++]];
		while (next < nshown && used + 2 + width[shown[next]] <= limit)
			used += 2 + width[shown[next++]];
	}
	first[blocks] = nshown;
	return blocks;
}

/* The table needs every row for its widths: reports are kept until the end. Columns go into
 * blocks of at most REPORT_TABLE_WIDTH characters, left to right, each block after the first
 * repeating the config column; a blank line between blocks. */
static void write_table(cJSON *const *reports, size_t n, bool with_ops)
{
	size_t width[NCOLS];
	static char cells[NCOLS][256];
	for (int c = 0; c < NCOLS; c++) {
		width[c] = strlen(columns[c].heading);
		if (strlen(columns[c].unit) > width[c])
			width[c] = strlen(columns[c].unit);
		for (size_t i = 0; i < n; i++) {
			cell(reports[i], columns[c].key, true, cells[c], sizeof cells[c]);
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
		}
	}
	int shown[NCOLS], nshown = 0;
	for (int c = 0; c < NCOLS; c++)
		if (table_shows(&columns[c], reports, n))
			shown[nshown++] = c;
	/* as few blocks as REPORT_TABLE_WIDTH allows, then the narrowest limit that still gives that
	 * many: blocks of even width, not a last block of the id and one column */
	int first[NCOLS + 1];
	int blocks = plan_blocks(shown, nshown, width, REPORT_TABLE_WIDTH, first);
	for (size_t limit = 1; blocks > 1 && limit <= REPORT_TABLE_WIDTH; limit++)
		if (plan_blocks(shown, nshown, width, limit, first) == blocks)
			break;
	for (int b = 0; b < blocks; b++) {
		int cols[NCOLS] = { 0 }, k = 0;
		if (b > 0) {
			putchar('\n');
			cols[k++] = shown[0];
		}
		for (int i = first[b]; i < first[b + 1]; i++)
			cols[k++] = shown[i];
		for (int i = 0; i < k; i++)
			snprintf(cells[cols[i]], sizeof cells[cols[i]], "%s", columns[cols[i]].heading);
		block_line(cols, k, width, cells);
		for (int i = 0; i < k; i++)
			snprintf(cells[cols[i]], sizeof cells[cols[i]], "%s", columns[cols[i]].unit);
		block_line(cols, k, width, cells);
		for (size_t r = 0; r < n; r++) {
			for (int i = 0; i < k; i++)
				cell(reports[r], columns[cols[i]].key, true, cells[cols[i]], sizeof cells[cols[i]]);
			block_line(cols, k, width, cells);
		}
	}
	/* a row that does not fit is no deployment: say so where the eye lands */
	for (size_t i = 0; i < n; i++) {
		if (!report_is_oom(reports[i]))
			continue;
		char why[512];
		report_oom_reason(reports[i], why, sizeof why);
		printf("oom: %s: %s\n",
		       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reports[i], "config_id")), why);
	}
	if (!with_ops)
		return;
	for (size_t i = 0; i < n; i++) {
		const cJSON *ops = cJSON_GetObjectItemCaseSensitive(reports[i], "ops"), *op;
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reports[i], "config_id"));
		/* latency_ms is what the reference sums: over the op's layers, and in generation over the
		 * osl - 1 decode steps TPOT divides by; the other columns undo those sums */
		double osl = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(reports[i], "osl"));
		double steps = osl > 1 ? osl - 1 : 1;
		printf("\nops of %s: latency_ms is the total over the op's layers and, in generation, over the "
		       "%.0f decode steps (the TPOT ones); per_step_ms: one context pass or one decode step; "
		       "per_layer_ms: a step of one layer\n", id ? id : "?", steps);
		printf("%-32s  %-10s  %14s  %12s  %6s  %12s  %s\n", "op", "phase", "latency_ms", "per_step_ms", "layers",
		       "per_layer_ms", "source");
		cJSON_ArrayForEach(op, ops) {
			const char *phase = cJSON_GetStringValue(cJSON_GetObjectItem(op, "phase"));
			double lat = cJSON_GetNumberValue(cJSON_GetObjectItem(op, "latency_ms"));
			double per_step = phase && strcmp(phase, "generation") == 0 ? lat / steps : lat;
			const cJSON *layers = cJSON_GetObjectItem(op, "layers");
			printf("%-32s  %-10s  %14.3f  %12.4f", cJSON_GetStringValue(cJSON_GetObjectItem(op, "name")), phase, lat,
			       per_step);
			if (cJSON_IsNumber(layers) && layers->valuedouble > 0)
				printf("  %6g  %12.5f", layers->valuedouble, per_step / layers->valuedouble);
			else
				printf("  %6s  %12s", "", "");
			printf("  %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(op, "source")));
		}
	}
	check_stdout();
}


void report_write_table(cJSON *const *reports, size_t n, bool with_ops)
{
	write_table(reports, n, with_ops);
}
