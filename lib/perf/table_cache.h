/* table_cache: a binary cache of loaded perf tables, so that a process does not parse the
 * same CSV files (tens of MB) again. What is kept is the state of the table sets right after
 * their loader ran (parts, grids, measured ranges), never anything a look-up computes later,
 * so answers are bit-identical with and without the cache.
 *
 * One cache file per loader call: it records every source file's size and a hash of its
 * bytes (so checkouts and builds with the same tables and system spec share it, wherever their
 * paths and whatever their mtimes; the hash is remembered per stat identity in a small .id
 * file, not recomputed per run), a format version and an identity of the library's sources
 * (a changed loader never reads another's tables). The file is mapped read-only, not read: the
 * grids are used in place (lib/perf/grid's images: offsets, no pointers), so a process touches only
 * the blocks of the grids it looks up, rebuilds nothing and frees nothing. On a hit the loader still runs, but
 * lib/perf/table_csv hands it the header row only: the loader sets up its hooks (finalize, ctx) as
 * usual and the rows' content is restored from the cache. A loader therefore must keep
 * everything it reads from the rows in its table sets. Sets whose part keys are not quant
 * modes (lib/graph/opgraph_quant) or NULL are simply not cached.
 *
 * Where: --cache-dir (table_cache_set_dir), else $INFERCAST_CACHE, else
 * ${XDG_CACHE_HOME:-$HOME/.cache}/infercast. "off" (or an empty value) disables caching.
 * Size: $INFERCAST_CACHE_MAX bytes (K/M/G; default 512M); past it a write removes the least
 * recently used files (a hit sets the file's access time), never another build's files just
 * for being another build's. Files are written atomically (temporary file, then rename); an
 * unwritable directory is silently skipped. Never trusted: a truncated file, or one whose header,
 * length, end mark or index checksum does not match, is written again; a grid block that does
 * not match its sum (checked when a look-up first reads it: lib/perf/grid's lazily checked
 * images) is never read: the file's bytes are made again from the tables, replace the mapping
 * in place and are written again. A file whose sums match but whose grids are malformed (forged)
 * is removed and the run ends (exit 1, "run again"). */
#ifndef INFERCAST_TABLE_CACHE_H
#define INFERCAST_TABLE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "table_set.h"

/* Loads the sets (their loader's own call, with its arguments in arg): 0, or -1 with err. */
typedef int (*table_cache_loader)(void *arg, char *err, size_t errlen);

/* Fill sets[0..nsets-1] through load(arg), from the cache when it holds them. key names the
 * call (e.g. the loader's kind and its primary file); deps (NULL-terminated, may be NULL) are
 * further files the sets' preparation reads (the system spec): their content joins the key.
 * arg is argsize bytes that the cache copies: a damaged part found later is read again through
 * load and that copy, so it must name nothing that goes away (the sets, the data path). Returns
 * what load returns; a failed load writes no cache.
 *
 * The cache holds the sets fully prepared: before writing it every part is finalized (the
 * sets' finalize hooks, so with their ctx). A hit restores the parts' keys at once and each
 * part's grid, in place in the read-only mapping, on its first use (t->backing), its blocks
 * checked as look-ups read them. When a part
 * cannot be prepared nothing is cached and the sets are loaded again as read, so that its own
 * error shows on first use. */
int table_cache_load(table_set *const *sets, int nsets, const char *key, const char *const *deps,
		     table_cache_loader load, void *arg, size_t argsize, char *err, size_t errlen);

/* path as a key spells it: its real path (links and "..", resolved), else path as given. The
 * callers name data folders with it, so that "../shared/data" and "/work/shared/data" share one
 * cache file (the key's identity of the data is its content, sources_ok; its spelling only
 * names the file). */
const char *table_cache_key_path(const char *path, char *buf, size_t n);

/* The file that caches key (readable: the part of it that names the file) for the library
 * lib_id (a checksum of lib/'s sources), in dir: the name differs per library, so that two
 * builds never rewrite each other's files. False when it does not fit in n bytes. */
bool table_cache_file_name(const char *dir, const char *lib_id, const char *readable, const char *key, char *out,
			   size_t n);

/* Override the cache directory ("off" or "": no cache); NULL returns to the environment's. */
void table_cache_set_dir(const char *dir);
/* The directory in use, or NULL when caching is off. */
const char *table_cache_dir(void);

/* Make the len bytes at data (8-byte aligned) a file whose checksums, length field and end
 * mark agree with its content, whatever else it holds: the fuzz harness mutates cache files
 * and reseals them so that they reach the parser behind the checksums. 0, or -1 when its
 * index cannot be followed (left partly resealed). */
int table_cache_reseal(void *data, size_t len);
/* Call fn with the offset and length of each grid image of the cache file at data (len bytes,
 * 8-byte aligned) whose range lies inside it: tests damage the grids a look-up reads. 0, or -1
 * when its index cannot be followed. */
int table_cache_grids(const void *data, size_t len, void (*fn)(void *ctx, size_t off, size_t len), void *ctx);

/* Counters of this process, for tests and benchmarks. */
typedef struct table_cache_stats {
	unsigned hits, misses, writes, skipped;
	unsigned damaged; /* files found damaged after their index was checked (made again) */
} table_cache_stats;
table_cache_stats table_cache_get_stats(void);

#endif
