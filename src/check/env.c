/*
 * env.c - load what the checks measure against: the communes (cpts_model), the stored
 * contiguity graph with its shared border lengths, and the flow matrix in both row and
 * column order; and the per-territory measures (flow sums, PAC, pieces).
 *
 * The graph is the graph module's (stored by `cpts graph`, or built in memory); the
 * flows are read here rather than with cpts_flows_load because suggest also needs them
 * by column and both orders come from one pass over the table.
 *
 * Why column order too: `cpts suggest` evaluates thousands of single-commune moves, and
 * the flows gained or lost by a territory when commune i joins or leaves it are i's row
 * plus i's column: O(degree) per move instead of rescanning the territory.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/session.h"

/* one (a, b, value) triple before compression */
typedef struct triple {
	size_t a, b;
	double v;
} triple;

/* Compress directed triples into CSR by a (or by b for the transpose). */
static void to_csr(size_t n, const triple *t, size_t nt, bool by_b, size_t **start_out,
		   size_t **idx_out, double **val_out)
{
	size_t *start = cpts_calloc(n + 1, sizeof(size_t));
	size_t *idx = cpts_mallocarray(nt ? nt : 1, sizeof(size_t));
	double *val = cpts_mallocarray(nt ? nt : 1, sizeof(double));
	size_t *fill = cpts_calloc(n, sizeof(size_t));

	for (size_t k = 0; k < nt; k++)
		start[(by_b ? t[k].b : t[k].a) + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	for (size_t k = 0; k < nt; k++) {
		size_t r = by_b ? t[k].b : t[k].a;
		size_t pos = start[r] + fill[r]++;
		idx[pos] = by_b ? t[k].a : t[k].b;
		val[pos] = t[k].v;
	}
	free(fill);
	*start_out = start;
	*idx_out = idx;
	*val_out = val;
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

static int load_flows(cpts_ctx *ctx, chk_env *e, cpts_store *s, const char *profession)
{
	sqlite3_stmt *st = NULL;
	cpts_vec tv;
	size_t n = e->m->n;
	int rc;

	cpts_vec_init(&tv, sizeof(triple), SIZE_MAX / sizeof(triple));
	e->row_total = cpts_calloc(n ? n : 1, sizeof(double));
	e->col_total = cpts_calloc(n ? n : 1, sizeof(double));
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT orig, dest, sum(volume) FROM flows WHERE masked = 0 AND volume > 0"
			" AND (?1 IS NULL OR profession = ?1) GROUP BY orig, dest")) < 0)
		goto out;
	if (profession)
		sqlite3_bind_text(st, 1, profession, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		long ia = cpts_model_find(e->m, a ? a : ""), ib = cpts_model_find(e->m, b ? b : "");
		double v = sqlite3_column_double(st, 2);
		triple *t;
		if (ia < 0)
			continue; /* residents of a commune outside the workspace */
		e->row_total[ia] += v;
		if (ib < 0)
			continue; /* practice outside: counts in the residents' total only */
		e->col_total[ib] += v;
		t = cpts_vec_push(&tv);
		t->a = (size_t)ia;
		t->b = (size_t)ib;
		t->v = v;
	}
	e->has_flows = tv.n > 0;
	to_csr(n, tv.data, tv.n, false, &e->fstart, &e->fcol, &e->fvol);
	to_csr(n, tv.data, tv.n, true, &e->tstart, &e->trow, &e->tvol);
out:
	sqlite3_finalize(st);
	cpts_vec_release(&tv);
	return rc;
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
	free(e->fstart);
	free(e->fcol);
	free(e->fvol);
	free(e->tstart);
	free(e->trow);
	free(e->tvol);
	free(e->row_total);
	free(e->col_total);
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

int chk_stability(cpts_ctx *ctx, cpts_store *s, const char *partition, const cpts_model *m,
		  double *share, int *k_out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*k_out = 0;
	for (size_t i = 0; i < m->n; i++)
		share[i] = NAN;
	if (cpts_store_count(s, "SELECT count(*) FROM sqlite_master WHERE name ="
			     " 'basin_stability'", 0) != 1)
		return CPTS_OK;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, coassign, resamples FROM"
				     " basin_stability WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long i = cpts_model_find(m, (const char *)sqlite3_column_text(st, 0));
		if (i < 0)
			continue;
		share[i] = sqlite3_column_double(st, 1);
		*k_out = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CPTS_OK : cpts_store_fail(ctx, s, "reading basin_stability");
}
