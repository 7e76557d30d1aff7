/*
 * cpts/progress.h - progress reporting with GDAL's callback signature.
 *
 * The callback has exactly the shape of GDALProgressFunc so it can be handed to GDAL
 * calls. A stage gives a sub-step a slice of its range with cpts_progress_scaled.
 * The terminal renderer draws on stderr only when stderr is a terminal, waits about a
 * second before drawing, redraws at most ten times a second and only on a change of
 * the percentage, and ends with ", done.".
 */
#ifndef CPTS_PROGRESS_H
#define CPTS_PROGRESS_H

#ifdef __cplusplus
extern "C" {
#endif

/** frac in [0,1] (negative: unknown total, msg carries a count); return 0 to cancel. */
typedef int (*cpts_progress_fn)(double frac, const char *msg, void *arg);

/** A callback that does nothing and never cancels. */
int cpts_progress_none(double frac, const char *msg, void *arg);

/** Terminal renderer state; create with cpts_progress_term_new. */
typedef struct cpts_progress_term cpts_progress_term;

/** mode: 1 force on, 0 force off, -1 auto (on when stderr is a terminal). OWNED by caller. */
cpts_progress_term *cpts_progress_term_new(int mode);
void cpts_progress_term_free(cpts_progress_term *t);
/** The renderer callback; arg is a cpts_progress_term. */
int cpts_progress_term_cb(double frac, const char *msg, void *arg);
/** Finish the current line (", done.") if something was drawn. */
void cpts_progress_term_done(cpts_progress_term *t);

/** Scaled sub-progress: maps [0,1] to [lo,hi] of the parent. OWNED by caller. */
typedef struct cpts_progress_scaled {
	double lo, hi;
	cpts_progress_fn parent;
	void *parent_arg;
} cpts_progress_scaled;
int cpts_progress_scaled_cb(double frac, const char *msg, void *arg);

#ifdef __cplusplus
}
#endif
#endif
