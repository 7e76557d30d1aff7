/*
 * ctx.c - the run context: errors (first one wins), messages by level, interruption
 * and programmer-error aborts. See cpts/ctx.h for the rules.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/outfile.h"
#include "cpts/ctx.h"

static volatile sig_atomic_t interrupt_flag;

static void on_sigint(int sig)
{
	(void)sig;
	interrupt_flag = 1;
}

void cpts_interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cpts_interrupt_request(void)
{
	interrupt_flag = 1;
}

int cpts_interrupted(const cpts_ctx *ctx)
{
	(void)ctx;
	return interrupt_flag != 0;
}

int cpts_error_set(cpts_ctx *ctx, cpts_status code, const char *file, int line,
		   const char *func, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err.code != CPTS_OK) {
		/* first error wins; a later one is only a note */
		char msg[512];
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		CPTS_LOG(ctx, CPTS_LOG_NOTE, "while handling the error above: %s", msg);
		return code;
	}
	ctx->err.code = code;
	ctx->err.file = file;
	ctx->err.line = line;
	ctx->err.func = func;
	ctx->err.where[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap);
	va_end(ap);
	return code;
}

void cpts_error_where(cpts_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->err.where[0])
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->err.where, sizeof(ctx->err.where), fmt, ap);
	va_end(ap);
}

void cpts_error_clear(cpts_ctx *ctx)
{
	memset(&ctx->err, 0, sizeof(ctx->err));
}

int cpts_status_exit_code(int status)
{
	switch (status) {
	case CPTS_OK:
		return CPTS_EXIT_OK;
	case CPTS_EUSAGE:
		return CPTS_EXIT_USAGE;
	case CPTS_EINPUT:
		return CPTS_EXIT_INPUT;
	case CPTS_EIO:
		return CPTS_EXIT_IO;
	case CPTS_ENOMEM:
	case CPTS_EDEP:
		return CPTS_EXIT_ENV;
	case CPTS_ECANCEL:
		return CPTS_EXIT_INTERRUPTED;
	default:
		return CPTS_EXIT_INTERNAL;
	}
}

void cpts_error_print(const cpts_ctx *ctx)
{
	FILE *f = ctx->log ? ctx->log : stderr;

	if (ctx->err.code == CPTS_OK)
		return;
	/* messages quote ids and names from the user's files: control characters in them
	 * are shown escaped, so a message stays one line (cpts_text) */
	if (ctx->err.where[0])
		fprintf(f, "cpts: error: %s (at %s)", cpts_text(ctx->err.msg),
			cpts_text(ctx->err.where));
	else
		fprintf(f, "cpts: error: %s", cpts_text(ctx->err.msg));
	if (ctx->verbosity >= CPTS_LOG_NOTE && ctx->err.file)
		fprintf(f, " [%s:%d %s]", ctx->err.file, ctx->err.line, ctx->err.func);
	fputc('\n', f);
}

void cpts_logv(cpts_ctx *ctx, int level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "note: ", "debug: " };
	FILE *f = ctx->log ? ctx->log : stderr;

	if (level > ctx->verbosity)
		return;
	if (level == CPTS_LOG_WARN)
		ctx->n_warnings++;
	{
		cpts_buf b = CPTS_BUF_INIT;
		cpts_buf_vaddf(&b, fmt, ap);
		fprintf(f, "cpts: %s%s\n", prefix[level < 0 ? 0 : level > 4 ? 4 : level],
			cpts_text(b.data));
		cpts_buf_release(&b);
	}
}

void cpts_log(cpts_ctx *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cpts_logv(ctx, level, fmt, ap);
	va_end(ap);
}

/*
 * Test hook: CPTS_TEST_INTERRUPT_AFTER=N behaves as if Ctrl-C arrived at the N-th
 * progress report, so that the interruption path (exit 130, rollback, no half-written
 * file) is tested deterministically instead of racing a signal.
 */
/* atomic: the export's GeoPackage thread reports progress too (export.c) */
static _Atomic long interrupt_after = -2;

int cpts_progress(cpts_ctx *ctx, double frac, const char *msg)
{
	if (interrupt_after == -2) {
		const char *e = getenv("CPTS_TEST_INTERRUPT_AFTER");
		interrupt_after = e && *e ? strtol(e, NULL, 10) : -1;
	}
	if (interrupt_after >= 0 && interrupt_after-- == 0)
		cpts_interrupt_request();
	if (cpts_interrupted(ctx))
		return cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
	if (ctx->progress && !ctx->progress(frac, msg, ctx->progress_arg))
		return cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
	return CPTS_OK;
}

