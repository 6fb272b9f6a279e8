/* opgraph_summary: folds the op records of one configuration, once query has priced them, into
 * the reference's static-batching summary (BaseBackend.run_static after the phases ran): phase
 * latencies summed per op name in first-appearance order, TTFT, TPOT, request latency,
 * throughputs per GPU and per user, average power; and the report record aggregate writes. */
#ifndef INFERCAST_OPGRAPH_SUMMARY_H
#define INFERCAST_OPGRAPH_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* One op name of one phase: the reference's per-name dict entry. */
typedef struct summary_op {
	unsigned name_hash;   /* of the name as added: compared before the name (summary_add) */
	char name[64];
	int phase;            /* 0 context, 1 generation, 2 encoder (a vision encoder's ops) */
	double latency_ms, energy_wms;
	char source[256];     /* silicon, empirical, sol, mixed, or "fallback: ..." (query under the load fidelity) */
} summary_op;

typedef struct summary {
	summary_op *ops;
	size_t n, cap;
} summary;

void summary_init(summary *s);
void summary_free(summary *s);
/* Adds one priced op record (latency_ms already Σ count × latency × scale_factor). Records of
 * the same name and phase add up; differing sources make "mixed". */
void summary_add(summary *s, const char *name, int phase, double latency_ms, double energy_wms,
		 const char *source);

typedef struct static_result {
	double ttft_ms, tpot_ms, context_latency_ms, generation_latency_ms, request_latency_ms;
	double encoder_latency_ms; /* a vision encoder's ops, counted into TTFT */
	double seq_per_s, seq_per_s_per_gpu, tokens_per_s, tokens_per_s_per_gpu, tokens_per_s_per_user;
	double power_w;
} static_result;

/* The reference's run_static arithmetic for mode (static, static_ctx, static_gen). */
void summary_static(const summary *s, const char *mode, long batch, long osl, long tp, long pp, long dp,
		    static_result *out);

/* The report record: the config record's keys (model reduced to its path), then the results,
 * then `ops` [{name, phase, latency_ms, energy_wms, source}] if with_ops. Caller frees. */
/* A report record's first part: the config record's keys, the model named by its path, and
 * data_version (what query priced with) in the place of version. */
cJSON *summary_report_head(const cJSON *config);
cJSON *summary_report(const cJSON *config, const summary *s, const static_result *res, bool with_ops);

#endif
