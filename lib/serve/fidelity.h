/* fidelity: which kind of number a run produces.
 *
 *   load       (default) infercast's own model of a deployment under load: agg serving goes
 *              through the closed-loop load model (lib/serve/serving_load), and ops without table
 *              data take a principled fallback marked in their provenance;
 *   reference  aiconfigurator v0.9's numbers, bit for bit (what the goldens hold): run_agg's
 *              arithmetic, refusals where the reference refuses.
 *
 * Chosen by a program's --fidelity option, else $INFERCAST_FIDELITY, else load. The two are
 * different kinds of number, so a bad value is an error, never a silent default. */
#ifndef INFERCAST_FIDELITY_H
#define INFERCAST_FIDELITY_H

#include <stddef.h>

/* zero is reference: a request built without resolving the fidelity keeps the goldens' numbers */
typedef enum fidelity { FIDELITY_REFERENCE, FIDELITY_LOAD } fidelity;

/* Parses "load" or "reference". Returns 0, or -1 for anything else. */
int fidelity_parse(const char *s, fidelity *out);
/* The fidelity from opt (a --fidelity value, or NULL when not given), else $INFERCAST_FIDELITY,
 * else load. Returns 0, or -1 with a message naming where the bad value came from. */
int fidelity_resolve(const char *opt, fidelity *out, char *err, size_t errn);
const char *fidelity_name(fidelity f);

#endif
