/*
 * profile.c - territory profiles (DOMAIN.md section 6): load the ingested tables once
 * into per-commune arrays, aggregate counts per territory, per commune (weighted by
 * the membership weight of split communes), per département, region and the whole
 * area, derive every indicator of the catalogue from those aggregated counts (never
 * from averaged ratios) and store them in profile_values in one transaction (the rows
 * of each territory sorted into key order, many rows per INSERT: on 1,000 territories
 * of 35,000 communes the million-odd rows were most of the run).
 *
 * Masked input cells (consumption.masked, bits of mt.mask) are carried as a count of
 * masked cells next to the sum of the known cells; see cpts/profile.h for how they
 * are stored (value = known sum, [lo, hi] = known + m .. known + 10 m, masked = 1).
 *
 * ICC reference rates ("--reference"): "national" = the ingested `reference` table
 * when it is not empty, else rates computed from the whole ingested area; "computed"
 * forces the latter; "regional" = rates computed from each commune's region (so a
 * territory is compared with its own region); anything else is a CSV file
 * `sexe;classe_age;taux`. Rates are computed from the non-masked cells only (both the
 * consultations and the population of a masked cell are left out).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpts/code.h"
#include "cpts/model.h"
#include "cpts/profile.h"
#include "cpts/session.h"
#include "cpts/util.h"
#include "profile/bands.h"
#include "profile/generic.h"

#define NB 20           /* age bands 00-04 .. 90-94, 95+ */
#define NK (3 * (NB + 1)) /* strata: sex F, M, T x band (NB + 'ALL') */
#define N_MT 10
#define NPROF 5 /* professions other than GPs, see professions[] */

/* The professions of the supply table beside GPs (issue 14 point 4): key prefix of
   their indicators (catalogue rows <prefix>_count, _etp, _density, _share_60p) and the
   names they go by, normalised (lower case, é -> e, space and - -> _): RPPS labels and
   the BPE's codes (bpe2021_variables.csv: D232 infirmier, D233 masseur kinésithérapeute,
   D231 sage-femme, D221 chirurgien dentiste, D307 pharmacie). */
static const struct profession {
	const char *prefix;
	const char *names; /* ",name,name," */
} professions[NPROF] = {
	{ "inf", ",infirmier,infirmiere,infirmiers,infirmier_liberal,ide,d232,nb_d232," },
	{ "mk", ",masseur_kinesitherapeute,masseurs_kinesitherapeutes,kinesitherapeute,kine,"
		"mk,d233,nb_d233," },
	{ "sf", ",sage_femme,sages_femmes,sf,d231,nb_d231," },
	{ "cd", ",chirurgien_dentiste,chirurgiens_dentistes,dentiste,cd,d221,nb_d221," },
	{ "ph", ",pharmacien,pharmaciens,pharmacie,pharmacies,officine,d307,nb_d307," },
};

enum scheme { SCH_NONE, SCH_SEXAGE, SCH_AGE, SCH_TOTAL };

static const char *const mt_keys[N_MT] = {
	"mt_patients", "mt_sans_mt", "mt_mt_parti", "mt_fictif", "mt_ald",
	"mt_ald_sans_mt", "mt_c2s", "mt_c2s_sans_mt", "mt_p70", "mt_p70_sans_mt",
};

/* Per-commune inputs. */
typedef struct cdata {
	double popsa[2][NB];   /* population by sex (F, M) and band */
	double pop_all;        /* sex 'T' age 'ALL' row */
	double pop;            /* total: sum of popsa when given, else pop_all */
	bool has_sexage;
	bool has_obs;          /* consumption rows exist */
	bool skip_total;       /* a commune whose arrondissements are also loaded */
	double obs, obs_nm;    /* consultations of known cells, number of masked cells */
	double expected;       /* E_i with the reference rates of the ICC */
	double expected_known; /* E_i over the strata whose consumption is known (not
				  masked): the same strata as the observed count */
	double icc_pop[2][NB]; /* population by sex and ICC stratum (the consumption
				  table's age bands, profile/bands.h) */
	uint64_t kmask;        /* bit k: consumption stratum k is masked */
	double pstd;           /* age-standardised population (APL) */
	double mt[N_MT], mt_nm[N_MT];
	unsigned mt_has;       /* bit c: column c given (known or masked) */
	double gp_n, gp_etp, gp_60, gp_60den;
	bool gp_has_etp;
	double pr_n[NPROF], pr_etp[NPROF], pr_60[NPROF], pr_60den[NPROF];
	unsigned pr_has_etp;    /* bit p: an FTE was given for profession p */
	double pr_apl[NPROF];   /* APL of profession p (FTE per 100,000), NAN if none */
	int dens;              /* grille de densité class 1..3, 0 unknown */
	double apl;            /* NAN when not computed */
} cdata;

/* Aggregated counts of a unit. */
typedef struct agg {
	double n_communes, area, pop, pop_sexage, popsa[2][NB], dens_pop[4];
	double mt[N_MT], mt_nm[N_MT];
	unsigned mt_has;
	double obs, obs_nm, expected, expected_known;
	bool has_obs, has_sexage, has_etp;
	double gp_n, gp_etp, gp_60, gp_60den;
	double pr_n[NPROF], pr_etp[NPROF], pr_60[NPROF], pr_60den[NPROF];
	unsigned pr_has_etp;
	double apl_num, apl_den, pr_apl_num[NPROF];
	const double *gsum;    /* BORROWED: sums of the catalogue indicators (generic.c) */
} agg;

/* Cached rows of a shared level (see emit_level). */
typedef struct lcache {
	cpts_vec rows; /* prow */
	bool done;
} lcache;

/* Everything a run needs. */
typedef struct prun {
	const cpts_profile_opts *o;
	cpts_model *m;
	cdata *cd;
	bool has_mt, has_supply, has_cons, has_dens, has_apl;
	unsigned has_prof;           /* bit p: the supply table has profession p */
	bool pop_odd_bands;          /* a population band is not a 5-year band: no age
					groups (they would mix bands) */
	enum scheme scheme;          /* strata of the reference rates */
	cpts_bands bands;            /* age bands of the ICC strata (consumption table) */
	bool general;                /* bands given: strata are bands, not 5-year slots */
	double rates[NK];            /* reference rates (national / file / table) */
	double *reg_rates;           /* regional mode: n_reg x NK */
	cpts_strmap *reg_index;      /* region code -> row of reg_rates / agg */
	size_t n_reg;
	const char *ref_source;      /* what the rates are, for the meta record */
	cpts_strmap *dep_index;      /* département code -> agg */
	agg *dep_agg, *reg_agg, all;
	size_t n_dep;
	char (*dep_code)[4], (*reg_code)[4];
	bool od;                     /* APL from the traveltime table */
	sqlite3_stmt *ins;
	cpts_vec rows;               /* prow: values of the current territory */
	lcache *dep_cache, *reg_cache, all_cache; /* rows of the shared levels */
	const char *partition;
	size_t n_rows;
	cpts_chi2_memo chi2;         /* quantiles of the ICC intervals */
	sqlite3_stmt *ins_batch;     /* PROW_BATCH rows at once (prepared on first use) */
	cpts_gen *gen;               /* catalogue indicators with data (NULL: none) */
	double *g_dep, *g_reg, *g_all, *g_terr, *g_one; /* their sums per unit (OWNED) */
} prun;

#define PROW_BATCH 64

/* ---- strata ---- */

static int band_index(const char *age)
{
	long lo;
	char buf[8];
	size_t n = 0;

	if (!age)
		return -1;
	if (cpts_strcasecmp(age, "ALL") == 0)
		return NB;
	while (age[n] >= '0' && age[n] <= '9' && n < sizeof(buf) - 1) {
		buf[n] = age[n];
		n++;
	}
	buf[n] = 0;
	if (n == 0 || (age[n] != '-' && age[n] != '+') || !cpts_parse_long(buf, &lo))
		return -1;
	lo /= 5;
	return lo >= NB ? NB - 1 : (int)lo;
}

static int sex_index(const char *sex)
{
	if (!sex)
		return -1;
	if (strcmp(sex, "F") == 0)
		return 0;
	if (strcmp(sex, "M") == 0 || strcmp(sex, "H") == 0)
		return 1;
	if (strcmp(sex, "T") == 0)
		return 2;
	return -1;
}

/* Stratum of an age label for the ICC: the consumption table's band holding it (exact:
   the same band), NB for ALL; the 5-year slot when the consumption has no bands. */
static int icc_band(const prun *r, const char *age, bool exact)
{
	if (!r->general || !age || cpts_strcasecmp(age, "ALL") == 0)
		return band_index(age);
	return cpts_bands_find(&r->bands, age, exact);
}

static enum scheme scheme_of(int sx, int b)
{
	if (sx < 0 || b < 0)
		return SCH_NONE;
	if (sx < 2 && b < NB)
		return SCH_SEXAGE;
	if (sx == 2 && b < NB)
		return SCH_AGE;
	if (sx == 2 && b == NB)
		return SCH_TOTAL;
	return SCH_NONE;
}

/* Population of commune-like counts in stratum k (sex * (NB + 1) + band). */
static double stratum_pop(const double *popsa, double pop, int k)
{
	int sx = k / (NB + 1), b = k % (NB + 1);

	if (sx < 2 && b < NB)
		return popsa[sx * NB + b];
	if (sx == 2 && b < NB)
		return popsa[b] + popsa[NB + b];
	if (sx == 2 && b == NB)
		return pop;
	double s = 0;
	for (int j = 0; j < NB; j++)
		s += popsa[sx * NB + j];
	return s;
}

/* Expected consultations of a population under rates (crude rate when the commune
   has no sex/age population but the rates are by stratum). */
static double expected_of(const prun *r, const cdata *c, const double *rates, double crude,
			  bool known_only)
{
	double e = 0;

	if (r->scheme == SCH_NONE)
		return NAN;
	if (r->scheme != SCH_TOTAL && !c->has_sexage)
		return c->pop * crude;
	for (int k = 0; k < NK; k++)
		if (scheme_of(k / (NB + 1), k % (NB + 1)) == r->scheme && !isnan(rates[k]) &&
		    !(known_only && (c->kmask >> k & 1u)))
			e += stratum_pop(&c->icc_pop[0][0], c->pop, k) * rates[k];
	return e;
}

/* ---- loading ---- */

static long code_index(const prun *r, sqlite3_stmt *st, int col)
{
	const char *code = (const char *)sqlite3_column_text(st, col);
	return code ? cpts_model_find(r->m, code) : -1;
}

static double col_d(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* The ICC strata: the age bands of the consumption table, as intervals; each population
   band must lie inside one of them (a band outside all of them has no rate: warned). */
static int setup_bands(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc, step;
	size_t n_out = 0;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT DISTINCT age FROM consumption WHERE"
				     " age <> 'ALL' ORDER BY age")) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = cpts_bands_add(ctx, &r->bands, (const char *)sqlite3_column_text(st, 0),
					 "consumption")) < 0)
			break;
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	r->general = r->bands.n > 0;
	if (!r->general)
		return CPTS_OK;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT DISTINCT age FROM population WHERE"
				     " age <> 'ALL' ORDER BY age")) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *age = (const char *)sqlite3_column_text(st, 0);
		int lo, hi;
		bool touches = false;
		if (!age || cpts_bands_find(&r->bands, age, false) >= 0 ||
		    !cpts_bands_parse(age, &lo, &hi))
			continue;
		for (int k = 0; k < r->bands.n; k++)
			touches |= lo <= r->bands.hi[k] && r->bands.lo[k] <= hi;
		if (touches) {
			rc = cpts_bands_mismatch(ctx, &r->bands, age, "population");
			break;
		}
		n_out++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	if (n_out)
		cpts_warn(ctx, "%zu population age band(s) lie outside every consumption band:"
			  " their population has no consumption rate", n_out);
	return CPTS_OK;
}

static int load_population(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, sex, age, pop FROM population")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long i = code_index(r, st, 0);
		int sx = sex_index((const char *)sqlite3_column_text(st, 1));
		const char *age = (const char *)sqlite3_column_text(st, 2);
		int b = band_index(age), kb = icc_band(r, age, false), blo, bhi;
		double p = sqlite3_column_double(st, 3);
		if (i < 0)
			continue;
		if (cpts_bands_parse(age, &blo, &bhi) &&
		    !(blo % 5 == 0 && (bhi == blo + 4 || (bhi == 999 && blo >= 95))))
			r->pop_odd_bands = true;
		if (sx >= 0 && sx < 2 && b >= 0 && b < NB) {
			r->cd[i].popsa[sx][b] += p;
			if (kb >= 0 && kb < NB)
				r->cd[i].icc_pop[sx][kb] += p;
			r->cd[i].has_sexage = true;
		} else if (sx == 2 && b == NB) {
			r->cd[i].pop_all += p;
		}
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < r->m->n; i++) {
		cdata *c = &r->cd[i];
		if (c->has_sexage) {
			c->pop = 0;
			for (int sx = 0; sx < 2; sx++)
				for (int b = 0; b < NB; b++)
					c->pop += c->popsa[sx][b];
		} else {
			c->pop = c->pop_all;
		}
	}
	return CPTS_OK;
}

static long reg_slot(const prun *r, const cpts_commune *c)
{
	int64_t v;
	return cpts_strmap_get(r->reg_index, c->reg, &v) ? (long)v : -1;
}

/* Consumption: observed counts per commune, and sums for the computed rates. */
static int load_consumption(cpts_ctx *ctx, prun *r, cpts_store *s, double *num, double *den)
{
	sqlite3_stmt *st = NULL;
	size_t n_ignored = 0;
	int rc;

	/* the strata scheme: the finest present */
	r->scheme = SCH_NONE;
	if (cpts_store_count(s, "SELECT EXISTS(SELECT 1 FROM consumption WHERE sex IN ('F','M','H')"
			     " AND age <> 'ALL')", 0) > 0)
		r->scheme = SCH_SEXAGE;
	else if (cpts_store_count(s, "SELECT EXISTS(SELECT 1 FROM consumption WHERE sex = 'T' AND"
				  " age <> 'ALL')", 0) > 0)
		r->scheme = SCH_AGE;
	else if (cpts_store_count(s, "SELECT EXISTS(SELECT 1 FROM consumption WHERE sex = 'T' AND"
				  " age = 'ALL')", 0) > 0)
		r->scheme = SCH_TOTAL;
	if (r->scheme == SCH_NONE)
		return CPTS_OK;
	r->has_cons = true;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, sex, age, actes, masked FROM"
				     " consumption")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long i = code_index(r, st, 0);
		int sx = sex_index((const char *)sqlite3_column_text(st, 1));
		int b = icc_band(r, (const char *)sqlite3_column_text(st, 2), true);
		bool masked = sqlite3_column_int(st, 4) != 0 || sqlite3_column_type(st, 3) == SQLITE_NULL;
		double a = sqlite3_column_double(st, 3);
		int k = sx * (NB + 1) + b;
		cdata *c;
		long rg;
		if (i < 0)
			continue;
		if (scheme_of(sx, b) != r->scheme) {
			n_ignored++;
			continue;
		}
		c = &r->cd[i];
		c->has_obs = true;
		if (masked) {
			c->obs_nm += 1;
			c->kmask |= (uint64_t)1 << k;
			continue;
		}
		c->obs += a;
		if (c->skip_total || (r->scheme != SCH_TOTAL && !c->has_sexage))
			continue;
		/* reference sums: national (slot 0) and regional (slot 1 + region) */
		rg = reg_slot(r, &r->m->c[i]);
		num[k] += a;
		den[k] += stratum_pop(&c->icc_pop[0][0], c->pop, k);
		if (rg >= 0) {
			num[(size_t)(rg + 1) * NK + (size_t)k] += a;
			den[(size_t)(rg + 1) * NK + (size_t)k] += stratum_pop(&c->icc_pop[0][0], c->pop, k);
		}
	}
	sqlite3_finalize(st);
	if (n_ignored)
		cpts_warn(ctx, "%zu consumption rows at a coarser sex/age level than the others were"
			  " ignored", n_ignored);
	return CPTS_OK;
}

/* CSV `sexe;classe_age;taux` (separator ; , or tab; decimal comma accepted). */
static int read_rates_file(cpts_ctx *ctx, const prun *r, const char *path, double *rates,
			   enum scheme *sc)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int col_s = -1, col_a = -1, col_r = -1, lineno = 0, rc = CPTS_OK;
	char sep = ';';

	if (!f)
		return cpts_fail(ctx, CPTS_EINPUT, "cannot open reference rates '%s' (--reference"
				 " takes national, regional, computed or a CSV file)", path);
	*sc = SCH_NONE;
	while (fgets(line, sizeof(line), f)) {
		char *fields[8], *p = line;
		int nf = 0;
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (lineno == 1 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
		    (unsigned char)p[2] == 0xBF)
			p += 3;
		if (lineno == 1)
			sep = strchr(p, ';') ? ';' : strchr(p, '\t') ? '\t' : ',';
		while (nf < 8) {
			char *e = strchr(p, sep);
			fields[nf++] = p;
			if (!e)
				break;
			*e = 0;
			p = e + 1;
		}
		for (int i = 0; i < nf; i++) {
			size_t l;
			fields[i] = cpts_trim(fields[i]);
			l = strlen(fields[i]);
			if (l >= 2 && fields[i][0] == '"' && fields[i][l - 1] == '"') {
				fields[i][l - 1] = 0;
				fields[i]++;
			}
		}
		if (lineno == 1) {
			for (int i = 0; i < nf; i++) {
				if (!cpts_strcasecmp(fields[i], "sexe") || !cpts_strcasecmp(fields[i], "sex"))
					col_s = i;
				else if (!cpts_strcasecmp(fields[i], "classe_age") ||
					 !cpts_strcasecmp(fields[i], "age"))
					col_a = i;
				else if (!cpts_strcasecmp(fields[i], "taux") ||
					 !cpts_strcasecmp(fields[i], "rate"))
					col_r = i;
			}
			if (col_s < 0 || col_a < 0 || col_r < 0) {
				rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s': header needs the"
					       " columns sexe, classe_age and taux", path);
				goto out;
			}
			continue;
		}
		if (nf == 1 && fields[0][0] == 0)
			continue;
		if (col_s >= nf || col_a >= nf || col_r >= nf) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s':%d: missing field", path,
				       lineno);
			goto out;
		}
		{
			int sx = sex_index(fields[col_s]), b = icc_band(r, fields[col_a], true);
			enum scheme s1 = scheme_of(sx, b);
			double v;
			if (b < 0 && r->general && cpts_bands_parse(fields[col_a], &(int){ 0 },
								    &(int){ 0 })) {
				char what[600];
				snprintf(what, sizeof(what), "reference rates '%s', line %d", path,
					 lineno);
				rc = cpts_bands_mismatch(ctx, &r->bands, fields[col_a], what);
				goto out;
			}
			if (s1 == SCH_NONE || !cpts_parse_double(fields[col_r], &v) || v < 0) {
				rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s':%d: bad row"
					       " (sexe F/M/T, classe_age like 00-04 or ALL, taux >= 0)",
					       path, lineno);
				goto out;
			}
			if (*sc == SCH_NONE || s1 < *sc)
				*sc = s1;
			rates[sx * (NB + 1) + b] = v;
		}
	}
	if (*sc == SCH_NONE)
		rc = cpts_fail(ctx, CPTS_EINPUT, "reference rates '%s' hold no rate", path);
out:
	fclose(f);
	return rc;
}

static int load_table_rates(cpts_ctx *ctx, const prun *r, cpts_store *s, double *rates,
			    enum scheme *sc)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*sc = SCH_NONE;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT sex, age, rate FROM reference")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int sx = sex_index((const char *)sqlite3_column_text(st, 0));
		const char *age = (const char *)sqlite3_column_text(st, 1);
		int b = icc_band(r, age, true);
		enum scheme s1 = scheme_of(sx, b);
		if (b < 0 && r->general && age && cpts_bands_parse(age, &(int){ 0 }, &(int){ 0 })) {
			int rc2 = cpts_bands_mismatch(ctx, &r->bands, age, "reference table");
			sqlite3_finalize(st);
			return rc2;
		}
		if (s1 == SCH_NONE)
			continue;
		if (*sc == SCH_NONE || s1 < *sc)
			*sc = s1;
		rates[sx * (NB + 1) + b] = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	return CPTS_OK;
}

/* Reference rates, E_i and the standardised population of every commune. */
static int setup_rates(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	size_t nslots = (r->n_reg + 1) * NK;
	double *num = cpts_calloc(nslots, sizeof(double));
	double *den = cpts_calloc(nslots, sizeof(double));
	double computed[NK], crude_num = 0, crude_den = 0, crude, sum_e = 0, sum_p = 0;
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
		if (strcmp(ref, "national") == 0 &&
		    cpts_store_count(s, "SELECT count(*) FROM reference", 0) > 0) {
			if ((rc = load_table_rates(ctx, r, s, tab, &sc)) < 0)
				goto out;
		}
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
	/* crude rate of the reference population, for communes without sex/age data */
	for (size_t i = 0; i < r->m->n; i++) {
		const cdata *c = &r->cd[i];
		if (c->skip_total || !c->has_sexage)
			continue;
		crude_num += expected_of(r, c, r->rates, 0, false);
		crude_den += c->pop;
	}
	crude = crude_den > 0 ? crude_num / crude_den : NAN;
	for (size_t i = 0; i < r->m->n; i++) {
		cdata *c = &r->cd[i];
		double e_nat = expected_of(r, c, r->rates, crude, false);
		if (regional) {
			long g = reg_slot(r, &r->m->c[i]);
			c->expected = g >= 0 ? expected_of(r, c, r->reg_rates + (size_t)g * NK, crude,
							   false) : NAN;
			c->expected_known = g >= 0 ? expected_of(r, c, r->reg_rates + (size_t)g * NK,
								 crude, true) : NAN;
		} else {
			c->expected = e_nat;
			c->expected_known = expected_of(r, c, r->rates, crude, true);
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
out:
	free(num);
	free(den);
	return rc;
}

static int load_mt(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT code, patients, sans_mt, sans_mt_mt_parti, sans_mt_fictif, ald,"
			" ald_sans_mt, c2s, c2s_sans_mt, p70, p70_sans_mt, mask FROM mt")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long i = code_index(r, st, 0);
		unsigned mask = (unsigned)sqlite3_column_int(st, 11);
		if (i < 0)
			continue;
		r->has_mt = true;
		for (int c = 0; c < N_MT; c++) {
			double v = col_d(st, 1 + c);
			if (mask & (1u << c)) {
				r->cd[i].mt_nm[c] += 1;
				r->cd[i].mt_has |= 1u << c;
			} else if (!isnan(v)) {
				r->cd[i].mt[c] += v;
				r->cd[i].mt_has |= 1u << c;
			}
		}
	}
	sqlite3_finalize(st);
	return CPTS_OK;
}

/* Normalised profession name into b (lower case, é -> e, space and - -> _). */
static void prof_norm(const char *prof, char *b, size_t cap)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)prof; *p && n < cap - 1; p++) {
		if (p[0] == 0xC3 && (p[1] == 0xA9 || p[1] == 0x89)) { /* é É */
			b[n++] = 'e';
			p++;
		} else if (*p == ' ' || *p == '-') {
			b[n++] = '_';
		} else if (*p >= 'A' && *p <= 'Z') {
			b[n++] = (char)(*p - 'A' + 'a');
		} else {
			b[n++] = (char)*p;
		}
	}
	b[n] = 0;
}

/* Index in professions[] of a profession name, -1 when none. */
static int prof_index(const char *prof)
{
	char b[64], pat[68];

	if (!prof)
		return -1;
	prof_norm(prof, b, sizeof(b));
	snprintf(pat, sizeof(pat), ",%s,", b);
	for (int k = 0; k < NPROF; k++)
		if (strstr(professions[k].names, pat))
			return k;
	return -1;
}

/* GP profession: medecin_generaliste, MG, generaliste, D201 (any case, accents, spaces). */
static bool is_gp(const char *prof)
{
	char b[64];

	if (!prof)
		return false;
	prof_norm(prof, b, sizeof(b));
	return strcmp(b, "medecin_generaliste") == 0 || strcmp(b, "mg") == 0 ||
	       strcmp(b, "generaliste") == 0 || strcmp(b, "d201") == 0 ||
	       strcmp(b, "nb_d201") == 0 || strcmp(b, "omnipraticien") == 0;
}

static int load_supply(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT code, profession, effectif, etp, age_60p FROM supply")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long i = code_index(r, st, 0);
		double eff = col_d(st, 2), etp = col_d(st, 3), a60 = col_d(st, 4);
		cdata *c;
		const char *prof = (const char *)sqlite3_column_text(st, 1);
		int pk = prof_index(prof);
		r->has_supply = true;
		if (i >= 0 && pk >= 0) {
			c = &r->cd[i];
			r->has_prof |= 1u << pk;
			if (!isnan(eff))
				c->pr_n[pk] += eff;
			if (!isnan(etp)) {
				c->pr_etp[pk] += etp;
				c->pr_has_etp |= 1u << pk;
			}
			if (!isnan(a60) && !isnan(eff)) {
				c->pr_60[pk] += a60;
				c->pr_60den[pk] += eff;
			}
			continue;
		}
		if (i < 0 || !is_gp(prof))
			continue;
		c = &r->cd[i];
		if (!isnan(eff))
			c->gp_n += eff;
		if (!isnan(etp)) {
			c->gp_etp += etp;
			c->gp_has_etp = true;
		}
		if (!isnan(a60) && !isnan(eff)) {
			c->gp_60 += a60;
			c->gp_60den += eff;
		}
	}
	sqlite3_finalize(st);
	return CPTS_OK;
}

static int load_dens(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT code, value FROM attributes WHERE"
				     " upper(name) = 'DENS'")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		long i = code_index(r, st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		long d;
		if (i < 0 || !v || !cpts_parse_long(v, &d) || d < 1 || d > 7)
			continue;
		/* INSEE grille communale de densité in 7 levels: 1-2 dense urban,
		   3-4 intermediate, 5-7 rural */
		r->cd[i].dens = d <= 2 ? 1 : d <= 4 ? 2 : 3;
		r->has_dens = true;
	}
	sqlite3_finalize(st);
	return CPTS_OK;
}

/* APL for every commune (DOMAIN.md section 6; apl.c). */
static int compute_apl(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	size_t n = r->m->n;
	double *x = cpts_calloc(n, sizeof(double)), *y = cpts_calloc(n, sizeof(double));
	double *pop = cpts_calloc(n, sizeof(double)), *sup = cpts_calloc(n, sizeof(double));
	double *apl = cpts_calloc(n, sizeof(double));
	int *srid = cpts_calloc(n, sizeof(int));
	size_t *od_start = NULL, *od_dest = NULL, n_od = 0;
	double *od_min = NULL;
	sqlite3_stmt *st = NULL;
	cpts_apl_input in;
	int rc = CPTS_OK;

	for (size_t i = 0; i < n; i++) {
		const cdata *c = &r->cd[i];
		x[i] = r->m->c[i].px;
		y[i] = r->m->c[i].py;
		srid[i] = r->m->c[i].srid;
		pop[i] = c->skip_total ? 0 : c->pstd;
		sup[i] = c->skip_total ? 0 : (c->gp_has_etp ? c->gp_etp : c->gp_n) * r->o->gp_activity;
	}
	memset(&in, 0, sizeof(in));
	in.n = n;
	in.x = x;
	in.y = y;
	in.srid = srid;
	in.pop = pop;
	in.supply = sup;
	in.detour = r->o->apl_detour;
	in.speed_kmh = r->o->apl_speed_kmh;
	for (int b = 0; b < 3; b++) {
		in.t[b] = r->o->apl_t[b];
		in.w[b] = r->o->apl_w[b];
	}
	n_od = (size_t)cpts_store_count(s, "SELECT count(*) FROM traveltime", 0);
	if (n_od > 0) {
		size_t *fill;
		r->od = true;
		od_start = cpts_calloc(n + 1, sizeof(size_t));
		od_dest = cpts_mallocarray(n_od, sizeof(size_t));
		od_min = cpts_mallocarray(n_od, sizeof(double));
		fill = cpts_calloc(n + 1, sizeof(size_t));
		if ((rc = cpts_store_prepare(ctx, s, &st,
					     "SELECT orig, dest, minutes FROM traveltime")) < 0) {
			free(fill);
			goto out;
		}
		/* two passes: count per origin, then fill */
		for (int pass = 0; pass < 2; pass++) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				long i = code_index(r, st, 0), j = code_index(r, st, 1);
				if (i < 0 || j < 0)
					continue;
				if (pass == 0) {
					od_start[i + 1]++;
				} else {
					size_t k = fill[i]++;
					od_dest[k] = (size_t)j;
					od_min[k] = sqlite3_column_double(st, 2);
				}
			}
			sqlite3_reset(st);
			if (pass == 0) {
				for (size_t i = 0; i < n; i++)
					od_start[i + 1] += od_start[i];
				memcpy(fill, od_start, (n + 1) * sizeof(size_t));
			}
		}
		free(fill);
		in.od_start = od_start;
		in.od_dest = od_dest;
		in.od_min = od_min;
	}
	if ((rc = cpts_apl_compute(ctx, apl, &in)) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		r->cd[i].apl = apl[i];
	r->has_apl = true;
	/* the other professions: the same catchments with their FTE (headcount when no
	   FTE) as supply, in FTE per 100,000 standardised inhabitants (as the DREES APL
	   of nurses and physiotherapists) */
	for (int k = 0; k < NPROF; k++) {
		if (!(r->has_prof & (1u << k)))
			continue;
		for (size_t i = 0; i < n; i++) {
			const cdata *c = &r->cd[i];
			sup[i] = c->skip_total ? 0 : (c->pr_has_etp & (1u << k) ? c->pr_etp[k]
										: c->pr_n[k]);
		}
		if ((rc = cpts_apl_compute(ctx, apl, &in)) < 0)
			goto out;
		for (size_t i = 0; i < n; i++)
			r->cd[i].pr_apl[k] = 100000.0 * apl[i];
	}
out:
	sqlite3_finalize(st);
	free(x);
	free(y);
	free(pop);
	free(sup);
	free(apl);
	free(srid);
	free(od_start);
	free(od_dest);
	free(od_min);
	return rc;
}

/* ---- aggregation ---- */

static void agg_add(agg *a, const cpts_commune *cm, const cdata *c, double w)
{
	a->n_communes += w;
	a->area += w * cm->area_km2;
	a->pop += w * c->pop;
	if (c->has_sexage) {
		a->has_sexage = true;
		for (int sx = 0; sx < 2; sx++)
			for (int b = 0; b < NB; b++) {
				a->popsa[sx][b] += w * c->popsa[sx][b];
				a->pop_sexage += w * c->popsa[sx][b];
			}
	}
	a->dens_pop[c->dens] += w * c->pop;
	for (int k = 0; k < N_MT; k++) {
		a->mt[k] += w * c->mt[k];
		a->mt_nm[k] += w * c->mt_nm[k];
	}
	a->mt_has |= c->mt_has;
	if (c->has_obs) {
		a->has_obs = true;
		a->obs += w * c->obs;
		a->obs_nm += w * c->obs_nm;
		if (!isnan(c->expected))
			a->expected += w * c->expected;
		if (!isnan(c->expected_known))
			a->expected_known += w * c->expected_known;
	}
	a->gp_n += w * c->gp_n;
	a->gp_etp += w * c->gp_etp;
	a->has_etp |= c->gp_has_etp;
	a->gp_60 += w * c->gp_60;
	a->gp_60den += w * c->gp_60den;
	for (int k = 0; k < NPROF; k++) {
		a->pr_n[k] += w * c->pr_n[k];
		a->pr_etp[k] += w * c->pr_etp[k];
		a->pr_60[k] += w * c->pr_60[k];
		a->pr_60den[k] += w * c->pr_60den[k];
	}
	a->pr_has_etp |= c->pr_has_etp;
	if (!isnan(c->apl)) {
		a->apl_num += w * c->pop * c->apl;
		a->apl_den += w * c->pop;
		for (int k = 0; k < NPROF; k++)
			a->pr_apl_num[k] += w * c->pop * c->pr_apl[k];
	}
}

/* ---- output ---- */

/* One value waiting to be written (rows of a territory are sorted first, so that
   they go into the WITHOUT ROWID table in key order: much cheaper B-tree inserts). */
typedef struct prow {
	const char *level, *code; /* BORROWED: literals or strings of the model/partition */
	char ind[40];
	double v, lo, hi;
	bool masked;
} prow;

static int put(cpts_ctx *ctx, cpts_store *s, prun *r, const char *terr, const char *level,
	       const char *code, const char *ind, double v, double lo, double hi, bool masked)
{
	prow *w;

	(void)ctx;
	(void)s;
	(void)terr;
	if (isnan(v) && !masked)
		return CPTS_OK; /* not computable: no row */
	w = cpts_vec_push(&r->rows);
	if (!w)
		CPTS_BUG("too many profile rows for one territory");
	w->level = level;
	w->code = code;
	snprintf(w->ind, sizeof(w->ind), "%s", ind);
	w->v = v;
	w->lo = lo;
	w->hi = hi;
	w->masked = masked;
	return CPTS_OK;
}

static int cmp_prow(const void *a, const void *b)
{
	const prow *x = a, *y = b;
	int c = strcmp(x->level, y->level);

	if (c)
		return c;
	if ((c = strcmp(x->code, y->code)) != 0)
		return c;
	return strcmp(x->ind, y->ind);
}

/* Bind row w as the k-th row (from 0) of an insert statement. */
static void bind_prow(sqlite3_stmt *st, int k, const prun *r, const char *terr, const prow *w)
{
	int p = 9 * k;

	sqlite3_bind_text(st, p + 1, r->partition, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 2, terr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 3, w->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 4, w->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, p + 5, w->ind, -1, SQLITE_STATIC);
	if (isnan(w->v))
		sqlite3_bind_null(st, p + 6);
	else
		sqlite3_bind_double(st, p + 6, w->v);
	if (isnan(w->lo))
		sqlite3_bind_null(st, p + 7);
	else
		sqlite3_bind_double(st, p + 7, w->lo);
	if (isnan(w->hi))
		sqlite3_bind_null(st, p + 8);
	else
		sqlite3_bind_double(st, p + 8, w->hi);
	sqlite3_bind_int(st, p + 9, w->masked ? 1 : 0);
}

/* Write the buffered rows of one territory in key order: PROW_BATCH rows per statement
 * (one statement per row spent most of the run in statement overhead), then the rest
 * one by one; rows go in the same order either way. */
static int flush_rows(cpts_ctx *ctx, cpts_store *s, prun *r, const char *terr)
{
	size_t k = 0;
	int rc = CPTS_OK;

	cpts_qsort(r->rows.data, r->rows.n, sizeof(prow), cmp_prow);
	if (r->rows.n >= PROW_BATCH && !r->ins_batch) {
		cpts_buf q = CPTS_BUF_INIT;
		cpts_buf_addstr(&q, "INSERT OR REPLACE INTO profile_values(partition, territory,"
				" level, level_code, indicator, value, lo, hi, masked) VALUES");
		for (int i = 0; i < PROW_BATCH; i++)
			cpts_buf_addstr(&q, i ? ",(?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?)");
		rc = cpts_store_prepare(ctx, s, &r->ins_batch, q.data);
		cpts_buf_release(&q);
	}
	for (; rc == CPTS_OK && k + PROW_BATCH <= r->rows.n; k += PROW_BATCH) {
		for (int i = 0; i < PROW_BATCH; i++)
			bind_prow(r->ins_batch, i, r, terr, &cpts_vec_at(&r->rows, prow, k + i));
		rc = cpts_store_step_done(ctx, s, r->ins_batch);
	}
	for (; rc == CPTS_OK && k < r->rows.n; k++) {
		bind_prow(r->ins, 0, r, terr, &cpts_vec_at(&r->rows, prow, k));
		rc = cpts_store_step_done(ctx, s, r->ins);
	}
	r->n_rows += r->rows.n;
	r->rows.n = 0;
	return rc;
}

/* A count with its masked input cells: bounds [known + m, known + 10 m]. */
static int put_count(cpts_ctx *ctx, cpts_store *s, prun *r, const char *terr,
		     const char *level, const char *code, const char *ind, double known,
		     double nm)
{
	if (nm > 0)
		return put(ctx, s, r, terr, level, code, ind, known, known + nm,
			   known + CPTS_PROFILE_INPUT_MASK_MAX * nm, true);
	return put(ctx, s, r, terr, level, code, ind, known, NAN, NAN, false);
}

static int typology(const prun *r, const agg *a)
{
	double dens = a->area > 0 ? a->pop / a->area : NAN;

	if (r->has_dens && a->dens_pop[1] + a->dens_pop[2] + a->dens_pop[3] > 0) {
		/* the class holding most of the population (ties go to the denser class) */
		int best = 1;
		for (int k = 2; k <= 3; k++)
			if (a->dens_pop[k] > a->dens_pop[best])
				best = k;
		return best;
	}
	if (isnan(dens))
		return 0;
	return dens >= r->o->typo_dense ? 1 : dens >= r->o->typo_inter ? 2 : 3;
}

/* Territory-level extras: the médecin traitant gap to the main département. */
typedef struct gapref {
	const agg *dep;      /* the main département */
	const agg *t_in_dep; /* the part of the territory inside it */
} gapref;

static const char band_names[NB][6] = {
	"00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44",
	"45-49", "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89",
	"90-94", "95+",
};

/* The values of the catalogue indicators go through put() like the others. */
struct gen_put {
	cpts_ctx *ctx;
	cpts_store *s;
	prun *r;
	const char *terr, *level, *code;
};

static int gen_put_cb(void *arg, const char *key, double v, double lo, double hi, bool masked)
{
	struct gen_put *g = arg;
	return put(g->ctx, g->s, g->r, g->terr, g->level, g->code, key, v, lo, hi, masked);
}

static int emit(cpts_ctx *ctx, cpts_store *s, prun *r, const char *terr, const char *level,
		const char *code, const agg *a, const gapref *gap, bool is_terr, bool pyramid)
{
	const cpts_profile_opts *o = r->o;
	double v, lo, hi;
	int rc = CPTS_OK;

#define PUT(ind, val) \
	do { if ((rc = put(ctx, s, r, terr, level, code, ind, val, NAN, NAN, false)) < 0) \
		return rc; } while (0)
	PUT("pop_total", a->pop);
	PUT("n_communes", a->n_communes);
	PUT("area_km2", a->area);
	PUT("density", a->area > 0 ? a->pop / a->area : NAN);
	v = typology(r, a);
	PUT("typology", v > 0 ? v : NAN);
	if (a->has_sexage) {
		double f = 0, mm = 0, p75 = 0;
		for (int b = 0; b < NB; b++) {
			f += a->popsa[0][b];
			mm += a->popsa[1][b];
			if (b >= 15)
				p75 += a->popsa[0][b] + a->popsa[1][b];
		}
		PUT("pop_f", f);
		PUT("pop_m", mm);
		PUT("pop_75p", p75);
		PUT("share_75p", a->pop_sexage > 0 ? 100.0 * p75 / a->pop_sexage : NAN);
		if (!r->pop_odd_bands && a->pop_sexage > 0) {
			/* the age groups of an ORS profile, and the ageing index (65+ per 100
			   under 20), from the 5-year bands */
			static const char *const groups[5] = { "share_0_14", "share_15_29",
				"share_30_44", "share_45_59", "share_60_74" };
			double p65 = 0, p0_19 = 0;
			for (int g = 0; g < 5; g++) {
				double x = 0;
				for (int b = 3 * g; b < 3 * g + 3; b++)
					x += a->popsa[0][b] + a->popsa[1][b];
				PUT(groups[g], 100.0 * x / a->pop_sexage);
			}
			for (int b = 0; b < NB; b++) {
				double x = a->popsa[0][b] + a->popsa[1][b];
				if (b >= 13)
					p65 += x;
				if (b < 4)
					p0_19 += x;
			}
			PUT("aging_index", p0_19 > 0 ? 100.0 * p65 / p0_19 : NAN);
		}
		if (pyramid) {
			char key[32];
			for (int sx = 0; sx < 2; sx++)
				for (int b = 0; b < NB; b++) {
					snprintf(key, sizeof(key), "pyr_%c_%.5s", sx ? 'M' : 'F', band_names[b]);
					PUT(key, a->popsa[sx][b]);
				}
		}
	}
	/* médecin traitant */
	if (r->has_mt) {
		static const int share_of[][3] = { { 1, 0, 0 }, { 5, 4, 0 }, { 7, 6, 0 }, { 9, 8, 0 } };
		static const char *const share_keys[] = { "mt_share", "mt_ald_share", "mt_c2s_share",
							   "mt_p70_share" };
		for (int c = 0; c < N_MT; c++)
			if ((a->mt_has & (1u << c)) &&
			    (rc = put_count(ctx, s, r, terr, level, code, mt_keys[c], a->mt[c],
					    a->mt_nm[c])) < 0)
				return rc;
		for (int k = 0; k < 4; k++) {
			int nu = share_of[k][0], de = share_of[k][1];
			bool flag = a->mt_nm[nu] > 0 || a->mt_nm[de] > 0;
			if (!(a->mt_has & (1u << nu)) || !(a->mt_has & (1u << de)) || !(a->mt[de] > 0))
				continue;
			lo = hi = NAN;
			if (flag) {
				/* the share lies between the smallest numerator over the largest
				   denominator and the reverse (masked cells hold 1 to 10) */
				double n_lo = a->mt[nu] + a->mt_nm[nu];
				double n_hi = a->mt[nu] + CPTS_PROFILE_INPUT_MASK_MAX * a->mt_nm[nu];
				double d_lo = a->mt[de] + a->mt_nm[de];
				double d_hi = a->mt[de] + CPTS_PROFILE_INPUT_MASK_MAX * a->mt_nm[de];
				lo = 100.0 * n_lo / d_hi;
				hi = fmin(100.0, 100.0 * n_hi / d_lo);
			}
			if ((rc = put(ctx, s, r, terr, level, code, share_keys[k],
				      100.0 * a->mt[nu] / a->mt[de], lo, hi, flag)) < 0)
				return rc;
		}
		if (is_terr && gap && gap->dep && (a->mt_has & 3u) == 3u && a->mt[0] > 0 &&
		    gap->dep->mt[0] > 0) {
			const agg *d = gap->dep, *in = gap->t_in_dep;
			bool flag = a->mt_nm[0] > 0 || a->mt_nm[1] > 0 || d->mt_nm[0] > 0 ||
				    d->mt_nm[1] > 0;
			double g = 100.0 * (a->mt[1] / a->mt[0] - d->mt[1] / d->mt[0]);
			/* test the territory against the rest of its département: independent
			   samples, same null hypothesis as "territory = département" */
			double p = cpts_two_prop_test(a->mt[1], a->mt[0], d->mt[1] - in->mt[1],
						      d->mt[0] - in->mt[0], NULL);
			if ((rc = put(ctx, s, r, terr, level, code, "mt_gap_dep_pts", g, NAN, NAN,
				      flag)) < 0)
				return rc;
			if (!isnan(p) && (rc = put(ctx, s, r, terr, level, code, "mt_gap_pvalue", p,
						   NAN, NAN, flag)) < 0)
				return rc;
		}
	}
	/* ICC */
	if (r->has_cons && a->has_obs) {
		bool flag = a->obs_nm > 0;
		if ((rc = put_count(ctx, s, r, terr, level, code, "icc_observed", a->obs,
				    a->obs_nm)) < 0)
			return rc;
		if (a->expected > 0) {
			double icc = cpts_icc_memo(&r->chi2, a->obs, a->expected, o->alpha, o->byar,
						   &lo, &hi);
			double mg;
			if (flag && a->expected_known > 0) {
				/* O covers the known strata only: the point is O over the E of the
				   same strata (docs/profile.md), the missing GPs that ratio applied
				   to the whole E */
				icc = 100.0 * a->obs / a->expected_known;
				mg = icc < 100 ? a->expected * (1 - icc / 100) / o->gp_activity : 0.0;
			} else {
				mg = icc < 100 ? (a->expected - a->obs) / o->gp_activity : 0.0;
			}
			double mg_lo = NAN, mg_hi = NAN;
			if (flag) {
				/* O lies in [O + m, O + 10 m]: the interval that holds whatever the
				   masked cells are runs from the lower confidence limit of the
				   smallest O to the upper limit of the largest; the significance
				   flag read on it holds whatever they are, so it is not flagged */
				double o_lo = a->obs + a->obs_nm;
				double o_hi = a->obs + CPTS_PROFILE_INPUT_MASK_MAX * a->obs_nm;
				double l2, h2;
				cpts_icc_memo(&r->chi2, o_lo, a->expected, o->alpha, o->byar, &lo,
					      &h2);
				cpts_icc_memo(&r->chi2, o_hi, a->expected, o->alpha, o->byar, &l2,
					      &hi);
				mg_lo = fmax(0.0, (a->expected - o_hi) / o->gp_activity);
				mg_hi = fmax(0.0, (a->expected - o_lo) / o->gp_activity);
			}
			PUT("icc_expected", a->expected);
			if ((rc = put(ctx, s, r, terr, level, code, "icc", icc, lo, hi, flag)) < 0)
				return rc;
			if ((rc = put(ctx, s, r, terr, level, code, "icc_signif",
				      cpts_icc_signif(lo, hi), NAN, NAN, false)) < 0)
				return rc;
			if ((rc = put(ctx, s, r, terr, level, code, "missing_gps", mg, mg_lo, mg_hi,
				      flag)) < 0)
				return rc;
		}
	}
	/* supply */
	if (r->has_supply) {
		PUT("gp_count", a->gp_n);
		if (a->has_etp)
			PUT("gp_etp", a->gp_etp);
		PUT("gp_density", a->pop > 0 ? a->gp_n / a->pop * 10000.0 : NAN);
		PUT("gp_share_60p", a->gp_60den > 0 ? 100.0 * a->gp_60 / a->gp_60den : NAN);
		for (int k = 0; k < NPROF; k++) {
			char key[32];
			if (!(r->has_prof & (1u << k)))
				continue;
			snprintf(key, sizeof(key), "%s_count", professions[k].prefix);
			PUT(key, a->pr_n[k]);
			if (a->pr_has_etp & (1u << k)) {
				snprintf(key, sizeof(key), "%s_etp", professions[k].prefix);
				PUT(key, a->pr_etp[k]);
			}
			snprintf(key, sizeof(key), "%s_density", professions[k].prefix);
			PUT(key, a->pop > 0 ? a->pr_n[k] / a->pop * 10000.0 : NAN);
			snprintf(key, sizeof(key), "%s_share_60p", professions[k].prefix);
			PUT(key, a->pr_60den[k] > 0 ? 100.0 * a->pr_60[k] / a->pr_60den[k] : NAN);
			snprintf(key, sizeof(key), "%s_apl", professions[k].prefix);
			if (r->has_apl && a->apl_den > 0)
				PUT(key, a->pr_apl_num[k] / a->apl_den);
		}
	}
	if (r->has_apl && a->apl_den > 0)
		PUT("apl", a->apl_num / a->apl_den);
	if (is_terr) {
		const cpts_aci_tier *t = cpts_aci_tier_of(a->pop);
		PUT("aci_tier", t->tier);
		PUT("aci_ceiling_eur", t->total_eur);
		PUT("aci_distance", cpts_aci_tier_distance(a->pop, NULL));
	}
#undef PUT
	if (r->gen && a->gsum) {
		struct gen_put gp = { ctx, s, r, terr, level, code };
		rc = cpts_profile__gen_emit(r->gen, a->gsum, o->alpha, o->byar, gen_put_cb, &gp);
	}
	return rc;
}

static long dep_slot(const prun *r, const char *dep)
{
	int64_t v;
	return cpts_strmap_get(r->dep_index, dep, &v) ? (long)v : -1;
}

/* Département, region and whole-area aggregates. */
static void build_levels(prun *r)
{
	r->dep_index = cpts_strmap_new(128);
	r->dep_code = cpts_calloc(r->m->n + 1, sizeof(*r->dep_code));
	for (size_t i = 0; i < r->m->n; i++) {
		const cpts_commune *c = &r->m->c[i];
		if (dep_slot(r, c->dep) < 0) {
			snprintf(r->dep_code[r->n_dep], 4, "%s", c->dep);
			cpts_strmap_put(r->dep_index, c->dep, (int64_t)r->n_dep++);
		}
	}
	r->dep_agg = cpts_calloc(r->n_dep + 1, sizeof(agg));
	r->dep_cache = cpts_calloc(r->n_dep + 1, sizeof(lcache));
	r->reg_cache = cpts_calloc(r->n_reg + 1, sizeof(lcache));
	r->reg_agg = cpts_calloc(r->n_reg + 1, sizeof(agg));
	for (size_t i = 0; i < r->m->n; i++) {
		const cpts_commune *c = &r->m->c[i];
		long g = reg_slot(r, c);
		if (r->cd[i].skip_total)
			continue;
		agg_add(&r->dep_agg[dep_slot(r, c->dep)], c, &r->cd[i], 1.0);
		if (g >= 0)
			agg_add(&r->reg_agg[g], c, &r->cd[i], 1.0);
		agg_add(&r->all, c, &r->cd[i], 1.0);
	}
	if (r->gen) {
		size_t ns = cpts_profile__gen_slots(r->gen);
		r->g_dep = cpts_calloc((r->n_dep + 1) * ns, sizeof(double));
		r->g_reg = cpts_calloc((r->n_reg + 1) * ns, sizeof(double));
		r->g_all = cpts_calloc(ns, sizeof(double));
		r->g_terr = cpts_calloc(ns, sizeof(double));
		r->g_one = cpts_calloc(ns, sizeof(double));
		for (size_t i = 0; i < r->m->n; i++) {
			const cpts_commune *c = &r->m->c[i];
			long g = reg_slot(r, c);
			if (r->cd[i].skip_total)
				continue;
			cpts_profile__gen_add(r->gen, i, 1.0,
					      r->g_dep + (size_t)dep_slot(r, c->dep) * ns);
			if (g >= 0)
				cpts_profile__gen_add(r->gen, i, 1.0, r->g_reg + (size_t)g * ns);
			cpts_profile__gen_add(r->gen, i, 1.0, r->g_all);
		}
		for (size_t d = 0; d < r->n_dep; d++)
			r->dep_agg[d].gsum = r->g_dep + d * ns;
		for (size_t g = 0; g < r->n_reg; g++)
			r->reg_agg[g].gsum = r->g_reg + g * ns;
		r->all.gsum = r->g_all;
	}
}

/* The rows of a département, region or the whole area are the same under every
   territory: computed once (with their ICC intervals), then copied. */
static int emit_level(cpts_ctx *ctx, cpts_store *s, prun *r, const char *terr,
		      const char *level, const char *code, const agg *a, lcache *c)
{
	size_t start = r->rows.n;
	int rc;

	if (!c->done) {
		if ((rc = emit(ctx, s, r, terr, level, code, a, NULL, false, true)) < 0)
			return rc;
		cpts_vec_init(&c->rows, sizeof(prow), SIZE_MAX / sizeof(prow));
		if (!cpts_vec_reserve(&c->rows, r->rows.n - start))
			CPTS_BUG("level cache");
		memcpy(c->rows.data, (prow *)r->rows.data + start, (r->rows.n - start) * sizeof(prow));
		c->rows.n = r->rows.n - start;
		c->done = true;
		return CPTS_OK;
	}
	if (!cpts_vec_reserve(&r->rows, r->rows.n + c->rows.n))
		CPTS_BUG("too many profile rows for one territory");
	memcpy((prow *)r->rows.data + r->rows.n, c->rows.data, c->rows.n * sizeof(prow));
	r->rows.n += c->rows.n;
	return CPTS_OK;
}

static void lcache_release(lcache *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].done)
			cpts_vec_release(&c[i].rows);
}

static int profile_territory(cpts_ctx *ctx, cpts_store *s, prun *r, const cpts_partition *p,
			     size_t t)
{
	const char *terr = p->terr[t];
	agg a, in_dep;
	long main_dep = -1;
	double *dep_pop = cpts_calloc(r->n_dep + 1, sizeof(double));
	bool *reg_seen = cpts_calloc(r->n_reg + 1, sizeof(bool));
	gapref gap = { NULL, NULL };
	int rc = CPTS_OK;

	size_t ns = r->gen ? cpts_profile__gen_slots(r->gen) : 0;

	memset(&a, 0, sizeof(a));
	memset(&in_dep, 0, sizeof(in_dep));
	if (r->gen) {
		memset(r->g_terr, 0, ns * sizeof(double));
		for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++)
			cpts_profile__gen_add(r->gen, p->members[k].commune, p->members[k].weight,
					      r->g_terr);
	}
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		const cpts_member *mb = &p->members[k];
		const cpts_commune *c = &r->m->c[mb->commune];
		agg one;
		agg_add(&a, c, &r->cd[mb->commune], mb->weight);
		dep_pop[dep_slot(r, c->dep)] += mb->weight * (r->cd[mb->commune].pop + 1e-9);
		memset(&one, 0, sizeof(one));
		agg_add(&one, c, &r->cd[mb->commune], mb->weight);
		if (r->gen) {
			memset(r->g_one, 0, ns * sizeof(double));
			cpts_profile__gen_add(r->gen, mb->commune, mb->weight, r->g_one);
			one.gsum = r->g_one;
		}
		if ((rc = emit(ctx, s, r, terr, "commune", c->code, &one, NULL, false, false)) < 0)
			goto out;
	}
	for (size_t d = 0; d < r->n_dep; d++)
		if (dep_pop[d] > 0 && (main_dep < 0 || dep_pop[d] > dep_pop[main_dep]))
			main_dep = (long)d;
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		const cpts_member *mb = &p->members[k];
		const cpts_commune *c = &r->m->c[mb->commune];
		if (dep_slot(r, c->dep) == main_dep)
			agg_add(&in_dep, c, &r->cd[mb->commune], mb->weight);
	}
	if (main_dep >= 0) {
		gap.dep = &r->dep_agg[main_dep];
		gap.t_in_dep = &in_dep;
	}
	a.gsum = r->g_terr;
	if ((rc = emit(ctx, s, r, terr, "territoire", terr, &a, &gap, true, true)) < 0)
		goto out;
	for (size_t d = 0; d < r->n_dep; d++) {
		if (!(dep_pop[d] > 0))
			continue;
		if ((rc = emit_level(ctx, s, r, terr, "departement", r->dep_code[d], &r->dep_agg[d],
				     &r->dep_cache[d])) < 0)
			goto out;
	}
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		long g = reg_slot(r, &r->m->c[p->members[k].commune]);
		if (g < 0 || reg_seen[g])
			continue;
		reg_seen[g] = true;
		if ((rc = emit_level(ctx, s, r, terr, "region", r->reg_code[g], &r->reg_agg[g],
				     &r->reg_cache[g])) < 0)
			goto out;
	}
	if ((rc = emit_level(ctx, s, r, terr, "ensemble", "ALL", &r->all, &r->all_cache)) < 0)
		goto out;
	rc = flush_rows(ctx, s, r, terr);
out:
	free(dep_pop);
	free(reg_seen);
	return rc;
}

static int record_meta(cpts_ctx *ctx, cpts_store *s, const prun *r)
{
	const cpts_profile_opts *o = r->o;
	cpts_buf b = CPTS_BUF_INIT, k = CPTS_BUF_INIT;
	int rc;

	cpts_buf_addstr(&b, "{\"reference\":");
	cpts_buf_add_json(&b, o->reference ? o->reference : "national");
	cpts_buf_addstr(&b, ",\"reference_source\":");
	cpts_buf_add_json(&b, r->ref_source ? r->ref_source : "none");
	cpts_buf_addf(&b, ",\"interval\":\"%s\",\"alpha\":%g,\"gp_activity\":%g,"
		      "\"apl_travel\":\"%s\",\"apl_detour\":%g,\"apl_speed_kmh\":%g,"
		      "\"apl_bands_min\":[%g,%g,%g],\"apl_weights\":[%g,%g,%g],"
		      "\"typology\":\"%s\",\"typo_dense\":%g,\"typo_inter\":%g,"
		      "\"input_mask_max\":%g}",
		      o->byar ? "byar" : "garwood", o->alpha, o->gp_activity,
		      r->od ? "traveltime table" : "centroid distance", o->apl_detour,
		      o->apl_speed_kmh, o->apl_t[0], o->apl_t[1], o->apl_t[2], o->apl_w[0],
		      o->apl_w[1], o->apl_w[2], r->has_dens ? "grille de densite (DENS)" : "density",
		      o->typo_dense, o->typo_inter, CPTS_PROFILE_INPUT_MASK_MAX);
	cpts_buf_addf(&k, "profile:%s", r->partition);
	rc = cpts_store_meta_set(ctx, s, k.data, b.data);
	cpts_buf_release(&b);
	cpts_buf_release(&k);
	return rc;
}

/* The options of a profile as recorded with it (deps.c), one "key=value" a line, the
 * reference (a path may hold anything) last: what `export` recomputes a stale profile
 * with. */
char *cpts_profile_params(const cpts_profile_opts *o)
{
	return cpts_asprintf("byar=%d\nalpha=%.17g\ngp_activity=%.17g\napl_detour=%.17g\n"
			     "apl_speed_kmh=%.17g\ntypo_dense=%.17g\ntypo_inter=%.17g\n"
			     "reference=%s", o->byar ? 1 : 0, o->alpha, o->gp_activity,
			     o->apl_detour, o->apl_speed_kmh, o->typo_dense, o->typo_inter,
			     o->reference ? o->reference : "national");
}

int cpts_profile_params_parse(cpts_profile_opts *o, char *params)
{
	static const struct {
		const char *key;
		size_t off;
	} nums[] = {
		{ "alpha", offsetof(cpts_profile_opts, alpha) },
		{ "gp_activity", offsetof(cpts_profile_opts, gp_activity) },
		{ "apl_detour", offsetof(cpts_profile_opts, apl_detour) },
		{ "apl_speed_kmh", offsetof(cpts_profile_opts, apl_speed_kmh) },
		{ "typo_dense", offsetof(cpts_profile_opts, typo_dense) },
		{ "typo_inter", offsetof(cpts_profile_opts, typo_inter) },
	};
	char *line = params;

	while (line && *line) {
		char *eq = strchr(line, '='), *nl;
		if (!eq)
			return CPTS_EINPUT;
		*eq = '\0';
		if (strcmp(line, "reference") == 0) { /* last: the rest of the text */
			o->reference = eq + 1;
			return CPTS_OK;
		}
		if ((nl = strchr(eq + 1, '\n')))
			*nl = '\0';
		if (strcmp(line, "byar") == 0)
			o->byar = strcmp(eq + 1, "1") == 0;
		for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
			if (strcmp(line, nums[k].key) == 0 &&
			    !cpts_parse_double(eq + 1, (double *)((char *)o + nums[k].off)))
				return CPTS_EINPUT;
		line = nl ? nl + 1 : NULL;
	}
	return CPTS_OK;
}

static int check_opts(cpts_ctx *ctx, const cpts_profile_opts *o)
{
	if (!o->partition && o->n_communes == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "give a partition (--partition) or a list of"
				 " communes (--communes)");
	if (!(o->gp_activity > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "--gp-activity must be positive (got %g)",
				 o->gp_activity);
	if (!(o->alpha > 0 && o->alpha < 1))
		return cpts_fail(ctx, CPTS_EUSAGE, "the significance level must be in (0, 1)"
				 " (got %g)", o->alpha);
	if (!(o->apl_t[0] <= o->apl_t[1] && o->apl_t[1] <= o->apl_t[2] && o->apl_t[0] > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "APL time bands must be positive and increasing");
	if (!(o->apl_detour > 0 && o->apl_speed_kmh > 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "APL detour and speed must be positive");
	return CPTS_OK;
}

/* --communes: save them as partition "_adhoc", territory "territoire". */
static int save_adhoc(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
		      const cpts_profile_opts *o)
{
	long *ct = cpts_mallocarray(m->n, sizeof(long));
	char *names[1] = { (char *)"territoire" };
	int rc = CPTS_OK;

	for (size_t i = 0; i < m->n; i++)
		ct[i] = -1;
	for (size_t k = 0; k < o->n_communes; k++) {
		long i = cpts_model_find(m, o->communes[k]);
		if (i < 0) {
			rc = cpts_fail(ctx, CPTS_EUSAGE, "commune '%s' given to --communes is not in"
				       " the workspace", o->communes[k]);
			goto out;
		}
		ct[i] = 0;
	}
	{
		/* the display name of the territory (--name), stored as partitions' names are */
		char *disp[1] = { (char *)o->name };
		rc = cpts_partition_save_named(ctx, s, m, "_adhoc", "input",
					       "cpts profile --communes", NULL, names,
					       o->name && *o->name ? disp : NULL, ct);
	}
out:
	free(ct);
	return rc;
}

int cpts_profile_run(cpts_ctx *ctx, cpts_store *s, const cpts_profile_opts *opts)
{
	prun r;
	cpts_partition *p = NULL;
	cpts_session *own = NULL, *ss = NULL;
	sqlite3_stmt *del = NULL;
	bool *selected = NULL;
	size_t n_sel = 0, done = 0;
	double t0 = cpts_now();
	int rc;

	memset(&r, 0, sizeof(r));
	r.o = opts;
	cpts_vec_init(&r.rows, sizeof(prow), SIZE_MAX / sizeof(prow));
	if ((rc = check_opts(ctx, opts)) < 0)
		return rc;
	r.partition = opts->n_communes > 0 ? "_adhoc" : opts->partition;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	/* a million rows go into one WITHOUT ROWID table: keep its pages in memory until
	   the commit instead of spilling them (restored below) */
	if ((rc = cpts_store_exec(ctx, s, "PRAGMA cache_size = -262144")) < 0)
		goto out;
	/* the model and partition are BORROWED from the session */
	ss = opts->session ? opts->session : (own = cpts_session_borrow(s));
	if ((rc = cpts_session_model(ctx, ss, &r.m)) < 0)
		goto out;
	r.cd = cpts_calloc(r.m->n, sizeof(cdata));
	if (opts->n_communes > 0) {
		cpts_session_invalidate(ctx, ss, CPTS_SESSION_PARTITION, r.partition);
		if ((rc = save_adhoc(ctx, s, r.m, opts)) < 0)
			goto out;
	}
	if ((rc = cpts_session_partition(ctx, ss, r.partition, &p)) < 0)
		goto out;
	selected = cpts_calloc(p->n_terr + 1, sizeof(bool));
	if (opts->n_territories == 0) {
		for (size_t t = 0; t < p->n_terr; t++)
			selected[t] = true;
		n_sel = p->n_terr;
	}
	for (size_t k = 0; k < opts->n_territories; k++) {
		long t = cpts_partition_find(p, opts->territories[k]);
		if (t < 0) {
			rc = cpts_fail(ctx, CPTS_EUSAGE, "partition '%s' has no territory '%s'",
				       r.partition, opts->territories[k]);
			goto out;
		}
		n_sel += !selected[t];
		selected[t] = true;
	}
	/* never count a commune and its arrondissements twice in the level totals */
	for (size_t i = 0; i < r.m->n; i++) {
		long par = r.m->c[i].parent[0] ? cpts_model_find(r.m, r.m->c[i].parent) : -1;
		if (par >= 0 && !r.cd[par].skip_total) {
			r.cd[par].skip_total = true;
			cpts_note(ctx, "commune %s is counted through its arrondissements",
				  r.m->c[par].code);
		}
	}
	/* regions */
	r.reg_index = cpts_strmap_new(32);
	r.reg_code = cpts_calloc(r.m->n + 1, sizeof(*r.reg_code));
	for (size_t i = 0; i < r.m->n; i++) {
		if (reg_slot(&r, &r.m->c[i]) < 0) {
			snprintf(r.reg_code[r.n_reg], 4, "%s", r.m->c[i].reg);
			cpts_strmap_put(r.reg_index, r.m->c[i].reg, (int64_t)r.n_reg++);
		}
	}
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: model loaded at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = setup_bands(ctx, &r, s)) < 0 || (rc = load_population(ctx, &r, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: population loaded at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = setup_rates(ctx, &r, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: consumption and rates at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = load_mt(ctx, &r, s)) < 0 || (rc = load_supply(ctx, &r, s)) < 0 ||
	    (rc = load_dens(ctx, &r, s)) < 0)
		goto out;
	for (size_t i = 0; i < r.m->n; i++)
		r.cd[i].apl = NAN;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: mt, supply, DENS at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if (r.has_supply && (rc = compute_apl(ctx, &r, s)) < 0)
		goto out;
	cpts_note(ctx, "profile inputs loaded and APL computed in %.2f s", cpts_now() - t0);
	if ((rc = cpts_profile__gen_build(ctx, &r.gen, s, r.m, opts->isr_poisson)) < 0)
		goto out;
	build_levels(&r);
	/* replace the previous values of the profiled territories */
	if ((rc = cpts_store_prepare(ctx, s, &del, "DELETE FROM profile_values WHERE"
				     " partition = ?1 AND (?2 IS NULL OR territory = ?2)")) < 0)
		goto out;
	for (size_t t = 0; t < p->n_terr; t++) {
		if (opts->n_territories > 0 && !selected[t])
			continue;
		sqlite3_bind_text(del, 1, r.partition, -1, SQLITE_STATIC);
		if (opts->n_territories > 0)
			sqlite3_bind_text(del, 2, p->terr[t], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(del, 2);
		if ((rc = cpts_store_step_done(ctx, s, del)) < 0)
			goto out;
		if (opts->n_territories == 0)
			break;
	}
	if ((rc = cpts_store_prepare(ctx, s, &r.ins, "INSERT OR REPLACE INTO profile_values("
				     "partition, territory, level, level_code, indicator, value, lo,"
				     " hi, masked) VALUES(?,?,?,?,?,?,?,?,?)")) < 0)
		goto out;
	for (size_t t = 0; t < p->n_terr; t++) {
		if (!selected[t])
			continue;
		if ((rc = profile_territory(ctx, s, &r, p, t)) < 0)
			goto out;
		done++;
		if ((done & 31) == 0 &&
		    (rc = cpts_progress(ctx, (double)done / (double)n_sel, "profiles")) < 0)
			goto out;
	}
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: values written at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	if ((rc = record_meta(ctx, s, &r)) < 0)
		goto out;
	/* the inputs it was computed from (deps.c); a profile of some territories only
	 * leaves the record as it was: the others were computed from the recorded inputs */
	if (opts->n_territories == 0) {
		char *params = cpts_profile_params(opts);
		rc = cpts_store_derived_record(ctx, s, "profile", r.partition, params);
		free(params);
		if (rc < 0)
			goto out;
	}
	if ((rc = cpts_store_commit(ctx, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: committed at %.2f s (cpu %.2f s)", cpts_now() - t0,
		 (double)clock() / CLOCKS_PER_SEC);
	cpts_progress(ctx, 1.0, "profiles");
	cpts_info(ctx, "profiled %zu territor%s of partition '%s' (%zu values, reference rates: %s,"
		  " %s) in %.1f s", done, done == 1 ? "y" : "ies", r.partition, r.n_rows,
		  r.ref_source ? r.ref_source : "none (no consumption)",
		  !r.has_apl ? "no APL (no supply)" : r.od ? "APL from the traveltime table"
							   : "APL from centroid distances",
		  cpts_now() - t0);
out:
	if (rc < 0)
		cpts_store_rollback(s);
	sqlite3_exec(cpts_store_db(s), "PRAGMA cache_size = -2000", NULL, NULL, NULL);
	sqlite3_finalize(del);
	sqlite3_finalize(r.ins);
	sqlite3_finalize(r.ins_batch);
	cpts_vec_release(&r.rows);
	cpts_chi2_memo_release(&r.chi2);
	if (r.dep_cache)
		lcache_release(r.dep_cache, r.n_dep);
	if (r.reg_cache)
		lcache_release(r.reg_cache, r.n_reg);
	lcache_release(&r.all_cache, 1);
	free(r.dep_cache);
	free(r.reg_cache);
	free(selected);
	free(r.cd);
	free(r.reg_rates);
	cpts_strmap_free(r.reg_index);
	cpts_strmap_free(r.dep_index);
	free(r.dep_agg);
	free(r.reg_agg);
	cpts_profile__gen_free(r.gen);
	free(r.g_dep);
	free(r.g_reg);
	free(r.g_all);
	free(r.g_terr);
	free(r.g_one);
	free(r.dep_code);
	free(r.reg_code);
	if (ss && opts->n_communes > 0) /* rolled back or not, "_adhoc" is not worth keeping */
		cpts_session_invalidate(ctx, ss, CPTS_SESSION_PARTITION, r.partition);
	cpts_session_free(ctx, own);
	return rc;
}
