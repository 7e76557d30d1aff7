/*
 * graph.c - the contiguity graph in CSR form: built from the edges of contiguity.c,
 * stored in table graph_edges (with its counts in meta), loaded back by later stages.
 *
 * Why CSR: the basin methods walk the neighbours of every commune many times; two
 * flat arrays keep that cache-friendly and cost 16 bytes per directed edge.
 */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

void cpts_graph__from_edges(cpts_graph **out, size_t n, const cpts_graph_edge *edges,
			    size_t n_edges, const cpts_graph_counts *counts)
{
	cpts_graph *g = cpts_calloc(1, sizeof(*g));
	size_t *fill;

	g->n = n;
	g->start = cpts_calloc(n + 1, sizeof(size_t));
	g->adj = cpts_mallocarray(2 * n_edges + 1, sizeof(size_t));
	g->kind = cpts_mallocarray(2 * n_edges + 1, 1);
	g->shared_km = cpts_mallocarray(2 * n_edges + 1, sizeof(double));
	for (size_t e = 0; e < n_edges; e++) {
		g->start[edges[e].a + 1]++;
		g->start[edges[e].b + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		g->start[i + 1] += g->start[i];
	fill = cpts_mallocarray(n + 1, sizeof(size_t));
	memcpy(fill, g->start, (n + 1) * sizeof(size_t));
	/* edges sorted by (a, b): filling both ends in that order leaves each row sorted
	 * once the lower-index neighbours (filled as b) precede the higher ones (as a) */
	for (size_t e = 0; e < n_edges; e++) {
		size_t a = edges[e].a, b = edges[e].b;
		size_t ka = fill[a]++, kb = fill[b]++;
		g->adj[ka] = b;
		g->adj[kb] = a;
		g->kind[ka] = g->kind[kb] = (unsigned char)edges[e].kind;
		g->shared_km[ka] = g->shared_km[kb] = edges[e].shared_km;
	}
	free(fill);
	/* rows are filled in edge order: b-rows get a ascending, a-rows get b ascending, but
	 * the two interleave; sort each row (short) by neighbour index */
	for (size_t i = 0; i < n; i++) {
		for (size_t k = g->start[i] + 1; k < g->start[i + 1]; k++) {
			size_t v = g->adj[k];
			unsigned char kd = g->kind[k];
			double sk = g->shared_km[k];
			size_t j = k;
			while (j > g->start[i] && g->adj[j - 1] > v) {
				g->adj[j] = g->adj[j - 1];
				g->kind[j] = g->kind[j - 1];
				g->shared_km[j] = g->shared_km[j - 1];
				j--;
			}
			g->adj[j] = v;
			g->kind[j] = kd;
			g->shared_km[j] = sk;
		}
	}
	g->n_edges = n_edges;
	if (counts) {
		g->n_bridges = counts->n_bridges;
		g->n_components_before = counts->n_components_before;
		g->n_isolated_before = counts->n_isolated_before;
		g->n_snapped = counts->n_snapped;
	}
	*out = g;
}

void cpts_graph_free(cpts_graph *g)
{
	if (!g)
		return;
	free(g->start);
	free(g->adj);
	free(g->kind);
	free(g->shared_km);
	free(g);
}

/* Insert edges[0..n) with one statement of n rows (prepared once per size in *st). */
static int insert_edges(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt **st, const cpts_model *m,
			const cpts_graph_edge *edges, size_t n)
{
	int rc, k = 1;

	if (!*st) {
		cpts_buf sql = CPTS_BUF_INIT;
		cpts_buf_addstr(&sql, "INSERT INTO graph_edges(a, b, kind, shared_km) VALUES");
		for (size_t e = 0; e < n; e++)
			cpts_buf_addstr(&sql, e ? ",(?,?,?,?)" : "(?,?,?,?)");
		rc = cpts_store_prepare(ctx, s, st, sql.data);
		cpts_buf_release(&sql);
		if (rc < 0)
			return rc;
	}
	for (size_t e = 0; e < n; e++) {
		sqlite3_bind_text(*st, k++, m->c[edges[e].a].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(*st, k++, m->c[edges[e].b].code, -1, SQLITE_STATIC);
		sqlite3_bind_int(*st, k++, edges[e].kind);
		sqlite3_bind_double(*st, k++, edges[e].shared_km);
	}
	return cpts_store_step_done(ctx, s, *st);
}

/* The edges (sorted by (a, b), which is the key order of graph_edges: appends) in
 * statements of EDGE_BATCH rows, then the counts in meta. */
#define EDGE_BATCH 128
static int store_edges(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
		       const cpts_graph_edge *edges, size_t n_edges,
		       const cpts_graph_counts *counts, const cpts_graph_opts *opts)
{
	sqlite3_stmt *batch = NULL, *one = NULL;
	char buf[64];
	size_t e = 0;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, "DELETE FROM graph_edges")) < 0)
		return rc;
	for (; e + EDGE_BATCH <= n_edges && rc == CPTS_OK; e += EDGE_BATCH)
		rc = insert_edges(ctx, s, &batch, m, edges + e, EDGE_BATCH);
	for (; e < n_edges && rc == CPTS_OK; e++)
		rc = insert_edges(ctx, s, &one, m, edges + e, 1);
	sqlite3_finalize(batch);
	sqlite3_finalize(one);
	if (rc < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%s", opts->rook ? "rook" : "queen");
	if ((rc = cpts_store_meta_set(ctx, s, "graph_contiguity", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%.17g", opts->snap_m);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_snap_m", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%zu", counts->n_components_before);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_components_before", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%zu", counts->n_snapped);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_snapped", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%zu", counts->n_isolated_before);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_isolated_before", buf)) < 0)
		return rc;
	return cpts_store_derived_record(ctx, s, "graph", NULL, opts->rook ? "rook" : "queen");
}

int cpts_graph_build(cpts_ctx *ctx, cpts_graph **out, cpts_model *m, cpts_store *s,
		     const cpts_graph_opts *opts)
{
	cpts_graph_opts def = CPTS_GRAPH_OPTS_INIT;
	cpts_graph_edge *edges = NULL;
	cpts_graph_counts counts = { 0, 0, 0, 0 };
	size_t n_edges = 0;
	double t0;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &def;
	if (opts->snap_m < 0 || opts->snap_m > 10000)
		return cpts_fail(ctx, CPTS_EUSAGE, "snapping tolerance %g m is out of range"
				 " (0 to 10000)", opts->snap_m);
	if ((rc = cpts_graph__contiguity(ctx, &edges, &n_edges, &counts, m, s, opts)) < 0)
		goto out;
	t0 = cpts_now();
	if (s && (rc = store_edges(ctx, s, m, edges, n_edges, &counts, opts)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "graph: %zu edges stored in %.3f s", n_edges,
		 cpts_now() - t0);
	cpts_graph__from_edges(out, m->n, edges, n_edges, &counts);
	(*out)->rook = opts->rook;
out:
	free(edges);
	return rc;
}

static size_t meta_size(cpts_store *s, const char *key)
{
	char *v = cpts_store_meta_get(s, key);
	long x = 0;

	if (v && !cpts_parse_long(v, &x))
		x = 0;
	free(v);
	return x > 0 ? (size_t)x : 0;
}

int cpts_graph_load(cpts_ctx *ctx, cpts_graph **out, const cpts_model *m, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	cpts_graph_edge *edges = NULL;
	cpts_graph_counts counts = { 0, 0, 0, 0 };
	size_t n = 0, cap;
	long long total = cpts_store_count(s, "SELECT count(*) FROM graph_edges", 0);
	char *mode = cpts_store_meta_get(s, "graph_contiguity");
	int rc = CPTS_OK;

	*out = NULL;
	cpts_load_note(CPTS_LOAD_GRAPH);
	if (!mode) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "workspace '%s' has no contiguity graph (run"
			       " 'cpts graph' first)", cpts_store_path(s));
		goto out;
	}
	cap = (size_t)(total > 0 ? total : 0) + 1;
	edges = cpts_mallocarray(cap, sizeof(cpts_graph_edge));
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT a, b, kind, shared_km FROM"
				     " graph_edges")) < 0)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW && n < cap) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		long ia = cpts_model_find(m, a ? a : ""), ib = cpts_model_find(m, b ? b : "");
		if (ia < 0 || ib < 0 || ia == ib) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "graph edge %s-%s names a commune that is"
				       " not in the workspace (run 'cpts graph' again)",
				       a ? a : "", b ? b : "");
			goto out;
		}
		edges[n].a = (size_t)(ia < ib ? ia : ib);
		edges[n].b = (size_t)(ia < ib ? ib : ia);
		edges[n].kind = sqlite3_column_int(st, 2);
		edges[n].shared_km = sqlite3_column_double(st, 3);
		counts.n_bridges += edges[n].kind == CPTS_EDGE_BRIDGE;
		n++;
	}
	counts.n_components_before = meta_size(s, "graph_components_before");
	counts.n_isolated_before = meta_size(s, "graph_isolated_before");
	counts.n_snapped = meta_size(s, "graph_snapped");
	cpts_graph__from_edges(out, m->n, edges, n, &counts);
	(*out)->rook = strcmp(mode, "rook") == 0;
out:
	sqlite3_finalize(st);
	free(edges);
	free(mode);
	return rc;
}
