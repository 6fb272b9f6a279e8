/* gpu_none: collect built without CUDA (the tests' build, build/collect/nogpu/collect). Every
 * measurement fails with a message saying so, except under COLLECT_FAKE_GPU=1, where a made-up
 * device answers with made-up times (a formula of the shape, never a measurement) so that the
 * tests can follow a whole run: options, folder, tables the tools load, info file. It is never
 * installed, and its rows name the device "fake GPU". */
#include "gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fake(void)
{
	const char *v = getenv("COLLECT_FAKE_GPU");
	return v && strcmp(v, "1") == 0;
}

int gpu_open(int device, const gpu_timing *t, gpu_info *info, char *err, size_t errlen)
{
	(void)t;
	memset(info, 0, sizeof *info);
	if (!fake()) {
		snprintf(err, errlen, "built without CUDA: no GPU to measure (build bin/collect with 'make collect' "
				      "where nvcc is installed)");
		return -1;
	}
	if (device != 0) {
		snprintf(err, errlen, "no CUDA device %d (1 present)", device);
		return -1;
	}
	snprintf(info->name, sizeof info->name, "fake GPU");
	info->sm_version = 90;
	info->sm_count = 132;
	info->device_count = 1;
	info->mem_bytes = 150e9;
	info->l2_bytes = 50331648;
	snprintf(info->cuda_runtime, sizeof info->cuda_runtime, "fake");
	snprintf(info->cuda_driver, sizeof info->cuda_driver, "fake");
	snprintf(info->cublaslt, sizeof info->cublaslt, "fake");
	snprintf(info->driver, sizeof info->driver, "fake");
	return 0;
}

int gpu_reserve(double max_mk, double max_mn, double max_weight_bytes, char *err, size_t errlen)
{
	(void)max_mk, (void)max_mn, (void)max_weight_bytes, (void)err, (void)errlen;
	return 0;
}

/* A made-up time: 4 us plus 2mnk at 500 TFLOP/s (bf16) or 1000 (fp8). */
int gpu_gemm(enum gemm_kind kind, long long m, long long n, long long k, gpu_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	if (kind != GEMM_BF16 && k % 16 != 0) {
		snprintf(err, errlen, "cuBLASLt has no algorithm for fp8 m=%lld n=%lld k=%lld", m, n, k);
		return 1;
	}
	double flops = kind == GEMM_BF16 ? 500e12 : 1000e12;
	r->median_ms = r->min_ms = 0.004 + 2.0 * m * n * k / flops * 1e3;
	if (kind == GEMM_FP8_TRTLLM) /* plus made-up quantization, so a test can tell the kinds apart */
		r->median_ms = r->min_ms += 3.0 * m * k / 1.5e12 * 1e3;
	r->copies = 1;
	r->replays = 1;
	r->graph = true;
	return 0;
}

/* A made-up time: 2 us plus 3 bytes per element at 4 TB/s. */
int gpu_quant(int which, enum quant_style style, long long m, long long k, gpu_result *r, char *err, size_t errlen)
{
	(void)which, (void)err, (void)errlen;
	memset(r, 0, sizeof *r);
	/* TensorRT-LLM's kernels made up as slower (1.5 TB/s), so a test can tell the styles apart */
	r->median_ms = r->min_ms = 0.002 + 3.0 * m * k / (style == QUANT_TRTLLM ? 1.5e12 : 4e12) * 1e3;
	r->copies = 1;
	r->replays = 1;
	r->graph = true;
	return 0;
}

/* A made-up time: 3 us plus bytes at 4 TB/s. */
int gpu_elementwise(long long bytes, gpu_result *r, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	memset(r, 0, sizeof *r);
	r->median_ms = r->min_ms = 0.003 + bytes / 4e12 * 1e3;
	r->copies = 1;
	r->replays = 1;
	r->graph = true;
	return 0;
}

void gpu_close(void)
{
}
