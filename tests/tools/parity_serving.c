/* parity_serving: test helper for the serving goldens (../shared/goldens/serving) and the
 * reference's predictions of measured deployments (../shared/reference/silicon_h100_h200_predicted.csv).
 *
 *   parity_serving args GOLDEN     print the case as pipelines/estimate options, one line:
 *                                  MODEL_DIR_RELATIVE_TO_SHARED --system S --backend B ... --format jsonl
 *   parity_serving check GOLDEN    compare estimate's report record on stdin with the golden's
 *                                  result row (agg: 1e-6 relative; disagg, which the reference rounds
 *                                  to 3 decimals: |ours - golden| <= 0.0005 + 1e-6 |golden|)
 *   parity_serving csv FILE        print one line per row of the predictions CSV that has
 *                                  reference numbers: ID TTFT_MS TPOT_MS MODEL_DIR options...
 *   parity_serving csvcheck TTFT TPOT   compare the report on stdin with the reference's ttft/tpot
 *                                  (1e-6 relative)
 *
 * Mismatches go to stdout, one per line; exit 1 if any, 2 on bad input. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mismatches;

__attribute__((format(printf, 1, 2)))
static void mismatch(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	mismatches++;
}

static char *slurp(FILE *f)
{
	size_t n = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	if (!buf) {
		fprintf(stderr, "parity_serving: out of memory\n");
		exit(2);
	}
	buf[n] = 0;
	return buf;
}

static cJSON *load_json(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "parity_serving: cannot open %s\n", path);
		exit(2);
	}
	char *buf = slurp(f);
	fclose(f);
	cJSON *j = cJSON_Parse(buf);
	free(buf);
	if (!j) {
		fprintf(stderr, "parity_serving: %s is not JSON\n", path);
		exit(2);
	}
	return j;
}

/* The last JSON line of stdin (the report). */
static cJSON *read_report(void)
{
	char *buf = slurp(stdin);
	char *end = buf + strlen(buf);
	while (end > buf && (end[-1] == '\n' || end[-1] == ' '))
		*--end = 0;
	char *last = strrchr(buf, '\n');
	cJSON *j = cJSON_Parse(last ? last + 1 : buf);
	free(buf);
	if (!j) {
		mismatch("no report record on stdin");
		exit(1);
	}
	return j;
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void print_flag(const cJSON *c, const char *key, const char *flag)
{
	const cJSON *v = get(c, key);
	if (cJSON_IsNumber(v))
		printf(" %s %.0f", flag, v->valuedouble);
	else if (cJSON_IsString(v))
		printf(" %s %s", flag, v->valuestring);
}

static void cmd_args(const cJSON *g)
{
	const cJSON *c = get(g, "case");
	static const char *const common[][2] = {
		{"system", "--system"}, {"backend", "--backend"}, {"isl", "--isl"}, {"osl", "--osl"},
		{"mode", "--mode"}, {"prefix", "--prefix"}, {"version", "--version"}, {"ctx_tokens", "--ctx-tokens"},
		{"nextn", "--nextn"}, {"gemm_quant", "--gemm-quant"}, {"kvcache_quant", "--kvcache-quant"},
		{"fmha_quant", "--fmha-quant"}, {"moe_quant", "--moe-quant"},
		/* agg */
		{"batch_size", "--batch"}, {"tp", "--tp"}, {"pp", "--pp"}, {"dp", "--dp"}, {"moe_tp", "--moe-tp"},
		{"moe_ep", "--moe-ep"},
	};
	printf("%s", cJSON_GetStringValue(get(c, "model")));
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
		print_flag(c, common[i][0], common[i][1]);
	const cJSON *dbm = get(c, "database_mode");
	if (cJSON_IsString(dbm)) {
		printf(" --database-mode ");
		for (const char *p = dbm->valuestring; *p; p++)
			putchar(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	}
	static const char *const sides[] = {"prefill", "decode"};
	static const char *const side_keys[][2] = {
		{"tp_size", "tp"}, {"pp_size", "pp"}, {"attention_dp_size", "dp"}, {"moe_tp_size", "moe-tp"},
		{"moe_ep_size", "moe-ep"}, {"batch_size", "batch"}, {"num_workers", "workers"},
	};
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof side_keys / sizeof side_keys[0]; i++) {
			char key[64], flag[64];
			snprintf(key, sizeof key, "%s_%s", sides[s], side_keys[i][0]);
			snprintf(flag, sizeof flag, "--%s-%s", sides[s], side_keys[i][1]);
			print_flag(c, key, flag);
		}
	printf(" --format jsonl\n");
}

/* Compare one number: ours at a dotted path of the report, the golden's row column. */
static void compare(const cJSON *rep, const char *path, const cJSON *row, const char *col, bool rounded)
{
	const cJSON *gv = get(row, col);
	if (!cJSON_IsNumber(gv))
		return; /* null in the reference (moe_tp of a dense model ...) */
	char p[128];
	snprintf(p, sizeof p, "%s", path);
	const cJSON *v = rep;
	for (char *tok = strtok(p, "."); tok && v; tok = strtok(NULL, "."))
		v = get(v, tok);
	if (!cJSON_IsNumber(v)) {
		mismatch("%s: missing from the report (reference %s = %.17g)", path, col, gv->valuedouble);
		return;
	}
	double a = v->valuedouble, b = gv->valuedouble;
	double slack = rounded ? 0.0005 : 0.0;
	double d = fabs(a - b) - slack;
	if (d > 1e-6 * fabs(b) && a != b)
		mismatch("%s = %.17g, reference %s = %.17g (rel %.3g)", path, a, col, b, fabs(a - b) / fabs(b));
}

static void cmd_check(const cJSON *g, const cJSON *rep)
{
	const cJSON *row = get(g, "result");
	const char *mode = cJSON_GetStringValue(get(get(g, "case"), "mode"));
	bool disagg = mode && strcmp(mode, "disagg") == 0;
	static const char *const both[][2] = {
		{"ttft_ms", "ttft"}, {"tpot_ms", "tpot"}, {"tokens_per_s_per_gpu", "tokens/s/gpu"},
		{"tokens_per_s_per_user", "tokens/s/user"}, {"request_latency_ms", "request_latency"},
		{"concurrency", "concurrency"}, {"seq_per_s", "seq/s"}, {"seq_per_s_per_gpu", "seq/s/gpu"},
		{"tokens_per_s", "tokens/s"}, {"num_total_gpus", "num_total_gpus"}, {"power_w", "power_w"},
	};
	for (size_t i = 0; i < sizeof both / sizeof both[0]; i++)
		compare(rep, both[i][0], row, both[i][1], disagg);
	if (!disagg) {
		static const char *const agg[][2] = {
			{"memory", "memory"}, {"num_ctx_reqs", "num_ctx_reqs"}, {"num_gen_reqs", "num_gen_reqs"},
			{"ctx_tokens", "ctx_tokens"}, {"gen_tokens", "gen_tokens"}, {"balance_score", "balance_score"},
			{"num_tokens", "num_tokens"}, {"global_batch", "global_bs"}, {"tp", "tp"}, {"pp", "pp"},
			{"dp", "dp"}, {"moe_tp", "moe_tp"}, {"moe_ep", "moe_ep"},
		};
		for (size_t i = 0; i < sizeof agg / sizeof agg[0]; i++)
			compare(rep, agg[i][0], row, agg[i][1], false);
		return;
	}
	static const char *const side[][2] = {
		{"batch", "bs"}, {"global_batch", "global_bs"}, {"workers", "workers"},
		{"seq_per_s_per_worker", "seq/s/worker"}, {"memory", "memory"}, {"tp", "tp"}, {"pp", "pp"},
		{"dp", "dp"}, {"moe_tp", "moe_tp"}, {"moe_ep", "moe_ep"},
	};
	static const char *const names[][2] = {{"prefill", "(p)"}, {"decode", "(d)"}};
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
			char path[64], col[64];
			snprintf(path, sizeof path, "%s.%s", names[s][0], side[i][0]);
			snprintf(col, sizeof col, "%s%s", names[s][1], side[i][1]);
			compare(rep, path, row, col, true);
		}
}

/* ---- the predictions CSV ---- */

/* Splits one CSV record (RFC 4180 quoting; a quoted field may hold newlines) from *p. */
static int csv_record(char **p, char **fields, int max)
{
	char *s = *p;
	if (!*s)
		return 0;
	int n = 0;
	for (;;) {
		char *out = s, *start = s;
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s)
					break;
				if (*s == '"' && s[1] == '"') {
					*out++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*out++ = *s++;
				}
			}
		} else {
			while (*s && *s != ',' && *s != '\n' && *s != '\r')
				out++, s++;
		}
		char end = *s;
		*out = 0;
		if (n < max)
			fields[n++] = start;
		if (end == ',') {
			s++;
			continue;
		}
		if (end == '\r')
			s++;
		if (*s == '\n')
			s++;
		break;
	}
	*p = s;
	return n;
}

/* The model folder of a hub name, with the mappings the goldens README gives. */
static void model_dir(const char *hub, char *out, size_t n)
{
	if (strcmp(hub, "meta-llama/Llama-3.1-8B-Instruct") == 0)
		hub = "meta-llama/Meta-Llama-3.1-8B";
	else if (strcmp(hub, "meta-llama/Llama-3.1-70B") == 0)
		hub = "meta-llama/Meta-Llama-3.1-70B";
	else if (strcmp(hub, "zhipuai/GLM-5") == 0)
		hub = "zai-org/GLM-5";
	snprintf(out, n, "models/");
	size_t k = strlen(out);
	for (const char *p = hub; *p && k + 3 < n; p++) {
		if (*p == '/') {
			out[k++] = '-';
			out[k++] = '-';
		} else {
			out[k++] = *p;
		}
	}
	out[k] = 0;
}

static void cmd_csv(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "parity_serving: cannot open %s\n", path);
		exit(2);
	}
	char *buf = slurp(f);
	fclose(f);
	char *p = buf;
	enum { MAXF = 64 };
	char *head[MAXF], *row[MAXF];
	int nh = csv_record(&p, head, MAXF);
	char *hcopy[MAXF];
	for (int i = 0; i < nh; i++)
		hcopy[i] = strdup(head[i]);
	int nr;
	while ((nr = csv_record(&p, row, MAXF)) > 0) {
		const char *v[MAXF] = {0};
		for (int i = 0; i < nr && i < nh; i++)
			v[i] = row[i];
		const char *err = NULL, *ttft = NULL, *tpot = NULL;
		for (int i = 0; i < nh; i++) {
			if (!v[i])
				continue;
			if (strcmp(hcopy[i], "ref_error") == 0)
				err = v[i];
			else if (strcmp(hcopy[i], "ref_ttft_ms") == 0)
				ttft = v[i];
			else if (strcmp(hcopy[i], "ref_tpot_ms") == 0)
				tpot = v[i];
		}
		if ((err && *err) || !ttft || !*ttft || !tpot || !*tpot)
			continue;
		const char *id = "?", *mode = "agg";
		char dir[256] = "";
		for (int i = 0; i < nh; i++) {
			if (!v[i])
				continue;
			if (strcmp(hcopy[i], "id") == 0)
				id = v[i];
			else if (strcmp(hcopy[i], "model_path") == 0)
				model_dir(v[i], dir, sizeof dir);
			else if (strcmp(hcopy[i], "mode") == 0)
				mode = v[i];
		}
		printf("%s %s %s %s", id, ttft, tpot, dir);
		static const char *const map[][2] = {
			{"system", "--system"}, {"backend", "--backend"}, {"isl", "--isl"}, {"osl", "--osl"},
			{"mode", "--mode"}, {"gemm_quant_mode", "--gemm-quant"}, {"moe_quant_mode", "--moe-quant"},
			{"batch_size", "--batch"}, {"tp_size", "--tp"}, {"pp_size", "--pp"},
			{"attention_dp_size", "--dp"}, {"moe_tp_size", "--moe-tp"}, {"moe_ep_size", "--moe-ep"}, /* 0 in the CSV: dense */
			{"prefill_batch_size", "--prefill-batch"}, {"prefill_num_workers", "--prefill-workers"},
			{"prefill_tp_size", "--prefill-tp"}, {"prefill_pp_size", "--prefill-pp"},
			{"prefill_attention_dp_size", "--prefill-dp"}, {"prefill_moe_tp_size", "--prefill-moe-tp"},
			{"prefill_moe_ep_size", "--prefill-moe-ep"}, {"decode_batch_size", "--decode-batch"},
			{"decode_num_workers", "--decode-workers"}, {"decode_tp_size", "--decode-tp"},
			{"decode_pp_size", "--decode-pp"}, {"decode_attention_dp_size", "--decode-dp"},
			{"decode_moe_tp_size", "--decode-moe-tp"}, {"decode_moe_ep_size", "--decode-moe-ep"},
		};
		bool disagg = strcmp(mode, "disagg") == 0;
		for (size_t m = 0; m < sizeof map / sizeof map[0]; m++) {
			bool side = strncmp(map[m][0], "prefill_", 8) == 0 || strncmp(map[m][0], "decode_", 7) == 0;
			bool agg_only = strcmp(map[m][0], "batch_size") == 0 || strcmp(map[m][0], "tp_size") == 0 ||
					strcmp(map[m][0], "pp_size") == 0 || strcmp(map[m][0], "attention_dp_size") == 0 ||
					strcmp(map[m][0], "moe_tp_size") == 0 || strcmp(map[m][0], "moe_ep_size") == 0;
			if ((side && !disagg) || (agg_only && disagg))
				continue;
			for (int i = 0; i < nh; i++)
				if (v[i] && *v[i] && strcmp(v[i], "0") && strcmp(hcopy[i], map[m][0]) == 0)
					printf(" %s %s", map[m][1], v[i]);
		}
		printf(" --format jsonl\n");
	}
	for (int i = 0; i < nh; i++)
		free(hcopy[i]);
	free(buf);
}

static void cmd_csvcheck(const char *ttft, const char *tpot, const cJSON *rep)
{
	const char *keys[] = {"ttft_ms", "tpot_ms"};
	const char *vals[] = {ttft, tpot};
	for (int i = 0; i < 2; i++) {
		const cJSON *v = get(rep, keys[i]);
		double b = strtod(vals[i], NULL);
		if (!cJSON_IsNumber(v)) {
			mismatch("%s missing from the report", keys[i]);
			continue;
		}
		double a = v->valuedouble;
		if (fabs(a - b) > 1e-6 * fabs(b))
			mismatch("%s = %.17g, reference %.17g (rel %.3g)", keys[i], a, b, fabs(a - b) / fabs(b));
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "args") == 0) {
		cJSON *g = load_json(argv[2]);
		cmd_args(g);
		cJSON_Delete(g);
	} else if (argc == 3 && strcmp(argv[1], "check") == 0) {
		cJSON *g = load_json(argv[2]);
		cJSON *rep = read_report();
		cmd_check(g, rep);
		cJSON_Delete(rep);
		cJSON_Delete(g);
	} else if (argc == 3 && strcmp(argv[1], "csv") == 0) {
		cmd_csv(argv[2]);
	} else if (argc == 4 && strcmp(argv[1], "csvcheck") == 0) {
		cJSON *rep = read_report();
		cmd_csvcheck(argv[2], argv[3], rep);
		cJSON_Delete(rep);
	} else {
		fprintf(stderr, "usage: parity_serving args|check GOLDEN | csv FILE | csvcheck TTFT TPOT\n");
		return 2;
	}
	return mismatches ? 1 : 0;
}
