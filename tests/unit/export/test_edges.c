/*
 * test_edges.c - unit tests of the shared-border simplification of the maps
 * (src/export/edges.c, ex_edges_simplify).
 *
 * The input is a coverage built by hand: a 4 x 4 grid of 1 km cells whose borders are
 * wavy, noisy lines of 200 vertices (each border written once and read by both cells, so
 * neighbours share their vertices, as IGN communes do), one cell holding an enclave
 * (an island polygon that is exactly its hole: a ring with no node), a tiny cell under
 * the tolerance, and the outline of the whole grid. Every expectation is checked with
 * GEOS predicates computed independently of edges.c: validity, DE-9IM "touch along a
 * line" between neighbours (no overlap), one polygon without hole for the union (no
 * sliver), the simplified outline topologically equal to the union of the simplified
 * cells, the area error within perimeter x tolerance. The per-polygon simplification
 * the maps used before is shown to overlap on the same input.
 */
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/ctx.h"
#include "cpts/util.h"
#include "export/svg.h"
#include "tap.h"

#define G 4          /* cells per side */
#define L 1000.0     /* cell side, metres */
static int K = 200;  /* interior vertices per border: 200, then 2000 (decimated: the
			map has more than EX_DECIMATE_FROM vertices) */
#define AMP 30.0     /* wiggle amplitude */
#define TOL 20.0     /* simplification tolerance */

static GEOSContextHandle_t h;

/* Deterministic noise in [-1, 1] for border b, vertex k. */
static double noise(unsigned b, unsigned k)
{
	unsigned x = b * 2654435761u ^ (k + 1) * 40503u;

	x ^= x >> 13;
	x *= 0x5bd1e995u;
	x ^= x >> 15;
	return (double)(x % 20001) / 10000.0 - 1.0;
}

/* Border points from grid node (i0, j0) to (i1, j1) (one step), K interior wiggles;
 * the same border always gets the same points (keyed by its lower node). */
static void border(double *xy, int i0, int j0, int i1, int j1)
{
	int rev = i1 < i0 || j1 < j0;
	int ia = rev ? i1 : i0, ja = rev ? j1 : j0, horiz = j0 == j1;
	unsigned id = (unsigned)((ja * (G + 1) + ia) * 2 + horiz);

	for (int k = 0; k <= K + 1; k++) {
		/* a smooth wave plus a noise under the tolerance, tapered to 0 at the nodes
		   (so that the four borders at a node stay in their own cones) */
		double t = (double)k / (K + 1);
		double off = k == 0 || k == K + 1 ? 0 : AMP * sin(M_PI * t) *
			     (0.7 * sin(2 * M_PI * (3 * t + 0.1 * (id % 7))) + 0.3 * noise(id, (unsigned)k));
		double x = horiz ? (ia + t) * L : ia * L + off;
		double y = horiz ? ja * L + off : (ja + t) * L;
		int p = rev ? K + 1 - k : k;
		xy[2 * p] = x;
		xy[2 * p + 1] = y;
	}
}

/* A ring through the grid nodes nodes[0..n-1] (closed: the last equals the first). */
static GEOSGeometry *grid_ring(const int (*nodes)[2], int n)
{
	size_t cap = (size_t)(n - 1) * (K + 1) + 1, m = 0;
	double *xy = malloc(cap * 2 * sizeof(double)), *seg = malloc(2 * (K + 2) * sizeof(double));
	GEOSCoordSequence *cs;

	for (int s = 0; s + 1 < n; s++) {
		border(seg, nodes[s][0], nodes[s][1], nodes[s + 1][0], nodes[s + 1][1]);
		for (int k = s == 0 ? 0 : 1; k <= K + 1; k++) {
			xy[2 * m] = seg[2 * k];
			xy[2 * m + 1] = seg[2 * k + 1];
			m++;
		}
	}
	/* started a third of a border after its first node, as a ring read from a file may
	   be: a simplifier anchored on the ring's first point treats each side apart */
	double *rot = malloc(m * 2 * sizeof(double));
	for (size_t k = 0; k + 1 < m; k++) {
		size_t q = (k + K / 3) % (m - 1);
		rot[2 * k] = xy[2 * q];
		rot[2 * k + 1] = xy[2 * q + 1];
	}
	rot[2 * (m - 1)] = rot[0];
	rot[2 * (m - 1) + 1] = rot[1];
	cs = GEOSCoordSeq_copyFromBuffer_r(h, rot, (unsigned)m, 0, 0);
	free(xy);
	free(seg);
	free(rot);
	return GEOSGeom_createLinearRing_r(h, cs);
}

/* The enclave's ring: a wiggly circle of radius 200 m around (x, y), reversed on demand. */
static GEOSGeometry *circle(double x, double y, int reversed)
{
	enum { N = 300 };
	double xy[2 * (N + 1)];

	for (int k = 0; k <= N; k++) {
		int q = reversed ? N - k : k;
		double a = 2 * M_PI * (q % N) / N, r = 200 + 10 * noise(999, (unsigned)(q % N));
		xy[2 * k] = x + r * cos(a);
		xy[2 * k + 1] = y + r * sin(a);
	}
	return GEOSGeom_createLinearRing_r(h, GEOSCoordSeq_copyFromBuffer_r(h, xy, N + 1, 0, 0));
}

static GEOSGeometry *cell(int i, int j)
{
	const int nodes[5][2] = { { i, j }, { i + 1, j }, { i + 1, j + 1 }, { i, j + 1 }, { i, j } };
	GEOSGeometry *hole = i == 1 && j == 1 ? circle(1.5 * L, 1.5 * L, 1) : NULL;

	return GEOSGeom_createPolygon_r(h, grid_ring(nodes, 5), hole ? &hole : NULL, hole ? 1 : 0);
}

static GEOSGeometry *outline(void)
{
	int nodes[4 * G + 1][2], n = 0;

	for (int i = 0; i < G; i++)
		nodes[n][0] = i, nodes[n++][1] = 0;
	for (int j = 0; j < G; j++)
		nodes[n][0] = G, nodes[n++][1] = j;
	for (int i = G; i > 0; i--)
		nodes[n][0] = i, nodes[n++][1] = G;
	for (int j = G; j > 0; j--)
		nodes[n][0] = 0, nodes[n++][1] = j;
	nodes[n][0] = 0, nodes[n++][1] = 0;
	return GEOSGeom_createPolygon_r(h, grid_ring((const int (*)[2])nodes, n), NULL, 0);
}

#define N_CELLS (G * G)
#define I_ENCLAVE N_CELLS
#define I_NULL (N_CELLS + 1)
#define I_OUTLINE (N_CELLS + 2)
#define N_IN (N_CELLS + 3)

static size_t n_coords(GEOSGeometry *const *g, size_t n)
{
	size_t s = 0;

	for (size_t k = 0; k < n; k++)
		if (g[k])
			s += (size_t)GEOSGetNumCoordinates_r(h, g[k]);
	return s;
}

/* Every check on the grid of borders of K interior vertices. */
static void run(cpts_ctx *ctx)
{
	GEOSGeometry *in[N_IN] = { 0 }, *out[N_IN], *out2[N_IN], *u, *coll, *parts[N_CELLS + 1];
	double sum = 0, area_u = 0;
	int all_valid = 1, all_touch = 1, area_ok = 1, n_pairs = 0, old_overlaps = 0;

	diag("borders of %d vertices", K);
	for (int j = 0; j < G; j++)
		for (int i = 0; i < G; i++)
			in[j * G + i] = cell(i, j);
	in[I_ENCLAVE] = GEOSGeom_createPolygon_r(h, circle(1.5 * L, 1.5 * L, 0), NULL, 0);
	in[I_OUTLINE] = outline();
	for (int k = 0; k < N_IN; k++)
		ok(k == I_NULL || GEOSisValid_r(h, in[k]) == 1, "input %d is a valid polygon", k);

	is_int(ex_edges_simplify(ctx, out, (const GEOSGeometry *const *)in, N_IN, TOL), CPTS_OK,
	       "ex_edges_simplify succeeds");
	ok(out[I_NULL] == NULL, "a NULL input gives a NULL output");
	ok(n_coords(out, N_IN) * 4 < n_coords(in, N_IN),
	   "the simplified geometries have under a quarter of the vertices (%zu of %zu)",
	   n_coords(out, N_IN), n_coords(in, N_IN));

	for (int k = 0; k < N_IN; k++) {
		double a0, a1, per;
		if (k == I_NULL)
			continue;
		all_valid &= GEOSisValid_r(h, out[k]) == 1 && GEOSisEmpty_r(h, out[k]) == 0;
		GEOSArea_r(h, in[k], &a0);
		GEOSArea_r(h, out[k], &a1);
		GEOSLength_r(h, in[k], &per);
		if (fabs(a1 - a0) > per * TOL) {
			area_ok = 0;
			diag("geometry %d: area %.0f -> %.0f, perimeter %.0f", k, a0, a1, per);
		}
		if (k < I_OUTLINE)
			sum += a1;
	}
	ok(all_valid, "every output is a valid, non-empty polygon");
	ok(area_ok, "every area error is within perimeter x tolerance");

	/* neighbours (and the enclave with its cell) touch along a line: no overlap */
	for (int a = 0; a <= I_ENCLAVE; a++)
		for (int b = a + 1; b <= I_ENCLAVE; b++) {
			int adj = b == I_ENCLAVE ? a == G + 1
				: (b == a + 1 && a % G != G - 1) || b == a + G;
			if (!adj)
				continue;
			n_pairs++;
			if (GEOSRelatePattern_r(h, out[a], out[b], "FF*F1****") != 1) {
				all_touch = 0;
				diag("cells %d and %d do not touch along a line", a, b);
			}
			GEOSGeometry *x = GEOSTopologyPreserveSimplify_r(h, in[a], TOL);
			GEOSGeometry *y = GEOSTopologyPreserveSimplify_r(h, in[b], TOL);
			GEOSGeometry *bx = GEOSBoundary_r(h, x), *by = GEOSBoundary_r(h, y);
			GEOSGeometry *ba = GEOSBoundary_r(h, out[a]), *bb = GEOSBoundary_r(h, out[b]);
			GEOSGeometry *sx = GEOSIntersection_r(h, bx, by), *sa = GEOSIntersection_r(h, ba, bb);
			double lx = 0, la = 0;
			GEOSLength_r(h, sx, &lx);
			GEOSLength_r(h, sa, &la);
			/* the shared part of the two boundaries: the whole border (at least the
			   straight line between its nodes, L) when both sides are the same line */
			if (!(lx >= L))
				old_overlaps++;
			if (!(la >= L)) {
				all_touch = 0;
				diag("cells %d and %d share only %.0f m of border", a, b, la);
			}
			GEOSGeom_destroy_r(h, x);
			GEOSGeom_destroy_r(h, y);
			GEOSGeom_destroy_r(h, bx);
			GEOSGeom_destroy_r(h, by);
			GEOSGeom_destroy_r(h, ba);
			GEOSGeom_destroy_r(h, bb);
			GEOSGeom_destroy_r(h, sx);
			GEOSGeom_destroy_r(h, sa);
		}
	is_int(n_pairs, 2 * G * (G - 1) + 1, "every pair of neighbours was checked");
	ok(all_touch, "simplified neighbours touch along their whole border, never overlap");
	ok(old_overlaps > 0,
	   "simplifying each polygon apart (the former maps) gives two different lines for"
	   " some borders (%d of %d)",
	   old_overlaps, n_pairs);

	/* no sliver: the union is one polygon without holes, its area the sum of areas */
	for (int k = 0; k <= I_ENCLAVE; k++)
		parts[k] = GEOSGeom_clone_r(h, out[k]);
	coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, N_CELLS + 1);
	u = GEOSUnaryUnion_r(h, coll);
	GEOSGeom_destroy_r(h, coll);
	GEOSArea_r(h, u, &area_u);
	ok(fabs(area_u - sum) < 1e-6 * sum, "the union's area is the sum of the areas (%.3f, %.3f)",
	   area_u, sum);
	is_int(GEOSGetNumGeometries_r(h, u), 1, "the union is one polygon");
	is_int(GEOSGetNumInteriorRings_r(h, GEOSGeomTypeId_r(h, u) == GEOS_POLYGON ? u
					 : GEOSGetGeometryN_r(h, u, 0)), 0,
	       "the union has no hole (no gap between neighbours)");
	ok(GEOSEquals_r(h, u, out[I_OUTLINE]) == 1,
	   "the simplified outline follows the simplified cells exactly");
	GEOSGeom_destroy_r(h, u);

	/* the enclave and the hole of its cell are the same ring */
	{
		const GEOSGeometry *c = GEOSGetGeometryN_r(h, out[G + 1], 0);
		GEOSGeometry *hole = GEOSGeom_createPolygon_r(
			h, GEOSGeom_clone_r(h, GEOSGetInteriorRingN_r(h, c, 0)), NULL, 0);
		ok(GEOSEquals_r(h, hole, out[I_ENCLAVE]) == 1,
		   "the enclave fills its cell's hole exactly");
		ok(GEOSGetNumCoordinates_r(h, out[I_ENCLAVE]) >= 4,
		   "the enclave keeps three corners at least");
		GEOSGeom_destroy_r(h, hole);
	}

	/* deterministic */
	is_int(ex_edges_simplify(ctx, out2, (const GEOSGeometry *const *)in, N_IN, TOL), CPTS_OK,
	       "a second run succeeds");
	{
		int same = 1;
		for (int k = 0; k < N_IN; k++)
			if (k != I_NULL)
				same &= GEOSEqualsExact_r(h, out[k], out2[k], 0) == 1;
		ok(same, "a second run gives the same coordinates");
	}

	for (int k = 0; k < N_IN; k++) {
		if (in[k])
			GEOSGeom_destroy_r(h, in[k]);
		if (out[k])
			GEOSGeom_destroy_r(h, out[k]);
		if (out2[k])
			GEOSGeom_destroy_r(h, out2[k]);
	}
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) != CPTS_OK)
		return 1;
	h = ctx.geos;
	run(&ctx);
	K = 2000;
	run(&ctx);

	/* a polygon smaller than the tolerance keeps a triangle */
	{
		GEOSGeometry *tiny = GEOSGeom_createPolygon_r(h, circle(5000, 5000, 0), NULL, 0);
		GEOSGeometry *o = NULL;
		const GEOSGeometry *ti[1] = { tiny };
		double a;
		is_int(ex_edges_simplify(&ctx, &o, ti, 1, 1000), CPTS_OK,
		       "a ring under the tolerance is simplified");
		GEOSArea_r(h, o, &a);
		ok(GEOSisValid_r(h, o) == 1 && a > 0 && GEOSGetNumCoordinates_r(h, o) == 4,
		   "it keeps a triangle of positive area (%d points, %.0f m2)",
		   GEOSGetNumCoordinates_r(h, o), a);
		GEOSGeom_destroy_r(h, o);
		GEOSGeom_destroy_r(h, tiny);
	}

	cpts_ctx_release(&ctx);
	return done_testing();
}
