/*
 * ingest_io.c - the SQL of the ingest module (cpts/store_ingest.h).
 *
 * Why a bulk writer for flows: a flows file has millions of rows. Inserting them one
 * statement per row in file order cost half of their ingest in B-tree seeks and page
 * splits; ingest now aggregates and sorts them in memory (src/ingest/flowset.c) and this
 * file writes them in the key order of the table, FLOW_BATCH rows per statement, so
 * every insert appends to the last page of the B-tree.
 *
 * The other writers and readers of the ingest (communes, passage, the table writer of
 * the CSV kinds, arrondissement populations, a partition given as input) moved here
 * from src/ingest (issue 13: SQL in the store only). Every read loop ends on
 * SQLITE_DONE or reports an internal error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/store_ingest.h"
#include "cpts/util.h"
#include "store/store_int.h"

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
	long long n_masked = 0;
	int k = 1, r;

	for (size_t i = 0; i < n; i++) {
		const cpts_flow_rec *f = &rows[i];
		n_masked += f->masked != 0;
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
	/* the masked rows, for table_stats (stats.c): no scan of the flows at commit */
	cpts_store__flows_written(s, (long long)n, n_masked);
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

int cpts_store_flows_write_ahead(cpts_ctx *ctx, cpts_store *s, const cpts_flow_rec *rows,
				 size_t n, const char *const *profs)
{
	long long any = 0;
	int rc;

	if ((rc = cpts_store_count_get(ctx, s, "SELECT EXISTS(SELECT 1 FROM flows)", &any)) < 0)
		return rc;
	if (any)
		return cpts_fail(ctx, CPTS_EINPUT, "the flows of workspace '%s' are not empty",
				 cpts_store_path(s));
	return cpts_store_flows_write(ctx, s, rows, n, profs);
}

int cpts_store_flows_adopt(cpts_ctx *ctx, cpts_store *s, const cpts_flow_rec *rows, size_t n)
{
	long long n_masked = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		n_masked += rows[i].masked != 0;
	if ((rc = cpts_store_input_replaced(ctx, s, "flows", NULL)) < 0)
		return rc;
	/* table_stats rewritten at this commit, with the version the input now has */
	cpts_store__stats_mark(s, "flows");
	cpts_store__flows_written(s, (long long)n, n_masked);
	return CPTS_OK;
}

/* ---- communes and passage ------------------------------------------------------- */

int cpts_store_communes_replace(cpts_ctx *ctx, cpts_store *s, const cpts_commune_rec *c,
				size_t n)
{
	sqlite3_stmt *st = NULL;
	long long n_null = 0;
	int rc;

	/* results derived from the previous communes (graph, basin metrics, profiles)
	   would silently describe another geometry: dropped or marked stale (deps.c), in
	   the same transaction; inputs stay */
	if ((rc = cpts_store_exec(ctx, s, "DELETE FROM communes")) < 0 ||
	    (rc = cpts_store_input_replaced(ctx, s, "communes", NULL)) < 0)
		return rc;
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO communes(code, name, dep, reg,"
				     " parent, srid, area_km2, perimeter_km, px, py, lon, lat, geom)"
				     " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,"
				     " CastToMultiPolygon(GeomFromWKB(?, ?)))")) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == CPTS_OK; i++) {
		sqlite3_bind_text(st, 1, c[i].code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, c[i].dep, -1, SQLITE_STATIC);
		if (c[i].reg && c[i].reg[0])
			sqlite3_bind_text(st, 4, c[i].reg, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 4);
		if (c[i].parent && c[i].parent[0])
			sqlite3_bind_text(st, 5, c[i].parent, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 5);
		sqlite3_bind_int(st, 6, c[i].srid);
		sqlite3_bind_double(st, 7, c[i].area_km2);
		sqlite3_bind_double(st, 8, c[i].perimeter_km);
		sqlite3_bind_double(st, 9, c[i].px);
		sqlite3_bind_double(st, 10, c[i].py);
		sqlite3_bind_double(st, 11, c[i].lon);
		sqlite3_bind_double(st, 12, c[i].lat);
		sqlite3_bind_blob(st, 13, c[i].wkb, (int)c[i].wkb_len, SQLITE_STATIC);
		sqlite3_bind_int(st, 14, c[i].srid);
		rc = cpts_store_step_done(ctx, s, st);
		if ((i & 1023) == 0 && rc == CPTS_OK)
			rc = cpts_progress(ctx, (double)i / (double)n, "store communes");
	}
	sqlite3_finalize(st);
	if (rc == CPTS_OK && (rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM communes"
							" WHERE geom IS NULL", &n_null)) == CPTS_OK &&
	    n_null > 0)
		rc = cpts_fail(ctx, CPTS_EINTERNAL, "SpatiaLite rejected a commune geometry");
	return rc;
}

int cpts_store_passage_replace(cpts_ctx *ctx, cpts_store *s, const cpts_passage_rec *r,
			       size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, "DELETE FROM passage")) < 0 ||
	    (rc = cpts_store_input_replaced(ctx, s, "passage", NULL)) < 0)
		return rc;
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO passage(old_code, new_code,"
				     " weight) VALUES(?, ?, ?)")) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == CPTS_OK; i++) {
		sqlite3_bind_text(st, 1, r[i].old_code, 5, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r[i].new_code, 5, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, r[i].weight);
		rc = cpts_store_step_done(ctx, s, st);
	}
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_commune_codes_each(cpts_ctx *ctx, cpts_store *s,
				  int (*fn)(void *arg, const char *code), void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code FROM communes")) < 0)
		return rc;
	while ((rc = cpts_store_row(ctx, s, st, "reading communes")) > 0) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		if (code && (rc = fn(arg, code)) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

int cpts_store_passage_each(cpts_ctx *ctx, cpts_store *s,
			    int (*fn)(void *arg, const char *old_code, const char *new_code,
				      double weight), void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT old_code, new_code, weight FROM passage"
				     " WHERE old_code <> new_code ORDER BY old_code, new_code")) < 0)
		return rc;
	while ((rc = cpts_store_row(ctx, s, st, "reading passage")) > 0) {
		const char *old = (const char *)sqlite3_column_text(st, 0);
		const char *nw = (const char *)sqlite3_column_text(st, 1);
		if (old && nw && (rc = fn(arg, old, nw, sqlite3_column_double(st, 2))) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

/* ---- the CSV kinds -------------------------------------------------------------- */

int cpts_store_input_clear(cpts_ctx *ctx, cpts_store *s, const char *kind,
			   const char *table)
{
	int rc;

	if (strcmp(kind, "attributes") == 0) {
		rc = cpts_store_exec(ctx, s, "DELETE FROM attributes WHERE name NOT LIKE"
				     " 'population_arm_%'");
	} else {
		char *sql = cpts_asprintf("DELETE FROM %s", table);
		rc = cpts_store_exec(ctx, s, sql);
		free(sql);
	}
	/* results derived from the old table are dropped or become stale (deps[] of
	   deps.c, e.g. the cached flow matrix, the profiles) */
	return rc < 0 ? rc : cpts_store_input_replaced(ctx, s, kind, NULL);
}

struct cpts_store_tw {
	cpts_store *s;             /* BORROWED */
	sqlite3_stmt *st[3];       /* OWNED: by enum cpts_store_put */
};

int cpts_store_tw_open(cpts_ctx *ctx, cpts_store *s, const char *table, const char *cols,
		       const char *key, const char *add, cpts_store_tw **out)
{
	cpts_store_tw *w = cpts_calloc(1, sizeof(*w));
	cpts_buf q = CPTS_BUF_INIT;
	size_t n_params = 1;
	char *sql[3];
	int rc = CPTS_OK;

	w->s = s;
	for (const char *p = cols; *p; p++)
		n_params += *p == ',';
	cpts_buf_addstr(&q, "?");
	for (size_t i = 1; i < n_params; i++)
		cpts_buf_addstr(&q, ",?");
	sql[CPTS_PUT_INSERT] = cpts_asprintf("INSERT INTO %s(%s) VALUES(%s)", table, cols, q.data);
	sql[CPTS_PUT_ADD] = cpts_asprintf("INSERT INTO %s(%s) VALUES(%s) ON CONFLICT(%s) DO"
					  " UPDATE SET %s", table, cols, q.data, key, add);
	sql[CPTS_PUT_REPLACE] = cpts_asprintf("INSERT OR REPLACE INTO %s(%s) VALUES(%s)", table,
					      cols, q.data);
	for (int i = 0; i < 3; i++) {
		if (rc == CPTS_OK)
			rc = cpts_store_prepare(ctx, s, &w->st[i], sql[i]);
		free(sql[i]);
	}
	cpts_buf_release(&q);
	if (rc < 0) {
		cpts_store_tw_free(w);
		w = NULL;
	}
	*out = w;
	return rc;
}

int cpts_store_tw_put(cpts_ctx *ctx, cpts_store_tw *w, enum cpts_store_put how,
		      const cpts_store_val *v, size_t n, bool *conflict)
{
	sqlite3_stmt *st = w->st[how];
	int r;

	*conflict = false;
	for (size_t i = 0; i < n; i++) {
		int k = (int)i + 1;
		switch (v[i].type) {
		case CPTS_VAL_NULL:
			sqlite3_bind_null(st, k);
			break;
		case CPTS_VAL_TEXT:
			sqlite3_bind_text(st, k, v[i].text, v[i].len, SQLITE_STATIC);
			break;
		case CPTS_VAL_REAL:
			sqlite3_bind_double(st, k, v[i].num);
			break;
		case CPTS_VAL_INT:
			sqlite3_bind_int64(st, k, v[i].i);
			break;
		}
	}
	r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return CPTS_OK;
	if ((r & 0xff) == SQLITE_CONSTRAINT && how == CPTS_PUT_INSERT) {
		*conflict = true;
		return CPTS_OK;
	}
	return cpts_store_fail(ctx, w->s, "cannot store a row");
}

void cpts_store_tw_free(cpts_store_tw *w)
{
	if (!w)
		return;
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(w->st[i]);
	free(w);
}

int cpts_store_one_form_per_commune(cpts_ctx *ctx, cpts_store *s, const char *table,
				    long long *n_dropped)
{
	sqlite3 *db = cpts_store_db(s);
	int before = sqlite3_total_changes(db), rc;
	/* consumption: within each profession (nurses by band for both sexes beside GPs by
	   sex and band are two forms of two professions, not of one) */
	const char *same = strcmp(table, "consumption") == 0 ? " AND d.profession = t.profession" : "";
	char *sql = cpts_asprintf("DELETE FROM %s AS t WHERE (sex = 'T' OR age = 'ALL') AND"
				  " EXISTS (SELECT 1 FROM %s AS d WHERE d.code = t.code AND"
				  " d.sex <> 'T' AND d.age <> 'ALL'%s);"
				  "DELETE FROM %s AS t WHERE sex = 'T' AND age = 'ALL' AND EXISTS"
				  " (SELECT 1 FROM %s AS d WHERE d.code = t.code AND d.age <> 'ALL'%s)",
				  table, table, same, table, table, same);

	rc = cpts_store_exec(ctx, s, sql);
	free(sql);
	*n_dropped = sqlite3_total_changes(db) - before;
	return rc;
}

int cpts_store_arm_populations_replace(cpts_ctx *ctx, cpts_store *s, const char (*arms)[6],
				       const double *pops, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, "DELETE FROM attributes WHERE name LIKE"
				  " 'population_arm_%'")) < 0 || n == 0)
		return rc;
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT OR REPLACE INTO attributes(code,"
				     " name, value) VALUES(?, ?, ?)")) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == CPTS_OK; i++) {
		char name[32], val[32];
		snprintf(name, sizeof(name), "population_arm_%s", arms[i]);
		snprintf(val, sizeof(val), "%.17g", pops[i]);
		sqlite3_bind_text(st, 1, cpts_code_arm_parent(arms[i]), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, val, -1, SQLITE_TRANSIENT);
		rc = cpts_store_step_done(ctx, s, st);
	}
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_arm_populations_each(cpts_ctx *ctx, cpts_store *s,
				    int (*fn)(void *arg, const char *arm, double pop), void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT substr(name, 16), value FROM"
				     " attributes WHERE name LIKE 'population_arm_%'")) < 0)
		return rc;
	while ((rc = cpts_store_row(ctx, s, st, "reading arrondissement populations")) > 0) {
		const char *arm = (const char *)sqlite3_column_text(st, 0);
		if (arm && (rc = fn(arg, arm, sqlite3_column_double(st, 1))) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

/* ---- a partition given as input --------------------------------------------------- */

int cpts_store_uncovered_each(cpts_ctx *ctx, cpts_store *s, const char *partition,
			      int (*fn)(void *arg, const char *code, const char *name),
			      void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, name FROM communes WHERE"
				     " code NOT IN (SELECT code FROM partition_members WHERE"
				     " partition = ?) ORDER BY code")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	while ((rc = cpts_store_row(ctx, s, st, "reading uncovered communes")) > 0) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		if ((rc = fn(arg, code ? code : "", name ? name : "")) < 0)
			break;
	}
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

int cpts_store_partition_n_communes(cpts_ctx *ctx, cpts_store *s, const char *partition,
				    long long *n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT count(DISTINCT code) FROM"
				     " partition_members WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	if ((rc = cpts_store_row(ctx, s, st, "counting partition communes")) > 0)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc < 0 ? rc : CPTS_OK;
}

int cpts_store_count_distinct(cpts_ctx *ctx, cpts_store *s, const char *table,
			      const char *col, long long *n)
{
	char *sql = cpts_asprintf("SELECT count(DISTINCT %s) FROM %s", col, table);
	int rc = cpts_store_count_get(ctx, s, sql, n);

	free(sql);
	return rc < 0 ? rc : CPTS_OK;
}
