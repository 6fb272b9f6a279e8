/* yamlnode: reading a libyaml document's nodes as YAML 1.1 reads them (plain nulls, booleans and
 * numbers), for the reference's experiments files. */
#include "yamlnode.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

yaml_node_t *yamlnode_at(yaml_document_t *d, int id)
{
	return yaml_document_get_node(d, id);
}

const char *yamlnode_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

bool yamlnode_plain_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* The value of key in a mapping node, or NULL. */
yaml_node_t *yamlnode_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yamlnode_scalar(yamlnode_at(d, p->key));
		if (k && !strcmp(k, key))
			return yamlnode_at(d, p->value);
	}
	return NULL;
}

/* YAML 1.1 null: ~, null, Null, NULL or empty, unquoted. */
bool yamlnode_is_null(yaml_node_t *n)
{
	if (!n)
		return true;
	const char *s = yamlnode_scalar(n);
	return yamlnode_plain_scalar(n) && s && (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"));
}

/* A plain YAML boolean (true/false, yes/no, on/off in any of YAML 1.1's spellings). */
int yamlnode_as_bool(yaml_node_t *n)
{
	const char *s = yamlnode_scalar(n);
	if (!yamlnode_plain_scalar(n) || !s)
		return -1;
	static const char *const t[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const f[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		if (!strcmp(s, t[i]))
			return 1;
		if (!strcmp(s, f[i]))
			return 0;
	}
	return -1;
}

bool yamlnode_as_number(yaml_node_t *n, double *v)
{
	const char *s = yamlnode_scalar(n);
	if (!yamlnode_plain_scalar(n) || !s || !*s)
		return false;
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return !*end && !errno && isfinite(*v);
}
