#include "pdsort.h"
#include "unit.h"

#include <math.h>

/* The orders pandas 1.5.3 / numpy 1.24.2 give (DataFrame({'x': v}).sort_values(by='x', ...).index):
 * not the input order among equal keys once the column has more than 16 rows. */
static bool same(const size_t *got, const size_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			return false;
	return true;
}

int main(void)
{
	const double v[17] = {0.5, 0.501, 0.5, 0.501, 0.5, 0.5, 0.501, 0.5, 0.5, 0.501, 0.5, 0.5, 0.5, 0.501, 0.5, 0.5, 0.501};
	size_t o[40];
	const size_t asc[17] = {0, 14, 12, 11, 10, 15, 7, 8, 5, 4, 2, 9, 3, 13, 1, 6, 16};
	const size_t desc[17] = {16, 3, 13, 6, 1, 9, 11, 15, 14, 12, 0, 10, 7, 5, 4, 2, 8};
	pd_sort_order(v, 17, true, o);
	CHECK(same(o, asc, 17));
	pd_sort_order(v, 17, false, o);
	CHECK(same(o, desc, 17));

	/* ties after 3-decimal rounding, with a NaN (last, whatever the direction) */
	const double w[35] = {0.574, 0.572, 0.574, 0.571, NAN,   0.574, 0.573, 0.574, 0.57,  0.574, 0.574, 0.572,
			      0.574, 0.571, 0.574, 0.573, 0.574, 0.574, 0.569, 0.574, 0.574, 0.574, 0.574, 0.574,
			      0.574, 0.574, 0.574, 0.574, 0.574, 0.574, 0.574, 0.574, 0.574, 0.574, 0.574};
	const size_t wdesc[35] = {0,  19, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 34, 10,
				  7,  16, 14, 2,  12, 5,  17, 9,  15, 6,  1,  11, 3,  13, 8,  18, 4};
	pd_sort_order(w, 35, false, o);
	CHECK(same(o, wdesc, 35));

	/* up to 16 rows numpy sorts by insertion: ties keep their order */
	const double t[5] = {1, 1, 0, 1, 0};
	const size_t tasc[5] = {2, 4, 0, 1, 3};
	pd_sort_order(t, 5, true, o);
	CHECK(same(o, tasc, 5));
	pd_sort_order(t, 0, true, o); /* nothing to sort */
	UNIT_DONE();
}
