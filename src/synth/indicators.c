/*
 * indicators.c - the cells of the catalogue's ingested indicators for a synthetic
 * territory (the rows of data/indicators other than default.csv), with their known truth:
 * indicators.csv (long format of `cpts ingest indicators`), zonage.csv (the shape of
 * the ARS zoning file: code_commune;zonage_mg, read in wide format) and, with
 * --truth, indicators_truth.csv (the expected value of every random indicator for
 * every commune, CPTS territory of the partition and the whole area).
 *
 * Why a truth: the profile's estimators (Wilson, Dobson, indirect standardisation)
 * are checked against it (tests/cli/cli_synth_indicators.sh). Each commune i gets a
 * factor from a deprivation score z_i (towns higher); a cell's numerator is drawn
 * around mu = n x f_i x r_s (Binomial for prevalences and shares, Poisson for events)
 * and mu is the truth: a share's truth over a unit is sum mu / sum n; a dsr's the
 * standard-weighted mean over strata of sum mu_s / sum n_s (strata of the unit with a
 * population, as cpts_dsr); an isr's 100 sum mu / sum n_s R_s with R_s the true rate
 * of the whole area (sum of mu over every commune / sum of n).
 *
 * The C2S has a second year (2023, 6 % fewer beneficiaries: a trend); the truth is
 * that of the latest year.
 *
 * Two population vintages (issue 14 points 5 and 6): the source population_municipale
 * holds, per commune, the population of population.csv as vintage POP_YEAR and an
 * earlier one, POP_YEAR - POP_YEARS, at an annual growth g drawn per commune (towns
 * +0.4 %, rings +0.9 %, villages -0.3 %, islands 0, plus N(0, 0.6 %)):
 * round(pop / (1 + g)^POP_YEARS). Counts, exact (public, not masked); their truth is the
 * relative change 100 (sum pop / sum pop_prev - 1) of each unit, under the name
 * population_municipale_evol_pct.
 *
 * Consumption by profession (issue 14 point 4: ICC and missing practitioners per
 * profession): acts of nurses, physiotherapists, dentists and pharmacies by 5-year band
 * (both sexes), of midwives by band of women aged 15-49, Poisson around n x f_i x r_a
 * with an over-dispersed commune factor f_i (log-normal, lower without a professional
 * of the profession in the commune): an isr truth like the others, under the source
 * consommation_<prefix> of the catalogue (data/indicators/consommation.csv); written
 * in consumption.csv with a profession column, exactly (no masking, as the
 * standardised indicators' cells).
 *
 * Masking: the numerators of the shares (health counts) between 1 and 10 are written
 * "<11", as open data are. The cells of the standardised indicators (dsr, isr) are
 * written exactly: an ORS or the Assurance Maladie provides them under agreement,
 * and one masked stratum makes a standardised rate unpublishable; cpts masks what it
 * publishes. Structures (MSP, centres de santé, EHPAD: the BPE columns NB_D113,
 * NB_D108, NB_D401) are not health counts and are not masked.
 *
 * Determinism: one stream (STREAM_INDICATORS) per commune, drawn in index order, so
 * the other files of the territory are unchanged by this stage.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "synth/synth_int.h"

/* The 2013 European Standard Population per 100,000, 5-year bands to 90+ (the same
 * table as data/reference/esp2013.csv): the dsr's standard, for its truth. */
static const double esp2013[19] = {
	5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
	7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
};

/* A band of the synthetic 5-year bands: indices a0..a1 of synth_age_label. */
typedef struct band {
	const char *label;
	int a0, a1;
} band;

static const band b_urg[] = { { "00-04", 0, 0 }, { "05-14", 1, 2 }, { "15-44", 3, 8 },
			      { "45-64", 9, 12 }, { "65-74", 13, 14 }, { "75+", 15, 19 } };
static const band b_mort[] = { { "00-64", 0, 12 }, { "65-74", 13, 14 }, { "75-84", 15, 16 },
			       { "85+", 17, 19 } };
static const band b_prem[] = { { "00-44", 0, 8 }, { "45-54", 9, 10 }, { "55-64", 11, 12 } };

/* Yearly rates by sex (F, M) and band. */
static const double r_urg[2][6] = { { 0.40, 0.20, 0.22, 0.15, 0.15, 0.28 },
				    { 0.45, 0.24, 0.26, 0.16, 0.16, 0.27 } };
static const double r_mort[2][4] = { { 0.0012, 0.009, 0.030, 0.12 },
				     { 0.0025, 0.018, 0.050, 0.15 } };
static const double r_prem[2][3] = { { 0.0003, 0.0022, 0.0045 },
				     { 0.0006, 0.0040, 0.0090 } };
#define MORT_YEARS 5 /* deaths pooled over five years, as ORS profiles do */

/* ALD prevalence at age `mid` (logistic in age; men 10 % more). */
static double ald_rate(int sex, double mid)
{
	double p = 0.015 + 0.6 / (1.0 + exp(-(mid - 62.0) / 10.0));

	return fmin(0.9, sex ? 1.1 * p : p);
}

/* The shares: sex (0 F, 1 M, 2 both), bands a0..a1, base probability. */
static const struct share_def {
	const char *name;
	int sex, a0, a1;
	double p;
	double zeff; /* effect of deprivation on the log-odds scale (approximately) */
} shares[] = {
	{ "c2s", 2, 0, 19, 0.075, 0.40 },
	{ "vacc_grippe_65p", 2, 13, 19, 0.54, -0.08 },
	{ "dep_sein_50_74", 0, 10, 14, 0.47, -0.08 },
	{ "dep_colorectal_50_74", 2, 10, 14, 0.34, -0.08 },
	{ "dep_col_25_65", 0, 5, 12, 0.59, -0.08 },
	{ "polymed_75p", 2, 15, 19, 0.21, 0.05 },
};
#define N_SHARES (sizeof(shares) / sizeof(shares[0]))
#define N_PCONS 5 /* consumption by profession: inf, mk, cd, ph, sf */
#define N_IND (N_SHARES + 4 + N_PCONS) /* the shares, ALD, emergency visits, two
					  mortalities, consumption by profession */

/* Consumption by profession: source, label in consumption.csv, index in the supply
   (synth_prof_label), acts per person and year at the middle age m of a band. */
static const struct pcons_def {
	const char *name, *label;
	int supply;
} pcons[N_PCONS] = {
	{ "consommation_inf", "infirmier", 1 },
	{ "consommation_mk", "masseur_kinesitherapeute", 2 },
	{ "consommation_cd", "chirurgien_dentiste", 3 },
	{ "consommation_ph", "pharmacien", 4 },
	{ "consommation_sf", "sage_femme", 5 },
};

#define PCONS_SERIES 3

#define POP_YEAR 2021     /* latest population vintage (populations légales) */
#define POP_YEARS 6       /* the earlier vintage: POP_YEAR - POP_YEARS */
static const double pop_growth[4] = { 0.004, 0.009, -0.003, 0.0 }; /* per synth_kind */

static double pcons_rate(int p, double m)
{
	switch (p) {
	case 0: return 1.5 * exp(0.035 * (m - 40.0));
	case 1: return 0.9 * (0.4 + m / 60.0);
	case 2: return 0.6 + 0.006 * m;
	case 3: return 4.0 * exp(0.02 * (m - 40.0));
	default: return 0.35;
	}
}

static const char *const sex_label[3] = { "F", "M", "T" };

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Population of commune i in bands a0..a1 for sex x (2: both). */
static long pop_of(const cpts_synth *s, size_t i, int x, int a0, int a1)
{
	long p = 0;

	for (int a = a0; a <= a1; a++)
		p += x == 2 ? s->cells[i][0][a] + s->cells[i][1][a] : s->cells[i][x][a];
	return p;
}

static synth_ind *ind_new(cpts_synth *s, const char *name, char type, int year, size_t ns)
{
	synth_ind *d;

	CPTS_ASSERT(s->n_ind < N_IND); /* s->ind is never moved: callers keep pointers */
	d = &s->ind[s->n_ind++];
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->type = type;
	d->year = year;
	d->ns = ns;
	d->st = cpts_calloc(ns, sizeof(*d->st));
	d->obs = cpts_calloc(s->n * ns, sizeof(*d->obs));
	d->den = cpts_calloc(s->n * ns, sizeof(*d->den));
	d->mu = cpts_calloc(s->n * ns, sizeof(*d->mu));
	return d;
}

/* The strata of an event indicator by sex x the given bands. */
static synth_ind *events_new(cpts_synth *s, const char *name, char type, int year,
			     const band *b, size_t nb)
{
	synth_ind *d = ind_new(s, name, type, year, 2 * nb);

	for (int x = 0; x < 2; x++)
		for (size_t k = 0; k < nb; k++) {
			synth_stratum *st = &d->st[(size_t)x * nb + k];
			st->sex = x;
			st->a0 = b[k].a0;
			st->a1 = b[k].a1;
			snprintf(st->age, sizeof(st->age), "%s", b[k].label);
		}
	return d;
}

/* Fill stratum k of commune i: n persons, expected mu; Poisson or Binomial draw. */
static void draw(synth_ind *d, synth_rng *r, size_t i, size_t k, double n, double mu,
		 bool binom)
{
	size_t at = i * d->ns + k;

	d->den[at] = n;
	d->mu[at] = mu;
	d->obs[at] = binom ? synth_rng_binom(r, (long)n, n > 0 ? fmin(1.0, mu / n) : 0)
			   : synth_rng_poisson(r, mu);
}

int synth_indicators(cpts_ctx *ctx, cpts_synth *s)
{
	synth_ind *sh[N_SHARES], *ald, *urg, *mort, *prem, *pc[N_PCONS];
	band b_cons[SYNTH_N_AGES];

	s->ind = cpts_calloc(N_IND, sizeof(*s->ind));

	for (size_t k = 0; k < N_SHARES; k++) {
		sh[k] = ind_new(s, shares[k].name, 's', 2024, 1);
		sh[k]->st[0].sex = 2;
		sh[k]->st[0].a0 = shares[k].a0;
		sh[k]->st[0].a1 = shares[k].a1;
		snprintf(sh[k]->st[0].age, sizeof(sh[k]->st[0].age), "ALL");
	}
	/* ALD: sex x the 5-year bands of the standard (90-94 and 95+ as 90+) */
	sh[0]->obs_prev = cpts_calloc(s->n, sizeof(long)); /* shares[0]: c2s */
	ald = ind_new(s, "ald", 'd', 2024, 38);
	for (int x = 0; x < 2; x++)
		for (int k = 0; k < 19; k++) {
			synth_stratum *st = &ald->st[x * 19 + k];
			st->sex = x;
			st->a0 = k;
			st->a1 = k == 18 ? 19 : k;
			st->w = esp2013[k] / 2;
			if (k == 18)
				snprintf(st->age, sizeof(st->age), "90+");
			else
				snprintf(st->age, sizeof(st->age), "%02d-%02d", 5 * k, 5 * k + 4);
		}
	urg = events_new(s, "urgences_sans_hospit", 'i', 2024, b_urg, 6);
	mort = events_new(s, "deces", 'i', 2023, b_mort, 4);
	prem = events_new(s, "deces_avant_65", 'i', 2023, b_prem, 3);
	for (int a = 0; a < SYNTH_N_AGES; a++)
		b_cons[a] = (band){ synth_age_label[a], a, a };
	for (int p = 0; p < N_PCONS; p++) {
		bool sf = p == N_PCONS - 1; /* midwives: women aged 15-49 */
		pc[p] = ind_new(s, pcons[p].name, 'i', 2024, sf ? 7 : SYNTH_N_AGES);
		pc[p]->prof = pcons[p].label;
		for (size_t k = 0; k < pc[p]->ns; k++) {
			synth_stratum *st = &pc[p]->st[k];
			int a = sf ? 3 + (int)k : (int)k;
			st->sex = sf ? 0 : 2;
			st->a0 = st->a1 = a;
			snprintf(st->age, sizeof(st->age), "%s", b_cons[a].label);
		}
	}
	s->equip = cpts_calloc(s->n, sizeof(*s->equip));
	s->zonage = cpts_calloc(s->n, sizeof(*s->zonage));
	s->pop_prev = cpts_calloc(s->n, sizeof(*s->pop_prev));

	for (size_t i = 0; i < s->n; i++) {
		synth_rng r;
		double z, f_ald, f_urg, f_mort, f_prem, pop = (double)s->pop[i];
		long p75 = pop_of(s, i, 2, 15, 19);
		int kd = s->kind[i];

		synth_rng_seed(&r, s->opts.seed, STREAM_INDICATORS, i);
		z = synth_rng_normal(&r) + (kd == KIND_TOWN ? 0.7 : kd == KIND_RING ? 0.1 :
					    kd == KIND_RURAL ? -0.2 : 0.0);
		for (size_t k = 0; k < N_SHARES; k++) {
			const struct share_def *q = &shares[k];
			double p = clampd(q->p * exp(q->zeff * z + 0.08 * synth_rng_normal(&r)),
					  0.005, 0.95);
			double n = (double)pop_of(s, i, q->sex, q->a0, q->a1);
			draw(sh[k], &r, i, 0, n, n * p, true);
		}
		f_ald = exp(0.07 * z + 0.05 * synth_rng_normal(&r));
		for (size_t k = 0; k < ald->ns; k++) {
			const synth_stratum *st = &ald->st[k];
			double n = (double)pop_of(s, i, st->sex, st->a0, st->a1);
			double mid = st->a0 == 18 ? 92.0 : 5.0 * st->a0 + 2.5;
			draw(ald, &r, i, k, n, n * fmin(0.95, f_ald * ald_rate(st->sex, mid)),
			     true);
		}
		f_urg = exp(0.12 * z + 0.12 * synth_rng_normal(&r)) *
			(s->supply[i][0] == 0 ? 1.15 : 1.0);
		f_mort = exp(0.08 * z + 0.06 * synth_rng_normal(&r));
		f_prem = exp(0.12 * z + 0.08 * synth_rng_normal(&r));
		for (size_t k = 0; k < urg->ns; k++) {
			const synth_stratum *st = &urg->st[k];
			double n = (double)pop_of(s, i, st->sex, st->a0, st->a1);
			draw(urg, &r, i, k, n, n * f_urg * r_urg[st->sex][k % 6], false);
		}
		for (size_t k = 0; k < mort->ns; k++) {
			const synth_stratum *st = &mort->st[k];
			double n = (double)pop_of(s, i, st->sex, st->a0, st->a1);
			draw(mort, &r, i, k, n, n * f_mort * MORT_YEARS * r_mort[st->sex][k % 4],
			     false);
		}
		for (size_t k = 0; k < prem->ns; k++) {
			const synth_stratum *st = &prem->st[k];
			double n = (double)pop_of(s, i, st->sex, st->a0, st->a1);
			draw(prem, &r, i, k, n, n * f_prem * MORT_YEARS * r_prem[st->sex][k % 3],
			     false);
		}
		/* structures of the BPE: MSP, centres de santé, EHPAD */
		if (kd == KIND_TOWN) {
			s->equip[i][0] = synth_rng_poisson(&r, 0.4 + pop / 15000.0);
			s->equip[i][1] = synth_rng_poisson(&r, 0.2 + pop / 30000.0);
		} else if (kd == KIND_RING) {
			s->equip[i][0] = synth_rng_u01(&r) < 0.12;
			s->equip[i][1] = synth_rng_u01(&r) < 0.05;
		} else if (kd == KIND_RURAL && s->supply[i][0] > 0) {
			s->equip[i][0] = synth_rng_u01(&r) < 0.10;
		}
		s->equip[i][2] = synth_rng_poisson(&r, (double)p75 / 700.0);
		/* the year before for the C2S: 6 % fewer beneficiaries (a trend to detect) */
		sh[0]->obs_prev[i] = synth_rng_binom(&r, (long)sh[0]->den[i],
						     fmin(1.0, 0.94 * sh[0]->mu[i] /
							  fmax(1.0, sh[0]->den[i])));
		/* consumption by profession (drawn last: the draws above are unchanged) */
		for (int p = 0; p < N_PCONS; p++) {
			/* a small commune effect (the truth varies a little between
			   territories), the over-dispersion being in the series of acts */
			double f = exp(0.005 * synth_rng_normal(&r));
			for (size_t k = 0; k < pc[p]->ns; k++) {
				const synth_stratum *st = &pc[p]->st[k];
				double n = (double)pop_of(s, i, st->sex, st->a0, st->a1);
				double mu = n * f * pcons_rate(p, 5.0 * st->a0 + 2.5);
				size_t at = i * pc[p]->ns + k;
				/* acts come in series of PCONS_SERIES (a course of care): the count
				   has mean mu and variance PCONS_SERIES x mu, over-dispersed */
				pc[p]->den[at] = n;
				pc[p]->mu[at] = mu;
				pc[p]->obs[at] = PCONS_SERIES * synth_rng_poisson(&r, mu / PCONS_SERIES);
			}
		}
		/* the earlier population vintage (drawn last, as the consumption above) */
		s->pop_prev[i] = lround(pop / pow(1.0 + pop_growth[kd] + 0.006 * synth_rng_normal(&r),
						  POP_YEARS));
	}
	/* zonage médecins: GP density of the commune and its neighbours */
	for (size_t i = 0; i < s->n; i++) {
		double gp = (double)s->supply[i][0], pop = (double)s->pop[i], d;
		for (int32_t k = s->adj_start[i]; k < s->adj_start[i + 1]; k++) {
			gp += (double)s->supply[s->adj[k]][0];
			pop += (double)s->pop[s->adj[k]];
		}
		d = pop > 0 ? 1e4 * gp / pop : 0;
		s->zonage[i] = d < 4.5 ? 1 : d < 7.0 ? 2 : 3;
	}
	(void)ctx; /* no progress report: quick, and the reports of the stages stay as they were */
	return CPTS_OK;
}

void synth_indicators_free(cpts_synth *s)
{
	for (size_t k = 0; k < s->n_ind; k++) {
		free(s->ind[k].st);
		free(s->ind[k].obs);
		free(s->ind[k].den);
		free(s->ind[k].mu);
		free(s->ind[k].obs_prev);
	}
	free(s->ind);
	free(s->equip);
	free(s->zonage);
	free(s->pop_prev);
}

/* ---- writing ---- */

static void put_cell(FILE *f, const char *ind, const char *code, const char *sex,
		     const char *age, int year, long num, bool mask, double den)
{
	fputs(ind, f);
	fputc(';', f);
	fputs(code, f);
	fputc(';', f);
	fputs(sex, f);
	fputc(';', f);
	fputs(age, f);
	fputc(';', f);
	synth_put_long(f, year);
	fputc(';', f);
	if (mask)
		synth_put_count(f, num);
	else
		synth_put_long(f, num);
	fputc(';', f);
	if (den >= 0)
		synth_put_long(f, lround(den));
	fputc('\n', f);
}

void synth_indicators_put(FILE *f, const cpts_synth *s, const size_t *ord)
{
	static const char *const equip_name[3] = { "NB_D113", "NB_D108", "NB_D401" };

	fputs("indicateur;code_commune;sexe;classe_age;annee;numerateur;denominateur\n", f);
	for (size_t k = 0; k < s->n_ind; k++) {
		const synth_ind *d = &s->ind[k];
		if (d->prof)
			continue; /* in consumption.csv */
		for (size_t o = 0; o < s->n && d->obs_prev; o++)
			put_cell(f, d->name, s->code[ord[o]], "T", "ALL", d->year - 1,
				 d->obs_prev[ord[o]], true, d->den[ord[o]]);
		for (size_t o = 0; o < s->n; o++) {
			size_t i = ord[o];
			for (size_t t = 0; t < d->ns; t++) {
				size_t at = i * d->ns + t;
				put_cell(f, d->name, s->code[i], sex_label[d->st[t].sex],
					 d->st[t].age, d->year, d->obs[at], d->type == 's', d->den[at]);
			}
		}
	}
	for (int e = 0; e < 3; e++)
		for (size_t o = 0; o < s->n; o++)
			put_cell(f, equip_name[e], s->code[ord[o]], "T", "ALL", 2024,
				 s->equip[ord[o]][e], false, -1);
	for (int y = 0; y < 2; y++)
		for (size_t o = 0; o < s->n; o++)
			put_cell(f, "population_municipale", s->code[ord[o]], "T", "ALL",
				 y ? POP_YEAR : POP_YEAR - POP_YEARS,
				 y ? s->pop[ord[o]] : s->pop_prev[ord[o]], false, -1);
}

void synth_prof_consumption_put(FILE *f, const cpts_synth *s, size_t i)
{
	for (size_t k = 0; k < s->n_ind; k++) {
		const synth_ind *d = &s->ind[k];
		for (size_t t = 0; d->prof && t < d->ns; t++) {
			fputs(s->code[i], f);
			fputc(';', f);
			fputs(sex_label[d->st[t].sex], f);
			fputc(';', f);
			fputs(d->st[t].age, f);
			fputc(';', f);
			synth_put_long(f, d->obs[i * d->ns + t]);
			fputc(';', f);
			fputs(d->prof, f);
			fputc('\n', f);
		}
	}
}

void synth_zonage_put(FILE *f, const cpts_synth *s, const size_t *ord)
{
	static const char *const label[4] = { "", "1_ZIP", "2_ZAC", "3_HZ" };

	fputs("code_commune;zonage_mg\n", f);
	for (size_t o = 0; o < s->n; o++)
		fprintf(f, "%s;%s\n", s->code[ord[o]], label[s->zonage[ord[o]]]);
}

/* The truth of indicator d over the m communes idx, given the true area rates R (isr). */
static double truth(const synth_ind *d, const size_t *idx, size_t m, const double *R)
{
	double num = 0, den = 0, sw = 0;

	if (d->type == 'd') {
		for (size_t t = 0; t < d->ns; t++) {
			double mu = 0, n = 0;
			for (size_t j = 0; j < m; j++) {
				mu += d->mu[idx[j] * d->ns + t];
				n += d->den[idx[j] * d->ns + t];
			}
			if (n > 0) {
				num += d->st[t].w * mu / n;
				sw += d->st[t].w;
			}
		}
		return sw > 0 ? 100 * num / sw : NAN;
	}
	for (size_t j = 0; j < m; j++)
		for (size_t t = 0; t < d->ns; t++) {
			num += d->mu[idx[j] * d->ns + t];
			den += d->den[idx[j] * d->ns + t] * (d->type == 'i' ? R[t] : 1);
		}
	return den > 0 ? 100 * num / den : NAN;
}

/* The population change (%) between the two vintages over the m communes idx. */
static double pop_evol(const cpts_synth *s, const size_t *idx, size_t m)
{
	double now = 0, prev = 0;

	for (size_t j = 0; j < m; j++) {
		now += (double)s->pop[idx[j]];
		prev += (double)s->pop_prev[idx[j]];
	}
	return prev > 0 ? 100 * (now / prev - 1) : NAN;
}

/* What one truth is computed from: an indicator and its reference rates, or (d NULL)
 * the population change. */
typedef struct truth_src {
	const cpts_synth *s;
	const synth_ind *d;
	const double *R;
} truth_src;

static double truth_of(const truth_src *src, const size_t *idx, size_t m)
{
	return src->d ? truth(src->d, idx, m, src->R) : pop_evol(src->s, idx, m);
}

/* The truth rows of indicator name at each level: the whole, every territory (idx:
 * scratch of n entries), every commune in the order ord. */
static void truth_rows(FILE *f, const truth_src *src, const char *name, const size_t *ord,
		       size_t *idx)
{
	const cpts_synth *s = src->s;

	fprintf(f, "%s;ensemble;ALL;%.6f\n", name, truth_of(src, ord, s->n));
	for (size_t t = 0; t < s->n_terr; t++) {
		size_t m = 0;
		for (size_t i = 0; i < s->n; i++)
			if (s->terr[i] == (long)t)
				idx[m++] = i;
		fprintf(f, "%s;territoire;%s;%.6f\n", name, s->terr_name[t], truth_of(src, idx, m));
	}
	for (size_t o = 0; o < s->n; o++)
		fprintf(f, "%s;commune;%s;%.6f\n", name, s->code[ord[o]], truth_of(src, &ord[o], 1));
}

void synth_truth_put(FILE *f, const cpts_synth *s, const size_t *ord)
{
	size_t *idx = cpts_calloc(s->n + 1, sizeof(size_t));

	fputs("indicateur;niveau;code;verite\n", f);
	for (size_t k = 0; k < s->n_ind; k++) {
		const synth_ind *d = &s->ind[k];
		double *R = cpts_calloc(d->ns + 1, sizeof(double));
		for (size_t t = 0; t < d->ns; t++) {
			double mu = 0, n = 0;
			for (size_t i = 0; i < s->n; i++) {
				mu += d->mu[i * d->ns + t];
				n += d->den[i * d->ns + t];
			}
			R[t] = n > 0 ? mu / n : 0;
		}
		truth_rows(f, &(truth_src){ s, d, R }, d->name, ord, idx);
		free(R);
	}
	truth_rows(f, &(truth_src){ s, NULL, NULL }, "population_municipale_evol_pct", ord, idx);
	free(idx);
}
