/*
 * svg.c - inline SVG maps for the HTML report (svg.h).
 *
 * The paths are drawn from geometries simplified for the map by ex_edges_simplify
 * (edges.c: half a pixel of tolerance, each shared border once); coordinates are
 * written with one decimal, and points that round to the previous one are dropped.
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
