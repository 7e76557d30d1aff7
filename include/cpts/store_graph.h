/*
 * cpts/store_graph.h - the SQL of the graph module, in the store: the contiguity edges
 * and their counts (table graph_edges, meta graph_*), the commune geometry blobs the
 * contiguity reads, the flows table read row by row and the packed flow matrix cache
 * (table flow_matrix). src/graph speaks to the workspace only through these.
 */
#ifndef CPTS_STORE_GRAPH_H
#define CPTS_STORE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/model.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One undirected edge between model indices a < b. */
typedef struct cpts_edge_row {
	size_t a, b;
	int kind;          /* enum cpts_edge_kind */
	double shared_km;  /* length of shared border (0 for a point contact or a bridge) */
} cpts_edge_row;

/** What the graph was built with and found, kept with its edges. */
typedef struct cpts_graph_meta {
	bool rook;
	double snap_m;
	size_t n_components_before, n_isolated_before, n_snapped;
} cpts_graph_meta;

/** Replace the stored graph (inside the caller's transaction) and record it as derived
 * result "graph". edges sorted by (a, b) (the table's order: appends). */
int cpts_store_graph_save(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			  const cpts_edge_row *edges, size_t n, const cpts_graph_meta *meta);

/**
 * Read the stored graph over the model m.
 * @param[out] edges OWNED by caller (free()), *n of them
 * @return CPTS_OK; CPTS_ABSENT when none was built (no error set); CPTS_EINPUT when an
 *         edge names a commune not in m; CPTS_EINTERNAL on a database error
 */
int cpts_store_graph_read(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			  cpts_edge_row **edges, size_t *n, cpts_graph_meta *meta);

/**
 * Each commune's geometry blob (SpatiaLite internal format) to fn, in table order;
 * fn returns 0 to go on, > 0 when it cannot read the blob (it is then converted to WKB
 * by SpatiaLite and given again with wkb = true), < 0 to stop with that status.
 */
typedef int (*cpts_geom_blob_fn)(void *arg, const char *code, const unsigned char *blob,
				 size_t len, bool wkb);
int cpts_store_commune_blobs(cpts_ctx *ctx, cpts_store *s, cpts_geom_blob_fn fn, void *arg);

/** Each row of table flows (of one profession, NULL = all) to fn; volume NAN when
 * NULL. fn returns < 0 to stop with that status. */
typedef int (*cpts_flow_row_fn)(void *arg, const char *orig, const char *dest,
				double volume, bool masked);
int cpts_store_flows_each(cpts_ctx *ctx, cpts_store *s, const char *profession,
			  cpts_flow_row_fn fn, void *arg);

/**
 * The rows of table flows held in memory, in the table's key order (orig, dest,
 * profession): the rows the ingest wrote (cpts_ingest_table_prefetched_rows), handed to
 * the command's session so that its stages read them from memory instead of the table
 * (5 M rows of France: 1.5 s for the flow matrix, 2 s for the export's pairs).
 */
struct cpts_flow_rec; /* cpts/store_ingest.h */
typedef struct cpts_flow_rows {
	struct cpts_flow_rec *r; /* OWNED, n of them */
	size_t n;
	char **profs;            /* OWNED array of OWNED names (r[k].prof indexes it) */
	size_t n_profs;
} cpts_flow_rows;

void cpts_flow_rows_free(cpts_flow_rows *rows); /* NULL-safe */

/** cpts_store_flows_each over rows: the rows, order and values the table gives back
 * (volume NAN when masked or not a number, -0 read as 0 as SQLite stores it). */
int cpts_flow_rows_each(const cpts_flow_rows *rows, const char *profession,
			cpts_flow_row_fn fn, void *arg);

/** The packed flow matrix of all professions over n communes, as arrays. */
typedef struct cpts_flow_matrix_io {
	size_t n, nnz;
	size_t *start;    /* n + 1 */
	size_t *col;      /* nnz */
	double *vol;      /* nnz */
	double *outside;  /* n */
	size_t n_masked;
	double total;
} cpts_flow_matrix_io;

/**
 * Read the cached matrix of n communes: start and outside (n + 1 each) are the
 * caller's, col and vol are allocated (OWNED by caller). false when there is no cache
 * of that size or it is damaged (nothing allocated then; never trusted).
 */
bool cpts_store_flow_matrix_read(cpts_store *s, cpts_flow_matrix_io *io);

/** Write the cache (inside the caller's write transaction). false when it could not
 * be (too big for the packed form, or a database error, noted): nothing is left. */
bool cpts_store_flow_matrix_write(cpts_ctx *ctx, cpts_store *s, const cpts_flow_matrix_io *io);

#ifdef __cplusplus
}
#endif
#endif
