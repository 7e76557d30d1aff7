/*
 * qml.c - the default QGIS styles of the exported layers: QML documents stored in the
 * layer_styles table that QGIS reads when it opens a GeoPackage (or a PostGIS schema).
 *
 * Why a rule-based renderer and not a graduated one: a graduated renderer skips the
 * features whose value is NULL, so masked and out-of-partition communes were not drawn
 * at all, and a style with no class drew nothing. The rules here are:
 *   <indicator name (unit)>          group whose label is the legend title
 *     one rule per class             "attr" > lo AND "attr" <= hi, palette colours
 *     Secret statistique (< 11)      "attr_masque" = 1, hatched grey
 *     Hors territoire / non renseigné  ELSE, light grey
 *   Limites des territoires          no filter, outline only (territories layer)
 * Class breaks (ex_style_classes) are quantiles that skip the values already covered,
 * so a value shared by most features (706 communes at 0 GP) takes one class and the
 * others spread over the rest; the colours of n classes spread over the whole palette.
 *
 * The document also carries the French aliases (<aliases>, QGIS 3.22 does not read
 * gpkg_data_columns) and the display precision of each real field (a Range widget with
 * a Precision), hence styleCategories Symbology|Labeling|Fields|Forms.
 *
 * Symbol layers are written both as <Option> maps (QGIS >= 3.26) and <prop> pairs
 * (QGIS 3.22 reads those). The document is deterministic (fixed number formats), so
 * two exports of the same workspace give the same bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "export/export_int.h"

void ex_style_classes(ex_classes *c, double *values, size_t n)
{
	size_t m = ex_sort_values(values, n), start = 0;
	double prev;

	memset(c, 0, sizeof(*c));
	if (m == 0)
		return;
	c->brk[0] = prev = values[0];
	for (int k = 1; k <= EX_N_CLASSES; k++) {
		size_t left = (size_t)(EX_N_CLASSES - k + 1), i = start, idx;
		while (k > 1 && i < m && values[i] <= prev)
			i++;
		if (i == m)
			break;
		idx = i + (m - 1 - i) / left; /* the 1/left quantile of what is left */
		prev = c->brk[++c->n] = values[idx];
		start = idx + 1;
	}
}

int ex_style_distinct(const double *values, size_t n)
{
	double first = NAN;

	for (size_t i = 0; i < n; i++) {
		if (isnan(values[i]))
			continue;
		if (isnan(first))
			first = values[i];
		else if (values[i] != first)
			return 2;
	}
	return isnan(first) ? 0 : 1;
}

const char *ex_style_colour(int k, int n)
{
	if (n <= 1)
		return ex_palette[EX_N_CLASSES - 1];
	return ex_palette[(k * (EX_N_CLASSES - 1) + (n - 1) / 2) / (n - 1)];
}

/* ---- symbols ---- */

static void rgb(char *out, size_t n, const char *hex, int alpha)
{
	unsigned r = 0, g = 0, bl = 0;

	sscanf(hex, "#%02x%02x%02x", &r, &g, &bl);
	snprintf(out, n, "%u,%u,%u,%d", r, g, bl, alpha);
}

/* One symbol layer: its properties as an <Option> map and as <prop> pairs. */
static void symbol_layer(cpts_buf *b, const char *klass, const char *const *kv, size_t n_kv,
			 bool open_end)
{
	cpts_buf_addf(b, "    <layer class=\"%s\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
		      "     <Option type=\"Map\">\n", klass);
	for (size_t k = 0; k + 1 < n_kv; k += 2) {
		cpts_buf_addf(b, "      <Option name=\"%s\" type=\"QString\" value=\"", kv[k]);
		cpts_buf_add_html(b, kv[k + 1]);
		cpts_buf_addstr(b, "\"/>\n");
	}
	cpts_buf_addstr(b, "     </Option>\n");
	for (size_t k = 0; k + 1 < n_kv; k += 2) {
		cpts_buf_addf(b, "     <prop k=\"%s\" v=\"", kv[k]);
		cpts_buf_add_html(b, kv[k + 1]);
		cpts_buf_addstr(b, "\"/>\n");
	}
	if (!open_end)
		cpts_buf_addstr(b, "    </layer>\n");
}

/* A simple fill layer: style "solid", "b_diagonal" or "no" (outline only). */
static void fill_layer(cpts_buf *b, const char *hex, int alpha, const char *style,
		       const char *outline_hex, double width)
{
	char col[32], ocol[32], w[32];
	const char *kv[] = { "color", col, "outline_color", ocol, "outline_style",
			     width > 0 ? "solid" : "no", "outline_width", w,
			     "outline_width_unit", "MM", "style", style, "joinstyle", "round" };

	rgb(col, sizeof(col), hex, alpha);
	rgb(ocol, sizeof(ocol), outline_hex, 255);
	snprintf(w, sizeof(w), "%.2f", width);
	symbol_layer(b, "SimpleFill", kv, sizeof(kv) / sizeof(kv[0]), false);
}

static void symbol_open(cpts_buf *b, const char *type, int name)
{
	cpts_buf_addf(b, "   <symbol type=\"%s\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\""
		      " force_rhr=\"0\">\n", type, name);
}

static void fill_symbol(cpts_buf *b, int name, const char *hex, double width)
{
	symbol_open(b, "fill", name);
	fill_layer(b, hex, 255, "solid", "#505050", width);
	cpts_buf_addstr(b, "   </symbol>\n");
}

/* An arrow whose shaft is width mm wide, filled with hex. */
static void arrow_symbol(cpts_buf *b, int name, const char *hex, double width)
{
	char w[32], head[32], col[32];
	const char *kv[] = { "arrow_width", w, "arrow_width_unit", "MM", "arrow_start_width",
			     w, "arrow_start_width_unit", "MM", "arrow_type", "0", "head_type",
			     "0", "head_length", head, "head_length_unit", "MM",
			     "head_thickness", head, "head_thickness_unit", "MM", "is_curved",
			     "0", "is_repeated", "0", "offset", "0", "offset_unit", "MM" };

	snprintf(w, sizeof(w), "%.2f", width);
	snprintf(head, sizeof(head), "%.2f", 1.2 + 1.5 * width);
	rgb(col, sizeof(col), hex, 200);
	symbol_open(b, "line", name);
	symbol_layer(b, "ArrowLine", kv, sizeof(kv) / sizeof(kv[0]), true);
	cpts_buf_addstr(b, "     <symbol type=\"fill\" name=\"@0@0\" alpha=\"1\""
			" clip_to_extent=\"1\" force_rhr=\"0\">\n");
	fill_layer(b, hex, 200, "solid", "#7f0000", 0.1);
	cpts_buf_addstr(b, "     </symbol>\n    </layer>\n   </symbol>\n");
}

/* ---- rules ---- */

static void rule(cpts_buf *b, int key, int symbol, const char *label, const char *filter,
		 bool close)
{
	cpts_buf_addf(b, "   <rule key=\"{cpts-%d}\"", key);
	if (symbol >= 0)
		cpts_buf_addf(b, " symbol=\"%d\"", symbol);
	cpts_buf_addstr(b, " label=\"");
	cpts_buf_add_html(b, label);
	cpts_buf_addch(b, '"');
	if (filter) {
		cpts_buf_addstr(b, " filter=\"");
		cpts_buf_add_html(b, filter);
		cpts_buf_addch(b, '"');
	}
	cpts_buf_addstr(b, close ? "/>\n" : ">\n");
}

/* A class break moved by a billionth outwards: a reader may hold the values with 15
 * significant digits (GDAL's PostgreSQL driver writes them so), and a value equal to a
 * break must still fall in its class. */
static double loosen(double x, bool up)
{
	double m = fabs(x) * 1e-9 + 1e-12;

	return up ? x + m : x - m;
}

/* Filter of class k: first class closed below, the others open below. */
static void class_filter(char *out, size_t n, const char *attr, const ex_classes *cl, int k)
{
	snprintf(out, n, "\"%s\" %s %.17g AND \"%s\" <= %.17g", attr, k == 0 ? ">=" : ">",
		 loosen(cl->brk[k], k > 0), attr, loosen(cl->brk[k + 1], true));
}

static void class_label(char *out, size_t n, const cpts_indicator *ind, const ex_classes *cl,
			int k)
{
	char lo[64], hi[64];

	ex_fmt_number(lo, sizeof(lo), ind, cl->brk[k]);
	ex_fmt_number(hi, sizeof(hi), ind, cl->brk[k + 1]);
	if (strcmp(lo, hi) == 0 || (k == 0 && cl->brk[0] == cl->brk[1]))
		snprintf(out, n, "%s", hi);
	else
		snprintf(out, n, "%s – %s", lo, hi);
}

void ex_style_title(char *out, size_t n, const cpts_indicator *ind)
{
	if (*ind->unit_fr)
		snprintf(out, n, "%s (%s)", ind->label_fr, ind->unit_fr);
	else
		snprintf(out, n, "%s", ind->label_fr);
}

/* The rules and symbols of a polygon layer; returns the number of symbols written. */
static void polygon_renderer(cpts_buf *b, const ex_qml_map *m)
{
	char filter[256], label[192], thr[32];
	int key = 0, sym = 0;

	cpts_buf_addstr(b, " <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\""
			" enableorderby=\"0\" forceraster=\"0\">\n  <rules key=\"{cpts-root}\">\n");
	if (m->attr) {
		ex_style_title(label, sizeof(label), m->ind);
		rule(b, key++, -1, label, NULL, false);
		for (int k = 0; k < m->cl.n; k++) {
			class_filter(filter, sizeof(filter), m->attr, &m->cl, k);
			class_label(label, sizeof(label), m->ind, &m->cl, k);
			rule(b, key++, sym++, label, filter, true);
		}
		if (m->has_mask) {
			cpts_fmt_fr(thr, sizeof(thr), m->threshold, 0);
			snprintf(label, sizeof(label), "Secret statistique (< %s)", thr);
			if (m->mask_attr)
				snprintf(filter, sizeof(filter), "\"%s\" = 1", m->mask_attr);
			else
				snprintf(filter, sizeof(filter), "\"%s_masque\" = 1", m->attr);
			rule(b, key++, sym++, label, filter, true);
		}
		rule(b, key++, sym++, "Hors territoire / non renseigné", "ELSE", true);
		cpts_buf_addstr(b, "   </rule>\n");
	}
	if (m->outline_rule || !m->attr)
		rule(b, key++, sym++, m->outline_label, NULL, true);
	cpts_buf_addstr(b, "  </rules>\n  <symbols>\n");
	sym = 0;
	if (m->attr) {
		for (int k = 0; k < m->cl.n; k++)
			fill_symbol(b, sym++, ex_style_colour(k, m->cl.n), m->fill_outline);
		if (m->has_mask) {
			symbol_open(b, "fill", sym++);
			fill_layer(b, "#f0f0f0", 255, "solid", "#969696", m->fill_outline);
			fill_layer(b, "#737373", 255, "b_diagonal", "#969696", 0);
			cpts_buf_addstr(b, "   </symbol>\n");
		}
		fill_symbol(b, sym++, ex_palette_na, m->fill_outline);
	}
	if (m->outline_rule || !m->attr) {
		symbol_open(b, "fill", sym++);
		fill_layer(b, "#ffffff", 0, "no", "#202020", m->line_width);
		cpts_buf_addstr(b, "   </symbol>\n");
	}
	cpts_buf_addstr(b, "  </symbols>\n </renderer-v2>\n");
}

/* Rules of the flux layer: one arrow width per class of volume. */
static void flow_renderer(cpts_buf *b, const ex_qml_map *m)
{
	char filter[256], label[192];
	int key = 0;

	cpts_buf_addstr(b, " <renderer-v2 type=\"RuleRenderer\" symbollevels=\"0\""
			" enableorderby=\"0\" forceraster=\"0\">\n  <rules key=\"{cpts-root}\">\n");
	ex_style_title(label, sizeof(label), m->ind);
	rule(b, key++, -1, label, NULL, false);
	for (int k = 0; k < m->cl.n; k++) {
		class_filter(filter, sizeof(filter), m->attr, &m->cl, k);
		class_label(label, sizeof(label), m->ind, &m->cl, k);
		rule(b, key++, k, label, filter, true);
	}
	cpts_buf_addstr(b, "   </rule>\n  </rules>\n  <symbols>\n");
	for (int k = 0; k < m->cl.n; k++)
		arrow_symbol(b, k, ex_style_colour(k, m->cl.n),
			     m->cl.n > 1 ? 0.2 + 1.3 * k / (m->cl.n - 1) : 0.8);
	cpts_buf_addstr(b, "  </symbols>\n </renderer-v2>\n");
}

static void labeling(cpts_buf *b, const char *field)
{
	if (!field)
		return;
	cpts_buf_addstr(b, " <labeling type=\"simple\">\n  <settings calloutType=\"simple\">\n"
			"   <text-style fieldName=\"");
	cpts_buf_add_html(b, field);
	cpts_buf_addstr(b, "\" isExpression=\"0\" fontSize=\"8\" fontSizeUnit=\"Point\""
			" textColor=\"30,30,30,255\" fontFamily=\"DejaVu Sans\" textOpacity=\"1\">\n"
			"    <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\""
			" bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\"/>\n"
			"   </text-style>\n   <placement placement=\"1\" centroidInside=\"1\""
			" centroidWhole=\"0\"/>\n   <rendering obstacle=\"1\" displayAll=\"0\""
			" scaleVisibility=\"0\"/>\n  </settings>\n </labeling>\n");
}

/* Aliases and display precision (Range widget) of the fields. */
static void fields(cpts_buf *b, const ex_qml_field *f, size_t n)
{
	cpts_buf_addstr(b, " <fieldConfiguration>\n");
	for (size_t k = 0; k < n; k++) {
		if (f[k].decimals < 0)
			continue;
		cpts_buf_addstr(b, "  <field name=\"");
		cpts_buf_add_html(b, f[k].name);
		cpts_buf_addf(b, "\" configurationFlags=\"None\">\n   <editWidget type=\"Range\">\n"
			      "    <config>\n     <Option type=\"Map\">\n      <Option"
			      " name=\"Precision\" type=\"int\" value=\"%d\"/>\n      <Option"
			      " name=\"Style\" type=\"QString\" value=\"SpinBox\"/>\n     </Option>\n"
			      "    </config>\n   </editWidget>\n  </field>\n", f[k].decimals);
	}
	cpts_buf_addstr(b, " </fieldConfiguration>\n <aliases>\n");
	for (size_t k = 0; k < n; k++) {
		cpts_buf_addstr(b, "  <alias field=\"");
		cpts_buf_add_html(b, f[k].name);
		cpts_buf_addf(b, "\" index=\"%zu\" name=\"", k + 1);
		cpts_buf_add_html(b, f[k].alias);
		cpts_buf_addstr(b, "\"/>\n");
	}
	cpts_buf_addstr(b, " </aliases>\n");
}

void ex_qml_write(cpts_buf *b, const ex_qml_map *m, const ex_qml_field *f, size_t n_f)
{
	cpts_buf_addstr(b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			"<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling|Fields|"
			"Forms\" labelsEnabled=\"");
	cpts_buf_addstr(b, m->label_field ? "1\">\n" : "0\">\n");
	if (m->table)
		; /* no geometry: aliases and precisions only */
	else if (m->lines)
		flow_renderer(b, m);
	else
		polygon_renderer(b, m);
	labeling(b, m->label_field);
	fields(b, f, n_f);
	cpts_buf_addf(b, " <layerGeometryType>%d</layerGeometryType>\n</qgis>\n",
		      m->table ? 4 : m->lines ? 1 : 2);
}
