/* opgraph_build: a runtime configuration resolved against a model record (quant modes, MoE
 * layout, MTP scale, image tokens) and the op graph its family builds (through lib/model/families'
 * table), as the reference's ModelConfig checks and get_model build them. */
#ifndef INFERCAST_OPGRAPH_BUILD_H
#define INFERCAST_OPGRAPH_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "opgraph.h"

/* Checks rt and resolves quant modes the reference's way (user override, else the model's
 * declared mode, else bfloat16 / half; then the backend-specific FMHA fallbacks), the MTP scale
 * factor and the MoE parallel sizes. Returns 0, or -1 with a message. */
int og_resolve(const og_runtime *rt, const og_model *m, og_config *cfg, char *err, size_t errn);

/* A layout fallback of the load fidelity (opgraph without --strict): a MoE model whose
 * attention DP size was not given (rt->dp 1) while moe_tp x moe_ep, both given, is a multiple
 * of tp other than tp itself runs dp = moe_tp x moe_ep / tp attention groups (vLLM and SGLang
 * spread DP attention over the experts' GPUs; the reference refuses tp x dp != moe_tp x moe_ep).
 * Sets rt->dp and says so in note ("fallback: dp ..."); false when the rule does not apply. */
bool og_infer_dp(og_runtime *rt, const og_model *m, char *note, size_t n);

/* Another layout fallback of the load fidelity: a MoE model given neither moe_tp nor moe_ep
 * (0 both) splits its experts by tensor parallelism over all tp x dp GPUs, moe_ep 1, which is
 * what the engines run when no expert parallelism is asked (the reference refuses: "MoE model:
 * give --moe-tp or --moe-ep"). tp and dp of 0 read as 1 (a disagg side not given them). Sets
 * both and says so in note; false when the rule does not apply. */
bool og_infer_moe_layout(const og_model *m, long tp, long dp, long *moe_tp, long *moe_ep, char *note, size_t n);

/* Builds both phases' ops (whatever the mode: memory needs the context ops' weights).
 * Returns 0, or -1 with a message. */
int og_build(const og_config *cfg, og_graph *g, char *err, size_t errn);

#endif
