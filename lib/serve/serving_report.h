/* serving_report: aggregate's side of the serving modes. It collects the priced op records of
 * one agg or disagg configuration by their `step` (lib/graph/opgraph_serving tags them), sums each
 * step's static run the way the reference's run_static does (per op name, first-appearance
 * order), and puts the steps together with lib/serve/serving_agg (run_agg) or lib/serve/serving_disagg
 * (run_disagg) into one report record. */
#ifndef INFERCAST_SERVING_REPORT_H
#define INFERCAST_SERVING_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opgraph_summary.h"

enum { SERVING_STEP_COUNT = 9 };

/* The step tags, in report order: mix, mix_ctx_attention, mix_gen_attention, genonly, prefill,
 * decode, load_prefill, load_chunk, load_decode. */
extern const char *const serving_step_names[SERVING_STEP_COUNT];

typedef struct serving_ops {
	summary steps[SERVING_STEP_COUNT];
} serving_ops;

void serving_ops_init(serving_ops *s);
void serving_ops_free(serving_ops *s);
/* Empties s for the next configuration, its arrays kept. */
void serving_ops_clear(serving_ops *s);
/* Adds one priced op of step. Returns 0, or -1 with a message for an unknown step. */
int serving_ops_add(serving_ops *s, const char *step, const char *name, int phase, double latency_ms,
		    double energy_wms, const char *source, char *err, size_t errn);

/* Whether a config record is a serving one (mode agg or disagg). */
bool serving_config(const cJSON *config);

/* The report record of a serving configuration: the config record's keys (model reduced to its
 * path) and the mode's results; with_ops adds `ops` ({step, name, phase, latency_ms, energy_wms,
 * source} per step and op name). Returns NULL with a message when a step the mode needs has no
 * ops or the config record lacks a key. Caller frees. */
cJSON *serving_report(const cJSON *config, const serving_ops *s, bool with_ops, char *err, size_t errn);

/* The load model's parameter file (lib/serve/serving_load): path, or NULL for $INFERCAST_LOAD_PARAMS
 * or params/load_model.json (beside the programs, else installed). Read at the first load-model configuration. */
void serving_report_load_params(const char *path);
/* Frees what serving_report read. */
void serving_report_cleanup(void);

#endif
