/* datadir: find the perf data of a system: the data root, the backends and versions present,
 * the default (newest) version chosen exactly as the reference's get_latest_database_version,
 * and the NCCL folder named by the system spec.
 *
 * Layout: ROOT/<system data_subdir>/<backend>/<version>/NAME_perf.txt and
 *         ROOT/<system data_subdir>/nccl/<nccl_version>/nccl_perf.txt.
 * ROOT is --data-dir, else $INFERCAST_DATA, else the installed share/infercast/data (lib/util/sharedir).
 * See docs/data.md. */
#ifndef INFERCAST_DATADIR_H
#define INFERCAST_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

#include "datadir_list.h"
#include "systems.h"

/* The backends the reference knows, in its order: trtllm, sglang, vllm. */
extern const char *const datadir_backend_names[];
extern const size_t datadir_backend_count;

/* The data root: data_dir_opt if given (non-NULL, non-empty), else $INFERCAST_DATA, else the
 * installed share folder. NULL with a message when the chosen folder does not exist. The
 * result points to data_dir_opt, the environment or a constant. */
const char *datadir_root(const char *data_dir_opt, char *err, size_t errlen);

/* Whether the data root data_dir_opt chooses (as datadir_root) holds the reference's family-first
 * tree (some system folder has op-family folders): the tree whose tables go with the current
 * system specs (systems_use_current). False when the root is missing. */
bool datadir_family_tree(const char *data_dir_opt);

/* The backends of `datadir_backend_names` that have at least one usable version for the
 * system (the reference's supported-database rule). 0, or -1 with err when the system has no
 * data folder under root. */
int datadir_backends(const char *root, const struct system_spec *sys, struct datadir_list *out,
		     char *err, size_t errlen);

/* The usable versions of one backend: sub-folders not starting with '.' and without an
 * INCOMPLETE.txt marker, sorted by strcmp. An absent backend folder gives an empty list. */
int datadir_versions(const char *root, const struct system_spec *sys, const char *backend,
		     struct datadir_list *out, char *err, size_t errlen);

/* The reference's version key: (major, minor, patch, stable, rc number, trailing number);
 * see docs/data.md for the rules. */
void datadir_version_key(const char *version, long long key[6]);
/* <0, 0, >0 as the keys of a and b compare (lexicographically). */
int datadir_version_cmp(const char *a, const char *b);
/* The newest of a strcmp-sorted list: the greatest key, the first in list order on ties
 * (as Python's max over the sorted names). NULL for an empty list. */
const char *datadir_newest(const struct datadir_list *versions);

/* Everything a stage needs to read one database. */
struct perf_data_path {
	char root[DATADIR_PATH_MAX];        /* the data root */
	char system_dir[DATADIR_PATH_MAX];  /* root/<data_subdir> */
	char backend[64];
	char version[128];                  /* the one asked for, or the newest */
	char dir[DATADIR_PATH_MAX];         /* system_dir/backend/version: the NAME_perf.txt files */
	char nccl_dir[DATADIR_PATH_MAX];    /* system_dir/nccl/<spec nccl_version> */
	bool nccl_present;                  /* nccl_dir/nccl_perf.txt exists */
	char oneccl_dir[DATADIR_PATH_MAX];  /* system_dir/oneccl/<oneccl_version>, "" when none */
};

/* Resolve system/backend/version (version NULL or "": the newest) under the root chosen by
 * data_dir_opt. -1 with a message for: missing data root, no data for the system, unknown
 * backend (lists the ones present), unknown version (lists the ones present), names with path
 * characters. The NCCL folder is not required here (the reference fails only when an NCCL op
 * is queried): use datadir_require_nccl then. */
int datadir_resolve(const char *data_dir_opt, const struct system_spec *sys, const char *backend,
		    const char *version, struct perf_data_path *out, char *err, size_t errlen);

/* 0 when the NCCL table exists, else -1 with a message naming the missing folder and the NCCL
 * versions that are there. The reference always uses the spec's nccl_version, never the newest. */
int datadir_require_nccl(const struct perf_data_path *p, const struct system_spec *sys, char *err,
			 size_t errlen);

#endif
