#include "collect_plan.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reference's token counts and weight sizes (aiconfigurator collector, common GEMM cases). */
static const long long ref_m[] = {
	1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   12,   13,    14,    15,
	16,   17,   32,   33,   48,   49,   64,   65,   80,   81,   96,   97,   112,   113,   128,
	129,  160,  161,  192,  193,  224,  225,  256,  257,  512,  513,  768,  769,   1024,  1025,
	1280, 1281, 1536, 1537, 1792, 1793, 2048, 2049, 2304, 2305, 2560, 2561, 2816,  2817,  3072,
	3073, 3328, 3329, 3584, 3585, 3840, 3841, 4096, 4097, 4352, 4353, 8192, 16384, 32768,
};
static const long long ref_nk[] = {
	32,   64,   128,  256,  512,   768,   1024,  1536,  2048,  2560,  3072,
	3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288, 16384, 51200, 65536,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define GRID_MAX (1LL << 31)

static int grid_push(gemm_grid *g, long long m, long long n, long long k)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 1024;
		gemm_shape *s = realloc(g->shapes, cap * sizeof *s);
		if (!s)
			return -1;
		g->shapes = s;
		g->cap = cap;
	}
	g->shapes[g->n++] = (gemm_shape){ m, n, k };
	return 0;
}

int gemm_grid_reference(gemm_grid *g)
{
	*g = (gemm_grid){ 0 };
	for (size_t in = COUNT(ref_nk); in-- > 0;)
		for (size_t ik = COUNT(ref_nk); ik-- > 0;) {
			if (ref_nk[in] == 65536 && ref_nk[ik] == 65536)
				continue; /* not among the reference's cases */
			for (size_t im = COUNT(ref_m); im-- > 0;)
				if (grid_push(g, ref_m[im], ref_nk[in], ref_nk[ik]) != 0)
					return -1;
		}
	return 0;
}

void gemm_grid_free(gemm_grid *g)
{
	free(g->shapes);
	*g = (gemm_grid){ 0 };
}

static int mk_desc(const void *a, const void *b)
{
	const gemm_shape *x = a, *y = b;
	if (x->m != y->m)
		return x->m < y->m ? 1 : -1;
	return x->k < y->k ? 1 : x->k > y->k ? -1 : 0;
}

int gemm_grid_mk(const gemm_grid *g, gemm_shape **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!g->n)
		return 0;
	gemm_shape *s = malloc(g->n * sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < g->n; i++)
		s[i] = (gemm_shape){ g->shapes[i].m, 0, g->shapes[i].k };
	qsort(s, g->n, sizeof *s, mk_desc);
	size_t u = 0;
	for (size_t i = 0; i < g->n; i++)
		if (u == 0 || mk_desc(&s[u - 1], &s[i]) != 0)
			s[u++] = s[i];
	*out = s;
	*n = u;
	return 0;
}

/* One integer in 1..GRID_MAX at *p (spaces around it allowed); advances *p past it. */
static bool read_dim(const char **p, long long *out)
{
	const char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || v < 1 || v > GRID_MAX)
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	*p = end;
	*out = v;
	return true;
}

int gemm_grid_read(gemm_grid *g, const char *path, char *err, size_t errlen)
{
	*g = (gemm_grid){ 0 };
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open grid file '%s': %s", path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int st = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		const char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		char compact[16];
		size_t c = 0;
		for (const char *q = p; *q && c < sizeof compact - 1; q++)
			if (*q != ' ' && *q != '\t')
				compact[c++] = *q;
		compact[c] = 0;
		if (strcmp(compact, "m,n,k") == 0)
			continue;
		long long d[3];
		bool ok = true;
		for (int i = 0; ok && i < 3; i++) {
			ok = read_dim(&p, &d[i]);
			if (ok && i < 2)
				ok = *p++ == ',';
		}
		if (!ok || *p) {
			snprintf(err, errlen, "%s:%ld: expected m,n,k (integers from 1 to 2147483648), got '%.60s'", path,
				 lineno, line);
			st = -1;
			break;
		}
		if (grid_push(g, d[0], d[1], d[2]) != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			st = -1;
			break;
		}
	}
	if (st == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		st = -1;
	}
	if (st == 0 && g->n == 0) {
		snprintf(err, errlen, "%s: no shapes (one m,n,k per line)", path);
		st = -1;
	}
	free(line);
	fclose(f);
	if (st)
		gemm_grid_free(g);
	return st;
}

int gemm_copies(double weight_bytes, double l2_bytes)
{
	if (weight_bytes <= 0)
		return 1;
	double c = ceil(l2_bytes / weight_bytes);
	return c < 1 ? 1 : c > 5 ? 5 : (int)c;
}

static long long ew_sizes[64];
static size_t ew_count;

size_t elementwise_sizes(const long long **sizes)
{
	if (!ew_count)
		for (long long b = 8192; b <= (1LL << 31); b *= 2) {
			ew_sizes[ew_count++] = b;
			if (b < (1LL << 31))
				ew_sizes[ew_count++] = b + b / 2;
		}
	*sizes = ew_sizes;
	return ew_count;
}

int parse_name_list(const char *list, const char *const *names, size_t nnames, bool *want, const char **bad,
		    char *badbuf, size_t badlen)
{
	for (size_t i = 0; i < nnames; i++)
		want[i] = false;
	const char *p = list;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		size_t i;
		for (i = 0; i < nnames; i++)
			if (strlen(names[i]) == len && strncmp(names[i], p, len) == 0)
				break;
		if (i == nnames) {
			snprintf(badbuf, badlen, "%.*s", (int)len, p);
			*bad = badbuf;
			return -1;
		}
		want[i] = true;
		if (!e)
			return 0;
		p = e + 1;
	}
}

int fit_bandwidth(const double *bytes, const double *latency_s, size_t n, double *bw, double *c)
{
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(latency_s[i] > 0))
			return -1;
		double w = 1.0 / (latency_s[i] * latency_s[i]);
		sw += w;
		sx += w * bytes[i];
		sy += w * latency_s[i];
		sxx += w * bytes[i] * bytes[i];
		sxy += w * bytes[i] * latency_s[i];
	}
	double det = sw * sxx - sx * sx;
	if (n < 2 || !(det > 0))
		return -1;
	double slope = (sw * sxy - sx * sy) / det;
	double icpt = (sy - slope * sx) / sw;
	if (!(slope > 0))
		return -1;
	*bw = 1.0 / slope;
	*c = icpt;
	return 0;
}
