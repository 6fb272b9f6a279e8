/* exp_experiment: one experiment of the reference's `cli exp` YAML as the options of
 * pipelines/default that run it (expyaml(1)). Refusals end the run through die(). */
#ifndef INFERCAST_EXP_EXPERIMENT_H
#define INFERCAST_EXP_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include <yaml.h>

/* An experiment's options: the command-line words, and the same as a record. */
typedef struct args {
	char buf[4096];
	size_t len;
	cJSON *rec;
} args;

/* Whether s can be a word of a command line as it is (letters, digits and ._:@+=/,-). */
bool exp_plain_token(const char *s);

/* Experiment name (node e of d) into a and its record, or false when the reference skips it (with
 * its warning). data_dir: where to look for the backend versions (NULL: the default); file names
 * the experiments file in messages. */
bool exp_experiment(yaml_document_t *d, yaml_node_t *e, const char *name, const char *data_dir, const char *file,
		    args *a);

#endif
