#include "model_dsa_dims.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const dsa_dims known_dims[] = {
	{ "DeepseekV32ForCausalLM", 7168, 1536, 512, 128, 64, 128, 2048, 128, 64 },
	{ "GlmMoeDsaForCausalLM", 6144, 2048, 512, 192, 64, 256, 2048, 128, 32 },
};

const dsa_dims *dsa_dims_of(const char *architecture)
{
	for (size_t i = 0; architecture && i < COUNT(known_dims); i++)
		if (strcmp(architecture, known_dims[i].architecture) == 0)
			return &known_dims[i];
	return &known_dims[0];
}

double dsa_indexer_entry_bytes(long index_head_dim)
{
	return (double)(index_head_dim + (index_head_dim + 127) / 128 * 4);
}
