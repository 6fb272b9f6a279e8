/* The table follows the reference's ARCHITECTURE_TO_MODEL_FAMILY and MULTIMODAL_TEXT_CONFIG_KEY
 * (sdk/common.py at a54593e24), in the same order so messages list names as it does. */
#include "families.h"

#include <string.h>

struct arch_family {
	const char *architecture;
	const char *family;
	const char *text_key;   /* nested language-model config of multimodal checkpoints */
};

static const struct arch_family table[] = {
	{"LlamaForCausalLM", "LLAMA", NULL},
	{"Qwen2ForCausalLM", "LLAMA", NULL},
	{"Qwen3ForCausalLM", "LLAMA", NULL},
	{"Qwen3VLForConditionalGeneration", "QWEN3VL", "text_config"},
	{"Qwen3VLMoeForConditionalGeneration", "QWEN3VL_MOE", "text_config"},
	{"MiMoForCausalLM", "LLAMA", NULL},
	{"DeepSeekForCausalLM", "DEEPSEEK", NULL},
	{"DeepseekV3ForCausalLM", "DEEPSEEK", NULL},
	{"DeepseekV32ForCausalLM", "DEEPSEEKV32", NULL},
	{"GlmMoeDsaForCausalLM", "DEEPSEEKV32", NULL},
	{"DeepseekV4ForCausalLM", "DEEPSEEKV4", NULL},
	{"KimiK25ForConditionalGeneration", "KIMIK25", "text_config"},
	{"NemotronForCausalLM", "NEMOTRONNAS", NULL},
	{"DeciLMForCausalLM", "NEMOTRONNAS", NULL},
	{"NemotronHForCausalLM", "NEMOTRONH", NULL},
	{"MixtralForCausalLM", "MOE", NULL},
	{"GptOssForCausalLM", "MOE", NULL},
	{"Qwen2MoeForCausalLM", "MOE", NULL},
	{"Qwen3MoeForCausalLM", "MOE", NULL},
	{"MiniMaxM2ForCausalLM", "MOE", NULL},
	{"MiMoV2FlashForCausalLM", "HYBRIDMOE", NULL},
	{"Llama4ForConditionalGeneration", "HYBRIDMOE", "text_config"},
	{"Qwen3_5ForConditionalGeneration", "QWEN35", "text_config"},
	{"Qwen3_5MoeForConditionalGeneration", "QWEN35", "text_config"},
	{"Gemma4ForConditionalGeneration", "GEMMA4MOE", "text_config"},
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

const char *family_text_config_key(const char *architecture)
{
	const struct arch_family *e = find(architecture);
	return e ? e->text_key : NULL;
}

bool family_always_moe(const char *family)
{
	static const char *const moe[] = {"MOE", "DEEPSEEK", "DEEPSEEKV32", "DEEPSEEKV4", "KIMIK25", "HYBRIDMOE", "GEMMA4MOE"};
	if (!family)
		return false;
	for (size_t i = 0; i < sizeof moe / sizeof moe[0]; i++)
		if (strcmp(moe[i], family) == 0)
			return true;
	return false;
}

size_t family_architecture_count(void) { return sizeof table / sizeof table[0]; }

const char *family_architecture_at(size_t i)
{
	return i < family_architecture_count() ? table[i].architecture : NULL;
}
