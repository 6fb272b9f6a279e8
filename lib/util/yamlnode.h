/* yamlnode: a libyaml document's nodes read as YAML 1.1 reads them (plain nulls, booleans and
 * numbers), for the reference's experiments files. */
#ifndef INFERCAST_YAMLNODE_H
#define INFERCAST_YAMLNODE_H

#include <stdbool.h>
#include <yaml.h>

yaml_node_t *yamlnode_at(yaml_document_t *d, int id);
/* A scalar node's text, or NULL for any other node (or none). */
const char *yamlnode_scalar(yaml_node_t *n);
/* An unquoted scalar. */
bool yamlnode_plain_scalar(yaml_node_t *n);
/* The value of key in a mapping node, or NULL. */
yaml_node_t *yamlnode_get(yaml_document_t *d, yaml_node_t *map, const char *key);
/* YAML 1.1 null: ~, null, Null, NULL or empty, unquoted; an absent node too. */
bool yamlnode_is_null(yaml_node_t *n);
/* A plain YAML boolean (true/false, yes/no, on/off in any of YAML 1.1's spellings): 1 or 0; -1
 * for anything else. */
int yamlnode_as_bool(yaml_node_t *n);
/* A plain, finite number. */
bool yamlnode_as_number(yaml_node_t *n, double *v);

#endif
