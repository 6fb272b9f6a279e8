/* test_opquery_record: a record's price from its op record (lib/query/opquery), where the attrs
 * an op's query read are kept for the points of the record (lib/query/opattrs' epoch): a run of
 * points prices as the same points listed one by one, and a record whose attrs sit at the
 * address of the record before (an arena reuses it) is priced by its own attrs. */
#include <stdio.h>
#include <stdlib.h>

#include "jsonarena.h"
#include "opquery.h"
#include "unit.h"

static double price(perfdb *db, jsonarena *arena, const char *text)
{
	cJSON *op = jsonarena_parse(arena, text, strlen(text));
	CHECK(op != NULL);
	perf_result r = { 0 };
	char err[512];
	int st = op ? opquery_record(db, op, &r, err, sizeof err) : -1;
	if (st)
		fprintf(stderr, "refused: %s\n", err);
	CHECK(st == 0);
	return r.latency;
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0); /* run from the repository root, as make test does */
	char err[512];
	perfdb *db = perfdb_open_spec_only("h200_sxm", "trtllm", err, sizeof err);
	if (!db) {
		fprintf(stderr, "test_opquery_record: %s\n", err);
		return 1;
	}
	perfdb_set_mode(db, PERF_EMPIRICAL);
	jsonarena arena = { 0 };
	static const char *const ew =
		"{\"op_type\":\"ElementWise\",\"scale_factor\":2,\"attrs\":{\"dim_in\":%d,\"dim_out\":%d},\"points\":[%s]}";
	char text[1024];
	snprintf(text, sizeof text, ew, 4096, 4096, "{\"x\":8,\"batch\":8,\"s\":100,\"count\":3}");
	double small = price(db, &arena, text);
	/* the same layout of text, other attrs: the tree sits where the last one did */
	snprintf(text, sizeof text, ew, 8192, 8192, "{\"x\":8,\"batch\":8,\"s\":100,\"count\":3}");
	double large = price(db, &arena, text);
	CHECK(small > 0 && large > small);
	snprintf(text, sizeof text, ew, 4096, 4096, "{\"x\":8,\"batch\":8,\"s\":100,\"count\":3}");
	CHECK(price(db, &arena, text) == small);

	/* a run of generation points (docs/records.md) against the same points listed */
	static const char *const ga = "{\"op_type\":\"GenerationAttention\",\"scale_factor\":64,\"attrs\":{\"n\":64,"
				      "\"n_kv\":8,\"head_size\":128,\"kv_cache_dtype\":\"bfloat16\"},\"points\":[%s]}";
	snprintf(text, sizeof text, ga,
		 "{\"x\":16,\"batch\":16,\"s\":4001,\"count\":32,\"run\":3,\"s_step\":32,\"last_count\":7}");
	double run = price(db, &arena, text);
	snprintf(text, sizeof text, ga,
		 "{\"x\":16,\"batch\":16,\"s\":4001,\"count\":32},{\"x\":16,\"batch\":16,\"s\":4033,\"count\":32},"
		 "{\"x\":16,\"batch\":16,\"s\":4065,\"count\":7}");
	double listed = price(db, &arena, text);
	CHECK(run > 0 && run == listed);
	/* other attrs in the same place again: a different price */
	snprintf(text, sizeof text, ga, "{\"x\":16,\"batch\":16,\"s\":4001,\"count\":32}");
	double h64 = price(db, &arena, text);
	char text2[1024];
	snprintf(text2, sizeof text2,
		 "{\"op_type\":\"GenerationAttention\",\"scale_factor\":64,\"attrs\":{\"n\":64,"
		 "\"n_kv\":4,\"head_size\":128,\"kv_cache_dtype\":\"bfloat16\"},\"points\":[%s]}",
		 "{\"x\":16,\"batch\":16,\"s\":4001,\"count\":32}");
	CHECK(price(db, &arena, text2) != h64);
	jsonarena_free(&arena);
	perfdb_close(db);
	UNIT_DONE();
}
