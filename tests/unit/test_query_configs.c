/* test_query_configs: configurations by id (lib/query/query_configs): what is kept of a config
 * record, shared shapes, forgetting after the last op record (also when deleting moves entries
 * of a probe run), and the option helper query and perfload share (lib/util/cliopt). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cliopt.h"
#include "query_configs.h"
#include "unit.h"

static jsonl_reader reader = { .name = "<test>", .line = 1 };

static void put(query_configs *q, const char *id, const char *system, int op_records)
{
	char text[512];
	if (op_records >= 0)
		snprintf(text, sizeof text,
			 "{\"record\":\"config\",\"config_id\":\"%s\",\"system\":\"%s\",\"backend\":\"trtllm\","
			 "\"model\":{\"quant\":{\"gemm\":\"fp8\",\"moe\":\"w4a16_mxfp4\"}},\"op_records\":%d}",
			 id, system, op_records);
	else
		snprintf(text, sizeof text, "{\"record\":\"config\",\"config_id\":\"%s\",\"system\":\"%s\"}", id, system);
	cJSON *rec = cJSON_Parse(text);
	query_configs_put(q, &reader, rec);
	cJSON_Delete(rec);
}

static void done(query_configs *q, const char *id)
{
	query_configs_op_done(q, id, strlen(id));
}

int main(void)
{
	query_configs q = { 0 };
	CHECK(query_configs_find(&q, "a") == NULL);
	put(&q, "a", "h200_sxm", 2);
	put(&q, "b", "h200_sxm", 1);
	put(&q, "c", "b200_sxm", -1);
	const cJSON *a = query_configs_find(&q, "a"), *b = query_configs_find(&q, "b"), *c = query_configs_find(&q, "c");
	CHECK_STR(query_config_str(a, "system"), "h200_sxm");
	CHECK_STR(query_config_str(a, "backend"), "trtllm");
	CHECK_STR(query_config_str(a, "checkpoint_gemm"), "fp8");
	CHECK_STR(query_config_str(a, "checkpoint_moe"), "w4a16_mxfp4");
	CHECK(query_config_str(a, "version") == NULL);
	CHECK(a == b); /* the same shape, kept once */
	CHECK(c != a && q.nshapes == 2);
	CHECK(query_configs_find(&q, NULL) == NULL);

	/* forgotten after its op_records op records; kept without the count */
	done(&q, "a");
	CHECK(query_configs_find(&q, "a") != NULL);
	done(&q, "a");
	CHECK(query_configs_find(&q, "a") == NULL);
	done(&q, "b");
	CHECK(query_configs_find(&q, "b") == NULL);
	for (int i = 0; i < 5; i++)
		done(&q, "c");
	CHECK(query_configs_find(&q, "c") == c);
	CHECK(q.n == 1);
	/* a configuration given again: the later record counts */
	put(&q, "c", "h100_sxm", 1);
	CHECK_STR(query_config_str(query_configs_find(&q, "c"), "system"), "h100_sxm");
	CHECK(q.n == 1);

	/* thousands, forgotten in another order than they came: every other one stays findable */
	char id[32];
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "cfg%d", i);
		put(&q, id, i % 3 ? "h200_sxm" : "b200_sxm", 1);
	}
	for (int i = 0; i < 3000; i += 2) {
		snprintf(id, sizeof id, "cfg%d", (i * 7) % 3000);
		done(&q, id);
	}
	int found = 0, wrong = 0;
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "cfg%d", i);
		bool gone = false;
		for (int j = 0; j < 3000 && !gone; j += 2)
			gone = (j * 7) % 3000 == i;
		const cJSON *f = query_configs_find(&q, id);
		found += f != NULL;
		wrong += gone == (f != NULL);
	}
	CHECK(wrong == 0);
	CHECK(found == 1500 && q.n == 1501);
	query_configs_free(&q);

	/* the shared option loop */
	cliopt_db db = { 0 };
	CHECK(cliopt_db_take(&db, 's', "h200_sxm") && cliopt_db_take(&db, 'b', "vllm") &&
	      cliopt_db_take(&db, 'v', "0.10.0") && cliopt_db_take(&db, 'd', "/data"));
	CHECK(!cliopt_db_take(&db, 'k', NULL));
	CHECK_STR(db.system, "h200_sxm");
	CHECK_STR(db.backend, "vllm");
	CHECK_STR(db.version, "0.10.0");
	CHECK_STR(db.data_dir, "/data");
	static const struct option longopts[] = { CLIOPT_DB_LONGOPTS, { NULL, 0, NULL, 0 } };
	CHECK(strcmp(longopts[3].name, "data-dir") == 0 && longopts[3].val == 'd' && longopts[0].has_arg == required_argument);
	UNIT_DONE();
}
