#include "serving_load.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "systems.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Past this share of a cycle spent on other clients' prompts, the closed loop is saturated:
 * the engine can no longer keep every client's decode going, and the queue formula would
 * diverge. Capping keeps the fixed point finite; such deployments are far off any SLA. */
#define LOAD_MAX_BUSY 0.9
#define LOAD_ITERATIONS 200

/* Prefill time of n prompts in one iteration: n whole prompts cost P1 for the first and the
 * chunk's slope for each further one (their weights are read once); a part of one prompt costs
 * its share of P1. */
static double prompts_ms(double n, double p1, double slope)
{
	return n <= 1.0 ? n * p1 : p1 + (n - 1.0) * slope;
}

/* Mean time to first token of b requests that arrive together, prefilled in chunks of K. */
static double wave_ms(const load_inputs *in, double p1, double slope, double per_chunk_decode)
{
	double b = in->batch, isl = in->isl, K = in->chunk_tokens;
	double total = b * isl;
	double nchunks = ceil(total / K);
	double full = prompts_ms(K / isl, p1, slope) + per_chunk_decode;
	double last = prompts_ms((total - (nchunks - 1.0) * K) / isl, p1, slope) + per_chunk_decode;
	double sum = 0.0;
	for (double j = 0.0; j < b; j += 1.0) {
		double chunk = ceil((j + 1.0) * isl / K); /* the chunk that holds the end of prompt j */
		if (chunk > nchunks)
			chunk = nchunks;
		sum += (chunk - 1.0) * full + (chunk == nchunks ? last : full);
	}
	return sum / b;
}

static bool positive(double x)
{
	return isfinite(x) && x > 0.0;
}

int load_eval(const load_inputs *in, const load_params *p, load_result *out, char *err, size_t errn)
{
	memset(out, 0, sizeof *out);
	if (!(in->batch >= 1.0) || in->batch != floor(in->batch) || in->batch > 1e6)
		return fail(err, errn, "load model: concurrency (batch) must be a whole number >= 1, not %g", in->batch);
	if (!(in->osl >= 2.0))
		return fail(err, errn, "load model: osl must be at least 2 (TPOT needs a second token), not %g",
			    in->osl);
	if (!(in->isl >= 1.0) || !(in->chunk_tokens >= 1.0))
		return fail(err, errn, "load model: isl (%g) and the chunk (%g tokens) must be at least 1", in->isl,
			    in->chunk_tokens);
	if (!positive(in->prefill_ms) || !positive(in->chunk_ms) || !(in->chunk_prompts >= 1.0) ||
	    !positive(in->decode_ms))
		return fail(err, errn,
			    "load model: static latencies must be positive (prefill %g ms, chunk %g ms of %g prompts, "
			    "decode step %g ms)",
			    in->prefill_ms, in->chunk_ms, in->chunk_prompts, in->decode_ms);

	double b = in->batch, others = b - 1.0;
	double p1 = p->prefill_scale * in->prefill_ms;
	double pq = p->prefill_scale * in->chunk_ms;
	double slope = in->chunk_prompts > 1.0 ? (pq - p1) / (in->chunk_prompts - 1.0) : p1;
	if (slope < 0.0)
		slope = 0.0;
	double g = p->decode_scale * in->decode_ms;
	/* the decode work an iteration that prefills carries: none when no one else is decoding */
	double mixed = others > 0.0 ? p->mixed_decode * g : 0.0;
	double nc = ceil(in->isl / in->chunk_tokens);

	out->wave_ms = wave_ms(in, p1, slope, mixed);
	/* steady state: the prompt's own chunks, each with the decode batch, after the iteration
	 * in flight (half a decode step on average) */
	double steady0 = p1 + nc * mixed + (others > 0.0 ? 0.5 * g : 0.0);
	double ttft = p->overhead_ms + steady0, tpot = g, steady = steady0, busy = 0.0;
	for (int it = 0; it < LOAD_ITERATIONS; it++) {
		double cycle = p->overhead_ms + ttft + (in->osl - 1.0) * tpot;
		double rho = fmin(others * p1 / cycle, LOAD_MAX_BUSY);
		steady = steady0 + rho * p1 / (2.0 * (1.0 - rho));
		busy = fmin(p->interference * others * p1 / cycle, LOAD_MAX_BUSY);
		double nt = p->overhead_ms + p->wave_share * out->wave_ms + (1.0 - p->wave_share) * steady;
		double np = g / (1.0 - busy);
		double dt = fabs(nt - ttft), dp = fabs(np - tpot);
		ttft = 0.5 * (ttft + nt);
		tpot = 0.5 * (tpot + np);
		if (dt <= 1e-13 * ttft && dp <= 1e-13 * tpot)
			break;
	}
	out->steady_ms = steady;
	out->prefill_busy = busy;
	out->ttft_ms = ttft;
	out->tpot_ms = tpot;
	out->cycle_ms = p->overhead_ms + ttft + (in->osl - 1.0) * tpot;
	return 0;
}

int load_eval_many(size_t n, const load_inputs *in, const load_params *p, load_result *out)
{
	int failed = 0;
	char e[256];
	for (size_t i = 0; i < n; i++)
		if (load_eval(&in[i], p, &out[i], e, sizeof e)) {
			out[i].ttft_ms = out[i].tpot_ms = NAN;
			failed++;
		}
	return failed;
}

/* ---- the parameter file ---- */

static const struct {
	const char *key;
	size_t off;
} param_keys[] = {
	{"overhead_ms", offsetof(load_params, overhead_ms)},
	{"wave_share", offsetof(load_params, wave_share)},
	{"interference", offsetof(load_params, interference)},
	{"decode_scale", offsetof(load_params, decode_scale)},
	{"prefill_scale", offsetof(load_params, prefill_scale)},
	{"mixed_decode", offsetof(load_params, mixed_decode)},
};

static char *slurp(const char *path, char *err, size_t errn)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(err, errn, "%s: %s", path, strerror(errno)), NULL;
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
		return fail(err, errn, "%s: read error", path), NULL;
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
		return fail(err, errn, "%s: backends[%zu]: 'backend' is missing", path, i);
	if (!ver || strlen(ver) >= sizeof e->versions || !version_range_ok(ver))
		return fail(err, errn, "%s: backends[%zu] (%s): 'versions' must be \"*\", \"<V\" or \">=V\"", path, i,
			    be);
	snprintf(e->backend, sizeof e->backend, "%s", be);
	snprintf(e->versions, sizeof e->versions, "%s", ver);
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "chunk_tokens");
	if (!cJSON_IsNumber(k) || k->valuedouble < 1 || k->valuedouble > 1e9 || k->valuedouble != floor(k->valuedouble))
		return fail(err, errn, "%s: backends[%zu] (%s): 'chunk_tokens' must be a whole number >= 1", path, i, be);
	e->chunk_tokens = (long)k->valuedouble;
	const cJSON *cp = cJSON_GetObjectItemCaseSensitive(o, "chunked_prefill");
	if (!cJSON_IsBool(cp))
		return fail(err, errn, "%s: backends[%zu] (%s): 'chunked_prefill' must be true or false", path, i, be);
	e->chunked_prefill = cJSON_IsTrue(cp);
	const cJSON *pp = cJSON_GetObjectItemCaseSensitive(o, "parameters");
	for (size_t j = 0; j < sizeof param_keys / sizeof param_keys[0]; j++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(pp, param_keys[j].key);
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
			return fail(err, errn, "%s: backends[%zu] (%s): parameters.%s must be a number >= 0", path, i, be,
				    param_keys[j].key);
		*(double *)((char *)&e->p + param_keys[j].off) = v->valuedouble;
	}
	if (e->p.wave_share > 1)
		return fail(err, errn, "%s: backends[%zu] (%s): parameters.wave_share must be at most 1", path, i, be);
	if (e->p.decode_scale <= 0 || e->p.prefill_scale <= 0)
		return fail(err, errn, "%s: backends[%zu] (%s): decode_scale and prefill_scale must be > 0", path, i, be);
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(o, "rows");
	e->rows = cJSON_IsNumber(rows) ? (long)rows->valuedouble : 0;
	return 0;
}

int load_model_read(const char *path, load_model *m, char *err, size_t errn)
{
	memset(m, 0, sizeof *m);
	if (!path || !*path)
		path = getenv("INFERCAST_LOAD_PARAMS");
	if (!path || !*path) {
		char e[512];
		const char *dir = systems_dir(e, sizeof e);
		if (!dir)
			return fail(err, errn, "load model parameters: %s", e);
		snprintf(m->path, sizeof m->path, "%.1000s/load_model.json", dir);
	} else {
		snprintf(m->path, sizeof m->path, "%s", path);
	}
	char *text = slurp(m->path, err, errn);
	if (!text)
		return -1;
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (!root)
		return fail(err, errn, "%s: not valid JSON", m->path);
	int rc = -1;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "backends");
	const char *fitted = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "fitted"));
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		fail(err, errn, "%s: 'backends' must be a non-empty list", m->path);
		goto done;
	}
	snprintf(m->fitted, sizeof m->fitted, "%s", fitted ? fitted : "");
	m->n = (size_t)cJSON_GetArraySize(list);
	m->entries = calloc(m->n, sizeof *m->entries);
	if (!m->entries) {
		fail(err, errn, "out of memory");
		goto done;
	}
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
		if (!a || !b)
			return (a != NULL) - (b != NULL);
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
		return fail(err, errn, "%s: no entry for %s version %s", m->path, backend, version), NULL;
	return fail(err, errn, "%s: no parameters for backend '%s' (run bench/accuracy --fit, or use --fidelity reference)",
		    m->path, backend), NULL;
}
