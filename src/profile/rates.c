/*
 * rates.c - the reference rates of the ICC and what follows from them (profile_int.h):
 * the consumption table read into observed counts per commune, the rates ("--reference":
 * national = the ingested `reference` table when not empty, else computed from the
 * whole area; computed; regional = each commune's region; else a CSV file
 * `sexe;classe_age;taux` read with the one CSV reader of src/ingest/csv.c), then E_i and
 * the standardised population of every commune. Rates are computed from the non-masked
 * cells only (both the consultations and the population of a masked cell are left out).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_int.h"
#include "profile/profile_int.h"

/* ---- consumption ---- */

struct cons_ctx {
	prun *r;
	double *num, *den; /* BORROWED: (n_reg + 1) x NK sums, slot 0 the whole area */
	size_t n_ignored;  /* rows at another sex/age level than the scheme */
};

/* A consumption row of another profession than GPs: a cell of the catalogue source
   consommation_<profession> (generic.c), its denominator the population of its
   stratum (the same as the GPs' E_i: the population inside the consumption band). */
static int add_prof_cell(prun *r, const cpts_store_cell *cell, long i, const char *canon,
			 int sx, int b, bool masked)
{
	const cdata *c = &r->cd[i];
	cpts_indrow *x;

	if (r->prof_cells.size == 0)
		cpts_vec_init(&r->prof_cells, sizeof(cpts_indrow), SIZE_MAX / sizeof(cpts_indrow));
	if (!(x = cpts_vec_push(&r->prof_cells)))
		CPTS_BUG("too many consumption rows");
	memset(x, 0, sizeof(*x));
	snprintf(x->indicator, sizeof(x->indicator), "consommation_%.50s", canon);
	snprintf(x->code, sizeof(x->code), "%s", cell->code);
	snprintf(x->sex, sizeof(x->sex), "%s", cell->sex ? cell->sex : "T");
	snprintf(x->age, sizeof(x->age), "%s", cell->age ? cell->age : "ALL");
	x->masked = masked;
	x->num = masked ? NAN : cell->v[0];
	x->den = sx >= 0 && b >= 0 && !c->skip_total &&
			 (c->has_sexage || (sx == 2 && b == NB))
		 ? cpts_profile__stratum_pop(&c->icc_pop[0][0], c->pop, sx * (NB + 1) + b)
		 : NAN;
	return CPTS_OK;
}

static int add_consumption(void *arg, const cpts_store_cell *cell)
{
	struct cons_ctx *cc = arg;
	prun *r = cc->r;
	long i = cell->code ? cpts_model_find(r->m, cell->code) : -1;
	int sx = cpts_profile__sex_index(cell->sex);
	int b = cpts_profile__icc_band(r, cell->age, true);
	bool masked = cell->flag != 0 || (cell->v_null & 1u);
	double a = cell->v[0];
	int k = sx * (NB + 1) + b;
	char canon[64];
	cdata *c;
	long rg;

	if (i < 0)
		return CPTS_OK;
	if (*cpts_profile__prof_canon(cell->text, canon, sizeof(canon)))
		return add_prof_cell(r, cell, i, canon, sx, b, masked);
	if (cpts_profile__scheme_of(sx, b) != r->scheme) {
		cc->n_ignored++;
		return CPTS_OK;
	}
	c = &r->cd[i];
	c->has_obs = true;
	if (masked) {
		c->obs_nm += 1;
		c->kmask |= (uint64_t)1 << k;
		return CPTS_OK;
	}
	c->obs += a;
	if (c->skip_total || (r->scheme != SCH_TOTAL && !c->has_sexage))
		return CPTS_OK;
	/* reference sums: national (slot 0) and regional (slot 1 + region) */
	rg = cpts_profile__reg_slot(r, &r->m->c[i]);
	cc->num[k] += a;
	cc->den[k] += cpts_profile__stratum_pop(&c->icc_pop[0][0], c->pop, k);
	if (rg >= 0) {
		size_t at = (size_t)(rg + 1) * NK + (size_t)k;
		cc->num[at] += a;
		cc->den[at] += cpts_profile__stratum_pop(&c->icc_pop[0][0], c->pop, k);
	}
	return CPTS_OK;
}

/* Consumption: observed counts per commune, and sums for the computed rates. */
static int load_consumption(cpts_ctx *ctx, prun *r, cpts_store *s, double *num, double *den)
{
	struct cons_ctx cc = { r, num, den, 0 };
	unsigned lv = cpts_store_consumption_levels(s);
	int rc;

	/* the strata scheme: the finest present */
	r->scheme = lv & 1u ? SCH_SEXAGE : lv & 2u ? SCH_AGE : lv & 4u ? SCH_TOTAL : SCH_NONE;
	if (r->scheme == SCH_NONE)
		return CPTS_OK;
	if ((rc = cpts_store_profile_each(ctx, s, CPTS_PIN_CONSUMPTION, add_consumption,
					  &cc)) < 0)
		return rc;
	for (size_t i = 0; i < r->m->n && !r->has_cons; i++)
		r->has_cons = r->cd[i].has_obs; /* GP rows (the others: prof_cells) */
	if (r->prof_cells.n > 1)
		qsort(r->prof_cells.data, r->prof_cells.n, sizeof(cpts_indrow),
		      cpts_profile__indrow_cmp);
	if (cc.n_ignored)
		cpts_warn(ctx, "%zu consumption rows at a coarser sex/age level than the others were"
			  " ignored", cc.n_ignored);
	return CPTS_OK;
}

/* ---- reference rates ---- */

/* Column index of one of two header names, -1 when absent. */
static int header_col(const cpts_csv *c, const char *a, const char *b)
{
	for (size_t i = 0; i < cpts_csv_n_cols(c); i++)
		if (strcmp(cpts_csv_col_low(c, i), a) == 0 || strcmp(cpts_csv_col_low(c, i), b) == 0)
			return (int)i;
	return -1;
}

/* One row of a rates file into rates[]; *sc the finest scheme seen. */
static int rates_row(cpts_ctx *ctx, const prun *r, const char *path, size_t line,
		     char **f, const int col[3], double *rates, enum scheme *sc)
{
	const char *sex = cpts_trim(f[col[0]]), *age = cpts_trim(f[col[1]]);
	const char *rate = cpts_trim(f[col[2]]);
	int sx = cpts_profile__sex_index(sex), b = cpts_profile__icc_band(r, age, true);
	enum scheme s1 = cpts_profile__scheme_of(sx, b);
	double v;

	if (b < 0 && r->general && cpts_bands_parse(age, &(int){ 0 }, &(int){ 0 })) {
		char what[600];
		snprintf(what, sizeof(what), "reference rates '%s', line %zu", path, line);
		return cpts_bands_mismatch(ctx, &r->bands, age, what);
	}
	if (s1 == SCH_NONE)
		return cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s', line %zu, field '%s':"
				 " bad row (sexe F/M/T, classe_age like 00-04 or ALL, taux >= 0)",
				 path, line, sx < 0 ? "sexe" : "classe_age");
	if (!cpts_parse_double(rate, &v) || v < 0)
		return cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s', line %zu, field 'taux':"
				 " '%s' is not a rate >= 0", path, line, rate);
	if (*sc == SCH_NONE || s1 < *sc)
		*sc = s1;
	rates[sx * (NB + 1) + b] = v;
	return CPTS_OK;
}

/* CSV `sexe;classe_age;taux` (any delimiter and encoding the CSV reader knows; decimal
   comma accepted). */
static int read_rates_file(cpts_ctx *ctx, const prun *r, const char *path, double *rates,
			   enum scheme *sc)
{
	FILE *probe = fopen(path, "r");
	cpts_csv *c = NULL;
	char **f;
	size_t nf;
	int col[3], rc;

	*sc = SCH_NONE;
	if (!probe)
		return cpts_fail(ctx, CPTS_EINPUT, "cannot open reference rates '%s' (--reference"
				 " takes national, regional, computed or a CSV file)", path);
	fclose(probe);
	if ((rc = cpts_csv_open(ctx, &c, path)) < 0)
		return rc;
	col[0] = header_col(c, "sexe", "sex");
	col[1] = header_col(c, "classe_age", "age");
	col[2] = header_col(c, "taux", "rate");
	if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s': header needs the columns"
			       " sexe, classe_age and taux", path);
		goto out;
	}
	while ((rc = cpts_csv_next(ctx, c, &f, &nf)) > 0)
		if ((rc = rates_row(ctx, r, path, cpts_csv_line(c), f, col, rates, sc)) < 0)
			goto out;
	if (rc == 0 && *sc == SCH_NONE)
		rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s' hold no rate", path);
out:
	cpts_csv_free(c);
	return rc < 0 ? rc : CPTS_OK;
}

struct tab_ctx {
	cpts_ctx *ctx;
	const prun *r;
	double *rates;
	enum scheme *sc;
};

static int add_table_rate(void *arg, const cpts_store_cell *c)
{
	struct tab_ctx *t = arg;
	const prun *r = t->r;
	int sx = cpts_profile__sex_index(c->sex);
	int b = cpts_profile__icc_band(r, c->age, true);
	enum scheme s1 = cpts_profile__scheme_of(sx, b);

	if (b < 0 && r->general && c->age && cpts_bands_parse(c->age, &(int){ 0 }, &(int){ 0 }))
		return cpts_bands_mismatch(t->ctx, &r->bands, c->age, "reference table");
	if (s1 == SCH_NONE)
		return CPTS_OK;
	if (*t->sc == SCH_NONE || s1 < *t->sc)
		*t->sc = s1;
	t->rates[sx * (NB + 1) + b] = c->v[0];
	return CPTS_OK;
}

static int load_table_rates(cpts_ctx *ctx, const prun *r, cpts_store *s, double *rates,
			    enum scheme *sc)
{
	struct tab_ctx t = { ctx, r, rates, sc };

	*sc = SCH_NONE;
	return cpts_store_profile_each(ctx, s, CPTS_PIN_REFERENCE, add_table_rate, &t);
}

/* ---- E_i ---- */

/* E_i (national or regional rates) and the standardised population of every commune. */
static void expected_counts(prun *r, bool regional)
{
	double crude_num = 0, crude_den = 0, crude, sum_e = 0, sum_p = 0;

	/* crude rate of the reference population, for communes without sex/age data */
	for (size_t i = 0; i < r->m->n; i++) {
		const cdata *c = &r->cd[i];
		if (c->skip_total || !c->has_sexage)
			continue;
		crude_num += cpts_profile__expected_of(r, c, r->rates, 0, false);
		crude_den += c->pop;
	}
	crude = crude_den > 0 ? crude_num / crude_den : NAN;
	for (size_t i = 0; i < r->m->n; i++) {
		cdata *c = &r->cd[i];
		double e_nat = cpts_profile__expected_of(r, c, r->rates, crude, false);
		if (regional) {
			long g = cpts_profile__reg_slot(r, &r->m->c[i]);
			const double *rg = g >= 0 ? r->reg_rates + (size_t)g * NK : NULL;
			c->expected = rg ? cpts_profile__expected_of(r, c, rg, crude, false) : NAN;
			c->expected_known = rg ? cpts_profile__expected_of(r, c, rg, crude, true)
					       : NAN;
		} else {
			c->expected = e_nat;
			c->expected_known = cpts_profile__expected_of(r, c, r->rates, crude, true);
		}
		c->pstd = e_nat; /* rescaled below */
		if (!isnan(e_nat) && !c->skip_total) {
			sum_e += e_nat;
			sum_p += c->pop;
		}
	}
	/* P_i = E_i / (mean rate): the population weighted by its relative consumption */
	for (size_t i = 0; i < r->m->n; i++) {
		cdata *c = &r->cd[i];
		c->pstd = sum_e > 0 && !isnan(c->pstd) ? c->pstd * sum_p / sum_e : c->pop;
	}
}

/* Reference rates, E_i and the standardised population of every commune. */
int cpts_profile__setup_rates(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	size_t nslots = (r->n_reg + 1) * NK;
	double *num = cpts_calloc(nslots, sizeof(double));
	double *den = cpts_calloc(nslots, sizeof(double));
	double computed[NK];
	const char *ref = r->o->reference ? r->o->reference : "national";
	bool regional = strcmp(ref, "regional") == 0;
	int rc;

	for (int k = 0; k < NK; k++)
		r->rates[k] = NAN;
	if ((rc = load_consumption(ctx, r, s, num, den)) < 0)
		goto out;
	for (int k = 0; k < NK; k++)
		computed[k] = den[k] > 0 ? num[k] / den[k] : NAN;
	if (strcmp(ref, "national") == 0 || strcmp(ref, "computed") == 0 || regional) {
		enum scheme sc = SCH_NONE;
		double tab[NK];
		for (int k = 0; k < NK; k++)
			tab[k] = NAN;
		if (strcmp(ref, "national") == 0 && cpts_store_reference_count(s) > 0 &&
		    (rc = load_table_rates(ctx, r, s, tab, &sc)) < 0)
			goto out;
		if (sc != SCH_NONE && (r->scheme == SCH_NONE || sc == r->scheme)) {
			memcpy(r->rates, tab, sizeof(tab));
			r->scheme = sc;
			r->ref_source = "reference table of the workspace";
		} else {
			memcpy(r->rates, computed, sizeof(computed));
			r->ref_source = "computed from the whole ingested area";
		}
	} else {
		enum scheme sc = SCH_NONE;
		if ((rc = read_rates_file(ctx, r, ref, r->rates, &sc)) < 0)
			goto out;
		if (r->scheme != SCH_NONE && sc != r->scheme) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s' are not at the sex/age"
				       " level of the consumption table", ref);
			goto out;
		}
		r->scheme = sc;
		r->ref_source = ref;
	}
	if (regional) {
		r->reg_rates = cpts_calloc(r->n_reg * NK + 1, sizeof(double));
		for (size_t g = 0; g < r->n_reg; g++)
			for (int k = 0; k < NK; k++) {
				size_t at = (g + 1) * NK + (size_t)k;
				r->reg_rates[g * NK + (size_t)k] = den[at] > 0 ? num[at] / den[at] : NAN;
			}
		r->ref_source = "computed from each commune's region";
	}
	expected_counts(r, regional);
out:
	free(num);
	free(den);
	return rc;
}
