/*
 * disclosure.c - disclosure control of the profile values (DOMAIN.md section 7), the
 * only way exports read profile_values (cpts_ptable_load).
 *
 * Why here and not at write time: the workspace keeps exact values for the
 * statistician; anything that leaves it goes through this file, so the rule lives in
 * one place. The steps, in order:
 *
 * 1. primary suppression: a health count (kind CPTS_IND_COUNT) with 0 <= value <
 *    threshold is masked ("< 11" covers 0 .. threshold-1: were zeros published, a
 *    masked cell would be known to be at least 1, so a masked total over k masked
 *    cells at least k and each of them at most threshold-1-k, which no secondary
 *    suppression can widen); a count that
 *    depends on masked input cells (stored masked = 1) is masked and keeps its stored
 *    bounds [lo, hi] ("at least lo"), never shown as the sum of the known cells;
 * 2. secondary suppression, until nothing changes: for every linear relation
 *    "total = sum of cells (+ an unpublished remainder)" that a reader can write with
 *    published numbers, when exactly one term is unknown and it is sensitive (a masked
 *    cell, or a remainder between 1 and threshold-1: a remainder is never a cell of
 *    its own, the linear programs do not protect it either), the smallest non-zero published
 *    cell is masked too (the total when no cell is left). Relations checked:
 *      - communes of a territory vs the territory total (each count indicator);
 *      - territories vs the whole area ('ensemble');
 *      - communes vs their département, region and the whole area;
 *      - breakdowns: the PART relations declared with the catalogue
 *        (cpts_ind_relations, column part_of): mt_sans_mt = mt_mt_parti + mt_fictif +
 *        remainder, every subgroup at most its total (mt_p70 <= mt_patients, ...)
 *        and every "total = subgroup without MT + remainder" pair;
 *    a relation whose remainder is not published (breakdowns, partial coverage) counts
 *    the remainder as one unknown term;
 * 3. ratios (kind CPTS_IND_RATIO) whose numerator or denominator count is masked, or
 *    which depend on masked input cells, are masked. A ratio that depends only on
 *    masked INPUT cells keeps the bounds stored with it (the range it takes whatever
 *    the masked cells hold, e.g. "entre 11,0 % et 11,3 %"), which tell nothing the
 *    published "at least N" bounds of its counts do not; a ratio whose count was
 *    suppressed here loses every bound.
 * Values of levels 'departement', 'region' and 'ensemble' are repeated under every
 * territory; they share one cell here so that they are masked alike everywhere.
 */
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/lp.h"
#include "cpts/profile.h"
#include "cpts/store_disclosure.h"
#include "cpts/util.h"
#include "profile/disclosure_int.h"

/* The table with its private string pool; pub is first so the public pointer is ours. */
typedef struct ptable_priv {
	cpts_ptable pub;
	cpts_strmap *pool_map; /* string -> index in pool */
	cpts_vec pool;         /* char *, OWNED */
} ptable_priv;

typedef struct cell {
	double value, lo, hi;
	cpts_ind_kind kind;
	const cpts_indicator *ind; /* NULL for pyramid or unknown keys */
	bool in_masked;            /* depends on masked input cells */
	bool masked;
	bool secondary;            /* masked to protect another cell */
	bool withdrawn;            /* a breakdown part of a masked total: not published */
	bool unbounded;            /* masked, its "< threshold" bound withdrawn */
	bool ledger;               /* suppressed against an earlier publication */
} cell;

typedef struct group {
	size_t total;      /* cell index */
	size_t off, n;     /* members in the shared index vector */
	bool exhaustive;   /* total = sum of members exactly (no unpublished remainder) */
	bool breakdown;    /* a "total >= its parts" breakdown of one unit */
	bool territorial;  /* communes of a territory vs its total (always in the LP) */
} group;

typedef struct disc {
	ptable_priv *t;
	cell *cells;
	size_t n_cells;
	size_t *row_cell;  /* per row: its cell */
	cpts_vec groups;   /* group */
	cpts_vec members;  /* size_t cell indices */
	double thr;
	/* units: runs of rows with the same (territory, level, level_code), found by a
	   hash of their three interned pointers */
	size_t n_units;
	size_t *unit_start; /* n_units + 1 row offsets */
	size_t *uhash;      /* open addressing: unit index + 1, 0 = empty */
	size_t uhash_cap;   /* power of two */
} disc;

static char *intern(ptable_priv *t, const char *s)
{
	int64_t k;

	if (!s)
		s = "";
	if (cpts_strmap_get(t->pool_map, s, &k))
		return cpts_vec_at(&t->pool, char *, (size_t)k);
	char **slot = cpts_vec_push(&t->pool);
	if (!slot)
		CPTS_BUG("string pool full");
	*slot = cpts_strdup(s);
	cpts_strmap_put(t->pool_map, s, (int64_t)(t->pool.n - 1));
	return *slot;
}

static int cmp4(const char *ta, const char *la, const char *ca, const char *ia,
		const cpts_pvalue *b)
{
	int c = strcmp(ta, b->territory);

	if (c)
		return c;
	if ((c = strcmp(la, b->level)) != 0)
		return c;
	if ((c = strcmp(ca, b->level_code)) != 0)
		return c;
	return strcmp(ia, b->indicator);
}

static long find_row(const cpts_ptable *t, const char *territory, const char *level,
		     const char *level_code, const char *indicator)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp4(territory, level, level_code, indicator, &t->v[mid]);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const cpts_pvalue *cpts_ptable_get(const cpts_ptable *t, const char *territory,
				   const char *level, const char *level_code,
				   const char *indicator)
{
	long r;

	if (!t || !territory || !level || !level_code || !indicator)
		return NULL;
	r = find_row(t, territory, level, level_code, indicator);
	return r < 0 ? NULL : &t->v[r];
}

void cpts_ptable_free(cpts_ptable *pub)
{
	ptable_priv *t = (ptable_priv *)pub;

	if (!t)
		return;
	for (size_t i = 0; i < t->pool.n; i++)
		free(cpts_vec_at(&t->pool, char *, i));
	cpts_vec_release(&t->pool);
	cpts_strmap_free(t->pool_map);
	free(t->pub.v);
	free(t);
}

static bool is_canonical_level(const char *level)
{
	return strcmp(level, "departement") == 0 || strcmp(level, "region") == 0 ||
	       strcmp(level, "ensemble") == 0;
}

static size_t ptr_hash(const char *a, const char *b, const char *c)
{
	uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ULL;

	h ^= (uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2);
	h ^= (uint64_t)(uintptr_t)c * 0x165667B19E3779F9ULL + (h << 6) + (h >> 2);
	return (size_t)(h ^ (h >> 29));
}

/* Index the units of the sorted rows (strings are interned: pointers identify them). */
static void index_units(disc *d)
{
	const cpts_ptable *t = &d->t->pub;
	size_t n = 0;

	for (size_t r = 0; r < t->n; r++)
		if (r == 0 || t->v[r - 1].territory != t->v[r].territory ||
		    t->v[r - 1].level != t->v[r].level || t->v[r - 1].level_code != t->v[r].level_code)
			n++;
	d->n_units = n;
	d->unit_start = cpts_calloc(n + 1, sizeof(size_t));
	d->uhash_cap = 16;
	while (d->uhash_cap < 2 * n)
		d->uhash_cap *= 2;
	d->uhash = cpts_calloc(d->uhash_cap, sizeof(size_t));
	n = 0;
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		if (r > 0 && t->v[r - 1].territory == v->territory && t->v[r - 1].level == v->level &&
		    t->v[r - 1].level_code == v->level_code)
			continue;
		d->unit_start[n] = r;
		for (size_t h = ptr_hash(v->territory, v->level, v->level_code);; h++) {
			size_t *slot = &d->uhash[h & (d->uhash_cap - 1)];
			if (*slot == 0) {
				*slot = n + 1;
				break;
			}
		}
		n++;
	}
	d->unit_start[n] = t->n;
}

/* Interned copy of a string, NULL when no row uses it. */
static const char *interned(const disc *d, const char *s)
{
	int64_t k;
	return cpts_strmap_get(d->t->pool_map, s, &k) ? cpts_vec_at(&d->t->pool, char *, (size_t)k)
						       : NULL;
}

static long unit_find(const disc *d, const char *terr, const char *level, const char *code)
{
	const cpts_pvalue *v = d->t->pub.v;

	if (!terr || !level || !code)
		return -1;
	for (size_t h = ptr_hash(terr, level, code);; h++) {
		size_t u = d->uhash[h & (d->uhash_cap - 1)];
		const cpts_pvalue *f;
		if (u == 0)
			return -1;
		f = &v[d->unit_start[u - 1]];
		if (f->territory == terr && f->level == level && f->level_code == code)
			return (long)(u - 1);
	}
}

/* cell of indicator ind (interned) in unit u, -1 when absent */
static long ucell(const disc *d, long u, const char *ind)
{
	if (u < 0 || !ind)
		return -1;
	for (size_t r = d->unit_start[u]; r < d->unit_start[u + 1]; r++)
		if (d->t->pub.v[r].indicator == ind)
			return (long)d->row_cell[r];
	return -1;
}

/* cell index of a value given by interned strings, -1 when absent */
static long cell_ofi(const disc *d, const char *terr, const char *level, const char *code,
		     const char *ind)
{
	return ucell(d, unit_find(d, terr, level, code), ind);
}

/* cell index of a value given by plain strings, -1 when absent */
static long cell_of(const disc *d, const char *terr, const char *level, const char *code,
		    const char *ind)
{
	return ucell(d, unit_find(d, interned(d, terr), interned(d, level), interned(d, code)),
		     interned(d, ind));
}

static group *add_group(disc *d, long total, const long *mem, size_t n, bool exhaustive)
{
	group *g;
	size_t n_ok = 0;

	if (total < 0 || isnan(d->cells[total].value))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (mem[i] >= 0)
			n_ok++;
	if (n_ok == 0)
		return NULL;
	g = cpts_vec_push(&d->groups);
	if (!g)
		CPTS_BUG("too many disclosure groups");
	g->total = (size_t)total;
	g->off = d->members.n;
	g->exhaustive = exhaustive;
	for (size_t i = 0; i < n; i++) {
		if (mem[i] < 0)
			continue;
		size_t *m = cpts_vec_push(&d->members);
		if (!m)
			CPTS_BUG("too many disclosure group members");
		*m = (size_t)mem[i];
	}
	g->n = d->members.n - g->off;
	g->breakdown = false;
	g->territorial = false;
	return g;
}

/* A count of the catalogue (the kind that takes part in sums), by key. */
static bool is_count_key(const char *key)
{
	const cpts_indicator *ind = key ? cpts_indicator_find(key) : NULL;

	return ind && ind->kind == CPTS_IND_COUNT;
}

/* The breakdown relations of one unit (territory, level, code): total, parts. They are
 * the PART relations declared next to the catalogue (cpts_ind_relations: column
 * part_of), the very ones cpts_audit reads, so that a subgroup at most its total
 * (mt_p70 <= mt_patients) is in the suppression programs too (a fixed list here once
 * missed it: a masked commune's 70+ count bounded by its published patients pinned its
 * neighbour's masked count at >= 5, a finding of the audit). Counts only: a ratio
 * declared part of a count (a p-value) ties nothing. */
static void unit_breakdowns(disc *d, const cpts_pvalue *u)
{
	long unit = unit_find(d, u->territory, u->level, u->level_code);

	for (const cpts_ind_relation *r = cpts_ind_relations; r->total; r++) {
		long mem[4];
		size_t n = 0;
		if (r->kind != CPTS_REL_PART || !is_count_key(r->total))
			continue;
		long tot = ucell(d, unit, interned(d, r->total));
		for (size_t k = 0; k < 4 && r->parts[k]; k++)
			if (is_count_key(r->parts[k]))
				mem[n++] = ucell(d, unit, interned(d, r->parts[k]));
		group *g = add_group(d, tot, mem, n, false);
		if (g)
			g->breakdown = true;
	}
}

typedef struct unit {
	size_t row;  /* first row of the unit */
	const char *dep, *reg; /* for commune units: the commune's (BORROWED), else NULL */
} unit;

/* Build every relation a reader could use (see the header comment). */
static int build_groups(cpts_ctx *ctx, disc *d, cpts_store *s)
{
	cpts_ptable *t = &d->t->pub;
	cpts_vec units, mem;
	cpts_strmap *seen = cpts_strmap_new(64);
	cpts_strmap *geo = NULL;     /* commune code -> index in geo_dep */
	char (*geo_code)[2][4] = NULL;
	cpts_store_commune_geo *rows = NULL;
	size_t n_com = 0;
	size_t n_geo = 0;
	int rc = CPTS_OK;
	cpts_buf key = CPTS_BUF_INIT;

	cpts_vec_init(&units, sizeof(unit), SIZE_MAX / sizeof(unit));
	cpts_vec_init(&mem, sizeof(long), SIZE_MAX / sizeof(long));
	/* département and region of every commune */
	if ((rc = cpts_store_commune_geo_load(ctx, s, &rows, &n_com)) < 0)
		goto out;
	geo = cpts_strmap_new(n_com > 0 ? n_com : 16);
	geo_code = cpts_calloc(n_com > 0 ? n_com : 1, sizeof(*geo_code));
	for (; n_geo < n_com; n_geo++) {
		snprintf(geo_code[n_geo][0], 4, "%s", rows[n_geo].dep);
		snprintf(geo_code[n_geo][1], 4, "%s", rows[n_geo].reg);
		cpts_strmap_put(geo, rows[n_geo].code, (int64_t)n_geo);
	}
	/* units: runs of rows with the same (territory, level, level_code) */
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		if (r > 0 && t->v[r - 1].territory == v->territory &&
		    t->v[r - 1].level == v->level && t->v[r - 1].level_code == v->level_code)
			continue; /* interned: pointer equality is string equality */
		unit *u = cpts_vec_push(&units);
		if (!u)
			CPTS_BUG("too many units");
		u->row = r;
		if (strcmp(v->level, "commune") == 0) {
			int64_t gi;
			if (cpts_strmap_get(geo, v->level_code, &gi)) {
				u->dep = geo_code[gi][0];
				u->reg = geo_code[gi][1];
			}
		}
	}
	/* breakdowns, once per unit (canonical units once overall) */
	for (size_t k = 0; k < units.n; k++) {
		const cpts_pvalue *v = &t->v[cpts_vec_at(&units, unit, k).row];
		if (is_canonical_level(v->level)) {
			int64_t dummy;
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "%s\x1f%s", v->level, v->level_code);
			if (cpts_strmap_get(seen, key.data, &dummy))
				continue;
			cpts_strmap_put(seen, key.data, 1);
		}
		unit_breakdowns(d, v);
	}
	/* per count indicator: communes vs territory, territories vs ensemble, communes vs
	   département / region / ensemble */
	const char *L_com = interned(d, "commune"), *L_ter = interned(d, "territoire");
	const char *L_ens = interned(d, "ensemble"), *C_all = interned(d, "ALL");
	const char *K_pop = interned(d, "pop_total");
	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
		const char *K = interned(d, ind->key);
		const char *ens_terr = NULL;
		double pop_terr = 0, pop_ens = NAN;
		long ens_cell = -1;
		if (ind->kind != CPTS_IND_COUNT || !K)
			continue;
		/* communes of each territory vs its total */
		for (size_t k = 0; k < units.n;) {
			const cpts_pvalue *v = &t->v[cpts_vec_at(&units, unit, k).row];
			const char *terr = v->territory;
			long tot = cell_ofi(d, terr, L_ter, terr, K);
			mem.n = 0;
			for (; k < units.n; k++) {
				const cpts_pvalue *w = &t->v[cpts_vec_at(&units, unit, k).row];
				if (w->territory != terr)
					break;
				if (strcmp(w->level, "commune") == 0) {
					long *m = cpts_vec_push(&mem);
					*m = cell_ofi(d, terr, L_com, w->level_code, K);
				}
				if (strcmp(w->level, "ensemble") == 0 && !ens_terr) {
					ens_terr = terr;
					ens_cell = cell_ofi(d, terr, L_ens, w->level_code, K);
				}
			}
			group *tg = add_group(d, tot, mem.data, mem.n, true);
			if (tg)
				tg->territorial = true;
		}
		/* territories vs the whole area: exhaustive when they cover its population */
		if (ens_terr) {
			long pe = cell_ofi(d, ens_terr, L_ens, C_all, K_pop);
			pop_ens = pe >= 0 ? d->cells[pe].value : NAN;
		}
		mem.n = 0;
		for (size_t k = 0; k < units.n; k++) {
			const cpts_pvalue *v = &t->v[cpts_vec_at(&units, unit, k).row];
			if (strcmp(v->level, "territoire") != 0)
				continue;
			long *m = cpts_vec_push(&mem);
			long pc = cell_ofi(d, v->territory, L_ter, v->level_code, K_pop);
			*m = cell_ofi(d, v->territory, L_ter, v->level_code, K);
			pop_terr += pc >= 0 ? d->cells[pc].value : NAN;
		}
		add_group(d, ens_cell, mem.data, mem.n,
			  !isnan(pop_ens) && fabs(pop_terr - pop_ens) <= 1e-9 * fmax(1, pop_ens));
		/* communes vs their département, region, and the whole area */
		for (int lv = 0; lv < 3; lv++) {
			const char *lname = lv == 0 ? "departement" : lv == 1 ? "region" : "ensemble";
			cpts_strmap *byc = cpts_strmap_new(64);
			cpts_vec lists; /* per level code: vector of commune units (size_t) */
			cpts_vec_init(&lists, sizeof(cpts_vec), 1u << 20);
			cpts_vec codes;
			cpts_vec_init(&codes, sizeof(const char *), 1u << 20);
			for (size_t k = 0; k < units.n; k++) {
				const unit *u = &cpts_vec_at(&units, unit, k);
				const char *code;
				int64_t li;
				if (strcmp(t->v[u->row].level, "commune") != 0 || !u->dep)
					continue;
				code = lv == 0 ? u->dep : lv == 1 ? u->reg : "ALL";
				if (!cpts_strmap_get(byc, code, &li)) {
					cpts_vec *nv = cpts_vec_push(&lists);
					const char **nc = cpts_vec_push(&codes);
					if (!nv || !nc)
						CPTS_BUG("too many level codes");
					cpts_vec_init(nv, sizeof(size_t), SIZE_MAX / sizeof(size_t));
					*nc = code;
					li = (int64_t)(lists.n - 1);
					cpts_strmap_put(byc, code, li);
				}
				size_t *e = cpts_vec_push(&cpts_vec_at(&lists, cpts_vec, (size_t)li));
				*e = k;
			}
			for (size_t li = 0; li < lists.n; li++) {
				cpts_vec *l = &cpts_vec_at(&lists, cpts_vec, li);
				const char *code = cpts_vec_at(&codes, const char *, li);
				long tot = -1, ptot = -1;
				double psum = 0;
				mem.n = 0;
				for (size_t e = 0; e < l->n; e++) {
					const cpts_pvalue *v =
						&t->v[cpts_vec_at(&units, unit,
								  cpts_vec_at(l, size_t, e)).row];
					long pc = cell_ofi(d, v->territory, L_com, v->level_code, K_pop);
					long *m = cpts_vec_push(&mem);
					*m = cell_ofi(d, v->territory, L_com, v->level_code, K);
					psum += pc >= 0 ? d->cells[pc].value : NAN;
					if (tot < 0) {
						tot = cell_of(d, v->territory, lname, code, ind->key);
						ptot = cell_of(d, v->territory, lname, code, "pop_total");
					}
				}
				add_group(d, tot, mem.data, mem.n,
					  ptot >= 0 && fabs(psum - d->cells[ptot].value) <=
							       1e-9 * fmax(1, d->cells[ptot].value));
				cpts_vec_release(l);
			}
			cpts_vec_release(&lists);
			cpts_vec_release(&codes);
			cpts_strmap_free(byc);
		}
	}
out:
	cpts_store_commune_geo_free(rows, n_com);
	cpts_buf_release(&key);
	cpts_vec_release(&units);
	cpts_vec_release(&mem);
	cpts_strmap_free(seen);
	cpts_strmap_free(geo);
	free(geo_code);
	return rc;
}

/* A count masked by primary suppression: 0 to thr-1 (zeros included, see step 1). */
static bool sensitive(double v, double thr)
{
	return v > -1e-9 && v < thr;
}

/* A remainder a reader could learn (one unknown term, never published as a cell):
 * sensitive from 1 to thr-1, as in the linear programs, which never target it. */
static bool sensitive_rest(double v, double thr)
{
	return v > 1e-9 && v < thr;
}

/* One relation: true when it masked a cell. */
static bool protect(disc *d, const group *g)
{
	cell *tot = &d->cells[g->total];
	const size_t *mem = &cpts_vec_at(&d->members, size_t, g->off);
	size_t n_unknown = 0;
	bool unknown_sensitive = false;
	double sum = 0;
	long best = -1;

	if (tot->masked) {
		n_unknown++;
		unknown_sensitive = true;
	}
	for (size_t i = 0; i < g->n; i++) {
		const cell *c = &d->cells[mem[i]];
		if (c->masked) {
			n_unknown++;
			unknown_sensitive = true;
		} else if (!isnan(c->value)) {
			sum += c->value;
			if (c->value > 1e-9 && (best < 0 || c->value < d->cells[best].value))
				best = (long)mem[i];
		}
	}
	if (!g->exhaustive) {
		n_unknown++;
		/* the remainder alone is unknown: sensitive when it is a small count */
		if (n_unknown == 1)
			unknown_sensitive = sensitive_rest(tot->value - sum, d->thr);
	}
	if (n_unknown != 1 || !unknown_sensitive)
		return false;
	if (best >= 0) {
		d->cells[best].masked = true;
		d->cells[best].secondary = true;
		d->cells[best].lo = d->cells[best].hi = NAN; /* nothing known about it */
		return true;
	}
	if (!tot->masked && tot->value > 1e-9) {
		tot->masked = true;
		tot->secondary = true;
		tot->lo = tot->hi = NAN;
		return true;
	}
	return false;
}

static void mask_ratios(disc *d)
{
	cpts_ptable *t = &d->t->pub;

	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		cell *c = &d->cells[d->row_cell[r]];
		bool mask = false;
		if (c->kind != CPTS_IND_RATIO || !c->ind)
			continue;
		bool suppressed = !c->in_masked;
		mask = c->in_masked;
		for (int k = 0; k < 2; k++) {
			const char *src = k == 0 ? c->ind->num : c->ind->den;
			const cell *sc_cell;
			long sc;
			if (!src)
				continue;
			sc = cell_ofi(d, v->territory, v->level, v->level_code, interned(d, src));
			if (sc < 0 || (!d->cells[sc].masked && !d->cells[sc].withdrawn))
				continue;
			mask = true;
			/* a source published only as bounds (a total over masked input cells)
			   lets the ratio keep the bounds stored with it; a source suppressed by
			   disclosure control hides the ratio entirely */
			sc_cell = &d->cells[sc];
			if (sc_cell->withdrawn ||
			    !(sc_cell->in_masked && isfinite(sc_cell->lo) && isfinite(sc_cell->hi)))
				suppressed = true;
		}
		if (mask) {
			c->masked = true;
			if (suppressed || !isfinite(c->lo) || !isfinite(c->hi))
				c->lo = c->hi = NAN;
		}
	}
}

/* The parts of a breakdown whose total is masked (or withdrawn) are withdrawn, whatever
 * their values: the published parts would otherwise tell that the total is at least
 * their sum, and withdrawing only the masked ones would tell the same to a reader who
 * knows this rule. */
static void withdraw_parts(disc *d)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (size_t gi = 0; gi < d->groups.n; gi++) {
			const group *g = &cpts_vec_at(&d->groups, group, gi);
			const cell *tot = &d->cells[g->total];
			if (!g->breakdown || !(tot->masked || tot->withdrawn))
				continue;
			for (size_t i = 0; i < g->n; i++) {
				cell *c = &d->cells[cpts_vec_at(&d->members, size_t, g->off + i)];
				if (!c->withdrawn && !isnan(c->value)) {
					c->withdrawn = true;
					changed = true;
				}
			}
		}
	}
}

/** Linear-programming protection state (the fix callback's argument). */
typedef struct lpp {
	disc *d;
	size_t *off, *rels;   /* cpts_lp_index: relations of every cell */
	unsigned *touched;    /* per cell: round of its last change (0 = never) */
	unsigned round;       /* current round of cpts_lp_solve, from 1 */
	/* the publication ledger (disclosure_ledger.c) */
	cpts_ctx *ctx;
	const char *partition;
	bool *pinned;         /* per LP cell: known to a reader from an earlier
				 publication (never suppressed here) */
	bool *hidden_before;  /* per LP cell: a commune count an earlier publication
				 covered but did not publish (cheap to suppress again) */
	size_t first_ledger_rel; /* relations from here on come from the ledger ... */
	cpts_vec lrel_terr;   /* size_t: ... and this territory of it, per relation */
	dl_ledger led;
	size_t *cell_row;     /* per table cell: a row of it (for messages) */
	cpts_strmap *said;    /* messages already given */
	bool *is_total;       /* per LP cell: the total of a relation over other cells
				 (masking it shows it at least their published sum) */
	size_t *bd_off, *bd_grp; /* per table cell: the breakdown groups it is the total
				 of, bd_grp[bd_off[i] .. bd_off[i+1]) */
	cpts_lp_probe probe;  /* scratch of cpts_lp_probe_bounds */
	size_t n_probes;
	size_t *kcell;        /* per table cell: the LP cell of its known part (lp_build),
				 SIZE_MAX when it holds no pre-masked input cell */
} lpp;

/* Cell y (a count over pre-masked input cells) no longer shows its bounds: its known
 * part (lp_build) is no longer published either. */
static void hide_known_part(lpp *p, cpts_lp *s, size_t y)
{
	size_t k = y < p->d->n_cells ? p->kcell[y] : SIZE_MAX;
	cpts_lp_cell *c;

	if (k == SIZE_MAX || cpts_vec_at(&s->cells, cpts_lp_cell, k).is_unknown)
		return;
	cpts_lp_cell_set_unknown(s, k, true);
	c = &cpts_vec_at(&s->cells, cpts_lp_cell, k);
	c->lo = 0;
	c->hi = INFINITY;
	p->touched[k] = p->round;
}

/* relations longer than this do not defer a fix (touched_near) */
#define CPTS_LP_TOUCH_MAX_TERMS 8

/* A cell sharing a relation with x (or x) changed in this round. */
static bool touched_near(const lpp *p, const cpts_lp *s, size_t x)
{
	if (p->touched[x] == p->round)
		return true;
	for (size_t k = p->off[x]; k < p->off[x + 1]; k++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[k]);
		/* a fix in a long sum (a territory's communes) seldom frees x: x is fixed
		   in this round too, at the risk of one suppression more (many rounds
		   otherwise: one fix per component and round) */
		if (r->n > CPTS_LP_TOUCH_MAX_TERMS)
			continue;
		for (size_t t = 0; t < r->n; t++)
			if (p->touched[cpts_vec_at(&s->terms, cpts_lp_term, r->off + t).cell] ==
			    p->round)
				return true;
	}
	return false;
}

/* What suppressing cell y costs: its value (prefer small cells), much more for a
 * total over other cells (a masked total shows it is at least the sum of its
 * published parts, so its parts would follow). */
static double cost(const lpp *p, size_t y)
{
	return p->d->cells[y].value * (p->is_total[y] ? 1000.0 : 1.0) *
	       (p->hidden_before && p->hidden_before[y] ? 0.001 : 1.0);
}

/* A masked neighbour of x (or x) still published with an upper bound; -1 when none.
 * A total over masked input cells ("au moins N", with its upper bound) only when no
 * other is left: its bounds are its known part plus 1 to T-1 per masked input cell,
 * so with a masked count of 0 in that known part (zeros are masked too) its upper
 * bound pins that count below T-1. */
static long bounded_near(const lpp *p, const cpts_lp *s, size_t x)
{
	const cpts_lp_cell *cx = &cpts_vec_at(&s->cells, cpts_lp_cell, x);

	for (int in_masked = 0; in_masked < 2; in_masked++) {
		if (x < p->d->n_cells && isfinite(cx->hi) && p->d->cells[x].in_masked == in_masked &&
		    !in_masked)
			return (long)x;
		for (size_t k = p->off[x]; k < p->off[x + 1]; k++) {
			const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[k]);
			for (size_t t = 0; t < r->n; t++) {
				size_t y = cpts_vec_at(&s->terms, cpts_lp_term, r->off + t).cell;
				const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, y);
				if (y != x && y < p->d->n_cells && c->is_unknown && isfinite(c->hi) &&
				    p->d->cells[y].in_masked == in_masked && !p->pinned[y])
					return (long)y;
			}
		}
	}
	return -1;
}

/* When x is narrowed through a relation of the ledger, y (suppressed for it) is a
 * ledger suppression; say once per pair of territories which earlier one forced it. */
static void ledger_note(lpp *p, const cpts_lp *s, size_t x, size_t y)
{
	const cpts_pvalue *v;
	const dl_terr *lt;
	cpts_buf key = CPTS_BUF_INIT;
	int64_t dummy;
	long lr = -1;

	if (!p->led.terrs.n)
		return;
	/* a ledger relation of x, or of a cell sharing a relation with x */
	for (size_t k = p->off[x]; k < p->off[x + 1] && lr < 0; k++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[k]);
		if (p->rels[k] >= p->first_ledger_rel) {
			lr = (long)(p->rels[k] - p->first_ledger_rel);
			break;
		}
		for (size_t t = 0; t < r->n && lr < 0; t++) {
			size_t z = cpts_vec_at(&s->terms, cpts_lp_term, r->off + t).cell;
			for (size_t j = p->off[z]; j < p->off[z + 1]; j++)
				if (p->rels[j] >= p->first_ledger_rel) {
					lr = (long)(p->rels[j] - p->first_ledger_rel);
					break;
				}
		}
	}
	if (lr < 0 || x >= p->d->n_cells || y >= p->d->n_cells)
		return;
	p->d->cells[y].ledger = true;
	v = &p->d->t->pub.v[p->cell_row[x]];
	lt = &cpts_vec_at(&p->led.terrs, dl_terr, cpts_vec_at(&p->lrel_terr, size_t, (size_t)lr));
	cpts_buf_addf(&key, "%s\x1f%lld\x1f%s", v->territory, (long long)lt->pub, lt->territory);
	if (!cpts_strmap_get(p->said, key.data, &dummy)) {
		cpts_strmap_put(p->said, key.data, 1);
		cpts_warn(p->ctx, "territory '%s' of partition '%s': cells suppressed because its"
			  " difference with territory '%s' of partition '%s' (published in %s)"
			  " would give away masked counts", v->territory, p->partition,
			  lt->territory, lt->partition, *lt->what ? lt->what : "an earlier"
			  " publication");
	}
	cpts_buf_release(&key);
}

/* The parts of the breakdowns whose total is y, withdrawn (unknowns >= 0), and theirs
 * in turn: a masked total is otherwise at least the sum of its published parts.
 * Returns true when any. */
static bool withdraw_lp(lpp *p, cpts_lp *s, size_t y)
{
	disc *d = p->d;
	bool any = false;

	if (y >= d->n_cells)
		return false;
	for (size_t k = p->bd_off[y]; k < p->bd_off[y + 1]; k++) {
		const group *g = &cpts_vec_at(&d->groups, group, p->bd_grp[k]);
		for (size_t i = 0; i < g->n; i++) {
			size_t m = cpts_vec_at(&d->members, size_t, g->off + i);
			cell *dc = &d->cells[m];
			cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, m);
			if (dc->withdrawn || isnan(dc->value) || p->pinned[m])
				continue;
			dc->withdrawn = true;
			cpts_lp_cell_set_unknown(s, m, true);
			c->lo = 0;
			c->hi = INFINITY;
			c->is_target = sensitive(dc->value, d->thr);
			c->need_lo = 1; /* see lp_build */
			c->need_hi = d->thr - 1;
			c->checked = false;
			p->touched[m] = p->round;
			hide_known_part(p, s, m);
			any = true;
			withdraw_lp(p, s, m);
		}
	}
	return any;
}

typedef struct cand {
	double cost;
	size_t cell;
} cand;

static int cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;

	return x->cost < y->cost ? -1 : x->cost > y->cost ? 1 : (x->cell > y->cell) - (x->cell < y->cell);
}

/* the published, non-zero, suppressible counts sharing a relation with x */
static void add_cands(const lpp *p, const cpts_lp *s, size_t x, cpts_vec *out)
{
	for (size_t k = p->off[x]; k < p->off[x + 1]; k++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[k]);
		for (size_t t = 0; t < r->n; t++) {
			size_t y = cpts_vec_at(&s->terms, cpts_lp_term, r->off + t).cell;
			const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, y);
			if (y == x || p->pinned[y] || c->is_unknown || !(c->value > 1e-9) ||
			    y >= p->d->n_cells)
				continue;
			cand *e = cpts_vec_push(out);
			e->cost = cost(p, y);
			e->cell = y;
		}
	}
}

/* candidates probed per fix (each probe: two linear programs over x's component) */
#define CPTS_LP_PROBES 6
/* components larger than this are not probed (the cheapest neighbour is taken) */
#define CPTS_LP_PROBE_MAX_VARS 4000

/* Try y suppressed: 1 when x then spans what it must, 0 when not (lo, hi: x's
 * interval then, rounded for a count), -1 when x's component is too large to probe. */
static int probe_frees(lpp *p, cpts_lp *s, size_t x, size_t y, double *lo, double *hi)
{
	cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, y);
	const cpts_lp_cell *cx = &cpts_vec_at(&s->cells, cpts_lp_cell, x);
	double v = c->value;
	int rc;

	cpts_lp_cell_set_unknown(s, y, true);
	c->lo = 0;
	c->hi = INFINITY;
	rc = cpts_lp_probe_bounds(p->ctx, &p->probe, s, p->off, p->rels, x,
				  CPTS_LP_PROBE_MAX_VARS, lo, hi);
	cpts_lp_cell_set_unknown(s, y, false);
	c->value = v;
	p->n_probes++;
	if (rc != 0)
		return -1; /* too large (or failing) */
	if (cx->is_integer) {
		*lo = ceil(*lo - 1e-6);
		*hi = floor(*hi + 1e-6);
	}
	return *lo <= cx->need_lo + 1e-6 && *hi >= cx->need_hi - 1e-6;
}

/* Relation ri when x is its only unknown and it bounds x narrower than x must span
 * (an equality always; "total >= parts" when x is a part: total minus the other
 * parts is an upper bound, while a lower bound of a masked total is left to
 * withdraw_lp): the published term to suppress (see effective_near), else -1. */
static long alone_fix(lpp *p, cpts_lp *s, size_t x, size_t ri)
{
	const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, ri);
	const cpts_lp_cell *cx = &cpts_vec_at(&s->cells, cpts_lp_cell, x);
	cand e[CPTS_LP_PROBES];
	size_t n = 0;
	double a = 0, k = 0;

	for (size_t t = 0; t < r->n; t++) {
		const cpts_lp_term *tm = &cpts_vec_at(&s->terms, cpts_lp_term, r->off + t);
		const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, tm->cell);
		if (tm->cell == x) {
			a += tm->coef;
			continue;
		}
		if (c->is_unknown)
			return -1;
		k += tm->coef * c->value;
		if (p->pinned[tm->cell] || !(c->value > 1e-9) || tm->cell >= p->d->n_cells)
			continue;
		/* keep the CPTS_LP_PROBES cheapest, sorted */
		cand nc = { cost(p, tm->cell), tm->cell };
		size_t at = n < CPTS_LP_PROBES ? n++ : CPTS_LP_PROBES;
		if (at == CPTS_LP_PROBES) {
			if (cmp_cand(&nc, &e[CPTS_LP_PROBES - 1]) >= 0)
				continue;
			at = CPTS_LP_PROBES - 1;
		}
		while (at > 0 && cmp_cand(&nc, &e[at - 1]) < 0) {
			e[at] = e[at - 1];
			at--;
		}
		e[at] = nc;
	}
	if (n == 0 || fabs(a) < 1e-12 || (isinf(r->lo) && isinf(r->hi)))
		return -1;
	if (isinf(r->lo) != isinf(r->hi) && (a > 0) == isinf(r->hi))
		return -1; /* a lower bound only */
	if (isfinite(r->lo) && isfinite(r->hi) && r->hi - r->lo > 1e-12) {
		/* a band: narrowing only when it is narrower than x must span */
		double b1 = (r->lo - k) / a, b2 = (r->hi - k) / a;
		double xl = fmin(b1, b2), xh = fmax(b1, b2);
		if (cx->is_integer) {
			xl = ceil(xl - 1e-6);
			xh = floor(xh + 1e-6);
		}
		if (xl <= cx->need_lo + 1e-6 && xh >= cx->need_hi - 1e-6)
			return -1;
	} else if (isinf(r->lo) != isinf(r->hi)) {
		/* one-sided, bounding x from above */
		double xh = ((isinf(r->hi) ? r->lo : r->hi) - k) / a;
		if (cx->is_integer)
			xh = floor(xh + 1e-6);
		if (xh >= cx->need_hi - 1e-6)
			return -1;
	}
	for (size_t i = 0; i < n; i++) {
		double lo, hi;
		int f = probe_frees(p, s, x, e[i].cell, &lo, &hi);
		if (f == 1)
			return (long)e[i].cell;
		if (f < 0)
			break;
	}
	return (long)e[0].cell;
}

/* The suppression that protects x: the cheapest published neighbour (of x, then of
 * its masked neighbours) that, tried in the linear program, leaves x's interval
 * spanning what it must; else the first that widens it; else the cheapest. */
static long effective_near(lpp *p, cpts_lp *s, size_t x)
{
	cpts_vec cands;
	cpts_lp_cell *cx = &cpts_vec_at(&s->cells, cpts_lp_cell, x);
	double lo0 = cx->found_lo, hi0 = cx->found_hi;
	long first = -1, widen = -1, best = -1;
	size_t n_tried = 0;
	bool unprobed = false;
	long first_total = -1; /* the first total probed */
	size_t n_cheap;

	/* a relation in which x is the only unknown pins it whatever else is done: one
	   of its published terms must go (e.g. the total of a one-commune basin over its
	   masked commune; a commune's published total and other part bounding its masked
	   part: mt_sans_mt 18, mt_mt_parti 16, mt_fictif <= 2): the first of them, cheapest
	   first, that frees x when tried in the linear program, else the cheapest (it
	   becomes a target, fixed in its turn: the PdL ledger case, where the part was
	   itself pinned by its territory's published sum) */
	for (size_t k = p->off[x]; k < p->off[x + 1]; k++) {
		long y = alone_fix(p, s, x, p->rels[k]);
		if (y >= 0)
			return y;
	}
	cpts_vec_init(&cands, sizeof(cand), SIZE_MAX / sizeof(cand));
	add_cands(p, s, x, &cands);
	for (size_t k = p->off[x]; k < p->off[x + 1]; k++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[k]);
		if (r->n > CPTS_LP_TOUCH_MAX_TERMS)
			continue; /* neighbours of neighbours through short relations only */
		for (size_t t = 0; t < r->n; t++) {
			size_t y = cpts_vec_at(&s->terms, cpts_lp_term, r->off + t).cell;
			if (y != x && cpts_vec_at(&s->cells, cpts_lp_cell, y).is_unknown)
				add_cands(p, s, y, &cands);
		}
	}
	if (cands.n)
		qsort(cands.data, cands.n, sizeof(cand), cmp_cand);
	{
		/* then the totals of x's relations, whatever they cost: the difference of
		   two totals (an earlier territory and this one) is widened by nothing else */
		cpts_vec tot;
		n_cheap = cands.n < CPTS_LP_PROBES ? cands.n : CPTS_LP_PROBES;
		cpts_vec_init(&tot, sizeof(cand), SIZE_MAX / sizeof(cand));
		cands.n = n_cheap;
		/* totals of x's relations, and of the relations of the cells in them (an
		   earlier territory minus this one's neighbour) */
		for (size_t k = p->off[x]; k < p->off[x + 1]; k++) {
			const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[k]);
			for (size_t t = 0; t < r->n && t < 256; t++) {
				size_t z = cpts_vec_at(&s->terms, cpts_lp_term, r->off + t).cell;
				/* through x, the relation's own total, or a masked cell: a
				   published cell is a constant, suppressing the totals of
				   its other relations widens nothing here (and would crowd
				   out the one that does: a one-commune basin's total
				   giving its masked commune, hence its neighbour's 0 in an
				   earlier territory; cli_audit test 23) */
				if (z != x && t != 0 &&
				    !cpts_vec_at(&s->cells, cpts_lp_cell, z).is_unknown)
					continue;
				for (size_t j = p->off[z]; j < p->off[z + 1]; j++) {
					const cpts_lp_rel *q = &cpts_vec_at(&s->rels, cpts_lp_rel, p->rels[j]);
					size_t y = cpts_vec_at(&s->terms, cpts_lp_term, q->off).cell;
					const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, y);
					if (y == x || y >= p->d->n_cells || p->pinned[y] ||
					    c->is_unknown || !(c->value > 1e-9) || !p->is_total[y])
						continue;
					cand *e = cpts_vec_push(&tot);
					/* totals of long sums first (territories): they hold
					   the differences no cheap cell widens */
					e->cost = cost(p, y) / ((double)q->n * (double)q->n);
					e->cell = y;
				}
				if (z != x && t == 0)
					continue;
			}
		}
		if (tot.n)
			qsort(tot.data, tot.n, sizeof(cand), cmp_cand);
		for (size_t i = 0, m = 0; i < tot.n && m < 2 * CPTS_LP_PROBES; i++) {
			if (i > 0 && cpts_vec_at(&tot, cand, i - 1).cell == cpts_vec_at(&tot, cand, i).cell)
				continue;
			*(cand *)cpts_vec_push(&cands) = cpts_vec_at(&tot, cand, i);
			m++;
		}
		cpts_vec_release(&tot);
	}
	for (size_t i = 0; i < cands.n && n_tried < 3 * CPTS_LP_PROBES; i++) {
		size_t y = cpts_vec_at(&cands, cand, i).cell;
		cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, y);
		double lo, hi, v = c->value;
		int rc;
		if (i > 0 && cpts_vec_at(&cands, cand, i - 1).cell == y)
			continue;
		if (first < 0)
			first = (long)y;
		n_tried++;
		cpts_lp_cell_set_unknown(s, y, true);
		c->lo = 0;
		c->hi = INFINITY;
		rc = cpts_lp_probe_bounds(p->ctx, &p->probe, s, p->off, p->rels, x,
					  CPTS_LP_PROBE_MAX_VARS, &lo, &hi);
		cpts_lp_cell_set_unknown(s, y, false);
		c->value = v;
		p->n_probes++;
		if (rc != 0) {
			unprobed = true;
			break; /* too large (or failing): no probing in this component */
		}
		if (cx->is_integer) {
			lo = ceil(lo - 1e-6);
			hi = floor(hi + 1e-6);
		}
		if (lo <= cx->need_lo + 1e-6 && hi >= cx->need_hi - 1e-6) {
			best = (long)y;
			break;
		}
		if (widen < 0 && (lo < lo0 - 0.5 || hi > hi0 + 0.5))
			widen = (long)y;
		if (first_total < 0 && i >= n_cheap)
			first_total = (long)y;
	}
	cpts_vec_release(&cands);
	/* nothing that helps alone: no suppression of a cheap cell for nothing (x may
	   be narrowed by another narrowed cell, fixed on its own) */
	/* x pinned by two differences (an earlier territory on each side): no single
	   suppression frees it; the cheapest total is one of the pair, the next round
	   finds the other */
	return best >= 0 ? best : widen >= 0 ? widen : unprobed ? first : first_total;
}

/* cpts_lp_fix_fn: protect a narrowed masked count by masking the smallest published
 * count near it (a secondary suppression, published like every masked cell), or when
 * none is left, by withdrawing the "< threshold" bound of a masked neighbour. */
static bool lp_fix(void *arg, cpts_lp *s, size_t x)
{
	lpp *p = arg;
	long y;
	cpts_lp_cell *c;

	if (touched_near(p, s, x))
		return true; /* its interval changed already: solved again next round */
	if (withdraw_lp(p, s, x))
		return true; /* a masked total: its parts withdrawn */
	y = effective_near(p, s, x);
	if (y >= 0) {
		ledger_note(p, s, x, (size_t)y);
		p->touched[y] = p->round;
		c = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)y);
		cpts_lp_cell_set_unknown(s, (size_t)y, true);
		c->lo = 0;
		c->hi = INFINITY;
		c->is_target = true; /* looks like a primary cell: protected like one */
		c->need_lo = 1; /* see lp_build */
		c->need_hi = p->d->thr - 1;
		c->checked = false;
		p->d->cells[y].masked = p->d->cells[y].secondary = true;
		p->d->cells[y].lo = p->d->cells[y].hi = NAN;
		withdraw_lp(p, s, (size_t)y);
		return true;
	}
	if ((y = bounded_near(p, s, x)) >= 0) {
		p->touched[y] = p->round;
		c = &cpts_vec_at(&s->cells, cpts_lp_cell, (size_t)y);
		c->hi = INFINITY;
		if (p->d->cells[y].in_masked) {
			/* published without bounds now: like any masked count */
			c->lo = 0;
			c->need_lo = 1;
			c->need_hi = p->d->thr - 1;
			c->checked = false;
		}
		p->d->cells[y].unbounded = true;
		p->d->cells[y].lo = p->d->cells[y].hi = NAN;
		hide_known_part(p, s, (size_t)y);
		return true;
	}
	return false;
}

/* relations with more unknown cells than this stay out of the linear programs */
#define CPTS_LP_MAX_UNKNOWNS 48

/* Cell i is published with its "au moins" bounds [K + m, K + M m]. */
static bool bounds_published(const cell *c)
{
	return c->in_masked && c->masked && !c->withdrawn && isfinite(c->lo) && isfinite(c->hi);
}

/* m of a count published with its bounds: its number of pre-masked input cells. */
static double premasked_n(const cell *c)
{
	return nearbyint((c->hi - c->lo) / (CPTS_PROFILE_INPUT_MASK_MAX - 1));
}

/* A non-breakdown group with a count over pre-masked input cells in it. */
static bool known_part_group(const disc *d, const group *g, const size_t *kc)
{
	const size_t *mem = &cpts_vec_at(&d->members, size_t, g->off);
	bool any = kc[g->total] != SIZE_MAX;

	for (size_t i = 0; i < g->n && !any; i++)
		any = kc[mem[i]] != SIZE_MAX;
	return any && !g->breakdown;
}

/* The known parts of the counts over pre-masked input cells (issue 19, points 2 and
 * 6): such a count is published as [K + m, K + M m] (emit.c, M =
 * CPTS_PROFILE_INPUT_MASK_MAX), so K = lo - m and m = (hi - lo) / (M - 1) are
 * published numbers, K the sum of its input cells that are not pre-masked (its stored
 * value). K of a sum of units is the sum of their K: every relation that adds units
 * (communes of a territory, of a département, ...; not the breakdowns of one unit,
 * whose parts are pre-masked apart) holds for the known parts too. The terms, as a
 * reader knows them:
 *  - a count over pre-masked cells: a cell of its K, a constant while its bounds are
 *    published, else an unknown (hide_known_part); always 0 <= x - K, and nothing
 *    more: once its bounds are hidden its m is not published either (with
 *    m <= x - K <= M m for a hidden count, as in a first version, the programs held a
 *    withdrawn part of 0 known part at 1 or more, a fact no reader has: every
 *    subgroup of the demo looked narrowed, and no suppression could widen it, so the
 *    suppression masked the territories' totals and 35 more cells);
 *  - a published count: itself;
 *  - a count masked without bounds, not over pre-masked cells: itself when a
 *    relation tells the reader it holds none (the total's pre-masked cells all in
 *    parts published with bounds, a group "all known"), else an unknown K between 0
 *    and itself, as the reader cannot tell it from a hidden count over pre-masked
 *    cells (`cpts audit` reads them alike, read_gpkg.c known_part_relation).
 * A count hidden later by this suppression keeps the term it had: the stronger
 * reader. With these relations a territory's published K no longer pins its masked
 * communes (demo: mt_c2s of 99082 and 99166, zeros, were determined). Returns the
 * per-cell K cells (OWNED; SIZE_MAX for a cell that is its own K). */
static size_t *lp_known_parts(const disc *d, cpts_lp *s)
{
	size_t *kc = cpts_calloc(d->n_cells + 1, sizeof(size_t));
	bool *plain = cpts_calloc(d->n_cells + 1, sizeof(bool));
	bool *in_kpg = cpts_calloc(d->n_cells + 1, sizeof(bool)); /* in such a group */
	bool *kpg = cpts_calloc(d->groups.n + 1, sizeof(bool));   /* known_part_group */

	for (size_t i = 0; i < d->n_cells; i++) {
		const cell *c = &d->cells[i];
		kc[i] = SIZE_MAX;
		if (c->kind != CPTS_IND_COUNT || !c->in_masked || isnan(c->value))
			continue;
		size_t k = cpts_lp_cell_add(s, NULL);
		cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, k);
		x->is_integer = true;
		if (bounds_published(c)) {
			x->is_unknown = false;
			x->value = c->value;
		}
		kc[i] = k;
	}
	/* the masked counts a reader knows to hold no pre-masked cell */
	for (size_t gi = 0; gi < d->groups.n; gi++) {
		const group *g = &cpts_vec_at(&d->groups, group, gi);
		const size_t *mem = &cpts_vec_at(&d->members, size_t, g->off);
		double m = 0;
		if (!(kpg[gi] = known_part_group(d, g, kc)))
			continue;
		in_kpg[g->total] = true;
		for (size_t i = 0; i < g->n; i++)
			in_kpg[mem[i]] = true;
		if (!bounds_published(&d->cells[g->total]))
			continue;
		for (size_t i = 0; i < g->n; i++)
			if (bounds_published(&d->cells[mem[i]]))
				m += premasked_n(&d->cells[mem[i]]);
		if (fabs(m - premasked_n(&d->cells[g->total])) > 0.5)
			continue;
		for (size_t i = 0; i < g->n; i++)
			plain[mem[i]] = true;
	}
	for (size_t i = 0; i < d->n_cells; i++) {
		const cell *c = &d->cells[i];
		if (kc[i] == SIZE_MAX && in_kpg[i] && !plain[i] && c->kind == CPTS_IND_COUNT &&
		    !isnan(c->value) && (c->masked || c->withdrawn))
			kc[i] = cpts_lp_cell_add(s, NULL); /* unknown >= 0 */
		if (kc[i] == SIZE_MAX)
			continue;
		cpts_vec_at(&s->cells, cpts_lp_cell, kc[i]).is_integer = true;
		cpts_lp_rel_begin(s, 0, INFINITY);
		cpts_lp_rel_term(s, i, 1);
		cpts_lp_rel_term(s, kc[i], -1);
		cpts_lp_rel_end(s);
	}
	for (size_t gi = 0; gi < d->groups.n; gi++) {
		const group *g = &cpts_vec_at(&d->groups, group, gi);
		const size_t *mem = &cpts_vec_at(&d->members, size_t, g->off);
		size_t n_unknown = 0;
		if (!kpg[gi])
			continue;
		for (size_t i = 0; i < g->n; i++) {
			const cell *m = &d->cells[mem[i]];
			n_unknown += m->masked || m->withdrawn || isnan(m->value);
		}
		if (n_unknown > CPTS_LP_MAX_UNKNOWNS && !g->territorial)
			continue; /* as in lp_build */
		cpts_lp_rel_begin(s, 0, g->exhaustive ? 0 : INFINITY);
		cpts_lp_rel_term(s, kc[g->total] != SIZE_MAX ? kc[g->total] : g->total, 1);
		for (size_t i = 0; i < g->n; i++)
			cpts_lp_rel_term(s, kc[mem[i]] != SIZE_MAX ? kc[mem[i]] : mem[i], -1);
		cpts_lp_rel_end(s);
	}
	free(plain);
	free(in_kpg);
	free(kpg);
	return kc;
}

/* The system a reader could write from the published table: masked counts as
 * unknowns with their published bounds, withdrawn ones as unknowns >= 0. */
static void lp_build(const disc *d, cpts_lp *s)
{
	for (size_t i = 0; i < d->n_cells; i++) {
		const cell *c = &d->cells[i];
		size_t xi = cpts_lp_cell_add(s, NULL); /* may grow the vector: index first */
		cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, xi);
		x->is_integer = c->kind == CPTS_IND_COUNT;
		if (c->kind != CPTS_IND_COUNT || (!c->masked && !c->withdrawn && !isnan(c->value))) {
			x->is_unknown = false;
			x->value = isnan(c->value) ? 0 : c->value;
			continue;
		}
		if (isnan(c->value))
			continue; /* not computed: unknown >= 0 */
		if (c->withdrawn) {
			x->lo = 0;
			x->is_target = sensitive(c->value, d->thr);
			x->need_lo = 1; /* see lp_build */
			x->need_hi = d->thr - 1;
			continue;
		}
		/* a masked count is published without bounds, primary and secondary alike
		   (they must look the same): a reader knows it is at least 0 (zeros are
		   masked too); every one of them must still reach 1 and T-1. Not 0: a
		   cell above a pre-masked input cell (a subgroup at most its total),
		   published as 1 to T-1 by the source itself, is known to be at least 1
		   whatever is suppressed, so [0, T-1] cannot be required everywhere; a
		   reader still never learns a bound below T-1 or above 1. A total over
		   masked input cells keeps its published "at least" bounds. */
		x->lo = c->in_masked && isfinite(c->lo) ? c->lo : 0;
		x->hi = c->in_masked && isfinite(c->hi) ? c->hi : INFINITY;
		x->is_target = true;
		x->need_lo = fmax(x->lo, 1);
		x->need_hi = isinf(x->hi) ? fmax(x->need_lo, d->thr - 1) : x->hi;
	}
	for (size_t gi = 0; gi < d->groups.n; gi++) {
		const group *g = &cpts_vec_at(&d->groups, group, gi);
		size_t n_unknown = 0;
		for (size_t i = 0; i < g->n; i++) {
			const cell *m = &d->cells[cpts_vec_at(&d->members, size_t, g->off + i)];
			n_unknown += m->masked || m->withdrawn || isnan(m->value);
		}
		/* a département, region or whole-area relation over very many masked
		   cells would join every masked commune of the area into one program too
		   large to solve per cell (5 min for one region); it is left to the
		   one-unknown rule (limit documented). Territory relations always stay. */
		if (n_unknown > CPTS_LP_MAX_UNKNOWNS && !g->territorial)
			continue;
		cpts_lp_rel_begin(s, 0, g->exhaustive ? 0 : INFINITY);
		cpts_lp_rel_term(s, g->total, 1);
		for (size_t i = 0; i < g->n; i++)
			cpts_lp_rel_term(s, cpts_vec_at(&d->members, size_t, g->off + i), -1);
		cpts_lp_rel_end(s);
	}
}

/* A cell of the system known to a reader from the ledger (its value published
 * earlier): a constant, never suppressed here. */
static void lp_known(cpts_lp *s, lpp *p, size_t c, double value)
{
	cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, c);

	x->is_unknown = false;
	x->is_target = false;
	x->value = value;
	p->pinned[c] = true;
	if (c < p->d->n_cells && p->d->cells[c].secondary) {
		/* masking it again hides nothing: published, as before */
		p->d->cells[c].masked = p->d->cells[c].secondary = false;
		p->d->cells[c].withdrawn = false;
	}
}

static bool same_value(double a, double b)
{
	return fabs(a - b) <= 1e-6 * fmax(1, fabs(a));
}

/* The relations of the earlier publications of the ledger (p->led): an earlier
 * territory's published count is a constant equal to the sum of its communes' cells
 * here (unless its commune set is one of this partition's territories: then its count
 * is simply known, when equal); an earlier commune count is known. Entries whose
 * values no longer agree with the workspace (inputs replaced since) are skipped. */
static void lp_ledger(disc *d, cpts_lp *s, lpp *p)
{
	const cpts_ptable *t = &d->t->pub;
	const char *L_com = interned(d, "commune"), *L_ter = interned(d, "territoire");
	cpts_strmap *com = cpts_strmap_new(1024), *nter = cpts_strmap_new(1024);
	cpts_strmap *sig = cpts_strmap_new(64);
	cpts_buf key = CPTS_BUF_INIT;
	cpts_vec codes, mem;
	size_t n0 = s->cells.n;

	p->cell_row = cpts_calloc(d->n_cells + 1, sizeof(size_t));
	for (size_t r = t->n; r-- > 0;)
		p->cell_row[d->row_cell[r]] = r;
	p->first_ledger_rel = s->rels.n;
	if (!p->led.terrs.n && !p->led.coms.n) {
		p->pinned = cpts_calloc(s->cells.n + 1, sizeof(bool));
		goto out;
	}
	cpts_vec_init(&codes, sizeof(char *), SIZE_MAX / sizeof(char *));
	cpts_vec_init(&mem, sizeof(size_t), SIZE_MAX / sizeof(size_t));
	/* communes held by several territories (split): their cells are weighted parts */
	for (size_t r = 0; r < t->n; r++) {
		int64_t k = 0;
		if (t->v[r].level != L_com || strcmp(t->v[r].indicator, "pop_total") != 0)
			continue;
		cpts_strmap_get(nter, t->v[r].level_code, &k);
		cpts_strmap_put(nter, t->v[r].level_code, k + 1);
	}
	for (size_t r = 0; r < t->n; r++) {
		int64_t k = 0;
		if (t->v[r].level != L_com || (cpts_strmap_get(nter, t->v[r].level_code, &k) && k > 1))
			continue;
		cpts_buf_reset(&key);
		cpts_buf_addf(&key, "%s\x1f%s", t->v[r].level_code, t->v[r].indicator);
		cpts_strmap_put(com, key.data, (int64_t)d->row_cell[r]);
	}
	/* départements, regions, the whole area: "level|code" (dl_is_area) */
	for (size_t r = 0; r < t->n; r++) {
		if (!dl_is_area(t->v[r].level))
			continue;
		cpts_buf_reset(&key);
		cpts_buf_addf(&key, "%s|%s\x1f%s", t->v[r].level, t->v[r].level_code,
			      t->v[r].indicator);
		cpts_strmap_put(com, key.data, (int64_t)d->row_cell[r]);
	}
	/* the commune set of every territory of this partition (rows sorted by code) */
	for (size_t u = 0; u < d->n_units;) {
		const char *terr = t->v[d->unit_start[u]].territory;
		codes.n = 0;
		for (; u < d->n_units && t->v[d->unit_start[u]].territory == terr; u++)
			if (t->v[d->unit_start[u]].level == L_com)
				*(const char **)cpts_vec_push(&codes) = t->v[d->unit_start[u]].level_code;
		if (codes.n) {
			char *sg = dl_signature(&codes);
			cpts_strmap_put(sig, sg, (int64_t)(uintptr_t)terr);
			free(sg);
		}
	}
	p->pinned = cpts_calloc(n0 + 1, sizeof(bool));
	p->hidden_before = cpts_calloc(n0 + 1, sizeof(bool));
	{
		/* communes covered by an earlier publication: their counts not in it were
		   hidden there */
		cpts_strmap *covered = cpts_strmap_new(1024), *pubd = cpts_strmap_new(1024);
		/* areas (dl_is_area) an earlier publication recorded: "level|code" */
		for (size_t i = 0; i < p->led.coms.n; i++) {
			const char *code = cpts_vec_at(&p->led.coms, dl_com, i).code;
			if (strchr(code, '|'))
				cpts_strmap_put(covered, code, 1);
		}
		for (size_t i = 0; i < p->led.terrs.n; i++) {
			const dl_terr *lt = &cpts_vec_at(&p->led.terrs, dl_terr, i);
			for (size_t m = 0; m < lt->codes.n; m++)
				cpts_strmap_put(covered, cpts_vec_at(&lt->codes, char *, m), 1);
		}
		for (size_t i = 0; i < p->led.coms.n; i++) {
			const dl_com *c = &cpts_vec_at(&p->led.coms, dl_com, i);
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "%s\x1f%s", c->code, c->indicator);
			cpts_strmap_put(pubd, key.data, 1);
			/* the indicators published at all (an indicator ingested since was
			   not hidden there: it did not exist) */
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "\x1f%s", c->indicator);
			cpts_strmap_put(pubd, key.data, 1);
		}
		for (size_t r = 0; r < t->n; r++) {
			int64_t k;
			const cpts_indicator *ind;
			bool area = dl_is_area(t->v[r].level);
			if (area) {
				cpts_buf_reset(&key);
				cpts_buf_addf(&key, "%s|%s", t->v[r].level, t->v[r].level_code);
			}
			if ((t->v[r].level != L_com || !cpts_strmap_get(covered, t->v[r].level_code, &k)) &&
			    (!area || !cpts_strmap_get(covered, key.data, &k)))
				continue;
			ind = d->cells[d->row_cell[r]].ind;
			if (!ind || ind->kind != CPTS_IND_COUNT)
				continue;
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "\x1f%s", t->v[r].indicator);
			if (!cpts_strmap_get(pubd, key.data, &k))
				continue;
			cpts_buf_reset(&key);
			if (area)
				cpts_buf_addf(&key, "%s|%s\x1f%s", t->v[r].level, t->v[r].level_code,
					      t->v[r].indicator);
			else
				cpts_buf_addf(&key, "%s\x1f%s", t->v[r].level_code, t->v[r].indicator);
			if (!cpts_strmap_get(pubd, key.data, &k))
				p->hidden_before[d->row_cell[r]] = true;
		}
		cpts_strmap_free(covered);
		cpts_strmap_free(pubd);
	}
	for (size_t i = 0; i < p->led.coms.n; i++) {
		const dl_com *c = &cpts_vec_at(&p->led.coms, dl_com, i);
		int64_t k;
		cpts_buf_reset(&key);
		cpts_buf_addf(&key, "%s\x1f%s", c->code, c->indicator);
		if (!cpts_strmap_get(com, key.data, &k) || !same_value(d->cells[k].value, c->value))
			continue;
		if (d->cells[k].masked)
			lp_known(s, p, (size_t)k, c->value);
		else
			p->pinned[k] = true; /* known anyway: never suppressed for nothing */
	}
	for (size_t i = 0; i < p->led.terrs.n; i++) {
		const dl_terr *lt = &cpts_vec_at(&p->led.terrs, dl_terr, i);
		char *sg = dl_signature(&lt->codes);
		int64_t same;
		bool is_same = lt->codes.n && cpts_strmap_get(sig, sg, &same);
		free(sg);
		for (size_t j = 0; j < lt->inds.n && lt->codes.n; j++) {
			const char *ind = cpts_vec_at(&lt->inds, char *, j);
			double V = cpts_vec_at(&lt->values, double, j), sum = 0;
			long c;
			if (is_same) {
				const char *terr = (const char *)(uintptr_t)same;
				c = cell_ofi(d, terr, L_ter, terr, interned(d, ind));
				if (c >= 0 && d->cells[c].masked && same_value(d->cells[c].value, V))
					lp_known(s, p, (size_t)c, V);
				else if (c >= 0 && same_value(d->cells[c].value, V))
					p->pinned[c] = true;
				continue;
			}
			mem.n = 0;
			for (size_t m = 0; m < lt->codes.n; m++) {
				int64_t k;
				cpts_buf_reset(&key);
				cpts_buf_addf(&key, "%s\x1f%s", cpts_vec_at(&lt->codes, char *, m), ind);
				if (!cpts_strmap_get(com, key.data, &k) || isnan(d->cells[k].value))
					break;
				*(size_t *)cpts_vec_push(&mem) = (size_t)k;
				sum += d->cells[k].value;
			}
			if (mem.n != lt->codes.n || !same_value(sum, V))
				continue; /* a commune absent here, or inputs changed since */
			size_t kc = cpts_lp_cell_add(s, NULL);
			cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, kc);
			x->is_unknown = false;
			x->value = V;
			size_t nr = s->rels.n;
			cpts_lp_rel_begin(s, 0, 0);
			cpts_lp_rel_term(s, kc, 1);
			for (size_t m = 0; m < mem.n; m++)
				cpts_lp_rel_term(s, cpts_vec_at(&mem, size_t, m), -1);
			cpts_lp_rel_end(s);
			if (s->rels.n > nr)
				*(size_t *)cpts_vec_push(&p->lrel_terr) = i;
		}
	}
	/* the constants added are pinned too */
	{
		bool *pn = cpts_calloc(s->cells.n + 1, sizeof(bool));
		memcpy(pn, p->pinned, n0 * sizeof(bool));
		for (size_t i = n0; i < s->cells.n; i++)
			pn[i] = true;
		free(p->pinned);
		p->pinned = pn;
	}
	cpts_vec_release(&codes);
	cpts_vec_release(&mem);
out:
	cpts_strmap_free(com);
	cpts_strmap_free(nter);
	cpts_strmap_free(sig);
	cpts_buf_release(&key);
}

/* A count an earlier publication hid (a commune or area it covered without publishing
 * that count: p->hidden_before) stays hidden here. The ledger knows what was published,
 * not the relations of what was hidden there (an earlier territory's masked total, its
 * subgroups), so publishing such a count could undo a suppression made there: a
 * commune masked to protect its neighbour in the first export, published by the
 * second, gave the neighbour away with the first export's département column. */
static void keep_hidden(lpp *p, cpts_lp *s)
{
	disc *d = p->d;
	size_t n = 0;

	for (size_t k = 0; p->hidden_before && k < d->n_cells; k++) {
		cell *dc = &d->cells[k];
		cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, k);
		/* below the default threshold it may have been a primary cell of a
		   stricter --mask-threshold there: published here by the user's choice
		   (at or above it, it was a secondary suppression whatever the threshold) */
		if (!p->hidden_before[k] || dc->masked || dc->withdrawn || isnan(dc->value) ||
		    dc->kind != CPTS_IND_COUNT || p->pinned[k] ||
		    dc->value < fmax(d->thr, CPTS_MASK_THRESHOLD_DEFAULT))
			continue;
		cpts_lp_cell_set_unknown(s, k, true); /* keeps cpts_lp_track's sums current */
		c->lo = 0;
		c->hi = INFINITY;
		c->is_target = true; /* looks like a primary cell: protected like one */
		c->need_lo = 1;
		c->need_hi = d->thr - 1;
		c->checked = false;
		dc->masked = dc->secondary = dc->ledger = true;
		dc->lo = dc->hi = NAN;
		withdraw_lp(p, s, k);
		n++;
	}
	cpts_log(p->ctx, CPTS_LOG_DEBUG, "disclosure: %zu count(s) hidden by an earlier"
		 " publication kept hidden", n);
}

/* The suppression measure of the system: unknown cells plus unknown cells with no
 * upper bound. Every change a fix makes (lp_fix: a published count masked, the parts of
 * a masked total withdrawn, a "< T" bound dropped) raises it, none lowers it (nothing
 * masked is ever published again), and it is at most twice the number of cells. */
static size_t lp_measure(const cpts_lp *s)
{
	size_t m = 0;

	for (size_t i = 0; i < s->cells.n; i++) {
		const cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, i);
		m += c->is_unknown ? 1 + (size_t)isinf(c->hi) : 0;
	}
	return m;
}

/* Secondary suppression against the whole set of relations: solve, fix the narrowed
 * cells of each component, solve the changed components again, until every masked count
 * spans what it must. Termination: a round goes on to the next only when its fixes
 * raised lp_measure, which only grows and is bounded by 2 x cells, so there are at most
 * 2 x cells + 1 rounds (in practice a few dozen: each round fixes every narrowed cell
 * of every component). A round whose fixes changed nothing (each deferred, touched_near,
 * with no change of its own) would repeat itself: the loop ends there and what is left
 * narrowed is counted (n_residual, warned of; none on the measured cases). Returns the
 * count of cells left narrowed. */
static int lp_protect(cpts_ctx *ctx, disc *d, cpts_store *store, const char *partition,
		      size_t *n_residual)
{
	cpts_lp s;
	cpts_lp_stats st;
	lpp p;
	int rc;

	memset(&p, 0, sizeof(p));
	p.d = d;
	p.ctx = ctx;
	p.partition = partition;
	p.said = cpts_strmap_new(16);
	cpts_vec_init(&p.lrel_terr, sizeof(size_t), SIZE_MAX / sizeof(size_t));
	cpts_lp_init(&s);
	s.thr = d->thr;
	/* every relation, those fully published too: a secondary suppression made in
	   a round opens them (a one-commune basin's total published over its commune
	   masked here gave the commune, hence its neighbour's masked 0 in an earlier
	   territory; cli_audit test 23) */
	s.keep_known = true;
	lp_build(d, &s);
	p.kcell = lp_known_parts(d, &s);
	if ((rc = dl_ledger_load(ctx, store, &p.led)) < 0)
		goto out;
	lp_ledger(d, &s, &p);
	cpts_lp_index(&s, &p.off, &p.rels);
	cpts_lp_track(&s); /* cells change state through cpts_lp_cell_set_unknown now */
	cpts_lp_probe_init(&p.probe, &s);
	p.is_total = cpts_calloc(s.cells.n + 1, sizeof(bool));
	for (size_t r = 0; r < s.rels.n; r++) {
		const cpts_lp_rel *e = &cpts_vec_at(&s.rels, cpts_lp_rel, r);
		const cpts_lp_term *t0 = &cpts_vec_at(&s.terms, cpts_lp_term, e->off);
		if (e->n > 1 && t0->coef > 0)
			p.is_total[t0->cell] = true; /* lp_build: the total comes first */
	}
	p.bd_off = cpts_calloc(d->n_cells + 2, sizeof(size_t));
	for (size_t g = 0; g < d->groups.n; g++)
		if (cpts_vec_at(&d->groups, group, g).breakdown)
			p.bd_off[cpts_vec_at(&d->groups, group, g).total + 2]++;
	for (size_t i = 2; i < d->n_cells + 2; i++)
		p.bd_off[i] += p.bd_off[i - 1];
	p.bd_grp = cpts_calloc(p.bd_off[d->n_cells + 1] + 1, sizeof(size_t));
	for (size_t g = 0; g < d->groups.n; g++)
		if (cpts_vec_at(&d->groups, group, g).breakdown)
			p.bd_grp[p.bd_off[cpts_vec_at(&d->groups, group, g).total + 1]++] = g;
	p.touched = cpts_calloc(s.cells.n + 1, sizeof(unsigned));
	keep_hidden(&p, &s);
	size_t measure = lp_measure(&s), before;
	do {
		before = measure;
		p.round++;
		rc = cpts_lp_solve(ctx, &s, &st, lp_fix, &p);
		measure = lp_measure(&s);
	} while (rc == CPTS_OK && st.n_fixed > 0 && measure > before);
	cpts_log(ctx, CPTS_LOG_DEBUG, "disclosure: %u round(s) of linear programs", p.round);
	if (rc == CPTS_OK && st.n_fixed > 0) /* the last fixes, checked: what is left */
		rc = cpts_lp_solve(ctx, &s, &st, NULL, NULL);
	free(p.touched);
	*n_residual = st.n_narrow + st.n_inconsistent;
	cpts_log(ctx, CPTS_LOG_DEBUG, "disclosure: %zu narrowed, %zu inconsistent component(s)"
		 " left, %zu probes", st.n_narrow, st.n_inconsistent, p.n_probes);
out:
	free(p.off);
	free(p.rels);
	free(p.pinned);
	free(p.hidden_before);
	free(p.cell_row);
	free(p.is_total);
	cpts_lp_probe_release(&p.probe);
	free(p.bd_off);
	free(p.bd_grp);
	free(p.kcell);
	cpts_vec_release(&p.lrel_terr);
	cpts_strmap_free(p.said);
	dl_ledger_release(&p.led);
	cpts_lp_release(&s);
	return rc;
}

/* The p-value class a reader may see: the upper bound of "< 0,001", "< 0,01",
 * "< 0,05", or 1 for "non significatif". Rounding is no protection (p = 0,11 at two
 * digits still inverts to a masked count of 2); four classes pin nothing. */
double cpts_share_whole_pct(double share)
{
	return isnan(share) ? share : round(share * 100.0) / 100.0;
}

double cpts_pvalue_class(double p)
{
	if (isnan(p))
		return p;
	/* <= so that a class is its own class: the table holds classes and every
	   reader (HTML, stdout, JSON) classes what it reads; with < the class 0.001
	   read again became 0.01, 0.05 became 1 ("non significatif") */
	return p <= 0.001 ? 0.001 : p <= 0.01 ? 0.01 : p <= 0.05 ? 0.05 : 1.0;
}

/* The gap to the département and its test use the département's counts (and the rest
 * of the département beyond the territory): masked whenever one of those is suppressed
 * here, and the p-value published as its class only. Over pre-masked input cells
 * (issue 19, point 6) the gap keeps the range stored with it (emit.c: whatever the
 * masked cells hold, a function of the published bounds of the counts) when every count
 * it uses is published or published as bounds; the p-value's class is published when
 * its whole stored range [lo, hi] (the p-value at every point of the counts' bounds)
 * falls in one class, which then says nothing of where the masked cells lie; otherwise
 * "secret statistique". */
static void protect_gaps(disc *d)
{
	cpts_ptable *t = &d->t->pub;
	const char *L_dep = interned(d, "departement");
	const char *K_n = interned(d, "mt_sans_mt"), *K_d = interned(d, "mt_patients");
	const char *K_g = interned(d, "mt_gap_dep_pts"), *K_p = interned(d, "mt_gap_pvalue");
	const char *masked_terr = NULL;

	if (!K_g && !K_p)
		return;
	/* rows are sorted by territory: département rows come before territoire rows */
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		cell *c = &d->cells[d->row_cell[r]];
		if (v->level == L_dep && (v->indicator == K_n || v->indicator == K_d) &&
		    (c->withdrawn || (c->masked && !(c->in_masked && isfinite(c->lo) &&
						     isfinite(c->hi)))))
			masked_terr = v->territory;
		if (v->indicator != K_g && v->indicator != K_p)
			continue;
		if (masked_terr == v->territory) {
			c->masked = true;
			c->lo = c->hi = NAN;
		}
		if (v->indicator == K_p && c->masked && isfinite(c->lo) && isfinite(c->hi) &&
		    cpts_pvalue_class(c->lo) == cpts_pvalue_class(c->hi)) {
			/* the same class at every point of the counts' bounds */
			c->masked = false;
			c->value = c->lo;
		}
		if (v->indicator == K_p) {
			c->value = cpts_pvalue_class(c->value);
			c->lo = c->hi = NAN; /* a class only, never a range */
		}
	}
}

int cpts_mask_threshold_check(cpts_ctx *ctx, const char *option, double threshold)
{
	if (!(threshold >= 2 && threshold <= CPTS_MASK_THRESHOLD_MAX) ||
	    threshold != floor(threshold))
		return cpts_fail(ctx, CPTS_EUSAGE, "%s must be a whole number from 2 to %d (counts"
				 " from 1 to the threshold minus 1 are masked), got %g", option,
				 CPTS_MASK_THRESHOLD_MAX, threshold);
	return CPTS_OK;
}

int cpts_ptable_load(cpts_ctx *ctx, cpts_ptable **out, cpts_store *s, const char *partition,
		     const cpts_disclose_opts *opts)
{
	cpts_disclose_opts defaults = CPTS_DISCLOSE_OPTS_INIT;
	ptable_priv *t = cpts_calloc(1, sizeof(*t));
	cpts_store_pvreader *st = NULL;
	cpts_strmap *canon = NULL;
	cpts_buf key = CPTS_BUF_INIT;
	disc d;
	size_t n_rows;
	size_t cap, pass;
	int rc = CPTS_OK;

	memset(&d, 0, sizeof(d));
	cpts_vec_init(&d.groups, sizeof(group), SIZE_MAX / sizeof(group));
	cpts_vec_init(&d.members, sizeof(size_t), SIZE_MAX / sizeof(size_t));
	*out = NULL;
	if (!opts)
		opts = &defaults;
	d.t = t;
	d.thr = opts->threshold;
	t->pool_map = cpts_strmap_new(1024);
	cpts_vec_init(&t->pool, sizeof(char *), SIZE_MAX / sizeof(char *));
	/* the threshold really used is the one given (never a silent default) */
	if ((rc = cpts_mask_threshold_check(ctx, "the disclosure threshold", d.thr)) < 0)
		goto out;
	if (!partition) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "no partition given to load profile values");
		goto out;
	}
	if ((rc = cpts_store_pvreader_open(ctx, s, &st, partition, &n_rows)) < 0)
		goto out;
	cap = n_rows > 0 ? n_rows : 1;
	t->pub.v = cpts_calloc(cap, sizeof(cpts_pvalue));
	d.cells = cpts_calloc(cap, sizeof(cell));
	d.row_cell = cpts_calloc(cap, sizeof(size_t));
	canon = cpts_strmap_new(1024);
	while (t->pub.n < cap) {
		cpts_store_pvalue row;
		int src = cpts_store_pvreader_next(ctx, st, &row);
		cpts_pvalue *v;
		cell *c;
		int64_t ci;
		if (src == 0)
			break;
		if (src < 0) {
			rc = src;
			goto out;
		}
		v = &t->pub.v[t->pub.n];
		v->territory = intern(t, row.territory);
		v->level = intern(t, row.level);
		v->level_code = intern(t, row.level_code);
		v->indicator = intern(t, row.indicator);
		if (is_canonical_level(v->level)) {
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "%s\x1f%s\x1f%s", v->level, v->level_code, v->indicator);
			if (cpts_strmap_get(canon, key.data, &ci)) {
				d.row_cell[t->pub.n++] = (size_t)ci;
				continue;
			}
			cpts_strmap_put(canon, key.data, (int64_t)d.n_cells);
		}
		c = &d.cells[d.n_cells];
		d.row_cell[t->pub.n++] = d.n_cells++;
		c->value = row.value;
		c->lo = row.lo;
		c->hi = row.hi;
		c->in_masked = row.masked;
		c->ind = cpts_indicator_find(v->indicator);
		c->kind = c->ind ? c->ind->kind
				 : strncmp(v->indicator, "pyr_", 4) == 0 ? CPTS_IND_POPULATION
									 : CPTS_IND_VALUE;
		/* primary suppression */
		if (c->kind == CPTS_IND_COUNT) {
			if (c->in_masked) {
				c->masked = true; /* bounds [lo, hi] as stored */
			} else if (sensitive(c->value, d.thr)) {
				c->masked = true;
				c->lo = 0;
				c->hi = d.thr - 1;
			} else {
				c->lo = c->hi = NAN;
			}
		}
	}
	/* secondary suppression to a fixed point (each pass masks at least one more cell,
	   so it ends; the bound only guards against a bug) */
	index_units(&d);
	if ((rc = build_groups(ctx, &d, s)) < 0)
		goto out;
	for (pass = 0; pass <= d.n_cells; pass++) {
		bool changed = false;
		for (size_t g = 0; g < d.groups.n; g++)
			changed |= protect(&d, &cpts_vec_at(&d.groups, group, g));
		if (!changed)
			break;
	}
	withdraw_parts(&d);
	if ((rc = lp_protect(ctx, &d, s, partition, &t->pub.n_residual)) < 0)
		goto out;
	if (t->pub.n_residual)
		cpts_warn(ctx, "%zu masked count(s) of partition '%s' could not be fully"
			  " protected (see cpts audit)", t->pub.n_residual, partition);
	mask_ratios(&d);
	protect_gaps(&d);
	for (size_t i = 0; i < d.n_cells; i++) {
		const cell *c = &d.cells[i];
		if (c->kind != CPTS_IND_COUNT || isnan(c->value))
			continue;
		t->pub.n_counts++;
		t->pub.n_withdrawn += c->withdrawn;
		t->pub.n_secondary += c->masked && !c->withdrawn && c->secondary;
		t->pub.n_primary += c->masked && !c->withdrawn && !c->secondary;
		t->pub.n_unbounded += c->masked && !c->withdrawn && c->unbounded;
		t->pub.n_ledger += c->masked && !c->withdrawn && c->secondary && c->ledger;
	}
	for (size_t r = 0; r < t->pub.n; r++) {
		const cell *c = &d.cells[d.row_cell[r]];
		cpts_pvalue *v = &t->pub.v[r];
		v->masked = c->masked && !c->withdrawn;
		v->withdrawn = c->withdrawn;
		v->value = c->masked || c->withdrawn ? NAN : c->value;
		/* a masked count shows no bounds unless it is a total over masked input
		   cells ("au moins N"): primary and secondary cells look the same */
		bool nob = c->withdrawn || (c->kind == CPTS_IND_COUNT && c->masked && !c->in_masked);
		v->lo = nob ? NAN : c->lo;
		v->hi = nob ? NAN : c->hi;
	}
	*out = &t->pub;
	t = NULL;
out:
	cpts_store_pvreader_free(st);
	cpts_strmap_free(canon);
	cpts_buf_release(&key);
	free(d.cells);
	free(d.row_cell);
	free(d.unit_start);
	free(d.uhash);
	cpts_vec_release(&d.groups);
	cpts_vec_release(&d.members);
	cpts_ptable_free(t ? &t->pub : NULL);
	return rc;
}
