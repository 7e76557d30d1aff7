/*
 * disclosure_io.c - SQL of disclosure control (cpts/store_disclosure.h): the stored
 * profile values of a partition read back in a fixed order, and the département and
 * region of every commune. Moved here from src/profile/disclosure.c so that SQL stays
 * in src/store and its reads follow the store's error model (a read ends on
 * SQLITE_DONE; anything else is reported, never taken for the end of the data).
 */
#include <math.h>
#include <stdlib.h>

#include "store/store_int.h"

#include "cpts/store_disclosure.h"
#include "cpts/util.h"

static char *text_or_empty(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return cpts_strdup(t ? t : "");
}

int cpts_store_commune_geo_load(cpts_ctx *ctx, cpts_store *s, cpts_store_commune_geo **out,
				size_t *n_out)
{
	cpts_store_commune_geo *rows = NULL;
	sqlite3_stmt *st = NULL;
	long long n_com = 0;
	size_t n = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM communes", &n_com)) < 0)
		return rc;
	if (n_com <= 0)
		return CPTS_OK;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, dep, reg FROM communes")) < 0)
		return rc;
	rows = cpts_calloc((size_t)n_com, sizeof(*rows));
	while (n < (size_t)n_com && (rc = cpts_store_row(ctx, s, st, "reading communes")) > 0) {
		rows[n].code = text_or_empty(st, 0);
		rows[n].dep = text_or_empty(st, 1);
		rows[n].reg = text_or_empty(st, 2);
		n++;
	}
	sqlite3_finalize(st);
	if (rc < 0) {
		cpts_store_commune_geo_free(rows, n);
		return rc;
	}
	*out = rows;
	*n_out = n;
	return CPTS_OK;
}

void cpts_store_commune_geo_free(cpts_store_commune_geo *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].code);
		free(rows[i].dep);
		free(rows[i].reg);
	}
	free(rows);
}

struct cpts_store_pvreader {
	cpts_store *s;     /* BORROWED */
	sqlite3_stmt *st;  /* OWNED */
};

int cpts_store_pvreader_open(cpts_ctx *ctx, cpts_store *s, cpts_store_pvreader **out,
			     const char *partition, size_t *n_rows_out)
{
	cpts_store_pvreader *r = NULL;
	sqlite3_stmt *st = NULL;
	long long n_rows = 0;
	int rc;

	*out = NULL;
	*n_rows_out = 0;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT count(*) FROM profile_values"
				     " WHERE partition = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	rc = cpts_store_row(ctx, s, st, "counting profile_values");
	if (rc > 0)
		n_rows = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0)
		return rc;
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT territory, level, level_code, indicator, value, lo, hi, masked"
			" FROM profile_values WHERE partition = ?"
			" ORDER BY territory, level, level_code, indicator")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	r = cpts_calloc(1, sizeof(*r));
	r->s = s;
	r->st = st;
	*out = r;
	*n_rows_out = n_rows > 0 ? (size_t)n_rows : 0;
	return CPTS_OK;
}

static double col_double(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

int cpts_store_pvreader_next(cpts_ctx *ctx, cpts_store_pvreader *r, cpts_store_pvalue *row)
{
	int rc = cpts_store_row(ctx, r->s, r->st, "reading profile_values");

	if (rc <= 0)
		return rc;
	row->territory = (const char *)sqlite3_column_text(r->st, 0);
	row->level = (const char *)sqlite3_column_text(r->st, 1);
	row->level_code = (const char *)sqlite3_column_text(r->st, 2);
	row->indicator = (const char *)sqlite3_column_text(r->st, 3);
	row->value = col_double(r->st, 4);
	row->lo = col_double(r->st, 5);
	row->hi = col_double(r->st, 6);
	row->masked = sqlite3_column_int(r->st, 7) != 0;
	return 1;
}

void cpts_store_pvreader_free(cpts_store_pvreader *r)
{
	if (!r)
		return;
	sqlite3_finalize(r->st);
	free(r);
}
