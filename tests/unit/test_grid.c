/* Unit tests of lib/perf/grid: sorted levels, first-wins and overwrite inserts, leaf metrics,
 * images (read in place; every malformed image refused), lazily checked images (bytes vouched
 * for before they are read, a damaged image replaced mid-walk, a malformed one never walked). */
#include "grid.h"
#include "unit.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

/* A copy of an image in 8-byte aligned memory (as a mapping gives it). */
static void *aligned_copy(const void *img, size_t len)
{
	uint64_t *p = malloc(len + 8);
	memcpy(p, img, len);
	return p;
}

/* The rows both image tests build: three levels, scalar and dict leaves, first-wins inserts. */
static const double sample_rows[6][3] = { { 8, 2, 5 }, { 1, 2, 3 }, { 4, 2, 3 }, { 1, 1, 9 }, { 1, 2, 1 }, { 8, 2, 4 } };

static grid *sample_grid(void)
{
	grid *g = grid_new(3);
	for (int i = 0; i < 6; i++) {
		grid_leaf leaf = i % 2 ? grid_leaf_scalar(i + 0.5) : grid_leaf_dict(i + 1.0, 10.0 * i, 100.0 * i);
		CHECK(grid_insert(g, sample_rows[i], &leaf, GRID_KEEP_FIRST) == 1);
	}
	return g;
}

static void check_images(void)
{
	grid *g = sample_grid();
	size_t len = 0;
	void *img = grid_image(g, &len);
	CHECK(img && len % 8 == 0);
	void *copy = aligned_copy(img, len);
	grid *m = grid_image_open(copy, len);
	CHECK(m != NULL);
	if (m) {
		/* the same answers, read in place */
		CHECK(grid_depth(m) == 3 && grid_size(m) == 6);
		for (int i = 0; i < 6; i++) {
			const grid_leaf *a = grid_get(g, sample_rows[i]), *b = grid_get(m, sample_rows[i]);
			CHECK(a && b && memcmp(&a->latency, &b->latency, 3 * sizeof(double)) == 0 && a->flags == b->flags);
		}
		CHECK(grid_get(m, (double[]){ 8, 2, 6 }) == NULL);
		CHECK(grid_sample_leaf(m) && grid_sample_leaf(m)->latency == 1.0);
		const double *keys;
		CHECK(grid_node_keys(grid_root(m), &keys) == 3 && keys[0] == 1 && keys[2] == 8);
		const grid_node *one = grid_node_child_at(grid_root(m), 0);
		CHECK(one && grid_node_levels(one) == 2 && grid_node_count(one) == 2);
		CHECK(grid_node_leaf_at(grid_node_child_at(one, 1), 1)->latency == 1.5); /* {1, 2, 3}: the second row */
		/* read-only: inserts fail, freeing leaves it to its owner */
		grid_leaf other = grid_leaf_scalar(77);
		CHECK(grid_insert(m, sample_rows[0], &other, GRID_OVERWRITE) < 0);
		CHECK(grid_insert(m, (double[]){ 2, 2, 2 }, &other, GRID_KEEP_FIRST) < 0);
		grid_free(m);
		/* an image of an image is the same bytes */
		size_t len2 = 0;
		void *img2 = grid_image(m, &len2);
		CHECK(img2 && len2 == len && memcmp(img2, img, len) == 0);
		free(img2);
	}
	/* refused: short, misaligned, any byte of the node records or keys changed in a way that
	 * breaks the layout; the leaves' bytes are data (the file's checksum guards them) */
	CHECK(grid_image_open(copy, len - 8) == NULL);
	CHECK(grid_image_open(copy, 16) == NULL);
	CHECK(grid_image_open((char *)copy + 4, len - 8) == NULL);
	CHECK(grid_image_open(NULL, len) == NULL);
	size_t refused = 0, tried = 0;
	for (size_t at = 0; at < len; at++) {
		unsigned char *b = copy;
		unsigned char was = b[at];
		b[at] = (unsigned char)(was ^ 0x40);
		tried++;
		refused += grid_image_open(copy, len) == NULL;
		b[at] = was;
	}
	CHECK(refused > tried / 4);
	CHECK(grid_image_open(copy, len) == m);
	/* keys out of order are refused: swap the root's first two keys */
	double k0, k1;
	size_t keys_at = 0;
	for (size_t at = 0; at + 16 <= len; at += 8) {
		memcpy(&k0, (char *)copy + at, 8);
		memcpy(&k1, (char *)copy + at + 8, 8);
		if (k0 == 1 && k1 == 4) {
			keys_at = at;
			break;
		}
	}
	CHECK(keys_at > 0);
	memcpy((char *)copy + keys_at, &k1, 8);
	memcpy((char *)copy + keys_at + 8, &k0, 8);
	CHECK(grid_image_open(copy, len) == NULL);
	free(copy);
	free(img);
	grid_free(g);
	/* an empty grid has an image too */
	grid *e = grid_new(2);
	img = grid_image(e, &len);
	copy = aligned_copy(img, len);
	m = grid_image_open(copy, len);
	CHECK(m && grid_size(m) == 0 && grid_sample_leaf(m) == NULL && grid_node_count(grid_root(m)) == 0);
	free(copy);
	free(img);
	grid_free(e);
}

/* The guard of the lazy tests: which bytes were vouched for, a damage found once (the image
 * is then replaced by the good one), a malformed image (back to the test). */
static struct lazy_guard {
	unsigned char *img, *good, *vouched;
	size_t len, calls;
	size_t damaged_at; /* the damaged byte, SIZE_MAX when none */
	int malformed;
	jmp_buf back;
} lg;

static bool lazy_verify(void *ctx, size_t off, size_t len)
{
	CHECK(ctx == &lg && off + len <= lg.len && off % 8 == 0);
	lg.calls++;
	if (lg.damaged_at != SIZE_MAX && lg.damaged_at >= off && lg.damaged_at < off + len) {
		memcpy(lg.img, lg.good, lg.len); /* as table_cache's rebuild: the same bytes, in place */
		lg.damaged_at = SIZE_MAX;
		memset(lg.vouched, 0, lg.len);
		return false;
	}
	memset(lg.vouched + off, 1, len);
	return true;
}

static void lazy_malformed(void *ctx)
{
	(void)ctx;
	lg.malformed++;
	longjmp(lg.back, 1);
}

/* Every row of g looked up in the lazily opened image at lg.img; true when all answers agree.
 * Every byte read was vouched for first: the node records and keys on the way, the leaves. */
static bool lazy_walk(const grid *g, const double (*rows)[3], int nrows)
{
	grid_image_guard guard = { lazy_verify, lazy_malformed, &lg };
	static grid *m; /* static: read after the jump back */
	static bool same;
	m = NULL;
	same = false;
	if (setjmp(lg.back) == 0) { /* the root is checked when the image is opened */
		m = grid_image_open_lazy(lg.img, lg.len, &guard);
		same = m && grid_size(m) == grid_size(g);
		for (int i = 0; m && i < nrows; i++) {
			const grid_leaf *a = grid_get(g, rows[i]), *b = grid_get(m, rows[i]);
			same = same && a && b && memcmp(&a->latency, &b->latency, 3 * sizeof(double)) == 0 &&
			       a->flags == b->flags && lg.vouched[(const unsigned char *)b - lg.img];
		}
	} else
		same = false;
	if (m)
		grid_image_close_lazy(m);
	else /* refused at open, or malformed while opening: registered all the same */
		grid_image_close_lazy((const grid *)(const void *)lg.img);
	return same;
}

static void check_lazy_images(void)
{
	grid *g = sample_grid();
	size_t len = 0;
	void *img = grid_image(g, &len);
	memset(&lg, 0, sizeof lg);
	lg.img = aligned_copy(img, len);
	lg.good = img;
	lg.vouched = calloc(1, len);
	lg.len = len;
	lg.damaged_at = SIZE_MAX;
	/* the header is vouched for at open; nodes on first use, once */
	CHECK(lazy_walk(g, sample_rows, 6) && lg.calls > 2 && lg.malformed == 0);
	size_t calls = lg.calls;
	memset(lg.vouched, 0, len);
	lg.calls = 0;
	CHECK(lazy_walk(g, sample_rows, 1) && lg.calls < calls);
	/* a leaf damaged: found when its block is first asked for, mid-walk; the image replaced,
	 * the walk goes on with the good bytes */
	const grid_leaf *leaf = grid_get(g, sample_rows[3]);
	size_t at = SIZE_MAX;
	for (size_t o = 0; o + sizeof *leaf <= len; o += 8)
		if (memcmp(lg.img + o, &leaf->latency, sizeof(double)) == 0)
			at = o;
	CHECK(at != SIZE_MAX);
	lg.img[at] ^= 1;
	lg.damaged_at = at;
	memset(lg.vouched, 0, len);
	CHECK(lazy_walk(g, sample_rows, 6) && lg.damaged_at == SIZE_MAX && memcmp(lg.img, img, len) == 0);
	/* forged bytes vouched for (a resealed file): a malformed node is never walked; the
	 * leaves' bytes are data */
	size_t refused = 0;
	for (size_t o = 0; o < len; o++) {
		lg.img[o] ^= 0x40;
		lg.malformed = 0;
		memset(lg.vouched, 0, len);
		bool same = lazy_walk(g, sample_rows, 6);
		refused += lg.malformed > 0 || !same;
		lg.img[o] ^= 0x40;
	}
	CHECK(refused > len / 4);
	/* a malformed header (the root's levels, the image's first word): refused at open */
	int levels = 0;
	memcpy(lg.img, &levels, sizeof levels);
	grid_image_guard guard = { lazy_verify, lazy_malformed, &lg };
	CHECK(grid_image_open_lazy(lg.img, len, &guard) == NULL);
	free(lg.img);
	free(lg.vouched);
	free(img);
	grid_free(g);
}

int main(void)
{
	CHECK(grid_new(0) == NULL);
	CHECK(grid_new(GRID_MAX_DEPTH + 1) == NULL);

	grid *g = grid_new(3);
	CHECK(g && grid_depth(g) == 3 && grid_size(g) == 0 && grid_sample_leaf(g) == NULL);
	/* Insert out of order; keys come back sorted at every level. */
	double rows[][3] = { { 8, 2, 5 }, { 1, 2, 3 }, { 4, 2, 3 }, { 1, 1, 9 }, { 1, 2, 1 }, { 8, 2, 4 } };
	for (int i = 0; i < 6; i++) {
		grid_leaf leaf = grid_leaf_dict(i + 1.0, 10.0 * i, 100.0 * i);
		CHECK(grid_insert(g, rows[i], &leaf, GRID_KEEP_FIRST) == 1);
	}
	CHECK(grid_size(g) == 6);
	const double *keys;
	size_t n = grid_node_keys(grid_root(g), &keys);
	CHECK(n == 3 && keys[0] == 1 && keys[1] == 4 && keys[2] == 8);
	const grid_node *one = grid_node_child(grid_root(g), 1);
	CHECK(one && grid_node_levels(one) == 2);
	n = grid_node_keys(one, &keys);
	CHECK(n == 2 && keys[0] == 1 && keys[1] == 2);
	const grid_node *one_two = grid_find(g, (double[]){ 1, 2 }, 2);
	n = grid_node_keys(one_two, &keys);
	CHECK(n == 2 && keys[0] == 1 && keys[1] == 3);
	CHECK(grid_node_has(one_two, 3) && !grid_node_has(one_two, 2));
	CHECK(grid_node_child(one_two, 3) == NULL);
	CHECK(grid_node_leaf(one, 2) == NULL);

	/* First wins, unless the caller asks to overwrite. */
	grid_leaf other = grid_leaf_scalar(77);
	CHECK(grid_insert(g, rows[0], &other, GRID_KEEP_FIRST) == 0);
	CHECK(grid_get(g, rows[0])->latency == 1.0);
	CHECK(grid_insert(g, rows[0], &other, GRID_OVERWRITE) == 0);
	CHECK(grid_get(g, rows[0])->latency == 77.0);
	CHECK(grid_size(g) == 6);
	CHECK(grid_get(g, (double[]){ 8, 2, 6 }) == NULL);
	CHECK(grid_get(g, (double[]){ 9, 2, 5 }) == NULL);
	CHECK(grid_sample_leaf(g)->latency == 1.0);

	/* get_value semantics: missing keys and bare latencies read 0 for power/energy. */
	grid_leaf s = grid_leaf_scalar(3.5), d = grid_leaf_dict_lp(2.0, 5.0);
	CHECK(grid_leaf_get(&s, GRID_LATENCY) == 3.5 && grid_leaf_get(&s, GRID_POWER) == 0.0);
	CHECK(grid_leaf_get(&d, GRID_POWER) == 5.0 && grid_leaf_get(&d, GRID_ENERGY) == 0.0);
	grid_free(g);

	/* Bulk build, descending, then every key is found. */
	grid *big = grid_new(2);
	for (int i = 2000; i > 0; i--) {
		grid_leaf leaf = grid_leaf_scalar(i);
		CHECK(grid_insert(big, (double[]){ i % 7, i }, &leaf, GRID_KEEP_FIRST) == 1);
	}
	CHECK(grid_size(big) == 2000);
	for (int i = 1; i <= 2000; i++)
		CHECK(grid_get(big, (double[]){ i % 7, i })->latency == i);
	n = grid_node_keys(grid_node_child(grid_root(big), 3), &keys);
	for (size_t i = 1; i < n; i++)
		CHECK(keys[i - 1] < keys[i]);
	grid_free(big);
	check_images();
	check_lazy_images();
	UNIT_DONE();
}
