/* opgraph_runtime: a model record's `runtime` (docs/records.md) laid over opgraph's options. */
#ifndef INFERCAST_OPGRAPH_RUNTIME_H
#define INFERCAST_OPGRAPH_RUNTIME_H

#include <cjson/cJSON.h>

#include "jsonl.h"
#include "opgraph.h"
#include "opgraph_serving.h"

/* "0.85,0.3,0,0,0": the MTP acceptance rate of each draft token into rates (OG_MAX_NEXTN of
 * them; missing ones are 0). -1, rates untouched, when it is not such a list. */
int og_parse_accept_rates(const char *list, double *rates);

/* Each key of runtime (may be NULL) into rt or srv; a key that is not a runtime key, or a value of
 * the wrong type, ends the run with the record's line (jsonl_fail). Strings point into runtime. */
void og_apply_runtime(const jsonl_reader *r, const cJSON *runtime, og_runtime *rt, og_serving_request *srv);

#endif
