/* sweep_emit: one model record turned into the configurations of the reference's `default`
 * search space, each written as the model record with a config_id and a `runtime` object for
 * opgraph (the options the sweep filter read decide which). */
#ifndef INFERCAST_SWEEP_EMIT_H
#define INFERCAST_SWEEP_EMIT_H

#include <stdbool.h>
#include <cjson/cJSON.h>

#include "jsonl.h"
#include "opgraph_quant.h"
#include "sweep_space.h"

typedef struct sweep_emit_options {
	sweep_spec spec;
	long isl, osl, prefix, nextn; /* nextn < 0: the family's default */
	bool agg, disagg, chunked, count_only;
	bool load_agg;                              /* --fidelity load: agg points without ctx_tokens */
	long max_batch, prefill_max_batch, decode_max_batch;
	const char *data_dir, *version;
	const char *decode_system, *decode_version; /* disagg decode workers on another system */
	const char *quant[3][QUANT_KIND_COUNT];     /* [every worker, prefill, decode][kind]: the user's
						       quant modes, NULL: the model's */
	const char *accept_rates;                   /* "0.85,0.3,0,0,0", NULL: opgraph's default */
	sweep_lists lists[3];                       /* per sweep_role: --agg-lists ... */
	bool eplb_prefill, eplb_decode;             /* disagg workers with EPLB (runtime enable_eplb) */
} sweep_emit_options;

/* Writes (unless o->count_only) every configuration of model, read by r (for its errors), and
 * returns how many there are; 0 when no worker layout fits. */
long sweep_emit_model(const jsonl_reader *r, const cJSON *model, const sweep_emit_options *o);

#endif
