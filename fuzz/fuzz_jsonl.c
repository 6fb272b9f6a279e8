/* Fuzz the JSON Lines reader (lib/util/jsonl): any bytes as a record stream, every record read
 * through the typed getters and written back. A bad line must end in jsonl_fail (exit 1). */
#include "fuzz_common.h"
#include "diag.h"
#include "jsonl.h"

static jsonl_reader reader;
static cJSON *current;

static void use_record(const cJSON *rec)
{
	static const char *const keys[] = { "record", "x", "y", "batch", "isl", "query", "runtime", "points", "name" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, keys[i]);
		if (!v || cJSON_IsNull(v))
			continue;
		if (cJSON_IsNumber(v)) {
			char buf[64];
			json_format_double(buf, sizeof buf, jsonl_get_num(&reader, rec, keys[i]));
			(void)jsonl_opt_int(&reader, rec, keys[i], 0);
		} else if (cJSON_IsString(v)) {
			(void)jsonl_get_str(&reader, rec, keys[i]);
		} else if (cJSON_IsBool(v)) {
			(void)jsonl_opt_bool(&reader, rec, keys[i], false);
		} else if (cJSON_IsObject(v)) {
			(void)jsonl_get_obj(&reader, rec, keys[i]);
		} else if (cJSON_IsArray(v)) {
			(void)jsonl_get_arr(&reader, rec, keys[i]);
		}
	}
	jsonl_write(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	diag_set_progname("fuzz_jsonl");
	const char *path = fuzz_file(data, size, ".jsonl");
	fuzz_armed = 1;
	if (setjmp(fuzz_jmp) == 0) {
		jsonl_open(&reader, path);
		while ((current = jsonl_next(&reader))) {
			use_record(current);
			cJSON_Delete(current);
			current = NULL;
		}
		fuzz_armed = 0;
	}
	/* After a failure (exit jumped here) free what the run held. */
	cJSON_Delete(current);
	current = NULL;
	jsonl_close(&reader);
	fflush(stdout);
	clearerr(stdout);
	return 0;
}
