/* jget: test helper. Reads one JSON value per line from stdin and prints the value at a
 * dotted path (array indices as numbers), one per input line: numbers with 17 digits,
 * strings raw, objects/arrays compact. A missing path prints "MISSING" and exits 1. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: jget PATH < jsonl\n");
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (getline(&line, &cap, stdin) > 0) {
		cJSON *root = cJSON_Parse(line);
		if (!root) {
			fprintf(stderr, "jget: not JSON: %s", line);
			return 1;
		}
		const cJSON *v = root;
		char *path = strdup(argv[1]);
		for (char *tok = strtok(path, "."); tok && v; tok = strtok(NULL, ".")) {
			char *end;
			long idx = strtol(tok, &end, 10);
			v = (*end == 0 && cJSON_IsArray(v)) ? cJSON_GetArrayItem(v, (int)idx) : cJSON_GetObjectItemCaseSensitive(v, tok);
		}
		free(path);
		if (!v) {
			puts("MISSING");
			rc = 1;
		} else if (cJSON_IsNumber(v)) {
			printf("%.17g\n", v->valuedouble);
		} else if (cJSON_IsString(v)) {
			puts(v->valuestring);
		} else {
			char *s = cJSON_PrintUnformatted(v);
			puts(s);
			free(s);
		}
		cJSON_Delete(root);
	}
	free(line);
	return rc;
}
