#include "opquery_mamba.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "table_mamba.h"


bool opquery_mamba_known(const char *op_type)
{
	return strcmp(op_type, "Mamba2Kernel") == 0 || strcmp(op_type, "GDNKernel") == 0;
}

/* Reads the named integer attrs in order; false with err naming the first bad one. */
static bool int_attrs(const char *op_type, const cJSON *attrs, const char *const *keys, int n, long long *out,
		      char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, keys[i]);
		if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9e15) {
			snprintf(err, errlen, "%s op: attrs %s '%s'", op_type, v ? "need an integer" : "lack", keys[i]);
			return false;
		}
		out[i] = (long long)v->valuedouble;
	}
	return true;
}

static const char *str_attr(const char *op_type, const cJSON *attrs, const char *key, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(attrs, key);
	if (!cJSON_IsString(v)) {
		snprintf(err, errlen, "%s op: attrs %s '%s'", op_type, v ? "need a string" : "lack", key);
		return NULL;
	}
	return v->valuestring;
}

int opquery_mamba_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
			char *err, size_t errlen)
{
	const char *ks = str_attr(op_type, attrs, "kernel_source", err, errlen);
	const char *phase = ks ? str_attr(op_type, attrs, "phase", err, errlen) : NULL;
	if (!phase)
		return OPQ_BAD_ATTRS;
	/* Only context kernels see the sequence length. */
	long long seq_len = strcmp(phase, "context") == 0 ? pt->s : 0;
	long long v[7];
	if (strcmp(op_type, "Mamba2Kernel") == 0) {
		static const char *const keys[] = { "hidden_size", "d_state", "d_conv", "nheads", "head_dim", "n_groups",
						    "chunk_size" };
		if (!int_attrs(op_type, attrs, keys, 7, v, err, errlen))
			return OPQ_BAD_ATTRS;
		mamba2_shape s = { v[0], v[1], v[2], v[3], v[4], v[5], v[6] };
		return table_mamba2_lookup(db, phase, ks, pt->batch, seq_len, &s, out, err, errlen);
	}
	static const char *const keys[] = { "d_model", "num_k_heads", "head_k_dim", "num_v_heads", "head_v_dim",
					    "d_conv" };
	if (!int_attrs(op_type, attrs, keys, 6, v, err, errlen))
		return OPQ_BAD_ATTRS;
	gdn_shape s = { v[0], v[1], v[2], v[3], v[4], v[5] };
	return table_gdn_lookup(db, phase, ks, pt->batch, seq_len, &s, out, err, errlen);
}
