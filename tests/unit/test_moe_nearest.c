/* Unit tests of lib/perf/moe_nearest: the distance (the parallel layout weighs most), matched
 * token counts, and the nearest measured shape of a grid (a shape without tokens never chosen). */
#include "moe_nearest.h"
#include "unit.h"

static void insert(grid *g, double topk, double experts, double hidden, double inter, double tp, double ep,
		   double tokens, double latency)
{
	double keys[7] = { topk, experts, hidden, inter, tp, ep, tokens };
	grid_leaf leaf = grid_leaf_scalar(latency);
	CHECK(grid_insert(g, keys, &leaf, GRID_KEEP_FIRST) == 1);
}

int main(void)
{
	/* Qwen3.5-397B's experts at moe_tp 8 */
	moe_shape want = { { 10, 512, 4096, 1024, 8, 1 } };
	CHECK(moe_shape_distance(&want, &want) == 0);
	/* the same per-GPU problem at another layout is no longer the same */
	moe_shape same_problem = { { 10, 512, 4096, 2048, 16, 1 } };
	CHECK_NEAR(moe_shape_distance(&want, &same_problem), 2 * log(2.0), 1e-12);
	moe_shape wider = { { 22, 512, 4096, 2688, 8, 1 } };
	CHECK_NEAR(moe_shape_distance(&want, &wider), log(2688.0 / 1024) + log(22.0 / 10), 1e-12);
	CHECK_NEAR(moe_shape_distance(&wider, &want), moe_shape_distance(&want, &wider), 1e-15);

	/* 64 tokens at top-10 of 512 experts load each expert as 29.09 tokens at top-22 */
	CHECK_NEAR(moe_shape_matched_tokens(&want, &wider, 64), 64.0 * 10 / 22, 1e-12);
	CHECK(moe_shape_matched_tokens(&want, &wider, 0.1) == 1);

	grid *g = grid_new(7);
	insert(g, 22, 512, 4096, 2688, 16, 1, 16, 2.0); /* the same per-GPU width, another layout */
	insert(g, 22, 512, 4096, 2688, 8, 1, 16, 1.0);
	insert(g, 22, 512, 4096, 2688, 8, 1, 64, 1.5);
	insert(g, 8, 128, 4096, 1536, 8, 1, 16, 0.5);
	moe_shape best;
	const grid_node *tokens;
	CHECK(moe_nearest_shape(grid_root(g), &want, &best, &tokens));
	for (int i = 0; i < MOE_NEAREST_KEYS; i++)
		CHECK(best.k[i] == wider.k[i]);
	CHECK(tokens && grid_node_count(tokens) == 2 && grid_node_leaf(tokens, 64)->latency == 1.5);
	/* the exact shape, when there, is its own nearest */
	insert(g, 10, 512, 4096, 1024, 8, 1, 8, 0.25);
	CHECK(moe_nearest_shape(grid_root(g), &want, &best, &tokens));
	CHECK(best.k[0] == 10 && best.k[3] == 1024 && grid_node_leaf(tokens, 8)->latency == 0.25);
	grid_free(g);

	/* an empty grid, or one of the wrong depth, has no nearest shape */
	grid *empty = grid_new(7), *shallow = grid_new(3);
	CHECK(!moe_nearest_shape(grid_root(empty), &want, &best, &tokens) && tokens == NULL);
	CHECK(!moe_nearest_shape(grid_root(shallow), &want, &best, &tokens));
	CHECK(!moe_nearest_shape(NULL, &want, &best, &tokens));
	grid_free(empty);
	grid_free(shallow);
	UNIT_DONE();
}
