/*
 * export/geom.h - geometry plumbing of the exports: GEOS <-> OGR through WKB, and
 * reprojection between EPSG codes with a small cache of OGR coordinate
 * transformations (creating one costs a PROJ database look-up, so each (from, to)
 * pair is built once per export).
 */
#ifndef CPTS_EXPORT_GEOM_H
#define CPTS_EXPORT_GEOM_H

#include <geos_c.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "cpts/ctx.h"

#define EX_REPROJ_MAX 16

/** Cache of coordinate transformations, keyed by (from, to) EPSG codes. */
typedef struct ex_reproj {
	int n;                                   /* pairs in use */
	int from[EX_REPROJ_MAX], to[EX_REPROJ_MAX];
	OGRCoordinateTransformationH ct[EX_REPROJ_MAX]; /* OWNED */
} ex_reproj;

/** A spatial reference for an EPSG code in x = easting/longitude order; OWNED by caller
 * (OSRRelease), NULL with the error set on failure. */
OGRSpatialReferenceH ex_srs_new(cpts_ctx *ctx, int epsg);

/** Transformation from -> to (BORROWED from the cache). */
int ex_reproj_get(cpts_ctx *ctx, ex_reproj *rp, OGRCoordinateTransformationH *out, int from,
		  int to);
void ex_reproj_release(ex_reproj *rp);

/** Convert a GEOS geometry to OGR, reprojected from -> to when they differ.
 * @param[out] out OWNED by caller (OGR_G_DestroyGeometry) */
int ex_geos_to_ogr(cpts_ctx *ctx, ex_reproj *rp, OGRGeometryH *out, const GEOSGeometry *g,
		   int from, int to);
/** Reproject a GEOS geometry; *out OWNED by caller (GEOSGeom_destroy_r). */
int ex_geos_transform(cpts_ctx *ctx, ex_reproj *rp, GEOSGeometry **out, const GEOSGeometry *g,
		      int from, int to);

#endif
