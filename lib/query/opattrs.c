#include "opattrs.h"
#include "jsonget.h"

#include <math.h>
#include <stdio.h>

void opattrs_bad(opattrs *a, const char *key, const char *what)
{
	if (!a->bad)
		snprintf(a->err, a->errlen, "%s op: attr '%s' %s", a->op_type, key, what);
	a->bad = true;
}

static unsigned long epoch = 1;
static int depth;

void opattrs_record_begin(void)
{
	depth++;
	epoch++;
}

void opattrs_record_end(void)
{
	depth--;
	epoch++;
}

unsigned long opattrs_epoch(void)
{
	return depth > 0 ? epoch : 0;
}

/* The attr's value, or NULL when it is absent (complaining when required). */
static const cJSON *present(opattrs *a, const char *key, bool required)
{
	const cJSON *v = json_member(a->attrs, key);
	if (v && (a->null_is_wrong_type || !cJSON_IsNull(v)))
		return v;
	if (required) {
		if (!a->says_lack)
			opattrs_bad(a, key, "is missing");
		else {
			if (!a->bad)
				snprintf(a->err, a->errlen, "%s op: attrs lack '%s'", a->op_type, key);
			a->bad = true;
		}
	}
	return NULL;
}

long long opattrs_int(opattrs *a, const char *key, long long def, bool required)
{
	const cJSON *v = present(a, key, required);
	if (!v)
		return def;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9e15) {
		opattrs_bad(a, key, "must be an integer");
		return def;
	}
	return (long long)v->valuedouble;
}

bool opattrs_bool(opattrs *a, const char *key, bool def, bool required)
{
	const cJSON *v = present(a, key, required);
	if (!v)
		return def;
	if (!cJSON_IsBool(v)) {
		opattrs_bad(a, key, "must be true or false");
		return def;
	}
	return cJSON_IsTrue(v);
}

const char *opattrs_str(opattrs *a, const char *key, bool required)
{
	const cJSON *v = present(a, key, required);
	if (!v)
		return NULL;
	if (!cJSON_IsString(v)) {
		opattrs_bad(a, key, "must be a string");
		return NULL;
	}
	return v->valuestring;
}

const quant_mode *opattrs_quant(opattrs *a, const char *key, quant_kind kind, bool required)
{
	const char *name = opattrs_str(a, key, required);
	if (!name)
		return NULL;
	const quant_mode *q = quant_find(kind, name);
	if (q)
		return q;
	char what[160]; /* the width the wide-EP messages always had */
	switch (a->unknown_quant) {
	case OPATTRS_QUANT_LIST_KNOWN:
		if (!a->bad) {
			char names[256];
			quant_list_names(kind, names, sizeof names);
			snprintf(a->err, a->errlen, "%s op: unknown %s '%s' (known: %s)", a->op_type, key, name, names);
		}
		a->bad = true;
		break;
	case OPATTRS_QUANT_NAME_KIND:
		snprintf(what, sizeof what, "'%s' is not a %s quant mode", name, quant_kind_name(kind));
		opattrs_bad(a, key, what);
		break;
	case OPATTRS_QUANT_PLAIN:
		opattrs_bad(a, key, "names an unknown quant mode");
		break;
	}
	return NULL;
}
