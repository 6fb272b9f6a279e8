/* Unit tests of lib/util/fspath: mkdir -p (nested, existing, under a file), the folder and file
 * tests, plain names. */
#include "fspath.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	char tmpl[] = "/tmp/test_fspath.XXXXXX", path[256], err[512];
	CHECK(mkdtemp(tmpl) != NULL);
	snprintf(path, sizeof path, "%s/a/b/c", tmpl);
	CHECK(fspath_mkdir_p(path, err, sizeof err) == 0);
	CHECK(fspath_is_dir(path));
	CHECK(fspath_mkdir_p(path, err, sizeof err) == 0); /* already there: fine */
	/* a file in the way: the folder it blocks is named */
	snprintf(path, sizeof path, "%s/a/f", tmpl);
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK(fspath_is_file(path) && !fspath_is_dir(path));
	char under[300];
	snprintf(under, sizeof under, "%s/g", path);
	CHECK(fspath_mkdir_p(under, err, sizeof err) == -1);
	char want[400];
	snprintf(want, sizeof want, "%s: Not a directory", under);
	CHECK_STR(err, want);
	/* deeper: the first folder that cannot be made is named, not the path asked for */
	char deeper[320];
	snprintf(deeper, sizeof deeper, "%s/h", under);
	CHECK(fspath_mkdir_p(deeper, err, sizeof err) == -1);
	CHECK_STR(err, want);
	CHECK(fspath_plain_name("0.5.10") && !fspath_plain_name("..") && !fspath_plain_name("a/b"));
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	CHECK(system(cmd) == 0);
	UNIT_DONE();
}
