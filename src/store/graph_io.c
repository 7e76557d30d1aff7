/*
 * graph_io.c - the SQL of the graph module (cpts/store_graph.h): contiguity edges and
 * their counts, the commune geometry blobs, the flows table read row by row (or its rows
 * held in memory, read the same way) and the packed flow matrix cache. Every read loop ends on SQLITE_DONE or reports an internal
 * error (a damaged file must not read as the end of the data).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/store_graph.h"
#include "cpts/store_ingest.h"
#include "cpts/util.h"

/* ---- graph edges ----------------------------------------------------------------- */

/* Insert edges[0..n) with one statement of n rows (prepared once per size in *st). */
static int insert_edges(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt **st, const cpts_model *m,
			const cpts_edge_row *edges, size_t n)
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
int cpts_store_graph_save(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			  const cpts_edge_row *edges, size_t n, const cpts_graph_meta *meta)
{
	sqlite3_stmt *batch = NULL, *one = NULL;
	char buf[64];
	size_t e = 0;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, "DELETE FROM graph_edges")) < 0)
		return rc;
	for (; e + EDGE_BATCH <= n && rc == CPTS_OK; e += EDGE_BATCH)
		rc = insert_edges(ctx, s, &batch, m, edges + e, EDGE_BATCH);
	for (; e < n && rc == CPTS_OK; e++)
		rc = insert_edges(ctx, s, &one, m, edges + e, 1);
	sqlite3_finalize(batch);
	sqlite3_finalize(one);
	if (rc < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%s", meta->rook ? "rook" : "queen");
	if ((rc = cpts_store_meta_set(ctx, s, "graph_contiguity", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%.17g", meta->snap_m);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_snap_m", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%zu", meta->n_components_before);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_components_before", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%zu", meta->n_snapped);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_snapped", buf)) < 0)
		return rc;
	snprintf(buf, sizeof(buf), "%zu", meta->n_isolated_before);
	if ((rc = cpts_store_meta_set(ctx, s, "graph_isolated_before", buf)) < 0)
		return rc;
	return cpts_store_derived_record(ctx, s, "graph", NULL, meta->rook ? "rook" : "queen");
}

/* A count kept in meta into *out (0 when absent or not a number). */
static int meta_size(cpts_ctx *ctx, cpts_store *s, const char *key, size_t *out)
{
	char *v = NULL;
	long x = 0;
	int rc = cpts_store_meta_lookup(ctx, s, key, &v);

	if (rc < 0)
		return rc;
	if (v && !cpts_parse_long(v, &x))
		x = 0;
	free(v);
	*out = x > 0 ? (size_t)x : 0;
	return CPTS_OK;
}

int cpts_store_graph_read(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			  cpts_edge_row **edges_out, size_t *n_out, cpts_graph_meta *meta)
{
	sqlite3_stmt *st = NULL;
	cpts_edge_row *edges = NULL;
	size_t n = 0, cap;
	long long total = 0;
	char *mode = NULL;
	int rc, sr;

	*edges_out = NULL;
	*n_out = 0;
	memset(meta, 0, sizeof(*meta));
	/* no graph: an expected absence (CPTS_ABSENT, no error set); a read error is not */
	if ((rc = cpts_store_meta_lookup(ctx, s, "graph_contiguity", &mode)) != CPTS_OK)
		return rc;
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM graph_edges", &total)) < 0)
		goto out;
	cap = (size_t)(total > 0 ? total : 0) + 1;
	edges = cpts_mallocarray(cap, sizeof(cpts_edge_row));
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT a, b, kind, shared_km FROM"
				     " graph_edges")) < 0)
		goto out;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		long ia = cpts_model_find(m, a ? a : ""), ib = cpts_model_find(m, b ? b : "");
		if (ia < 0 || ib < 0 || ia == ib) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "graph edge %s-%s names a commune that is"
				       " not in the workspace (run 'cpts graph' again)",
				       a ? a : "", b ? b : "");
			goto out;
		}
		if (n == cap) {
			cap *= 2;
			edges = cpts_reallocarray(edges, cap, sizeof(cpts_edge_row));
		}
		edges[n].a = (size_t)(ia < ib ? ia : ib);
		edges[n].b = (size_t)(ia < ib ? ib : ia);
		edges[n].kind = sqlite3_column_int(st, 2);
		edges[n].shared_km = sqlite3_column_double(st, 3);
		n++;
	}
	if (sr != SQLITE_DONE) {
		rc = cpts_store_fail(ctx, s, "reading graph_edges");
		goto out;
	}
	meta->rook = strcmp(mode, "rook") == 0;
	if ((rc = meta_size(ctx, s, "graph_components_before", &meta->n_components_before)) < 0 ||
	    (rc = meta_size(ctx, s, "graph_isolated_before", &meta->n_isolated_before)) < 0 ||
	    (rc = meta_size(ctx, s, "graph_snapped", &meta->n_snapped)) < 0)
		goto out;
	*edges_out = edges;
	*n_out = n;
	edges = NULL;
out:
	sqlite3_finalize(st);
	free(edges);
	free(mode);
	return rc;
}

/* ---- commune geometries ---------------------------------------------------------- */

int cpts_store_commune_blobs(cpts_ctx *ctx, cpts_store *s, cpts_geom_blob_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL, *wkb_st = NULL;
	int rc = CPTS_OK, sr;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, geom FROM communes")) < 0)
		return rc;
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const unsigned char *blob = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);
		int w = fn(arg, code ? code : "", blob, blob ? len : 0, false);
		if (w > 0) {
			/* another blob layout: let SpatiaLite convert it to WKB */
			int wr;
			if (!wkb_st && (rc = cpts_store_prepare(ctx, s, &wkb_st,
								"SELECT AsBinary(?)")) < 0)
				goto out;
			sqlite3_reset(wkb_st);
			sqlite3_bind_blob(wkb_st, 1, blob, (int)len, SQLITE_STATIC);
			wr = sqlite3_step(wkb_st);
			if (wr != SQLITE_ROW && wr != SQLITE_DONE) {
				rc = cpts_store_fail(ctx, s, "converting a geometry to WKB");
				goto out;
			}
			w = fn(arg, code ? code : "", wr == SQLITE_ROW ? sqlite3_column_blob(wkb_st, 0)
			       : NULL, wr == SQLITE_ROW ? (size_t)sqlite3_column_bytes(wkb_st, 0) : 0,
			       true);
		}
		if (w < 0) {
			rc = w;
			goto out;
		}
	}
	if (sr != SQLITE_DONE)
		rc = cpts_store_fail(ctx, s, "reading commune geometries");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(wkb_st);
	return rc;
}

/* ---- flows ------------------------------------------------------------------------ */

int cpts_store_flows_each(cpts_ctx *ctx, cpts_store *s, const char *profession,
			  cpts_flow_row_fn fn, void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, sr;

	if ((rc = cpts_store_prepare(ctx, s, &st, profession
			? "SELECT orig, dest, volume, masked FROM flows WHERE profession = ?"
			: "SELECT orig, dest, volume, masked FROM flows")) < 0)
		return rc;
	if (profession)
		sqlite3_bind_text(st, 1, profession, -1, SQLITE_STATIC);
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = (const char *)sqlite3_column_text(st, 0);
		const char *d = (const char *)sqlite3_column_text(st, 1);
		double v = sqlite3_column_type(st, 2) == SQLITE_NULL ? NAN
			   : sqlite3_column_double(st, 2);
		if ((rc = fn(arg, o, d, v, sqlite3_column_int(st, 3) != 0)) < 0)
			goto out;
	}
	if (sr != SQLITE_DONE)
		rc = cpts_store_fail(ctx, s, "reading flows");
out:
	sqlite3_finalize(st);
	return rc;
}

void cpts_flow_rows_free(cpts_flow_rows *rows)
{
	if (!rows)
		return;
	free(rows->r);
	for (size_t i = 0; i < rows->n_profs; i++)
		free(rows->profs[i]);
	free(rows->profs);
	free(rows);
}

int cpts_flow_rows_each(const cpts_flow_rows *rows, const char *profession,
			cpts_flow_row_fn fn, void *arg)
{
	char o[6] = "", d[6] = "";
	int rc;

	for (size_t k = 0; k < rows->n; k++) {
		const cpts_flow_rec *r = &rows->r[k];
		double v = r->masked || isnan(r->volume) ? NAN : r->volume == 0 ? 0.0 : r->volume;
		if (profession && strcmp(rows->profs[r->prof], profession) != 0)
			continue;
		memcpy(o, r->orig, 5); /* bound as 5 bytes by cpts_store_flows_write */
		memcpy(d, r->dest, 5);
		if ((rc = fn(arg, o, d, v, r->masked != 0)) < 0)
			return rc;
	}
	return CPTS_OK;
}

/* Packed cache: header, then start (u32, n + 1), col (u32, nnz), vol (f64, nnz),
   outside (f64, n). */
typedef struct fm_header {
	char magic[8];     /* "CPTSFM1" */
	uint32_t order;    /* 0x01020304 in the writer's byte order */
	uint32_t pad;
	uint64_t n, nnz, n_masked;
	double total;
} fm_header;

static const char fm_magic[8] = "CPTSFM1";

static size_t fm_size(uint64_t n, uint64_t nnz)
{
	return sizeof(fm_header) + (n + 1) * 4 + nnz * 4 + nnz * 8 + n * 8;
}

/* Read n u32 values at offset off of the blob, widened into out (in slices). */
static bool blob_u32(sqlite3_blob *b, size_t off, size_t n, size_t *out)
{
	uint32_t buf[16384];

	for (size_t done = 0; done < n;) {
		size_t k = n - done < 16384 ? n - done : 16384;
		if (sqlite3_blob_read(b, buf, (int)(k * 4), (int)(off + done * 4)) != SQLITE_OK)
			return false;
		for (size_t i = 0; i < k; i++)
			out[done + i] = buf[i];
		done += k;
	}
	return true;
}

/* Read len bytes at offset off of the blob into out (a blob is below INT_MAX bytes). */
static bool blob_bytes(sqlite3_blob *b, size_t off, size_t len, void *out)
{
	return sqlite3_blob_read(b, out, (int)len, (int)off) == SQLITE_OK;
}

/*
 * Incremental blob I/O reads the arrays straight into the caller's: no copy of the
 * whole blob (60 MB on France).
 */
bool cpts_store_flow_matrix_read(cpts_store *s, cpts_flow_matrix_io *io)
{
	sqlite3 *db = cpts_store_db(s);
	sqlite3_stmt *st = NULL;
	sqlite3_blob *b = NULL;
	sqlite3_int64 id = 0;
	fm_header h;
	size_t off = sizeof(h);
	bool ok = false, found;

	io->col = NULL;
	io->vol = NULL;
	if (sqlite3_prepare_v2(db, "SELECT rowid FROM flow_matrix WHERE profession = '' AND"
			       " n_communes = ?", -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)io->n);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!found || sqlite3_blob_open(db, "main", "flow_matrix", "data", id, 0, &b) != SQLITE_OK)
		goto out;
	if ((size_t)sqlite3_blob_bytes(b) < sizeof(h) ||
	    sqlite3_blob_read(b, &h, sizeof(h), 0) != SQLITE_OK)
		goto out;
	if (memcmp(h.magic, fm_magic, 8) != 0 || h.order != 0x01020304u || h.n != io->n ||
	    h.nnz > UINT32_MAX || (size_t)sqlite3_blob_bytes(b) != fm_size(h.n, h.nnz))
		goto out;
	io->col = cpts_mallocarray(h.nnz + 1, sizeof(size_t));
	io->vol = cpts_mallocarray(h.nnz + 1, sizeof(double));
	ok = blob_u32(b, off, h.n + 1, io->start) &&
	     blob_u32(b, off + (h.n + 1) * 4, h.nnz, io->col) &&
	     blob_bytes(b, off + (h.n + 1) * 4 + h.nnz * 4, h.nnz * 8, io->vol) &&
	     blob_bytes(b, off + (h.n + 1) * 4 + h.nnz * 12, h.n * 8, io->outside);
	/* a damaged cache is ignored, never trusted */
	ok = ok && io->start[0] == 0 && io->start[h.n] == h.nnz;
	for (size_t i = 0; i < h.n && ok; i++)
		ok = io->start[i + 1] >= io->start[i];
	for (size_t e = 0; e < h.nnz && ok; e++)
		ok = io->col[e] < h.n;
	if (!ok) {
		free(io->col);
		free(io->vol);
		io->col = NULL;
		io->vol = NULL;
		memset(io->start, 0, (io->n + 1) * sizeof(size_t));
		memset(io->outside, 0, (io->n + 1) * sizeof(double));
		goto out;
	}
	io->nnz = h.nnz;
	io->n_masked = h.n_masked;
	io->total = h.total;
out:
	if (b)
		sqlite3_blob_close(b);
	return ok;
}

/* Write n size_t values as u32 at offset off of the blob (in slices). */
static bool blob_put_u32(sqlite3_blob *b, size_t off, size_t n, const size_t *in)
{
	uint32_t buf[16384];

	for (size_t done = 0; done < n;) {
		size_t k = n - done < 16384 ? n - done : 16384;
		for (size_t i = 0; i < k; i++)
			buf[i] = (uint32_t)in[done + i];
		if (sqlite3_blob_write(b, buf, (int)(k * 4), (int)(off + done * 4)) != SQLITE_OK)
			return false;
		done += k;
	}
	return true;
}

/* Write len bytes at offset off of the blob (kept below INT_MAX). */
static bool blob_put(sqlite3_blob *b, size_t off, size_t len, const void *in)
{
	return sqlite3_blob_write(b, in, (int)len, (int)off) == SQLITE_OK;
}

/*
 * A zero-filled blob of the final size, then the arrays written into it piece by piece,
 * so that no packed copy of the matrix is ever held in memory.
 */
bool cpts_store_flow_matrix_write(cpts_ctx *ctx, cpts_store *s, const cpts_flow_matrix_io *io)
{
	sqlite3 *db = cpts_store_db(s);
	sqlite3_stmt *st = NULL;
	sqlite3_blob *b = NULL;
	size_t nnz = io->nnz, len = fm_size(io->n, nnz), off = sizeof(fm_header);
	fm_header h;
	bool ok = false;

	if (sqlite3_get_autocommit(db) || sqlite3_db_readonly(db, "main") == 1 ||
	    nnz > UINT32_MAX || len > INT_MAX)
		return false;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, fm_magic, 8);
	h.order = 0x01020304u;
	h.n = io->n;
	h.nnz = nnz;
	h.n_masked = io->n_masked;
	h.total = io->total;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO flow_matrix(profession, n_communes,"
			       " data) VALUES('', ?, zeroblob(?))", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)io->n);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)len);
	if (sqlite3_step(st) != SQLITE_DONE ||
	    sqlite3_blob_open(db, "main", "flow_matrix", "data", sqlite3_last_insert_rowid(db), 1,
			      &b) != SQLITE_OK)
		goto out;
	ok = blob_put(b, 0, sizeof(h), &h) && blob_put_u32(b, off, io->n + 1, io->start) &&
	     blob_put_u32(b, off + (io->n + 1) * 4, nnz, io->col) &&
	     blob_put(b, off + (io->n + 1) * 4 + nnz * 4, nnz * 8, io->vol) &&
	     blob_put(b, off + (io->n + 1) * 4 + nnz * 12, io->n * 8, io->outside);
out:
	if (ok && cpts_store_derived_record(ctx, s, "flow_matrix", NULL, NULL) < 0) {
		cpts_error_clear(ctx); /* the cache is optional: dropped below */
		ok = false;
	}
	if (!ok) {
		cpts_note(ctx, "flow matrix not cached: %s", sqlite3_errmsg(db));
		/* a half-written blob would be ignored (its checks fail), but drop it */
		sqlite3_exec(db, "DELETE FROM flow_matrix WHERE profession = ''", NULL, NULL, NULL);
	}
	if (b)
		sqlite3_blob_close(b);
	sqlite3_finalize(st);
	return ok;
}
