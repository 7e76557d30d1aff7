/*
 * basins_io.c - the SQL of the basins module (include/cpts/store_basins.h): rows of
 * basin_metrics, basin_communes and basin_stability, and the kind of a partition.
 *
 * Why here: SQL stays in src/store (issue 13); src/basins computes labels and metrics
 * and hands rows over. Every function runs inside the caller's transaction.
 */
#include <math.h>
#include <stdlib.h>

#include "cpts/store_basins.h"
#include "cpts/util.h"
#include "store/store_int.h"

/* Co-assignment table, created on demand so that older workspaces take it too. */
#define STABILITY_SQL \
	"CREATE TABLE IF NOT EXISTS basin_stability(partition TEXT NOT NULL," \
	" code TEXT NOT NULL, coassign REAL NOT NULL, resamples INTEGER NOT NULL," \
	" PRIMARY KEY(partition, code)) WITHOUT ROWID"

static void bind_opt(sqlite3_stmt *st, int col, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, col, v);
	else
		sqlite3_bind_null(st, col);
}

static void bind_str(sqlite3_stmt *st, int col, const char *v)
{
	if (v)
		sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

/* One statement with the partition as its only parameter. */
static int exec_for(cpts_ctx *ctx, cpts_store *s, const char *sql, const char *partition)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, sql)) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_basins_clear_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition)
{
	int rc = exec_for(ctx, s, "DELETE FROM basin_metrics WHERE partition = ?", partition);

	return rc < 0 ? rc : exec_for(ctx, s, "DELETE FROM basin_communes WHERE partition = ?",
				      partition);
}

int cpts_store_basins_put_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition,
				  const cpts_basin_metric_row *rows, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO basin_metrics(partition, territory,"
				     " pop, n_communes, pole, li, msi, pac, tier)"
				     " VALUES(?,?,?,?,?,?,?,?,?)")) < 0)
		return rc;
	for (size_t t = 0; t < n && rc == CPTS_OK; t++) {
		const cpts_basin_metric_row *r = &rows[t];
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->territory, -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, r->pop);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)r->n_communes);
		bind_str(st, 5, r->pole);
		bind_opt(st, 6, r->li);
		bind_opt(st, 7, r->msi);
		bind_opt(st, 8, r->pac);
		sqlite3_bind_int(st, 9, r->tier);
		rc = cpts_store_step_done(ctx, s, st);
	}
	sqlite3_finalize(st);
	return rc;
}

struct communes_arg {
	const char *partition;
	const cpts_basin_commune_row *rows;
};

static void bind_commune(sqlite3_stmt *st, int k, size_t i, void *arg)
{
	const struct communes_arg *a = arg;
	const cpts_basin_commune_row *r = &a->rows[i];

	sqlite3_bind_text(st, k, a->partition, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, k + 1, r->code, -1, SQLITE_STATIC);
	if (r->cls)
		sqlite3_bind_int(st, k + 2, r->cls);
	else
		sqlite3_bind_null(st, k + 2);
	bind_str(st, k + 3, r->first);
	bind_opt(st, k + 4, r->first ? r->first_share : NAN);
	bind_str(st, k + 5, r->second);
	bind_opt(st, k + 6, r->second ? r->second_share : NAN);
	bind_opt(st, k + 7, r->own_share);
}

int cpts_store_basins_put_communes(cpts_ctx *ctx, cpts_store *s, const char *partition,
				   const cpts_basin_commune_row *rows, size_t n)
{
	struct communes_arg a = { partition, rows };

	return cpts_store__insert_rows(ctx, s, "INSERT INTO basin_communes(partition, code,"
				       " class, first_terr, first_share, second_terr, second_share,"
				       " own_share)", 8, n, bind_commune, &a);
}

int cpts_store_basins_clear_stability(cpts_ctx *ctx, cpts_store *s, const char *partition)
{
	int rc = cpts_store_exec(ctx, s, STABILITY_SQL);

	return rc < 0 ? rc : exec_for(ctx, s, "DELETE FROM basin_stability WHERE partition = ?",
				      partition);
}

int cpts_store_basins_put_stability(cpts_ctx *ctx, cpts_store *s, const char *partition,
				    const char *const *codes, const double *coassign, size_t n,
				    int resamples)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_basins_clear_stability(ctx, s, partition)) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO basin_stability(partition, code,"
				     " coassign, resamples) VALUES(?,?,?,?)")) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == CPTS_OK; i++) {
		if (isnan(coassign[i]))
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, codes[i], -1, SQLITE_STATIC);
		sqlite3_bind_double(st, 3, coassign[i]);
		sqlite3_bind_int(st, 4, resamples);
		rc = cpts_store_step_done(ctx, s, st);
	}
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_basins_partition_kind(cpts_ctx *ctx, cpts_store *s, const char *name,
				     char **kind_out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*kind_out = NULL;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT kind FROM partitions WHERE name = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		*kind_out = cpts_strdup(kind ? kind : "");
		rc = CPTS_OK;
	} else if (rc == SQLITE_DONE) {
		rc = CPTS_OK;
	} else {
		rc = cpts_store_fail(ctx, s, "reading the kind of a partition");
	}
	sqlite3_finalize(st);
	return rc;
}
