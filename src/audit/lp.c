/*
 * lp.c - the audit's linear system and its solution with GLPK.
 *
 * Why components: a France export holds millions of cells, but a masked cell is tied
 * only to the cells sharing a relation with it, transitively. Union-find over the
 * unknowns of every relation splits the system into independent components; each gets
 * its own small GLPK problem, solved twice per masked cell (minimise, maximise). The
 * problem of a component is built once and only its objective changes between solves,
 * so the simplex starts from the previous optimal basis (presolve off after the first
 * solve: GLPK's presolver discards the basis).
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

#include "audit/audit_int.h"
#include "cpts/util.h"

void au_sys_init(au_sys *s)
{
	memset(s, 0, sizeof(*s));
	cpts_vec_init(&s->cells, sizeof(au_cell), SIZE_MAX / sizeof(au_cell));
	cpts_vec_init(&s->rels, sizeof(au_rel), SIZE_MAX / sizeof(au_rel));
	cpts_vec_init(&s->terms, sizeof(au_term), SIZE_MAX / sizeof(au_term));
	s->index = cpts_strmap_new(1024);
}

void au_sys_release(au_sys *s)
{
	for (size_t i = 0; i < s->cells.n; i++)
		free(cpts_vec_at(&s->cells, au_cell, i).name);
	cpts_vec_release(&s->cells);
	cpts_vec_release(&s->rels);
	cpts_vec_release(&s->terms);
	cpts_strmap_free(s->index);
	s->index = NULL;
}

long au_cell_find(const au_sys *s, const char *name)
{
	int64_t k;

	return cpts_strmap_get(s->index, name, &k) ? (long)k : -1;
}

size_t au_cell_get(au_sys *s, const char *name)
{
	long k = au_cell_find(s, name);
	au_cell *c;

	if (k >= 0)
		return (size_t)k;
	c = cpts_vec_push(&s->cells);
	if (!c)
		CPTS_BUG("audit: too many cells");
	memset(c, 0, sizeof(*c));
	c->name = cpts_strdup(name);
	c->is_unknown = true;
	c->lo = 0;
	c->hi = INFINITY;
	cpts_strmap_put(s->index, name, (int64_t)(s->cells.n - 1));
	return s->cells.n - 1;
}

void au_rel_begin(au_sys *s, double lo, double hi)
{
	au_rel *r = cpts_vec_push(&s->rels);

	if (!r)
		CPTS_BUG("audit: too many relations");
	r->off = s->terms.n;
	r->n = 0;
	r->lo = lo;
	r->hi = hi;
}

void au_rel_term(au_sys *s, size_t cell, double coef)
{
	au_rel *r = &cpts_vec_at(&s->rels, au_rel, s->rels.n - 1);
	au_term *t = cpts_vec_push(&s->terms);

	if (!t)
		CPTS_BUG("audit: too many terms");
	t->cell = cell;
	t->coef = coef;
	r->n++;
}

void au_rel_end(au_sys *s)
{
	au_rel *r = &cpts_vec_at(&s->rels, au_rel, s->rels.n - 1);

	for (size_t k = 0; k < r->n; k++)
		if (cpts_vec_at(&s->cells, au_cell, cpts_vec_at(&s->terms, au_term,
								 r->off + k).cell).is_unknown)
			return;
	s->terms.n = r->off;
	s->rels.n--;
}

/* ---- union-find ---- */

static size_t uf_find(size_t *p, size_t i)
{
	while (p[i] != i) {
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

static void uf_union(size_t *p, size_t a, size_t b)
{
	a = uf_find(p, a);
	b = uf_find(p, b);
	if (a != b)
		p[a < b ? b : a] = a < b ? a : b;
}

/* ---- one component ---- */

/** A component: its unknowns and its relations, as indices into the system. */
typedef struct comp {
	size_t *vars, n_vars;
	size_t *rels, n_rels;
} comp;

static const au_cell *cell_at(const au_sys *s, size_t i)
{
	return &cpts_vec_at(&s->cells, au_cell, i);
}

/* Build the GLPK problem of a component; col j+1 is vars[j]. col_of maps cells to
 * columns (only the component's entries are set). */
static glp_prob *build_lp(const au_sys *s, const comp *c, const size_t *col_of)
{
	glp_prob *lp = glp_create_prob();
	size_t nz = 0;
	int *ia, *ja;
	double *ar;

	glp_add_cols(lp, (int)c->n_vars);
	for (size_t j = 0; j < c->n_vars; j++) {
		const au_cell *x = cell_at(s, c->vars[j]);
		int type = isinf(x->hi) ? GLP_LO : x->hi - x->lo < 1e-12 ? GLP_FX : GLP_DB;
		glp_set_col_bnds(lp, (int)j + 1, type, x->lo, isinf(x->hi) ? 0 : x->hi);
	}
	glp_add_rows(lp, (int)c->n_rels);
	for (size_t i = 0; i < c->n_rels; i++)
		nz += cpts_vec_at(&s->rels, au_rel, c->rels[i]).n;
	ia = cpts_calloc(nz + 1, sizeof(int));
	ja = cpts_calloc(nz + 1, sizeof(int));
	ar = cpts_calloc(nz + 1, sizeof(double));
	nz = 0;
	for (size_t i = 0; i < c->n_rels; i++) {
		const au_rel *r = &cpts_vec_at(&s->rels, au_rel, c->rels[i]);
		double k = 0, lo, hi;
		int type;
		for (size_t t = 0; t < r->n; t++) {
			const au_term *tm = &cpts_vec_at(&s->terms, au_term, r->off + t);
			const au_cell *x = cell_at(s, tm->cell);
			if (!x->is_unknown) {
				k += tm->coef * x->value;
				continue;
			}
			nz++;
			ia[nz] = (int)i + 1;
			ja[nz] = (int)col_of[tm->cell] + 1;
			ar[nz] = tm->coef;
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

static void fmt_num(char *b, size_t n, double v)
{
	if (isinf(v))
		snprintf(b, n, "%s", v > 0 ? "+inf" : "-inf");
	else if (fabs(v - nearbyint(v)) < 1e-9)
		snprintf(b, n, "%.0f", v);
	else
		snprintf(b, n, "%.6g", v);
}

/* The published and masked cells sharing a relation with target x. */
static void list_narrowing(const au_sys *s, const comp *c, size_t x, FILE *out,
			   size_t max_list)
{
	size_t shown = 0, more = 0;
	cpts_strmap *seen = cpts_strmap_new(64);
	char b[64];

	fprintf(out, "  narrowed by:");
	for (size_t i = 0; i < c->n_rels; i++) {
		const au_rel *r = &cpts_vec_at(&s->rels, au_rel, c->rels[i]);
		bool has = false;
		for (size_t t = 0; t < r->n && !has; t++)
			has = cpts_vec_at(&s->terms, au_term, r->off + t).cell == x;
		if (!has)
			continue;
		for (size_t t = 0; t < r->n; t++) {
			const au_cell *y = cell_at(s, cpts_vec_at(&s->terms, au_term, r->off + t).cell);
			if (y == cell_at(s, x) || cpts_strmap_get(seen, y->name, NULL))
				continue;
			cpts_strmap_put(seen, y->name, 1);
			if (shown >= max_list) {
				more++;
				continue;
			}
			if (y->is_unknown)
				fprintf(out, "\n    %s (masked)", y->name);
			else {
				fmt_num(b, sizeof(b), y->value);
				fprintf(out, "\n    %s = %s", y->name, b);
			}
			shown++;
		}
	}
	if (more)
		fprintf(out, "\n    ... and %zu more", more);
	fputc('\n', out);
	cpts_strmap_free(seen);
}

/* Solve one component: every target twice. */
static int solve_comp(cpts_ctx *ctx, const au_sys *s, const comp *c, const size_t *col_of,
		      FILE *report, size_t max_list, cpts_audit_result *out)
{
	glp_prob *lp = build_lp(s, c, col_of);
	bool warm = false;
	int rc = 0;

	for (size_t j = 0; j < c->n_vars; j++) {
		const au_cell *x = cell_at(s, c->vars[j]);
		double lo, hi, ilo, ihi;
		int r1, r2;
		char a[64], b[64], e[64], f[64];
		if (!x->is_target)
			continue;
		r1 = optimise(lp, (int)j + 1, GLP_MIN, &warm, &lo);
		r2 = r1 ? r1 : optimise(lp, (int)j + 1, GLP_MAX, &warm, &hi);
		out->n_lp += r1 ? 1 : 2;
		if (r1 < 0 || r2 < 0) {
			rc = cpts_fail(ctx, CPTS_EDEP, "GLPK could not solve the component of %s",
				       x->name);
			break;
		}
		if (r1 > 0 || r2 > 0) {
			out->n_inconsistent++;
			fprintf(report, "inconsistent: the published numbers around %s contradict"
				" the relations (not a cpts publication, or edited)\n", x->name);
			break;
		}
		ilo = x->is_integer ? ceil(lo - 1e-6) : lo;
		ihi = x->is_integer ? floor(hi + 1e-6) : hi;
		((au_cell *)x)->found_lo = ilo;
		((au_cell *)x)->found_hi = ihi;
		/* open enough, or known to be at least the threshold (a suppressed large
		   count: nothing sensitive is learnt) */
		if ((ilo <= x->need_lo + 1e-6 && ihi >= x->need_hi - 1e-6) ||
		    (isinf(x->hi) && ilo > x->need_hi + 1e-6))
			continue;
		/* an aggregate over pre-masked input ("at least N", bounds wider than a
		   masked cell): what must stay is room for a masked cell, T-1 values */
		if (x->need_hi - x->need_lo > s->thr - 2 + 1e-6 && ihi - ilo >= s->thr - 2 - 1e-6)
			continue;
		out->n_findings++;
		fmt_num(a, sizeof(a), ilo);
		fmt_num(b, sizeof(b), ihi);
		fmt_num(e, sizeof(e), x->need_lo);
		fmt_num(f, sizeof(f), x->need_hi);
		fprintf(report, "leak: %s is masked but lies in [%s, %s]%s (must span [%s, %s])\n",
			x->name, a, b, ilo == ihi ? ", determined" : "", e, f);
		list_narrowing(s, c, c->vars[j], report, max_list);
	}
	glp_delete_prob(lp);
	return rc;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int au_solve(cpts_ctx *ctx, au_sys *s, FILE *report, size_t max_list,
	     cpts_audit_result *out)
{
	size_t n = s->cells.n, n_comp = 0;
	size_t *parent = cpts_calloc(n + 1, sizeof(size_t));
	size_t *comp_of = cpts_calloc(n + 1, sizeof(size_t)); /* root -> comp + 1 */
	size_t *col_of = cpts_calloc(n + 1, sizeof(size_t));
	comp *comps;
	int rc = 0;

	glp_term_out(GLP_OFF);
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	for (size_t i = 0; i < s->rels.n; i++) {
		const au_rel *r = &cpts_vec_at(&s->rels, au_rel, i);
		long first = -1;
		for (size_t t = 0; t < r->n; t++) {
			size_t c = cpts_vec_at(&s->terms, au_term, r->off + t).cell;
			if (!cell_at(s, c)->is_unknown)
				continue;
			if (first < 0)
				first = (long)c;
			else
				uf_union(parent, (size_t)first, c);
		}
	}
	/* components holding a target; a cell masked in one file and published in
	   another is a finding by itself */
	for (size_t i = 0; i < n; i++) {
		const au_cell *x = cell_at(s, i);
		char b[64];
		if (x->was_masked && !x->is_unknown) {
			out->n_masked++;
			out->n_findings++;
			fmt_num(b, sizeof(b), x->value);
			fprintf(report, "leak: %s is masked in one publication and published as"
				" %s in another\n", x->name, b);
		}
		if (x->is_target)
			out->n_masked++;
		if (x->is_target && comp_of[uf_find(parent, i)] == 0)
			comp_of[uf_find(parent, i)] = ++n_comp;
	}
	comps = cpts_calloc(n_comp + 1, sizeof(comp));
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			size_t k;
			if (!cell_at(s, i)->is_unknown || (k = comp_of[uf_find(parent, i)]) == 0)
				continue;
			if (pass)
				col_of[i] = comps[k - 1].n_vars, comps[k - 1].vars[comps[k - 1].n_vars] = i;
			comps[k - 1].n_vars++;
		}
		for (size_t i = 0; i < s->rels.n; i++) {
			const au_rel *r = &cpts_vec_at(&s->rels, au_rel, i);
			size_t k = 0;
			for (size_t t = 0; t < r->n && !k; t++) {
				size_t c = cpts_vec_at(&s->terms, au_term, r->off + t).cell;
				if (cell_at(s, c)->is_unknown)
					k = comp_of[uf_find(parent, c)];
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
	out->n_components = n_comp;
	out->n_relations = s->rels.n;
	out->n_cells = n;
	for (size_t k = 0; k < n_comp && rc == 0; k++) {
		if (comps[k].n_vars > out->max_component)
			out->max_component = comps[k].n_vars;
		qsort(comps[k].vars, comps[k].n_vars, sizeof(size_t), cmp_size);
		for (size_t j = 0; j < comps[k].n_vars; j++)
			col_of[comps[k].vars[j]] = j;
		if (cpts_interrupted(ctx))
			rc = cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
		else
			rc = solve_comp(ctx, s, &comps[k], col_of, report, max_list, out);
	}
	for (size_t k = 0; k < n_comp; k++) {
		free(comps[k].vars);
		free(comps[k].rels);
	}
	free(comps);
	free(parent);
	free(comp_of);
	free(col_of);
	return rc;
}
