#include "datadir_list.h"

#include <stdio.h>
#include <stdlib.h>

void datadir_list_free(struct datadir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	l->names = NULL;
	l->n = 0;
}

void datadir_list_join(const struct datadir_list *l, char *buf, size_t n)
{
	size_t used = 0;
	if (!n)
		return;
	buf[0] = '\0';
	if (l->n == 0)
		snprintf(buf, n, "none");
	for (size_t i = 0; i < l->n && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", l->names[i]);
}
