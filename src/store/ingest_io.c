/*
 * ingest_io.c - the SQL of the ingest module (cpts/store_ingest.h).
 *
 * Why a bulk writer for flows: a flows file has millions of rows. Inserting them one
 * statement per row in file order cost half of their ingest in B-tree seeks and page
 * splits; ingest now aggregates and sorts them in memory (src/ingest/flowset.c) and this
 * file writes them in the key order of the table, FLOW_BATCH rows per statement, so
 * every insert appends to the last page of the B-tree.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cpts/store_ingest.h"
#include "cpts/util.h"

#define FLOW_BATCH 500

/* Prepare the insert of n rows in one statement. */
static int prepare_flows(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt **st, size_t n)
{
	cpts_buf sql = CPTS_BUF_INIT;
	int rc;

	cpts_buf_addstr(&sql, "INSERT INTO flows(orig, dest, profession, volume, masked, outside)"
			" VALUES");
	for (size_t i = 0; i < n; i++)
		cpts_buf_addstr(&sql, i ? ",(?,?,?,?,?,?)" : "(?,?,?,?,?,?)");
	rc = cpts_store_prepare(ctx, s, st, sql.data);
	cpts_buf_release(&sql);
	return rc;
}

static int insert_flows(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt *st,
			const cpts_flow_rec *rows, size_t n, const char *const *profs)
{
	int k = 1, r;

	for (size_t i = 0; i < n; i++) {
		const cpts_flow_rec *f = &rows[i];
		sqlite3_bind_text(st, k++, f->orig, 5, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, f->dest, 5, SQLITE_STATIC);
		sqlite3_bind_text(st, k++, profs[f->prof], -1, SQLITE_STATIC);
		if (f->masked)
			sqlite3_bind_null(st, k++);
		else
			sqlite3_bind_double(st, k++, f->volume);
		sqlite3_bind_int(st, k++, f->masked != 0);
		sqlite3_bind_int(st, k++, f->outside != 0);
	}
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return cpts_fail(ctx, CPTS_EINTERNAL, "storing flows: %s (workspace '%s')",
				 sqlite3_errmsg(cpts_store_db(s)), cpts_store_path(s));
	return CPTS_OK;
}

int cpts_store_flows_write(cpts_ctx *ctx, cpts_store *s, const cpts_flow_rec *rows, size_t n,
			   const char *const *profs)
{
	sqlite3_stmt *batch = NULL, *one = NULL;
	size_t i = 0;
	int rc = CPTS_OK;

	if (n >= FLOW_BATCH)
		rc = prepare_flows(ctx, s, &batch, FLOW_BATCH);
	for (; rc == CPTS_OK && i + FLOW_BATCH <= n; i += FLOW_BATCH)
		rc = insert_flows(ctx, s, batch, rows + i, FLOW_BATCH, profs);
	if (rc == CPTS_OK && i < n)
		rc = prepare_flows(ctx, s, &one, 1);
	for (; rc == CPTS_OK && i < n; i++)
		rc = insert_flows(ctx, s, one, rows + i, 1, profs);
	sqlite3_finalize(batch);
	sqlite3_finalize(one);
	return rc;
}
