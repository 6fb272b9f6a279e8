/* Unit tests of lib/perf/parquet and lib/perf/table_parquet: files built byte by byte (parquet_writer.h)
 * with every supported feature, and one broken thing at a time for every refusal. With
 * PARQUET_SEEDS=DIR set, the valid files are also written there (the fuzz harness's seeds). */
#include "parquet.h"
#include "table_csv.h"
#include "table_parquet.h"
#include "unit.h"

#include "parquet_writer.h"

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/test_parquet.XXXXXX";

static const char *const names[] = { "gemm", "gemm", NULL, "attention", "gemm" };
static const char *const ms[] = { "1", "2", "4096", NULL, "-7" };
static const char *const lat[] = { "0.0123", "41.66388193766276", "1e-05", "2", NULL };
static const char *const flags[] = { "1", "0", NULL, "1", "1" };
static const char *const sevens[] = { "7", "7", "7", "7", "7" };

/* The five-row table: a string, an int64 and a double column (dictionary pages) and a boolean
 * column (a PLAIN data page), with codecs a, b, c, d. */
static int table5(pw_col *c, int a, int b, int d, int e)
{
	c[0] = (pw_col){ "op_name", PW_BYTE_ARRAY, a, 0, names };
	c[1] = (pw_col){ "m", PW_INT64, b, 0, ms };
	c[2] = (pw_col){ "latency", PW_DOUBLE, d, 0, lat };
	c[3] = (pw_col){ "flag", PW_BOOLEAN, e, 1, flags };
	c[4] = (pw_col){ "k", PW_INT64, a, 0, sevens };
	return 5;
}

static int parse(const unsigned char *b, size_t n, parquet_table *t, char *err, size_t errlen)
{
	return parquet_parse(t, b, n, "t.parquet", err, errlen);
}

/* The error of the file built with fault, which must be refused. */
static void refused(enum pw_fault fault, const char *want)
{
	pw_col c[5];
	int nc = table5(c, PW_ZSTD, PW_SNAPPY, PW_NONE, PW_ZSTD);
	unsigned char *b;
	size_t n = pw_build(c, nc, 5, fault, &b);
	parquet_table t;
	char err[512] = "";
	int rc = parse(b, n, &t, err, sizeof err);
	CHECK(rc == -1);
	if (rc == 0)
		parquet_free(&t);
	if (!strstr(err, want))
		fprintf(stderr, "fault %d: '%s' lacks '%s'\n", (int)fault, err, want);
	CHECK(strstr(err, want) != NULL);
	CHECK(strncmp(err, "t.parquet: ", 11) == 0);
	free(b);
}

static void check_values(const parquet_table *t)
{
	CHECK(t->nrows == 5 && t->ncols == 5);
	int s = parquet_col(t, "op_name"), m = parquet_col(t, "m"), l = parquet_col(t, "latency"),
	    f = parquet_col(t, "flag");
	CHECK(s == 0 && m == 1 && l == 2 && f == 3 && parquet_col(t, "nope") == -1);
	const parquet_column *cs = &t->cols[s], *cm = &t->cols[m], *cl = &t->cols[l], *cf = &t->cols[f];
	CHECK(cs->type == PARQUET_STRING && cm->type == PARQUET_INT64 && cl->type == PARQUET_DOUBLE &&
	      cf->type == PARQUET_BOOLEAN);
	CHECK(cs->nvalues == 2); /* the dictionary */
	CHECK_STR(cs->str_buf + cs->str_off[cs->row[3]], "attention");
	CHECK(cs->row[2] == PARQUET_NULL);
	CHECK(cm->i64[cm->row[2]] == 4096 && cm->i64[cm->row[4]] == -7 && cm->row[3] == PARQUET_NULL);
	CHECK(cl->f64[cl->row[1]] == 41.66388193766276 && cl->f64[cl->row[2]] == 1e-05 && cl->row[4] == PARQUET_NULL);
	CHECK(cf->i64[cf->row[0]] == 1 && cf->i64[cf->row[1]] == 0 && cf->row[2] == PARQUET_NULL);
	CHECK(t->cols[4].nvalues == 1 && t->cols[4].i64[t->cols[4].row[4]] == 7);
}

static void test_read(void)
{
	static const int codecs[][4] = { { PW_ZSTD, PW_ZSTD, PW_ZSTD, PW_ZSTD },
					 { PW_SNAPPY, PW_SNAPPY, PW_SNAPPY, PW_SNAPPY },
					 { PW_NONE, PW_SNAPPY, PW_ZSTD, PW_NONE } };
	const char *seeds = getenv("PARQUET_SEEDS");
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
		pw_col c[5];
		int nc = table5(c, codecs[i][0], codecs[i][1], codecs[i][2], codecs[i][3]);
		unsigned char *b;
		size_t n = pw_build(c, nc, 5, PW_OK, &b);
		parquet_table t;
		char err[512];
		CHECK(parse(b, n, &t, err, sizeof err) == 0);
		check_values(&t);
		parquet_free(&t);
		char path[512];
		snprintf(path, sizeof path, "%s/t%zu.parquet", tmpdir, i);
		CHECK(pw_write(path, b, n) == 0);
		CHECK(parquet_read(&t, path, err, sizeof err) == 0);
		check_values(&t);
		parquet_free(&t);
		CHECK(parquet_read_schema(&t, path, err, sizeof err) == 0);
		CHECK(t.ncols == 5 && t.nrows == 0 && strcmp(t.cols[2].name, "latency") == 0);
		parquet_free(&t);
		if (seeds) {
			snprintf(path, sizeof path, "%s/unit%zu.parquet", seeds, i);
			pw_write(path, b, n);
		}
		free(b);
	}
}

static void test_refusals(void)
{
	refused(PW_BAD_INDEX, "column 'op_name': dictionary index 2 out of range (dictionary of 2 values)");
	refused(PW_REQUIRED, "column 'op_name': unsupported repetition REQUIRED (OPTIONAL only)");
	refused(PW_NESTED, "unsupported: nested column 'op_name'");
	refused(PW_NO_UTF8, "column 'op_name': unsupported BYTE_ARRAY without a UTF8 annotation");
	refused(PW_TWO_ROW_GROUPS, "unsupported: 2 row groups (this reader takes one)");
	refused(PW_PAGE_V2, "unsupported page type DATA_PAGE_V2");
	refused(PW_DELTA, "unsupported data encoding DELTA_BINARY_PACKED (PLAIN or RLE_DICTIONARY)");
	refused(PW_OFFSET_PAST_END, "column 'op_name': its pages lie outside the file");
	refused(PW_CHUNK_TOO_LONG, "column 'op_name': its pages lie outside the file");
	refused(PW_PAGE_TOO_LONG, "runs past its column chunk");
	refused(PW_UNCOMPRESSED_LIE, "column 'op_name': a ZSTD page decompresses to");
	refused(PW_FEWER_VALUES, "column 'op_name': its pages end after 5 of 6 rows");
	refused(PW_ENCRYPTED, "unsupported: an encrypted file");

	/* other types and codecs */
	static const char *const one[] = { "1.5" };
	pw_col fl = { "x", PW_FLOAT, PW_NONE, 0, one };
	unsigned char *b;
	size_t n = pw_build(&fl, 1, 1, PW_OK, &b);
	parquet_table t;
	char err[512] = "";
	CHECK(parse(b, n, &t, err, sizeof err) == -1);
	CHECK_STR(err, "t.parquet: column 'x': unsupported physical type FLOAT (BYTE_ARRAY, INT64, DOUBLE, BOOLEAN)");
	free(b);
	static const char *const ints[] = { "3" };
	pw_col gz = { "x", PW_INT64, PW_GZIP, 0, ints };
	n = pw_build(&gz, 1, 1, PW_OK, &b);
	CHECK(parse(b, n, &t, err, sizeof err) == -1);
	CHECK_STR(err, "t.parquet: column 'x': unsupported codec GZIP (ZSTD, SNAPPY or none)");

	/* the file's frame: magic, footer length, truncation at every length */
	unsigned char *c = malloc(n);
	memcpy(c, b, n);
	c[0] = 'X';
	CHECK(parse(c, n, &t, err, sizeof err) == -1);
	CHECK_STR(err, "t.parquet: not a Parquet file (no PAR1 magic at the start)");
	memcpy(c, b, n);
	c[n - 1] = 'X';
	CHECK(parse(c, n, &t, err, sizeof err) == -1);
	CHECK_STR(err, "t.parquet: truncated or not a Parquet file (no PAR1 magic at the end)");
	memcpy(c, b, n);
	c[n - 8] = 0xff;
	c[n - 7] = 0xff;
	CHECK(parse(c, n, &t, err, sizeof err) == -1);
	CHECK(strstr(err, "truncated: the footer claims") != NULL);
	free(c);
	pw_col ok[5];
	int nc = table5(ok, PW_ZSTD, PW_SNAPPY, PW_NONE, PW_ZSTD);
	free(b);
	n = pw_build(ok, nc, 5, PW_OK, &b);
	for (size_t cut = 0; cut < n; cut++) { /* a file cut short anywhere, with its end restored */
		c = malloc(cut + 8);
		memcpy(c, b, cut);
		memcpy(c + cut, b + n - 8, 8);
		int rc = parse(c, cut + 8, &t, err, sizeof err);
		CHECK(rc == -1 || cut + 8 == n);
		if (rc == 0)
			parquet_free(&t);
		free(c);
	}
	/* every byte flipped: refused or read, never a crash (ASan/UBSan builds check the rest) */
	for (size_t i = 0; i < n; i++) {
		c = malloc(n);
		memcpy(c, b, n);
		c[i] ^= 0x5a;
		if (parse(c, n, &t, err, sizeof err) == 0)
			parquet_free(&t);
		else
			CHECK(strncmp(err, "t.parquet: ", 11) == 0);
		free(c);
	}
	free(b);
	char path[600];
	snprintf(path, sizeof path, "%s/none.parquet", tmpdir);
	CHECK(parquet_read(&t, path, err, sizeof err) == -1);
	CHECK(strstr(err, "No such file") != NULL);
}

static void test_text(void)
{
	pw_col c[5];
	int nc = table5(c, PW_ZSTD, PW_SNAPPY, PW_NONE, PW_ZSTD);
	unsigned char *b;
	size_t n = pw_build(c, nc, 5, PW_OK, &b);
	char path[600], err[512];
	snprintf(path, sizeof path, "%s/text.parquet", tmpdir);
	CHECK(pw_write(path, b, n) == 0);
	free(b);
	table_csv t;
	CHECK(table_parquet_load(&t, path, false, err, sizeof err) == TABLE_CSV_OK);
	CHECK(t.nrows == 5 && t.ncols == 5);
	CHECK_STR(t.header[2], "latency");
	CHECK_STR(table_csv_cell(&t, 0, 0), "gemm");
	CHECK_STR(table_csv_cell(&t, 2, 0), "");
	CHECK_STR(table_csv_cell(&t, 4, 1), "-7");
	CHECK_STR(table_csv_cell(&t, 0, 2), "0.0123");
	CHECK_STR(table_csv_cell(&t, 1, 2), "41.66388193766276");
	CHECK_STR(table_csv_cell(&t, 2, 2), "1e-05");
	CHECK_STR(table_csv_cell(&t, 3, 2), "2");
	CHECK_STR(table_csv_cell(&t, 0, 3), "True");
	CHECK_STR(table_csv_cell(&t, 1, 3), "False");
	CHECK(t.lines[0] == 1 && t.lines[4] == 5);
	CHECK_STR(t.path, path);
	table_csv_free(&t);
	CHECK(table_parquet_load(&t, path, true, err, sizeof err) == TABLE_CSV_OK);
	CHECK(t.nrows == 0 && t.ncols == 5);
	table_csv_free(&t);
	snprintf(path, sizeof path, "%s/missing.parquet", tmpdir);
	CHECK(table_parquet_load(&t, path, false, err, sizeof err) == TABLE_CSV_MISSING);

	/* numbers: the shortest %.15g/%.16g/%.17g text that reads back, exactly as printf and strtod
	 * would choose it, for values the fast paths take and those they leave to printf */
	static const double v[] = { 0.1, 1.0 / 3, 2.0 / 3, 1e-5, 1.5e-7, 123456.789, 5e-324, 1.7976931348623157e308,
				    -0.0, 3.0, -42.0, 1e16, 1e15 + 0.5, 0.07764053344726562, 9.999999999999999e13,
				    4.35, 100.0, 1e-20, 2.5e-21, 1e14, 123456789012.34567 };
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char got[40], want[40];
		table_parquet_double(v[i], got, sizeof got);
		if (v[i] == floor(v[i]) && fabs(v[i]) < 1e16) {
			snprintf(want, sizeof want, "%.0f", v[i]);
			if (v[i] == 0 && signbit(v[i]))
				snprintf(want, sizeof want, "-0");
		} else {
			int p;
			for (p = 15; p < 17; p++) {
				snprintf(want, sizeof want, "%.*g", p, v[i]);
				if (strtod(want, NULL) == v[i])
					break;
			}
			if (p == 17)
				snprintf(want, sizeof want, "%.17g", v[i]);
		}
		CHECK_STR(got, want);
		CHECK(strtod(got, NULL) == v[i]);
	}
	/* many values around awkward places: ties, powers of two, carries */
	unsigned long long s = 88172645463325252ull;
	for (int i = 0; i < 200000; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		double x = ldexp((double)(s >> 11), -(int)(s % 90));
		if (i % 3 == 1)
			x = (double)(s % 100000000) / pow(10, (double)(s % 13));
		if (i % 3 == 2)
			x = nextafter(ldexp(1.0, (int)(s % 60) - 30), 0);
		char got[40], want[40];
		table_parquet_double(x, got, sizeof got);
		if (strtod(got, NULL) != x) {
			fprintf(stderr, "%a: '%s' does not read back\n", x, got);
			unit_failures++;
			break;
		}
		if (x != floor(x)) {
			int p;
			for (p = 15; p < 17; p++) {
				snprintf(want, sizeof want, "%.*g", p, x);
				if (strtod(want, NULL) == x)
					break;
			}
			if (p == 17)
				snprintf(want, sizeof want, "%.17g", x);
			if (strcmp(got, want) != 0) {
				fprintf(stderr, "%a: '%s' where printf gives '%s'\n", x, got, want);
				unit_failures++;
				break;
			}
		}
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_read();
	test_refusals();
	test_text();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		unit_failures++;
	UNIT_DONE();
}
