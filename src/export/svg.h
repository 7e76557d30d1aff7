/*
 * export/svg.h - inline SVG drawing for the HTML report: a map frame that turns
 * projected coordinates into pixels, simplified polygon paths, legend and scale bar.
 */
#ifndef CPTS_EXPORT_SVG_H
#define CPTS_EXPORT_SVG_H

#include <geos_c.h>
#include <stdbool.h>

#include "cpts/ctx.h"
#include "cpts/profile.h"
#include "cpts/util.h"
#include "export/export_int.h"

/** Maps with fewer vertices go straight to the simplifier; the edges of larger ones are
 * first decimated (one vertex per tolerance at most, edges.c). */
#define EX_DECIMATE_FROM 20000

/** A map frame: data extent -> pixel box, y pointing down. */
typedef struct ex_svgmap {
	double minx, miny, maxx, maxy; /* data extent (CRS units) */
	double kx;                     /* x stretch: cos(latitude) for degrees, else 1 */
	double scale;                  /* pixels per CRS unit (after kx) */
	double pad;                    /* margin in pixels */
	double w, h;                   /* size in pixels */
	double tol;                    /* simplification tolerance, CRS units (half a pixel) */
	bool degrees;                  /* CRS in degrees (EPSG:4326) */
} ex_svgmap;

/** Frame an extent in a box of at most max_w x max_h pixels. */
void ex_svgmap_init(ex_svgmap *m, double minx, double miny, double maxx, double maxy,
		    double max_w, double max_h, bool degrees);
/** Grow an extent (minx, miny, maxx, maxy) by a geometry's envelope. */
void ex_extent_add(cpts_ctx *ctx, double ext[4], const GEOSGeometry *g);
/** Append the d="" value of a polygonal geometry as it is (already simplified). */
int ex_svg_path_d_plain(cpts_ctx *ctx, cpts_buf *out, const ex_svgmap *m,
			const GEOSGeometry *g);
/**
 * Simplify the polygons of one map together, each shared border once (edges.c): the
 * rings are cut into edges at their nodes, every edge is kept once however many rings
 * run along it, and all the edges go through one GEOSTopologyPreserveSimplify_r with
 * tolerance tol, so that neighbours rebuilt from them keep identical borders (no
 * overlap, no sliver) and no simplified edge crosses another.
 * @param[out] out n geometries, out[k] the MULTIPOLYGON of in[k] (empty when all its
 *             rings collapsed; NULL where in[k] is NULL), each OWNED by the caller
 * @return CPTS_OK, or CPTS_EDEP (GEOS failure; out all NULL)
 */
int ex_edges_simplify(cpts_ctx *ctx, GEOSGeometry **out, const GEOSGeometry *const *in,
		      size_t n, double tol);
/** A scale bar in the bottom-left corner. */
void ex_svg_scalebar(cpts_buf *out, const ex_svgmap *m);
/** An HTML legend of choropleth classes (with the "no value" swatch). */
void ex_html_legend(cpts_buf *out, const ex_classes *cl, const cpts_indicator *ind);

#endif
