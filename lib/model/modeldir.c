/* modeldir: resolve --model names to model folders (see modeldir.h). */
#include "modeldir.h"
#include "fspath.h"
#include "sharedir.h"
#include "diag.h"
#include "hint.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef INFERCAST_SHARE_DIR
#define INFERCAST_SHARE_DIR "/usr/local/share/infercast"
#endif

#define MD_PATH_MAX 4096

static bool plain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-' || c == '.';
}

bool modeldir_is_hf_id(const char *name)
{
	if (!name || !*name || name[0] == '.' || name[0] == '-' || strlen(name) >= 256)
		return false;
	int slashes = 0;
	for (const char *p = name; *p; p++) {
		if (*p == '/') {
			/* neither end of a part: "org/" or "/name" or "org//name" */
			if (p == name || !p[1] || p[1] == '/' || p[1] == '.')
				return false;
			slashes++;
		} else if (!plain_char(*p)) {
			return false;
		}
	}
	return slashes == 1;
}

const char *modeldir_root(char *err, size_t errlen)
{
	static char found[MD_PATH_MAX];
	const char *env = getenv("INFERCAST_MODELS");
	if (env && *env) {
		if (!fspath_is_dir(env)) {
			diag_errf(err, errlen, "models folder not found: %s (from INFERCAST_MODELS)", env);
			return NULL;
		}
		snprintf(found, sizeof found, "%s", env);
		return found;
	}
	char exe[MD_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(found, sizeof found, "%.4000s/../models", exe);
			if (fspath_is_dir(found))
				return found;
		}
	}
	/* an install (any PREFIX, lib/infercast/bin or bin): lib/util/sharedir finds its share folder */
	sharedir_path("models", found, sizeof found);
	if (fspath_is_dir(found))
		return found;
	diag_errf(err, errlen, "no bundled models folder (set INFERCAST_MODELS)");
	return NULL;
}

int modeldir_resolve(const char *name, char *out, size_t n, char *err, size_t errlen)
{
	struct stat st;
	if (name && stat(name, &st) == 0) {
		snprintf(out, n, "%s", name);
		return 0;
	}
	if (!modeldir_is_hf_id(name))
		return diag_errf(err, errlen, "'%s' does not exist", name ? name : "");
	char rerr[512];
	const char *root = modeldir_root(rerr, sizeof rerr);
	if (!root)
		return diag_errf(err, errlen, "'%s' is not a folder and %s", name, rerr);
	char want[300];
	const char *slash = strchr(name, '/');
	snprintf(want, sizeof want, "%.*s--%s", (int)(slash - name), name, slash + 1);
	char path[MD_PATH_MAX];
	snprintf(path, sizeof path, "%.3700s/%.299s", root, want);
	if (fspath_is_dir(path)) {
		snprintf(out, n, "%s", path);
		return 0;
	}
	/* Hub ids are case-insensitive: "qwen/qwen3-32b" finds Qwen--Qwen3-32B */
	DIR *d = opendir(root);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcasecmp(e->d_name, want) == 0) {
				snprintf(path, sizeof path, "%.3700s/%.255s", root, e->d_name);
				break;
			}
		}
		closedir(d);
		if (fspath_is_dir(path)) {
			snprintf(out, n, "%s", path);
			return 0;
		}
	}
	return hint_errf(HINT_LIST_MODELS, 0, err, errlen,
			 "'%s' is neither a path nor a bundled Hugging Face id (a downloaded model is a folder "
			 "with config.json)",
			 name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int modeldir_list(void (*fn)(const char *hf_id, void *ctx), void *ctx, char *err, size_t errlen)
{
	const char *root = modeldir_root(err, errlen);
	if (!root)
		return -1;
	DIR *d = opendir(root);
	if (!d)
		return diag_errf(err, errlen, "%s: cannot open the models folder", root);
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *sep = strstr(e->d_name, "--");
		if (e->d_name[0] == '.' || !sep || sep == e->d_name || !sep[2])
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 64;
			char **grown = realloc(names, cap * sizeof *names);
			if (!grown)
				break;
			names = grown;
		}
		names[count] = malloc(strlen(e->d_name) + 1);
		if (!names[count])
			break;
		/* ORG--NAME becomes ORG/NAME */
		snprintf(names[count], strlen(e->d_name) + 1, "%.*s/%s", (int)(sep - e->d_name), e->d_name, sep + 2);
		count++;
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof *names, cmp_str);
	for (size_t i = 0; i < count; i++) {
		fn(names[i], ctx);
		free(names[i]);
	}
	free(names);
	return (int)count;
}
