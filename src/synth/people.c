/*
 * people.c - who lives in each commune and how they use GP care: age-sex population,
 * GP supply (and a few other professions), consultations (for the ICC) and médecin
 * traitant counts, and the INSEE density grid code.
 *
 * Why these models: the indicators downstream are only meaningful when the inputs
 * carry the contrasts a real territory has. Totals follow a town-size model (a
 * Zipf-like law for towns, suburbs decaying with distance, log-normal villages). The
 * age pyramid is the French one of 2021 (INSEE, rounded) tilted older in rural
 * communes and younger in towns. Consultation rates by age and sex are of the order
 * of the national GP activity (about 4 a year on average, more for small children and
 * the elderly, women more than men between 15 and 60); each commune gets a random
 * factor, and about one in ten under-consumes markedly, so some ICC are significantly
 * below 100. All counts are integers; age-sex cells sum exactly to the total (largest
 * remainder rounding), so population files agree with each other.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "synth/synth_int.h"

const char *const synth_age_label[SYNTH_N_AGES] = {
	"00-04", "05-09", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
	"50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90-94", "95+",
};
const char *const synth_prof_label[SYNTH_N_PROF] = {
	"medecin_generaliste", "infirmier", "masseur_kinesitherapeute", "chirurgien_dentiste",
	"pharmacien", "sage_femme",
};

/* Share of each band in the population (per cent), France 2021, rounded. */
static const double base_share[SYNTH_N_AGES] = {
	5.3, 5.9, 6.2, 6.1, 5.5, 5.6, 6.0, 6.3, 6.3, 6.7,
	6.7, 6.6, 6.2, 5.8, 5.3, 3.7, 2.8, 1.9, 0.9, 0.3,
};
/* Share of women in each band. */
static const double female_share[SYNTH_N_AGES] = {
	0.488, 0.488, 0.488, 0.489, 0.495, 0.505, 0.510, 0.510, 0.505, 0.505,
	0.510, 0.515, 0.520, 0.525, 0.535, 0.560, 0.600, 0.660, 0.730, 0.800,
};
/* GP consultations per inhabitant and year, women then men. */
static const double rate[2][SYNTH_N_AGES] = {
	{ 4.2, 2.2, 1.8, 2.6, 3.2, 3.5, 3.6, 3.5, 3.5, 3.6, 3.8, 4.1, 4.4, 4.8, 5.4, 6.3, 7.2, 8.0,
	  8.4, 8.5 },
	{ 4.5, 2.3, 1.7, 1.7, 1.7, 1.8, 2.0, 2.1, 2.3, 2.6, 3.0, 3.5, 4.0, 4.6, 5.3, 6.1, 6.9, 7.6,
	  8.0, 8.0 },
};

/* Round x[0..n) to integers summing to total (largest remainder, ties by index). */
static void round_to_total(const double *x, size_t n, long total, long *out)
{
	double sum = 0, rem[2 * SYNTH_N_AGES];
	long got = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	for (size_t i = 0; i < n; i++) {
		double v = sum > 0 ? x[i] * (double)total / sum : 0;
		out[i] = (long)floor(v);
		rem[i] = v - (double)out[i];
		got += out[i];
	}
	while (got < total) {
		size_t best = 0;
		for (size_t i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		out[best]++;
		rem[best] = -1;
		got++;
	}
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static long total_population(const cpts_synth *s, synth_rng *r, size_t i)
{
	double z = synth_rng_normal(r);

	switch (s->kind[i]) {
	case KIND_TOWN:
		return s->pop[i];
	case KIND_RING: {
		size_t t = (size_t)s->town[i];
		double d = synth_dist(s->xy[2 * i], s->xy[2 * i + 1], s->xy[2 * t], s->xy[2 * t + 1]);
		double tp = (double)s->pop[t];
		return lround(clampd(tp * 0.08 * exp(-(d - 1500.0) / 4000.0) * exp(0.35 * z), 300.0,
				     0.6 * tp));
	}
	case KIND_ISLAND:
		return lround(synth_rng_range(r, 600, 1500));
	default:
		return lround(clampd(380.0 * exp(0.85 * z), 25.0, 6000.0));
	}
}

/* Age-sex cells of commune i: the base pyramid tilted by the commune's kind. */
static void age_structure(cpts_synth *s, synth_rng *r, size_t i)
{
	double tilt, w[2 * SYNTH_N_AGES];
	long out[2 * SYNTH_N_AGES];

	tilt = s->kind[i] == KIND_TOWN ? -0.20 : s->kind[i] == KIND_RING ? -0.05 : 0.35;
	tilt += 0.12 * synth_rng_normal(r);
	for (int a = 0; a < SYNTH_N_AGES; a++) {
		double mid = 5.0 * a + 2.5;
		double v = base_share[a] * exp(tilt * (mid - 42.0) / 40.0);
		if (s->kind[i] == KIND_TOWN && (a == 4 || a == 5))
			v *= 1.35; /* students and young workers */
		w[a] = v * female_share[a];
		w[SYNTH_N_AGES + a] = v * (1 - female_share[a]);
	}
	round_to_total(w, 2 * SYNTH_N_AGES, s->pop[i], out);
	for (int a = 0; a < SYNTH_N_AGES; a++) {
		s->cells[i][0][a] = out[a];
		s->cells[i][1][a] = out[SYNTH_N_AGES + a];
	}
}

/* Headcount per 1,000 inhabitants by profession: towns, suburbs, villages. */
static const double prof_rate[SYNTH_N_PROF][3] = {
	{ 1.05, 0.70, 0.60 }, /* GPs */
	{ 1.50, 1.20, 1.10 }, /* nurses */
	{ 1.30, 1.00, 0.50 }, /* physiotherapists */
	{ 0.70, 0.50, 0.20 }, /* dentists */
	{ 0.40, 0.30, 0.25 }, /* pharmacists */
	{ 0.25, 0.10, 0.00 }, /* midwives */
};

static void supply(cpts_synth *s, synth_rng *r, size_t i)
{
	int k = s->kind[i] == KIND_TOWN ? 0 : s->kind[i] == KIND_RING ? 1 : 2;
	double pop = (double)s->pop[i];

	for (int p = 0; p < SYNTH_N_PROF; p++) {
		long e;
		if (k == 2 && pop < 900) /* a village has one professional, or none */
			e = synth_rng_u01(r) < pop * prof_rate[p][2] / 1000.0 * 1.6;
		else
			e = synth_rng_poisson(r, pop * prof_rate[p][k] / 1000.0);
		if (p == 0 && k == 0 && e < 1)
			e = 1; /* every town has a GP */
		double etp = 0;
		for (long j = 0; j < e; j++)
			etp += synth_rng_range(r, 0.6, 1.0);
		s->supply[i][p] = e;
		s->etp[i][p] = round(etp * 10.0) / 10.0;
		s->age60[i][p] = synth_rng_binom(r, e, p == 0 ? (k == 2 ? 0.36 : 0.26) : 0.20);
	}
}

static void consumption(cpts_synth *s, synth_rng *r, size_t i)
{
	double f = exp(0.10 * synth_rng_normal(r));

	if (synth_rng_u01(r) < (s->supply[i][0] == 0 ? 0.14 : 0.07))
		f *= synth_rng_range(r, 0.65, 0.82); /* markedly under-consuming */
	for (int x = 0; x < 2; x++)
		for (int a = 0; a < SYNTH_N_AGES; a++)
			s->actes[i][x][a] = synth_rng_poisson(r, (double)s->cells[i][x][a] * rate[x][a] * f);
}

static void medecin_traitant(cpts_synth *s, synth_rng *r, size_t i)
{
	long *v = s->mt[i].v, p70 = 0;
	bool town = s->kind[i] == KIND_TOWN;
	double p_sans = 0.09 * exp(0.25 * synth_rng_normal(r));

	if (s->kind[i] == KIND_RURAL || s->kind[i] == KIND_ISLAND)
		p_sans *= 1.0 + 0.6 * synth_rng_u01(r);
	if (s->supply[i][0] == 0)
		p_sans *= 1.25;
	if (town)
		p_sans *= 1.2;
	p_sans = clampd(p_sans, 0.03, 0.35);
	for (int a = 14; a < SYNTH_N_AGES; a++)
		p70 += s->cells[i][0][a] + s->cells[i][1][a];
	v[0] = synth_rng_binom(r, s->pop[i], 0.92);                  /* patients */
	v[1] = synth_rng_binom(r, v[0], p_sans);                      /* sans_mt */
	v[2] = synth_rng_binom(r, v[1], 0.38);                        /* MT parti */
	v[3] = synth_rng_binom(r, v[1] - v[2], 0.07);                 /* MT fictif */
	v[4] = synth_rng_binom(r, v[0], 0.19 + 0.05 * (double)p70 / fmax(1.0, (double)s->pop[i]));
	v[5] = synth_rng_binom(r, v[4], p_sans * 0.45);               /* ALD sans MT */
	v[6] = synth_rng_binom(r, v[0], town ? 0.13 : 0.07);          /* C2S */
	v[7] = synth_rng_binom(r, v[6], fmin(0.6, p_sans * 1.6));
	v[8] = synth_rng_binom(r, p70, 0.97);                         /* 70 and over */
	v[9] = synth_rng_binom(r, v[8], p_sans * 0.55);
}

/* INSEE grille communale de densité (7 levels, 2022) approximated from density and
 * the commune's role: 1 grands centres urbains .. 7 rural à habitat très dispersé. */
static unsigned char dens_level(const cpts_synth *s, size_t i)
{
	double d = (double)s->pop[i] / fmax(s->area_km2[i], 0.01);
	long p = s->pop[i];

	if (d >= 1500 && p >= 50000)
		return 1;
	if (d >= 1000 || (s->kind[i] == KIND_TOWN && p >= 10000))
		return 2;
	if (s->kind[i] == KIND_RING && d >= 150)
		return 3;
	if (d >= 300 || s->kind[i] == KIND_TOWN)
		return 4;
	if (d >= 60)
		return 5;
	if (d >= 20)
		return 6;
	return 7;
}

long synth_actes_total(const cpts_synth *s, size_t i)
{
	long t = 0;

	for (int x = 0; x < 2; x++)
		for (int a = 0; a < SYNTH_N_AGES; a++)
			t += s->actes[i][x][a];
	return t;
}

int synth_people(cpts_ctx *ctx, cpts_synth *s)
{
	synth_rng rp, rs, rh;

	synth_rng_seed(&rp, s->opts.seed, STREAM_PEOPLE, 0);
	synth_rng_seed(&rs, s->opts.seed, STREAM_SUPPLY, 0);
	synth_rng_seed(&rh, s->opts.seed, STREAM_HEALTH, 0);
	for (size_t i = 0; i < s->n; i++) {
		s->pop[i] = total_population(s, &rp, i);
		age_structure(s, &rp, i);
	}
	for (size_t i = 0; i < s->n; i++) {
		supply(s, &rs, i);
		consumption(s, &rh, i);
		medecin_traitant(s, &rh, i);
		s->dens_code[i] = dens_level(s, i);
	}
	return cpts_progress(ctx, 0.55, "synth: population and health");
}
