/*
 * profile_io.c - SQL of the indicator engine (cpts/store_profile.h): the rows of
 * `cpts ingest indicators` in table indicator_data. Kept here so that src/profile and
 * src/ingest stay free of raw sqlite calls for them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/store_profile.h"
#include "cpts/util.h"
#include "store/store_int.h"

#define INDICATOR_DATA_DDL                                                              \
	"CREATE TABLE IF NOT EXISTS indicator_data(indicator TEXT NOT NULL,"           \
	" code TEXT NOT NULL, sex TEXT NOT NULL, age TEXT NOT NULL, year INTEGER NOT NULL," \
	" num REAL, den REAL, masked INTEGER NOT NULL DEFAULT 0,"                     \
	" PRIMARY KEY(indicator, code, sex, age, year)) WITHOUT ROWID"

int cpts_store_indicator_data_put(cpts_ctx *ctx, cpts_store *s, const cpts_indrow *rows,
				  size_t n)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	cpts_strmap *seen = NULL;
	int rc;

	if ((rc = cpts_store_exec(ctx, s, INDICATOR_DATA_DDL)) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &del, "DELETE FROM indicator_data WHERE"
				     " indicator = ?1")) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &ins, "INSERT OR REPLACE INTO indicator_data("
				     "indicator, code, sex, age, year, num, den, masked)"
				     " VALUES(?,?,?,?,?,?,?,?)")) < 0)
		goto out;
	seen = cpts_strmap_new(16);
	for (size_t i = 0; i < n; i++) {
		if (cpts_strmap_get(seen, rows[i].indicator, NULL))
			continue;
		cpts_strmap_put(seen, rows[i].indicator, 1);
		sqlite3_bind_text(del, 1, rows[i].indicator, -1, SQLITE_STATIC);
		if ((rc = cpts_store_step_done(ctx, s, del)) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const cpts_indrow *r = &rows[i];
		sqlite3_bind_text(ins, 1, r->indicator, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, r->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, r->sex, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, r->age, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 5, r->year);
		if (isnan(r->num))
			sqlite3_bind_null(ins, 6);
		else
			sqlite3_bind_double(ins, 6, r->num);
		if (isnan(r->den))
			sqlite3_bind_null(ins, 7);
		else
			sqlite3_bind_double(ins, 7, r->den);
		sqlite3_bind_int(ins, 8, r->masked);
		if ((rc = cpts_store_step_done(ctx, s, ins)) < 0)
			goto out;
	}
	rc = CPTS_OK;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	cpts_strmap_free(seen);
	return rc;
}

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	snprintf(dst, cap, "%s", t ? t : "");
}

int cpts_store_indicator_data_load(cpts_ctx *ctx, cpts_store *s, cpts_indrow **out,
				   size_t *n)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, step;

	*out = NULL;
	*n = 0;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT count(*) FROM sqlite_master WHERE"
				     " type = 'table' AND name = 'indicator_data'")) < 0)
		return rc;
	step = sqlite3_step(st);
	if (step != SQLITE_ROW) {
		rc = cpts_store_fail(ctx, s, "indicator_data");
		sqlite3_finalize(st);
		return rc;
	}
	bool exists = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	st = NULL;
	if (!exists)
		return CPTS_OK;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT indicator, code, sex, age, year, num,"
				     " den, masked FROM indicator_data ORDER BY indicator, code,"
				     " sex, age, year")) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		cpts_indrow *r;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			*out = cpts_reallocarray(*out, cap, sizeof(**out));
		}
		r = &(*out)[(*n)++];
		copy_text(r->indicator, sizeof(r->indicator), st, 0);
		copy_text(r->code, sizeof(r->code), st, 1);
		copy_text(r->sex, sizeof(r->sex), st, 2);
		copy_text(r->age, sizeof(r->age), st, 3);
		r->year = sqlite3_column_int(st, 4);
		r->num = sqlite3_column_type(st, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 5);
		r->den = sqlite3_column_type(st, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 6);
		r->masked = sqlite3_column_int(st, 7) != 0;
	}
	rc = step == SQLITE_DONE ? CPTS_OK : cpts_store_fail(ctx, s, "indicator_data");
	sqlite3_finalize(st);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
