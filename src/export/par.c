/*
 * par.c - run the per-territory work of an export (dissolving, writing the territory
 * pages) on the two cores: the calling thread and one worker (export_int.h).
 *
 * Why here and how: the GEOS unions and simplifications of 1,681 territories are most
 * of an export of France, and territories are independent. The worker gets its own
 * cpts_ctx (its own GEOS and PROJ handles, errors of its own, silent); both threads take
 * items in increasing order from a shared counter. Items that would touch shared
 * mutable state (the caller's reprojection cache, or commune geometries that another
 * territory also reads) are flagged main_only and run by the calling thread after the
 * others. Each lane stops at its first failure; since items are taken in order, every
 * item below the lowest failure has run, and main-only items below it are run too, so
 * the error reported is the one a single thread would have met first. Progress and
 * interruption are polled by the calling thread only (the worker reads a stop flag).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/outfile.h"
#include "export/export_int.h"

typedef struct lane {
	cpts_ctx *ctx;
	void *scratch;          /* BORROWED, the caller's per-lane scratch */
	size_t fail_item;       /* first failed item, SIZE_MAX when none */
	cpts_error err;         /* its error */
} lane;

typedef struct par {
	size_t n;
	ex_item_fn fn;
	void *arg;
	const bool *main_only;  /* BORROWED, may be NULL */
	atomic_size_t next;     /* next item to take */
	atomic_size_t done;     /* items finished (progress) */
	atomic_bool stop;       /* a lane failed or the run was interrupted */
	lane lanes[2];          /* 0: calling thread, 1: worker */
} par;

void (*ex__par_before_main_hook)(void *arg);

/* Take and run items until none is left, the stop flag is up or this lane fails. */
static int run_lane(par *p, lane *l, bool is_main, double p0, double p1, const char *msg)
{
	bool reported = false; /* the calling lane reported progress (and so polled) */

	for (;;) {
		size_t k;
		int rc;
		if (atomic_load(&p->stop))
			return CPTS_OK;
		k = atomic_fetch_add(&p->next, 1);
		if (k >= p->n) {
			/* the worker took every item (a loaded machine): the calling lane still
			 * reports once, so an interruption during the run is not missed */
			if (!is_main || reported || cpts_progress(l->ctx, p1, msg) == CPTS_OK)
				return CPTS_OK;
			l->fail_item = 0;
			l->err = l->ctx->err;
			atomic_store(&p->stop, true);
			return l->err.code;
		}
		if (p->main_only && p->main_only[k])
			continue; /* after the shared pass, by the calling thread */
		rc = p->fn(l->ctx, p->arg, k, l->scratch);
		if (rc == CPTS_OK && is_main) {
			reported = true;
			rc = cpts_progress(l->ctx, p0 + (p1 - p0) * (double)atomic_load(&p->done) /
							 (double)p->n, msg);
		}
		if (rc == CPTS_OK && !is_main && cpts_interrupted(l->ctx))
			rc = CPTS_ECANCEL; /* the calling thread reports it */
		atomic_fetch_add(&p->done, 1);
		if (rc < 0) {
			l->fail_item = k;
			l->err = l->ctx->err;
			atomic_store(&p->stop, true);
			return rc;
		}
	}
}

static void *worker_main(void *arg)
{
	par *p = arg;

	run_lane(p, &p->lanes[1], false, 0, 0, NULL);
	cpts_text_release(); /* escaped copies this thread's messages made, if any */
	return NULL;
}

int ex_par_run(cpts_ctx *ctx, size_t n, ex_item_fn fn, void *arg, const bool *main_only,
	       void *scratch_main, void *scratch_worker, double p0, double p1, const char *msg)
{
	par p;
	cpts_ctx wctx;
	pthread_t th;
	bool threaded = false;
	size_t first;
	int rc = CPTS_OK;

	memset(&p, 0, sizeof(p));
	p.n = n;
	p.fn = fn;
	p.arg = arg;
	p.main_only = main_only;
	atomic_init(&p.next, 0);
	atomic_init(&p.done, 0);
	atomic_init(&p.stop, false);
	p.lanes[0] = (lane){ ctx, scratch_main, SIZE_MAX, { 0 } };
	p.lanes[1] = (lane){ NULL, scratch_worker, SIZE_MAX, { 0 } };
	/* a worker only when it has a context of its own and there is work to share */
	if (n > 1) {
		if (cpts_ctx_init(&wctx) == CPTS_OK) {
			wctx.verbosity = CPTS_LOG_ERROR; /* its messages would interleave: none */
			p.lanes[1] = (lane){ &wctx, scratch_worker, SIZE_MAX, { 0 } };
			threaded = pthread_create(&th, NULL, worker_main, &p) == 0;
		}
		if (!threaded) /* everything on this thread; release what init made */
			cpts_ctx_release(&wctx);
	}
	if (threaded && ex__par_before_main_hook)
		ex__par_before_main_hook(arg);
	run_lane(&p, &p.lanes[0], true, p0, p1, msg);
	if (threaded) {
		pthread_join(th, NULL);
		cpts_ctx_release(&wctx);
	}
	/* the main-only items, in order, up to the lowest failure so far (the calling
	 * lane's error is kept in its lane: ctx starts clean, as the first error wins) */
	first = p.lanes[0].fail_item < p.lanes[1].fail_item ? p.lanes[0].fail_item
							      : p.lanes[1].fail_item;
	cpts_error_clear(ctx);
	for (size_t k = 0; main_only && k < n && k < first; k++) {
		if (!main_only[k])
			continue;
		if ((rc = fn(ctx, arg, k, scratch_main)) == CPTS_OK)
			rc = cpts_progress(ctx, p0 + (p1 - p0) * (double)k / (double)n, msg);
		if (rc < 0) {
			first = k;
			p.lanes[0].fail_item = k;
			p.lanes[0].err = ctx->err;
		}
	}
	if (first == SIZE_MAX)
		return CPTS_OK;
	/* the error of the lowest failed item, in the caller's context */
	{
		const cpts_error *e = p.lanes[0].fail_item == first ? &p.lanes[0].err
								   : &p.lanes[1].err;
		ctx->err = *e;
		if (ctx->err.code == CPTS_OK) /* the worker saw the interruption flag */
			cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
		return ctx->err.code;
	}
}
