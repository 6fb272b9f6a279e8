/* collect_plan: what collect measures — the GEMM shapes (the reference's grid, or a --grid file)
 * and the element-wise sizes — and the GPU memory they need. No CUDA here: the tests use it. */
#ifndef INFERCAST_COLLECT_PLAN_H
#define INFERCAST_COLLECT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

typedef struct gemm_shape {
	long long m, n, k;
} gemm_shape;

typedef struct gemm_grid {
	gemm_shape *shapes;
	size_t n, cap;
} gemm_grid;

/* The reference's GEMM grid (aiconfigurator's common GEMM cases, as in its h200_sxm trtllm
 * 1.3.0rc10 table): every m of its 74 token counts times every (n, k) of its 22 sizes but
 * n = k = 65536; 35,742 shapes, (n, k) largest first, m largest first within each. */
int gemm_grid_reference(gemm_grid *g);

/* Read shapes from a file: one "m,n,k" per line (blank lines, '#' comments and an "m,n,k" header
 * line are skipped; spaces around numbers allowed). Each value an integer in 1..2^31. On error
 * returns -1 with "FILE:LINE: what" in err. A shape listed twice is measured twice (the tools keep its first row). */
int gemm_grid_read(gemm_grid *g, const char *path, char *err, size_t errlen);

void gemm_grid_free(gemm_grid *g);

/* The distinct (m, k) of the grid (n = 0), largest first: the shapes of fp8 quantization.
 * *out is malloc'ed. Returns 0, or -1 when out of memory. */
int gemm_grid_mk(const gemm_grid *g, gemm_shape **out, size_t *n);

/* How many copies of a weight of `weight_bytes` the reference rotates through so that one timed
 * replay reads more than the L2 cache: ceil(l2 / weight_bytes), between 1 and 5. */
int gemm_copies(double weight_bytes, double l2_bytes);

/* The element-wise sizes (bytes read plus written, bfloat16 in and out): 8 KiB to 2 GiB, each
 * power of two and 1.5 times it, the range the model's element-wise ops span. */
size_t elementwise_sizes(const long long **sizes);

/* Parse a comma-separated list against the allowed names; sets want[i] for each named.
 * Returns 0, or -1 with the first unknown name in *bad. */
int parse_name_list(const char *list, const char *const *names, size_t nnames, bool *want, const char **bad,
		    char *badbuf, size_t badlen);

/* Weighted least squares latency_s = bytes / bw + c with weights 1/latency^2 (relative error),
 * over n points. Returns 0 with *bw (bytes/s) and *c (s), -1 when the fit is degenerate. */
int fit_bandwidth(const double *bytes, const double *latency_s, size_t n, double *bw, double *c);

#endif
