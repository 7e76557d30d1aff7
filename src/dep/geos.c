/*
 * geos.c - the GEOS adapter: one reentrant handle per run context, with notice and
 * error handlers that keep the last message in ctx->dep_msg (GEOS reports failures
 * by returning NULL or 2 and calling the handler first).
 */
#include <stdarg.h>
#include <stdio.h>

#include "dep/dep.h"

static void on_geos_message(const char *msg, void *userdata)
{
	cpts_ctx *ctx = userdata;

	snprintf(ctx->dep_msg, sizeof(ctx->dep_msg), "%s", msg);
}

static void on_geos_notice(const char *msg, void *userdata)
{
	cpts_ctx *ctx = userdata;

	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "geos: %s", msg);
}

int cpts_geos_init(cpts_ctx *ctx);
int cpts_geos_init(cpts_ctx *ctx)
{
	ctx->geos = GEOS_init_r();
	if (!ctx->geos)
		return cpts_fail(ctx, CPTS_EDEP, "cannot initialise GEOS");
	GEOSContext_setErrorMessageHandler_r(ctx->geos, on_geos_message, ctx);
	GEOSContext_setNoticeMessageHandler_r(ctx->geos, on_geos_notice, ctx);
	return CPTS_OK;
}

int cpts_fail_dep_(cpts_ctx *ctx, cpts_status code, const char *depmsg, const char *file,
		   int line, const char *func, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (depmsg && *depmsg)
		return cpts_error_set(ctx, code, file, line, func, "%s: %s", msg, depmsg);
	return cpts_error_set(ctx, code, file, line, func, "%s", msg);
}
