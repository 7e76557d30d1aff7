/*
 * test_lp.c - the bookkeeping of src/lp/lp.c (cpts_lp_track: per relation its known
 * part and its unknown terms, kept current by cpts_lp_cell_set_unknown) and the
 * intervals read off without GLPK (a lone unknown), checked against the system read
 * from scratch and every interval solved by GLPK (cpts_lp.plain) on random systems:
 * the same return codes and the same intervals to 1e-9, after every change of state,
 * through cpts_lp_probe_bounds and cpts_lp_solve. The known parts and unknown lists
 * are compared with sums recomputed here from the terms.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpts/ctx.h"
#include "cpts/lp.h"
#include "tap.h"

/* a small deterministic generator (xorshift64*), so a failure replays */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}
static size_t rnd_below(size_t n)
{
	return (size_t)(rnd() % n);
}

static cpts_lp_cell *cell(cpts_lp *s, size_t i)
{
	return &cpts_vec_at(&s->cells, cpts_lp_cell, i);
}

/* One random system, built twice (a with the bookkeeping, b from scratch and all
 * through GLPK). Values are counts; relations are "total = sum of parts" (a total
 * and 1-6 parts, the first a long sum over half the cells, sometimes a breakdown
 * "total >= parts"), all true for the values; about a sixth of the cells unknown,
 * some with the "< 11" bounds. */
static void make(cpts_lp *a, cpts_lp *b, size_t n_cells, size_t n_rels, bool frac)
{
	double *val = calloc(n_cells, sizeof(double));
	bool *unk = calloc(n_cells, sizeof(bool));
	bool *bnd = calloc(n_cells, sizeof(bool));
	size_t *parts = calloc(n_cells, sizeof(size_t));

	for (size_t i = 0; i < n_cells; i++) {
		val[i] = (double)rnd_below(40);
		if (frac && rnd_below(4) == 0)
			val[i] += 0.25 * (double)rnd_below(4);
		unk[i] = rnd_below(6) == 0;
		bnd[i] = unk[i] && val[i] <= 10 && rnd_below(2) == 0;
	}
	for (int w = 0; w < 2; w++) {
		cpts_lp *s = w ? b : a;
		cpts_lp_init(s);
		s->thr = 11;
		s->keep_known = true;
		s->plain = w == 1;
		for (size_t i = 0; i < n_cells; i++) {
			cpts_lp_cell *c = cell(s, cpts_lp_cell_add(s, NULL));
			c->is_integer = !frac;
			c->is_unknown = unk[i];
			c->value = unk[i] ? 0 : val[i]; /* a masked cell's value is not read */
			c->lo = 0;
			c->hi = bnd[i] ? 10 : INFINITY;
			c->is_target = unk[i];
			c->need_lo = 1;
			c->need_hi = 10;
		}
	}
	for (size_t r = 0; r < n_rels; r++) {
		size_t n = r == 0 ? n_cells / 2 : 1 + rnd_below(6), total;
		double sum = 0, coef = frac && rnd_below(3) == 0 ? 0.5 : 1;
		bool breakdown = rnd_below(5) == 0;
		for (size_t k = 0; k < n; k++) {
			parts[k] = rnd_below(n_cells);
			sum += coef * val[parts[k]];
		}
		/* the total: a new value would break other relations, so the relation
		   holds by its bounds: total - parts in [lo, hi] around the true value */
		total = rnd_below(n_cells);
		for (int w = 0; w < 2; w++) {
			cpts_lp *s = w ? b : a;
			double d = val[total] - sum;
			cpts_lp_rel_begin(s, breakdown ? -INFINITY : d, d);
			cpts_lp_rel_term(s, total, 1);
			for (size_t k = 0; k < n; k++)
				cpts_lp_rel_term(s, parts[k], -coef);
			cpts_lp_rel_end(s);
		}
	}
	/* the values of the unknown cells, kept for when they become known */
	for (int w = 0; w < 2; w++) {
		cpts_lp *s = w ? b : a;
		for (size_t i = 0; i < n_cells; i++)
			cell(s, i)->value = val[i];
	}
	free(val);
	free(unk);
	free(bnd);
	free(parts);
}

/* The bookkeeping of a equals the sums and unknown terms read from its terms. */
static bool books_ok(const cpts_lp *a, size_t *bad_rel)
{
	for (size_t r = 0; r < a->rels.n; r++) {
		const cpts_lp_rel *e = &cpts_vec_at(&a->rels, cpts_lp_rel, r);
		const size_t *unk;
		size_t n_unk, j = 0;
		double known, k = 0;
		if (!cpts_lp_rel_tracked(a, r, &known, &unk, &n_unk)) {
			*bad_rel = r;
			return false;
		}
		for (size_t t = e->off; t < e->off + e->n; t++) {
			const cpts_lp_term *tm = &cpts_vec_at(&a->terms, cpts_lp_term, t);
			const cpts_lp_cell *c = &cpts_vec_at(&a->cells, cpts_lp_cell, tm->cell);
			if (!c->is_unknown) {
				k += tm->coef * c->value;
				continue;
			}
			if (j >= n_unk || unk[j] != t) {
				*bad_rel = r;
				return false;
			}
			j++;
		}
		if (j != n_unk || fabs(k - known) > 1e-9) {
			*bad_rel = r;
			return false;
		}
	}
	return true;
}

static bool same(double x, double y)
{
	return (isinf(x) && isinf(y) && (x > 0) == (y > 0)) || fabs(x - y) <= 1e-9;
}

/* Random changes of state on a and b alike; after each, probes of random unknown
 * cells compared. Returns the number of probes compared (mismatches reported). */
static size_t run(cpts_ctx *ctx, size_t n_cells, size_t n_rels, bool frac, size_t steps,
		  size_t *n_bad, size_t *n_books_bad, size_t *n_one)
{
	cpts_lp a, b;
	cpts_lp_probe pa, pb;
	size_t *off, *rels, n_cmp = 0, bad_rel = 0;

	make(&a, &b, n_cells, n_rels, frac);
	cpts_lp_index(&a, &off, &rels);
	cpts_lp_track(&a);
	cpts_lp_probe_init(&pa, &a);
	cpts_lp_probe_init(&pb, &b);
	for (size_t step = 0; step < steps; step++) {
		size_t y = rnd_below(n_cells);
		bool u = !cell(&a, y)->is_unknown;
		/* a change of state, sometimes undone at once (a probe's trial) */
		cpts_lp_cell_set_unknown(&a, y, u);
		cell(&b, y)->is_unknown = u;
		if (!books_ok(&a, &bad_rel)) {
			(*n_books_bad)++;
			printf("# books differ at step %zu, relation %zu\n", step, bad_rel);
		}
		for (int q = 0; q < 3; q++) {
			size_t x = rnd_below(n_cells);
			for (int tries = 0; tries < 4 && !cell(&a, x)->is_unknown; tries++)
				x = rnd_below(n_cells); /* mostly unknown cells */
			double la = 0, ha = 0, lb = 0, hb = 0;
			bool lone = cell(&a, x)->is_unknown;
			for (size_t k = off[x]; k < off[x + 1] && lone; k++) {
				double known;
				const size_t *unk;
				size_t n_unk;
				cpts_lp_rel_tracked(&a, rels[k], &known, &unk, &n_unk);
				for (size_t j = 0; j < n_unk; j++)
					lone &= cpts_vec_at(&a.terms, cpts_lp_term, unk[j]).cell == x;
			}
			*n_one += lone;
			int ra = cpts_lp_probe_bounds(ctx, &pa, &a, off, rels, x, 40, &la, &ha);
			int rb = cpts_lp_probe_bounds(ctx, &pb, &b, off, rels, x, 40, &lb, &hb);
			n_cmp++;
			if (ra != rb || (ra == 0 && !(same(la, lb) && same(ha, hb)))) {
				(*n_bad)++;
				printf("# step %zu cell %zu: bookkeeping %d [%.12g, %.12g], from"
				       " scratch %d [%.12g, %.12g]\n", step, x, ra, la, ha, rb, lb, hb);
			}
		}
		if (rnd_below(2) == 0) { /* undone */
			cpts_lp_cell_set_unknown(&a, y, !u);
			cell(&b, y)->is_unknown = !u;
		}
	}
	/* the whole solve over both, every target */
	{
		cpts_lp_stats sa, sb;
		int ra = cpts_lp_solve(ctx, &a, &sa, NULL, NULL);
		int rb = cpts_lp_solve(ctx, &b, &sb, NULL, NULL);
		if (ra != rb || sa.n_narrow != sb.n_narrow || sa.n_inconsistent != sb.n_inconsistent)
			(*n_bad)++;
		for (size_t i = 0; i < n_cells; i++) {
			const cpts_lp_cell *x = cell(&a, i), *z = cell(&b, i);
			if (!x->is_unknown || !x->is_target || x->is_inconsistent)
				continue;
			n_cmp++;
			if (!same(x->found_lo, z->found_lo) || !same(x->found_hi, z->found_hi) ||
			    x->is_narrow != z->is_narrow) {
				(*n_bad)++;
				printf("# solve cell %zu: [%.12g, %.12g] vs [%.12g, %.12g]\n", i,
				       x->found_lo, x->found_hi, z->found_lo, z->found_hi);
			}
		}
	}
	cpts_lp_probe_release(&pa);
	cpts_lp_probe_release(&pb);
	free(off);
	free(rels);
	cpts_lp_release(&a);
	cpts_lp_release(&b);
	return n_cmp;
}

int main(void)
{
	cpts_ctx ctx;

	cpts_ctx_init(&ctx);

	/* a lone unknown, worked by hand: 100 = a + 40 + 55 pins a at 5; with the "parts
	   at most the total" form 100 >= a + 40 + 20 it is [0, 40]; both at once: 5 */
	{
		cpts_lp s[2];
		cpts_lp_probe p[2];
		size_t *off, *rels;
		for (int w = 0; w < 2; w++) {
			cpts_lp_init(&s[w]);
			s[w].thr = 11;
			s[w].plain = w == 1;
			size_t T = cpts_lp_cell_add(&s[w], "T"), A = cpts_lp_cell_add(&s[w], "a");
			size_t c1 = cpts_lp_cell_add(&s[w], "c1"), c2 = cpts_lp_cell_add(&s[w], "c2");
			size_t c3 = cpts_lp_cell_add(&s[w], "c3");
			double v[] = { 100, 0, 40, 55, 20 };
			for (size_t i = 0; i < 5; i++) {
				cell(&s[w], i)->is_unknown = i == A;
				cell(&s[w], i)->value = v[i];
			}
			cpts_lp_rel_begin(&s[w], 0, INFINITY);
			cpts_lp_rel_term(&s[w], T, 1);
			cpts_lp_rel_term(&s[w], A, -1);
			cpts_lp_rel_term(&s[w], c1, -1);
			cpts_lp_rel_term(&s[w], c3, -1);
			cpts_lp_rel_end(&s[w]);
			cpts_lp_rel_begin(&s[w], 0, 0);
			cpts_lp_rel_term(&s[w], T, 1);
			cpts_lp_rel_term(&s[w], A, -1);
			cpts_lp_rel_term(&s[w], c1, -1);
			cpts_lp_rel_term(&s[w], c2, -1);
			cpts_lp_rel_end(&s[w]);
			if (w == 0)
				cpts_lp_track(&s[w]);
		}
		cpts_lp_index(&s[0], &off, &rels);
		for (int w = 0; w < 2; w++) {
			double lo = -1, hi = -1;
			const char *how = w ? "GLPK" : "read off";
			cpts_lp_probe_init(&p[w], &s[w]);
			is_int(cpts_lp_probe_bounds(&ctx, &p[w], &s[w], off, rels, 1, 10, &lo, &hi), 0,
			       "lone unknown (%s): probed", how);
			ok(fabs(lo - 5) < 1e-9 && fabs(hi - 5) < 1e-9,
			   "lone unknown (%s): 100 - 40 - 55 = 5 (got [%g, %g])", how, lo, hi);
			/* c2 out: a only under the breakdown, 0 <= a <= 100 - 40 - 20 */
			cpts_lp_cell_set_unknown(&s[w], 3, true);
			is_int(cpts_lp_probe_bounds(&ctx, &p[w], &s[w], off, rels, 1, 10, &lo, &hi), 0,
			       "two unknowns (%s): probed", how);
			ok(fabs(lo) < 1e-9 && fabs(hi - 40) < 1e-9,
			   "c2 suppressed (%s): a in [0, 40] (got [%g, %g])", how, lo, hi);
			cpts_lp_cell_set_unknown(&s[w], 3, false);
			/* c1 and c2 known, a's bound 10 against 100 - 40 - 55 = 5: still 5;
			   with a >= 6 no solution */
			cell(&s[w], 1)->lo = 6;
			is_int(cpts_lp_probe_bounds(&ctx, &p[w], &s[w], off, rels, 1, 10, &lo, &hi), 1,
			       "lone unknown (%s): bound 6 above the 5 of the relation: no solution",
			       how);
			cell(&s[w], 1)->lo = 0;
			/* max_vars 0: the component (1 unknown) is too large */
			is_int(cpts_lp_probe_bounds(&ctx, &p[w], &s[w], off, rels, 1, 0, &lo, &hi), 1,
			       "component above max_vars (%s): not probed", how);
			cpts_lp_probe_release(&p[w]);
		}
		{
			double known;
			const size_t *unk;
			size_t n_unk;
			ok(cpts_lp_rel_tracked(&s[0], 1, &known, &unk, &n_unk) && n_unk == 1 &&
			   unk[0] == 5 && fabs(known - (100 - 40 - 55)) < 1e-12,
			   "bookkeeping: relation 2 knows 100 - 40 - 55, unknown term 6 (a)");
			cpts_lp_cell_set_unknown(&s[0], 0, true);
			ok(cpts_lp_rel_tracked(&s[0], 1, &known, &unk, &n_unk) && n_unk == 2 &&
			   unk[0] == 4 && unk[1] == 5 && fabs(known + 95) < 1e-12,
			   "bookkeeping: T out, relation 2 knows -95, unknown terms 5, 6 in order");
			ok(!cpts_lp_rel_tracked(&s[1], 1, &known, &unk, &n_unk),
			   "no bookkeeping without cpts_lp_track");
		}
		free(off);
		free(rels);
		cpts_lp_release(&s[0]);
		cpts_lp_release(&s[1]);
	}

	/* random systems: counts, then non-integer values and coefficients */
	for (int frac = 0; frac < 2; frac++) {
		size_t n_bad = 0, n_books_bad = 0, n_cmp = 0, n_one = 0;
		for (int rep = 0; rep < 12; rep++)
			n_cmp += run(&ctx, 30 + 10 * (size_t)rep, 20 + 6 * (size_t)rep, frac, 60,
				     &n_bad, &n_books_bad, &n_one);
		ok(n_cmp > 2000, "%s: %zu intervals compared", frac ? "fractions" : "counts", n_cmp);
		ok(n_one > 50, "%s: %zu of them of a lone unknown (read off)",
		   frac ? "fractions" : "counts", n_one);
		is_int(n_books_bad, 0, "%s: known parts and unknown terms equal those read from"
		       " the terms after every change", frac ? "fractions" : "counts");
		is_int(n_bad, 0, "%s: the same intervals to 1e-9 with the bookkeeping (and lone"
		       " unknowns read off) as from scratch through GLPK", frac ? "fractions" : "counts");
	}

	cpts_ctx_release(&ctx);
	return done_testing();
}
