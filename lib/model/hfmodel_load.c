/* Reading checkpoint files: config.json text as Python's json reads it, a model folder with its
 * hf_quant_config.json, and the model path the reference reports for it (the loading half of the
 * interface in hfmodel.h). */
#include "hfmodel.h"
#include "diag.h"
#include "fspath.h"
#include "jsonl.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading files ---- */

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		size_t got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	int e = errno;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(e));
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	if (memchr(buf, 0, len)) {
		snprintf(err, errlen, "%s: not valid JSON (contains a NUL byte)", path);
		free(buf);
		return NULL;
	}
	return buf;
}

static bool word_char(char ch) { return isalnum((unsigned char)ch) || ch == '_'; }

/* Python's json keeps the last of repeated keys; cJSON finds the first, so drop the earlier ones. */
static void keep_last_duplicates(cJSON *node)
{
	for (cJSON *ch = node ? node->child : NULL, *next; ch; ch = next) {
		next = ch->next;
		bool repeated = false;
		if (cJSON_IsObject(node) && ch->string)
			for (const cJSON *later = ch->next; later && !repeated; later = later->next)
				repeated = later->string && strcmp(later->string, ch->string) == 0;
		if (repeated)
			cJSON_Delete(cJSON_DetachItemViaPointer(node, ch));
		else
			keep_last_duplicates(ch);
	}
}

cJSON *hfmodel_parse_text(const char *text, char *err, size_t errlen)
{
	/* Rewrite bare Infinity / -Infinity / NaN outside strings to null, as the reference does
	 * before parsing; "null" is never longer than 2 x the token, so 2 x the length is enough. */
	long bad = utf8_invalid_at(text);
	if (bad >= 0) {
		long line = 1;
		for (long i = 0; i < bad; i++)
			line += text[i] == '\n';
		snprintf(err, errlen, "not valid JSON (line %ld): not UTF-8", line);
		return NULL;
	}
	size_t n = strlen(text);
	char *out = xmalloc(2 * n + 1), *o = out;
	bool in_str = false;
	for (size_t i = 0; i < n;) {
		char ch = text[i];
		if (in_str) {
			*o++ = ch;
			if (ch == '\\' && i + 1 < n)
				*o++ = text[++i];
			else if (ch == '"')
				in_str = false;
			i++;
			continue;
		}
		if (ch == '"') {
			in_str = true;
			*o++ = ch;
			i++;
			continue;
		}
		bool boundary = i == 0 || !word_char(text[i - 1]);
		size_t tok = 0;
		if (boundary && strncmp(text + i, "-Infinity", 9) == 0)
			tok = 9;
		else if (boundary && strncmp(text + i, "Infinity", 8) == 0)
			tok = 8;
		else if (boundary && strncmp(text + i, "NaN", 3) == 0)
			tok = 3;
		if (tok && !word_char(text[i + tok])) {
			memcpy(o, "null", 4);
			o += 4;
			i += tok;
			continue;
		}
		*o++ = ch;
		i++;
	}
	*o = 0;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(out, &end, true);
	if (!root) {
		long line = 1;
		for (const char *p = out; end && p < end; p++)
			line += *p == '\n';
		snprintf(err, errlen, "not valid JSON (line %ld)", line);
	}
	keep_last_duplicates(root);
	free(out);
	return root;
}

/* ---- loading ---- */

/* Folder part of a path to .../config.json, or NULL when path is not named config.json. */
static char *config_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (strcmp(base, "config.json") != 0)
		return NULL;
	if (!slash)
		return strdup(".");
	size_t n = (size_t)(slash - path);
	char *d = malloc(n + 2);
	memcpy(d, path, n ? n : 1);
	d[n ? n : 1] = 0;
	return d;
}

void hfmodel_model_path(const char *path, char *out, size_t n)
{
	char *folder = fspath_is_dir(path) ? strdup(path) : config_folder(path);
	if (folder) {
		size_t len = strlen(folder);
		while (len > 1 && folder[len - 1] == '/')
			folder[--len] = 0;
		const char *slash = strrchr(folder, '/');
		const char *base = slash ? slash + 1 : folder;
		const char *sep = strstr(base, "--");
		if (sep && sep != base && sep[2]) {
			snprintf(out, n, "%.*s/%s", (int)(sep - base), base, sep + 2);
			free(folder);
			return;
		}
		free(folder);
	}
	snprintf(out, n, "%s", path);
}

static cJSON *load_json(const char *file, char *err, size_t errlen)
{
	char *text = read_file(file, err, errlen);
	if (!text)
		return NULL;
	char msg[256];
	cJSON *root = hfmodel_parse_text(text, msg, sizeof msg);
	free(text);
	if (!root)
		snprintf(err, errlen, "%s: %s", file, msg);
	return root;
}

cJSON *hfmodel_load(const char *path, char *err, size_t errlen)
{
	char *folder = fspath_is_dir(path) ? strdup(path) : config_folder(path);
	char *cfg_file, *quant_file = NULL;
	if (folder && fspath_is_dir(path)) {
		size_t n = strlen(folder) + 32;
		cfg_file = malloc(n);
		quant_file = malloc(n);
		const char *sep = folder[strlen(folder) - 1] == '/' ? "" : "/";
		snprintf(cfg_file, n, "%s%sconfig.json", folder, sep);
		snprintf(quant_file, n, "%s%shf_quant_config.json", folder, sep);
	} else {
		cfg_file = strdup(path);
		if (folder) {
			size_t n = strlen(folder) + 32;
			quant_file = malloc(n);
			snprintf(quant_file, n, "%s/hf_quant_config.json", folder);
		}
	}
	free(folder);
	cJSON *config = NULL, *hq = NULL, *rec = NULL;
	config = load_json(cfg_file, err, errlen);
	if (config && quant_file && fspath_is_file(quant_file))
		hq = load_json(quant_file, err, errlen);
	if (config && (!quant_file || !fspath_is_file(quant_file) || hq)) {
		char model_path[4096], msg[1024];
		hfmodel_model_path(path, model_path, sizeof model_path);
		rec = hfmodel_record(config, hq, model_path, msg, sizeof msg);
		if (!rec)
			snprintf(err, errlen, "%s: %s", cfg_file, msg);
	}
	cJSON_Delete(config);
	cJSON_Delete(hq);
	free(cfg_file);
	free(quant_file);
	return rec;
}

