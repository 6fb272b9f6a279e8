#include "opquery_vit.h"

#include <string.h>

bool opquery_vit_zero_image(const cJSON *op, const opq_point *pt)
{
	if (pt->x != 0) /* every point but a few: no need to look the phase up */
		return false;
	const cJSON *phase = cJSON_GetObjectItemCaseSensitive(op, "phase");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(op, "attrs");
	return cJSON_IsString(phase) && strcmp(phase->valuestring, "encoder") == 0 &&
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(attrs, "zero_image_fallback"));
}

int opquery_vit_point(perfdb *db, const char *op_type, const cJSON *attrs, double scale_factor, const opq_point *pt,
		      perf_result *out, char *err, size_t errlen)
{
	perf_mode mode = perfdb_mode(db);
	if (mode != PERF_SILICON)
		return opquery_point(db, op_type, attrs, scale_factor, pt, out, err, errlen);
	/* the mode is part of every memo key, so switching it for one point mixes no answers */
	perfdb_set_mode(db, PERF_HYBRID);
	int st = opquery_point(db, op_type, attrs, scale_factor, pt, out, err, errlen);
	perfdb_set_mode(db, mode);
	return st;
}
