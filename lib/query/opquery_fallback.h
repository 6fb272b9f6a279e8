/* opquery_fallback: under the load fidelity, a price for an op record the tables refuse, from
 * what the engine actually runs, and the provenance that says so (docs/differences.md,
 * "Fallbacks under the load fidelity"). The reference fidelity and --strict never come here.
 *
 * The ladder, first rung that prices wins:
 *   1. quant modes the engine runs instead, each kind alone, then all together:
 *        FMHA      fp8 -> bfloat16 (the tables' attention kernels; what `default` picks for MLA,
 *                  and the reference's own rule for vLLM and the DSA models);
 *        GEMM      -> the checkpoint's GEMM mode (gpt-oss and Kimi keep their attention and
 *                  dense layers in bfloat16: nvfp4 or int4_wo asked for them is not what runs;
 *                  bfloat16 when the checkpoint is unknown);
 *        MoE       -> the checkpoint's MoE mode (w4a16_mxfp4 for gpt-oss on Hopper);
 *   2. in SILICON mode, MoE shapes the table lacks priced at the efficiency the nearest
 *      measured shape reaches (lib/perf/moe_nearest; perfdb_set_moe_transfer), the op as asked,
 *      then with every substitution of rung 1;
 *   3. in SILICON mode, the same op with every substitution of rung 1, priced in HYBRID mode:
 *      table values where the tables have the point, the reference's empirical formula where
 *      they do not.
 * Substitutions rewrite the op's attrs and those of a composite op's inner ops. */
#ifndef INFERCAST_OPQUERY_FALLBACK_H
#define INFERCAST_OPQUERY_FALLBACK_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "opgraph_quant.h"
#include "perfdb.h"

/* The checkpoint's modes (the model record's `quant`); NULL where unknown. */
typedef struct opquery_fallback_quants {
	const quant_mode *gemm, *moe;
} opquery_fallback_quants;

/* op was refused by opquery_record (PERFDB_REFUSED). Returns 0 with *out and, in what,
 * "fallback: ..." naming what priced it; PERFDB_REFUSED when no rung prices it (err: the
 * last rung's refusal); PERFDB_FATAL or -2 (a bad table or record) with err. The database's
 * mode is left as it was. */
int opquery_fallback_price(perfdb *db, const cJSON *op, const opquery_fallback_quants *ckpt, perf_result *out,
			   char *what, size_t whatlen, char *err, size_t errlen);

#endif
