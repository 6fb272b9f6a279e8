#define _DEFAULT_SOURCE /* MAP_ANONYMOUS (POSIX 2024, not 2008): a damaged file's mapping replaced in place */
#include "table_cache.h"

#include "perftree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "opgraph_quant.h"

/* Bumped whenever the file layout or what a part holds changes. 2: sources identified by
 * their content, not their mtime. 3: grids as images read in place, checksums. 4: a checksum
 * per block of each grid, checked on the block's first use. */
enum { CACHE_FORMAT = 4 };
/* Bytes per checked block of a grid image: a look-up reads a few hundred bytes here and
 * there (a node's keys, its kids or leaves), so small blocks keep what a run hashes close to
 * what it reads; each costs 8 bytes of sums (0.4 %). */
enum { BLOCK = 2048 };
static const char MAGIC[8] = { 'I', 'F', 'C', 'T', 'A', 'B', 'L', '1' };
static const char END_MARK[8] = { 'I', 'F', 'C', 'T', '-', 'E', 'N', 'D' };

/* The library's identity: the Makefile passes a checksum of lib/ sources, so a rebuilt
 * loader never reads tables its predecessor cached. */
#ifndef INFERCAST_LIB_ID
#define INFERCAST_LIB_ID __DATE__ " " __TIME__
#endif

/* Leaves are saved and restored as the struct itself (on this machine's layout). */
_Static_assert(sizeof(grid_leaf) == 32, "grid_leaf is three doubles and the flags");

static table_cache_stats stats;

table_cache_stats table_cache_get_stats(void) { return stats; }

/* ---- where ---- */

static int dir_state;           /* 0 not resolved yet, 1 on (dir_buf), -1 off */
static char dir_buf[4096];

static void set_dir(const char *dir)
{
	if (!dir || !*dir || strcmp(dir, "off") == 0 || strlen(dir) >= sizeof dir_buf - 256) {
		dir_state = -1;
		return;
	}
	snprintf(dir_buf, sizeof dir_buf, "%s", dir);
	dir_state = 1;
}

void table_cache_set_dir(const char *dir)
{
	if (dir)
		set_dir(dir);
	else
		dir_state = 0;
}

const char *table_cache_dir(void)
{
	if (dir_state == 0) {
		const char *env = getenv("INFERCAST_CACHE");
		const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
		char buf[sizeof dir_buf];
		if (env)
			set_dir(env);
		else if (xdg && *xdg == '/' && strlen(xdg) < 3000) {
			snprintf(buf, sizeof buf, "%s/infercast", xdg);
			set_dir(buf);
		} else if (home && *home && strlen(home) < 3000) {
			snprintf(buf, sizeof buf, "%s/.cache/infercast", home);
			set_dir(buf);
		} else
			set_dir(NULL);
	}
	return dir_state > 0 ? dir_buf : NULL;
}

static uint64_t fnv1a(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* dir/<tail of the caller's key>-<hash of the library's identity and the full key>.tc: two
 * builds of different sources (two checkouts, a helper's branch and main) keep a file each,
 * where one name made each rebuild the other's file on every run; the size budget's
 * least-recently-used eviction drops the files of builds no longer run. */
bool table_cache_file_name(const char *dir, const char *lib_id, const char *readable, const char *key, char *out,
			   size_t n)
{
	/* readable: the key's tail (version and file), made safe for a file name */
	size_t klen = strlen(readable);
	const char *base = readable + (klen > 48 ? klen - 48 : 0);
	char name[64];
	size_t j = 0;
	for (; j < 48 && base[j]; j++)
		name[j] = (base[j] == '.' || base[j] == '-' || base[j] == '_' || (base[j] >= '0' && base[j] <= '9') ||
			   (base[j] >= 'a' && base[j] <= 'z') || (base[j] >= 'A' && base[j] <= 'Z')) ? base[j] : '_';
	name[j] = 0;
	uint64_t h = fnv1a(key, fnv1a(lib_id, 1469598103934665603ull));
	return (size_t)snprintf(out, n, "%s/%s-%016llx.tc", dir, name, (unsigned long long)h) < n;
}

static bool cache_path(const char *readable, const char *key, char *out, size_t n)
{
	const char *dir = table_cache_dir();
	return dir && table_cache_file_name(dir, INFERCAST_LIB_ID, readable, key, out, n);
}

/* ---- part keys: quant modes by kind and name ---- */

static int key_kind(const void *p, const char **name)
{
	if (!p)
		return -1;
	for (int kind = 0; kind < QUANT_KIND_COUNT; kind++) {
		char names[2048];
		quant_list_names((quant_kind)kind, names, sizeof names);
		for (char *s = names, *next; s && *s; s = next) {
			next = strstr(s, ", ");
			if (next) {
				*next = 0;
				next += 2;
			}
			const quant_mode *q = quant_find((quant_kind)kind, s);
			if ((const void *)q == p) {
				*name = q->name;
				return kind;
			}
		}
	}
	return -2; /* not a quant mode: the set cannot be cached */
}

/* ---- writing ---- */

typedef struct wbuf {
	char *p;
	size_t n, cap;
	bool bad;
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
	if (w->bad)
		return;
	size_t need = w->n + n + 8;
	if (need > w->cap) {
		size_t cap = w->cap ? w->cap : 1 << 20;
		while (cap < need)
			cap *= 2;
		char *q = realloc(w->p, cap);
		if (!q) {
			w->bad = true;
			return;
		}
		w->p = q;
		w->cap = cap;
	}
	memcpy(w->p + w->n, src, n);
	w->n += n;
	while (w->n % 8)
		w->p[w->n++] = 0;
}

/* Room for a buffer of total bytes in all, at once (no regrowth after). */
static void reserve(wbuf *w, size_t total)
{
	if (w->bad || total + 8 <= w->cap)
		return;
	char *q = realloc(w->p, total + 8);
	if (!q) {
		w->bad = true;
		return;
	}
	w->p = q;
	w->cap = total + 8;
}

static void put_u64(wbuf *w, uint64_t v) { put(w, &v, sizeof v); }
static void put_i64(wbuf *w, int64_t v) { put(w, &v, sizeof v); }
static void put_str(wbuf *w, const char *s)
{
	size_t n = strlen(s) + 1;
	put_u64(w, n);
	put(w, s, n);
}

/* ---- sources by content ----
 *
 * A source file is identified by its size and a hash of its bytes, so that checkouts whose
 * system specs and tables are the same bytes (at other paths, with other mtimes) share one
 * cache file. Hashing 9 MB of CSV on every run would cost more than the hit saves, so the
 * hash is remembered in the cache directory under the file's stat identity (path, device,
 * inode, size, mtime): a <stat hash>.id file of 24 bytes. A file rewritten in place gets a
 * new mtime, so a new stat identity, so it is hashed again. */

static int mkdirs(const char *dir);

static const char ID_MAGIC[8] = { 'I', 'F', 'C', 'I', 'D', 'v', '1', 0 };

static uint64_t mix_words(const unsigned char *p, size_t n, uint64_t h)
{
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, sizeof w);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	memcpy(&w, p + i, n - i);
	h = (h ^ w ^ n) * 0xC4CEB9FE1A85EC53ull;
	return h ^ (h >> 29);
}

/* The hash of the file's bytes, read in whole blocks (a block size that is a multiple of 8,
 * so the hash does not depend on how read() splits the file). False when it cannot be read. */
static bool hash_content(const char *path, uint64_t *out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	static unsigned char block[1 << 16];
	uint64_t h = 0x9E3779B97F4A7C15ull;
	size_t n;
	while ((n = fread(block, 1, sizeof block, f)) > 0)
		h = mix_words(block, n, h);
	bool ok = !ferror(f);
	fclose(f);
	*out = h;
	return ok;
}

/* The remembered hashes of this process: a run asks for the same few files several times. */
static struct id_memo_entry {
	uint64_t stat_key, content;
} id_memo[32];
static size_t id_memo_n;

static uint64_t content_hash(const char *path, const struct stat *st)
{
	char skey[4096 + 128];
	snprintf(skey, sizeof skey, "%s|%llu|%llu|%lld|%lld.%ld", path, (unsigned long long)st->st_dev,
		 (unsigned long long)st->st_ino, (long long)st->st_size, (long long)st->st_mtim.tv_sec,
		 (long)st->st_mtim.tv_nsec);
	uint64_t stat_key = fnv1a(skey, 1469598103934665603ull);
	for (size_t i = 0; i < id_memo_n; i++)
		if (id_memo[i].stat_key == stat_key)
			return id_memo[i].content;
	uint64_t h = 0;
	const char *dir = table_cache_dir();
	char idfile[sizeof dir_buf + 64];
	bool have = false;
	if (dir && (size_t)snprintf(idfile, sizeof idfile, "%s/%016llx.id", dir, (unsigned long long)stat_key) <
			   sizeof idfile) {
		int fd = open(idfile, O_RDONLY);
		if (fd >= 0) {
			unsigned char b[24];
			uint64_t k;
			if (read(fd, b, sizeof b) == (ssize_t)sizeof b && memcmp(b, ID_MAGIC, 8) == 0 &&
			    (memcpy(&k, b + 8, 8), k == stat_key)) {
				memcpy(&h, b + 16, 8);
				have = true;
			}
			close(fd);
		}
	}
	if (!have) {
		if (!hash_content(path, &h))
			return 0;
		if (dir) { /* remembered for the next process: written whole, then renamed */
			char tmp[sizeof idfile + 8];
			snprintf(tmp, sizeof tmp, "%s.XXXXXX", idfile);
			int fd = mkstemp(tmp);
			if (fd < 0 && mkdirs(dir) == 0) { /* the first run: no directory yet */
				snprintf(tmp, sizeof tmp, "%s.XXXXXX", idfile);
				fd = mkstemp(tmp);
			}
			if (fd >= 0) {
				unsigned char b[24];
				memcpy(b, ID_MAGIC, 8);
				memcpy(b + 8, &stat_key, 8);
				memcpy(b + 16, &h, 8);
				bool ok = write(fd, b, sizeof b) == (ssize_t)sizeof b;
				ok = close(fd) == 0 && ok;
				if (!ok || chmod(tmp, 0644) != 0 || rename(tmp, idfile) != 0)
					unlink(tmp);
			}
		}
	}
	if (id_memo_n < sizeof id_memo / sizeof id_memo[0])
		id_memo[id_memo_n++] = (struct id_memo_entry){ stat_key, h };
	return h;
}

/* A source file's identity: its size and content, size -1 when it does not exist. A table of
 * the family-first layout (lib/perf/perftree) is the file it resolves to (a reuse.yaml that names
 * another version changes it); how it was found joins the identity. */
/* The last file_id answer: a hit asks for its first set's source twice (sources_ok, then
 * restore_set), three stats each. Forgotten when every table_cache_load and rebuild_map
 * starts (its only readers), so no answer outlives the call that asked for it. */
static struct {
	char path[4096];
	int64_t id[3];
} last_id;

static void file_id_uncached(const char *path, int64_t id[3]);

static void file_id(const char *path, int64_t id[3])
{
	if (path && last_id.path[0] && strcmp(path, last_id.path) == 0) {
		memcpy(id, last_id.id, sizeof last_id.id);
		return;
	}
	file_id_uncached(path, id);
	if (path && strlen(path) < sizeof last_id.path) {
		memcpy(last_id.path, path, strlen(path) + 1);
		memcpy(last_id.id, id, sizeof last_id.id);
	}
}

static void file_id_uncached(const char *path, int64_t id[3])
{
	struct stat st;
	perftree_file where;
	char err[8];
	if (path && perftree_locate(path, &where, err, sizeof err) == 0 && stat(where.path, &st) == 0) {
		id[0] = (int64_t)st.st_size;
		id[1] = (int64_t)content_hash(where.path, &st);
		id[2] = (int64_t)where.how;
	} else {
		id[0] = -1;
		id[1] = id[2] = 0;
	}
}

/* ---- the file ----
 *
 * Format 3, every field 8-byte aligned (strings: a u64 length with the NUL, then the bytes):
 *   MAGIC, format, nsets, file length, library id, key, index end (E)
 *   per set: path, source id[3], flags, depth, rows, nparts
 *     per part: its keys (k1 kind and name, k2 kind and name, name, pre[8], npre), ready,
 *               boxed, lo[3], hi[3], and where its grid lies: offset, length, and the
 *               checksum of its block sums
 *   at E: the checksum of bytes [0, E), the index
 *   per part: its grid, an image (lib/perf/grid) read in place from the read-only mapping,
 *             then its block sums: the checksum of each BLOCK bytes of the image (the last
 *             block shorter)
 *   END_MARK
 * A hit checks the length, the end mark and the index's checksum (a few KB) at once; a part's
 * block sums against their checksum when the part is first used (table_backing.check); and
 * each block of its grid against its sum when a look-up first reads a node in it (the grid's
 * lazily checked image: grid_image_open_lazy). A run hashes only the blocks it reads (a few
 * hundred KB of the 3.4 MB GEMM grid), and never reads a byte that changed. */

/* Checksum of n bytes (a multiple of 8, 8-byte aligned): four lanes of a multiply-xorshift
 * mix, each step a bijection of the lane, so that a change of any one word always changes
 * the sum; four independent lanes keep it at memory speed (a 3 MB grid in ~0.2 ms). */
static uint64_t sum_words(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h[4] = { 0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full, 0x165667B19E3779F9ull, 0x27D4EB2F165667C5ull };
	size_t i = 0;
	for (; i + 32 <= n; i += 32)
		for (int l = 0; l < 4; l++) {
			uint64_t w;
			memcpy(&w, p + i + 8 * (size_t)l, sizeof w);
			h[l] = (h[l] ^ w) * 0xFF51AFD7ED558CCDull;
			h[l] ^= h[l] >> 32;
		}
	for (int l = 0; i + 8 <= n; i += 8, l++) {
		uint64_t w;
		memcpy(&w, p + i, sizeof w);
		h[l] = (h[l] ^ w) * 0xFF51AFD7ED558CCDull;
		h[l] ^= h[l] >> 32;
	}
	uint64_t s = n;
	for (int l = 0; l < 4; l++) {
		s = (s ^ h[l]) * 0xC4CEB9FE1A85EC53ull;
		s ^= s >> 29;
	}
	return s;
}

static size_t nblocks(size_t len) { return (len + BLOCK - 1) / BLOCK; }

/* Write the block sums of the image of len bytes at img right after it; their checksum. */
static uint64_t seal_blocks(char *img, size_t len)
{
	size_t nb = nblocks(len);
	for (size_t b = 0; b < nb; b++) {
		size_t n = b + 1 < nb ? BLOCK : len - b * BLOCK;
		uint64_t v = sum_words(img + b * BLOCK, n);
		memcpy(img + len + b * 8, &v, sizeof v);
	}
	return sum_words(img + len, nb * 8);
}

/* Where a part's grid will be written: the index slots to fill in once the grids are laid out. */
typedef struct grid_slot {
	size_t at;        /* offset of the part's (offset, length, sums' checksum) in the index */
	const grid *g;    /* the part's grid, written as a lib/perf/grid image */
	size_t len;       /* its image's size */
} grid_slot;

typedef struct slots {
	grid_slot *v;
	size_t n, cap;
} slots;

static bool put_set(wbuf *w, const table_set *t, slots *gs)
{
	int64_t id[3];
	file_id(t->path, id);
	put_str(w, t->path ? t->path : "");
	for (int i = 0; i < 3; i++)
		put_i64(w, id[i]);
	put_u64(w, (uint64_t)t->loaded | (uint64_t)t->has_power << 1);
	put_i64(w, t->depth);
	put_u64(w, t->rows);
	put_u64(w, t->nparts);
	for (size_t i = 0; i < t->nparts; i++) {
		const table_part *p = &t->parts[i];
		const char *n1 = "", *n2 = "";
		int k1 = key_kind(p->k1, &n1), k2 = key_kind(p->k2, &n2);
		if (k1 < -1 || k2 < -1 || p->ready != 1 || p->pending)
			return false;
		put_i64(w, k1);
		put_str(w, n1);
		put_i64(w, k2);
		put_str(w, n2);
		put_str(w, p->name);
		put(w, p->pre, sizeof p->pre);
		put_i64(w, p->npre);
		put_i64(w, p->ready);
		put_i64(w, p->boxed);
		put(w, p->lo, sizeof p->lo);
		put(w, p->hi, sizeof p->hi);
		if (gs->n == gs->cap) {
			grid_slot *v = realloc(gs->v, (gs->cap = gs->cap ? 2 * gs->cap : 64) * sizeof *v);
			if (!v)
				return false;
			gs->v = v;
		}
		grid_slot *s = &gs->v[gs->n++];
		s->g = p->g;
		s->len = grid_image_size(p->g);
		s->at = w->n;
		put_u64(w, 0);
		put_u64(w, 0);
		put_u64(w, 0);
	}
	return true;
}

static int mkdirs(const char *dir)
{
	char buf[sizeof dir_buf];
	snprintf(buf, sizeof buf, "%s", dir);
	for (char *s = buf + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			if (mkdir(buf, 0755) != 0 && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void evict_lru(const char *keep);

/* The file's bytes for the prepared sets into w (empty); false when a set cannot be cached or
 * on no memory. The same tables give the same bytes (rebuild_map relies on it). */
static bool build_cache(wbuf *w, const char *key, table_set *const *sets, int nsets)
{
	slots gs = { 0 };
	put(w, MAGIC, sizeof MAGIC);
	put_u64(w, CACHE_FORMAT);
	put_u64(w, (uint64_t)nsets);
	put_u64(w, 0); /* file length, filled in below */
	put_str(w, INFERCAST_LIB_ID);
	put_str(w, key);
	size_t index_end_at = w->n;
	put_u64(w, 0); /* index end, filled in below */
	bool ok = true;
	for (int i = 0; i < nsets && ok; i++)
		ok = put_set(w, sets[i], &gs);
	size_t index_end = w->n;
	put_u64(w, 0); /* the index's checksum */
	/* the grids written straight into the file's buffer, sized once (the images are the
	 * bulk: ~40 MB for a dense group; no copy, no regrowth) */
	size_t room = w->n + sizeof END_MARK;
	for (size_t i = 0; i < gs.n; i++)
		room += gs.v[i].len + nblocks(gs.v[i].len) * 8;
	reserve(w, room);
	for (size_t i = 0; ok && !w->bad && i < gs.n; i++) {
		size_t off = w->n, len = gs.v[i].len;
		w->n += len + nblocks(len) * 8;
		ok = grid_image_write(gs.v[i].g, w->p + off, len);
		uint64_t where[3] = { off, len, ok ? seal_blocks(w->p + off, len) : 0 };
		memcpy(w->p + gs.v[i].at, where, sizeof where);
	}
	put(w, END_MARK, sizeof END_MARK);
	free(gs.v);
	if (!ok || w->bad)
		return false;
	uint64_t total = w->n, end = index_end;
	memcpy(w->p + 24, &total, sizeof total);
	memcpy(w->p + index_end_at, &end, sizeof end);
	uint64_t sum = sum_words(w->p, index_end);
	memcpy(w->p + index_end, &sum, sizeof sum);
	return true;
}

/* The bytes in w as file, atomically (a temporary file, then rename). */
static void write_file(const char *file, const wbuf *w)
{
	char tmp[sizeof dir_buf + 300];
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", file);
	int fd = mkstemp(tmp);
	if (fd < 0 && mkdirs(table_cache_dir()) == 0) {
		snprintf(tmp, sizeof tmp, "%s.XXXXXX", file); /* mkstemp may have changed it */
		fd = mkstemp(tmp);
	}
	if (fd < 0) {
		stats.skipped++;
		return;
	}
	size_t off = 0;
	while (off < w->n) {
		ssize_t k = write(fd, w->p + off, w->n - off);
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	bool written = off == w->n;
	if (close(fd) != 0)
		written = false;
	if (written && chmod(tmp, 0644) == 0 && rename(tmp, file) == 0) {
		stats.writes++;
		evict_lru(file);
	}
	else {
		unlink(tmp);
		stats.skipped++;
	}
}

static void write_cache(const char *file, const char *key, table_set *const *sets, int nsets)
{
	wbuf w = { 0 };
	if (build_cache(&w, key, sets, nsets))
		write_file(file, &w);
	else
		stats.skipped++;
	free(w.p);
}

/* ---- reading ---- */

typedef struct rbuf {
	const char *p;
	size_t n, off;
	bool bad;
} rbuf;

static const void *take(rbuf *r, size_t n)
{
	size_t padded = (n + 7) / 8 * 8;
	if (r->bad || padded < n || r->n - r->off < padded) {
		r->bad = true;
		return NULL;
	}
	const void *at = r->p + r->off;
	r->off += padded;
	return at;
}

static uint64_t get_u64(rbuf *r)
{
	const void *p = take(r, 8);
	uint64_t v = 0;
	if (p)
		memcpy(&v, p, 8);
	return v;
}

static int64_t get_i64(rbuf *r) { return (int64_t)get_u64(r); }

static const char *get_str(rbuf *r)
{
	uint64_t n = get_u64(r);
	if (n == 0 || n > 4096) {
		r->bad = true;
		return "";
	}
	const char *s = take(r, (size_t)n);
	if (!s || s[n - 1] != 0) {
		r->bad = true;
		return "";
	}
	return s;
}

/* ---- bounded size, least recently used out ----
 *
 * The directory is shared (by checkouts, builds, agents): files are never removed because
 * another build wrote them, only when the directory's cache files pass the budget
 * ($INFERCAST_CACHE_MAX bytes, K/M/G suffixes; default 512M), oldest use first. A file's
 * last use is its access time, set on every hit (at most once a minute, and only the access
 * time: a hit writes nothing else), whatever the file system's atime policy. So two builds
 * whose sets fit in the budget keep both; a build that goes away ages out. */

static uint64_t cache_budget(void)
{
	const char *s = getenv("INFERCAST_CACHE_MAX");
	char *end;
	unsigned long long v = s && *s ? strtoull(s, &end, 10) : 0;
	if (!s || !*s || end == s)
		return 512ull << 20;
	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	default: break;
	}
	return v;
}

static void mark_used(const char *file)
{
	struct stat st;
	struct timespec now;
	if (stat(file, &st) != 0 || clock_gettime(CLOCK_REALTIME, &now) != 0 || st.st_atim.tv_sec + 60 > now.tv_sec)
		return;
	const struct timespec times[2] = { now, { 0, UTIME_OMIT } };
	utimensat(AT_FDCWD, file, times, 0);
}

/* Ours by name (cache_path's NAME-<16 hex>.tc, content_hash's <16 hex>.id): reading the
 * magic would move the file's access time under relatime, which is its last use here. */
static bool cache_file_kind(const char *name)
{
	size_t len = strlen(name);
	const char *hex;
	if (len >= 19 && strcmp(name + len - 3, ".id") == 0 && len == 19)
		hex = name;
	else if (len >= 20 && strcmp(name + len - 3, ".tc") == 0 && name[len - 20] == '-')
		hex = name + len - 19;
	else
		return false;
	for (int i = 0; i < 16; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return false;
	return true;
}

typedef struct cache_entry {
	struct timespec used;
	uint64_t size;
	char name[256];
} cache_entry;

static int by_use(const void *a, const void *b)
{
	const cache_entry *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	if (x->used.tv_nsec != y->used.tv_nsec)
		return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* After a write: remove the least recently used files until the directory's fit the budget;
 * keep is the file just written (never removed, even alone over the budget). */
static void evict_lru(const char *keep)
{
	const char *dir = table_cache_dir();
	DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return;
	cache_entry *all = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char path[sizeof dir_buf + 300];
		struct stat st;
		if (strlen(e->d_name) >= sizeof all->name ||
		    (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode) || !cache_file_kind(e->d_name))
			continue;
		if (n == cap) {
			cache_entry *grown = realloc(all, (cap = cap ? 2 * cap : 64) * sizeof *all);
			if (!grown)
				break;
			all = grown;
		}
		all[n].used = st.st_atim;
		all[n].size = (uint64_t)st.st_size;
		snprintf(all[n].name, sizeof all[n].name, "%s", e->d_name);
		total += all[n++].size;
	}
	closedir(d);
	uint64_t budget = cache_budget();
	if (total > budget && n) {
		qsort(all, n, sizeof *all, by_use);
		const char *keep_name = strrchr(keep, '/') ? strrchr(keep, '/') + 1 : keep;
		for (size_t i = 0; i < n && total > budget; i++) {
			char path[sizeof dir_buf + 300];
			if (strcmp(all[i].name, keep_name) == 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, all[i].name);
			if (unlink(path) == 0)
				total -= all[i].size;
		}
	}
	free(all);
}

static void get_doubles(rbuf *r, double *out, size_t n)
{
	const void *p = take(r, n * sizeof *out);
	if (p)
		memcpy(out, p, n * sizeof *out);
}

static const void *decode_key(rbuf *r)
{
	int64_t kind = get_i64(r);
	const char *name = get_str(r);
	if (kind == -1)
		return NULL;
	const quant_mode *q = kind >= 0 && kind < QUANT_KIND_COUNT ? quant_find((quant_kind)kind, name) : NULL;
	if (!q)
		r->bad = true;
	return q;
}

/* The index of a mapped file: bytes [0, end) checked against their checksum. */
typedef struct index_view {
	size_t end;        /* index end (its checksum lies there) */
	size_t total;      /* the file's length */
} index_view;

/* Check the header, the end mark and the index's checksum; r is left after the header, its
 * length cut to the index (what the set records may use). */
static bool header_ok(rbuf *r, const char *key, int nsets, index_view *iv)
{
	const void *m = take(r, sizeof MAGIC);
	if (!m || memcmp(m, MAGIC, sizeof MAGIC) != 0 || get_u64(r) != CACHE_FORMAT || get_u64(r) != (uint64_t)nsets ||
	    get_u64(r) != r->n || strcmp(get_str(r), INFERCAST_LIB_ID) != 0 || strcmp(get_str(r), key ? key : "") != 0)
		return false;
	uint64_t end = get_u64(r);
	if (r->bad || r->n < r->off + 2 * sizeof END_MARK || end < r->off || end % 8 || end > r->n - 2 * sizeof END_MARK ||
	    memcmp(r->p + r->n - sizeof END_MARK, END_MARK, sizeof END_MARK) != 0)
		return false;
	uint64_t sum;
	memcpy(&sum, r->p + end, sizeof sum);
	if (sum != sum_words(r->p, (size_t)end))
		return false;
	iv->end = (size_t)end;
	iv->total = r->n;
	r->n = (size_t)end;
	return true;
}

/* ---- resealing (fuzzing) ---- */

/* What to do with each part's grid whose range (image and block sums) lies inside the file:
 * its offset and length, and where its sums' checksum lies in the index. */
typedef void (*grid_fn)(char *file, size_t off, size_t len, size_t sum_at, void *ctx);

/* Skip one set's records, calling fn on each part's grid. False when the records cannot be
 * followed. */
static bool walk_set(rbuf *r, char *file, size_t total, grid_fn fn, void *ctx)
{
	get_str(r);
	for (int j = 0; j < 3; j++)
		get_i64(r);
	get_u64(r);
	get_i64(r);
	get_u64(r);
	uint64_t nparts = get_u64(r);
	if (r->bad || nparts > r->n / 64)
		return false;
	for (uint64_t i = 0; i < nparts && !r->bad; i++) {
		get_i64(r);
		get_str(r);
		get_i64(r);
		get_str(r);
		get_str(r);
		take(r, TABLE_MAX_PREFIX * sizeof(double));
		for (int j = 0; j < 3; j++)
			get_i64(r);
		take(r, 6 * sizeof(double));
		uint64_t off = get_u64(r), len = get_u64(r);
		size_t sum_at = r->off;
		take(r, 8);
		if (!r->bad && off % 8 == 0 && len % 8 == 0 && off <= total && len <= total - off &&
		    nblocks((size_t)len) * 8 <= total - off - len)
			fn(file, (size_t)off, (size_t)len, sum_at, ctx);
	}
	return !r->bad;
}

static void reseal_grid(char *file, size_t off, size_t len, size_t sum_at, void *ctx)
{
	(void)ctx;
	uint64_t v = seal_blocks(file + off, len);
	memcpy(file + sum_at, &v, sizeof v);
}

/* Follow the index of the file at data, calling fn on each grid; the index's end, or 0. */
static size_t walk_file(char *file, size_t len, grid_fn fn, void *ctx)
{
	if (len < 64 || len % 8 || (uintptr_t)file % 8)
		return 0;
	rbuf r = { file, len, 0, false };
	take(&r, sizeof MAGIC);
	get_u64(&r);
	uint64_t nsets = get_u64(&r);
	get_u64(&r);
	get_str(&r);
	get_str(&r);
	uint64_t end = get_u64(&r);
	if (r.bad || end % 8 || end < r.off || end > len - 2 * sizeof END_MARK || nsets > 64)
		return 0;
	r.n = (size_t)end;
	for (uint64_t i = 0; i < nsets; i++)
		if (!walk_set(&r, file, len - sizeof END_MARK, fn, ctx))
			return 0;
	return (size_t)end;
}

int table_cache_reseal(void *data, size_t len)
{
	char *file = data;
	if (len < 64 || len % 8 || (uintptr_t)data % 8)
		return -1;
	uint64_t total = len;
	memcpy(file + 24, &total, sizeof total);
	memcpy(file + len - sizeof END_MARK, END_MARK, sizeof END_MARK);
	size_t end = walk_file(file, len, reseal_grid, NULL);
	if (!end)
		return -1;
	uint64_t sum = sum_words(file, end);
	memcpy(file + end, &sum, sizeof sum);
	return 0;
}

struct grids_ctx {
	void (*fn)(void *ctx, size_t off, size_t len);
	void *ctx;
};

static void each_grid(char *file, size_t off, size_t len, size_t sum_at, void *ctx)
{
	(void)file, (void)sum_at;
	struct grids_ctx *g = ctx;
	g->fn(g->ctx, off, len);
}

int table_cache_grids(const void *data, size_t len, void (*fn)(void *ctx, size_t off, size_t len), void *ctx)
{
	struct grids_ctx g = { fn, ctx };
	return walk_file((char *)(uintptr_t)data, len, each_grid, &g) ? 0 : -1;
}

/* Before running the loader: is the first set's source file as it was? (The others are
 * checked while restoring; a mismatch there falls back to a full load.) */
static bool sources_ok(rbuf r)
{
	const char *path = get_str(&r);
	int64_t id[3], now[3];
	for (int j = 0; j < 3; j++)
		id[j] = get_i64(&r);
	if (r.bad)
		return false;
	file_id(path, now);
	return memcmp(id, now, sizeof id) == 0;
}

struct table_cache_map;

/* Where a restored part's grid lies in the mapping (table_part.pending points here until the
 * part is first used; then the grid's guard: which of its blocks were checked). */
typedef struct part_record {
	const char *image;
	size_t len;
	uint64_t sum;                /* of the block sums after the image */
	struct table_cache_map *map;
	unsigned char *checked;      /* a bit per block: matched its sum */
	const grid *g;               /* the lazily checked grid, once opened */
} part_record;

/* A mapped cache file: the sets restored from it hold it (table_backing.release) and open
 * their parts' grids in it. It also keeps what it takes to rebuild it when a block turns out
 * damaged: the loader and a copy of its argument, the sets it filled, the key. */
struct table_cache_map {
	table_backing src; /* first: the handle the sets call */
	void *addr;
	size_t len;
	size_t index_end;  /* the index and its checksum: bytes [0, index_end + 8) */
	int refs;
	bool rebuilt;      /* the mapping holds bytes made from the tables in this run: all good */
	table_cache_loader load;
	void *arg;
	table_set **sets;
	int nsets;
	part_record **recs;   /* per restored set, its parts' records */
	size_t nrecs;
	part_record **opened; /* the parts whose grids were opened (their guards and grids) */
	size_t nopened;
	char *key;
	char file[];
};

/* Whether a and b name the same file: the same spelling, or the same real path (the cache is
 * shared by every spelling of a data folder: table_cache_key_path). */
static bool same_path(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return true;
	char ra[PATH_MAX], rb[PATH_MAX];
	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

static bool restore_set(rbuf *r, const index_view *iv, const char *base, struct table_cache_map *map, table_set *t)
{
	const char *path = get_str(r);
	int64_t id[3], now[3];
	for (int j = 0; j < 3; j++)
		id[j] = get_i64(r);
	file_id(path, now);
	if (r->bad || memcmp(id, now, sizeof id) != 0 || !same_path(path, t->path ? t->path : ""))
		return false;
	uint64_t flags = get_u64(r);
	int64_t depth = get_i64(r);
	uint64_t rows = get_u64(r), nparts = get_u64(r);
	if (r->bad || depth != t->depth || nparts > r->n / 64)
		return false;
	for (size_t i = 0; i < t->nparts; i++)
		if (!t->parts[i].borrowed)
			grid_free(t->parts[i].g);
	free(t->parts);
	t->parts = NULL;
	t->nparts = 0;
	t->loaded = flags & 1;
	t->has_power = (flags >> 1) & 1;
	t->rows = (size_t)rows;
	if (!nparts)
		return true;
	/* the parts go with the set; their records (the grids' guards) with the map, which may
	 * outlive the set (a map serves several sets) */
	table_part *parts = calloc((size_t)nparts, sizeof *parts);
	part_record *recs = calloc((size_t)nparts, sizeof *recs);
	part_record **blocks = realloc(map->recs, (map->nrecs + 1) * sizeof *blocks);
	if (blocks)
		map->recs = blocks;
	if (!parts || !recs || !blocks) {
		free(parts);
		free(recs);
		return false;
	}
	map->recs[map->nrecs++] = recs;
	t->parts = parts;
	for (size_t i = 0; i < nparts; i++) {
		table_part *p = &t->parts[i];
		p->k1 = decode_key(r);
		p->k2 = decode_key(r);
		const char *name = get_str(r);
		if (strlen(name) >= sizeof p->name)
			r->bad = true;
		else
			memcpy(p->name, name, strlen(name) + 1);
		get_doubles(r, p->pre, TABLE_MAX_PREFIX);
		int64_t npre = get_i64(r), ready = get_i64(r), boxed = get_i64(r);
		get_doubles(r, p->lo, 3);
		get_doubles(r, p->hi, 3);
		uint64_t off = get_u64(r), len = get_u64(r), sum = get_u64(r);
		/* a grid lies between the index and the end mark, whole and aligned */
		if (r->bad || npre < 0 || npre > TABLE_MAX_PREFIX || ready != 1 || (boxed != 0 && boxed != 1) || off % 8 ||
		    len % 8 || off < iv->end + 8 || off > iv->total - sizeof END_MARK || len > iv->total - sizeof END_MARK - off ||
		    nblocks((size_t)len) * 8 > iv->total - sizeof END_MARK - off - len)
			return false;
		p->npre = (int)npre;
		p->ready = 1;
		p->boxed = boxed == 1;
		recs[i] = (part_record){ base + off, (size_t)len, sum, map, NULL, NULL };
		p->pending = &recs[i];
		t->nparts = i + 1; /* from here on table_set_free releases it */
	}
	return true;
}


static void map_release(table_backing *src)
{
	struct table_cache_map *m = (struct table_cache_map *)src;
	if (m && --m->refs == 0) {
		for (size_t i = 0; i < m->nopened; i++) {
			grid_image_close_lazy(m->opened[i]->g);
			free(m->opened[i]->checked);
		}
		free(m->opened);
		for (size_t i = 0; i < m->nrecs; i++)
			free(m->recs[i]);
		free(m->recs);
		munmap(m->addr, m->len);
		free(m->arg);
		free(m->sets);
		free(m->key);
		free(m);
	}
}

static bool finalize_sets(table_set *const *sets, int nsets);
static bool build_cache(wbuf *w, const char *key, table_set *const *sets, int nsets);
static void write_file(const char *file, const wbuf *w);

/* Bytes of the file were found damaged (a block that does not match its sum: the file changed
 * on disk after the index was checked, or was written wrong): never read. The tables are read
 * again with the loader (into sets of our own: the caller's sets keep their parts), the file's
 * bytes are made again, and, being the same tables, they are laid out as the mapped file was:
 * they replace the mapping in place (pointers into it stay good), and the file is written
 * again. Bytes laid out otherwise (the tables changed meanwhile) end the run. */
static void rebuild_map(struct table_cache_map *m)
{
	stats.damaged++;
	last_id.path[0] = 0;
	unlink(m->file);
	table_set *saved = calloc((size_t)m->nsets, sizeof *saved);
	table_set *fresh = calloc((size_t)m->nsets, sizeof *fresh);
	table_set **fresh_ptrs = calloc((size_t)m->nsets, sizeof *fresh_ptrs);
	if (!saved || !fresh || !fresh_ptrs)
		die(EXIT_DATA, "out of memory");
	/* the loader fills the sets its argument names: run it on them, then swap */
	for (int i = 0; i < m->nsets; i++)
		saved[i] = *m->sets[i];
	char err[1024] = "";
	int st = m->load(m->arg, err, sizeof err);
	for (int i = 0; i < m->nsets; i++) {
		fresh[i] = *m->sets[i];
		*m->sets[i] = saved[i];
		fresh[i].backing = NULL;
		fresh_ptrs[i] = &fresh[i];
	}
	free(saved);
	if (st != 0)
		die(EXIT_DATA, "%s", err);
	wbuf w = { 0 };
	if (!finalize_sets(fresh_ptrs, m->nsets) || !build_cache(&w, m->key, fresh_ptrs, m->nsets) || w.n != m->len ||
	    memcmp(w.p, m->addr, m->index_end + 8) != 0)
		die(EXIT_DATA, "%s: a damaged table cache file whose tables changed during the run (removed); run again",
		    m->file);
	void *at = mmap(m->addr, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (at != m->addr)
		die(EXIT_DATA, "%s: cannot replace a damaged table cache file's mapping: %s", m->file, strerror(errno));
	memcpy(at, w.p, w.n);
	mprotect(at, m->len, PROT_READ);
	m->rebuilt = true;
	write_file(m->file, &w);
	free(w.p);
	for (int i = 0; i < m->nsets; i++)
		table_set_free(&fresh[i]);
	free(fresh);
	free(fresh_ptrs);
}

/* The guard of a part's grid: are its bytes [off, off + len) as written? Each block they
 * touch is checked against its sum once. */
static bool part_verify(void *ctx, size_t off, size_t len)
{
	part_record *rec = ctx;
	if (rec->map->rebuilt || len == 0)
		return true;
	const uint64_t *sums = (const uint64_t *)(const void *)(rec->image + rec->len);
	for (size_t b = off / BLOCK, last = (off + len - 1) / BLOCK; b <= last; b++) {
		if (rec->checked[b / 8] >> (b % 8) & 1)
			continue;
		size_t n = (b + 1) * BLOCK <= rec->len ? BLOCK : rec->len - b * BLOCK;
		if (sum_words(rec->image + b * BLOCK, n) != sums[b]) {
			rebuild_map(rec->map);
			return false;
		}
		rec->checked[b / 8] |= (unsigned char)(1u << (b % 8));
	}
	return true;
}

/* An image whose bytes are as written but that is not well formed: a forged file (its
 * checksums made to agree). Rebuilding it could not be told from the forgery mid-walk: the
 * file goes and the run ends. */
static void part_malformed(void *ctx)
{
	part_record *rec = ctx;
	unlink(rec->map->file);
	die(EXIT_DATA, "%s: a malformed table cache file (removed); run again", rec->map->file);
}

static void map_check(table_backing *src, table_set *t, table_part *p)
{
	(void)t;
	part_record *rec = (part_record *)p->pending;
	struct table_cache_map *m = (struct table_cache_map *)src;
	part_record **opened = realloc(m->opened, (m->nopened + 1) * sizeof *opened);
	rec->checked = calloc(nblocks(rec->len) / 8 + 1, 1);
	if (!opened || !rec->checked)
		die(EXIT_DATA, "out of memory");
	m->opened = opened;
	/* listed before it is opened: a malformed root ends the run from inside the open (a
	 * harness that jumps back still finds the grid closed with the map) */
	rec->g = (const grid *)(const void *)rec->image;
	m->opened[m->nopened++] = rec;
	/* the block sums, before any block is checked against them */
	if (!m->rebuilt && sum_words(rec->image + rec->len, nblocks(rec->len) * 8) != rec->sum)
		rebuild_map(m);
	static const grid_image_guard guard_fns = { part_verify, part_malformed, NULL };
	grid_image_guard guard = guard_fns;
	guard.ctx = rec;
	grid *g = grid_image_open_lazy(rec->image, rec->len, &guard);
	if (!g && !m->rebuilt) /* a malformed header whose block matched its sum */
		rebuild_map(m);
	if (!g) /* again, over the bytes made from the tables (a header block that failed its sum rebuilt them) */
		g = grid_image_open_lazy(rec->image, rec->len, &guard);
	if (!g)
		part_malformed(rec);
	p->g = g;
	p->borrowed = true;
	p->pending = NULL;
}

static struct table_cache_map *map_file(const char *file)
{
	int fd = open(file, O_RDONLY);
	if (fd < 0)
		return NULL;
	struct stat st;
	struct table_cache_map *m = NULL;
	size_t flen = strlen(file) + 1;
	if (fstat(fd, &st) == 0 && st.st_size > 64 && (m = calloc(1, sizeof *m + flen))) {
		m->len = (size_t)st.st_size;
		/* read-only: grids are read in place and never written */
		m->addr = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m->addr == MAP_FAILED) {
			free(m);
			m = NULL;
		} else {
			m->refs = 1;
			m->src.check = map_check;
			m->src.release = map_release;
			memcpy(m->file, file, flen);
		}
	}
	close(fd);
	return m;
}

/* Prepare every part now (what a cache hit hands out). False when a part fails. */
static bool finalize_sets(table_set *const *sets, int nsets)
{
	char err[1024];
	for (int i = 0; i < nsets; i++)
		if (table_set_finalize_all(sets[i], err, sizeof err) != 0)
			return false;
	return true;
}

const char *table_cache_key_path(const char *path, char *buf, size_t n)
{
	/* a run names the same few folders for each table group: the last answer is kept, so the
	 * start-up path resolves each spelling once */
	static char last_in[PATH_MAX], last_real[PATH_MAX];
	if (!path || !*path)
		return path ? path : "";
	if (strcmp(path, last_in) != 0) {
		char real[PATH_MAX];
		if (strlen(path) >= sizeof last_in || !realpath(path, real))
			return path;
		memcpy(last_in, path, strlen(path) + 1);
		memcpy(last_real, real, strlen(real) + 1);
	}
	if (strlen(last_real) >= n)
		return path;
	memcpy(buf, last_real, strlen(last_real) + 1);
	return buf;
}

/* key plus the identity of every dependency: its content, not its path (every checkout has
 * its own copy of systems/) */
static void full_key(const char *key, const char *const *deps, char *out, size_t n)
{
	size_t used = (size_t)snprintf(out, n, "%s", key);
	for (size_t i = 0; deps && deps[i] && used < n; i++) {
		int64_t id[3];
		file_id(deps[i], id);
		used += (size_t)snprintf(out + used, n - used, "|dep:%lld:%lld.%lld", (long long)id[0],
					 (long long)id[1], (long long)id[2]);
	}
}

int table_cache_load(table_set *const *sets, int nsets, const char *key_in, const char *const *deps,
		     table_cache_loader load, void *arg, size_t argsize, char *err, size_t errlen)
{
	char key[4096], file[sizeof dir_buf + 128];
	last_id.path[0] = 0;
	full_key(key_in, deps, key, sizeof key);
	if (nsets <= 0 || !cache_path(key_in, key, file, sizeof file))
		return load(arg, err, errlen);
	struct table_cache_map *m = map_file(file);
	if (m) {
		rbuf r = { m->addr, m->len, 0, false };
		index_view iv;
		bool hit = header_ok(&r, key, nsets, &iv) && sources_ok(r);
		if (hit) {
			/* what a damaged part needs later: the loader's argument (a copy: the caller's is
			 * gone by then), the sets, the key */
			m->load = load;
			m->nsets = nsets;
			m->index_end = iv.end;
			m->arg = malloc(argsize ? argsize : 1);
			m->sets = malloc((size_t)nsets * sizeof *m->sets);
			m->key = strdup(key);
			hit = m->arg && m->sets && m->key;
			if (hit) {
				memcpy(m->arg, arg, argsize);
				memcpy(m->sets, sets, (size_t)nsets * sizeof *sets);
			}
		}
		if (hit) {
			table_csv_set_header_only(true);
			int st = load(arg, err, errlen);
			table_csv_set_header_only(false);
			for (int i = 0; st == 0 && hit && i < nsets; i++) {
				hit = restore_set(&r, &iv, m->addr, m, sets[i]);
				if (hit) {
					sets[i]->backing = &m->src;
					m->refs++;
				}
			}
			hit = hit && st == 0 && !r.bad && r.off == iv.end;
			if (!hit)
				for (int i = 0; i < nsets; i++)
					table_set_free(sets[i]);
		}
		map_release(&m->src);
		if (hit) {
			mark_used(file);
			stats.hits++;
			return 0;
		}
	}
	stats.misses++;
	int st = load(arg, err, errlen);
	if (st != 0)
		return st;
	if (finalize_sets(sets, nsets)) {
		write_cache(file, key, sets, nsets);
		return 0;
	}
	/* a part cannot be prepared: load again as read, so that its own error shows on first use */
	stats.skipped++;
	for (int i = 0; i < nsets; i++)
		table_set_free(sets[i]);
	return load(arg, err, errlen);
}
