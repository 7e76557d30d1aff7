/*
 * test_audit.c - the audit's linear programs on small systems whose intervals are
 * worked out by hand in the comments: a masked commune pinned by its territory total,
 * two masked cells with a small remainder (both in [9, 10]), a share pinning its
 * numerator, a protected relation (no finding), independent components, a cell masked
 * in one publication and published in another, and contradictory numbers.
 */
#include <math.h>
#include <stdio.h>

#include "audit/audit_int.h"
#include "cpts/ctx.h"
#include "tap.h"

static size_t pub(cpts_lp *s, const char *name, double v)
{
	size_t i = cpts_lp_cell_get(s, name);
	cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, i);

	c->is_unknown = false;
	c->value = v;
	return i;
}

static size_t masked(cpts_lp *s, const char *name, double lo, double hi)
{
	size_t i = cpts_lp_cell_get(s, name);
	cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, i);

	c->is_target = c->is_integer = true;
	c->lo = c->need_lo = lo;
	c->hi = hi;
	c->need_hi = isinf(hi) ? s->thr - 1 : hi;
	return i;
}

static cpts_lp_cell *cell(cpts_lp *s, size_t i)
{
	return &cpts_vec_at(&s->cells, cpts_lp_cell, i);
}

/* total = sum of cells (all with coefficient -1 after the total) */
static void sum_rel(cpts_lp *s, size_t total, const size_t *parts, size_t n)
{
	cpts_lp_rel_begin(s, 0, 0);
	cpts_lp_rel_term(s, total, 1);
	for (size_t k = 0; k < n; k++)
		cpts_lp_rel_term(s, parts[k], -1);
	cpts_lp_rel_end(s);
}

static int solve(cpts_ctx *ctx, cpts_lp *s, cpts_audit_result *r)
{
	FILE *devnull = fopen("/dev/null", "w");
	int rc;

	*r = (cpts_audit_result){ 0 };
	rc = au_solve(ctx, s, devnull, 8, r);
	fclose(devnull);
	return rc;
}

int main(void)
{
	cpts_ctx ctx;
	cpts_audit_result r;
	cpts_lp s;

	cpts_ctx_init(&ctx);

	/* 100 = a + 40 + 55: a = 5 whatever its bounds */
	cpts_lp_init(&s);
	s.thr = 11;
	size_t t = pub(&s, "T", 100), a = masked(&s, "a", 1, 10);
	size_t p1[] = { a, pub(&s, "c1", 40), pub(&s, "c2", 55) };
	sum_rel(&s, t, p1, 3);
	is_int(solve(&ctx, &s, &r), 0, "solve: one unknown");
	is_int(r.n_findings, 1, "total minus published communes pins the masked one");
	ok(cell(&s, a)->found_lo == 5 && cell(&s, a)->found_hi == 5, "a determined = 5 (got"
	   " [%g, %g])", cell(&s, a)->found_lo, cell(&s, a)->found_hi);
	cpts_lp_release(&s);

	/* 100 = a + b + 81, a, b in [1, 10]: a = 19 - b in [9, 10] */
	cpts_lp_init(&s);
	s.thr = 11;
	t = pub(&s, "T", 100);
	a = masked(&s, "a", 1, 10);
	size_t b = masked(&s, "b", 1, 10);
	size_t p2[] = { a, b, pub(&s, "c", 81) };
	sum_rel(&s, t, p2, 3);
	solve(&ctx, &s, &r);
	is_int(r.n_findings, 2, "two masked cells with remainder 19: both narrowed");
	ok(cell(&s, a)->found_lo == 9 && cell(&s, a)->found_hi == 10, "a in [9, 10] (got"
	   " [%g, %g])", cell(&s, a)->found_lo, cell(&s, a)->found_hi);
	cpts_lp_release(&s);

	/* same, but no upper bound published (secondary-looking cells): a in [1, 18] */
	cpts_lp_init(&s);
	s.thr = 11;
	t = pub(&s, "T", 100);
	a = masked(&s, "a", 1, INFINITY);
	b = masked(&s, "b", 1, INFINITY);
	size_t p3[] = { a, b, pub(&s, "c", 81) };
	sum_rel(&s, t, p3, 3);
	solve(&ctx, &s, &r);
	is_int(r.n_findings, 0, "remainder 19 over two unbounded masked cells: protected");
	ok(cell(&s, a)->found_lo == 1 && cell(&s, a)->found_hi == 18, "a in [1, 18] (got"
	   " [%g, %g])", cell(&s, a)->found_lo, cell(&s, a)->found_hi);
	cpts_lp_release(&s);

	/* share 25 % of a published 20: numerator 5; two relations r*den -+ h */
	cpts_lp_init(&s);
	s.thr = 11;
	a = masked(&s, "num", 1, 10);
	size_t den = pub(&s, "den", 20);
	cpts_lp_rel_begin(&s, -INFINITY, 0);
	cpts_lp_rel_term(&s, a, 100);
	cpts_lp_rel_term(&s, den, -25.05);
	cpts_lp_rel_end(&s);
	cpts_lp_rel_begin(&s, 0, INFINITY);
	cpts_lp_rel_term(&s, a, 100);
	cpts_lp_rel_term(&s, den, -24.95);
	cpts_lp_rel_end(&s);
	solve(&ctx, &s, &r);
	is_int(r.n_findings, 1, "a share and its denominator pin the numerator");
	ok(cell(&s, a)->found_lo == 5 && cell(&s, a)->found_hi == 5, "num = 5 (got [%g, %g])",
	   cell(&s, a)->found_lo, cell(&s, a)->found_hi);
	cpts_lp_release(&s);

	/* two territories, independent: one leaks, one does not; 2 components */
	cpts_lp_init(&s);
	s.thr = 11;
	size_t t1 = pub(&s, "T1", 50), t2 = pub(&s, "T2", 60);
	size_t x1 = masked(&s, "x1", 1, 10), x2 = masked(&s, "x2", 1, 10);
	size_t y2 = masked(&s, "y2", 1, INFINITY);
	size_t q1[] = { x1, pub(&s, "u1", 43) };
	size_t q2[] = { x2, y2, pub(&s, "u2", 30) };
	sum_rel(&s, t1, q1, 2);
	sum_rel(&s, t2, q2, 3);
	solve(&ctx, &s, &r);
	is_int(r.n_components, 2, "two independent components");
	is_int(r.n_findings, 1, "only the first leaks (x1 = 7; y2 in [20, 29] is no small count)");
	ok(cell(&s, x1)->found_lo == 7 && cell(&s, x2)->found_lo == 1 &&
	   cell(&s, x2)->found_hi == 10, "x1 = 7, x2 in [1, 10]");
	is_int(r.n_lp, 6, "two programs per masked cell");
	cpts_lp_release(&s);

	/* a cell masked in one file, published in another */
	cpts_lp_init(&s);
	s.thr = 11;
	a = pub(&s, "a", 4);
	cell(&s, a)->was_masked = true;
	solve(&ctx, &s, &r);
	is_int(r.n_findings, 1, "masked here, published there: a finding");
	cpts_lp_release(&s);

	/* 100 = a + 95 + 10 with a >= 1: contradictory */
	cpts_lp_init(&s);
	s.thr = 11;
	t = pub(&s, "T", 100);
	a = masked(&s, "a", 1, 10);
	size_t p4[] = { a, pub(&s, "c1", 95), pub(&s, "c2", 10) };
	sum_rel(&s, t, p4, 3);
	solve(&ctx, &s, &r);
	is_int(r.n_inconsistent, 1, "contradictory numbers are reported");
	is_int(r.n_findings, 0, "and not counted as findings");
	cpts_lp_release(&s);

	cpts_ctx_release(&ctx);
	return done_testing();
}
