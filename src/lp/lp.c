/*
 * lp.c - a linear system over published and masked cells, solved with GLPK (the
 * audit's and disclosure control's common engine, cpts/lp.h).
 *
 * Why components: a France export holds millions of cells, but a masked cell is tied
 * only to the cells sharing a relation with it, transitively. Union-find over the
 * unknowns of every relation splits the system into independent components; each gets
 * its own small GLPK problem, solved twice per masked cell (minimise, maximise). The
 * problem of a component is built once and only its objective changes between solves,
 * so the simplex starts from the previous optimal basis (presolve off after the first
 * solve: GLPK's presolver discards the basis).
 *
 * Why the bookkeeping (cpts_lp_track): disclosure control probes a candidate
 * suppression thousands of times, each probe a search from one cell over its relations
 * and a program built from their unknown terms and known parts. A whole-area sum holds
 * 34,806 communes of which a few dozen are masked; reading all its terms per probe was
 * most of a France profile. The known part and the unknown terms (kept sorted by term
 * index, so that programs are built in the same order as from scratch: the same
 * columns, rows and entries) are updated when a cell changes state instead.
 *
 * The intervals are those of the LP relaxation: they contain every integer solution,
 * so a cell the LP leaves open may still be narrowed a little by integrality, never the
 * other way round; count bounds are rounded inward (ceil of the minimum, floor of the
 * maximum) before they are compared with what must stay open.
 */
#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/lp.h"
#include "cpts/unionfind.h"
#include "cpts/util.h"

void cpts_lp_init(cpts_lp *s)
{
	memset(s, 0, sizeof(*s));
	cpts_vec_init(&s->cells, sizeof(cpts_lp_cell), SIZE_MAX / sizeof(cpts_lp_cell));
	cpts_vec_init(&s->rels, sizeof(cpts_lp_rel), SIZE_MAX / sizeof(cpts_lp_rel));
	cpts_vec_init(&s->terms, sizeof(cpts_lp_term), SIZE_MAX / sizeof(cpts_lp_term));
	s->index = cpts_strmap_new(1024);
}

/** The bookkeeping of cpts_lp_track. */
typedef struct trel {
	double known;  /* sum of coef * value over the known terms */
	size_t *unk;   /* OWNED: term indices of the unknown terms, ascending */
	size_t n, cap;
} trel;

struct cpts_lp_trk {
	trel *rel;     /* OWNED: per relation */
	size_t *toff;  /* OWNED: terms of cell i are tix[toff[i] .. toff[i+1]) */
	size_t *tix;   /* OWNED */
	size_t n_rels, n_cells;
};

static void trk_free(struct cpts_lp_trk *k)
{
	if (!k)
		return;
	for (size_t r = 0; r < k->n_rels; r++)
		free(k->rel[r].unk);
	free(k->rel);
	free(k->toff);
	free(k->tix);
	free(k);
}

void cpts_lp_thread_release(void)
{
	glp_free_env();
}

void cpts_lp_release(cpts_lp *s)
{
	trk_free(s->trk);
	s->trk = NULL;
	for (size_t i = 0; i < s->cells.n; i++)
		free(cpts_vec_at(&s->cells, cpts_lp_cell, i).name);
	cpts_vec_release(&s->cells);
	cpts_vec_release(&s->rels);
	cpts_vec_release(&s->terms);
	cpts_strmap_free(s->index);
	s->index = NULL;
}

long cpts_lp_cell_find(const cpts_lp *s, const char *name)
{
	int64_t k;

	return cpts_strmap_get(s->index, name, &k) ? (long)k : -1;
}

size_t cpts_lp_cell_add(cpts_lp *s, const char *name)
{
	cpts_lp_cell *c;

	if (s->trk)
		CPTS_BUG("lp: a cell added after cpts_lp_track");
	if (!(c = cpts_vec_push(&s->cells)))
		CPTS_BUG("lp: too many cells");
	memset(c, 0, sizeof(*c));
	c->name = name ? cpts_strdup(name) : NULL;
	c->is_unknown = true;
	c->lo = 0;
	c->hi = INFINITY;
	if (name)
		cpts_strmap_put(s->index, name, (int64_t)(s->cells.n - 1));
	return s->cells.n - 1;
}

size_t cpts_lp_cell_get(cpts_lp *s, const char *name)
{
	long k = cpts_lp_cell_find(s, name);

	return k >= 0 ? (size_t)k : cpts_lp_cell_add(s, name);
}

void cpts_lp_rel_begin(cpts_lp *s, double lo, double hi)
{
	cpts_lp_rel *r;

	if (s->trk)
		CPTS_BUG("lp: a relation added after cpts_lp_track");
	if (!(r = cpts_vec_push(&s->rels)))
		CPTS_BUG("audit: too many relations");
	r->off = s->terms.n;
	r->n = 0;
	r->lo = lo;
	r->hi = hi;
}

void cpts_lp_rel_term(cpts_lp *s, size_t cell, double coef)
{
	cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, s->rels.n - 1);
	cpts_lp_term *t = cpts_vec_push(&s->terms);

	if (!t)
		CPTS_BUG("audit: too many terms");
	t->cell = cell;
	t->coef = coef;
	r->n++;
}

void cpts_lp_rel_end(cpts_lp *s)
{
	cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, s->rels.n - 1);

	if (s->keep_known)
		return;
	for (size_t k = 0; k < r->n; k++)
		if (cpts_vec_at(&s->cells, cpts_lp_cell, cpts_vec_at(&s->terms, cpts_lp_term,
								 r->off + k).cell).is_unknown)
			return;
	s->terms.n = r->off;
	s->rels.n--;
}

/* ---- the bookkeeping of every relation ---- */

static const cpts_lp_term *term_at(const cpts_lp *s, size_t t)
{
	return &cpts_vec_at(&s->terms, cpts_lp_term, t);
}

static void trel_insert(trel *r, size_t t)
{
	size_t lo = 0, hi = r->n;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 4;
		r->unk = cpts_realloc(r->unk, r->cap * sizeof(size_t));
	}
	while (lo < hi) { /* first position holding a term index above t */
		size_t mid = lo + (hi - lo) / 2;
		if (r->unk[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(r->unk + lo + 1, r->unk + lo, (r->n - lo) * sizeof(size_t));
	r->unk[lo] = t;
	r->n++;
}

static void trel_remove(trel *r, size_t t)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->unk[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == r->n || r->unk[lo] != t)
		CPTS_BUG("lp: an unknown term missing from its relation");
	memmove(r->unk + lo, r->unk + lo + 1, (r->n - lo - 1) * sizeof(size_t));
	r->n--;
}

/* The relation holding term t: the last one starting at or before it (an empty
 * relation starts where the next one does, and is never the last such). */
static size_t rel_of_term(const cpts_lp *s, size_t t)
{
	size_t lo = 0, hi = s->rels.n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (cpts_vec_at(&s->rels, cpts_lp_rel, mid).off <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

void cpts_lp_track(cpts_lp *s)
{
	struct cpts_lp_trk *k = cpts_calloc(1, sizeof(*k));
	size_t n = s->cells.n;

	trk_free(s->trk);
	k->n_rels = s->rels.n;
	k->n_cells = n;
	k->rel = cpts_calloc(k->n_rels + 1, sizeof(trel));
	k->toff = cpts_calloc(n + 2, sizeof(size_t));
	k->tix = cpts_calloc(s->terms.n + 1, sizeof(size_t));
	for (size_t t = 0; t < s->terms.n; t++)
		k->toff[term_at(s, t)->cell + 2]++;
	for (size_t i = 2; i < n + 2; i++)
		k->toff[i] += k->toff[i - 1];
	for (size_t t = 0; t < s->terms.n; t++)
		k->tix[k->toff[term_at(s, t)->cell + 1]++] = t;
	for (size_t ri = 0; ri < k->n_rels; ri++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, ri);
		trel *e = &k->rel[ri];
		for (size_t t = r->off; t < r->off + r->n; t++) {
			const cpts_lp_term *tm = term_at(s, t);
			const cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, tm->cell);
			if (!x->is_unknown) {
				e->known += tm->coef * x->value; /* in term order, as build_lp did */
				continue;
			}
			if (e->n == e->cap) {
				e->cap = e->cap ? 2 * e->cap : 4;
				e->unk = cpts_realloc(e->unk, e->cap * sizeof(size_t));
			}
			e->unk[e->n++] = t;
		}
	}
	s->trk = k;
}

void cpts_lp_cell_set_unknown(cpts_lp *s, size_t i, bool unknown)
{
	cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, i);
	struct cpts_lp_trk *k = s->trk;

	if (x->is_unknown == unknown)
		return;
	x->is_unknown = unknown;
	if (!k)
		return;
	for (size_t j = k->toff[i]; j < k->toff[i + 1]; j++) {
		size_t t = k->tix[j];
		trel *e = &k->rel[rel_of_term(s, t)];
		double v = term_at(s, t)->coef * x->value;
		if (unknown) {
			e->known -= v;
			trel_insert(e, t);
		} else {
			e->known += v;
			trel_remove(e, t);
		}
	}
}

bool cpts_lp_rel_tracked(const cpts_lp *s, size_t r, double *known, const size_t **unk,
			 size_t *n_unk)
{
	if (!s->trk || r >= s->trk->n_rels)
		return false;
	*known = s->trk->rel[r].known;
	*unk = s->trk->rel[r].unk;
	*n_unk = s->trk->rel[r].n;
	return true;
}

/* ---- one component ---- */

/** A component: its unknowns and its relations, as indices into the system. */
typedef struct comp {
	size_t *vars, n_vars;
	size_t *rels, n_rels;
} comp;

static const cpts_lp_cell *cell_at(const cpts_lp *s, size_t i)
{
	return &cpts_vec_at(&s->cells, cpts_lp_cell, i);
}

/* Build the GLPK problem of a component; col j+1 is vars[j]. col_of maps cells to
 * columns (only the component's entries are set). */
static glp_prob *build_lp(const cpts_lp *s, const comp *c, const size_t *col_of)
{
	glp_prob *lp = glp_create_prob();
	size_t nz = 0, *at;
	int *ia, *ja;
	double *ar;

	glp_add_cols(lp, (int)c->n_vars);
	for (size_t j = 0; j < c->n_vars; j++) {
		const cpts_lp_cell *x = cell_at(s, c->vars[j]);
		int type = isinf(x->hi) ? GLP_LO : x->hi - x->lo < 1e-12 ? GLP_FX : GLP_DB;
		glp_set_col_bnds(lp, (int)j + 1, type, x->lo, isinf(x->hi) ? 0 : x->hi);
	}
	if (c->n_rels > 0) /* a masked cell in no relation: its bounds only */
		glp_add_rows(lp, (int)c->n_rels);
	for (size_t i = 0; i < c->n_rels; i++)
		nz += s->trk ? s->trk->rel[c->rels[i]].n
			     : cpts_vec_at(&s->rels, cpts_lp_rel, c->rels[i]).n;
	ia = cpts_calloc(nz + 1, sizeof(int));
	ja = cpts_calloc(nz + 1, sizeof(int));
	ar = cpts_calloc(nz + 1, sizeof(double));
	at = cpts_calloc(c->n_vars + 1, sizeof(size_t)); /* column -> entry in this row */
	nz = 0;
	for (size_t i = 0; i < c->n_rels; i++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, c->rels[i]);
		const trel *e = s->trk ? &s->trk->rel[c->rels[i]] : NULL;
		double k = e ? e->known : 0, lo, hi;
		size_t row_start = nz, n_t = e ? e->n : r->n;
		int type;
		/* with the bookkeeping: its unknown terms, in term order; else every term */
		for (size_t t = 0; t < n_t; t++) {
			const cpts_lp_term *tm = term_at(s, e ? e->unk[t] : r->off + t);
			const cpts_lp_cell *x = cell_at(s, tm->cell);
			if (!x->is_unknown) {
				k += tm->coef * x->value;
				continue;
			}
			/* a cell twice in one relation: one entry (GLPK refuses duplicates) */
			if (at[col_of[tm->cell]] > row_start) {
				ar[at[col_of[tm->cell]]] += tm->coef;
				continue;
			}
			nz++;
			ia[nz] = (int)i + 1;
			ja[nz] = (int)col_of[tm->cell] + 1;
			ar[nz] = tm->coef;
			at[col_of[tm->cell]] = nz;
		}
		lo = r->lo - k;
		hi = r->hi - k;
		if (isinf(lo) && isinf(hi))
			type = GLP_FR;
		else if (isinf(hi))
			type = GLP_LO;
		else if (isinf(lo))
			type = GLP_UP;
		else
			type = hi - lo < 1e-12 ? GLP_FX : GLP_DB;
		glp_set_row_bnds(lp, (int)i + 1, type, isinf(lo) ? 0 : lo, isinf(hi) ? 0 : hi);
	}
	glp_load_matrix(lp, (int)nz, ia, ja, ar);
	free(at);
	free(ia);
	free(ja);
	free(ar);
	glp_scale_prob(lp, GLP_SF_AUTO);
	return lp;
}

/* Optimise column j in direction dir; *val gets the optimum (+-INFINITY when
 * unbounded). Returns 0, 1 when infeasible, -1 on a GLPK failure. */
static int optimise(glp_prob *lp, int j, int dir, bool *warm, double *val)
{
	glp_smcp parm;
	int rc, st;

	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_OFF;
	if (!*warm) {
		glp_adv_basis(lp, 0);
		*warm = true;
	}
	glp_set_obj_dir(lp, dir);
	glp_set_obj_coef(lp, j, 1.0);
	rc = glp_simplex(lp, &parm);
	if (rc != 0) {
		/* a singular basis after many warm starts: once more from scratch */
		glp_adv_basis(lp, 0);
		rc = glp_simplex(lp, &parm);
	}
	glp_set_obj_coef(lp, j, 0.0);
	if (rc != 0)
		return -1;
	st = glp_get_status(lp);
	if (st == GLP_UNBND) {
		*val = dir == GLP_MIN ? -INFINITY : INFINITY;
		return 0;
	}
	if (st == GLP_NOFEAS || st == GLP_INFEAS)
		return 1;
	if (st != GLP_OPT)
		return -1;
	*val = glp_get_obj_val(lp);
	return 0;
}

/* The interval of the only unknown of a component, read off its relations (each
 * a x + k in [lo, hi]) and its bounds: what the two programs give, without GLPK (most
 * probes of a France profile: a cell alone in its relations once the candidate is
 * out). Returns 0 with *lo, *hi set, 1 when there is no solution (GLPK's bound
 * tolerance), -1 when the shortcut does not apply (more unknowns, or a relation in
 * which the terms of x cancel out: left to GLPK). */
static int one_var(const cpts_lp *s, const comp *c, double *lo, double *hi)
{
	const cpts_lp_cell *x;
	double L, H;

	if (c->n_vars != 1 || s->plain)
		return -1;
	x = cell_at(s, c->vars[0]);
	L = x->lo;
	H = isinf(x->hi) ? INFINITY : x->hi;
	if (!isinf(x->hi) && x->hi - x->lo < 1e-12)
		H = L; /* a fixed column (build_lp: GLP_FX at lo) */
	for (size_t i = 0; i < c->n_rels; i++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, c->rels[i]);
		const trel *e = s->trk ? &s->trk->rel[c->rels[i]] : NULL;
		double k = e ? e->known : 0, a = 0, b1, b2;
		size_t n_t = e ? e->n : r->n;
		for (size_t t = 0; t < n_t; t++) {
			const cpts_lp_term *tm = term_at(s, e ? e->unk[t] : r->off + t);
			if (tm->cell == c->vars[0])
				a += tm->coef;
			else
				k += tm->coef * cell_at(s, tm->cell)->value; /* known (one unknown) */
		}
		if (a == 0)
			return -1;
		b1 = (r->lo - k) / a; /* -inf or +inf for a one-sided relation */
		b2 = (r->hi - k) / a;
		if (a > 0) {
			L = fmax(L, b1);
			H = fmin(H, b2);
		} else {
			L = fmax(L, b2);
			H = fmin(H, b1);
		}
	}
	if (L > H + 1e-7 * (1 + fmax(fabs(L), isinf(H) ? 0 : fabs(H))))
		return 1;
	*lo = fmin(L, H);
	*hi = H;
	return 0;
}

/* Solve one component: every target twice; flag narrowed ones. Returns 0, 1 when a
 * fix changed the system, or an error. */
static int solve_comp(cpts_ctx *ctx, cpts_lp *s, const comp *c, const size_t *col_of,
		      cpts_lp_stats *out, cpts_lp_fix_fn fix, void *arg)
{
	glp_prob *lp = NULL; /* built on first need: a lone unknown needs none */
	bool warm = false, changed = false;
	int rc = 0;

	for (size_t j = 0; j < c->n_vars && rc == 0; j++) {
		cpts_lp_cell *x = &cpts_vec_at(&s->cells, cpts_lp_cell, c->vars[j]);
		double lo = 0, hi = 0, ilo, ihi;
		int r1, r2;
		if (!x->is_target)
			continue;
		x->checked = true;
		if ((r1 = one_var(s, c, &lo, &hi)) >= 0) {
			r2 = r1;
		} else {
			if (!lp)
				lp = build_lp(s, c, col_of);
			r1 = optimise(lp, (int)j + 1, GLP_MIN, &warm, &lo);
			r2 = r1 ? r1 : optimise(lp, (int)j + 1, GLP_MAX, &warm, &hi);
		}
		out->n_lp += r1 ? 1 : 2;
		if (r1 < 0 || r2 < 0) {
			rc = cpts_fail(ctx, CPTS_EDEP, "GLPK could not solve the component of %s",
				       x->name ? x->name : "a masked cell");
			break;
		}
		if (r1 > 0 || r2 > 0) {
			out->n_inconsistent++;
			for (size_t k = 0; k < c->n_vars; k++)
				cpts_vec_at(&s->cells, cpts_lp_cell, c->vars[k]).is_inconsistent = true;
			break;
		}
		ilo = x->is_integer ? ceil(lo - 1e-6) : lo;
		ihi = x->is_integer ? floor(hi + 1e-6) : hi;
		x->found_lo = ilo;
		x->found_hi = ihi;
		/* open enough; or known to be at least the threshold with no upper bound
		   (a suppressed total is at least the sum of its published parts: no small
		   count is learnt, documented limit); or an aggregate over pre-masked
		   input ("at least N", bounds wider than a masked cell's [1, T-1]) still
		   leaving T-1 values */
		x->is_narrow = !((ilo <= x->need_lo + 1e-6 && ihi >= x->need_hi - 1e-6) ||
				 (x->zero_ok && ihi < 0.5) ||
				 (isinf(x->hi) && ilo > x->need_hi + 1e-6) ||
				 (x->need_hi - x->need_lo > s->thr - 2 + 1e-6 &&
				  ihi - ilo >= s->thr - 2 - 1e-6));
		if (!x->is_narrow)
			continue;
		/* fixes of one round go on over the same (now stale) problem: each narrowed
		   target is fixed once per round, so a component needs few rounds; the
		   callback defers a target whose relations a fix of this round touched */
		if (fix && fix(arg, s, c->vars[j])) {
			out->n_fixed++;
			changed = true; /* go on: every narrowed target gets its fix */
			continue;
		}
		out->n_narrow++;
	}
	if (rc == 0 && changed)
		rc = 1;
	if (rc == 1)
		for (size_t k = 0; k < c->n_vars; k++)
			cpts_vec_at(&s->cells, cpts_lp_cell, c->vars[k]).checked = false;
	if (lp)
		glp_delete_prob(lp);
	return rc;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Components of the unknowns (union-find over the relations), restricted to those
 * holding a target still to check. comps is OWNED by the caller. */
static size_t components(const cpts_lp *s, size_t *parent, size_t *comp_of, comp **out)
{
	size_t n = s->cells.n, n_comp = 0;
	comp *comps;

	cpts_uf_init(parent, n);
	for (size_t i = 0; i < s->rels.n; i++) {
		const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, i);
		const trel *e = s->trk ? &s->trk->rel[i] : NULL;
		long first = -1;
		for (size_t t = 0; t < (e ? e->n : r->n); t++) {
			size_t c = term_at(s, e ? e->unk[t] : r->off + t)->cell;
			if (!cell_at(s, c)->is_unknown)
				continue;
			if (first < 0)
				first = (long)c;
			else
				cpts_uf_union(parent, (size_t)first, c);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const cpts_lp_cell *x = cell_at(s, i);
		if (x->is_unknown && x->is_target && !x->checked &&
		    comp_of[cpts_uf_find(parent, i)] == 0)
			comp_of[cpts_uf_find(parent, i)] = ++n_comp;
	}
	comps = cpts_calloc(n_comp + 1, sizeof(comp));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			size_t k;
			if (!cell_at(s, i)->is_unknown || (k = comp_of[cpts_uf_find(parent, i)]) == 0)
				continue;
			if (pass)
				comps[k - 1].vars[comps[k - 1].n_vars] = i;
			comps[k - 1].n_vars++;
		}
		for (size_t i = 0; i < s->rels.n; i++) {
			const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, i);
			const trel *e = s->trk ? &s->trk->rel[i] : NULL;
			size_t k = 0;
			for (size_t t = 0; t < (e ? e->n : r->n) && !k; t++) {
				size_t c = term_at(s, e ? e->unk[t] : r->off + t)->cell;
				if (cell_at(s, c)->is_unknown)
					k = comp_of[cpts_uf_find(parent, c)];
			}
			if (!k)
				continue;
			if (pass)
				comps[k - 1].rels[comps[k - 1].n_rels] = i;
			comps[k - 1].n_rels++;
		}
		if (pass == 0)
			for (size_t k = 0; k < n_comp; k++) {
				comps[k].vars = cpts_calloc(comps[k].n_vars + 1, sizeof(size_t));
				comps[k].rels = cpts_calloc(comps[k].n_rels + 1, sizeof(size_t));
				comps[k].n_vars = comps[k].n_rels = 0;
			}
	}
	*out = comps;
	return n_comp;
}

int cpts_lp_solve(cpts_ctx *ctx, cpts_lp *s, cpts_lp_stats *out, cpts_lp_fix_fn fix,
		  void *arg)
{
	size_t n = s->cells.n, n_comp;
	size_t *parent = cpts_calloc(n + 1, sizeof(size_t));
	size_t *comp_of = cpts_calloc(n + 1, sizeof(size_t)); /* root -> comp + 1 */
	size_t *col_of = cpts_calloc(n + 1, sizeof(size_t));
	comp *comps;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	glp_term_out(GLP_OFF);
	n_comp = components(s, parent, comp_of, &comps);
	out->n_components = n_comp;
	for (size_t k = 0; k < n_comp && rc >= 0; k++) {
		if (comps[k].n_vars > out->max_component)
			out->max_component = comps[k].n_vars;
		qsort(comps[k].vars, comps[k].n_vars, sizeof(size_t), cmp_size);
		for (size_t j = 0; j < comps[k].n_vars; j++) {
			col_of[comps[k].vars[j]] = j;
			cpts_vec_at(&s->cells, cpts_lp_cell, comps[k].vars[j]).comp = k + 1;
		}
		if (cpts_interrupted(ctx))
			rc = cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
		else
			rc = solve_comp(ctx, s, &comps[k], col_of, out, fix, arg);
	}
	for (size_t k = 0; k < n_comp; k++) {
		free(comps[k].vars);
		free(comps[k].rels);
	}
	free(comps);
	free(parent);
	free(comp_of);
	free(col_of);
	return rc < 0 ? rc : CPTS_OK;
}

void cpts_lp_index(const cpts_lp *s, size_t **off_out, size_t **rel_out)
{
	size_t n = s->cells.n, *off = cpts_calloc(n + 2, sizeof(size_t)), *rel;

	for (size_t t = 0; t < s->terms.n; t++)
		off[cpts_vec_at(&s->terms, cpts_lp_term, t).cell + 2]++;
	for (size_t i = 2; i < n + 2; i++)
		off[i] += off[i - 1];
	rel = cpts_calloc(s->terms.n + 1, sizeof(size_t));
	for (size_t r = 0; r < s->rels.n; r++) {
		const cpts_lp_rel *e = &cpts_vec_at(&s->rels, cpts_lp_rel, r);
		for (size_t t = 0; t < e->n; t++)
			rel[off[cpts_vec_at(&s->terms, cpts_lp_term, e->off + t).cell + 1]++] = r;
	}
	*off_out = off;
	*rel_out = rel;
}

/* ---- probing one cell (disclosure control's choice of a secondary suppression) ---- */

void cpts_lp_probe_init(cpts_lp_probe *p, const cpts_lp *s)
{
	size_t n = s->cells.n + 1;

	memset(p, 0, sizeof(*p));
	p->col_of = cpts_calloc(n, sizeof(size_t));
	p->cell_stamp = cpts_calloc(n, sizeof(unsigned));
	p->rel_stamp = cpts_calloc(s->rels.n + 1, sizeof(unsigned));
	p->n_cells = s->cells.n;
}

void cpts_lp_probe_release(cpts_lp_probe *p)
{
	free(p->col_of);
	free(p->cell_stamp);
	free(p->rel_stamp);
	memset(p, 0, sizeof(*p));
}

int cpts_lp_probe_bounds(cpts_ctx *ctx, cpts_lp_probe *p, const cpts_lp *s, const size_t *off,
			 const size_t *rels, size_t x, size_t max_vars, double *lo, double *hi)
{
	cpts_vec vars, rl;
	comp c;
	glp_prob *lp;
	bool warm = false;
	int r1, r2, rc = 1;

	if (x >= p->n_cells || !cell_at(s, x)->is_unknown)
		return 1;
	if (++p->stamp == 0) { /* wrapped: clear the marks */
		memset(p->cell_stamp, 0, (p->n_cells + 1) * sizeof(unsigned));
		memset(p->rel_stamp, 0, (s->rels.n + 1) * sizeof(unsigned));
		p->stamp = 1;
	}
	cpts_vec_init(&vars, sizeof(size_t), SIZE_MAX / sizeof(size_t));
	cpts_vec_init(&rl, sizeof(size_t), SIZE_MAX / sizeof(size_t));
	*(size_t *)cpts_vec_push(&vars) = x;
	p->cell_stamp[x] = p->stamp;
	/* breadth first from x; stops as soon as the component is known too large */
	for (size_t q = 0; q < vars.n && vars.n <= max_vars; q++) {
		size_t v = cpts_vec_at(&vars, size_t, q);
		for (size_t k = off[v]; k < off[v + 1] && vars.n <= max_vars; k++) {
			size_t ri = rels[k];
			const cpts_lp_rel *r = &cpts_vec_at(&s->rels, cpts_lp_rel, ri);
			const trel *e = s->trk ? &s->trk->rel[ri] : NULL;
			size_t n_t = e ? e->n : r->n;
			if (p->rel_stamp[ri] == p->stamp)
				continue;
			p->rel_stamp[ri] = p->stamp;
			*(size_t *)cpts_vec_push(&rl) = ri;
			for (size_t t = 0; t < n_t && vars.n <= max_vars; t++) {
				size_t y = term_at(s, e ? e->unk[t] : r->off + t)->cell;
				if (!cell_at(s, y)->is_unknown || p->cell_stamp[y] == p->stamp)
					continue;
				p->cell_stamp[y] = p->stamp;
				*(size_t *)cpts_vec_push(&vars) = y;
			}
		}
	}
	if (vars.n > max_vars)
		goto out; /* too large to probe: the caller decides without */
	c.vars = vars.data;
	c.n_vars = vars.n;
	c.rels = rl.data;
	c.n_rels = rl.n;
	for (size_t j = 0; j < c.n_vars; j++)
		p->col_of[c.vars[j]] = j;
	if ((r1 = one_var(s, &c, lo, hi)) >= 0) {
		r2 = r1;
	} else {
		glp_term_out(GLP_OFF);
		lp = build_lp(s, &c, p->col_of);
		r1 = optimise(lp, 1, GLP_MIN, &warm, lo);
		r2 = r1 ? r1 : optimise(lp, 1, GLP_MAX, &warm, hi);
		glp_delete_prob(lp);
	}
	if (r1 < 0 || r2 < 0)
		rc = cpts_fail(ctx, CPTS_EDEP, "GLPK could not solve a probe");
	else
		rc = r1 || r2 ? 1 : 0;
out:
	cpts_vec_release(&vars);
	cpts_vec_release(&rl);
	return rc;
}
