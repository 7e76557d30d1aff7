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

#include <stdbool.h>
#include <stddef.h>

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

/** Is a hole (a polygon in the territory's CRS) covered by some commune? */
typedef bool (*ex_hole_covered_fn)(cpts_ctx *ctx, void *arg, const GEOSGeometry *hole,
				   double hole_area);

/** What ex_geom_clean_holes did. */
typedef struct ex_holes_stats {
	size_t n_zero;    /* zero-area inner rings dropped */
	size_t n_filled;  /* holes below the area bound that no commune covers, closed */
} ex_holes_stats;

/**
 * Clean the holes of a dissolved territory: drop inner rings of zero area (a line
 * drawn inside the polygon by a coverage union of slightly mismatched borders), and
 * close holes smaller than max_area (CRS units squared; 0 closes none) for which
 * covered() says no commune lies there (gaps between the communes of two
 * départements). Holes a commune of another territory fills (enclaves) are kept.
 * @param[out] out cleaned geometry, OWNED by caller; NULL when nothing changed
 * @return CPTS_OK or CPTS_EDEP (GEOS failure)
 */
int ex_geom_clean_holes(cpts_ctx *ctx, GEOSGeometry **out, const GEOSGeometry *g,
			double max_area, ex_hole_covered_fn covered, void *arg,
			ex_holes_stats *stats);

/**
 * Dissolve a collection of polygons that is not a clean coverage (communes of two
 * départements overlapping or leaving gaps along their border), where the coverage
 * union fails, without the overlay union of every commune: boundary segments met in
 * both directions (shared by two communes, inside the territory) are dropped, the
 * rest is noded, polygonized, and the faces whose interior point lies in some input
 * polygon are dissolved (their edges match exactly). The same area as the overlay
 * union; its cost grows with the outline and the mismatched borders, not with every
 * inner border.
 * @return the dissolved (multi)polygon, OWNED by caller; NULL when it cannot (the
 *         caller then uses the overlay union)
 */
GEOSGeometry *ex_geom_dissolve_noded(cpts_ctx *ctx, const GEOSGeometry *coll);

#endif
