#include "jsonl.h"
#include "jsonget.h"
#include "numfmt.h"
#include "diag.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void jsonl_open(jsonl_reader *r, const char *path)
{
	memset(r, 0, sizeof *r);
	if (!path || strcmp(path, "-") == 0) {
		r->fp = stdin;
		r->name = "<stdin>";
		return;
	}
	r->fp = fopen(path, "r");
	r->name = path;
	if (!r->fp)
		die(EXIT_DATA, "%s: %s", path, strerror(errno));
}

void jsonl_close(jsonl_reader *r)
{
	if (r->fp && r->fp != stdin)
		fclose(r->fp);
	free(r->buf);
	r->buf = NULL;
	r->fp = NULL;
}

void jsonl_fail(const jsonl_reader *r, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (diag_in_pipeline() && !strcmp(r->name, "<stdin>"))
		fprintf(stderr, "%s: ", diag_progname()); /* the user gave no such input (diag.h) */
	else
		fprintf(stderr, "%s: %s:%ld: ", diag_progname(), r->name, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_DATA);
}

void jsonl_fail_unused(const jsonl_reader *r, long records, const char *wanted, const char *expected)
{
	die(EXIT_DATA, "%s: none of its %ld record%s is %s (expected %s)", r->name, records, records == 1 ? "" : "s",
	    wanted, expected);
}

/* JSON text is UTF-8; passing other bytes through would write records no reader accepts. */
long utf8_invalid_at(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	for (const unsigned char *q = p; *q;) {
		if (*q < 0x80) { /* ASCII, nearly every byte of a record: always well-formed */
			q++;
			continue;
		}
		int len = *q < 0x80 ? 1 : (*q & 0xE0) == 0xC0 ? 2 : (*q & 0xF0) == 0xE0 ? 3 : (*q & 0xF8) == 0xF0 ? 4 : 0;
		unsigned cp = len == 1 ? *q : len == 2 ? *q & 0x1Fu : len == 3 ? *q & 0x0Fu : *q & 0x07u;
		for (int i = 1; i < len; i++) {
			if ((q[i] & 0xC0) != 0x80)
				return (long)(q - p);
			cp = cp << 6 | (q[i] & 0x3Fu);
		}
		if (!len || (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return (long)(q - p);
		q += len;
	}
	return -1;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

const char *jsonl_next_text(jsonl_reader *r)
{
	for (;;) {
		errno = 0;
		ssize_t n = getline(&r->buf, &r->cap, r->fp);
		if (n < 0) {
			if (ferror(r->fp))
				die(EXIT_DATA, "%s: read error: %s", r->name, strerror(errno));
			return NULL;
		}
		r->line++;
		if ((size_t)n != strlen(r->buf))
			jsonl_fail(r, "NUL byte in line");
		char *s = r->buf;
		if (r->line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
			s += 3; /* a UTF-8 byte-order mark is harmless; skip it */
		if (blank(s))
			continue;
		r->text = s;
		r->text_len = (size_t)n - (size_t)(s - r->buf);
		return s;
	}
}

/* The first number of the tree that is not finite: text like 1e400 parses to infinity, which
 * no stage can compute with and JSON cannot write back (fuzzing found it in aggregate). */
static const cJSON *nonfinite_number(const cJSON *j, const char **key)
{
	for (; j; j = j->next) {
		const char *here = j->string ? j->string : *key;
		if (cJSON_IsNumber(j) && !isfinite(j->valuedouble)) {
			*key = here;
			return j;
		}
		const char *inner = here;
		const cJSON *bad = j->child ? nonfinite_number(j->child, &inner) : NULL;
		if (bad) {
			*key = inner;
			return bad;
		}
	}
	return NULL;
}

cJSON *jsonl_parse_text(jsonl_reader *r)
{
	const char *s = r->text;
	long bad = utf8_invalid_at(r->buf);
	if (bad >= 0)
		jsonl_fail(r, "not UTF-8 at column %ld", bad + 1);
	const char *end = NULL;
	cJSON *obj = cJSON_ParseWithOpts(s, &end, 0);
	if (!obj) {
		long col = end ? (long)(end - r->buf) + 1 : 0;
		jsonl_fail(r, "malformed JSON at column %ld", col);
	}
	if (!blank(end)) {
		cJSON_Delete(obj);
		jsonl_fail(r, "trailing garbage after the record at column %ld", (long)(end - r->buf) + 1);
	}
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		jsonl_fail(r, "a record must be a JSON object");
	}
	const char *where = "?";
	if (nonfinite_number(obj->child, &where)) {
		char key[64];
		snprintf(key, sizeof key, "%s", where);
		cJSON_Delete(obj);
		jsonl_fail(r, "number out of range (key '%s')", key);
	}
	return obj;
}

cJSON *jsonl_next(jsonl_reader *r)
{
	return jsonl_next_text(r) ? jsonl_parse_text(r) : NULL;
}

static const cJSON *field(const jsonl_reader *r, const cJSON *obj, const char *key, bool required)
{
	const cJSON *f = json_member(obj, key);
	if ((!f || cJSON_IsNull(f)) && required)
		jsonl_fail(r, "missing field '%s'", key);
	return (f && !cJSON_IsNull(f)) ? f : NULL;
}

static double num(const jsonl_reader *r, const cJSON *f, const char *key)
{
	if (!cJSON_IsNumber(f))
		jsonl_fail(r, "field '%s' must be a number", key);
	if (!isfinite(f->valuedouble))
		jsonl_fail(r, "field '%s' is not finite", key);
	return f->valuedouble;
}

static long integer(const jsonl_reader *r, const cJSON *f, const char *key)
{
	double v = num(r, f, key);
	if (v != floor(v) || fabs(v) > 9.0e15)
		jsonl_fail(r, "field '%s' must be an integer, got %.17g", key, v);
	return (long)v;
}

double jsonl_get_num(const jsonl_reader *r, const cJSON *obj, const char *key)
{
	return num(r, field(r, obj, key, true), key);
}

long jsonl_get_int(const jsonl_reader *r, const cJSON *obj, const char *key)
{
	return integer(r, field(r, obj, key, true), key);
}

const char *jsonl_get_str(const jsonl_reader *r, const cJSON *obj, const char *key)
{
	const cJSON *f = field(r, obj, key, true);
	if (!cJSON_IsString(f))
		jsonl_fail(r, "field '%s' must be a string", key);
	return f->valuestring;
}

const cJSON *jsonl_get_obj(const jsonl_reader *r, const cJSON *obj, const char *key)
{
	const cJSON *f = field(r, obj, key, true);
	if (!cJSON_IsObject(f))
		jsonl_fail(r, "field '%s' must be an object", key);
	return f;
}

const cJSON *jsonl_get_arr(const jsonl_reader *r, const cJSON *obj, const char *key)
{
	const cJSON *f = field(r, obj, key, true);
	if (!cJSON_IsArray(f))
		jsonl_fail(r, "field '%s' must be an array", key);
	return f;
}

double jsonl_opt_num(const jsonl_reader *r, const cJSON *obj, const char *key, double def)
{
	const cJSON *f = field(r, obj, key, false);
	return f ? num(r, f, key) : def;
}

long jsonl_opt_int(const jsonl_reader *r, const cJSON *obj, const char *key, long def)
{
	const cJSON *f = field(r, obj, key, false);
	return f ? integer(r, f, key) : def;
}

const char *jsonl_opt_str(const jsonl_reader *r, const cJSON *obj, const char *key, const char *def)
{
	const cJSON *f = field(r, obj, key, false);
	if (!f)
		return def;
	if (!cJSON_IsString(f))
		jsonl_fail(r, "field '%s' must be a string", key);
	return f->valuestring;
}

bool jsonl_opt_bool(const jsonl_reader *r, const cJSON *obj, const char *key, bool def)
{
	const cJSON *f = field(r, obj, key, false);
	if (!f)
		return def;
	if (!cJSON_IsBool(f))
		jsonl_fail(r, "field '%s' must be true or false", key);
	return cJSON_IsTrue(f);
}

/* The decimal digits of v (|v| < 1e15), as "%lld" gives them, without printf. */
static int integer_text(char *buf, size_t n, long long v)
{
	char tmp[24];
	int len = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		tmp[len++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		tmp[len++] = '-';
	if ((size_t)len >= n)
		return snprintf(buf, n, "%lld", v);
	for (int i = 0; i < len; i++)
		buf[i] = tmp[len - 1 - i];
	buf[len] = '\0';
	return len;
}

void json_format_double(char *buf, size_t n, double v)
{
	/* integers of up to 15 digits: "%.15g" gives their digits, which read back exactly */
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
		integer_text(buf, n, (long long)v);
		return;
	}
	/* 17 significant digits always round-trip; try shorter first for readable output. */
	for (int prec = 15; prec <= 17; prec++) {
		double back;
		bool have_back;
		numfmt_g_read(buf, n, v, prec, &back, &have_back); /* lib/util/numfmt: printf's bytes, faster */
		if (!have_back)
			back = strtod(buf, NULL);
		if (back == v)
			return;
	}
}


int jsonl_cjson_number(char *buf, size_t n, double v)
{
	if (isnan(v) || isinf(v))
		return snprintf(buf, n, "null");
	/* integers of up to 15 digits: "%1.15g" gives their digits exactly */
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) /* range first: the cast is UB beyond long long */
		return integer_text(buf, n, (long long)v);
	/* cJSON 1.7.15 keeps the 15 digits when they read back within one epsilon of the larger
	 * magnitude (not always exactly), else it prints 17 */
	double back;
	bool have_back;
	int len = numfmt_g_read(buf, n, v, 15, &back, &have_back); /* "%1.15g" (lib/util/numfmt: the same bytes, faster) */
	if (!have_back)
		back = strtod(buf, NULL);
	double larger = fabs(back) > fabs(v) ? fabs(back) : fabs(v);
	if (!(fabs(back - v) <= larger * DBL_EPSILON))
		len = numfmt_g(buf, n, v, 17);
	return len;
}

void jsonl_print_string(FILE *out, const char *s)
{
	putc_unlocked('"', out);
	const unsigned char *run = (const unsigned char *)s, *p = run;
	for (; *p; p++) {
		const char *esc;
		char u[8];
		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (*p >= 0x20)
				continue; /* part of the run written as is */
			snprintf(u, sizeof u, "\\u%04x", *p);
			esc = u;
		}
		fwrite(run, 1, (size_t)(p - run), out);
		fputs(esc, out);
		run = p + 1;
	}
	fwrite(run, 1, (size_t)(p - run), out);
	putc_unlocked('"', out);
}

void jsonl_print(FILE *out, const cJSON *item)
{
	const cJSON *c;
	bool first = true;
	char num[64];
	switch (item->type & 0xFF) {
	case cJSON_False: fputs("false", out); break;
	case cJSON_True: fputs("true", out); break;
	case cJSON_NULL: fputs("null", out); break;
	case cJSON_Number:
		fwrite(num, 1, (size_t)jsonl_cjson_number(num, sizeof num, item->valuedouble), out);
		break;
	case cJSON_String: jsonl_print_string(out, item->valuestring ? item->valuestring : ""); break;
	case cJSON_Raw: fputs(item->valuestring ? item->valuestring : "", out); break;
	case cJSON_Array:
		putc_unlocked('[', out);
		cJSON_ArrayForEach(c, item)
		{
			if (!first)
				putc_unlocked(',', out);
			jsonl_print(out, c);
			first = false;
		}
		putc_unlocked(']', out);
		break;
	case cJSON_Object:
		putc_unlocked('{', out);
		cJSON_ArrayForEach(c, item)
		{
			if (!first)
				putc_unlocked(',', out);
			jsonl_print_string(out, c->string ? c->string : "");
			putc_unlocked(':', out);
			jsonl_print(out, c);
			first = false;
		}
		putc_unlocked('}', out);
		break;
	default: fputs("null", out); break; /* an invalid item: cJSON prints nothing at all */
	}
}

void jsonl_write(const cJSON *obj)
{
	jsonl_print(stdout, obj);
	fputc('\n', stdout);
	check_stdout();
}
