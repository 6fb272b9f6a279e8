/* gpu_cuda: collect's measurements on a CUDA GPU. GEMMs through cuBLASLt, timed as CUDA-graph
 * replays between events; power through NVML (loaded at run time, so a machine without it still
 * measures times). */
#include "gpu.h"

#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#define CK(call)                                                                                   \
	do {                                                                                       \
		cudaError_t e_ = (call);                                                           \
		if (e_ != cudaSuccess) {                                                           \
			snprintf(err, errlen, "%s: %s", #call, cudaGetErrorString(e_));             \
			return -1;                                                                 \
		}                                                                                  \
	} while (0)
#define CKLT(call)                                                                                 \
	do {                                                                                       \
		cublasStatus_t s_ = (call);                                                        \
		if (s_ != CUBLAS_STATUS_SUCCESS) {                                                 \
			snprintf(err, errlen, "%s: cuBLAS status %d", #call, (int)s_);              \
			goto fail;                                                                 \
		}                                                                                  \
	} while (0)

static const double E4M3_MAX = 448.0;
static const size_t WORKSPACE = 32u << 20;
/* Each scalar 256 bytes apart: cuBLASLt refuses (status 15) scale pointers it finds misaligned. */
enum { SCALE_X = 64, SCALE_W = 128, N_SCALARS = 192 };

static struct {
	int device;
	gpu_timing t;
	gpu_info info;
	cudaStream_t stream;
	cublasLtHandle_t lt;
	void *workspace;
	__nv_bfloat16 *x;      /* activations, bf16 */
	__nv_fp8_e4m3 *xq;     /* activations, e4m3 */
	__nv_bfloat16 *y;      /* outputs */
	__nv_bfloat16 *y2;     /* a C matrix apart from D, for the matmuls that refuse C == D */
	unsigned char *w;      /* weight copies, bf16 or e4m3 */
	int w_filled;	       /* 0 none, 1 bf16, 2 e4m3 */
	size_t x_elems, y_elems, w_bytes;
	float *scalars;	       /* [0] amax (as bits), [SCALE_X] activation scale, [SCALE_W] weight scale */
	cudaEvent_t ev[64];
	unsigned char *ew;     /* element-wise buffers */
	size_t ew_bytes;
} G;

/* ---- NVML, loaded at run time ----
 * The few declarations used, as nvml.h has them (a stable C ABI), so that building needs no NVML
 * header and running needs no NVML library. */
typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
typedef int nvmlClockType_t;
typedef int nvmlEnableState_t;
typedef struct nvmlFieldValue_st {
	unsigned int fieldId;
	unsigned int scopeId;
	long long timestamp;
	long long latencyUsec;
	int valueType;
	nvmlReturn_t nvmlReturn;
	union {
		double dVal;
		int siVal;
		unsigned int uiVal;
		unsigned long ulVal;
		unsigned long long ullVal;
		long long sllVal;
		unsigned short usVal;
	} value;
} nvmlFieldValue_t;
enum { NVML_SUCCESS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_FEATURE_ENABLED = 1 };
enum { NVML_NVLINK_MAX_LINKS = 18, NVML_FI_DEV_POWER_INSTANT = 186 /* milliwatts */ };

static struct {
	void *lib;
	nvmlDevice_t dev;
	nvmlReturn_t (*init)(void);
	nvmlReturn_t (*shutdown)(void);
	nvmlReturn_t (*by_pci)(const char *, nvmlDevice_t *);
	nvmlReturn_t (*power_usage)(nvmlDevice_t, unsigned int *);
	nvmlReturn_t (*field_values)(nvmlDevice_t, int, nvmlFieldValue_t *);
	nvmlReturn_t (*driver_version)(char *, unsigned int);
	nvmlReturn_t (*max_clock)(nvmlDevice_t, nvmlClockType_t, unsigned int *);
	nvmlReturn_t (*bus_width)(nvmlDevice_t, unsigned int *);
	nvmlReturn_t (*default_limit)(nvmlDevice_t, unsigned int *);
	nvmlReturn_t (*nvlink_state)(nvmlDevice_t, unsigned int, nvmlEnableState_t *);
	nvmlReturn_t (*nvlink_version)(nvmlDevice_t, unsigned int, unsigned int *);
	nvmlReturn_t (*pcie_gen)(nvmlDevice_t, unsigned int *);
	nvmlReturn_t (*pcie_width)(nvmlDevice_t, unsigned int *);
	bool instant; /* NVML_FI_DEV_POWER_INSTANT answers */
} N;

template <typename F> static void sym(F *f, const char *name)
{
	*f = (F)dlsym(N.lib, name);
}

static bool nvml_open(int device)
{
	N.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW);
	if (!N.lib)
		return false;
	sym(&N.init, "nvmlInit_v2");
	sym(&N.shutdown, "nvmlShutdown");
	sym(&N.by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
	sym(&N.power_usage, "nvmlDeviceGetPowerUsage");
	sym(&N.field_values, "nvmlDeviceGetFieldValues");
	sym(&N.driver_version, "nvmlSystemGetDriverVersion");
	sym(&N.max_clock, "nvmlDeviceGetMaxClockInfo");
	sym(&N.bus_width, "nvmlDeviceGetMemoryBusWidth");
	sym(&N.default_limit, "nvmlDeviceGetPowerManagementDefaultLimit");
	sym(&N.nvlink_state, "nvmlDeviceGetNvLinkState");
	sym(&N.nvlink_version, "nvmlDeviceGetNvLinkVersion");
	sym(&N.pcie_gen, "nvmlDeviceGetMaxPcieLinkGeneration");
	sym(&N.pcie_width, "nvmlDeviceGetMaxPcieLinkWidth");
	char pci[32];
	if (!N.init || !N.by_pci || N.init() != NVML_SUCCESS)
		return false;
	if (cudaDeviceGetPCIBusId(pci, sizeof pci, device) != cudaSuccess || N.by_pci(pci, &N.dev) != NVML_SUCCESS)
		return false;
	if (N.field_values) {
		nvmlFieldValue_t v;
		memset(&v, 0, sizeof v);
		v.fieldId = NVML_FI_DEV_POWER_INSTANT;
		N.instant = N.field_values(N.dev, 1, &v) == NVML_SUCCESS && v.nvmlReturn == NVML_SUCCESS;
	}
	return true;
}

/* Power in watts now, or a negative number. */
static double nvml_power_w(void)
{
	if (N.instant) {
		nvmlFieldValue_t v;
		memset(&v, 0, sizeof v);
		v.fieldId = NVML_FI_DEV_POWER_INSTANT;
		if (N.field_values(N.dev, 1, &v) == NVML_SUCCESS && v.nvmlReturn == NVML_SUCCESS)
			return v.value.uiVal / 1000.0;
	}
	unsigned int mw;
	if (N.power_usage && N.power_usage(N.dev, &mw) == NVML_SUCCESS)
		return mw / 1000.0;
	return -1;
}

/* A thread that samples power every 5 ms between sampler_start and sampler_stop. */
static struct {
	pthread_t th;
	pthread_mutex_t mu;
	bool run;
	double sum;
	long n;
} S = { {}, PTHREAD_MUTEX_INITIALIZER, false, 0, 0 };

static void *sampler_main(void *)
{
	for (;;) {
		pthread_mutex_lock(&S.mu);
		bool run = S.run;
		pthread_mutex_unlock(&S.mu);
		if (!run)
			return NULL;
		double p = nvml_power_w();
		pthread_mutex_lock(&S.mu);
		if (p >= 0)
			S.sum += p, S.n++;
		pthread_mutex_unlock(&S.mu);
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
}

static bool sampler_start(void)
{
	if (!G.t.power || !G.info.nvml)
		return false;
	S.sum = 0, S.n = 0, S.run = true;
	if (pthread_create(&S.th, NULL, sampler_main, NULL) != 0) {
		S.run = false;
		return false;
	}
	return true;
}

static void sampler_stop(bool started, gpu_result *r)
{
	r->has_power = false;
	if (!started)
		return;
	pthread_mutex_lock(&S.mu);
	S.run = false;
	pthread_mutex_unlock(&S.mu);
	pthread_join(S.th, NULL);
	if (S.n == 0) { /* a region shorter than one sampling period: the reading just after it */
		double p = nvml_power_w();
		if (p >= 0)
			S.sum = p, S.n = 1;
	}
	if (S.n > 0) {
		r->power_w = S.sum / S.n;
		r->has_power = true;
	}
}

/* ---- kernels ---- */
__device__ static unsigned hash32(unsigned long long i, unsigned seed)
{
	unsigned long long z = i * 0x9E3779B97F4A7C15ull + seed;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (unsigned)(z ^ (z >> 31));
}

/* About normal(0, 1): the sum of four uniforms, rescaled. */
__device__ static float randn_like(unsigned long long i, unsigned seed)
{
	unsigned h = hash32(i, seed);
	float s = (h & 0xff) + ((h >> 8) & 0xff) + ((h >> 16) & 0xff) + (h >> 24);
	return (s / 255.0f - 2.0f) * 1.7320508f;
}

__global__ static void fill_bf16(__nv_bfloat16 *p, size_t n, unsigned seed)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = __float2bfloat16(randn_like(i, seed));
}

__global__ static void fill_e4m3(__nv_fp8_e4m3 *p, size_t n, unsigned seed)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		p[i] = __nv_fp8_e4m3(randn_like(i, seed));
}

/* The block's maximum of m, valid in thread 0 (every thread of the block must call it). */
__device__ static float block_max(float m)
{
	for (int o = 16; o > 0; o /= 2)
		m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
	__shared__ float warp_max[32];
	if ((threadIdx.x & 31) == 0)
		warp_max[threadIdx.x / 32] = m;
	__syncthreads();
	if (threadIdx.x < 32) {
		m = threadIdx.x < blockDim.x / 32 ? warp_max[threadIdx.x] : 0.0f;
		for (int o = 16; o > 0; o /= 2)
			m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
	}
	return m;
}

/* Per-tensor amax of x into *amax_bits (a float's bits; non-negative floats order as ints). */
__global__ static void amax_bf16(const __nv_bfloat16 *x, size_t n, unsigned *amax_bits)
{
	float m = 0.0f;
	size_t n8 = n / 8, stride = (size_t)gridDim.x * blockDim.x;
	const uint4 *v = (const uint4 *)x;
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n8; i += stride) {
		uint4 u = v[i];
		const __nv_bfloat162 *h = (const __nv_bfloat162 *)&u;
		for (int j = 0; j < 4; j++) {
			float2 f = __bfloat1622float2(h[j]);
			m = fmaxf(m, fmaxf(fabsf(f.x), fabsf(f.y)));
		}
	}
	for (size_t i = n8 * 8 + blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += stride)
		m = fmaxf(m, fabsf(__bfloat162float(x[i])));
	m = block_max(m);
	if (threadIdx.x == 0)
		atomicMax(amax_bits, __float_as_uint(m));
}

/* xq = x / scale, saturated to e4m3. The scale is amax / 448 (dynamic: from amax_bits, and
 * written to *scale_out for the GEMM) or *scale_in (static). */
__global__ static void quantize_e4m3(const __nv_bfloat16 *x, __nv_fp8_e4m3 *xq, size_t n, const unsigned *amax_bits,
				     float *scale_out, const float *scale_in)
{
	float scale;
	if (amax_bits) {
		float amax = __uint_as_float(*amax_bits);
		scale = amax > 0.0f ? amax / (float)E4M3_MAX : 1.0f;
		if (blockIdx.x == 0 && threadIdx.x == 0)
			*scale_out = scale;
	} else {
		scale = *scale_in;
	}
	float inv = 1.0f / scale;
	size_t n8 = n / 8, stride = (size_t)gridDim.x * blockDim.x;
	const uint4 *v = (const uint4 *)x;
	uint2 *out = (uint2 *)xq;
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n8; i += stride) {
		uint4 u = v[i];
		const __nv_bfloat162 *h = (const __nv_bfloat162 *)&u;
		__nv_fp8x2_storage_t q[4];
		for (int j = 0; j < 4; j++) {
			float2 f = __bfloat1622float2(h[j]);
			f.x *= inv, f.y *= inv;
			q[j] = __nv_cvt_float2_to_fp8x2(f, __NV_SATFINITE, __NV_E4M3);
		}
		uint2 o;
		o.x = q[0] | (unsigned)q[1] << 16;
		o.y = q[2] | (unsigned)q[3] << 16;
		out[i] = o;
	}
	for (size_t i = n8 * 8 + blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += stride)
		xq[i] = __nv_fp8_e4m3(__bfloat162float(x[i]) * inv);
}

/* TensorRT-LLM 1.3's per-tensor dynamic quantization, as the shipped fp8 rows time it (enum
 * quant_style): the same launch shapes and memory access, written here from its description. The
 * scale (amax / 448, at least 1 / (448 x 512)) is folded into *scale_bits by atomic maximum, so
 * the caller zeroes it first. One bf16 element per load: this, not the arithmetic, is why it
 * reads ~1.4 TB/s where amax_bf16 reads ~4.5. */
static const unsigned TRT_AMAX_BLOCKS = 1024, TRT_AMAX_THREADS = 1024;
static const unsigned TRT_SCALE_BLOCKS = 1024, TRT_SCALE_THREADS = 256;

__global__ static void trt_amax_scale(const __nv_bfloat16 *x, size_t n, unsigned *scale_bits)
{
	float m = 0.0f;
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		m = fmaxf(m, fabsf(__bfloat162float(x[i])));
	m = block_max(m);
	if (threadIdx.x == 0) {
		float scale = fmaxf(m / (float)E4M3_MAX, 1.0f / ((float)E4M3_MAX * 512.0f));
		atomicMax(scale_bits, __float_as_uint(scale));
	}
}

/* xq = x / *scale, one element per load and store, the scale read from device memory. */
__global__ static void trt_scale_e4m3(const __nv_bfloat16 *x, __nv_fp8_e4m3 *xq, size_t n, const float *scale)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
		xq[i] = __nv_fp8_e4m3(__bfloat162float(x[i]) / scale[0]);
}

/* The two TensorRT-LLM-style passes: zero the scale, fold the amax into it, convert. */
static void trt_quantize(size_t mk, float *scale)
{
	cudaMemsetAsync(scale, 0, sizeof *scale, G.stream);
	trt_amax_scale<<<TRT_AMAX_BLOCKS, TRT_AMAX_THREADS, 0, G.stream>>>(G.x, mk, (unsigned *)scale);
	trt_scale_e4m3<<<TRT_SCALE_BLOCKS, TRT_SCALE_THREADS, 0, G.stream>>>(G.x, G.xq, mk, scale);
}

/* The element-wise kernel: out = x * a + b over bfloat16, 16-byte loads and stores. */
__global__ static void scale_shift_bf16(const __nv_bfloat16 *x, __nv_bfloat16 *y, size_t n, float a, float b)
{
	size_t n8 = n / 8, stride = (size_t)gridDim.x * blockDim.x;
	const uint4 *v = (const uint4 *)x;
	uint4 *o = (uint4 *)y;
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n8; i += stride) {
		uint4 u = v[i];
		__nv_bfloat162 *h = (__nv_bfloat162 *)&u;
		for (int j = 0; j < 4; j++) {
			float2 f = __bfloat1622float2(h[j]);
			h[j] = __floats2bfloat162_rn(f.x * a + b, f.y * a + b);
		}
		o[i] = u;
	}
	for (size_t i = n8 * 8 + blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += stride)
		y[i] = __float2bfloat16(__bfloat162float(x[i]) * a + b);
}

/* Blocks for a grid-stride kernel over n elements, 8 per thread per step. */
static unsigned blocks_for(size_t n)
{
	size_t want = (n / 8 + 255) / 256;
	size_t cap = (size_t)G.info.sm_count * 8;
	return (unsigned)std::max<size_t>(1, std::min(want, cap));
}

/* ---- opening ---- */
static void version_string(char *buf, size_t n, int v)
{
	snprintf(buf, n, "%d.%d", v / 1000, (v % 1000) / 10);
}

extern "C" int gpu_open(int device, const gpu_timing *t, gpu_info *info, char *err, size_t errlen)
{
	memset(&G, 0, sizeof G);
	memset(info, 0, sizeof *info);
	G.device = device;
	G.t = *t;
	int count = 0;
	CK(cudaGetDeviceCount(&count));
	if (device >= count) {
		snprintf(err, errlen, "no CUDA device %d (%d present)", device, count);
		return -1;
	}
	CK(cudaSetDevice(device));
	cudaDeviceProp p;
	CK(cudaGetDeviceProperties(&p, device));
	snprintf(info->name, sizeof info->name, "%s", p.name);
	info->sm_version = p.major * 10 + p.minor;
	info->sm_count = p.multiProcessorCount;
	info->device_count = count;
	info->mem_bytes = (double)p.totalGlobalMem;
	info->l2_bytes = (double)p.l2CacheSize;
	int rt = 0, drv = 0;
	CK(cudaRuntimeGetVersion(&rt));
	CK(cudaDriverGetVersion(&drv));
	version_string(info->cuda_runtime, sizeof info->cuda_runtime, rt);
	version_string(info->cuda_driver, sizeof info->cuda_driver, drv);
	size_t ltv = cublasLtGetVersion();
	snprintf(info->cublaslt, sizeof info->cublaslt, "%zu.%zu.%zu", ltv / 10000, (ltv / 100) % 100, ltv % 100);
	snprintf(info->driver, sizeof info->driver, "unknown");
	info->nvml = nvml_open(device);
	if (info->nvml) {
		unsigned v;
		if (N.driver_version)
			N.driver_version(info->driver, sizeof info->driver);
		if (N.max_clock && N.max_clock(N.dev, NVML_CLOCK_SM, &v) == NVML_SUCCESS)
			info->max_sm_clock_hz = v * 1e6;
		unsigned mclk, width;
		if (N.max_clock && N.bus_width && N.max_clock(N.dev, NVML_CLOCK_MEM, &mclk) == NVML_SUCCESS &&
		    N.bus_width(N.dev, &width) == NVML_SUCCESS)
			info->peak_mem_bw = mclk * 1e6 * 2.0 * width / 8.0; /* double data rate */
		if (N.default_limit && N.default_limit(N.dev, &v) == NVML_SUCCESS)
			info->power_limit_w = v / 1000.0;
		for (unsigned l = 0; N.nvlink_state && l < NVML_NVLINK_MAX_LINKS; l++) {
			nvmlEnableState_t s;
			if (N.nvlink_state(N.dev, l, &s) == NVML_SUCCESS && s == NVML_FEATURE_ENABLED) {
				info->nvlinks++;
				if (N.nvlink_version && N.nvlink_version(N.dev, l, &v) == NVML_SUCCESS)
					info->nvlink_version = (int)v;
			}
		}
		unsigned gen, lanes;
		if (N.pcie_gen && N.pcie_width && N.pcie_gen(N.dev, &gen) == NVML_SUCCESS &&
		    N.pcie_width(N.dev, &lanes) == NVML_SUCCESS && gen >= 1 && gen <= 7) {
			static const double gbps_per_lane[] = { 0, 0.25, 0.5, 1, 2, 4, 8, 16 }; /* GB/s, rounded as vendors do */
			info->pcie_bw = gbps_per_lane[gen] * lanes * 1e9;
		}
	}
	G.info = *info;
	CK(cudaStreamCreateWithFlags(&G.stream, cudaStreamNonBlocking));
	if (cublasLtCreate(&G.lt) != CUBLAS_STATUS_SUCCESS) {
		snprintf(err, errlen, "cublasLtCreate failed");
		return -1;
	}
	CK(cudaMalloc(&G.workspace, WORKSPACE));
	CK(cudaMalloc(&G.scalars, N_SCALARS * sizeof(float)));
	float init[N_SCALARS] = { 0 };
	init[SCALE_X] = init[SCALE_W] = 1;
	CK(cudaMemcpy(G.scalars, init, sizeof init, cudaMemcpyHostToDevice));
	for (auto &e : G.ev)
		CK(cudaEventCreate(&e));
	return 0;
}

extern "C" int gpu_reserve(double max_mk, double max_mn, double max_weight_bytes, char *err, size_t errlen)
{
	G.x_elems = (size_t)max_mk;
	G.y_elems = (size_t)max_mn;
	G.w_bytes = (size_t)max_weight_bytes;
	size_t need = G.x_elems * 3 + G.y_elems * 4 + G.w_bytes + 4 * 256, free_b = 0, total = 0;
	CK(cudaMemGetInfo(&free_b, &total));
	if (need + (256u << 20) > free_b) {
		snprintf(err, errlen, "the GEMMs need %.1f GiB of GPU memory, %.1f GiB are free", need / 1073741824.0,
			 free_b / 1073741824.0);
		return -1;
	}
	CK(cudaMalloc(&G.x, G.x_elems * 2 + 16));
	CK(cudaMalloc(&G.xq, G.x_elems + 16));
	CK(cudaMalloc(&G.y, G.y_elems * 2 + 16));
	CK(cudaMalloc(&G.y2, G.y_elems * 2 + 16));
	CK(cudaMalloc(&G.w, G.w_bytes + 16));
	fill_bf16<<<G.info.sm_count * 8, 256, 0, G.stream>>>(G.x, G.x_elems, 1);
	CK(cudaGetLastError());
	CK(cudaStreamSynchronize(G.stream));
	return 0;
}

/* ---- timing ---- */
/* What one replay is: a CUDA graph, or (where capture failed) the calls launched directly. */
struct launcher {
	cudaGraphExec_t graph;
	cudaError_t (*eager)(void *ctx);
	void *ctx;
	cudaError_t launch() const { return graph ? cudaGraphLaunch(graph, G.stream) : eager(ctx); }
};

/* Replay l: warm up, size a batch to min_ms, time the batches; per-call times divide by
 * calls_per_replay. */
static int time_replays(const launcher &l, int calls_per_replay, gpu_result *r, char *err, size_t errlen)
{
	for (int i = 0; i < G.t.warmup; i++)
		CK(l.launch());
	CK(cudaEventRecord(G.ev[0], G.stream));
	for (int i = 0; i < 3; i++)
		CK(l.launch());
	CK(cudaEventRecord(G.ev[1], G.stream));
	CK(cudaEventSynchronize(G.ev[1]));
	float est = 0;
	CK(cudaEventElapsedTime(&est, G.ev[0], G.ev[1]));
	double per_replay = std::max(est / 3.0, 1e-4);
	double target = G.t.min_batch_ms;
	if (G.t.power && G.info.nvml)
		target = std::max(target, G.t.power_ms / G.t.batches);
	long reps = (long)std::ceil(target / per_replay);
	reps = std::max(1L, std::min(reps, 1000000L));
	int nb = std::min(G.t.batches, (int)(sizeof G.ev / sizeof G.ev[0]) - 1);
	bool sampling = sampler_start();
	cudaError_t e = cudaEventRecord(G.ev[0], G.stream);
	for (int b = 0; e == cudaSuccess && b < nb; b++) {
		for (long i = 0; e == cudaSuccess && i < reps; i++)
			e = l.launch();
		if (e == cudaSuccess)
			e = cudaEventRecord(G.ev[b + 1], G.stream);
	}
	if (e == cudaSuccess)
		e = cudaEventSynchronize(G.ev[nb]);
	sampler_stop(sampling, r);
	if (e != cudaSuccess) {
		snprintf(err, errlen, "timing: %s", cudaGetErrorString(e));
		return -1;
	}
	std::vector<double> per_call;
	for (int b = 0; b < nb; b++) {
		float ms = 0;
		CK(cudaEventElapsedTime(&ms, G.ev[b], G.ev[b + 1]));
		per_call.push_back(ms / ((double)reps * calls_per_replay));
	}
	std::sort(per_call.begin(), per_call.end());
	size_t h = per_call.size() / 2;
	r->median_ms = per_call.size() % 2 ? per_call[h] : (per_call[h - 1] + per_call[h]) / 2;
	r->min_ms = per_call[0];
	r->replays = reps;
	r->graph = l.graph != NULL;
	return 0;
}

static int fill_weights(int as, char *err, size_t errlen)
{
	if (G.w_filled == as)
		return 0;
	if (as == 1)
		fill_bf16<<<G.info.sm_count * 8, 256, 0, G.stream>>>((__nv_bfloat16 *)G.w, G.w_bytes / 2, 2);
	else
		fill_e4m3<<<G.info.sm_count * 8, 256, 0, G.stream>>>((__nv_fp8_e4m3 *)G.w, G.w_bytes, 3);
	CK(cudaGetLastError());
	CK(cudaStreamSynchronize(G.stream));
	G.w_filled = as;
	return 0;
}

/* One timed call sequence of a GEMM: per weight copy, the activation quantization the kind asks
 * for, then the matmul. */
struct gemm_call {
	enum gemm_kind kind;
	long long m, n, k;
	int copies;
	double wstride;
	cublasLtMatmulDesc_t op;
	cublasLtMatrixLayout_t la, lb, lc;
	const cublasLtMatmulAlgo_t *algo;
	void *c_ptr; /* C (beta = 0: never read): D itself, NULL or another buffer */
	cublasStatus_t status; /* of the last matmul */
};

static cudaError_t gemm_enqueue(gemm_call *c, int copies)
{
	static const float alpha = 1.0f, beta = 0.0f;
	bool fp8 = c->kind != GEMM_BF16;
	size_t mk = (size_t)(c->m * c->k);
	unsigned *amax = (unsigned *)&G.scalars[0];
	float *scale_x = &G.scalars[SCALE_X];
	for (int i = 0; i < copies; i++) {
		if (c->kind == GEMM_FP8_DYNAMIC) {
			cudaMemsetAsync(amax, 0, sizeof *amax, G.stream);
			amax_bf16<<<blocks_for(mk), 256, 0, G.stream>>>(G.x, mk, amax);
			quantize_e4m3<<<blocks_for(mk), 256, 0, G.stream>>>(G.x, G.xq, mk, amax, scale_x, NULL);
		} else if (c->kind == GEMM_FP8_TRTLLM) {
			trt_quantize(mk, scale_x);
		} else if (c->kind == GEMM_FP8_STATIC) {
			quantize_e4m3<<<blocks_for(mk), 256, 0, G.stream>>>(G.x, G.xq, mk, NULL, NULL, scale_x);
		}
		const void *a = G.w + (size_t)(i * c->wstride);
		const void *b = fp8 ? (const void *)G.xq : (const void *)G.x;
		c->status = cublasLtMatmul(G.lt, c->op, &alpha, a, c->la, b, c->lb, &beta, c->c_ptr, c->lc, G.y, c->lc, c->algo,
					   G.workspace, WORKSPACE, G.stream);
		if (c->status != CUBLAS_STATUS_SUCCESS)
			return cudaErrorUnknown;
	}
	return cudaGetLastError();
}

static cudaError_t gemm_eager(void *ctx)
{
	gemm_call *c = (gemm_call *)ctx;
	return gemm_enqueue(c, c->copies);
}

static bool warned_eager, warned_unscaled;

/* The call sequence captured as a graph; *exec NULL (and the error returned) when capture fails. */
static cudaError_t gemm_capture(gemm_call *c, cudaGraphExec_t *exec)
{
	cudaGraph_t graph = NULL;
	*exec = NULL;
	cudaError_t ce = cudaStreamBeginCapture(G.stream, cudaStreamCaptureModeThreadLocal);
	if (ce != cudaSuccess)
		return ce;
	ce = gemm_enqueue(c, c->copies);
	cudaError_t ec = cudaStreamEndCapture(G.stream, &graph);
	if (ce == cudaSuccess)
		ce = ec;
	if (ce == cudaSuccess)
		ce = cudaGraphInstantiate(exec, graph, 0);
	if (graph)
		cudaGraphDestroy(graph);
	if (ce != cudaSuccess) {
		if (*exec)
			cudaGraphExecDestroy(*exec);
		*exec = NULL;
		cudaGetLastError();
	}
	return ce;
}

/* Whether the call runs with the algorithm it holds (once, outside any capture). */
static bool gemm_runs(gemm_call *c)
{
	cudaError_t ce = gemm_enqueue(c, 1);
	if (ce == cudaSuccess)
		ce = cudaStreamSynchronize(G.stream);
	cudaGetLastError();
	return ce == cudaSuccess && c->status == CUBLAS_STATUS_SUCCESS;
}

extern "C" int gpu_gemm(enum gemm_kind kind, long long m, long long n, long long k, gpu_result *r, char *err,
			size_t errlen)
{
	memset(r, 0, sizeof *r);
	bool fp8 = kind != GEMM_BF16;
	size_t elt = fp8 ? 1 : 2;
	double wbytes = (double)n * k * elt;
	double c = std::ceil(G.info.l2_bytes / wbytes);
	int copies = c < 1 ? 1 : c > 5 ? 5 : (int)c;
	double wstride = std::ceil(wbytes / 256) * 256; /* each copy 256-byte aligned, as cuBLASLt assumes */
	if ((size_t)(m * k) > G.x_elems || (size_t)(m * n) > G.y_elems || wstride * copies > (double)G.w_bytes) {
		snprintf(err, errlen, "GEMM m=%lld n=%lld k=%lld is larger than the buffers reserved", m, n, k);
		return -1;
	}
	int st = fill_weights(fp8 ? 2 : 1, err, errlen);
	if (st)
		return st;
	cudaDataType_t ab = fp8 ? CUDA_R_8F_E4M3 : CUDA_R_16BF;
	gemm_call call = { kind, m, n, k, copies, wstride, NULL, NULL, NULL, NULL, NULL, G.y, CUBLAS_STATUS_SUCCESS };
	cublasLtMatmulPreference_t pref = NULL;
	enum { MAX_ALGOS = 8 };
	cublasLtMatmulHeuristicResult_t heur[MAX_ALGOS];
	int found = 0, chosen = -1;
	char tried[256] = "";
	cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
	size_t ws = WORKSPACE;
	cudaGraph_t graph = NULL;
	cudaGraphExec_t exec = NULL;
	float *scale_x = &G.scalars[SCALE_X], *scale_w = &G.scalars[SCALE_W];
	size_t mk = (size_t)(m * k);
	cudaError_t ce;
	launcher l = { NULL, gemm_eager, &call };
	st = -1;
	/* Row-major y[m,n] = x[m,k] W[n,k]^T is column-major y^T[n,m] = W^T x^T: A = W (k x n, transposed),
	 * B = x (k x m), D = y (n x m). The "TN" layout fp8 needs on Hopper. */
	CKLT(cublasLtMatmulDescCreate(&call.op, CUBLAS_COMPUTE_32F, CUDA_R_32F));
	CKLT(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
	CKLT(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
	if (fp8) {
		CKLT(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &scale_w,
						    sizeof scale_w));
		CKLT(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &scale_x,
						    sizeof scale_x));
		if (G.t.fp8_fast_accum) {
			int8_t fast = 1;
			CKLT(cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast));
		}
	}
	CKLT(cublasLtMatrixLayoutCreate(&call.la, ab, (uint64_t)k, (uint64_t)n, k));
	CKLT(cublasLtMatrixLayoutCreate(&call.lb, ab, (uint64_t)k, (uint64_t)m, k));
	CKLT(cublasLtMatrixLayoutCreate(&call.lc, CUDA_R_16BF, (uint64_t)n, (uint64_t)m, n));
	CKLT(cublasLtMatmulPreferenceCreate(&pref));
	CKLT(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws));
	if (cublasLtMatmulAlgoGetHeuristic(G.lt, call.op, call.la, call.lb, call.lc, call.lc, pref, MAX_ALGOS, heur,
					   &found) != CUBLAS_STATUS_SUCCESS ||
	    found == 0) {
		snprintf(err, errlen, "cuBLASLt has no algorithm for %s m=%lld n=%lld k=%lld", fp8 ? "fp8" : "bfloat16", m,
			 n, k);
		st = 1;
		goto fail;
	}
	if (kind == GEMM_FP8_BARE || kind == GEMM_FP8_STATIC) {
		/* the scale fixed at 1; bare: the activations quantized once, outside the timed calls */
		float one = 1.0f;
		if ((ce = cudaMemcpy(scale_x, &one, sizeof one, cudaMemcpyHostToDevice)) != cudaSuccess)
			goto cuda_fail;
		quantize_e4m3<<<blocks_for(mk), 256, 0, G.stream>>>(G.x, G.xq, mk, NULL, NULL, scale_x);
		if ((ce = cudaStreamSynchronize(G.stream)) != cudaSuccess)
			goto cuda_fail;
	}
	/* The heuristic's first algorithm that runs, tried once outside any capture: with C = D (as
	 * a framework's y = x W^T), else with C apart (fp8 kernels may refuse C == D). */
	for (int cmode = 0; cmode < 3 && chosen < 0; cmode++) {
		call.c_ptr = cmode == 0 ? (void *)G.y : cmode == 1 ? NULL : (void *)G.y2;
		for (int j = 0; j < found && chosen < 0; j++) {
			call.algo = &heur[j].algo;
			ce = gemm_enqueue(&call, 1);
			if (ce == cudaSuccess)
				ce = cudaStreamSynchronize(G.stream);
			if (ce == cudaSuccess && call.status == CUBLAS_STATUS_SUCCESS)
				chosen = j;
			else if (call.status != CUBLAS_STATUS_SUCCESS)
				snprintf(tried + strlen(tried), sizeof tried - strlen(tried), " %d", (int)call.status);
			else
				goto cuda_fail;
		}
		cudaGetLastError();
	}
	if (chosen < 0 && fp8) {
		/* last resort: the fp8 GEMM without scale pointers (scales of 1: the same kernels, the
		 * scaling left out of the epilogue), said once */
		void *none = NULL;
		cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &none, sizeof none);
		cublasLtMatmulDescSetAttribute(call.op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &none, sizeof none);
		call.c_ptr = G.y;
		for (int j = 0; j < found && chosen < 0; j++) {
			call.algo = &heur[j].algo;
			ce = gemm_enqueue(&call, 1);
			if (ce == cudaSuccess)
				ce = cudaStreamSynchronize(G.stream);
			if (ce == cudaSuccess && call.status == CUBLAS_STATUS_SUCCESS)
				chosen = j;
		}
		cudaGetLastError();
		if (chosen >= 0 && !warned_unscaled)
			fprintf(stderr, "collect: warning: cuBLASLt refused the scale pointers (status%s): fp8 GEMMs "
					"such as m=%lld n=%lld k=%lld are timed unscaled\n",
				tried, m, n, k);
		warned_unscaled |= chosen >= 0;
	}
	if (chosen < 0) {
		snprintf(err, errlen, "cuBLASLt runs none of its %d algorithms for %s m=%lld n=%lld k=%lld (status%s)",
			 found, fp8 ? "fp8" : "bfloat16", m, n, k, tried);
		st = 1;
		goto fail;
	}
	if (G.t.algos > 1) {
		/* the fastest of the first `algos` the heuristic lists, each timed briefly as a graph */
		gpu_timing saved = G.t;
		G.t.warmup = 1, G.t.batches = 3, G.t.power = false;
		G.t.min_batch_ms = std::min(saved.min_batch_ms, 0.5);
		double best = INFINITY;
		int best_j = chosen;
		for (int j = chosen; j < found && j < saved.algos; j++) {
			call.algo = &heur[j].algo;
			cudaGraphExec_t e = NULL;
			if (!gemm_runs(&call) || gemm_capture(&call, &e) != cudaSuccess)
				continue;
			gpu_result q;
			int ts = time_replays(launcher{ e, NULL, NULL }, copies, &q, err, errlen);
			cudaGraphExecDestroy(e);
			if (ts) {
				G.t = saved;
				st = ts;
				goto fail;
			}
			if (q.median_ms < best)
				best = q.median_ms, best_j = j;
		}
		G.t = saved;
		chosen = best_j;
	}
	call.algo = &heur[chosen].algo;
	ce = gemm_capture(&call, &exec);
	if (ce != cudaSuccess) {
		/* capture failed: time the calls launched directly (said once, and in the result) */
		if (!warned_eager)
			fprintf(stderr, "collect: warning: a %s GEMM could not be captured in a CUDA graph (%s, cuBLAS "
					"status %d): such GEMMs are timed as direct launches\n",
				fp8 ? "fp8" : "bfloat16", cudaGetErrorString(ce), (int)call.status);
		warned_eager = true;
	}
	l.graph = exec;
	st = time_replays(l, copies, r, err, errlen);
	r->copies = copies;
	r->algo = chosen;
	goto fail;
cuda_fail:
	snprintf(err, errlen, "GEMM m=%lld n=%lld k=%lld: %s", m, n, k, cudaGetErrorString(ce));
	st = -1;
fail:
	if (exec)
		cudaGraphExecDestroy(exec);
	if (graph)
		cudaGraphDestroy(graph);
	if (pref)
		cublasLtMatmulPreferenceDestroy(pref);
	if (call.lc)
		cublasLtMatrixLayoutDestroy(call.lc);
	if (call.lb)
		cublasLtMatrixLayoutDestroy(call.lb);
	if (call.la)
		cublasLtMatrixLayoutDestroy(call.la);
	if (call.op)
		cublasLtMatmulDescDestroy(call.op);
	return st;
}

extern "C" int gpu_quant(int which, enum quant_style style, long long m, long long k, gpu_result *r, char *err,
			 size_t errlen)
{
	memset(r, 0, sizeof *r);
	size_t mk = (size_t)(m * k);
	if (mk > G.x_elems) {
		snprintf(err, errlen, "quantization m=%lld k=%lld is larger than the buffers reserved", m, k);
		return -1;
	}
	unsigned *amax = (unsigned *)&G.scalars[0];
	float *scale_x = &G.scalars[SCALE_X];
	cudaGraph_t graph = NULL;
	cudaGraphExec_t exec = NULL;
	CK(cudaStreamBeginCapture(G.stream, cudaStreamCaptureModeThreadLocal));
	if (which == 0 && style == QUANT_TRTLLM) { /* compute_scale, TensorRT-LLM's way: the scale itself */
		cudaMemsetAsync(scale_x, 0, sizeof *scale_x, G.stream);
		trt_amax_scale<<<TRT_AMAX_BLOCKS, TRT_AMAX_THREADS, 0, G.stream>>>(G.x, mk, (unsigned *)scale_x);
	} else if (which == 0) { /* compute_scale: the activations' amax (the scale follows from it) */
		cudaMemsetAsync(amax, 0, sizeof *amax, G.stream);
		amax_bf16<<<blocks_for(mk), 256, 0, G.stream>>>(G.x, mk, amax);
	} else if (style == QUANT_TRTLLM) { /* scale_matrix, TensorRT-LLM's way */
		trt_scale_e4m3<<<TRT_SCALE_BLOCKS, TRT_SCALE_THREADS, 0, G.stream>>>(G.x, G.xq, mk, scale_x);
	} else { /* scale_matrix: e4m3 quantization with a scale in device memory */
		quantize_e4m3<<<blocks_for(mk), 256, 0, G.stream>>>(G.x, G.xq, mk, NULL, NULL, scale_x);
	}
	CK(cudaStreamEndCapture(G.stream, &graph));
	cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
	cudaGraphDestroy(graph);
	int st = -1;
	if (e == cudaSuccess)
		st = time_replays(launcher{ exec, NULL, NULL }, 1, r, err, errlen);
	else
		snprintf(err, errlen, "quantization m=%lld k=%lld: %s", m, k, cudaGetErrorString(e));
	r->copies = 1;
	if (exec)
		cudaGraphExecDestroy(exec);
	return st;
}

extern "C" int gpu_elementwise(long long bytes, gpu_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	double c = std::ceil(G.info.l2_bytes / (double)bytes);
	int copies = c < 1 ? 1 : c > 5 ? 5 : (int)c;
	size_t need = (size_t)bytes * copies;
	if (need > G.ew_bytes) {
		if (G.ew)
			CK(cudaFree(G.ew));
		G.ew = NULL;
		G.ew_bytes = 0;
		CK(cudaMalloc(&G.ew, need));
		G.ew_bytes = need;
		fill_bf16<<<G.info.sm_count * 8, 256, 0, G.stream>>>((__nv_bfloat16 *)G.ew, need / 2, 4);
		CK(cudaGetLastError());
		CK(cudaStreamSynchronize(G.stream));
	}
	size_t n = (size_t)bytes / 4; /* elements read (and as many written) */
	cudaGraph_t graph = NULL;
	cudaGraphExec_t exec = NULL;
	CK(cudaStreamBeginCapture(G.stream, cudaStreamCaptureModeThreadLocal));
	for (int i = 0; i < copies; i++) {
		__nv_bfloat16 *in = (__nv_bfloat16 *)(G.ew + (size_t)i * bytes);
		scale_shift_bf16<<<blocks_for(n), 256, 0, G.stream>>>(in, in + n, n, 1.0009765625f, 0.0f);
	}
	CK(cudaStreamEndCapture(G.stream, &graph));
	cudaError_t e = cudaGraphInstantiate(&exec, graph, 0);
	int st = -1;
	if (e == cudaSuccess)
		st = time_replays(launcher{ exec, NULL, NULL }, copies, r, err, errlen);
	else
		snprintf(err, errlen, "element-wise %lld bytes: %s", bytes, cudaGetErrorString(e));
	r->copies = copies;
	if (exec)
		cudaGraphExecDestroy(exec);
	cudaGraphDestroy(graph);
	return st;
}

extern "C" void gpu_close(void)
{
	if (G.lt)
		cublasLtDestroy(G.lt);
	if (N.lib && N.shutdown)
		N.shutdown();
	cudaDeviceReset();
}
