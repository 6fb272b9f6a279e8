/* hfmodel: turn a HuggingFace config.json (plus an optional hf_quant_config.json) into the model
 * record of docs/records.md, the way the reference's get_model_config_from_model_path and its
 * checkpoint quantization inference do. Every failure comes back as a message, never an exit.
 * lib/model/hfmodel.c builds the record (its parts in hf_extra, hf_quant, hf_checks); lib/model/hfmodel_load.c
 * reads the files. */
#ifndef INFERCAST_HFMODEL_H
#define INFERCAST_HFMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* Parse JSON text as the reference reads checkpoint files: bare Infinity, -Infinity and NaN
 * (which some configs carry) read as null. NULL with "not valid JSON ..." in err on failure. */
cJSON *hfmodel_parse_text(const char *text, char *err, size_t errlen);

/* Build the model record from a parsed config.json. config is changed in place the way the
 * reference attaches quantization fields to its raw config; hf_quant may be NULL. model_path is
 * stored as given. NULL with a message naming the field in err on failure. Caller frees. */
cJSON *hfmodel_record(cJSON *config, const cJSON *hf_quant, const char *model_path, char *err, size_t errlen);

/* From now on, read checkpoints as unquantized (bfloat16): quantization_config, hf_quant_config
 * and the top-level quant fields are left out. For a method infercast cannot read (AWQ, GPTQ),
 * priced then with opgraph's quant overrides. */
void hfmodel_ignore_checkpoint_quant(bool on);

/* Load a model folder (config.json, maybe hf_quant_config.json) or a config file. A file named
 * config.json is read like its folder. NULL with "FILE: what" in err on failure. Caller frees. */
cJSON *hfmodel_load(const char *path, char *err, size_t errlen);

/* The model path the reference would report for path: a folder (or folder/config.json) named
 * org--name gives "org/name"; anything else is the path itself. */
void hfmodel_model_path(const char *path, char *out, size_t n);

#endif
