/* Fuzz the system-spec reader (lib/perf/systems): any bytes as systems/<name>.json. The reader's
 * own source is included so that its parser (fill_spec) runs on the text directly, without the
 * per-name cache of system_load. It must accept or explain, never crash or leak. */
#include "fuzz_common.h"
#include "../lib/perf/systems.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	cJSON *root = cJSON_Parse(text);
	free(text);
	if (cJSON_IsObject(root)) {
		struct system_spec *s = calloc(1, sizeof *s);
		char err[1024];
		if (s) {
			snprintf(s->name, sizeof s->name, "fuzz");
			snprintf(s->path, sizeof s->path, "fuzz.json");
			if (fill_spec(s, root, err, sizeof err) == 0) {
				double b;
				volatile double sink = system_tc_flops(s, 1) + system_tc_flops(s, 2) + system_tc_flops(s, 4);
				for (int g = 1; g <= 72; g *= 2)
					sink += system_p2p_bw_bytes_per_s(s, g) + (system_nccl_mem_bytes(s, g, &b) ? b : 0);
				(void)sink;
			} else if (strncmp(err, "fuzz.json", 9) != 0) {
				abort(); /* every complaint names the file */
			}
			free(s);
		}
	}
	cJSON_Delete(root);
	return 0;
}
