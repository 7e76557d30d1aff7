/*
 * export_io.c - the workspace reads of `cpts export` (cpts/store_export.h): the record
 * of the partition, its basin metrics and attraction classes, the flows pair by pair
 * and the sources, handed row by row to the export as plain values. Why here: SQL stays
 * in src/store; the export (src/export/load.c) builds its snapshot from values.
 *
 * Every read loop ends on SQLITE_DONE or reports the error (a corrupt page must not
 * read as the end of the data).
 */
#include <math.h>
#include <stdlib.h>

#include "cpts/store_export.h"
#include "cpts/util.h"
#include "store/store_int.h"

static char *col_strdup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t ? cpts_strdup(t) : NULL;
}

static double col_double(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* The end of a read loop: SQLITE_DONE is success, anything else the store's error. */
static int read_end(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt *st, int src, const char *what)
{
	int rc = src == SQLITE_DONE ? CPTS_OK : cpts_store_fail(ctx, s, what);

	sqlite3_finalize(st);
	return rc;
}

int cpts_store_partition_record(cpts_ctx *ctx, cpts_store *s, const char *name, char **kind,
				char **source, char **params, char **created)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	*kind = *source = *params = *created = NULL;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT kind, source, params, created FROM"
				     " partitions WHERE name = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((src = sqlite3_step(st)) == SQLITE_ROW) {
		*kind = col_strdup(st, 0);
		*source = col_strdup(st, 1);
		*params = col_strdup(st, 2);
		*created = col_strdup(st, 3);
		src = SQLITE_DONE; /* name is the key: one row at most */
	}
	return read_end(ctx, s, st, src, "reading the partition's record");
}

int cpts_store_basin_metrics_each(cpts_ctx *ctx, cpts_store *s, const char *partition,
				  void (*fn)(void *arg, const cpts_store_metric_row *r),
				  void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT territory, pop, pole, li, msi, pac,"
				     " tier FROM basin_metrics WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col_text(st, 0), *pole = col_text(st, 2);
		cpts_store_metric_row r = { id ? id : "", pole ? pole : "", col_double(st, 1),
					    col_double(st, 3), col_double(st, 4),
					    col_double(st, 5), sqlite3_column_int(st, 6) };
		fn(arg, &r);
	}
	return read_end(ctx, s, st, src, "reading basin_metrics");
}

int cpts_store_basin_communes_each(cpts_ctx *ctx, cpts_store *s, const char *partition,
				   void (*fn)(void *arg, const cpts_store_attract_row *r),
				   void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, class, first_terr, first_share,"
				     " second_terr, second_share, own_share FROM basin_communes"
				     " WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = col_text(st, 0);
		cpts_store_attract_row r;
		r.code = code ? code : "";
		r.klass = sqlite3_column_int(st, 1);
		r.first_terr = col_text(st, 2);
		r.first_share = col_double(st, 3);
		r.second_terr = col_text(st, 4);
		r.second_share = col_double(st, 5);
		r.own_share = col_double(st, 6);
		fn(arg, &r);
	}
	return read_end(ctx, s, st, src, "reading basin_communes");
}

int cpts_store_flow_rows_each(cpts_ctx *ctx, cpts_store *s,
			      int (*fn)(void *arg, const char *orig, size_t orig_len,
					const char *dest, size_t dest_len, double volume,
					bool masked),
			      void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT orig, dest, volume, masked FROM"
				     " flows ORDER BY orig, dest")) < 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *o = col_text(st, 0);
		size_t lo = (size_t)sqlite3_column_bytes(st, 0);
		const char *de = col_text(st, 1);
		size_t ld = (size_t)sqlite3_column_bytes(st, 1);
		if (!o || !de)
			continue; /* NOT NULL columns */
		if ((rc = fn(arg, o, lo, de, ld, col_double(st, 2), sqlite3_column_int(st, 3) != 0))
		    < 0) {
			sqlite3_finalize(st);
			return rc;
		}
	}
	return read_end(ctx, s, st, src, "reading flows");
}

int cpts_store_sources_each(cpts_ctx *ctx, cpts_store *s,
			    void (*fn)(void *arg, const cpts_store_source_row *r), void *arg)
{
	sqlite3_stmt *st = NULL;
	int rc, src;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT tbl, file, sha256, vintage,"
				     " ingested_at, n_rows, n_masked FROM sources ORDER BY tbl")) < 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		cpts_store_source_row r = { col_text(st, 0), col_text(st, 1), col_text(st, 2),
					    col_text(st, 3), col_text(st, 4),
					    sqlite3_column_int64(st, 5),
					    sqlite3_column_int64(st, 6) };
		fn(arg, &r);
	}
	return read_end(ctx, s, st, src, "reading sources");
}
