/* deploy_copy: see deploy_copy.h. */
#include "deploy_copy.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "fspath.h"
#include "outfile.h"

/* src's bytes into dst. 0, or -1 with "PATH: why" in err. */
static int copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
	FILE *in = fopen(src, "rb");
	if (!in)
		return diag_errf(err, errlen, "%s: %s", src, strerror(errno));
	FILE *out = outfile_open(dst);
	if (!out) {
		fclose(in);
		return diag_errf(err, errlen, "%s: %s", dst, strerror(errno));
	}
	char buf[16384];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	int read_failed = ferror(in);
	fclose(in);
	if (outfile_close(out) != 0)
		return diag_errf(err, errlen, "%s: %s", dst, strerror(errno));
	if (read_failed)
		return diag_errf(err, errlen, "%s: read error", src);
	return 0;
}

static int copy_folder(const char *from, const char *to, char *err, size_t errlen)
{
	DIR *d = opendir(from);
	if (!d)
		return errno == ENOENT ? 0 : diag_errf(err, errlen, "%s: %s", from, strerror(errno));
	int rc = fspath_mkdir_p(to, err, errlen);
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		char src[4096], dst[4096];
		struct stat st;
		if (snprintf(src, sizeof src, "%s/%s", from, e->d_name) >= (int)sizeof src ||
		    snprintf(dst, sizeof dst, "%s/%s", to, e->d_name) >= (int)sizeof dst)
			rc = diag_errf(err, errlen, "%s/%s: path too long", from, e->d_name);
		else if (stat(src, &st) == 0 && S_ISREG(st.st_mode))
			rc = copy_file(src, dst, err, errlen);
	}
	closedir(d);
	return rc;
}

/* Whether two paths name one folder. */
static bool same_folder(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int deploy_copy_picks(const char *from, const char *to, char *err, size_t errlen)
{
	static const char *const modes[] = { "agg", "disagg" };
	if (same_folder(from, to)) /* the files are there already */
		return 0;
	for (size_t m = 0; m < 2; m++) {
		char src[4096], dst[4096];
		snprintf(src, sizeof src, "%s/%s", from, modes[m]);
		snprintf(dst, sizeof dst, "%s/%s", to, modes[m]);
		if (copy_folder(src, dst, err, errlen))
			return -1;
	}
	return 0;
}
