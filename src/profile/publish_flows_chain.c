/*
 * publish_flows_chain.c - a flow total checked against every combination of the flow
 * totals published before it (issue 19 point 3: three or more publications).
 *
 * Why: publish_flows.c compares a new total with each earlier one (their difference
 * must not be 1 to T-1), but territories A and B of one partition and A u B u {c} of
 * another give c's residents' flows, which no pair of the three differs by. Here the
 * totals are rows of a linear system: a total of residents' flows (or of flows
 * received) is the sum of its communes' flows; the communes that no published set
 * tells apart (same membership in every set) form one unknown, >= 0. A total of the
 * flows staying in a territory is a sum over the pairs of its communes: its unknowns
 * are the pairs of commune groups, grouped by the sets holding both ends. Every
 * unknown is bounded by linear programming (src/lp, GLPK) with each published total an
 * equality, and must reach 1 and T-1, or be proved 0 (no flow: nothing learnt), or be
 * at least T with no upper bound - the rule of a masked count. A narrowed unknown that
 * the old totals narrow already is not blamed on the new one (a leak published before
 * this check, or elsewhere, would otherwise withhold every later total near it).
 *
 * The culprits named in the warning are found by dropping the old totals one at a
 * time while the narrowing stays (at most 24 of them; beyond, those sharing a commune
 * with the new set).
 *
 * Ownership: everything allocated here is freed here, except *culprits (caller).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/lp.h"
#include "profile/publish_flows_int.h"

/* Largest systems checked: groups of communes (sums over communes) and groups of
 * communes whose pairs are built (sums over pairs). */
#define CHAIN_MAX_GROUPS 3000
#define CHAIN_MAX_PAIR_GROUPS 400
#define CHAIN_MAX_FILTER 24

typedef struct ch_col {
	size_t *rows; /* OWNED, increasing */
	size_t n;
} ch_col;

typedef struct ch_sys {
	cpts_vec cols;       /* ch_col */
	cpts_strmap *by_sig; /* signature -> column */
	const double *val;   /* per row (BORROWED) */
	size_t n_rows;
	double thr;
} ch_sys;

static void sig_key(cpts_buf *b, const size_t *rows, size_t n)
{
	cpts_buf_reset(b);
	for (size_t i = 0; i < n; i++)
		cpts_buf_addf(b, "%zu,", rows[i]);
}

/* The column of that membership (rows BORROWED, copied when new). */
static void col_get(ch_sys *s, cpts_buf *key, const size_t *rows, size_t n)
{
	int64_t k;

	if (!n)
		return;
	sig_key(key, rows, n);
	if (cpts_strmap_get(s->by_sig, key->data, &k))
		return;
	ch_col *c = cpts_vec_push(&s->cols);
	if (!c)
		CPTS_BUG("too many groups of communes");
	c->rows = cpts_calloc(n, sizeof(size_t));
	memcpy(c->rows, rows, n * sizeof(size_t));
	c->n = n;
	cpts_strmap_put(s->by_sig, key->data, (int64_t)s->cols.n - 1);
}

/* Bound every column over the rows marked active; narrow[j] set for the narrowed. */
static int solve(cpts_ctx *ctx, const ch_sys *s, const bool *active, bool *narrow)
{
	cpts_lp lp;
	cpts_lp_stats st;
	size_t nc = s->cols.n;
	int rc;

	cpts_lp_init(&lp);
	lp.thr = s->thr;
	for (size_t j = 0; j < nc; j++) {
		const ch_col *c = &cpts_vec_at(&s->cols, ch_col, j);
		size_t x = cpts_lp_cell_add(&lp, NULL);
		cpts_lp_cell *cell = &cpts_vec_at(&lp.cells, cpts_lp_cell, x);
		bool any = false;
		for (size_t k = 0; k < c->n && !any; k++)
			any = active[c->rows[k]];
		cell->is_target = any;
		cell->is_integer = cell->zero_ok = true;
		cell->need_lo = 1;
		cell->need_hi = s->thr - 1;
	}
	/* rows: a transposed walk over the columns (few rows, few columns) */
	for (size_t r = 0; r < s->n_rows; r++) {
		if (!active[r])
			continue;
		cpts_lp_rel_begin(&lp, s->val[r], s->val[r]);
		for (size_t j = 0; j < nc; j++) {
			const ch_col *c = &cpts_vec_at(&s->cols, ch_col, j);
			for (size_t k = 0; k < c->n; k++)
				if (c->rows[k] == r) {
					cpts_lp_rel_term(&lp, j, 1);
					break;
				}
		}
		cpts_lp_rel_end(&lp);
	}
	memset(&st, 0, sizeof(st));
	rc = cpts_lp_solve(ctx, &lp, &st, NULL, NULL);
	for (size_t j = 0; j < nc && rc >= 0; j++) {
		const cpts_lp_cell *cell = &cpts_vec_at(&lp.cells, cpts_lp_cell, j);
		/* inconsistent totals (a ledger made over other flows): nothing is claimed */
		narrow[j] = cell->is_target && cell->is_narrow && !cell->is_inconsistent;
	}
	cpts_lp_release(&lp);
	return rc;
}

/* Does any column of want stay narrowed over the active rows? */
static int still(cpts_ctx *ctx, const ch_sys *s, const bool *active, const bool *want,
		 bool *scratch, bool *out)
{
	int rc = solve(ctx, s, active, scratch);

	*out = false;
	for (size_t j = 0; j < s->cols.n && rc >= 0; j++)
		if (want[j] && scratch[j])
			*out = true;
	return rc;
}

int cpts_profile__flow_chain(cpts_ctx *ctx, size_t **culprits, size_t *n_culprits,
			     double thr, const cpts_pf_set *old, size_t n_old,
			     const cpts_vec *codes, double value, bool pairs)
{
	size_t n_rows = n_old + 1;
	cpts_strmap *ci = cpts_strmap_new(256);
	cpts_vec sigs; /* per commune: cpts_vec of size_t, rows holding it */
	cpts_buf key = CPTS_BUF_INIT;
	double *val = cpts_calloc(n_rows, sizeof(double));
	ch_sys s = { .by_sig = cpts_strmap_new(256), .val = val, .n_rows = n_rows, .thr = thr };
	bool *active = NULL, *with = NULL, *without = NULL, *want = NULL, *scratch = NULL;
	int rc = 0;

	*culprits = NULL;
	*n_culprits = 0;
	cpts_vec_init(&sigs, sizeof(cpts_vec), SIZE_MAX / sizeof(cpts_vec));
	cpts_vec_init(&s.cols, sizeof(ch_col), SIZE_MAX / sizeof(ch_col));
	for (size_t r = 0; r < n_rows; r++) {
		const cpts_vec *set = r ? old[r - 1].codes : codes;
		val[r] = r ? old[r - 1].value : value;
		for (size_t i = 0; i < set->n; i++) {
			const char *code = cpts_vec_at(set, char *, i);
			int64_t k;
			if (!cpts_strmap_get(ci, code, &k)) {
				cpts_vec *v = cpts_vec_push(&sigs);
				cpts_vec_init(v, sizeof(size_t), SIZE_MAX / sizeof(size_t));
				k = (int64_t)sigs.n - 1;
				cpts_strmap_put(ci, code, k);
			}
			cpts_vec *v = &cpts_vec_at(&sigs, cpts_vec, (size_t)k);
			/* a commune twice in one set counts once */
			if (!v->n || cpts_vec_at(v, size_t, v->n - 1) != r)
				*(size_t *)cpts_vec_push(v) = r;
		}
	}
	/* groups of communes: one per membership */
	for (size_t i = 0; i < sigs.n; i++) {
		cpts_vec *v = &cpts_vec_at(&sigs, cpts_vec, i);
		col_get(&s, &key, (const size_t *)v->data, v->n);
	}
	if (pairs) {
		/* pairs of groups: the sets holding both ends */
		size_t ng = s.cols.n;
		ch_col *g = cpts_calloc(ng + 1, sizeof(ch_col));
		size_t *tmp = cpts_calloc(n_rows + 1, sizeof(size_t));
		if (ng > CHAIN_MAX_PAIR_GROUPS) {
			free(g);
			free(tmp);
			rc = 2;
			goto out;
		}
		memcpy(g, s.cols.data, ng * sizeof(ch_col));
		s.cols.n = 0;
		cpts_strmap_free(s.by_sig);
		s.by_sig = cpts_strmap_new(256);
		for (size_t p = 0; p < ng; p++)
			for (size_t q = 0; q < ng; q++) {
				size_t a = 0, b = 0, n = 0;
				while (a < g[p].n && b < g[q].n) {
					if (g[p].rows[a] == g[q].rows[b]) {
						tmp[n++] = g[p].rows[a];
						a++;
						b++;
					} else if (g[p].rows[a] < g[q].rows[b]) {
						a++;
					} else {
						b++;
					}
				}
				col_get(&s, &key, tmp, n);
			}
		for (size_t p = 0; p < ng; p++)
			free(g[p].rows);
		free(g);
		free(tmp);
	} else if (s.cols.n > CHAIN_MAX_GROUPS) {
		rc = 2;
		goto out;
	}
	active = cpts_calloc(n_rows, sizeof(bool));
	with = cpts_calloc(s.cols.n + 1, sizeof(bool));
	without = cpts_calloc(s.cols.n + 1, sizeof(bool));
	want = cpts_calloc(s.cols.n + 1, sizeof(bool));
	scratch = cpts_calloc(s.cols.n + 1, sizeof(bool));
	for (size_t r = 0; r < n_rows; r++)
		active[r] = true;
	if ((rc = solve(ctx, &s, active, with)) < 0)
		goto out;
	bool any = false;
	for (size_t j = 0; j < s.cols.n; j++)
		any = any || with[j];
	if (!any)
		goto out; /* rc = 0 */
	active[0] = false;
	if ((rc = solve(ctx, &s, active, without)) < 0)
		goto out;
	active[0] = true;
	any = false;
	for (size_t j = 0; j < s.cols.n; j++) {
		want[j] = with[j] && !without[j];
		any = any || want[j];
	}
	if (!any)
		goto out; /* narrowed before the new total: not its doing */
	rc = 1;
	*culprits = cpts_calloc(n_old + 1, sizeof(size_t));
	if (n_old <= CHAIN_MAX_FILTER) {
		/* drop each old total the narrowing survives without */
		for (size_t r = 1; r < n_rows; r++) {
			bool keep;
			int e;
			active[r] = false;
			if ((e = still(ctx, &s, active, want, scratch, &keep)) < 0) {
				rc = e;
				goto out;
			}
			if (!keep)
				active[r] = true;
		}
		for (size_t r = 1; r < n_rows; r++)
			if (active[r])
				(*culprits)[(*n_culprits)++] = r - 1;
	} else {
		for (size_t r = 1; r < n_rows; r++)
			if (cpts_profile__codes_overlap(old[r - 1].codes, codes))
				(*culprits)[(*n_culprits)++] = r - 1;
	}
out:
	if (rc != 1 && *culprits) {
		free(*culprits);
		*culprits = NULL;
		*n_culprits = 0;
	}
	for (size_t i = 0; i < sigs.n; i++)
		cpts_vec_release(&cpts_vec_at(&sigs, cpts_vec, i));
	cpts_vec_release(&sigs);
	for (size_t j = 0; j < s.cols.n; j++)
		free(cpts_vec_at(&s.cols, ch_col, j).rows);
	cpts_vec_release(&s.cols);
	cpts_strmap_free(s.by_sig);
	cpts_strmap_free(ci);
	cpts_buf_release(&key);
	free(val);
	free(active);
	free(with);
	free(without);
	free(want);
	free(scratch);
	return rc;
}
