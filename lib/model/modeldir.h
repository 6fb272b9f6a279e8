/* modeldir: where a --model name leads. A path to a model folder or a config file is itself;
 * a Hugging Face id ORG/NAME is the bundled folder ORG--NAME of the models folder, which is,
 * in order: $INFERCAST_MODELS; <dir of the executable>/../models (an in-tree bin/);
 * <dir of the executable>/../share/infercast/models; the installed INFERCAST_SHARE_DIR/models.
 * The bundled configs are the reference's DefaultHFModels that ../shared/models holds. */
#ifndef INFERCAST_MODELDIR_H
#define INFERCAST_MODELDIR_H

#include <stdbool.h>
#include <stddef.h>

/* True when name has the shape of a Hugging Face id: ORG/NAME, plain characters, one slash. */
bool modeldir_is_hf_id(const char *name);

/* The bundled models folder, or NULL with err (an explicit $INFERCAST_MODELS that is not a
 * folder is an error, never a silent fall-back). */
const char *modeldir_root(char *err, size_t errlen);

/* Resolve name into out (n bytes): an existing path is copied as it is; a Hugging Face id
 * becomes its bundled folder (exact, else the one folder whose name matches ignoring case).
 * -1 with err when neither. */
int modeldir_resolve(const char *name, char *out, size_t n, char *err, size_t errlen);

/* Call fn with every bundled model's Hugging Face id, in name order; returns how many, or -1
 * with err when there is no models folder. */
int modeldir_list(void (*fn)(const char *hf_id, void *ctx), void *ctx, char *err, size_t errlen);

#endif
