/* Unit tests of lib/grid: sorted levels, first-wins and overwrite inserts, leaf metrics. */
#include "grid.h"
#include "unit.h"

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
	UNIT_DONE();
}
