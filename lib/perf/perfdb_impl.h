/* perfdb_impl: the perf database's insides, shared by lib/perfdb.c (opening, reading the tables
 * on first use), lib/perfdb_memo.c (answers remembered) and lib/perfdb_ops.c (the look-ups).
 * Nothing else includes it: the rest of infercast sees perfdb.h. */
#ifndef INFERCAST_PERFDB_IMPL_H
#define INFERCAST_PERFDB_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datadir.h"
#include "perf_mode.h"
#include "perf_result.h"
#include "systems.h"
#include "table_set.h"

/* Table groups loaded together (the reference's load_data of one op class). */
enum { G_GEMM, G_CTX, G_GEN, G_AR, G_NCCL, G_COUNT };

/* Memo of answers by arguments: sweeps ask the same shapes again and again. */
enum { FN_GEMM = 1, FN_CS, FN_SM, FN_CTX, FN_GEN, FN_AR, FN_NCCL, FN_EXT };
typedef struct memo_key {
	int fn;
	int mode;
	long long a[8];
	const void *p[2];
	char op[24];
} memo_key;
typedef struct memo_slot {
	uint64_t hash;     /* of key: probes compare it after the tag */
	memo_key key;
	perf_result r;
} memo_slot;
/* One generation: an open-addressed table of (tag, slot number) pairs (tag 0: empty), probed
 * first, and the slots in the order they were put, read only where a tag matches. A probe of
 * an empty entry reads 8 bytes, not a 144-byte slot on a page never written; and the slots
 * fill their pages one after another, so n answers touch n / 28 pages, not one page each (a
 * slot at its hash's place did: 360 of query's 480 page faults when it prices the 7 picks of
 * a `default` run). One allocation: the table, then the slots. */
typedef struct memo_entry {
	uint32_t tag, slot;
} memo_entry;
typedef struct memo_gen {
	memo_entry *table;
	memo_slot *slots;
	size_t cap, n;
} memo_gen;

struct perfdb {
	const struct system_spec *sys;
	struct perf_data_path path;
	perf_mode mode;
	bool shared;             /* read tables with the HYBRID shared layer */
	bool moe_transfer;       /* price MoE shapes the table lacks from the nearest one (load fidelity) */
	int state[G_COUNT];      /* 0 not read yet, 1 read, -1 bad table (fatal[] says why) */
	char fatal[G_COUNT][600];
	table_set gemm, compute_scale, scale_matrix, ctx, gen, allreduce, nccl, oneccl;
	bool oneccl_used;
	/* two generations, so that memory stays bounded on any stream: when the young one
	 * holds MEMO_GEN_MAX answers it becomes the old one (the old one is dropped); an
	 * answer found in the old one is copied to the young one */
	memo_gen memo, memo_old;
	unsigned long gen_asked, gen_hits; /* generation attention look-ups, and memo hits among them */
	struct extra_table {
		char file[64];
		int state; /* 1 read, -1 bad table (fatal says why) */
		char fatal[600];
		table_set t;
	} **extra;     /* other families' tables (perfdb_table), each where it stays: the table
			* cache may read a damaged part again into it long after */
	size_t nextra;
};
/* Read a table group on first use. 0, or PERFDB_FATAL with the table's error. */
int pdb_ensure(struct perfdb *db, int group, char *err, size_t errlen);

/* A key for one look-up of fn in the database's mode; the caller fills the arguments. */
memo_key pdb_key(const struct perfdb *db, int fn);
/* The remembered answer to k, or NULL (always NULL under query --explain: every read is shown). */
memo_slot *pdb_memo_find(struct perfdb *db, const memo_key *k);
/* Remember r for k (not at all when out of memory). */
void pdb_memo_put(struct perfdb *db, const memo_key *k, const perf_result *r);

#endif
