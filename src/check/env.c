/*
 * env.c - load what the checks measure against: the communes (cpts_model), the stored
 * contiguity graph with its shared border lengths, and the flow matrix in both row and
 * column order; and the per-territory measures (flow sums, PAC, pieces).
 *
 * The graph and the flow matrix are the graph module's (cpts_graph_load,
 * cpts_flows_load: one flow matrix in cpts, read from the workspace's cache when it
 * holds one); the transpose is built here from it.
 *
 * Why column order too: `cpts suggest` evaluates thousands of single-commune moves, and
 * the flows gained or lost by a territory when commune i joins or leaves it are i's row
 * plus i's column: O(degree) per move instead of rescanning the territory.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/store_check.h"
#include "cpts/session.h"

/* The transpose of the flow matrix (practice <- residence), residences in increasing
 * order within each practice: what `suggest` reads by column. */
static void transpose(chk_env *e, size_t n)
{
	size_t nnz = e->fstart[n];
	size_t *fill = cpts_calloc(n + 1, sizeof(size_t));

	e->tstart = cpts_calloc(n + 1, sizeof(size_t));
	e->trow = cpts_mallocarray(nnz ? nnz : 1, sizeof(size_t));
	e->tvol = cpts_mallocarray(nnz ? nnz : 1, sizeof(double));
	for (size_t q = 0; q < nnz; q++)
		e->tstart[e->fcol[q] + 1]++;
	for (size_t j = 0; j < n; j++)
		e->tstart[j + 1] += e->tstart[j];
	for (size_t i = 0; i < n; i++)
		for (size_t q = e->fstart[i]; q < e->fstart[i + 1]; q++) {
			size_t j = e->fcol[q], pos = e->tstart[j] + fill[j]++;
			e->trow[pos] = i;
			e->tvol[pos] = e->fvol[q];
		}
	free(fill);
}

/* The graph stored by `cpts graph` (cpts_graph_load). Without one, the contiguity
 * measures are left out with a warning (cpts_check_run): the check never writes to the
 * workspace, and cpts_graph_build reads the geometries through the store it writes to. */
static int load_graph(cpts_ctx *ctx, chk_env *e, cpts_store *s)
{
	int rc;

	if ((rc = cpts_graph_read(ctx, &e->g, e->m, s)) < 0)
		return rc;
	if (rc == CPTS_ABSENT)
		return CPTS_OK;
	e->has_graph = e->g->n_edges > 0;
	e->gstart = e->g->start;
	e->gadj = e->g->adj;
	e->gkind = e->g->kind;
	e->gshared = e->g->shared_km;
	return CPTS_OK;
}

/* The flow matrix of the graph module (cpts_flows_load: the workspace's cached matrix
 * when there is one), borrowed by row; its transpose built here. */
static int load_flows(cpts_ctx *ctx, chk_env *e, cpts_store *s, const char *profession)
{
	int rc;

	if ((rc = cpts_flows_load(ctx, &e->f, e->m, s, profession)) < 0)
		return rc;
	e->fstart = e->f->start;
	e->fcol = e->f->col;
	e->fvol = e->f->vol;
	e->row_total = e->f->row_total;
	e->col_total = e->f->col_total;
	e->has_flows = e->fstart[e->m->n] > 0;
	transpose(e, e->m->n);
	return CPTS_OK;
}

int chk_env_load(cpts_ctx *ctx, chk_env *e, cpts_store *s, const char *profession)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if ((rc = cpts_model_load(ctx, &e->m, s)) < 0)
		return rc;
	if ((rc = load_graph(ctx, e, s)) < 0)
		return rc;
	return load_flows(ctx, e, s, profession);
}

int chk_env_from_session(cpts_ctx *ctx, chk_env *e, cpts_session *ss,
			 const char *profession)
{
	cpts_flows *f, *ft;
	int rc;

	memset(e, 0, sizeof(*e));
	e->borrowed = true;
	if ((rc = cpts_session_model(ctx, ss, &e->m)) < 0)
		return rc;
	if ((rc = cpts_session_graph(ctx, ss, &e->g)) < 0)
		return rc;
	if (rc != CPTS_ABSENT) {
		e->has_graph = e->g->n_edges > 0;
		e->gstart = e->g->start;
		e->gadj = e->g->adj;
		e->gkind = e->g->kind;
		e->gshared = e->g->shared_km;
	}
	if ((rc = cpts_session_flows(ctx, ss, profession, &f)) < 0 ||
	    (rc = cpts_session_flows_t(ctx, ss, profession, &ft)) < 0)
		return rc;
	e->has_flows = f->start[f->n] > 0;
	e->fstart = f->start;
	e->fcol = f->col;
	e->fvol = f->vol;
	e->tstart = ft->start;
	e->trow = ft->col;
	e->tvol = ft->vol;
	e->row_total = f->row_total;
	e->col_total = f->col_total;
	return CPTS_OK;
}

void chk_env_release(cpts_ctx *ctx, chk_env *e)
{
	if (e->borrowed) {
		memset(e, 0, sizeof(*e));
		return;
	}
	cpts_model_free(ctx, e->m);
	cpts_graph_free(e->g);
	cpts_flows_free(e->f);
	free(e->tstart);
	free(e->trow);
	free(e->tvol);
	memset(e, 0, sizeof(*e));
}

static void stability_row(void *arg, const char *code, double coassign, int resamples)
{
	struct stab { const cpts_model *m; double *share; int *k; } *a = arg;
	long i = cpts_model_find(a->m, code);

	if (i < 0)
		return;
	a->share[i] = coassign;
	*a->k = resamples;
}

int chk_stability(cpts_ctx *ctx, cpts_store *s, const char *partition, const cpts_model *m,
		  double *share, int *k_out)
{
	struct stab { const cpts_model *m; double *share; int *k; } a = { m, share, k_out };

	*k_out = 0;
	for (size_t i = 0; i < m->n; i++)
		share[i] = NAN;
	return cpts_store_basin_stability(ctx, s, partition, stability_row, &a);
}
