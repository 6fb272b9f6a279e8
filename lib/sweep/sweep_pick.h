/* sweep_pick: what the reference does with the priced points of a `default` sweep.
 *
 * Aggregated (pareto_analysis.agg_pareto + find_best_agg_result_under_constraints): per worker
 * layout, the (batch, ctx_tokens) loop is replayed in sweep order with its result-dependent
 * cut-offs (the balance-score skip, the break at the first out-of-memory point); then, for
 * every TPOT target of the reference's scan, the points meeting it and the TTFT target are
 * ranked by seq/s and the best 10 kept; the union, deduplicated, is the agg result table.
 *
 * Disaggregated (DisaggInferenceSession.find_best_disagg_result_under_constraints): prefill
 * and decode worker rows (static runs with the latency corrections, rounded as the reference
 * rounds them, cut at the first OOM batch of a layout); per TPOT target, prefill workers under
 * the TTFT target (after the 1.8 queueing factor) and decode workers under the TPOT target are
 * paired per decode layout, worker counts matched to a replica size, the best pair of each
 * layout kept; the union is the disagg result table.
 *
 * Picking (picking.pick_default): tokens/s/gpu over the whole cluster, the Pareto front of it
 * against tokens/s/user, and the best configuration of each layout under the TPOT target.
 *
 * With an end-to-end request latency target (--request-latency), the reference swaps the TPOT
 * scan of both searches for (TTFT, TPOT) pairs that split the target between the first token
 * and the osl-1 others (utils.enumerate_ttft_tpot_constraints), draws the front against
 * request_latency (lower is better) and picks under the request latency target instead. */
#ifndef INFERCAST_SWEEP_PICK_H
#define INFERCAST_SWEEP_PICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sweep_space.h"

enum { PICK_NAME = 64 };

/* What every row says about the deployment (the reference's shared columns). */
typedef struct pick_common {
	char model[128], backend[16], version[48], system[48];
	char database_mode[16]; /* the reports' (query: silicon, hybrid, empirical, sol); "" when unsaid */
	char gemm[24], kvcache[24], fmha[24], moe[24], comm[24];
	long isl, osl, prefix;
} pick_common;

/* One priced aggregated point (the reference's run_agg result, unrounded). */
typedef struct agg_point {
	sweep_layout layout;
	long batch, ctx_tokens, global_batch, concurrency, num_total_gpus;
	double ttft, tpot, request_latency, request_rate, seq_s, seq_s_gpu, tokens_s, tokens_s_gpu,
		tokens_s_user;
	double memory, balance_score, num_ctx_reqs, num_gen_reqs, num_tokens, gen_tokens, power_w;
	bool oom, kv_cache_oom;
	/* priced by infercast's load model (aggregate's latency_model "load"), not run_agg: one
	 * point per layout and batch, no balance skip; ctx_tokens holds the engine's chunk tokens,
	 * num_ctx_reqs the prompts per chunk, num_gen_reqs the decode batch, and balance_score,
	 * num_tokens, gen_tokens and power_w are not computed (empty in the CSV files) */
	bool load;
	const char *error;   /* not NULL: the point could not be priced (why; not owned), no numbers */
} agg_point;

/* One priced worker of a disaggregated deployment: its static row as the reference reads it
 * back (latency corrections applied, then rounded to 3 decimals). */
typedef struct side_point {
	sweep_layout layout;
	char parallel[32];   /* the layout's name (sweep_layout_name) */
	long batch, global_batch, num_total_gpus;
	double ttft, tpot, seq_s, seq_s_gpu, tokens_s_user, memory, power_w;
	bool oom;
	const char *error;   /* not NULL: the worker could not be priced (why; not owned), no numbers */
	/* its FMHA mode (a prefill worker's may differ from a decode worker's: lib/sweep/sweep_quant)
	 * and its own system, data version and quant modes (a decode system, per-side quant modes):
	 * "" when the report does not say, NULL in a point not read from a report; the shared
	 * columns' then. Texts kept once for the process by sweep_side_point (a sweep has a handful),
	 * cut to 23 characters (system and version: 47). */
	const char *fmha, *system, *version, *gemm, *kvcache, *moe, *comm;
} side_point;

/* A row of a result table: an agg point, or a prefill/decode pair with worker counts. Rounded
 * to 3 decimals as the reference's tables are. */
typedef struct pick_row {
	bool disagg;
	agg_point a;             /* agg */
	side_point p, d;         /* disagg */
	long p_workers, d_workers;
	double ttft, tpot, request_latency, request_rate, seq_s, seq_s_gpu, tokens_s, tokens_s_gpu, tokens_s_user,
		concurrency, power_w, p_memory, d_memory, p_seq_s_worker, d_seq_s_worker;
	long num_total_gpus;
	double tokens_s_gpu_cluster; /* set by picking */
	char group[PICK_NAME];       /* parallel (agg) or (d)parallel (disagg) */
} pick_row;

typedef struct pick_table {
	pick_row *rows;
	size_t n, cap;
} pick_table;

void pick_table_free(pick_table *t);

/* The search's fixed parameters. */
typedef struct pick_targets {
	double ttft, tpot;       /* the user's targets (ms) */
	long total_gpus;
	long top_n;              /* best configurations per mode (5) */
	bool strict_sla;         /* drop points over the TPOT target before the front */
	double request_latency;  /* end-to-end target (ms); 0: none, the TPOT target rules */
} pick_targets;

/* One (TTFT, TPOT) target pair a search scans. */
typedef struct pick_sla {
	double ttft, tpot;
} pick_sla;

enum { PICK_MAX_SLA = SWEEP_MAX_LIST };

/* The pairs the searches scan: without a request latency target, the user's TTFT with each TPOT
 * target of the reference's scan; with one, the reference's split of it: candidate TTFTs (its
 * typical values, fractions of the target outside their range, and the user's TTFT) below the
 * target, ascending, each with TPOT = (target - TTFT) / (osl - 1). osl must be above 1 then. */
size_t pick_sla_pairs(const pick_targets *t, long osl, pick_sla *out, size_t cap);

/* The searches below over explicit target pairs (pick_agg_results and pick_disagg_results scan
 * the user's TTFT with the reference's TPOT targets). */
void pick_agg_results_under(const agg_point *pts, size_t n, long isl, long osl, const pick_sla *sla, size_t nsla,
			    pick_table *out);
void pick_disagg_results_under(const side_point *prefill, size_t np, const side_point *decode, size_t nd, long osl,
			       const pick_sla *sla, size_t nsla, long max_gpus, bool require_same_tp,
			       pick_table *out);

/* The agg result table from the points in sweep order (points of one layout contiguous, batch
 * then ctx_tokens ascending). A layout with an evaluated point that could not be priced is left
 * out whole, as the reference's search skips a layout whose run raises. */
void pick_agg_results(const agg_point *pts, size_t n, long isl, long osl, double ttft_target, pick_table *out);

/* What a search had to work with, for the reason it gives when its table is empty (the
 * reference's order: a layout that raised, else nothing fits in memory). */
typedef struct pick_status {
	size_t usable;            /* agg: evaluated points of kept layouts that fit; disagg: worker rows */
	size_t failed_layouts;    /* layouts cut (agg: dropped) by a point that could not be priced */
	const char *last_error;   /* the reason of the last of them (not owned), or NULL */
} pick_status;

void pick_agg_status(const agg_point *pts, size_t n, long isl, long osl, pick_status *st);

/* The worker rows of one side: each layout's batches up to the first that does not fit or
 * could not be priced (the reference stops a layout's batch loop there). */
void pick_side_status(const side_point *workers, size_t n, pick_status *st);

/* The reference's replica_config: the GPU counts a replica may have (num_gpu_per_replica;
 * any_size: every count up to the cap, as its wide-EP default), the cap (max_gpu_per_replica,
 * itself capped by the search's GPUs) and the largest worker counts of each side. A cap above
 * the largest size extends the sizes by 8 at a time, as the reference's task does. */
enum { PICK_MAX_REPLICA_SIZES = 128 };
typedef struct pick_replica {
	long sizes[PICK_MAX_REPLICA_SIZES];
	size_t nsizes;
	bool any_size;
	long max_gpus_per_replica;
	long max_prefill_workers, max_decode_workers;
	/* each pool's GPUs (replica_config max_prefill_gpus, max_decode_gpus): 0 no bound; as the
	 * reference, they bound only when both are given */
	long max_prefill_gpus, max_decode_gpus;
	/* the rate matching's throughput factors (advanced_tuning_config
	 * rate_matching_{prefill,decode}_degradation_factor) */
	double prefill_degradation, decode_degradation;
} pick_replica;

/* The reference's defaults: sizes 1, 2, 4, 8, 16, 24, ..., 128; cap 128; 32 workers a side; no
 * pool bounds; degradation 0.9 (prefill) and 0.92 (decode). */
void pick_replica_defaults(pick_replica *r);
/* Use r for the disagg searches of this process. */
void pick_set_replica(const pick_replica *r);

/* The disagg result table from prefill and decode workers in sweep order. max_gpus bounds a
 * replica (the reference: min(total_gpus, 128)); require_same_tp pairs only equal TP (SGLang). */
void pick_disagg_results(const side_point *prefill, size_t np, const side_point *decode, size_t nd, long osl,
			 double ttft_target, long max_gpus, bool require_same_tp, pick_table *out);

/* The reference's pick_default on a result table: fills tokens/s/gpu_cluster of every row,
 * front gets the Pareto front (ascending tokens/s/user), best the top_n configurations (one per
 * layout group) under the TPOT target; *met tells whether any row meets it (otherwise best
 * holds the rows closest to it, as the reference falls back). With t->request_latency > 0 the
 * front is against request_latency (ascending, lower better) and the target is request_latency
 * (ties on throughput: lower latency first). */
void pick_default(pick_table *results, const pick_targets *t, pick_table *front, pick_table *best, bool *met);

/* CSV in the reference's columns (ColumnsAgg / ColumnsDisagg + tokens/s/gpu_cluster). */
void pick_write_csv(FILE *out, const pick_table *t, bool disagg, const pick_common *c);

#endif
