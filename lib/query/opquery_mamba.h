/* opquery_mamba: the state-space op classes of the reference (operations/mamba.py:
 * Mamba2Kernel for NemotronH's Mamba2 layers, GDNKernel for Qwen3.5's Gated DeltaNet layers)
 * at one query point, through the tables of lib/perf/table_mamba. Shapes are the layer's unsharded
 * ones; the kernel sees the point's batch, and in context its sequence length s.
 *
 * Op attrs (the reference's attribute names):
 *   Mamba2Kernel  kernel_source, phase, hidden_size, nheads, head_dim, d_state, d_conv,
 *                 n_groups, chunk_size
 *   GDNKernel     kernel_source, phase, d_model, num_k_heads, head_k_dim, num_v_heads,
 *                 head_v_dim, d_conv */
#ifndef INFERCAST_OPQUERY_MAMBA_H
#define INFERCAST_OPQUERY_MAMBA_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_point.h"
#include "perfdb.h"

/* True for the op types above. */
bool opquery_mamba_known(const char *op_type);

/* One op at one point, before the scale factor: 0, PERFDB_REFUSED, PERFDB_FATAL, or -2 for bad
 * attrs; err says what. */
int opquery_mamba_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
			char *err, size_t errlen);

#endif
