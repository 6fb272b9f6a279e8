/* outfile: see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *outfile_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}

int outfile_close(FILE *f)
{
	int rc = 0, e = 0;
	if (fflush(f) != 0 || ferror(f)) {
		rc = -1;
		e = errno ? errno : EIO;
	}
	if (rc == 0) {
		/* the bytes written run from 0 to the position: what lies beyond is the old file's */
		struct stat st;
		off_t end = ftello(f);
		int fd = fileno(f);
		if (end < 0 || fstat(fd, &st) != 0)
			rc = -1, e = errno;
		else if (S_ISREG(st.st_mode) && st.st_size > end && ftruncate(fd, end) != 0)
			rc = -1, e = errno;
	}
	if (fclose(f) != 0 && rc == 0)
		rc = -1, e = errno;
	if (rc)
		errno = e;
	return rc;
}
