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

/* The edges and counts in the store (cpts/store_graph.h). */
static int store_edges(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
		       const cpts_graph_edge *edges, size_t n_edges,
		       const cpts_graph_counts *counts, const cpts_graph_opts *opts)
{
	cpts_graph_meta meta = { opts->rook, opts->snap_m, counts->n_components_before,
				 counts->n_isolated_before, counts->n_snapped };

	return cpts_store_graph_save(ctx, s, m, edges, n_edges, &meta);
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

int cpts_graph_load(cpts_ctx *ctx, cpts_graph **out, const cpts_model *m, cpts_store *s)
{
	int rc = cpts_graph_read(ctx, out, m, s);

	if (rc == CPTS_ABSENT)
		return cpts_fail(ctx, CPTS_EINPUT, "workspace '%s' has no contiguity graph (run"
				 " 'cpts graph' first)", cpts_store_path(s));
	return rc;
}

int cpts_graph_read(cpts_ctx *ctx, cpts_graph **out, const cpts_model *m, cpts_store *s)
{
	cpts_graph_edge *edges = NULL;
	cpts_graph_counts counts = { 0, 0, 0, 0 };
	cpts_graph_meta meta;
	size_t n = 0;
	int rc;

	*out = NULL;
	cpts_load_note(CPTS_LOAD_GRAPH);
	rc = cpts_store_graph_read(ctx, s, m, &edges, &n, &meta);
	if (rc < 0 || rc == CPTS_ABSENT)
		return rc;
	for (size_t e = 0; e < n; e++)
		counts.n_bridges += edges[e].kind == CPTS_EDGE_BRIDGE;
	counts.n_components_before = meta.n_components_before;
	counts.n_isolated_before = meta.n_isolated_before;
	counts.n_snapped = meta.n_snapped;
	cpts_graph__from_edges(out, m->n, edges, n, &counts);
	(*out)->rook = meta.rook;
	free(edges);
	return CPTS_OK;
}
