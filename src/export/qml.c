/*
 * qml.c - the default QGIS style of the exported layers: a QML document with a
 * graduated renderer (one range per choropleth class, the colours of ex_palette)
 * and simple labels, stored in the layer_styles table that QGIS reads when it opens
 * a GeoPackage. Classes are the quantile classes of the HTML maps, so the GIS and the
 * report agree; features with no value (absent or masked) match no range and are not
 * drawn by a graduated renderer, as in QGIS's own styles (the grey source symbol is
 * what QGIS uses for classes added by hand).
 *
 * The document is deterministic (fixed number formats) so that two exports of the
 * same workspace give the same bytes.
 */
#include <string.h>

#include "export/export_int.h"

static void rgb(cpts_buf *b, const char *hex)
{
	unsigned r = 0, g = 0, bl = 0;

	sscanf(hex, "#%02x%02x%02x", &r, &g, &bl);
	cpts_buf_addf(b, "%u,%u,%u,255", r, g, bl);
}

static void fill_symbol(cpts_buf *b, int name, const char *hex, double line_width)
{
	cpts_buf_addf(b, "   <symbol type=\"fill\" name=\"%d\" alpha=\"1\" clip_to_extent=\"1\""
		      " force_rhr=\"0\">\n    <layer class=\"SimpleFill\" enabled=\"1\""
		      " locked=\"0\" pass=\"0\">\n     <Option type=\"Map\">\n"
		      "      <Option name=\"color\" type=\"QString\" value=\"", name);
	rgb(b, hex);
	cpts_buf_addf(b, "\"/>\n      <Option name=\"outline_color\" type=\"QString\""
		      " value=\"80,80,80,255\"/>\n      <Option name=\"outline_style\""
		      " type=\"QString\" value=\"solid\"/>\n      <Option name=\"outline_width\""
		      " type=\"QString\" value=\"%.2f\"/>\n      <Option name=\"outline_width_unit\""
		      " type=\"QString\" value=\"MM\"/>\n      <Option name=\"style\""
		      " type=\"QString\" value=\"solid\"/>\n     </Option>\n    </layer>\n"
		      "   </symbol>\n", line_width);
}

void ex_qml_graduated(cpts_buf *b, const char *attr, const cpts_indicator *ind,
		      const ex_classes *cl, const char *label_field, double line_width)
{
	char lo[64], hi[64];

	cpts_buf_addstr(b, "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
			"<qgis version=\"3.28.0\" styleCategories=\"Symbology|Labeling\">\n");
	cpts_buf_addstr(b, " <renderer-v2 type=\"graduatedSymbol\" attr=\"");
	cpts_buf_add_html(b, attr);
	cpts_buf_addstr(b, "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\""
			" enableorderby=\"0\" forceraster=\"0\">\n  <ranges>\n");
	for (int k = 0; k < cl->n; k++) {
		ex_fmt_number(lo, sizeof(lo), ind, cl->brk[k]);
		ex_fmt_number(hi, sizeof(hi), ind, cl->brk[k + 1]);
		cpts_buf_addf(b, "   <range lower=\"%.17g\" upper=\"%.17g\" symbol=\"%d\" label=\"",
			      cl->brk[k], cl->brk[k + 1], k);
		cpts_buf_add_html(b, lo);
		cpts_buf_addstr(b, " – ");
		cpts_buf_add_html(b, hi);
		cpts_buf_addstr(b, "\" render=\"true\"/>\n");
	}
	cpts_buf_addstr(b, "  </ranges>\n  <symbols>\n");
	for (int k = 0; k < cl->n; k++)
		fill_symbol(b, k, ex_palette[k], line_width);
	cpts_buf_addstr(b, "  </symbols>\n  <source-symbol>\n");
	fill_symbol(b, 0, ex_palette_na, line_width);
	cpts_buf_addstr(b, "  </source-symbol>\n  <colorramp type=\"gradient\" name=\"[source]\">\n"
			"   <Option type=\"Map\">\n    <Option name=\"color1\" type=\"QString\""
			" value=\"");
	rgb(b, ex_palette[0]);
	cpts_buf_addstr(b, "\"/>\n    <Option name=\"color2\" type=\"QString\" value=\"");
	rgb(b, ex_palette[EX_N_CLASSES - 1]);
	cpts_buf_addstr(b, "\"/>\n   </Option>\n  </colorramp>\n  <classificationMethod"
			" id=\"Quantile\"/>\n </renderer-v2>\n");
	cpts_buf_addstr(b, " <labeling type=\"simple\">\n  <settings calloutType=\"simple\">\n"
			"   <text-style fieldName=\"");
	cpts_buf_add_html(b, label_field);
	cpts_buf_addstr(b, "\" isExpression=\"0\" fontSize=\"8\" fontSizeUnit=\"Point\""
			" textColor=\"30,30,30,255\" fontFamily=\"DejaVu Sans\" textOpacity=\"1\">\n"
			"    <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\""
			" bufferColor=\"255,255,255,255\" bufferOpacity=\"0.8\"/>\n"
			"   </text-style>\n   <placement placement=\"1\" centroidInside=\"1\""
			" centroidWhole=\"0\"/>\n   <rendering obstacle=\"1\" displayAll=\"0\""
			" scaleVisibility=\"0\"/>\n  </settings>\n </labeling>\n"
			" <layerGeometryType>2</layerGeometryType>\n</qgis>\n");
}
