/* atomic_file: temporary file in the target's folder (rename is atomic only within one file
 * system), written, closed, then renamed over the target. */
#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

/* The file's mode as open(2) with 0666 would make it: mkstemp makes 0600, which would hide the
 * picture from the other users a plain write lets read it. umask can only be read by setting it. */
static mode_t created_mode(void)
{
	mode_t mask = umask(0);
	umask(mask);
	return 0666 & ~mask;
}

int atomic_file_write(const char *path, const void *buf, size_t n, char *err, size_t errn)
{
	/* ".NAME.XXXXXX" beside NAME: hidden from a plain ls while it exists */
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	size_t len = strlen(path) + 9;
	char *tmp = xmalloc(len);
	snprintf(tmp, len, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return diag_errf(err, errn, "%s: %s", path, strerror(e));
	}
	const char *p = buf;
	size_t left = n;
	int e = 0;
	while (left > 0 && !e) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno != EINTR)
			e = errno;
		else if (w > 0)
			p += w, left -= (size_t)w;
	}
	if (!e && fchmod(fd, created_mode()) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return e ? diag_errf(err, errn, "%s: %s", path, strerror(e)) : 0;
}
