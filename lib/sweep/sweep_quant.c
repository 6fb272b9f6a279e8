#include "sweep_quant.h"
#include "opgraph_build.h"

#include <stdio.h>
#include <string.h>

#include "opgraph.h"
#include "perfdb.h"
#include "systems.h"
#include "table_modes.h"

const char *sweep_model_quant(const cJSON *model, const struct system_spec *sys, const char *backend,
				  quant_kind kind)
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
	return cfg.quant[kind] ? cfg.quant[kind]->name : NULL;
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
	const char *fmha = sweep_model_quant(model, sys, backend, QUANT_FMHA);
	if (!fmha || strcmp(fmha, "fp8"))
		return NULL;
	perfdb *db = perfdb_open(data_dir, system, backend, version, err, sizeof err);
	if (!db)
		return NULL;
	static const char *const plain[] = { "context_mla_perf.txt", "mla_context_module_perf.txt", NULL };
	static const char *const wide[] = { "wideep_context_mla_perf.txt", NULL };
	bool fp8 = false, bf16 = false;
	for (const char *const *f = wideep && strcmp(backend, "sglang") == 0 ? wide : plain; *f; f++) {
		table_modes m;
		table_modes_read(db, *f, "mla_dtype", &m);
		fp8 |= table_modes_has(&m, "fp8");
		bf16 |= table_modes_has(&m, "bfloat16");
	}
	perfdb_close(db);
	return bf16 && !fp8 ? "bfloat16" : NULL;
}
