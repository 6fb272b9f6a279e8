/* systems: the GPU/node specs of systems/<name>.json (our transcription of the reference's
 * system YAML files), loaded once per process and read through named fields.
 *
 * The systems folder is, in order: $INFERCAST_SYSTEMS; <dir of the executable>/../systems
 * (an in-tree bin/); the installed share/infercast/systems (lib/util/sharedir). Field meanings and units:
 * systems/README.md. Numbers are kept exactly as the reference writes them. */
#ifndef INFERCAST_SYSTEMS_H
#define INFERCAST_SYSTEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* The reference indexes nccl_mem by GPU count 1, 2, 4, 8; a few more slots for other specs. */
#define SYSTEM_NCCL_MEM_MAX 16

struct system_spec {
	char name[64];          /* e.g. "h200_sxm" (the file name without .json) */
	char data_subdir[64];   /* its folder under the perf data root (the reference's data_dir) */
	char path[4096];        /* the JSON file it was read from */

	/* gpu */
	double mem_bw_bytes_per_s;
	double mem_bw_empirical_scaling_factor;   /* dimensionless, < 1 */
	double mem_empirical_constant_latency_s;
	double mem_capacity_bytes;
	double bfloat16_tc_flops;                 /* dense tensor-core FLOP/s */
	double int8_tc_flops;                     /* dense tensor-core int8 op/s */
	double float32_tc_flops, fp8_tc_flops, fp4_tc_flops;   /* 0 when the spec has none */
	bool has_float32_tc_flops, has_fp8_tc_flops, has_fp4_tc_flops;
	double power_w;                           /* board power */
	int sm_version;                           /* -1 when absent (the reference's default) */

	/* node */
	int num_gpus_per_node;
	int num_gpus_per_rack;                    /* 0 when absent: no rack tier */
	double intra_node_bw_bytes_per_s;         /* per GPU, one direction */
	double inter_node_bw_bytes_per_s;         /* per GPU, one direction */
	double inter_rack_bw_bytes_per_s;         /* 0 when absent */
	double pcie_bw_bytes_per_s;               /* one direction */
	double p2p_latency_s;
	double inter_rack_latency_s;              /* 0 when absent */

	/* misc */
	int nccl_mem_count;                       /* entries of nccl_mem_gpus / nccl_mem_bytes */
	int nccl_mem_gpus[SYSTEM_NCCL_MEM_MAX];
	double nccl_mem_bytes[SYSTEM_NCCL_MEM_MAX];
	double other_mem_bytes;
	char nccl_version[64];                    /* the NCCL data folder version, e.g. "2.26.2" */
	char oneccl_version[64];                  /* "" when absent */

	const cJSON *json;                        /* the whole file, for rarely used facts */
};

/* The spec of system `name`, loaded on first use and kept until exit (do not free).
 * NULL with a message in err when the name is not a plain name (letters, digits, '_', '-',
 * '.'; never '/', '..' or a leading '.'), is unknown (the message lists the known ones), or
 * the file is malformed or lacks a field the reference requires. */
const struct system_spec *system_load(const char *name, char *err, size_t errlen);

/* Which specs system_load reads from now on. Off (the start): <systems>/<name>.json, the
 * reference's v0.9 values, which its goldens and the v0.9 data tree were made with. On:
 * <systems>/current/<name>.json where there is one (the reference's current specs, those of
 * its family-first Parquet tree: newer NCCL versions and node sizes the newest tables were
 * measured with), else the same file as off. query turns it on under the load fidelity when
 * the data folder holds the family-first tree (docs/data.md). */
void systems_use_current(bool on);
bool systems_using_current(void);

/* The systems folder in use (see above), or NULL with a message. */
const char *systems_dir(char *err, size_t errlen);

/* The known system names, sorted, as "a100_pcie, a100_sxm, ..." into buf. 0, or -1 with err. */
int systems_known(char *buf, size_t n, char *err, size_t errlen);

/* True when name may be used as a system file name (see system_load). */
bool system_name_ok(const char *name);

/* Tensor-core rate for a quant mode's compute factor (1 bf16, 2 fp8, 4 fp4), as the
 * reference's GEMM._get_quant_tc_flops: the matching *_tc_flops entry when the spec has it,
 * else bfloat16_tc_flops × factor. */
double system_tc_flops(const struct system_spec *s, int compute_factor);

/* Point-to-point bandwidth for a group of num_gpus, as the reference's get_p2p_bandwidth:
 * intra-node up to num_gpus_per_node, inter-node up to num_gpus_per_rack, then inter-rack
 * (inter-node when the spec has no inter-rack figure). */
double system_p2p_bw_bytes_per_s(const struct system_spec *s, int num_gpus);

/* The NCCL buffer memory for a group of exactly `gpus` GPUs (callers clamp as the reference
 * does, e.g. min(tp, 8)). false when the spec has no entry for that count. */
bool system_nccl_mem_bytes(const struct system_spec *s, int gpus, double *bytes);

#endif
