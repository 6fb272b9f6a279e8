/* The model sizes the ops hang on, checked before a record is written. */
#include "hf_checks.h"

#include <string.h>

/* A size the model's ops hang on that is missing or 0 would price a model of nothing (an FFN of
 * width 0, no experts) as if it were real: refuse it, naming the field. */
static void size_missing(struct hf_ctx *c, const cJSON *cfg, const char *key, const char *what)
{
	if (!hf_present(hf_item(cfg, key)))
		hf_fail(c, "missing required field '%s%s' (%s)", c->scope, key, what);
	else
		hf_fail(c, "field '%s%s' is %g: %s cannot be 0", c->scope, key, hf_item(cfg, key)->valuedouble, what);
}

bool hf_model_sizes_ok(struct hf_ctx *c, const cJSON *cfg, const char *arch, const cJSON *extra, bool is_moe,
			   double layers, double hidden, double n, double vocab, double inter, double moe_inter,
			   double experts, double topk)
{
	if (layers <= 0)
		hf_fail(c, "field '%snum_hidden_layers' is %g: the model has no layers", c->scope, layers);
	if (hidden <= 0)
		size_missing(c, cfg, "hidden_size", "the hidden size");
	if (n <= 0)
		size_missing(c, cfg, "num_attention_heads", "the attention head count");
	if (vocab <= 0)
		size_missing(c, cfg, "vocab_size", "the vocabulary size");
	/* NAS checkpoints size each block's FFN in block_configs; NemotronH has dense FFN layers
	 * only where its pattern has '-' */
	bool nas = !strcmp(arch, "DeciLMForCausalLM") && hf_item(cfg, "block_configs");
	const cJSON *pattern = extra ? hf_item(extra, "hybrid_override_pattern") : NULL;
	bool dense_ffn = !nas && (!cJSON_IsString(pattern) || strchr(pattern->valuestring, '-'));
	/* MoE models with leading dense layers (DeepSeek's first_k_dense_replace) need both widths */
	const cJSON *first_dense = hf_item(cfg, "first_k_dense_replace");
	bool dense_layers = !is_moe || (cJSON_IsNumber(first_dense) && first_dense->valuedouble > 0);
	if (dense_ffn && dense_layers && inter <= 0)
		size_missing(c, cfg, "intermediate_size", "the FFN width");
	if (is_moe) {
		if (moe_inter <= 0)
			size_missing(c, cfg, hf_present(hf_item(cfg, "moe_intermediate_size")) ? "moe_intermediate_size"
											: "intermediate_size",
				     "the expert FFN width");
		if (experts <= 0)
			hf_fail(c, "missing required field '%snum_experts' (or num_local_experts, n_routed_experts): "
				"a mixture-of-experts model needs its expert count", c->scope);
		if (topk <= 0)
			size_missing(c, cfg, "num_experts_per_tok", "the experts each token is routed to");
	}
	return !c->failed;
}

