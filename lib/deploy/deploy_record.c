#include "deploy_record.h"

#include <stdio.h>
#include <string.h>

cJSON *deploy_pick_record(const deploy_ctx *c, const deploy_pick *p, const char *dir, const strlist *files)
{
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "record", "deployment");
	cJSON_AddStringToObject(rec, "mode", c->disagg ? "disagg" : "agg");
	cJSON_AddNumberToObject(rec, "rank", p->rank);
	cJSON_AddStringToObject(rec, "dir", dir);
	cJSON_AddStringToObject(rec, "backend", c->backend_name);
	cJSON_AddStringToObject(rec, "backend_version", deploy_backend_version(c));
	cJSON_AddStringToObject(rec, "dynamo_version", DEPLOY_DYNAMO_VERSION);
	cJSON *w = cJSON_AddObjectToObject(rec, "workers");
	for (int i = 0; i < p->nroles; i++) {
		const deploy_engine *e = &p->roles[i];
		cJSON *r = cJSON_AddObjectToObject(w, deploy_role_name(e->role));
		cJSON_AddNumberToObject(r, "count", (double)e->workers);
		cJSON_AddStringToObject(r, "parallel", e->parallel);
		cJSON_AddNumberToObject(r, "gpus_per_worker", (double)e->gpus);
		cJSON_AddNumberToObject(r, "batch", (double)e->bs);
		cJSON_AddNumberToObject(r, "max_batch_size", (double)e->max_batch_size);
	}
	cJSON_AddNumberToObject(rec, "gpus", (double)p->gpus_used);
	cJSON *f = cJSON_AddArrayToObject(rec, "files");
	for (size_t i = 0; i < files->n; i++)
		cJSON_AddItemToArray(f, cJSON_CreateString(files->v[i]));
	return rec;
}

int deploy_parse_targets(const char *list)
{
	int t = 0;
	char buf[128];
	snprintf(buf, sizeof buf, "%s", list);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "k8s") == 0)
			t |= TARGET_K8S;
		else if (strcmp(tok, "slurm") == 0)
			t |= TARGET_SLURM;
		else if (strcmp(tok, "local") == 0)
			t |= TARGET_LOCAL;
		else
			return 0;
	}
	return t;
}
