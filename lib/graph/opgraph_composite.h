/* opgraph_composite: the reference's composite ops (operations/overlap.py) in an op graph.
 * The inner ops are built with the usual og_add_* helpers into scratch graphs, then moved into
 * the composite op's `inner` keys (docs/records.md, lib/query/opquery_composite):
 *   FallbackOp  "primary" (its first op) and "fallback"; attrs {primary_unavailable: false}
 *               (query decides, per record, whether the primary's data is there);
 *               weights: the primary's if positive, else the fallback ops' sum;
 *   OverlapOp   "group_a" and "group_b"; attrs {}; weights: every inner op's sum.
 * Composite ops carry scale factor 1: their inner ops carry their own. */
#ifndef INFERCAST_OPGRAPH_COMPOSITE_H
#define INFERCAST_OPGRAPH_COMPOSITE_H

#include "opgraph.h"

/* Both take ownership of the scratch graphs' ops and leave the graphs empty. */
void og_add_fallback(og_graph *g, og_phase ph, const char *name, og_graph *primary, og_graph *fallback);
void og_add_overlap(og_graph *g, og_phase ph, const char *name, og_graph *group_a, og_graph *group_b);

#endif
