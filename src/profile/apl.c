/*
 * apl.c - accessibilité potentielle localisée (APL, DREES/IRDES) by the two-step
 * floating catchment of DOMAIN.md section 6:
 *   R_j = S_j / sum_i P_i w(d_ij)        (supply per standardised inhabitant served)
 *   APL_i = sum_j w(d_ij) R_j
 * w is a step function of the travel time (default < 10 min: 1, < 15: 2/3, < 20: 1/3,
 * beyond: 0; a time gets the weight of the first band whose bound it is below).
 *
 * Travel times come from an OD matrix (CSR by origin = residence commune) when one was
 * ingested, else from the distance between representative points times a detour
 * factor at a constant speed. In that mode the pairs within reach are found with a
 * uniform grid whose cell is at least the reach distance, so only the 3 x 3 cells
 * around a point are scanned: O(n * neighbours), never O(n^2) (35,000 communes take
 * well under a second). With an OD matrix, a commune missing from its own row is given
 * a time of 0 to itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/profile.h"
#include "cpts/util.h"

static double weight(const cpts_apl_input *in, double minutes)
{
	for (int b = 0; b < 3; b++)
		if (minutes < in->t[b])
			return in->w[b];
	return 0.0;
}

typedef struct grid {
	size_t n;        /* points in this CRS group */
	size_t *pt;      /* point indices sorted by cell (OWNED) */
	size_t *start;   /* nx * ny + 1 offsets into pt (OWNED) */
	long nx, ny;
	double minx, miny, cs;
} grid;

static void cell_xy(const grid *g, double x, double y, long *cx, long *cy)
{
	*cx = (long)floor((x - g->minx) / g->cs);
	*cy = (long)floor((y - g->miny) / g->cs);
	if (*cx < 0)
		*cx = 0;
	if (*cy < 0)
		*cy = 0;
	if (*cx >= g->nx)
		*cx = g->nx - 1;
	if (*cy >= g->ny)
		*cy = g->ny - 1;
}

/* Build a grid over the points idx[0..n) with cells of at least reach metres. */
static void grid_build(grid *g, const cpts_apl_input *in, const size_t *idx, size_t n,
		       double reach)
{
	double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
	size_t *fill;

	memset(g, 0, sizeof(*g));
	g->n = n;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		minx = fmin(minx, in->x[i]);
		maxx = fmax(maxx, in->x[i]);
		miny = fmin(miny, in->y[i]);
		maxy = fmax(maxy, in->y[i]);
	}
	g->minx = minx;
	g->miny = miny;
	g->cs = reach > 1.0 ? reach : 1.0;
	for (;;) {
		double fx = floor((maxx - minx) / g->cs) + 1, fy = floor((maxy - miny) / g->cs) + 1;
		/* bounded memory: at most about 4 cells per point (bigger cells stay correct) */
		if (fx * fy <= 4.0 * (double)n + 16) {
			g->nx = (long)fx;
			g->ny = (long)fy;
			break;
		}
		g->cs *= 2;
	}
	g->start = cpts_calloc((size_t)(g->nx * g->ny) + 1, sizeof(size_t));
	g->pt = cpts_mallocarray(n ? n : 1, sizeof(size_t));
	for (size_t k = 0; k < n; k++) {
		long cx, cy;
		cell_xy(g, in->x[idx[k]], in->y[idx[k]], &cx, &cy);
		g->start[cy * g->nx + cx + 1]++;
	}
	for (long c = 0; c < g->nx * g->ny; c++)
		g->start[c + 1] += g->start[c];
	fill = cpts_mallocarray((size_t)(g->nx * g->ny) + 1, sizeof(size_t));
	memcpy(fill, g->start, ((size_t)(g->nx * g->ny) + 1) * sizeof(size_t));
	for (size_t k = 0; k < n; k++) {
		long cx, cy;
		cell_xy(g, in->x[idx[k]], in->y[idx[k]], &cx, &cy);
		g->pt[fill[cy * g->nx + cx]++] = idx[k];
	}
	free(fill);
}

static void grid_release(grid *g)
{
	free(g->pt);
	free(g->start);
}

/*
 * Sum over the neighbours j of point i (same CRS group) of w(d_ij) * val[j] (pass
 * 2) or, when acc is not NULL, add w(d_ij) * val_i to acc[j] (pass 1, symmetric).
 */
static double grid_visit(const grid *g, const cpts_apl_input *in, size_t i,
			 const double *val, double *acc, double vi)
{
	long cx, cy;
	double s = 0, km_to_min = in->detour / in->speed_kmh * 60.0;

	cell_xy(g, in->x[i], in->y[i], &cx, &cy);
	for (long y = cy - 1; y <= cy + 1; y++) {
		if (y < 0 || y >= g->ny)
			continue;
		for (long x = cx - 1; x <= cx + 1; x++) {
			if (x < 0 || x >= g->nx)
				continue;
			size_t c = (size_t)(y * g->nx + x);
			for (size_t k = g->start[c]; k < g->start[c + 1]; k++) {
				size_t j = g->pt[k];
				double dx = in->x[i] - in->x[j], dy = in->y[i] - in->y[j];
				double w = weight(in, sqrt(dx * dx + dy * dy) / 1000.0 * km_to_min);
				if (w == 0)
					continue;
				if (acc)
					acc[j] += w * vi;
				else
					s += w * val[j];
			}
		}
	}
	return s;
}

static int apl_centroid(cpts_ctx *ctx, double *apl, const cpts_apl_input *in, double *r)
{
	size_t *idx = cpts_mallocarray(in->n ? in->n : 1, sizeof(size_t));
	double *den = cpts_calloc(in->n ? in->n : 1, sizeof(double));
	/* reach: the distance whose time is the last band's bound */
	double reach_m = in->t[2] * in->speed_kmh / 60.0 / in->detour * 1000.0;
	bool *done = cpts_calloc(in->n ? in->n : 1, sizeof(bool));
	int rc = CPTS_OK;

	for (size_t i0 = 0; i0 < in->n; i0++) {
		size_t n = 0;
		grid g;
		if (done[i0])
			continue;
		/* the points of one CRS */
		for (size_t i = i0; i < in->n; i++) {
			if (done[i] || (in->srid && in->srid[i] != in->srid[i0]))
				continue;
			done[i] = true;
			idx[n++] = i;
		}
		grid_build(&g, in, idx, n, reach_m);
		/* pass 1: demand around each supply point (symmetric distances: scatter P_i
		   of each populated point onto its neighbours) */
		for (size_t k = 0; k < n; k++) {
			size_t i = idx[k];
			if (in->pop[i] > 0)
				grid_visit(&g, in, i, NULL, den, in->pop[i]);
			if ((k & 4095) == 0 && cpts_interrupted(ctx)) {
				rc = cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
				grid_release(&g);
				goto out;
			}
		}
		for (size_t k = 0; k < n; k++) {
			size_t j = idx[k];
			r[j] = in->supply[j] > 0 && den[j] > 0 ? in->supply[j] / den[j] : 0.0;
		}
		/* pass 2 */
		for (size_t k = 0; k < n; k++)
			apl[idx[k]] = grid_visit(&g, in, idx[k], r, NULL, 0);
		grid_release(&g);
	}
out:
	free(idx);
	free(den);
	free(done);
	return rc;
}

static int apl_od(cpts_ctx *ctx, double *apl, const cpts_apl_input *in, double *r)
{
	double *den = cpts_calloc(in->n ? in->n : 1, sizeof(double));
	int rc = CPTS_OK;

	for (size_t i = 0; i < in->n; i++) {
		bool self = false;
		for (size_t k = in->od_start[i]; k < in->od_start[i + 1]; k++) {
			size_t j = in->od_dest[k];
			self |= j == i;
			den[j] += in->pop[i] * weight(in, in->od_min[k]);
		}
		if (!self)
			den[i] += in->pop[i] * weight(in, 0.0);
		if ((i & 4095) == 0 && cpts_interrupted(ctx)) {
			rc = cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
			goto out;
		}
	}
	for (size_t j = 0; j < in->n; j++)
		r[j] = in->supply[j] > 0 && den[j] > 0 ? in->supply[j] / den[j] : 0.0;
	for (size_t i = 0; i < in->n; i++) {
		bool self = false;
		double s = 0;
		for (size_t k = in->od_start[i]; k < in->od_start[i + 1]; k++) {
			size_t j = in->od_dest[k];
			self |= j == i;
			s += weight(in, in->od_min[k]) * r[j];
		}
		if (!self)
			s += weight(in, 0.0) * r[i];
		apl[i] = s;
	}
out:
	free(den);
	return rc;
}

int cpts_apl_compute(cpts_ctx *ctx, double *apl_out, const cpts_apl_input *in)
{
	double *r;
	int rc;

	if (in->n == 0)
		return CPTS_OK;
	if (!(in->t[0] <= in->t[1] && in->t[1] <= in->t[2]) || !(in->t[2] > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "APL time bands must increase (got %g, %g, %g)",
				 in->t[0], in->t[1], in->t[2]);
	if (!in->od_start && !(in->detour > 0 && in->speed_kmh > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "APL detour factor and speed must be positive");
	r = cpts_calloc(in->n, sizeof(double));
	rc = in->od_start ? apl_od(ctx, apl_out, in, r) : apl_centroid(ctx, apl_out, in, r);
	free(r);
	return rc;
}
