/* pdsort: the row order of pandas' DataFrame.sort_values on one float column (kind
 * "quicksort", NaNs last), which the reference uses to rank sweep results. That sort is not
 * stable: rows with equal keys (frequent after the reference's 3-decimal rounding) come out in
 * the order numpy's introsort argsort leaves them, and where a top-k cut falls among them it
 * decides which rows survive. We follow the same steps: pandas' nargsort (for a descending sort
 * it reverses the column, argsorts it ascending and reverses the result) over numpy 1.24's
 * aquicksort for float64 (median-of-3 quicksort, insertion sort up to 16 elements, heapsort past
 * the depth limit). */
#ifndef INFERCAST_PDSORT_H
#define INFERCAST_PDSORT_H

#include <stdbool.h>
#include <stddef.h>

/* Fills order[0..n) with the indices of keys in the order sort_values gives. */
void pd_sort_order(const double *keys, size_t n, bool ascending, size_t *order);

/* Reorders items[0..n) (each `size` bytes) as sort_values on key(item) would. */
void pd_sort_items(void *items, size_t n, size_t size, double (*key)(const void *item), bool ascending);

#endif
