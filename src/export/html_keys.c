/*
 * html_keys.c - the "points clés" of a territory page: four to six French sentences on
 * what differs from the département and the region, the ACI tier and the fit of the
 * territory with its patients' flows.
 *
 * Why a separate generator over a plain struct (ex_kp_input): the sentences are the
 * first thing a reader quotes, so they are tested on constructed profiles, and every
 * claim of a difference is gated on its test: a gap in the share of patients without a
 * médecin traitant is stated only when the two-proportion test (the stored p-value for
 * the département, the same test on the published counts for the region) is below
 * alpha; an ICC is said above or below the expected level only when its interval
 * excludes 100, and above or below a département's or region's only when the two
 * intervals do not overlap (a conservative test); missing GPs are quoted only when the
 * ICC is significantly below 100. Otherwise the sentence says the gap is not
 * significant. Supply and population counts are exhaustive (no sampling interval) and
 * are compared as facts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/model.h"
#include "cpts/profile.h"
#include "export/report_int.h"

static void add_num(cpts_buf *b, double v, int dec)
{
	char s[48];

	cpts_buf_addstr(b, cpts_fmt_fr(s, sizeof(s), v, dec));
}

/* "x,y points de plus que la Loire-Atlantique" or "de moins" */
static void add_gap(cpts_buf *b, double gap, const char *the)
{
	add_num(b, fabs(gap), 1);
	/* French: singular below two ("0,2 point", "1,5 point"), plural from two */
	cpts_buf_addstr(b, fabs(gap) < 1.95 ? " point" : " points");
	cpts_buf_addstr(b, gap > 0 ? " de plus que " : " de moins que ");
	cpts_buf_addstr(b, the);
}

/* p-value of the territory's share against a place (stored one first), NAN if none */
static double mt_pvalue(const ex_kp_input *in, const ex_kp_place *pl, double stored)
{
	if (isfinite(stored))
		return stored;
	if (isfinite(in->mt_x) && isfinite(in->mt_n) && isfinite(pl->x) && isfinite(pl->n))
		return cpts_two_prop_test(in->mt_x, in->mt_n, pl->x, pl->n, NULL);
	return NAN;
}

/* One comparison clause of the MT sentence; returns false when nothing can be said. */
static bool mt_clause(cpts_buf *b, const ex_kp_input *in, const ex_kp_place *pl,
		      double stored_p)
{
	double p, gap;

	if (!pl->the || !isfinite(pl->share))
		return false;
	p = mt_pvalue(in, pl, stored_p);
	if (!isfinite(p))
		return false;
	gap = in->mt_share - pl->share;
	if (p < in->alpha && fabs(gap) >= 0.05) {
		add_gap(b, gap, pl->the);
	} else {
		cpts_buf_addstr(b, "sans écart significatif avec ");
		cpts_buf_addstr(b, pl->the);
		cpts_buf_addstr(b, " (");
		add_num(b, pl->share, 1);
		cpts_buf_addstr(b, "\xc2\xa0%)");
	}
	return true;
}

static char *sentence_mt(const ex_kp_input *in)
{
	cpts_buf b = CPTS_BUF_INIT;
	bool any;

	if (!isfinite(in->mt_share))
		return NULL;
	add_num(&b, in->mt_share, 1);
	cpts_buf_addstr(&b, "\xc2\xa0% des patients n'ont pas de médecin traitant");
	{
		cpts_buf c = CPTS_BUF_INIT;
		any = mt_clause(&c, in, &in->dep, in->mt_p_dep);
		if (any) {
			cpts_buf_addstr(&b, ", ");
			cpts_buf_addstr(&b, c.data);
		}
		cpts_buf_reset(&c);
		if (mt_clause(&c, in, &in->reg, NAN)) {
			cpts_buf_addstr(&b, any ? " et " : ", ");
			cpts_buf_addstr(&b, c.data);
		}
		cpts_buf_release(&c);
	}
	cpts_buf_addstr(&b, ".");
	return cpts_buf_detach(&b, NULL);
}

/* -1 / 1 when the two intervals do not overlap (a below / above b), else 0 */
static int icc_vs(const ex_kp_input *in, const ex_kp_place *pl)
{
	if (!pl->the || !isfinite(pl->icc_lo) || !isfinite(pl->icc_hi) ||
	    !isfinite(in->icc_lo) || !isfinite(in->icc_hi))
		return 0;
	if (in->icc_hi < pl->icc_lo)
		return -1;
	if (in->icc_lo > pl->icc_hi)
		return 1;
	return 0;
}

static char *sentence_icc(const ex_kp_input *in)
{
	cpts_buf b = CPTS_BUF_INIT;
	int sig, vd, vr;

	if (!isfinite(in->icc_lo) || !isfinite(in->icc_hi))
		return NULL;
	sig = in->icc_lo > 100 ? 1 : in->icc_hi < 100 ? -1 : 0;
	cpts_buf_addstr(&b, "Le recours aux médecins généralistes, à âge et sexe égaux, ");
	cpts_buf_addstr(&b, sig > 0 ? "est supérieur à la référence"
			    : sig < 0 ? "est inférieur à la référence"
				      : "n'est pas significativement différent de la référence");
	if (isfinite(in->icc)) {
		cpts_buf_addstr(&b, " (indice ");
		add_num(&b, in->icc, 1);
		cpts_buf_addstr(&b, ", intervalle de confiance à 95\xc2\xa0% de ");
	} else {
		/* the value depends on masked cells: only its widened interval is known */
		cpts_buf_addstr(&b, " (intervalle de confiance à 95\xc2\xa0%, élargi pour tenir"
				" compte des effectifs masqués, de ");
	}
	add_num(&b, in->icc_lo, 1);
	cpts_buf_addstr(&b, " à ");
	add_num(&b, in->icc_hi, 1);
	cpts_buf_addstr(&b, ")");
	vd = icc_vs(in, &in->dep);
	vr = icc_vs(in, &in->reg);
	if (vd || vr) {
		cpts_buf_addstr(&b, " et ");
		if (vd && vr && vd == vr) {
			cpts_buf_addstr(&b, vd > 0 ? "plus élevé que dans " : "plus faible que dans ");
			cpts_buf_addstr(&b, in->dep.the);
			cpts_buf_addstr(&b, " et ");
			cpts_buf_addstr(&b, in->reg.the);
		} else {
			const ex_kp_place *pl = vd ? &in->dep : &in->reg;
			int v = vd ? vd : vr;
			cpts_buf_addstr(&b, v > 0 ? "plus élevé que dans " : "plus faible que dans ");
			cpts_buf_addstr(&b, pl->the);
		}
	}
	if (sig < 0 && isfinite(in->missing_gps) && in->missing_gps >= 0.05) {
		cpts_buf_addstr(&b, " : l'écart représente l'activité de ");
		add_num(&b, in->missing_gps, 1);
		cpts_buf_addstr(&b, " médecin(s) généraliste(s) à temps plein");
	}
	cpts_buf_addstr(&b, ".");
	return cpts_buf_detach(&b, NULL);
}

static char *sentence_supply(const ex_kp_input *in)
{
	cpts_buf b = CPTS_BUF_INIT;

	if (!isfinite(in->gp_density))
		return NULL;
	cpts_buf_addstr(&b, "Le territoire compte ");
	add_num(&b, in->gp_density, 1);
	cpts_buf_addstr(&b, " médecins généralistes pour 10\xe2\x80\xaf" "000 habitants");
	if (in->dep.the && isfinite(in->dep_gp_density)) {
		cpts_buf_addstr(&b, ", contre ");
		add_num(&b, in->dep_gp_density, 1);
		cpts_buf_addstr(&b, " dans ");
		cpts_buf_addstr(&b, in->dep.the);
		if (in->reg.the && isfinite(in->reg_gp_density)) {
			cpts_buf_addstr(&b, " et ");
			add_num(&b, in->reg_gp_density, 1);
			cpts_buf_addstr(&b, " dans ");
			cpts_buf_addstr(&b, in->reg.the);
		}
	}
	cpts_buf_addstr(&b, ".");
	return cpts_buf_detach(&b, NULL);
}

static char *sentence_tier(const ex_kp_input *in)
{
	cpts_buf b = CPTS_BUF_INIT;
	const cpts_aci_tier *t;

	if (!isfinite(in->pop) || in->pop <= 0)
		return NULL;
	t = cpts_aci_tier_of(in->pop);
	cpts_buf_addstr(&b, "Avec ");
	add_num(&b, in->pop, 0);
	cpts_buf_addf(&b, " habitants, le territoire relève de la taille %d de l'accord"
		      " conventionnel interprofessionnel (", t->tier);
	if (t->tier == 1) {
		cpts_buf_addstr(&b, "moins de ");
		add_num(&b, t->pop_max, 0);
	} else if (isinf(t->pop_max)) {
		cpts_buf_addstr(&b, "plus de ");
		add_num(&b, t->pop_min, 0);
	} else {
		add_num(&b, t->pop_min, 0);
		cpts_buf_addstr(&b, " à ");
		add_num(&b, t->pop_max, 0);
	}
	cpts_buf_addstr(&b, " habitants), soit un financement annuel de ");
	add_num(&b, t->total_eur, 0);
	cpts_buf_addstr(&b, "\xc2\xa0€ au plus.");
	return cpts_buf_detach(&b, NULL);
}

static char *sentence_flows(const ex_kp_input *in)
{
	cpts_buf b = CPTS_BUF_INIT;

	if (!isfinite(in->li))
		return NULL;
	add_num(&b, in->li, 1);
	cpts_buf_addstr(&b, "\xc2\xa0% des recours des habitants à un médecin généraliste ont"
			" lieu dans le territoire : ");
	cpts_buf_addstr(&b, in->li >= 50 ? "le périmètre suit les flux de patients"
			    : in->li >= 30 ? "le périmètre ne suit qu'en partie les flux de patients"
					   : "la plupart des recours se font hors du territoire");
	if (in->first_out && isfinite(in->first_out_share) && in->first_out_share > 0) {
		cpts_buf_addstr(&b, " ; première destination extérieure : ");
		cpts_buf_addstr(&b, in->first_out);
		cpts_buf_addstr(&b, " (");
		add_num(&b, in->first_out_share, 1);
		cpts_buf_addstr(&b, "\xc2\xa0% des recours)");
	}
	cpts_buf_addstr(&b, ".");
	return cpts_buf_detach(&b, NULL);
}

size_t ex_keypoints(char **out, const ex_kp_input *in)
{
	char *(*const gen[])(const ex_kp_input *) = { sentence_mt, sentence_icc, sentence_supply,
						      sentence_tier, sentence_flows };
	size_t n = 0;

	for (size_t k = 0; k < sizeof(gen) / sizeof(gen[0]) && n < EX_KP_MAX; k++) {
		char *s = gen[k](in);
		if (s)
			out[n++] = s;
	}
	return n;
}
