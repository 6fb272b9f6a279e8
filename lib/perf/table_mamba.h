/* table_mamba: the perf tables of the state-space kernels of hybrid models and their
 * look-ups, as the reference's Mamba2Kernel and GDNKernel own them (sdk/operations/mamba.py):
 *   mamba2_perf.txt  the Mamba2 mixer's kernels (NemotronH): causal_conv1d_fn and
 *                    mamba_chunk_scan_combined in context, causal_conv1d_update and
 *                    selective_state_update in generation;
 *   gdn_perf.txt     the Gated DeltaNet kernels of Qwen3.5's linear-attention layers.
 * Rows are keyed by kernel source, phase and the layer's whole shape (the "model key"),
 * then by batch (and sequence length in context). A shape the table lacks falls back to
 * another measured shape of the same model width (Mamba2: the first one read; GDN: the one
 * with the closest number of value heads); no shape of that width, no kernel, no file, or a
 * point the 2-D interpolation cannot bracket gives the speed-of-light memory estimate
 * (source "sol"). The database mode plays no part here, as in the reference.
 *
 * One quirk is kept on purpose: the reference's mamba2 loader never stores generation rows
 * (its duplicate check creates an empty entry first), so Mamba2 generation kernels always
 * come out of the speed-of-light estimate. GDN generation rows are read normally. */
#ifndef INFERCAST_TABLE_MAMBA_H
#define INFERCAST_TABLE_MAMBA_H

#include <stddef.h>

#include "perfdb.h"

/* A Mamba2 layer's shape, unsharded (the model key of mamba2_perf.txt). */
typedef struct mamba2_shape {
	long long d_model, d_state, d_conv, nheads, head_dim, n_groups, chunk_size;
} mamba2_shape;

/* A GDN layer's shape, unsharded (the model key of gdn_perf.txt). */
typedef struct gdn_shape {
	long long d_model, num_k_heads, head_k_dim, num_v_heads, head_v_dim, d_conv;
} gdn_shape;

/* The reference's query_mamba2 / query_gdn: one kernel call of one layer, per call (no scale
 * factor). phase is "context" or "generation"; seq_len is used in context only (<= 0: none).
 * 0 with *out filled; PERFDB_FATAL for a bad table (err "FILE:LINE: what"); PERFDB_REFUSED
 * where the reference raises (points it cannot triangulate), err says what. */
int table_mamba2_lookup(perfdb *db, const char *phase, const char *kernel_source, long long batch,
			long long seq_len, const mamba2_shape *s, perf_result *out, char *err, size_t errlen);
int table_gdn_lookup(perfdb *db, const char *phase, const char *kernel_source, long long batch, long long seq_len,
		     const gdn_shape *s, perf_result *out, char *err, size_t errlen);

#endif
