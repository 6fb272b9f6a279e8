/* suggest: the known names closest to a mistyped one (see suggest.h). */
#include "suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SUGGEST_NAME_MAX 64
#define SUGGEST_MAX 3

/* Edit distance of a and b, case ignored (both shorter than SUGGEST_NAME_MAX). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[SUGGEST_NAME_MAX + 1];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t sub = diag + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			diag = up;
		}
	}
	return row[lb];
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t ln = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, ln) == 0)
			return true;
	return false;
}

const char *suggest_names(const char *name, const char *known, char *out, size_t n)
{
	char names[SUGGEST_MAX][SUGGEST_NAME_MAX];
	size_t count = 0, best = (size_t)-1;
	if (n)
		out[0] = '\0';
	size_t lname = strlen(name);
	if (!lname || lname >= SUGGEST_NAME_MAX)
		return out;
	/* names that start with the typed one (h200 -> h200_sxm), else that hold it, else the nearest */
	for (int pass = 0; pass < 3 && count == 0; pass++) {
		for (const char *p = known; *p;) {
			size_t len = strcspn(p, ",");
			char cand[SUGGEST_NAME_MAX];
			if (len < sizeof cand) {
				snprintf(cand, sizeof cand, "%.*s", (int)len, p);
				bool take;
				if (pass == 0) {
					take = lname >= 2 && strncasecmp(cand, name, lname) == 0;
				} else if (pass == 1) {
					take = lname >= 2 && contains_nocase(cand, name);
				} else {
					size_t d = distance(name, cand);
					/* close: at most a third of the name wrong, and never more than 3 edits */
					size_t limit = lname / 3 < 3 ? (lname / 3 ? lname / 3 : 1) : 3;
					take = d <= limit && d <= best;
					if (take && d < best) {
						best = d;
						count = 0;
					}
				}
				if (take && count < SUGGEST_MAX)
					snprintf(names[count++], SUGGEST_NAME_MAX, "%s", cand);
			}
			p += len;
			while (*p == ',' || *p == ' ')
				p++;
		}
	}
	size_t used = 0;
	for (size_t i = 0; i < count && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? " or " : "", names[i]);
	return out;
}
