/* Unit tests of lib/util/outfile: a file written over in place ends with exactly the new bytes
 * (shorter, longer or empty than the old ones), keeps its inode, is made with the umask's mode
 * when new, and a device or a folder is handled as fopen would. */
#include "outfile.h"
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* path's bytes (at most n - 1), NUL-ended; their count, or -1 */
static long slurp(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t got = fread(buf, 1, n - 1, f);
	buf[got] = 0;
	fclose(f);
	return (long)got;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = outfile_open(path);
	if (!f)
		return -1;
	fputs(text, f);
	return outfile_close(f);
}

int main(void)
{
	char tmpl[] = "/tmp/test_outfile.XXXXXX", path[256], buf[64];
	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(path, sizeof path, "%s/run.sh", tmpl);
	mode_t old = umask(027);
	CHECK(write_text(path, "a long first version\n") == 0);
	umask(old);
	struct stat st, st2;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK(slurp(path, buf, sizeof buf) == 21);
	CHECK_STR(buf, "a long first version\n");
	/* shorter: the old tail is cut, the inode is the same one */
	CHECK(write_text(path, "short\n") == 0);
	CHECK(slurp(path, buf, sizeof buf) == 6);
	CHECK_STR(buf, "short\n");
	CHECK(stat(path, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_size == 6);
	/* longer, then nothing at all */
	CHECK(write_text(path, "longer than the short one\n") == 0);
	CHECK_STR((slurp(path, buf, sizeof buf), buf), "longer than the short one\n");
	CHECK(write_text(path, "") == 0);
	CHECK(stat(path, &st2) == 0 && st2.st_size == 0);
	/* a device is written, not cut */
	CHECK(write_text("/dev/null", "discarded") == 0);
	/* a folder in the way, and no such folder: NULL with errno, as fopen */
	errno = 0;
	CHECK(outfile_open(tmpl) == NULL && errno == EISDIR);
	snprintf(path, sizeof path, "%s/none/x", tmpl);
	errno = 0;
	CHECK(outfile_open(path) == NULL && errno == ENOENT);
	snprintf(path, sizeof path, "%s/run.sh", tmpl);
	CHECK(unlink(path) == 0 && rmdir(tmpl) == 0);
	UNIT_DONE();
}
