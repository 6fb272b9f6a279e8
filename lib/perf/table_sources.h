/* table_sources: the reference's HYBRID "shared layer" (PerfDatabase._build_op_sources,
 * _load_op_kernel_source_manifest_entries, operations/base.py _read_filtered_rows).
 *
 * A database opened in HYBRID mode reads every perf table (NCCL/oneCCL excepted) from a list
 * of sources instead of one file: first the active backend/version's own file, whole; then
 * the same file of the other versions of the same backend, newest first (PEP 440 order;
 * names that are no PEP 440 version come after, in reverse text order); then of the other
 * backends in alphabetical order, newest version first. A sibling source contributes only the
 * rows whose kernel_source the manifest lets the active backend inherit from that backend:
 * the manifest's groups (op_file, kernel_source, tier, frameworks) whose tier is `shared` or
 * `shared_fallback` and whose frameworks name the active backend whitelist that kernel_source
 * for every framework of the group. Rows are handed to the table's loader in source order, so
 * where a loader keeps the first row of a shape the active backend's own measurement wins and
 * siblings only fill shapes it lacks (loaders that keep the last row let later sources win, as
 * in the reference).
 *
 * The manifest is the reference's systems/op_kernel_source_manifest.yaml transcribed to
 * <systems folder>/kernel_sources/op_kernel_source_manifest.json; without it there are no
 * siblings (as the reference without its manifest).
 *
 * lib/perf/table_csv consults this module: while a load runs between table_sources_begin and
 * table_sources_end (this thread), table_csv_load of a file in the active table folder reads
 * and merges its sources. lib/perf/perfdb brackets its loads when the database mode is HYBRID. */
#ifndef INFERCAST_TABLE_SOURCES_H
#define INFERCAST_TABLE_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

enum { TABLE_SOURCES_MAX = 64, TABLE_SOURCES_MAX_FILTER = 16, TABLE_SOURCES_PATH_MAX = 4096 };

typedef struct table_source {
	char path[TABLE_SOURCES_PATH_MAX];
	int nfilter;                       /* -1: every row (the primary); else the kernel_sources admitted */
	const char *filter[TABLE_SOURCES_MAX_FILTER];
} table_source;

/* Turn the shared layer on for this thread's loads of system_dir/backend/version/FILE
 * (system_dir is the data root's <system> folder); end turns it off. */
void table_sources_begin(const char *system_dir, const char *backend, const char *version);
void table_sources_end(void);
bool table_sources_active(void);

/* The sources of primary, in priority order, into out[0..max-1]; returns how many (the
 * primary alone when the layer is off, the file is not in the active folder, or it is an
 * NCCL/oneCCL table), or 0 with err when the manifest cannot be read. Sibling files that do
 * not exist are not listed. */
size_t table_sources_for(const char *primary, table_source *out, size_t max, char *err, size_t errlen);

/* A cache-key tag for the files named (NULL-terminated) in folder dir under the active
 * layer: "" when off, else "|shared:" and a hash of every sibling source's path, size and
 * time, so that a cached table is keyed by everything merged into it. */
void table_sources_tag(const char *dir, const char *const *files, char *out, size_t n);

/* The reference's current resolver instead (off by default; docs/data.md): while on, a layer
 * begun with table_sources_begin reads a table from the version's own file, the versions its
 * reuse.yaml declares, the backend's earlier versions and, by kernel_source as the data tree's
 * perf_data_reuse_manifest.yaml allows, other backends: row by row, the earlier sources' shapes
 * first. lib/perf/perfdb begins the layer for every database while it is on. Off unless set, or
 * $INFERCAST_ROW_REUSE is 1 or on. */
void table_sources_set_row_reuse(bool on);
bool table_sources_row_reuse(void);

/* Use the manifest at path (tests); NULL returns to the systems folder's. */
void table_sources_set_manifest(const char *path);

/* PEP 440 version order: <0, 0, >0; *ok false when either is not a PEP 440 version. */
int table_sources_version_cmp(const char *a, const char *b, bool *ok);

#endif
