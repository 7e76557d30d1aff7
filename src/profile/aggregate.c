/*
 * aggregate.c - sums of a unit (profile_int.h): a territory, one of its communes
 * (weighted by the membership weight of a split commune), a département, a région or
 * the whole area is the weighted sum of its communes' inputs; every indicator is then
 * derived from those sums (emit.c), never from averaged ratios. A commune whose
 * arrondissements are also loaded is left out of the level totals.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile_int.h"

long cpts_profile__reg_slot(const prun *r, const cpts_commune *c)
{
	int64_t v;
	return cpts_strmap_get(r->reg_index, c->reg, &v) ? (long)v : -1;
}


long cpts_profile__dep_slot(const prun *r, const char *dep)
{
	int64_t v;
	return cpts_strmap_get(r->dep_index, dep, &v) ? (long)v : -1;
}

void cpts_profile__agg_add(agg *a, const cpts_commune *cm, const cdata *c, double w)
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

/* The 13 régions of metropolitan France (COG 2016 codes). */
static const char *const metro_regions[] = { "11", "24", "27", "28", "32", "44", "52", "53",
					     "75", "76", "84", "93", "94" };

/* Département, region and whole-area aggregates. */
void cpts_profile__build_levels(prun *r)
{
	r->dep_index = cpts_strmap_new(128);
	r->dep_code = cpts_calloc(r->m->n + 1, sizeof(*r->dep_code));
	for (size_t i = 0; i < r->m->n; i++) {
		const cpts_commune *c = &r->m->c[i];
		if (cpts_profile__dep_slot(r, c->dep) < 0) {
			snprintf(r->dep_code[r->n_dep], 4, "%s", c->dep);
			cpts_strmap_put(r->dep_index, c->dep, (int64_t)r->n_dep++);
		}
	}
	r->is_france = true;
	for (size_t k = 0; k < sizeof(metro_regions) / sizeof(metro_regions[0]); k++)
		r->is_france &= cpts_strmap_get(r->reg_index, metro_regions[k], NULL);
	r->dep_agg = cpts_calloc(r->n_dep + 1, sizeof(agg));
	r->dep_cache = cpts_calloc(r->n_dep + 1, sizeof(lcache));
	r->reg_cache = cpts_calloc(r->n_reg + 1, sizeof(lcache));
	r->reg_agg = cpts_calloc(r->n_reg + 1, sizeof(agg));
	for (size_t i = 0; i < r->m->n; i++) {
		const cpts_commune *c = &r->m->c[i];
		long g = cpts_profile__reg_slot(r, c);
		if (r->cd[i].skip_total)
			continue;
		cpts_profile__agg_add(&r->dep_agg[cpts_profile__dep_slot(r, c->dep)], c, &r->cd[i], 1.0);
		if (g >= 0)
			cpts_profile__agg_add(&r->reg_agg[g], c, &r->cd[i], 1.0);
		cpts_profile__agg_add(&r->all, c, &r->cd[i], 1.0);
	}
	if (r->gen) {
		size_t ns = cpts_profile__gen_slots(r->gen);
		r->g_dep = cpts_calloc((r->n_dep + 1) * ns, sizeof(double));
		r->g_reg = cpts_calloc((r->n_reg + 1) * ns, sizeof(double));
		r->g_all = cpts_calloc(ns, sizeof(double));
		r->g_terr = cpts_calloc(ns, sizeof(double));
		r->g_one = cpts_calloc(ns, sizeof(double));
		r->g_tdep = cpts_calloc(ns, sizeof(double));
		r->g_treg = cpts_calloc(ns, sizeof(double));
		for (size_t i = 0; i < r->m->n; i++) {
			const cpts_commune *c = &r->m->c[i];
			long g = cpts_profile__reg_slot(r, c);
			if (r->cd[i].skip_total)
				continue;
			cpts_profile__gen_add(r->gen, i, 1.0,
					      r->g_dep + (size_t)cpts_profile__dep_slot(r, c->dep) * ns);
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
