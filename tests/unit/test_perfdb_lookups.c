/* Parity of single perf-table look-ups with the reference: every dense-op line of
 * ../shared/goldens/lookups/ (every .jsonl there) (query_gemm, query_context_attention,
 * query_generation_attention, query_custom_allreduce, query_nccl) must give the golden
 * latency to 1e-6 relative, or be refused where the reference refused. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "perfdb.h"
#include "golden_lookups.h"
#include "unit.h"

static int counts[2][2]; /* [expected error][ok] */

static void check_line(const char *file, int line, const cJSON *rec)
{
	static perfdb *db;
	static char cur[256];
	const char *fn = arg_str(rec, "function");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(rec, "args");
	char key[256];
	snprintf(key, sizeof key, "%s/%s/%s", arg_str(rec, "system"), arg_str(rec, "backend"), arg_str(rec, "version"));
	if (!db || strcmp(key, cur) != 0) {
		perfdb_close(db);
		char err[1024];
		db = perfdb_open(NULL, arg_str(rec, "system"), arg_str(rec, "backend"), arg_str(rec, "version"), err, sizeof err);
		if (!db) {
			fprintf(stderr, "%s:%d: %s\n", file, line, err);
			unit_failures++;
			return;
		}
		snprintf(cur, sizeof cur, "%s", key);
	}
	perf_result r;
	char err[2048] = "";
	int st;
	if (!strcmp(fn, "query_gemm"))
		st = perfdb_gemm(db, arg_int(args, "m"), arg_int(args, "n"), arg_int(args, "k"),
				 quant_find(QUANT_GEMM, arg_str(args, "quant_mode")), &r, err, sizeof err);
	else if (!strcmp(fn, "query_context_attention"))
		st = perfdb_context_attention(db, arg_int(args, "b"), arg_int(args, "s"), arg_int(args, "prefix"),
					      arg_int(args, "n"), arg_int(args, "n_kv"),
					      quant_find(QUANT_KVCACHE, arg_str(args, "kvcache_quant_mode")),
					      quant_find(QUANT_FMHA, arg_str(args, "fmha_quant_mode")),
					      arg_int(args, "window_size"), arg_int(args, "head_size"), &r, err, sizeof err);
	else if (!strcmp(fn, "query_generation_attention"))
		st = perfdb_generation_attention(db, arg_int(args, "b"), arg_int(args, "s"), arg_int(args, "n"),
						 arg_int(args, "n_kv"),
						 quant_find(QUANT_KVCACHE, arg_str(args, "kvcache_quant_mode")),
						 arg_int(args, "window_size"), arg_int(args, "head_size"), &r, err, sizeof err);
	else if (!strcmp(fn, "query_custom_allreduce"))
		st = perfdb_custom_allreduce(db, quant_find(QUANT_COMM, arg_str(args, "quant_mode")),
					     arg_int(args, "tp_size"), arg_int(args, "size"), &r, err, sizeof err);
	else if (!strcmp(fn, "query_nccl"))
		st = perfdb_nccl(db, quant_find(QUANT_COMM, arg_str(args, "dtype")), arg_int(args, "num_gpus"),
				 arg_str(args, "operation"), arg_int(args, "message_size"), &r, err, sizeof err);
	else
		return; /* MoE and others: not ours yet */
	const cJSON *want_err = cJSON_GetObjectItemCaseSensitive(rec, "error");
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(rec, "latency_ms");
	bool ok;
	if (want_err) {
		ok = st == PERFDB_REFUSED;
		if (!ok)
			fprintf(stderr, "%s:%d: %s: expected a refusal, got %s %.17g\n", file, line, fn,
				st ? err : "latency", st ? 0.0 : r.latency);
	} else {
		double want = lat ? lat->valuedouble : -1;
		ok = st == 0 && (r.latency == want || fabs(r.latency - want) <= 1e-6 * fabs(want));
		if (!ok) {
			if (st)
				fprintf(stderr, "%s:%d: %s: refused: %s (want %.17g)\n", file, line, fn, err, want);
			else
				fprintf(stderr, "%s:%d: %s: %.17g != %.17g (rel %.3g)\n", file, line, fn, r.latency, want,
					fabs(r.latency - want) / fabs(want));
		}
	}
	counts[want_err != NULL][ok]++;
	if (!ok)
		unit_failures++;
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	setenv("INFERCAST_DATA", "../shared/data", 0);
	CHECK(golden_lookups_each(check_line));
	fprintf(stderr, "lookups: %d/%d values match, %d/%d refusals match\n", counts[0][1], counts[0][0] + counts[0][1],
		counts[1][1], counts[1][0] + counts[1][1]);
	/* every dense-op line of the goldens: fewer means lines went missing or unread */
	CHECK(counts[0][0] + counts[0][1] == 4441);
	CHECK(counts[1][0] + counts[1][1] == 59);
	UNIT_DONE();
}
