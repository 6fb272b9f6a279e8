/* lib/perf/table_modes: the quant modes a database's table holds, read through the database's
 * own folder (either data layout), as the sweep's checks read them. */
#include <stdlib.h>
#include <string.h>

#include "table_modes.h"
#include "unit.h"

static perfdb *open_db(const char *root, const char *version)
{
	char err[1024];
	perfdb *db = perfdb_open(root, "h200_sxm", "sglang", version, err, sizeof err);
	if (!db)
		fprintf(stderr, "open: %s\n", err);
	CHECK(db != NULL);
	return db;
}

int main(void)
{
	setenv("INFERCAST_DATA", "../shared/data", 0);
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	const char *aic = "../shared/aic-systems";
	char list[256];
	table_modes m;

	/* the v0.9 CSV tree ($INFERCAST_DATA): the context MLA table of 0.5.10 has bfloat16 only */
	perfdb *db = open_db(NULL, "0.5.10");
	if (db) {
		table_modes_read(db, "context_mla_perf.txt", "mla_dtype", &m);
		CHECK(m.present);
		table_modes_list(&m, list, sizeof list);
		CHECK_STR(list, "bfloat16");
		CHECK(table_modes_has(&m, "bfloat16") && !table_modes_has(&m, "fp8"));
		/* no DeepEP tables there */
		table_modes_read(db, "wideep_deepep_normal_perf.txt", "kernel_source", &m);
		CHECK(!m.present && m.n == 0);
		/* a column the table lacks: present, no modes */
		table_modes_read(db, "context_mla_perf.txt", "moe_dtype", &m);
		CHECK(m.present && m.n == 0);
		perfdb_close(db);
	}
	/* the family-first tree: 0.5.12's DeepEP tables, and its DeepEP MoE table reused from 0.5.10 */
	db = open_db(aic, "0.5.12");
	if (db) {
		table_modes_read(db, "wideep_deepep_ll_perf.txt", "kernel_source", &m);
		CHECK(m.present);
		table_modes_list(&m, list, sizeof list);
		CHECK_STR(list, "deepep");
		table_modes_read(db, "wideep_context_moe_perf.txt", "moe_dtype", &m);
		table_modes_list(&m, list, sizeof list);
		CHECK_STR(list, "fp8_block");
		perfdb_close(db);
	}
	UNIT_DONE();
}
