/* The model record as the reference's sdk/utils.py (_parse_hf_config_json) builds it at a54593e24;
 * the extra params, quantization and size checks are in hf_extra, hf_quant and hf_checks.
 * Python's `get(key) or default` idiom is kept where the reference uses it, because it decides what
 * a null or zero field means. */
#include "hfmodel.h"
#include "families.h"
#include "hf_checks.h"
#include "hf_extra.h"
#include "hf_quant.h"
#include "hfjson.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- the record ---- */

static bool ignore_checkpoint_quant;

void hfmodel_ignore_checkpoint_quant(bool on) { ignore_checkpoint_quant = on; }


cJSON *hfmodel_record(cJSON *config, const cJSON *hf_quant, const char *model_path, char *err, size_t errlen)
{
	struct hf_ctx ctx = {err, errlen, false, ""}, *c = &ctx;
	char scope[64];
	if (!cJSON_IsObject(config)) {
		snprintf(err, errlen, "config is not a JSON object");
		return NULL;
	}
	if (hf_quant && !cJSON_IsObject(hf_quant)) {
		snprintf(err, errlen, "hf_quant_config is not a JSON object");
		return NULL;
	}
	const cJSON *archs = hf_item(config, "architectures");
	if (!archs) {
		snprintf(err, errlen, "missing required field 'architectures'");
		return NULL;
	}
	const cJSON *a0 = cJSON_IsArray(archs) ? cJSON_GetArrayItem(archs, 0) : NULL;
	if (!cJSON_IsString(a0)) {
		snprintf(err, errlen, "field 'architectures' must be a non-empty array of strings");
		return NULL;
	}
	char arch[256];
	snprintf(arch, sizeof arch, "%s", a0->valuestring);
	const char *family = family_for_architecture(arch);
	if (!family) {
		int k = snprintf(err, errlen, "unsupported architecture '%s' (supported:", arch);
		for (size_t i = 0; i < family_architecture_count() && k > 0 && (size_t)k < errlen; i++)
			k += snprintf(err + k, errlen - (size_t)k, "%s%s", i ? ", " : " ", family_architecture_at(i));
		if (k > 0 && (size_t)k < errlen)
			snprintf(err + k, errlen - (size_t)k, ")");
		return NULL;
	}
	if (ignore_checkpoint_quant) {
		static const char *const keys[] = {"quantization_config", "quant_algo", "kv_cache_quant_algo",
						   "quant_dynamic"};
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(config, keys[i]);
		hf_quant = NULL;
	}
	const char *text_key = family_text_config_key(arch);
	hf_attach_quant(config, hf_quant, text_key);

	/* Multimodal checkpoints: language-model fields come from the nested text config. */
	const cJSON *cfg = config;
	const cJSON *vision = hf_item(config, "vision_config");
	if (text_key && hf_item(config, text_key)) {
		cfg = hf_item(config, text_key);
		if (!cJSON_IsObject(cfg)) {
			snprintf(err, errlen, "field '%s' must be an object", text_key);
			return NULL;
		}
		snprintf(scope, sizeof scope, "%s.", text_key);
		c->scope = scope;
	}

	double layers;
	const cJSON *nl = hf_item(cfg, "num_hidden_layers");
	if (hf_present(nl)) {
		layers = hf_opt_int(c, cfg, "num_hidden_layers", 0);
	} else if (cJSON_IsArray(hf_item(cfg, "layers_block_type"))) {
		layers = cJSON_GetArraySize(hf_item(cfg, "layers_block_type"));
	} else if (cJSON_IsString(hf_item(cfg, "hybrid_override_pattern"))) {
		layers = (double)strlen(hf_item(cfg, "hybrid_override_pattern")->valuestring);
	} else {
		snprintf(err, errlen, "missing required field '%snum_hidden_layers' (and no layer pattern to count)", c->scope);
		return NULL;
	}
	if (layers < 0 || layers > 100000) {
		hf_fail(c, "field '%snum_hidden_layers' is out of range", c->scope);
		layers = 0;
	}
	double hidden = hf_req_int(c, cfg, "hidden_size");
	double n = hf_req_int(c, cfg, "num_attention_heads");
	double vocab = hf_req_int(c, cfg, "vocab_size");
	double context = hf_req_int(c, cfg, "max_position_embeddings");
	double n_kv = hf_opt_int(c, cfg, "num_key_value_heads", 0);
	double inter = hf_opt_int(c, cfg, "intermediate_size", 0);
	double d = hf_opt_int(c, cfg, "head_dim", 0);
	if (d == 0)
		d = hf_opt_int(c, cfg, "attention_head_dim", 0);
	if (d == 0)
		d = n > 0 ? floor(hidden / n) : 0;
	/* An explicit num_experts_per_tok of 0 marks a dense model and must not fall through. */
	double topk = hf_present(hf_item(cfg, "num_experts_per_tok")) ? hf_opt_int(c, cfg, "num_experts_per_tok", 0)
		: hf_opt_int(c, cfg, "top_k_experts", 0);
	double experts = hf_opt_int(c, cfg, "num_local_experts", 0);
	if (experts == 0)
		experts = hf_opt_int(c, cfg, "n_routed_experts", 0);
	if (experts == 0)
		experts = hf_opt_int(c, cfg, "num_experts", 0);
	double moe_inter = hf_opt_int(c, cfg, "moe_intermediate_size", 0);
	if (moe_inter == 0)
		moe_inter = inter;
	if (c->failed)
		return NULL;

	const hf_extra_in in = { arch, config, cfg, vision, (int)layers, topk, experts, moe_inter };
	cJSON *extra = family_extra_params(c, &in);

	cJSON *quant = hf_quant_record(c, config, arch);
	if (c->failed) {
		cJSON_Delete(extra);
		cJSON_Delete(quant);
		return NULL;
	}

	/* NemotronH is MoE only with E layers; Qwen3.5 only with experts (the reference's check_is_moe). */
	bool is_moe = family_is_moe(family, extra);

	if (!hf_model_sizes_ok(c, cfg, arch, extra, is_moe, layers, hidden, n, vocab, inter, moe_inter, experts, topk)) {
		cJSON_Delete(extra);
		cJSON_Delete(quant);
		return NULL;
	}

	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "record", "model");
	cJSON_AddStringToObject(r, "model_path", model_path ? model_path : "");
	cJSON_AddStringToObject(r, "architecture", arch);
	cJSON_AddStringToObject(r, "family", family);
	cJSON_AddBoolToObject(r, "is_moe", is_moe);
	hf_add_num(r, "layers", layers);
	hf_add_num(r, "n", n);
	hf_add_num(r, "n_kv", n_kv);
	hf_add_num(r, "d", d);
	hf_add_num(r, "hidden_size", hidden);
	hf_add_num(r, "inter_size", inter);
	hf_add_num(r, "vocab", vocab);
	hf_add_num(r, "context", context);
	hf_add_num(r, "topk", topk);
	hf_add_num(r, "num_experts", experts);
	/* The reference keeps None here when intermediate_size is an explicit null (NAS configs). */
	if (moe_inter == 0 && !hf_truthy(hf_item(cfg, "moe_intermediate_size")) && hf_item(cfg, "intermediate_size") &&
	    cJSON_IsNull(hf_item(cfg, "intermediate_size")))
		cJSON_AddNullToObject(r, "moe_inter_size");
	else
		hf_add_num(r, "moe_inter_size", moe_inter);
	cJSON_AddItemToObject(r, "extra_params", extra ? extra : cJSON_CreateNull());
	cJSON_AddItemToObject(r, "quant", quant);
	return r;
}
