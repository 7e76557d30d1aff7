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
