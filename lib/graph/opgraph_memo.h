/* opgraph_memo: op graphs remembered across a stream's configurations. A sweep prices hundreds
 * of configurations that share a few layouts, and a family builder reads none of what tells
 * them apart (mode, batch, isl, osl, prefix: those only shape the query points, written from each
 * configuration's own og_config). So the graph of a layout is built once, and the text of each
 * op's attributes printed once, then reused. */
#ifndef INFERCAST_OPGRAPH_MEMO_H
#define INFERCAST_OPGRAPH_MEMO_H

#include <stddef.h>

#include "opgraph.h"

/* The graph og_build gives for cfg, built on first use. The graph belongs to the memo: copy the
 * og_graph struct, never free it; it stays valid until 15 more graphs are built after it or
 * og_graph_memo_clear. Returns NULL with a message in err when the
 * build fails (nothing is remembered then). */
const og_graph *og_graph_memo_build(const og_config *cfg, char *err, size_t errn);

/* The text jsonl_print gives for op i's attrs, then for each member of its inner object a
 * comma, the member's key as a JSON string and its value (what an op record holds between
 * `"attrs":` and `,"points"`), when g's ops are a memo graph's; else NULL. */
const char *og_graph_memo_attrs_text(const og_graph *g, size_t i);

/* Frees every remembered graph. */
void og_graph_memo_clear(void);

#endif
