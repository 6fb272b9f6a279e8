#include "fspath.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool fspath_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool fspath_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool fspath_plain_name(const char *s)
{
	if (!s || !*s || s[0] == '.' || strstr(s, "..") || strlen(s) >= 128)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.' && *s != '+')
			return false;
	return true;
}

int fspath_mkdir_p(const char *path, char *err, size_t errn)
{
	char buf[4096];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return snprintf(err, errn, "%.200s...: path too long", path), -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return snprintf(err, errn, "%s: %s", buf, strerror(errno)), -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return snprintf(err, errn, "%s: %s", path, strerror(errno)), -1;
	return 0;
}
