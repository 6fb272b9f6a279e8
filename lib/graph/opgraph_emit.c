/* opgraph_emit: one model record into its config record and the op records of its phases, or
 * its refusal (opgraph(1)): the runtime laid over the options, the layout fallbacks of the load
 * fidelity, the graph built (memoized) or the serving runs prepared, the memory checked. */
#include "opgraph_emit.h"
#include "diag.h"
#include "hint.h"
#include "jsonarena.h"
#include "memory.h"
#include "opgraph_build.h"
#include "opgraph_config.h"
#include "opgraph_memo.h"
#include "opgraph_runtime.h"
#include "opgraph_write.h"

#include <stdio.h>
#include <string.h>

/* The layout fallbacks a configuration took (og_infer_dp, og_infer_moe_layout). */
typedef struct layout_notes {
	char text[3][200];
	int n;
} layout_notes;

/* The layout fallbacks, in the config record's `fallbacks`. */
static void add_fallback(cJSON *c, const layout_notes *notes)
{
	if (!notes->n)
		return;
	cJSON *a = cJSON_AddArrayToObject(c, "fallbacks");
	for (int i = 0; i < notes->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(notes->text[i]));
}

/* msg (n bytes) with the filter's words for its hint after it (lib/util/hint). */
static void with_hint(char *msg, size_t n, const og_emit_opts *opts)
{
	if (opts->hint)
		opts->hint(msg, n);
}

/* Says once per distinct note, on stderr, which layout fallback a configuration took, and what
 * refuses it (HINT_STRICT, in the filter's words). */
static void warn_layout(const jsonl_reader *r, const char *note, const og_emit_opts *opts)
{
	static char seen[8][160];
	static size_t nseen;
	for (size_t i = 0; i < nseen; i++)
		if (strcmp(seen[i], note) == 0)
			return;
	if (nseen < sizeof seen / sizeof seen[0])
		snprintf(seen[nseen++], sizeof seen[0], "%s", note);
	char line[512];
	snprintf(line, sizeof line, "%s", note);
	hint_note(HINT_STRICT, 0, line);
	with_hint(line, sizeof line, opts);
	warnx_("warning: %s:%ld: %s", r->name, r->line, line);
}

/* A configuration that cannot be built: the end of the stream, or with --keep-going its config
 * record with `error` (lib/graph/opgraph_config). */
static void refuse(const jsonl_reader *r, const og_runtime *rt, const og_serving_request *srv, const cJSON *rec,
		   const char *id, const char *reason, const og_emit_opts *opts)
{
	char err[1024];
	snprintf(err, sizeof err, "%s", reason);
	with_hint(err, sizeof err, opts);
	if (!opts->keep_going)
		jsonl_fail(r, "%s", err);
	cJSON *c = og_refused_config(rt, srv, rec, id, err);
	jsonl_write(c);
	cJSON_Delete(c);
	check_stdout();
}

/* The layout fallbacks of the load fidelity, on rt (static, agg) or on the disagg sides, each
 * said on stderr and kept in notes. */
static void infer_layout(const jsonl_reader *r, const cJSON *runtime, const og_model *m, og_runtime *rt,
			 og_serving_request *srv, const og_emit_opts *opts, layout_notes *notes)
{
	char *note = notes->text[notes->n];
	size_t n = sizeof notes->text[0];
	if (strcmp(rt->mode, "disagg") == 0) {
		og_side *sides[] = { &srv->prefill, &srv->decode };
		const char *names[] = { "prefill", "decode" };
		for (int i = 0; i < 2; i++) {
			char one[160];
			if (og_infer_moe_layout(m, sides[i]->tp, sides[i]->dp, &sides[i]->moe_tp, &sides[i]->moe_ep, one,
						sizeof one)) {
				note = notes->text[notes->n++];
				snprintf(note, n, "fallback: %s side: %s", names[i], one + strlen("fallback: "));
				warn_layout(r, note, opts);
			}
		}
		return;
	}
	bool dp_given = opts->dp_option || cJSON_HasObjectItem(runtime, "dp");
	if ((!dp_given && og_infer_dp(rt, m, note, n)) ||
	    og_infer_moe_layout(m, rt->tp, rt->dp, &rt->moe_tp, &rt->moe_ep, note, n)) {
		notes->n++;
		warn_layout(r, note, opts);
	}
}

/* A request longer than the model's context is priced all the same (the reference does), but
 * the numbers are for a length the model does not serve: say so, once per run (sweeps repeat it). */
static void warn_context(const jsonl_reader *r, const cJSON *rec, const og_runtime *rt)
{
	static bool warned;
	const cJSON *context = cJSON_GetObjectItemCaseSensitive(rec, "context");
	if (warned || !cJSON_IsNumber(context) || context->valuedouble <= 0 ||
	    (double)rt->isl + (double)rt->osl <= context->valuedouble)
		return;
	warned = true;
	warnx_("%s:%ld: warning: isl + osl = %ld tokens is beyond the model's max_position_embeddings (%.0f): "
	       "the estimate is for requests longer than the model serves", r->name, r->line, rt->isl + rt->osl,
	       context->valuedouble);
}

/* Whether the runtime asks for images (anything but the default 0 x 0 pixels, 1 image). */
bool og_has_images(const og_runtime *rt)
{
	return rt->image_height || rt->image_width || rt->num_images != 1;
}

/* Images in a serving mode: disagg prices them in each side's static run, as the reference's
 * disagg workers do; agg leaves them out, as the reference's run_agg does (its static passes carry
 * none), and says so once; the load model does not price them yet. */
int og_check_serving_images(const og_runtime *rt, fidelity fid, char *err, size_t errn)
{
	static bool warned;
	if (fid == FIDELITY_LOAD) {
		return hint_errf(HINT_FIDELITY_REFERENCE, 0, err, errn,
				 "images: the load model does not price the vision encoder yet (disagg prices the "
				 "images in each worker's static run, agg leaves them out as the reference's "
				 "run_agg does)");
	}
	if (strcmp(rt->mode, "agg") == 0 && !warned) {
		warned = true;
		warnx_("warning: agg: images are not priced: the reference's run_agg leaves the vision encoder and "
		       "the image tokens out (disagg prices them)");
	}
	return 0;
}

/* Whether a static mode lists the ops of a phase. static_gen still lists the context ops (with
 * no points: 0 ms), as the reference's breakdown does; static_ctx lists no generation ops, as the
 * reference's does not. */
static bool static_emits(const char *mode, og_phase ph)
{
	return og_mode_runs(mode, ph) || (ph == OG_CONTEXT && !strcmp(mode, "static_gen"));
}

void og_emit(const jsonl_reader *r, const cJSON *rec, const og_runtime *base, const og_serving_request *srv_base,
	     const struct system_spec *sys, const char *id_opt, long ordinal, const og_emit_opts *opts)
{
	og_runtime rt = *base;
	og_serving_request srv = *srv_base;
	og_apply_runtime(r, cJSON_GetObjectItemCaseSensitive(rec, "runtime"), &rt, &srv);
	if (strcmp(rt.system, base->system)) {
		char serr[1024];
		if (!(sys = system_load(rt.system, serr, sizeof serr)))
			jsonl_fail(r, "runtime.system: %s", serr);
	}
	if (rt.image_height < 0 || rt.image_height > 1L << 20 || rt.image_width < 0 || rt.image_width > 1L << 20 ||
	    rt.num_images < 0 || rt.num_images > 1024)
		jsonl_fail(r, "runtime: image_height and image_width must be in [0, 1048576], num_images in [0, 1024]");
	char err[512], id[256];
	if (og_serving_mode(rt.mode) && og_has_images(&rt) && og_check_serving_images(&rt, srv.fid, err, sizeof err)) {
		with_hint(err, sizeof err, opts);
		jsonl_fail(r, "runtime: %s", err);
	}
	const char *rec_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "config_id"));
	if (rec_id)
		snprintf(id, sizeof id, "%s", rec_id);
	else if (id_opt)
		snprintf(id, sizeof id, ordinal == 1 ? "%s" : "%s#%ld", id_opt, ordinal);
	else
		snprintf(id, sizeof id, "c%ld", ordinal);

	og_model model;
	og_config cfg;
	og_graph g;
	mem_usage mem;
	bool bad_model = og_model_from_json(rec, &model, err, sizeof err) != 0;
	layout_notes notes = { .n = 0 };
	if (!bad_model && opts->fallbacks)
		infer_layout(r, cJSON_GetObjectItemCaseSensitive(rec, "runtime"), &model, &rt, &srv, opts, &notes);
	if (og_serving_mode(rt.mode)) {
		/* Serving: the static runs its steps need, under one config record (lib/graph/opgraph_serving). */
		og_serving sv;
		if (bad_model || og_serving_prepare(&rt, &srv, &model, sys, &sv, err, sizeof err)) {
			refuse(r, &rt, &srv, rec, id, err, opts);
			return;
		}
		warn_context(r, rec, &rt);
		cJSON *c = og_config_record(&sv.main, rec, id, &sv.mem);
		add_fallback(c, &notes);
		og_serving_annotate(&sv, c);
		cJSON_AddNumberToObject(c, "op_records", (double)og_serving_count_ops(&sv));
		jsonl_write(c);
		cJSON_Delete(c);
		og_serving_write_ops(stdout, &sv, id);
		og_serving_free(&sv);
		check_stdout();
		return;
	}
	const og_graph *built; /* lib/graph/opgraph_memo's: a sweep repeats layouts */
	if (bad_model || og_resolve(&rt, &model, &cfg, err, sizeof err) ||
	    !(built = og_graph_memo_build(&cfg, err, sizeof err))) {
		refuse(r, &rt, &srv, rec, id, err, opts);
		return;
	}
	g = *built;
	if (memory_for_static(&cfg, &g, sys, &mem, err, sizeof err)) {
		refuse(r, &rt, &srv, rec, id, err, opts);
		return;
	}
	warn_context(r, rec, &rt);
	cJSON *c = og_config_record(&cfg, rec, id, &mem);
	add_fallback(c, &notes);
	/* the mode's phases, told once (by their names: two strcmp a call, for every op) */
	static const og_phase order[] = {OG_ENCODER, OG_CONTEXT, OG_GENERATION};
	bool emits[OG_PHASES] = { false };
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
		emits[order[k]] = static_emits(rt.mode, order[k]);
	size_t nops = 0;
	for (size_t i = 0; i < g.n; i++)
		nops += emits[g.ops[i].phase];
	/* aggregate checks that all of them arrived: a stage that stopped halfway gives no report */
	cJSON_AddNumberToObject(c, "op_records", (double)nops);
	jsonl_write(c);
	cJSON_Delete(c);
	/* A vision encoder (Qwen3-VL) runs before the context phase. */
	for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
		og_phase ph = order[k];
		if (!emits[ph])
			continue;
		for (size_t i = 0; i < g.n; i++) {
			if (g.ops[i].phase != ph)
				continue;
			og_write_opts o = { false, cfg.rt.point_runs, NULL, og_graph_memo_attrs_text(&g, i), NULL, NULL };
			og_op_write_with(stdout, &cfg, &g.ops[i], id, &o);
		}
	}
	check_stdout();
}

void og_emit_stream(jsonl_reader *r, const og_runtime *base, const og_serving_request *srv_base,
		    const struct system_spec *sys, const char *id_opt, const og_emit_opts *opts)
{
	long ordinal = 0;
	/* each record parsed in reused blocks (lib/util/jsonarena; a fifth of a sweep's opgraph
	 * went to cJSON's parse and delete), else by cJSON, which says what is wrong as ever;
	 * nothing keeps a record's tree past it (og_config_head copies the model) */
	static jsonarena arena;
	while (jsonl_next_text(r)) {
		bool in_arena;
		cJSON *rec = jsonarena_parse_line(&arena, r, &in_arena);
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
		if (kind && strcmp(kind, "model"))
			jsonl_write(rec); /* not ours: pass it on */
		else
			og_emit(r, rec, base, srv_base, sys, id_opt, ++ordinal, opts);
		if (!in_arena)
			cJSON_Delete(rec);
	}
	jsonarena_free(&arena);
}
