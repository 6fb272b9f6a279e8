/* Unit tests of lib/sweep/sweep_pick on points that could not be priced (query --keep-going): the
 * reference drops an agg layout whose evaluated point raises, and stops a disagg layout's batch
 * loop at the raising batch. */
#include <string.h>

#include "side_fixture.h"
#include "sweep_pick.h"
#include "unit.h"

static agg_point agg(int tp, long batch, long ctx, bool oom, const char *error)
{
	agg_point p = {0};
	p.layout = (sweep_layout){tp, 1, 1, 1, 1};
	p.batch = p.global_batch = p.concurrency = batch;
	p.ctx_tokens = ctx;
	p.num_total_gpus = tp;
	p.ttft = 100;
	p.tpot = 10;
	p.seq_s = p.request_rate = (double)batch;
	p.tokens_s_gpu = 100.0 * (double)batch / tp;
	p.tokens_s_user = 100;
	p.oom = oom;
	p.error = error;
	return p;
}

static void test_agg(void)
{
	/* isl = osl = ctx = 1000: balance b/1000, no point is skipped for its decode share */
	agg_point pts[] = {
		/* tp1: fine until batch 3, which cannot be priced: the whole layout goes */
		agg(1, 1, 1000, false, NULL), agg(1, 2, 1000, false, NULL), agg(1, 3, 1000, false, "no MoE rows"),
		/* tp2: batch 2 ends at its first (out-of-memory) point; the unpriced point after it is
		 * never evaluated, so the layout stays */
		agg(2, 1, 1000, false, NULL), agg(2, 2, 1000, true, NULL), agg(2, 2, 2000, false, "not evaluated"),
		agg(2, 3, 1000, false, NULL),
	};
	size_t n = sizeof pts / sizeof pts[0];
	pick_status st;
	pick_agg_status(pts, n, 1000, 1000, &st);
	CHECK(st.failed_layouts == 1);
	CHECK(st.usable == 2); /* tp2 batches 1 and 3 */
	CHECK(st.last_error && strcmp(st.last_error, "no MoE rows") == 0);
	pick_table out = {0};
	pick_agg_results(pts, n, 1000, 1000, 2000, &out);
	CHECK(out.n == 2);
	for (size_t i = 0; i < out.n; i++)
		CHECK(out.rows[i].a.layout.tp == 2 && out.rows[i].a.batch != 2);
	pick_table_free(&out);

	/* nothing but unpriced layouts: no usable point, the last reason */
	agg_point bad[] = {agg(1, 1, 1000, false, "first"), agg(2, 1, 1000, false, "second")};
	pick_agg_status(bad, 2, 1000, 1000, &st);
	CHECK(st.usable == 0 && st.failed_layouts == 2 && strcmp(st.last_error, "second") == 0);
}

static side_point side(int tp, long batch, double ttft, double tpot, double seq, const char *error)
{
	side_point s = side_fixture(tp, batch, ttft, tpot, seq);
	s.error = error;
	return s;
}

static void test_disagg(void)
{
	side_point p[] = {side(1, 1, 400, 0, 2.0, NULL), side(2, 1, 0, 0, 0, "no rows")};
	/* decode tp4: batch 64 cannot be priced; 128 would be better but the loop stopped before it */
	side_point d[] = {side(4, 16, 0, 10, 2.0, NULL), side(4, 32, 0, 12, 4.0, NULL),
			  side(4, 64, 0, 0, 0, "no rows"), side(4, 128, 0, 20, 16.0, NULL)};
	pick_status st;
	pick_side_status(p, 2, &st);
	CHECK(st.usable == 1 && st.failed_layouts == 1);
	pick_side_status(d, 4, &st);
	CHECK(st.usable == 2 && st.failed_layouts == 1 && strcmp(st.last_error, "no rows") == 0);
	pick_table out = {0};
	pick_disagg_results(p, 2, d, 4, 1000, 2000, 8, false, &out);
	CHECK(out.n >= 1);
	for (size_t i = 0; i < out.n; i++) {
		CHECK(out.rows[i].d.batch == 16 || out.rows[i].d.batch == 32);
		CHECK(out.rows[i].p.layout.tp == 1);
	}
	pick_table_free(&out);
}

int main(void)
{
	test_agg();
	test_disagg();
	UNIT_DONE();
}
