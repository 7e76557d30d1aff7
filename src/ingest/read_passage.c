/*
 * read_passage.c - `cpts ingest passage`: a COG passage table (old code -> new code,
 * optional split weights) stored in table passage and applied by resolve.c to every
 * table ingested afterwards.
 *
 * Why a separate reader: the passage table is checked as a whole, not row by row: the
 * weights of one old code must add up to 1 (a commune split between several new ones)
 * and an old code given several new codes without weights is split equally, with a
 * warning. Its codes are not checked against the communes (it describes the COG, not
 * the workspace). Real files name their columns by vintage (code_cog2024,
 * code_cog2026): two such columns, or a 2-3 column file without known names, are read
 * by position, oldest first.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/store_ingest.h"
#include "ingest/read_int.h"

typedef struct prow {
	char old[6], nw[6];
	double w;       /* NAN when not given */
	size_t line;
} prow;

static int cmp_prow(const void *a, const void *b)
{
	const prow *x = a, *y = b;
	int c = strcmp(x->old, y->old);
	return c ? c : strcmp(x->nw, y->nw);
}

/* Columns: named, or by position (code_cogYYYY pairs, or the first two/three). */
static int passage_columns(cpts_ctx *ctx, cpts_csv *c, const cpts_ingest_table_opts *o,
			   int col[3])
{
	const cpts_kindspec *k = &cpts_ingest__kinds[CPTS_TABLE_PASSAGE];
	size_t n = cpts_csv_n_cols(c);
	int rc;

	if (o && o->n_map == 0 && n >= 2) {
		bool named = false;
		for (size_t i = 0; i < n; i++) {
			const char *h = cpts_csv_col_low(c, i);
			if (strstr(h, "old") || strstr(h, "ancien") || strstr(h, "new") ||
			    strstr(h, "nouveau"))
				named = true;
		}
		if (!named && n <= 3) {
			bool swap = false;
			const char *a = cpts_csv_col_low(c, 0), *b = cpts_csv_col_low(c, 1);
			/* code_cog2026,code_cog2024: the older vintage is the old code */
			if (strlen(a) == strlen(b) && strcmp(a, b) > 0)
				swap = true;
			col[0] = swap ? 1 : 0;
			col[1] = swap ? 0 : 1;
			col[2] = n == 3 ? 2 : -1;
			cpts_note(ctx, "%s: passage columns read by position: old '%s', new '%s'",
				  cpts_csv_name(c), cpts_csv_col(c, (size_t)col[0]),
				  cpts_csv_col(c, (size_t)col[1]));
			return CPTS_OK;
		}
	}
	rc = cpts_ingest__match_columns(ctx, c, k, o, col);
	return rc;
}

static int read_prows(cpts_ctx *ctx, cpts_csv *c, const int col[3], cpts_vec *rows,
		      long long *n_rows)
{
	char **f;
	size_t n;
	int rc;

	while ((rc = cpts_csv_next(ctx, c, &f, &n)) == 1) {
		prow *r;
		(*n_rows)++;
		r = cpts_vec_push(rows);
		if (!r)
			return cpts_fail(ctx, CPTS_EINPUT, "%s: more than %zu rows in a passage "
					 "table", cpts_csv_name(c), rows->max);
		r->line = cpts_csv_line(c);
		for (int i = 0; i < 2; i++) {
			const char *s = f[col[i]];
			char *out = i ? r->nw : r->old;
			if (!cpts_code_normalize(s, strlen(s), out, NULL, false))
				return cpts_ingest__cell_error(ctx, c, cpts_csv_col(c, (size_t)col[i]), s,
					i ? "is not a commune code (new code)" : "is not a commune code (old code)");
		}
		r->w = NAN;
		if (col[2] >= 0) {
			double v;
			enum cpts_cell ce = cpts_ingest__cell(f[col[2]], &v);
			if (ce == CPTS_CELL_VALUE && (v <= 0 || v > 1))
				return cpts_ingest__cell_error(ctx, c, cpts_csv_col(c, (size_t)col[2]),
							       f[col[2]], "is not a weight in ]0, 1]");
			if (ce == CPTS_CELL_BAD || ce == CPTS_CELL_MASKED)
				return cpts_ingest__cell_error(ctx, c, cpts_csv_col(c, (size_t)col[2]),
							       f[col[2]], "is not a number");
			if (ce == CPTS_CELL_VALUE)
				r->w = v;
		}
	}
	return rc;
}

/* Check weights per old code; fill missing ones (equal split). */
static int check_weights(cpts_ctx *ctx, cpts_csv *c, prow *r, size_t n)
{
	size_t n_equal = 0;

	for (size_t i = 0; i < n;) {
		size_t j = i, n_given = 0;
		double sum = 0;
		for (; j < n && strcmp(r[j].old, r[i].old) == 0; j++) {
			if (j > i && strcmp(r[j].nw, r[j - 1].nw) == 0) {
				cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: duplicate passage %s -> %s (also "
					  "on line %zu)", cpts_csv_name(c), r[j].line, r[j].old, r[j].nw,
					  r[j - 1].line);
				return CPTS_EINPUT;
			}
			if (!isnan(r[j].w)) {
				n_given++;
				sum += r[j].w;
			}
		}
		if (n_given == 0) {
			for (size_t k = i; k < j; k++)
				r[k].w = 1.0 / (double)(j - i);
			if (j - i > 1)
				n_equal++;
		} else if (n_given != j - i || fabs(sum - 1.0) > 1e-3) {
			cpts_fail(ctx, CPTS_EINPUT, "%s:%zu: the weights of old code %s add up to %g"
				  " over %zu of its %zu rows (they must add up to 1)", cpts_csv_name(c),
				  r[i].line, r[i].old, sum, n_given, j - i);
			return CPTS_EINPUT;
		}
		i = j;
	}
	if (n_equal)
		cpts_warn(ctx, "%s: %zu old code%s split between several new codes without "
			  "weights: split equally", cpts_csv_name(c), n_equal, n_equal > 1 ? "s" : "");
	return CPTS_OK;
}

static int store_prows(cpts_ctx *ctx, cpts_store *s, const prow *r, size_t n)
{
	cpts_passage_rec *p = cpts_calloc(n ? n : 1, sizeof(*p));
	int rc;

	for (size_t i = 0; i < n; i++) {
		memcpy(p[i].old_code, r[i].old, 6);
		memcpy(p[i].new_code, r[i].nw, 6);
		p[i].weight = r[i].w;
	}
	rc = cpts_store_passage_replace(ctx, s, p, n);
	free(p);
	return rc;
}

int cpts_ingest__passage(cpts_ctx *ctx, cpts_store *s, const char *path,
			 const cpts_ingest_table_opts *opts, cpts_csv *csv, long long *n_rows,
			 bool check_only)
{
	cpts_vec rows;
	int col[3] = { -1, -1, -1 }, rc;
	bool in_tx = false;
	size_t n_changes = 0;

	cpts_vec_init(&rows, sizeof(prow), (size_t)1 << 22);
	if ((rc = passage_columns(ctx, csv, opts, col)) < 0)
		goto out;
	if ((rc = read_prows(ctx, csv, col, &rows, n_rows)) < 0)
		goto out;
	if (rows.n == 0) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' has a header but no data row", path);
		goto out;
	}
	cpts_qsort(rows.data, rows.n, sizeof(prow), cmp_prow);
	if ((rc = check_weights(ctx, csv, rows.data, rows.n)) < 0 || check_only)
		goto out;
	for (size_t i = 0; i < rows.n; i++)
		n_changes += strcmp(cpts_vec_at(&rows, prow, i).old, cpts_vec_at(&rows, prow, i).nw) != 0;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	in_tx = true;
	if ((rc = store_prows(ctx, s, rows.data, rows.n)) < 0)
		goto out;
	{
		char sha[65];
		cpts_source_info si = { 0 };
		cpts_csv_sha256(csv, sha);
		si.tbl = "passage";
		si.file = path;
		si.sha256 = sha;
		si.n_rows = *n_rows;
		si.n_communes = (long long)n_changes;
		si.vintage = opts->vintage;
		if ((rc = cpts_store_record_source(ctx, s, &si)) < 0)
			goto out;
	}
	if ((rc = cpts_store_commit(ctx, s)) < 0)
		goto out;
	in_tx = false;
	cpts_info(ctx, "ingested passage: %zu rows from %s, %zu codes change", rows.n, path,
		  n_changes);
out:
	if (in_tx)
		cpts_store_rollback(s);
	cpts_vec_release(&rows);
	return rc;
}
