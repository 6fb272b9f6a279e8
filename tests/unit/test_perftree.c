/* Unit tests of lib/perf/perftree and what lib/perf/datadir and lib/perf/table_csv do with it: a made-up
 * family-first tree (tables as Parquet files in family folders, reuse.yaml, collection_meta.yaml,
 * the INCOMPLETE veto), both layouts under one root, and the refusals. */
#include "datadir.h"
#include "perftree.h"
#include "systems.h"
#include "table_csv.h"
#include "unit.h"

#include "parquet_writer.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/test_perftree.XXXXXX";

static void mkdirs(const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	for (char *p = path + strlen(tmp) + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static void put_text(const char *rel, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A one-column table (column m, values given) at rel. */
static void put_table(const char *rel, const char *v0, const char *v1)
{
	const char *vals[] = { v0, v1 };
	pw_col c = { "m", PW_INT64, PW_ZSTD, 0, vals };
	unsigned char *b;
	size_t n = pw_build(&c, 1, 2, PW_OK, &b);
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	CHECK(pw_write(path, b, n) == 0);
	free(b);
}

static char *at(const char *rel)
{
	static char buf[4][1024];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, rel);
	return buf[k];
}

static int count_table(void *arg, const char *file, const perftree_file *where)
{
	char *out = arg;
	size_t n = strlen(out);
	snprintf(out + n, 1024 - n, "%s%s:%s:%s", n ? " " : "", file,
		 where->how == PERFTREE_OWN ? "own" : where->how == PERFTREE_REUSED ? "reused" : "csv", where->version);
	return 0;
}

int main(void)
{
	char err[2048];
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	/* trtllm 1.0: every core table; 2.0: gemm through reuse.yaml, its own attention; 3.0: the
	 * INCOMPLETE veto; 4.0: a reuse.yaml naming a version without the table; 5.0: only gemm */
	mkdirs("h200_sxm/gemm/trtllm/1.0");
	mkdirs("h200_sxm/gemm/trtllm/2.0");
	mkdirs("h200_sxm/gemm/trtllm/4.0");
	mkdirs("h200_sxm/gemm/trtllm/5.0");
	mkdirs("h200_sxm/attention/trtllm/1.0");
	mkdirs("h200_sxm/attention/trtllm/2.0");
	mkdirs("h200_sxm/attention/trtllm/3.0");
	mkdirs("h200_sxm/comm/trtllm/1.0");
	mkdirs("h200_sxm/comm/trtllm/2.0");
	mkdirs("h200_sxm/comm/nccl/2.26.2");
	mkdirs("h200_sxm/comm/nccl/2.27.3");
	put_table("h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet", "1", "2");
	put_text("h200_sxm/gemm/trtllm/1.0/collection_meta.yaml",
		 "schema_version: 1\nprovenance: legacy\ntables:\n  gemm_perf:\n    status: complete\n");
	put_table("h200_sxm/gemm/trtllm/5.0/gemm_perf.parquet", "5", NULL);
	put_text("h200_sxm/gemm/trtllm/2.0/reuse.yaml",
		 "# comment\nschema_version: 1\nreuse:\n- table: gemm_perf\n  from_version: '1.0'\n  reason: same kernels\n"
		 "  approved_by: someone\n");
	put_text("h200_sxm/gemm/trtllm/4.0/reuse.yaml", "reuse:\n- table: gemm_perf\n  from_version: 9.9\n");
	put_table("h200_sxm/attention/trtllm/1.0/context_attention_perf.parquet", "3", "4");
	put_table("h200_sxm/attention/trtllm/1.0/generation_attention_perf.parquet", "3", "4");
	put_table("h200_sxm/attention/trtllm/2.0/context_attention_perf.parquet", "7", "8");
	put_table("h200_sxm/attention/trtllm/2.0/generation_attention_perf.parquet", "7", "8");
	put_table("h200_sxm/attention/trtllm/3.0/gemm_perf.parquet", "0", "0");
	put_text("h200_sxm/attention/trtllm/3.0/INCOMPLETE.txt", "not done\n");
	put_table("h200_sxm/comm/trtllm/1.0/custom_allreduce_perf.parquet", "1", "1");
	put_table("h200_sxm/comm/trtllm/2.0/custom_allreduce_perf.parquet", "2", "2");
	put_table("h200_sxm/comm/nccl/2.26.2/nccl_perf.parquet", "1", "1");

	perftree_file w;
	/* a version's own table */
	CHECK(perftree_locate(at("h200_sxm/trtllm/1.0/gemm_perf.txt"), &w, err, sizeof err) == 0);
	CHECK(w.how == PERFTREE_OWN);
	CHECK_STR(w.path, at("h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet"));
	CHECK_STR(w.family, "gemm");
	CHECK_STR(w.version, "1.0");
	CHECK_STR(w.status, "complete");
	/* a table the version lacks: whole from the version reuse.yaml names */
	CHECK(perftree_locate(at("h200_sxm/trtllm/2.0/gemm_perf.txt"), &w, err, sizeof err) == 0);
	CHECK(w.how == PERFTREE_REUSED);
	CHECK_STR(w.path, at("h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet"));
	CHECK_STR(w.version, "1.0");
	CHECK(perftree_locate(at("h200_sxm/trtllm/2.0/context_attention_perf.txt"), &w, err, sizeof err) == 0);
	CHECK(w.how == PERFTREE_OWN && strcmp(w.version, "2.0") == 0 && w.status[0] == 0);
	/* none: the INCOMPLETE veto, an unknown table, an unknown version */
	CHECK(perftree_locate(at("h200_sxm/trtllm/3.0/gemm_perf.txt"), &w, err, sizeof err) == 1);
	CHECK(perftree_locate(at("h200_sxm/trtllm/1.0/moe_perf.txt"), &w, err, sizeof err) == 1);
	CHECK(perftree_locate(at("h200_sxm/trtllm/7.0/gemm_perf.txt"), &w, err, sizeof err) == 1);
	/* NCCL lives under comm/nccl */
	CHECK(perftree_locate(at("h200_sxm/nccl/2.26.2/nccl_perf.txt"), &w, err, sizeof err) == 0);
	CHECK_STR(w.path, at("h200_sxm/comm/nccl/2.26.2/nccl_perf.parquet"));
	/* a reuse.yaml naming a version without the table */
	CHECK(perftree_locate(at("h200_sxm/trtllm/4.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	char want[2048];
	snprintf(want, sizeof want,
		 "%s/reuse.yaml: gemm_perf comes from version 9.9, which does not hold it (%s not found)",
		 at("h200_sxm/gemm/trtllm/4.0"), at("h200_sxm/gemm/trtllm/9.9/gemm_perf.parquet"));
	CHECK_STR(err, want);

	/* messages name the file, or where it was looked for */
	char shown[2048];
	perftree_display(at("h200_sxm/trtllm/2.0/gemm_perf.txt"), shown, sizeof shown);
	CHECK_STR(shown, at("h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet"));
	perftree_display(at("h200_sxm/trtllm/1.0/moe_perf.txt"), shown, sizeof shown);
	CHECK_STR(shown, at("h200_sxm/<family>/trtllm/1.0/moe_perf.parquet"));

	/* listing a version: its own tables and its reuse entries */
	char list[1024] = "";
	CHECK(perftree_tables(at("h200_sxm"), "trtllm", "2.0", count_table, list, err, sizeof err) == 0);
	CHECK_STR(list, "context_attention_perf.txt:own:2.0 custom_allreduce_perf.txt:own:2.0 gemm_perf.txt:reused:1.0 "
			"generation_attention_perf.txt:own:2.0");

	/* the versions: the union over families, the veto applied */
	struct datadir_list l = { 0, NULL };
	CHECK(perftree_versions(at("h200_sxm"), "trtllm", &l, err, sizeof err) == 0);
	char joined[512];
	datadir_list_join(&l, joined, sizeof joined);
	CHECK_STR(joined, "1.0, 2.0, 4.0, 5.0");
	datadir_list_free(&l);
	CHECK(perftree_has_families(at("h200_sxm")));

	/* datadir: the default is the newest version with the core tables (5.0 has only gemm, 4.0's
	 * reuse.yaml is broken), NCCL found under comm */
	const struct system_spec *h200 = system_load("h200_sxm", err, sizeof err);
	CHECK(h200 != NULL);
	struct perf_data_path p;
	if (h200) {
		CHECK(datadir_resolve(tmp, h200, "trtllm", NULL, &p, err, sizeof err) == 0);
		CHECK_STR(p.version, "2.0");
		CHECK(p.nccl_present);
		CHECK(datadir_resolve(tmp, h200, "trtllm", "5.0", &p, err, sizeof err) == 0);
		CHECK(datadir_resolve(tmp, h200, "trtllm", "3.0", &p, err, sizeof err) == -1);
		CHECK_STR(err, "unknown version '3.0' for h200_sxm/trtllm (known: 1.0, 2.0, 4.0, 5.0)");
		CHECK(datadir_resolve(tmp, h200, "vllm", NULL, &p, err, sizeof err) == -1);
		/* the reference's systems folder: its tables are in data/ */
		char sysdir[1200];
		snprintf(sysdir, sizeof sysdir, "%s/systems", tmp);
		mkdir(sysdir, 0755);
		put_text("systems/perf_data_reuse_manifest.yaml", "groups: []\n");
		mkdirs("systems/data/h200_sxm/gemm/trtllm/1.0");
		put_table("systems/data/h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet", "1", "2");
		perftree_forget();
		CHECK(datadir_resolve(sysdir, h200, "trtllm", NULL, &p, err, sizeof err) == 0);
		CHECK_STR(p.root, at("systems/data"));
	}

	/* table_csv reads the Parquet table under the v0.9 name; a v0.9 file, when there, wins */
	table_csv t;
	CHECK(table_csv_load(&t, at("h200_sxm/trtllm/2.0/gemm_perf.txt"), err, sizeof err) == TABLE_CSV_OK);
	CHECK(t.nrows == 2 && strcmp(table_csv_cell(&t, 1, 0), "2") == 0);
	CHECK_STR(t.path, at("h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet"));
	table_csv_free(&t);
	CHECK(table_csv_load(&t, at("h200_sxm/trtllm/5.0/gemm_perf.txt"), err, sizeof err) == TABLE_CSV_OK);
	CHECK(t.nrows == 2 && strcmp(table_csv_cell(&t, 1, 0), "") == 0); /* a null */
	table_csv_free(&t);
	CHECK(table_csv_load(&t, at("h200_sxm/trtllm/1.0/moe_perf.txt"), err, sizeof err) == TABLE_CSV_MISSING);
	CHECK(table_csv_load(&t, at("h200_sxm/trtllm/4.0/gemm_perf.txt"), err, sizeof err) == TABLE_CSV_BAD);
	mkdirs("h200_sxm/trtllm/1.0");
	put_text("h200_sxm/trtllm/1.0/gemm_perf.txt", "m\n42\n");
	perftree_forget();
	CHECK(table_csv_load(&t, at("h200_sxm/trtllm/1.0/gemm_perf.txt"), err, sizeof err) == TABLE_CSV_OK);
	CHECK(t.nrows == 1 && strcmp(table_csv_cell(&t, 0, 0), "42") == 0);
	table_csv_free(&t);

	/* refusals of the YAML: not YAML, not a reuse list, an entry without its version, another
	 * schema, a table in two families */
	mkdirs("h200_sxm/gemm/trtllm/6.0");
	put_text("h200_sxm/gemm/trtllm/6.0/reuse.yaml", "reuse:\n- table: [unclosed\n");
	perftree_forget();
	CHECK(perftree_locate(at("h200_sxm/trtllm/6.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	CHECK(strstr(err, "reuse.yaml:") != NULL && strstr(err, ": YAML: ") != NULL);
	put_text("h200_sxm/gemm/trtllm/6.0/reuse.yaml", "- just a list\n");
	perftree_forget();
	CHECK(perftree_locate(at("h200_sxm/trtllm/6.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	CHECK(strstr(err, "reuse.yaml: not a reuse file") != NULL);
	put_text("h200_sxm/gemm/trtllm/6.0/reuse.yaml", "reuse:\n- table: gemm_perf\n");
	perftree_forget();
	CHECK(perftree_locate(at("h200_sxm/trtllm/6.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	CHECK(strstr(err, "reuse.yaml:2: reuse entry 1 lacks 'table' or 'from_version'") != NULL);
	put_text("h200_sxm/gemm/trtllm/6.0/reuse.yaml", "schema_version: 2\nreuse: []\n");
	perftree_forget();
	CHECK(perftree_locate(at("h200_sxm/trtllm/6.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	CHECK(strstr(err, "reuse.yaml: schema_version 2 is not supported (1)") != NULL);
	put_text("h200_sxm/gemm/trtllm/6.0/reuse.yaml", "reuse:\n- table: gemm_perf\n  from_version: ../1.0\n");
	perftree_forget();
	CHECK(perftree_locate(at("h200_sxm/trtllm/6.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	CHECK(strstr(err, "from_version '../1.0' is not a version folder name") != NULL);
	put_table("h200_sxm/attention/trtllm/1.0/gemm_perf.parquet", "1", "1");
	CHECK(perftree_locate(at("h200_sxm/trtllm/1.0/gemm_perf.txt"), &w, err, sizeof err) == 0); /* the v0.9 file */
	unlink(at("h200_sxm/trtllm/1.0/gemm_perf.txt"));
	perftree_forget();
	CHECK(perftree_locate(at("h200_sxm/trtllm/1.0/gemm_perf.txt"), &w, err, sizeof err) == -1);
	CHECK(strstr(err, "(a table belongs to one family)") != NULL);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		unit_failures++;
	UNIT_DONE();
}
