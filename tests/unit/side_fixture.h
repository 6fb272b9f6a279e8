/* side_fixture: a priced disaggregated worker (lib/sweep/sweep_pick's side_point) for the sweep unit
 * tests: a tpN layout, its batch, TTFT, TPOT and seq/s, the per-GPU and per-user figures derived
 * as the reports give them. */
#ifndef INFERCAST_SIDE_FIXTURE_H
#define INFERCAST_SIDE_FIXTURE_H

#include "sweep_pick.h"

static inline side_point side_fixture(int tp, long batch, double ttft, double tpot, double seq)
{
	side_point s = {0};
	s.layout = (sweep_layout){tp, 1, 1, 1, 1};
	sweep_layout_name(&s.layout, s.parallel, sizeof s.parallel);
	s.batch = s.global_batch = batch;
	s.num_total_gpus = tp;
	s.ttft = ttft;
	s.tpot = tpot;
	s.seq_s = seq;
	s.seq_s_gpu = seq / tp;
	s.tokens_s_user = tpot > 0 ? 1000 / tpot : 0;
	return s;
}

#endif
