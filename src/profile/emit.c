/*
 * emit.c - the indicators of a unit from its sums (profile_int.h): the builtin ones
 * (population, age groups, médecin traitant, ICC, supply of every profession, APL, ACI)
 * and those of the catalogue (generic.c), buffered as rows of the current territory in
 * prun.rows. Masked input cells are carried as a count of masked cells next to the sum
 * of the known cells; see cpts/profile.h for how they are stored (value = known sum,
 * [lo, hi] = known + m .. known + 10 m, masked = 1). The rows of a département, région
 * or the whole area are computed once and copied under every territory.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/domain.h"
#include "profile/profile_int.h"

static const char *const mt_keys[N_MT] = {
	"mt_patients", "mt_sans_mt", "mt_mt_parti", "mt_fictif", "mt_ald",
	"mt_ald_sans_mt", "mt_c2s", "mt_c2s_sans_mt", "mt_p70", "mt_p70_sans_mt",
};

static int put(prun *r, const char *level, const char *code, const char *ind, double v,
	       double lo, double hi, bool masked)
{
	prow *w;
	size_t n;

	if (isnan(v) && !masked)
		return CPTS_OK; /* not computable: no row */
	w = cpts_vec_push(&r->rows);
	if (!w)
		CPTS_BUG("too many profile rows for one territory");
	w->level = level;
	w->code = code;
	n = strlen(ind); /* no printf: this runs for each of millions of values */
	if (n >= sizeof(w->ind))
		n = sizeof(w->ind) - 1;
	memcpy(w->ind, ind, n);
	w->ind[n] = 0;
	w->v = v;
	w->lo = lo;
	w->hi = hi;
	w->masked = masked;
	return CPTS_OK;
}


/* A count with its masked input cells: bounds [known + m, known + 10 m]. */
static int put_count(prun *r, const char *level, const char *code, const char *ind,
		     double known, double nm)
{
	if (nm > 0)
		return put(r, level, code, ind, known, known + nm,
			   known + CPTS_PROFILE_INPUT_MASK_MAX * nm, true);
	return put(r, level, code, ind, known, NAN, NAN, false);
}

/*
 * The gap to the département and its test over pre-masked cells (issue 19, point 6):
 * the territory's numerator x_T lies in [known + m, known + 10 m], the rest of the
 * département's x_R likewise, independently (other communes). The gap
 * 100 (x_T / n_T - (x_T + x_R) / n_D) is linear, increasing in x_T (n_T <= n_D) and
 * decreasing in x_R: its range is [gap(T lo, R hi), gap(T hi, R lo)]. The p-value's
 * range over the box comes from cpts_two_prop_test_box. Computed only when the
 * territory lies wholly in its main département (the rest is then the département's
 * published bounds minus the territory's, a function of published numbers, so the
 * range tells nothing they do not) and the denominators hold no masked cell; NAN
 * otherwise (the gap stays "secret statistique").
 */
static void gap_bounds(const agg *a, const agg *d, const agg *in, double *g_lo, double *g_hi,
		       double *p_lo, double *p_hi)
{
	const double M = CPTS_PROFILE_INPUT_MASK_MAX;
	double nt = a->mt[0], nd = d->mt[0], nr = nd - nt;
	double t_lo = a->mt[1] + a->mt_nm[1], t_hi = a->mt[1] + M * a->mt_nm[1];
	double mr = d->mt_nm[1] - a->mt_nm[1], kr = d->mt[1] - a->mt[1];
	double r_lo = kr + mr, r_hi = kr + M * mr;

	if (a->mt_nm[0] > 0 || d->mt_nm[0] > 0 || !(nt > 0) || !(nd > 0))
		return;
	/* wholly inside: its part in the département is all of it */
	if (fabs(in->mt[0] - nt) > 1e-6 || fabs(in->mt[1] - a->mt[1]) > 1e-6 ||
	    fabs(in->mt_nm[1] - a->mt_nm[1]) > 1e-9 || mr < -1e-9 || kr < -1e-6 ||
	    nr < -1e-6)
		return;
	/* a numerator is at most its denominator, which is published */
	t_hi = fmin(t_hi, nt);
	r_hi = fmin(r_hi, nr);
	if (t_lo > t_hi || r_lo > r_hi)
		return;
	*g_lo = 100.0 * (t_lo / nt - (t_lo + r_hi) / nd);
	*g_hi = 100.0 * (t_hi / nt - (t_hi + r_lo) / nd);
	cpts_two_prop_test_box(t_lo, t_hi, nt, r_lo, r_hi, nr, p_lo, p_hi);
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


/* The values of the catalogue indicators go through put() like the others. */
struct gen_put {
	prun *r;
	const char *level, *code;
};

static int gen_put_cb(void *arg, const char *key, double v, double lo, double hi, bool masked)
{
	struct gen_put *g = arg;
	return put(g->r, g->level, g->code, key, v, lo, hi, masked);
}

/* Every indicator of a unit, from its sums. Long (about 190 lines) because it is the
   one list of the builtin indicators, block by block, in the order of the catalogue. */
int cpts_profile__emit(prun *r, const char *level, const char *code, const agg *a,
		       const gapref *gap, bool is_terr, bool pyramid)
{
	const cpts_profile_opts *o = r->o;
	double v, lo, hi;
	int rc = CPTS_OK;

#define PUT(ind, val) \
	do { if ((rc = put(r, level, code, ind, val, NAN, NAN, false)) < 0) \
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
					snprintf(key, sizeof(key), "pyr_%c_%.5s", sx ? 'M' : 'F', cpts_age_bands[b]);
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
			    (rc = put_count(r, level, code, mt_keys[c], a->mt[c],
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
			if ((rc = put(r, level, code, share_keys[k],
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
			double g_lo = NAN, g_hi = NAN, p_lo = NAN, p_hi = NAN;
			if (flag)
				gap_bounds(a, d, in, &g_lo, &g_hi, &p_lo, &p_hi);
			if ((rc = put(r, level, code, "mt_gap_dep_pts", g, g_lo, g_hi,
				      flag)) < 0)
				return rc;
			if (!isnan(p) && (rc = put(r, level, code, "mt_gap_pvalue", p,
						   p_lo, p_hi, flag)) < 0)
				return rc;
		}
	}
	/* ICC */
	if (r->has_cons && a->has_obs) {
		bool flag = a->obs_nm > 0;
		if ((rc = put_count(r, level, code, "icc_observed", a->obs,
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
			if ((rc = put(r, level, code, "icc", icc, lo, hi, flag)) < 0)
				return rc;
			if ((rc = put(r, level, code, "icc_signif",
				      cpts_icc_signif(lo, hi), NAN, NAN, false)) < 0)
				return rc;
			if ((rc = put(r, level, code, "missing_gps", mg, mg_lo, mg_hi,
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
			snprintf(key, sizeof(key), "%s_count", cpts_profile__professions[k].prefix);
			PUT(key, a->pr_n[k]);
			if (a->pr_has_etp & (1u << k)) {
				snprintf(key, sizeof(key), "%s_etp", cpts_profile__professions[k].prefix);
				PUT(key, a->pr_etp[k]);
			}
			snprintf(key, sizeof(key), "%s_density", cpts_profile__professions[k].prefix);
			PUT(key, a->pop > 0 ? a->pr_n[k] / a->pop * 10000.0 : NAN);
			snprintf(key, sizeof(key), "%s_share_60p", cpts_profile__professions[k].prefix);
			PUT(key, a->pr_60den[k] > 0 ? 100.0 * a->pr_60[k] / a->pr_60den[k] : NAN);
			snprintf(key, sizeof(key), "%s_apl", cpts_profile__professions[k].prefix);
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
		struct gen_put gp = { r, level, code };
		rc = cpts_profile__gen_emit(r->gen, a->gsum, o->alpha, o->byar, gen_put_cb, &gp);
	}
	return rc;
}

/* The rows of a département, region or the whole area are the same under every
   territory: computed once (with their ICC intervals), then copied. */
int cpts_profile__emit_level(prun *r, const char *level, const char *code, const agg *a,
			     lcache *c)
{
	size_t start = r->rows.n;
	int rc;

	if (!c->done) {
		if ((rc = cpts_profile__emit(r, level, code, a, NULL, false, true)) < 0)
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

void cpts_profile__lcache_release(lcache *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].done)
			cpts_vec_release(&c[i].rows);
}

int cpts_profile__emit_compare(prun *r, const char *terr, const double *dep,
			       const double *tdep, const double *reg, const double *treg)
{
	struct gen_put gp = { r, "territoire", terr };
	const cpts_profile_opts *o = r->o;
	int rc = CPTS_OK;

	if (!r->gen)
		return CPTS_OK;
	if (dep && (rc = cpts_profile__gen_compare(r->gen, r->g_terr, dep, tdep, "_cmp_dep", false,
						   o->alpha, o->byar, gen_put_cb, &gp)) < 0)
		return rc;
	if (reg && (rc = cpts_profile__gen_compare(r->gen, r->g_terr, reg, treg, "_cmp_reg", false,
						   o->alpha, o->byar, gen_put_cb, &gp)) < 0)
		return rc;
	if (r->is_france)
		rc = cpts_profile__gen_compare(r->gen, r->g_terr, r->g_all, r->g_terr, "_cmp_fr",
					       true, o->alpha, o->byar, gen_put_cb, &gp);
	return rc;
}
