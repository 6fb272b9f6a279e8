#include "sweep_deepep.h"

#include <stdio.h>
#include <string.h>

#include "perfdb.h"
#include "sweep_quant.h"
#include "systems.h"
#include "table_modes.h"

/* The DeepEP dispatch tables of system at version: NULL, or a message naming what is missing. */
static bool deepep_tables(const char *data_dir, const char *system, const char *version, char *why, size_t whyn)
{
	char err[1024];
	perfdb *db = perfdb_open(data_dir, system, "sglang", version, err, sizeof err);
	if (!db) {
		snprintf(why, whyn, "no database version available for %s/sglang: %s", system, err);
		return false;
	}
	static const char *const files[] = { "wideep_deepep_normal_perf.txt", "wideep_deepep_ll_perf.txt" };
	size_t len = 0;
	for (size_t i = 0; i < 2; i++) {
		table_modes m;
		table_modes_read(db, files[i], "kernel_source", &m);
		if (!m.present)
			len += (size_t)snprintf(why + len, len < whyn ? whyn - len : 0, "%s%s/%s",
						len ? ", " : "missing required DeepEP perf data: ", perfdb_paths(db)->dir,
						files[i]);
	}
	perfdb_close(db);
	return len == 0;
}

/* Whether the DeepEP MoE table file of db holds mode (or names no modes); else why. */
static bool moe_mode_ok(const char *data_dir, const char *system, const char *version, const char *file,
			const char *mode, char *why, size_t whyn)
{
	char err[1024];
	perfdb *db = perfdb_open(data_dir, system, "sglang", version, err, sizeof err);
	if (!db)
		return true; /* the tables were found above: nothing to validate */
	table_modes m;
	table_modes_read(db, file, "moe_dtype", &m);
	perfdb_close(db);
	if (!mode || m.n == 0 || table_modes_has(&m, mode))
		return true;
	char list[256];
	table_modes_list(&m, list, sizeof list);
	snprintf(why, whyn, "the DeepEP MoE table %s of %s has no %s experts (it has %s)", file, system, mode, list);
	return false;
}

bool sweep_deepep_modes(const cJSON *model, const sweep_emit_options *o, bool *agg, bool *disagg, char *why,
			size_t whyn)
{
	*agg = *disagg = false;
	const char *system = o->spec.system;
	if (strcmp(o->spec.backend, "sglang")) {
		snprintf(why, whyn, "DeepEP is SGLang's");
		return false;
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "is_moe"))) {
		snprintf(why, whyn, "not a MoE model");
		return false;
	}
	char err[1024];
	const struct system_spec *sys = system_load(system, err, sizeof err);
	if (!sys) {
		snprintf(why, whyn, "%s", err);
		return false;
	}
	const char *dsys = o->decode_system && strcmp(o->decode_system, system) ? o->decode_system : NULL;
	if (!deepep_tables(o->data_dir, system, o->version, why, whyn))
		return false;
	if (dsys && !deepep_tables(o->data_dir, dsys, o->decode_version, why, whyn))
		return false;
	/* each worker's expert mode: its own, else every worker's, else the checkpoint's */
	const char *own = sweep_model_quant(model, sys, "sglang", QUANT_MOE);
	const char *all = o->quant[0][QUANT_MOE] ? o->quant[0][QUANT_MOE] : own;
	const char *pre = o->quant[1][QUANT_MOE] ? o->quant[1][QUANT_MOE] : all;
	const char *dec = o->quant[2][QUANT_MOE] ? o->quant[2][QUANT_MOE] : all;
	const char *ctx_file = "wideep_context_moe_perf.txt", *gen_file = "wideep_generation_moe_perf.txt";
	char agg_why[512] = "", disagg_why[512] = "";
	*agg = o->agg && moe_mode_ok(o->data_dir, system, o->version, ctx_file, all, agg_why, sizeof agg_why) &&
	       moe_mode_ok(o->data_dir, system, o->version, gen_file, all, agg_why, sizeof agg_why);
	*disagg = o->disagg && o->spec.total_gpus >= 2 &&
		  moe_mode_ok(o->data_dir, system, o->version, ctx_file, pre, disagg_why, sizeof disagg_why) &&
		  moe_mode_ok(o->data_dir, dsys ? dsys : system, dsys ? o->decode_version : o->version, gen_file, dec,
			      disagg_why, sizeof disagg_why);
	if (!*agg && !*disagg)
		snprintf(why, whyn, "%s", agg_why[0] ? agg_why : disagg_why[0] ? disagg_why : "no serving mode to search");
	return *agg || *disagg;
}
