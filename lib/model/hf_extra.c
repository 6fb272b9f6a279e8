/* The per-architecture extra_params of the model record, as the reference's sdk/utils.py
 * (_parse_hf_config_json) builds them at a54593e24: NAS blocks, hybrid layer patterns, MLA/DSA
 * sizes, vision towers. */
#include "hf_extra.h"
#include "diag.h"
#include "hf_quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- extra_params per architecture ---- */

cJSON *hf_extra_nemotron_h(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	static const char *const block_codes[][2] = {
		{"mamba", "M"}, {"moe", "E"}, {"attention", "*"}, {"mlp", "-"}, {"dense", "-"},
		{"ffn", "-"}, {"M", "M"}, {"E", "E"}, {"*", "*"}, {"-", "-"},
	};
	cJSON *x = cJSON_CreateObject();
	const cJSON *pat = hf_item(cfg, "hybrid_override_pattern");
	const cJSON *blocks = hf_item(cfg, "layers_block_type");
	if (cJSON_IsString(pat)) {
		cJSON_AddStringToObject(x, "hybrid_override_pattern", pat->valuestring);
	} else if (cJSON_IsArray(blocks)) {
		size_t nb = (size_t)cJSON_GetArraySize(blocks);
		char *s = calloc(nb + 1, 1);
		size_t k = 0;
		const cJSON *b;
		cJSON_ArrayForEach(b, blocks) {
			const char *code = NULL;
			for (size_t j = 0; cJSON_IsString(b) && j < sizeof block_codes / sizeof block_codes[0]; j++)
				if (strcmp(b->valuestring, block_codes[j][0]) == 0)
					code = block_codes[j][1];
			if (!code) {
				char *t = cJSON_PrintUnformatted(b);
				hf_fail(c, "field '%slayers_block_type': unsupported NemotronH layer block type %s "
				     "(supported: *, -, E, M, attention, dense, ffn, mamba, mlp, moe)", c->scope, t);
				free(t);
				break;
			}
			s[k++] = code[0];
		}
		cJSON_AddStringToObject(x, "hybrid_override_pattern", s);
		free(s);
	} else {
		hf_fail(c, "NemotronH config must define '%shybrid_override_pattern' or '%slayers_block_type'", c->scope, c->scope);
	}
	static const char *const required[] = {"mamba_num_heads", "mamba_head_dim", "ssm_state_size",
		"conv_kernel", "n_groups", "chunk_size"};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		hf_add_num(x, required[i], hf_req_int(c, cfg, required[i]));
	hf_add_num(x, "moe_shared_expert_intermediate_size", hf_opt_int(c, cfg, "moe_shared_expert_intermediate_size", 0));
	hf_add_num(x, "moe_latent_size", hf_opt_int(c, cfg, "moe_latent_size", 0));
	return x;
}

/* NAS block as the reference groups it: heads per KV group (may be null), attention no-op,
 * FFN multiplier (may be null), FFN no-op. */
struct nas_block {
	bool heads_null, mult_null, attn_noop, ffn_noop;
	double heads, mult;
};

static bool nas_same(const struct nas_block *a, const struct nas_block *b)
{
	return a->heads_null == b->heads_null && (a->heads_null || a->heads == b->heads) &&
	       a->attn_noop == b->attn_noop && a->mult_null == b->mult_null &&
	       (a->mult_null || a->mult == b->mult) && a->ffn_noop == b->ffn_noop;
}

static void nas_emit(cJSON *arr, const struct nas_block *b, int count)
{
	cJSON *o = cJSON_CreateObject();
	if (b->heads_null)
		cJSON_AddNullToObject(o, "attn_n_heads_in_group");
	else
		hf_add_num(o, "attn_n_heads_in_group", b->heads);
	cJSON_AddBoolToObject(o, "attn_no_op", b->attn_noop);
	if (b->mult_null)
		cJSON_AddNullToObject(o, "ffn_ffn_mult");
	else
		hf_add_num(o, "ffn_ffn_mult", b->mult);
	cJSON_AddBoolToObject(o, "ffn_no_op", b->ffn_noop);
	hf_add_num(o, "num_inst", count);
	cJSON_AddItemToArray(arr, o);
}

static bool nas_flag(struct hf_ctx *c, const cJSON *obj, const char *key, int i, const char *part)
{
	const cJSON *v = hf_item(obj, key);
	if (!v)
		return false;
	if (!cJSON_IsBool(v)) {
		hf_fail(c, "field '%sblock_configs[%d].%s.%s' must be a boolean", c->scope, i, part, key);
		return false;
	}
	return cJSON_IsTrue(v);
}

/* NULL when the list is empty (the reference then has no extra params). */
static cJSON *nas_params(struct hf_ctx *c, const cJSON *blocks)
{
	if (!hf_truthy(blocks))
		return NULL;
	if (!cJSON_IsArray(blocks)) {
		hf_fail(c, "field '%sblock_configs' must be an array", c->scope);
		return NULL;
	}
	cJSON *groups = cJSON_CreateArray();
	struct nas_block cur = {0};
	int count = 0, i = 0;
	const cJSON *blk;
	cJSON_ArrayForEach(blk, blocks) {
		const cJSON *attn = hf_item(blk, "attention"), *ffn = hf_item(blk, "ffn");
		if (!cJSON_IsObject(blk) || (attn && !cJSON_IsObject(attn)) || (ffn && !cJSON_IsObject(ffn))) {
			hf_fail(c, "field '%sblock_configs[%d]' must be an object with object 'attention' and 'ffn'", c->scope, i);
			break;
		}
		struct nas_block b = {.heads_null = true, .mult = 3.5};
		const cJSON *h = hf_item(attn, "n_heads_in_group"), *m = hf_item(ffn, "ffn_mult");
		if (hf_present(h) && !cJSON_IsNumber(h))
			hf_fail(c, "field '%sblock_configs[%d].attention.n_heads_in_group' must be a number", c->scope, i);
		else if (hf_present(h))
			b.heads_null = false, b.heads = h->valuedouble;
		if (m && cJSON_IsNull(m))
			b.mult_null = true;
		else if (m && !cJSON_IsNumber(m))
			hf_fail(c, "field '%sblock_configs[%d].ffn.ffn_mult' must be a number", c->scope, i);
		else if (m)
			b.mult = m->valuedouble;
		b.attn_noop = nas_flag(c, attn, "no_op", i, "attention");
		b.ffn_noop = nas_flag(c, ffn, "no_op", i, "ffn");
		if (count && nas_same(&cur, &b)) {
			count++;
		} else {
			if (count)
				nas_emit(groups, &cur, count);
			cur = b;
			count = 1;
		}
		i++;
	}
	if (count)
		nas_emit(groups, &cur, count);
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "block_configs", groups);
	return x;
}

/* A per-layer 0/1 pattern of exactly `layers` entries. */
static int *binary_pattern(struct hf_ctx *c, const cJSON *list, const char *key, int layers, int *len)
{
	*len = list ? cJSON_GetArraySize(list) : 0;
	int *v = calloc((size_t)(*len > 0 ? *len : 1), sizeof *v);
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		if (!cJSON_IsNumber(e) || (e->valuedouble != 0 && e->valuedouble != 1))
			hf_fail(c, "field '%s%s' must contain only 0/1 values", c->scope, key);
		v[i++] = cJSON_IsNumber(e) && e->valuedouble == 1;
	}
	(void)layers;
	return v;
}

static cJSON *hybrid_moe_object(const int *attn, const int *moe, int layers)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "attn_layer_pattern", hf_int_array(attn, layers));
	cJSON_AddItemToObject(x, "moe_layer_freq", hf_int_array(moe, layers));
	return x;
}

cJSON *hf_extra_mimo_v2(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	int layers = in->layers;
	const cJSON *freq_raw = hf_item(cfg, "moe_layer_freq");
	const cJSON *attn_raw = hf_item(cfg, "hybrid_layer_pattern");
	int nmoe = 0, nattn = 0, *moe, *attn;
	if (hf_present(freq_raw) && !cJSON_IsArray(freq_raw)) {
		/* A scalar frequency applies to every layer. */
		nmoe = layers;
		moe = calloc((size_t)(layers > 0 ? layers : 1), sizeof *moe);
		if (!cJSON_IsNumber(freq_raw) || (freq_raw->valuedouble != 0 && freq_raw->valuedouble != 1))
			hf_fail(c, "field '%smoe_layer_freq' must contain only 0/1 values", c->scope);
		for (int i = 0; i < layers; i++)
			moe[i] = cJSON_IsNumber(freq_raw) && freq_raw->valuedouble == 1;
	} else {
		moe = binary_pattern(c, cJSON_IsArray(freq_raw) ? freq_raw : NULL, "moe_layer_freq", layers, &nmoe);
	}
	if (hf_present(attn_raw) && !cJSON_IsArray(attn_raw))
		hf_fail(c, "field '%shybrid_layer_pattern' must be an array", c->scope);
	attn = binary_pattern(c, cJSON_IsArray(attn_raw) ? attn_raw : NULL, "hybrid_layer_pattern", layers, &nattn);
	if (nattn != layers || nmoe != layers)
		hf_fail(c, "hybrid pattern length mismatch: expected %d entries, got %shybrid_layer_pattern=%d %smoe_layer_freq=%d",
		     layers, c->scope, nattn, c->scope, nmoe);
	cJSON *x = hybrid_moe_object(attn, moe, c->failed ? 0 : layers);
	free(attn);
	free(moe);
	hf_add_num(x, "swa_num_kv_heads", hf_opt_int(c, cfg, "swa_num_key_value_heads", 0));
	hf_add_num(x, "swa_head_dim", hf_opt_int(c, cfg, "swa_head_dim", 0));
	hf_add_num(x, "swa_v_head_dim", hf_opt_int(c, cfg, "swa_v_head_dim", 0));
	hf_add_num(x, "global_v_head_dim", hf_opt_int(c, cfg, "v_head_dim", 0));
	hf_add_num(x, "sliding_window_size", hf_opt_int(c, cfg, "sliding_window_size", 0));
	hf_add_num(x, "dense_inter_size", 0);
	return x;
}

cJSON *hf_extra_llama4(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	int layers = in->layers;
	double step = hf_opt_int(c, cfg, "interleave_moe_layer_step", 1);
	if (step <= 0) {
		hf_fail(c, "field '%sinterleave_moe_layer_step' must be a positive integer", c->scope);
		step = 1;
	}
	int *attn = calloc((size_t)(layers > 0 ? layers : 1), sizeof *attn);
	int *moe = calloc((size_t)(layers > 0 ? layers : 1), sizeof *moe);
	/* Even layers are local (chunked) attention, odd ones global; every step-th layer is MoE. */
	for (int i = 0; i < layers; i++) {
		attn[i] = i % 2;
		moe[i] = fmod(i + 1, step) == 0;
	}
	cJSON *x = hybrid_moe_object(attn, moe, layers);
	free(attn);
	free(moe);
	hf_add_num(x, "swa_num_kv_heads", 0);
	hf_add_num(x, "swa_head_dim", 0);
	hf_add_num(x, "swa_v_head_dim", 0);
	hf_add_num(x, "global_v_head_dim", 0);
	hf_add_num(x, "sliding_window_size", hf_opt_int(c, cfg, "attention_chunk_size", 0));
	hf_add_num(x, "dense_inter_size", hf_opt_int(c, cfg, "intermediate_size_mlp", 0));
	return x;
}

/* Copy cfg[key] when present (a null stays null, as the reference's dict.get keeps None). */
static void copy_or(struct hf_ctx *c, cJSON *x, const cJSON *cfg, const char *key, double def)
{
	const cJSON *v = hf_item(cfg, key);
	if (v && !cJSON_IsNull(v) && !hf_is_int(v))
		hf_fail(c, "field '%s%s' must be an integer", c->scope, key);
	if (v && cJSON_IsNull(v))
		cJSON_AddNullToObject(x, key);
	else
		hf_add_num(x, key, v ? v->valuedouble : def);
}

cJSON *hf_extra_mla(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	cJSON *x = cJSON_CreateObject();
	copy_or(c, x, cfg, "v_head_dim", 0);
	copy_or(c, x, cfg, "kv_lora_rank", 0);
	copy_or(c, x, cfg, "qk_rope_head_dim", 0);
	return x;
}

static cJSON *dsa_params(struct hf_ctx *c, const cJSON *cfg)
{
	static const char *const keys[] = {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
		"v_head_dim", "index_head_dim", "index_n_heads", "index_topk"};
	cJSON *x = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		hf_add_num(x, keys[i], hf_req_int(c, cfg, keys[i]));
	return x;
}

cJSON *hf_extra_deepseek_v4(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	int layers = in->layers;
	cJSON *x = cJSON_CreateObject();
	static const char *const before[] = {"q_lora_rank", "o_lora_rank", "o_groups", "head_dim", "qk_rope_head_dim",
		"index_head_dim", "index_n_heads", "index_topk", "sliding_window"};
	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
		hf_add_num(x, before[i], hf_req_int(c, cfg, before[i]));
	const cJSON *ratios = hf_item(cfg, "compress_ratios");
	if (!ratios)
		hf_fail(c, "missing required field '%scompress_ratios'", c->scope);
	ratios = hf_opt_int_list(c, cfg, "compress_ratios");
	if (hf_item(cfg, "compress_ratios") && !ratios && !c->failed)
		hf_fail(c, "field '%scompress_ratios' must be an array of integers", c->scope);
	int nr = ratios ? cJSON_GetArraySize(ratios) : 0;
	if (ratios && nr < layers)
		hf_fail(c, "field '%scompress_ratios' has %d entries, fewer than the %d layers", c->scope, nr, layers);
	cJSON *kept = cJSON_CreateArray();
	for (int i = 0; ratios && i < layers && i < nr; i++)
		cJSON_AddItemToArray(kept, cJSON_CreateNumber(cJSON_GetArrayItem(ratios, i)->valuedouble));
	cJSON_AddItemToObject(x, "compress_ratios", kept);
	hf_add_num(x, "compress_rope_theta", hf_req_num(c, cfg, "compress_rope_theta"));
	hf_add_num(x, "num_hash_layers", hf_req_int(c, cfg, "num_hash_layers"));
	hf_add_num(x, "hc_mult", hf_req_int(c, cfg, "hc_mult"));
	hf_add_num(x, "hc_sinkhorn_iters", hf_req_int(c, cfg, "hc_sinkhorn_iters"));
	hf_add_num(x, "hc_eps", hf_req_num(c, cfg, "hc_eps"));
	hf_add_num(x, "n_shared_experts", hf_req_int(c, cfg, "n_shared_experts"));
	return x;
}

/* layer_types must have one entry per layer; allowed NULL means any string. */
static cJSON *layer_types(struct hf_ctx *c, const cJSON *cfg, int layers, const char *const *allowed, const char *what)
{
	const cJSON *lt = hf_item(cfg, "layer_types");
	cJSON *out = cJSON_CreateArray();
	if (hf_present(lt) && !cJSON_IsArray(lt)) {
		hf_fail(c, "field '%slayer_types' must be an array", c->scope);
		return out;
	}
	int n = lt ? cJSON_GetArraySize(lt) : 0;
	if (n != layers)
		hf_fail(c, "%s field '%slayer_types' has %d entries, expected %d (num_hidden_layers)", what, c->scope, n, layers);
	const cJSON *e;
	cJSON_ArrayForEach(e, lt) {
		bool ok = cJSON_IsString(e);
		if (ok && allowed) {
			ok = false;
			for (const char *const *a = allowed; *a; a++)
				ok |= strcmp(*a, e->valuestring) == 0;
		}
		if (!ok) {
			hf_fail(c, "field '%slayer_types' must contain only %s", c->scope,
			     allowed ? "'sliding_attention' or 'full_attention'" : "strings");
			break;
		}
		cJSON_AddItemToArray(out, cJSON_CreateString(e->valuestring));
	}
	return out;
}

cJSON *hf_extra_gemma4(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	int layers = in->layers;
	static const char *const kinds[] = {"sliding_attention", "full_attention", NULL};
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "layer_types", layer_types(c, cfg, layers, kinds, "Gemma 4"));
	hf_add_num(x, "swa_num_kv_heads", hf_req_int(c, cfg, "num_key_value_heads"));
	hf_add_num(x, "swa_head_dim", hf_req_int(c, cfg, "head_dim"));
	hf_add_num(x, "global_num_kv_heads", hf_req_int(c, cfg, "num_global_key_value_heads"));
	hf_add_num(x, "global_head_dim", hf_req_int(c, cfg, "global_head_dim"));
	hf_add_num(x, "sliding_window_size", hf_opt_int(c, cfg, "sliding_window", 0));
	cJSON_AddBoolToObject(x, "attention_k_eq_v", hf_truthy(hf_item(cfg, "attention_k_eq_v")));
	return x;
}

cJSON *hf_extra_qwen35(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *cfg = in->cfg;
	int layers = in->layers;
	double topk = in->topk, experts = in->experts, moe_inter = in->moe_inter;
	static const char *const keys[] = {"linear_num_key_heads", "linear_key_head_dim", "linear_num_value_heads",
		"linear_value_head_dim", "linear_conv_kernel_dim"};
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "layer_types", layer_types(c, cfg, layers, NULL, "Qwen3.5"));
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		hf_add_num(x, keys[i], hf_req_int(c, cfg, keys[i]));
	hf_add_num(x, "topk", topk);
	hf_add_num(x, "num_experts", experts);
	hf_add_num(x, "moe_inter_size", moe_inter);
	hf_add_num(x, "shared_expert_inter_size", hf_opt_int(c, cfg, "shared_expert_intermediate_size", 0));
	return x;
}

static cJSON *vision_params(struct hf_ctx *c, const cJSON *vis)
{
	const char *saved = c->scope;
	c->scope = "vision_config.";
	cJSON *x = cJSON_CreateObject();
	static const char *const keys[] = {"depth", "hidden_size", "num_heads", "intermediate_size", "patch_size",
		"temporal_patch_size", "spatial_merge_size", "out_hidden_size"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		hf_add_num(x, keys[i], hf_req_int(c, vis, keys[i]));
	const cJSON *ds = hf_opt_int_list(c, vis, "deepstack_visual_indexes");
	cJSON_AddItemToObject(x, "deepstack_visual_indexes", ds ? cJSON_Duplicate(ds, true) : cJSON_CreateArray());
	/* The patch merger folds spatial_merge_size^2 patches into one token before its two-layer MLP. */
	double merge = hf_item(x, "spatial_merge_size")->valuedouble;
	double merger = hf_item(x, "hidden_size")->valuedouble * merge * merge;
	double out = hf_item(x, "out_hidden_size")->valuedouble;
	cJSON *dims = cJSON_CreateArray(), *p;
	p = cJSON_CreateArray();
	cJSON_AddItemToArray(p, cJSON_CreateNumber(merger));
	cJSON_AddItemToArray(p, cJSON_CreateNumber(merger));
	cJSON_AddItemToArray(dims, p);
	p = cJSON_CreateArray();
	cJSON_AddItemToArray(p, cJSON_CreateNumber(merger));
	cJSON_AddItemToArray(p, cJSON_CreateNumber(out));
	cJSON_AddItemToArray(dims, p);
	cJSON_AddItemToObject(x, "projector_dims", dims);
	hf_add_num(x, "projector_n_instances", 1 + (ds ? cJSON_GetArraySize(ds) : 0));
	c->scope = saved;
	return x;
}

/* ---- the parsers the rows of lib/model/families name ---- */

cJSON *hf_extra_nas(struct hf_ctx *c, const hf_extra_in *in)
{
	const cJSON *blocks = hf_item(in->cfg, "block_configs");
	return blocks ? nas_params(c, blocks) : NULL;
}

cJSON *hf_extra_dsa(struct hf_ctx *c, const hf_extra_in *in)
{
	return dsa_params(c, in->cfg);
}

/* GLM-5 checkpoints that leave the DSA attention projections unquantized run them in bfloat16. */
cJSON *hf_extra_glm_dsa(struct hf_ctx *c, const hf_extra_in *in)
{
	cJSON *x = dsa_params(c, in->cfg);
	if (hf_dsa_projections_unquantized(in->config))
		cJSON_AddStringToObject(x, "dsa_gemm_quant_mode", "bfloat16");
	return x;
}

/* Qwen3 (dense and MoE) and MiniMax-M2 normalize queries and keys. */
cJSON *hf_extra_qk_norm(struct hf_ctx *c, const hf_extra_in *in)
{
	(void)c;
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "architecture", in->arch);
	cJSON_AddBoolToObject(x, "use_qk_norm", 1);
	return x;
}

/* Qwen3-VL: the vision tower, when the checkpoint has one. */
cJSON *hf_extra_qwen3vl(struct hf_ctx *c, const hf_extra_in *in)
{
	if (!hf_truthy(in->vision))
		return NULL;
	if (!cJSON_IsObject(in->vision)) {
		hf_fail(c, "field 'vision_config' must be an object");
		return NULL;
	}
	return vision_params(c, in->vision);
}
