/* opgraph_config: every config record opgraph writes, in one place: the record of a built
 * configuration (its layout, resolved quant modes, MTP scale and memory), and the record of a
 * configuration opgraph cannot build (opgraph --keep-going). The reference's `default` sweep skips a worker layout whose model cannot be
 * made (e.g. fp8_block experts that do not split into whole weight blocks over moe_tp); the
 * record keeps the configuration's place in the sweep (layout, batch, ctx_tokens) and says why
 * in `error`, with no ops after it, so that aggregate and pareto can drop it as the reference. */
#ifndef INFERCAST_OPGRAPH_CONFIG_H
#define INFERCAST_OPGRAPH_CONFIG_H

#include <cjson/cJSON.h>

#include "memory.h"
#include "opgraph.h"
#include "opgraph_serving.h"

/* The keys every config record starts with: record "config", config_id, model (the model
 * record as given, without its runtime and config_id), system, backend, version (null: the
 * newest), mode. opgraph's config records and the refused ones below both begin so. */
cJSON *og_config_head(const og_runtime *rt, const cJSON *model_rec, const char *config_id);

/* The config record of a built configuration (docs/records.md): the head above, family, the
 * layout (moe_tp, moe_ep null when not given), batch, isl, osl, prefix, nextn, stride, beam, the
 * resolved quant modes, num_gpus, the wide-EP keys when on, the MTP accept rates and scale, and
 * memory_gib, mem_capacity_gib, oom from mem. */
cJSON *og_config_record(const og_config *cfg, const cJSON *model, const char *id, const mem_usage *mem);

/* Adds mode-specific keys to the config record opgraph made from s->main and s->mem. */
void og_serving_annotate(const og_serving *s, cJSON *config);

/* A new config record: record, config_id, model (the model record as given), system, backend,
 * version, mode, tp, pp, dp, moe_tp, moe_ep (null when not given), batch, isl, osl, prefix,
 * serving {mode, ctx_tokens} for agg, an empty memory_gib, and error. */
cJSON *og_refused_config(const og_runtime *rt, const og_serving_request *srv, const cJSON *model_rec,
			 const char *config_id, const char *error);

#endif
