/* perfdb: the perf database of one system/backend/version, as the reference's PerfDatabase
 * (sdk/perf_database.py): per-call lookups of one op shape in the measured tables, with the
 * reference's database modes:
 *   SILICON   table data only (interpolated/extrapolated as the reference does); a shape the
 *             tables cannot answer is refused (PERFDB_REFUSED, message in err);
 *   HYBRID    table data, falling back to the empirical formula (speed of light / factor);
 *   EMPIRICAL the empirical formula only;
 *   SOL       speed of light from the system spec.
 * Tables are read lazily, the first time a query needs them, and corrected / extrapolated
 * at load as the reference does; answers are memoized by their arguments.
 *
 * Every query returns 0 with *out filled, PERFDB_REFUSED (SILICON mode without data: err
 * names the lookup and what is missing), or PERFDB_FATAL (a bad table: err reads
 * "FILE:LINE: what"). Latencies are milliseconds, energies W·ms, per call (no scale factor). */
#ifndef INFERCAST_PERFDB_H
#define INFERCAST_PERFDB_H

#include <stdbool.h>
#include <stddef.h>

#include "datadir.h"
#include "opgraph_quant.h"
#include "perf_result.h"
#include "systems.h"

typedef struct perfdb perfdb;

/* Open system/backend/version (version NULL or "": the newest, chosen as the reference does)
 * under the data root from data_dir_opt / $INFERCAST_DATA / the installed share. Reads no
 * table yet. NULL with a message for an unknown system, backend or version. */
perfdb *perfdb_open(const char *data_dir_opt, const char *system, const char *backend, const char *version,
		    char *err, size_t errlen);
/* A database with the system spec only, for SOL and EMPIRICAL estimates where no table is
 * there (the reference's allow_missing_data); table look-ups refuse. */
perfdb *perfdb_open_spec_only(const char *system, const char *backend, char *err, size_t errlen);
void perfdb_close(perfdb *db);
const struct system_spec *perfdb_system(const perfdb *db);
const struct perf_data_path *perfdb_paths(const perfdb *db);
/* The database mode of every query (SILICON initially). */
void perfdb_set_mode(perfdb *db, perf_mode mode);
perf_mode perfdb_mode(const perfdb *db);
/* The reference's database_mode at construction: a HYBRID database reads every table (NCCL
 * aside) with the shared layer's sibling rows (lib/perf/table_sources), whatever mode a look-up
 * then runs in. Off initially; set it before the first look-up (query sets it for
 * --database-mode hybrid). */
void perfdb_set_shared_layer(perfdb *db, bool on);
/* Off initially. On, a SILICON MoE look-up whose shape the table lacks is priced from the nearest
 * measured shape's efficiency (lib/perf/table_moe); the load fidelity's fallback sets it for
 * one look-up, the reference fidelity never. MoE answers are not memoized, so no key carries it. */
void perfdb_set_moe_transfer(perfdb *db, bool on);
bool perfdb_moe_transfer(const perfdb *db);
bool perfdb_shared_layer(const perfdb *db);

/* The reference's query_* methods (same argument order); all use the database's mode. */
int perfdb_gemm(perfdb *db, long long m, long long n, long long k, const quant_mode *q, perf_result *out,
		char *err, size_t errlen);
int perfdb_compute_scale(perfdb *db, long long m, long long k, const quant_mode *q, perf_result *out,
			 char *err, size_t errlen);
int perfdb_scale_matrix(perfdb *db, long long m, long long k, const quant_mode *q, perf_result *out,
			char *err, size_t errlen);
int perfdb_context_attention(perfdb *db, long long b, long long s, long long prefix, long long n, long long n_kv,
			     const quant_mode *kv, const quant_mode *fmha, long long window_size,
			     long long head_size, perf_result *out, char *err, size_t errlen);
int perfdb_generation_attention(perfdb *db, long long b, long long s, long long n, long long n_kv,
				const quant_mode *kv, long long window_size, long long head_size, perf_result *out,
				char *err, size_t errlen);
int perfdb_custom_allreduce(perfdb *db, const quant_mode *comm, long long tp_size, long long size,
			    perf_result *out, char *err, size_t errlen);
int perfdb_nccl(perfdb *db, const quant_mode *comm, long long num_gpus, const char *operation,
		long long message_size, perf_result *out, char *err, size_t errlen);
/* Analytical: memory traffic of mem_bytes, and a point-to-point transfer. */
int perfdb_mem_op(perfdb *db, double mem_bytes, perf_result *out);
int perfdb_p2p(perfdb *db, double message_bytes, perf_result *out);

/* Tables of other op families (lib/table_<kind>.c), kept by the database: on first use,
 * load(t, dir, sys, ...) reads FILE from the backend's data directory into *t (a missing file
 * leaves it not loaded). The table, or NULL with err when it is bad (then PERFDB_FATAL). */
struct table_set;
typedef int (*perfdb_table_loader)(struct table_set *t, const char *dir, const struct system_spec *sys, char *err,
				   size_t errlen);
struct table_set *perfdb_table(perfdb *db, const char *file, perfdb_table_loader load, char *err, size_t errlen);
/* Memo for those families' look-ups: fn names the look-up (< 24 chars), a[0..na-1] (na <= 8)
 * and p0/p1 its arguments; the database mode is part of the key. */
bool perfdb_memo_get(perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1,
		     perf_result *out);
void perfdb_memo_put(perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1,
		     const perf_result *r);

/* Tables, for perfload: the file names this module reads, and a loaded table by name. */
extern const char *const perfdb_table_names[];
extern const size_t perfdb_table_count;

#endif
