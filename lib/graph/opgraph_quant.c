#include "opgraph_quant.h"

#include <stdio.h>
#include <string.h>

/* Each table lists the modes in the reference's enum order; the sizes are its QuantMapping. */
static const quant_mode gemm_modes[] = {
	{"bfloat16", 2, 1}, {"int8_wo", 1, 1}, {"int4_wo", 0.5, 1}, {"fp8", 1, 2},
	{"fp8_static", 1, 2}, {"sq", 1, 2}, {"fp8_block", 1, 2}, {"fp8_ootb", 1, 2},
	{"nvfp4", 9.0 / 16.0, 4}, {NULL, 0, 0},
};
static const quant_mode moe_modes[] = {
	{"bfloat16", 2, 1}, {"fp8", 1, 2}, {"int4_wo", 0.5, 1}, {"fp8_block", 1, 2},
	{"w4afp8", 0.5, 2}, {"nvfp4", 9.0 / 16.0, 4}, {"w4a16_mxfp4", 0.5, 1},
	{"w4a8_mxfp4_mxfp8", 0.5, 2}, {NULL, 0, 0},
};
static const quant_mode fmha_modes[] = {
	{"bfloat16", 2, 1}, {"fp8", 1, 2}, {"fp8_block", 1, 2}, {NULL, 0, 0},
};
static const quant_mode kvcache_modes[] = {
	{"bfloat16", 2, 0}, {"int8", 1, 0}, {"fp8", 1, 0}, {NULL, 0, 0},
};
static const quant_mode comm_modes[] = {
	{"half", 2, 0}, {"int8", 1, 0}, {"fp8", 1, 0}, {NULL, 0, 0},
};

static const quant_mode *const tables[QUANT_KIND_COUNT] = {
	gemm_modes, moe_modes, fmha_modes, kvcache_modes, comm_modes,
};
static const char *const kind_names[QUANT_KIND_COUNT] = {"gemm", "moe", "fmha", "kvcache", "comm"};

const quant_mode *quant_find(quant_kind kind, const char *name)
{
	if (!name || kind < 0 || kind >= QUANT_KIND_COUNT)
		return NULL;
	for (const quant_mode *m = tables[kind]; m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

const char *quant_kind_name(quant_kind kind)
{
	return (kind >= 0 && kind < QUANT_KIND_COUNT) ? kind_names[kind] : "?";
}

void quant_list_names(quant_kind kind, char *buf, unsigned long n)
{
	size_t used = 0;
	if (n == 0)
		return;
	buf[0] = 0;
	if (kind < 0 || kind >= QUANT_KIND_COUNT)
		return;
	for (const quant_mode *m = tables[kind]; m->name && used < n; m++) {
		int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", m->name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
