/* query_price: one op record priced with its database (lib/query/opquery), the load fidelity's
 * fallbacks (lib/query/opquery_fallback) announced once each on stderr, the result spliced into
 * the line as read and remembered (lib/query/optext) or set in the record. */
#ifndef INFERCAST_QUERY_PRICE_H
#define INFERCAST_QUERY_PRICE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "jsonl.h"
#include "optext.h"
#include "perfdb.h"

typedef struct query_pricer {
	bool keep_going; /* a refused op gets `error` instead of ending the stream */
	bool fallbacks;  /* load fidelity and not --strict (lib/query/opquery_fallback) */
	bool slim;       /* op records written without attrs and points (lib/query/optext_slim);
			  * the memo then keeps the slim text after the config id, not the tail alone */
	/* the filter's own words (lib/ names no option): after a fallback's warning, and after a
	 * refusal whose hint is HINT_HYBRID_MODE (lib/util/hint); NULL or "" for none */
	const char *fallback_words, *hybrid_words;
	optext_memo memo; /* priced tails of records seen before */
	char **warned;   /* the fallbacks already announced on stderr, once each */
	size_t nwarned;
	char *slim_buf;  /* the slim text being written */
	size_t slim_cap;
} query_pricer;

typedef enum priced {
	PRICED_WRITTEN, /* the line as read with the fields spliced in */
	PRICED_IN_REC,  /* the fields set in the record, for the caller to write */
	PRICED_AGAIN,   /* (in_arena) a record that needs more than a splice: parse it with cJSON */
} priced;

/* Prices the op record rec of line r with db (cfg: its configuration as lib/query/query_configs
 * remembers it, NULL if none; the fallbacks read its checkpoint modes): the line as read with the fields spliced in (when it had
 * none of them), remembered for repeats, else the record changed. A record parsed in the arena
 * (in_arena) cannot be changed: anything but a splice is left to a second pass on cJSON's tree,
 * which prices it again the same way (the look-ups are deterministic, a fallback is announced
 * once). A refusal exits 1 naming the line, unless st->keep_going. */
priced query_price(query_pricer *st, const jsonl_reader *r, cJSON *rec, perfdb *db, const cJSON *cfg,
		   bool in_arena);

void query_pricer_free(query_pricer *st);

#endif
