/* The checkpoint's quantization: hf_quant_config.json merged into the raw config and the default
 * quant modes inferred from it, as the reference's sdk/utils.py and sdk/models/helpers.py
 * (_infer_quant_modes_from_raw_config, _apply_model_quant_defaults) do at a54593e24. */
#include "hf_quant.h"
#include "diag.h"
#include "hint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- quantization ---- */

/* Lower-cased, whitespace-trimmed copy of a string field; NULL when it is empty. */
static char *norm_algo(struct hf_ctx *c, const cJSON *v, const char *where)
{
	if (!hf_truthy(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		hf_fail(c, "field '%s' must be a string", where);
		return NULL;
	}
	const char *s = v->valuestring;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (!n)
		return NULL;
	char *r = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)s[i]);
	r[n] = 0;
	return r;
}

/* First truthy field of a chain, as Python's `a or b or c`; *where names it for messages. */
static const cJSON *first_truthy(const cJSON *const *v, const char *const *names, int n, const char **where)
{
	for (int i = 0; i < n; i++)
		if (hf_truthy(v[i])) {
			*where = names[i];
			return v[i];
		}
	return NULL;
}

/* The reference merges hf_quant_config.json into the raw config: kept whole under
 * "hf_quant_config", and as a lower-cased quantization_config when config.json has none. */
void hf_attach_quant(cJSON *config, const cJSON *hf_quant, const char *text_key)
{
	if (hf_truthy(hf_quant) && cJSON_IsObject(hf_quant)) {
		cJSON_DeleteItemFromObjectCaseSensitive(config, "hf_quant_config");
		cJSON_AddItemToObject(config, "hf_quant_config", cJSON_Duplicate(hf_quant, true));
		const cJSON *sec = hf_item(hf_quant, "quantization");
		if (!hf_item(config, "quantization_config") && cJSON_IsObject(sec)) {
			const cJSON *algo = hf_item(sec, "quant_algo");
			if (!hf_truthy(algo))
				algo = hf_item(sec, "quantization_algo");
			const cJSON *kv = hf_item(sec, "kv_cache_quant_algo");
			cJSON *norm = cJSON_CreateObject();
			const cJSON *src[2] = {algo, kv};
			const char *dst[2] = {"quant_method", "kv_cache_quant_method"};
			for (int i = 0; i < 2; i++) {
				if (!hf_truthy(src[i]))
					continue;
				if (cJSON_IsString(src[i])) {
					char *l = strdup(src[i]->valuestring);
					for (char *p = l; *p; p++)
						*p = (char)tolower((unsigned char)*p);
					cJSON_AddStringToObject(norm, dst[i], l);
					free(l);
				} else {
					cJSON_AddItemToObject(norm, dst[i], cJSON_Duplicate(src[i], true));
				}
			}
			if (norm->child)
				cJSON_AddItemToObject(config, "quantization_config", norm);
			else
				cJSON_Delete(norm);
		}
	}
	/* Multimodal checkpoints may keep quantization_config in their text config. */
	if (!hf_item(config, "quantization_config") && text_key) {
		const cJSON *qc = hf_item(hf_item(config, text_key), "quantization_config");
		if (qc)
			cJSON_AddItemToObject(config, "quantization_config", cJSON_Duplicate(qc, true));
	}
}

/* Whether quantization is dynamic: activation_scheme, else any "dynamic" flag in config_groups;
 * -1 when the config does not say. */
static int infer_dynamic(const cJSON *qc)
{
	const cJSON *scheme = hf_item(qc, "activation_scheme");
	if (cJSON_IsString(scheme)) {
		if (strcasecmp(scheme->valuestring, "dynamic") == 0)
			return 1;
		if (strcasecmp(scheme->valuestring, "static") == 0)
			return 0;
	}
	const cJSON *groups = hf_item(qc, "config_groups"), *g;
	int found = -1;
	if (cJSON_IsObject(groups))
		cJSON_ArrayForEach(g, groups) {
			static const char *const parts[] = {"input_activations", "weights"};
			for (int i = 0; i < 2; i++) {
				const cJSON *d = hf_item(hf_item(g, parts[i]), "dynamic");
				if (d)
					found = (found == 1) || hf_truthy(d);
			}
		}
	return found;
}

static bool has_any(const char *s, const char *const *words, int n)
{
	for (int i = 0; i < n; i++)
		if (strstr(s, words[i]))
			return true;
	return false;
}

/* compressed-tensors: the weight format of the first config group that names one, and whether
 * attention / routed experts are in the ignore list (kept in 16-bit). */
static const char *compressed_tensors_algo(const cJSON *qc, bool *attn_ignored, bool *experts_ignored)
{
	const char *base = NULL;
	const cJSON *g;
	cJSON_ArrayForEach(g, hf_item(qc, "config_groups")) {
		const cJSON *w = hf_item(g, "weights");
		const cJSON *bits = hf_item(w, "num_bits"), *type = hf_item(w, "type");
		char t[64] = "";
		if (cJSON_IsString(type))
			for (size_t i = 0; i + 1 < sizeof t && type->valuestring[i]; i++)
				t[i] = (char)tolower((unsigned char)type->valuestring[i]), t[i + 1] = 0;
		if (hf_is_int(bits)) {
			if (bits->valuedouble == 4 && strstr(t, "int"))
				base = "int4_wo";
			else if (bits->valuedouble == 8 && strstr(t, "int"))
				base = "int8_wo";
			else if (bits->valuedouble == 8 && strstr(t, "float"))
				base = "fp8";
		}
		if (base)
			break;
	}
	*attn_ignored = *experts_ignored = false;
	if (!base)
		return NULL;
	static const char *const attn_words[] = {"self_attn", "q_proj", "k_proj", "v_proj", "o_proj"};
	const cJSON *p;
	cJSON_ArrayForEach(p, hf_item(qc, "ignore")) {
		if (!cJSON_IsString(p))
			continue;
		char *l = strdup(p->valuestring);
		for (char *q = l; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		if (has_any(l, attn_words, 5))
			*attn_ignored = true;
		if (!strstr(l, "shared_expert") && strstr(l, "expert"))
			*experts_ignored = true;
		free(l);
	}
	return base;
}

struct quant {
	const char *gemm, *moe, *kvcache, *fmha;
};

/* Default quant modes from the checkpoint (the reference's inference, then its bfloat16 / half
 * defaults), plus the raw fields it keeps. */
cJSON *hf_quant_record(struct hf_ctx *c, cJSON *config, const char *arch)
{
	const cJSON *qc = hf_item(config, "quantization_config");
	if (!cJSON_IsObject(qc))
		qc = NULL;
	const cJSON *sec = hf_item(hf_item(config, "hf_quant_config"), "quantization");
	if (!cJSON_IsObject(sec))
		sec = NULL;

	const cJSON *algo_src[] = {hf_item(sec, "quant_algo"), hf_item(qc, "quant_algo"), hf_item(qc, "quant_method"),
		hf_item(qc, "quantization_method")};
	const char *algo_names[] = {"hf_quant_config.quantization.quant_algo", "quantization_config.quant_algo",
		"quantization_config.quant_method", "quantization_config.quantization_method"};
	const char *where = "";
	char *algo = norm_algo(c, first_truthy(algo_src, algo_names, 4, &where), where);
	if (algo && strcmp(algo, "w4a16_mxfp4") == 0)
		strcpy(algo, "mxfp4");

	const cJSON *kv_src[] = {hf_item(sec, "kv_cache_quant_algo"), hf_item(qc, "kv_cache_quant_algo"),
		hf_item(qc, "kv_cache_quant_method"), hf_item(qc, "kv_cache_dtype")};
	const char *kv_names[] = {"hf_quant_config.quantization.kv_cache_quant_algo",
		"quantization_config.kv_cache_quant_algo", "quantization_config.kv_cache_quant_method",
		"quantization_config.kv_cache_dtype"};
	char *kv = norm_algo(c, first_truthy(kv_src, kv_names, 4, &where), where);
	if (kv && (!strcmp(kv, "e4m3") || !strcmp(kv, "e5m2")))
		strcpy(kv, "fp8");
	else if (kv && (!strcmp(kv, "fp16") || !strcmp(kv, "float16") || !strcmp(kv, "bf16") || !strcmp(kv, "bfloat16"))) {
		free(kv);
		kv = strdup("bfloat16");
	}
	const cJSON *scheme = hf_item(qc, "kv_cache_scheme");
	if (!kv && cJSON_IsObject(scheme)) {
		const cJSON *type = hf_item(scheme, "type"), *bits = hf_item(scheme, "num_bits");
		char t[64] = "";
		if (cJSON_IsString(type))
			for (size_t i = 0; i + 1 < sizeof t && type->valuestring[i]; i++)
				t[i] = (char)tolower((unsigned char)type->valuestring[i]), t[i + 1] = 0;
		if (strstr(t, "fp8"))
			kv = strdup("fp8");
		else if (!strcmp(t, "float") && hf_is_int(bits))
			kv = bits->valuedouble <= 8 ? strdup("fp8") : bits->valuedouble >= 16 ? strdup("bfloat16") : NULL;
	}
	if (algo && !strcmp(algo, "fp8") && hf_truthy(hf_item(qc, "weight_block_size"))) {
		free(algo);
		algo = strdup("fp8_block");
	}
	int dynamic = qc ? infer_dynamic(qc) : -1;

	/* Fields already at the top level of config.json win over the inferred ones (setdefault). */
	const cJSON *top;
	if ((top = hf_item(config, "quant_algo"))) {
		free(algo);
		algo = cJSON_IsString(top) ? strdup(top->valuestring) : NULL;
		if (hf_present(top) && !cJSON_IsString(top))
			hf_fail(c, "field 'quant_algo' must be a string");
	}
	if ((top = hf_item(config, "kv_cache_quant_algo"))) {
		free(kv);
		kv = cJSON_IsString(top) ? strdup(top->valuestring) : NULL;
		if (hf_present(top) && !cJSON_IsString(top))
			hf_fail(c, "field 'kv_cache_quant_algo' must be a string");
	}
	if ((top = hf_item(config, "quant_dynamic")))
		dynamic = cJSON_IsFalse(top) ? 0 : hf_present(top) ? 1 : -1;

	struct quant q = {0};
	if (!algo) {
		/* nothing from the checkpoint */
	} else if (!strcmp(algo, "fp8")) {
		q.gemm = dynamic == 0 ? "fp8_static" : "fp8";
		q.moe = "fp8";
	} else if (!strcmp(algo, "fp8_block")) {
		q.gemm = q.moe = "fp8_block";
	} else if (!strcmp(algo, "nvfp4")) {
		q.gemm = q.moe = "nvfp4";
	} else if (!strcmp(algo, "mxfp4")) {
		q.gemm = "bfloat16";
		q.moe = "w4a16_mxfp4";
	} else if (!strcmp(algo, "compressed-tensors")) {
		bool attn_ignored, experts_ignored;
		const char *base = compressed_tensors_algo(qc, &attn_ignored, &experts_ignored);
		if (base && !attn_ignored)
			q.gemm = base;
		if (base && !experts_ignored) {
			if (!strcmp(base, "int8_wo"))
				hf_fail(c, "compressed-tensors checkpoint: routed experts in int8_wo have no MoE quant mode");
			q.moe = base;
		}
	} else {
		bool first = !c->failed;
		hf_fail(c, "unsupported quant algorithm '%s' (supported: fp8, fp8_block, nvfp4, mxfp4, compressed-tensors)",
			algo);
		if (first) /* the way to price it anyway is the filter's, in its options */
			hint_note(HINT_IGNORE_QUANT, 0, c->err);
	}
	if (!strcmp(arch, "DeepseekV4ForCausalLM")) {
		const cJSON *ed = hf_item(config, "expert_dtype");
		if (cJSON_IsString(ed) && strcasecmp(ed->valuestring, "fp4") == 0)
			q.moe = "w4a8_mxfp4_mxfp8";
	}
	if (kv && !strcmp(kv, "fp8"))
		q.kvcache = "fp8";
	else if (kv && !strcmp(kv, "bfloat16"))
		q.kvcache = "bfloat16";
	else if (kv)
		hf_fail(c, "unsupported kv cache algorithm '%s'", kv);
	if (algo && (!strcmp(algo, "fp8") || !strcmp(algo, "fp8_block") || !strcmp(algo, "nvfp4") ||
		     (kv && !strcmp(kv, "fp8")))) {
		q.fmha = "fp8";
		q.kvcache = "fp8";
	}
	/* DeepSeek-V4's attention tables are bfloat16 whatever the checkpoint says. */
	if (!strcmp(arch, "DeepseekV4ForCausalLM") && q.fmha && !strcmp(q.fmha, "fp8"))
		q.fmha = "bfloat16";

	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "gemm", q.gemm ? q.gemm : "bfloat16");
	cJSON_AddStringToObject(r, "kvcache", q.kvcache ? q.kvcache : "bfloat16");
	cJSON_AddStringToObject(r, "fmha", q.fmha ? q.fmha : "bfloat16");
	cJSON_AddStringToObject(r, "moe", q.moe ? q.moe : "bfloat16");
	cJSON_AddStringToObject(r, "comm", "half");
	if (algo)
		cJSON_AddStringToObject(r, "quant_algo", algo);
	else
		cJSON_AddNullToObject(r, "quant_algo");
	if (kv)
		cJSON_AddStringToObject(r, "kv_cache_quant_algo", kv);
	else
		cJSON_AddNullToObject(r, "kv_cache_quant_algo");
	if (dynamic < 0)
		cJSON_AddNullToObject(r, "quant_dynamic");
	else
		cJSON_AddBoolToObject(r, "quant_dynamic", dynamic);
	/* fp8_block MoE layouts are checked against the first block dimension (128 when unstated). */
	const cJSON *wbs = hf_item(qc, "weight_block_size");
	const cJSON *w0 = cJSON_IsArray(wbs) ? cJSON_GetArrayItem(wbs, 0) : NULL;
	hf_add_num(r, "weight_block_size", hf_is_int(w0) ? w0->valuedouble : 128);
	free(algo);
	free(kv);
	return r;
}

/* GLM-5 checkpoints that leave the DSA attention projections unquantized run them in bfloat16. */
bool hf_dsa_projections_unquantized(const cJSON *config)
{
	static const char *const markers[] = {"self_attn.q_a_proj", "self_attn.q_b_proj", "self_attn.kv_a_proj",
		"self_attn.kv_a_proj_with_mqa", "self_attn.kv_b_proj", "self_attn.o_proj"};
	const cJSON *qc = hf_item(config, "quantization_config");
	const cJSON *sec = hf_item(hf_item(config, "hf_quant_config"), "quantization");
	const cJSON *lists[] = {hf_item(qc, "modules_to_not_convert"), hf_item(qc, "exclude_modules"), hf_item(sec, "exclude_modules")};
	for (int i = 0; i < 3; i++) {
		const cJSON *p, *list = cJSON_IsArray(lists[i]) ? lists[i] : NULL;
		cJSON_ArrayForEach(p, list)
			if (cJSON_IsString(p) && has_any(p->valuestring, markers, 6))
				return true;
	}
	return false;
}
