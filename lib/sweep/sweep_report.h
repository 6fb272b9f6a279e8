/* sweep_report: reads the report records of a `default` sweep (aggregate's output for the
 * configurations filters/sweep wrote) into the points lib/sweep/sweep_pick searches: an agg report
 * becomes an agg_point; a static_ctx / static_gen report a prefill / decode worker, with the
 * reference's disagg latency corrections applied per op (1.1 prefill, 1.08 decode) and its
 * static row rounded to 3 decimals. */
#ifndef INFERCAST_SWEEP_REPORT_H
#define INFERCAST_SWEEP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "sweep_pick.h"

/* The reference's default disagg latency corrections (sdk/task.py). */
#define SWEEP_PREFILL_CORRECTION 1.1
#define SWEEP_DECODE_CORRECTION 1.08
/* TRT-LLM's KV-cache budget in the reference (trtllm_backend.py): a reserve and a tolerance
 * taken off what the engine may use. */
#define SWEEP_KV_RESERVED_FRACTION 0.015
#define SWEEP_KV_TOLERANCE 0.02

typedef enum { SWEEP_REPORT_AGG, SWEEP_REPORT_PREFILL, SWEEP_REPORT_DECODE, SWEEP_REPORT_OTHER } sweep_report_kind;

/* Which kind of sweep point a report is. */
sweep_report_kind sweep_report_kind_of(const cJSON *report);

/* A report with `error` (a configuration query --keep-going could not price) gives a point with
 * its layout, batch (agg: ctx_tokens) and `error` pointing into the report, which must then
 * outlive the point (the caller copies it if not). */

/* An agg report. kv_fraction > 0 re-runs TRT-LLM's KV-cache budget check with that fraction of
 * free memory (the reference's `default` uses 1.0 where `estimate` uses 0.9) when the report says
 * the check applies. 0, or -1 with a message naming the missing key. */
int sweep_agg_point(const cJSON *report, double kv_fraction, agg_point *out, char *err, size_t errn);

/* A static_ctx or static_gen report as a worker row with the correction scale applied to each
 * op (`ops`, from aggregate --ops), else to the phase sums. */
int sweep_side_point(const cJSON *report, double correction, side_point *out, char *err, size_t errn);

/* The columns every row shares, from any report (version: the report's, else `version`). */
int sweep_common(const cJSON *report, const char *version, pick_common *out, char *err, size_t errn);

/* Whether the report is of a MoE model (moe_tp given). */
bool sweep_report_is_moe(const cJSON *report);

#endif
