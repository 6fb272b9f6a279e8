/* sweep_print: what a `default` run shows people and programs: the reference's final summary
 * (chosen mode, its best configuration, one table of the top configurations per mode, with
 * replicas and GPUs over the whole cluster, as cli/report_and_save.py lays them out) and the
 * same rows as JSON Lines records keyed by the reference's column names. */
#ifndef INFERCAST_SWEEP_PRINT_H
#define INFERCAST_SWEEP_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "sweep_pick.h"

/* One mode's outcome. */
typedef struct sweep_mode_result {
	const char *name;          /* "agg" or "disagg" */
	bool ran;                  /* it produced a result table */
	bool met;                  /* some row meets the TPOT (or request latency) target */
	char failure[1024];         /* why not, when !ran ("": it had no points) */
	pick_table results, front, best;
	double best_throughput;    /* tokens/s/gpu_cluster of the best row */
} sweep_mode_result;

/* The index of the chosen mode (the higher best throughput; agg on a tie), -1 if none ran. */
int sweep_chosen(const sweep_mode_result *m, int n);

/* The filter's words in the summary, in its options (lib/ names none). */
typedef struct sweep_print_words {
	const char *load_fidelity; /* how the load model is asked for ("--fidelity load") */
	const char *unsaved;       /* after the Pareto fronts when no save_dir was given */
} sweep_print_words;

/* The summary and the tables; save_dir: where the CSV files were written (NULL: not written). */
void sweep_print_summary(FILE *out, const sweep_mode_result *m, int n, const pick_common *c, bool is_moe,
			 const pick_targets *t, const char *save_dir, const sweep_print_words *words);

/* JSON Lines: {"record":"chosen",...}, then per mode "best" rows (with rank) and "front" rows,
 * each with `mode` and `row` (the reference's columns). */
void sweep_print_jsonl(const sweep_mode_result *m, int n, const pick_common *c);

#endif
