/*
 * html_check.c - the partition section of the index for ARS planners: the findings of
 * `cpts check` (src/check) on the exported partition, in French and with names:
 * coverage (communes, population, and by statut stage when the partition has one),
 * white zones by département, overlaps, size tiers, LI/MSI and a verdict per
 * territory.
 *
 * Why it runs the check here: the check is computed from the workspace (graph, flows,
 * model) exactly as `cpts check` prints it, so the report and the command agree; the
 * export stays read-only (cpts_check_run does not write).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/check.h"
#include "export/report_int.h"

static void verdict_fr(cpts_buf *b, const cpts_check_report *r, const cpts_check_terr *t)
{
	char n1[32], n2[32];
	const char *sep = "";

	if (!t->problems) {
		cpts_buf_addstr(b, "conforme");
		return;
	}
	if (t->problems & CPTS_CHECK_OVERLAP) {
		cpts_buf_addf(b, "%schevauchement (%zu commune%s revendiquée%s par un autre"
			      " territoire)", sep, t->n_overlap, t->n_overlap > 1 ? "s" : "",
			      t->n_overlap > 1 ? "s" : "");
		sep = " ; ";
	}
	if (t->problems & CPTS_CHECK_NONCONTIGUOUS) {
		cpts_buf_addf(b, "%snon d'un seul tenant (%zu morceaux, %zu commune%s isolée%s)",
			      sep, t->n_pieces, t->n_cut, t->n_cut > 1 ? "s" : "",
			      t->n_cut > 1 ? "s" : "");
		sep = " ; ";
	}
	if (t->problems & CPTS_CHECK_SMALL) {
		cpts_buf_addf(b, "%strop petit (%s habitants, sous le seuil de %s)", sep,
			      cpts_fmt_fr(n1, sizeof(n1), t->pop, 0),
			      cpts_fmt_fr(n2, sizeof(n2), r->min_pop, 0));
		sep = " ; ";
	}
	if (t->problems & CPTS_CHECK_ENCLAVE) {
		cpts_buf_addf(b, "%senclave %zu commune%s d'autres territoires", sep, t->n_encloses,
			      t->n_encloses > 1 ? "s" : "");
		sep = " ; ";
	}
	if (t->problems & CPTS_CHECK_MULTIPOLAR)
		cpts_buf_addf(b, "%s%zu commune%s attirée%s surtout par un autre territoire", sep,
			      t->n_class5, t->n_class5 > 1 ? "s" : "", t->n_class5 > 1 ? "s" : "");
}

/* A ratio as published (v, NAN when masked) of a computed raw value. */
static void pct_cell(cpts_buf *b, double raw, double v)
{
	char s[32];

	cpts_buf_addstr(b, "<td class=\"n\">");
	if (isfinite(v))
		cpts_buf_addstr(b, cpts_fmt_fr_pct(s, sizeof(s), v, 1));
	else if (isfinite(raw))
		cpts_buf_addstr(b, "secret statistique");
	cpts_buf_addstr(b, "</td>");
}

static void coverage(cpts_buf *b, const cpts_check_report *r)
{
	static const char *const stage[4] = { "", "au moins une lettre d'intention",
					      "au moins un projet de santé validé",
					      "un ACI signé" };
	char s1[32], s2[32], s3[32];

	cpts_buf_addf(b, "<p>Couverture : %s communes sur %s, %s habitants sur %s (%s de la"
		      " population).</p>\n", cpts_fmt_fr(s1, sizeof(s1), (double)r->n_covered, 0),
		      cpts_fmt_fr(s2, sizeof(s2), (double)r->n_communes, 0),
		      cpts_fmt_fr(s3, sizeof(s3), r->pop_covered, 0),
		      cpts_fmt_fr(s1, sizeof(s1), r->pop_total, 0),
		      cpts_fmt_fr_pct(s2, sizeof(s2), r->pop_total > 0 ? r->pop_covered /
				      r->pop_total : 0, 1));
	if (r->has_statut) {
		cpts_buf_addstr(b, "<table><thead><tr><th>Stade</th><th>Population couverte</th>"
				"<th>Part</th></tr></thead><tbody>\n");
		for (int k = 1; k <= 3; k++) {
			cpts_buf_addf(b, "<tr><td>Territoires ayant %s</td><td class=\"n\">%s</td>",
				      stage[k], cpts_fmt_fr(s1, sizeof(s1), r->stage_pop[k], 0));
			double sp = r->pop_total > 0 ? r->stage_pop[k] / r->pop_total : NAN;
			pct_cell(b, sp, sp); /* a share of population: public */
			cpts_buf_addstr(b, "</tr>\n");
		}
		cpts_buf_addstr(b, "</tbody></table>\n");
	}
	if (r->n_white_deps) {
		cpts_buf_addstr(b, "<h3>Zones blanches par département</h3>\n<table><thead><tr>"
				"<th>Département</th><th>Communes hors territoire</th><th>Habitants"
				"</th></tr></thead><tbody>\n");
		for (size_t k = 0; k < r->n_white_deps; k++)
			cpts_buf_addf(b, "<tr><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s"
				      "</td></tr>\n", ex_dep_label(r->white_deps[k].dep),
				      cpts_fmt_fr(s1, sizeof(s1), (double)r->white_deps[k].n_communes,
						  0),
				      cpts_fmt_fr(s2, sizeof(s2), r->white_deps[k].pop, 0));
		cpts_buf_addstr(b, "</tbody></table>\n");
	} else {
		cpts_buf_addstr(b, "<p>Aucune zone blanche : chaque commune appartient à un"
				" territoire.</p>\n");
	}
	if (r->n_overlaps) {
		cpts_buf_addf(b, "<p>Chevauchements : %zu commune%s revendiquée%s par plusieurs"
			      " territoires : ", r->n_overlaps, r->n_overlaps > 1 ? "s" : "",
			      r->n_overlaps > 1 ? "s" : "");
		for (size_t k = 0; k < r->n_overlaps && k < 20; k++) {
			cpts_buf_addstr(b, k ? ", " : "");
			cpts_buf_add_html(b, r->model->c[r->overlaps[k]].name);
		}
		cpts_buf_addstr(b, r->n_overlaps > 20 ? "…</p>\n" : ".</p>\n");
	} else {
		cpts_buf_addstr(b, "<p>Aucun chevauchement entre territoires.</p>\n");
	}
}

int ex_html_check(cpts_ctx *ctx, cpts_buf *b, const ex_data *d)
{
	cpts_check_opts co = CPTS_CHECK_OPTS_INIT;
	cpts_check_report *r = NULL;
	size_t tiers[5] = { 0 };
	char s1[32], s2[32];
	int rc;

	co.no_compare = true;
	co.session = d->ss;
	if ((rc = cpts_check_run(ctx, &r, d->s, d->opts->partition, &co)) < 0) {
		/* only a partition the check refuses (bad input) leaves the section out: a
		 * read, I/O or internal error stops the export */
		if (rc != CPTS_EINPUT)
			return rc;
		cpts_note(ctx, "partition check not in the report: %s", ctx->err.msg);
		cpts_error_clear(ctx);
		return CPTS_OK;
	}
	/* LI and MSI as every print shows them: masked with small or withheld flow totals
	   (the export's own totals were disclosed and marked in d->pf) */
	cpts_check_disclose(ctx, r, d->pf);
	cpts_buf_addstr(b, "<section id=\"controle\"><h2>Contrôle de la partition</h2>\n");

	coverage(b, r);
	for (size_t k = 0; k < r->n_terr; k++)
		tiers[r->terr[k].tier >= 1 && r->terr[k].tier <= 4 ? r->terr[k].tier : 0]++;
	cpts_buf_addf(b, "<p>Tailles ACI : %zu territoire%s de taille 1, %zu de taille 2, %zu de"
		      " taille 3, %zu de taille 4.", tiers[1], tiers[1] > 1 ? "s" : "", tiers[2],
		      tiers[3], tiers[4]);
	double oli = cpts_check_ratio_published(r, SIZE_MAX, false);
	double omsi = cpts_check_ratio_published(r, SIZE_MAX, true);
	if (isfinite(oli) && isfinite(omsi))
		cpts_buf_addf(b, " Ensemble des territoires : indice de localisation %s, indice"
			      " de part de marché %s (pondérés par les flux).",
			      cpts_fmt_fr_pct(s1, sizeof(s1), oli, 1),
			      cpts_fmt_fr_pct(s2, sizeof(s2), omsi, 1));
	cpts_buf_addf(b, " %zu territoire%s sur %zu présente%s au moins un point d'attention.</p>\n",
		      r->n_problem_terr, r->n_problem_terr > 1 ? "s" : "", r->n_terr,
		      r->n_problem_terr > 1 ? "nt" : "");
	cpts_buf_addstr(b, "<table class=\"small\"><thead><tr><th>Territoire</th><th>Population"
			"</th><th>Taille ACI</th><th>LI</th><th>MSI</th><th>Verdict</th></tr>"
			"</thead><tbody>\n");
	for (size_t k = 0; k < r->n_terr; k++) {
		const cpts_check_terr *t = &r->terr[k];
		char *nm = k < d->p->n_terr && strcmp(d->p->terr[k], t->id) == 0
				   ? ex_terr_name(d, k) : cpts_strdup(t->id);
		cpts_buf_addstr(b, "<tr><td>");
		cpts_buf_add_html(b, nm);
		free(nm);
		cpts_buf_addf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%d</td>",
			      cpts_fmt_fr(s1, sizeof(s1), t->pop, 0), t->tier);
		pct_cell(b, t->li, cpts_check_ratio_published(r, k, false));
		pct_cell(b, t->msi, cpts_check_ratio_published(r, k, true));
		cpts_buf_addstr(b, "<td>");
		verdict_fr(b, r, t);
		cpts_buf_addstr(b, "</td></tr>\n");
	}
	cpts_buf_addstr(b, "</tbody></table></section>\n");
	cpts_check_report_free(ctx, r);
	return CPTS_OK;
}
