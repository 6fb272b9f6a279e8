#define _XOPEN_SOURCE 700 /* realpath */
#include "collect_out.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int out_mkdirs(const char *path)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == 0) {
			char c = *p;
			*p = 0;
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			struct stat st;
			if (stat(buf, &st) != 0)
				return -1;
			if (!S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				return -1;
			}
			*p = c;
			if (!c)
				return 0;
		}
	}
}

int out_table_open(out_table *t, const char *dir, const char *file, const char *keys, bool power, char *err,
		   size_t errlen)
{
	t->power = power;
	snprintf(t->path, sizeof t->path, "%s/%s", dir, file);
	int fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd < 0) {
		snprintf(err, errlen, errno == EEXIST ? "%s exists: collect never overwrites a table (choose another "
							"--version or remove it)"
						      : "cannot create %s: %s",
			 t->path, strerror(errno));
		return -1;
	}
	t->f = fdopen(fd, "w");
	if (!t->f) {
		close(fd);
		snprintf(err, errlen, "cannot create %s: %s", t->path, strerror(errno));
		return -1;
	}
	fprintf(t->f, "framework,version,device,op_name,kernel_source,%s,latency%s\n", keys,
		power ? ",power" : "");
	if (fflush(t->f) != 0) {
		snprintf(err, errlen, "write error on %s: %s", t->path, strerror(errno));
		return -1;
	}
	return 0;
}

int out_table_row(out_table *t, const char *framework, const char *version, const char *device, const char *op,
		  const char *kernel_source, const char *keys, double latency_ms, double power_w, char *err,
		  size_t errlen)
{
	fprintf(t->f, "%s,%s,%s,%s,%s,%s,%.9g", framework, version, device, op, kernel_source, keys, latency_ms);
	if (t->power)
		fprintf(t->f, ",%.1f", power_w);
	fputc('\n', t->f);
	if (fflush(t->f) != 0) {
		snprintf(err, errlen, "write error on %s: %s", t->path, strerror(errno));
		return -1;
	}
	return 0;
}

int out_table_close(out_table *t, char *err, size_t errlen)
{
	if (!t->f)
		return 0;
	int bad = ferror(t->f);
	if (fclose(t->f) != 0 || bad) {
		t->f = NULL;
		snprintf(err, errlen, "write error on %s", t->path);
		return -1;
	}
	t->f = NULL;
	return 0;
}

void out_csv_safe(char *dst, size_t n, const char *src)
{
	size_t i = 0;
	for (; src[i] && i + 1 < n; i++)
		dst[i] = strchr(",\"\r\n", src[i]) ? ' ' : src[i];
	dst[i] = 0;
}

void out_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* Link absolute(target) at path unless path exists. 1 made, 0 present, -1 error. */
static int link_one(const char *target, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return 0;
	char abs[PATH_MAX];
	if (!realpath(target, abs) || symlink(abs, path) != 0) {
		snprintf(err, errlen, "cannot link %s to %s: %s", path, target, strerror(errno));
		return -1;
	}
	return 1;
}

int out_link_missing(const char *from, const char *to, char *err, size_t errlen)
{
	DIR *d = opendir(from);
	if (!d) {
		snprintf(err, errlen, "cannot read --fill-from folder '%s': %s", from, strerror(errno));
		return -1;
	}
	int made = 0;
	struct dirent *e;
	char src[4096], dst[4096];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !ends_with(e->d_name, "_perf.txt"))
			continue;
		snprintf(src, sizeof src, "%s/%s", from, e->d_name);
		snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
		int st = link_one(src, dst, err, errlen);
		if (st < 0) {
			closedir(d);
			return -1;
		}
		made += st;
	}
	closedir(d);
	static const char *const comm[] = { "nccl", "oneccl" };
	for (size_t i = 0; i < sizeof comm / sizeof comm[0]; i++) {
		struct stat st;
		snprintf(src, sizeof src, "%s/../../%s", from, comm[i]);
		snprintf(dst, sizeof dst, "%s/../../%s", to, comm[i]);
		if (stat(src, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		int r = link_one(src, dst, err, errlen);
		if (r < 0)
			return -1;
		made += r;
	}
	return made;
}
