#include "fidelity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fidelity_parse(const char *s, fidelity *out)
{
	if (s && strcmp(s, "load") == 0)
		*out = FIDELITY_LOAD;
	else if (s && strcmp(s, "reference") == 0)
		*out = FIDELITY_REFERENCE;
	else
		return -1;
	return 0;
}

int fidelity_resolve(const char *opt, fidelity *out, char *err, size_t errn)
{
	if (opt) {
		if (fidelity_parse(opt, out) == 0)
			return 0;
		snprintf(err, errn, "fidelity must be load or reference, not '%s'", opt); /* the option's value */
		return -1;
	}
	const char *env = getenv("INFERCAST_FIDELITY");
	if (!env || !*env) {
		*out = FIDELITY_LOAD;
		return 0;
	}
	if (fidelity_parse(env, out) == 0)
		return 0;
	snprintf(err, errn, "INFERCAST_FIDELITY must be load or reference, not '%s' (unset it for load)", env);
	return -1;
}

const char *fidelity_name(fidelity f)
{
	return f == FIDELITY_REFERENCE ? "reference" : "load";
}
