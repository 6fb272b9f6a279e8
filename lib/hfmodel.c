/* The parse follows the reference's sdk/utils.py (_parse_hf_config_json and the quantization
 * helpers) and sdk/models/helpers.py (_infer_quant_modes_from_raw_config, _apply_model_quant_defaults)
 * at a54593e24. Python's `get(key) or default` idiom is kept where the reference uses it, because
 * it decides what a null or zero field means. */
#include "hfmodel.h"
#include "diag.h"
#include "fspath.h"
#include "families.h"
#include "jsonl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- error collection: the first failure wins, the build continues harmlessly ---- */

struct ctx {
	char *err;
	size_t errlen;
	bool failed;
	const char *scope;   /* "text_config." when fields come from a nested config */
};

__attribute__((format(printf, 2, 3)))
static void fail(struct ctx *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* ---- JSON helpers with Python semantics ---- */

static cJSON *item(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static bool present(const cJSON *v) { return v && !cJSON_IsNull(v); }

/* Python truthiness of a JSON value (absent counts as None). */
static bool truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return true;
}

static bool is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble);
}

/* A required integer field (the reference indexes it with config[key]). */
static double req_int(struct ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = item(obj, key);
	if (!v) {
		fail(c, "missing required field '%s%s'", c->scope, key);
		return 0;
	}
	if (!is_int(v)) {
		fail(c, "field '%s%s' must be an integer", c->scope, key);
		return 0;
	}
	return v->valuedouble;
}

static double req_num(struct ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = item(obj, key);
	if (!v) {
		fail(c, "missing required field '%s%s'", c->scope, key);
		return 0;
	}
	if (!cJSON_IsNumber(v)) {
		fail(c, "field '%s%s' must be a number", c->scope, key);
		return 0;
	}
	return v->valuedouble;
}

/* An optional integer: def when absent or null (null stands for "not set" in these configs). */
static double opt_int(struct ctx *c, const cJSON *obj, const char *key, double def)
{
	const cJSON *v = item(obj, key);
	if (!present(v))
		return def;
	if (!is_int(v)) {
		fail(c, "field '%s%s' must be an integer", c->scope, key);
		return def;
	}
	return v->valuedouble;
}

/* An optional list of integers; NULL when absent or null. */
static const cJSON *opt_int_list(struct ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = item(obj, key);
	if (!present(v))
		return NULL;
	const cJSON *e;
	if (!cJSON_IsArray(v))
		goto bad;
	cJSON_ArrayForEach(e, v)
		if (!is_int(e))
			goto bad;
	return v;
bad:
	fail(c, "field '%s%s' must be an array of integers", c->scope, key);
	return NULL;
}

static void add_num(cJSON *obj, const char *key, double v) { cJSON_AddNumberToObject(obj, key, v); }

static cJSON *int_array(const int *v, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
	return a;
}

/* ---- reading files ---- */

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(e));
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	if (memchr(buf, 0, len)) {
		snprintf(err, errlen, "%s: not valid JSON (contains a NUL byte)", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static bool word_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

/* Python's json keeps the last of repeated keys; cJSON finds the first, so drop the earlier ones. */
static void keep_last_duplicates(cJSON *node)
{
	for (cJSON *ch = node ? node->child : NULL, *next; ch; ch = next) {
		next = ch->next;
		bool repeated = false;
		if (cJSON_IsObject(node) && ch->string)
			for (const cJSON *later = ch->next; later && !repeated; later = later->next)
				repeated = later->string && strcmp(later->string, ch->string) == 0;
		if (repeated)
			cJSON_Delete(cJSON_DetachItemViaPointer(node, ch));
		else
			keep_last_duplicates(ch);
	}
}

cJSON *hfmodel_parse_text(const char *text, char *err, size_t errlen)
{
	/* Rewrite bare Infinity / -Infinity / NaN outside strings to null, as the reference does
	 * before parsing; "null" is never longer than 2 x the token, so 2 x the length is enough. */
	long bad = utf8_invalid_at(text);
	if (bad >= 0) {
		long line = 1;
		for (long i = 0; i < bad; i++)
			line += text[i] == '\n';
		snprintf(err, errlen, "not valid JSON (line %ld): not UTF-8", line);
		return NULL;
	}
	size_t n = strlen(text);
	char *out = xmalloc(2 * n + 1), *o = out;
	bool in_str = false;
	for (size_t i = 0; i < n;) {
		char ch = text[i];
		if (in_str) {
			*o++ = ch;
			if (ch == '\\' && i + 1 < n)
				*o++ = text[++i];
			else if (ch == '"')
				in_str = false;
			i++;
			continue;
		}
		if (ch == '"') {
			in_str = true;
			*o++ = ch;
			i++;
			continue;
		}
		bool boundary = i == 0 || !word_char(text[i - 1]);
		size_t tok = 0;
		if (boundary && strncmp(text + i, "-Infinity", 9) == 0)
			tok = 9;
		else if (boundary && strncmp(text + i, "Infinity", 8) == 0)
			tok = 8;
		else if (boundary && strncmp(text + i, "NaN", 3) == 0)
			tok = 3;
		if (tok && !word_char(text[i + tok])) {
			memcpy(o, "null", 4);
			o += 4;
			i += tok;
			continue;
		}
		*o++ = ch;
		i++;
	}
	*o = 0;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(out, &end, true);
	if (!root) {
		long line = 1;
		for (const char *p = out; end && p < end; p++)
			line += *p == '\n';
		snprintf(err, errlen, "not valid JSON (line %ld)", line);
	}
	keep_last_duplicates(root);
	free(out);
	return root;
}

/* ---- extra_params per architecture ---- */

static cJSON *nemotronh_params(struct ctx *c, const cJSON *cfg)
{
	static const char *const block_codes[][2] = {
		{"mamba", "M"}, {"moe", "E"}, {"attention", "*"}, {"mlp", "-"}, {"dense", "-"},
		{"ffn", "-"}, {"M", "M"}, {"E", "E"}, {"*", "*"}, {"-", "-"},
	};
	cJSON *x = cJSON_CreateObject();
	const cJSON *pat = item(cfg, "hybrid_override_pattern");
	const cJSON *blocks = item(cfg, "layers_block_type");
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
				fail(c, "field '%slayers_block_type': unsupported NemotronH layer block type %s "
				     "(supported: *, -, E, M, attention, dense, ffn, mamba, mlp, moe)", c->scope, t);
				free(t);
				break;
			}
			s[k++] = code[0];
		}
		cJSON_AddStringToObject(x, "hybrid_override_pattern", s);
		free(s);
	} else {
		fail(c, "NemotronH config must define '%shybrid_override_pattern' or '%slayers_block_type'", c->scope, c->scope);
	}
	static const char *const required[] = {"mamba_num_heads", "mamba_head_dim", "ssm_state_size",
		"conv_kernel", "n_groups", "chunk_size"};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		add_num(x, required[i], req_int(c, cfg, required[i]));
	add_num(x, "moe_shared_expert_intermediate_size", opt_int(c, cfg, "moe_shared_expert_intermediate_size", 0));
	add_num(x, "moe_latent_size", opt_int(c, cfg, "moe_latent_size", 0));
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
		add_num(o, "attn_n_heads_in_group", b->heads);
	cJSON_AddBoolToObject(o, "attn_no_op", b->attn_noop);
	if (b->mult_null)
		cJSON_AddNullToObject(o, "ffn_ffn_mult");
	else
		add_num(o, "ffn_ffn_mult", b->mult);
	cJSON_AddBoolToObject(o, "ffn_no_op", b->ffn_noop);
	add_num(o, "num_inst", count);
	cJSON_AddItemToArray(arr, o);
}

static bool nas_flag(struct ctx *c, const cJSON *obj, const char *key, int i, const char *part)
{
	const cJSON *v = item(obj, key);
	if (!v)
		return false;
	if (!cJSON_IsBool(v)) {
		fail(c, "field '%sblock_configs[%d].%s.%s' must be a boolean", c->scope, i, part, key);
		return false;
	}
	return cJSON_IsTrue(v);
}

/* NULL when the list is empty (the reference then has no extra params). */
static cJSON *nas_params(struct ctx *c, const cJSON *blocks)
{
	if (!truthy(blocks))
		return NULL;
	if (!cJSON_IsArray(blocks)) {
		fail(c, "field '%sblock_configs' must be an array", c->scope);
		return NULL;
	}
	cJSON *groups = cJSON_CreateArray();
	struct nas_block cur = {0};
	int count = 0, i = 0;
	const cJSON *blk;
	cJSON_ArrayForEach(blk, blocks) {
		const cJSON *attn = item(blk, "attention"), *ffn = item(blk, "ffn");
		if (!cJSON_IsObject(blk) || (attn && !cJSON_IsObject(attn)) || (ffn && !cJSON_IsObject(ffn))) {
			fail(c, "field '%sblock_configs[%d]' must be an object with object 'attention' and 'ffn'", c->scope, i);
			break;
		}
		struct nas_block b = {.heads_null = true, .mult = 3.5};
		const cJSON *h = item(attn, "n_heads_in_group"), *m = item(ffn, "ffn_mult");
		if (present(h) && !cJSON_IsNumber(h))
			fail(c, "field '%sblock_configs[%d].attention.n_heads_in_group' must be a number", c->scope, i);
		else if (present(h))
			b.heads_null = false, b.heads = h->valuedouble;
		if (m && cJSON_IsNull(m))
			b.mult_null = true;
		else if (m && !cJSON_IsNumber(m))
			fail(c, "field '%sblock_configs[%d].ffn.ffn_mult' must be a number", c->scope, i);
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
static int *binary_pattern(struct ctx *c, const cJSON *list, const char *key, int layers, int *len)
{
	*len = list ? cJSON_GetArraySize(list) : 0;
	int *v = calloc((size_t)(*len > 0 ? *len : 1), sizeof *v);
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, list) {
		if (!cJSON_IsNumber(e) || (e->valuedouble != 0 && e->valuedouble != 1))
			fail(c, "field '%s%s' must contain only 0/1 values", c->scope, key);
		v[i++] = cJSON_IsNumber(e) && e->valuedouble == 1;
	}
	(void)layers;
	return v;
}

static cJSON *hybrid_moe_object(const int *attn, const int *moe, int layers)
{
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "attn_layer_pattern", int_array(attn, layers));
	cJSON_AddItemToObject(x, "moe_layer_freq", int_array(moe, layers));
	return x;
}

static cJSON *mimo_v2_params(struct ctx *c, const cJSON *cfg, int layers)
{
	const cJSON *freq_raw = item(cfg, "moe_layer_freq");
	const cJSON *attn_raw = item(cfg, "hybrid_layer_pattern");
	int nmoe = 0, nattn = 0, *moe, *attn;
	if (present(freq_raw) && !cJSON_IsArray(freq_raw)) {
		/* A scalar frequency applies to every layer. */
		nmoe = layers;
		moe = calloc((size_t)(layers > 0 ? layers : 1), sizeof *moe);
		if (!cJSON_IsNumber(freq_raw) || (freq_raw->valuedouble != 0 && freq_raw->valuedouble != 1))
			fail(c, "field '%smoe_layer_freq' must contain only 0/1 values", c->scope);
		for (int i = 0; i < layers; i++)
			moe[i] = cJSON_IsNumber(freq_raw) && freq_raw->valuedouble == 1;
	} else {
		moe = binary_pattern(c, cJSON_IsArray(freq_raw) ? freq_raw : NULL, "moe_layer_freq", layers, &nmoe);
	}
	if (present(attn_raw) && !cJSON_IsArray(attn_raw))
		fail(c, "field '%shybrid_layer_pattern' must be an array", c->scope);
	attn = binary_pattern(c, cJSON_IsArray(attn_raw) ? attn_raw : NULL, "hybrid_layer_pattern", layers, &nattn);
	if (nattn != layers || nmoe != layers)
		fail(c, "hybrid pattern length mismatch: expected %d entries, got %shybrid_layer_pattern=%d %smoe_layer_freq=%d",
		     layers, c->scope, nattn, c->scope, nmoe);
	cJSON *x = hybrid_moe_object(attn, moe, c->failed ? 0 : layers);
	free(attn);
	free(moe);
	add_num(x, "swa_num_kv_heads", opt_int(c, cfg, "swa_num_key_value_heads", 0));
	add_num(x, "swa_head_dim", opt_int(c, cfg, "swa_head_dim", 0));
	add_num(x, "swa_v_head_dim", opt_int(c, cfg, "swa_v_head_dim", 0));
	add_num(x, "global_v_head_dim", opt_int(c, cfg, "v_head_dim", 0));
	add_num(x, "sliding_window_size", opt_int(c, cfg, "sliding_window_size", 0));
	add_num(x, "dense_inter_size", 0);
	return x;
}

static cJSON *llama4_params(struct ctx *c, const cJSON *cfg, int layers)
{
	double step = opt_int(c, cfg, "interleave_moe_layer_step", 1);
	if (step <= 0) {
		fail(c, "field '%sinterleave_moe_layer_step' must be a positive integer", c->scope);
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
	add_num(x, "swa_num_kv_heads", 0);
	add_num(x, "swa_head_dim", 0);
	add_num(x, "swa_v_head_dim", 0);
	add_num(x, "global_v_head_dim", 0);
	add_num(x, "sliding_window_size", opt_int(c, cfg, "attention_chunk_size", 0));
	add_num(x, "dense_inter_size", opt_int(c, cfg, "intermediate_size_mlp", 0));
	return x;
}

/* Copy cfg[key] when present (a null stays null, as the reference's dict.get keeps None). */
static void copy_or(struct ctx *c, cJSON *x, const cJSON *cfg, const char *key, double def)
{
	const cJSON *v = item(cfg, key);
	if (v && !cJSON_IsNull(v) && !is_int(v))
		fail(c, "field '%s%s' must be an integer", c->scope, key);
	if (v && cJSON_IsNull(v))
		cJSON_AddNullToObject(x, key);
	else
		add_num(x, key, v ? v->valuedouble : def);
}

static cJSON *mla_params(struct ctx *c, const cJSON *cfg)
{
	cJSON *x = cJSON_CreateObject();
	copy_or(c, x, cfg, "v_head_dim", 0);
	copy_or(c, x, cfg, "kv_lora_rank", 0);
	copy_or(c, x, cfg, "qk_rope_head_dim", 0);
	return x;
}

static cJSON *dsa_params(struct ctx *c, const cJSON *cfg)
{
	static const char *const keys[] = {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim",
		"v_head_dim", "index_head_dim", "index_n_heads", "index_topk"};
	cJSON *x = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		add_num(x, keys[i], req_int(c, cfg, keys[i]));
	return x;
}

static cJSON *deepseek_v4_params(struct ctx *c, const cJSON *cfg, int layers)
{
	cJSON *x = cJSON_CreateObject();
	static const char *const before[] = {"q_lora_rank", "o_lora_rank", "o_groups", "head_dim", "qk_rope_head_dim",
		"index_head_dim", "index_n_heads", "index_topk", "sliding_window"};
	for (size_t i = 0; i < sizeof before / sizeof before[0]; i++)
		add_num(x, before[i], req_int(c, cfg, before[i]));
	const cJSON *ratios = item(cfg, "compress_ratios");
	if (!ratios)
		fail(c, "missing required field '%scompress_ratios'", c->scope);
	ratios = opt_int_list(c, cfg, "compress_ratios");
	if (item(cfg, "compress_ratios") && !ratios && !c->failed)
		fail(c, "field '%scompress_ratios' must be an array of integers", c->scope);
	int nr = ratios ? cJSON_GetArraySize(ratios) : 0;
	if (ratios && nr < layers)
		fail(c, "field '%scompress_ratios' has %d entries, fewer than the %d layers", c->scope, nr, layers);
	cJSON *kept = cJSON_CreateArray();
	for (int i = 0; ratios && i < layers && i < nr; i++)
		cJSON_AddItemToArray(kept, cJSON_CreateNumber(cJSON_GetArrayItem(ratios, i)->valuedouble));
	cJSON_AddItemToObject(x, "compress_ratios", kept);
	add_num(x, "compress_rope_theta", req_num(c, cfg, "compress_rope_theta"));
	add_num(x, "num_hash_layers", req_int(c, cfg, "num_hash_layers"));
	add_num(x, "hc_mult", req_int(c, cfg, "hc_mult"));
	add_num(x, "hc_sinkhorn_iters", req_int(c, cfg, "hc_sinkhorn_iters"));
	add_num(x, "hc_eps", req_num(c, cfg, "hc_eps"));
	add_num(x, "n_shared_experts", req_int(c, cfg, "n_shared_experts"));
	return x;
}

/* layer_types must have one entry per layer; allowed NULL means any string. */
static cJSON *layer_types(struct ctx *c, const cJSON *cfg, int layers, const char *const *allowed, const char *what)
{
	const cJSON *lt = item(cfg, "layer_types");
	cJSON *out = cJSON_CreateArray();
	if (present(lt) && !cJSON_IsArray(lt)) {
		fail(c, "field '%slayer_types' must be an array", c->scope);
		return out;
	}
	int n = lt ? cJSON_GetArraySize(lt) : 0;
	if (n != layers)
		fail(c, "%s field '%slayer_types' has %d entries, expected %d (num_hidden_layers)", what, c->scope, n, layers);
	const cJSON *e;
	cJSON_ArrayForEach(e, lt) {
		bool ok = cJSON_IsString(e);
		if (ok && allowed) {
			ok = false;
			for (const char *const *a = allowed; *a; a++)
				ok |= strcmp(*a, e->valuestring) == 0;
		}
		if (!ok) {
			fail(c, "field '%slayer_types' must contain only %s", c->scope,
			     allowed ? "'sliding_attention' or 'full_attention'" : "strings");
			break;
		}
		cJSON_AddItemToArray(out, cJSON_CreateString(e->valuestring));
	}
	return out;
}

static cJSON *gemma4_params(struct ctx *c, const cJSON *cfg, int layers)
{
	static const char *const kinds[] = {"sliding_attention", "full_attention", NULL};
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "layer_types", layer_types(c, cfg, layers, kinds, "Gemma 4"));
	add_num(x, "swa_num_kv_heads", req_int(c, cfg, "num_key_value_heads"));
	add_num(x, "swa_head_dim", req_int(c, cfg, "head_dim"));
	add_num(x, "global_num_kv_heads", req_int(c, cfg, "num_global_key_value_heads"));
	add_num(x, "global_head_dim", req_int(c, cfg, "global_head_dim"));
	add_num(x, "sliding_window_size", opt_int(c, cfg, "sliding_window", 0));
	cJSON_AddBoolToObject(x, "attention_k_eq_v", truthy(item(cfg, "attention_k_eq_v")));
	return x;
}

static cJSON *qwen35_params(struct ctx *c, const cJSON *cfg, int layers, double topk, double experts, double moe_inter)
{
	static const char *const keys[] = {"linear_num_key_heads", "linear_key_head_dim", "linear_num_value_heads",
		"linear_value_head_dim", "linear_conv_kernel_dim"};
	cJSON *x = cJSON_CreateObject();
	cJSON_AddItemToObject(x, "layer_types", layer_types(c, cfg, layers, NULL, "Qwen3.5"));
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		add_num(x, keys[i], req_int(c, cfg, keys[i]));
	add_num(x, "topk", topk);
	add_num(x, "num_experts", experts);
	add_num(x, "moe_inter_size", moe_inter);
	add_num(x, "shared_expert_inter_size", opt_int(c, cfg, "shared_expert_intermediate_size", 0));
	return x;
}

static cJSON *vision_params(struct ctx *c, const cJSON *vis)
{
	const char *saved = c->scope;
	c->scope = "vision_config.";
	cJSON *x = cJSON_CreateObject();
	static const char *const keys[] = {"depth", "hidden_size", "num_heads", "intermediate_size", "patch_size",
		"temporal_patch_size", "spatial_merge_size", "out_hidden_size"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		add_num(x, keys[i], req_int(c, vis, keys[i]));
	const cJSON *ds = opt_int_list(c, vis, "deepstack_visual_indexes");
	cJSON_AddItemToObject(x, "deepstack_visual_indexes", ds ? cJSON_Duplicate(ds, true) : cJSON_CreateArray());
	/* The patch merger folds spatial_merge_size^2 patches into one token before its two-layer MLP. */
	double merge = item(x, "spatial_merge_size")->valuedouble;
	double merger = item(x, "hidden_size")->valuedouble * merge * merge;
	double out = item(x, "out_hidden_size")->valuedouble;
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
	add_num(x, "projector_n_instances", 1 + (ds ? cJSON_GetArraySize(ds) : 0));
	c->scope = saved;
	return x;
}

/* ---- quantization ---- */

/* Lower-cased, whitespace-trimmed copy of a string field; NULL when it is empty. */
static char *norm_algo(struct ctx *c, const cJSON *v, const char *where)
{
	if (!truthy(v))
		return NULL;
	if (!cJSON_IsString(v)) {
		fail(c, "field '%s' must be a string", where);
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
		if (truthy(v[i])) {
			*where = names[i];
			return v[i];
		}
	return NULL;
}

/* The reference merges hf_quant_config.json into the raw config: kept whole under
 * "hf_quant_config", and as a lower-cased quantization_config when config.json has none. */
static void attach_hf_quant(cJSON *config, const cJSON *hf_quant, const char *arch)
{
	if (truthy(hf_quant) && cJSON_IsObject(hf_quant)) {
		cJSON_DeleteItemFromObjectCaseSensitive(config, "hf_quant_config");
		cJSON_AddItemToObject(config, "hf_quant_config", cJSON_Duplicate(hf_quant, true));
		const cJSON *sec = item(hf_quant, "quantization");
		if (!item(config, "quantization_config") && cJSON_IsObject(sec)) {
			const cJSON *algo = item(sec, "quant_algo");
			if (!truthy(algo))
				algo = item(sec, "quantization_algo");
			const cJSON *kv = item(sec, "kv_cache_quant_algo");
			cJSON *norm = cJSON_CreateObject();
			const cJSON *src[2] = {algo, kv};
			const char *dst[2] = {"quant_method", "kv_cache_quant_method"};
			for (int i = 0; i < 2; i++) {
				if (!truthy(src[i]))
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
	const char *text_key = family_text_config_key(arch);
	if (!item(config, "quantization_config") && text_key) {
		const cJSON *qc = item(item(config, text_key), "quantization_config");
		if (qc)
			cJSON_AddItemToObject(config, "quantization_config", cJSON_Duplicate(qc, true));
	}
}

/* Whether quantization is dynamic: activation_scheme, else any "dynamic" flag in config_groups;
 * -1 when the config does not say. */
static int infer_dynamic(const cJSON *qc)
{
	const cJSON *scheme = item(qc, "activation_scheme");
	if (cJSON_IsString(scheme)) {
		if (strcasecmp(scheme->valuestring, "dynamic") == 0)
			return 1;
		if (strcasecmp(scheme->valuestring, "static") == 0)
			return 0;
	}
	const cJSON *groups = item(qc, "config_groups"), *g;
	int found = -1;
	if (cJSON_IsObject(groups))
		cJSON_ArrayForEach(g, groups) {
			static const char *const parts[] = {"input_activations", "weights"};
			for (int i = 0; i < 2; i++) {
				const cJSON *d = item(item(g, parts[i]), "dynamic");
				if (d)
					found = (found == 1) || truthy(d);
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
	cJSON_ArrayForEach(g, item(qc, "config_groups")) {
		const cJSON *w = item(g, "weights");
		const cJSON *bits = item(w, "num_bits"), *type = item(w, "type");
		char t[64] = "";
		if (cJSON_IsString(type))
			for (size_t i = 0; i + 1 < sizeof t && type->valuestring[i]; i++)
				t[i] = (char)tolower((unsigned char)type->valuestring[i]), t[i + 1] = 0;
		if (is_int(bits)) {
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
	cJSON_ArrayForEach(p, item(qc, "ignore")) {
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
static cJSON *quant_record(struct ctx *c, cJSON *config, const char *arch)
{
	const cJSON *qc = item(config, "quantization_config");
	if (!cJSON_IsObject(qc))
		qc = NULL;
	const cJSON *sec = item(item(config, "hf_quant_config"), "quantization");
	if (!cJSON_IsObject(sec))
		sec = NULL;

	const cJSON *algo_src[] = {item(sec, "quant_algo"), item(qc, "quant_algo"), item(qc, "quant_method"),
		item(qc, "quantization_method")};
	const char *algo_names[] = {"hf_quant_config.quantization.quant_algo", "quantization_config.quant_algo",
		"quantization_config.quant_method", "quantization_config.quantization_method"};
	const char *where = "";
	char *algo = norm_algo(c, first_truthy(algo_src, algo_names, 4, &where), where);
	if (algo && strcmp(algo, "w4a16_mxfp4") == 0)
		strcpy(algo, "mxfp4");

	const cJSON *kv_src[] = {item(sec, "kv_cache_quant_algo"), item(qc, "kv_cache_quant_algo"),
		item(qc, "kv_cache_quant_method"), item(qc, "kv_cache_dtype")};
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
	const cJSON *scheme = item(qc, "kv_cache_scheme");
	if (!kv && cJSON_IsObject(scheme)) {
		const cJSON *type = item(scheme, "type"), *bits = item(scheme, "num_bits");
		char t[64] = "";
		if (cJSON_IsString(type))
			for (size_t i = 0; i + 1 < sizeof t && type->valuestring[i]; i++)
				t[i] = (char)tolower((unsigned char)type->valuestring[i]), t[i + 1] = 0;
		if (strstr(t, "fp8"))
			kv = strdup("fp8");
		else if (!strcmp(t, "float") && is_int(bits))
			kv = bits->valuedouble <= 8 ? strdup("fp8") : bits->valuedouble >= 16 ? strdup("bfloat16") : NULL;
	}
	if (algo && !strcmp(algo, "fp8") && truthy(item(qc, "weight_block_size"))) {
		free(algo);
		algo = strdup("fp8_block");
	}
	int dynamic = qc ? infer_dynamic(qc) : -1;

	/* Fields already at the top level of config.json win over the inferred ones (setdefault). */
	const cJSON *top;
	if ((top = item(config, "quant_algo"))) {
		free(algo);
		algo = cJSON_IsString(top) ? strdup(top->valuestring) : NULL;
		if (present(top) && !cJSON_IsString(top))
			fail(c, "field 'quant_algo' must be a string");
	}
	if ((top = item(config, "kv_cache_quant_algo"))) {
		free(kv);
		kv = cJSON_IsString(top) ? strdup(top->valuestring) : NULL;
		if (present(top) && !cJSON_IsString(top))
			fail(c, "field 'kv_cache_quant_algo' must be a string");
	}
	if ((top = item(config, "quant_dynamic")))
		dynamic = cJSON_IsFalse(top) ? 0 : present(top) ? 1 : -1;

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
				fail(c, "compressed-tensors checkpoint: routed experts in int8_wo have no MoE quant mode");
			q.moe = base;
		}
	} else {
		fail(c, "unsupported quant algorithm '%s' (supported: fp8, fp8_block, nvfp4, mxfp4, compressed-tensors; "
			"to price it anyway, read it unquantized with --ignore-quant (hfparse, estimate) and give the modes "
			"to price with --gemm-quant and --moe-quant (opgraph, estimate), e.g. int4_wo for 4-bit weights)",
		     algo);
	}
	if (!strcmp(arch, "DeepseekV4ForCausalLM")) {
		const cJSON *ed = item(config, "expert_dtype");
		if (cJSON_IsString(ed) && strcasecmp(ed->valuestring, "fp4") == 0)
			q.moe = "w4a8_mxfp4_mxfp8";
	}
	if (kv && !strcmp(kv, "fp8"))
		q.kvcache = "fp8";
	else if (kv && !strcmp(kv, "bfloat16"))
		q.kvcache = "bfloat16";
	else if (kv)
		fail(c, "unsupported kv cache algorithm '%s'", kv);
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
	const cJSON *wbs = item(qc, "weight_block_size");
	const cJSON *w0 = cJSON_IsArray(wbs) ? cJSON_GetArrayItem(wbs, 0) : NULL;
	add_num(r, "weight_block_size", is_int(w0) ? w0->valuedouble : 128);
	free(algo);
	free(kv);
	return r;
}

/* GLM-5 checkpoints that leave the DSA attention projections unquantized run them in bfloat16. */
static bool dsa_projections_unquantized(const cJSON *config)
{
	static const char *const markers[] = {"self_attn.q_a_proj", "self_attn.q_b_proj", "self_attn.kv_a_proj",
		"self_attn.kv_a_proj_with_mqa", "self_attn.kv_b_proj", "self_attn.o_proj"};
	const cJSON *qc = item(config, "quantization_config");
	const cJSON *sec = item(item(config, "hf_quant_config"), "quantization");
	const cJSON *lists[] = {item(qc, "modules_to_not_convert"), item(qc, "exclude_modules"), item(sec, "exclude_modules")};
	for (int i = 0; i < 3; i++) {
		const cJSON *p, *list = cJSON_IsArray(lists[i]) ? lists[i] : NULL;
		cJSON_ArrayForEach(p, list)
			if (cJSON_IsString(p) && has_any(p->valuestring, markers, 6))
				return true;
	}
	return false;
}

/* ---- the record ---- */

static bool ignore_checkpoint_quant;

void hfmodel_ignore_checkpoint_quant(bool on) { ignore_checkpoint_quant = on; }

/* A size the model's ops hang on that is missing or 0 would price a model of nothing (an FFN of
 * width 0, no experts) as if it were real: refuse it, naming the field. */
static void size_missing(struct ctx *c, const cJSON *cfg, const char *key, const char *what)
{
	if (!present(item(cfg, key)))
		fail(c, "missing required field '%s%s' (%s)", c->scope, key, what);
	else
		fail(c, "field '%s%s' is %g: %s cannot be 0", c->scope, key, item(cfg, key)->valuedouble, what);
}

static bool model_sizes_ok(struct ctx *c, const cJSON *cfg, const char *arch, const cJSON *extra, bool is_moe,
			   double layers, double hidden, double n, double vocab, double inter, double moe_inter,
			   double experts, double topk)
{
	if (layers <= 0)
		fail(c, "field '%snum_hidden_layers' is %g: the model has no layers", c->scope, layers);
	if (hidden <= 0)
		size_missing(c, cfg, "hidden_size", "the hidden size");
	if (n <= 0)
		size_missing(c, cfg, "num_attention_heads", "the attention head count");
	if (vocab <= 0)
		size_missing(c, cfg, "vocab_size", "the vocabulary size");
	/* NAS checkpoints size each block's FFN in block_configs; NemotronH has dense FFN layers
	 * only where its pattern has '-' */
	bool nas = !strcmp(arch, "DeciLMForCausalLM") && item(cfg, "block_configs");
	const cJSON *pattern = extra ? item(extra, "hybrid_override_pattern") : NULL;
	bool dense_ffn = !nas && (!cJSON_IsString(pattern) || strchr(pattern->valuestring, '-'));
	/* MoE models with leading dense layers (DeepSeek's first_k_dense_replace) need both widths */
	const cJSON *first_dense = item(cfg, "first_k_dense_replace");
	bool dense_layers = !is_moe || (cJSON_IsNumber(first_dense) && first_dense->valuedouble > 0);
	if (dense_ffn && dense_layers && inter <= 0)
		size_missing(c, cfg, "intermediate_size", "the FFN width");
	if (is_moe) {
		if (moe_inter <= 0)
			size_missing(c, cfg, present(item(cfg, "moe_intermediate_size")) ? "moe_intermediate_size"
											: "intermediate_size",
				     "the expert FFN width");
		if (experts <= 0)
			fail(c, "missing required field '%snum_experts' (or num_local_experts, n_routed_experts): "
				"a mixture-of-experts model needs its expert count", c->scope);
		if (topk <= 0)
			size_missing(c, cfg, "num_experts_per_tok", "the experts each token is routed to");
	}
	return !c->failed;
}


cJSON *hfmodel_record(cJSON *config, const cJSON *hf_quant, const char *model_path, char *err, size_t errlen)
{
	struct ctx ctx = {err, errlen, false, ""}, *c = &ctx;
	char scope[64];
	if (!cJSON_IsObject(config)) {
		snprintf(err, errlen, "config is not a JSON object");
		return NULL;
	}
	if (hf_quant && !cJSON_IsObject(hf_quant)) {
		snprintf(err, errlen, "hf_quant_config is not a JSON object");
		return NULL;
	}
	const cJSON *archs = item(config, "architectures");
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
	attach_hf_quant(config, hf_quant, arch);

	/* Multimodal checkpoints: language-model fields come from the nested text config. */
	const cJSON *cfg = config;
	const cJSON *vision = item(config, "vision_config");
	const char *text_key = family_text_config_key(arch);
	if (text_key && item(config, text_key)) {
		cfg = item(config, text_key);
		if (!cJSON_IsObject(cfg)) {
			snprintf(err, errlen, "field '%s' must be an object", text_key);
			return NULL;
		}
		snprintf(scope, sizeof scope, "%s.", text_key);
		c->scope = scope;
	}

	double layers;
	const cJSON *nl = item(cfg, "num_hidden_layers");
	if (present(nl)) {
		layers = opt_int(c, cfg, "num_hidden_layers", 0);
	} else if (cJSON_IsArray(item(cfg, "layers_block_type"))) {
		layers = cJSON_GetArraySize(item(cfg, "layers_block_type"));
	} else if (cJSON_IsString(item(cfg, "hybrid_override_pattern"))) {
		layers = (double)strlen(item(cfg, "hybrid_override_pattern")->valuestring);
	} else {
		snprintf(err, errlen, "missing required field '%snum_hidden_layers' (and no layer pattern to count)", c->scope);
		return NULL;
	}
	if (layers < 0 || layers > 100000) {
		fail(c, "field '%snum_hidden_layers' is out of range", c->scope);
		layers = 0;
	}
	double hidden = req_int(c, cfg, "hidden_size");
	double n = req_int(c, cfg, "num_attention_heads");
	double vocab = req_int(c, cfg, "vocab_size");
	double context = req_int(c, cfg, "max_position_embeddings");
	double n_kv = opt_int(c, cfg, "num_key_value_heads", 0);
	double inter = opt_int(c, cfg, "intermediate_size", 0);
	double d = opt_int(c, cfg, "head_dim", 0);
	if (d == 0)
		d = opt_int(c, cfg, "attention_head_dim", 0);
	if (d == 0)
		d = n > 0 ? floor(hidden / n) : 0;
	/* An explicit num_experts_per_tok of 0 marks a dense model and must not fall through. */
	double topk = present(item(cfg, "num_experts_per_tok")) ? opt_int(c, cfg, "num_experts_per_tok", 0)
		: opt_int(c, cfg, "top_k_experts", 0);
	double experts = opt_int(c, cfg, "num_local_experts", 0);
	if (experts == 0)
		experts = opt_int(c, cfg, "n_routed_experts", 0);
	if (experts == 0)
		experts = opt_int(c, cfg, "num_experts", 0);
	double moe_inter = opt_int(c, cfg, "moe_intermediate_size", 0);
	if (moe_inter == 0)
		moe_inter = inter;
	if (c->failed)
		return NULL;

	int L = (int)layers;
	cJSON *extra = NULL;
	if (!strcmp(arch, "NemotronHForCausalLM"))
		extra = nemotronh_params(c, cfg);
	else if (!strcmp(arch, "DeciLMForCausalLM"))
		extra = item(cfg, "block_configs") ? nas_params(c, item(cfg, "block_configs")) : NULL;
	else if (!strcmp(arch, "MiMoV2FlashForCausalLM"))
		extra = mimo_v2_params(c, cfg, L);
	else if (!strcmp(arch, "Llama4ForConditionalGeneration"))
		extra = llama4_params(c, cfg, L);
	else if (!strcmp(arch, "KimiK25ForConditionalGeneration") || !strcmp(arch, "DeepSeekForCausalLM") ||
		 !strcmp(arch, "DeepseekV3ForCausalLM"))
		extra = mla_params(c, cfg);
	else if (!strcmp(arch, "DeepseekV32ForCausalLM") || !strcmp(arch, "GlmMoeDsaForCausalLM"))
		extra = dsa_params(c, cfg);
	else if (!strcmp(arch, "DeepseekV4ForCausalLM"))
		extra = deepseek_v4_params(c, cfg, L);
	else if (!strcmp(arch, "Qwen3ForCausalLM") || !strcmp(arch, "Qwen3MoeForCausalLM") ||
		 !strcmp(arch, "MiniMaxM2ForCausalLM")) {
		extra = cJSON_CreateObject();
		cJSON_AddStringToObject(extra, "architecture", arch);
		cJSON_AddBoolToObject(extra, "use_qk_norm", 1);
	} else if (!strcmp(arch, "Gemma4ForConditionalGeneration"))
		extra = gemma4_params(c, cfg, L);
	else if (!strcmp(arch, "Qwen3_5ForConditionalGeneration") || !strcmp(arch, "Qwen3_5MoeForConditionalGeneration"))
		extra = qwen35_params(c, cfg, L, topk, experts, moe_inter);
	else if ((!strcmp(arch, "Qwen3VLForConditionalGeneration") || !strcmp(arch, "Qwen3VLMoeForConditionalGeneration")) &&
		 truthy(vision)) {
		if (!cJSON_IsObject(vision))
			fail(c, "field 'vision_config' must be an object");
		else
			extra = vision_params(c, vision);
	}
	if (extra && !strcmp(arch, "GlmMoeDsaForCausalLM") && dsa_projections_unquantized(config))
		cJSON_AddStringToObject(extra, "dsa_gemm_quant_mode", "bfloat16");

	cJSON *quant = quant_record(c, config, arch);
	if (c->failed) {
		cJSON_Delete(extra);
		cJSON_Delete(quant);
		return NULL;
	}

	/* NemotronH is MoE only with E layers; Qwen3.5 only with experts (the reference's check_is_moe). */
	bool is_moe = family_is_moe(family, extra);

	if (!model_sizes_ok(c, cfg, arch, extra, is_moe, layers, hidden, n, vocab, inter, moe_inter, experts, topk)) {
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
	add_num(r, "layers", layers);
	add_num(r, "n", n);
	add_num(r, "n_kv", n_kv);
	add_num(r, "d", d);
	add_num(r, "hidden_size", hidden);
	add_num(r, "inter_size", inter);
	add_num(r, "vocab", vocab);
	add_num(r, "context", context);
	add_num(r, "topk", topk);
	add_num(r, "num_experts", experts);
	/* The reference keeps None here when intermediate_size is an explicit null (NAS configs). */
	if (moe_inter == 0 && !truthy(item(cfg, "moe_intermediate_size")) && item(cfg, "intermediate_size") &&
	    cJSON_IsNull(item(cfg, "intermediate_size")))
		cJSON_AddNullToObject(r, "moe_inter_size");
	else
		add_num(r, "moe_inter_size", moe_inter);
	cJSON_AddItemToObject(r, "extra_params", extra ? extra : cJSON_CreateNull());
	cJSON_AddItemToObject(r, "quant", quant);
	return r;
}

/* ---- loading ---- */

/* Folder part of a path to .../config.json, or NULL when path is not named config.json. */
static char *config_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (strcmp(base, "config.json") != 0)
		return NULL;
	if (!slash)
		return strdup(".");
	size_t n = (size_t)(slash - path);
	char *d = malloc(n + 2);
	memcpy(d, path, n ? n : 1);
	d[n ? n : 1] = 0;
	return d;
}

void hfmodel_model_path(const char *path, char *out, size_t n)
{
	char *folder = fspath_is_dir(path) ? strdup(path) : config_folder(path);
	if (folder) {
		size_t len = strlen(folder);
		while (len > 1 && folder[len - 1] == '/')
			folder[--len] = 0;
		const char *slash = strrchr(folder, '/');
		const char *base = slash ? slash + 1 : folder;
		const char *sep = strstr(base, "--");
		if (sep && sep != base && sep[2]) {
			snprintf(out, n, "%.*s/%s", (int)(sep - base), base, sep + 2);
			free(folder);
			return;
		}
		free(folder);
	}
	snprintf(out, n, "%s", path);
}

static cJSON *load_json(const char *file, char *err, size_t errlen)
{
	char *text = read_file(file, err, errlen);
	if (!text)
		return NULL;
	char msg[256];
	cJSON *root = hfmodel_parse_text(text, msg, sizeof msg);
	free(text);
	if (!root)
		snprintf(err, errlen, "%s: %s", file, msg);
	return root;
}

cJSON *hfmodel_load(const char *path, char *err, size_t errlen)
{
	char *folder = fspath_is_dir(path) ? strdup(path) : config_folder(path);
	char *cfg_file, *quant_file = NULL;
	if (folder && fspath_is_dir(path)) {
		size_t n = strlen(folder) + 32;
		cfg_file = malloc(n);
		quant_file = malloc(n);
		const char *sep = folder[strlen(folder) - 1] == '/' ? "" : "/";
		snprintf(cfg_file, n, "%s%sconfig.json", folder, sep);
		snprintf(quant_file, n, "%s%shf_quant_config.json", folder, sep);
	} else {
		cfg_file = strdup(path);
		if (folder) {
			size_t n = strlen(folder) + 32;
			quant_file = malloc(n);
			snprintf(quant_file, n, "%s/hf_quant_config.json", folder);
		}
	}
	free(folder);
	cJSON *config = NULL, *hq = NULL, *rec = NULL;
	config = load_json(cfg_file, err, errlen);
	if (config && quant_file && fspath_is_file(quant_file))
		hq = load_json(quant_file, err, errlen);
	if (config && (!quant_file || !fspath_is_file(quant_file) || hq)) {
		char model_path[4096], msg[1024];
		hfmodel_model_path(path, model_path, sizeof model_path);
		rec = hfmodel_record(config, hq, model_path, msg, sizeof msg);
		if (!rec)
			snprintf(err, errlen, "%s: %s", cfg_file, msg);
	}
	cJSON_Delete(config);
	cJSON_Delete(hq);
	free(cfg_file);
	free(quant_file);
	return rec;
}
