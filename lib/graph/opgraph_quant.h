/* opgraph_quant: the reference's quantization modes (common.py GEMMQuantMode, MoEQuantMode,
 * FMHAQuantMode, KVCacheQuantMode, CommQuantMode) by name, with the bytes per element each
 * stores and its compute multiplier. opgraph resolves names here; memory and query read the
 * byte sizes from the same table so that every stage agrees on what "fp8" weighs. */
#ifndef INFERCAST_OPGRAPH_QUANT_H
#define INFERCAST_OPGRAPH_QUANT_H

typedef enum quant_kind {
	QUANT_GEMM,
	QUANT_MOE,
	QUANT_FMHA,
	QUANT_KVCACHE,
	QUANT_COMM,
	QUANT_KIND_COUNT
} quant_kind;

typedef struct quant_mode {
	const char *name;
	double memory;   /* bytes per element (nvfp4 is 9/16: one fp8 scale per 16 values) */
	int compute;     /* tensor-core speed-up over bfloat16 (0 where meaningless) */
} quant_mode;

/* The mode called name among kind's modes, or NULL if the reference has no such mode. */
const quant_mode *quant_find(quant_kind kind, const char *name);
/* "gemm", "moe", "fmha", "kvcache", "comm". */
const char *quant_kind_name(quant_kind kind);
/* Writes the valid names of kind, separated by ", ", into buf (for error messages). */
void quant_list_names(quant_kind kind, char *buf, unsigned long n);

#endif
