/* Unit tests for lib/query/opattrs (the shared op attrs reader) and lib/perf/table_targets' lists. */
#include "opattrs.h"
#include "table_targets.h"
#include "unit.h"

static opattrs reader(const cJSON *attrs, char *err, size_t errlen)
{
	return (opattrs){ .attrs = attrs, .op_type = "X", .err = err, .errlen = errlen };
}

int main(void)
{
	cJSON *attrs = cJSON_Parse("{\"n\": 4, \"f\": 1.5, \"b\": true, \"s\": \"fp8\", \"z\": null, \"q\": \"nope\"}");
	char err[256] = "";

	/* the default reader: null is absent, "attr 'KEY' is missing" */
	opattrs a = reader(attrs, err, sizeof err);
	CHECK(opattrs_int(&a, "n", 0, true) == 4);
	CHECK(opattrs_int(&a, "z", 7, false) == 7);
	CHECK(opattrs_bool(&a, "b", false, true));
	CHECK(opattrs_bool(&a, "absent", true, false));
	CHECK_STR(opattrs_str(&a, "s", true), "fp8");
	CHECK(opattrs_quant(&a, "s", QUANT_GEMM, true) == quant_find(QUANT_GEMM, "fp8"));
	CHECK(!a.bad);
	CHECK(opattrs_int(&a, "z", 3, true) == 3);
	CHECK(a.bad);
	CHECK_STR(err, "X op: attr 'z' is missing");
	CHECK(opattrs_int(&a, "f", 0, true) == 0);
	CHECK_STR(err, "X op: attr 'z' is missing"); /* the first complaint stays */

	a = reader(attrs, err, sizeof err);
	opattrs_int(&a, "f", 0, true);
	CHECK_STR(err, "X op: attr 'f' must be an integer");
	a = reader(attrs, err, sizeof err);
	opattrs_bool(&a, "n", false, false);
	CHECK_STR(err, "X op: attr 'n' must be true or false");
	a = reader(attrs, err, sizeof err);
	opattrs_str(&a, "n", false);
	CHECK_STR(err, "X op: attr 'n' must be a string");

	/* null as a wrong-typed value */
	a = reader(attrs, err, sizeof err);
	a.null_is_wrong_type = true;
	opattrs_int(&a, "z", 0, true);
	CHECK_STR(err, "X op: attr 'z' must be an integer");
	a = reader(attrs, err, sizeof err);
	a.null_is_wrong_type = true;
	opattrs_bool(&a, "absent", false, true);
	CHECK_STR(err, "X op: attr 'absent' is missing");

	/* "attrs lack" wording */
	a = reader(attrs, err, sizeof err);
	a.says_lack = true;
	CHECK(opattrs_str(&a, "z", true) == NULL);
	CHECK_STR(err, "X op: attrs lack 'z'");

	/* the three ways of naming an unknown quant mode */
	a = reader(attrs, err, sizeof err);
	a.unknown_quant = OPATTRS_QUANT_PLAIN;
	CHECK(opattrs_quant(&a, "q", QUANT_GEMM, true) == NULL);
	CHECK_STR(err, "X op: attr 'q' names an unknown quant mode");
	a = reader(attrs, err, sizeof err);
	a.unknown_quant = OPATTRS_QUANT_NAME_KIND;
	opattrs_quant(&a, "q", QUANT_MOE, true);
	char want[256];
	snprintf(want, sizeof want, "X op: attr 'q' 'nope' is not a %s quant mode", quant_kind_name(QUANT_MOE));
	CHECK_STR(err, want);
	a = reader(attrs, err, sizeof err);
	a.unknown_quant = OPATTRS_QUANT_LIST_KNOWN;
	opattrs_quant(&a, "q", QUANT_MOE, true);
	CHECK(strncmp(err, "X op: unknown q 'nope' (known: ", 31) == 0);

	/* the shared target lists */
	const double *seq = table_ctx_seq_targets();
	CHECK(seq[0] == 1 && seq[1] == 16 && seq[8] == 2048 && seq[9] == 4096);
	CHECK(seq[TABLE_CTX_SEQ_TARGETS - 1] == 524288 + 65536 * 8);
	CHECK(table_ctx_batch_targets[9] == 384 && table_gen_batch_targets[TABLE_GEN_BATCH_TARGETS - 1] == 8192);
	CHECK(table_gen_len_targets[TABLE_GEN_LEN_TARGETS - 1] == 2097152.0 * 8);

	cJSON_Delete(attrs);
	UNIT_DONE();
}
