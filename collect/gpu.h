/* gpu: what collect asks of the GPU. collect/gpu_cuda.cu implements it with CUDA, cuBLASLt and
 * NVML (make collect); collect/gpu_none.c stands in where there is no CUDA (the tests' build). */
#ifndef INFERCAST_COLLECT_GPU_H
#define INFERCAST_COLLECT_GPU_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gpu_info {
	char name[256];	       /* as the device names itself: "NVIDIA H200" */
	int sm_version;	       /* compute capability x 10 */
	int sm_count;
	int device_count;      /* CUDA devices visible */
	double mem_bytes;      /* device memory */
	double l2_bytes;
	char cuda_runtime[32], cuda_driver[32], cublaslt[32], driver[96];
	bool nvml;	       /* NVML answered: power and the figures below that need it */
	double max_sm_clock_hz;    /* 0 when unknown */
	double peak_mem_bw;	   /* bytes/s from the memory clock and bus width; 0 when unknown */
	double power_limit_w;	   /* default power limit; 0 when unknown */
	int nvlinks, nvlink_version; /* active NVLinks (0 when none or unknown) */
	double pcie_bw;		     /* bytes/s, one direction, max generation x width; 0 when unknown */
} gpu_info;

typedef struct gpu_timing {
	int warmup;	      /* graph replays before timing */
	int batches;	      /* timed batches; the median is reported */
	double min_batch_ms;  /* each batch replays the graph until it lasts at least this */
	double power_ms;      /* with power, the timed batches last at least this in all */
	bool power;	      /* sample power through NVML while timing */
	bool fp8_fast_accum;  /* cuBLASLt fp8 fast accumulation */
	int algos;	      /* time the first `algos` algorithms cuBLASLt proposes, keep the fastest */
} gpu_timing;

typedef struct gpu_result {
	double median_ms, min_ms; /* per call: batch time / (replays x copies) */
	double power_w;		  /* mean power while timing; valid when has_power */
	bool has_power;
	int copies;		  /* weight copies rotated through */
	long replays;		  /* graph replays per batch */
	bool graph;		  /* timed as graph replays (else as direct launches) */
	int algo;		  /* the heuristic's rank of the algorithm timed (0: its first choice) */
} gpu_result;

enum gemm_kind {
	GEMM_BF16,	  /* bf16 x bf16 -> bf16, fp32 accumulation */
	GEMM_FP8_DYNAMIC, /* per call: activation amax, e4m3 quantization, then the scaled fp8 GEMM */
	GEMM_FP8_STATIC,  /* per call: e4m3 quantization with a fixed scale, then the fp8 GEMM */
	GEMM_FP8_BARE,	  /* the scaled fp8 GEMM alone, activations quantized beforehand */
	GEMM_FP8_TRTLLM,  /* GEMM_FP8_DYNAMIC with kernels launched and reading memory as TensorRT-LLM
			   * 1.3's per-tensor quantization does (see quant_style) */
};

/* Whose quantization kernels an fp8 call (and gpu_quant) times. OURS: vectorized 16-byte loads,
 * a grid sized to the tensor. TRTLLM: the launch shapes and access pattern of TensorRT-LLM 1.3's
 * per-tensor dynamic quantization (a zeroed scale, an amax pass of 1,024 blocks of 1,024 threads
 * with one bf16 element per load, each block's maximum folded in atomically as the scale, then a
 * conversion pass of 1,024 blocks of 256 threads dividing each element by the scale read from
 * device memory), which the shipped tables time (docs/collect.md). */
enum quant_style { QUANT_OURS, QUANT_TRTLLM };

/* Open device `device`; fill info. Returns 0, or -1 with a message in err. */
int gpu_open(int device, const gpu_timing *t, gpu_info *info, char *err, size_t errlen);
/* Allocate the GEMM buffers: activations of max_mk elements, outputs of max_mn, weights of
 * max_weight_bytes (all copies). */
int gpu_reserve(double max_mk, double max_mn, double max_weight_bytes, char *err, size_t errlen);
/* Time one GEMM y[m,n] = x[m,k] W[n,k]^T. Returns 0, 1 when cuBLASLt has no algorithm for the
 * shape (err says so; nothing measured), or -1 on a CUDA error. */
int gpu_gemm(enum gemm_kind kind, long long m, long long n, long long k, gpu_result *r, char *err, size_t errlen);
/* Time the fp8 activation quantization alone over x[m,k]: which 0 is compute_scale (the amax
 * reduction), 1 scale_matrix (e4m3 conversion with the scale), with style's kernels. Needs
 * gpu_reserve. */
int gpu_quant(int which, enum quant_style style, long long m, long long k, gpu_result *r, char *err,
	      size_t errlen);
/* Time the element-wise kernel over `bytes` (bfloat16, half read, half written). */
int gpu_elementwise(long long bytes, gpu_result *r, char *err, size_t errlen);
void gpu_close(void);

#ifdef __cplusplus
}
#endif
#endif
