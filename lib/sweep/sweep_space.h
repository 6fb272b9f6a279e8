/* sweep_space: the search space of the reference's `cli default` run (sdk/task.py layers,
 * enumerate_parallel_config in sdk/utils.py, the batch and context-token lists of
 * BaseBackend.find_best_agg_result_under_constraints and DisaggInferenceSession): which worker
 * layouts fit a worker on the given GPUs, which batch sizes each worker tries, and which
 * (batch, ctx_tokens) points an aggregated worker is evaluated at. Pure enumeration: nothing
 * here looks at latencies; what depends on results (OOM cut-offs, the balance-score skip) is
 * replayed by lib/sweep/sweep_pick from the priced reports, in the same order. */
#ifndef INFERCAST_SWEEP_SPACE_H
#define INFERCAST_SWEEP_SPACE_H

#include <stdbool.h>
#include <stddef.h>

enum { SWEEP_MAX_LAYOUTS = 512, SWEEP_MAX_LIST = 128 };

/* One worker layout: tensor, pipeline, attention-data parallel, MoE tensor, MoE expert parallel. */
typedef struct sweep_layout {
	int tp, pp, dp, moe_tp, moe_ep;
} sweep_layout;

/* Which role the layouts are for: an aggregated worker, a prefill worker or a decode worker. */
typedef enum { SWEEP_AGG, SWEEP_PREFILL, SWEEP_DECODE } sweep_role;

/* A worker role's search lists given by the user (an experiment's worker_config): num_gpu, tp,
 * pp, dp, moe_tp, moe_ep, each replacing the reference's default list when given. */
enum { SWEEP_LIST_KINDS = 6, SWEEP_LIST_MAX = 16 };
typedef struct sweep_lists {
	bool given[SWEEP_LIST_KINDS];
	int n[SWEEP_LIST_KINDS];
	int v[SWEEP_LIST_KINDS][SWEEP_LIST_MAX];
} sweep_lists;

/* Parses "num_gpu=4,8/tp=1,2,4,8/pp=1/dp=1/moe_tp=1/moe_ep=1,2,4,8" (any subset, any order) into
 * l. 0, or -1 with err. */
int sweep_lists_parse(const char *text, sweep_lists *l, char *err, size_t errlen);

/* What decides the search space. */
typedef struct sweep_spec {
	const char *system, *backend;
	bool is_moe;
	bool enable_wideep;       /* the reference's --enable-wideep */
	const char *moe_backend;  /* NULL, or "deepep_moe" */
	long total_gpus;
	const sweep_lists *lists[3]; /* per sweep_role: the user's lists, or NULL */
} sweep_spec;

/* The layouts of role, in the reference's enumeration order (tp, pp, dp, moe_tp, moe_ep loops).
 * Returns how many (0: none fits total_gpus). */
size_t sweep_layouts(const sweep_spec *spec, sweep_role role, sweep_layout *out, size_t cap);

/* "tp4pp1dp1etp1ep1": the reference's `parallel` column. */
void sweep_layout_name(const sweep_layout *l, char *buf, size_t n);

/* Batch sizes an aggregated worker tries (at most max_batch, the reference's 512). */
size_t sweep_agg_batches(long max_batch, long *out, size_t cap);
/* Batch sizes a decode worker tries (decode_max_batch_size, the reference's 512). */
size_t sweep_decode_batches(long max_batch, long *out, size_t cap);
/* Batch sizes a prefill worker tries: 1 .. prefill_max_batch × isl / isl. */
size_t sweep_prefill_batches(long prefill_max_batch, long *out, size_t cap);

/* Context-token budgets an aggregated worker tries (_get_ctx_tokens_list_for_agg_sweep with the
 * default stride of 512), ascending. */
size_t sweep_ctx_tokens(long isl, bool chunked_prefill, long *out, size_t cap);

/* Whether the reference's (batch, ctx_tokens) loop reaches ctx_tokens at batch before it stops
 * on its own structure (a mixed step must keep a decode request when batch > 1). Later
 * ctx_tokens at the same batch are not reached either. */
bool sweep_agg_point_reached(long batch, long ctx_tokens, long isl);

/* The TPOT targets (ms) the reference scans to draw its fronts: 1..19, then 20..295 by 5. */
size_t sweep_tpot_targets(double *out, size_t cap);

/* The reference's default MTP depth for a model family (1 for DeepSeek-like families and
 * Qwen3.5, else 0). */
long sweep_default_nextn(const char *family);

#endif
