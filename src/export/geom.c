/*
 * geom.c - GEOS <-> OGR conversion through WKB and cached reprojection (geom.h).
 * Axis order is forced to the traditional GIS order (x = easting or longitude), so
 * EPSG:4326 output has longitude first, as GeoPackage readers expect.
 */
#include <stdlib.h>

#include "dep/dep.h"
#include "cpts/util.h"
#include "export/geom.h"

OGRSpatialReferenceH ex_srs_new(cpts_ctx *ctx, int epsg)
{
	OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);

	if (OSRImportFromEPSG(srs, epsg) != OGRERR_NONE) {
		OSRRelease(srs);
		cpts_fail_gdal(ctx, CPTS_EDEP, "unknown CRS EPSG:%d (is proj-data installed?)", epsg);
		return NULL;
	}
	OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
	return srs;
}

int ex_reproj_get(cpts_ctx *ctx, ex_reproj *rp, OGRCoordinateTransformationH *out, int from,
		  int to)
{
	OGRSpatialReferenceH a = NULL, b = NULL;
	int rc = CPTS_OK;

	*out = NULL;
	for (int k = 0; k < rp->n; k++)
		if (rp->from[k] == from && rp->to[k] == to) {
			*out = rp->ct[k];
			return CPTS_OK;
		}
	if (rp->n == EX_REPROJ_MAX)
		return cpts_fail(ctx, CPTS_EINPUT, "too many distinct CRS (more than %d)",
				 EX_REPROJ_MAX);
	if (!(a = ex_srs_new(ctx, from)) || !(b = ex_srs_new(ctx, to))) {
		rc = ctx->err.code;
		goto out;
	}
	*out = OCTNewCoordinateTransformation(a, b);
	if (!*out) {
		rc = cpts_fail_gdal(ctx, CPTS_EDEP, "no transformation from EPSG:%d to EPSG:%d",
				    from, to);
		goto out;
	}
	rp->from[rp->n] = from;
	rp->to[rp->n] = to;
	rp->ct[rp->n++] = *out;
out:
	if (a)
		OSRRelease(a);
	if (b)
		OSRRelease(b);
	return rc;
}

void ex_reproj_release(ex_reproj *rp)
{
	for (int k = 0; k < rp->n; k++)
		OCTDestroyCoordinateTransformation(rp->ct[k]);
	rp->n = 0;
}

int ex_geos_to_ogr(cpts_ctx *ctx, ex_reproj *rp, OGRGeometryH *out, const GEOSGeometry *g,
		   int from, int to)
{
	GEOSWKBWriter *w = GEOSWKBWriter_create_r(ctx->geos);
	unsigned char *wkb = NULL;
	size_t len = 0;
	OGRGeometryH og = NULL;
	OGRCoordinateTransformationH ct;
	int rc = CPTS_OK;

	*out = NULL;
	if (w)
		wkb = GEOSWKBWriter_write_r(ctx->geos, w, g, &len);
	if (!wkb) {
		rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot encode a geometry as WKB");
		goto out;
	}
	if (OGR_G_CreateFromWkbEx(wkb, NULL, &og, len) != OGRERR_NONE) {
		rc = cpts_fail_gdal(ctx, CPTS_EDEP, "cannot decode a geometry from WKB");
		goto out;
	}
	if (from != to) {
		if ((rc = ex_reproj_get(ctx, rp, &ct, from, to)) < 0)
			goto out;
		if (OGR_G_Transform(og, ct) != OGRERR_NONE) {
			rc = cpts_fail_gdal(ctx, CPTS_EDEP, "cannot reproject from EPSG:%d to EPSG:%d",
					    from, to);
			goto out;
		}
	}
	*out = og;
	og = NULL;
out:
	if (og)
		OGR_G_DestroyGeometry(og);
	if (wkb)
		GEOSFree_r(ctx->geos, wkb);
	if (w)
		GEOSWKBWriter_destroy_r(ctx->geos, w);
	return rc;
}

int ex_geos_transform(cpts_ctx *ctx, ex_reproj *rp, GEOSGeometry **out, const GEOSGeometry *g,
		      int from, int to)
{
	OGRGeometryH og = NULL;
	unsigned char *wkb = NULL;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = ex_geos_to_ogr(ctx, rp, &og, g, from, to)) < 0)
		return rc;
	len = (size_t)OGR_G_WkbSize(og);
	wkb = cpts_malloc(len);
	if (OGR_G_ExportToIsoWkb(og, wkbNDR, wkb) != OGRERR_NONE) {
		rc = cpts_fail_gdal(ctx, CPTS_EDEP, "cannot encode a reprojected geometry");
		goto out;
	}
	*out = GEOSGeomFromWKB_buf_r(ctx->geos, wkb, len);
	if (!*out)
		rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot decode a reprojected geometry");
out:
	free(wkb);
	OGR_G_DestroyGeometry(og);
	return rc;
}

/* ---- holes of dissolved territories ---- */

/* A polygon made of a copy of ring r; NULL on failure. */
static GEOSGeometry *ring_polygon(cpts_ctx *ctx, const GEOSGeometry *r)
{
	GEOSGeometry *shell = GEOSGeom_clone_r(ctx->geos, r);

	return shell ? GEOSGeom_createPolygon_r(ctx->geos, shell, NULL, 0) : NULL;
}

/* Polygon p with its holes cleaned; *changed set when a hole was dropped. */
static GEOSGeometry *clean_polygon(cpts_ctx *ctx, const GEOSGeometry *p, double max_area,
				   ex_hole_covered_fn covered, void *arg, ex_holes_stats *st,
				   bool *changed)
{
	GEOSContextHandle_t h = ctx->geos;
	int n = GEOSGetNumInteriorRings_r(h, p);
	GEOSGeometry **keep = cpts_calloc((size_t)(n > 0 ? n : 0) + 1, sizeof(GEOSGeometry *));
	GEOSGeometry *shell = NULL, *out = NULL;
	unsigned n_keep = 0;

	for (int k = 0; k < n; k++) {
		const GEOSGeometry *r = GEOSGetInteriorRingN_r(h, p, k);
		GEOSGeometry *hp = r ? ring_polygon(ctx, r) : NULL;
		double a = 0;
		bool drop = false;
		if (!hp || GEOSArea_r(h, hp, &a) != 1)
			goto fail;
		if (a <= 1e-6) {
			drop = true;
			st->n_zero++;
		} else if (a < max_area && !covered(ctx, arg, hp, a)) {
			drop = true;
			st->n_filled++;
		}
		GEOSGeom_destroy_r(h, hp);
		if (drop) {
			*changed = true;
			continue;
		}
		if (!(keep[n_keep] = GEOSGeom_clone_r(h, r)))
			goto fail;
		n_keep++;
	}
	if (!(shell = GEOSGeom_clone_r(h, GEOSGetExteriorRing_r(h, p))))
		goto fail;
	out = GEOSGeom_createPolygon_r(h, shell, keep, n_keep);
	if (!out)
		goto fail;
	free(keep);
	return out;
fail:
	for (unsigned k = 0; k < n_keep; k++)
		GEOSGeom_destroy_r(h, keep[k]);
	if (shell)
		GEOSGeom_destroy_r(h, shell);
	free(keep);
	return NULL;
}

int ex_geom_clean_holes(cpts_ctx *ctx, GEOSGeometry **out, const GEOSGeometry *g,
			double max_area, ex_hole_covered_fn covered, void *arg,
			ex_holes_stats *stats)
{
	GEOSContextHandle_t h = ctx->geos;
	int type = GEOSGeomTypeId_r(h, g);
	int n = type == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(h, g) : 1;
	GEOSGeometry **parts;
	GEOSGeometry *res = NULL;
	bool changed = false;
	int k;

	*out = NULL;
	if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
		return CPTS_OK;
	parts = cpts_calloc((size_t)n + 1, sizeof(GEOSGeometry *));
	for (k = 0; k < n; k++) {
		const GEOSGeometry *p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, k);
		if (!(parts[k] = clean_polygon(ctx, p, max_area, covered, arg, stats, &changed)))
			break;
	}
	if (k < n || !changed) {
		for (int j = 0; j < k; j++)
			GEOSGeom_destroy_r(h, parts[j]);
		free(parts);
		return k < n ? cpts_fail_geos(ctx, CPTS_EDEP, "cannot rebuild a territory's"
					      " holes") : CPTS_OK;
	}
	res = n == 1 ? parts[0]
		     : GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
	free(parts);
	if (!res)
		return cpts_fail_geos(ctx, CPTS_EDEP, "cannot rebuild a territory's holes");
	/* a part of the territory inside a closed hole now overlaps its shell: merge */
	if (n > 1 && GEOSisValid_r(h, res) != 1) {
		GEOSGeometry *u = GEOSUnaryUnion_r(h, res);
		GEOSGeom_destroy_r(h, res);
		if (!u)
			return cpts_fail_geos(ctx, CPTS_EDEP, "cannot merge a closed hole");
		res = u;
	}
	*out = res;
	return CPTS_OK;
}

/* ---- dissolving a coverage that is not clean (overlaps between départements) ---- */

/* One boundary segment, directed with the polygon's interior on its left. */
typedef struct dseg {
	double ax, ay, bx, by; /* as in the ring, oriented */
	size_t idx;            /* position in ring order (run building) */
} dseg;

/* One ring of the input, its vertices in the shared buffer. */
typedef struct dring {
	size_t off, n;         /* first vertex (xy pairs) and vertex count */
	size_t seg0;           /* index of its first segment */
	bool rev;              /* walked backwards to put the interior on the left */
} dring;

/* One polygon: its rings [r0, r1) (shell first) and its envelope. */
typedef struct dpoly {
	size_t r0, r1;
	double x0, y0, x1, y1;
} dpoly;

typedef struct dwork {
	cpts_vec xy;    /* double pairs */
	cpts_vec rings; /* dring */
	cpts_vec polys; /* dpoly */
} dwork;

/* Segment key with its end points in increasing (x, y) order. */
static void seg_norm(const dseg *s, double k[4])
{
	bool fwd = s->ax < s->bx || (s->ax == s->bx && s->ay <= s->by);

	k[0] = fwd ? s->ax : s->bx;
	k[1] = fwd ? s->ay : s->by;
	k[2] = fwd ? s->bx : s->ax;
	k[3] = fwd ? s->by : s->ay;
}

static int cmp_seg(const void *a, const void *b)
{
	double ka[4], kb[4];

	seg_norm(a, ka);
	seg_norm(b, kb);
	for (int k = 0; k < 4; k++)
		if (ka[k] != kb[k])
			return ka[k] < kb[k] ? -1 : 1;
	return 0;
}

/* Copy ring r of a polygon (shell when !hole) into w; false on a GEOS failure. */
static bool add_ring(cpts_ctx *ctx, dwork *w, const GEOSGeometry *r, bool hole, size_t *n_seg)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, r);
	unsigned n = 0;
	char ccw = 0;
	dring *dr;
	double *xy;

	if (!cs || !GEOSCoordSeq_getSize_r(ctx->geos, cs, &n))
		return false;
	if (n < 4)
		return true; /* no area */
	if (!GEOSCoordSeq_isCCW_r(ctx->geos, cs, &ccw))
		return false;
	if (!(dr = cpts_vec_push(&w->rings)))
		return false;
	dr->off = w->xy.n / 2;
	dr->n = n;
	dr->seg0 = *n_seg;
	dr->rev = hole ? ccw != 0 : ccw == 0; /* shells counter-clockwise, holes clockwise */
	if (!cpts_vec_reserve(&w->xy, w->xy.n + 2 * (size_t)n))
		return false;
	w->xy.n += 2 * (size_t)n;
	xy = (double *)w->xy.data + 2 * dr->off;
	if (!GEOSCoordSeq_copyToBuffer_r(ctx->geos, cs, xy, 0, 0))
		return false;
	*n_seg += n - 1;
	return true;
}

static bool add_polygon(cpts_ctx *ctx, dwork *w, const GEOSGeometry *p, size_t *n_seg)
{
	GEOSContextHandle_t h = ctx->geos;
	int nh = GEOSGetNumInteriorRings_r(h, p);
	dpoly *dp = cpts_vec_push(&w->polys);

	if (!dp || nh < 0)
		return false;
	dp->r0 = w->rings.n;
	if (!add_ring(ctx, w, GEOSGetExteriorRing_r(h, p), false, n_seg))
		return false;
	for (int k = 0; k < nh; k++)
		if (!add_ring(ctx, w, GEOSGetInteriorRingN_r(h, p, k), true, n_seg))
			return false;
	dp = &cpts_vec_at(&w->polys, dpoly, w->polys.n - 1);
	dp->r1 = w->rings.n;
	if (dp->r1 == dp->r0) { /* no shell: no area */
		w->polys.n--;
		return true;
	}
	{
		const dring *sh = &cpts_vec_at(&w->rings, dring, dp->r0);
		const double *xy = (const double *)w->xy.data + 2 * sh->off;
		dp->x0 = dp->x1 = xy[0];
		dp->y0 = dp->y1 = xy[1];
		for (size_t k = 1; k < sh->n; k++) {
			dp->x0 = xy[2 * k] < dp->x0 ? xy[2 * k] : dp->x0;
			dp->x1 = xy[2 * k] > dp->x1 ? xy[2 * k] : dp->x1;
			dp->y0 = xy[2 * k + 1] < dp->y0 ? xy[2 * k + 1] : dp->y0;
			dp->y1 = xy[2 * k + 1] > dp->y1 ? xy[2 * k + 1] : dp->y1;
		}
	}
	return true;
}

/* Vertex k of ring r walked with the interior on the left. */
static void ring_pt(const dwork *w, const dring *r, size_t k, double *x, double *y)
{
	const double *xy = (const double *)w->xy.data + 2 * r->off;
	size_t j = r->rev ? r->n - 1 - k : k;

	*x = xy[2 * j];
	*y = xy[2 * j + 1];
}

/* Crossing-number test of (x, y) against one ring. */
static bool in_ring(const dwork *w, const dring *r, double x, double y)
{
	const double *xy = (const double *)w->xy.data + 2 * r->off;
	bool in = false;

	for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
		double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
		if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
			in = !in;
	}
	return in;
}

/* Is (x, y) inside some polygon of the input? */
static bool in_input(const dwork *w, double x, double y)
{
	for (size_t p = 0; p < w->polys.n; p++) {
		const dpoly *dp = &cpts_vec_at(&w->polys, dpoly, p);
		bool in;
		if (x < dp->x0 || x > dp->x1 || y < dp->y0 || y > dp->y1)
			continue;
		in = in_ring(w, &cpts_vec_at(&w->rings, dring, dp->r0), x, y);
		for (size_t r = dp->r0 + 1; in && r < dp->r1; r++)
			if (in_ring(w, &cpts_vec_at(&w->rings, dring, r), x, y))
				in = false;
		if (in)
			return true;
	}
	return false;
}

/* The boundary segments no other polygon has on its other side, as lines (runs of
 * consecutive kept segments of a ring); NULL on failure. */
static GEOSGeometry *residual_lines(cpts_ctx *ctx, const dwork *w, size_t n_seg)
{
	GEOSContextHandle_t h = ctx->geos;
	dseg *s = cpts_mallocarray(n_seg + 1, sizeof(dseg));
	bool *keep = cpts_calloc(n_seg + 1, sizeof(bool));
	cpts_vec lines;
	double *buf = NULL;
	GEOSGeometry *res = NULL;
	size_t m = 0;

	cpts_vec_init(&lines, sizeof(GEOSGeometry *), SIZE_MAX / sizeof(GEOSGeometry *));
	for (size_t r = 0; r < w->rings.n; r++) {
		const dring *dr = &cpts_vec_at(&w->rings, dring, r);
		for (size_t k = 0; k + 1 < dr->n; k++) {
			dseg *q = &s[m];
			ring_pt(w, dr, k, &q->ax, &q->ay);
			ring_pt(w, dr, k + 1, &q->bx, &q->by);
			q->idx = dr->seg0 + k;
			if (q->ax != q->bx || q->ay != q->by)
				m++;
		}
	}
	cpts_qsort(s, m, sizeof(dseg), cmp_seg);
	/* a segment met in both directions has the territory on both sides: inside; met in
	 * one direction only (once, or twice where two communes overlap): one copy kept */
	for (size_t a = 0, b; a < m; a = b) {
		bool fwd = false, bwd = false;
		for (b = a; b < m && cmp_seg(&s[a], &s[b]) == 0; b++) {
			if (s[b].ax == s[a].ax && s[b].ay == s[a].ay)
				fwd = true;
			else
				bwd = true;
		}
		if (!(fwd && bwd))
			keep[s[a].idx] = true;
	}
	/* runs of kept segments, ring by ring */
	buf = cpts_mallocarray(2 * (n_seg + 2), sizeof(double));
	for (size_t r = 0; r < w->rings.n; r++) {
		const dring *dr = &cpts_vec_at(&w->rings, dring, r);
		size_t k = 0;
		while (k + 1 < dr->n) {
			size_t nb = 0;
			GEOSCoordSequence *cs;
			GEOSGeometry *ln, **slot;
			if (!keep[dr->seg0 + k]) {
				k++;
				continue;
			}
			ring_pt(w, dr, k, &buf[0], &buf[1]);
			nb = 1;
			while (k + 1 < dr->n && keep[dr->seg0 + k]) {
				ring_pt(w, dr, k + 1, &buf[2 * nb], &buf[2 * nb + 1]);
				nb++;
				k++;
			}
			if (!(cs = GEOSCoordSeq_copyFromBuffer_r(h, buf, (unsigned)nb, 0, 0)) ||
			    !(ln = GEOSGeom_createLineString_r(h, cs)))
				goto out;
			if (!(slot = cpts_vec_push(&lines))) {
				GEOSGeom_destroy_r(h, ln);
				goto out;
			}
			*slot = ln;
		}
	}
	res = GEOSGeom_createCollection_r(h, GEOS_MULTILINESTRING, lines.data, (unsigned)lines.n);
	if (res)
		lines.n = 0; /* owned by res */
out:
	for (size_t k = 0; k < lines.n; k++)
		GEOSGeom_destroy_r(h, cpts_vec_at(&lines, GEOSGeometry *, k));
	cpts_vec_release(&lines);
	free(buf);
	free(keep);
	free(s);
	return res;
}

/* The faces of the noded lines that lie inside the input, dissolved; NULL on failure. */
static GEOSGeometry *kept_faces(cpts_ctx *ctx, const dwork *w, const GEOSGeometry *noded)
{
	GEOSContextHandle_t h = ctx->geos;
	const GEOSGeometry *in[1] = { noded };
	GEOSGeometry *faces = GEOSPolygonize_r(h, in, 1), *res = NULL, *coll;
	GEOSGeometry **kept;
	int n = faces ? GEOSGetNumGeometries_r(h, faces) : -1;
	unsigned n_kept = 0;

	if (n <= 0) {
		if (faces)
			GEOSGeom_destroy_r(h, faces);
		return NULL;
	}
	kept = cpts_calloc((size_t)n, sizeof(GEOSGeometry *));
	for (int k = 0; k < n; k++) {
		const GEOSGeometry *f = GEOSGetGeometryN_r(h, faces, k);
		GEOSGeometry *pt = GEOSPointOnSurface_r(h, f);
		double x, y;
		bool ok = pt && GEOSGeomGetX_r(h, pt, &x) == 1 && GEOSGeomGetY_r(h, pt, &y) == 1;
		if (pt)
			GEOSGeom_destroy_r(h, pt);
		if (!ok)
			goto out;
		if (in_input(w, x, y) && !(kept[n_kept++] = GEOSGeom_clone_r(h, f)))
			goto out;
	}
	if (n_kept == 1) {
		res = kept[0];
		n_kept = 0;
	} else if (n_kept > 1) {
		coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, kept, n_kept);
		if (!coll)
			goto out;
		n_kept = 0;
		/* the faces share their edges exactly (one polygonization): a clean coverage */
		res = GEOSCoverageUnion_r(h, coll);
		GEOSGeom_destroy_r(h, coll);
	}
out:
	for (unsigned k = 0; k < n_kept; k++)
		if (kept[k])
			GEOSGeom_destroy_r(h, kept[k]);
	free(kept);
	GEOSGeom_destroy_r(h, faces);
	return res;
}

GEOSGeometry *ex_geom_dissolve_noded(cpts_ctx *ctx, const GEOSGeometry *coll)
{
	GEOSContextHandle_t h = ctx->geos;
	dwork w;
	GEOSGeometry *lines = NULL, *noded = NULL, *res = NULL;
	size_t n_seg = 0;
	int n = GEOSGetNumGeometries_r(h, coll);

	cpts_vec_init(&w.xy, sizeof(double), SIZE_MAX / sizeof(double));
	cpts_vec_init(&w.rings, sizeof(dring), SIZE_MAX / sizeof(dring));
	cpts_vec_init(&w.polys, sizeof(dpoly), SIZE_MAX / sizeof(dpoly));
	for (int k = 0; k < n; k++) {
		const GEOSGeometry *g = GEOSGetGeometryN_r(h, coll, k);
		int type = GEOSGeomTypeId_r(h, g);
		int np = type == GEOS_MULTIPOLYGON ? GEOSGetNumGeometries_r(h, g) : 1;
		if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
			goto out; /* not polygonal: the overlay union decides */
		for (int j = 0; j < np; j++)
			if (!add_polygon(ctx, &w, type == GEOS_POLYGON ? g
						  : GEOSGetGeometryN_r(h, g, j), &n_seg))
				goto out;
	}
	if (n_seg == 0 || !(lines = residual_lines(ctx, &w, n_seg)) ||
	    !(noded = GEOSNode_r(h, lines)))
		goto out;
	res = kept_faces(ctx, &w, noded);
	if (res && GEOSGeomTypeId_r(h, res) != GEOS_POLYGON &&
	    GEOSGeomTypeId_r(h, res) != GEOS_MULTIPOLYGON) {
		GEOSGeom_destroy_r(h, res);
		res = NULL;
	}
out:
	if (lines)
		GEOSGeom_destroy_r(h, lines);
	if (noded)
		GEOSGeom_destroy_r(h, noded);
	cpts_vec_release(&w.xy);
	cpts_vec_release(&w.rings);
	cpts_vec_release(&w.polys);
	return res;
}
