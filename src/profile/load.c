/*
 * load.c - the per-commune inputs of a profile (profile_int.h): the age bands of the
 * ICC strata, population by sex and age, médecin traitant counts, the supply of GPs
 * and of every other profession, the INSEE density grid, and the APL of every
 * profession. The rows come from store/profile_io.c as cells (cpts/store_profile.h);
 * a row of a commune the model does not hold is ignored.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/profile_int.h"

/* The professions of the supply table beside GPs (issue 14 point 4): key prefix of
   their indicators (catalogue rows <prefix>_count, _etp, _density, _share_60p) and the
   names they go by, normalised (lower case, é -> e, space and - -> _): RPPS labels and
   the BPE's codes (bpe2021_variables.csv: D232 infirmier, D233 masseur kinésithérapeute,
   D231 sage-femme, D221 chirurgien dentiste, D307 pharmacie). */
const cpts_profession cpts_profile__professions[NPROF] = {
	{ "inf", ",infirmier,infirmiere,infirmiers,infirmier_liberal,ide,d232,nb_d232," },
	{ "mk", ",masseur_kinesitherapeute,masseurs_kinesitherapeutes,kinesitherapeute,kine,"
		"mk,d233,nb_d233," },
	{ "sf", ",sage_femme,sages_femmes,sf,d231,nb_d231," },
	{ "cd", ",chirurgien_dentiste,chirurgiens_dentistes,dentiste,cd,d221,nb_d221," },
	{ "ph", ",pharmacien,pharmaciens,pharmacie,pharmacies,officine,d307,nb_d307," },
};

static long code_index(const prun *r, const char *code)
{
	return code ? cpts_model_find(r->m, code) : -1;
}

/* v[j] of a cell, NAN when it was SQL NULL. */
static double cell_d(const cpts_store_cell *c, int j)
{
	return c->v_null & (1u << j) ? NAN : c->v[j];
}

/* ---- ICC strata ---- */

struct bands_ctx {
	cpts_ctx *ctx;
	prun *r;
	size_t n_out; /* population bands outside every consumption band */
};

static int add_cons_band(void *arg, const cpts_store_cell *c)
{
	struct bands_ctx *b = arg;
	return cpts_bands_add(b->ctx, &b->r->bands, c->age, "consumption");
}

static int check_pop_band(void *arg, const cpts_store_cell *c)
{
	struct bands_ctx *b = arg;
	const cpts_bands *bd = &b->r->bands;
	int lo, hi;
	bool touches = false;

	if (!c->age || cpts_bands_find(bd, c->age, false) >= 0 ||
	    !cpts_bands_parse(c->age, &lo, &hi))
		return CPTS_OK;
	for (int k = 0; k < bd->n; k++)
		touches |= lo <= bd->hi[k] && bd->lo[k] <= hi;
	if (touches)
		return cpts_bands_mismatch(b->ctx, bd, c->age, "population");
	b->n_out++;
	return CPTS_OK;
}

/* The ICC strata: the age bands of the consumption table, as intervals; each population
   band must lie inside one of them (a band outside all of them has no rate: warned). */
int cpts_profile__setup_bands(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	struct bands_ctx b = { ctx, r, 0 };
	int rc;

	if ((rc = cpts_store_profile_each(ctx, s, CPTS_PIN_CONSUMPTION_AGES, add_cons_band,
					  &b)) < 0)
		return rc;
	r->general = r->bands.n > 0;
	if (!r->general)
		return CPTS_OK;
	if ((rc = cpts_store_profile_each(ctx, s, CPTS_PIN_POPULATION_AGES, check_pop_band,
					  &b)) < 0)
		return rc;
	if (b.n_out)
		cpts_warn(ctx, "%zu population age band(s) lie outside every consumption band:"
			  " their population has no consumption rate", b.n_out);
	return CPTS_OK;
}

/* ---- population ---- */

static int add_population(void *arg, const cpts_store_cell *c)
{
	prun *r = arg;
	long i = code_index(r, c->code);
	int sx = cpts_profile__sex_index(c->sex);
	int b = cpts_profile__band_index(c->age), kb = cpts_profile__icc_band(r, c->age, false);
	int blo, bhi;
	double p = c->v[0];

	if (i < 0)
		return CPTS_OK;
	if (cpts_bands_parse(c->age, &blo, &bhi) &&
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
	return CPTS_OK;
}

int cpts_profile__load_population(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	int rc;

	if ((rc = cpts_store_profile_each(ctx, s, CPTS_PIN_POPULATION, add_population, r)) < 0)
		return rc;
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

/* ---- médecin traitant ---- */

static int add_mt(void *arg, const cpts_store_cell *cell)
{
	prun *r = arg;
	long i = code_index(r, cell->code);
	unsigned mask = (unsigned)cell->flag;

	if (i < 0)
		return CPTS_OK;
	r->has_mt = true;
	for (int c = 0; c < N_MT; c++) {
		double v = cell_d(cell, c);
		if (mask & (1u << c)) {
			r->cd[i].mt_nm[c] += 1;
			r->cd[i].mt_has |= 1u << c;
		} else if (!isnan(v)) {
			r->cd[i].mt[c] += v;
			r->cd[i].mt_has |= 1u << c;
		}
	}
	return CPTS_OK;
}

int cpts_profile__load_mt(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	return cpts_store_profile_each(ctx, s, CPTS_PIN_MT, add_mt, r);
}

/* ---- supply ---- */

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

/* Index in cpts_profile__professions of a profession name, -1 when none. */
static int prof_index(const char *prof)
{
	char b[64], pat[68];

	if (!prof)
		return -1;
	prof_norm(prof, b, sizeof(b));
	snprintf(pat, sizeof(pat), ",%s,", b);
	for (int k = 0; k < NPROF; k++)
		if (strstr(cpts_profile__professions[k].names, pat))
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

const char *cpts_profile__prof_canon(const char *label, char *out, size_t cap)
{
	int k;

	if (!label || !*label || is_gp(label)) {
		out[0] = 0;
		return out;
	}
	if ((k = prof_index(label)) >= 0)
		snprintf(out, cap, "%s", cpts_profile__professions[k].prefix);
	else
		prof_norm(label, out, cap);
	return out;
}

double cpts_profile__prof_fte(void *arg, const char *profession)
{
	const prun *r = arg;
	int64_t k;

	if (!r->fte_index || !cpts_strmap_get(r->fte_index, profession, &k))
		return NAN;
	return r->fte[k];
}

/* The FTE of every profession over the whole area, by canonical name (the activity A
   of the catalogue's `missing` rows): the FTE where given, else the headcount. */
static void add_fte(prun *r, long i, const char *prof, double eff, double etp)
{
	char canon[64];
	double x = !isnan(etp) ? etp : eff;
	int64_t k;

	if (i < 0 || isnan(x) || r->cd[i].skip_total)
		return;
	cpts_profile__prof_canon(prof, canon, sizeof(canon));
	if (!r->fte_index)
		r->fte_index = cpts_strmap_new(16);
	if (!cpts_strmap_get(r->fte_index, canon, &k)) {
		r->fte = cpts_reallocarray(r->fte, r->n_fte + 1, sizeof(double));
		r->fte[r->n_fte] = 0;
		k = (int64_t)r->n_fte++;
		cpts_strmap_put(r->fte_index, canon, k);
	}
	r->fte[k] += x;
}

static int add_supply(void *arg, const cpts_store_cell *cell)
{
	prun *r = arg;
	long i = code_index(r, cell->code);
	double eff = cell_d(cell, 0), etp = cell_d(cell, 1), a60 = cell_d(cell, 2);
	int pk = prof_index(cell->text);
	cdata *c;

	r->has_supply = true;
	add_fte(r, i, cell->text, eff, etp);
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
		return CPTS_OK;
	}
	if (i < 0 || !is_gp(cell->text))
		return CPTS_OK;
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
	return CPTS_OK;
}

int cpts_profile__load_supply(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	return cpts_store_profile_each(ctx, s, CPTS_PIN_SUPPLY, add_supply, r);
}

/* ---- density grid ---- */

static int add_dens(void *arg, const cpts_store_cell *c)
{
	prun *r = arg;
	long i = code_index(r, c->code);
	long d;

	if (i < 0 || !c->text || !cpts_parse_long(c->text, &d) || d < 1 || d > 7)
		return CPTS_OK;
	/* INSEE grille communale de densité in 7 levels: 1-2 dense urban, 3-4
	   intermediate, 5-7 rural */
	r->cd[i].dens = d <= 2 ? 1 : d <= 4 ? 2 : 3;
	r->has_dens = true;
	return CPTS_OK;
}

int cpts_profile__load_dens(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	return cpts_store_profile_each(ctx, s, CPTS_PIN_DENS, add_dens, r);
}

/* ---- APL ---- */

/* The travel times as CSR arrays by origin (the order of the table kept within one
   origin). */
struct od_ctx {
	const prun *r;
	cpts_vec trip; /* struct od_trip */
};
struct od_trip {
	size_t i, j;
	double min;
};

static int add_trip(void *arg, const cpts_store_cell *c)
{
	struct od_ctx *o = arg;
	long i = code_index(o->r, c->code), j = code_index(o->r, c->text);
	struct od_trip *t;

	if (i < 0 || j < 0)
		return CPTS_OK;
	if (!(t = cpts_vec_push(&o->trip)))
		CPTS_BUG("too many travel times");
	t->i = (size_t)i;
	t->j = (size_t)j;
	t->min = c->v[0];
	return CPTS_OK;
}

/* in->od_* OWNED by caller (free) on success. */
static int load_od(cpts_ctx *ctx, prun *r, cpts_store *s, cpts_apl_input *in)
{
	struct od_ctx o = { r, { 0 } };
	size_t n = r->m->n, *start, *dest, *fill;
	double *mins;
	int rc;

	cpts_vec_init(&o.trip, sizeof(struct od_trip), SIZE_MAX / sizeof(struct od_trip));
	if ((rc = cpts_store_profile_each(ctx, s, CPTS_PIN_TRAVELTIME, add_trip, &o)) < 0) {
		cpts_vec_release(&o.trip);
		return rc;
	}
	start = cpts_calloc(n + 1, sizeof(size_t));
	dest = cpts_mallocarray(o.trip.n + 1, sizeof(size_t));
	mins = cpts_mallocarray(o.trip.n + 1, sizeof(double));
	fill = cpts_calloc(n + 1, sizeof(size_t));
	for (size_t k = 0; k < o.trip.n; k++)
		start[cpts_vec_at(&o.trip, struct od_trip, k).i + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	memcpy(fill, start, (n + 1) * sizeof(size_t));
	for (size_t k = 0; k < o.trip.n; k++) {
		const struct od_trip *t = &cpts_vec_at(&o.trip, struct od_trip, k);
		size_t at = fill[t->i]++;
		dest[at] = t->j;
		mins[at] = t->min;
	}
	free(fill);
	cpts_vec_release(&o.trip);
	in->od_start = start;
	in->od_dest = dest;
	in->od_min = mins;
	return CPTS_OK;
}

/* APL for every commune (DOMAIN.md section 6; apl.c). */
int cpts_profile__compute_apl(cpts_ctx *ctx, prun *r, cpts_store *s)
{
	size_t n = r->m->n;
	double *x = cpts_calloc(n, sizeof(double)), *y = cpts_calloc(n, sizeof(double));
	double *pop = cpts_calloc(n, sizeof(double)), *sup = cpts_calloc(n, sizeof(double));
	double *apl = cpts_calloc(n, sizeof(double));
	int *srid = cpts_calloc(n, sizeof(int));
	cpts_apl_input in;
	int rc = CPTS_OK;

	memset(&in, 0, sizeof(in));
	for (size_t i = 0; i < n; i++) {
		const cdata *c = &r->cd[i];
		x[i] = r->m->c[i].px;
		y[i] = r->m->c[i].py;
		srid[i] = r->m->c[i].srid;
		pop[i] = c->skip_total ? 0 : c->pstd;
		sup[i] = c->skip_total ? 0 : (c->gp_has_etp ? c->gp_etp : c->gp_n) * r->o->gp_activity;
	}
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
	if (cpts_store_traveltime_count(s) > 0) {
		r->od = true;
		if ((rc = load_od(ctx, r, s, &in)) < 0)
			goto out;
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
	free(x);
	free(y);
	free(pop);
	free(sup);
	free(apl);
	free(srid);
	free((void *)in.od_start);
	free((void *)in.od_dest);
	free((void *)in.od_min);
	return rc;
}
