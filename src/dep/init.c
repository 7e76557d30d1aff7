/*
 * init.c - create and release the per-context dependency handles, and the context
 * itself (cpts_ctx_init / cpts_ctx_release of cpts/ctx.h): here rather than in
 * core/ctx.c, so that core (errors, messages) depends on no dependency wrapper and the
 * wrappers report their errors through it.
 */
#include <geos_c.h>
#include <proj.h>
#include <stdio.h>
#include <string.h>

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

int cpts_ctx_init(cpts_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->verbosity = CPTS_LOG_INFO;
	ctx->progress = cpts_progress_none;
	ctx->log = stderr;
	return cpts_dep_init(ctx);
}

void cpts_ctx_release(cpts_ctx *ctx)
{
	if (!ctx)
		return;
	cpts_dep_release(ctx);
}
