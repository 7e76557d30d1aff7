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

	if (cpts_store_count(s, "SELECT count(*) FROM meta WHERE key = 'graph_contiguity'",
			     0) <= 0)
		return CPTS_OK;
	if ((rc = cpts_graph_load(ctx, &e->g, e->m, s)) < 0)
		return rc;
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

void chk_env_release(cpts_ctx *ctx, chk_env *e)
{
	cpts_model_free(ctx, e->m);
	cpts_graph_free(e->g);
	cpts_flows_free(e->f);
	free(e->tstart);
	free(e->trow);
	free(e->tvol);
	memset(e, 0, sizeof(*e));
}

void chk_flow_sums(const chk_env *e, const cpts_member *mb, size_t n_mb, const double *w,
		   chk_flowsum *out)
{
	memset(out, 0, sizeof(*out));
	if (!e->has_flows)
		return;
	for (size_t k = 0; k < n_mb; k++) {
		size_t i = mb[k].commune;
		double wi = mb[k].weight;
		out->res += wi * e->row_total[i];
		out->into += wi * e->col_total[i];
		for (size_t p = e->fstart[i]; p < e->fstart[i + 1]; p++)
			out->in += wi * w[e->fcol[p]] * e->fvol[p];
	}
}

/* PAC = perimeter / (3.54 * sqrt(area)) (DOMAIN.md 5); perimeter of the union = sum of
 * perimeters - 2 * borders shared inside (each inner edge is seen from both ends, so the
 * per-entry sum below counts it twice already). */
double chk_pac(const chk_env *e, const cpts_member *mb, size_t n_mb, const double *w)
{
	double perim = 0, area = 0;

	if (!e->has_graph)
		return NAN;
	for (size_t k = 0; k < n_mb; k++) {
		size_t i = mb[k].commune;
		perim += e->m->c[i].perimeter_km;
		area += e->m->c[i].area_km2;
		for (size_t p = e->gstart[i]; p < e->gstart[i + 1]; p++)
			if (w[e->gadj[p]] > 0)
				perim -= e->gshared[p];
	}
	if (area <= 0)
		return NAN;
	return perim / (3.54 * sqrt(area));
}

size_t chk_pieces(const chk_env *e, const cpts_member *mb, size_t n_mb, const double *w,
		  long *piece, size_t *queue, long *main_out)
{
	size_t n_pieces = 0;
	double best_pop = -1;
	size_t best_n = 0;

	*main_out = -1;
	if (!e->has_graph)
		return 0;
	for (size_t k = 0; k < n_mb; k++) {
		size_t seed = mb[k].commune, head = 0, tail = 0, count = 0;
		double pop = 0;
		if (piece[seed] >= 0)
			continue;
		piece[seed] = (long)n_pieces;
		queue[tail++] = seed;
		while (head < tail) {
			size_t i = queue[head++];
			count++;
			pop += e->m->c[i].pop;
			for (size_t p = e->gstart[i]; p < e->gstart[i + 1]; p++) {
				size_t j = e->gadj[p];
				if (w[j] > 0 && piece[j] < 0) {
					piece[j] = (long)n_pieces;
					queue[tail++] = j;
				}
			}
		}
		if (pop > best_pop || (pop == best_pop && count > best_n)) {
			best_pop = pop;
			best_n = count;
			*main_out = (long)n_pieces;
		}
		n_pieces++;
	}
	return n_pieces;
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
