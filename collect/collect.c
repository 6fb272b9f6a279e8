/* collect: measure perf tables on the local GPU — GEMMs (bfloat16, fp8 per-tensor) through
 * cuBLASLt and a memory-bound element-wise kernel — and write them as a data folder the other
 * tools read (--data-dir); or draft a system spec from what the device reports. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect_out.h"
#include "collect_plan.h"
#include "diag.h"
#include "gpu.h"

static const char usage_text[] =
	"usage: collect [--out DIR] [--system NAME] [--backend B] [--version V] [--ops LIST]\n"
	"               [--dtypes LIST] [--grid FILE] [--fp8-quant dynamic|static|none|trtllm] [--fp8-fast-accum]\n"
	"               [--algos N] [--warmup N] [--batches N] [--min-batch-ms MS] [--power]\n"
	"               [--power-ms MS]"
" [--device N] [--fill-from DIR] [--dry-run] [--quiet]\n"
	"       collect --system-spec [--system NAME] [--device N]\n"
	"\n"
	"Measures GEMMs and an element-wise kernel on the local GPU and writes them as perf tables in\n"
	"DIR/NAME/B/V/ (gemm_perf.txt, computescale_perf.txt, scale_matrix_perf.txt,\n"
	"elementwise_perf.txt, collect_info.json), a data folder the other tools read with --data-dir\n"
	"DIR. Each time is the median of timed batches of CUDA-graph replays. --system-spec instead\n"
	"prints a draft system spec (JSON) for the GPU, to check by hand.\n"
	"  --out DIR          data root to write into (default: collected)\n"
	"  --system NAME      system folder name (default: from the device name, e.g. h200)\n"
	"  --backend B        backend folder: trtllm (default), sglang or vllm\n"
	"  --version V        version folder (default: collect)\n"
	"  --ops LIST         gemm,fp8_quant,elementwise (default: all; fp8_quant: the activation\n"
	"                     quantization alone, over the (m, k) of the GEMM shapes)\n"
	"  --dtypes LIST      GEMM types: bfloat16,fp8 (default: both; fp8 needs sm_89 or newer)\n"
	"  --grid FILE        GEMM shapes, one m,n,k per line (default: the reference's grid, 35742)\n"
	"  --fp8-quant Q      what an fp8 GEMM call includes: dynamic (default: activation amax and\n"
	"                     e4m3 quantization, as TensorRT-LLM's per-tensor fp8 linear, with\n"
	"                     collect's kernels), trtllm (the same with kernels shaped as TensorRT-LLM\n"
	"                     1.3's, as the shipped tables time it; fp8_quant then times those too),\n"
	"                     static (quantization with a fixed scale) or none (the scaled GEMM alone)\n"
	"  --fp8-fast-accum   let cuBLASLt accumulate fp8 products fast (default: off)\n"
	"  --algos N          time cuBLASLt's first N algorithms per GEMM, keep the fastest (default: 1,\n"
	"                     its first choice)\n"
	"  --warmup N         graph replays before timing (default: 3)\n"
	"  --batches N        timed batches; the median is reported (default: 5)\n"
	"  --min-batch-ms MS  each batch lasts at least MS milliseconds (default: 1)\n"
	"  --power            sample power through NVML while timing: a power column (W)\n"
	"  --power-ms MS      with --power, the batches of one shape last MS in all (default: 1000)\n"
	"  --device N         CUDA device (default: 0)\n"
	"  --fill-from DIR    link the tables of version folder DIR that collect did not write\n"
	"                     (and its system's nccl/ folder), for a complete data folder\n"
	"  --dry-run          print the cases as JSON Lines and measure nothing (no GPU needed)\n"
	"  --quiet            no progress on stderr\n"
	"  --system-spec      print a draft system spec for the GPU and exit\n"
	"See collect(1).\n";

enum { OP_GEMM, OP_QUANT, OP_ELEMENTWISE, N_OPS };
enum { DT_BF16, DT_FP8, N_DTYPES };
static const char *const op_names[] = { "gemm", "fp8_quant", "elementwise" };
static const char *const dtype_names[] = { "bfloat16", "fp8" };
static const char *const backends[] = { "trtllm", "sglang", "vllm" };
static const char *const fp8_quants[] = { "dynamic", "static", "none", "trtllm" };

typedef struct opts {
	const char *out, *system, *backend, *version, *grid, *fill_from;
	bool ops[N_OPS], dtypes[N_DTYPES];
	int fp8_quant; /* index into fp8_quants */
	gpu_timing timing;
	long device;
	bool dry_run, quiet, system_spec;
	int argc;
	char **argv;
} opts;

/* A folder name from the user: no path characters (docs/data.md). */
static void check_name(const char *opt, const char *v)
{
	if (!*v || v[0] == '.' || strchr(v, '/'))
		usage_error("%s must be a plain folder name, not '%s'", opt, v);
}

static int name_index(const char *opt, const char *v, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	char known[128] = "";
	for (size_t i = 0; i < n; i++)
		snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", names[i]);
	usage_error("%s must be one of %s, not '%s'", opt, known, v);
}

static void parse_list(const char *opt, const char *v, const char *const *names, size_t n, bool *want)
{
	const char *bad;
	char buf[64];
	if (parse_name_list(v, names, n, want, &bad, buf, sizeof buf) != 0) {
		char known[128] = "";
		for (size_t i = 0; i < n; i++)
			snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "", names[i]);
		usage_error("%s: unknown name '%s' (known: %s)", opt, bad, known);
	}
}

static void parse_options(int argc, char **argv, opts *o)
{
	enum { O_OUT = 256, O_SYSTEM, O_BACKEND, O_VERSION, O_OPS, O_DTYPES, O_GRID, O_FP8Q, O_FAST, O_WARMUP,
	       O_BATCHES, O_MINB, O_POWMS, O_POW, O_ALGOS, O_DEVICE, O_FILL, O_DRY, O_QUIET, O_SPEC, O_HELP };
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, O_OUT },	   { "system", required_argument, NULL, O_SYSTEM },
		{ "backend", required_argument, NULL, O_BACKEND }, { "version", required_argument, NULL, O_VERSION },
		{ "ops", required_argument, NULL, O_OPS },	   { "dtypes", required_argument, NULL, O_DTYPES },
		{ "grid", required_argument, NULL, O_GRID },	   { "fp8-quant", required_argument, NULL, O_FP8Q },
		{ "fp8-fast-accum", no_argument, NULL, O_FAST },   { "warmup", required_argument, NULL, O_WARMUP },
		{ "batches", required_argument, NULL, O_BATCHES }, { "min-batch-ms", required_argument, NULL, O_MINB },
		{ "power-ms", required_argument, NULL, O_POWMS },  { "power", no_argument, NULL, O_POW },
		{ "device", required_argument, NULL, O_DEVICE },   { "fill-from", required_argument, NULL, O_FILL },
		{ "dry-run", no_argument, NULL, O_DRY },	   { "quiet", no_argument, NULL, O_QUIET },
		{ "system-spec", no_argument, NULL, O_SPEC },	   { "help", no_argument, NULL, O_HELP },
		{ "algos", required_argument, NULL, O_ALGOS },
		{ NULL, 0, NULL, 0 },
	};
	*o = (opts){ .out = "collected", .backend = "trtllm", .version = "collect", .ops = { true, true, true },
		     .dtypes = { true, true }, .argc = argc, .argv = argv,
		     .timing = { .warmup = 3, .batches = 5, .min_batch_ms = 1, .power_ms = 1000, .algos = 1 } };
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_OUT: o->out = optarg; break;
		case O_SYSTEM: check_name("--system", optarg), o->system = optarg; break;
		case O_BACKEND: o->backend = backends[name_index("--backend", optarg, backends, 3)]; break;
		case O_VERSION: check_name("--version", optarg), o->version = optarg; break;
		case O_OPS: parse_list("--ops", optarg, op_names, N_OPS, o->ops); break;
		case O_DTYPES: parse_list("--dtypes", optarg, dtype_names, N_DTYPES, o->dtypes); break;
		case O_GRID: o->grid = optarg; break;
		case O_FP8Q: o->fp8_quant = name_index("--fp8-quant", optarg, fp8_quants, 4); break;
		case O_FAST: o->timing.fp8_fast_accum = true; break;
		case O_ALGOS: o->timing.algos = (int)opt_long("--algos", optarg, 1, 8); break;
		case O_WARMUP: o->timing.warmup = (int)opt_long("--warmup", optarg, 0, 1000); break;
		case O_BATCHES: o->timing.batches = (int)opt_long("--batches", optarg, 1, 63); break;
		case O_MINB: o->timing.min_batch_ms = opt_double("--min-batch-ms", optarg); break;
		case O_POWMS: o->timing.power_ms = opt_double("--power-ms", optarg); break;
		case O_POW: o->timing.power = true; break;
		case O_DEVICE: o->device = opt_long("--device", optarg, 0, 1023); break;
		case O_FILL: o->fill_from = optarg; break;
		case O_DRY: o->dry_run = true; break;
		case O_QUIET: o->quiet = true; break;
		case O_SPEC: o->system_spec = true; break;
		case O_HELP: usage_print(usage_text); exit(finish_stdout());
		default:
			if (optopt)
				usage_error("option '-%c' is unknown or lacks its value", optopt);
			usage_error("option '%s' is unknown or lacks its value", argv[optind - 1]);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!(o->timing.min_batch_ms > 0 && o->timing.min_batch_ms <= 60000))
		usage_error("--min-batch-ms must be in (0, 60000]");
	if (!(o->timing.power_ms >= 0 && o->timing.power_ms <= 600000))
		usage_error("--power-ms must be in [0, 600000]");
	if (o->system_spec && o->dry_run)
		usage_error("--system-spec and --dry-run do not go together");
}

/* ---- the cases ---- */
typedef struct plan {
	gemm_grid grid;
	gemm_shape *mk; /* the distinct (m, k) of the grid, for fp8_quant (n unused) */
	size_t n_mk;
	const long long *ew_sizes;
	size_t n_ew;
} plan;

static void plan_build(const opts *o, plan *p)
{
	char err[512];
	*p = (plan){ 0 };
	bool quant = o->ops[OP_QUANT] && o->dtypes[DT_FP8];
	if (o->ops[OP_GEMM] || quant) {
		if (o->grid ? gemm_grid_read(&p->grid, o->grid, err, sizeof err) != 0
			    : gemm_grid_reference(&p->grid) != 0)
			die(EXIT_DATA, "%s", o->grid ? err : "out of memory");
	}
	if (quant && gemm_grid_mk(&p->grid, &p->mk, &p->n_mk) != 0)
		die(EXIT_DATA, "out of memory");
	if (o->ops[OP_ELEMENTWISE])
		p->n_ew = elementwise_sizes(&p->ew_sizes);
}

static void dry_run(const opts *o, const plan *p)
{
	for (int d = 0; o->ops[OP_GEMM] && d < N_DTYPES; d++) {
		if (!o->dtypes[d])
			continue;
		for (size_t i = 0; i < p->grid.n; i++) {
			const gemm_shape *s = &p->grid.shapes[i];
			printf("{\"op\":\"gemm\",\"gemm_dtype\":\"%s\",\"m\":%lld,\"n\":%lld,\"k\":%lld}\n", dtype_names[d],
			       s->m, s->n, s->k);
		}
		check_stdout();
	}
	for (int w = 0; w < 2; w++)
		for (size_t i = 0; i < p->n_mk; i++)
			printf("{\"op\":\"%s\",\"quant_dtype\":\"fp8\",\"m\":%lld,\"k\":%lld}\n",
			       w ? "scale_matrix" : "compute_scale", p->mk[i].m, p->mk[i].k);
	for (size_t i = 0; i < p->n_ew; i++)
		printf("{\"op\":\"elementwise\",\"bytes\":%lld}\n", p->ew_sizes[i]);
	size_t ng = o->ops[OP_GEMM] ? p->grid.n * (size_t)(o->dtypes[DT_BF16] + o->dtypes[DT_FP8]) : 0;
	if (!o->quiet)
		fprintf(stderr, "%s: %zu GEMMs, %zu fp8 quantizations, %zu element-wise sizes\n", diag_progname(), ng,
			2 * p->n_mk, p->n_ew);
}

/* The system name a device name suggests: "NVIDIA H200" -> "h200". */
static void system_from_device(char *dst, size_t n, const char *device)
{
	if (strncmp(device, "NVIDIA ", 7) == 0)
		device += 7;
	size_t j = 0;
	for (const char *s = device; *s && j + 1 < n; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		if (c == '_' && (j == 0 || dst[j - 1] == '_'))
			continue;
		dst[j++] = c;
	}
	while (j > 0 && dst[j - 1] == '_')
		j--;
	dst[j] = 0;
	if (!j)
		snprintf(dst, n, "gpu");
}

static void utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- measuring ---- */
typedef struct run {
	const opts *o;
	gpu_info info;
	char system[128], device_csv[256], dir[4096];
	char started[32];
	double t0;
	long gemm_rows[N_DTYPES], gemm_skipped[N_DTYPES], gemm_eager[N_DTYPES], gemm_not_first[N_DTYPES];
	long quant_rows;
	double quant_seconds;
	double gemm_seconds[N_DTYPES];
	long ew_rows;
	double ew_seconds;
	bool fit_ok;
	double fit_bw, fit_c;
	double last_progress;
} run;

static const char *fp8_source(int q)
{
	static const char *const s[] = { "cublaslt+dynamic_quant", "cublaslt+static_quant", "cublaslt",
					  "cublaslt+trtllm_quant" };
	return s[q];
}

static void progress(run *r, const char *what, size_t i, size_t n, bool force)
{
	double t = now_s();
	if (r->o->quiet || (!force && t - r->last_progress < 10))
		return;
	r->last_progress = t;
	fprintf(stderr, "%s: %s %zu/%zu (%.0f s)\n", diag_progname(), what, i, n, t - r->t0);
}

/* The GEMM buffers, sized for the largest shape of the grid. */
static void reserve(run *r, const plan *p)
{
	const opts *o = r->o;
	char err[512];
	double max_mk = 0, max_mn = 0, max_w = 0;
	for (size_t i = 0; i < p->grid.n; i++) {
		const gemm_shape *s = &p->grid.shapes[i];
		double mk = (double)s->m * s->k, mn = (double)s->m * s->n;
		max_mk = mk > max_mk ? mk : max_mk;
		max_mn = mn > max_mn ? mn : max_mn;
		for (int d = 0; d < N_DTYPES; d++) {
			if (!o->dtypes[d])
				continue;
			double wb = (double)s->n * s->k * (d == DT_BF16 ? 2 : 1);
			double w = ceil(wb / 256) * 256 * gemm_copies(wb, r->info.l2_bytes); /* copies 256-byte aligned */
			max_w = w > max_w ? w : max_w;
		}
	}
	if (gpu_reserve(max_mk, o->ops[OP_GEMM] ? max_mn : 0, o->ops[OP_GEMM] ? max_w : 0, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
}

static void measure_gemms(run *r, const plan *p)
{
	const opts *o = r->o;
	char err[512];
	out_table t = { 0 };
	bool power = o->timing.power && r->info.nvml;
	if (out_table_open(&t, r->dir, "gemm_perf.txt", "gemm_dtype,m,n,k", power, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	for (int d = 0; d < N_DTYPES; d++) {
		if (!o->dtypes[d])
			continue;
		enum gemm_kind kind = d == DT_BF16 ? GEMM_BF16
				      : o->fp8_quant == 0 ? GEMM_FP8_DYNAMIC
				      : o->fp8_quant == 1 ? GEMM_FP8_STATIC
				      : o->fp8_quant == 3 ? GEMM_FP8_TRTLLM
							  : GEMM_FP8_BARE;
		const char *source = d == DT_BF16 ? "cublaslt" : fp8_source(o->fp8_quant);
		char what[32];
		snprintf(what, sizeof what, "gemm %s", dtype_names[d]);
		double t0 = now_s();
		for (size_t i = 0; i < p->grid.n; i++) {
			const gemm_shape *s = &p->grid.shapes[i];
			gpu_result res;
			int st = gpu_gemm(kind, s->m, s->n, s->k, &res, err, sizeof err);
			if (st < 0)
				die(EXIT_DATA, "%s", err);
			if (st > 0) {
				r->gemm_skipped[d]++;
				if (!o->quiet)
					fprintf(stderr, "%s: skipped: %s\n", diag_progname(), err);
				continue;
			}
			char keys[128];
			snprintf(keys, sizeof keys, "%s,%lld,%lld,%lld", dtype_names[d], s->m, s->n, s->k);
			if (power && !res.has_power)
				die(EXIT_DATA, "NVML gave no power reading for %s m=%lld n=%lld k=%lld (without --power, "
					       "collect measures times alone)", dtype_names[d], s->m, s->n, s->k);
			if (out_table_row(&t, "collect", o->version, r->device_csv, "gemm", source, keys, res.median_ms,
					  res.has_power ? res.power_w : NAN, err, sizeof err) != 0)
				die(EXIT_DATA, "%s", err);
			r->gemm_rows[d]++;
			r->gemm_eager[d] += !res.graph;
			r->gemm_not_first[d] += res.algo != 0;
			progress(r, what, i + 1, p->grid.n, false);
		}
		r->gemm_seconds[d] = now_s() - t0;
		progress(r, what, p->grid.n, p->grid.n, true);
	}
	if (out_table_close(&t, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
}

/* compute_scale and scale_matrix: the two halves of the dynamic fp8 quantization, timed alone
 * over the (m, k) of the grid, as the tables the tools read for fp8_static GEMMs. */
static void measure_quant(run *r, const plan *p)
{
	const opts *o = r->o;
	static const char *const files[] = { "computescale_perf.txt", "scale_matrix_perf.txt" };
	static const char *const ops[] = { "compute_scale", "scale_matrix" };
	bool trt = o->fp8_quant == 3; /* --fp8-quant trtllm: TensorRT-LLM-shaped kernels here too */
	enum quant_style style = trt ? QUANT_TRTLLM : QUANT_OURS;
	const char *const sources[] = { trt ? "trtllm_amax_scale" : "amax_bf16", trt ? "trtllm_scale_e4m3" : "quantize_e4m3" };
	char err[512];
	bool power = o->timing.power && r->info.nvml;
	double t0 = now_s();
	for (int w = 0; w < 2; w++) {
		out_table t = { 0 };
		if (out_table_open(&t, r->dir, files[w], "m,k,quant_dtype", power, err, sizeof err) != 0)
			die(EXIT_DATA, "%s", err);
		for (size_t i = 0; i < p->n_mk; i++) {
			gpu_result res;
			if (gpu_quant(w, style, p->mk[i].m, p->mk[i].k, &res, err, sizeof err) != 0)
				die(EXIT_DATA, "%s", err);
			if (power && !res.has_power)
				die(EXIT_DATA, "NVML gave no power reading for %s m=%lld k=%lld (without --power, collect "
					       "measures times alone)", ops[w], p->mk[i].m, p->mk[i].k);
			char keys[64];
			snprintf(keys, sizeof keys, "%lld,%lld,fp8", p->mk[i].m, p->mk[i].k);
			if (out_table_row(&t, "collect", o->version, r->device_csv, ops[w], sources[w], keys, res.median_ms,
					  res.has_power ? res.power_w : NAN, err, sizeof err) != 0)
				die(EXIT_DATA, "%s", err);
			r->quant_rows++;
			progress(r, ops[w], i + 1, p->n_mk, false);
		}
		if (out_table_close(&t, err, sizeof err) != 0)
			die(EXIT_DATA, "%s", err);
	}
	r->quant_seconds = now_s() - t0;
}

/* Time the element-wise sizes; fills bytes[] and seconds[] (n entries), and the fit. */
static void elementwise_fit(run *r, const double *bytes, const double *secs, size_t n)
{
	r->fit_ok = fit_bandwidth(bytes, secs, n, &r->fit_bw, &r->fit_c) == 0;
}

static void measure_elementwise(run *r, const plan *p, bool write)
{
	const opts *o = r->o;
	char err[512];
	out_table t = { 0 };
	bool power = o->timing.power && r->info.nvml;
	if (write && out_table_open(&t, r->dir, "elementwise_perf.txt", "bytes", power, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	double bytes[64], secs[64];
	double t0 = now_s();
	for (size_t i = 0; i < p->n_ew; i++) {
		gpu_result res;
		if (gpu_elementwise(p->ew_sizes[i], &res, err, sizeof err) != 0)
			die(EXIT_DATA, "%s", err);
		bytes[i] = (double)p->ew_sizes[i];
		secs[i] = res.median_ms / 1000;
		char keys[32];
		snprintf(keys, sizeof keys, "%lld", p->ew_sizes[i]);
		if (write && power && !res.has_power)
			die(EXIT_DATA, "NVML gave no power reading for element-wise %lld bytes (without --power, "
				       "collect measures times alone)", p->ew_sizes[i]);
		if (write && out_table_row(&t, "collect", o->version, r->device_csv, "elementwise", "scale_shift_bf16", keys,
					   res.median_ms, res.has_power ? res.power_w : NAN, err, sizeof err) != 0)
			die(EXIT_DATA, "%s", err);
		r->ew_rows++;
	}
	r->ew_seconds = now_s() - t0;
	if (write && out_table_close(&t, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	elementwise_fit(r, bytes, secs, p->n_ew);
	if (!o->quiet && r->fit_ok)
		fprintf(stderr, "%s: element-wise: %.4g GB/s and %.3g us per call (fit)%s\n", diag_progname(),
			r->fit_bw / 1e9, r->fit_c * 1e6, r->info.peak_mem_bw > 0 ? "" : "; peak bandwidth unknown");
}

static void write_info(run *r)
{
	const opts *o = r->o;
	char path[4200], done[32];
	snprintf(path, sizeof path, "%s/collect_info.json", r->dir);
	FILE *f = fopen(path, "w");
	if (!f)
		die(EXIT_DATA, "cannot create %s: %s", path, strerror(errno));
	utc_now(done, sizeof done);
	const gpu_info *g = &r->info;
	fprintf(f, "{\n  \"tool\": \"infercast collect\",\n  \"command\": [");
	for (int i = 0; i < o->argc; i++) {
		fputs(i ? ", " : "", f);
		out_json_string(f, o->argv[i]);
	}
	fprintf(f, "],\n  \"started\": \"%s\",\n  \"finished\": \"%s\",\n", r->started, done);
	fprintf(f, "  \"device\": {\"name\": ");
	out_json_string(f, g->name);
	fprintf(f, ", \"sm_version\": %d, \"sm_count\": %d, \"memory_bytes\": %.0f, \"l2_bytes\": %.0f", g->sm_version,
		g->sm_count, g->mem_bytes, g->l2_bytes);
	if (g->power_limit_w > 0)
		fprintf(f, ", \"power_limit_w\": %.1f", g->power_limit_w);
	fprintf(f, "},\n");
	fprintf(f, "  \"versions\": {\"cuda_runtime\": ");
	out_json_string(f, g->cuda_runtime);
	fprintf(f, ", \"cuda_driver\": ");
	out_json_string(f, g->cuda_driver);
	fprintf(f, ", \"cublaslt\": ");
	out_json_string(f, g->cublaslt);
	fprintf(f, ", \"nvidia_driver\": ");
	out_json_string(f, g->driver);
	fprintf(f, "},\n  \"timing\": {\"method\": \"CUDA-graph replays between events; per call = batch time / "
		   "(replays x weight copies); median of the batches\", \"warmup\": %d, \"batches\": %d, "
		   "\"min_batch_ms\": %g, \"algos\": %d, \"power\": %s, \"power_ms\": %g, \"fp8_quant\": \"%s\", "
		   "\"fp8_fast_accum\": %s},\n",
		o->timing.warmup, o->timing.batches, o->timing.min_batch_ms, o->timing.algos,
		o->timing.power && g->nvml ? "true" : "false", o->timing.power_ms, fp8_quants[o->fp8_quant],
		o->timing.fp8_fast_accum ? "true" : "false");
	fprintf(f, "  \"tables\": {");
	bool first = true;
	for (int d = 0; d < N_DTYPES; d++) {
		if (!o->ops[OP_GEMM] || !o->dtypes[d])
			continue;
		fprintf(f,
			"%s\n    \"gemm %s\": {\"rows\": %ld, \"skipped\": %ld, \"direct_launches\": %ld, "
			"\"not_first_algorithm\": %ld, \"seconds\": %.1f}",
			first ? "" : ",", dtype_names[d], r->gemm_rows[d], r->gemm_skipped[d], r->gemm_eager[d],
			r->gemm_not_first[d], r->gemm_seconds[d]);
		first = false;
	}
	if (r->quant_rows) {
		fprintf(f, "%s\n    \"fp8_quant\": {\"rows\": %ld, \"seconds\": %.1f}", first ? "" : ",", r->quant_rows,
			r->quant_seconds);
		first = false;
	}
	if (o->ops[OP_ELEMENTWISE])
		fprintf(f, "%s\n    \"elementwise\": {\"rows\": %ld, \"seconds\": %.1f}", first ? "" : ",", r->ew_rows,
			r->ew_seconds);
	fprintf(f, "\n  }");
	if (r->fit_ok) {
		fprintf(f, ",\n  \"elementwise_fit\": {\"bytes_per_s\": %.6g, \"constant_latency_s\": %.6g", r->fit_bw,
			r->fit_c);
		if (g->peak_mem_bw > 0)
			fprintf(f, ", \"peak_bytes_per_s\": %.6g, \"scaling_factor\": %.4f", g->peak_mem_bw,
				r->fit_bw / g->peak_mem_bw);
		fprintf(f, "}");
	}
	fprintf(f, "\n}\n");
	if (ferror(f) | fclose(f))
		die(EXIT_DATA, "write error on %s", path);
}

static void measure(opts *o, const plan *p)
{
	run r = { .o = o };
	char err[512];
	utc_now(r.started, sizeof r.started);
	r.t0 = now_s();
	if (gpu_open((int)o->device, &o->timing, &r.info, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	if (o->system)
		snprintf(r.system, sizeof r.system, "%s", o->system);
	else
		system_from_device(r.system, sizeof r.system, r.info.name);
	out_csv_safe(r.device_csv, sizeof r.device_csv, r.info.name);
	if (o->ops[OP_GEMM] && o->dtypes[DT_FP8] && r.info.sm_version < 89) {
		fprintf(stderr, "%s: %s (sm_%d) has no fp8 tensor cores: fp8 skipped\n", diag_progname(), r.info.name,
			r.info.sm_version);
		o->dtypes[DT_FP8] = false;
	}
	snprintf(r.dir, sizeof r.dir, "%s/%s/%s/%s", o->out, r.system, o->backend, o->version);
	if (out_mkdirs(r.dir) != 0)
		die(EXIT_DATA, "cannot create %s: %s", r.dir, strerror(errno));
	/* The tools skip a version folder holding this marker (docs/data.md) until the run ends. */
	char marker[4200];
	snprintf(marker, sizeof marker, "%s/INCOMPLETE.txt", r.dir);
	FILE *m = fopen(marker, "w");
	if (!m || fprintf(m, "collect started %s and has not finished\n", r.started) < 0 || fclose(m) != 0)
		die(EXIT_DATA, "cannot create %s: %s", marker, strerror(errno));
	if (!o->quiet)
		fprintf(stderr, "%s: %s (sm_%d, %d SMs), CUDA %s, cuBLASLt %s, driver %s%s -> %s\n", diag_progname(),
			r.info.name, r.info.sm_version, r.info.sm_count, r.info.cuda_runtime, r.info.cublaslt, r.info.driver,
			r.info.nvml ? "" : " (no NVML: no power)", r.dir);
	if (p->grid.n)
		reserve(&r, p);
	if (o->ops[OP_GEMM])
		measure_gemms(&r, p);
	if (p->n_mk && o->dtypes[DT_FP8])
		measure_quant(&r, p);
	if (o->ops[OP_ELEMENTWISE])
		measure_elementwise(&r, p, true);
	gpu_close();
	write_info(&r);
	if (o->fill_from) {
		int made = out_link_missing(o->fill_from, r.dir, err, sizeof err);
		if (made < 0)
			die(EXIT_DATA, "%s", err);
		if (!o->quiet)
			fprintf(stderr, "%s: linked %d tables and folders from %s\n", diag_progname(), made, o->fill_from);
	}
	if (unlink(marker) != 0)
		die(EXIT_DATA, "cannot remove %s: %s", marker, strerror(errno));
	if (!o->quiet)
		fprintf(stderr, "%s: done in %.0f s: %s\n", diag_progname(), now_s() - r.t0, r.dir);
}

/* ---- the system spec draft ---- */
/* Dense bfloat16 tensor-core FLOP per SM per clock, by compute capability (the architectures'
 * published peak rates divided by SMs and boost clock). */
static double bf16_flop_per_sm_clock(int sm)
{
	switch (sm) {
	case 80: return 2048;
	case 86: case 87: return 512;
	case 89: case 120: case 121: return 1024;
	case 90: return 4096;
	case 100: case 103: return 8192;
	default: return 0;
	}
}

static void json_num(const char *key, double v, bool *first, bool integer)
{
	printf("%s\n    \"%s\": ", *first ? "" : ",", key);
	if (integer)
		printf("%.0f", v);
	else
		printf("%.6g", v);
	*first = false;
}

static void system_spec(const opts *o)
{
	run r = { .o = o };
	char err[512];
	if (gpu_open((int)o->device, &o->timing, &r.info, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	const gpu_info *g = &r.info;
	char name[128], date[32], missing[512] = "", checks[1024] = "";
	if (o->system)
		snprintf(name, sizeof name, "%s", o->system);
	else
		system_from_device(name, sizeof name, g->name);
	utc_now(date, sizeof date);
	plan p = { 0 };
	p.n_ew = elementwise_sizes(&p.ew_sizes);
	r.t0 = now_s();
	measure_elementwise(&r, &p, false);
	gpu_close();
#define MISSING(s) snprintf(missing + strlen(missing), sizeof missing - strlen(missing), "%s%s", *missing ? ", " : "", s)
	printf("{\n  \"name\": ");
	out_json_string(stdout, name);
	printf(",\n  \"data_subdir\": ");
	out_json_string(stdout, name);
	printf(",\n  \"gpu\": {");
	bool first = true;
	if (g->peak_mem_bw > 0)
		json_num("mem_bw_bytes_per_s", g->peak_mem_bw, &first, true);
	else
		MISSING("gpu.mem_bw_bytes_per_s");
	if (r.fit_ok && g->peak_mem_bw > 0) {
		json_num("mem_bw_empirical_scaling_factor", r.fit_bw / g->peak_mem_bw, &first, false);
		json_num("mem_empirical_constant_latency_s", r.fit_c, &first, false);
	} else {
		MISSING("gpu.mem_bw_empirical_scaling_factor, gpu.mem_empirical_constant_latency_s");
	}
	json_num("mem_capacity_bytes", g->mem_bytes, &first, true);
	double per = bf16_flop_per_sm_clock(g->sm_version);
	if (per > 0 && g->max_sm_clock_hz > 0) {
		double bf16 = per * g->sm_count * g->max_sm_clock_hz;
		json_num("bfloat16_tc_flops", bf16, &first, true);
		if (g->sm_version != 103)
			json_num("int8_tc_flops", 2 * bf16, &first, true);
		else
			MISSING("gpu.int8_tc_flops");
		if (g->sm_version >= 89)
			json_num("fp8_tc_flops", 2 * bf16, &first, true);
		snprintf(checks + strlen(checks), sizeof checks - strlen(checks),
			 "tensor-core rates are %g FLOP/clock/SM x %d SMs x the %.0f MHz maximum SM clock (vendor "
			 "figures often use a lower boost clock: H100/H200 SXM 1830 MHz gives 989 TFLOP/s); ",
			 per, g->sm_count, g->max_sm_clock_hz / 1e6);
	} else {
		MISSING("gpu.bfloat16_tc_flops, gpu.int8_tc_flops");
	}
	if (g->power_limit_w > 0)
		json_num("power_w", g->power_limit_w, &first, true);
	else
		MISSING("gpu.power_w");
	json_num("sm_version", g->sm_version, &first, true);
	printf("\n  },\n  \"node\": {");
	first = true;
	json_num("num_gpus_per_node", g->device_count, &first, true);
	snprintf(checks + strlen(checks), sizeof checks - strlen(checks),
		 "num_gpus_per_node is the %d GPU(s) this process sees; ", g->device_count);
	if (g->nvlinks > 0) {
		double per_link = g->nvlink_version >= 5 ? 50e9 : 25e9; /* one direction */
		json_num("intra_node_bw_bytes_per_s", g->nvlinks * per_link, &first, true);
		snprintf(checks + strlen(checks), sizeof checks - strlen(checks),
			 "intra_node_bw is %d active NVLinks (version %d) x %.0f GB/s; ", g->nvlinks, g->nvlink_version,
			 per_link / 1e9);
	} else {
		MISSING("node.intra_node_bw_bytes_per_s (no active NVLink seen)");
	}
	if (g->pcie_bw > 0)
		json_num("pcie_bw_bytes_per_s", g->pcie_bw, &first, true);
	else
		MISSING("node.pcie_bw_bytes_per_s");
	MISSING("node.inter_node_bw_bytes_per_s, node.p2p_latency_s, misc.nccl_mem_bytes, misc.other_mem_bytes, "
		"misc.nccl_version");
	printf("\n  },\n  \"misc\": {},\n  \"notes\": ");
	char notes[2048];
	snprintf(notes, sizeof notes,
		 "drafted by collect --system-spec on %s from %s (sm_%d, %d SMs, driver %s): check by hand. %s"
		 "the element-wise factor and constant are a fit of a bfloat16 scale-and-shift kernel, 8 KiB to "
		 "2 GiB. Not drafted (the device cannot tell; the spec does not load until they are filled in): %s",
		 date, g->name, g->sm_version, g->sm_count, g->driver, checks, missing);
	out_json_string(stdout, notes);
	printf("\n}\n");
	if (!o->quiet)
		fprintf(stderr, "%s: a draft: fill in %s\n", diag_progname(), missing);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	opts o;
	parse_options(argc, argv, &o);
	if (o.system_spec) {
		system_spec(&o);
		return finish_stdout();
	}
	plan p;
	plan_build(&o, &p);
	if (o.dry_run)
		dry_run(&o, &p);
	else
		measure(&o, &p);
	gemm_grid_free(&p.grid);
	free(p.mk);
	return finish_stdout();
}
