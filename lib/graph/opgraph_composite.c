#include "opgraph_composite.h"

#include <string.h>

/* The ops of scratch as inner op objects {name, op_type, scale_factor, attrs}; adds each op's
 * get_weights() (weights × scale factor) to *weights in order, then empties scratch. */
static cJSON *move_ops(og_graph *scratch, double *weights)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < scratch->n; i++) {
		og_op *op = &scratch->ops[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", op->name);
		cJSON_AddStringToObject(o, "op_type", op->op_type);
		cJSON_AddNumberToObject(o, "scale_factor", op->scale_factor);
		cJSON_AddItemToObject(o, "attrs", op->attrs);
		op->attrs = NULL;
		cJSON_AddItemToArray(arr, o);
		*weights += op->weights * op->scale_factor;
	}
	og_graph_free(scratch);
	return arr;
}

void og_add_fallback(og_graph *g, og_phase ph, const char *name, og_graph *primary, og_graph *fallback)
{
	double wp = 0.0, wf = 0.0;
	cJSON *prim = move_ops(primary, &wp);
	cJSON *fb = move_ops(fallback, &wf);
	og_op *op = og_push_op(g, ph, name, "FallbackOp", 1.0, wp > 0 ? wp : wf);
	cJSON_AddBoolToObject(op->attrs, "primary_unavailable", false);
	op->inner = cJSON_CreateObject();
	cJSON *first = cJSON_DetachItemFromArray(prim, 0);
	cJSON_AddItemToObject(op->inner, "primary", first ? first : cJSON_CreateNull());
	cJSON_Delete(prim);
	cJSON_AddItemToObject(op->inner, "fallback", fb);
}

void og_add_overlap(og_graph *g, og_phase ph, const char *name, og_graph *group_a, og_graph *group_b)
{
	double w = 0.0;
	cJSON *a = move_ops(group_a, &w);
	cJSON *b = move_ops(group_b, &w);
	og_op *op = og_push_op(g, ph, name, "OverlapOp", 1.0, w);
	op->inner = cJSON_CreateObject();
	cJSON_AddItemToObject(op->inner, "group_a", a);
	cJSON_AddItemToObject(op->inner, "group_b", b);
}
