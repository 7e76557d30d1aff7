/*
 * out_check.c - print a check report: English text for the terminal (stdout), or one
 * JSON object with --json. Both carry the same findings; the text puts the verdict of
 * each territory last so that `grep verdict` gives the one-line-per-territory summary.
 *
 * LI and MSI are ratios of flow counts (health counts): they are written through
 * cpts/publish.h from disclosed cells (flow totals masked from 1 to T-1, the ratio
 * masked with them), so a territory whose residents make fewer than T flows in it
 * shows "masked", as in the exports; attraction shares are whole percents.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/basins.h"
#include "cpts/outfile.h"
#include "cpts/code.h"
#include "cpts/profile.h"
#include "cpts/publish.h"

static const char *pl(size_t n)
{
	return n == 1 ? "" : "s";
}

/* 1234567.4 -> "1,234,567" (terminal text; reports for readers use cpts_fmt_fr). */
static const char *fmt_int(char *buf, size_t n, double v)
{
	char raw[64];
	size_t len, k = 0, lead;
	bool neg = v < 0;

	snprintf(raw, sizeof(raw), "%.0f", fabs(v));
	len = strlen(raw);
	lead = len % 3 ? len % 3 : 3;
	if (neg && k + 1 < n)
		buf[k++] = '-';
	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i >= lead && (i - lead) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = raw[i];
	}
	buf[k] = '\0';
	return buf;
}

static void add_num(cpts_buf *b, double v, const char *fmt)
{
	if (isnan(v) || isinf(v))
		cpts_buf_addstr(b, "null");
	else
		cpts_buf_addf(b, fmt, v);
}

static void add_ratio(cpts_buf *b, double v, int decimals)
{
	if (isnan(v))
		cpts_buf_addstr(b, "n/a");
	else
		cpts_buf_addf(b, "%.*f", decimals, v);
}

static const char *const FLOW_KIND[3] = { "flows_in", "flows_res", "flows_into" };

/* The member codes of territory t (BORROWED from the model), or of every territory
 * (t == SIZE_MAX: grouped by territory, as the partition's members are). OWNED array. */
static const char **member_codes(const cpts_check_report *r, size_t t, size_t *n)
{
	const cpts_partition *p = r->part;
	size_t a = t == SIZE_MAX ? 0 : p->terr_start[t];
	size_t b = t == SIZE_MAX ? p->n_members : p->terr_start[t + 1];
	const char **v = cpts_calloc(b - a + 1, sizeof(char *));

	for (size_t k = a; k < b; k++)
		v[k - a] = r->model->c[p->members[k].commune].code;
	*n = b - a;
	return v;
}

static void terr_flows(const cpts_check_terr *t, double v[3])
{
	v[0] = t->flows_in;
	v[1] = t->flows_res;
	v[2] = t->flows_into;
}

static void overall_flows(const cpts_check_report *r, double v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (size_t t = 0; t < r->n_terr; t++) {
		double x[3];
		terr_flows(&r->terr[t], x);
		for (int k = 0; k < 3; k++)
			v[k] += isnan(x[k]) ? 0 : x[k];
	}
}

/* Disclose (mark CHK_FLOWS_DISCLOSE) the flows of a territory (t < n_terr) or of the
 * whole partition (SIZE_MAX) against pf (no pf: nothing withheld), or mark the shown
 * ones (bits of `mark`; 0: nothing). */
unsigned chk_flows_pass(cpts_ctx *ctx, const cpts_check_report *r, size_t t,
			   unsigned mark)
{
	size_t n;
	const char **codes;
	char label[24];
	const char *lab;
	double v[3];
	unsigned w = 0;

	if (!r->pf || !mark)
		return 0;
	codes = member_codes(r, t, &n);
	if (t == SIZE_MAX) {
		cpts_pub_flow_sum_label(label, codes, r->part->terr_start, r->part->n_terr);
		lab = label;
		overall_flows(r, v);
	} else {
		lab = r->terr[t].id;
		terr_flows(&r->terr[t], v);
	}
	for (unsigned k = 0; k < 3; k++) {
		if (mark != CHK_FLOWS_DISCLOSE && (mark & (1u << k)))
			cpts_pub_flow_mark(r->pf, FLOW_KIND[k], r->part->name, lab, codes, n, v[k]);
		else if (mark == CHK_FLOWS_DISCLOSE) {
			cpts_pvalue c = cpts_pub_flow(ctx, r->pf, FLOW_KIND[k], r->part->name, lab,
						      codes, n, v[k]);
			if (cpts_pub_hidden(&c) && !isfinite(c.lo) && !isnan(v[k]))
				w |= 1u << k;
		}
	}
	free(codes);
	return w;
}

void cpts_check_disclose(cpts_ctx *ctx, cpts_check_report *r, struct cpts_pub_flows *pf)
{
	r->pf = pf;
	for (size_t t = 0; t < r->n_terr; t++)
		r->terr[t].withheld = chk_flows_pass(ctx, r, t, CHK_FLOWS_DISCLOSE);
	r->withheld = chk_flows_pass(ctx, r, SIZE_MAX, CHK_FLOWS_DISCLOSE);
}

/* A disclosed flow total: masked from 1 to T-1, withheld (no bounds) when its bit is
 * in `withheld`. */
cpts_pvalue chk_flow_cell(const cpts_pub *p, double v, unsigned withheld, unsigned bit)
{
	cpts_pvalue c = cpts_pub_count(p, v);

	if ((withheld & bit) && !isnan(v)) {
		c.masked = true;
		c.value = c.lo = c.hi = NAN;
	}
	return c;
}

/* The disclosed LI and MSI of a territory (cpts/publish.h): masked when the flows of
 * its residents staying in it, all their flows, or all flows into it are a count from
 * 1 to T-1 or withheld against an earlier publication. */
static cpts_pvalue terr_li(const cpts_check_terr *t, const cpts_pub *p, bool msi)
{
	cpts_pvalue in = chk_flow_cell(p, t->flows_in, t->withheld, CPTS_FLOW_IN);
	cpts_pvalue res = chk_flow_cell(p, t->flows_res, t->withheld, CPTS_FLOW_RES);
	cpts_pvalue into = chk_flow_cell(p, t->flows_into, t->withheld, CPTS_FLOW_INTO);

	return msi ? cpts_pub_ratio(t->msi, &in, &into) : cpts_pub_ratio(t->li, &in, &res);
}

/* The same for the flow-weighted overall LI and MSI (sums over the territories):
 * masked too when a territory's is (the sum less the others would give it back). */
cpts_pvalue chk_overall_li(const cpts_check_report *r, const cpts_pub *p, bool msi)
{
	double v[3];
	bool any = false;

	overall_flows(r, v);
	for (size_t t = 0; t < r->n_terr && !any; t++) {
		cpts_pvalue c = terr_li(&r->terr[t], p, msi);
		any = cpts_pub_hidden(&c);
	}
	cpts_pvalue ci = chk_flow_cell(p, v[0], r->withheld, CPTS_FLOW_IN);
	cpts_pvalue cr = chk_flow_cell(p, v[1], r->withheld, CPTS_FLOW_RES);
	cpts_pvalue co = chk_flow_cell(p, v[2], r->withheld, CPTS_FLOW_INTO);
	cpts_pvalue out = msi ? cpts_pub_ratio(r->msi, &ci, &co) : cpts_pub_ratio(r->li, &ci, &cr);
	if (any && !isnan(out.value)) {
		out.masked = true;
		out.value = NAN;
	}
	return out;
}

/* Mark in r->pf the totals a shown LI / MSI of territory t (SIZE_MAX: overall) give. */
void chk_mark_li(const cpts_check_report *r, size_t t, const cpts_pvalue *li,
		    const cpts_pvalue *msi)
{
	unsigned m = (cpts_pub_shown(li) ? CPTS_FLOW_IN | CPTS_FLOW_RES : 0) |
		     (cpts_pub_shown(msi) ? CPTS_FLOW_IN | CPTS_FLOW_INTO : 0);

	if (m)
		chk_flows_pass(NULL, r, t, m);
}

double cpts_check_ratio_published(const cpts_check_report *r, size_t t, bool msi)
{
	cpts_pub pub = CPTS_PUB_INIT;
	cpts_pvalue v = t == SIZE_MAX ? chk_overall_li(r, &pub, msi) : terr_li(&r->terr[t], &pub, msi);
	cpts_pvalue none = cpts_pub_value(NAN);

	chk_mark_li(r, t, msi ? &none : &v, msi ? &v : &none);
	return cpts_pub_shown(&v) ? v.value : NAN;
}

static void add_pub(cpts_buf *b, const cpts_pvalue v, int dec, bool json)
{
	cpts_pub p = CPTS_PUB_INIT;

	p.json = json;
	cpts_pub_num(b, &p, &v, dec);
}

static void add_commune(cpts_buf *b, const cpts_model *m, size_t i)
{
	cpts_buf_addf(b, "%s %s", cpts_text(m->c[i].code), cpts_text(m->c[i].name));
}

static void add_commune_list(cpts_buf *b, const cpts_model *m, const size_t *v, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (k)
			cpts_buf_addstr(b, ", ");
		add_commune(b, m, v[k]);
	}
}

/* territories claiming commune i, comma-separated */
static void add_claimants(cpts_buf *b, const cpts_partition *p, size_t i, bool json)
{
	bool first = true;

	for (size_t k = 0; k < p->n_members; k++) {
		if (p->members[k].commune != i)
			continue;
		if (!first)
			cpts_buf_addstr(b, json ? "," : ", ");
		if (json)
			cpts_buf_add_json(b, p->terr[p->members[k].territory]);
		else
			cpts_buf_add_text(b, p->terr[p->members[k].territory]);
		first = false;
	}
}

/* Communes split between territories (a member weight below 1): "code name: T1 53.2%,
 * T2 46.8%" lines, or JSON objects {"code", "shares": {territory: share}}. */
static void add_split(cpts_buf *b, const cpts_model *m, const cpts_partition *p, bool json)
{
	size_t n_split = 0;
	unsigned char *done = cpts_calloc(m->n + 1, 1);

	for (size_t k = 0; k < p->n_members; k++) {
		size_t i = p->members[k].commune;
		bool first = true;
		if (done[i] || !(p->members[k].weight < 1))
			continue;
		done[i] = 1;
		if (json) {
			cpts_buf_addstr(b, n_split ? ",{\"code\":" : "{\"code\":");
			cpts_buf_add_json(b, m->c[i].code);
			cpts_buf_addstr(b, ",\"shares\":{");
		} else {
			cpts_buf_addstr(b, "  ");
			add_commune(b, m, i);
			cpts_buf_addstr(b, ": ");
		}
		for (size_t q = 0; q < p->n_members; q++) {
			if (p->members[q].commune != i)
				continue;
			if (json) {
				cpts_buf_addstr(b, first ? "" : ",");
				cpts_buf_add_json(b, p->terr[p->members[q].territory]);
				cpts_buf_addf(b, ":%.6f", p->members[q].weight);
			} else {
				cpts_buf_addf(b, "%s%s %.1f%%", first ? "" : ", ",
					      p->terr[p->members[q].territory],
					      100.0 * p->members[q].weight);
			}
			first = false;
		}
		cpts_buf_addstr(b, json ? "}}" : "\n");
		n_split++;
	}
	free(done);
}

static size_t count_split(const cpts_model *m, const cpts_partition *p)
{
	size_t n_split = 0;
	unsigned char *done = cpts_calloc(m->n + 1, 1);

	for (size_t k = 0; k < p->n_members; k++) {
		size_t i = p->members[k].commune;
		if (!done[i] && p->members[k].weight < 1) {
			done[i] = 1;
			n_split++;
		}
	}
	free(done);
	return n_split;
}

static const char *stage_name(int k)
{
	static const char *names[] = { "unknown", "lettre d'intention", "projet de santé validé",
				       "ACI signée" };
	return names[k >= 0 && k <= 3 ? k : 0];
}

/* The verdict: the problems found, or OK. */
static void add_verdict(cpts_buf *b, const cpts_check_report *r, const cpts_check_terr *t)
{
	char n1[32];
	const char *sep = "";

	if (!t->problems) {
		cpts_buf_addstr(b, "OK");
		return;
	}
	if (t->problems & CPTS_CHECK_OVERLAP) {
		cpts_buf_addf(b, "%soverlap (%zu commune%s claimed by another territory)", sep,
			      t->n_overlap, t->n_overlap > 1 ? "s" : "");
		sep = "; ";
	}
	if (t->problems & CPTS_CHECK_NONCONTIGUOUS) {
		cpts_buf_addf(b, "%snon-contiguous (%zu pieces, %zu commune%s cut off)", sep,
			      t->n_pieces, t->n_cut, t->n_cut > 1 ? "s" : "");
		sep = "; ";
	}
	if (t->problems & CPTS_CHECK_SMALL) {
		char n2[32];
		cpts_buf_addf(b, "%stoo small (%s inhabitants, under %s)", sep,
			      fmt_int(n1, sizeof(n1), t->pop), fmt_int(n2, sizeof(n2), r->min_pop));
		sep = "; ";
	}
	if (t->problems & CPTS_CHECK_ENCLAVE) {
		cpts_buf_addf(b, "%sencloses %zu commune%s not its own", sep, t->n_encloses,
			      t->n_encloses > 1 ? "s" : "");
		sep = "; ";
	}
	if (t->problems & CPTS_CHECK_MULTIPOLAR)
		cpts_buf_addf(b, "%s%zu commune%s drawn mostly by another territory", sep,
			      t->n_class5, t->n_class5 > 1 ? "s" : "");
}

static void text_overall(cpts_buf *b, const cpts_check_report *r)
{
	const cpts_model *m = r->model;
	char a[32], c[32];

	cpts_buf_addf(b, "partition '%s': %zu territories, %zu communes in the workspace\n",
		      cpts_text(r->part->name), r->n_terr, r->n_communes);
	cpts_buf_addf(b, "coverage: %.1f%% of the population (%s of %s), %zu of %zu communes\n",
		      r->pop_total > 0 ? 100.0 * r->pop_covered / r->pop_total : 0.0,
		      fmt_int(a, sizeof(a), r->pop_covered), fmt_int(c, sizeof(c), r->pop_total),
		      r->n_covered, r->n_communes);
	cpts_buf_addf(b, "white zones: %zu commune%s, %s inhabitants\n", r->n_uncovered,
		      pl(r->n_uncovered), fmt_int(a, sizeof(a), r->pop_total - r->pop_covered));
	for (size_t k = 0; k < r->n_white_deps; k++) {
		const char *dn = cpts_dep_name(r->white_deps[k].dep);
		cpts_buf_addf(b, "  departement %s%s%s: %zu commune%s, %s inhabitants\n",
			      cpts_text(r->white_deps[k].dep), dn ? " " : "", dn ? dn : "",
			      r->white_deps[k].n_communes, pl(r->white_deps[k].n_communes),
			      fmt_int(a, sizeof(a), r->white_deps[k].pop));
	}
	if (r->n_uncovered) {
		cpts_buf_addstr(b, "uncovered communes: ");
		add_commune_list(b, m, r->uncovered, r->n_uncovered);
		cpts_buf_addch(b, '\n');
	}
	cpts_buf_addf(b, "overlaps: %zu commune%s claimed by two territories or more\n",
		      r->n_overlaps, pl(r->n_overlaps));
	for (size_t k = 0; k < r->n_overlaps; k++) {
		cpts_buf_addstr(b, "  ");
		add_commune(b, m, r->overlaps[k]);
		cpts_buf_addstr(b, ": ");
		add_claimants(b, r->part, r->overlaps[k], false);
		cpts_buf_addch(b, '\n');
	}
	cpts_buf_addf(b, "split communes: %zu (share of the commune in each territory)\n",
		      count_split(m, r->part));
	add_split(b, m, r->part, false);
	if (r->n_resamples) {
		cpts_buf_addf(b, "unstable border communes: %zu with a co-assignment with their"
			      " pole below %.2f over %d resamples\n", r->n_unstable,
			      r->stability_threshold, r->n_resamples);
		for (size_t k = 0; k < r->n_unstable; k++) {
			cpts_buf_addstr(b, "  ");
			add_commune(b, m, r->unstable[k]);
			cpts_buf_addf(b, ": %.2f\n", r->unstable_share[k]);
		}
	}
	cpts_buf_addstr(b, "flows: ");
	if (r->has_flows) {
		cpts_pub pub = CPTS_PUB_INIT;
		cpts_pvalue li = chk_overall_li(r, &pub, false), msi = chk_overall_li(r, &pub, true);
		cpts_buf_addstr(b, "LI ");
		add_pub(b, li, 3, false);
		cpts_buf_addstr(b, ", MSI ");
		add_pub(b, msi, 3, false);
		cpts_buf_addstr(b, " (flow-weighted over the territories)\n");
		chk_mark_li(r, SIZE_MAX, &li, &msi);
	} else
		cpts_buf_addstr(b, "none in the workspace (LI, MSI and class 5 not checked)\n");
	if (r->has_flows) {
		/* a masked LI is not compared with the floor (that would bound its counts) */
		size_t low = 0, hid = 0;
		cpts_pub pub = CPTS_PUB_INIT;
		for (size_t t = 0; t < r->n_terr; t++) {
			cpts_pvalue li = terr_li(&r->terr[t], &pub, false);
			hid += cpts_pub_hidden(&li);
			low += !cpts_pub_hidden(&li) && r->terr[t].li < CPTS_BASINS_LI_FLOOR;
		}
		cpts_buf_addf(b, "territories below LI %.1f (the HSAr floor): %zu of %zu",
			      CPTS_BASINS_LI_FLOOR, low, r->n_terr - hid);
		cpts_buf_addstr(b, hid ? " with a published LI\n" : "\n");
	}
	if (!r->has_graph)
		cpts_buf_addstr(b, "contiguity: no graph in the workspace (run 'cpts graph')\n");
	if (r->has_statut) {
		cpts_buf_addstr(b, "coverage by stage (cumulative):");
		for (int k = CPTS_STAGE_ACI; k >= CPTS_STAGE_LETTRE; k--)
			cpts_buf_addf(b, " %s%s %.1f%%%s", stage_name(k),
				      k < CPTS_STAGE_ACI ? " or later" : "",
				      r->pop_total > 0 ? 100.0 * r->stage_pop[k] / r->pop_total : 0.0,
				      k > CPTS_STAGE_LETTRE ? "," : "");
		cpts_buf_addstr(b, " of the population\n");
	}
	for (size_t k = 0; k < r->n_cmp; k++) {
		const cpts_check_compare *cp = &r->cmp[k];
		cpts_buf_addf(b, "compared with '%s': ARI ", cpts_text(cp->name));
		add_ratio(b, cp->r.ari, 3);
		cpts_buf_addstr(b, ", NMI ");
		add_ratio(b, cp->r.nmi, 3);
		cpts_buf_addstr(b, ", matching population ");
		if (isnan(cp->r.share_matching))
			cpts_buf_addstr(b, "n/a");
		else
			cpts_buf_addf(b, "%.1f%%", 100.0 * cp->r.share_matching);
		cpts_buf_addf(b, "; %zu commune%s outside their territory's best-matching unit\n",
			      cp->n_disagree, pl(cp->n_disagree));
	}
	cpts_buf_addf(b, "summary: %zu of %zu territories with problems\n", r->n_problem_terr,
		      r->n_terr);
}

static void text_terr(cpts_buf *b, const cpts_check_report *r, const cpts_check_terr *t)
{
	const cpts_model *m = r->model;
	char a[32], c[32];

	cpts_buf_addf(b, "\nterritory '%s'", cpts_text(t->id));
	if (t->statut)
		cpts_buf_addf(b, " [%s]", cpts_text(t->statut));
	cpts_buf_addf(b, "\n  population %s, %zu commune%s, ACI tier %d (%s inhabitants %s tier %d)\n",
		      fmt_int(a, sizeof(a), t->pop), t->n_communes, pl(t->n_communes), t->tier,
		      fmt_int(c, sizeof(c), fabs(t->tier_gap)), t->tier_gap >= 0 ? "to" : "above",
		      t->toward_tier);
	cpts_pub pub = CPTS_PUB_INIT;
	cpts_pvalue li = terr_li(t, &pub, false), msi = terr_li(t, &pub, true);
	cpts_buf_addstr(b, "  LI ");
	add_pub(b, li, 3, false);
	if (cpts_pub_shown(&li) && t->li < CPTS_BASINS_LI_FLOOR)
		cpts_buf_addf(b, " (below the floor of %.1f)", CPTS_BASINS_LI_FLOOR);
	cpts_buf_addstr(b, ", MSI ");
	add_pub(b, msi, 3, false);
	chk_mark_li(r, (size_t)(t - r->terr), &li, &msi);
	cpts_buf_addstr(b, ", PAC ");
	add_ratio(b, t->pac, 2);
	if (r->has_graph)
		cpts_buf_addf(b, ", %zu piece%s\n", t->n_pieces, t->n_pieces > 1 ? "s" : "");
	else
		cpts_buf_addstr(b, ", pieces n/a\n");
	if (t->n_cut) {
		cpts_buf_addstr(b, "  cut off: ");
		add_commune_list(b, m, t->cut, t->n_cut);
		cpts_buf_addch(b, '\n');
	}
	if (t->n_overlap) {
		cpts_buf_addstr(b, "  also claimed by another territory: ");
		add_commune_list(b, m, t->overlap, t->n_overlap);
		cpts_buf_addch(b, '\n');
	}
	for (size_t k = 0; k < t->n_encloses; k++) {
		long own = r->part->commune_terr[t->encloses[k]];
		cpts_buf_addstr(b, "  encloses: ");
		add_commune(b, m, t->encloses[k]);
		if (own >= 0)
			cpts_buf_addf(b, " (territory '%s')\n", cpts_text(r->part->terr[own]));
		else
			cpts_buf_addstr(b, " (white zone)\n");
	}
	for (size_t k = 0; k < t->n_class5; k++) {
		const cpts_check_class5 *c5 = &t->class5[k];
		cpts_buf_addstr(b, "  class 5: ");
		add_commune(b, m, c5->commune);
		/* whole percents, as in the GeoPackage and the JSON */
		cpts_buf_addf(b, " (%.0f%% of its flows to '%s', %.0f%% to its own)\n",
			      100.0 * cpts_share_whole_pct(c5->to_share),
			      cpts_text(r->part->terr[c5->to]),
			      100.0 * cpts_share_whole_pct(c5->own_share));
	}
	cpts_buf_addstr(b, "  verdict: ");
	add_verdict(b, r, t);
	cpts_buf_addch(b, '\n');
}

static void json_codes(cpts_buf *b, const cpts_model *m, const size_t *v, size_t n)
{
	cpts_buf_addch(b, '[');
	for (size_t k = 0; k < n; k++) {
		if (k)
			cpts_buf_addch(b, ',');
		cpts_buf_add_json(b, m->c[v[k]].code);
	}
	cpts_buf_addch(b, ']');
}

static void json_terr(cpts_buf *b, const cpts_check_report *r, const cpts_check_terr *t)
{
	const cpts_model *m = r->model;
	cpts_buf verdict = CPTS_BUF_INIT;
	static const char *pnames[] = { "overlap", "non_contiguous", "too_small", "enclave",
					"multipolar" };
	bool first = true;

	cpts_buf_addstr(b, "{\"id\":");
	cpts_buf_add_json(b, t->id);
	cpts_buf_addstr(b, ",\"statut\":");
	if (t->statut)
		cpts_buf_add_json(b, t->statut);
	else
		cpts_buf_addstr(b, "null");
	cpts_buf_addf(b, ",\"stage\":%d,\"pop\":%.0f,\"n_communes\":%zu,\"tier\":%d,"
		      "\"tier_gap\":%.0f,\"toward_tier\":%d,\"li\":", t->stage, t->pop,
		      t->n_communes, t->tier, t->tier_gap, t->toward_tier);
	cpts_pub pub = CPTS_PUB_INIT;
	add_pub(b, terr_li(t, &pub, false), 3, true); /* flow ratios: what the text prints */
	{
		cpts_pvalue li = terr_li(t, &pub, false);
		cpts_buf_addf(b, ",\"li_below_floor\":%s", !cpts_pub_shown(&li) ? "null" :
			      t->li < CPTS_BASINS_LI_FLOOR ? "true" : "false");
	}
	cpts_buf_addstr(b, ",\"msi\":");
	add_pub(b, terr_li(t, &pub, true), 3, true);
	{
		cpts_pvalue li = terr_li(t, &pub, false), msi = terr_li(t, &pub, true);
		bool hl = cpts_pub_hidden(&li), hm = cpts_pub_hidden(&msi);
		chk_mark_li(r, (size_t)(t - r->terr), &li, &msi);
		cpts_buf_addf(b, ",\"masked\":[%s%s%s]", hl ? "\"li\"" : "", hl && hm ? "," : "",
			      hm ? "\"msi\"" : "");
	}
	cpts_buf_addstr(b, ",\"pac\":");
	add_num(b, t->pac, "%.6f");
	cpts_buf_addf(b, ",\"pieces\":%zu,\"cut_off\":", t->n_pieces);
	json_codes(b, m, t->cut, t->n_cut);
	cpts_buf_addstr(b, ",\"overlaps\":");
	json_codes(b, m, t->overlap, t->n_overlap);
	cpts_buf_addstr(b, ",\"encloses\":");
	json_codes(b, m, t->encloses, t->n_encloses);
	cpts_buf_addstr(b, ",\"class5\":[");
	for (size_t k = 0; k < t->n_class5; k++) {
		const cpts_check_class5 *c5 = &t->class5[k];
		cpts_buf_addstr(b, k ? ",{\"code\":" : "{\"code\":");
		cpts_buf_add_json(b, m->c[c5->commune].code);
		cpts_buf_addstr(b, ",\"to\":");
		cpts_buf_add_json(b, r->part->terr[c5->to]);
		/* attraction shares in whole percents, as in the GeoPackage (at 0.1 % they
		   pin the flow total of a commune with about 150 flows) */
		cpts_buf_addf(b, ",\"to_share\":%.2f,\"own_share\":%.2f}",
			      cpts_share_whole_pct(c5->to_share),
			      cpts_share_whole_pct(c5->own_share));
	}
	cpts_buf_addstr(b, "],\"problems\":[");
	for (int k = 0; k < 5; k++)
		if (t->problems & (1u << k)) {
			if (!first)
				cpts_buf_addch(b, ',');
			cpts_buf_add_json(b, pnames[k]);
			first = false;
		}
	add_verdict(&verdict, r, t);
	cpts_buf_addstr(b, "],\"verdict\":");
	cpts_buf_add_json(b, verdict.data);
	cpts_buf_addch(b, '}');
	cpts_buf_release(&verdict);
}

static void json_report(cpts_buf *b, const cpts_check_report *r)
{
	const cpts_model *m = r->model;

	cpts_buf_addstr(b, "{\"partition\":");
	cpts_buf_add_json(b, r->part->name);
	cpts_buf_addf(b, ",\"min_pop\":%.0f,\"n_territories\":%zu,\"n_communes\":%zu,"
		      "\"n_covered\":%zu,\"pop_total\":%.0f,\"pop_covered\":%.0f,"
		      "\"share_pop_covered\":", r->min_pop, r->n_terr, r->n_communes,
		      r->n_covered, r->pop_total, r->pop_covered);
	add_num(b, r->pop_total > 0 ? r->pop_covered / r->pop_total : NAN, "%.6f");
	cpts_buf_addstr(b, ",\"uncovered\":");
	json_codes(b, m, r->uncovered, r->n_uncovered);
	cpts_buf_addstr(b, ",\"white_zones_by_dep\":[");
	for (size_t k = 0; k < r->n_white_deps; k++) {
		cpts_buf_addstr(b, k ? ",{\"dep\":" : "{\"dep\":");
		cpts_buf_add_json(b, r->white_deps[k].dep);
		cpts_buf_addf(b, ",\"pop\":%.0f,\"n_communes\":%zu}", r->white_deps[k].pop,
			      r->white_deps[k].n_communes);
	}
	cpts_buf_addstr(b, "],\"overlaps\":[");
	for (size_t k = 0; k < r->n_overlaps; k++) {
		cpts_buf_addstr(b, k ? ",{\"code\":" : "{\"code\":");
		cpts_buf_add_json(b, m->c[r->overlaps[k]].code);
		cpts_buf_addstr(b, ",\"territories\":[");
		add_claimants(b, r->part, r->overlaps[k], true);
		cpts_buf_addstr(b, "]}");
	}
	cpts_buf_addstr(b, "],\"split\":[");
	add_split(b, m, r->part, true);
	cpts_buf_addf(b, "],\"resamples\":%d,\"unstable\":[", r->n_resamples);
	for (size_t k = 0; k < r->n_unstable; k++) {
		cpts_buf_addstr(b, k ? ",{\"code\":" : "{\"code\":");
		cpts_buf_add_json(b, m->c[r->unstable[k]].code);
		cpts_buf_addf(b, ",\"coassign\":%.6f}", r->unstable_share[k]);
	}
	cpts_buf_addf(b, "],\"has_flows\":%s,\"has_graph\":%s,\"li\":",
		      r->has_flows ? "true" : "false", r->has_graph ? "true" : "false");
	cpts_pub pub = CPTS_PUB_INIT;
	cpts_pvalue oli = chk_overall_li(r, &pub, false), omsi = chk_overall_li(r, &pub, true);
	add_pub(b, oli, 3, true);
	cpts_buf_addf(b, ",\"li_floor\":%.1f", CPTS_BASINS_LI_FLOOR);
	cpts_buf_addstr(b, ",\"msi\":");
	add_pub(b, omsi, 3, true);
	chk_mark_li(r, SIZE_MAX, &oli, &omsi);
	cpts_buf_addstr(b, ",\"stages\":");
	if (r->has_statut)
		cpts_buf_addf(b, "{\"aci_signee\":%.0f,\"projet_valide\":%.0f,"
			      "\"lettre_intention\":%.0f}", r->stage_pop[3], r->stage_pop[2],
			      r->stage_pop[1]);
	else
		cpts_buf_addstr(b, "null");
	cpts_buf_addstr(b, ",\"compare\":[");
	for (size_t k = 0; k < r->n_cmp; k++) {
		cpts_buf_addstr(b, k ? ",{\"name\":" : "{\"name\":");
		cpts_buf_add_json(b, r->cmp[k].name);
		cpts_buf_addstr(b, ",\"ari\":");
		add_num(b, r->cmp[k].r.ari, "%.6f");
		cpts_buf_addstr(b, ",\"nmi\":");
		add_num(b, r->cmp[k].r.nmi, "%.6f");
		cpts_buf_addstr(b, ",\"share_matching\":");
		add_num(b, r->cmp[k].r.share_matching, "%.6f");
		cpts_buf_addf(b, ",\"n_disagree\":%zu}", r->cmp[k].n_disagree);
	}
	cpts_buf_addf(b, "],\"n_problem_territories\":%zu,\"territories\":[", r->n_problem_terr);
	for (size_t t = 0; t < r->n_terr; t++) {
		if (t)
			cpts_buf_addch(b, ',');
		json_terr(b, r, &r->terr[t]);
	}
	cpts_buf_addstr(b, "]}\n");
}

int chk_write(cpts_ctx *ctx, cpts_buf *b, FILE *out)
{
	int rc = CPTS_OK;

	if (fwrite(b->data, 1, b->len, out) != b->len || fflush(out) != 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write the report to standard output");
	cpts_buf_release(b);
	return rc;
}

int cpts_check_print(cpts_ctx *ctx, const cpts_check_report *r, FILE *out, bool json)
{
	cpts_buf b = CPTS_BUF_INIT;

	if (json)
		json_report(&b, r);
	else {
		text_overall(&b, r);
		for (size_t t = 0; t < r->n_terr; t++)
			text_terr(&b, r, &r->terr[t]);
	}
	return chk_write(ctx, &b, out);
}
