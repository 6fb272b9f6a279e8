/* model_sglang_ep_moe: the reference's SGLangEPMOEModel (sdk/models/moe.py), the MOE family
 * (Qwen3-MoE, Mixtral, gpt-oss, ...) on SGLang with moe_backend "deepep_moe" (opgraph --wideep
 * or --moe-backend deepep_moe on SGLang): the regular attention block (embedding over the whole
 * vocabulary, fused QKV GEMM, attention, output projection), the router GEMM only with 128
 * experts or more, then DeepEP's dispatch (MoEDispatch, SMs 20; prefill scaled by tp) into the
 * DeepEP expert tables (MoE) with no combine op after them; the logits GEMM in decode. No
 * embedding all-reduce and no pipeline hand-off, as the reference's class has none. Prefill's
 * expert load is power law 1.2 (0.6 with EPLB), decode's 1.2. */
#ifndef INFERCAST_MODEL_SGLANG_EP_MOE_H
#define INFERCAST_MODEL_SGLANG_EP_MOE_H

#include <stddef.h>

#include "opgraph.h"

/* Builds the ops, after the reference's construction checks (those of the MoE classes, and at
 * most 256 GPUs of attention width). 0, or -1 with a message. */
int model_sglang_ep_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn);

#endif
