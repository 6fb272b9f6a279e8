#include "hint.h"
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The last hinted message (its end, where a long one is cut), per thread: a filter asks right
 * after the call that failed. */
static _Thread_local struct {
	hint_code code;
	long arg;
	char tail[512];
} last;

void hint_note(hint_code h, long arg, const char *msg)
{
	size_t len = strlen(msg), keep = sizeof last.tail - 1;
	last.code = h;
	last.arg = arg;
	snprintf(last.tail, sizeof last.tail, "%s", len > keep ? msg + len - keep : msg);
}

int hint_errf(hint_code h, long arg, char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_verrf(err, n, fmt, ap);
	va_end(ap);
	if (err && n)
		hint_note(h, arg, err);
	return -1;
}

hint_code hint_of(const char *msg, long *arg)
{
	size_t len = strlen(msg), tlen = strlen(last.tail);
	if (last.code == HINT_NONE || !tlen || tlen > len || strcmp(msg + len - tlen, last.tail))
		return HINT_NONE;
	if (arg)
		*arg = last.arg;
	return last.code;
}

void hint_cat(char *msg, size_t n, const char *fmt, ...)
{
	size_t used = strlen(msg);
	if (used + 1 >= n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + used, n - used, fmt, ap);
	va_end(ap);
}
