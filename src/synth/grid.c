/*
 * grid.c - a bucket grid over points, for the generator's neighbour queries.
 *
 * Why: placing 35,000 points with a minimum spacing, mapping Voronoi cells back to
 * their generators and finding the practice communes within reach of each origin
 * would be O(n^2) with a scan; a uniform grid makes each query look at a few cells.
 * Points are kept as indices into a caller-owned coordinate array; each cell holds a
 * singly linked list (head per cell, next per point), so insertion is O(1).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "synth/synth_int.h"

void synth_grid_init(synth_grid *g, double xmin, double ymin, double xmax, double ymax,
		     double cell)
{
	memset(g, 0, sizeof(*g));
	g->x0 = xmin;
	g->y0 = ymin;
	g->cell = cell;
	g->nx = (long)ceil((xmax - xmin) / cell) + 1;
	g->ny = (long)ceil((ymax - ymin) / cell) + 1;
	if (g->nx < 1)
		g->nx = 1;
	if (g->ny < 1)
		g->ny = 1;
	g->head = cpts_mallocarray((size_t)(g->nx * g->ny), sizeof(*g->head));
	for (long i = 0; i < g->nx * g->ny; i++)
		g->head[i] = -1;
}

void synth_grid_release(synth_grid *g)
{
	free(g->head);
	free(g->next);
	memset(g, 0, sizeof(*g));
}

static long clampl(long v, long lo, long hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static long cell_x(const synth_grid *g, double x)
{
	return clampl((long)floor((x - g->x0) / g->cell), 0, g->nx - 1);
}

static long cell_y(const synth_grid *g, double y)
{
	return clampl((long)floor((y - g->y0) / g->cell), 0, g->ny - 1);
}

void synth_grid_insert(synth_grid *g, const double *xy, size_t i)
{
	long c;

	g->xy = xy;
	if (i >= g->cap) {
		size_t cap = g->cap ? g->cap : 1024;
		while (cap <= i)
			cap *= 2;
		g->next = cpts_reallocarray(g->next, cap, sizeof(*g->next));
		g->cap = cap;
	}
	c = cell_y(g, xy[2 * i + 1]) * g->nx + cell_x(g, xy[2 * i]);
	g->next[i] = g->head[c];
	g->head[c] = (int32_t)i;
	if (i + 1 > g->n)
		g->n = i + 1;
}

bool synth_grid_any_within(const synth_grid *g, double x, double y, double r)
{
	long cx0 = cell_x(g, x - r), cx1 = cell_x(g, x + r);
	long cy0 = cell_y(g, y - r), cy1 = cell_y(g, y + r);

	for (long cy = cy0; cy <= cy1; cy++)
		for (long cx = cx0; cx <= cx1; cx++)
			for (int32_t p = g->head[cy * g->nx + cx]; p >= 0; p = g->next[p])
				if (synth_dist(x, y, g->xy[2 * p], g->xy[2 * p + 1]) < r)
					return true;
	return false;
}

/* Visit the cells of ring k (Chebyshev distance k) around (cx, cy). */
#define RING_FOR(g, cx, cy, k, X, Y, BODY)                                          \
	for (long Y = (cy) - (k); Y <= (cy) + (k); Y++) {                          \
		if (Y < 0 || Y >= (g)->ny)                                         \
			continue;                                                  \
		long step_ = (Y == (cy) - (k) || Y == (cy) + (k)) ? 1 : 2 * (k);   \
		if (step_ == 0)                                                    \
			step_ = 1;                                                 \
		for (long X = (cx) - (k); X <= (cx) + (k); X += step_) {           \
			if (X < 0 || X >= (g)->nx)                                 \
				continue;                                          \
			BODY                                                       \
		}                                                                  \
	}

long synth_grid_nearest(const synth_grid *g, double x, double y)
{
	long cx = cell_x(g, x), cy = cell_y(g, y), best = -1;
	long kmax = g->nx > g->ny ? g->nx : g->ny;
	double bd = INFINITY;

	for (long k = 0; k <= kmax; k++) {
		/* every point of ring k is at least (k - 1) cells away */
		if (best >= 0 && (double)(k - 1) * g->cell > bd)
			break;
		RING_FOR(g, cx, cy, k, X, Y, {
			for (int32_t p = g->head[Y * g->nx + X]; p >= 0; p = g->next[p]) {
				double d = synth_dist(x, y, g->xy[2 * p], g->xy[2 * p + 1]);
				if (d < bd || (d == bd && p < best)) {
					bd = d;
					best = p;
				}
			}
		})
	}
	return best;
}

size_t synth_grid_gather(const synth_grid *g, double x, double y, size_t want, long max_ring,
			 int32_t **out, size_t *cap)
{
	long cx = cell_x(g, x), cy = cell_y(g, y);
	size_t n = 0;

	for (long k = 0; k <= max_ring; k++) {
		RING_FOR(g, cx, cy, k, X, Y, {
			for (int32_t p = g->head[Y * g->nx + X]; p >= 0; p = g->next[p]) {
				if (n == *cap) {
					*cap = *cap ? 2 * *cap : 256;
					*out = cpts_reallocarray(*out, *cap, sizeof(**out));
				}
				(*out)[n++] = p;
			}
		})
		if (n >= want)
			break;
	}
	return n;
}
