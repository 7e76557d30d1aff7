/*
 * move.c - `cpts move`: a what-if partition with some communes moved to a territory,
 * and the before/after of the territories it touches.
 *
 * The new partition is written by the store (cpts_store_partition_move, a copy in SQL
 * rather than cpts_partition_save: the copy keeps what the in-memory assignment cannot
 * express, split communes with their weights and the statut of each member, so the new
 * partition differs from the old one in the moved rows only and the deltas printed are
 * those of the move alone).
 *
 * What it prints comes from disclosed cells (cpts/publish.h): flow totals are health
 * counts, masked from 1 to T-1 ("< 11") like any count of the exports, and an "after"
 * whose change is such a count is withheld; LI and MSI are masked with their flow
 * totals and withheld with a withheld change (they would give it back).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/store_check.h"
#include "cpts/outfile.h"
#include "cpts/publish.h"

/* Check the arguments before opening the transaction: usage errors name the culprit. */
static int move_validate(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
			 const char *const *codes, size_t n_codes, const char *to, bool replace)
{
	int rc = CPTS_OK, found;

	if ((found = cpts_store_has_partition(ctx, s, from)) < 0)
		return found;
	if (!found)
		return cpts_fail(ctx, CPTS_EUSAGE, "no partition named '%s' in workspace '%s'",
				 from, cpts_store_path(s));
	if (strcmp(from, as) == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "--as must name a new partition, not '%s' itself",
				 from);
	if (!as || !*as)
		return cpts_fail(ctx, CPTS_EUSAGE, "--as needs a partition name");
	if (!to || !*to)
		return cpts_fail(ctx, CPTS_EUSAGE, "--to needs a territory id");
	if (n_codes == 0)
		return cpts_fail(ctx, CPTS_EUSAGE, "--commune needs at least one INSEE code");
	for (size_t k = 0; k < n_codes && rc == CPTS_OK; k++) {
		int has = cpts_store_has_commune(ctx, s, codes[k]);
		if (has < 0)
			return has;
		if (!has)
			rc = cpts_fail(ctx, CPTS_EUSAGE, "commune '%s' is not in the workspace",
				       codes[k]);
	}
	if (rc == CPTS_OK && !replace && (rc = cpts_store_has_partition(ctx, s, as)) > 0)
		rc = cpts_fail(ctx, CPTS_EUSAGE, "partition '%s' exists already: choose another"
			       " --as, or give --replace to replace it (its metrics and profiles"
			       " are dropped)", cpts_text(as));
	return rc;
}

int cpts_check_move(cpts_ctx *ctx, cpts_store *s, const char *from, const char *as,
		    const char *const *codes, size_t n_codes, const char *to, bool replace)
{
	int rc;

	if ((rc = move_validate(ctx, s, from, as, codes, n_codes, to, replace)) < 0)
		return rc;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_store_partition_move(ctx, s, from, as, codes, n_codes, to)) < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	return cpts_store_commit(ctx, s);
}

/* flows are health counts: masked below this (the default of --mask-threshold) */
#define CPTS_MOVE_MASK_THRESHOLD CPTS_MASK_THRESHOLD_DEFAULT

/* One measure, printed before and after from disclosed cells (cpts/publish.h); the
 * delta only when both are published. */
static void delta_row(cpts_buf *b, const char *label, const cpts_pvalue *x,
		      const cpts_pvalue *y, int dec, bool json, bool *first)
{
	cpts_pub p = CPTS_PUB_INIT;

	p.json = json;
	if (json) {
		cpts_buf_addf(b, "%s\"%s\":[", *first ? "" : ",", label);
		cpts_pub_num(b, &p, x, dec);
		cpts_buf_addch(b, ',');
		cpts_pub_num(b, &p, y, dec);
		cpts_buf_addch(b, ']');
		*first = false;
		return;
	}
	cpts_buf s = CPTS_BUF_INIT;
	cpts_buf_addf(b, "  %-12s", label);
	cpts_pub_num(&s, &p, x, dec);
	cpts_buf_addf(b, " %12s", s.data);
	cpts_buf_reset(&s);
	cpts_pub_num(&s, &p, y, dec);
	cpts_buf_addf(b, " %12s", s.data);
	if (cpts_pub_shown(x) && cpts_pub_shown(y))
		cpts_buf_addf(b, " %+12.*f", dec, y->value - x->value);
	cpts_buf_addch(b, '\n');
	cpts_buf_release(&s);
}

/* A public measure (population, communes, tier, pieces, PAC). */
static void delta_row_num(cpts_buf *b, const char *label, double x, double y, int dec,
			  bool json, bool *first)
{
	cpts_pvalue cx = cpts_pub_value(x), cy = cpts_pub_value(y);

	delta_row(b, label, &cx, &cy, dec, json, first);
}

/* A flow total after the move, or NAN ("n/a") when the change is a health count
 * between 1 and 10 (DOMAIN.md section 7: the moved communes' own flows would show). */
static double flow_after(double x, double y)
{
	double dlt = fabs(y - x);

	return !isnan(x) && !isnan(y) && dlt > 1e-9 && dlt < CPTS_MOVE_MASK_THRESHOLD ? NAN : y;
}

/* The disclosed cell of a flow total after the move: withheld (masked, no bounds)
 * when flow_after hid it, else masked from 1 to T-1 like any count. */
static cpts_pvalue withheld(const cpts_pub *p, double shown, double y)
{
	cpts_pvalue v = cpts_pub_count(p, shown);

	if (isnan(shown) && !isnan(y)) {
		v.masked = true;
		v.lo = v.hi = NAN;
	}
	return v;
}

/* Flow totals summed over the territories of a report (the overall LI's terms). */
static void flow_sums(const cpts_check_report *r, double *in, double *res)
{
	*in = *res = 0;
	for (size_t t = 0; t < r->n_terr; t++) {
		*in += isnan(r->terr[t].flows_in) ? 0 : r->terr[t].flows_in;
		*res += isnan(r->terr[t].flows_res) ? 0 : r->terr[t].flows_res;
	}
}

static const cpts_check_terr *find_terr(const cpts_check_report *r, const char *id)
{
	long t = id ? cpts_partition_find(r->part, id) : -1;

	return t >= 0 ? &r->terr[t] : NULL;
}

/* The disclosed flow cells of one territory before [0] and after [1] a move; *hide:
 * its own change is withheld (flow_after). */
static void flow_cells(const cpts_check_terr *x, const cpts_check_terr *y, cpts_pvalue fi[2],
		       cpts_pvalue fr[2], bool *hide)
{
	cpts_pub pub = CPTS_PUB_INIT;
#define V(t, f) ((t) ? (double)(t)->f : NAN)
	double in1 = flow_after(V(x, flows_in), V(y, flows_in));
	double res1 = flow_after(V(x, flows_res), V(y, flows_res));

	unsigned wx = x ? x->withheld : 0, wy = y ? y->withheld : 0;

	/* withheld against an earlier publication (cpts_check_disclose): as a hidden change */
	if (wy & CPTS_FLOW_IN)
		in1 = NAN;
	if (wy & CPTS_FLOW_RES)
		res1 = NAN;
	*hide = (isnan(in1) && !isnan(V(y, flows_in))) || (isnan(res1) && !isnan(V(y, flows_res)));
	fi[0] = chk_flow_cell(&pub, V(x, flows_in), wx, CPTS_FLOW_IN);
	fi[1] = withheld(&pub, in1, V(y, flows_in));
	fr[0] = chk_flow_cell(&pub, V(x, flows_res), wx, CPTS_FLOW_RES);
	fr[1] = withheld(&pub, res1, V(y, flows_res));
#undef V
}

/* A cell withheld whatever it holds (masked, no bounds), unless not available. */
static void withhold(cpts_pvalue *v, double raw)
{
	if (!isnan(raw)) {
		v->masked = true;
		v->value = v->lo = v->hi = NAN;
	}
}

/* The flow totals a territory's printed column shows (CPTS_FLOW_* bits). */
static unsigned shown_bits(const cpts_check_terr *t, const cpts_pub *p)
{
	cpts_pvalue in = chk_flow_cell(p, t->flows_in, t->withheld, CPTS_FLOW_IN);
	cpts_pvalue res = chk_flow_cell(p, t->flows_res, t->withheld, CPTS_FLOW_RES);
	cpts_pvalue into = chk_flow_cell(p, t->flows_into, t->withheld, CPTS_FLOW_INTO);
	cpts_pvalue msi = cpts_pub_ratio(t->msi, &in, &into);

	return (cpts_pub_shown(&in) ? CPTS_FLOW_IN : 0) | (cpts_pub_shown(&res) ? CPTS_FLOW_RES : 0) |
	       (cpts_pub_shown(&msi) ? CPTS_FLOW_IN | CPTS_FLOW_INTO : 0);
}

static void delta_terr(cpts_buf *b, const char *id, const cpts_check_report *before,
		       const cpts_check_report *after, unsigned hide_all, bool json)
{
	const cpts_check_terr *x = find_terr(before, id), *y = find_terr(after, id);
	bool first = true;

	if (json) {
		cpts_buf_addstr(b, "{\"id\":");
		cpts_buf_add_json(b, id);
		cpts_buf_addch(b, ',');
	} else
		cpts_buf_addf(b, "\nterritory '%s'%s\n  %-12s %12s %12s %12s\n", cpts_text(id),
			      !x ? " (new)" : !y ? " (emptied)" : "", "", "before", "after",
			      "delta");
#define V(t, f) ((t) ? (double)(t)->f : NAN)
	delta_row_num(b, "population", V(x, pop), V(y, pop), 0, json, &first);
	delta_row_num(b, "communes", V(x, n_communes), V(y, n_communes), 0, json, &first);
	delta_row_num(b, "tier", V(x, tier), V(y, tier), 0, json, &first);
	{
		/* disclosed cells: flow totals masked from 1 to T-1, a hidden change withheld,
		   LI and MSI with their totals. A hidden flow change stays hidden: LI =
		   flows_in / flows_res and MSI, printed beside the other flow total, would
		   give it back (the audit of the JSON found LI at 6 decimals pinning it); the
		   JSON prints what the text prints. hide_all (bit 0 flows_in, bit 1
		   flows_res): a flow total of some territory of the move is a masked count,
		   and the moved communes' flows, which the published changes of the others
		   show, would give it back (solo's 7 flows = its 664 after - the 657 its
		   neighbour lost): every "after" of that total is withheld. */
		cpts_pvalue fi[2], fr[2];
		bool hide;
		flow_cells(x, y, fi, fr, &hide);
		hide = hide || hide_all;
		if (hide_all & 1u)
			withhold(&fi[1], V(y, flows_in));
		if (hide_all & 2u)
			withhold(&fr[1], V(y, flows_res));
		cpts_pvalue li[2] = { cpts_pub_ratio(V(x, li), &fi[0], &fr[0]),
				      cpts_pub_ratio(V(y, li), &fi[1], &fr[1]) };
		cpts_pub pub = CPTS_PUB_INIT;
		cpts_pvalue into[2] = {
			chk_flow_cell(&pub, V(x, flows_into), x ? x->withheld : 0, CPTS_FLOW_INTO),
			chk_flow_cell(&pub, V(y, flows_into), y ? y->withheld : 0, CPTS_FLOW_INTO) };
		cpts_pvalue msi[2] = { cpts_pub_ratio(V(x, msi), &fi[0], &into[0]),
				       cpts_pub_ratio(V(y, msi), &fi[1], &into[1]) };
		if (hide) {
			withhold(&li[1], V(y, li));
			withhold(&msi[1], V(y, msi));
		}
		if (y && after->pf) /* what the "after" column shows, marked as published */
			chk_flows_pass(NULL, after, (size_t)(y - after->terr),
				       (cpts_pub_shown(&fi[1]) || cpts_pub_shown(&li[1]) ||
					cpts_pub_shown(&msi[1]) ? CPTS_FLOW_IN : 0) |
				       (cpts_pub_shown(&fr[1]) || cpts_pub_shown(&li[1])
					? CPTS_FLOW_RES : 0) |
				       (cpts_pub_shown(&msi[1]) ? CPTS_FLOW_INTO : 0));
		delta_row(b, "LI", &li[0], &li[1], 3, json, &first);
		delta_row(b, "MSI", &msi[0], &msi[1], 3, json, &first);
		delta_row(b, "flows_in", &fi[0], &fi[1], 0, json, &first);
		delta_row(b, "flows_res", &fr[0], &fr[1], 0, json, &first);
	}
	delta_row_num(b, "pieces", before->has_graph ? V(x, n_pieces) : NAN,
		      after->has_graph ? V(y, n_pieces) : NAN, 0, json, &first);
	delta_row_num(b, "PAC", V(x, pac), V(y, pac), 2, json, &first);
#undef V
	if (json)
		cpts_buf_addch(b, '}');
}

/* Is a flow total of some territory touched by the move a masked count (from 1 to
 * T-1, before or after)? bit 0: flows_in, bit 1: flows_res. */
static unsigned any_flow_masked(const char *const *ids, size_t n_ids,
				const cpts_check_report *before, const cpts_check_report *after)
{
	cpts_pub pub = CPTS_PUB_INIT;
	unsigned m = 0;

	for (size_t k = 0; k < n_ids; k++) {
		const cpts_check_terr *t[2] = { find_terr(before, ids[k]), find_terr(after, ids[k]) };
		for (int w = 0; w < 2; w++) {
			cpts_pvalue fi, fr;
			if (!t[w])
				continue;
			fi = cpts_pub_count(&pub, t[w]->flows_in);
			fr = cpts_pub_count(&pub, t[w]->flows_res);
			m |= (cpts_pub_hidden(&fi) ? 1u : 0u) | (cpts_pub_hidden(&fr) ? 2u : 0u);
		}
	}
	return m;
}

int cpts_check_print_move(cpts_ctx *ctx, const cpts_check_report *before,
			  cpts_check_report *after, const char *const *codes,
			  size_t n_codes, const char *to, FILE *out, bool json)
{
	cpts_buf b = CPTS_BUF_INIT;
	const cpts_partition *p = before->part;
	const char **ids = cpts_calloc(p->n_terr + 2, sizeof(char *));
	size_t n_ids = 0;
	bool first = true;
	unsigned hide_all;

	/* territories touched: those holding a moved commune before, then `to` */
	for (size_t t = 0; t < p->n_terr; t++) {
		bool touched = strcmp(p->terr[t], to) == 0;
		for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1] && !touched; k++)
			for (size_t c = 0; c < n_codes && !touched; c++)
				touched = strcmp(before->model->c[p->members[k].commune].code,
						 codes[c]) == 0;
		if (touched)
			ids[n_ids++] = p->terr[t];
	}
	if (cpts_partition_find(p, to) < 0)
		ids[n_ids++] = to;
	if (json) {
		cpts_buf_addstr(&b, "{\"from\":");
		cpts_buf_add_json(&b, p->name);
		cpts_buf_addstr(&b, ",\"as\":");
		cpts_buf_add_json(&b, after->part->name);
		cpts_buf_addstr(&b, ",\"to\":");
		cpts_buf_add_json(&b, to);
		cpts_buf_addstr(&b, ",\"communes\":[");
		for (size_t c = 0; c < n_codes; c++) {
			if (c)
				cpts_buf_addch(&b, ',');
			cpts_buf_add_json(&b, codes[c]);
		}
		cpts_buf_addstr(&b, "],\"territories\":[");
	} else {
		cpts_buf_addf(&b, "move to '%s' of", cpts_text(to));
		for (size_t c = 0; c < n_codes; c++) {
			long i = cpts_model_find(before->model, codes[c]);
			cpts_buf_addf(&b, "%s %s %s", c ? "," : "", cpts_text(codes[c]),
				      i >= 0 ? cpts_text(before->model->c[i].name) : "");
		}
		cpts_buf_addf(&b, "\nnew partition '%s' (from '%s')\n",
			      cpts_text(after->part->name), cpts_text(p->name));
	}
	if (before->pf) {
		/* what the "before" column shows is published first: the totals after are
		   disclosed against it (and against the ledger) */
		cpts_pub pub = CPTS_PUB_INIT;
		for (size_t k = 0; k < n_ids; k++) {
			const cpts_check_terr *x = find_terr(before, ids[k]);
			if (x)
				chk_flows_pass(NULL, before, (size_t)(x - before->terr),
					       shown_bits(x, &pub));
		}
		cpts_pvalue li = chk_overall_li(before, &pub, false);
		cpts_pvalue msi = chk_overall_li(before, &pub, true);
		chk_mark_li(before, SIZE_MAX, &li, &msi);
		cpts_check_disclose(ctx, after, before->pf);
	}
	hide_all = any_flow_masked(ids, n_ids, before, after);
	for (size_t k = 0; k < n_ids; k++) {
		if (json && k)
			cpts_buf_addch(&b, ',');
		delta_terr(&b, ids[k], before, after, hide_all, json);
	}
	if (json)
		cpts_buf_addstr(&b, "],\"overall\":{");
	else
		cpts_buf_addf(&b, "\noverall\n  %-12s %12s %12s %12s\n", "", "before", "after",
			      "delta");
	delta_row_num(&b, "covered_pop", before->pop_covered, after->pop_covered, 0, json, &first);
	delta_row_num(&b, "uncovered", (double)before->n_uncovered, (double)after->n_uncovered, 0,
		      json, &first);
	delta_row_num(&b, "overlaps", (double)before->n_overlaps, (double)after->n_overlaps, 0,
		      json, &first);
	{
		/* the overall LI and MSI: their flow totals change by the moved communes'
		   flows too (a white-zone commune joining), so the same rule */
		cpts_pub pub = CPTS_PUB_INIT;
		double in[2], res[2];
		flow_sums(before, &in[0], &res[0]);
		flow_sums(after, &in[1], &res[1]);
		double i1 = flow_after(in[0], in[1]), r1 = flow_after(res[0], res[1]);
		cpts_pvalue oa = chk_overall_li(after, &pub, false), om = chk_overall_li(after, &pub, true);
		bool hide = isnan(i1) || isnan(r1) || hide_all != 0 ||
			    (after->withheld & (CPTS_FLOW_IN | CPTS_FLOW_RES)) ||
			    cpts_pub_hidden(&oa) || cpts_pub_hidden(&om);
		cpts_pvalue fi[2] = { cpts_pub_count(&pub, in[0]), withheld(&pub, i1, in[1]) };
		cpts_pvalue fr[2] = { cpts_pub_count(&pub, res[0]), withheld(&pub, r1, res[1]) };
		cpts_pvalue li[2] = { chk_overall_li(before, &pub, false),
				      cpts_pub_ratio(hide ? NAN : after->li, &fi[1], &fr[1]) };
		cpts_pvalue msi[2] = { chk_overall_li(before, &pub, true),
				       cpts_pub_ratio(hide ? NAN : after->msi, &fi[1], NULL) };
		if (hide && !isnan(after->li))
			li[1].masked = true;
		if (hide && !isnan(after->msi))
			msi[1].masked = true;
		chk_mark_li(after, SIZE_MAX, &li[1], &msi[1]);
		delta_row(&b, "LI", &li[0], &li[1], 3, json, &first);
		delta_row(&b, "MSI", &msi[0], &msi[1], 3, json, &first);
	}
	delta_row_num(&b, "problems", (double)before->n_problem_terr,
		      (double)after->n_problem_terr, 0, json, &first);
	cpts_buf_addstr(&b, json ? "}}\n" : "");
	free(ids);
	return chk_write(ctx, &b, out);
}
