/*
 * out_html.c - the HTML report: DIR/index.html (every territory with its key figures
 * and a map of the whole partition) and one page per territory, DIR/<id>.html.
 *
 * Why this shape: founders and planners read the report offline, print it and mail
 * it, so each page is self-contained (inline CSS and SVG; no script, no font, no
 * image fetched from anywhere) and prints on A4 (@page, break-inside: avoid). Every
 * number comes from the disclosed table (masked values read « < 11 » or « secret
 * statistique »), is formatted the French way (cpts_fmt_fr: `12 345`, `12,4 %`), and
 * every name goes through cpts_buf_add_html. Output is deterministic: territories and
 * communes in code order, fixed formats, dates from cpts_timestamp_utc. Each file is
 * written to a temporary name and renamed.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/basins.h"
#include "cpts/check.h"
#include "cpts/version.h"
#include "dep/dep.h"
#include "export/export_int.h"
#include "export/svg.h"

#define MAP_W 640.0
#define MAP_H 560.0

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;font-size:13px;color:#222;"
	"max-width:1000px;margin:0 auto;padding:16px;line-height:1.4}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #b30000;"
	"padding-bottom:2px;margin:18px 0 8px}h3{font-size:14px;margin:10px 0 4px}"
	".sub{color:#555;margin:0 0 10px}"
	"table{border-collapse:collapse;margin:4px 0 8px;width:100%}"
	"th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}"
	"th{background:#f3f3f3;text-align:left}td.n{text-align:right;white-space:nowrap}"
	"section{break-inside:avoid;page-break-inside:avoid}"
	".cols{display:flex;flex-wrap:wrap;gap:16px}.cols>div{flex:1 1 300px}"
	"svg{max-width:100%;height:auto}svg text{font-size:11px;fill:#222}"
	".map path.c{stroke:#555;stroke-width:.4;fill-rule:evenodd}"
	".map path.t{fill:none;stroke:#111;stroke-width:1.6}"
	".map path.tt{stroke:#333;stroke-width:.8;fill-rule:evenodd}"
	".legend{list-style:none;padding:0;margin:4px 0}.legend li{display:inline-block;"
	"margin-right:10px}.sw{display:inline-block;width:12px;height:12px;margin-right:4px;"
	"border:1px solid #888;vertical-align:middle}"
	".note{color:#444;font-size:12px}.masked{color:#777;font-style:italic}"
	"footer{margin-top:20px;color:#666;font-size:11px}"
	"@page{size:A4;margin:12mm}"
	"@media print{body{max-width:none;padding:0;font-size:11px}a{color:inherit;"
	"text-decoration:none}h2{break-after:avoid;page-break-after:avoid}"
	"table,svg,figure{break-inside:avoid;page-break-inside:avoid}"
	"svg{max-height:150mm}.cols>div{flex:1 1 45%}}";

/* Keys of the "chiffres clés" table. */
static const char *const key_figures[] = {
	"pop_total", "share_75p", "density", "area_km2", "n_communes", "mt_share", "icc",
	"gp_density", "gp_share_60p", "apl", NULL,
};
static const char *const mt_keys[] = {
	"mt_patients", "mt_sans_mt", "mt_share", "mt_mt_parti", "mt_fictif", "mt_ald_share",
	"mt_c2s_share", "mt_p70_share", NULL,
};
static const char *const supply_keys[] = {
	"gp_count", "gp_etp", "gp_density", "gp_share_60p", "apl", NULL,
};

/* ---- small helpers ---- */

static void page_open(cpts_buf *b, const char *title)
{
	cpts_buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			"<title>");
	cpts_buf_add_html(b, title);
	cpts_buf_addf(b, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

static void page_close(cpts_buf *b, const ex_data *d)
{
	cpts_buf_addstr(b, "<footer>Produit par cpts ");
	cpts_buf_add_html(b, CPTS_VERSION);
	cpts_buf_addstr(b, " le ");
	cpts_buf_add_html(b, d->timestamp);
	cpts_buf_addstr(b, " — partition « ");
	cpts_buf_add_html(b, d->opts->partition);
	cpts_buf_addstr(b, " ». Les valeurs de 1 à ");
	cpts_buf_addf(b, "%.0f", d->threshold - 1);
	cpts_buf_addstr(b, " d'effectifs de santé sont masquées (secret statistique).</footer>\n"
			"</body>\n</html>\n");
}

/* A territory's file name: its id when made of safe characters, else t<index>_<id>
 * with the unsafe characters replaced (unique through the index). */
static char *terr_file(const ex_data *d, size_t t)
{
	const char *id = d->p->terr[t];
	bool safe = *id && id[0] != '.';
	char *s;

	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			safe = false;
	if (safe && strcmp(id, "index") != 0)
		return cpts_asprintf("%s.html", id);
	s = cpts_asprintf("t%zu_%s.html", t, id);
	for (char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			*c = '_';
	return s;
}

static void add_value(cpts_buf *b, const ex_data *d, const cpts_indicator *ind,
		      const cpts_pvalue *v)
{
	char s[96];

	ex_fmt_value(s, sizeof(s), ind, v, d->threshold);
	if (v && v->masked) {
		cpts_buf_addstr(b, "<span class=\"masked\" title=\"secret statistique\">");
		cpts_buf_add_html(b, s);
		cpts_buf_addstr(b, "</span>");
	} else {
		cpts_buf_add_html(b, s);
	}
}

/* A territory's value with the public fallbacks (ex_terr_number), as a cell. */
static void add_terr_value(cpts_buf *b, const ex_data *d, size_t t, const cpts_indicator *ind)
{
	const cpts_pvalue *v = ex_value(d, d->p->terr[t], "territoire", d->p->terr[t], ind->key);
	cpts_pvalue tmp;

	if (!v) {
		memset(&tmp, 0, sizeof(tmp));
		tmp.value = ex_terr_number(d, t, ind->key, NULL);
		if (isnan(tmp.value)) {
			add_value(b, d, ind, NULL);
			return;
		}
		v = &tmp;
	}
	add_value(b, d, ind, v);
}

static void label_cell(cpts_buf *b, const cpts_indicator *ind)
{
	cpts_buf_addstr(b, "<th>");
	cpts_buf_add_html(b, ind->label_fr);
	if (*ind->unit_fr && strcmp(ind->unit_fr, "%") != 0) {
		cpts_buf_addstr(b, " <span class=\"note\">(");
		cpts_buf_add_html(b, ind->unit_fr);
		cpts_buf_addstr(b, ")</span>");
	}
	cpts_buf_addstr(b, "</th>");
}

/* Rows of keys, columns: territory, its départements, regions and the whole area. */
static void table_compare(cpts_buf *b, const ex_data *d, size_t t, const char *const *keys)
{
	const ex_terr *e = &d->terr[t];
	const char *id = d->p->terr[t];

	cpts_buf_addstr(b, "<table class=\"cmp\"><thead><tr><th>Indicateur</th><th>Territoire</th>");
	for (int k = 0; k < e->n_deps; k++) {
		cpts_buf_addstr(b, "<th>Département ");
		cpts_buf_add_html(b, e->deps[k]);
		cpts_buf_addstr(b, "</th>");
	}
	for (int k = 0; k < e->n_regs; k++) {
		cpts_buf_addstr(b, "<th>Région ");
		cpts_buf_add_html(b, e->regs[k]);
		cpts_buf_addstr(b, "</th>");
	}
	cpts_buf_addstr(b, "<th>Ensemble</th></tr></thead><tbody>\n");
	for (int r = 0; keys[r]; r++) {
		const cpts_indicator *ind = cpts_indicator_find(keys[r]);
		if (!ind)
			continue;
		cpts_buf_addstr(b, "<tr>");
		label_cell(b, ind);
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_terr_value(b, d, t, ind);
		cpts_buf_addstr(b, "</td>");
		for (int k = 0; k < e->n_deps; k++) {
			cpts_buf_addstr(b, "<td class=\"n\">");
			add_value(b, d, ind, ex_value(d, id, "departement", e->deps[k], ind->key));
			cpts_buf_addstr(b, "</td>");
		}
		for (int k = 0; k < e->n_regs; k++) {
			cpts_buf_addstr(b, "<td class=\"n\">");
			add_value(b, d, ind, ex_value(d, id, "region", e->regs[k], ind->key));
			cpts_buf_addstr(b, "</td>");
		}
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_value(b, d, ind, ex_value(d, id, "ensemble", "ALL", ind->key));
		cpts_buf_addstr(b, "</td></tr>\n");
	}
	cpts_buf_addstr(b, "</tbody></table>\n");
}

static double commune_map_value(const ex_data *d, size_t i)
{
	return ex_map_number(ex_commune_value(d, i, d->map_key));
}

/* ---- maps ---- */

/* Map of one territory: one <path class="c" data-code> per commune, then the outline. */
static int territory_map(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, size_t t,
			 const ex_classes *cl)
{
	const cpts_partition *p = d->p;
	const ex_terr *e = &d->terr[t];
	const cpts_indicator *ind = cpts_indicator_find(d->map_key);
	double ext[4] = { NAN, NAN, NAN, NAN };
	ex_svgmap m;
	GEOSGeometry **gs = NULL;
	size_t n = p->terr_start[t + 1] - p->terr_start[t];
	int rc = CPTS_OK;

	gs = cpts_calloc(n + 1, sizeof(GEOSGeometry *));
	/* communes in the territory's CRS (reprojected when the territory mixes CRSs) */
	for (size_t k = 0; k < n; k++) {
		size_t i = p->members[p->terr_start[t] + k].commune;
		const GEOSGeometry *g = d->m->geoms[i];
		if (!g)
			continue;
		if (d->m->c[i].srid == e->srid)
			gs[k] = GEOSGeom_clone_r(ctx->geos, g);
		else if ((rc = ex_geos_transform(ctx, (ex_reproj *)&d->rp, &gs[k], g,
						 d->m->c[i].srid, e->srid)) < 0)
			goto out;
		ex_extent_add(ctx, ext, gs[k]);
	}
	if (isnan(ext[0])) {
		cpts_buf_addstr(b, "<p class=\"note\">Pas de géométrie pour ce territoire.</p>\n");
		goto out;
	}
	ex_svgmap_init(&m, ext[0], ext[1], ext[2], ext[3], MAP_W, MAP_H, e->srid == 4326);
	cpts_buf_addf(b, "<figure class=\"map\"><svg"
		      " viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n",
		      m.w, m.h, m.w, m.h);
	for (size_t k = 0; k < n; k++) {
		size_t i = p->members[p->terr_start[t] + k].commune;
		const cpts_pvalue *pv = ex_commune_value(d, i, d->map_key);
		double v = commune_map_value(d, i);
		int c = ex_classes_of(cl, v);
		char s[96];
		if (!gs[k])
			continue;
		cpts_buf_addstr(b, "<path class=\"c\" data-code=\"");
		cpts_buf_add_html(b, d->m->c[i].code);
		cpts_buf_addf(b, "\" fill=\"%s\" d=\"", c < 0 ? ex_palette_na : ex_palette[c]);
		if ((rc = ex_svg_path_d(ctx, b, &m, gs[k])) < 0)
			goto out;
		cpts_buf_addstr(b, "\"><title>");
		cpts_buf_add_html(b, d->m->c[i].name);
		ex_fmt_value(s, sizeof(s), ind, pv, d->threshold);
		cpts_buf_addstr(b, " : ");
		cpts_buf_add_html(b, s);
		cpts_buf_addstr(b, "</title></path>\n");
	}
	if (e->geom) {
		cpts_buf_addstr(b, "<path class=\"t\" d=\"");
		if ((rc = ex_svg_path_d(ctx, b, &m, e->geom)) < 0)
			goto out;
		cpts_buf_addstr(b, "\"/>\n");
	}
	ex_svg_scalebar(b, &m);
	cpts_buf_addstr(b, "</svg><figcaption>");
	cpts_buf_add_html(b, ind->label_fr);
	cpts_buf_addstr(b, " par commune");
	ex_html_legend(b, cl, ind);
	cpts_buf_addstr(b, "</figcaption></figure>\n");
out:
	for (size_t k = 0; k < n; k++)
		if (gs[k])
			GEOSGeom_destroy_r(ctx->geos, gs[k]);
	free(gs);
	return rc;
}

/* Map of the whole partition: dissolved territories, one SVG per CRS (metropole,
 * then each overseas département), each territory linking to its page. */
static int partition_map(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, const ex_classes *cl)
{
	const cpts_indicator *ind = cpts_indicator_find(d->map_key);
	int srids[EX_REPROJ_MAX];
	int n_srids = 0;

	for (size_t t = 0; t < d->p->n_terr; t++) {
		int k;
		if (!d->terr[t].geom)
			continue;
		for (k = 0; k < n_srids && srids[k] != d->terr[t].srid; k++)
			;
		if (k == n_srids && n_srids < EX_REPROJ_MAX)
			srids[n_srids++] = d->terr[t].srid;
	}
	for (int k = 0; k < n_srids; k++) {
		double ext[4] = { NAN, NAN, NAN, NAN };
		ex_svgmap m;
		int rc;
		for (size_t t = 0; t < d->p->n_terr; t++)
			if (d->terr[t].geom && d->terr[t].srid == srids[k])
				ex_extent_add(ctx, ext, d->terr[t].geom);
		ex_svgmap_init(&m, ext[0], ext[1], ext[2], ext[3], MAP_W, MAP_H,
			       srids[k] == 4326);
		cpts_buf_addf(b, "<figure class=\"map\"><svg"
			      " viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\""
			      " role=\"img\">\n", m.w, m.h, m.w, m.h);
		for (size_t t = 0; t < d->p->n_terr; t++) {
			double v;
			int c;
			char *file;
			if (!d->terr[t].geom || d->terr[t].srid != srids[k])
				continue;
			v = ex_terr_map_number(d, t, d->map_key);
			c = ex_classes_of(cl, v);
			file = terr_file(d, t);
			cpts_buf_addstr(b, "<a href=\"");
			cpts_buf_add_html(b, file);
			free(file);
			cpts_buf_addstr(b, "\"><path class=\"tt\" data-territoire=\"");
			cpts_buf_add_html(b, d->p->terr[t]);
			cpts_buf_addf(b, "\" fill=\"%s\" d=\"", c < 0 ? ex_palette_na : ex_palette[c]);
			if ((rc = ex_svg_path_d(ctx, b, &m, d->terr[t].geom)) < 0)
				return rc;
			cpts_buf_addstr(b, "\"><title>");
			cpts_buf_add_html(b, d->p->terr[t]);
			cpts_buf_addstr(b, "</title></path></a>\n");
		}
		ex_svg_scalebar(b, &m);
		cpts_buf_addf(b, "</svg><figcaption>%s EPSG:%d — ", k == 0 ? "Carte" : "Carte",
			      srids[k]);
		cpts_buf_add_html(b, ind->label_fr);
		cpts_buf_addstr(b, " par territoire");
		ex_html_legend(b, cl, ind);
		cpts_buf_addstr(b, "</figcaption></figure>\n");
	}
	return CPTS_OK;
}

/* ---- charts ---- */

static double pyr_value(const ex_data *d, const char *terr, const char *level,
			const char *code, char sex, const char *band)
{
	char key[32];
	const cpts_pvalue *v;

	snprintf(key, sizeof(key), "pyr_%c_%s", sex, band);
	v = ex_value(d, terr, level, code, key);
	return v && !v->masked ? v->value : NAN;
}

/* Age pyramid: shares of the population by sex and band, bars for the territory and
 * outlines for the whole area. Population counts are public: never masked. */
static void pyramid(cpts_buf *b, const ex_data *d, size_t t)
{
	const char *id = d->p->terr[t];
	double tot = 0, tot_all = 0, vmax = 0, row = 16, half = 220, top = 24;
	double w = 2 * half + 80, h;
	int nb = d->n_bands;

	if (nb == 0) {
		cpts_buf_addstr(b, "<p class=\"note\">Pyramide des âges non disponible.</p>\n");
		return;
	}
	for (int k = 0; k < nb; k++)
		for (int s = 0; s < 2; s++) {
			double v = pyr_value(d, id, "territoire", id, "FM"[s], d->bands[k]);
			double a = pyr_value(d, id, "ensemble", "ALL", "FM"[s], d->bands[k]);
			tot += isnan(v) ? 0 : v;
			tot_all += isnan(a) ? 0 : a;
		}
	if (!(tot > 0)) {
		cpts_buf_addstr(b, "<p class=\"note\">Pyramide des âges non disponible.</p>\n");
		return;
	}
	for (int k = 0; k < nb; k++)
		for (int s = 0; s < 2; s++) {
			double v = pyr_value(d, id, "territoire", id, "FM"[s], d->bands[k]) / tot;
			double a = tot_all > 0 ? pyr_value(d, id, "ensemble", "ALL", "FM"[s],
							   d->bands[k]) / tot_all : NAN;
			if (v > vmax)
				vmax = v;
			if (a > vmax)
				vmax = a;
		}
	h = top + nb * row + 24;
	cpts_buf_addf(b, "<figure><svg viewBox=\"0 0 %.0f"
		      " %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" class=\"pyramid\">\n",
		      w, h, w, h);
	cpts_buf_addf(b, "<text x=\"%.0f\" y=\"14\" text-anchor=\"end\">Hommes</text><text"
		      " x=\"%.0f\" y=\"14\">Femmes</text>\n", half - 10, half + 90);
	for (int k = 0; k < nb; k++) {
		double y = top + (nb - 1 - k) * row;
		for (int s = 0; s < 2; s++) {
			char sex = "MF"[s];
			double v = pyr_value(d, id, "territoire", id, sex, d->bands[k]) / tot;
			double a = tot_all > 0 ? pyr_value(d, id, "ensemble", "ALL", sex,
							   d->bands[k]) / tot_all : NAN;
			double len = isnan(v) ? 0 : v / vmax * (half - 10);
			double la = isnan(a) ? 0 : a / vmax * (half - 10);
			double x0 = s == 0 ? half - len : half + 80;
			double xa = s == 0 ? half - la : half + 80;
			cpts_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
				      " fill=\"%s\"/>", x0, y + 1, len, row - 2,
				      s == 0 ? "#4a7db3" : "#e3874a");
			if (la > 0)
				cpts_buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
					      " height=\"%.1f\" fill=\"none\" stroke=\"#111\""
					      " stroke-width=\".8\"/>", xa, y + 1, la, row - 2);
		}
		cpts_buf_addf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"middle\">", half + 40,
			      y + row - 4);
		cpts_buf_add_html(b, d->bands[k]);
		cpts_buf_addstr(b, "</text>\n");
	}
	cpts_buf_addf(b, "<text x=\"4\" y=\"%.0f\">Barres : territoire ; contours : ensemble"
		      " (part de la population)</text></svg></figure>\n", h - 6);
}

/* ICC with its 95 % interval on an axis, 100 marked. */
static void icc_chart(cpts_buf *b, const ex_data *d, const cpts_pvalue *v)
{
	double lo, hi, a0 = 50, a1 = 150, w = 560, x0 = 20, x1 = 540;
	char s[64];
	/* over masked input cells the ICC itself is not published, but the interval that
	   holds whatever those cells are (cpts/profile.h) is */
	bool bounds_only = v && v->masked && isfinite(v->lo) && isfinite(v->hi);

	if (!v || (v->masked && !bounds_only) || (!v->masked && isnan(v->value))) {
		cpts_buf_addstr(b, "<p class=\"note\">ICC non disponible");
		if (v && v->masked)
			cpts_buf_addstr(b, " (secret statistique)");
		cpts_buf_addstr(b, ".</p>\n");
		return;
	}
	lo = isnan(v->lo) ? v->value : v->lo;
	hi = isnan(v->hi) ? v->value : v->hi;
	while (lo < a0 + 5 && a0 > 0)
		a0 -= 25;
	while (hi > a1 - 5 && a1 < 1000)
		a1 += 25;
#define X(val) (x0 + ((val) - a0) / (a1 - a0) * (x1 - x0))
	cpts_buf_addf(b, "<figure><svg viewBox=\"0 0 %.0f 70\""
		      " width=\"%.0f\" height=\"70\" role=\"img\" class=\"icc\">\n", w, w);
	cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"40\" stroke=\"#888\"/>", x0,
		      x1);
	for (double t = a0; t <= a1 + 1e-9; t += 25) {
		cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"37\" x2=\"%.1f\" y2=\"43\" stroke=\"#888\"/>"
			      "<text x=\"%.1f\" y=\"60\" text-anchor=\"middle\">%.0f</text>", X(t),
			      X(t), X(t), t);
	}
	cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"48\" stroke=\"#b30000\""
		      " stroke-dasharray=\"3,2\"/>", X(100.0), X(100.0));
	cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"25\" x2=\"%.1f\" y2=\"25\" stroke=\"#222\""
		      " stroke-width=\"2\"/><line x1=\"%.1f\" y1=\"19\" x2=\"%.1f\" y2=\"31\""
		      " stroke=\"#222\" stroke-width=\"2\"/><line x1=\"%.1f\" y1=\"19\" x2=\"%.1f\""
		      " y2=\"31\" stroke=\"#222\" stroke-width=\"2\"/>", X(lo), X(hi), X(lo), X(lo),
		      X(hi), X(hi));
	if (bounds_only) {
		cpts_buf_addstr(b, "</svg><figcaption>Intervalle de confiance à 95 % de l'ICC,"
				" élargi pour tenir compte des effectifs masqués (« &lt; 11 ») des"
				" données sources : l'ICC lui-même n'est pas publiable exactement ; la"
				" ligne pointillée marque 100 (consommation attendue).</figcaption>"
				"</figure>\n");
		return;
	}
	cpts_buf_addf(b, "<circle cx=\"%.1f\" cy=\"25\" r=\"5\" fill=\"#e34a33\"/>", X(v->value));
	cpts_fmt_fr(s, sizeof(s), v->value, 1);
	cpts_buf_addf(b, "<text x=\"%.1f\" y=\"12\" text-anchor=\"middle\">ICC %s</text>",
		      X(v->value), s);
	cpts_buf_addstr(b, "</svg><figcaption>ICC et intervalle de confiance à 95 % ; la ligne"
			" pointillée marque 100 (consommation attendue).</figcaption></figure>\n");
#undef X
}

/* ---- territory page sections ---- */

static void kv_row(cpts_buf *b, const char *label, const char *value)
{
	cpts_buf_addstr(b, "<tr><th>");
	cpts_buf_add_html(b, label);
	cpts_buf_addstr(b, "</th><td class=\"n\">");
	cpts_buf_add_html(b, value);
	cpts_buf_addstr(b, "</td></tr>\n");
}

static void section_icc(cpts_buf *b, const ex_data *d, size_t t)
{
	const char *id = d->p->terr[t];
	const cpts_pvalue *v = ex_value(d, id, "territoire", id, "icc");
	const cpts_pvalue *sig = ex_value(d, id, "territoire", id, "icc_signif");
	static const char *const keys[] = { "icc_observed", "icc_expected", "icc", "missing_gps",
					    NULL };
	char lo[32], hi[32];

	cpts_buf_addstr(b, "<section><h2>Consommation de soins : indice comparatif (ICC)</h2>\n");
	icc_chart(b, d, v);
	cpts_buf_addstr(b, "<table>");
	for (int k = 0; keys[k]; k++) {
		const cpts_indicator *ind = cpts_indicator_find(keys[k]);
		cpts_buf_addstr(b, "<tr>");
		label_cell(b, ind);
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_value(b, d, ind, ex_value(d, id, "territoire", id, keys[k]));
		cpts_buf_addstr(b, "</td></tr>\n");
	}
	if (v && !v->masked && !isnan(v->lo) && !isnan(v->hi)) {
		char s[96];
		cpts_fmt_fr(lo, sizeof(lo), v->lo, 1);
		cpts_fmt_fr(hi, sizeof(hi), v->hi, 1);
		snprintf(s, sizeof(s), "[%s ; %s]", lo, hi);
		kv_row(b, "Intervalle de confiance à 95 %", s);
	}
	if (sig && !sig->masked && !isnan(sig->value))
		kv_row(b, "Conclusion", sig->value < 0 ? "significativement inférieur à 100"
			   : sig->value > 0 ? "significativement supérieur à 100"
					    : "non significativement différent de 100");
	cpts_buf_addstr(b, "</table>\n<p class=\"note\">ICC = 100 × consultations observées /"
			" consultations attendues si chaque tranche d'âge et de sexe consommait"
			" comme la population de référence (standardisation indirecte). Intervalle"
			" exact de Poisson (Garwood). Les consultations sont sur-dispersées par"
			" rapport à une loi de Poisson : l'intervalle est une borne basse de"
			" l'incertitude. Médecins manquants = (attendues − observées) / activité"
			" annuelle moyenne d'un médecin généraliste à temps plein, lorsque l'ICC"
			" est inférieur à 100.</p></section>\n");
}

static void section_mt(cpts_buf *b, const ex_data *d, size_t t)
{
	const char *id = d->p->terr[t];
	const cpts_pvalue *gap = ex_value(d, id, "territoire", id, "mt_gap_dep_pts");
	const cpts_pvalue *pv = ex_value(d, id, "territoire", id, "mt_gap_pvalue");
	char s[64], p[64];

	cpts_buf_addstr(b, "<section><h2>Médecin traitant</h2>\n");
	table_compare(b, d, t, mt_keys);
	if (gap && !gap->masked && !isnan(gap->value)) {
		cpts_fmt_fr(s, sizeof(s), gap->value, 1);
		cpts_buf_addstr(b, "<p>Écart au département : ");
		if (gap->value > 0)
			cpts_buf_addch(b, '+');
		cpts_buf_add_html(b, s);
		cpts_buf_addstr(b, " points");
		if (pv && !pv->masked && !isnan(pv->value)) {
			/* published as a class only (cpts_pvalue_class) */
			double pc = cpts_pvalue_class(pv->value);
			snprintf(p, sizeof(p), "%s", pc <= 0.001 ? "p &lt; 0,001" : pc <= 0.01 ?
				 "p &lt; 0,01" : pc <= 0.05 ? "p &lt; 0,05" : "p ≥ 0,05");
			cpts_buf_addstr(b, " (test de comparaison de deux proportions : ");
			cpts_buf_addstr(b, p);
			cpts_buf_addstr(b, pc <= 0.05 ? ", écart significatif)" :
					", écart non significatif)");
		}
		cpts_buf_addstr(b, ".</p>\n");
	} else if (gap && gap->masked) {
		cpts_buf_addstr(b, "<p>Écart au département : <span class=\"masked\">secret"
				" statistique</span>.</p>\n");
	}
	cpts_buf_addstr(b, "</section>\n");
}

/* Flow summary: volumes grouped by the other end's territory (-1 outside the
 * partition, -2 outside the workspace). */
typedef struct flow_row {
	long terr;     /* territory index, -1 outside the partition, -2 outside the workspace */
	double volume;
} flow_row;

static int cmp_flow_row(const void *a, const void *b)
{
	const flow_row *x = a, *y = b;

	if (x->volume != y->volume)
		return x->volume > y->volume ? -1 : 1;
	return x->terr < y->terr ? -1 : x->terr > y->terr;
}

/*
 * Flows summed by (territory, other end) once per export, for both directions, so that
 * each page reads its own rows instead of scanning every flow (a partition of 1,700
 * territories over 5 million flows would otherwise cost 8.5 billion visits).
 */
typedef struct flow_key {
	long mine, other;  /* other: territory, -1 outside the partition, -2 outside the
			      workspace, FLOW_MASKED for the count of masked pairs */
	double volume;
	size_t n;          /* flow pairs merged */
} flow_key;

#define FLOW_MASKED LONG_MIN

typedef struct flow_agg {
	flow_key *v;       /* OWNED, sorted by (mine, other) and merged */
	size_t n;
	size_t *start;     /* OWNED, n_terr + 1 offsets into v by mine */
} flow_agg;

/* Rank of k->other in the sort order: FLOW_MASKED, -2, -1, then the territories. */
static size_t other_rank(const flow_key *k)
{
	return k->other == FLOW_MASKED ? 0 : (size_t)(k->other + 3);
}

/*
 * Sort v[0..n) by (mine, other), other ranked as above, stably: two counting-sort
 * passes (by other, then by mine), linear where qsort on millions of flows took
 * seconds. Stability keeps the flows of one (mine, other) in reading order, so their
 * volumes are summed in the same order as before.
 */
static void flow_sort(flow_key *v, size_t n, size_t n_terr)
{
	flow_key *tmp = cpts_mallocarray(n + 1, sizeof(flow_key));
	size_t *cnt = cpts_calloc(n_terr + 4, sizeof(size_t)), sum = 0;

	for (size_t k = 0; k < n; k++)
		cnt[other_rank(&v[k])]++;
	for (size_t r = 0; r < n_terr + 3; r++) {
		size_t c = cnt[r];
		cnt[r] = sum;
		sum += c;
	}
	for (size_t k = 0; k < n; k++)
		tmp[cnt[other_rank(&v[k])]++] = v[k];
	memset(cnt, 0, (n_terr + 4) * sizeof(size_t));
	for (size_t k = 0; k < n; k++)
		cnt[tmp[k].mine]++;
	sum = 0;
	for (size_t t = 0; t < n_terr; t++) {
		size_t c = cnt[t];
		cnt[t] = sum;
		sum += c;
	}
	for (size_t k = 0; k < n; k++)
		v[cnt[tmp[k].mine]++] = tmp[k];
	free(cnt);
	free(tmp);
}

static void flow_agg_build(flow_agg *a, const ex_data *d, bool outgoing)
{
	size_t n = 0, w = 0;

	a->v = cpts_mallocarray(d->n_flows + 1, sizeof(flow_key));
	for (size_t k = 0; k < d->n_flows; k++) {
		const ex_flow *f = &d->flows[k];
		long mine = outgoing ? d->p->commune_terr[f->orig]
				     : f->dest >= 0 ? d->p->commune_terr[f->dest] : -3;
		long other;
		if (mine < 0)
			continue;
		if (f->masked)
			other = FLOW_MASKED;
		else if (outgoing)
			other = f->dest < 0 ? -2 : d->p->commune_terr[f->dest] < 0 ? -1
						 : d->p->commune_terr[f->dest];
		else
			other = d->p->commune_terr[f->orig] < 0 ? -1 : d->p->commune_terr[f->orig];
		a->v[n++] = (flow_key){ mine, other, f->masked ? 0.0 : f->volume, 1 };
	}
	flow_sort(a->v, n, d->p->n_terr);
	for (size_t k = 0; k < n; k++) {
		if (w > 0 && a->v[w - 1].mine == a->v[k].mine && a->v[w - 1].other == a->v[k].other) {
			a->v[w - 1].volume += a->v[k].volume;
			a->v[w - 1].n += a->v[k].n;
		} else {
			a->v[w++] = a->v[k];
		}
	}
	a->n = w;
	a->start = cpts_calloc(d->p->n_terr + 1, sizeof(size_t));
	for (size_t k = 0; k < w; k++)
		a->start[a->v[k].mine + 1]++;
	for (size_t t = 0; t < d->p->n_terr; t++)
		a->start[t + 1] += a->start[t];
}

static void flow_agg_release(flow_agg *a)
{
	free(a->v);
	free(a->start);
}

/* How many of the rows (sorted by decreasing volume) a flow table shows (at most 8,
 * each at least the threshold), and the rest grouped in one "Autres" row: never a rest
 * between 0 and the threshold, or Total minus the shown rows would give a small flow
 * away (a row shown "< 11" inside the Total did); shown rows move into the rest until
 * it is large enough. */
size_t ex_flow_rows_shown(const double *vol, size_t n_rows, double total, double threshold,
			  double *rest)
{
	size_t n = 0;
	double sum = 0;

	while (n < n_rows && n < 8 && vol[n] >= threshold) {
		sum += vol[n];
		n++;
	}
	while (n > 0 && total - sum > 1e-9 && total - sum < threshold) {
		n--;
		sum -= vol[n];
	}
	*rest = total - sum;
	if (*rest < 1e-9)
		*rest = 0;
	return n;
}

static void flow_table(cpts_buf *b, const ex_data *d, size_t t, bool outgoing,
		       const flow_agg *a)
{
	size_t lo = a->start[t], hi = a->start[t + 1];
	flow_row *rows = cpts_calloc(hi - lo + 1, sizeof(flow_row));
	size_t n_rows = 0, n_masked = 0, n_show;
	double total = 0, rest, *vols;
	char v[64], s[64];

	for (size_t k = lo; k < hi; k++) {
		if (a->v[k].other == FLOW_MASKED) {
			n_masked += a->v[k].n;
			continue;
		}
		rows[n_rows].terr = a->v[k].other;
		rows[n_rows++].volume = a->v[k].volume;
		total += a->v[k].volume;
	}
	if (!(total > 0)) {
		cpts_buf_addstr(b, "<p class=\"note\">Aucun flux disponible.</p>\n");
		free(rows);
		return;
	}
	cpts_qsort(rows, n_rows, sizeof(flow_row), cmp_flow_row);
	vols = cpts_calloc(n_rows + 1, sizeof(double));
	for (size_t k = 0; k < n_rows; k++)
		vols[k] = rows[k].volume;
	n_show = ex_flow_rows_shown(vols, n_rows, total, d->threshold, &rest);
	free(vols);
	cpts_buf_addf(b, "<table><thead><tr><th>%s</th><th>Recours</th><th>Part</th></tr>"
		      "</thead><tbody>\n", outgoing ? "Destination" : "Origine");
	for (size_t k = 0; k < n_show; k++) {
		cpts_buf_addstr(b, "<tr><td>");
		if (rows[k].terr >= 0) {
			if ((size_t)rows[k].terr == t)
				cpts_buf_addstr(b, "<strong>");
			cpts_buf_add_html(b, d->p->terr[rows[k].terr]);
			if ((size_t)rows[k].terr == t)
				cpts_buf_addstr(b, "</strong> (le territoire)");
		} else {
			cpts_buf_addstr(b, rows[k].terr == -1 ? "hors partition"
							      : "hors espace de travail");
		}
		cpts_fmt_fr(v, sizeof(v), rows[k].volume, 0);
		cpts_fmt_fr_pct(s, sizeof(s), rows[k].volume / total, 1);
		cpts_buf_addf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", v, s);
	}
	if (total < d->threshold) {
		/* everything is one small count: only "< T" */
		cpts_fmt_fr(v, sizeof(v), d->threshold, 0);
		cpts_buf_addf(b, "<tr><th>Total</th><td class=\"n\"><span class=\"masked\">&lt; %s"
			      "</span></td><td class=\"n\">100,0\xc2\xa0%%</td></tr></tbody>"
			      "</table>\n", v);
	} else {
		if (rest > 0) {
			cpts_fmt_fr(v, sizeof(v), rest, 0);
			cpts_fmt_fr_pct(s, sizeof(s), rest / total, 1);
			cpts_buf_addf(b, "<tr><td>Autres %s (regroupées)</td><td class=\"n\">%s</td>"
				      "<td class=\"n\">%s</td></tr>\n", outgoing ? "destinations" :
				      "origines", v, s);
		}
		cpts_fmt_fr(v, sizeof(v), total, 0);
		cpts_buf_addf(b, "<tr><th>Total</th><td class=\"n\">%s</td><td class=\"n\">100,0"
			      "\xc2\xa0%%</td></tr></tbody></table>\n", v);
	}
	if (n_masked)
		cpts_buf_addf(b, "<p class=\"note\">%zu flux masqués à la source ne sont pas"
			      " comptés.</p>\n", n_masked);
	free(rows);
}

static void section_flows(cpts_buf *b, const ex_data *d, size_t t, const flow_agg *fa)
{
	static const char *const labels[6] = { "", "pôle du bassin", "au moins 50 % vers son"
		" bassin", "de 30 à 50 %", "moins de 30 %, bassin en tête",
		"multipolarisée" };
	static const char *const mkeys[] = { "li", "msi", "pac", NULL };
	size_t n_class[6] = { 0 };
	double pop_class[6] = { 0 };
	char s[64];

	cpts_buf_addstr(b, "<section><h2>Flux et attraction</h2>\n<table>");
	for (int k = 0; mkeys[k]; k++) {
		const cpts_indicator *ind = cpts_indicator_find(mkeys[k]);
		cpts_buf_addstr(b, "<tr>");
		label_cell(b, ind);
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_terr_value(b, d, t, ind);
		cpts_buf_addstr(b, "</td></tr>\n");
	}
	cpts_buf_addstr(b, "</table>\n<div class=\"cols\"><div><h3>Où se soignent les"
			" habitants</h3>\n");
	flow_table(b, d, t, true, &fa[0]);
	cpts_buf_addstr(b, "</div><div><h3>D'où viennent les patients</h3>\n");
	flow_table(b, d, t, false, &fa[1]);
	cpts_buf_addstr(b, "</div></div>\n");
	for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++) {
		size_t i = d->p->members[k].commune;
		int c = d->att[i].has ? d->att[i].klass : 0;
		if (c < 1 || c > 5)
			continue;
		n_class[c]++;
		pop_class[c] += d->m->c[i].pop;
	}
	if (n_class[1] + n_class[2] + n_class[3] + n_class[4] + n_class[5] == 0) {
		cpts_buf_addstr(b, "<p class=\"note\">Classes d'attraction non calculées pour cette"
				" partition (voir « cpts basins »).</p></section>\n");
		return;
	}
	cpts_buf_addstr(b, "<h3>Classes d'attraction des communes</h3>\n<table><thead><tr><th>"
			"Classe</th><th>Communes</th><th>Population</th></tr></thead><tbody>\n");
	for (int c = 1; c <= 5; c++) {
		cpts_buf_addf(b, "<tr><td>%d — ", c);
		cpts_buf_add_html(b, labels[c]);
		cpts_buf_addf(b, "</td><td class=\"n\">%zu</td><td class=\"n\">%s</td></tr>\n",
			      n_class[c], cpts_fmt_fr(s, sizeof(s), pop_class[c], 0));
	}
	cpts_buf_addstr(b, "</tbody></table></section>\n");
}

static void section_aci(cpts_buf *b, const ex_data *d, size_t t)
{
	double pop = ex_terr_number(d, t, "pop_total", NULL);
	double tier = ex_terr_number(d, t, "aci_tier", NULL);
	char s[160], v[64];
	int toward = 0;
	double dist;

	cpts_buf_addstr(b, "<section><h2>Taille ACI</h2>\n");
	if (isnan(pop) || isnan(tier)) {
		cpts_buf_addstr(b, "<p class=\"note\">Population non disponible.</p></section>\n");
		return;
	}
	dist = cpts_aci_tier_distance(pop, &toward);
	cpts_buf_addstr(b, "<table>");
	snprintf(s, sizeof(s), "%.0f", tier);
	kv_row(b, "Taille", s);
	cpts_fmt_fr(v, sizeof(v), cpts_aci_tier_of(pop)->total_eur, 0);
	snprintf(s, sizeof(s), "%s €", v);
	kv_row(b, "Financement annuel maximal", s);
	cpts_fmt_fr(v, sizeof(v), fabs(dist), 0);
	snprintf(s, sizeof(s), "%s hab. %s la taille %d", v, dist >= 0 ? "avant" : "au-dessus de",
		 toward);
	kv_row(b, "Seuil le plus proche", s);
	cpts_buf_addstr(b, "</table>\n<p class=\"note\">Tailles de l'accord conventionnel"
			" interprofessionnel (2019) : 1 moins de 40 000 habitants, 2 de 40 000 à"
			" 80 000, 3 de 80 000 à 175 000, 4 au-delà.</p></section>\n");
}

static void section_communes(cpts_buf *b, const ex_data *d, size_t t)
{
	const cpts_indicator *ind = cpts_indicator_find(d->map_key);
	char s[64];

	cpts_buf_addstr(b, "<section><h2>Communes du territoire</h2>\n<table><thead><tr><th>Code"
			"</th><th>Commune</th><th>Population</th><th>");
	cpts_buf_add_html(b, ind->label_fr);
	cpts_buf_addstr(b, "</th><th>Classe</th><th>Première destination</th></tr></thead>"
			"<tbody>\n");
	for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++) {
		size_t i = d->p->members[k].commune;
		const ex_attract *a = &d->att[i];
		cpts_buf_addstr(b, "<tr><td>");
		cpts_buf_add_html(b, d->m->c[i].code);
		cpts_buf_addstr(b, "</td><td>");
		cpts_buf_add_html(b, d->m->c[i].name);
		cpts_buf_addf(b, "</td><td class=\"n\">%s</td><td class=\"n\">",
			      d->m->has_population ? cpts_fmt_fr(s, sizeof(s), d->m->c[i].pop, 0)
						   : "n.d.");
		add_value(b, d, ind, ex_commune_value(d, i, d->map_key));
		cpts_buf_addstr(b, "</td><td class=\"n\">");
		if (a->has && a->klass > 0)
			cpts_buf_addf(b, "%d", a->klass);
		cpts_buf_addstr(b, "</td><td>");
		if (a->has && a->first_terr) {
			cpts_buf_add_html(b, a->first_terr);
			if (!isnan(a->first_share)) {
				cpts_fmt_fr_pct(s, sizeof(s), a->first_share, 1);
				cpts_buf_addf(b, " (%s)", s);
			}
		}
		cpts_buf_addstr(b, "</td></tr>\n");
	}
	cpts_buf_addstr(b, "</tbody></table></section>\n");
}

static void section_method(cpts_buf *b, const ex_data *d)
{
	char s[64];

	cpts_buf_addstr(b, "<section><h2>Méthode et paramètres</h2>\n<table>");
	kv_row(b, "Partition", d->opts->partition);
	if (d->part_kind)
		kv_row(b, "Type de partition", d->part_kind);
	if (d->part_source)
		kv_row(b, "Source de la partition", d->part_source);
	if (d->part_params)
		kv_row(b, "Paramètres de la partition", d->part_params);
	if (d->profile_args)
		kv_row(b, "Commande du profil", d->profile_args);
	cpts_fmt_fr(s, sizeof(s), d->threshold, 0);
	kv_row(b, "Seuil du secret statistique", s);
	kv_row(b, "Indicateur des cartes", cpts_indicator_find(d->map_key)->label_fr);
	kv_row(b, "Version de cpts", CPTS_VERSION);
	kv_row(b, "Date de l'export", d->timestamp);
	cpts_buf_addstr(b, "</table>\n<p class=\"note\">Tous les indicateurs sont calculés à"
			" partir des effectifs agrégés sur le territoire (jamais par moyenne de"
			" ratios communaux), et comparés au(x) département(s), à la région et à"
			" l'ensemble des communes chargées. APL : accessibilité potentielle"
			" localisée (DREES/IRDES), moyenne des communes pondérée par la"
			" population. Classes d'attraction : 1 pôle ; 2 au moins 50 % des recours"
			" vers son bassin ; 3 de 30 à 50 % ; 4 moins de 30 % mais son bassin en"
			" tête ; 5 multipolarisée. Cartes simplifiées pour l'affichage.</p>"
			"</section>\n");
}

static void section_sources(cpts_buf *b, const ex_data *d)
{
	char s[64];

	cpts_buf_addstr(b, "<section><h2>Sources</h2>\n");
	if (d->n_src == 0) {
		cpts_buf_addstr(b, "<p class=\"note\">Aucune source enregistrée.</p>");
	} else {
		cpts_buf_addstr(b, "<table><thead><tr><th>Table</th><th>Fichier</th><th>Millésime"
				"</th><th>Lignes</th><th>SHA-256</th></tr></thead><tbody>\n");
		for (size_t k = 0; k < d->n_src; k++) {
			const ex_source *x = &d->src[k];
			const char *f = x->file ? strrchr(x->file, '/') : NULL;
			cpts_buf_addstr(b, "<tr><td>");
			cpts_buf_add_html(b, x->tbl ? x->tbl : "");
			cpts_buf_addstr(b, "</td><td>");
			cpts_buf_add_html(b, f ? f + 1 : x->file ? x->file : "");
			cpts_buf_addstr(b, "</td><td>");
			cpts_buf_add_html(b, x->vintage ? x->vintage : "");
			cpts_buf_addf(b, "</td><td class=\"n\">%s</td><td><code>",
				      cpts_fmt_fr(s, sizeof(s), (double)x->n_rows, 0));
			cpts_buf_addf(b, "%.16s", x->sha256 ? x->sha256 : "");
			cpts_buf_addstr(b, "…</code></td></tr>\n");
		}
		cpts_buf_addstr(b, "</tbody></table>\n");
	}
	cpts_fmt_fr(s, sizeof(s), d->threshold, 0);
	cpts_buf_addf(b, "<h3>Secret statistique</h3>\n<p>Les effectifs issus du SNDS compris"
		      " entre 1 et %.0f sont masqués et affichés « &lt; %s » ; les totaux qui"
		      " incluent des cases masquées des données sources sont donnés comme bornes"
		      " (« au moins … ») et les ratios qui en dépendent comme un encadrement"
		      " (« entre … et … ») ; les ratios calculés"
		      " à partir d'un effectif masqué, et les cases qui permettraient de le"
		      " retrouver par différence (masquage secondaire), sont affichés « secret"
		      " statistique ». Le masquage est appliqué après agrégation. Les populations"
		      " (INSEE) sont publiques et ne sont pas masquées.</p></section>\n",
		      d->threshold - 1, s);
}

static int territory_page(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, size_t t,
			  const ex_classes *cl, const flow_agg *fa)
{
	const char *id = d->p->terr[t];
	const ex_terr *e = &d->terr[t];
	long pole = e->pole[0] ? cpts_model_find(d->m, e->pole) : -1;
	char *title = cpts_asprintf("Territoire %s — diagnostic", id);
	int rc;

	page_open(b, title);
	free(title);
	cpts_buf_addstr(b, "<p class=\"sub\"><a href=\"index.html\">← Tous les territoires</a></p>\n"
			"<h1>Territoire ");
	cpts_buf_add_html(b, id);
	cpts_buf_addstr(b, "</h1>\n<p class=\"sub\">");
	if (pole >= 0) {
		cpts_buf_addstr(b, "Pôle : ");
		cpts_buf_add_html(b, d->m->c[pole].name);
		cpts_buf_addstr(b, " · ");
	}
	if (d->p->statut[t]) {
		cpts_buf_addstr(b, "Statut : ");
		cpts_buf_add_html(b, d->p->statut[t]);
		cpts_buf_addstr(b, " · ");
	}
	cpts_buf_addf(b, "%zu communes · partition « ", e->n_communes);
	cpts_buf_add_html(b, d->opts->partition);
	cpts_buf_addstr(b, " »</p>\n<section><h2>Carte</h2>\n");
	if ((rc = territory_map(ctx, b, d, t, cl)) < 0)
		return rc;
	cpts_buf_addstr(b, "</section>\n<section><h2>Chiffres clés</h2>\n");
	table_compare(b, d, t, key_figures);
	cpts_buf_addstr(b, "</section>\n<section><h2>Pyramide des âges</h2>\n");
	pyramid(b, d, t);
	cpts_buf_addstr(b, "</section>\n");
	section_mt(b, d, t);
	section_icc(b, d, t);
	cpts_buf_addstr(b, "<section><h2>Offre de soins et accessibilité</h2>\n");
	table_compare(b, d, t, supply_keys);
	cpts_buf_addstr(b, "</section>\n");
	section_flows(b, d, t, fa);
	section_aci(b, d, t);
	section_communes(b, d, t);
	section_method(b, d);
	section_sources(b, d);
	page_close(b, d);
	return CPTS_OK;
}

/* Largest commune count for which the index draws the map of disagreements (one path
 * per commune); beyond it the page would pass a few megabytes and only the table shows. */
#define DISAGREE_MAP_MAX 20000

/* The other partitions of the workspace the proposal is compared with: basins first,
 * then the others (BV2022, EPCI, ...), at most max. Names OWNED by the caller. */
static size_t compare_targets(const ex_data *d, char **names, size_t max)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;

	if (sqlite3_prepare_v2(cpts_store_db(d->s), "SELECT name FROM partitions WHERE name <> ?"
			       " ORDER BY kind <> 'basins', name", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, d->opts->partition, -1, SQLITE_STATIC);
	while (n < max && sqlite3_step(st) == SQLITE_ROW)
		names[n++] = cpts_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return n;
}

/* Map of the communes whose territory is not the best-matching unit of the other
 * partition (cpts_check_disagreement), in the CRS of the partition's first member. */
static int disagreement_map(cpts_ctx *ctx, cpts_buf *b, const ex_data *d,
			    const cpts_partition *other)
{
	static const char *const fill[3] = { "#c6dbef", "#e6550d", "#eeeeee" };
	unsigned char *dis = cpts_calloc(d->m->n + 1, 1);
	double ext[4] = { NAN, NAN, NAN, NAN };
	int srid = d->p->n_members ? d->m->c[d->p->members[0].commune].srid : 2154;
	size_t n_dis;
	ex_svgmap m;
	int rc = CPTS_OK;

	n_dis = cpts_check_disagreement(dis, d->m, d->p, other);
	for (size_t i = 0; i < d->m->n; i++)
		if (d->m->geoms[i] && d->m->c[i].srid == srid)
			ex_extent_add(ctx, ext, d->m->geoms[i]);
	if (isnan(ext[0]))
		goto out;
	ex_svgmap_init(&m, ext[0], ext[1], ext[2], ext[3], MAP_W, MAP_H, srid == 4326);
	cpts_buf_addf(b, "<figure class=\"map\"><svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\""
		      " height=\"%.0f\" role=\"img\" class=\"disagree\">\n", m.w, m.h, m.w, m.h);
	for (size_t i = 0; i < d->m->n; i++) {
		if (!d->m->geoms[i] || d->m->c[i].srid != srid)
			continue;
		cpts_buf_addf(b, "<path data-code=\"%s\" fill=\"%s\" stroke=\"#fff\""
			      " stroke-width=\"0.3\" d=\"", d->m->c[i].code, fill[dis[i]]);
		if ((rc = ex_svg_path_d(ctx, b, &m, d->m->geoms[i])) < 0)
			goto out;
		cpts_buf_addstr(b, "\"><title>");
		cpts_buf_add_html(b, d->m->c[i].name);
		cpts_buf_addstr(b, dis[i] == 1 ? " — hors de l'unité correspondante" :
				   dis[i] == 2 ? " — hors d'un des deux découpages" : "");
		cpts_buf_addstr(b, "</title></path>\n");
	}
	for (size_t t = 0; t < d->p->n_terr; t++) {
		if (!d->terr[t].geom || d->terr[t].srid != srid)
			continue;
		cpts_buf_addstr(b, "<path fill=\"none\" stroke=\"#222\" stroke-width=\"1.2\" d=\"");
		if ((rc = ex_svg_path_d(ctx, b, &m, d->terr[t].geom)) < 0)
			goto out;
		cpts_buf_addstr(b, "\"/>\n");
	}
	ex_svg_scalebar(b, &m);
	cpts_buf_addf(b, "</svg><figcaption>Communes dont le territoire n'est pas le bassin"
		      " qui recouvre le plus de sa population (%zu communes) : <span"
		      " class=\"sw\" style=\"background:%s\"></span>concordance, <span"
		      " class=\"sw\" style=\"background:%s\"></span>désaccord, <span"
		      " class=\"sw\" style=\"background:%s\"></span>hors d'un des deux"
		      " découpages ; traits noirs : limites des territoires.</figcaption>"
		      "</figure>\n", n_dis, fill[0], fill[1], fill[2]);
out:
	free(dis);
	return rc;
}

/* Index section comparing the proposal with the other partitions (cpts compare). */
static int section_compare(cpts_ctx *ctx, cpts_buf *b, const ex_data *d)
{
	char *names[4];
	size_t n = compare_targets(d, names, 4);
	bool drawn = false;
	int rc = CPTS_OK;

	if (n == 0)
		return CPTS_OK;
	cpts_buf_addstr(b, "<section><h2>Comparaison avec d'autres découpages</h2>\n<table>"
			"<thead><tr><th>Découpage</th><th>Unités</th><th>Indice de Rand"
			" ajusté</th><th>Information mutuelle normalisée</th><th>Population dans"
			" l'unité correspondante</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < n; k++) {
		cpts_compare_result r;
		char s1[32], s2[32], s3[32], s4[32];
		if (cpts_compare_partitions(ctx, d->s, d->opts->partition, names[k], &r) < 0) {
			/* a partition of other communes cannot be compared: say so, go on */
			cpts_note(ctx, "cannot compare with partition '%s': %s", names[k],
				  ctx->err.msg);
			cpts_error_clear(ctx);
			continue;
		}
		cpts_buf_addstr(b, "<tr><td>");
		cpts_buf_add_html(b, names[k]);
		cpts_buf_addf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td"
			      " class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
			      cpts_fmt_fr(s1, sizeof(s1), (double)r.n_terr_b, 0),
			      cpts_fmt_fr(s2, sizeof(s2), r.ari, 3), cpts_fmt_fr(s3, sizeof(s3), r.nmi, 3),
			      cpts_fmt_fr_pct(s4, sizeof(s4), r.share_matching, 1));
	}
	cpts_buf_addstr(b, "</tbody></table>\n");
	for (size_t k = 0; k < n && !drawn && rc == CPTS_OK; k++) {
		cpts_partition *other = NULL;
		if (d->m->n > DISAGREE_MAP_MAX)
			break;
		if (cpts_partition_load(ctx, &other, d->s, d->m, names[k]) < 0) {
			cpts_error_clear(ctx);
			continue;
		}
		cpts_buf_addstr(b, "<h3>Carte des désaccords avec « ");
		cpts_buf_add_html(b, names[k]);
		cpts_buf_addstr(b, " »</h3>\n");
		rc = disagreement_map(ctx, b, d, other);
		cpts_partition_free(other);
		drawn = true;
	}
	cpts_buf_addstr(b, "</section>\n");
	for (size_t k = 0; k < n; k++)
		free(names[k]);
	return rc;
}

static int index_page(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, const ex_classes *cl)
{
	static const char *const cols[] = { "n_communes", "pop_total", "aci_tier", "mt_share",
					    "icc", "gp_density", "apl", NULL };
	char *title = cpts_asprintf("Diagnostic territorial — %s", d->opts->partition);
	int rc;

	page_open(b, title);
	free(title);
	cpts_buf_addstr(b, "<h1>Diagnostic territorial</h1>\n<p class=\"sub\">Partition « ");
	cpts_buf_add_html(b, d->opts->partition);
	cpts_buf_addf(b, " » · %zu territoires · export du ", d->p->n_terr);
	cpts_buf_add_html(b, d->timestamp);
	cpts_buf_addstr(b, "</p>\n<section><h2>Carte de la partition</h2>\n");
	if ((rc = partition_map(ctx, b, d, cl)) < 0)
		return rc;
	cpts_buf_addstr(b, "</section>\n<section><h2>Territoires</h2>\n<table><thead><tr>"
			"<th>Territoire</th><th>Pôle</th>");
	for (int k = 0; cols[k]; k++) {
		cpts_buf_addstr(b, "<th>");
		cpts_buf_add_html(b, cpts_indicator_find(cols[k])->label_fr);
		cpts_buf_addstr(b, "</th>");
	}
	if (!cpts_indicator_find(d->map_key))
		return CPTS_OK;
	cpts_buf_addstr(b, "</tr></thead><tbody>\n");
	for (size_t t = 0; t < d->p->n_terr; t++) {
		long pole = d->terr[t].pole[0] ? cpts_model_find(d->m, d->terr[t].pole) : -1;
		char *file = terr_file(d, t);
		cpts_buf_addstr(b, "<tr><td><a href=\"");
		cpts_buf_add_html(b, file);
		cpts_buf_addstr(b, "\">");
		cpts_buf_add_html(b, d->p->terr[t]);
		cpts_buf_addstr(b, "</a></td><td>");
		if (pole >= 0)
			cpts_buf_add_html(b, d->m->c[pole].name);
		cpts_buf_addstr(b, "</td>");
		for (int k = 0; cols[k]; k++) {
			cpts_buf_addstr(b, "<td class=\"n\">");
			add_terr_value(b, d, t, cpts_indicator_find(cols[k]));
			cpts_buf_addstr(b, "</td>");
		}
		cpts_buf_addstr(b, "</tr>\n");
		free(file);
	}
	cpts_buf_addstr(b, "</tbody></table></section>\n");
	if ((rc = section_compare(ctx, b, d)) < 0)
		return rc;
	section_method(b, d);
	section_sources(b, d);
	page_close(b, d);
	return CPTS_OK;
}

static void make_classes(const ex_data *d, ex_classes *communes, ex_classes *terrs)
{
	double *v = cpts_mallocarray(d->m->n + d->p->n_terr + 1, sizeof(double));
	size_t n = 0;

	for (size_t i = 0; i < d->m->n; i++)
		if (d->p->commune_terr[i] != -1)
			v[n++] = commune_map_value(d, i);
	ex_classes_make(communes, v, n);
	n = 0;
	for (size_t t = 0; t < d->p->n_terr; t++)
		v[n++] = ex_terr_map_number(d, t, d->map_key);
	ex_classes_make(terrs, v, n);
	free(v);
}

/** What every territory page needs (par.c runs them on two threads). */
typedef struct page_job {
	const ex_data *d;
	const char *dir;
	const ex_classes *cl_c;
	const flow_agg *fa;
} page_job;

/* Territory page t, built in the lane's buffer and written to its file. */
static int page_item(cpts_ctx *ctx, void *arg, size_t t, void *scratch)
{
	const page_job *j = arg;
	cpts_buf *b = scratch;
	char *file, *path;
	int rc;

	cpts_buf_reset(b);
	if ((rc = territory_page(ctx, b, j->d, t, j->cl_c, j->fa)) < 0)
		return rc;
	file = terr_file(j->d, t);
	path = cpts_asprintf("%s/%s", j->dir, file);
	free(file);
	rc = ex_write_file_atomic(ctx, path, b->data, b->len);
	free(path);
	return rc;
}

int ex_write_html(cpts_ctx *ctx, const ex_data *d, const char *dir)
{
	cpts_buf b = CPTS_BUF_INIT;
	ex_classes cl_c, cl_t;
	flow_agg fa[2];
	char *path = NULL;
	int rc;

	if ((rc = cpts_mkdir_p(dir, 0777)) != 0)
		return cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s", dir,
				 strerror(-rc));
	make_classes(d, &cl_c, &cl_t);
	flow_agg_build(&fa[0], d, true);
	flow_agg_build(&fa[1], d, false);
	if ((rc = index_page(ctx, &b, d, &cl_t)) < 0)
		goto out;
	path = cpts_asprintf("%s/index.html", dir);
	if ((rc = ex_write_file_atomic(ctx, path, b.data, b.len)) < 0)
		goto out;
	{
		page_job job = { d, dir, &cl_c, fa };
		cpts_buf b2 = CPTS_BUF_INIT;
		rc = ex_par_run(ctx, d->p->n_terr, page_item, &job, d->main_only, &b, &b2, 0.7,
				1.0, "writing territory pages");
		cpts_buf_release(&b2);
	}
out:
	flow_agg_release(&fa[0]);
	flow_agg_release(&fa[1]);
	free(path);
	cpts_buf_release(&b);
	return rc;
}
