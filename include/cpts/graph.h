/*
 * cpts/graph.h - the contiguity graph of the communes and the flow matrix.
 *
 * Contiguity: queen (a shared point) by default, rook (a shared edge of positive
 * length) as an option, with a snapping tolerance for borders that are not
 * vertex-identical; islands and other components are bridged to their nearest commune
 * (DOMAIN.md section 4). Flows: a compressed sparse row matrix residence -> practice.
 */
#ifndef CPTS_GRAPH_H
#define CPTS_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/model.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cpts_edge_kind { CPTS_EDGE_QUEEN = 0, CPTS_EDGE_ROOK = 1, CPTS_EDGE_BRIDGE = 2 };

typedef struct cpts_graph_opts {
	bool rook;           /* rook contiguity (shared edge) instead of queen */
	double snap_m;       /* snapping tolerance in metres (default 5) */
	bool no_bridges;     /* do not bridge components */
} cpts_graph_opts;
#define CPTS_GRAPH_OPTS_INIT { false, 5.0, false }

/** Adjacency in CSR form over the model's communes (symmetric). */
typedef struct cpts_graph {
	size_t n;             /* communes */
	size_t *start;        /* OWNED, n + 1 offsets into adj */
	size_t *adj;          /* OWNED neighbour indices, sorted per node */
	unsigned char *kind;  /* OWNED, per adj entry: enum cpts_edge_kind */
	size_t n_edges;       /* undirected edges, bridges included */
	size_t n_bridges;
	size_t n_components_before; /* connected components before bridging */
	size_t n_isolated_before;   /* communes with no neighbour before bridging */
	size_t n_snapped;           /* edges found only through the snapping tolerance
				       (borders not vertex-identical); in n_edges */
	double *shared_km;    /* OWNED, per adj entry: length of the shared border in km
				 (0 for a point contact or a bridge) */
	bool rook;            /* built with rook contiguity */
} cpts_graph;

/** Build the graph from the model's geometries (loaded on demand) and store it in
 * table graph_edges (inside the caller's transaction when store is not NULL). */
int cpts_graph_build(cpts_ctx *ctx, cpts_graph **out, cpts_model *m, cpts_store *s,
		     const cpts_graph_opts *opts);
/** Load the stored graph (built by cpts_graph_build); CPTS_EINPUT when none. */
int cpts_graph_load(cpts_ctx *ctx, cpts_graph **out, const cpts_model *m, cpts_store *s);
/** The same, for callers that build one when there is none: CPTS_ABSENT (no error set,
 * *out NULL) instead of the error. */
int cpts_graph_read(cpts_ctx *ctx, cpts_graph **out, const cpts_model *m, cpts_store *s);
void cpts_graph_free(cpts_graph *g);

/** Flow matrix: rows = residence communes (model order), cols = practice communes;
 * flows to outside destinations are summed per row in outside[]. */
typedef struct cpts_flows {
	size_t n;            /* communes */
	size_t *start;       /* OWNED, n + 1 */
	size_t *col;         /* OWNED destination index */
	double *vol;         /* OWNED volumes */
	double *outside;     /* OWNED, per residence: volume to destinations outside */
	double *row_total;   /* OWNED, per residence: all flows (outside included) */
	double *col_total;   /* OWNED, per destination: all inflows */
	double total;
	size_t n_masked;     /* masked flow cells (not counted in volumes) */
} cpts_flows;

/** Load flows (optionally of one profession; NULL = all). */
int cpts_flows_load(cpts_ctx *ctx, cpts_flows **out, const cpts_model *m, cpts_store *s,
		    const char *profession);
struct cpts_flow_rows; /* cpts/store_graph.h */
/** cpts_flows_load from the rows of table flows held in memory (cpts/store_graph.h):
 * the same matrix, without reading the table (nor its cache). */
int cpts_flows_from_rows(cpts_ctx *ctx, cpts_flows **out, const cpts_model *m,
			 const struct cpts_flow_rows *rows, const char *profession);
void cpts_flows_free(cpts_flows *f);
/**
 * The transpose of a flow matrix: rows = practice communes, columns = residences, the
 * same volumes; row_total and col_total swapped (row_total of the transpose = inflows),
 * outside[] zero (outside flows have no practice commune).
 * @return OWNED by caller, free with cpts_flows_free()
 */
cpts_flows *cpts_flows_transpose(const cpts_flows *f);
/**
 * Build the cached flow matrix (table flow_matrix) in its own transaction, so that
 * the first basin run after an ingest of flows does not read millions of rows back.
 * A workspace that already holds the cache, or no communes, is left as it is.
 */
int cpts_flows_cache(cpts_ctx *ctx, cpts_store *s);
/**
 * Write f (the matrix of all professions, as cpts_flows_load gives it) as the cached
 * flow matrix, inside the caller's write transaction; the only writer of the cache.
 * @return CPTS_OK (a matrix that cannot be cached is noted and skipped), CPTS_EINTERNAL
 *         outside a transaction
 */
int cpts_flows_cache_store(cpts_ctx *ctx, cpts_store *s, const cpts_flows *f);

#ifdef __cplusplus
}
#endif
#endif
