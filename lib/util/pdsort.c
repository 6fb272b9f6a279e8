#include "pdsort.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* numpy's float64 order: NaN after every number */
static bool less(double a, double b)
{
	return a < b || (b != b && a == a);
}

static void swap(size_t *a, size_t *b)
{
	size_t t = *a;
	*a = *b;
	*b = t;
}

static int msb(size_t n)
{
	int d = 0;
	while (n >>= 1)
		d++;
	return d;
}

/* Sifts tmp down from heap position i of a[1..n] (numpy's heapsort step). */
static void sift_down(const double *v, size_t *a, size_t i, size_t n, size_t tmp)
{
	for (size_t j = i << 1; j <= n;) {
		if (j < n && less(v[a[j]], v[a[j + 1]]))
			j += 1;
		if (!less(v[tmp], v[a[j]]))
			break;
		a[i] = a[j];
		i = j;
		j += j;
	}
	a[i] = tmp;
}

/* numpy's aheapsort: tosort[0..n) by v, heap indices from 1 */
static void aheapsort(const double *v, size_t *tosort, size_t n)
{
	size_t *a = tosort - 1;
	for (size_t l = n >> 1; l > 0; --l)
		sift_down(v, a, l, n, a[l]);
	for (; n > 1;) {
		size_t tmp = a[n];
		a[n] = a[1];
		n -= 1;
		sift_down(v, a, 1, n, tmp);
	}
}

enum { SMALL_QUICKSORT = 15, QS_STACK = 128 };

/* numpy's aquicksort for float64: ascending argsort of v into tosort (preset to 0..num-1). */
static void aquicksort(const double *v, size_t *tosort, size_t num)
{
	if (num < 2)
		return;
	size_t *pl = tosort, *pr = tosort + num - 1;
	size_t *stack[QS_STACK], **sptr = stack;
	int depth[QS_STACK], *psdepth = depth;
	int cdepth = msb(num) * 2;
	for (;;) {
		if (cdepth < 0) {
			aheapsort(v, pl, (size_t)(pr - pl) + 1);
			goto stack_pop;
		}
		while (pr - pl > SMALL_QUICKSORT) {
			size_t *pm = pl + ((pr - pl) >> 1);
			if (less(v[*pm], v[*pl]))
				swap(pm, pl);
			if (less(v[*pr], v[*pm]))
				swap(pr, pm);
			if (less(v[*pm], v[*pl]))
				swap(pm, pl);
			double vp = v[*pm];
			size_t *pi = pl, *pj = pr - 1;
			swap(pm, pj);
			for (;;) {
				do
					++pi;
				while (less(v[*pi], vp));
				do
					--pj;
				while (less(vp, v[*pj]));
				if (pi >= pj)
					break;
				swap(pi, pj);
			}
			swap(pi, pr - 1);
			/* the larger partition waits on the stack */
			if (pi - pl < pr - pi) {
				*sptr++ = pi + 1;
				*sptr++ = pr;
				pr = pi - 1;
			} else {
				*sptr++ = pl;
				*sptr++ = pi - 1;
				pl = pi + 1;
			}
			*psdepth++ = --cdepth;
		}
		for (size_t *pi = pl + 1; pi <= pr; ++pi) { /* insertion sort */
			size_t vi = *pi;
			double vp = v[vi];
			size_t *pj = pi, *pk = pi - 1;
			while (pj > pl && less(vp, v[*pk]))
				*pj-- = *pk--;
			*pj = vi;
		}
stack_pop:
		if (sptr == stack)
			break;
		pr = *(--sptr);
		pl = *(--sptr);
		cdepth = *(--psdepth);
	}
}

void pd_sort_order(const double *keys, size_t n, bool ascending, size_t *order)
{
	/* pandas' nargsort: numbers first (argsorted, reversed around a descending sort), NaNs last
	 * in their original order */
	double *v = xcalloc(n, sizeof *v);
	size_t *pos = xmalloc(n * sizeof *pos), *idx = xmalloc(n * sizeof *idx);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (keys[i] == keys[i])
			pos[m++] = i;
	if (!ascending)
		for (size_t i = 0; i < m / 2; i++)
			swap(&pos[i], &pos[m - 1 - i]);
	for (size_t i = 0; i < m; i++) {
		v[i] = keys[pos[i]];
		idx[i] = i;
	}
	aquicksort(v, idx, m);
	for (size_t i = 0; i < m; i++)
		order[ascending ? i : m - 1 - i] = pos[idx[i]];
	for (size_t i = 0; i < n; i++)
		if (keys[i] != keys[i])
			order[m++] = i;
	free(v);
	free(pos);
	free(idx);
}

void pd_sort_items(void *items, size_t n, size_t size, double (*key)(const void *item), bool ascending)
{
	if (n < 2)
		return;
	char *base = items;
	double *k = xcalloc(n, sizeof *k);
	size_t *order = xcalloc(n, sizeof *order);
	char *tmp = xmalloc(n * size);
	for (size_t i = 0; i < n; i++)
		k[i] = key(base + i * size);
	pd_sort_order(k, n, ascending, order);
	for (size_t i = 0; i < n; i++)
		memcpy(tmp + i * size, base + order[i] * size, size);
	memcpy(base, tmp, n * size);
	free(k);
	free(order);
	free(tmp);
}
