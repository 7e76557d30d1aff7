/*
 * svg.c - inline SVG maps for the HTML report (svg.h).
 *
 * Why simplify: a commune boundary from the IGN has thousands of vertices, far more
 * than a 640-pixel map can show. GEOSTopologyPreserveSimplify_r with a tolerance of
 * half a pixel keeps every ring valid (no self-intersection, no vanished hole) and
 * cuts the page size by one to two orders of magnitude; coordinates are then written
 * with one decimal, and points that round to the previous one are dropped.
 *
 * Why decimate first: GEOSTopologyPreserveSimplify builds an index over every segment,
 * so a boundary of 2 million vertices took minutes and 2.4 GB per map. A linear pass
 * (decimate) first keeps only vertices at least half a pixel from the previous kept
 * one, which no reader can tell apart on the map, and bounds what the simplifier sees
 * by the ring's length in pixels. Only the map's copy is decimated: the stored
 * geometry and the GeoPackage's are never touched.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "export/svg.h"

void ex_svgmap_init(ex_svgmap *m, double minx, double miny, double maxx, double maxy,
		    double max_w, double max_h, bool degrees)
{
	double dx, dy, sx, sy;

	memset(m, 0, sizeof(*m));
	m->minx = minx;
	m->miny = miny;
	m->maxx = maxx;
	m->maxy = maxy;
	m->degrees = degrees;
	m->kx = degrees ? cos((miny + maxy) / 2 * M_PI / 180.0) : 1.0;
	m->pad = 8;
	dx = (maxx - minx) * m->kx;
	dy = maxy - miny;
	if (!(dx > 0))
		dx = 1;
	if (!(dy > 0))
		dy = 1;
	sx = (max_w - 2 * m->pad) / dx;
	sy = (max_h - 2 * m->pad) / dy;
	m->scale = sx < sy ? sx : sy;
	m->w = ceil(dx * m->scale + 2 * m->pad);
	m->h = ceil(dy * m->scale + 2 * m->pad);
	m->tol = 0.5 / m->scale;
}

void ex_extent_add(cpts_ctx *ctx, double ext[4], const GEOSGeometry *g)
{
	double x0, y0, x1, y1;

	if (!g || GEOSisEmpty_r(ctx->geos, g) ||
	    !GEOSGeom_getXMin_r(ctx->geos, g, &x0) || !GEOSGeom_getYMin_r(ctx->geos, g, &y0) ||
	    !GEOSGeom_getXMax_r(ctx->geos, g, &x1) || !GEOSGeom_getYMax_r(ctx->geos, g, &y1))
		return;
	if (isnan(ext[0]) || x0 < ext[0])
		ext[0] = x0;
	if (isnan(ext[1]) || y0 < ext[1])
		ext[1] = y0;
	if (isnan(ext[2]) || x1 > ext[2])
		ext[2] = x1;
	if (isnan(ext[3]) || y1 > ext[3])
		ext[3] = y1;
}

/* v tenths as a decimal: 1234 -> "123.4", -5 -> "-0.5", 20 -> "2" (digits written by
 * hand: a printf per coordinate cost more than the rest of the HTML export) */
static void add_tenths(cpts_buf *out, long v)
{
	unsigned long a = v < 0 ? (unsigned long)-v : (unsigned long)v, ip = a / 10;
	char tmp[32], *p = tmp + sizeof(tmp);

	if (a % 10) {
		*--p = (char)('0' + a % 10);
		*--p = '.';
	}
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip);
	if (v < 0)
		*--p = '-';
	cpts_buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static int ring_d(cpts_ctx *ctx, cpts_buf *out, const ex_svgmap *m, const GEOSGeometry *ring)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
	unsigned int n = 0;
	long px = LONG_MIN, py = LONG_MIN;
	int written = 0;

	if (!cs || !GEOSCoordSeq_getSize_r(ctx->geos, cs, &n))
		return cpts_fail_geos(ctx, CPTS_EDEP, "cannot read a ring");
	for (unsigned int k = 0; k + 1 < n || (n == 1 && k == 0); k++) {
		double x, y;
		long ix, iy;
		GEOSCoordSeq_getX_r(ctx->geos, cs, k, &x);
		GEOSCoordSeq_getY_r(ctx->geos, cs, k, &y);
		/* tenths of a pixel, as integers: exact and deterministic */
		ix = lround(((x - m->minx) * m->kx * m->scale + m->pad) * 10);
		iy = lround(((m->maxy - y) * m->scale + m->pad) * 10);
		if (ix == px && iy == py)
			continue;
		cpts_buf_addch(out, written ? 'L' : 'M');
		add_tenths(out, ix);
		cpts_buf_addch(out, ' ');
		add_tenths(out, iy);
		px = ix;
		py = iy;
		written++;
	}
	if (written)
		cpts_buf_addch(out, 'Z');
	return CPTS_OK;
}

static int polygon_d(cpts_ctx *ctx, cpts_buf *out, const ex_svgmap *m, const GEOSGeometry *p)
{
	int nh = GEOSGetNumInteriorRings_r(ctx->geos, p), rc;

	if ((rc = ring_d(ctx, out, m, GEOSGetExteriorRing_r(ctx->geos, p))) < 0)
		return rc;
	for (int k = 0; k < nh; k++)
		if ((rc = ring_d(ctx, out, m, GEOSGetInteriorRingN_r(ctx->geos, p, k))) < 0)
			return rc;
	return CPTS_OK;
}

static int geom_d(cpts_ctx *ctx, cpts_buf *out, const ex_svgmap *m, const GEOSGeometry *g)
{
	int type = GEOSGeomTypeId_r(ctx->geos, g), rc;

	if (type == GEOS_POLYGON)
		return polygon_d(ctx, out, m, g);
	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		int n = GEOSGetNumGeometries_r(ctx->geos, g);
		for (int k = 0; k < n; k++)
			if ((rc = geom_d(ctx, out, m, GEOSGetGeometryN_r(ctx->geos, g, k))) < 0)
				return rc;
	}
	return CPTS_OK; /* points and lines are not drawn */
}


/* A ring with only the vertices at least tol from the previous kept one (the last
 * vertex closes it); NULL when fewer than 4 would remain (a ring under a pixel). */
static GEOSGeometry *decimate_ring(cpts_ctx *ctx, const GEOSGeometry *ring, double tol)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, ring);
	unsigned n = 0, k, kept = 0;
	double *xy, lx = 0, ly = 0;
	GEOSCoordSequence *out;

	if (!cs || !GEOSCoordSeq_getSize_r(ctx->geos, cs, &n) || n < 4)
		return NULL;
	xy = cpts_mallocarray((size_t)n * 2, sizeof(double));
	for (k = 0; k < n; k++) {
		double x, y;
		GEOSCoordSeq_getXY_r(ctx->geos, cs, k, &x, &y);
		if (k == 0 || k == n - 1 || hypot(x - lx, y - ly) >= tol) {
			xy[2 * kept] = lx = x;
			xy[2 * kept + 1] = ly = y;
			kept++;
		}
	}
	out = kept >= 4 ? GEOSCoordSeq_copyFromBuffer_r(ctx->geos, xy, kept, 0, 0) : NULL;
	free(xy);
	return out ? GEOSGeom_createLinearRing_r(ctx->geos, out) : NULL;
}

/* The polygon with decimated rings; NULL when its shell is under a pixel. */
static GEOSGeometry *decimate_polygon(cpts_ctx *ctx, const GEOSGeometry *p, double tol)
{
	int nh = GEOSGetNumInteriorRings_r(ctx->geos, p), n_holes = 0;
	GEOSGeometry *shell = decimate_ring(ctx, GEOSGetExteriorRing_r(ctx->geos, p), tol);
	GEOSGeometry **holes;
	GEOSGeometry *res;

	if (!shell)
		return NULL;
	holes = cpts_calloc((size_t)(nh > 0 ? nh : 1), sizeof(GEOSGeometry *));
	for (int k = 0; k < nh; k++) {
		GEOSGeometry *h = decimate_ring(ctx, GEOSGetInteriorRingN_r(ctx->geos, p, k), tol);
		if (h)
			holes[n_holes++] = h;
	}
	res = GEOSGeom_createPolygon_r(ctx->geos, shell, holes, (unsigned)n_holes);
	free(holes);
	return res;
}

/* A display copy of a (multi)polygon with at most one vertex per tol of boundary;
 * NULL when g is small enough or not polygonal (drawn as is). OWNED by the caller. */
static GEOSGeometry *decimate(cpts_ctx *ctx, const GEOSGeometry *g, double tol)
{
	int type = GEOSGeomTypeId_r(ctx->geos, g), n, n_parts = 0;
	GEOSGeometry **parts;
	GEOSGeometry *res;

	if (GEOSGetNumCoordinates_r(ctx->geos, g) < EX_DECIMATE_FROM || !(tol > 0))
		return NULL;
	if (type == GEOS_POLYGON)
		n = 1;
	else if (type == GEOS_MULTIPOLYGON)
		n = GEOSGetNumGeometries_r(ctx->geos, g);
	else
		return NULL;
	parts = cpts_calloc((size_t)n, sizeof(GEOSGeometry *));
	for (int k = 0; k < n; k++) {
		const GEOSGeometry *p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(ctx->geos, g, k);
		GEOSGeometry *d = decimate_polygon(ctx, p, tol);
		if (d)
			parts[n_parts++] = d;
	}
	res = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, parts, (unsigned)n_parts);
	free(parts);
	return res;
}

int ex_svg_path_d(cpts_ctx *ctx, cpts_buf *out, const ex_svgmap *m, const GEOSGeometry *g)
{
	GEOSGeometry *s, *dec;
	int rc;

	if (!g)
		return CPTS_OK;
	dec = decimate(ctx, g, m->tol);
	s = GEOSTopologyPreserveSimplify_r(ctx->geos, dec ? dec : g, m->tol);
	if (dec)
		GEOSGeom_destroy_r(ctx->geos, dec);
	if (!s)
		return cpts_fail_geos(ctx, CPTS_EDEP, "cannot simplify a geometry for the map");
	rc = geom_d(ctx, out, m, s);
	GEOSGeom_destroy_r(ctx->geos, s);
	return rc;
}

int ex_svg_path_d_plain(cpts_ctx *ctx, cpts_buf *out, const ex_svgmap *m,
			const GEOSGeometry *g)
{
	return g ? geom_d(ctx, out, m, g) : CPTS_OK;
}

void ex_svg_scalebar(cpts_buf *out, const ex_svgmap *m)
{
	double unit_per_m = m->degrees ? 1.0 / 111320.0 : 1.0;
	double target_m = (m->w / 4) / (m->scale * unit_per_m * m->kx), len = 1;
	static const double steps[] = { 1, 2, 5 };
	char num[64], km[48];
	double px;

	if (!isfinite(target_m) || target_m <= 0 || target_m > 1e8)
		return; /* no extent a scale bar could describe */
	while (len * 10 <= target_m)
		len *= 10;
	for (int k = 2; k >= 0; k--)
		if (len * steps[k] <= target_m) {
			len *= steps[k];
			break;
		}
	px = len * unit_per_m * m->kx * m->scale;
	if (len >= 1000) {
		cpts_fmt_fr(km, sizeof(km), len / 1000, 0);
		cpts_utf8_copy(num, sizeof(num) - 3, km);
		memcpy(num + strlen(num), " km", 4);
	} else
		snprintf(num, sizeof(num), "%.0f m", len);
	cpts_buf_addf(out, "<g class=\"scalebar\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
		      " height=\"4\" fill=\"#222\"/><text x=\"%.1f\" y=\"%.1f\">%s</text></g>",
		      m->pad, m->h - m->pad - 4, px, m->pad, m->h - m->pad - 8, num);
}

void ex_html_legend(cpts_buf *out, const ex_classes *cl, const cpts_indicator *ind)
{
	char lo[64], hi[64];

	cpts_buf_addstr(out, "<ul class=\"legend\">");
	for (int k = 0; k < cl->n; k++) {
		ex_fmt_number(lo, sizeof(lo), ind, cl->brk[k]);
		ex_fmt_number(hi, sizeof(hi), ind, cl->brk[k + 1]);
		cpts_buf_addf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>",
			      ex_palette[k]);
		cpts_buf_add_html(out, lo);
		cpts_buf_addstr(out, " – ");
		cpts_buf_add_html(out, hi);
		cpts_buf_addstr(out, "</li>");
	}
	cpts_buf_addf(out, "<li><span class=\"sw\" style=\"background:%s\"></span>"
		      "non disponible ou secret statistique</li></ul>", ex_palette_na);
}
