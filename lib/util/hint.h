/* hint: what the user can change to get past a library error, as a code beside the message.
 * lib/ messages say what is wrong and never name an option: the same error reaches hfparse,
 * opgraph, query and the pipelines, each with its own options. A module that knows a way out
 * records a hint for its message; the filter that prints the message adds its own words for it
 * (its option names) at the end. Callers may put prefixes in front of a message ("prefill step:
 * ..."), never text after it, so a hint belongs to the message that ends the text printed. */
#ifndef INFERCAST_HINT_H
#define INFERCAST_HINT_H

#include <stddef.h>

typedef enum hint_code {
	HINT_NONE,
	HINT_HYBRID_MODE,      /* a SILICON refusal: the hybrid database mode estimates what the tables lack */
	HINT_MOE_LAYOUT,       /* an MoE model without moe_tp and moe_ep: give either, or both */
	HINT_MOE_LAYOUT_BOTH,  /* a family whose MoE layout is never inferred: give both */
	HINT_MAX_NUM_TOKENS,   /* the engine's tokens per iteration, to at least arg */
	HINT_FIDELITY_REFERENCE, /* the reference fidelity prices it */
	HINT_STRICT,           /* a layout fallback: the strict mode (or the reference fidelity) refuses it */
	HINT_ENABLE_EPLB,      /* expert slots beyond the experts need EPLB */
	HINT_WIDEEP_SLOTS,     /* the expert-slot count applies to TRT-LLM's wide-EP only */
	HINT_DECODE_SYSTEM,    /* the message is about the decode workers' system */
	HINT_LIST_MODELS,      /* the bundled Hugging Face ids are listed */
	HINT_IGNORE_QUANT,     /* an unknown checkpoint quantization: read it unquantized, give the modes */
} hint_code;

/* diag_errf (lib/util/diag) that records hint h (with a number, arg, for its words) for the
 * message written. Returns -1. */
int hint_errf(hint_code h, long arg, char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Records hint h for msg, a message already written (by snprintf or a module's own helper). */
void hint_note(hint_code h, long arg, const char *msg);
/* The hint recorded for the message that ends msg (*arg its number; arg may be NULL), else
 * HINT_NONE: a later message, or one that recovered from the hinted error, has none. */
hint_code hint_of(const char *msg, long *arg);
/* Appends printf text to msg (n bytes in all), cut to fit. */
void hint_cat(char *msg, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
