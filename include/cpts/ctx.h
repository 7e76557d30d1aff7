/*
 * cpts/ctx.h - the run context, the one error model and the log levels.
 *
 * Every library call takes a cpts_ctx first. It carries the first error of the run
 * (status code, message, data location and source location), the verbosity, the
 * progress callback, the interrupt flag and the per-run handles of the C libraries we
 * depend on (GEOS, PROJ). The rules of the error model (STYLE.md section 7): the
 * innermost failure sets the message, callers propagate the code unchanged, a caller
 * may add the data location when it is empty, and the first error wins.
 */
#ifndef CPTS_CTX_H
#define CPTS_CTX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "cpts/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by every fallible call; 0 is success, errors are negative. */
typedef enum cpts_status {
	CPTS_OK = 0,
	CPTS_ABSENT = 1,     /* not an error: what was asked for does not exist (a getter
				that may find nothing says so with this; no error is set) */
	CPTS_EUSAGE = -1,    /* bad option or argument (exit 2) */
	CPTS_EINPUT = -2,    /* bad input data (exit 3) */
	CPTS_EIO = -3,       /* output or system I/O (exit 4) */
	CPTS_ENOMEM = -4,    /* out of memory (exit 5) */
	CPTS_EDEP = -5,      /* dependency or environment (exit 5) */
	CPTS_ECANCEL = -6,   /* interrupted (exit 130) */
	CPTS_EINTERNAL = -7, /* bug (exit 70) */
} cpts_status;

/** Process exit codes documented in the README and in `cpts --help`. */
enum cpts_exit {
	CPTS_EXIT_OK = 0,
	CPTS_EXIT_SKIPPED = 1,
	CPTS_EXIT_USAGE = 2,
	CPTS_EXIT_INPUT = 3,
	CPTS_EXIT_IO = 4,
	CPTS_EXIT_ENV = 5,
	CPTS_EXIT_INTERNAL = 70,
	CPTS_EXIT_INTERRUPTED = 130,
};

/** Log levels: -q shows errors only, default adds warnings and progress, -v notes. */
enum cpts_log_level {
	CPTS_LOG_ERROR = 0,
	CPTS_LOG_WARN = 1,
	CPTS_LOG_INFO = 2,  /* default volume: "cpts: ingested 1232 communes" */
	CPTS_LOG_NOTE = 3,  /* -v */
	CPTS_LOG_DEBUG = 4, /* -vv */
};

/** The first error of a run. */
typedef struct cpts_error {
	cpts_status code;  /* CPTS_OK while no error happened */
	char msg[1024];    /* one line, lower case, no trailing period */
	char where[512];   /* data location: "flows.csv:42: column 'volume'" */
	const char *file;  /* source location, shown with -v */
	int line;
	const char *func;
} cpts_error;

struct GEOSContextHandle_HS;
struct pj_ctx;

/** Run context. Transparent: tests and the CLI read err, set verbosity. */
typedef struct cpts_ctx {
	cpts_error err;
	int verbosity;                     /* a cpts_log_level: messages above it are dropped */
	cpts_progress_fn progress;         /* never NULL after init (a no-op by default) */
	void *progress_arg;                /* BORROWED */
	struct GEOSContextHandle_HS *geos; /* OWNED; created by cpts_ctx_init */
	struct pj_ctx *proj;               /* OWNED; created by cpts_ctx_init */
	char dep_msg[512];                 /* last message of a dependency (GEOS, GDAL, PROJ) */
	size_t n_warnings;                 /* warnings emitted so far */
	FILE *log;                         /* where messages go; stderr by default */
} cpts_ctx;

/**
 * Initialise a context: error cleared, verbosity CPTS_LOG_INFO, no progress, GEOS and
 * PROJ handles created with our message handlers (src/dep/).
 * @return CPTS_OK or CPTS_EDEP when a library cannot be initialised (details in ctx->err)
 */
int cpts_ctx_init(cpts_ctx *ctx);

/** Release the handles of a context (not the struct). Safe on a zeroed context. */
void cpts_ctx_release(cpts_ctx *ctx);

/**
 * Record an error. The first error wins: a later one is logged as a note. Returns code,
 * so that `return cpts_fail(ctx, CPTS_EINPUT, "...")` propagates it.
 */
int cpts_error_set(cpts_ctx *ctx, cpts_status code, const char *file, int line,
		   const char *func, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

#define cpts_fail(ctx, code, ...) \
	cpts_error_set((ctx), (code), __FILE__, __LINE__, __func__, __VA_ARGS__)

/** Set the data location of the current error if it has none yet. */
void cpts_error_where(cpts_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Forget the current error (used by callers that handle an expected failure). */
void cpts_error_clear(cpts_ctx *ctx);

/** Map a status to the process exit code of the CLI contract. */
int cpts_status_exit_code(int status);

/** Print the current error as `cpts: error: <msg> (at <where>)` (+ source with -v). */
void cpts_error_print(const cpts_ctx *ctx);

/** Messages, to ctx->log, tested against the level before formatting. */
void cpts_log(cpts_ctx *ctx, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void cpts_logv(cpts_ctx *ctx, int level, const char *fmt, va_list ap);
#define cpts_warn(ctx, ...) cpts_log((ctx), CPTS_LOG_WARN, __VA_ARGS__)
#define cpts_note(ctx, ...) cpts_log((ctx), CPTS_LOG_NOTE, __VA_ARGS__)
#define cpts_info(ctx, ...) cpts_log((ctx), CPTS_LOG_INFO, __VA_ARGS__)
#define CPTS_LOG(ctx, level, ...)                                  \
	do {                                                       \
		if ((ctx)->verbosity >= (level))                   \
			cpts_log((ctx), (level), __VA_ARGS__);     \
	} while (0)

/** Interruption (SIGINT): the handler only sets a flag; long loops poll it. */
void cpts_interrupt_install(void);
void cpts_interrupt_request(void);
int cpts_interrupted(const cpts_ctx *ctx);

/** Report progress through ctx->progress; returns CPTS_ECANCEL (with the error set)
 * when the callback asks to stop or SIGINT arrived, else CPTS_OK. */
int cpts_progress(cpts_ctx *ctx, double frac, const char *msg);

/** Programmer errors: abort with file and line, exit code 70. */
_Noreturn void cpts_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define CPTS_BUG(...) cpts_bug(__FILE__, __LINE__, __VA_ARGS__)
#define CPTS_ASSERT(cond)                                             \
	do {                                                          \
		if (!(cond))                                          \
			cpts_bug(__FILE__, __LINE__, "assertion failed: %s", #cond); \
	} while (0)

#ifdef __cplusplus
}
#endif
#endif
