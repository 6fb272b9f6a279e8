/* table_comm: the communication tables as the reference's operations/communication.py
 * loads and queries them: custom_allreduce_perf.txt (comm mode -> GPUs -> message size;
 * eager-mode rows of vLLM/SGLang skipped) and nccl_perf.txt (comm mode, collective ->
 * GPUs -> message size). Look-ups interpolate linearly along the message size and scale
 * by bandwidth beyond the largest measured GPU count. */
#ifndef INFERCAST_TABLE_COMM_H
#define INFERCAST_TABLE_COMM_H

#include "opgraph_quant.h"
#include "perf_result.h"
#include "systems.h"
#include "table_set.h"

/* Load path (a missing file leaves the table not loaded). 0, or -1 with err. */
int table_custom_allreduce_load(table_set *t, const char *path, char *err, size_t errlen);
int table_nccl_load(table_set *t, const char *path, char *err, size_t errlen);

/* Speed of light (ms), the reference's get_sol. */
double custom_allreduce_sol_ms(const struct system_spec *sys, double tp_size, double size);
double nccl_sol_ms(const struct system_spec *sys, const quant_mode *dtype, double num_gpus, const char *operation,
		   double message_size);

/* Silicon look-ups (tp_size, num_gpus > 1): 0 with *out, or PERFDB_REFUSED with err. */
int table_custom_allreduce_query(const table_set *t, const struct system_spec *sys, const quant_mode *q,
				 long long tp_size, long long size, perf_result *out, char *err, size_t errlen);
int table_nccl_query(const table_set *t, const struct system_spec *sys, const quant_mode *dtype,
		     long long num_gpus, const char *operation, long long message_size, perf_result *out, char *err,
		     size_t errlen);

#endif
