/* deploy_write: the files of one pick (engine configuration, launch scripts, Kubernetes
 * manifests, benchmark, SLURM flow) and the experiment file of a mode. What each file holds and
 * for which target: docs/deploy.md. */
#ifndef INFERCAST_DEPLOY_WRITE_H
#define INFERCAST_DEPLOY_WRITE_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "deploy_plan.h"

/* A growing list of strings (argument vectors, written file names). */
typedef struct strlist {
	char **v;
	size_t n, cap;
} strlist;
void strlist_add(strlist *l, const char *s);
void strlist_addf(strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strlist_free(strlist *l);

/* The backend arguments of a role (vLLM, SGLang: engine flags; TRT-LLM: none, its options are
 * the engine YAML), without the model, the served name and the role's disaggregation flags. */
void deploy_engine_args(const deploy_ctx *c, const deploy_pick *p, const deploy_engine *e, strlist *out);
/* The whole worker command of a role: python3 -m dynamo.<backend> and every argument.
 * engine_file: the path the TRT-LLM engine YAML has where the worker runs. bootstrap_port:
 * SGLang prefill's --disaggregation-bootstrap-port. */
void deploy_worker_argv(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const deploy_engine *e,
			const char *engine_file, const char *model_path, long bootstrap_port, strlist *out);

/* Write every file of pick p into dir (which must exist) but its per-op data sources; their names
 * are added to files. */
int deploy_write_pick(const deploy_ctx *c, const deploy_pick *p, const char *dir, strlist *files, char *err,
		      size_t errlen);
/* The pick's per-op data sources (per_ops_source.json) from its `aggregate --ops` report, into
 * dir, after its other files: written apart so that the files that do not need the report are
 * written while the picks are priced. Nothing when the report has no ops. */
int deploy_write_sources(const cJSON *report, const char *dir, strlist *files, char *err, size_t errlen);
/* exp_config.yaml of a mode: the reference's experiment format, re-running this search. */
int deploy_write_exp(const deploy_ctx *c, const char *version, const char *path, char *err, size_t errlen);

#endif
