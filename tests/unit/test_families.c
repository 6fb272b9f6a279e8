/* lib/model/families: the family descriptor every stage asks (builder, MoE rule, KV cache, memory class,
 * MTP, vision hooks) and each architecture's extra_params parser. Each family's answers are pinned, so that a row edited or lost shows here
 * before it shows as a wrong memory figure or a sweep without MTP. */
#include "families.h"
#include "unit.h"

#include <string.h>

/* The families the reference builds, with what each descriptor must say. */
static const struct {
	const char *name;
	bool always_moe, mla, kv_hook, mtp, workspace, by_hidden, vision;
	family_memory_class mem;
} want[] = {
	{"LLAMA", false, false, false, false, false, false, false, FAMILY_MEMORY_LLAMA},
	{"NEMOTRONNAS", false, false, false, false, false, false, false, FAMILY_MEMORY_DEFAULT},
	{"DEEPSEEK", true, true, false, true, true, false, false, FAMILY_MEMORY_MOE},
	{"KIMIK25", true, true, false, true, true, false, false, FAMILY_MEMORY_MOE},
	{"DEEPSEEKV32", true, false, true, true, true, false, false, FAMILY_MEMORY_MOE},
	{"DEEPSEEKV4", true, false, true, true, true, false, false, FAMILY_MEMORY_MOE},
	{"NEMOTRONH", false, false, false, false, false, false, false, FAMILY_MEMORY_DEFAULT},
	{"QWEN35", false, false, false, true, false, false, false, FAMILY_MEMORY_DEFAULT},
	{"HYBRIDMOE", true, false, false, false, false, false, false, FAMILY_MEMORY_DEFAULT},
	{"GEMMA4MOE", true, false, true, false, true, true, false, FAMILY_MEMORY_MOE},
	{"MOE", true, false, false, false, false, false, false, FAMILY_MEMORY_MOE},
	{"QWEN3VL", false, false, false, false, false, false, true, FAMILY_MEMORY_DEFAULT},
	{"QWEN3VL_MOE", false, false, false, false, false, false, true, FAMILY_MEMORY_DEFAULT},
};

int main(void)
{
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const family_desc *f = family_find(want[i].name);
		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK_STR(f->name, want[i].name);
		CHECK(f->build != NULL);
		CHECK(f->always_moe == want[i].always_moe);
		CHECK(f->mla_latent == want[i].mla);
		CHECK((f->kv_bytes_per_sequence != NULL) == want[i].kv_hook);
		CHECK(f->mtp == want[i].mtp);
		CHECK(f->moe_workspace == want[i].workspace && f->moe_workspace_by_hidden == want[i].by_hidden);
		CHECK((f->image_tokens != NULL) == want[i].vision && (f->encoder_point != NULL) == want[i].vision);
		CHECK(f->memory_class == want[i].mem);
	}
	/* every family an architecture maps to has a descriptor */
	for (size_t i = 0; i < family_architecture_count(); i++)
		CHECK(family_find(family_for_architecture(family_architecture_at(i))) != NULL);
	CHECK(family_find("GPT") == NULL && family_find(NULL) == NULL);

	/* checkpoint-dependent MoE: NemotronH with E layers, Qwen3.5 with experts */
	cJSON *x = cJSON_Parse("{\"hybrid_override_pattern\": \"M-M*E\", \"num_experts\": 8}");
	cJSON *y = cJSON_Parse("{\"hybrid_override_pattern\": \"M-M*-\", \"num_experts\": 0}");
	CHECK(family_is_moe("NEMOTRONH", x) && !family_is_moe("NEMOTRONH", y) && !family_is_moe("NEMOTRONH", NULL));
	CHECK(family_is_moe("QWEN35", x) && !family_is_moe("QWEN35", y));
	CHECK(family_is_moe("MOE", NULL) && !family_is_moe("QWEN3VL_MOE", x) && !family_is_moe("LLAMA", x));
	CHECK(!family_is_moe("NOSUCH", x));
	cJSON_Delete(x);
	cJSON_Delete(y);

	/* each architecture's extra_params come from its row: Qwen3 normalizes q and k, Llama has
	 * none, GLM-5 with excluded projections keeps its DSA GEMMs in bfloat16, DeepSeek-V3.2 not */
	char err[256] = "";
	struct hf_ctx c = { err, sizeof err, false, "" };
	cJSON *cfg = cJSON_Parse("{\"q_lora_rank\": 1536, \"kv_lora_rank\": 512, \"qk_nope_head_dim\": 128,"
				 " \"qk_rope_head_dim\": 64, \"v_head_dim\": 128, \"index_head_dim\": 128,"
				 " \"index_n_heads\": 64, \"index_topk\": 2048, \"quantization_config\":"
				 " {\"exclude_modules\": [\"model.layers.0.self_attn.kv_b_proj\"]}}");
	hf_extra_in in = { "Qwen3ForCausalLM", cfg, cfg, NULL, 4, 0, 0, 0 };
	x = family_extra_params(&c, &in);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(x, "use_qk_norm")));
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(x, "architecture")), "Qwen3ForCausalLM");
	cJSON_Delete(x);
	in.arch = "LlamaForCausalLM";
	CHECK(family_extra_params(&c, &in) == NULL);
	in.arch = "GlmMoeDsaForCausalLM";
	x = family_extra_params(&c, &in);
	CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(x, "dsa_gemm_quant_mode")), "bfloat16");
	CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(x, "index_topk")) == 2048);
	cJSON_Delete(x);
	in.arch = "DeepseekV32ForCausalLM";
	x = family_extra_params(&c, &in);
	CHECK(x && !cJSON_GetObjectItem(x, "dsa_gemm_quant_mode"));
	cJSON_Delete(x);
	CHECK(!c.failed);
	/* a Qwen3-VL checkpoint whose vision_config is not an object fails, naming the field */
	cJSON *vis = cJSON_CreateString("x");
	in = (hf_extra_in){ "Qwen3VLForConditionalGeneration", cfg, cfg, vis, 4, 0, 0, 0 };
	CHECK(family_extra_params(&c, &in) == NULL);
	CHECK(c.failed && strcmp(err, "field 'vision_config' must be an object") == 0);
	cJSON_Delete(vis);
	cJSON_Delete(cfg);
	UNIT_DONE();
}
