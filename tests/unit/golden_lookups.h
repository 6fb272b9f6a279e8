/* golden_lookups: reading the reference's single-table look-ups (every .jsonl in goldens/lookups) for
 * the unit tests that check them, and the helpers to read a record's args. */
#ifndef INFERCAST_GOLDEN_LOOKUPS_H
#define INFERCAST_GOLDEN_LOOKUPS_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

static inline const char *goldens(void)
{
	const char *g = getenv("INFERCAST_GOLDENS");
	return g ? g : "../shared/goldens";
}

static inline long long arg_int(const cJSON *args, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, k);
	return v && cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static inline const char *arg_str(const cJSON *args, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, k);
	return v && cJSON_IsString(v) ? v->valuestring : "";
}

/* check(file name, line number, record) on every line of every .jsonl in goldens/lookups. False,
 * after saying why, when the folder, a file or a line cannot be read, or no .jsonl is there:
 * missing goldens fail the test that reads them, never skip it. */
static inline bool golden_lookups_each(void (*check)(const char *file, int line, const cJSON *rec))
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/lookups", goldens());
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "no goldens at %s (INFERCAST_GOLDENS)\n", dir);
		return false;
	}
	bool ok = true;
	int files = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 6, ".jsonl"))
			continue;
		char path[2048];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *fp = fopen(path, "r");
		if (!fp) {
			perror(path);
			ok = false;
			continue;
		}
		files++;
		char *buf = NULL;
		size_t cap = 0;
		int line = 0;
		while (getline(&buf, &cap, fp) > 0) {
			line++;
			cJSON *rec = cJSON_Parse(buf);
			if (rec) {
				check(e->d_name, line, rec);
			} else {
				fprintf(stderr, "%s:%d: not a JSON record\n", path, line);
				ok = false;
			}
			cJSON_Delete(rec);
		}
		if (ferror(fp)) {
			perror(path);
			ok = false;
		}
		free(buf);
		fclose(fp);
	}
	closedir(d);
	if (!files) {
		fprintf(stderr, "no .jsonl goldens in %s\n", dir);
		ok = false;
	}
	return ok;
}

#endif
