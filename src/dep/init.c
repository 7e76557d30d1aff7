/*
 * init.c - create and release the per-context dependency handles.
 */
#include <geos_c.h>
#include <proj.h>

#include "dep/dep.h"

int cpts_geos_init(cpts_ctx *ctx);
int cpts_proj_init(cpts_ctx *ctx);

int cpts_dep_init(cpts_ctx *ctx)
{
	int rc;

	cpts_gsl_init();
	if ((rc = cpts_geos_init(ctx)) < 0)
		return rc;
	return cpts_proj_init(ctx);
}

void cpts_dep_release(cpts_ctx *ctx)
{
	if (ctx->geos) {
		GEOS_finish_r(ctx->geos);
		ctx->geos = NULL;
	}
	if (ctx->proj) {
		proj_context_destroy((PJ_CONTEXT *)ctx->proj);
		ctx->proj = NULL;
	}
}
