#include "opquery_fallback.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "opquery.h"

/* One rung-1 substitution: fields of kind take mode `to`. */
typedef struct subst {
	quant_kind kind;
	const quant_mode *to;
	bool checkpoint;  /* `to` is the checkpoint's own mode */
	char from[96];    /* the modes replaced, "a/b" */
} subst;

static bool moe_kind_op(const char *op_type)
{
	static const char *const types[] = { "MoE", "MoEDispatch", "TrtLLMWideEPMoE", "TrtLLMWideEPMoEDispatch" };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(op_type, types[i]) == 0)
			return true;
	return false;
}

/* The kind of an attrs key that holds a quant mode a rung rewrites, or -1 (KV-cache and comm
 * modes stay: they are storage formats the tables key on, not kernels that fail to exist). */
static int field_kind(const char *op_type, const char *key)
{
	if (strcmp(key, "fmha_quant_mode") == 0)
		return QUANT_FMHA;
	if (strcmp(key, "gemm_quant_mode") == 0)
		return QUANT_GEMM;
	if (strcmp(key, "quant_mode") == 0)
		return moe_kind_op(op_type) ? QUANT_MOE : QUANT_GEMM;
	return -1;
}

static void note_from(subst *s, const char *name)
{
	char all[sizeof s->from + 2], one[64];
	snprintf(all, sizeof all, "/%s/", s->from);
	snprintf(one, sizeof one, "/%s/", name);
	if (strstr(all, one))
		return;
	size_t used = strlen(s->from);
	snprintf(s->from + used, sizeof s->from - used, "%s%s", used ? "/" : "", name);
}

/* Fields of one attrs object that s changes: counted, and rewritten when apply. */
static int rewrite_attrs(cJSON *attrs, const char *op_type, subst *s, bool apply)
{
	int n = 0;
	cJSON *item;
	cJSON_ArrayForEach(item, attrs)
	{
		if (!cJSON_IsString(item) || !item->string || field_kind(op_type, item->string) != (int)s->kind ||
		    strcmp(item->valuestring, s->to->name) == 0)
			continue;
		n++;
		note_from(s, item->valuestring);
		if (apply && !cJSON_SetValuestring(item, s->to->name))
			return -1;
	}
	return n;
}

/* An op record or inner op {op_type, attrs, ...}, and a composite's inner ops. */
static int rewrite_op(cJSON *op, subst *s, bool apply)
{
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "op_type"));
	cJSON *attrs = cJSON_GetObjectItemCaseSensitive(op, "attrs");
	int n = type && cJSON_IsObject(attrs) ? rewrite_attrs(attrs, type, s, apply) : 0;
	static const char *const inner_keys[] = { "primary", "fallback", "group_a", "group_b" };
	for (size_t k = 0; k < sizeof inner_keys / sizeof inner_keys[0] && n >= 0; k++) {
		cJSON *in = cJSON_GetObjectItemCaseSensitive(op, inner_keys[k]);
		if (cJSON_IsObject(in)) {
			int m = rewrite_op(in, s, apply);
			n = m < 0 ? m : n + m;
			continue;
		}
		if (!cJSON_IsArray(in))
			continue;
		cJSON *each;
		cJSON_ArrayForEach(each, in)
		{
			int m = cJSON_IsObject(each) ? rewrite_op(each, s, apply) : 0;
			if (m < 0)
				return m;
			n += m;
		}
	}
	return n;
}

/* What priced the op besides the substitutions: nothing more, the nearest measured MoE shape's
 * efficiency (rung 2) or the empirical formula (rung 3). */
enum rung_extra { RUNG_TABLES, RUNG_NEAREST_MOE, RUNG_EMPIRICAL };

static void describe(char *what, size_t n, const subst *s, const bool *use, enum rung_extra extra)
{
	static const char *const kind_words[QUANT_KIND_COUNT] = { "GEMMs", "MoE", "FMHA", "KV cache", "comm" };
	size_t used = (size_t)snprintf(what, n, "fallback: ");
	for (int i = 0; i < 3 && used < n; i++)
		if (use[i])
			used += (size_t)snprintf(what + used, n - used, "%s%s %s for %s%s",
						 used > strlen("fallback: ") ? "; " : "", s[i].to->name,
						 kind_words[s[i].kind], s[i].from,
						 s[i].checkpoint ? " (the checkpoint's)" : "");
	const char *sep = used > strlen("fallback: ") ? "; " : "";
	if (extra == RUNG_EMPIRICAL && used < n)
		snprintf(what + used, n - used, "%sthe empirical formula where the tables lack the point", sep);
	else if (extra == RUNG_NEAREST_MOE && used < n)
		snprintf(what + used, n - used, "%sMoE shapes the table lacks at the nearest measured shape's efficiency",
			 sep);
}

/* op with the substitutions marked in use, priced in the database's mode. */
static int price_with(perfdb *db, const cJSON *op, subst *s, const bool *use, perf_result *out, char *err,
		      size_t errlen)
{
	cJSON *copy = cJSON_Duplicate(op, true);
	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return PERFDB_FATAL;
	}
	int st = 0;
	for (int i = 0; i < 3 && st == 0; i++)
		if (use[i] && rewrite_op(copy, &s[i], true) < 0) {
			snprintf(err, errlen, "out of memory");
			st = PERFDB_FATAL;
		}
	if (st == 0)
		st = opquery_record(db, copy, out, err, errlen);
	cJSON_Delete(copy);
	return st;
}

int opquery_fallback_price(perfdb *db, const cJSON *op, const opquery_fallback_quants *ckpt, perf_result *out,
			   char *what, size_t whatlen, char *err, size_t errlen)
{
	const quant_mode *bf16_gemm = quant_find(QUANT_GEMM, "bfloat16");
	subst s[3] = {
		{ .kind = QUANT_FMHA, .to = quant_find(QUANT_FMHA, "bfloat16") },
		{ .kind = QUANT_GEMM, .to = ckpt && ckpt->gemm ? ckpt->gemm : bf16_gemm, .checkpoint = ckpt && ckpt->gemm },
		{ .kind = QUANT_MOE, .to = ckpt ? ckpt->moe : NULL, .checkpoint = true },
	};
	/* which substitutions change anything in this op (counting fills their `from`) */
	bool applies[3] = { false }, none[3] = { false };
	int napplies = 0;
	cJSON *probe = cJSON_Duplicate(op, true);
	if (!probe) {
		snprintf(err, errlen, "out of memory");
		return PERFDB_FATAL;
	}
	for (int i = 0; i < 3; i++)
		if (s[i].to && rewrite_op(probe, &s[i], false) > 0)
			applies[i] = true, napplies++;
	cJSON_Delete(probe);

	int st = PERFDB_REFUSED;
	snprintf(err, errlen, "no fallback applies to this op");
	/* rung 1: one kind at a time (the others stay as asked), then all of them */
	for (int i = 0; i < 3; i++) {
		if (!applies[i])
			continue;
		bool one[3] = { false };
		one[i] = true;
		st = price_with(db, op, s, one, out, err, errlen);
		if (st == 0) {
			describe(what, whatlen, s, one, RUNG_TABLES);
			return 0;
		}
		if (st != PERFDB_REFUSED)
			return st;
	}
	if (napplies > 1) {
		st = price_with(db, op, s, applies, out, err, errlen);
		if (st == 0) {
			describe(what, whatlen, s, applies, RUNG_TABLES);
			return 0;
		}
		if (st != PERFDB_REFUSED)
			return st;
	}
	if (perfdb_mode(db) != PERF_SILICON)
		return st;
	/* rung 2: MoE shapes the table lacks at the nearest measured shape's efficiency, as asked
	 * and then with every substitution of rung 1 */
	perfdb_set_moe_transfer(db, true);
	const bool *with[2] = { none, applies };
	for (int w = 0; w < (napplies ? 2 : 1); w++) {
		st = price_with(db, op, s, with[w], out, err, errlen);
		if (st == 0)
			describe(what, whatlen, s, with[w], RUNG_NEAREST_MOE);
		if (st != PERFDB_REFUSED)
			break;
	}
	perfdb_set_moe_transfer(db, false);
	if (st != PERFDB_REFUSED)
		return st;
	/* rung 3: the empirical formula for the points the tables lack */
	perfdb_set_mode(db, PERF_HYBRID);
	st = price_with(db, op, s, napplies ? applies : none, out, err, errlen);
	perfdb_set_mode(db, PERF_SILICON);
	if (st == 0)
		describe(what, whatlen, s, applies, RUNG_EMPIRICAL);
	return st;
}
