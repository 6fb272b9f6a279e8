/* The HYBRID shared layer (lib/perf/table_sources, lib/perf/table_csv): which sibling files a table
 * inherits from and in which order (on a made-up data tree and manifest), how their rows are
 * merged (kernel_source filter, union header, first source first), that a keep-first loader
 * keeps the active backend's row of a shape, the PEP 440 order of versions, and that the
 * shipped manifest makes SGLang inherit TRT-LLM's GDN rows as the reference does. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perfdb.h"
#include "table_csv.h"
#include "table_mamba.h"
#include "table_sources.h"
#include "table_wideep.h"
#include "unit.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	/* make the folders on the way */
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	if (text) {
		FILE *f = fopen(path, "w");
		CHECK(f != NULL);
		if (f) {
			fputs(text, f);
			fclose(f);
		}
	} else {
		mkdir(path, 0755);
	}
}

static void versions(void)
{
	bool ok;
	CHECK(table_sources_version_cmp("1.3.0rc10", "1.3.0", &ok) < 0 && ok);
	CHECK(table_sources_version_cmp("1.3.0rc9", "1.3.0rc10", &ok) < 0 && ok);
	CHECK(table_sources_version_cmp("1.10.0", "1.2.0", &ok) > 0 && ok);
	CHECK(table_sources_version_cmp("1.0", "1.0.0", &ok) == 0 && ok);
	CHECK(table_sources_version_cmp("v1.0.0", "1.0.0", &ok) == 0 && ok);
	CHECK(table_sources_version_cmp("1.0.0.post1", "1.0.0", &ok) > 0 && ok);
	CHECK(table_sources_version_cmp("1.0.0.dev1", "1.0.0a1", &ok) < 0 && ok);
	CHECK(table_sources_version_cmp("1.0.0a1", "1.0.0b1", &ok) < 0 && ok);
	CHECK(table_sources_version_cmp("1.0.0-1", "1.0.0.post1", &ok) == 0 && ok);
	CHECK(table_sources_version_cmp("1.0+abc", "1.0", &ok) > 0 && ok);
	CHECK(table_sources_version_cmp("1.0+5", "1.0+abc", &ok) > 0 && ok);
	table_sources_version_cmp("v0.20_fix0719", "1.0", &ok);
	CHECK(!ok);
}

static const char manifest[] =
	"{\"groups\": [\n"
	" {\"op_file\": \"x_perf.txt\", \"kernel_source\": \"k1\", \"tier\": \"shared\", \"frameworks\": [\"trtllm\", "
	"\"SGLang\"]},\n"
	" {\"op_file\": \"x_perf.txt\", \"kernel_source\": \"k2\", \"tier\": \"shared_fallback\", \"frameworks\": "
	"[\"trtllm\"]},\n"
	" {\"op_file\": \"x_perf.txt\", \"kernel_source\": \"k3\", \"tier\": \"private\", \"frameworks\": [\"trtllm\", "
	"\"vllm\"]},\n"
	" {\"op_file\": \"x_perf.txt\", \"kernel_source\": \"k4\", \"tier\": \"shared\", \"frameworks\": [\"vllm\"]},\n"
	" {\"op_file\": \"wideep_deepep_ll_perf.txt\", \"kernel_source\": \"deepep\", \"tier\": \"shared\", "
	"\"frameworks\": [\"sglang\", \"trtllm\"]},\n"
	" {\"op_file\": \"nccl_perf.txt\", \"kernel_source\": \"nccl\", \"tier\": \"shared\", \"frameworks\": "
	"[\"trtllm\"]}\n"
	"]}\n";

static void made_up_tree(void)
{
	snprintf(root, sizeof root, "/tmp/infercast-sources-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	put("manifest.json", manifest);
	const char *hdr = "kernel_source,a,latency\n";
	char text[512];
	snprintf(text, sizeof text, "%sk1,1,10\nzz,2,20\n", hdr);
	put("h200_sxm/trtllm/1.3.0rc10/x_perf.txt", text);
	/* an older and a newer version of the active backend; one named unlike a version */
	snprintf(text, sizeof text, "%sk1,3,30\nk2,4,40\nk3,5,50\n", hdr);
	put("h200_sxm/trtllm/1.2.0/x_perf.txt", text);
	/* a further column, and no kernel_source filter match for k4 */
	put("h200_sxm/trtllm/1.10.0/x_perf.txt", "kernel_source,a,latency,extra\nk2,6,60,e\nk4,7,70,e\n");
	put("h200_sxm/trtllm/nightly/x_perf.txt", "kernel_source,a,latency\nk1,8,80\n");
	put("h200_sxm/trtllm/_scratch/x_perf.txt", "kernel_source,a,latency\nk1,9,90\n");
	/* SGLang may give k1 only; vLLM nothing (k4 is not the active backend's) */
	put("h200_sxm/sglang/0.5.10/x_perf.txt", "kernel_source,a,latency\nk2,10,100\nk1,11,110\n");
	put("h200_sxm/vllm/0.19.0/x_perf.txt", "kernel_source,a,latency\nk4,12,120\nk1,13,130\n");
	put("h200_sxm/sglang/0.5.9", NULL); /* a version without the file */
	put("h200_sxm/trtllm/1.3.0rc10/nccl_perf.txt", "kernel_source,a\nnccl,1\n");
	put("h200_sxm/sglang/0.5.10/nccl_perf.txt", "kernel_source,a\nnccl,2\n");

	char path[512], sysdir[256], err[600];
	snprintf(path, sizeof path, "%s/manifest.json", root);
	table_sources_set_manifest(path);
	snprintf(sysdir, sizeof sysdir, "%s/h200_sxm", root);
	static table_source src[TABLE_SOURCES_MAX];

	/* off: the file alone */
	snprintf(path, sizeof path, "%s/trtllm/1.3.0rc10/x_perf.txt", sysdir);
	CHECK(table_sources_for(path, src, TABLE_SOURCES_MAX, err, sizeof err) == 1);

	table_sources_begin(sysdir, "TRTLLM", "1.3.0rc10");
	size_t n = table_sources_for(path, src, TABLE_SOURCES_MAX, err, sizeof err);
	/* primary; trtllm newest first (1.10.0, 1.2.0, then 'nightly'); then sglang */
	CHECK(n == 5);
	const char *want[] = { "trtllm/1.3.0rc10", "trtllm/1.10.0", "trtllm/1.2.0", "trtllm/nightly", "sglang/0.5.10" };
	for (size_t i = 0; i < n && i < 5; i++) {
		char w[512];
		snprintf(w, sizeof w, "%s/%s/x_perf.txt", sysdir, want[i]);
		CHECK_STR(src[i].path, w);
	}
	CHECK(src[0].nfilter == -1);
	CHECK(src[1].nfilter == 2 && strcmp(src[1].filter[0], "k1") == 0 && strcmp(src[1].filter[1], "k2") == 0);
	CHECK(src[4].nfilter == 1 && strcmp(src[4].filter[0], "k1") == 0);

	/* the merged rows: the primary's whole, then each sibling's admitted rows in order */
	table_csv c;
	CHECK(table_csv_load(&c, path, err, sizeof err) == TABLE_CSV_OK);
	static const char *const rows[][4] = {
		{ "k1", "1", "10", "" }, { "zz", "2", "20", "" },  { "k2", "6", "60", "e" }, { "k1", "3", "30", "" },
		{ "k2", "4", "40", "" }, { "k1", "8", "80", "" }, { "k1", "11", "110", "" },
	};
	CHECK(c.nrows == 7 && c.ncols == 4);
	CHECK(c.ncols == 4 && strcmp(c.header[3], "extra") == 0);
	for (size_t r = 0; r < c.nrows && r < 7 && c.ncols == 4; r++)
		for (int k = 0; k < 4; k++)
			CHECK_STR(table_csv_cell(&c, r, k), rows[r][k]);
	CHECK_STR(table_csv_row_file(&c, 0), path);
	CHECK(strstr(table_csv_row_file(&c, 6), "sglang/0.5.10/x_perf.txt") != NULL);
	CHECK(c.lines[6] == 3);
	table_csv_free(&c);

	/* collectives and files outside the active folder are read alone */
	snprintf(path, sizeof path, "%s/trtllm/1.3.0rc10/nccl_perf.txt", sysdir);
	CHECK(table_sources_for(path, src, TABLE_SOURCES_MAX, err, sizeof err) == 1);
	snprintf(path, sizeof path, "%s/sglang/0.5.10/x_perf.txt", sysdir);
	CHECK(table_sources_for(path, src, TABLE_SOURCES_MAX, err, sizeof err) == 1);

	/* a primary that does not exist: the siblings alone; none at all: missing */
	snprintf(path, sizeof path, "%s/trtllm/1.3.0rc10/wideep_deepep_ll_perf.txt", sysdir);
	CHECK(table_csv_load(&c, path, err, sizeof err) == TABLE_CSV_MISSING);
	table_sources_end();

	/* keep-first loaders keep the active backend's row of a shape; siblings add shapes */
	const char *ll = "kernel_source,hidden_size,node_num,num_token,num_topk,num_experts,dispatch_avg_t_us,"
			 "combine_avg_t_us\n";
	snprintf(text, sizeof text, "%sdeepep,7168,1,16,8,256,50,70\n", ll);
	put("h200_sxm/sglang/0.5.10/wideep_deepep_ll_perf.txt", text);
	snprintf(text, sizeof text, "%sdeepep,7168,1,16,8,256,500,700\ndeepep,7168,1,32,8,256,70,90\n", ll);
	put("h200_sxm/trtllm/1.3.0rc10/wideep_deepep_ll_perf.txt", text);
	char dir[512];
	snprintf(dir, sizeof dir, "%s/sglang/0.5.10", sysdir);
	table_set t;
	table_sources_begin(sysdir, "sglang", "0.5.10");
	CHECK(table_wideep_deepep_ll_load(&t, dir, NULL, err, sizeof err) == 0);
	table_sources_end();
	CHECK(t.loaded && t.rows == 3);
	double k16[] = { 1, 7168, 8, 256, 16 }, k32[] = { 1, 7168, 8, 256, 32 };
	const grid_leaf *l16 = t.nparts ? grid_get(t.parts[0].g, k16) : NULL;
	const grid_leaf *l32 = t.nparts ? grid_get(t.parts[0].g, k32) : NULL;
	CHECK(l16 && l16->latency == 120);
	CHECK(l32 && l32->latency == 160);
	table_set_free(&t);
	/* without the layer: the file alone */
	CHECK(table_wideep_deepep_ll_load(&t, dir, NULL, err, sizeof err) == 0);
	CHECK(t.rows == 1);
	table_set_free(&t);
	/* a bad sibling row is reported with its own file and line */
	snprintf(text, sizeof text, "%sdeepep,7168,1,16,8,256,500,700\ndeepep,7168,1,32,8,256,x,90\n", ll);
	put("h200_sxm/trtllm/1.3.0rc10/wideep_deepep_ll_perf.txt", text);
	table_sources_begin(sysdir, "sglang", "0.5.10");
	CHECK(table_wideep_deepep_ll_load(&t, dir, NULL, err, sizeof err) == -1);
	table_sources_end();
	CHECK(strstr(err, "trtllm/1.3.0rc10/wideep_deepep_ll_perf.txt:3: dispatch_avg_t_us 'x' is not a number") != NULL);
	table_set_free(&t);

	/* a damaged manifest is an error of the load */
	put("manifest.json", "{\"groups\": 3}");
	snprintf(path, sizeof path, "%s/manifest.json", root);
	table_sources_set_manifest(path);
	table_sources_begin(sysdir, "trtllm", "1.3.0rc10");
	snprintf(path, sizeof path, "%s/trtllm/1.3.0rc10/x_perf.txt", sysdir);
	CHECK(table_csv_load(&c, path, err, sizeof err) == TABLE_CSV_BAD);
	CHECK(strstr(err, "manifest.json: not a kernel-source manifest") != NULL);
	table_sources_end();
	table_sources_set_manifest(NULL);

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
}

/* The shipped manifest: SGLang has no causal_conv1d_fn rows of its own for this shape on
 * h200_sxm; HYBRID inherits TRT-LLM's, as the reference's shared layer does (0.034143999...
 * ms is the reference's answer, 0.12582912 its speed-of-light fallback without the layer). */
static void shipped_manifest(void)
{
	char err[1024];
	const char *names[] = { "gdn_perf.txt", NULL };
	perfdb *db = perfdb_open(NULL, "h200_sxm", "sglang", NULL, err, sizeof err);
	CHECK(db != NULL);
	if (!db)
		return;
	char tag[64];
	table_sources_begin(perfdb_paths(db)->system_dir, "sglang", perfdb_paths(db)->version);
	table_sources_tag(perfdb_paths(db)->dir, names, tag, sizeof tag);
	table_sources_end();
	CHECK(strncmp(tag, "|shared:", 8) == 0);
	char path[4200];
	static table_source src[TABLE_SOURCES_MAX];
	snprintf(path, sizeof path, "%s/gdn_perf.txt", perfdb_paths(db)->dir);
	table_sources_begin(perfdb_paths(db)->system_dir, "sglang", perfdb_paths(db)->version);
	size_t n = table_sources_for(path, src, TABLE_SOURCES_MAX, err, sizeof err);
	table_sources_end();
	CHECK(n == 3); /* sglang's own, trtllm's, vllm's */
	CHECK(n == 3 && strstr(src[1].path, "/trtllm/") && strstr(src[2].path, "/vllm/"));
	gdn_shape shape = { 2048, 16, 128, 32, 128, 4 };
	perf_result r;
	perfdb_set_shared_layer(db, true); /* a HYBRID database */
	perfdb_set_mode(db, PERF_HYBRID);
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 8, 1024, &shape, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.034143999218940735, 1e-12);
	CHECK_STR(perf_source_name(r.source), "silicon");
	perfdb_close(db);
	/* HYBRID look-ups on a database without the layer: the speed-of-light fallback */
	db = perfdb_open(NULL, "h200_sxm", "sglang", NULL, err, sizeof err);
	CHECK(db != NULL);
	if (!db)
		return;
	perfdb_set_mode(db, PERF_HYBRID);
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 8, 1024, &shape, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.12582912, 1e-12);
	perfdb_close(db);
}

int main(void)
{
	setenv("INFERCAST_DATA", "../shared/data", 0);
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	versions();
	made_up_tree();
	shipped_manifest();
	UNIT_DONE();
}
