/*
 * read_indicators.c - `cpts ingest indicators WS FILE`: any indicator in long format,
 * one row per cell, `indicateur;code_commune;numerateur` plus optional `denominateur`,
 * `sexe`, `classe_age`, `annee` (docs/profile.md). Several indicators and years may
 * share a file; masked cells ("<11", "s", "NS", "secret") are kept as masked. The
 * catalogue row whose `source` (by default its key) equals `indicateur` says how the
 * profile computes it. Stored through src/store/profile_io.c (table indicator_data),
 * replacing the rows of the indicators the file holds.
 *
 * Wide format (cpts_ingest_indicators_from, when the file has no `indicateur`
 * column): a per-commune file such as the INSEE BPE or the ARS zoning, one column per
 * indicator. The caller names the columns to read (the `source` of catalogue rows):
 * `NB_D113` reads the number in that column as the cell's numerator; `zonage_mg=1_ZIP`
 * makes a share of population: numerator = the commune's population when the column
 * holds 1_ZIP, else 0, denominator = its population (empty cells: no cell), so the
 * population must be ingested first. Rows of communes not in the workspace are set
 * aside and counted (a national file on a regional workspace).
 *
 * Why its own reader and not a kind of read_tables.c: the table is keyed by the
 * indicator and a row's meaning comes from the catalogue, not from fixed columns.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/ingest.h"
#include "cpts/model.h"
#include "cpts/store_profile.h"
#include "ingest/ingest_int.h"

enum { I_IND, I_CODE, I_NUM, I_DEN, I_SEX, I_AGE, I_YEAR, I_N };
static const char *const aliases[I_N] = {
	",indicateur,indicator,",
	",code_commune,code_insee,codgeo,code,com,depcom,insee,",
	",numerateur,numérateur,numerator,valeur,value,effectif,",
	",denominateur,dénominateur,denominator,",
	",sexe,sex,",
	",classe_age,age,",
	",annee,année,year,",
};

static int cell_fail(cpts_ctx *ctx, cpts_csv *c, const char *col, const char *what,
		     const char *value)
{
	cpts_fail(ctx, CPTS_EINPUT, "%s, line %zu, field '%s': %s '%s'", cpts_csv_name(c),
		  cpts_csv_line(c), col, what, value);
	cpts_error_where(ctx, "%s:%zu: field '%s'", cpts_csv_name(c), cpts_csv_line(c), col);
	return CPTS_EINPUT;
}

/* A count cell: value, masked, or an error. dec: the file's decimal separator. */
static int read_count(cpts_ctx *ctx, cpts_csv *c, long col, const char *s, char *dec,
		      double *v, bool *masked)
{
	switch (cpts_ingest__number(s, dec, false, v)) {
	case CPTS_CELL_VALUE:
		if (*v < 0 || !isfinite(*v))
			return cell_fail(ctx, c, cpts_csv_col(c, (size_t)col), "a count is a"
					 " number >= 0, not", s);
		return CPTS_OK;
	case CPTS_CELL_MASKED:
		*v = NAN;
		*masked = true;
		return CPTS_OK;
	case CPTS_CELL_EMPTY:
		*v = NAN;
		return CPTS_OK;
	default:
		return cell_fail(ctx, c, cpts_csv_col(c, (size_t)col), "not a number nor a masked"
				 " cell (<11, s, NS):", s);
	}
}

static bool valid_age(const char *a)
{
	size_t n = 0;

	if (strcmp(a, "ALL") == 0)
		return true;
	while (a[n] >= '0' && a[n] <= '9')
		n++;
	if (n == 0 || n > 3)
		return false;
	if (a[n] == '+')
		return a[n + 1] == 0;
	if (a[n] != '-')
		return false;
	a += n + 1;
	n = 0;
	while (a[n] >= '0' && a[n] <= '9')
		n++;
	return n > 0 && n <= 3 && a[n] == 0;
}

/* One column read in wide format. */
typedef struct wide_col {
	long col;           /* column index */
	const char *name;   /* BORROWED: the indicator (the caller's source) */
	const char *value;  /* BORROWED: the category after '=', NULL for a number */
} wide_col;

static void rows_grow(cpts_indrow **rows, size_t n, size_t *cap)
{
	if (n == *cap) {
		*cap = *cap ? 2 * *cap : 4096;
		*rows = cpts_reallocarray(*rows, *cap, sizeof(**rows));
	}
}

/* The columns of c named by sources (OWNED *out; the value parts point into the copies
   kept in *keep, OWNED). */
static size_t wide_columns(cpts_csv *c, const char *const *sources, size_t n_src,
			   wide_col **out, char ***keep)
{
	size_t n = 0;

	*out = cpts_calloc(n_src + 1, sizeof(**out));
	*keep = cpts_calloc(n_src + 1, sizeof(**keep));
	for (size_t k = 0; k < n_src; k++) {
		char *dup = cpts_strdup(sources[k]), *eq = strchr(dup, '=');
		long col = -1;
		if (eq)
			*eq = 0;
		for (size_t i = 0; i < cpts_csv_n_cols(c) && col < 0; i++)
			if (cpts_strcasecmp(cpts_csv_col_low(c, i), cpts_trim(dup)) == 0)
				col = (long)i;
		(*keep)[k] = dup;
		if (col < 0)
			continue;
		(*out)[n++] = (wide_col){ col, sources[k], eq ? eq + 1 : NULL };
	}
	return n;
}

/* Read the rows of a wide file into *rows (grown, OWNED by the caller). */
static int read_wide(cpts_ctx *ctx, cpts_csv *c, const cpts_model *m, long code_col,
		     const wide_col *wc, size_t n_wc, cpts_indrow **rows, size_t *n, size_t *cap,
		     size_t *n_masked, size_t *n_skipped)
{
	char **f, dec = 0;
	size_t nf;
	int rc;

	for (size_t k = 0; k < n_wc; k++)
		if (wc[k].value && !m->has_population)
			return cpts_fail(ctx, CPTS_EINPUT, "%s: column '%s' read as '%s' is a share"
					 " of population: ingest the population first",
					 cpts_csv_name(c), cpts_csv_col(c, (size_t)wc[k].col),
					 wc[k].name);
	while ((rc = cpts_csv_next(ctx, c, &f, &nf)) > 0) {
		const char *code = cpts_trim(f[code_col]);
		long ci = cpts_model_find(m, code);
		if (ci < 0) {
			(*n_skipped)++;
			continue;
		}
		for (size_t k = 0; k < n_wc; k++) {
			const char *v = cpts_trim(f[wc[k].col]);
			cpts_indrow *r;
			double pop = m->c[ci].pop;
			if (!*v)
				continue;
			rows_grow(rows, *n, cap);
			r = &(*rows)[*n];
			memset(r, 0, sizeof(*r));
			snprintf(r->indicator, sizeof(r->indicator), "%s", wc[k].name);
			snprintf(r->code, sizeof(r->code), "%s", code);
			snprintf(r->sex, sizeof(r->sex), "T");
			snprintf(r->age, sizeof(r->age), "ALL");
			if (wc[k].value) {
				r->num = strcmp(v, wc[k].value) == 0 ? pop : 0;
				r->den = pop;
			} else {
				r->den = NAN;
				if ((rc = read_count(ctx, c, wc[k].col, v, &dec, &r->num,
						     &r->masked)) < 0)
					return rc;
				if (r->masked)
					(*n_masked)++;
			}
			(*n)++;
		}
	}
	return rc;
}

int cpts_ingest_indicators(cpts_ctx *ctx, cpts_store *s, const char *path)
{
	return cpts_ingest_indicators_from(ctx, s, path, NULL, 0);
}

int cpts_ingest_indicators_from(cpts_ctx *ctx, cpts_store *s, const char *path,
				const char *const *sources, size_t n_sources)
{
	cpts_model *m = NULL;
	int rc;

	if ((rc = cpts_model_load(ctx, &m, s)) < 0)
		return rc;
	rc = cpts_ingest_indicators_with(ctx, s, m, path, sources, n_sources);
	cpts_model_free(ctx, m);
	return rc;
}

int cpts_ingest_indicators_with(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
				const char *path, const char *const *sources, size_t n_sources)
{
	wide_col *wc = NULL;
	char **keep = NULL;
	size_t n_wc = 0, n_skipped = 0;
	cpts_csv *c = NULL;
	cpts_indrow *rows = NULL;
	size_t n = 0, cap = 0, n_masked = 0;
	long col[I_N];
	char **f, dec = 0, hex[65];
	size_t nf;
	int rc;

	if ((rc = cpts_csv_open(ctx, &c, path)) < 0)
		goto out;
	for (int k = 0; k < I_N; k++) {
		col[k] = -1;
		for (size_t i = 0; i < cpts_csv_n_cols(c) && col[k] < 0; i++) {
			char pat[80];
			snprintf(pat, sizeof(pat), ",%s,", cpts_csv_col_low(c, i));
			if (strstr(aliases[k], pat))
				col[k] = (long)i;
		}
	}
	if (col[I_IND] < 0 && col[I_CODE] >= 0 && n_sources > 0 &&
	    (n_wc = wide_columns(c, sources, n_sources, &wc, &keep)) > 0) {
		if ((rc = read_wide(ctx, c, m, col[I_CODE], wc, n_wc, &rows, &n, &cap, &n_masked,
				    &n_skipped)) < 0)
			goto out;
		if (n == 0) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "%s: no row of a commune of the workspace"
				       " (%zu rows set aside)", cpts_csv_name(c), n_skipped);
			goto out;
		}
		if (n_skipped)
			cpts_info(ctx, "%s: set aside %zu rows of communes not in the workspace",
				  cpts_csv_name(c), n_skipped);
		goto store;
	}
	if (col[I_IND] < 0 && col[I_CODE] >= 0 && n_sources > 0) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "%s, line 1: no column 'indicateur' (long format:"
			       " indicateur;code_commune;numerateur...) and no column that is the"
			       " source of a catalogue row (wide format: one column per indicator,"
			       " e.g. NB_D113 of the BPE, or zonage_mg=1_ZIP)", cpts_csv_name(c));
		goto out;
	}
	for (int k = 0; k <= I_NUM; k++)
		if (col[k] < 0) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "%s, line 1: no column '%.*s' (an indicators"
				       " file has indicateur;code_commune;numerateur and optionally"
				       " denominateur, sexe, classe_age, annee)", cpts_csv_name(c),
				       (int)strcspn(aliases[k] + 1, ","), aliases[k] + 1);
			goto out;
		}
	while ((rc = cpts_csv_next(ctx, c, &f, &nf)) > 0) {
		cpts_indrow *r;
		const char *v;
		rows_grow(&rows, n, &cap);
		r = &rows[n];
		memset(r, 0, sizeof(*r));
		v = cpts_trim(f[col[I_IND]]);
		if (!*v || strlen(v) >= sizeof(r->indicator)) {
			rc = cell_fail(ctx, c, cpts_csv_col(c, (size_t)col[I_IND]), "an indicator"
				       " name has 1 to 63 characters, not", v);
			goto out;
		}
		snprintf(r->indicator, sizeof(r->indicator), "%s", v);
		v = cpts_trim(f[col[I_CODE]]);
		if (cpts_model_find(m, v) < 0) {
			rc = cell_fail(ctx, c, cpts_csv_col(c, (size_t)col[I_CODE]), "no ingested"
				       " commune has the code", v);
			goto out;
		}
		snprintf(r->code, sizeof(r->code), "%s", v);
		if ((rc = read_count(ctx, c, col[I_NUM], cpts_trim(f[col[I_NUM]]), &dec, &r->num,
				     &r->masked)) < 0)
			goto out;
		r->den = NAN;
		if (col[I_DEN] >= 0 &&
		    (rc = read_count(ctx, c, col[I_DEN], cpts_trim(f[col[I_DEN]]), &dec, &r->den,
				     &r->masked)) < 0)
			goto out;
		if (r->masked) {
			r->num = NAN;
			n_masked++;
		} else if (isnan(r->num)) {
			rc = cell_fail(ctx, c, cpts_csv_col(c, (size_t)col[I_NUM]), "the numerator"
				       " is empty:", "");
			goto out;
		}
		v = col[I_SEX] >= 0 ? cpts_trim(f[col[I_SEX]]) : "T";
		if (!*v || !strcmp(v, "T") || !cpts_strcasecmp(v, "ensemble"))
			v = "T";
		else if (!strcmp(v, "H") || !strcmp(v, "1"))
			v = "M";
		else if (!strcmp(v, "2"))
			v = "F";
		if (strcmp(v, "F") != 0 && strcmp(v, "M") != 0 && strcmp(v, "T") != 0) {
			rc = cell_fail(ctx, c, cpts_csv_col(c, (size_t)col[I_SEX]), "sexe is F, M"
				       " (H, 1, 2) or T, not", v);
			goto out;
		}
		snprintf(r->sex, sizeof(r->sex), "%s", v);
		v = col[I_AGE] >= 0 ? cpts_trim(f[col[I_AGE]]) : "ALL";
		if (!*v)
			v = "ALL";
		if (!valid_age(v)) {
			rc = cell_fail(ctx, c, cpts_csv_col(c, (size_t)col[I_AGE]), "classe_age is"
				       " a band like 00-04, 75+ or ALL, not", v);
			goto out;
		}
		snprintf(r->age, sizeof(r->age), "%s", v);
		if (col[I_YEAR] >= 0 && *cpts_trim(f[col[I_YEAR]])) {
			long y;
			v = cpts_trim(f[col[I_YEAR]]);
			if (!cpts_parse_long(v, &y) || y < 1900 || y > 2100) {
				rc = cell_fail(ctx, c, cpts_csv_col(c, (size_t)col[I_YEAR]), "annee is"
					       " a year from 1900 to 2100, not", v);
				goto out;
			}
			r->year = (int)y;
		}
		n++;
	}
	if (rc < 0)
		goto out;
store:
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	cpts_csv_sha256(c, hex);
	{
		cpts_source_info si = { "indicator_data", path, hex, (long long)n, 0,
					(long long)n_masked, NULL, NULL };
		if ((rc = cpts_store_indicator_data_put(ctx, s, rows, n)) < 0 ||
		    (rc = cpts_store_record_source(ctx, s, &si)) < 0 ||
		    (rc = cpts_store_commit(ctx, s)) < 0) {
			cpts_store_rollback(s);
			goto out;
		}
	}
	cpts_info(ctx, "ingested %zu indicator cells (%zu masked) from '%s'", n, n_masked, path);
	rc = CPTS_OK;
out:
	cpts_csv_free(c);
	free(rows);
	for (size_t k = 0; keep && k < n_sources; k++)
		free(keep[k]);
	free(keep);
	free(wc);
	return rc;
}
