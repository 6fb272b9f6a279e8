/* Unit tests of lib/model/hfmodel and lib/model/families: the Python-semantics corners of the reference's
 * config parsing that the shared models do not exercise. */
#include "families.h"
#include "hfmodel.h"
#include "unit.h"

#include <stdlib.h>

static char err[2048];

/* Record for an inline config (NULL on failure, message in err). */
static cJSON *rec(const char *text, const char *hf_quant_text)
{
	cJSON *cfg = hfmodel_parse_text(text, err, sizeof err);
	if (!cfg)
		return NULL;
	cJSON *hq = hf_quant_text ? hfmodel_parse_text(hf_quant_text, err, sizeof err) : NULL;
	cJSON *r = hfmodel_record(cfg, hq, "t/m", err, sizeof err);
	cJSON_Delete(cfg);
	cJSON_Delete(hq);
	return r;
}

static double num(const cJSON *r, const char *key) { return cJSON_GetObjectItem(r, key)->valuedouble; }

static const char *qstr(const cJSON *r, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "quant"), key);
	return cJSON_IsString(v) ? v->valuestring : "(null)";
}

#define BASE "\"num_hidden_layers\": 4, \"hidden_size\": 512, \"num_attention_heads\": 8, " \
	"\"vocab_size\": 100, \"max_position_embeddings\": 64"
/* The sizes a MoE model's record needs (hfparse refuses them missing or 0). */
#define MOE_SIZES "\"intermediate_size\": 96, \"num_local_experts\": 4, \"num_experts_per_tok\": 1"

int main(void)
{
	/* Infinity / NaN outside strings read as null; inside strings they stay text. */
	cJSON *j = hfmodel_parse_text("{\"a\": Infinity, \"b\": [-Infinity, NaN], \"c\": \"NaN Infinity\", \"d\": 1}", err, sizeof err);
	CHECK(j && cJSON_IsNull(cJSON_GetObjectItem(j, "a")));
	CHECK(j && cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "b"), 0)));
	CHECK(j && cJSON_IsNull(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "b"), 1)));
	CHECK_STR(j ? cJSON_GetObjectItem(j, "c")->valuestring : NULL, "NaN Infinity");
	cJSON_Delete(j);
	j = hfmodel_parse_text("{\"a\": 1, \"b\": {\"x\": 1, \"x\": 2}, \"a\": 3}", err, sizeof err);
	CHECK(j && cJSON_GetObjectItem(j, "a")->valuedouble == 3 && cJSON_GetArraySize(j) == 2);
	CHECK(j && cJSON_GetObjectItem(cJSON_GetObjectItem(j, "b"), "x")->valuedouble == 2);
	cJSON_Delete(j);
	CHECK(hfmodel_parse_text("{\"a\": Infinityx}", err, sizeof err) == NULL);
	CHECK(hfmodel_parse_text("{\n\n\"a\": }", err, sizeof err) == NULL);
	CHECK_STR(err, "not valid JSON (line 3)");

	char mp[256];
	hfmodel_model_path("/nonexistent/Qwen--Qwen3-8B", mp, sizeof mp);
	CHECK_STR(mp, "/nonexistent/Qwen--Qwen3-8B");   /* not a folder: kept as given */
	hfmodel_model_path("/nonexistent/x--y/config.json", mp, sizeof mp);
	CHECK_STR(mp, "x/y");

	CHECK_STR(family_for_architecture("GptOssForCausalLM"), "MOE");
	CHECK_STR(family_for_architecture("Qwen3VLMoeForConditionalGeneration"), "QWEN3VL_MOE");
	CHECK(family_for_architecture("GPT2LMHeadModel") == NULL);
	CHECK_STR(family_text_config_key("Llama4ForConditionalGeneration"), "text_config");
	CHECK(family_text_config_key("LlamaForCausalLM") == NULL);
	CHECK(family_always_moe("KIMIK25") && !family_always_moe("QWEN3VL_MOE") && !family_always_moe("NEMOTRONH"));
	CHECK(family_architecture_count() == 25);

	/* head_dim 0 falls back to hidden/heads; explicit num_experts_per_tok 0 beats top_k_experts. */
	cJSON *r = rec("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"head_dim\": 0, "
		       "\"num_experts_per_tok\": 0, \"top_k_experts\": 4, \"num_key_value_heads\": null, \"intermediate_size\": 96}", NULL);
	CHECK(r != NULL);
	if (r) {
		CHECK(num(r, "d") == 64 && num(r, "topk") == 0 && num(r, "n_kv") == 0 && num(r, "moe_inter_size") == 96);
		CHECK_STR(qstr(r, "gemm"), "bfloat16");
	}
	cJSON_Delete(r);

	/* top_k_experts when num_experts_per_tok is absent; experts from n_routed_experts. */
	r = rec("{\"architectures\": [\"MixtralForCausalLM\"], " BASE ", \"top_k_experts\": 4, "
		"\"num_local_experts\": 0, \"n_routed_experts\": 16, \"intermediate_size\": 96}", NULL);
	CHECK(r && num(r, "topk") == 4 && num(r, "num_experts") == 16 && num(r, "moe_inter_size") == 96);
	cJSON_Delete(r);

	/* compressed-tensors fp8 everywhere but the experts; kv from kv_cache_scheme type. */
	r = rec("{\"architectures\": [\"Qwen3MoeForCausalLM\"], " BASE ", " MOE_SIZES ", \"quantization_config\": {"
		"\"quant_method\": \"compressed-tensors\", \"config_groups\": {\"g\": {\"weights\": {\"num_bits\": 8, \"type\": \"float\"},"
		"\"input_activations\": {\"dynamic\": true}}}, \"ignore\": [\"model.layers.0.mlp.experts.0.up_proj\"],"
		"\"kv_cache_scheme\": {\"type\": \"fp8_e4m3\"}}}", NULL);
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(qstr(r, "gemm"), "fp8");
		CHECK_STR(qstr(r, "moe"), "bfloat16");
		CHECK_STR(qstr(r, "kvcache"), "fp8");
		CHECK_STR(qstr(r, "fmha"), "fp8");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "quant"), "quant_dynamic")));
	}
	cJSON_Delete(r);

	/* A 16-bit kv cache scheme; an fp8 block size other than 128 is kept. */
	r = rec("{\"architectures\": [\"Qwen3MoeForCausalLM\"], " BASE ", " MOE_SIZES ", \"quantization_config\": {"
		"\"quant_method\": \"FP8 \", \"weight_block_size\": [64, 64], \"kv_cache_scheme\": {\"type\": \"float\", \"num_bits\": 16}}}", NULL);
	CHECK(r != NULL);
	if (r) {
		CHECK_STR(qstr(r, "quant_algo"), "fp8_block");
		CHECK_STR(qstr(r, "kv_cache_quant_algo"), "bfloat16");
		CHECK_STR(qstr(r, "kvcache"), "fp8");   /* an fp8_block checkpoint forces fp8 kv */
		CHECK(num(cJSON_GetObjectItem(r, "quant"), "weight_block_size") == 64);
	}
	cJSON_Delete(r);

	/* config.json's own quantization_config wins over hf_quant_config.json's algorithm, but the
	 * hf_quant section is read first for quant_algo. */
	r = rec("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"intermediate_size\": 96, \"quantization_config\": {\"quant_method\": \"fp8\"}}",
		"{\"quantization\": {\"quant_algo\": \"NVFP4\"}}");
	CHECK(r && !strcmp(qstr(r, "gemm"), "nvfp4"));
	cJSON_Delete(r);

	/* A top-level quant_algo in config.json is used as is (the reference's setdefault). */
	r = rec("{\"architectures\": [\"LlamaForCausalLM\"], " BASE ", \"quant_algo\": \"FP8\"}", NULL);
	CHECK(r == NULL);
	CHECK(strncmp(err, "unsupported quant algorithm 'FP8' (supported: fp8, ", 50) == 0);

	/* NAS: runs group equal consecutive blocks; a missing ffn_mult is 3.5. */
	r = rec("{\"architectures\": [\"DeciLMForCausalLM\"], " BASE ", \"block_configs\": ["
		"{\"attention\": {\"n_heads_in_group\": 8}, \"ffn\": {}},"
		"{\"attention\": {\"n_heads_in_group\": 8.0}, \"ffn\": {\"ffn_mult\": 3.5}},"
		"{\"attention\": {\"no_op\": true}, \"ffn\": {\"ffn_mult\": null, \"no_op\": true}}]}", NULL);
	CHECK(r != NULL);
	if (r) {
		const cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "extra_params"), "block_configs");
		CHECK(cJSON_GetArraySize(b) == 2);
		CHECK(num(cJSON_GetArrayItem(b, 0), "num_inst") == 2 && num(cJSON_GetArrayItem(b, 0), "ffn_ffn_mult") == 3.5);
		CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(b, 1), "ffn_ffn_mult")));
		CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(b, 1), "attn_n_heads_in_group")));
	}
	cJSON_Delete(r);
	r = rec("{\"architectures\": [\"DeciLMForCausalLM\"], " BASE ", \"block_configs\": []}", NULL);
	CHECK(r && cJSON_IsNull(cJSON_GetObjectItem(r, "extra_params")));
	cJSON_Delete(r);

	/* Llama 4 with an MoE layer every 2nd layer; a text_config-less multimodal config reads the top level. */
	r = rec("{\"architectures\": [\"Llama4ForConditionalGeneration\"], " BASE ", " MOE_SIZES ", \"interleave_moe_layer_step\": 2}", NULL);
	CHECK(r != NULL);
	if (r) {
		const cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "extra_params"), "moe_layer_freq");
		CHECK(cJSON_GetArrayItem(m, 0)->valuedouble == 0 && cJSON_GetArrayItem(m, 1)->valuedouble == 1);
		CHECK(cJSON_GetArrayItem(m, 3)->valuedouble == 1 && cJSON_GetArraySize(m) == 4);
	}
	cJSON_Delete(r);
	r = rec("{\"architectures\": [\"Llama4ForConditionalGeneration\"], " BASE ", \"interleave_moe_layer_step\": 0}", NULL);
	CHECK(r == NULL);
	CHECK_STR(err, "field 'interleave_moe_layer_step' must be a positive integer");

	/* MiMo-V2-Flash with a scalar moe_layer_freq applies it to every layer. */
	r = rec("{\"architectures\": [\"MiMoV2FlashForCausalLM\"], " BASE ", " MOE_SIZES ", \"hybrid_layer_pattern\": [0, 1, 1, 0], \"moe_layer_freq\": 1}", NULL);
	CHECK(r && cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "extra_params"), "moe_layer_freq")) == 4);
	cJSON_Delete(r);

	/* DeepSeek-V4 compress_ratios shorter than the layers. */
	r = rec("{\"architectures\": [\"DeepseekV4ForCausalLM\"], " BASE ", \"q_lora_rank\": 1, \"o_lora_rank\": 1, \"o_groups\": 1,"
		"\"head_dim\": 1, \"qk_rope_head_dim\": 1, \"index_head_dim\": 1, \"index_n_heads\": 1, \"index_topk\": 1,"
		"\"sliding_window\": 1, \"compress_ratios\": [0, 4], \"compress_rope_theta\": 1, \"num_hash_layers\": 1,"
		"\"hc_mult\": 1, \"hc_sinkhorn_iters\": 1, \"hc_eps\": 1e-6, \"n_shared_experts\": 1}", NULL);
	CHECK(r == NULL);
	CHECK_STR(err, "field 'compress_ratios' has 2 entries, fewer than the 4 layers");
	UNIT_DONE();
}
