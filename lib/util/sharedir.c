/* sharedir: the installed share/infercast folder, found from the executable (see sharedir.h). */
#include "sharedir.h"
#include "fspath.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef INFERCAST_SHARE_DIR
#define INFERCAST_SHARE_DIR "/usr/local/share/infercast"
#endif

#define SHARE_PATH_MAX 4096

/* Cut suffix off s when s ends with it; true when it did. */
static bool cut_suffix(char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	if (ls < lx || strcmp(s + ls - lx, suffix))
		return false;
	s[ls - lx] = '\0';
	return true;
}

const char *sharedir_path(const char *sub, char *out, size_t n)
{
	char exe[SHARE_PATH_MAX];
	/* /proc/self/exe has the links resolved: $(PREFIX)/bin/infercast-query is read as
	 * $(PREFIX)/lib/infercast/bin/query. */
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (cut_suffix(exe, "/lib/infercast/bin") || cut_suffix(exe, "/bin")) {
				snprintf(out, n, "%.3000s/share/infercast/%s", exe, sub);
				if (fspath_is_dir(out))
					return out;
			}
		}
	}
	snprintf(out, n, "%s/%s", INFERCAST_SHARE_DIR, sub);
	return out;
}
