/* memory: the reference's per-GPU memory model (BaseBackend._get_memory_usage and the
 * backends' knobs): weights from the context ops as the reference sums them, KV cache for the
 * whole batch, activations with the backend's per-family coefficients, NCCL buffers and other
 * runtime memory, and the out-of-memory check against the GPU's capacity. */
#ifndef INFERCAST_MEMORY_H
#define INFERCAST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

#include "opgraph.h"
#include "systems.h"

/* All in GiB (2^30 bytes), per GPU. */
typedef struct mem_usage {
	double weights, activations, kvcache, nccl, others, total;
	double capacity;  /* the GPU's memory, GiB */
	bool oom;         /* total >= capacity, as the reference's check */
} mem_usage;

/* KV-cache elements per token per GPU over all layers (the reference's
 * get_kvcache_elements_per_token). */
double memory_kv_elements_per_token(const og_config *cfg);

/* The reference's _get_memory_usage for batch sequences of isl input and osl output tokens
 * (num_tokens 0: (isl - prefix) × batch tokens of activations; max_seq_len 0: isl + beam × osl
 * tokens of KV per sequence). Returns 0, or -1 with a message (a tp the backend has no
 * activation coefficient or the system no NCCL figure for). */
int memory_usage(const og_config *cfg, const og_graph *g, const struct system_spec *sys, long batch, long beam,
		 long isl, long osl, long num_tokens, long prefix, long max_seq_len, mem_usage *out, char *err,
		 size_t errn);

/* The memory run_static reports for cfg's mode (static_ctx: one output token; static_gen: one
 * token per sequence of activations). */
int memory_for_static(const og_config *cfg, const og_graph *g, const struct system_spec *sys, mem_usage *out,
		      char *err, size_t errn);

#endif
