/*
 * graph_int.h - shared by the files of src/graph/ only: the undirected edge list that
 * contiguity.c produces and graph.c turns into CSR, stores and loads.
 */
#ifndef CPTS_GRAPH_INT_H
#define CPTS_GRAPH_INT_H

#include "cpts/graph.h"
#include "cpts/store_graph.h"

/** One undirected edge a < b (model indices). */
/* an edge a < b (model indices), kind, shared border: the store's row (store_graph.h) */
typedef cpts_edge_row cpts_graph_edge;

/** Counts found while building, before CSR (copied into cpts_graph). */
typedef struct cpts_graph_counts {
	size_t n_bridges;
	size_t n_components_before;
	size_t n_isolated_before;
	size_t n_snapped; /* pairs kept only through the snapping tolerance */
} cpts_graph_counts;

/**
 * Build the CSR graph of n nodes from edges (BORROWED; a < b, no duplicates).
 * @param[out] out OWNED by caller
 */
void cpts_graph__from_edges(cpts_graph **out, size_t n, const cpts_graph_edge *edges,
			    size_t n_edges, const cpts_graph_counts *counts);

/**
 * Contiguity edges (queen or rook, with snapping) and bridges of the model's communes,
 * read from the workspace geometries.
 * @param[out] edges_out OWNED array (free()), n_out edges sorted by (a, b)
 */
int cpts_graph__contiguity(cpts_ctx *ctx, cpts_graph_edge **edges_out, size_t *n_out,
			   cpts_graph_counts *counts, const cpts_model *m, cpts_store *s,
			   const cpts_graph_opts *opts);

#endif
