/* deploy_price: the per-op data sources of the picks (per_ops_source.json) in one pricing stream.
 * deploygen --price-records writes one model record per pick, its layout as opgraph's runtime
 * and the pick's name as config_id; opgraph | query | aggregate --ops prices them all at once
 * (one table load for every pick), and deploygen --sources reads the reports back, each to the
 * pick its config_id names. */
#ifndef INFERCAST_DEPLOY_PRICE_H
#define INFERCAST_DEPLOY_PRICE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "csvtab.h"
#include "deploy_plan.h"

/* The model record that prices row `row` of the picks t (agg or disagg from c->disagg): a copy
 * of model with config_id "MODE/topRANK" and a runtime of the row's layout columns (bs,
 * ctx_tokens, tp, ...; disagg: (p)bs, (p)tp, ..., (d)workers). NULL when a layout column is
 * missing or not a whole number: such a pick gets no report, so no per_ops_source.json. */
cJSON *deploy_price_record(const deploy_ctx *c, const cJSON *model, const csvtab *t, size_t row, int rank);

/* The reports of --sources: `aggregate --ops` reports, one per pick. */
typedef struct deploy_sources {
	cJSON **v;
	size_t n;
	bool by_id; /* some report's config_id names a pick (agg/top1, disagg/top2, ...) */
} deploy_sources;

/* Read every report of path ("-": stdin). Exits 1 on malformed input. */
void deploy_sources_read(deploy_sources *s, const char *path);
/* The report of the pick of rank `rank` in mode c->disagg, the index-th of its picks file: the
 * report whose config_id is the pick's name when the reports carry such names, else the
 * index-th report (the picks in rank order). NULL when there is none or it holds `error`. */
const cJSON *deploy_sources_find(const deploy_sources *s, const deploy_ctx *c, int rank, size_t index);
void deploy_sources_free(deploy_sources *s);

#endif
