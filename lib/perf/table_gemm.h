/* table_gemm: the GEMM tables (gemm_perf.txt, computescale_perf.txt, scale_matrix_perf.txt)
 * as the reference's operations/gemm.py loads and queries them: quant_mode -> m -> n -> k
 * (gemm) and quant_mode -> m -> k (compute scale, scale matrix); GEMM latencies raised to
 * the speed of light, then the grid extended to the reference's target m/n/k lists (per
 * quant mode, on its first look-up).
 * fp8_static reads the fp8 tables. */
#ifndef INFERCAST_TABLE_GEMM_H
#define INFERCAST_TABLE_GEMM_H

#include "opgraph_quant.h"
#include "perf_result.h"
#include "systems.h"
#include "table_set.h"

/* Load the three tables from dir (missing files leave their table not loaded). 0, or -1 with
 * "FILE:LINE: what" in err. */
int table_gemm_load(table_set *gemm, table_set *compute_scale, table_set *scale_matrix, const char *dir,
		    const struct system_spec *sys, char *err, size_t errlen);

/* Speed-of-light latency (ms) as the reference's get_sol of each table. */
double gemm_sol_ms(const struct system_spec *sys, double m, double n, double k, const quant_mode *q);
double compute_scale_sol_ms(const struct system_spec *sys, double m, double k);
double scale_matrix_sol_ms(const struct system_spec *sys, double m, double k);

/* Silicon look-ups: 0 with *out, PERFDB_REFUSED with err saying what is missing, or
 * PERFDB_FATAL when preparing the table part failed. */
int table_gemm_query(table_set *gemm, long long m, long long n, long long k, const quant_mode *q,
		     perf_result *out, char *err, size_t errlen);
/* compute scale and scale matrix share one look-up (clamped 2-D linear). */
int table_scale_query(table_set *t, const char *what, long long m, long long k, const quant_mode *q,
		      perf_result *out, char *err, size_t errlen);

/* The refusal for a table whose file is absent. */
int table_not_loaded(const table_set *t, const char *what, char *err, size_t errlen);

/* The table key for q: fp8_static reads fp8. */
const quant_mode *gemm_table_quant(const quant_mode *q);

#endif
