/* deploy_record: what deploygen says about each pick it wrote (a `deployment` record, JSON Lines,
 * docs/records.md) and the deployment targets named on its command line. */
#ifndef INFERCAST_DEPLOY_RECORD_H
#define INFERCAST_DEPLOY_RECORD_H

#include <cjson/cJSON.h>

#include "deploy_plan.h"
#include "deploy_write.h"

/* The `deployment` record of pick p written into dir (its files, in the order written). */
cJSON *deploy_pick_record(const deploy_ctx *c, const deploy_pick *p, const char *dir, const strlist *files);

/* "k8s,slurm,local" (any of them, comma-separated) as TARGET_* bits; 0 for an unknown name. */
int deploy_parse_targets(const char *list);

#endif
