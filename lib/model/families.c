/* The table follows the reference's ARCHITECTURE_TO_MODEL_FAMILY and MULTIMODAL_TEXT_CONFIG_KEY
 * (sdk/common.py at a54593e24), in the same order so messages list names as it does. */
#include "families.h"

#include <string.h>

#include "model_builders.h"
#include "model_deepseek_v32.h"
#include "model_deepseek_v4.h"
#include "model_gemma4_moe.h"
#include "model_qwen3vl.h"

struct arch_family {
	const char *architecture;
	const char *family;
	const char *text_key;   /* nested language-model config of multimodal checkpoints */
	hf_extra_parser *extra; /* its extra_params (the reference's _parse_hf_config_json), or none */
};

static const struct arch_family table[] = {
	{"LlamaForCausalLM", "LLAMA", NULL, NULL},
	{"Qwen2ForCausalLM", "LLAMA", NULL, NULL},
	{"Qwen3ForCausalLM", "LLAMA", NULL, hf_extra_qk_norm},
	{"Qwen3VLForConditionalGeneration", "QWEN3VL", "text_config", hf_extra_qwen3vl},
	{"Qwen3VLMoeForConditionalGeneration", "QWEN3VL_MOE", "text_config", hf_extra_qwen3vl},
	{"MiMoForCausalLM", "LLAMA", NULL, NULL},
	{"DeepSeekForCausalLM", "DEEPSEEK", NULL, hf_extra_mla},
	{"DeepseekV3ForCausalLM", "DEEPSEEK", NULL, hf_extra_mla},
	{"DeepseekV32ForCausalLM", "DEEPSEEKV32", NULL, hf_extra_dsa},
	{"GlmMoeDsaForCausalLM", "DEEPSEEKV32", NULL, hf_extra_glm_dsa},
	{"DeepseekV4ForCausalLM", "DEEPSEEKV4", NULL, hf_extra_deepseek_v4},
	{"KimiK25ForConditionalGeneration", "KIMIK25", "text_config", hf_extra_mla},
	{"NemotronForCausalLM", "NEMOTRONNAS", NULL, NULL},
	{"DeciLMForCausalLM", "NEMOTRONNAS", NULL, hf_extra_nas},
	{"NemotronHForCausalLM", "NEMOTRONH", NULL, hf_extra_nemotron_h},
	{"MixtralForCausalLM", "MOE", NULL, NULL},
	{"GptOssForCausalLM", "MOE", NULL, NULL},
	{"Qwen2MoeForCausalLM", "MOE", NULL, NULL},
	{"Qwen3MoeForCausalLM", "MOE", NULL, hf_extra_qk_norm},
	{"MiniMaxM2ForCausalLM", "MOE", NULL, hf_extra_qk_norm},
	{"MiMoV2FlashForCausalLM", "HYBRIDMOE", NULL, hf_extra_mimo_v2},
	{"Llama4ForConditionalGeneration", "HYBRIDMOE", "text_config", hf_extra_llama4},
	{"Qwen3_5ForConditionalGeneration", "QWEN35", "text_config", hf_extra_qwen35},
	{"Qwen3_5MoeForConditionalGeneration", "QWEN35", "text_config", hf_extra_qwen35},
	{"Gemma4ForConditionalGeneration", "GEMMA4MOE", "text_config", hf_extra_gemma4},
};

static const struct arch_family *find(const char *architecture)
{
	if (!architecture)
		return NULL;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].architecture, architecture) == 0)
			return &table[i];
	return NULL;
}

const char *family_for_architecture(const char *architecture)
{
	const struct arch_family *e = find(architecture);
	return e ? e->family : NULL;
}

cJSON *family_extra_params(struct hf_ctx *c, const hf_extra_in *in)
{
	const struct arch_family *e = find(in->arch);
	return e && e->extra ? e->extra(c, in) : NULL;
}

const char *family_text_config_key(const char *architecture)
{
	const struct arch_family *e = find(architecture);
	return e ? e->text_key : NULL;
}

/* NemotronH routes experts only in its E layers, Qwen3.5 only with experts. */
static bool nemotron_h_moe(const cJSON *extra)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(extra, "hybrid_override_pattern");
	return cJSON_IsString(p) && strchr(p->valuestring, 'E') != NULL;
}

static bool qwen35_moe(const cJSON *extra)
{
	const cJSON *ne = cJSON_GetObjectItemCaseSensitive(extra, "num_experts");
	return cJSON_IsNumber(ne) && ne->valuedouble > 0;
}

#define MOE_ALWAYS .always_moe = true
#define MEM_MOE .memory_class = FAMILY_MEMORY_MOE
#define VISION .image_tokens = model_qwen3vl_image_tokens, .encoder_point = model_qwen3vl_encoder_point

static const family_desc descs[] = {
	{.name = "LLAMA", .build = model_llama_build, .memory_class = FAMILY_MEMORY_LLAMA},
	{.name = "NEMOTRONNAS", .build = model_nemotron_nas_build},
	{.name = "DEEPSEEK", .build = model_deepseek_build, MOE_ALWAYS, .mla_latent = true, MEM_MOE,
	 .moe_workspace = true, .mtp = true},
	{.name = "KIMIK25", .build = model_deepseek_build, MOE_ALWAYS, .mla_latent = true, MEM_MOE,
	 .moe_workspace = true, .mtp = true},
	{.name = "DEEPSEEKV32", .build = model_deepseek_v32_build, MOE_ALWAYS,
	 .kv_bytes_per_sequence = model_deepseek_v32_kv_bytes_per_sequence, MEM_MOE, .moe_workspace = true, .mtp = true},
	{.name = "NEMOTRONH", .build = model_nemotron_h_build, .moe_if = nemotron_h_moe},
	{.name = "QWEN35", .build = model_qwen35_build, .moe_if = qwen35_moe, .mtp = true},
	{.name = "HYBRIDMOE", .build = model_hybrid_moe_build, MOE_ALWAYS},
	{.name = "GEMMA4MOE", .build = model_gemma4_moe_build, MOE_ALWAYS,
	 .kv_bytes_per_sequence = model_gemma4_kv_bytes_per_sequence, MEM_MOE, .moe_workspace = true,
	 .moe_workspace_by_hidden = true},
	{.name = "MOE", .build = model_moe_build, MOE_ALWAYS, MEM_MOE},
	/* not in the reference's MoE set, although the text model routes experts */
	{.name = "QWEN3VL_MOE", .build = model_qwen3vl_moe_build, VISION},
	{.name = "QWEN3VL", .build = model_qwen3vl_build, VISION},
	{.name = "DEEPSEEKV4", .build = model_deepseek_v4_build, MOE_ALWAYS,
	 .kv_bytes_per_sequence = model_deepseek_v4_kv_bytes_per_sequence, MEM_MOE, .moe_workspace = true, .mtp = true},
};

const family_desc *family_find(const char *family)
{
	for (size_t i = 0; family && i < sizeof descs / sizeof descs[0]; i++)
		if (strcmp(descs[i].name, family) == 0)
			return &descs[i];
	return NULL;
}

bool family_always_moe(const char *family)
{
	const family_desc *f = family_find(family);
	return f && f->always_moe;
}

bool family_is_moe(const char *family, const cJSON *extra_params)
{
	const family_desc *f = family_find(family);
	return f && (f->always_moe || (f->moe_if && f->moe_if(extra_params)));
}

size_t family_architecture_count(void) { return sizeof table / sizeof table[0]; }

const char *family_architecture_at(size_t i)
{
	return i < family_architecture_count() ? table[i].architecture : NULL;
}
