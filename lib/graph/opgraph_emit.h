/* opgraph_emit: one model record into its config record and op records on stdout (opgraph(1)). */
#ifndef INFERCAST_OPGRAPH_EMIT_H
#define INFERCAST_OPGRAPH_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "fidelity.h"
#include "jsonl.h"
#include "opgraph.h"
#include "opgraph_serving.h"
#include "systems.h"

typedef struct og_emit_opts {
	bool keep_going; /* --keep-going: a refused configuration is a config record with `error` */
	bool fallbacks;  /* load fidelity, not --strict: layout fallbacks (og_infer_dp) */
	bool dp_option;  /* --dp was given */
	/* Appends the filter's words (its options) for the hint of a message (lib/util/hint) to it,
	 * msg n bytes in all; NULL for none. */
	void (*hint)(char *msg, size_t n);
} og_emit_opts;

/* The record rec (line r) with its runtime laid over base and srv_base, on system sys (another
 * when the runtime names one): the config record (id: the record's config_id, else id_opt with
 * #ordinal after the first, else c<ordinal>), then the ops of each phase the mode runs, or the
 * serving runs' ops. A configuration that cannot be built ends the run, or with keep_going is
 * written as refused. */
void og_emit(const jsonl_reader *r, const cJSON *rec, const og_runtime *base, const og_serving_request *srv_base,
	     const struct system_spec *sys, const char *id_opt, long ordinal, const og_emit_opts *opts);

/* Whether the runtime asks for images (anything but the default 0 x 0 pixels, 1 image). */
bool og_has_images(const og_runtime *rt);

/* Images in a serving mode: -1 with a message for the load model (it does not price the vision
 * encoder yet); agg says once on stderr that they are left out, as the reference's run_agg does. */
int og_check_serving_images(const og_runtime *rt, fidelity fid, char *err, size_t errn);

/* The stream of r: each model record emitted (og_emit, numbered from 1), other records passed
 * on as they are. */
void og_emit_stream(jsonl_reader *r, const og_runtime *base, const og_serving_request *srv_base,
		    const struct system_spec *sys, const char *id_opt, const og_emit_opts *opts);

#endif
