/* strcut: snprintf(dst, n, "%s", src) without the printf machinery: src cut to n - 1 bytes and
 * always terminated (n > 0). The reports copy names and cells by the thousand per second. */
#ifndef INFERCAST_STRCUT_H
#define INFERCAST_STRCUT_H

#include <string.h>

static inline void str_cut(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

#endif
