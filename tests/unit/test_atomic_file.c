/* Unit tests of lib/util/atomic_file: the file written whole with the umask's mode, replaced
 * whole, and on failure neither the target nor a temporary file left. */
#include "atomic_file.h"
#include "unit.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* entries of a folder, . and .. aside */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char tmpl[] = "/tmp/test_atomic_file.XXXXXX", path[256], err[512], buf[16] = { 0 };
	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(path, sizeof path, "%s/pic.png", tmpl);
	mode_t old = umask(027);
	CHECK(atomic_file_write(path, "first", 5, err, sizeof err) == 0);
	CHECK(atomic_file_write(path, "second", 6, err, sizeof err) == 0);
	umask(old);
	FILE *f = fopen(path, "rb");
	CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 6);
	if (f)
		fclose(f);
	CHECK_STR(buf, "second");
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640);
	CHECK(entries(tmpl) == 1);
	/* a folder in the way: refused, the folder untouched, no temporary file */
	snprintf(path, sizeof path, "%s/sub", tmpl);
	CHECK(mkdir(path, 0755) == 0);
	CHECK(atomic_file_write(path, "x", 1, err, sizeof err) == -1);
	char want[400];
	snprintf(want, sizeof want, "%s: Is a directory", path);
	CHECK_STR(err, want);
	CHECK(entries(tmpl) == 2 && entries(path) == 0);
	/* no such folder */
	snprintf(path, sizeof path, "%s/none/pic.png", tmpl);
	CHECK(atomic_file_write(path, "x", 1, err, sizeof err) == -1);
	snprintf(want, sizeof want, "%s: No such file or directory", path);
	CHECK_STR(err, want);
	/* a name without a folder is written in the current one */
	char cwd[256];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK(chdir(tmpl) == 0);
	CHECK(atomic_file_write("here.png", "", 0, err, sizeof err) == 0);
	CHECK(stat("here.png", &st) == 0 && st.st_size == 0);
	CHECK(chdir(cwd) == 0);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	CHECK(system(cmd) == 0);
	UNIT_DONE();
}
