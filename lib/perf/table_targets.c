#include "table_targets.h"

#include <stdio.h>
#include <string.h>

#include "interp.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static double ctx_seq_targets[TABLE_CTX_SEQ_TARGETS];

const double *table_ctx_seq_targets(void)
{
	if (ctx_seq_targets[0] == 0) {
		static const double head[] = { 1, 16, 32, 64, 128, 256, 512, 1024, 2048 };
		size_t n = 0;
		for (size_t i = 0; i < COUNT(head); i++)
			ctx_seq_targets[n++] = head[i];
		for (int i = 0; i < 14; i++)
			ctx_seq_targets[n++] = 4096 + i * 2048;
		for (int i = 0; i < 6; i++)
			ctx_seq_targets[n++] = 32768 + 16384 * i;
		for (int i = 0; i < 12; i++)
			ctx_seq_targets[n++] = 131072 + 32768 * i;
		for (int i = 0; i < 9; i++)
			ctx_seq_targets[n++] = 524288 + 65536 * i;
	}
	return ctx_seq_targets;
}

const double table_ctx_batch_targets[TABLE_CTX_BATCH_TARGETS] = { 1,   2,   4,   8,   16,   32,  64,
								  128, 256, 384, 512, 1024, 2048 };
const double table_gen_batch_targets[TABLE_GEN_BATCH_TARGETS] = { 1,   2,   4,   8,    16,   32,  64,
								  128, 256, 384, 512, 1024, 2048, 8192 };
const double table_gen_len_targets[TABLE_GEN_LEN_TARGETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
	262144, 2097152.0 * 8,
};

int table_targets_extend_parts(table_set *t, const double *y, size_t ny, const double *z, size_t nz, bool sqrt_y,
			       char *err, size_t errlen)
{
	for (size_t i = 0; i < t->nparts; i++) {
		table_part *p = &t->parts[i];
		table_part_record_box(p);
		const double *heads;
		size_t nh = grid_node_keys(grid_root(p->g), &heads);
		if (!nh)
			continue;
		double x[64];
		if (nh > COUNT(x)) {
			snprintf(err, errlen, "%s: more than %zu head counts", t->path, COUNT(x));
			return -1;
		}
		memcpy(x, heads, nh * sizeof *x); /* the extrapolation inserts into the root */
		interp_err ie;
		if (interp_extrapolate_grid(p->g, x, nh, y, ny, z, nz, sqrt_y, &ie) != 0) {
			snprintf(err, errlen, "%s: extrapolating the grid failed: %s", t->path, ie.msg);
			return -1;
		}
	}
	return 0;
}
