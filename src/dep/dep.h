/*
 * dep/dep.h - adapters for the C libraries cpts depends on (GEOS, GDAL, PROJ, SQLite,
 * SpatiaLite, GSL). These files are the only places that install library handlers:
 * GEOS and PROJ messages are captured into ctx->dep_msg, GDAL's into a per-thread
 * slot read by cpts_fail_gdal, and GSL's abort-on-error handler is switched off so
 * that its return codes are checked instead (GSL manual, "Error handling").
 */
#ifndef CPTS_DEP_H
#define CPTS_DEP_H

#include <geos_c.h>
#include <proj.h>

#include "cpts/ctx.h"

/** Create ctx->geos and ctx->proj with our handlers; GDAL drivers registered once. */
int cpts_dep_init(cpts_ctx *ctx);
void cpts_dep_release(cpts_ctx *ctx);

/** Register GDAL drivers and install our CPL error handler (idempotent). */
void cpts_gdal_init(void);
/** Last GDAL error message of this thread ("" when none), and reset it. */
const char *cpts_gdal_last_error(void);
void cpts_gdal_clear_error(void);

/** Fail with a message followed by the last dependency message. */
int cpts_fail_dep_(cpts_ctx *ctx, cpts_status code, const char *depmsg, const char *file,
		   int line, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
#define cpts_fail_geos(ctx, code, ...) \
	cpts_fail_dep_((ctx), (code), (ctx)->dep_msg, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define cpts_fail_gdal(ctx, code, ...) \
	cpts_fail_dep_((ctx), (code), cpts_gdal_last_error(), __FILE__, __LINE__, __func__, __VA_ARGS__)

/** GSL: switch the default abort handler off (called by cpts_dep_init). */
void cpts_gsl_init(void);

/** Quantile of the chi-square distribution (GSL), for exact Poisson intervals. */
double cpts_chi2_quantile(double p, double dof);
/** Standard normal quantile and upper tail probability. */
double cpts_normal_quantile(double p);
double cpts_normal_sf(double z);

/** Build a PROJ transformation from EPSG:4326 (lon/lat order) to EPSG:srid, or between
 * any two CRS given as strings; NULL with the error set on failure. OWNED by caller. */
PJ *cpts_proj_create(cpts_ctx *ctx, const char *from, const char *to);

#endif
