/* coverage_render: support records as coverage --render prints them: an aligned table, or CSV
 * with the reference's support-matrix columns (one row per mode) plus Level and Reason. */
#include "coverage_render.h"
#include "csvtab.h"

#include <stdio.h>
#include <string.h>

static const char *str_of(const cJSON *o, const char *key, const char *def)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : def;
}

/* What a row says in one line: the reason of a mode that did not pass, else the first issue. */
static void row_reason(const cJSON *o, const char *mode, char *out, size_t n)
{
	char key[32];
	snprintf(key, sizeof key, "%s_reason", mode);
	const char *r = str_of(o, "reason", NULL), *status = str_of(o, mode, "");
	/* a mode that passed (with the hybrid retry or not) is explained by its issues */
	if (!r && strcmp(status, "PASS") && strcmp(status, "HYBRID_PASS"))
		r = str_of(o, key, NULL);
	const cJSON *issues = cJSON_GetObjectItemCaseSensitive(o, "issues");
	const cJSON *first = cJSON_GetArrayItem(issues, 0);
	if (!r && first) {
		const char *near = str_of(first, "nearest", NULL);
		int k = snprintf(out, n, "op %s: %s", str_of(first, "op", "-"), str_of(first, "missing", ""));
		if (near && k > 0 && (size_t)k < n)
			k += snprintf(out + k, n - (size_t)k, " (nearest in %s: %s)", str_of(first, "table", "the table"), near);
		int more = cJSON_GetArraySize(issues) - 1;
		if (more > 0 && k > 0 && (size_t)k < n)
			snprintf(out + k, n - (size_t)k, "; %d more issue%s", more, more > 1 ? "s" : "");
		return;
	}
	snprintf(out, n, "%s", r ? r : "");
}

/* Print one support record (csv: two rows, one per mode); *header says whether the header line
 * is out already. */
void coverage_print_support(const cJSON *rec, bool csv, bool *header)
{
	char reason[2048];
	if (csv) {
		if (!*header)
			fputs("HuggingFaceID,Architecture,System,Backend,Version,Mode,Status,Level,Reason\n", stdout);
		*header = true;
		const char *modes[] = { "agg", "disagg" };
		for (int m = 0; m < 2; m++) {
			const char *cells[] = { str_of(rec, "model", ""), str_of(rec, "architecture", ""),
						str_of(rec, "system", ""), str_of(rec, "backend", ""),
						str_of(rec, "version", ""), modes[m], str_of(rec, modes[m], ""),
						str_of(rec, "level", "") };
			for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
				csv_write_field(stdout, cells[i]);
				putchar(',');
			}
			row_reason(rec, modes[m], reason, sizeof reason);
			csv_write_field(stdout, reason);
			putchar('\n');
		}
	} else {
		if (!*header)
			printf("%-20s %-7s %-11s %-15s %-15s %-5s %s\n", "system", "backend", "version", "agg", "disagg",
			       "level", "reason");
		*header = true;
		row_reason(rec, "agg", reason, sizeof reason);
		if (!*reason)
			row_reason(rec, "disagg", reason, sizeof reason);
		printf("%-20s %-7s %-11s %-15s %-15s %-5s %s\n", str_of(rec, "system", ""), str_of(rec, "backend", ""),
		       str_of(rec, "version", "-"), str_of(rec, "agg", ""), str_of(rec, "disagg", ""),
		       str_of(rec, "level", "-"), reason);
	}
}
