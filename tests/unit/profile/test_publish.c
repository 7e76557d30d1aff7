/*
 * test_publish.c - the forms in which commands print a disclosed cell (cpts/publish.h):
 * text and JSON of masked counts, masked ratios, ranges over masked inputs, p-value
 * classes, catalogue decimals, public values; each case against the form the
 * GeoPackage/HTML give the same cell (docs in README "Printed outputs"); flow totals
 * as publications (cpts_pub_flow: withheld 1 to T-1 apart from a published total over
 * overlapping communes, issue 19 attack 7).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/publish.h"
#include "tap.h"

static cpts_buf fb = CPTS_BUF_INIT; /* form()'s result, released at the end */

/* The text (json = false) or JSON form of v; BORROWED from fb until the next call. */
static const char *form(const cpts_pvalue *v, int dec, bool json)
{
	cpts_pub p = CPTS_PUB_INIT;

	p.json = json;
	cpts_buf_reset(&fb);
	cpts_pub_num(&fb, &p, v, dec);
	return fb.data;
}

static cpts_pvalue named(const char *ind, double value)
{
	cpts_pvalue v = cpts_pub_value(value);

	v.indicator = (char *)ind; /* BORROWED: the cell owns no string here */
	return v;
}

int main(void)
{
	cpts_pub p = CPTS_PUB_INIT;
	cpts_pvalue v, n, d;
	cpts_buf b = CPTS_BUF_INIT;

	/* flow counts: the primary rule of the exports, 1 .. T-1 masked */
	v = cpts_pub_count(&p, 7);
	ok(cpts_pub_hidden(&v) && isnan(v.value) && v.lo == 1 && v.hi == 10, "7 flows: masked [1, 10]");
	is_str(form(&v, 0, false), "< 11", "7 flows: text '< 11'");
	is_str(form(&v, 0, true), "null", "7 flows: JSON null");
	v = cpts_pub_count(&p, 0);
	is_str(form(&v, 0, false), "0", "0 flows: published");
	v = cpts_pub_count(&p, 11);
	is_str(form(&v, 0, false), "11", "11 flows: published");
	v = cpts_pub_count(&p, NAN);
	is_str(form(&v, 0, false), "n/a", "no flows: n/a");
	is_str(form(&v, 0, true), "null", "no flows: JSON null");
	p.threshold = 5;
	v = cpts_pub_count(&p, 7);
	is_str(form(&v, 0, false), "7", "threshold 5: 7 published");
	v = cpts_pub_count(&p, 4);
	cpts_buf_reset(&b);
	cpts_pub_num(&b, &p, &v, 0);
	is_str(b.data, "< 5", "threshold 5: 4 shown '< 5'");
	p.threshold = 11;

	/* a ratio of masked counts is masked, without bounds */
	n = cpts_pub_count(&p, 4);
	d = cpts_pub_count(&p, 7);
	v = cpts_pub_ratio(4.0 / 7.0, &n, &d);
	is_str(form(&v, 3, false), "masked", "LI 4/7: masked");
	is_str(form(&v, 3, true), "null", "LI 4/7: JSON null");
	n = cpts_pub_count(&p, 645);
	d = cpts_pub_count(&p, 760);
	v = cpts_pub_ratio(645.0 / 760.0, &n, &d);
	is_str(form(&v, 3, false), "0.849", "LI 645/760: 3 decimals");
	v = cpts_pub_ratio(645.0 / 760.0, &n, NULL);
	is_str(form(&v, 3, true), "0.849", "MSI with its numerator only: published");

	/* catalogue decimals win over the caller's */
	v = named("mt_share", 14.23456);
	is_str(form(&v, 4, false), "14.2", "mt_share at the catalogue's 1 decimal");
	v = named("mt_share", -0.01);
	is_str(form(&v, 1, false), "0.0", "no '-0.0'");
	/* a share over masked inputs: its published range; JSON null with _lo/_hi */
	v = named("mt_share", NAN);
	v.masked = true;
	v.lo = 13.81;
	v.hi = 14.04;
	is_str(form(&v, 1, false), "[13.8-14.0]", "share over masked inputs: its range");
	cpts_buf_reset(&b);
	ok(cpts_pub_json_member(&b, &p, "mt_share", &v, 1, true), "json member: hidden");
	is_str(b.data, "\"mt_share\":null,\"mt_share_lo\":13.8,\"mt_share_hi\":14.0",
	       "json member: null with its bounds");
	/* a count over masked inputs: "at least" */
	v = named("mt_sans_mt", NAN);
	v.masked = true;
	v.lo = 25;
	v.hi = 70;
	is_str(form(&v, 0, false), "at least 25", "count over masked inputs: at least 25");
	/* secondary suppression: no bounds, like a primary one without its bound */
	v = named("mt_sans_mt", NAN);
	v.masked = true;
	is_str(form(&v, 0, false), "masked", "suppressed count: masked");
	v.withdrawn = true;
	v.lo = 1;
	v.hi = 10;
	is_str(form(&v, 0, false), "masked", "withdrawn part: masked, bounds not shown");
	cpts_buf_reset(&b);
	cpts_pub_json_member(&b, &p, "mt_fictif", &v, 0, false);
	is_str(b.data, ",\"mt_fictif\":null", "withdrawn part: JSON null, no bounds");

	/* p-values leave as classes only */
	v = named("mt_gap_pvalue", 0.00040);
	is_str(form(&v, 3, false), "< 0.001", "p 0.0004: '< 0.001'");
	is_str(form(&v, 3, true), "0.001", "p 0.0004: JSON class 0.001");
	v = named("mt_gap_pvalue", 0.11400355212434);
	is_str(form(&v, 3, false), "n.s.", "p 0.114: n.s.");
	is_str(form(&v, 3, true), "1", "p 0.114: JSON class 1");
	v = named("mt_gap_pvalue", 0.03);
	is_str(form(&v, 3, false), "< 0.05", "p 0.03: '< 0.05'");

	/* flow totals: T's 657 published (marked) over {a, b, c}; after c leaves, 650 over
	   {a, b} is 7 apart (c's flows): withheld, no bounds; 640 (17 apart) is shown; a
	   territory sharing no commune, or the same set again, is never compared; a total of
	   another profession over the same communes is (their difference is the others') */
	{
		cpts_ctx ctx;
		cpts_pub_flows *f = NULL;
		const char *abc[] = { "c", "a", "b" }, *ab[] = { "b", "a" }, *de[] = { "d", "e" };
		ok(cpts_ctx_init(&ctx) == 0 && cpts_pub_flows_open(&ctx, NULL, 11, &f) == 0 && f,
		   "flow publications opened without a workspace");
		ctx.log = fopen("/dev/null", "w"); /* the warnings of the withheld cells */
		v = cpts_pub_flow(&ctx, f, "flows_in", "P", "T", abc, 3, 7);
		ok(v.masked && v.lo == 1 && v.hi == 10, "7 flows: masked as < 11 (primary)");
		v = cpts_pub_flow(&ctx, f, "flows_in", "P", "T", abc, 3, 657);
		ok(cpts_pub_shown(&v), "657 over {a, b, c}: shown (nothing published yet)");
		cpts_pub_flow_mark(f, "flows_in", "P", "T", abc, 3, 657);
		v = cpts_pub_flow(&ctx, f, "flows_in", "Q", "T", ab, 2, 650);
		ok(v.masked && isnan(v.lo) && isnan(v.value), "650 over {a, b}: withheld (7 apart)");
		ok(cpts_pub_flows_withheld(f) == 1, "one cell withheld");
		v = cpts_pub_flow(&ctx, f, "flows_res", "Q", "T", ab, 2, 650);
		ok(cpts_pub_shown(&v), "another kind (flows_res) is not compared");
		v = cpts_pub_flow(&ctx, f, "flows_in", "Q", "T", ab, 2, 640);
		ok(cpts_pub_shown(&v), "640 over {a, b}: shown (17 apart)");
		v = cpts_pub_flow(&ctx, f, "flows_in", "Q", "U", de, 2, 652);
		ok(cpts_pub_shown(&v), "652 over {d, e}: shown (no commune shared)");
		v = cpts_pub_flow(&ctx, f, "flows_in", "P", "T", abc, 3, 660);
		ok(cpts_pub_shown(&v), "the same set again: not a difference (inputs changed)");
		cpts_pub_flows_profession(f, "kine");
		v = cpts_pub_flow(&ctx, f, "flows_in", "P", "T", abc, 3, 650);
		ok(v.masked && isnan(v.lo), "one profession's 650 over {a, b, c}: withheld (7 apart)");
		cpts_pub_flow_mark(f, "flows_in", "P", "T", abc, 3, 657);
		cpts_pub_flows_profession(f, NULL);
		v = cpts_pub_flow(&ctx, f, "flows_in", "Q", "T", ab, 2, 652);
		ok(v.masked && isnan(v.lo), "marking again known totals adds none; 652 withheld (5)");
		cpts_pub_flows_free(f);
		fclose(ctx.log);
		ctx.log = NULL;
		cpts_ctx_release(&ctx);
	}

	/* public values stay exact */
	v = cpts_pub_value(75780);
	is_str(form(&v, 0, false), "75780", "population exact");
	ok(cpts_pub_shown(&v) && !cpts_pub_hidden(&v), "population shown");
	cpts_buf_release(&b);
	cpts_buf_release(&fb);
	return done_testing();
}
