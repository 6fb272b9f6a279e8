/* moe_nearest: the measured MoE shape closest to one the table lacks, for pricing that shape by
 * the kernel's measured efficiency (load fidelity only: lib/perf/table_moe's shape transfer).
 *
 * A MoE layer's kernels run at an efficiency against the speed of light that depends on the
 * per-GPU problem, not on the model's name: the hidden size, the expert width per GPU
 * (inter / moe_tp), the experts per GPU (experts / moe_ep) and how many tokens each expert sees.
 * So a shape the table lacks (Qwen3.5-397B's 512 experts of 4096 x 1024, top-10) is priced at the
 * efficiency of the nearest measured one, at the token count that gives its experts the same
 * load. Distance: the sum of |log ratio| of hidden, inter / moe_tp, experts / moe_ep and topk,
 * plus twice those of moe_tp and moe_ep. */
#ifndef INFERCAST_MOE_NEAREST_H
#define INFERCAST_MOE_NEAREST_H

#include <stdbool.h>

#include "grid.h"

enum { MOE_NEAREST_KEYS = 6 }; /* topk, experts, hidden, inter, moe_tp, moe_ep */

/* A shape: the keys above, in the table's order. */
typedef struct moe_shape {
	double k[MOE_NEAREST_KEYS];
} moe_shape;

/* The distance between two shapes (0 for the same per-GPU problem). */
double moe_shape_distance(const moe_shape *a, const moe_shape *b);

/* Tokens for shape `to` that load each of its experts as `tokens` load `from`'s:
 * tokens x (topk / experts of from) / (topk / experts of to), at least 1. */
double moe_shape_matched_tokens(const moe_shape *from, const moe_shape *to, double tokens);

/* The measured shape of root (a grid of MOE_NEAREST_KEYS levels above the tokens, as
 * lib/perf/table_moe keys a part) nearest to want, into *best with its token node. False when
 * root holds no shape with tokens. Ties keep the first in key order. */
bool moe_nearest_shape(const grid_node *root, const moe_shape *want, moe_shape *best, const grid_node **tokens);

#endif
