/*
 * layout.c - where the communes are and what they look like: towns with dense rings
 * of suburban communes, rural scatter, islands, and their Voronoi polygons.
 *
 * Why this way: a Voronoi tessellation gives polygons whose common borders are the
 * very same edge on both sides, as real commune borders are. Instead of clipping the
 * cells to the territory outline (an overlay that recomputes border vertices), we
 * scatter "ghost" points in a band outside an irregular star-shaped outline, build one
 * diagram over all points and keep the cells of the points inside: the territory edge
 * is then a chain of commune borders, jagged like a real département's, and no
 * coordinate is ever recomputed. Islands are small separate polygons off the coast.
 *
 * Scale: a commune covers about 14 km2 on average (metropolitan France: 15.6), so the
 * territory is as large as N communes need; the outline is centred in Lambert-93
 * (EPSG:2154) near the middle of metropolitan France. Point placement keeps a minimum
 * spacing through synth_grid, so 35,000 communes need no O(n^2) step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "dep/dep.h"
#include "synth/synth_int.h"

#define N_HARM 5
#define CELL_AREA_M2 14.0e6 /* mean commune area */

/* The irregular outline: r(theta) = R (1 + sum a_k cos(k theta + phi_k)), k = 2..6. */
typedef struct shape {
	double cx, cy, r;            /* centre (m) and base radius (m) */
	double a[N_HARM], phi[N_HARM];
} shape;

/* Points being placed: communes first (towns, rings, rural), then ghosts. */
typedef struct placer {
	double *xy;     /* OWNED (x, y) pairs */
	size_t n, cap;
	synth_grid grid;
} placer;

static double shape_radius(const shape *sh, double theta)
{
	double f = 1.0;

	for (int k = 0; k < N_HARM; k++)
		f += sh->a[k] * cos((k + 2) * theta + sh->phi[k]);
	return sh->r * f;
}

/* Signed radial margin: positive inside the outline (metres). */
static double shape_margin(const shape *sh, double x, double y)
{
	double dx = x - sh->cx, dy = y - sh->cy;

	return shape_radius(sh, atan2(dy, dx)) - hypot(dx, dy);
}

static void shape_make(shape *sh, synth_rng *r, size_t n_in)
{
	double sum2 = 0, area = (double)n_in * CELL_AREA_M2;

	for (int k = 0; k < N_HARM; k++) {
		sh->a[k] = synth_rng_range(r, 0.02, 0.09) / sqrt((double)k + 1.0);
		sh->phi[k] = synth_rng_range(r, 0, 2 * M_PI);
		sum2 += sh->a[k] * sh->a[k];
	}
	/* area of the outline = pi R^2 (1 + sum a_k^2 / 2) */
	sh->r = sqrt(area / (M_PI * (1.0 + sum2 / 2.0)));
	/* near Bourges in Lambert-93, shifted a little by the seed */
	sh->cx = 650000.0 + synth_rng_range(r, -20000, 20000);
	sh->cy = 6640000.0 + synth_rng_range(r, -20000, 20000);
}

static void placer_add(placer *p, double x, double y)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->xy = cpts_reallocarray(p->xy, p->cap, 2 * sizeof(double));
	}
	p->xy[2 * p->n] = x;
	p->xy[2 * p->n + 1] = y;
	synth_grid_insert(&p->grid, p->xy, p->n);
	p->n++;
}

/* Town centres well inside the outline and spread apart; returns how many. */
static size_t place_towns(placer *p, const shape *sh, synth_rng *r, size_t k)
{
	double dmin = 0.8 * sqrt(M_PI * sh->r * sh->r / (double)k);
	size_t placed = 0;
	long fails = 0;

	while (placed < k) {
		double x = sh->cx + synth_rng_range(r, -sh->r, sh->r);
		double y = sh->cy + synth_rng_range(r, -sh->r, sh->r);

		if (shape_margin(sh, x, y) > 0.2 * sh->r && !synth_grid_any_within(&p->grid, x, y, dmin)) {
			placer_add(p, x, y);
			placed++;
			fails = 0;
		} else if (++fails > 400) {
			dmin *= 0.9; /* crowded: accept closer towns */
			fails = 0;
		}
	}
	return placed;
}

/* Suburban rings around each town; town_of receives the town of each ring point. */
static void place_rings(placer *p, const shape *sh, synth_rng *r, const double *town_pop,
			size_t k, size_t budget, int32_t **town_of, size_t *n_town_of)
{
	size_t want_total = 0, *want = cpts_calloc(k, sizeof(*want));

	for (size_t t = 0; t < k; t++) {
		want[t] = (size_t)lround(2.0 + 10.0 * sqrt(town_pop[t] / town_pop[0]));
		want_total += want[t];
	}
	for (size_t t = 0; t < k && want_total > budget; t++) {
		want[t] = want[t] * budget / want_total;
	}
	for (size_t t = 0; t < k; t++) {
		double tx = p->xy[2 * t], ty = p->xy[2 * t + 1];
		double rt = 2200.0 + 900.0 * sqrt((double)want[t]);

		for (size_t j = 0; j < want[t]; j++) {
			for (int attempt = 0; attempt < 60; attempt++) {
				double a = synth_rng_range(r, 0, 2 * M_PI);
				double d = synth_rng_range(r, 1500.0, rt);
				double x = tx + d * cos(a), y = ty + d * sin(a);

				if (shape_margin(sh, x, y) < 1500.0 ||
				    synth_grid_any_within(&p->grid, x, y, 1250.0))
					continue;
				placer_add(p, x, y);
				*town_of = cpts_reallocarray(*town_of, *n_town_of + 1, sizeof(**town_of));
				(*town_of)[(*n_town_of)++] = (int32_t)t;
				break;
			}
		}
	}
	free(want);
}

/* Rural communes inside the outline and ghosts in a band outside it, from one uniform
 * stream so both get the same density. Returns the first ghost index. */
static size_t place_rural(placer *p, const shape *sh, synth_rng *r, size_t n_rural,
			  double *spacing_out)
{
	double s = sqrt(M_PI * sh->r * sh->r / (double)(n_rural + 1));
	double dmin = 0.55 * s, band = 2.5 * s, ext = sh->r * 1.6 + band;
	size_t got = 0, n_ghost = 0, first = p->n;
	double *ghost = NULL;
	size_t ghost_cap = 0;
	long fails = 0;

	*spacing_out = s;
	while (got < n_rural) {
		double x = sh->cx + synth_rng_range(r, -ext, ext);
		double y = sh->cy + synth_rng_range(r, -ext, ext);
		double m = shape_margin(sh, x, y);

		if (m < -band || synth_grid_any_within(&p->grid, x, y, dmin)) {
			if (m >= -band && ++fails > 2000) {
				dmin *= 0.95;
				fails = 0;
			}
			continue;
		}
		fails = 0;
		if (m > 0) {
			placer_add(p, x, y);
			got++;
		} else {
			/* ghosts go to the grid too (spacing) but are appended after the rural */
			if (n_ghost == ghost_cap) {
				ghost_cap = ghost_cap ? 2 * ghost_cap : 1024;
				ghost = cpts_reallocarray(ghost, ghost_cap, 2 * sizeof(double));
			}
			ghost[2 * n_ghost] = x;
			ghost[2 * n_ghost + 1] = y;
			n_ghost++;
			placer_add(p, x, y);
		}
	}
	/* reorder: communes first, ghosts last (stable in each group) */
	{
		double *xy = cpts_mallocarray(p->n, 2 * sizeof(double));
		size_t w = 0, gi = 0;

		memcpy(xy, p->xy, first * 2 * sizeof(double));
		w = first;
		for (size_t i = first; i < p->n; i++) {
			double x = p->xy[2 * i], y = p->xy[2 * i + 1];
			if (gi < n_ghost && ghost[2 * gi] == x && ghost[2 * gi + 1] == y) {
				gi++;
				continue;
			}
			xy[2 * w] = x;
			xy[2 * w + 1] = y;
			w++;
		}
		memcpy(xy + 2 * w, ghost, n_ghost * 2 * sizeof(double));
		free(p->xy);
		p->xy = xy;
		p->cap = p->n;
	}
	free(ghost);
	return first + n_rural;
}

/* Build the Voronoi diagram and give each commune its cell. */
static int voronoi_cells(cpts_ctx *ctx, cpts_synth *s, const placer *p, size_t n_in)
{
	GEOSContextHandle_t h = ctx->geos;
	GEOSGeometry **pts = cpts_mallocarray(p->n, sizeof(*pts));
	GEOSGeometry *mp = NULL, *vor = NULL;
	synth_grid grid;
	int rc = CPTS_OK, n_cells;
	double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;

	for (size_t i = 0; i < p->n; i++) {
		double x = p->xy[2 * i], y = p->xy[2 * i + 1];
		pts[i] = GEOSGeom_createPointFromXY_r(h, x, y);
		xmin = fmin(xmin, x), xmax = fmax(xmax, x), ymin = fmin(ymin, y), ymax = fmax(ymax, y);
	}
	mp = GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, pts, (unsigned)p->n);
	free(pts); /* the points now belong to mp */
	synth_grid_init(&grid, xmin, ymin, xmax, ymax,
			fmax(500.0, sqrt((xmax - xmin) * (ymax - ymin) / (double)p->n)));
	for (size_t i = 0; i < p->n; i++)
		synth_grid_insert(&grid, p->xy, i);
	if (!mp || !(vor = GEOSVoronoiDiagram_r(h, mp, NULL, 0.0, 0))) {
		rc = cpts_fail_geos(ctx, CPTS_EDEP, "voronoi diagram of %zu points failed", p->n);
		goto out;
	}
	n_cells = GEOSGetNumGeometries_r(h, vor);
	for (int c = 0; c < n_cells; c++) {
		const GEOSGeometry *cell = GEOSGetGeometryN_r(h, vor, c);
		const GEOSCoordSequence *cs = GEOSGetExteriorRing_r(h, cell) ?
			GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, cell)) : NULL;
		unsigned nv = 0;
		double sx = 0, sy = 0, x, y;
		long gen;

		if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &nv) || nv < 4)
			continue;
		/* the vertex mean lies inside the convex cell, whose nearest site is its own */
		for (unsigned v = 0; v + 1 < nv; v++) {
			GEOSCoordSeq_getXY_r(h, cs, v, &x, &y);
			sx += x;
			sy += y;
		}
		gen = synth_grid_nearest(&grid, sx / (nv - 1), sy / (nv - 1));
		if (gen < 0 || (size_t)gen >= n_in)
			continue;
		if (s->geom[gen]) {
			rc = cpts_fail(ctx, CPTS_EINTERNAL, "two voronoi cells for commune %ld", gen);
			goto out;
		}
		s->geom[gen] = GEOSGeom_clone_r(h, cell);
	}
	for (size_t i = 0; i < n_in; i++) {
		if (!s->geom[i]) {
			rc = cpts_fail(ctx, CPTS_EINTERNAL, "no voronoi cell for commune %zu", i);
			goto out;
		}
	}
out:
	synth_grid_release(&grid);
	if (vor)
		GEOSGeom_destroy_r(h, vor);
	if (mp)
		GEOSGeom_destroy_r(h, mp);
	return rc;
}

/* A small island polygon off the coast, moved outwards until it touches nothing. */
static int place_island(cpts_ctx *ctx, cpts_synth *s, const shape *sh, synth_rng *r,
			size_t idx, double spacing)
{
	GEOSContextHandle_t h = ctx->geos;
	double theta = synth_rng_range(r, 0, 2 * M_PI);
	double rad = 0.45 * spacing, dist = shape_radius(sh, theta) + 4.0 * spacing + rad;
	double rr[10];

	for (int v = 0; v < 10; v++)
		rr[v] = rad * synth_rng_range(r, 0.7, 1.2);
	for (int attempt = 0; attempt < 50; attempt++, dist += spacing) {
		double cx = sh->cx + dist * cos(theta), cy = sh->cy + dist * sin(theta);
		GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, 11, 2);
		GEOSGeometry *ring, *poly;
		bool clash = false;

		for (int v = 0; v <= 10; v++) {
			double a = 2 * M_PI * (v % 10) / 10.0;
			/* round to the centimetre, as written */
			GEOSCoordSeq_setXY_r(h, cs, (unsigned)v, round((cx + rr[v % 10] * cos(a)) * 100) / 100,
					     round((cy + rr[v % 10] * sin(a)) * 100) / 100);
		}
		ring = GEOSGeom_createLinearRing_r(h, cs);
		poly = ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
		if (!poly)
			return cpts_fail_geos(ctx, CPTS_EDEP, "cannot build an island polygon");
		for (size_t i = 0; i < idx && !clash; i++) {
			double xa, xb, ya, yb;
			GEOSGeom_getXMin_r(h, s->geom[i], &xa);
			GEOSGeom_getXMax_r(h, s->geom[i], &xb);
			GEOSGeom_getYMin_r(h, s->geom[i], &ya);
			GEOSGeom_getYMax_r(h, s->geom[i], &yb);
			if (xb < cx - 2 * rad - 100 || xa > cx + 2 * rad + 100 ||
			    yb < cy - 2 * rad - 100 || ya > cy + 2 * rad + 100)
				continue;
			/* at least 100 m of sea to any other commune */
			clash = GEOSDistance_r(h, poly, s->geom[i], &xa) != 1 || xa < 100.0;
		}
		if (!clash) {
			s->geom[idx] = poly;
			s->xy[2 * idx] = cx;
			s->xy[2 * idx + 1] = cy;
			return CPTS_OK;
		}
		GEOSGeom_destroy_r(h, poly);
	}
	return cpts_fail(ctx, CPTS_EINTERNAL, "no room for island %zu", idx);
}

/* Rook adjacency from shared Voronoi edges: an edge (a, b) seen from two cells. */
typedef struct edge_slot {
	double k[4];   /* a.x, a.y, b.x, b.y with a < b */
	int32_t cell;  /* -1 when empty */
} edge_slot;

static uint64_t edge_hash(const double k[4])
{
	uint64_t hsh = 1469598103934665603ULL, w;

	for (int i = 0; i < 4; i++) {
		memcpy(&w, &k[i], sizeof(w));
		hsh = (hsh ^ w) * 1099511628211ULL;
		hsh ^= hsh >> 29;
	}
	return hsh;
}

static int cmp_pair(const void *a, const void *b)
{
	const int32_t *x = a, *y = b;

	return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

static void build_adjacency(cpts_ctx *ctx, cpts_synth *s, size_t n_land)
{
	GEOSContextHandle_t h = ctx->geos;
	size_t cap = 1024, n_pairs = 0, pair_cap = 1024;
	edge_slot *tab;
	int32_t *pairs = cpts_mallocarray(pair_cap, 2 * sizeof(int32_t));

	while (cap < 16 * n_land)
		cap *= 2;
	tab = cpts_mallocarray(cap, sizeof(*tab));
	for (size_t i = 0; i < cap; i++)
		tab[i].cell = -1;
	for (size_t c = 0; c < n_land; c++) {
		const GEOSCoordSequence *cs =
			GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, s->geom[c]));
		unsigned nv = 0;
		double ax, ay, bx, by;

		GEOSCoordSeq_getSize_r(h, cs, &nv);
		for (unsigned v = 0; v + 1 < nv; v++) {
			double k[4];
			GEOSCoordSeq_getXY_r(h, cs, v, &ax, &ay);
			GEOSCoordSeq_getXY_r(h, cs, v + 1, &bx, &by);
			if (ax < bx || (ax == bx && ay < by))
				k[0] = ax, k[1] = ay, k[2] = bx, k[3] = by;
			else
				k[0] = bx, k[1] = by, k[2] = ax, k[3] = ay;
			size_t slot = edge_hash(k) & (cap - 1);
			while (tab[slot].cell >= 0 && memcmp(tab[slot].k, k, sizeof(k)) != 0)
				slot = (slot + 1) & (cap - 1);
			if (tab[slot].cell < 0) {
				memcpy(tab[slot].k, k, sizeof(k));
				tab[slot].cell = (int32_t)c;
			} else if ((size_t)tab[slot].cell != c) {
				if (n_pairs + 2 > pair_cap) {
					pair_cap *= 2;
					pairs = cpts_reallocarray(pairs, pair_cap, 2 * sizeof(int32_t));
				}
				pairs[2 * n_pairs] = tab[slot].cell, pairs[2 * n_pairs + 1] = (int32_t)c;
				n_pairs++;
				pairs[2 * n_pairs] = (int32_t)c, pairs[2 * n_pairs + 1] = tab[slot].cell;
				n_pairs++;
			}
		}
	}
	free(tab);
	cpts_qsort(pairs, n_pairs, 2 * sizeof(int32_t), cmp_pair);
	s->adj_start = cpts_calloc(s->n + 1, sizeof(int32_t));
	s->adj = cpts_mallocarray(n_pairs ? n_pairs : 1, sizeof(int32_t));
	size_t w = 0;
	for (size_t i = 0; i < n_pairs; i++) {
		if (i > 0 && pairs[2 * i] == pairs[2 * i - 2] && pairs[2 * i + 1] == pairs[2 * i - 1])
			continue; /* two cells sharing several edges (after clipping) */
		s->adj[w++] = pairs[2 * i + 1];
		s->adj_start[pairs[2 * i] + 1]++;
	}
	for (size_t i = 0; i < s->n; i++)
		s->adj_start[i + 1] += s->adj_start[i];
	free(pairs);
}

/* Practice sites outside the territory: about one ghost in seven, in a fictional
 * neighbouring département 98 (well-formed codes that are not in the territory). */
static void place_outside(cpts_synth *s, const placer *p, size_t first_ghost, synth_rng *r)
{
	size_t n = 0, cap = p->n - first_ghost;
	double step;

	s->outside = cpts_calloc(cap ? cap : 1, sizeof(*s->outside));
	for (size_t g = first_ghost; g < p->n && n < 999; g++) {
		if (synth_rng_u01(r) >= 0.15)
			continue;
		s->outside[n].x = p->xy[2 * g];
		s->outside[n].y = p->xy[2 * g + 1];
		s->outside[n].gp = round(3.0 * exp(0.7 * synth_rng_normal(r)) * 10.0) / 10.0 + 0.5;
		n++;
	}
	step = n > 1 ? fmin(3.0, 998.0 / (double)(n - 1)) : 1.0;
	for (size_t o = 0; o < n; o++) {
		unsigned num = 1u + (unsigned)((double)o * step);
		char *c = s->outside[o].code;
		c[0] = '9', c[1] = '8';
		c[2] = (char)('0' + num / 100), c[3] = (char)('0' + num / 10 % 10);
		c[4] = (char)('0' + num % 10), c[5] = '\0';
	}
	s->n_outside = n;
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

int synth_layout(cpts_ctx *ctx, cpts_synth *s)
{
	synth_rng r, ri;
	shape sh;
	placer p = { 0 };
	size_t n = s->n, n_isl = n >= 200 ? 2 : n >= 50 ? 1 : 0, n_in = n - n_isl;
	size_t k = (size_t)s->opts.n_towns, n_towns, n_rural;
	int32_t *ring_town = NULL;
	size_t n_ring = 0;
	double *town_pop = NULL, spacing, ext;
	int rc = CPTS_OK;

	synth_rng_seed(&r, s->opts.seed, STREAM_LAYOUT, 0);
	synth_rng_seed(&ri, s->opts.seed, STREAM_ISLANDS, 0);
	shape_make(&sh, &r, n_in);
	ext = sh.r * 1.6 + 2.5 * sqrt(CELL_AREA_M2) * 2;
	synth_grid_init(&p.grid, sh.cx - ext, sh.cy - ext, sh.cx + ext, sh.cy + ext,
			fmax(1000.0, sqrt(CELL_AREA_M2) / 2));
	if (k > n_in / 3)
		k = n_in / 3 ? n_in / 3 : 1;
	n_towns = place_towns(&p, &sh, &r, k);
	/* town sizes: a Zipf-like law, largest 15,000 x K^0.75 (at most 2.2 million) */
	town_pop = cpts_mallocarray(n_towns, sizeof(double));
	for (size_t t = 0; t < n_towns; t++)
		town_pop[t] = fmax(4000.0, fmin(2.2e6, 15000.0 * pow((double)n_towns, 0.75)) /
				   pow((double)t + 1, 0.9) * exp(0.15 * synth_rng_normal(&r)));
	cpts_qsort(town_pop, n_towns, sizeof(double), cmp_desc);
	place_rings(&p, &sh, &r, town_pop, n_towns, (size_t)(0.3 * (double)n_in), &ring_town, &n_ring);
	n_rural = n_in - p.n;
	place_rural(&p, &sh, &r, n_rural, &spacing);
	if ((rc = cpts_progress(ctx, 0.15, "synth: points placed")) < 0)
		goto out;
	if ((rc = voronoi_cells(ctx, s, &p, n_in)) < 0)
		goto out;
	if ((rc = cpts_progress(ctx, 0.35, "synth: voronoi polygons")) < 0)
		goto out;
	for (size_t i = 0; i < n_in; i++) {
		s->xy[2 * i] = p.xy[2 * i];
		s->xy[2 * i + 1] = p.xy[2 * i + 1];
		s->kind[i] = i < n_towns ? KIND_TOWN : i < n_towns + n_ring ? KIND_RING : KIND_RURAL;
		s->town[i] = i < n_towns ? (int32_t)i : i < n_towns + n_ring ? ring_town[i - n_towns] : -1;
	}
	for (size_t i = n_in; i < n; i++) {
		if ((rc = place_island(ctx, s, &sh, &ri, i, spacing)) < 0)
			goto out;
		s->kind[i] = KIND_ISLAND;
		s->town[i] = -1;
	}
	for (size_t i = 0; i < n; i++) {
		double a = 0;
		GEOSArea_r(ctx->geos, s->geom[i], &a);
		s->area_km2[i] = a / 1e6;
	}
	build_adjacency(ctx, s, n_in);
	place_outside(s, &p, n_in, &r);
	/* town populations go to people.c through the pop array as a target */
	for (size_t t = 0; t < n_towns; t++)
		s->pop[t] = lround(town_pop[t]);
out:
	synth_grid_release(&p.grid);
	free(p.xy);
	free(ring_town);
	free(town_pop);
	return rc;
}
