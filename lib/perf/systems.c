/* systems: load systems/<name>.json into struct system_spec (see systems.h). */
#include "systems.h"
#include "diag.h"
#include "fspath.h"
#include "sharedir.h"
#include "suggest.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYS_PATH_MAX 4096

bool system_name_ok(const char *name)
{
	if (!name || !*name || name[0] == '.' || strlen(name) >= 64 || strstr(name, ".."))
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '-' || c == '.';
		if (!ok)
			return false;
	}
	return true;
}

/* An explicit $INFERCAST_SYSTEMS that is not a folder is an
 * error rather than a silent fall-back, so a typo never picks other specs. */
const char *systems_dir(char *err, size_t errlen)
{
	static char found[SYS_PATH_MAX];
	const char *env = getenv("INFERCAST_SYSTEMS");
	if (env && *env) {
		if (!fspath_is_dir(env)) {
			diag_errf(err, errlen, "systems folder not found: %s (from INFERCAST_SYSTEMS)", env);
			return NULL;
		}
		snprintf(found, sizeof found, "%s", env);
		return found;
	}

	char exe[SYS_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char in_tree[SYS_PATH_MAX] = "";
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(in_tree, sizeof in_tree, "%.4000s/../systems", exe);
			if (fspath_is_dir(in_tree)) {
				snprintf(found, sizeof found, "%s", in_tree);
				return found;
			}
		}
	}
	/* an installed tree, wherever its prefix is (staged under DESTDIR, moved as a whole) */
	char share[SYS_PATH_MAX];
	sharedir_path("systems", share, sizeof share);
	if (fspath_is_dir(share)) {
		snprintf(found, sizeof found, "%s", share);
		return found;
	}
	diag_errf(err, errlen, "no systems folder: tried %s and %s (set INFERCAST_SYSTEMS)",
		in_tree[0] ? in_tree : "<dir of the executable>/../systems", share);
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int systems_known(char *buf, size_t n, char *err, size_t errlen)
{
	const char *dir = systems_dir(err, errlen);
	if (!dir)
		return -1;
	DIR *d = opendir(dir);
	if (!d) {
		diag_errf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 5 || strcmp(e->d_name + len - 5, ".json") || e->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 32;
			char **grown = realloc(names, cap * sizeof *names);
			if (!grown)
				break;
			names = grown;
		}
		names[count] = strndup(e->d_name, len - 5);
		if (names[count])
			count++;
	}
	closedir(d);
	qsort(names, count, sizeof *names, cmp_str);
	size_t used = 0;
	if (n)
		buf[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 8192, len = 0;
	char *text = malloc(cap);
	size_t got;
	while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap) {
			char *grown = realloc(text, cap * 2);
			if (!grown) {
				free(text);
				text = NULL;
				break;
			}
			text = grown;
			cap *= 2;
		}
	}
	bool failed = ferror(f) || !text;
	fclose(f);
	if (failed) {
		free(text);
		diag_errf(err, errlen, "%s: read error", path);
		return NULL;
	}
	text[len] = '\0';
	return text;
}

/* Field readers: each reports the dotted key it missed, so a bad spec file is easy to fix. */
struct reader {
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
};

static const cJSON *section(struct reader *r, const cJSON *root, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, key);
	if (!cJSON_IsObject(s)) {
		if (!r->failed)
			diag_errf(r->err, r->errlen, "%s: missing object '%s'", r->path, key);
		r->failed = true;
		return NULL;
	}
	return s;
}

static double num(struct reader *r, const cJSON *sec, const char *secname, const char *key, bool required,
		  bool *present)
{
	const cJSON *v = sec ? cJSON_GetObjectItemCaseSensitive(sec, key) : NULL;
	if (present)
		*present = v != NULL;
	if (!v) {
		if (required && !r->failed) {
			diag_errf(r->err, r->errlen, "%s: missing %s.%s", r->path, secname, key);
			r->failed = true;
		}
		return 0;
	}
	if (!cJSON_IsNumber(v)) {
		if (!r->failed)
			diag_errf(r->err, r->errlen, "%s: %s.%s is not a number", r->path, secname, key);
		r->failed = true;
		return 0;
	}
	return v->valuedouble;
}

static int whole(struct reader *r, double v, const char *secname, const char *key)
{
	if (v != floor(v) || v < 0 || v > 1e9) {
		if (!r->failed)
			diag_errf(r->err, r->errlen, "%s: %s.%s is not a count", r->path, secname, key);
		r->failed = true;
		return 0;
	}
	return (int)v;
}

static void str(struct reader *r, const cJSON *sec, const char *secname, const char *key, bool required,
		char *out, size_t outlen)
{
	const cJSON *v = sec ? cJSON_GetObjectItemCaseSensitive(sec, key) : NULL;
	out[0] = '\0';
	if (!v && !required)
		return;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= outlen) {
		if (!r->failed)
			diag_errf(r->err, r->errlen, "%s: %s%s%s missing or not a short string", r->path, secname,
				*secname ? "." : "", key);
		r->failed = true;
		return;
	}
	snprintf(out, outlen, "%s", v->valuestring);
}

static int fill_spec(struct system_spec *s, const cJSON *root, char *err, size_t errlen)
{
	struct reader r = { s->path, err, errlen, false };
	str(&r, root, "", "data_subdir", true, s->data_subdir, sizeof s->data_subdir);
	if (!r.failed && !system_name_ok(s->data_subdir)) {
		diag_errf(err, errlen, "%s: data_subdir '%s' is not a plain folder name", s->path, s->data_subdir);
		return -1;
	}

	const cJSON *gpu = section(&r, root, "gpu");
	s->mem_bw_bytes_per_s = num(&r, gpu, "gpu", "mem_bw_bytes_per_s", true, NULL);
	s->mem_bw_empirical_scaling_factor = num(&r, gpu, "gpu", "mem_bw_empirical_scaling_factor", true, NULL);
	s->mem_empirical_constant_latency_s = num(&r, gpu, "gpu", "mem_empirical_constant_latency_s", true, NULL);
	s->mem_capacity_bytes = num(&r, gpu, "gpu", "mem_capacity_bytes", true, NULL);
	s->bfloat16_tc_flops = num(&r, gpu, "gpu", "bfloat16_tc_flops", true, NULL);
	s->int8_tc_flops = num(&r, gpu, "gpu", "int8_tc_flops", true, NULL);
	s->float32_tc_flops = num(&r, gpu, "gpu", "float32_tc_flops", false, &s->has_float32_tc_flops);
	s->fp8_tc_flops = num(&r, gpu, "gpu", "fp8_tc_flops", false, &s->has_fp8_tc_flops);
	s->fp4_tc_flops = num(&r, gpu, "gpu", "fp4_tc_flops", false, &s->has_fp4_tc_flops);
	s->power_w = num(&r, gpu, "gpu", "power_w", true, NULL);
	bool has_sm;
	double sm = num(&r, gpu, "gpu", "sm_version", false, &has_sm);
	s->sm_version = has_sm ? whole(&r, sm, "gpu", "sm_version") : -1;

	const cJSON *node = section(&r, root, "node");
	s->num_gpus_per_node = whole(&r, num(&r, node, "node", "num_gpus_per_node", true, NULL), "node",
				     "num_gpus_per_node");
	bool has_rack;
	double rack = num(&r, node, "node", "num_gpus_per_rack", false, &has_rack);
	s->num_gpus_per_rack = has_rack ? whole(&r, rack, "node", "num_gpus_per_rack") : 0;
	s->intra_node_bw_bytes_per_s = num(&r, node, "node", "intra_node_bw_bytes_per_s", true, NULL);
	s->inter_node_bw_bytes_per_s = num(&r, node, "node", "inter_node_bw_bytes_per_s", true, NULL);
	s->inter_rack_bw_bytes_per_s = num(&r, node, "node", "inter_rack_bw_bytes_per_s", false, NULL);
	s->pcie_bw_bytes_per_s = num(&r, node, "node", "pcie_bw_bytes_per_s", true, NULL);
	s->p2p_latency_s = num(&r, node, "node", "p2p_latency_s", true, NULL);
	s->inter_rack_latency_s = num(&r, node, "node", "inter_rack_latency_s", false, NULL);

	const cJSON *misc = section(&r, root, "misc");
	s->other_mem_bytes = num(&r, misc, "misc", "other_mem_bytes", true, NULL);
	str(&r, misc, "misc", "nccl_version", true, s->nccl_version, sizeof s->nccl_version);
	str(&r, misc, "misc", "oneccl_version", false, s->oneccl_version, sizeof s->oneccl_version);
	const cJSON *nccl = misc ? cJSON_GetObjectItemCaseSensitive(misc, "nccl_mem_bytes") : NULL;
	if (!r.failed && !cJSON_IsObject(nccl)) {
		diag_errf(err, errlen, "%s: missing object misc.nccl_mem_bytes", s->path);
		r.failed = true;
	}
	const cJSON *e;
	s->nccl_mem_count = 0;
	if (!r.failed) {
		cJSON_ArrayForEach(e, nccl) {
			char *end;
			long gpus = strtol(e->string, &end, 10);
			if (*end || end == e->string || gpus < 1 || gpus > 1000000 || !cJSON_IsNumber(e) ||
			    s->nccl_mem_count == SYSTEM_NCCL_MEM_MAX) {
				diag_errf(err, errlen, "%s: misc.nccl_mem_bytes: bad entry '%s'", s->path, e->string);
				r.failed = true;
				break;
			}
			s->nccl_mem_gpus[s->nccl_mem_count] = (int)gpus;
			s->nccl_mem_bytes[s->nccl_mem_count] = e->valuedouble;
			s->nccl_mem_count++;
		}
	}
	return r.failed ? -1 : 0;
}

/* Loaded specs live for the whole process (filters ask for one or two); freed at exit so
 * valgrind and LeakSanitizer see a clean heap. */
struct loaded {
	struct loaded *next;
	bool current;              /* read with systems_use_current on */
	struct system_spec spec;
	cJSON *root;
};
static struct loaded *loaded_specs;

static void free_loaded(void)
{
	while (loaded_specs) {
		struct loaded *next = loaded_specs->next;
		cJSON_Delete(loaded_specs->root);
		free(loaded_specs);
		loaded_specs = next;
	}
}

static bool use_current;

void systems_use_current(bool on) { use_current = on; }
bool systems_using_current(void) { return use_current; }

const struct system_spec *system_load(const char *name, char *err, size_t errlen)
{
	if (!system_name_ok(name)) {
		diag_errf(err, errlen, "bad system name '%s': use a name such as h200_sxm", name ? name : "");
		return NULL;
	}
	for (struct loaded *l = loaded_specs; l; l = l->next)
		if (!strcmp(l->spec.name, name) && l->current == use_current)
			return &l->spec;

	const char *dir = systems_dir(err, errlen);
	if (!dir)
		return NULL;
	char path[SYS_PATH_MAX];
	struct stat st;
	snprintf(path, sizeof path, "%.4000s/current/%s.json", dir, name);
	if (!use_current || stat(path, &st) != 0)
		snprintf(path, sizeof path, "%.4000s/%s.json", dir, name);
	if (stat(path, &st) != 0) {
		char known[2048];
		if (systems_known(known, sizeof known, NULL, 0) != 0)
			snprintf(known, sizeof known, "none");
		char close[256];
		if (*suggest_names(name, known, close, sizeof close))
			diag_errf(err, errlen, "unknown system '%s': did you mean %s? (known: %s)", name, close, known);
		else
			diag_errf(err, errlen, "unknown system '%s' (known: %s)", name, known);
		return NULL;
	}
	char *text = read_file(path, err, errlen);
	if (!text)
		return NULL;
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		diag_errf(err, errlen, "%s: not a JSON object", path);
		return NULL;
	}
	struct loaded *l = xcalloc(1, sizeof *l);
	snprintf(l->spec.name, sizeof l->spec.name, "%s", name);
	snprintf(l->spec.path, sizeof l->spec.path, "%s", path);
	l->current = use_current;
	if (fill_spec(&l->spec, root, err, errlen) != 0) {
		cJSON_Delete(root);
		free(l);
		return NULL;
	}
	l->root = root;
	l->spec.json = root;
	if (!loaded_specs)
		atexit(free_loaded);
	l->next = loaded_specs;
	loaded_specs = l;
	return &l->spec;
}

double system_tc_flops(const struct system_spec *s, int compute_factor)
{
	if (compute_factor == 1)
		return s->bfloat16_tc_flops;
	if (compute_factor == 2 && s->has_fp8_tc_flops)
		return s->fp8_tc_flops;
	if (compute_factor == 4 && s->has_fp4_tc_flops)
		return s->fp4_tc_flops;
	return s->bfloat16_tc_flops * compute_factor;
}

double system_p2p_bw_bytes_per_s(const struct system_spec *s, int num_gpus)
{
	if (num_gpus <= s->num_gpus_per_node)
		return s->intra_node_bw_bytes_per_s;
	if (s->num_gpus_per_rack == 0 || num_gpus <= s->num_gpus_per_rack)
		return s->inter_node_bw_bytes_per_s;
	return s->inter_rack_bw_bytes_per_s > 0 ? s->inter_rack_bw_bytes_per_s : s->inter_node_bw_bytes_per_s;
}

bool system_nccl_mem_bytes(const struct system_spec *s, int gpus, double *bytes)
{
	for (int i = 0; i < s->nccl_mem_count; i++)
		if (s->nccl_mem_gpus[i] == gpus) {
			*bytes = s->nccl_mem_bytes[i];
			return true;
		}
	return false;
}
