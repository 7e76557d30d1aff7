/*
 * proj.c - the PROJ adapter: one PJ_CONTEXT per run with a log function that keeps
 * the last message, and a helper that builds a transformation with the traditional
 * GIS axis order (longitude, latitude / easting, northing).
 */
#include <stdio.h>

#include "dep/dep.h"

static void on_proj_log(void *userdata, int level, const char *msg)
{
	cpts_ctx *ctx = userdata;

	if (level <= PJ_LOG_ERROR)
		snprintf(ctx->dep_msg, sizeof(ctx->dep_msg), "%s", msg);
}

int cpts_proj_init(cpts_ctx *ctx);
int cpts_proj_init(cpts_ctx *ctx)
{
	ctx->proj = (struct pj_ctx *)proj_context_create();
	if (!ctx->proj)
		return cpts_fail(ctx, CPTS_EDEP, "cannot initialise PROJ");
	proj_log_func((PJ_CONTEXT *)ctx->proj, ctx, on_proj_log);
	proj_log_level((PJ_CONTEXT *)ctx->proj, PJ_LOG_ERROR);
	return CPTS_OK;
}

PJ *cpts_proj_create(cpts_ctx *ctx, const char *from, const char *to)
{
	PJ_CONTEXT *pc = (PJ_CONTEXT *)ctx->proj;
	PJ *p, *norm;

	ctx->dep_msg[0] = '\0';
	p = proj_create_crs_to_crs(pc, from, to, NULL);
	if (!p) {
		cpts_fail_geos(ctx, CPTS_EDEP, "cannot build the transformation from %s to %s "
			       "(is the PROJ database installed?)", from, to);
		return NULL;
	}
	norm = proj_normalize_for_visualization(pc, p);
	proj_destroy(p);
	if (!norm)
		cpts_fail_geos(ctx, CPTS_EDEP, "cannot normalise the transformation from %s to %s",
			       from, to);
	return norm;
}
