/* test_op_fields: aggregate's one-pass scan of an op record gives the fields op_fields_of_json
 * reads from the record's tree (first of repeated keys, null as absent, wrong types flagged), says
 * config at a config record's first "record", and leaves escapes and bad text to the tree. */
#include <stdbool.h>
#include <stdlib.h>

#include "op_fields.h"
#include "unit.h"

static op_scan_buf buf;

static bool same(const op_fields *a, const op_fields *b)
{
	for (int k = 0; k < OPF_STRINGS; k++)
		if (!a->str[k] != !b->str[k] || (a->str[k] && strcmp(a->str[k], b->str[k])))
			return false;
	return a->wrong == b->wrong && a->has_latency == b->has_latency && a->has_scale == b->has_scale &&
	       (!a->has_latency || a->latency_ms == b->latency_ms) && a->energy_wms == b->energy_wms &&
	       (!a->has_scale || a->scale_factor == b->scale_factor);
}

/* text scanned as want says; an op's fields as cJSON's tree of it gives them */
static void scans(const char *text, enum op_scan_result want)
{
	op_fields f;
	enum op_scan_result got = op_fields_scan(&buf, text, strlen(text), &f);
	if (got != want)
		fprintf(stderr, "%s: scanned as %d, not %d\n", text, got, want);
	CHECK(got == want);
	if (got != OP_SCAN_OP)
		return;
	cJSON *tree = cJSON_Parse(text);
	op_fields w;
	op_fields_of_json(tree, &w);
	CHECK(same(&f, &w));
	cJSON_Delete(tree);
}

int main(void)
{
	scans("{\"record\":\"op\",\"config_id\":\"agg/tp1pp1dp1etp1ep1/b1\",\"phase\":\"context\",\"name\":\"context_qkv_gemm\","
	      "\"op_type\":\"GEMM\",\"scale_factor\":64,\"step\":\"load_prefill\",\"latency_ms\":33.817370755064722,"
	      "\"energy_wms\":0,\"source\":\"silicon\",\"detail\":\"interpolated\"}\n", OP_SCAN_OP);
	/* the first of a repeated key; null as absent; the other kinds of value flagged */
	scans("{\"record\":\"op\",\"name\":\"a\",\"name\":\"b\",\"step\":null,\"source\":1,\"energy_wms\":\"x\","
	      "\"latency_ms\":\"1\",\"scale_factor\":true,\"config_id\":2,\"phase\":true,\"error\":false}", OP_SCAN_OP);
	scans("{\"record\":\"op\",\"energy_wms\":null,\"latency_ms\":0.5,\"latency_ms\":\"x\",\"attrs\":{\"name\":\"z\"}}",
	      OP_SCAN_OP);
	scans("{\"name\":\"a\",\"record\":\"op\",\"record\":\"config\"}", OP_SCAN_OP);
	scans("{\"record\":\"config\",\"config_id\":\"c\",\"model\":{\"record\":\"model\"}}", OP_SCAN_CONFIG);
	scans("{\"record\":\"config\", this is the config parse's to refuse", OP_SCAN_CONFIG);
	scans("{\"record\":\"report\",\"name\":\"a\"}", OP_SCAN_OTHER);
	scans("{\"record\":1,\"name\":\"a\"}", OP_SCAN_OTHER);
	scans("{\"name\":\"a\"}", OP_SCAN_OTHER);
	scans("{}", OP_SCAN_OTHER);
	/* left to the tree: escapes in what it reads, numbers it would not keep, bad text */
	scans("{\"record\":\"op\",\"name\":\"a\\\"b\"}", OP_SCAN_REFUSED);
	scans("{\"record\":\"o\\u0070\"}", OP_SCAN_REFUSED);
	scans("{\"record\":\"op\",\"n\\u0061me\":\"a\"}", OP_SCAN_REFUSED);
	scans("{\"record\":\"op\",\"latency_ms\":1e400}", OP_SCAN_REFUSED);
	scans("{\"record\":\"op\",\"name\":\"a\",\"name\":1e400}", OP_SCAN_REFUSED);
	scans("{\"record\":\"op\",\"scale_factor\":{\"a\":[5e560]}}", OP_SCAN_REFUSED); /* (fuzz_jsonarena found it) */
	scans("{\"record\":\"op\",\"name\":[]}", OP_SCAN_REFUSED);
	scans("{\"record\":\"op\",\"name\":\"a\"", OP_SCAN_REFUSED);
	scans("{\"record\":\"op\"} x", OP_SCAN_REFUSED);
	scans("[1]", OP_SCAN_REFUSED);
	/* an escape in a member it does not read is only checked */
	scans("{\"record\":\"op\",\"detail\":\"a\\nb\",\"x\":1e400}", OP_SCAN_OP);
	op_scan_buf_free(&buf);
	UNIT_DONE();
}
