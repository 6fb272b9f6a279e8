#include "csvtab.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/infercast_csv_%d.txt", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

int main(void)
{
	char err[512];
	csvtab t;
	char *p = write_tmp("a,b,c\n1,2,3\n\n4,\"5\",6\n");
	CHECK(csvtab_load(&t, p, err, sizeof err) == 0);
	CHECK(t.ncols == 3 && t.nrows == 2);
	CHECK(csvtab_col(&t, "c") == 2 && csvtab_col(&t, "z") == -1);
	CHECK_STR(t.rows[1][1], "5");
	CHECK(t.lines[0] == 2 && t.lines[1] == 4);
	csvtab_free(&t);

	p = write_tmp("a,b\n1,2\n3\n");
	CHECK(csvtab_load(&t, p, err, sizeof err) == -1);
	CHECK(strstr(err, ":3: 1 fields where the header has 2") != NULL);

	p = write_tmp("");
	CHECK(csvtab_load(&t, p, err, sizeof err) == -1);
	CHECK(strstr(err, "empty file") != NULL);

	p = write_tmp("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n");
	CHECK(csvtab_load(&t, p, err, sizeof err) == -1);
	CHECK(strstr(err, "Git LFS pointer") != NULL);

	CHECK(csvtab_load(&t, "/nonexistent/x.csv", err, sizeof err) == -1);
	unlink(p);

	/* fields written as Python's csv module writes them (QUOTE_MINIMAL) */
	char out[256];
	FILE *m = fmemopen(out, sizeof out, "w");
	CHECK(m != NULL);
	const char *fields[] = { "plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "" };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		csv_write_field(m, fields[i]);
		fputc('|', m);
	}
	fclose(m);
	CHECK(strcmp(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"||") == 0);
	UNIT_DONE();
}
