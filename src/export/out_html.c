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
#include "cpts/outfile.h"
#include "cpts/store_check.h"
#include "cpts/session.h"
#include "cpts/version.h"
#include "dep/dep.h"
#include "export/export_int.h"
#include "export/report_int.h"
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
	".phead{display:none;border-bottom:1px solid #999;color:#444;font-size:10px;"
	"margin-bottom:6px;padding-bottom:2px}.pfoot{display:none;border-top:1px solid #999;"
	"color:#444;font-size:10px;margin-top:6px;padding-top:2px}"
	".nav{margin:0 0 8px}.nav a{margin-right:14px}"
	".kp{background:#fbf3f1;border-left:4px solid #b30000;padding:6px 10px 6px 22px;"
	"margin:6px 0}.kp li{margin:3px 0}.missing{color:#555;font-style:italic}"
	".lettre{border:1px solid #bbb;padding:4px 12px;background:#fcfcfc}"
	".lettre h2{border:none;font-size:15px}.lettre h3{font-size:13px}"
	".ref td,.ref th{background:#f1f1f1;font-weight:bold}"
	"th.sort{cursor:pointer}.small{font-size:11px}table.prof tr>:first-child{width:60%}"
	".map text.lbl{font-size:10px;fill:#111;stroke:#fff;stroke-width:2.5px;"
	"paint-order:stroke}.map text.pole{font-weight:bold}"
	"@page{size:A4;margin:10mm}"
	"@media print{body{max-width:none;padding:0;font-size:10px;line-height:1.25}a{color:inherit;"
	"text-decoration:none}h1{font-size:18px}h2{font-size:13px;margin:8px 0 4px;"
	"break-after:avoid;page-break-after:avoid}h3{font-size:11px;margin:6px 0 3px}"
	"th,td{padding:1px 4px}table{margin:2px 0 4px}"
	"table,svg,figure{break-inside:avoid;page-break-inside:avoid}figure{margin:4px 0}"
	"svg{max-height:150mm}.map svg{max-height:88mm}svg.pyramid{max-height:62mm}"
	".cols>div{flex:1 1 45%}.noprint,.nav{display:none}.phead,.pfoot{display:block}"
	".sheet{break-after:page;page-break-after:always}.sheet:last-of-type{break-after:auto;"
	"page-break-after:auto}.methods{break-before:page;page-break-before:always}"
	".lettre{font-size:9px;padding:2px 8px}.lettre h2{font-size:11px;margin:2px 0}"
	".lettre h3{font-size:10px;margin:3px 0}.lettre ul{margin:2px 0}.lettre p{margin:3px 0}"
	".note{font-size:9px}}";

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
	{
		char date[48];
		ex_date_fr(date, sizeof(date), d->timestamp);
		cpts_buf_addstr(b, " le ");
		cpts_buf_add_html(b, date);
	}
	cpts_buf_addstr(b, " — partition « ");
	cpts_buf_add_html(b, d->opts->partition);
	cpts_buf_addstr(b, " ». Les valeurs de 0 à ");
	cpts_buf_addf(b, "%.0f", d->threshold - 1);
	cpts_buf_addstr(b, " d'effectifs de santé sont masquées (secret statistique).</footer>\n"
			"</body>\n</html>\n");
}

/* A territory's file name: its id when made of safe characters, else t<index>_<id>
 * with the unsafe characters replaced (unique through the index). */
/* Page file of territory t (OWNED by the caller): from the table ex_write_html makes
 * with ex_page_files (report_dir.c), so names are unique before any page is written. */
static char *terr_file(const ex_data *d, size_t t)
{
	return cpts_strdup(d->page_files[t]);
}

/* The name of territory t, escaped (ex_terr_name). */
static void add_terr_name(cpts_buf *b, const ex_data *d, size_t t)
{
	char *nm = ex_terr_name(d, t);

	cpts_buf_add_html(b, nm);
	free(nm);
}

static void add_value(cpts_buf *b, const ex_data *d, const cpts_indicator *ind,
		      const cpts_pvalue *v)
{
	char s[96];

	ex_fmt_value(s, sizeof(s), ind, v, d->threshold);
	if (v && v->withdrawn) /* no bound: a part of a masked total */
		snprintf(s, sizeof(s), "secret statistique");
	if (v && (v->masked || v->withdrawn)) {
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
		tmp.value = ex_terr_number(d, t, ind->key, &tmp.masked);
		tmp.lo = tmp.hi = NAN;
		if (isnan(tmp.value) && !tmp.masked) {
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
	/* the unit, unless the label already says it ("(ETP)", "pour 10 000 habitants") */
	if (*ind->unit_fr && strcmp(ind->unit_fr, "%") != 0 &&
	    !strcasestr(ind->label_fr, ind->unit_fr) &&
	    !(strncmp(ind->unit_fr, "pour ", 5) == 0 && strstr(ind->label_fr, " pour "))) {
		cpts_buf_addstr(b, " <span class=\"note\">(");
		cpts_buf_add_html(b, ind->unit_fr);
		cpts_buf_addstr(b, ")</span>");
	}
	cpts_buf_addstr(b, "</th>");
}

/* True when a value is shown as "n.d." (absent or not computable, not masked). */
static bool is_nd(const cpts_pvalue *v)
{
	return !v || (!v->masked && isnan(v->value));
}

/* A territory's value with the public fallbacks; false when it would read "n.d.". */
static bool terr_has(const ex_data *d, size_t t, const char *key)
{
	bool masked = false;
	double v = ex_terr_number(d, t, key, &masked);

	return masked || !isnan(v);
}

/*
 * Rows of keys, columns: territory, its départements, regions and the whole area (by
 * name; the whole area is labelled by what it covers and left out when it is the
 * territory's only region). A row whose territory value is not available is left out,
 * and so is a comparison column with no value at all, so no cell reads "n.d." where
 * the input was given.
 */
static void table_compare(cpts_buf *b, const ex_data *d, size_t t, const char *const *keys,
			  const ex_scope *sc)
{
	const ex_terr *e = &d->terr[t];
	const char *id = d->p->terr[t];
	const char *lv[2 * EX_MAX_CMP + 1], *code[2 * EX_MAX_CMP + 1];
	bool show[2 * EX_MAX_CMP + 1];
	int nc = 0;

	for (int k = 0; k < e->n_deps; k++) {
		lv[nc] = "departement";
		code[nc++] = e->deps[k];
	}
	for (int k = 0; k < e->n_regs; k++) {
		lv[nc] = "region";
		code[nc++] = e->regs[k];
	}
	if (!(sc->is_one_region && e->n_regs == 1 && strcmp(e->regs[0], sc->reg) == 0)) {
		lv[nc] = "ensemble";
		code[nc++] = "ALL";
	}
	for (int c = 0; c < nc; c++) {
		show[c] = false;
		for (int r = 0; keys[r] && !show[c]; r++)
			show[c] = !is_nd(ex_value(d, id, lv[c], code[c], keys[r]));
	}
	cpts_buf_addstr(b, "<table class=\"cmp\"><thead><tr><th>Indicateur</th><th>Territoire</th>");
	for (int c = 0; c < nc; c++) {
		if (!show[c])
			continue;
		cpts_buf_addstr(b, "<th>");
		cpts_buf_add_html(b, lv[c][0] == 'd' ? ex_dep_label(code[c])
				     : lv[c][0] == 'r' ? ex_reg_label(code[c]) : sc->label);
		cpts_buf_addstr(b, "</th>");
	}
	cpts_buf_addstr(b, "</tr></thead><tbody>\n");
	for (int r = 0; keys[r]; r++) {
		const cpts_indicator *ind = cpts_indicator_find(keys[r]);
		if (!ind || !terr_has(d, t, keys[r]))
			continue;
		cpts_buf_addstr(b, "<tr>");
		label_cell(b, ind);
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_terr_value(b, d, t, ind);
		cpts_buf_addstr(b, "</td>");
		for (int c = 0; c < nc; c++) {
			if (!show[c])
				continue;
			cpts_buf_addstr(b, "<td class=\"n\">");
			add_value(b, d, ind, ex_value(d, id, lv[c], code[c], ind->key));
			cpts_buf_addstr(b, "</td>");
		}
		cpts_buf_addstr(b, "</tr>\n");
	}
	cpts_buf_addstr(b, "</tbody></table>\n");
}

static double commune_map_value(const ex_data *d, size_t i)
{
	return ex_map_number(ex_commune_value(d, i, d->map_key));
}

/* ---- maps ---- */

/* Pixel position of commune i's representative point on map m (CRS srid). */
static bool commune_xy(const ex_data *d, size_t i, const ex_svgmap *m, int srid, double *x,
		       double *y)
{
	const cpts_commune *c = &d->m->c[i];
	double cx, cy;

	if (srid == 4326) {
		cx = c->lon;
		cy = c->lat;
	} else if (c->srid == srid) {
		cx = c->px;
		cy = c->py;
	} else {
		return false;
	}
	*x = (cx - m->minx) * m->kx * m->scale + m->pad;
	*y = (m->maxy - cy) * m->scale + m->pad;
	return isfinite(*x) && isfinite(*y) && *x >= 0 && *y >= 0 && *x <= m->w && *y <= m->h;
}

/* Labels: the pôle (bold) and the most populated communes, at most n_lbl. */
static void map_labels(cpts_buf *b, const ex_data *d, size_t t, const ex_svgmap *m, int srid,
		       size_t n_lbl)
{
	const cpts_partition *p = d->p;
	const ex_terr *e = &d->terr[t];
	long pole = e->pole[0] ? cpts_model_find(d->m, e->pole) : -1;
	size_t best[8];
	size_t n_best = 0;

	if (n_lbl > 8)
		n_lbl = 8;
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		size_t i = p->members[k].commune, j;
		if ((long)i == pole)
			continue;
		/* insertion into the n_lbl largest, ties by model order */
		for (j = n_best; j > 0 && d->m->c[best[j - 1]].pop < d->m->c[i].pop; j--)
			if (j < n_lbl)
				best[j] = best[j - 1];
		if (j < n_lbl) {
			best[j] = i;
			if (n_best < n_lbl)
				n_best++;
		}
	}
	for (size_t k = 0; k < n_best + 1; k++) {
		long i = k == 0 ? pole : (long)best[k - 1];
		double x, y;
		if (i < 0 || !d->m->c[i].name || !commune_xy(d, (size_t)i, m, srid, &x, &y))
			continue;
		if (k > 0 && d->m->has_population && !(d->m->c[i].pop > 0))
			continue;
		cpts_buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"#111\"/>"
			      "<text class=\"lbl%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			      x, y, k == 0 ? "3" : "2", k == 0 ? " pole" : "", x, y - 5);
		cpts_buf_add_html(b, d->m->c[i].name);
		cpts_buf_addstr(b, "</text>\n");
	}
}

/* Neighbouring territories (same CRS, bounding boxes meeting the extent), each
 * clipped to the map's extent widened by the drawing's padding and two pixels: what
 * lies beyond is outside the drawing (an inline SVG hides its overflow), and
 * simplifying whole neighbours, each drawn on several pages at a different scale, was
 * most of the map time of a report on France. (A quarter of the extent was kept on
 * every side before: nothing of it was visible, and it was as costly as the rest.)
 * @param[out] nb the clipped geometries, OWNED by the caller (NULL: nothing to draw)
 * @param[out] who their territories */
static int map_neighbours(cpts_ctx *ctx, const ex_data *d, size_t t, const ex_svgmap *m,
			  int srid, const double *tbox, GEOSGeometry ***nb, size_t **who,
			  size_t *n_nb)
{
	/* the padding of the drawing and two pixels, whatever the shape */
	double wx = (m->pad + 2) / (m->scale * m->kx), wy = (m->pad + 2) / m->scale;

	*nb = NULL;
	*who = NULL;
	*n_nb = 0;
	if (!tbox)
		return CPTS_OK;
	for (size_t u = 0; u < d->p->n_terr; u++) {
		const double *x = &tbox[4 * u];
		GEOSGeometry *c;
		if (u == t || !d->terr[u].geom || d->terr[u].srid != srid || isnan(x[0]) ||
		    x[2] < m->minx || x[0] > m->maxx || x[3] < m->miny || x[1] > m->maxy)
			continue;
		c = GEOSClipByRect_r(ctx->geos, d->terr[u].geom, m->minx - wx, m->miny - wy,
				     m->maxx + wx, m->maxy + wy);
		if (!c)
			return cpts_fail_geos(ctx, CPTS_EDEP, "cannot clip territory %s to the map",
					      d->p->terr[u]);
		if (GEOSisEmpty_r(ctx->geos, c) == 1) {
			GEOSGeom_destroy_r(ctx->geos, c);
			continue;
		}
		*nb = cpts_reallocarray(*nb, *n_nb + 1, sizeof(GEOSGeometry *));
		*who = cpts_reallocarray(*who, *n_nb + 1, sizeof(size_t));
		(*nb)[*n_nb] = c;
		(*who)[(*n_nb)++] = u;
	}
	return CPTS_OK;
}

/* The grey neighbours, from their simplified geometries. */
static int draw_neighbours(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, const ex_svgmap *m,
			   GEOSGeometry *const *simple, const size_t *who, size_t n_nb)
{
	int rc;

	for (size_t k = 0; k < n_nb; k++) {
		cpts_buf_addstr(b, "<path class=\"nb\" fill=\"#e3e3e3\" stroke=\"#fff\""
				" stroke-width=\"1\" d=\"");
		if ((rc = ex_svg_path_d_plain(ctx, b, m, simple[k])) < 0)
			return rc;
		cpts_buf_addstr(b, "\"><title>");
		add_terr_name(b, d, who[k]);
		cpts_buf_addstr(b, "</title></path>\n");
	}
	return CPTS_OK;
}

/* Map of one territory: neighbouring territories in grey, one <path class="c"
 * data-code> per commune (masked values hatched), the outline, the pôle and the main
 * communes labelled. Classes are the report's (one set for every commune map). */
static int territory_map(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, size_t t,
			 const ex_classes *cl, const double *tbox)
{
	const cpts_partition *p = d->p;
	const ex_terr *e = &d->terr[t];
	const cpts_indicator *ind = cpts_indicator_find(d->map_key);
	double ext[4] = { NAN, NAN, NAN, NAN }, mx, my;
	ex_svgmap m;
	GEOSGeometry **gs = NULL;     /* OWNED: the communes in the territory's CRS */
	const GEOSGeometry **in = NULL; /* OWNED array: gs, then the outline (BORROWED) */
	GEOSGeometry **simple = NULL; /* OWNED: the same, then the neighbours, simplified */
	GEOSGeometry **nb = NULL;     /* OWNED: the neighbours clipped to the map */
	size_t *who = NULL, n_nb = 0; /* OWNED: their territories */
	size_t n = p->terr_start[t + 1] - p->terr_start[t], n_masked = 0;
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
	mx = (ext[2] - ext[0]) * 0.06;
	my = (ext[3] - ext[1]) * 0.06;
	ex_svgmap_init(&m, ext[0] - mx, ext[1] - my, ext[2] + mx, ext[3] + my, MAP_W, MAP_H,
		       e->srid == 4326);
	cpts_buf_addf(b, "<figure class=\"map\"><svg"
		      " viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">\n"
		      "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\""
		      " patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
		      "<rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><line x1=\"0\" y1=\"0\""
		      " x2=\"0\" y2=\"6\" stroke=\"#888\" stroke-width=\"2\"/></pattern></defs>\n",
		      m.w, m.h, m.w, m.h);
	if ((rc = map_neighbours(ctx, d, t, &m, e->srid, tbox, &nb, &who, &n_nb)) < 0)
		goto out;
	/* the communes, the outline and the neighbours simplified together, each border
	   once (edges.c): they meet without overlap or sliver */
	in = cpts_calloc(n + 1 + n_nb, sizeof(GEOSGeometry *));
	memcpy(in, gs, n * sizeof(GEOSGeometry *));
	in[n] = e->geom;
	for (size_t k = 0; k < n_nb; k++)
		in[n + 1 + k] = nb[k];
	simple = cpts_calloc(n + 1 + n_nb, sizeof(GEOSGeometry *));
	if ((rc = ex_edges_simplify(ctx, simple, in, n + 1 + n_nb, m.tol)) < 0 ||
	    (rc = draw_neighbours(ctx, b, d, &m, simple + n + 1, who, n_nb)) < 0)
		goto out;
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
		if (c < 0 && pv && pv->masked) {
			cpts_buf_addstr(b, "\" fill=\"url(#hatch)\" d=\"");
			n_masked++;
		} else {
			cpts_buf_addf(b, "\" fill=\"%s\" d=\"", c < 0 ? ex_palette_na : ex_palette[c]);
		}
		if ((rc = ex_svg_path_d_plain(ctx, b, &m, simple[k])) < 0)
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
		if ((rc = ex_svg_path_d_plain(ctx, b, &m, simple[n])) < 0)
			goto out;
		cpts_buf_addstr(b, "\"/>\n");
	}
	map_labels(b, d, t, &m, e->srid, n > 40 ? 6 : 4);
	ex_svg_scalebar(b, &m);
	cpts_buf_addstr(b, "</svg><figcaption>");
	cpts_buf_add_html(b, ind->label_fr);
	cpts_buf_addstr(b, " par commune (classes communes à toutes les pages du rapport)");
	ex_html_legend(b, cl, ind);
	if (n_masked)
		cpts_buf_addstr(b, " <span class=\"sw\" style=\"background:repeating-linear-gradient("
				"45deg,#f4f4f4 0 2px,#888 2px 3px)\"></span>secret statistique");
	cpts_buf_addstr(b, "<br>En gris : territoires voisins.</figcaption></figure>\n");
out:
	for (size_t k = 0; k < n + 1 + n_nb; k++) {
		if (k < n && gs[k])
			GEOSGeom_destroy_r(ctx->geos, gs[k]);
		if (k > n && nb[k - n - 1])
			GEOSGeom_destroy_r(ctx->geos, nb[k - n - 1]);
		if (simple && simple[k])
			GEOSGeom_destroy_r(ctx->geos, simple[k]);
	}
	free(gs);
	free(in);
	free(simple);
	free(nb);
	free(who);
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
		const GEOSGeometry **in;   /* OWNED array, BORROWED geometries */
		GEOSGeometry **simple;     /* OWNED */
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
		/* the territories of this CRS simplified together, each border once (edges.c) */
		in = cpts_calloc(d->p->n_terr + 1, sizeof(GEOSGeometry *));
		simple = cpts_calloc(d->p->n_terr + 1, sizeof(GEOSGeometry *));
		for (size_t t = 0; t < d->p->n_terr; t++)
			if (d->terr[t].geom && d->terr[t].srid == srids[k])
				in[t] = d->terr[t].geom;
		rc = ex_edges_simplify(ctx, simple, in, d->p->n_terr, m.tol);
		for (size_t t = 0; t < d->p->n_terr && rc == CPTS_OK; t++) {
			double v;
			int c;
			char *file;
			if (!in[t])
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
			if ((rc = ex_svg_path_d_plain(ctx, b, &m, simple[t])) < 0)
				break;
			cpts_buf_addstr(b, "\"><title>");
			add_terr_name(b, d, t);
			cpts_buf_addstr(b, "</title></path></a>\n");
		}
		for (size_t t = 0; t < d->p->n_terr; t++)
			if (simple[t])
				GEOSGeom_destroy_r(ctx->geos, simple[t]);
		free(simple);
		free(in);
		if (rc < 0)
			return rc;
		ex_svg_scalebar(b, &m);
		cpts_buf_addf(b, "</svg><figcaption>%s", srids[k] == 2154 ? ""
			      : srids[k] == 5490 ? "Antilles — " : srids[k] == 2972 ? "Guyane — "
			      : srids[k] == 2975 ? "La Réunion — " : srids[k] == 4471 ? "Mayotte — "
			      : "");
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
static void pyramid(cpts_buf *b, const ex_data *d, size_t t, const char *ref_label)
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
	h = top + nb * row + 24 + 12;
	cpts_buf_addf(b, "<figure><svg viewBox=\"0 0 %.0f"
		      " %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" class=\"pyramid\">\n",
		      w, h + 12, w, h + 12);
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
	{
		/* percentage axis: ticks every 1, 2 or 5 % of the population, both sides */
		double step = vmax > 0.08 ? 0.02 : vmax > 0.03 ? 0.01 : 0.005;
		double ya = top + nb * row + 2;
		for (double v = 0; v <= vmax + 1e-12; v += step) {
			double dx = v / vmax * (half - 10);
			char s[32];
			cpts_fmt_fr(s, sizeof(s), 100 * v, step < 0.01 ? 1 : 0);
			for (int sd = 0; sd < 2; sd++) {
				double x = sd == 0 ? half - dx : half + 80 + dx;
				cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
					      " y2=\"%.1f\" stroke=\"#888\"/><text x=\"%.1f\""
					      " y=\"%.1f\" text-anchor=\"middle\" font-size=\"9\">%s"
					      "\xc2\xa0%%</text>", x, ya, x, ya + 4, x, ya + 13, s);
			}
		}
		cpts_buf_addf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"10\" y2=\"%.1f\""
			      " stroke=\"#888\"/><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
			      " y2=\"%.1f\" stroke=\"#888\"/>", half, ya, ya, half + 80, ya,
			      2 * half + 70, ya);
	}
	cpts_buf_addf(b, "<text x=\"4\" y=\"%.0f\">Barres : territoire ; contours : %s"
		      " (part de la population de chaque sexe et tranche d'âge)</text></svg>"
		      "</figure>\n", h + 8, ref_label);
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

/* One forest row of a place's ICC (interval only when the value is not publishable). */
static void icc_row(ex_forest_row *r, const cpts_pvalue *v, const char *label, int style)
{
	bool bounds_only = v && v->masked && isfinite(v->lo) && isfinite(v->hi);

	r->label = label;
	r->href = NULL;
	r->style = style;
	r->v = v && !v->masked ? v->value : NAN;
	r->lo = v && (!v->masked || bounds_only) ? v->lo : NAN;
	r->hi = v && (!v->masked || bounds_only) ? v->hi : NAN;
}

static void section_icc(cpts_buf *b, const ex_data *d, size_t t, const char *name,
			const ex_scope *sc)
{
	const char *id = d->p->terr[t];
	const ex_terr *e = &d->terr[t];
	const cpts_pvalue *v = ex_value(d, id, "territoire", id, "icc");
	const cpts_pvalue *sig = ex_value(d, id, "territoire", id, "icc_signif");
	static const char *const keys[] = { "icc_observed", "icc_expected", "missing_gps", NULL };
	ex_forest_row rows[2 * EX_MAX_CMP + 2];
	size_t n = 0;

	cpts_buf_addstr(b, "<section><h2>Recours aux médecins généralistes : indice comparatif"
			" de consommation (ICC)</h2>\n");
	icc_row(&rows[n++], v, name, 0);
	for (int k = 0; k < e->n_deps; k++)
		icc_row(&rows[n++], ex_value(d, id, "departement", e->deps[k], "icc"),
			ex_dep_label(e->deps[k]), 1);
	for (int k = 0; k < e->n_regs; k++)
		icc_row(&rows[n++], ex_value(d, id, "region", e->regs[k], "icc"),
			ex_reg_label(e->regs[k]), 1);
	if (!(sc->is_one_region && e->n_regs == 1 && strcmp(e->regs[0], sc->reg) == 0))
		icc_row(&rows[n++], ex_value(d, id, "ensemble", "ALL", "icc"), sc->label, 2);
	ex_forest(b, rows, n, 100.0, "ICC et intervalle de confiance à 95 % du territoire et"
		  " des territoires de comparaison ; la ligne pointillée marque 100 (recours"
		  " attendu à âge et sexe égaux).");
	if (v && v->masked)
		cpts_buf_addstr(b, "<p class=\"note\">L'ICC du territoire dépend de cases masquées"
				" (« &lt; 11 ») des données sources : seul l'intervalle qui les"
				" contient est publié.</p>\n");
	cpts_buf_addstr(b, "<table>");
	for (int k = 0; keys[k]; k++) {
		const cpts_indicator *ind = cpts_indicator_find(keys[k]);
		if (!terr_has(d, t, keys[k]))
			continue;
		cpts_buf_addstr(b, "<tr>");
		label_cell(b, ind);
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_value(b, d, ind, ex_value(d, id, "territoire", id, keys[k]));
		cpts_buf_addstr(b, "</td></tr>\n");
	}
	if (v && !v->masked && !isnan(v->lo) && !isnan(v->hi)) {
		char s[96], lo[32], hi[32];
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
			" consultations attendues (standardisation indirecte par sexe et âge) ;"
			" méthode détaillée dans la page « Méthodes et sources ».</p></section>\n");
}

/* A gap in points with its sign ("+1,2", "-0,3"). */
static void add_signed_pts(cpts_buf *b, double v)
{
	char s[64];

	cpts_fmt_fr(s, sizeof(s), v, 1);
	if (v > 0)
		cpts_buf_addch(b, '+');
	cpts_buf_add_html(b, s);
}

/* The published test of the gap: its p-value class (cpts_pvalue_class). */
static void add_gap_test(cpts_buf *b, const cpts_pvalue *pv)
{
	double pc;

	if (!pv || pv->masked || isnan(pv->value))
		return;
	pc = cpts_pvalue_class(pv->value);
	cpts_buf_addstr(b, " (test de comparaison de deux proportions : ");
	cpts_buf_addstr(b, pc <= 0.001 ? "p &lt; 0,001" : pc <= 0.01 ? "p &lt; 0,01" :
			pc <= 0.05 ? "p &lt; 0,05" : "p ≥ 0,05");
	cpts_buf_addstr(b, pc <= 0.05 ? ", écart significatif)" : ", écart non significatif)");
}

static void section_mt(cpts_buf *b, const ex_data *d, size_t t, const ex_scope *sc)
{
	const char *id = d->p->terr[t];
	const cpts_pvalue *gap = ex_value(d, id, "territoire", id, "mt_gap_dep_pts");
	const cpts_pvalue *pv = ex_value(d, id, "territoire", id, "mt_gap_pvalue");

	cpts_buf_addstr(b, "<section><h2>Médecin traitant</h2>\n");
	table_compare(b, d, t, mt_keys, sc);
	if (gap && !gap->masked && !isnan(gap->value)) {
		cpts_buf_addstr(b, "<p>Écart au département : ");
		add_signed_pts(b, gap->value);
		cpts_buf_addstr(b, " points");
		add_gap_test(b, pv);
		cpts_buf_addstr(b, ".</p>\n");
	} else if (gap && gap->masked && isfinite(gap->lo) && isfinite(gap->hi)) {
		/* over pre-masked cells: the range the gap takes whatever they hold, rounded
		   outwards; the test's class when it is the same over the whole range */
		cpts_buf_addstr(b, "<p>Écart au département : entre ");
		add_signed_pts(b, floor(gap->lo * 10 + 1e-9) / 10);
		cpts_buf_addstr(b, " et ");
		add_signed_pts(b, ceil(gap->hi * 10 - 1e-9) / 10);
		cpts_buf_addstr(b, " points");
		add_gap_test(b, pv);
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

#define FLOWS_PRINTED 5

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
	if (total < d->threshold || d->terr[t].flows_withheld) {
		/* everything is one small count: no table (a total with no rows under it
		   would read as a total of 0), the count stays secret; so when a flow total
		   differs by a small count from one published earlier (cpts_pub_flow) */
		/* one wording for both: a withheld table looks like a small one */
		cpts_buf_addstr(b, "<p class=\"note\">Flux couverts par le secret"
				" statistique.</p>\n");
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
		/* print: the first five rows (the page keeps to three sheets) */
		cpts_buf_addstr(b, k >= FLOWS_PRINTED ? "<tr class=\"noprint\"><td>" : "<tr><td>");
		if (rows[k].terr >= 0) {
			if ((size_t)rows[k].terr == t)
				cpts_buf_addstr(b, "<strong>");
			add_terr_name(b, d, (size_t)rows[k].terr);
			if ((size_t)rows[k].terr == t)
				cpts_buf_addstr(b, "</strong> (le territoire)");
		} else {
			cpts_buf_addstr(b, rows[k].terr == -1 ? "communes hors des territoires"
							      : "communes hors de la zone étudiée");
		}
		cpts_fmt_fr(v, sizeof(v), rows[k].volume, 0);
		cpts_fmt_fr_pct(s, sizeof(s), rows[k].volume / total, 1);
		cpts_buf_addf(b, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n", v, s);
	}
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
	if (!terr_has(d, t, "li")) {
		/* no basin metrics for this partition: the share of the residents' flows
		   staying in the territory, from the flows themselves */
		ex_dest one[1];
		double li;
		ex_top_destinations(d, t, one, 1, &li);
		if (isfinite(li))
			kv_row(b, "Part des recours des habitants dans le territoire (LI)",
			       cpts_fmt_fr_pct(s, sizeof(s), li / 100, 1));
	}
	for (int k = 0; mkeys[k]; k++) {
		const cpts_indicator *ind = cpts_indicator_find(mkeys[k]);
		if (!terr_has(d, t, mkeys[k]))
			continue;
		cpts_buf_addstr(b, "<tr>");
		label_cell(b, ind);
		cpts_buf_addstr(b, "<td class=\"n\">");
		add_terr_value(b, d, t, ind);
		cpts_buf_addstr(b, "</td></tr>\n");
		/* the HSAr toolbox's floor (catalogue LI in percent) */
		if (strcmp(mkeys[k], "li") == 0 &&
		    ex_terr_number(d, t, "li", NULL) < 100.0 * CPTS_BASINS_LI_FLOOR)
			kv_row(b, "Sous le seuil de LI de 0,4 (boîte à outils HSAr)",
			       "oui : moins de 40 % des recours des habitants restent dans le"
			       " territoire");
	}
	cpts_buf_addstr(b, "</table>\n<div class=\"cols\"><div><h3>Où se soignent les"
			" habitants</h3>\n");
	flow_table(b, d, t, true, &fa[0]);
	{
		ex_dest dest[6];
		double li;
		size_t nd = ex_top_destinations(d, t, dest, 6, &li);
		if (nd) {
			cpts_buf_addstr(b, "<p class=\"small\">Principales communes de recours hors"
					" du territoire : ");
			for (size_t k = 0; k < nd; k++) {
				cpts_fmt_fr_pct(s, sizeof(s), dest[k].share / 100, 1);
				cpts_buf_addstr(b, k ? ", " : "");
				cpts_buf_add_html(b, dest[k].name);
				cpts_buf_addf(b, " (%s)", s);
			}
			cpts_buf_addstr(b, ".</p>\n");
		}
	}
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

/* Communes printed in the table: fewer when the lettre d'intention block above lists
 * many communes by name (about twelve names a line), so that the third sheet keeps to
 * one A4 page; beyond, the rows show on screen only. */
static size_t communes_printed(size_t n)
{
	size_t cut = (n + 11) / 12;

	return cut >= 10 ? 3 : 13 - cut;
}

/* Communes by population, largest first (ties in model order). */
static int cmp_commune_pop(const void *a, const void *b, void *arg)
{
	const cpts_model *m = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	double px = m->c[x].pop, py = m->c[y].pop;

	if (px != py)
		return px > py ? -1 : 1;
	return (x > y) - (x < y);
}

/* Communes whose basin changes often when the flows are redrawn (basins --resample):
 * named under the commune table, as a border to look at. */
static void add_unstable(cpts_buf *b, const ex_data *d, size_t t)
{
	size_t n_bad = 0;

	for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++) {
		size_t i = d->p->members[k].commune;
		if (!(d->att[i].coassign < 0.8))
			continue;
		cpts_buf_addstr(b, n_bad++ ? ", " : "<p>Rattachement instable (la commune reste"
				" avec le pôle du bassin dans moins de 80 % des tirages aléatoires"
				" des flux) : ");
		cpts_buf_add_html(b, d->m->c[i].name);
	}
	if (n_bad)
		cpts_buf_addstr(b, ".</p>\n");
}

/* reserve: printed communes given up to rows printed above on the same sheet */
static void section_communes(cpts_buf *b, const ex_data *d, size_t t, size_t reserve)
{
	const cpts_indicator *ind = cpts_indicator_find(d->map_key);
	size_t n = d->p->terr_start[t + 1] - d->p->terr_start[t], row = 0;
	size_t n_printed = communes_printed(n);

	n_printed = n_printed > reserve + 3 ? n_printed - reserve : 3;
	bool has_map = false, has_att = false;
	size_t *order = cpts_calloc(n + 1, sizeof(size_t));
	char s[64];

	for (size_t k = 0; k < n; k++)
		order[k] = d->p->members[d->p->terr_start[t] + k].commune;
	if (d->m->has_population)
		qsort_r(order, n, sizeof(size_t), cmp_commune_pop, (void *)d->m);

	for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++) {
		size_t i = d->p->members[k].commune;
		has_map = has_map || !is_nd(ex_commune_value(d, i, d->map_key));
		has_att = has_att || (d->att[i].has && (d->att[i].klass > 0 || d->att[i].first_terr));
	}
	cpts_buf_addstr(b, "<section><h2>Communes du territoire</h2>\n<table class=\"small\">"
			"<thead><tr><th>Commune</th><th>Code</th>");
	if (d->m->has_population)
		cpts_buf_addstr(b, "<th>Population</th>");
	if (has_map) {
		cpts_buf_addstr(b, "<th>");
		cpts_buf_add_html(b, ind->label_fr);
		cpts_buf_addstr(b, "</th>");
	}
	if (has_att)
		cpts_buf_addstr(b, "<th>Classe d'attraction</th><th>Premier territoire de"
				" recours</th>");
	cpts_buf_addstr(b, "</tr></thead><tbody>\n");
	for (row = 0; row < n; row++) {
		size_t i = order[row];
		const ex_attract *a = &d->att[i];
		cpts_buf_addstr(b, row >= n_printed ? "<tr class=\"noprint\"><td>" : "<tr><td>");
		cpts_buf_add_html(b, d->m->c[i].name);
		cpts_buf_addstr(b, "</td><td>");
		cpts_buf_add_html(b, d->m->c[i].code);
		cpts_buf_addstr(b, "</td>");
		if (d->m->has_population)
			cpts_buf_addf(b, "<td class=\"n\">%s</td>",
				      cpts_fmt_fr(s, sizeof(s), d->m->c[i].pop, 0));
		if (has_map) {
			cpts_buf_addstr(b, "<td class=\"n\">");
			add_value(b, d, ind, ex_commune_value(d, i, d->map_key));
			cpts_buf_addstr(b, "</td>");
		}
		if (has_att) {
			long ft = a->has && a->first_terr ? cpts_partition_find(d->p, a->first_terr)
							  : -1;
			cpts_buf_addstr(b, "<td class=\"n\">");
			if (a->has && a->klass > 0)
				cpts_buf_addf(b, "%d", a->klass);
			cpts_buf_addstr(b, "</td><td>");
			if (ft >= 0)
				add_terr_name(b, d, (size_t)ft);
			else if (a->has && a->first_terr)
				cpts_buf_add_html(b, a->first_terr);
			if (a->has && a->first_terr && !isnan(a->first_share)) {
				cpts_fmt_fr_pct(s, sizeof(s), a->first_share, 0);
				cpts_buf_addf(b, " (%s)", s);
			}
			cpts_buf_addstr(b, "</td>");
		}
		cpts_buf_addstr(b, "</tr>\n");
	}
	cpts_buf_addstr(b, "</tbody></table>\n");
	free(order);
	if (n > n_printed)
		cpts_buf_addf(b, "<p class=\"note\">Version imprimée : les %zu communes les plus"
			      " peuplées ; les %zu autres figurent à l'écran, dans les premiers"
			      " éléments de diagnostic et dans le GeoPackage.</p>\n",
			      n_printed, n - n_printed);
	add_unstable(b, d, t);
	cpts_buf_addstr(b, "</section>\n");
}

static void section_method(cpts_buf *b, const ex_data *d)
{
	char s[64];

	cpts_buf_addstr(b, "<section><h2>Méthode et paramètres</h2>\n<table>");
	kv_row(b, "Partition", d->opts->partition);
	if (d->part_kind)
		kv_row(b, "Type de partition", d->part_kind);
	if (d->part_source) {
		/* basins: the method by its French name (the method table), not its code */
		const cpts_basins_method_info *mi =
			d->part_kind && strcmp(d->part_kind, "basins") == 0
				? cpts_basins_method_find(d->part_source) : NULL;
		kv_row(b, "Source de la partition", mi ? mi->label_fr : d->part_source);
	}
	if (d->part_params)
		kv_row(b, "Paramètres de la partition", d->part_params);
	if (d->profile_params)
		kv_row(b, "Paramètres du profil", d->profile_params);
	cpts_fmt_fr(s, sizeof(s), d->threshold, 0);
	kv_row(b, "Seuil du secret statistique", s);
	kv_row(b, "Indicateur des cartes", cpts_indicator_find(d->map_key)->label_fr);
	kv_row(b, "Version de cpts", CPTS_VERSION);
	ex_date_fr(s, sizeof(s), d->timestamp);
	kv_row(b, "Date de l'export", s);
	cpts_buf_addstr(b, "</table>\n<p class=\"note\">Tous les indicateurs sont calculés à"
			" partir des effectifs agrégés sur le territoire (jamais par moyenne de"
			" ratios communaux), et comparés au(x) département(s), à la région et à"
			" l'ensemble des communes chargées. APL : accessibilité potentielle"
			" localisée (DREES/IRDES), moyenne des communes pondérée par la"
			" population ; temps de trajet de la table traveltime quand elle est"
			" chargée, sinon distances entre les points représentatifs des communes"
			" (non entre les adresses des cabinets), allongées du détour, à la vitesse"
			" des paramètres du profil. Classes d'attraction : 1 pôle ; 2 au moins 50 % des recours"
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
		      " entre 0 et %.0f sont masqués et affichés « &lt; %s » (les zéros aussi :"
		      " publiés, ils feraient savoir qu'une case masquée vaut au moins 1, donc"
		      " qu'un total masqué de plusieurs communes masquées en vaut au moins autant"
		      " et chacune d'elles moins de %s moins ce nombre) ; les totaux qui"
		      " incluent des cases masquées des données sources sont donnés comme bornes"
		      " (« au moins … ») et les ratios qui en dépendent comme un encadrement"
		      " (« entre … et … ») ; les ratios calculés"
		      " à partir d'un effectif masqué, et les cases qui permettraient de le"
		      " retrouver par différence (masquage secondaire), sont affichés « secret"
		      " statistique ». Le masquage est appliqué après agrégation. Les populations"
		      " (INSEE) sont publiques et ne sont pas masquées.</p></section>\n",
		      d->threshold - 1, s, s);
}

/* Which inputs the report was given (a section is shown only when its input was). */
typedef struct inputs {
	bool mt, icc, supply, flows, pyramid, population;
} inputs;

/* An input was given when the whole area or the territory has a value of one of keys. */
static bool given(const ex_data *d, const char *id, const char *const *keys)
{
	for (int k = 0; keys[k]; k++)
		if (!is_nd(ex_value(d, id, "ensemble", "ALL", keys[k])) ||
		    !is_nd(ex_value(d, id, "territoire", id, keys[k])))
			return true;
	return false;
}

static void inputs_of(inputs *in, const ex_data *d, const char *id)
{
	static const char *const mt[] = { "mt_patients", "mt_sans_mt", "mt_share", NULL };
	static const char *const icc[] = { "icc_observed", "icc", NULL };
	static const char *const gp[] = { "gp_count", "gp_etp", "gp_density", NULL };

	in->mt = given(d, id, mt);
	in->icc = given(d, id, icc);
	in->supply = given(d, id, gp);
	in->flows = d->n_flows > 0;
	in->pyramid = d->n_bands > 0;
	in->population = d->m->has_population;
}

/* "Données non fournies : ..." when some input is missing. */
static void missing_line(cpts_buf *b, const inputs *in)
{
	const char *what[6];
	int n = 0;

	if (!in->population)
		what[n++] = "population";
	else if (!in->pyramid)
		what[n++] = "population par sexe et âge (pyramide)";
	if (!in->mt)
		what[n++] = "patients sans médecin traitant";
	if (!in->icc)
		what[n++] = "consommation de soins (ICC)";
	if (!in->supply)
		what[n++] = "offre de médecins généralistes";
	if (!in->flows)
		what[n++] = "flux de patients";
	if (n == 0)
		return;
	cpts_buf_addstr(b, "<p class=\"missing\">Données non fournies, sections omises : ");
	for (int k = 0; k < n; k++) {
		cpts_buf_addstr(b, k ? ", " : "");
		cpts_buf_addstr(b, what[k]);
	}
	cpts_buf_addstr(b, ".</p>\n");
}

/* Sources in one line for the running header: the tables with their vintages. */
static void sources_line(cpts_buf *b, const ex_data *d)
{
	static const char *const names[][2] = {
		{ "communes", "communes" }, { "population", "population" },
		{ "consumption", "consommation de soins" }, { "mt", "médecin traitant" },
		{ "supply", "offre de soins" }, { "flows", "flux de patients" },
		{ "traveltime", "temps de trajet" }, { "attributes", "grille de densité" },
		{ NULL, NULL },
	};
	int n = 0;

	cpts_buf_addstr(b, "Sources : ");
	for (int k = 0; names[k][0]; k++)
		for (size_t j = 0; j < d->n_src; j++) {
			if (!d->src[j].tbl || strcmp(d->src[j].tbl, names[k][0]) != 0)
				continue;
			cpts_buf_addstr(b, n++ ? ", " : "");
			cpts_buf_addstr(b, names[k][1]);
			if (d->src[j].vintage && *d->src[j].vintage) {
				cpts_buf_addstr(b, " (");
				cpts_buf_add_html(b, d->src[j].vintage);
				cpts_buf_addstr(b, ")");
			}
			break;
		}
	if (n == 0)
		cpts_buf_addstr(b, "voir la page « Méthodes et sources »");
}

/* The points clés of territory t as a list (nothing when no sentence can be made). */
static void section_keypoints(cpts_buf *b, const ex_data *d, size_t t)
{
	ex_dest dest[1];
	double li;
	size_t nd = ex_top_destinations(d, t, dest, 1, &li);
	ex_kp_input in;
	char dep_the[96], reg_the[96];
	char *kp[EX_KP_MAX];
	size_t n;

	ex_kp_fill(&in, d, t, dep_the, reg_the, sizeof(dep_the), nd ? &dest[0] : NULL, li);
	n = ex_keypoints(kp, &in);
	if (n == 0)
		return;
	cpts_buf_addstr(b, "<section><h2>Points clés</h2>\n<ul class=\"kp\">\n");
	for (size_t k = 0; k < n; k++) {
		cpts_buf_addstr(b, "<li>");
		cpts_buf_add_html(b, kp[k]);
		cpts_buf_addstr(b, "</li>\n");
		free(kp[k]);
	}
	cpts_buf_addstr(b, "</ul></section>\n");
}

/* What every territory page needs besides the data. */
typedef struct page_env {
	const ex_classes *cl;   /* commune classes of the report */
	const void *fa;         /* flow_agg[2] */
	const ex_scope *sc;     /* what the whole area covers */
	const double *tbox;     /* territory bounding boxes (4 per territory) */
} page_env;

#define N_SHEETS 3

/*
 * A territory page: at most three printed A4 sheets (each starts with a running header:
 * territory, date, sources; and ends with "page k / n"), the navigation for the screen
 * only. Sheet 1: title, points clés, key figures, ACI tier, map; sheet 2: médecin
 * traitant, ICC, supply, age pyramid; sheet 3: flows, premiers éléments de diagnostic,
 * communes. Sections whose input is missing are left out and listed in one line.
 */
/* A value with its 95 % interval ("49,3 (47,1 à 51,5)") when it has one. */
static void add_value_ci(cpts_buf *b, const ex_data *d, const cpts_indicator *ind,
			 const cpts_pvalue *v)
{
	add_value(b, d, ind, v);
	if (v && !v->masked && !v->withdrawn && ind->interval && isfinite(v->lo) &&
	    isfinite(v->hi)) {
		char lo[64], hi[64];
		ex_fmt_number(lo, sizeof(lo), ind, v->lo);
		ex_fmt_number(hi, sizeof(hi), ind, v->hi);
		cpts_buf_addstr(b, " <span class=\"note\">(");
		cpts_buf_add_html(b, lo);
		cpts_buf_addstr(b, " à ");
		cpts_buf_add_html(b, hi);
		cpts_buf_addstr(b, ")</span>");
	}
}

/* The stored comparison flag <key>_<what> of a territory (profile/generic.c: the
 * territory against the rest of its département, région or France), in words. */
static void cmp_cell(cpts_buf *b, const ex_data *d, const char *id, const cpts_indicator *ind,
		     const char *what)
{
	char key[128];
	const cpts_pvalue *f;

	snprintf(key, sizeof(key), "%s_%s", ind->key, what);
	f = ex_value(d, id, "territoire", id, key);
	if (!f || f->masked || f->withdrawn || isnan(f->value))
		cpts_buf_addstr(b, "non testé");
	else
		cpts_buf_addstr(b, f->value > 0 ? "significativement supérieur"
				   : f->value < 0 ? "significativement inférieur" : "non significatif");
}

/* The change since the previous vintage (<key>_evol) and its flag, "n.d." without one; a
   count's (e.g. two population vintages) with its relative change <key>_evol_pct. */
static void evol_cell(cpts_buf *b, const ex_data *d, const char *id, const cpts_indicator *ind)
{
	char key[128];
	const cpts_indicator *ek;
	const cpts_pvalue *v, *f;

	snprintf(key, sizeof(key), "%s_evol", ind->key);
	ek = cpts_indicator_find(key);
	v = ex_value(d, id, "territoire", id, key);
	if (!ek || is_nd(v)) {
		cpts_buf_addstr(b, "n.d.");
		return;
	}
	add_value(b, d, ek, v);
	snprintf(key, sizeof(key), "%s_evol_pct", ind->key);
	if ((ek = cpts_indicator_find(key)) && !v->masked && !v->withdrawn &&
	    !is_nd(f = ex_value(d, id, "territoire", id, key))) {
		cpts_buf_addstr(b, " <span class=\"note\">(");
		add_value(b, d, ek, f);
		cpts_buf_addstr(b, ")</span>");
	}
	snprintf(key, sizeof(key), "%s_evol_sig", ind->key);
	f = ex_value(d, id, "territoire", id, key);
	if (v->masked || v->withdrawn || !f || f->masked || f->withdrawn || isnan(f->value))
		return;
	cpts_buf_addstr(b, f->value > 0 ? " <span class=\"note\">(hausse significative)</span>"
			   : f->value < 0 ? " <span class=\"note\">(baisse significative)</span>"
					  : " <span class=\"note\">(non significative)</span>");
}

/* The catalogue row of type missing whose numerator is the index ind's numerator
 * (<key>_num), or NULL: borrowed from the table rows. */
static const cpts_indicator *missing_of(const cpts_indicator *rows, size_t n,
					const cpts_indicator *ind)
{
	char num[128];

	if (ind->builtin || ind->companion || ind->type != CPTS_TYPE_ISR)
		return NULL;
	snprintf(num, sizeof(num), "%s_num", ind->key);
	for (size_t j = 0; j < n; j++)
		if (!rows[j].builtin && rows[j].type == CPTS_TYPE_MISSING && rows[j].num &&
		    strcmp(rows[j].num, num) == 0 && rows[j].block_fr && ind->block_fr &&
		    strcmp(rows[j].block_fr, ind->block_fr) == 0)
			return &rows[j];
	return NULL;
}

/* True when the missing row m is shown in its index's row (an isr row of its block
 * whose numerator it names). */
static bool is_index_num(const cpts_indicator *rows, size_t n, const cpts_indicator *m)
{
	for (size_t j = 0; j < n; j++)
		if (missing_of(rows, n, &rows[j]) == m)
			return true;
	return false;
}

/* The indicators of the catalogue (not computed by code: data/indicators and
 * --catalogue) that have a value for the territory, one section per block: the
 * territory with its 95 % interval, its département, région and the whole area, each
 * with the stored comparison flag of the territory against the rest of it (France:
 * when the area is France), and the change since the year before. */
static size_t section_catalogue(cpts_buf *b, const ex_data *d, size_t t, const ex_scope *sc,
				bool professions)
{
	size_t n_rows = 0;
	const ex_terr *e = &d->terr[t];
	const char *id = d->p->terr[t];
	const cpts_indicator *rows = cpts_indicators;
	size_t n = 0;

	while (rows[n].key)
		n++;
	for (size_t i = 0; i < n; i++) {
		const char *block = rows[i].block_fr;
		bool seen = false, open = false;
		if (rows[i].builtin || rows[i].companion || !block)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !rows[j].builtin && !rows[j].companion && rows[j].block_fr &&
			       strcmp(rows[j].block_fr, block) == 0;
		if (seen)
			continue;
		/* the change column only when a row of the block has one (a single year
		 * of data has none: no column of "n.d.") */
		bool has_evol = false;
		for (size_t j = i; j < n && !has_evol; j++) {
			char ek[128];
			if (rows[j].builtin || rows[j].companion || !rows[j].block_fr ||
			    strcmp(rows[j].block_fr, block) != 0 ||
			    is_nd(ex_value(d, id, "territoire", id, rows[j].key)))
				continue;
			snprintf(ek, sizeof(ek), "%s_evol", rows[j].key);
			has_evol = cpts_indicator_find(ek) &&
				   !is_nd(ex_value(d, id, "territoire", id, ek));
		}
		/* missing practitioners (type missing, numerator <isr>_num) are shown in
		 * one column of their index's row, not as rows of their own: one row per
		 * profession keeps the page within three printed sheets */
		bool has_missing = false;
		for (size_t j = i; j < n && !has_missing; j++)
			has_missing = !rows[j].builtin && !rows[j].companion &&
				      rows[j].block_fr && strcmp(rows[j].block_fr, block) == 0 &&
				      missing_of(rows, n, &rows[j]) &&
				      !is_nd(ex_value(d, id, "territoire", id,
						      missing_of(rows, n, &rows[j])->key));
		/* blocks of professions (with missing practitioners) print on sheet 3,
		 * the others on sheet 2 */
		if (has_missing != professions)
			continue;
		for (size_t j = i; j < n; j++) {
			const cpts_indicator *ind = &rows[j];
			const cpts_pvalue *v = ex_value(d, id, "territoire", id, ind->key);
			const cpts_indicator *mi = missing_of(rows, n, ind);
			const cpts_pvalue *dv = e->n_deps ? ex_value(d, id, "departement", e->deps[0],
								     ind->key) : NULL;
			if (ind->builtin || ind->companion || !ind->block_fr ||
			    strcmp(ind->block_fr, block) != 0 || is_nd(v))
				continue;
			if (has_missing && ind->type == CPTS_TYPE_MISSING && is_index_num(rows, n, ind))
				continue;
			if (!open) {
				cpts_buf_addstr(b, "<section><h2>");
				cpts_buf_add_html(b, block);
				cpts_buf_addstr(b, has_missing ? "</h2>\n<table class=\"cmp prof small\">"
						: "</h2>\n<table class=\"cmp\">");
				cpts_buf_addstr(b, "<thead><tr><th>Indicateur"
						"</th><th>Territoire <span class=\"note\">(IC à 95 %)"
						"</span></th>");
				/* compact (a block of professions): the territory, its comparison
				 * to its département and its missing practitioners */
				if (!has_missing) {
					cpts_buf_addstr(b, "<th>");
					cpts_buf_add_html(b, e->n_deps ? ex_dep_label(e->deps[0])
								       : "Département");
					cpts_buf_addstr(b, "</th>");
				}
				cpts_buf_addstr(b, "<th>Comparaison au département</th>");
				if (!has_missing) {
					cpts_buf_addstr(b, "<th>");
					cpts_buf_add_html(b, e->n_regs ? ex_reg_label(e->regs[0])
								       : "Région");
					cpts_buf_addstr(b, "</th>");
				}
				if (!has_missing)
					cpts_buf_addstr(b, "<th>Comparaison à la région</th>");
				if (!has_missing) {
					cpts_buf_addstr(b, "<th>");
					cpts_buf_add_html(b, sc->label);
					cpts_buf_addstr(b, "</th>");
				}
				if (!has_missing)
					cpts_buf_addstr(b, "<th>Comparaison à la France</th>");
				if (has_missing)
					cpts_buf_addstr(b, "<th>Professionnels manquants"
							" <span class=\"note\">(ETP)</span></th>");
				if (has_evol)
					cpts_buf_addstr(b, "<th>Évolution <span class=\"note\">"
							"(depuis le millésime précédent)</span></th>");
				cpts_buf_addstr(b, "</tr></thead><tbody>\n");
				open = true;
			}
			n_rows++;
			cpts_buf_addstr(b, "<tr>");
			label_cell(b, ind);
			cpts_buf_addstr(b, "<td class=\"n\">");
			add_value_ci(b, d, ind, v);
			cpts_buf_addstr(b, "</td>");
			if (!has_missing) {
				cpts_buf_addstr(b, "<td class=\"n\">");
				add_value_ci(b, d, ind, dv);
				cpts_buf_addstr(b, "</td>");
			}
			cpts_buf_addstr(b, "<td>");
			cmp_cell(b, d, id, ind, "cmp_dep");
			cpts_buf_addstr(b, "</td>");
			if (!has_missing) {
				cpts_buf_addstr(b, "<td class=\"n\">");
				add_value_ci(b, d, ind, e->n_regs ? ex_value(d, id, "region",
									    e->regs[0], ind->key)
								  : NULL);
				cpts_buf_addstr(b, "</td>");
			}
			if (!has_missing) {
				cpts_buf_addstr(b, "<td>");
				cmp_cell(b, d, id, ind, "cmp_reg");
				cpts_buf_addstr(b, "</td>");
			}
			if (!has_missing) {
				cpts_buf_addstr(b, "<td class=\"n\">");
				add_value_ci(b, d, ind, ex_value(d, id, "ensemble", "ALL", ind->key));
				cpts_buf_addstr(b, "</td>");
			}
			if (!has_missing) {
				cpts_buf_addstr(b, "<td>");
				cmp_cell(b, d, id, ind, "cmp_fr");
				cpts_buf_addstr(b, "</td>");
			}
			if (has_missing) {
				const cpts_pvalue *mv = mi ? ex_value(d, id, "territoire", id,
								      mi->key) : NULL;
				cpts_buf_addstr(b, "<td class=\"n\"");
				if (mi) { /* its own label on hover */
					cpts_buf_addstr(b, " title=\"");
					cpts_buf_add_html(b, mi->label_fr);
					cpts_buf_addstr(b, "\"");
				}
				cpts_buf_addstr(b, ">");
				if (mi && !is_nd(mv))
					add_value(b, d, mi, mv);
				cpts_buf_addstr(b, "</td>");
			}
			if (has_evol) {
				cpts_buf_addstr(b, "<td class=\"n\">");
				evol_cell(b, d, id, ind);
				cpts_buf_addstr(b, "</td>");
			}
			cpts_buf_addstr(b, "</tr>\n");
		}
		if (open)
			cpts_buf_addstr(b, "</tbody></table>\n</section>\n");
	}
	return n_rows;
}

/* One line for the other professions of the catalogue's supply block (builtin rows
 * <prefix>_count with their density and share aged 60+), kept short so that a
 * territory still prints on three pages. */
static void other_professions(cpts_buf *b, const ex_data *d, size_t t)
{
	const char *id = d->p->terr[t];
	bool first = true;

	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
		size_t n = strlen(ind->key);
		char key[64];
		const cpts_pvalue *v, *dn, *s60;
		if (!ind->builtin || n < 7 || strcmp(ind->key + n - 6, "_count") != 0 ||
		    strcmp(ind->key, "gp_count") == 0)
			continue;
		v = ex_value(d, id, "territoire", id, ind->key);
		if (is_nd(v))
			continue;
		snprintf(key, sizeof(key), "%.*s_density", (int)(n - 6), ind->key);
		dn = ex_value(d, id, "territoire", id, key);
		snprintf(key, sizeof(key), "%.*s_share_60p", (int)(n - 6), ind->key);
		s60 = ex_value(d, id, "territoire", id, key);
		cpts_buf_addstr(b, first ? "<p class=\"note\">Autres professions, effectif (densité"
				" pour 10 000 habitants ; part des 60 ans ou plus) : " : " · ");
		first = false;
		cpts_buf_addf(b, "%.*s", (int)strcspn(ind->label_fr, "("), ind->label_fr);
		add_value(b, d, ind, v);
		if (!is_nd(dn) && !is_nd(s60)) {
			cpts_buf_addstr(b, " (");
			add_value(b, d, cpts_indicator_find(dn->indicator), dn);
			cpts_buf_addstr(b, " ; ");
			add_value(b, d, cpts_indicator_find(s60->indicator), s60);
			cpts_buf_addstr(b, ")");
		}
	}
	if (!first)
		cpts_buf_addstr(b, ".</p>\n");
}

/* One line for the age groups of an ORS profile and the ageing index. */
static void age_groups(cpts_buf *b, const ex_data *d, size_t t)
{
	static const char *const keys[] = { "share_0_14", "share_15_29", "share_30_44",
		"share_45_59", "share_60_74", "share_75p", "aging_index", NULL };
	static const char *const names[] = { "0-14 ans", "15-29 ans", "30-44 ans",
		"45-59 ans", "60-74 ans", "75 ans ou plus", "indice de vieillissement" };
	const char *id = d->p->terr[t];
	bool first = true;

	for (int k = 0; keys[k]; k++) {
		const cpts_pvalue *v = ex_value(d, id, "territoire", id, keys[k]);
		if (is_nd(v))
			continue;
		cpts_buf_addstr(b, first ? "<p class=\"note\">Groupes d'âge : " : " · ");
		first = false;
		cpts_buf_addstr(b, names[k]);
		cpts_buf_addch(b, ' ');
		add_value(b, d, cpts_indicator_find(keys[k]), v);
	}
	if (!first)
		cpts_buf_addstr(b, ".</p>\n");
}

static int territory_page(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, size_t t,
			  const page_env *env, ex_doc *lettre)
{
	const char *id = d->p->terr[t];
	const ex_terr *e = &d->terr[t];
	long pole = e->pole[0] ? cpts_model_find(d->m, e->pole) : -1;
	char *name = ex_terr_name(d, t);
	cpts_buf sh[N_SHEETS] = { CPTS_BUF_INIT, CPTS_BUF_INIT, CPTS_BUF_INIT };
	char date[48];
	inputs in;
	int n_sheets = 0, k_sheet = 0, rc = CPTS_OK;

	inputs_of(&in, d, id);
	ex_date_fr(date, sizeof(date), d->timestamp);
	page_open(b, name);
	cpts_buf_addstr(b, "<p class=\"nav\"><a href=\"index.html\">← Tous les territoires</a>"
			"<a href=\"index.html#methodes\">Méthodes et sources</a></p>\n");
	/* sheet 1 */
	cpts_buf_addstr(&sh[0], "<h1>");
	cpts_buf_add_html(&sh[0], name);
	cpts_buf_addstr(&sh[0], "</h1>\n<p class=\"sub\">");
	if (pole >= 0) {
		cpts_buf_addstr(&sh[0], "Pôle : ");
		cpts_buf_add_html(&sh[0], d->m->c[pole].name);
		cpts_buf_addstr(&sh[0], " · ");
	}
	if (d->p->statut[t]) {
		cpts_buf_addstr(&sh[0], "Statut : ");
		cpts_buf_add_html(&sh[0], d->p->statut[t]);
		cpts_buf_addstr(&sh[0], " · ");
	}
	cpts_buf_addf(&sh[0], "%zu commune%s", e->n_communes, e->n_communes > 1 ? "s" : "");
	for (int k = 0; k < e->n_deps; k++) {
		cpts_buf_addstr(&sh[0], k ? ", " : " · ");
		cpts_buf_add_html(&sh[0], ex_dep_label(e->deps[k]));
	}
	cpts_buf_addstr(&sh[0], " · diagnostic du ");
	cpts_buf_addstr(&sh[0], date);
	cpts_buf_addstr(&sh[0], "</p>\n");
	missing_line(&sh[0], &in);
	section_keypoints(&sh[0], d, t);
	cpts_buf_addstr(&sh[0], "<section><h2>Chiffres clés</h2>\n");
	table_compare(&sh[0], d, t, key_figures, env->sc);
	cpts_buf_addstr(&sh[0], "</section>\n");
	if (in.population)
		section_aci(&sh[0], d, t);
	cpts_buf_addstr(&sh[0], "<section><h2>Carte</h2>\n");
	if ((rc = territory_map(ctx, &sh[0], d, t, env->cl, env->tbox)) < 0)
		goto out;
	cpts_buf_addstr(&sh[0], "</section>\n");
	/* sheet 2 */
	if (in.mt)
		section_mt(&sh[1], d, t, env->sc);
	if (in.icc)
		section_icc(&sh[1], d, t, name, env->sc);
	if (in.supply) {
		cpts_buf_addstr(&sh[1], "<section><h2>Offre de soins et accessibilité</h2>\n");
		table_compare(&sh[1], d, t, supply_keys, env->sc);
		other_professions(&sh[1], d, t);
		cpts_buf_addstr(&sh[1], "</section>\n");
	}
	if (in.pyramid) {
		cpts_buf_addstr(&sh[1], "<section><h2>Pyramide des âges</h2>\n");
		pyramid(&sh[1], d, t, env->sc->label);
		age_groups(&sh[1], d, t);
		cpts_buf_addstr(&sh[1], "</section>\n");
	}
	section_catalogue(&sh[1], d, t, env->sc, false);
	/* sheet 3 */
	if (in.flows)
		section_flows(&sh[2], d, t, env->fa);
	/* a profession row takes about the height of a commune row and a half */
	size_t n_prof = section_catalogue(&sh[2], d, t, env->sc, true);
	cpts_buf_addstr(&sh[2], "<section class=\"lettre small\">\n");
	ex_doc_html(&sh[2], lettre);
	cpts_buf_addstr(&sh[2], "</section>\n");
	section_communes(&sh[2], d, t, n_prof ? (3 * n_prof + 1) / 2 + 1 : 0);
	for (int k = 0; k < N_SHEETS; k++)
		n_sheets += sh[k].len > 0;
	for (int k = 0; k < N_SHEETS; k++) {
		if (sh[k].len == 0)
			continue;
		k_sheet++;
		cpts_buf_addstr(b, "<div class=\"sheet\">\n<div class=\"phead\">");
		cpts_buf_add_html(b, name);
		cpts_buf_addstr(b, " — diagnostic territorial du ");
		cpts_buf_addstr(b, date);
		cpts_buf_addstr(b, " — ");
		sources_line(b, d);
		cpts_buf_addstr(b, "</div>\n");
		cpts_buf_add(b, sh[k].data, sh[k].len);
		cpts_buf_addf(b, "<div class=\"pfoot\">Page %d / %d — ", k_sheet, n_sheets);
		cpts_buf_add_html(b, name);
		cpts_buf_addf(b, " — cpts %s — effectifs de santé de 0 à %.0f masqués (« &lt; %.0f »,"
			      " secret statistique) — méthodes et sources : page d'accueil du"
			      " rapport</div>\n</div>\n", CPTS_VERSION, d->threshold - 1,
			      d->threshold);
	}
	cpts_buf_addstr(b, "</body>\n</html>\n");
out:
	for (int k = 0; k < N_SHEETS; k++)
		cpts_buf_release(&sh[k]);
	free(name);
	return rc;
}

/* Largest commune count for which the index draws the map of disagreements (one path
 * per commune); beyond it the page would pass a few megabytes and only the table shows. */
#define DISAGREE_MAP_MAX 20000

/* Map of the communes whose territory is not the best-matching unit of the other
 * partition (cpts_check_disagreement), in the CRS of the partition's first member. */
static int disagreement_map(cpts_ctx *ctx, cpts_buf *b, const ex_data *d,
			    const cpts_partition *other)
{
	static const char *const fill[3] = { "#c6dbef", "#e6550d", "#eeeeee" };
	unsigned char *dis = cpts_calloc(d->m->n + 1, 1);
	const GEOSGeometry **in = NULL; /* OWNED array, BORROWED geometries */
	GEOSGeometry **simple = NULL;   /* OWNED */
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
	/* the communes, then the territories, simplified together (each border once) */
	in = cpts_calloc(d->m->n + d->p->n_terr + 1, sizeof(GEOSGeometry *));
	simple = cpts_calloc(d->m->n + d->p->n_terr + 1, sizeof(GEOSGeometry *));
	for (size_t i = 0; i < d->m->n; i++)
		if (d->m->geoms[i] && d->m->c[i].srid == srid)
			in[i] = d->m->geoms[i];
	for (size_t t = 0; t < d->p->n_terr; t++)
		if (d->terr[t].geom && d->terr[t].srid == srid)
			in[d->m->n + t] = d->terr[t].geom;
	if ((rc = ex_edges_simplify(ctx, simple, in, d->m->n + d->p->n_terr, m.tol)) < 0)
		goto out;
	for (size_t i = 0; i < d->m->n; i++) {
		if (!in[i])
			continue;
		cpts_buf_addf(b, "<path data-code=\"%s\" fill=\"%s\" stroke=\"#fff\""
			      " stroke-width=\"0.3\" d=\"", d->m->c[i].code, fill[dis[i]]);
		if ((rc = ex_svg_path_d_plain(ctx, b, &m, simple[i])) < 0)
			goto out;
		cpts_buf_addstr(b, "\"><title>");
		cpts_buf_add_html(b, d->m->c[i].name);
		cpts_buf_addstr(b, dis[i] == 1 ? " — hors de l'unité correspondante" :
				   dis[i] == 2 ? " — hors d'un des deux découpages" : "");
		cpts_buf_addstr(b, "</title></path>\n");
	}
	for (size_t t = 0; t < d->p->n_terr; t++) {
		if (!in[d->m->n + t])
			continue;
		cpts_buf_addstr(b, "<path fill=\"none\" stroke=\"#222\" stroke-width=\"1.2\" d=\"");
		if ((rc = ex_svg_path_d_plain(ctx, b, &m, simple[d->m->n + t])) < 0)
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
	if (simple)
		for (size_t k = 0; k < d->m->n + d->p->n_terr; k++)
			if (simple[k])
				GEOSGeom_destroy_r(ctx->geos, simple[k]);
	free(simple);
	free(in);
	free(dis);
	return rc;
}

/* Index section comparing the proposal with the other partitions (cpts compare). */
static int section_compare(cpts_ctx *ctx, cpts_buf *b, const ex_data *d)
{
	char **names = NULL;
	size_t n = 0;
	bool drawn = false;
	int rc;

	/* the rule of `cpts check` (cpts_store_compare_targets), at most 4 */
	if ((rc = cpts_store_compare_targets(ctx, d->s, d->opts->partition, 4, &names, &n)) < 0)
		return rc;
	if (n == 0 || d->p->n_terr < 2) {
		/* one territory compared on its own communes says nothing (ARI 1 or 0) */
		cpts_store_names_free(names, n);
		return CPTS_OK;
	}
	cpts_buf_addstr(b, "<section><h2>Comparaison avec d'autres découpages</h2>\n<table>"
			"<thead><tr><th>Découpage</th><th>Unités</th><th>Indice de Rand"
			" ajusté</th><th>Information mutuelle normalisée</th><th>Population dans"
			" l'unité correspondante</th></tr></thead><tbody>\n");
	for (size_t k = 0; k < n && rc >= 0; k++) {
		cpts_compare_result r;
		cpts_partition *other = NULL;
		char s1[32], s2[32], s3[32], s4[32];
		if ((rc = cpts_session_partition(ctx, d->ss, names[k], &other)) < 0 ||
		    (rc = cpts_compare_partitions_of(ctx, d->m, d->p, other, &r)) < 0) {
			/* a partition of other communes (bad input) cannot be compared: say
			 * so, go on; a read or internal error stops the export */
			if (rc != CPTS_EINPUT)
				break;
			cpts_note(ctx, "cannot compare with partition '%s': %s", names[k],
				  ctx->err.msg);
			cpts_error_clear(ctx);
			rc = CPTS_OK;
			continue;
		}
		if (r.n_terr_b < 2)
			continue; /* a single unit on these communes: no comparison to make */
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
		if ((rc = cpts_session_partition(ctx, d->ss, names[k], &other)) < 0) {
			if (rc != CPTS_EINPUT)
				break; /* a read or internal error stops the export */
			cpts_error_clear(ctx); /* a partition of other communes: the next one */
			rc = CPTS_OK;
			continue;
		}
		cpts_buf_addstr(b, "<h3>Carte des désaccords avec « ");
		cpts_buf_add_html(b, names[k]);
		cpts_buf_addstr(b, " »</h3>\n");
		rc = disagreement_map(ctx, b, d, other); /* other: BORROWED */
		drawn = true;
	}
	cpts_buf_addstr(b, "</section>\n");
	cpts_store_names_free(names, n);
	return rc;
}

/* Sorting of the index table by a click on a column head (the page works without it:
 * the table is then in name order). No comment, URL or external reference inside. */
static const char sort_js[] =
	"<script>document.querySelectorAll('table.sortable').forEach(function(t){"
	"t.querySelectorAll('thead tr:first-child th').forEach(function(h,i){"
	"h.classList.add('sort');h.title='Trier';h.addEventListener('click',function(){"
	"var b=t.tBodies[0],r=Array.prototype.slice.call(b.rows),a=h.dataset.dir!=='asc';"
	"h.dataset.dir=a?'asc':'desc';r.sort(function(x,y){var p=x.cells[i],q=y.cells[i],"
	"u=p.dataset.v,w=q.dataset.v,c=(u!==undefined&&w!==undefined)?"
	"(parseFloat(u)-parseFloat(w)):p.textContent.localeCompare(q.textContent,'fr');"
	"return a?c:-c;});r.forEach(function(x){b.appendChild(x);});});});});</script>\n";

typedef struct named {
	char *name;
	size_t t;
	double v;
} named;

static int cmp_named(const void *a, const void *b)
{
	const named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->t > y->t) - (x->t < y->t);
}

static int cmp_named_v(const void *a, const void *b)
{
	const named *x = a, *y = b;

	if (isnan(x->v) != isnan(y->v))
		return isnan(x->v) ? 1 : -1;
	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return cmp_named(a, b);
}

/* The index forest of the ICC: every territory, highest first, and the reference. */
static void index_forest(cpts_buf *b, const ex_data *d, named *v, const ex_scope *sc)
{
	ex_forest_row *rows = cpts_calloc(d->p->n_terr + 2, sizeof(ex_forest_row));
	char **files = cpts_calloc(d->p->n_terr + 1, sizeof(char *));
	const cpts_pvalue *ref = ex_value(d, d->p->terr[0], "ensemble", "ALL", "icc");
	size_t n = 0;

	for (size_t k = 0; k < d->p->n_terr; k++) {
		const cpts_pvalue *pv = ex_value(d, d->p->terr[v[k].t], "territoire",
						 d->p->terr[v[k].t], "icc");
		/* sorted by the value, or by the middle of the published interval */
		v[k].v = !pv ? NAN : !pv->masked ? pv->value
			 : isfinite(pv->lo) && isfinite(pv->hi) ? (pv->lo + pv->hi) / 2 : NAN;
	}
	cpts_qsort(v, d->p->n_terr, sizeof(named), cmp_named_v);
	rows[n].label = sc->label;
	rows[n].style = 2;
	icc_row(&rows[n++], ref, sc->label, 2);
	for (size_t k = 0; k < d->p->n_terr; k++) {
		const cpts_pvalue *pv = ex_value(d, d->p->terr[v[k].t], "territoire",
						 d->p->terr[v[k].t], "icc");
		bool bounds = pv && pv->masked && isfinite(pv->lo) && isfinite(pv->hi);
		files[k] = terr_file(d, v[k].t);
		rows[n].label = v[k].name;
		rows[n].href = files[k];
		rows[n].style = 1;
		rows[n].v = pv && !pv->masked ? pv->value : NAN;
		rows[n].lo = pv && (!pv->masked || bounds) ? pv->lo : NAN;
		rows[n++].hi = pv && (!pv->masked || bounds) ? pv->hi : NAN;
	}
	cpts_buf_addstr(b, "<section><h2>Recours aux médecins généralistes (ICC) par"
			" territoire</h2>\n");
	ex_forest(b, rows, n, 100.0, "ICC et intervalle de confiance à 95 % de chaque"
		  " territoire, du plus élevé au plus faible, et de la référence (ligne grisée) ;"
		  " un intervalle qui ne coupe pas la ligne pointillée (100) indique un recours"
		  " significativement différent de l'attendu.");
	cpts_buf_addstr(b, "</section>\n");
	for (size_t k = 0; k < d->p->n_terr; k++)
		free(files[k]);
	free(files);
	free(rows);
	cpts_qsort(v, d->p->n_terr, sizeof(named), cmp_named);
}

/* A number cell of the index with its sort key (data-v; -1e99 when not available). */
static void index_cell(cpts_buf *b, const ex_data *d, size_t t, const cpts_indicator *ind)
{
	bool masked = false;
	double v = ex_terr_number(d, t, ind->key, &masked);

	if (isnan(v))
		cpts_buf_addstr(b, "<td class=\"n\" data-v=\"-1e99\">");
	else
		cpts_buf_addf(b, "<td class=\"n\" data-v=\"%.6g\">", v);
	add_terr_value(b, d, t, ind);
	cpts_buf_addstr(b, "</td>");
}

static int index_page(cpts_ctx *ctx, cpts_buf *b, const ex_data *d, const ex_classes *cl,
		      const ex_scope *sc)
{
	static const char *const all_cols[] = { "n_communes", "pop_total", "aci_tier", "mt_share",
						"icc", "gp_density", "apl", NULL };
	const char *cols[8];
	named *v = cpts_calloc(d->p->n_terr + 1, sizeof(named));
	char *title = cpts_asprintf("Diagnostic territorial — %s", sc->label);
	const char *id0 = d->p->n_terr ? d->p->terr[0] : "";
	char date[48];
	int nc = 0, rc = CPTS_OK;
	bool has_pole = false;
	inputs in;

	inputs_of(&in, d, id0);
	for (size_t t = 0; t < d->p->n_terr && !has_pole; t++)
		has_pole = d->terr[t].pole[0] != 0;
	for (int k = 0; all_cols[k]; k++) {
		bool any = false;
		for (size_t t = 0; t < d->p->n_terr && !any; t++)
			any = terr_has(d, t, all_cols[k]);
		if (any)
			cols[nc++] = all_cols[k];
	}
	cols[nc] = NULL;
	for (size_t t = 0; t < d->p->n_terr; t++) {
		v[t].name = ex_terr_name(d, t);
		v[t].t = t;
	}
	cpts_qsort(v, d->p->n_terr, sizeof(named), cmp_named);
	ex_date_fr(date, sizeof(date), d->timestamp);
	page_open(b, title);
	free(title);
	cpts_buf_addstr(b, "<p class=\"nav\"><a href=\"#controle\">Contrôle de la partition</a>"
			"<a href=\"#methodes\">Méthodes et sources</a></p>\n<h1>Diagnostic"
			" territorial — ");
	cpts_buf_add_html(b, sc->label);
	cpts_buf_addstr(b, "</h1>\n<p class=\"sub\">Partition « ");
	cpts_buf_add_html(b, d->opts->partition);
	cpts_buf_addf(b, " » · %zu territoire%s · diagnostic du %s</p>\n", d->p->n_terr,
		      d->p->n_terr > 1 ? "s" : "", date);
	missing_line(b, &in);
	cpts_buf_addstr(b, "<section><h2>Carte des territoires</h2>\n");
	if ((rc = partition_map(ctx, b, d, cl)) < 0)
		goto out;
	cpts_buf_addstr(b, "</section>\n<section><h2>Territoires</h2>\n<p class=\"note"
			" noprint\">Cliquer sur un titre de colonne pour trier.</p>\n<table"
			" class=\"sortable small\"><thead><tr><th>Territoire</th>");
	if (has_pole)
		cpts_buf_addstr(b, "<th>Pôle</th>");
	for (int k = 0; cols[k]; k++) {
		cpts_buf_addstr(b, "<th>");
		cpts_buf_add_html(b, cpts_indicator_find(cols[k])->label_fr);
		cpts_buf_addstr(b, "</th>");
	}
	cpts_buf_addstr(b, "</tr>\n<tr class=\"ref\"><th>");
	cpts_buf_add_html(b, sc->label);
	cpts_buf_addstr(b, has_pole ? " (référence)</th><td></td>" : " (référence)</th>");
	for (int k = 0; cols[k]; k++) {
		const cpts_pvalue *pv = ex_value(d, id0, "ensemble", "ALL", cols[k]);
		cpts_buf_addstr(b, "<td class=\"n\">");
		if (!is_nd(pv))
			add_value(b, d, cpts_indicator_find(cols[k]), pv);
		cpts_buf_addstr(b, "</td>");
	}
	cpts_buf_addstr(b, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < d->p->n_terr; r++) {
		size_t t = v[r].t;
		long pole = d->terr[t].pole[0] ? cpts_model_find(d->m, d->terr[t].pole) : -1;
		char *file = terr_file(d, t);
		cpts_buf_addstr(b, "<tr><td><a href=\"");
		cpts_buf_add_html(b, file);
		cpts_buf_addstr(b, "\">");
		cpts_buf_add_html(b, v[r].name);
		cpts_buf_addstr(b, "</a></td>");
		if (has_pole) {
			cpts_buf_addstr(b, "<td>");
			if (pole >= 0)
				cpts_buf_add_html(b, d->m->c[pole].name);
			cpts_buf_addstr(b, "</td>");
		}
		for (int k = 0; cols[k]; k++)
			index_cell(b, d, t, cpts_indicator_find(cols[k]));
		cpts_buf_addstr(b, "</tr>\n");
		free(file);
	}
	cpts_buf_addstr(b, "</tbody></table></section>\n");
	if (in.icc && d->p->n_terr > 0)
		index_forest(b, d, v, sc);
	if ((rc = ex_html_check(ctx, b, d)) < 0 || (rc = section_compare(ctx, b, d)) < 0)
		goto out;
	cpts_buf_addstr(b, "<div class=\"methods\" id=\"methodes\">\n");
	section_method(b, d);
	section_sources(b, d);
	cpts_buf_addstr(b, "</div>\n");
	cpts_buf_addstr(b, sort_js);
	page_close(b, d);
out:
	for (size_t t = 0; t < d->p->n_terr; t++)
		free(v[t].name);
	free(v);
	return rc;
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
	page_env env;
} page_job;

/* Territory page t, built in the lane's buffer and written to its file (a new file of
 * the temporary report directory: names are unique, so the lanes never share one),
 * with the premiers éléments de diagnostic as Markdown and OpenDocument text next to it. */
static int page_item(cpts_ctx *ctx, void *arg, size_t t, void *scratch)
{
	const page_job *j = arg;
	cpts_buf *b = scratch;
	ex_doc doc = { 0 };
	char *path = NULL, *name;
	size_t len;
	int rc;

	name = ex_terr_name(j->d, t);
	ex_lettre_make(&doc, j->d, t, name, j->env.sc);
	free(name);
	cpts_buf_reset(b);
	if ((rc = territory_page(ctx, b, j->d, t, &j->env, &doc)) < 0)
		goto out;
	path = cpts_asprintf("%s/%s", j->dir, j->d->page_files[t]);
	if ((rc = cpts_write_file_new(ctx, path, b->data, b->len)) < 0)
		goto out;
	len = strlen(path) - 5; /* without ".html" */
	cpts_buf_reset(b);
	ex_doc_markdown(b, &doc);
	memcpy(path + len, ".md", 4);
	if ((rc = cpts_write_file_new(ctx, path, b->data, b->len)) < 0)
		goto out;
	memcpy(path + len, ".odt", 5);
	rc = ex_doc_odt(ctx, path, &doc);
out:
	ex_doc_release(&doc);
	free(path);
	return rc;
}

/* Bounding boxes of the dissolved territories (4 doubles each; NAN when none). */
static double *terr_boxes(cpts_ctx *ctx, const ex_data *d)
{
	double *box = cpts_mallocarray(4 * d->p->n_terr + 4, sizeof(double));

	for (size_t t = 0; t < d->p->n_terr; t++) {
		double *x = &box[4 * t];
		x[0] = x[1] = x[2] = x[3] = NAN;
		if (d->terr[t].geom)
			ex_extent_add(ctx, x, d->terr[t].geom);
	}
	return box;
}

/* The index and the pages, written into tmp (the temporary report directory). */
static int write_pages(cpts_ctx *ctx, const ex_data *d, const char *tmp)
{
	cpts_buf b = CPTS_BUF_INIT;
	ex_classes cl_c, cl_t;
	ex_scope sc;
	flow_agg fa[2];
	double *tbox = NULL;
	char *path = NULL;
	int rc;

	make_classes(d, &cl_c, &cl_t);
	ex_scope_make(&sc, d->m);
	flow_agg_build(&fa[0], d, true);
	flow_agg_build(&fa[1], d, false);
	tbox = terr_boxes(ctx, d);
	if ((rc = index_page(ctx, &b, d, &cl_t, &sc)) < 0)
		goto out;
	path = cpts_asprintf("%s/index.html", tmp);
	if ((rc = cpts_write_file_new(ctx, path, b.data, b.len)) < 0)
		goto out;
	{
		page_job job = { d, tmp, { &cl_c, fa, &sc, tbox } };
		cpts_buf b2 = CPTS_BUF_INIT;
		rc = ex_par_run(ctx, d->p->n_terr, page_item, &job, d->main_only, &b, &b2, 0.7,
				1.0, "writing territory pages");
		cpts_buf_release(&b2);
	}
out:
	flow_agg_release(&fa[0]);
	flow_agg_release(&fa[1]);
	free(tbox);
	free(path);
	cpts_buf_release(&b);
	return rc;
}

int ex_write_html(cpts_ctx *ctx, const ex_data *d, const char *dir)
{
	ex_data *dw = (ex_data *)d; /* only its page_files table is set for the run */
	char *tmp = NULL;
	int rc;

	if ((rc = ex_html_dir_begin(ctx, dir, &tmp)) < 0)
		goto out;
	dw->page_files = ex_page_files((const char *const *)d->p->terr, d->p->n_terr);
	dw->top = ex_top_prepare(d); /* asked for 4 times per territory */
	if ((rc = write_pages(ctx, d, tmp)) < 0 ||
	    (d->html_gate && (rc = d->html_gate(ctx, d->html_gate_arg)) < 0) ||
	    (rc = ex_html_dir_commit(ctx, tmp, dir)) < 0)
		goto out;
out:
	if (rc < 0)
		ex_html_dir_abort(tmp);
	ex_page_files_free(dw->page_files, d->p->n_terr);
	dw->page_files = NULL;
	free(dw->top);
	dw->top = NULL;
	free(tmp);
	return rc;
}
