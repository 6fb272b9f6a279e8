/* Fuzz hfparse's config reader (lib/model/hfmodel): the input is a config.json, optionally followed
 * by a line "--hf_quant_config--" and an hf_quant_config.json. Every failure must come back
 * as a message (hfmodel never exits); the record, when built, is written out. */
#include "fuzz_common.h"
#include "hfmodel.h"
#include "jsonl.h"

#define SEPARATOR "\n--hf_quant_config--\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	char *quant_text = NULL;
	char *sep = strstr(text, SEPARATOR);
	if (sep) {
		*sep = 0;
		quant_text = sep + strlen(SEPARATOR);
	}
	char err[2048];
	cJSON *config = hfmodel_parse_text(text, err, sizeof err);
	cJSON *quant = quant_text ? hfmodel_parse_text(quant_text, err, sizeof err) : NULL;
	if (config) {
		cJSON *rec = hfmodel_record(config, quant, "fuzz/model", err, sizeof err);
		if (rec) {
			char *out = cJSON_PrintUnformatted(rec);
			if (out)
				fputs(out, stdout);
			free(out);
			cJSON_Delete(rec);
		}
	}
	cJSON_Delete(config);
	cJSON_Delete(quant);
	free(text);
	return 0;
}
