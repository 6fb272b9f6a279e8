/* datadir_list: the path bound and the sorted name lists (backends, versions, family folders)
 * that lib/perf/datadir and lib/perf/perftree both build, beneath them both. */
#ifndef INFERCAST_DATADIR_LIST_H
#define INFERCAST_DATADIR_LIST_H

#include <stddef.h>

#define DATADIR_PATH_MAX 4096

/* A sorted (strcmp) list of names; free with datadir_list_free. */
struct datadir_list {
	size_t n;
	char **names;
};
void datadir_list_free(struct datadir_list *l);
/* "a, b, c" (or "none") into buf. */
void datadir_list_join(const struct datadir_list *l, char *buf, size_t n);

#endif
