/* opgraph_refused: the config record of a configuration opgraph cannot build (opgraph
 * --keep-going). The reference's `default` sweep skips a worker layout whose model cannot be
 * made (e.g. fp8_block experts that do not split into whole weight blocks over moe_tp); the
 * record keeps the configuration's place in the sweep (layout, batch, ctx_tokens) and says why
 * in `error`, with no ops after it, so that aggregate and pareto can drop it as the reference. */
#ifndef INFERCAST_OPGRAPH_REFUSED_H
#define INFERCAST_OPGRAPH_REFUSED_H

#include <cjson/cJSON.h>

#include "opgraph.h"
#include "opgraph_serving.h"

/* The keys every config record starts with: record "config", config_id, model (the model
 * record as given, without its runtime and config_id), system, backend, version (null: the
 * newest), mode. opgraph's config records and the refused ones below both begin so. */
cJSON *og_config_head(const og_runtime *rt, const cJSON *model_rec, const char *config_id);

/* A new config record: record, config_id, model (the model record as given), system, backend,
 * version, mode, tp, pp, dp, moe_tp, moe_ep (null when not given), batch, isl, osl, prefix,
 * serving {mode, ctx_tokens} for agg, an empty memory_gib, and error. */
cJSON *og_refused_config(const og_runtime *rt, const og_serving_request *srv, const cJSON *model_rec,
			 const char *config_id, const char *error);

#endif
