/* explain: the grid points behind each look-up (see explain.h). */
#include "explain.h"

#include <stddef.h>

#include "diag.h"

bool explain_on;
static bool wanted;        /* explain_set's value, restored by explain_resume */
static int suspended;      /* nesting of explain_suspend */
static const char *table;  /* the file of the steps that follow */
static cJSON *steps;       /* since the last explain_take */

void explain_set(bool on)
{
	wanted = on;
	explain_on = on && suspended == 0;
}

void explain_suspend(void)
{
	suspended++;
	explain_on = false;
}

void explain_resume(void)
{
	if (suspended > 0)
		suspended--;
	explain_on = wanted && suspended == 0;
}

void explain_table(const char *path)
{
	table = path;
}

static cJSON *numbers(const double *v, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; a && i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
	return a;
}

void explain_step(const char *method, int dims, const double *at, int npts, const double *pts, const double *vals,
		  double value)
{
	if (!steps && !(steps = cJSON_CreateArray()))
		die(EXIT_DATA, "out of memory");
	cJSON *s = cJSON_CreateObject();
	if (!s)
		die(EXIT_DATA, "out of memory");
	if (table)
		cJSON_AddStringToObject(s, "table", table);
	else
		cJSON_AddNullToObject(s, "table");
	cJSON_AddStringToObject(s, "method", method);
	cJSON_AddItemToObject(s, "at", numbers(at, dims));
	/* each point: its coordinates, then its latency */
	cJSON *p = cJSON_AddArrayToObject(s, "points");
	for (int i = 0; i < npts; i++) {
		cJSON *pt = numbers(pts + (ptrdiff_t)i * dims, dims);
		cJSON_AddItemToArray(pt, cJSON_CreateNumber(vals[i]));
		cJSON_AddItemToArray(p, pt);
	}
	cJSON_AddNumberToObject(s, "latency_ms", value);
	cJSON_AddItemToArray(steps, s);
}

cJSON *explain_take(void)
{
	cJSON *s = steps;
	steps = NULL;
	return s;
}
