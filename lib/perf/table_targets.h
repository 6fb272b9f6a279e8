/* table_targets: the reference's extrapolation targets for the attention-like tables
 * (attention, MLA, wide-EP MLA, DSA): the sequence/batch lists their grids are extended to
 * at load, and the extension of every part over its own measured head counts (MLA and
 * wide-EP MLA). Order matters in the lists: values filled earlier serve as neighbours later. */
#ifndef INFERCAST_TABLE_TARGETS_H
#define INFERCAST_TABLE_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "table_set.h"

enum {
	TABLE_CTX_SEQ_TARGETS = 9 + 14 + 6 + 12 + 9,
	TABLE_CTX_BATCH_TARGETS = 13,
	TABLE_GEN_BATCH_TARGETS = 14,
	TABLE_GEN_LEN_TARGETS = 20,
};

/* Context sequence lengths: 1, 16 … 2048 doubling, then coarser steps up to 1 048 576.
 * (The wide-EP MLA table starts at 16: it uses the list from its second entry.) */
const double *table_ctx_seq_targets(void);
/* Context batch sizes, 384 before 512 (the attention table's own list orders them the other way). */
extern const double table_ctx_batch_targets[TABLE_CTX_BATCH_TARGETS];
/* Generation batch sizes and kv lengths. */
extern const double table_gen_batch_targets[TABLE_GEN_BATCH_TARGETS];
extern const double table_gen_len_targets[TABLE_GEN_LEN_TARGETS];

/* Extend every part of t over its own head counts (at most 64) to the y × z targets; sqrt_y
 * extends the square root along y. 0, or -1 with "PATH: what" in err. */
int table_targets_extend_parts(table_set *t, const double *y, size_t ny, const double *z, size_t nz, bool sqrt_y,
			       char *err, size_t errlen);

#endif
