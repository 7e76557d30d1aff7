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
