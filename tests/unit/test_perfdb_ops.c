/* Op-level parity with the reference: for every dense (LLAMA family) static golden, each op
 * of the golden (op_type, attrs, scale_factor) priced at the points the reference's run loop
 * queries must give the golden's latency_ms to 1e-6 relative, and its source tag.
 * Context: x = batch × (isl − prefix) (logits: x = batch), s = isl − prefix.
 * Generation: every stride steps i, x = batch × (nextn + 1), s = isl + i + 1, count = the
 * steps it stands for. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "opquery.h"
#include "unit.h"

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *buf = n < 0 ? NULL : malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(fp);
	return buf;
}

static long num(const cJSON *o, const char *k, long def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long)v->valuedouble : def;
}

static const char *str(const cJSON *o, const char *k, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : def;
}

static cJSON *point(long x, long batch, long s, long prefix, long count)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "x", (double)x);
	cJSON_AddNumberToObject(p, "batch", (double)batch);
	cJSON_AddNumberToObject(p, "beam", 1);
	cJSON_AddNumberToObject(p, "s", (double)s);
	cJSON_AddNumberToObject(p, "prefix", (double)prefix);
	cJSON_AddNumberToObject(p, "count", (double)count);
	return p;
}

static int ops_ok, ops_total, cases;

static void check_case(const char *file, const cJSON *g)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(g, "case");
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(g, "resolved");
	if (strcmp(str(res, "model_family", ""), "LLAMA") != 0 || cJSON_GetObjectItemCaseSensitive(g, "error"))
		return;
	cases++;
	char err[2048];
	perfdb *db = perfdb_open(NULL, str(res, "system", ""), str(res, "backend", ""), str(res, "version", ""), err,
				 sizeof err);
	if (!db) {
		fprintf(stderr, "%s: %s\n", file, err);
		unit_failures++;
		return;
	}
	int mode = perf_mode_parse(str(res, "database_mode", "SILICON"));
	perfdb_set_mode(db, (perf_mode)mode);
	long isl = num(c, "isl", 0), osl = num(c, "osl", 0), batch = num(c, "batch_size", 1);
	long prefix = num(c, "prefix", 0), nextn = num(res, "nextn", 0), stride = num(res, "stride", 32);
	const cJSON *op;
	cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(g, "ops"))
	{
		const char *name = str(op, "name", "");
		const char *phase = str(op, "phase", ""), *mode_s = str(res, "mode", "static");
		/* static_ctx / static_gen run one phase only: the other's ops are listed unpriced */
		if ((!strcmp(mode_s, "static_ctx") && strcmp(phase, "context")) ||
		    (!strcmp(mode_s, "static_gen") && strcmp(phase, "generation")))
			continue;
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "op_type", str(op, "op_type", ""));
		cJSON_AddItemToObject(rec, "attrs", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(op, "attrs"), 1));
		cJSON_AddNumberToObject(rec, "scale_factor", cJSON_GetObjectItemCaseSensitive(op, "scale_factor")->valuedouble);
		cJSON *pts = cJSON_AddArrayToObject(rec, "points");
		if (!strcmp(str(op, "phase", ""), "context")) {
			long s = isl - prefix;
			long x = strstr(name, "logits_gemm") ? batch : batch * s;
			cJSON_AddItemToArray(pts, point(x, batch, s, prefix, 1));
		} else {
			long b = batch * (nextn + 1);
			for (long i = 0; i < osl - 1; i += stride)
				cJSON_AddItemToArray(pts, point(b, b, isl + i + 1, 0, stride < osl - 1 - i ? stride : osl - 1 - i));
		}
		perf_result r;
		int st = opquery_record(db, rec, &r, err, sizeof err);
		double want = cJSON_GetObjectItemCaseSensitive(op, "latency_ms")->valuedouble;
		const char *want_src = str(op, "source", "");
		bool ok = st == 0 && (r.latency == want || fabs(r.latency - want) <= 1e-6 * fabs(want)) &&
			  strcmp(perf_source_name(r.source), want_src) == 0;
		ops_total++;
		if (ok) {
			ops_ok++;
		} else {
			unit_failures++;
			if (st)
				fprintf(stderr, "%s: %s %s: refused: %s\n", file, str(op, "phase", ""), name, err);
			else
				fprintf(stderr, "%s: %s %s: %.17g %s != %.17g %s\n", file, str(op, "phase", ""), name,
					r.latency, perf_source_name(r.source), want, want_src);
		}
		cJSON_Delete(rec);
	}
	perfdb_close(db);
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	setenv("INFERCAST_DATA", "../shared/data", 0);
	const char *gd = getenv("INFERCAST_GOLDENS");
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/static", gd ? gd : "../shared/goldens");
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "no goldens at %s (INFERCAST_GOLDENS)\n", dir);
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		char *text = slurp(path);
		cJSON *g = text ? cJSON_Parse(text) : NULL;
		if (g)
			check_case(e->d_name, g);
		else
			fprintf(stderr, "%s: %s\n", path, text ? "not JSON" : "cannot read");
		CHECK(g != NULL);
		cJSON_Delete(g);
		free(text);
	}
	closedir(d);
	fprintf(stderr, "ops: %d/%d dense ops match over %d cases\n", ops_ok, ops_total, cases);
	/* every dense (LLAMA) golden and its ops: fewer means goldens went missing or unread */
	CHECK(cases == 38);
	CHECK(ops_total == 1036);
	UNIT_DONE();
}
