/*
 * single.c - SCRATCH method 'single' (to count the files a new method needs): every
 * unlocked commune in one basin, then split into connected parts and merged under the
 * floor, like the other methods' constraint steps.
 */
#include "basins/basins_int.h"

CPTS_BASINS__METHOD(cpts_basins__method_single);

CPTS_BASINS__METHOD(cpts_basins__method_single)
{
	long b = (long)w->n_lab++;

	(void)target;
	(void)sum;
	for (size_t i = 0; i < w->m->n; i++)
		if (!w->locked[i])
			w->lab[i] = b;
	cpts_basins__split_disconnected(w);
	cpts_basins__merge_floor(w, false);
	return CPTS_OK;
}
