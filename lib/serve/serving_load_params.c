/* serving_load_params: the load model's engine defaults and fitted-parameter file (lib/serve/serving_load.h). */
#include "serving_load.h"
#include "fspath.h"
#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "sharedir.h"

#include <sys/stat.h>
#include <unistd.h>


int load_engine_defaults(const char *backend, long *chunk_tokens, bool *chunked_prefill)
{
	static const struct {
		const char *backend;
		long chunk;
		bool chunked;
	} engines[] = {{"trtllm", 8192, false}, {"vllm", 8192, true}, {"sglang", 16384, true}};
	for (size_t i = 0; i < sizeof engines / sizeof engines[0]; i++)
		if (strcmp(engines[i].backend, backend) == 0) {
			*chunk_tokens = engines[i].chunk;
			*chunked_prefill = engines[i].chunked;
			return 0;
		}
	return -1;
}

/* ---- the parameter file ---- */

/* The parameters' names in the file, in load_params' order (param_slots). */
static const char *const param_keys[] = {"overhead_ms",   "wave_share",   "interference",    "decode_scale",
					 "prefill_scale", "mixed_decode", "step_overhead_ms", "token_overhead_us"};
enum { NPARAMS = sizeof param_keys / sizeof param_keys[0] };

static char *slurp(const char *path, char *err, size_t errn)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return diag_errf(err, errn, "%s: %s", path, strerror(errno)), NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (!buf || bad) {
		free(buf);
		return diag_errf(err, errn, "%s: read error", path), NULL;
	}
	buf[len] = '\0';
	return buf;
}

static bool version_range_ok(const char *v)
{
	if (strcmp(v, "*") == 0)
		return true;
	if (strncmp(v, ">=", 2) == 0)
		v += 2;
	else if (v[0] == '<')
		v += 1;
	else
		return false;
	return *v != '\0';
}

static int read_entry(const cJSON *o, size_t i, load_entry *e, const char *path, char *err, size_t errn)
{
	memset(e, 0, sizeof *e);
	const char *be = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "backend"));
	const char *ver = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "versions"));
	if (!be || strlen(be) >= sizeof e->backend)
		return diag_errf(err, errn, "%s: backends[%zu]: 'backend' is missing", path, i);
	if (!ver || strlen(ver) >= sizeof e->versions || !version_range_ok(ver))
		return diag_errf(err, errn, "%s: backends[%zu] (%s): 'versions' must be \"*\", \"<V\" or \">=V\"", path, i,
			    be);
	snprintf(e->backend, sizeof e->backend, "%s", be);
	snprintf(e->versions, sizeof e->versions, "%s", ver);
	const cJSON *pp = cJSON_GetObjectItemCaseSensitive(o, "parameters");
	double *const slots[NPARAMS] = {&e->p.overhead_ms,   &e->p.wave_share,   &e->p.interference,
					&e->p.decode_scale,  &e->p.prefill_scale, &e->p.mixed_decode,
					&e->p.step_overhead_ms, &e->p.token_overhead_us};
	for (size_t j = 0; j < NPARAMS; j++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(pp, param_keys[j]);
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
			return diag_errf(err, errn, "%s: backends[%zu] (%s): parameters.%s must be a number >= 0", path, i, be,
				    param_keys[j]);
		*slots[j] = v->valuedouble;
	}
	if (e->p.wave_share > 1)
		return diag_errf(err, errn, "%s: backends[%zu] (%s): parameters.wave_share must be at most 1", path, i, be);
	if (e->p.decode_scale <= 0 || e->p.prefill_scale <= 0)
		return diag_errf(err, errn, "%s: backends[%zu] (%s): decode_scale and prefill_scale must be > 0", path, i, be);
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(o, "rows");
	e->rows = cJSON_IsNumber(rows) ? (long)rows->valuedouble : 0;
	return 0;
}

/* params/load_model.json beside an in-tree bin/, else in the installed share folder
 * (lib/util/sharedir: any PREFIX, staged or moved). */
static int default_path(char *out, size_t n, char *err, size_t errn)
{
	char exe[4096];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(out, n, "%.3000s/../params/load_model.json", exe);
			if (fspath_is_file(out))
				return 0;
		}
	}
	char share[4096];
	snprintf(out, n, "%.3000s/load_model.json", sharedir_path("params", share, sizeof share));
	if (fspath_is_file(out))
		return 0;
	return diag_errf(err, errn,
		    "load model parameters not found: tried params/load_model.json beside the programs and %s "
		    "(set INFERCAST_LOAD_PARAMS, or price with the reference fidelity)",
		    out);
}

int load_model_read(const char *path, load_model *m, char *err, size_t errn)
{
	memset(m, 0, sizeof *m);
	if (!path || !*path)
		path = getenv("INFERCAST_LOAD_PARAMS");
	if (!path || !*path) {
		if (default_path(m->path, sizeof m->path, err, errn))
			return -1;
	} else {
		snprintf(m->path, sizeof m->path, "%s", path);
	}
	char *text = slurp(m->path, err, errn);
	if (!text)
		return -1;
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (!root)
		return diag_errf(err, errn, "%s: not valid JSON", m->path);
	int rc = -1;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "backends");
	const char *fitted = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "fitted"));
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		diag_errf(err, errn, "%s: 'backends' must be a non-empty list", m->path);
		goto done;
	}
	snprintf(m->fitted, sizeof m->fitted, "%s", fitted ? fitted : "");
	m->disagg_wave_share = NAN;
	const cJSON *dis = cJSON_GetObjectItemCaseSensitive(root, "disagg");
	if (dis) {
		const cJSON *ws = cJSON_GetObjectItemCaseSensitive(dis, "wave_share");
		if (!cJSON_IsNumber(ws) || !(ws->valuedouble >= 0.0 && ws->valuedouble <= 1.0)) {
			diag_errf(err, errn, "%s: disagg.wave_share must be a number from 0 to 1", m->path);
			goto done;
		}
		m->disagg_wave_share = ws->valuedouble;
	}
	m->n = (size_t)cJSON_GetArraySize(list);
	m->entries = xcalloc(m->n, sizeof *m->entries);
	size_t i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, list) {
		if (read_entry(o, i, &m->entries[i], m->path, err, errn))
			goto done;
		i++;
	}
	rc = 0;
done:
	cJSON_Delete(root);
	if (rc)
		load_model_free(m);
	return rc;
}

void load_model_free(load_model *m)
{
	free(m->entries);
	m->entries = NULL;
	m->n = 0;
}

/* One part of a version: a run of digits (a number) or of other characters but '.'. */
static const char *version_part(const char *s, bool *num, unsigned long long *n, const char **text, size_t *len)
{
	while (*s == '.' || *s == '-' || *s == '+')
		s++;
	if (!*s)
		return NULL;
	*num = isdigit((unsigned char)*s);
	*text = s;
	*n = 0;
	while (*s && *s != '.' && *s != '-' && *s != '+' && (bool)isdigit((unsigned char)*s) == *num) {
		if (*num && *n < 1000000000000ULL)
			*n = *n * 10 + (unsigned long long)(*s - '0');
		s++;
	}
	*len = (size_t)(s - *text);
	return s;
}

int load_version_cmp(const char *a, const char *b)
{
	for (;;) {
		bool an = false, bn = false;
		unsigned long long av = 0, bv = 0;
		const char *at = NULL, *bt = NULL;
		size_t al = 0, bl = 0;
		a = a ? version_part(a, &an, &av, &at, &al) : NULL;
		b = b ? version_part(b, &bn, &bv, &bt, &bl) : NULL;
		if (!a || !b) {
			if (!a && !b)
				return 0;
			/* one ended: the other is later, unless what it has more is a pre-release tag
			 * (1.0.0rc3 before 1.0.0; 0.5.6.post2 after 0.5.6) */
			bool more_num = a ? an : bn;
			const char *more = a ? at : bt;
			bool pre = !more_num && strncmp(more, "post", 4) != 0;
			int later = a ? 1 : -1;
			return pre ? -later : later;
		}
		if (an && bn) {
			if (av != bv)
				return av < bv ? -1 : 1;
		} else if (an != bn) {
			return an ? 1 : -1; /* 1.0.0 after 1.0.0rc3's "rc" */
		} else {
			int c = strncmp(at, bt, al < bl ? al : bl);
			if (c || al != bl)
				return c ? c : (al < bl ? -1 : 1);
		}
	}
}

static bool in_range(const char *range, const char *version)
{
	if (strcmp(range, "*") == 0)
		return true;
	if (strncmp(range, ">=", 2) == 0)
		return load_version_cmp(version, range + 2) >= 0;
	return load_version_cmp(version, range + 1) < 0;
}

const load_entry *load_model_find(const load_model *m, const char *backend, const char *version, char *err,
				  size_t errn)
{
	const load_entry *last = NULL;
	/* a build name rather than a release number (e.g. "glm5-hopper") says nothing of its age */
	if (version && !isdigit((unsigned char)version[0]))
		version = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const load_entry *e = &m->entries[i];
		if (strcmp(e->backend, backend))
			continue;
		if (version && *version && in_range(e->versions, version))
			return e;
		last = e;
	}
	/* an unknown engine version: the backend's last entry, the newest engines */
	if (last && !(version && *version))
		return last;
	if (last)
		return diag_errf(err, errn, "%s: no entry for %s version %s", m->path, backend, version), NULL;
	return diag_errf(err, errn, "%s: no parameters for backend '%s' (fit them with bench/accuracy, or price with the reference fidelity)",
		    m->path, backend), NULL;
}
