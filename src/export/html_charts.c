/*
 * html_charts.c - comparative charts of the report: a forest plot draws, for a ratio
 * with a confidence interval (the ICC), one row per place - the territory, its
 * département(s), its region and the whole area on a territory page; every territory
 * and the reference on the index - with the reference value (100) as a vertical line,
 * so that one glance shows which intervals lie away from it.
 *
 * Why SVG by hand: the pages are self-contained and printable; rows are fixed-height
 * text and lines, labels left, values right, deterministic output.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "export/report_int.h"

#define ROW_H 18.0
#define LABEL_W 230.0
#define PLOT_W 330.0
#define VALUE_W 150.0

void ex_forest(cpts_buf *b, const ex_forest_row *rows, size_t n, double ref,
	       const char *caption)
{
	double a0 = ref - 10, a1 = ref + 10, step, w = LABEL_W + PLOT_W + VALUE_W, h;
	double x0 = LABEL_W + 10, x1 = LABEL_W + PLOT_W - 10;
	char s1[32], s2[32], s3[32];

	for (size_t k = 0; k < n; k++) {
		double lo = isfinite(rows[k].lo) ? rows[k].lo : rows[k].v;
		double hi = isfinite(rows[k].hi) ? rows[k].hi : rows[k].v;
		if (!isfinite(rows[k].v))
			continue;
		if (lo < a0)
			a0 = lo;
		if (hi > a1)
			a1 = hi;
	}
	step = a1 - a0 > 120 ? 50 : a1 - a0 > 40 ? 20 : a1 - a0 > 16 ? 10 : 5;
	a0 = floor(a0 / step) * step;
	a1 = ceil(a1 / step) * step;
	h = 22 + (double)n * ROW_H + 8;
#define X(val) (x0 + ((val) - a0) / (a1 - a0) * (x1 - x0))
	cpts_buf_addf(b, "<figure class=\"forest\"><svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\""
		      " height=\"%.0f\" role=\"img\" class=\"forest\">\n", w, h, w, h);
	for (double t = a0; t <= a1 + 1e-9; t += step)
		cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"%.1f\""
			      " stroke=\"#e4e4e4\"/><text x=\"%.1f\" y=\"12\""
			      " text-anchor=\"middle\">%.0f</text>", X(t), X(t), h - 6, X(t), t);
	cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"16\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#b30000\""
		      " stroke-dasharray=\"3,2\"/>\n", X(ref), X(ref), h - 6);
	for (size_t k = 0; k < n; k++) {
		const ex_forest_row *r = &rows[k];
		double y = 22 + (double)k * ROW_H + ROW_H / 2;
		const char *col = r->style == 0 ? "#b30000" : r->style == 1 ? "#33557a" : "#222";
		if (r->style == 2)
			cpts_buf_addf(b, "<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\""
				      " fill=\"#f1f1f1\"/>", y - ROW_H / 2, w, ROW_H);
		cpts_buf_addf(b, "<text x=\"4\" y=\"%.1f\"%s>", y + 4,
			      r->style == 0 ? " font-weight=\"bold\"" : "");
		if (r->href) {
			cpts_buf_addstr(b, "<a href=\"");
			cpts_buf_add_html(b, r->href);
			cpts_buf_addstr(b, "\">");
		}
		cpts_buf_add_html(b, r->label);
		if (r->href)
			cpts_buf_addstr(b, "</a>");
		cpts_buf_addstr(b, "</text>");
		if (!isfinite(r->v) && !(isfinite(r->lo) && isfinite(r->hi))) {
			cpts_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"masked\">non publié"
				      "</text>\n", x0, y + 4);
			continue;
		}
		if (isfinite(r->lo) && isfinite(r->hi))
			cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\""
				      " stroke=\"%s\" stroke-width=\"2\"/><line x1=\"%.1f\""
				      " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/><line"
				      " x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
				      X(r->lo), y, X(r->hi), y, col, X(r->lo), y - 4, X(r->lo),
				      y + 4, col, X(r->hi), y - 4, X(r->hi), y + 4, col);
		if (isfinite(r->v)) {
			cpts_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\""
				      " fill=\"%s\" stroke=\"#fff\" stroke-width=\"1\"/>",
				      X(r->v) - 3.5, y - 3.5, col);
			cpts_fmt_fr(s1, sizeof(s1), r->v, 1);
		} else {
			s1[0] = 0;
		}
		cpts_buf_addf(b, "<text x=\"%.1f\" y=\"%.1f\">%s", LABEL_W + PLOT_W + 4, y + 4, s1);
		if (isfinite(r->lo) && isfinite(r->hi))
			cpts_buf_addf(b, isfinite(r->v) ? " [%s ; %s]" : "entre %s et %s",
				      cpts_fmt_fr(s2, sizeof(s2), r->lo, 1),
				      cpts_fmt_fr(s3, sizeof(s3), r->hi, 1));
		cpts_buf_addstr(b, "</text>\n");
	}
#undef X
	cpts_buf_addstr(b, "</svg><figcaption>");
	cpts_buf_add_html(b, caption);
	cpts_buf_addstr(b, "</figcaption></figure>\n");
}

const char *ex_default_map_key(const ex_data *d)
{
	static const char *const keys[] = { "mt_share", "icc", "gp_density", "density", NULL };

	for (int k = 0; keys[k]; k++)
		for (size_t i = 0; i < d->m->n; i++)
			if (d->p->commune_terr[i] != -1 &&
			    !isnan(ex_map_number(ex_commune_value(d, i, keys[k]))))
				return cpts_indicator_find(keys[k])->key;
	return cpts_indicator_find("mt_share")->key;
}
