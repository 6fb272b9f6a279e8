/* perftree: the reference's current perf-data layout ("family first", docs/data.md):
 *
 *   ROOT/<system>/<family>/<backend>/<version>/<table>.parquet   e.g. .../gemm/trtllm/1.3.0rc20/gemm_perf.parquet
 *   ROOT/<system>/comm/nccl/<nccl version>/nccl_perf.parquet
 *
 * with collection_meta.yaml (provenance, per-table status) and reuse.yaml ("table T of this
 * version is the one measured under version V") in the version folders, read with libyaml.
 *
 * The rest of the library names tables as the v0.9 layout does, ROOT/<system>/<backend>/
 * <version>/<table>.txt (the paths lib/perf/datadir builds and the loaders extend). perftree_locate
 * turns such a name into the file to read: the .txt itself when it exists (the v0.9 layout, read
 * as before); else <table>.parquet in the family folder that holds <backend>/<version>; else the
 * same table of the version a reuse.yaml of <backend>/<version> names (whole, not chained). So
 * both layouts, or a mix, work under one root, and nothing else needs to know which it reads. */
#ifndef INFERCAST_PERFTREE_H
#define INFERCAST_PERFTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "datadir_list.h"

enum perftree_how {
	PERFTREE_LEGACY, /* the v0.9 file itself */
	PERFTREE_OWN,    /* the version's own table */
	PERFTREE_REUSED  /* the table of the version reuse.yaml names */
};

typedef struct perftree_file {
	char path[DATADIR_PATH_MAX]; /* the file to read */
	enum perftree_how how;
	char family[128];            /* OWN, REUSED: the family folder */
	char version[128];           /* the version folder the file is in (the donor when REUSED) */
	char status[32];             /* collection_meta.yaml's status of the table, "" when none */
} perftree_file;

/* Where the table named by legacy_path (.../<system>/<backend>/<version>/<name>.txt) is:
 * 0 with *out filled, 1 when there is none (the loaders' "no data"), -1 with "FILE: what" in
 * err for a reuse.yaml that cannot be read or names a version without the table, or a table
 * that two family folders hold. */
int perftree_locate(const char *legacy_path, perftree_file *out, char *err, size_t errlen);
/* Answers are kept for the rest of the process (the tree does not change under a run); a test
 * that changes a tree calls perftree_forget. */
void perftree_forget(void);

/* legacy_path as messages should name it: itself when it exists or the system holds no
 * family folders; the file it resolves to; else <system>/<family>/<backend>/<version>/
 * <name>.parquet, the place that was searched. */
void perftree_display(const char *legacy_path, char *buf, size_t n);

/* The usable versions of a backend (or of nccl, oneccl) in the family folders of system_dir,
 * added to out (kept strcmp-sorted, without duplicates). A version folder is unusable when it
 * holds INCOMPLETE.txt and no collection_meta.yaml. */
int perftree_versions(const char *system_dir, const char *backend, struct datadir_list *out, char *err,
		      size_t errlen);

/* Whether system_dir holds family folders (any sub-folder other than the backend, nccl and
 * oneccl folders and those starting with '.'). */
bool perftree_has_families(const char *system_dir);

/* Every table of system_dir/<backend>/<version> in the family layout, by table name (without
 * extension), sorted: fn is called with the legacy file name (<name>.txt) and where it is.
 * Returns what fn returns when not 0, else 0; -1 with err as perftree_locate. */
typedef int (*perftree_table_fn)(void *arg, const char *legacy_file, const perftree_file *where);
int perftree_tables(const char *system_dir, const char *backend, const char *version, perftree_table_fn fn,
		    void *arg, char *err, size_t errlen);

/* For the reference's row-level reuse (lib/perf/table_sources' manifest mode). */

/* legacy_path's own table (the v0.9 file or the version's own .parquet), never a reuse.yaml
 * redirect: 0 with *out, 1 when there is none. */
int perftree_locate_own(const char *legacy_path, perftree_file *out);

/* The versions the reuse.yaml of system_dir/<family>/backend/version names for table (its
 * stem, gemm_perf), in file order, without repeats. 0, or -1 with err for a broken file. */
enum { PERFTREE_MAX_DONORS = 16 };
typedef struct perftree_donors {
	int n;
	char v[PERFTREE_MAX_DONORS][128];
} perftree_donors;
int perftree_reuse_donors(const char *system_dir, const char *backend, const char *version, const char *table,
			  perftree_donors *out, char *err, size_t errlen);

/* The groups of perf_data_reuse_manifest.yaml beside the data folder (system_dir/../..), read
 * once: table is the op file's stem, frameworks lower case. No file: no groups. -1 with err for
 * a file that is not a manifest. */
typedef struct perftree_group {
	char *table, *kernel_source, *tier;
	char **frameworks;
	int nframeworks;
} perftree_group;
int perftree_manifest(const char *system_dir, const perftree_group **groups, size_t *n, char *err, size_t errlen);

#endif
