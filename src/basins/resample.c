/*
 * resample.c - stability of basins (`cpts basins --resample K`): the method reruns
 * on K flow matrices resampled from the observed counts, and each commune gets its
 * co-assignment: the share of the reruns in which it lands in the same basin as the
 * pôle of its basin in the result (table basin_stability).
 *
 * Why: flows are counts of consultations; a border commune whose basin changes when
 * the counts are redrawn is a fragile assignment, worth a look before a perimeter is
 * agreed. Resampling: for each residence commune, its total count N (rounded) is
 * redrawn over its destinations (outside ones included) as a multinomial with the
 * observed shares (GSL's gsl_ran_multinomial, Mersenne Twister seeded with seed + r),
 * so a flow matrix with one destination per commune gives co-assignment 1.
 *
 * The reruns of the optimiser use its local search only (no annealing) and two
 * starts: K = 100 reruns of the full optimiser would take hours on France.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"
#include "cpts/store_basins.h"

/* A copy of f whose volumes are redrawn; pairs drawn 0 times are left out (the
 * methods expect positive volumes). OWNED by the caller. */
static cpts_flows *resampled(const cpts_flows *f, gsl_rng *rng, double *p, unsigned *cnt)
{
	size_t n = f->n, nnz = f->start[n], nf = 0;
	cpts_flows *r = cpts_calloc(1, sizeof(*r));

	r->n = n;
	r->start = cpts_calloc(n + 1, sizeof(size_t));
	r->col = cpts_mallocarray(nnz + 1, sizeof(size_t));
	r->vol = cpts_mallocarray(nnz + 1, sizeof(double));
	r->outside = cpts_calloc(n + 1, sizeof(double));
	r->row_total = cpts_calloc(n + 1, sizeof(double));
	r->col_total = cpts_calloc(n + 1, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		size_t k = f->start[i + 1] - f->start[i];
		double total = f->row_total[i];
		unsigned N = total > 0 && total < 4e9 ? (unsigned)llround(total) : 0;
		for (size_t q = 0; q < k; q++)
			p[q] = f->vol[f->start[i] + q] > 0 ? f->vol[f->start[i] + q] : 0;
		p[k] = f->outside[i] > 0 ? f->outside[i] : 0;
		if (N)
			gsl_ran_multinomial(rng, k + 1, N, p, cnt);
		else
			memset(cnt, 0, (k + 1) * sizeof(unsigned));
		for (size_t q = 0; q < k; q++) {
			if (!cnt[q])
				continue;
			r->col[nf] = f->col[f->start[i] + q];
			r->vol[nf++] = cnt[q];
			r->col_total[f->col[f->start[i] + q]] += cnt[q];
		}
		r->start[i + 1] = nf;
		r->outside[i] = cnt[k];
		r->row_total[i] = N;
		r->total += N;
	}
	return r;
}

/* The pole of every commune's basin in labels lab: the member with most inflows. */
static long *poles_of(const cpts_bwork *w, const long *lab)
{
	size_t n = w->m->n;
	long *best = cpts_mallocarray(n + 1, sizeof(long)), *pole = cpts_mallocarray(n + 1,
									      sizeof(long));

	for (size_t i = 0; i < n; i++)
		best[i] = -1;
	for (size_t i = 0; i < n; i++) {
		long b = lab[i];
		if (b < 0)
			continue;
		if (best[b] < 0 || w->f->col_total[i] > w->f->col_total[best[b]])
			best[b] = (long)i;
	}
	for (size_t i = 0; i < n; i++)
		pole[i] = lab[i] >= 0 ? best[lab[i]] : -1;
	free(best);
	return pole;
}

int cpts_basins__stability_clear(cpts_ctx *ctx, cpts_store *s, const char *name)
{
	return cpts_store_basins_clear_stability(ctx, s, name);
}

static int store_shares(cpts_ctx *ctx, cpts_store *s, const cpts_model *m, const char *name,
			const double *share, int k)
{
	const char **codes = cpts_mallocarray(m->n + 1, sizeof(char *));
	int rc;

	for (size_t i = 0; i < m->n; i++)
		codes[i] = m->c[i].code;
	rc = cpts_store_basins_put_stability(ctx, s, name, codes, share, m->n, k);
	free(codes);
	return rc;
}

int cpts_basins__resample(cpts_bwork *w, cpts_store *s, const char *name, size_t target,
			  const cpts_basins__method *method, cpts_basins_summary *sum)
{
	size_t n = w->m->n, maxrow = 0;
	int k = w->opts->resample;
	long *pole = poles_of(w, w->lab);
	double *share = cpts_calloc(n + 1, sizeof(double)), *p;
	unsigned *cnt;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	cpts_basins_opts ro = *w->opts;
	double t0 = cpts_now();
	int rc = CPTS_OK;

	if (!rng) {
		free(pole);
		free(share);
		return cpts_fail(w->ctx, CPTS_EDEP, "GSL: cannot allocate a random generator");
	}
	for (size_t i = 0; i < n; i++)
		if (w->f->start[i + 1] - w->f->start[i] > maxrow)
			maxrow = w->f->start[i + 1] - w->f->start[i];
	p = cpts_mallocarray(maxrow + 2, sizeof(double));
	cnt = cpts_mallocarray(maxrow + 2, sizeof(unsigned));
	if (method->info.uses & CPTS_BASINS_USES_OPTIMISER) {
		ro.kicks = 0;
		ro.iterations = 0;
		ro.lns = 0;
		ro.n_starts = 2;
	}
	ro.resample = 0;
	for (int r = 0; r < k && rc == CPTS_OK; r++) {
		cpts_bwork w2 = *w;
		cpts_basins_summary s2;
		cpts_flows *f2;
		memset(&w2.sym, 0, sizeof(w2.sym));
		memset(&s2, 0, sizeof(s2));
		gsl_rng_set(rng, w->opts->seed + 1000003UL * (unsigned long)(r + 1));
		f2 = resampled(w->f, rng, p, cnt);
		w2.f = f2;
		w2.opts = &ro;
		w2.lab = cpts_mallocarray(n + 1, sizeof(long));
		w2.rng = w->rng ^ (uint64_t)(r + 1) * 0x9E3779B97F4A7C15ULL;
		w2.n_lab = w->n_lab0;
		for (size_t i = 0; i < n; i++)
			w2.lab[i] = w->locked[i] ? w->lab0[i] : -1;
		rc = method->run(&w2, target, &s2);
		for (size_t i = 0; rc == CPTS_OK && i < n; i++)
			if (pole[i] >= 0)
				share[i] += w2.lab[i] == w2.lab[pole[i]];
		cpts_basins__symflows_release(&w2.sym);
		free(w2.lab);
		cpts_flows_free(f2);
		CPTS_LOG(w->ctx, CPTS_LOG_DEBUG, "resample %d/%d done", r + 1, k);
	}
	for (size_t i = 0; i < n; i++)
		share[i] = pole[i] >= 0 && k > 0 ? share[i] / k : NAN;
	if (rc == CPTS_OK)
		rc = store_shares(w->ctx, s, w->m, name, share, k);
	if (rc == CPTS_OK && sum) {
		sum->n_resamples = k;
		sum->resample_seconds = cpts_now() - t0;
		for (size_t i = 0; i < n; i++)
			sum->n_unstable += !isnan(share[i]) && share[i] < w->opts->stability_threshold;
	}
	gsl_rng_free(rng);
	free(p);
	free(cnt);
	free(share);
	free(pole);
	return rc;
}
