/* Unit tests of lib/util/yamlnode: YAML 1.1 nulls, booleans and numbers as the reference's experiments
 * files are read (plain scalars only: a quoted "null" or "3" is text). */
#include "yamlnode.h"
#include "unit.h"

#include <string.h>

int main(void)
{
	static const char text[] = "a: ~\nb:\nc: Null\nd: 'null'\ne: yes\nf: OFF\ng: maybe\nh: \"true\"\n"
				   "i: 1e3\nj: .inf\nk: '3'\nl: 12x\nm: [1]\n";
	yaml_parser_t p;
	yaml_document_t d;
	CHECK(yaml_parser_initialize(&p));
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	CHECK(yaml_parser_load(&p, &d));
	yaml_node_t *root = yaml_document_get_root_node(&d);
	CHECK(yamlnode_is_null(yamlnode_get(&d, root, "a")));
	CHECK(yamlnode_is_null(yamlnode_get(&d, root, "b")));
	CHECK(yamlnode_is_null(yamlnode_get(&d, root, "c")));
	CHECK(yamlnode_is_null(yamlnode_get(&d, root, "absent")));
	CHECK(!yamlnode_is_null(yamlnode_get(&d, root, "d")));
	CHECK_STR(yamlnode_scalar(yamlnode_get(&d, root, "d")), "null");
	CHECK(yamlnode_as_bool(yamlnode_get(&d, root, "e")) == 1);
	CHECK(yamlnode_as_bool(yamlnode_get(&d, root, "f")) == 0);
	CHECK(yamlnode_as_bool(yamlnode_get(&d, root, "g")) == -1);
	CHECK(yamlnode_as_bool(yamlnode_get(&d, root, "h")) == -1);
	double v = 0;
	CHECK(yamlnode_as_number(yamlnode_get(&d, root, "i"), &v) && v == 1000);
	CHECK(!yamlnode_as_number(yamlnode_get(&d, root, "j"), &v));
	CHECK(!yamlnode_as_number(yamlnode_get(&d, root, "k"), &v));
	CHECK(!yamlnode_as_number(yamlnode_get(&d, root, "l"), &v));
	/* a sequence is no scalar; get on a non-mapping finds nothing */
	yaml_node_t *m = yamlnode_get(&d, root, "m");
	CHECK(m && yamlnode_scalar(m) == NULL);
	CHECK(yamlnode_get(&d, m, "x") == NULL);
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	UNIT_DONE();
}
