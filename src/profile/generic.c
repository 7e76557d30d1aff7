/*
 * generic.c - indicators that are catalogue rows, not code (profile/generic.h,
 * docs/profile.md): each non-builtin row reads the cells of its `source` in table
 * indicator_data (latest year), and the profile computes it for every unit from
 * summed counts (never averaged ratios):
 *   count       sum of numerators (masked cells: bounds known + m .. known + 10 m);
 *   share       multiplier x num / den, Wilson score interval;
 *   crude_rate  multiplier x num / den, exact Poisson (Garwood) interval on num;
 *   mean        num / den (a ratio of sums), Poisson interval on num as crude_rate;
 *   dsr         multiplier x directly standardised rate over the sex x age strata of
 *               the file, weights of the standard (esp2013, or `area`: the whole
 *               ingested area), Dobson et al. (1991) interval;
 *   isr         100 O / E with E from the rates of the whole area per stratum (known
 *               cells), and the interval widened by the over-dispersion phi = Pearson chi-square /
 *               df over the communes of the area (pure Poisson with isr_poisson);
 *   missing     missing practitioners (DOMAIN.md section 6 applied to a profession):
 *               (E - O) / A when O < E, else 0, O and E as an isr over the same source,
 *               A = the whole area's O per FTE of the profession's supply (the source
 *               consommation_<p> takes the supply of profession p; cpts_gen_extra).
 * The consumption of professions other than GPs (table consumption, column profession)
 * reaches the engine as cells of the sources consommation_<profession>, the denominator
 * of a cell being the population of its stratum (profile/rates.c).
 * A unit whose cells are all 0 gets a 0 (with its interval: Wilson for 0/n, Garwood for
 * 0 events), distinct from a unit without cells (no row). Over masked cells (1 to 10
 * each) a ratio's value is not determined: it is stored without a point (NULL, masked)
 * with the range it takes whatever the masked cells hold as [lo, hi] (masked_range; a
 * dsr as an isr or a share), so no output can show a point outside that range.
 * The numerator (and a share's denominator) are also published as counts <key>_num,
 * <key>_den (catalogue companions), so disclosure masks the ratio with them.
 *
 * Comparisons and trends (issue 14 points 3 and 6), for the rows with an interval:
 *   <key>_cmp_dep/_reg/_fr  -1, 0, 1: the territory significantly below, not different
 *               from, or above the rest of its département / région / France (the level
 *               minus the territory's part in it, so the two samples are independent):
 *               two-proportion z-test for a share, z-test on the difference of the
 *               values with Poisson variances otherwise (crude_rate, mean: mult^2 x num /
 *               den^2; dsr: Dobson's variance; isr: phi x 100^2 O / E^2); an isr against
 *               France is its interval against 100 (its rates are the whole area's);
 *   <key>_evol, <key>_evol_sig  the latest year minus the year before (when the file
 *               has several `annee`), with the flag of the same test between the two
 *               years; <key>_num_prec the numerator of the year before. A count
 *               (e.g. two population vintages) gets <key>_prec, <key>_evol and
 *               <key>_evol_pct (relative change, %), without a test.
 * Flags and changes over masked cells are stored masked (disclosure masks them, and
 * through their catalogue relation num/den when their counts are masked).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpts/store_profile.h"
#include "cpts/util.h"
#include "dep/dep.h"
#include "profile/generic.h"

const double cpts_esp2013[19] = {
	5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000,
	7000, 6500, 6000, 5500, 5000, 4000, 2500, 1500, 1000,
};

/* Slots per stratum: known numerators, denominators of the known cells, masked cells,
   denominators of the masked cells, cells (known or masked: a unit whose cells are all
   0 is a known 0, not "no data"), masked cells without a denominator (their ratio's
   range is then unknown). */
#define NS 6

typedef struct gen_ind {
	const cpts_indicator *ind; /* BORROWED from the catalogue */
	size_t slot0, ns;          /* first slot, strata */
	char (*strata)[16];        /* OWNED: "sex|age" of each stratum */
	double *rate;              /* OWNED (isr): reference rate per stratum */
	double *w;                 /* OWNED (dsr): standard weight per stratum */
	double phi;                /* isr: over-dispersion (1 = none) */
	double activity;           /* missing: consultations per FTE over the whole area
				      (NAN: unknown, no value) */
	bool has_prev;             /* a block of the year before follows the latest one */
	char (*keys)[96];          /* OWNED: <key>_num_prec, _evol, _evol_sig, _prec, _evol_pct,
				      _cmp_dep, _cmp_reg, _cmp_fr (built once, not per unit) */
} gen_ind;

enum { K_NUM_PREC, K_EVOL, K_EVOL_SIG, K_PREC, K_EVOL_PCT, K_CMP_DEP, K_CMP_REG, K_CMP_FR,
       K_N };
static const char *const key_suffix[K_N] = { "_num_prec", "_evol", "_evol_sig", "_prec",
					     "_evol_pct", "_cmp_dep", "_cmp_reg", "_cmp_fr" };

/* The sums of one indicator over one unit and year, and its value with the variance of
   the comparison tests (see the header comment). */
typedef struct gstat {
	double num, den, nm, dm, e, em; /* known num, den, masked cells, their den; isr E */
	double cells;                   /* cells (known or masked) of the unit */
	double v, var;                  /* value (NAN: not computable) and its variance */
} gstat;

struct cpts_gen {
	gen_ind *g; /* OWNED */
	size_t n_ind, n_slots, n_communes;
	double *cval; /* OWNED: n_communes x n_slots */
	cpts_chi2_memo *memo; /* OWNED: chi-square quantiles of the Poisson limits (the same
				 counts recur over tens of thousands of units) */
};

size_t cpts_profile__gen_slots(const cpts_gen *g)
{
	return g->n_slots;
}

void cpts_profile__gen_add(const cpts_gen *g, size_t i, double w, double *acc)
{
	const double *c = g->cval + i * g->n_slots;

	for (size_t k = 0; k < g->n_slots; k++)
		acc[k] += w * c[k];
}

void cpts_profile__gen_free(cpts_gen *g)
{
	if (!g)
		return;
	for (size_t k = 0; k < g->n_ind; k++) {
		free(g->g[k].strata);
		free(g->g[k].rate);
		free(g->g[k].w);
		free(g->g[k].keys);
	}
	free(g->g);
	free(g->cval);
	if (g->memo)
		cpts_chi2_memo_release(g->memo);
	free(g->memo);
	free(g);
}

/* Age band "a-b", "a+" or "ALL" as [lo, hi] years (hi 200 for open bands). */
static bool band_of(const char *age, int *lo, int *hi)
{
	char *end;
	long a, b;

	if (strcmp(age, "ALL") == 0) {
		*lo = 0;
		*hi = 200;
		return true;
	}
	a = strtol(age, &end, 10);
	if (*end == '+') {
		*lo = (int)a;
		*hi = 200;
		return true;
	}
	if (*end != '-')
		return false;
	b = strtol(end + 1, &end, 10);
	*lo = (int)a;
	*hi = (int)b;
	return *end == 0 && b >= a;
}

/* ESP 2013 weight of the band [lo, hi]: the bands it covers exactly, else -1. */
static double esp_weight(int lo, int hi)
{
	double w = 0;

	if (lo % 5 != 0 || (hi != 200 && (hi + 1) % 5 != 0) || (hi == 200 && lo > 90) ||
	    (hi != 200 && hi >= 90 && hi != 200))
		return -1;
	for (int k = 0; k < 19; k++) {
		int blo = 5 * k, bhi = k == 18 ? 200 : 5 * k + 4;
		if (blo >= lo && bhi <= hi)
			w += cpts_esp2013[k];
	}
	return w;
}

/* The strata ("sex|age") met so far, in order of first appearance. */
typedef struct strata_set {
	char (*k)[16];  /* OWNED */
	size_t n, hint; /* hint: where to look first */
} strata_set;

static long stratum_of(strata_set *ss, const char *sex, const char *age)
{
	char key[16];
	size_t ls = strlen(sex), la = strlen(age);

	/* "sex|age" without printf: this runs once per ingested cell (millions) */
	if (ls + la + 2 <= sizeof(key)) {
		memcpy(key, sex, ls);
		key[ls] = '|';
		memcpy(key + ls + 1, age, la);
		key[ls + 1 + la] = 0;
	} else {
		snprintf(key, sizeof(key), "%s|%s", sex, age);
	}
	/* the cells come sorted by code, sex, age: the stratum after the last one found
	   is the likely one */
	for (size_t k = 0; k < ss->n; k++) {
		size_t s = (ss->hint + k) % ss->n;
		if (strcmp(ss->k[s], key) == 0) {
			ss->hint = s + 1;
			return (long)s;
		}
	}
	ss->k = cpts_reallocarray(ss->k, ss->n + 1, sizeof(*ss->k));
	memcpy(ss->k[ss->n], key, sizeof(key));
	ss->hint = ss->n + 1;
	return (long)ss->n++;
}

static int setup_standard(cpts_ctx *ctx, cpts_gen *g, gen_ind *gi)
{
	size_t N = g->n_communes;

	gi->w = cpts_calloc(gi->ns + 1, sizeof(double));
	for (size_t s = 0; s < gi->ns; s++) {
		const char *bar = strchr(gi->strata[s], '|');
		int lo, hi;
		if (strcmp(gi->ind->standard, "area") == 0) {
			for (size_t i = 0; i < N; i++)
				gi->w[s] += g->cval[i * g->n_slots + gi->slot0 + NS * s + 1];
			continue;
		}
		if (!band_of(bar + 1, &lo, &hi) || (gi->w[s] = esp_weight(lo, hi)) < 0)
			return cpts_fail(ctx, CPTS_EINPUT, "indicator '%s' (dsr, standard esp2013):"
					 " the age band '%s' is not a union of the 5-year bands of the"
					 " European Standard Population 2013 (00-04 ... 85-89, 90+)",
					 gi->ind->key, bar + 1);
		if (bar[-1] != 'T' || bar - gi->strata[s] != 1)
			gi->w[s] /= 2; /* one sex: half the persons of the band */
	}
	return CPTS_OK;
}

/* isr: the rates of the whole area per stratum (known cells only), then phi. */
static void setup_isr(cpts_gen *g, gen_ind *gi, bool isr_poisson)
{
	size_t N = g->n_communes;
	double chi2 = 0;
	size_t n_c = 0;

	gi->rate = cpts_calloc(gi->ns + 1, sizeof(double));
	for (size_t s = 0; s < gi->ns; s++) {
		double o = 0, d = 0;
		for (size_t i = 0; i < N; i++) {
			const double *c = g->cval + i * g->n_slots + gi->slot0 + NS * s;
			o += c[0];
			d += c[1];
		}
		gi->rate[s] = d > 0 ? o / d : 0;
	}
	for (size_t i = 0; i < N; i++) {
		double o = 0, e = 0;
		for (size_t s = 0; s < gi->ns; s++) {
			const double *c = g->cval + i * g->n_slots + gi->slot0 + NS * s;
			o += c[0];
			e += c[1] * gi->rate[s];
		}
		if (e > 0) {
			chi2 += (o - e) * (o - e) / e;
			n_c++;
		}
	}
	gi->phi = !isr_poisson && n_c > 1 ? fmax(1.0, chi2 / (double)(n_c - 1)) : 1.0;
}

int cpts_profile__indrow_cmp(const void *a, const void *b)
{
	const cpts_indrow *x = a, *y = b;
	int c;

	if ((c = strcmp(x->indicator, y->indicator)) != 0 || (c = strcmp(x->code, y->code)) != 0 ||
	    (c = strcmp(x->sex, y->sex)) != 0 || (c = strcmp(x->age, y->age)) != 0)
		return c;
	return (x->year > y->year) - (x->year < y->year);
}

/* missing: the profession of its source (consommation_<p> -> p), its FTE over the whole
   area and the area's O per FTE. */
static void setup_activity(const cpts_gen *g, gen_ind *gi, const cpts_gen_extra *x)
{
	static const char pre[] = "consommation_";
	const char *src = gi->ind->source;
	const char *prof = strncmp(src, pre, sizeof(pre) - 1) == 0 ? src + sizeof(pre) - 1 : src;
	double o = 0, fte = x && x->fte ? x->fte(x->arg, prof) : NAN;

	for (size_t i = 0; i < g->n_communes; i++)
		for (size_t s = 0; s < gi->ns; s++)
			o += g->cval[i * g->n_slots + gi->slot0 + NS * s];
	gi->activity = fte > 0 && o > 0 ? o / fte : NAN;
}

/* One ingested cell of a source, compact (France: 5 million of them, and a stored row
   is 120 bytes): its commune (-1: not in the workspace), its stratum in the order the
   source met them, its year. */
typedef struct gcell {
	double num, den;
	int32_t ci, st, year;
	bool masked;
} gcell;

/* The cells of one source (catalogue column `source`), in the order of the rows. */
typedef struct gsrc {
	gcell *c; /* OWNED */
	size_t n, cap;
	strata_set ss; /* the strata of every year */
} gsrc;

/* The reading of the cells: the stored rows in order, with the extra rows merged in
   (an extra row goes before a stored row whose key is larger, after an equal one). */
typedef struct gstream {
	const cpts_model *m;     /* BORROWED */
	const cpts_gen_extra *x; /* BORROWED, NULL when none */
	size_t xj;               /* next extra row */
	cpts_strmap *want;       /* OWNED: source -> index in src */
	gsrc *src;               /* OWNED */
	char cur[sizeof(((cpts_indrow *)0)->indicator)];
	gsrc *cs;                /* BORROWED: the source of cur, NULL when not wanted */
	bool have_cur;
	char code[sizeof(((cpts_indrow *)0)->code)];
	long ci;                 /* commune of code */
	bool have_code;
	const int32_t *order;    /* BORROWED: the communes sorted by code */
	size_t pos;              /* in order: after the last code found */
	const char *split;       /* BORROWED: the stream reads the codes below split ... */
	bool upper;              /* ... or, when upper, those at or above it */
} gstream;

/* Is the extra row r one of this stream's half? */
static bool in_half(const gstream *gs, const cpts_indrow *r)
{
	int c = strcmp(r->code, gs->split);

	return gs->upper ? c >= 0 : c < 0;
}

/* The commune of code (-1: none), as cpts_model_find. The codes of an indicator come
   in order and every indicator walks the same communes: the one after the last found
   is the likely one (a hash look-up per commune and indicator was 4 % of the reading);
   else a binary search. */
static long code_index(gstream *gs, const char *code)
{
	const cpts_model *m = gs->m;
	size_t lo = 0, hi = m->n;
	int c;

	for (size_t p = gs->pos; p < gs->pos + 2 && p < m->n; p++) {
		if ((c = strcmp(m->c[gs->order[p]].code, code)) == 0) {
			gs->pos = p + 1;
			return gs->order[p];
		}
		if (c > 0)
			break;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(m->c[gs->order[mid]].code, code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	gs->pos = lo;
	if (lo < m->n && strcmp(m->c[gs->order[lo]].code, code) == 0) {
		gs->pos = lo + 1;
		return gs->order[lo];
	}
	return -1;
}

static void take_row(gstream *gs, const cpts_indrow *r)
{
	gcell *c;
	gsrc *g;

	if (!gs->have_cur || strcmp(gs->cur, r->indicator) != 0) {
		int64_t k;
		memcpy(gs->cur, r->indicator, sizeof(gs->cur));
		gs->have_cur = true;
		gs->cs = cpts_strmap_get(gs->want, r->indicator, &k) ? &gs->src[k] : NULL;
		gs->have_code = false;
	}
	if (!(g = gs->cs))
		return;
	/* the rows of one commune follow each other: one look-up per commune */
	if (!gs->have_code || strcmp(gs->code, r->code) != 0) {
		memcpy(gs->code, r->code, sizeof(gs->code));
		gs->have_code = true;
		gs->ci = code_index(gs, r->code);
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 4096;
		g->c = cpts_reallocarray(g->c, g->cap, sizeof(*g->c));
	}
	c = &g->c[g->n++];
	c->num = r->num;
	c->den = r->den;
	c->ci = (int32_t)gs->ci;
	c->st = (int32_t)stratum_of(&g->ss, r->sex, r->age);
	c->year = r->year;
	c->masked = r->masked;
}

static int stream_row(void *arg, const cpts_indrow *r)
{
	gstream *gs = arg;

	while (gs->x && gs->xj < gs->x->n &&
	       cpts_profile__indrow_cmp(&gs->x->rows[gs->xj], r) < 0) {
		if (in_half(gs, &gs->x->rows[gs->xj]))
			take_row(gs, &gs->x->rows[gs->xj]);
		gs->xj++;
	}
	take_row(gs, r);
	return CPTS_OK;
}

/* The rest of the extra rows of the stream's half, after its last stored row. */
static void stream_end(gstream *gs)
{
	for (; gs->x && gs->xj < gs->x->n; gs->xj++)
		if (in_half(gs, &gs->x->rows[gs->xj]))
			take_row(gs, &gs->x->rows[gs->xj]);
}

/* The cells of the upper half b appended to those of the lower half a, its strata
   renumbered into a's: a's in their order, then b's new ones in theirs, so a and b
   end as one stream reading every cell in order would have left a. b is emptied. */
static void src_append(gsrc *a, gsrc *b)
{
	int32_t *map = cpts_mallocarray(b->ss.n + 1, sizeof(*map));

	for (size_t j = 0; j < b->ss.n; j++) {
		size_t k = 0;
		while (k < a->ss.n && strcmp(a->ss.k[k], b->ss.k[j]) != 0)
			k++;
		if (k == a->ss.n) {
			a->ss.k = cpts_reallocarray(a->ss.k, a->ss.n + 1, sizeof(*a->ss.k));
			memcpy(a->ss.k[a->ss.n++], b->ss.k[j], sizeof(*a->ss.k));
		}
		map[j] = (int32_t)k;
	}
	if (a->n + b->n > a->cap) {
		a->cap = a->n + b->n;
		a->c = cpts_reallocarray(a->c, a->cap + 1, sizeof(*a->c));
	}
	for (size_t i = 0; i < b->n; i++) {
		a->c[a->n] = b->c[i];
		a->c[a->n++].st = map[b->c[i].st];
	}
	free(map);
	free(b->c);
	free(b->ss.k);
	memset(b, 0, sizeof(*b));
}

static int cmp_code(const void *a, const void *b, void *arg)
{
	const cpts_model *m = arg;

	return strcmp(m->c[*(const int32_t *)a].code, m->c[*(const int32_t *)b].code);
}

/* The communes sorted by code. OWNED by the caller. */
static int32_t *sorted_codes(const cpts_model *m)
{
	int32_t *v = cpts_mallocarray(m->n + 1, sizeof(*v));

	for (size_t i = 0; i < m->n; i++)
		v[i] = (int32_t)i;
	qsort_r(v, m->n, sizeof(*v), cmp_code, (void *)m);
	return v;
}

/* Where the cells of a catalogue row go: the latest year y, the year before yp (-1:
   none), the row's stratum of each stratum of the source (-1: none). */
typedef struct glayout {
	const gsrc *src; /* BORROWED */
	int y, yp;
	int32_t *remap;  /* OWNED */
} glayout;

/* The catalogue row gi over the cells of its source: the latest year (and the year
   before when the row has an interval or is a count), the strata of those years in the
   order the cells meet them, its slots from g->n_slots. */
static void layout_ind(cpts_gen *g, gen_ind *gi, glayout *l)
{
	const gsrc *src = l->src;
	int y = 0, yp = 0;

	for (size_t i = 0; i < src->n; i++)
		if (src->c[i].year > y)
			y = src->c[i].year;
	if (gi->ind->interval || gi->ind->type == CPTS_TYPE_COUNT)
		for (size_t i = 0; i < src->n; i++)
			if (src->c[i].year < y && src->c[i].year > yp)
				yp = src->c[i].year;
	gi->has_prev = yp > 0;
	l->y = y;
	l->yp = gi->has_prev ? yp : -1;
	l->remap = cpts_mallocarray(src->ss.n + 1, sizeof(*l->remap));
	for (size_t k = 0; k < src->ss.n; k++)
		l->remap[k] = -1;
	for (size_t i = 0; i < src->n; i++) {
		const gcell *c = &src->c[i];
		if ((c->year != l->y && c->year != l->yp) || l->remap[c->st] >= 0)
			continue;
		gi->strata = cpts_reallocarray(gi->strata, gi->ns + 1, sizeof(*gi->strata));
		memcpy(gi->strata[gi->ns], src->ss.k[c->st], sizeof(*gi->strata));
		l->remap[c->st] = (int32_t)gi->ns++;
	}
	gi->slot0 = g->n_slots;
	g->n_slots += NS * gi->ns * (gi->has_prev ? 2 : 1);
}

/* The sums of gi per commune (its slots of g->cval), in the order of the cells. */
static void sum_ind(cpts_gen *g, const gen_ind *gi, const glayout *l)
{
	const gsrc *src = l->src;

	for (size_t i = 0; i < src->n; i++) {
		const gcell *r = &src->c[i];
		double *c;
		if ((r->year != l->y && r->year != l->yp) || r->ci < 0)
			continue;
		c = g->cval + (size_t)r->ci * g->n_slots + gi->slot0 +
		    NS * (size_t)l->remap[r->st];
		if (r->year == l->yp)
			c += NS * gi->ns; /* the block of the year before */
		c[4] += 1;
		if (r->masked) {
			c[2] += 1;
			if (!isnan(r->den))
				c[3] += r->den;
			else
				c[5] += 1;
			continue;
		}
		c[0] += r->num;
		if (!isnan(r->den))
			c[1] += r->den;
	}
}

int cpts_profile__gen_build(cpts_ctx *ctx, cpts_gen **out, cpts_store *s, const cpts_model *m,
			    bool isr_poisson, const cpts_gen_extra *extra)
{
	gstream gs, gs2;
	cpts_gen *g = NULL;
	glayout *lay = NULL; /* per catalogue row of g->g */
	int32_t *order = NULL;
	size_t n_src = 0, n_cells = 0;
	int rc;

	*out = NULL;
	memset(&gs, 0, sizeof(gs));
	gs.m = m;
	gs.x = extra && extra->n > 0 ? extra : NULL;
	gs.want = cpts_strmap_new(64);
	/* the sources of the catalogue rows computed from cells */
	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++)
		if (!ind->builtin && ind->source && !ind->companion &&
		    !cpts_strmap_get(gs.want, ind->source, NULL))
			cpts_strmap_put(gs.want, ind->source, (int64_t)n_src++);
	gs.src = cpts_calloc(n_src + 1, sizeof(*gs.src));
	/* two halves of the communes read at once (profile_io.c), then put end to end; the
	   split is the median code (the halves hold about as many cells) */
	order = sorted_codes(m);
	gs.order = order;
	gs.split = m->n ? m->c[order[m->n / 2]].code : "";
	gs2 = gs;
	gs2.upper = true;
	gs2.src = cpts_calloc(n_src + 1, sizeof(*gs2.src));
	rc = cpts_store_indicator_data_halves(ctx, s, gs.split, stream_row, &gs, stream_row, &gs2);
	stream_end(&gs);
	stream_end(&gs2);
	for (size_t k = 0; k < n_src; k++) {
		src_append(&gs.src[k], &gs2.src[k]);
		n_cells += gs.src[k].n;
	}
	free(gs2.src);
	if (rc < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "profile: %zu catalogue cells read (cpu %.2f s)", n_cells,
		 (double)clock() / CLOCKS_PER_SEC);
	if (n_cells == 0)
		goto out;
	g = cpts_calloc(1, sizeof(*g));
	g->n_communes = m->n;
	g->memo = cpts_calloc(1, sizeof(*g->memo));
	/* pass 1: the years, strata and slots of each catalogue row with cells */
	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
		int64_t k;
		gen_ind gi;
		if (ind->builtin || !ind->source || ind->companion)
			continue; /* builtin, or a companion computed with its ratio */
		cpts_strmap_get(gs.want, ind->source, &k);
		if (gs.src[k].n == 0)
			continue;
		memset(&gi, 0, sizeof(gi));
		gi.ind = ind;
		gi.phi = 1;
		gi.keys = cpts_calloc(K_N, sizeof(*gi.keys));
		for (int j = 0; j < K_N; j++)
			snprintf(gi.keys[j], sizeof(gi.keys[j]), "%s%s", ind->key, key_suffix[j]);
		g->g = cpts_reallocarray(g->g, g->n_ind + 1, sizeof(*g->g));
		lay = cpts_reallocarray(lay, g->n_ind + 1, sizeof(*lay));
		lay[g->n_ind].src = &gs.src[k];
		layout_ind(g, &gi, &lay[g->n_ind]);
		g->g[g->n_ind++] = gi;
	}
	if (g->n_ind == 0)
		goto out;
	g->cval = cpts_calloc(g->n_communes * g->n_slots + 1, sizeof(double));
	/* pass 2: the sums */
	for (size_t k = 0; k < g->n_ind; k++) {
		gen_ind *gi = &g->g[k];
		sum_ind(g, gi, &lay[k]);
		if (gi->ind->type == CPTS_TYPE_DSR && (rc = setup_standard(ctx, g, gi)) < 0)
			goto out;
		if (gi->ind->type == CPTS_TYPE_ISR || gi->ind->type == CPTS_TYPE_MISSING)
			setup_isr(g, gi, isr_poisson);
		if (gi->ind->type == CPTS_TYPE_MISSING)
			setup_activity(g, gi, extra);
	}
	*out = g;
	g = NULL;
out:
	for (size_t k = 0; g && k < g->n_ind; k++)
		free(lay[k].remap);
	for (size_t k = 0; *out && k < (*out)->n_ind; k++)
		free(lay[k].remap);
	free(lay);
	cpts_profile__gen_free(g);
	for (size_t k = 0; k < n_src; k++) {
		free(gs.src[k].c);
		free(gs.src[k].ss.k);
	}
	free(gs.src);
	free(order);
	cpts_strmap_free(gs.want);
	return rc;
}

static int put_count(cpts_gen_put_fn put, void *arg, const char *key, double known, double nm)
{
	if (nm > 0)
		return put(arg, key, known, known + nm, known + CPTS_PROFILE_INPUT_MASK_MAX * nm,
			   true);
	return put(arg, key, known, NAN, NAN, false);
}

/* cpts_isr_dispersed (stats.c) with the memo of g: the same formulas. */
static double isr_dispersed(const cpts_gen *g, double o, double e, double phi, double alpha,
			    bool byar, double *lo, double *hi)
{
	double l, h, f = phi > 1 ? phi : 1.0;

	*lo = *hi = NAN;
	if (!(e > 0) || !(o >= 0))
		return NAN;
	cpts_poisson_limits_memo(g->memo, o / f, alpha, byar, &l, &h);
	*lo = 100 * l / (e / f);
	*hi = 100 * h / (e / f);
	return 100 * o / e;
}

/* The range [lo, hi] of the value of gi over the block c (one unit, one year) whose
   masked cells hold 1 to CPTS_PROFILE_INPUT_MASK_MAX each over their known
   denominators (mu: masked cells without one; then NAN, the range is unknown). Every
   type is increasing in each masked numerator, so the bounds are the values with
   every masked cell at 1, and at 10:
     share, crude_rate, mean  mult x (num + m) / (den + dm), m in [nm, 10 nm] (a share
                              at most mult);
     isr                      100 x (O + m) / (E + E of the masked cells);
     dsr                      mult x sum_s w_s (o_s + m_s) / (p_s + dm_s) / sum w_s, over
                              the strata with a denominator. */
static void masked_range(const gen_ind *gi, const double *c, double mu, double *lo,
			 double *hi)
{
	const cpts_indicator *ind = gi->ind;
	double mx = CPTS_PROFILE_INPUT_MASK_MAX, a = 0, b = 0, sw = 0, o = 0, nm = 0, dt = 0;

	*lo = *hi = NAN;
	if (mu > 0)
		return;
	for (size_t s = 0; s < gi->ns; s++) {
		const double *x = c + NS * s;
		double p = x[1] + x[3];
		o += x[0];
		nm += x[2];
		if (ind->type == CPTS_TYPE_ISR)
			dt += p * gi->rate[s];
		else
			dt += p;
		if (ind->type == CPTS_TYPE_DSR && p > 0) {
			sw += gi->w[s];
			a += gi->w[s] * (x[0] + x[2]) / p;
			b += gi->w[s] * (x[0] + mx * x[2]) / p;
		}
	}
	switch (ind->type) {
	case CPTS_TYPE_DSR:
		if (sw > 0) {
			*lo = ind->multiplier * a / sw;
			*hi = ind->multiplier * b / sw;
		}
		return;
	case CPTS_TYPE_ISR:
		if (dt > 0) {
			*lo = 100 * (o + nm) / dt;
			*hi = 100 * (o + mx * nm) / dt;
		}
		return;
	default:
		if (dt > 0) {
			*lo = ind->multiplier * (o + nm) / dt;
			*hi = ind->multiplier * (o + mx * nm) / dt;
			if (ind->type == CPTS_TYPE_SHARE)
				*hi = fmin(*hi, ind->multiplier);
		}
		return;
	}
}

/* The sums and value of indicator gi over the block c (one unit, one year). */
static void gstat_of(const gen_ind *gi, const double *c, gstat *st)
{
	const cpts_indicator *ind = gi->ind;
	double mult = ind->multiplier, sw = 0, d = 0, var = 0;

	memset(st, 0, sizeof(*st));
	for (size_t s = 0; s < gi->ns; s++) {
		const double *x = c + NS * s;
		st->num += x[0];
		st->den += x[1];
		st->nm += x[2];
		st->dm += x[3];
		st->cells += x[4];
		if (gi->rate) {
			st->e += x[1] * gi->rate[s];
			st->em += x[3] * gi->rate[s];
		}
		if (gi->w && x[1] > 0) { /* as cpts_dsr */
			sw += gi->w[s];
			d += gi->w[s] * x[0] / x[1];
			var += (gi->w[s] / x[1]) * (gi->w[s] / x[1]) * x[0];
		}
	}
	st->v = st->var = NAN;
	switch (ind->type) {
	case CPTS_TYPE_SHARE:
	case CPTS_TYPE_CRUDE_RATE:
	case CPTS_TYPE_MEAN:
		if (st->den > 0) {
			st->v = mult * st->num / st->den;
			st->var = mult * mult * st->num / (st->den * st->den);
		}
		break;
	case CPTS_TYPE_DSR:
		if (sw > 0) {
			st->v = mult * d / sw;
			st->var = mult * mult * var / (sw * sw);
		}
		break;
	case CPTS_TYPE_ISR:
		if (st->e > 0) {
			st->v = 100 * st->num / st->e;
			st->var = 100.0 * 100.0 * gi->phi * st->num / (st->e * st->e);
		}
		break;
	default:
		break;
	}
}

/* -1, 0, 1: a significantly below, not different from, above b (independent samples);
   NAN when not computable. */
static double gstat_flag(const gen_ind *gi, const gstat *a, const gstat *b, double alpha)
{
	double p, diff = a->v - b->v, var = a->var + b->var;

	if (isnan(a->v) || isnan(b->v))
		return NAN;
	if (gi->ind->type == CPTS_TYPE_SHARE)
		p = cpts_two_prop_test(a->num, a->den, b->num, b->den, NULL);
	else if (var > 0)
		p = 2 * cpts_normal_sf(fabs(diff) / sqrt(var));
	else
		p = diff == 0 ? 1.0 : NAN;
	if (isnan(p))
		return NAN;
	return p < alpha ? (diff > 0 ? 1 : -1) : 0;
}

/* The change since the year before and its flag (c: the latest block of a unit). */
static int emit_evol(const gen_ind *gi, const double *c, const gstat *now, double alpha,
		     cpts_gen_put_fn put, void *arg)
{
	gstat prev;
	double f;
	bool masked;
	int rc;

	gstat_of(gi, c + NS * gi->ns, &prev);
	masked = now->nm > 0 || prev.nm > 0;
	if (prev.cells > 0 &&
	    (rc = put_count(put, arg, gi->keys[K_NUM_PREC], prev.num, prev.nm)) < 0)
		return rc;
	if (isnan(now->v) || isnan(prev.v))
		return CPTS_OK;
	if ((rc = put(arg, gi->keys[K_EVOL], now->v - prev.v, NAN, NAN, masked)) < 0)
		return rc;
	f = gstat_flag(gi, now, &prev, alpha);
	return isnan(f) ? CPTS_OK : put(arg, gi->keys[K_EVOL_SIG], f, NAN, NAN, masked);
}

/* A count's change since the year before: <key>_prec, <key>_evol (difference) and
   <key>_evol_pct (relative, %); no test (population vintages are exhaustive). */
static int emit_count_evol(const gen_ind *gi, const double *c, double num, double nm,
			   cpts_gen_put_fn put, void *arg)
{
	gstat prev;
	bool masked;
	int rc;

	gstat_of(gi, c + NS * gi->ns, &prev);
	if (prev.cells == 0)
		return CPTS_OK; /* no cell of the year before in this unit (cells all 0: a 0) */
	masked = nm > 0 || prev.nm > 0;
	if ((rc = put_count(put, arg, gi->keys[K_PREC], prev.num, prev.nm)) < 0)
		return rc;
	if ((rc = put(arg, gi->keys[K_EVOL], num - prev.num, NAN, NAN, masked)) < 0)
		return rc;
	return prev.num > 0 ? put(arg, gi->keys[K_EVOL_PCT], 100.0 * (num / prev.num - 1), NAN,
				  NAN, masked)
			    : CPTS_OK;
}

int cpts_profile__gen_compare(const cpts_gen *g, const double *a, const double *level,
			      const double *part, const char *suffix, bool isr_ref, double alpha,
			      bool byar, cpts_gen_put_fn put, void *arg)
{
	double *rest = cpts_calloc(g->n_slots + 1, sizeof(double));
	int rc = CPTS_OK;

	for (size_t k = 0; k < g->n_slots; k++)
		rest[k] = level[k] - (part ? part[k] : 0);
	for (size_t k = 0; k < g->n_ind && rc >= 0; k++) {
		const gen_ind *gi = &g->g[k];
		gstat sa, sb;
		char key[96];
		double f;
		if (!gi->ind->interval || gi->ind->type == CPTS_TYPE_COUNT)
			continue;
		gstat_of(gi, a + gi->slot0, &sa);
		gstat_of(gi, rest + gi->slot0, &sb);
		if (isr_ref && gi->ind->type == CPTS_TYPE_ISR) {
			/* the isr's reference rates are this level's: its interval against 100 */
			double lo, hi;
			isr_dispersed(g, sa.num, sa.e, gi->phi, alpha, byar, &lo, &hi);
			f = isnan(lo) ? NAN : cpts_icc_signif(lo, hi);
			sb.nm = 0;
		} else {
			f = gstat_flag(gi, &sa, &sb, alpha);
		}
		snprintf(key, sizeof(key), "%s%s", gi->ind->key, suffix);
		if (!isnan(f))
			rc = put(arg, key, f, NAN, NAN, sa.nm > 0 || sb.nm > 0);
	}
	free(rest);
	return rc;
}

int cpts_profile__gen_emit(const cpts_gen *g, const double *sums, double alpha, bool byar,
			   cpts_gen_put_fn put, void *arg)
{
	int rc = CPTS_OK;

	for (size_t k = 0; k < g->n_ind && rc >= 0; k++) {
		const gen_ind *gi = &g->g[k];
		const cpts_indicator *ind = gi->ind;
		const double *c = sums + gi->slot0;
		double num = 0, den = 0, nm = 0, dm = 0, v = NAN, lo = NAN, hi = NAN;
		double mult = ind->multiplier, e = 0, em = 0, cells = 0, mu = 0;
		for (size_t s = 0; s < gi->ns; s++) {
			num += c[NS * s];
			den += c[NS * s + 1];
			nm += c[NS * s + 2];
			dm += c[NS * s + 3];
			cells += c[NS * s + 4];
			mu += c[NS * s + 5];
			if (gi->rate) {
				e += c[NS * s + 1] * gi->rate[s];
				em += c[NS * s + 3] * gi->rate[s];
			}
		}
		if (cells == 0)
			continue; /* no cell in this unit; cells all 0 give a 0 (Wilson, Garwood) */
		switch (ind->type) {
		case CPTS_TYPE_COUNT:
			if ((rc = put_count(put, arg, ind->key, num, nm)) >= 0 && gi->has_prev)
				rc = emit_count_evol(gi, c, num, nm, put, arg);
			continue;
		case CPTS_TYPE_SHARE:
			v = cpts_wilson(num, den, alpha, &lo, &hi);
			v *= mult;
			lo *= mult;
			hi *= mult;
			break;
		case CPTS_TYPE_CRUDE_RATE:
		case CPTS_TYPE_MEAN:
			if (den > 0) {
				cpts_poisson_limits_memo(g->memo, num, alpha, byar, &lo, &hi);
				v = mult * num / den;
				lo = mult * lo / den;
				hi = mult * hi / den;
			}
			break;
		case CPTS_TYPE_DSR: {
			double *o = cpts_calloc(gi->ns + 1, sizeof(double));
			double *p = cpts_calloc(gi->ns + 1, sizeof(double));
			for (size_t s = 0; s < gi->ns; s++) {
				o[s] = c[NS * s];
				p[s] = c[NS * s + 1];
			}
			v = mult * cpts_dsr_memo(g->memo, gi->ns, o, p, gi->w, alpha, byar, &lo,
						 &hi);
			lo *= mult;
			hi *= mult;
			free(o);
			free(p);
			break;
		}
		case CPTS_TYPE_ISR:
			/* O and E over the same (known) strata */
			v = isr_dispersed(g, num, e, gi->phi, alpha, byar, &lo, &hi);
			break;
		case CPTS_TYPE_MISSING:
			if (!(e + em > 0) || isnan(gi->activity))
				continue;
			if (nm > 0) {
				/* O + masked cells lies in [O + m, O + 10 m] over the E of all
				   the strata: the range of (E - O) / A, no point */
				double et = e + em, mx = CPTS_PROFILE_INPUT_MASK_MAX;
				if (mu == 0) {
					lo = fmax(0.0, (et - (num + mx * nm)) / gi->activity);
					hi = fmax(0.0, (et - (num + nm)) / gi->activity);
				}
			} else {
				v = fmax(0.0, (e - num) / gi->activity);
			}
			/* its numerator is the isr's (catalogue column numerator), put there */
			if ((rc = put(arg, ind->key, v, lo, hi, nm > 0)) < 0)
				return rc;
			continue;
		default:
			continue;
		}
		if (nm > 0) {
			/* masked cells (1 to 10 each): the value is not determined, only the
			   range it takes whatever they hold is (masked_range); no point */
			v = NAN;
			masked_range(gi, c, mu, &lo, &hi);
		}
		if (ind->num && (rc = put_count(put, arg, ind->num, num, nm)) < 0)
			return rc;
		if (ind->den && ind->type == CPTS_TYPE_SHARE &&
		    (rc = put(arg, ind->den, den + dm, NAN, NAN, false)) < 0)
			return rc;
		if ((!isnan(v) || nm > 0) && (rc = put(arg, ind->key, v, lo, hi, nm > 0)) < 0)
			return rc;
		if (gi->has_prev) {
			gstat now;
			gstat_of(gi, c, &now);
			rc = emit_evol(gi, c, &now, alpha, put, arg);
		}
	}
	return rc;
}
