/* coverage_issue: the errors of a sweep's reports (query's "op NAME: SHAPE: WHAT in PATH",
 * opgraph's refusals) grouped into the issues of a support record (see coverage(1)). */
#include "coverage_issue.h"
#include "diag.h"

#include <stdlib.h>
#include <string.h>

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		die(EXIT_DATA, "out of memory");
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* Removes every "<key><digits>" (key such as " b=") from s. */
static void strip_number(char *s, const char *key)
{
	size_t k = strlen(key);
	char *t = s;
	while ((t = strstr(t, key))) {
		char *v = t + k;
		if (*v < '0' || *v > '9') {
			t += k;
			continue;
		}
		while (*v >= '0' && *v <= '9')
			v++;
		memmove(t, v, strlen(v) + 1);
	}
}

/* One report's error: "op NAME: SHAPE: WHAT in PATH (try ...)" from query, anything else from
 * opgraph (a layout the reference refuses as well, or something not modelled). */
void coverage_add_error(cov *c, const char *err)
{
	char *op = NULL, *missing = NULL, *path = NULL;
	bool unmodelled = false;
	if (strncmp(err, "op ", 3) == 0 && strchr(err + 3, ':')) {
		const char *colon = strchr(err + 3, ':');
		op = dupn(err + 3, (size_t)(colon - err - 3));
		const char *what = strstr(colon + 1, ": ");
		what = what ? what + 2 : colon + 2;
		const char *end = what + strlen(what);
		const char *tried = strstr(what, " (try ");
		if (tried)
			end = tried;
		/* the table: the last " in /path" of the message */
		const char *in = NULL;
		for (const char *p = what; (p = strstr(p, " in ")) && p < end; p++)
			in = p;
		if (in && in[4] == '/') {
			path = dupn(in + 4, (size_t)(end - in - 4));
			end = in;
		}
		missing = dupn(what, (size_t)(end - what));
		/* a table named inside the message ("...: PATH_perf.txt has no rows ...") */
		char *perf = strstr(missing, "_perf.txt ");
		if (!path && perf) {
			char *start = perf;
			while (start > missing && start[-1] != ' ')
				start--;
			path = dupn(start, (size_t)(perf + 9 - start));
			/* the message without the path: "...: dsa_context_module_perf.txt has no rows ..." */
			const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			memmove(start, base, strlen(base));
			memmove(start + strlen(base), perf + 9, strlen(perf + 9) + 1);
		}
		/* the batch and sequence length of one point say nothing about the table's gap */
		strip_number(missing, " b=");
		strip_number(missing, " s=");
	} else {
		if (!strstr(err, "not supported") && !strstr(err, "unsupported")) {
			c->refused_layouts++;
			return;
		}
		unmodelled = true;
		op = dupn("-", 1);
		missing = dupn(err, strlen(err));
	}
	for (int i = 0; i < c->nissues; i++) {
		if (!strcmp(c->issues[i].op, op) && !strcmp(c->issues[i].missing, missing)) {
			c->issues[i].configs++;
			free(op), free(missing), free(path);
			return;
		}
	}
	if (c->nissues == MAX_ISSUES) {
		free(op), free(missing), free(path);
		return;
	}
	issue *is = &c->issues[c->nissues++];
	is->op = op;
	is->missing = missing;
	is->path = path;
	is->table = path ? (strrchr(path, '/') ? strrchr(path, '/') + 1 : path) : NULL;
	is->configs = 1;
	is->unmodelled = unmodelled;
}

const char *coverage_level(const cov *c, const char *refused, const char *agg)
{
	if (refused)
		return "S3";
	if (!strcmp(agg, "HW_INCOMPATIBLE") || !strcmp(agg, "NO_DATA"))
		return NULL;
	for (int i = 0; i < c->nissues; i++)
		if (c->issues[i].unmodelled)
			return "S3";
	return c->nissues ? "S2" : "S1";
}
