#include "sweep_quant.h"
#include "opgraph_build.h"

#include <stdio.h>
#include <string.h>

#include "datadir.h"
#include "opgraph.h"
#include "systems.h"
#include "table_csv.h"

/* Whether the column mla_dtype of dir/file holds fp8 and bfloat16 (a missing or unreadable table
 * holds nothing, as the reference's loader returns no data for it). */
static void scan_modes(const char *dir, const char *file, bool *fp8, bool *bf16)
{
	char path[DATADIR_PATH_MAX + 64], err[512];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	table_csv t; /* (lib/perf/table_csv also finds the table in the Parquet layout) */
	if (table_csv_load(&t, path, err, sizeof err) != TABLE_CSV_OK)
		return;
	int c = table_csv_col(&t, "mla_dtype");
	for (size_t r = 0; c >= 0 && r < t.nrows; r++) {
		const char *v = table_csv_cell(&t, r, c);
		*fp8 |= strcmp(v, "fp8") == 0;
		*bf16 |= strcmp(v, "bfloat16") == 0;
	}
	table_csv_free(&t);
}

/* The model's FMHA mode as opgraph resolves it with no override (the task resolves it the same way). */
static const char *resolved_fmha(const cJSON *model, const struct system_spec *sys, const char *backend)
{
	og_model m;
	og_config cfg;
	og_runtime rt;
	char err[512];
	if (og_model_from_json(model, &m, err, sizeof err))
		return NULL;
	og_runtime_defaults(&rt);
	rt.system = sys->name;
	rt.backend = backend;
	rt.tp = rt.pp = rt.dp = rt.moe_tp = rt.moe_ep = rt.batch = rt.isl = rt.osl = 1;
	if (og_resolve(&rt, &m, &cfg, err, sizeof err))
		return NULL;
	return cfg.quant[QUANT_FMHA] ? cfg.quant[QUANT_FMHA]->name : NULL;
}

const char *sweep_context_fmha_fallback(const cJSON *model, const char *system, const char *backend,
					const char *data_dir, const char *version, bool wideep)
{
	const char *arch = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "architecture"));
	if (!arch || (strcmp(arch, "DeepseekV3ForCausalLM") && strcmp(arch, "KimiK25ForConditionalGeneration")))
		return NULL;
	if (strcmp(backend, "vllm") == 0) /* vLLM prices MLA with its standard attention tables */
		return NULL;
	char err[1024];
	const struct system_spec *sys = system_load(system, err, sizeof err);
	if (!sys)
		return NULL;
	const char *fmha = resolved_fmha(model, sys, backend);
	if (!fmha || strcmp(fmha, "fp8"))
		return NULL;
	struct perf_data_path p;
	if (datadir_resolve(data_dir, sys, backend, version, &p, err, sizeof err))
		return NULL;
	bool fp8 = false, bf16 = false;
	if (wideep && strcmp(backend, "sglang") == 0) {
		scan_modes(p.dir, "wideep_context_mla_perf.txt", &fp8, &bf16);
	} else {
		scan_modes(p.dir, "context_mla_perf.txt", &fp8, &bf16);
		scan_modes(p.dir, "mla_context_module_perf.txt", &fp8, &bf16);
	}
	return bf16 && !fp8 ? "bfloat16" : NULL;
}
