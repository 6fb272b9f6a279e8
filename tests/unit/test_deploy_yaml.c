/* test_deploy_yaml: strings a YAML 1.1 or 1.2 reader would type come out quoted, everything else
 * plain; typed values plain; blocks literal; --generator-set values typed by their key. */
#include <stdlib.h>

#include "deploy_plan.h"
#include "deploy_yaml.h"
#include "unit.h"

/* The document written, as text. */
static char *emit(ynode *doc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	char err[256];
	CHECK(yn_write(f, "test", NULL, &doc, 1, err, sizeof err) == 0);
	fclose(f);
	yn_free(doc);
	return text;
}

static void scalar(const char *s, const char *want)
{
	ynode *m = yn_map();
	yn_set(m, "k", yn_str(s));
	char *got = emit(m);
	CHECK_STR(got, want);
	free(got);
}

int main(void)
{
	static const char *const typed[] = {
		"", "y", "Y", "n", "yes", "No", "ON", "off", "true", "False", "null", "Null", "~", "<<", "=",
		"1", "-1", "+2", "1.10", "1.", ".5", "1e3", "1E-3", "0x1F", "0o17", "017", "0b101", "1_000",
		"12:30", "1:30.5", ".inf", "-.Inf", ".NaN", "2026-05-01", "2026-5-1T10:00:00Z",
	};
	for (size_t i = 0; i < sizeof typed / sizeof *typed; i++)
		CHECK(!yaml_plain_is_string(typed[i]));
	static const char *const plain[] = {
		"dynamo", "on-call", "yesno", "1.3.0rc14", "tp4pp1dp1etp1ep1", "nvcr.io/nvidia/ai-dynamo/vllm-runtime:1.2.0",
		"Qwen/Qwen3-32B", "auto", "fp8_e4m3", "inf", "nan", "true-ish", "10.0.0.0/8",
	};
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		CHECK(yaml_plain_is_string(plain[i]));

	scalar("on", "k: \"on\"\n");
	scalar("1.10", "k: \"1.10\"\n");
	scalar("", "k: \"\"\n");
	scalar("dynamo", "k: dynamo\n");
	scalar("a: b", "k: 'a: b'\n");
	scalar("{\"kv_connector\":\"NixlConnector\"}", "k: '{\"kv_connector\":\"NixlConnector\"}'\n");

	ynode *m = yn_map();
	yn_set(m, "i", yn_int(8));
	yn_set(m, "f", yn_num(0.8));
	yn_set(m, "w", yn_num(2000));
	yn_set(m, "b", yn_bool(false));
	yn_set(m, "z", yn_null());
	ynode *s = yn_set(m, "l", yn_flow_seq());
	yn_push(s, yn_int(1));
	yn_push(s, yn_int(2));
	yn_set(m, "e", yn_seq());
	yn_set(m, "script", yn_block("set -e\necho hi\n"));
	yn_set(m, "i", yn_int(9)); /* replaces, keeps the place */
	char *got = emit(m);
	CHECK_STR(got, "i: 9\nf: 0.8\nw: 2000.0\nb: false\nz: null\nl: [1, 2]\ne: []\nscript: |\n  set -e\n  echo hi\n");
	free(got);

	ynode *root = yn_map();
	CHECK(yn_map_at(root, "A.B") != NULL);
	yn_set(yn_map_at(root, "A"), "v", yn_int(1));
	CHECK(yn_map_at(root, "A.v") == NULL); /* a value, not a group */
	yn_free(root);

	/* --generator-set: typed by the key */
	char err[256];
	ynode *o = yn_map();
	CHECK(deploy_override(o, "K8sConfig.k8s_namespace=on", err, sizeof err) == 0);
	CHECK(deploy_override(o, "ServiceConfig.port=9000", err, sizeof err) == 0);
	CHECK(deploy_override(o, "ServiceConfig.include_frontend=false", err, sizeof err) == 0);
	CHECK(deploy_override(o, "SflowConfig.slurm_account=acme", err, sizeof err) == 0);
	CHECK(deploy_override(o, "Workers.decode.kv_cache_free_gpu_memory_fraction=0.85", err, sizeof err) == 0);
	got = emit(o);
	CHECK_STR(got, "K8sConfig:\n  k8s_namespace: \"on\"\nServiceConfig:\n  port: 9000\n  include_frontend: false\n"
		       "SlurmConfig:\n  slurm_account: acme\nWorkers:\n  decode:\n    kv_cache_free_gpu_memory_fraction: 0.85\n");
	free(got);
	o = yn_map();
	CHECK(deploy_override(o, "ServiceConfig.port=80x", err, sizeof err) == -1);
	CHECK_STR(err, "--generator-set: ServiceConfig.port: '80x' is not a whole number");
	CHECK(deploy_override(o, "Workers.mixed.max_batch_size=1", err, sizeof err) == -1);
	CHECK_STR(err, "--generator-set: unknown key 'Workers.mixed.max_batch_size' (deploygen --help-keys lists them)");
	CHECK(deploy_override(o, "=1", err, sizeof err) == -1);
	CHECK(deploy_key_type_of("Workers.agg.max_batch_size") == KEY_INT);
	CHECK(deploy_key_type_of("K8sConfig.k8s_image") == KEY_STR);
	yn_free(o);
	UNIT_DONE();
}
