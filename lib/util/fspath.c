#include "fspath.h"

#include <ctype.h>
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
