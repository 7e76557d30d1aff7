#!/usr/bin/python3
"""qgis_check.py FILE|DSN [LAYER...] - open a cpts export in real QGIS (offscreen) and
print one line per layer: name, validity, CRS, renderer type, whether the stored default
style was applied, the number of aliases, the legend labels and the number of
non-background pixels of the layer rendered alone to a 400x400 PNG.

Run with the Debian python (/usr/bin/python3): python3-qgis is not in pyenv.
Output lines (tab separated), read by tests/cli/cli_export_qgis.sh:
  layer NAME valid=0|1 crs=EPSG:N renderer=TYPE style=0|1 aliases=N pixels=N features=N
        fields=N (without the primary key)
  legend NAME LABEL
  alias NAME FIELD ALIAS
  precision NAME FIELD N
  drawn NAME LABEL N       features drawn by each leaf rule of a rule-based style
  undrawn NAME N           features no rule draws
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
from qgis.core import (QgsApplication, QgsMapRendererSequentialJob, QgsMapSettings,  # noqa: E402
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402


def render(layer, png):
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(layer.crs())
    ms.setExtent(layer.extent())
    ms.setOutputSize(QSize(400, 400))
    ms.setBackgroundColor(QColor(255, 255, 255))
    job = QgsMapRendererSequentialJob(ms)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    if png:
        img.save(png)
    n = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            if img.pixel(x, y) & 0xFFFFFF != 0xFFFFFF:
                n += 1
    return n


def count_rules(layer):
    """Features per legend rule (leaf rules), and features no rule draws."""
    from qgis.core import QgsRenderContext
    r = layer.renderer().clone()
    labels = {}

    def walk(rule):
        for ch in rule.children():
            labels[ch.ruleKey()] = ch.label()
            walk(ch)
    walk(r.rootRule())
    ms = QgsMapSettings()
    ms.setLayers([layer])
    ms.setDestinationCrs(layer.crs())
    ms.setExtent(layer.extent())
    ctx = QgsRenderContext.fromMapSettings(ms)
    r.startRender(ctx, layer.fields())
    counts = {}
    undrawn = 0
    for f in layer.getFeatures():
        ctx.expressionContext().setFeature(f)
        keys = [k for k in r.legendKeysForFeature(f, ctx) if k in labels]
        leaves = [k for k in keys if not r.rootRule().findRuleByKey(k).children()]
        if not leaves:
            undrawn += 1
        for k in leaves:
            counts[labels[k]] = counts.get(labels[k], 0) + 1
    r.stopRender(ctx)
    for lab, c in sorted(counts.items()):
        print("drawn\t%s\t%s\t%d" % (layer.name(), lab, c))
    print("undrawn\t%s\t%d" % (layer.name(), undrawn))


def main():
    src = sys.argv[1]
    pngdir = os.environ.get("QGIS_CHECK_PNG")
    app = QgsApplication([], False)
    app.initQgis()
    if src.startswith("PG:"):
        # PG:"conninfo" with the layer names after it (the schema: QGIS_CHECK_SCHEMA)
        from qgis.core import QgsDataSourceUri
        schema = os.environ.get("QGIS_CHECK_SCHEMA", "public")
        uris = []
        for n in sys.argv[2:]:
            u = QgsDataSourceUri(src[3:])
            u.setDataSource(schema, n, None if n == "metadata" else "geom", "", "fid")
            uris.append((n, u.uri(False)))
        provider = "postgres"
    else:
        from osgeo import ogr
        ds = ogr.Open(src)
        names = sys.argv[2:] or [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
        names = [n for n in names if n != "layer_styles"]
        uris = [(n, "%s|layername=%s" % (src, n)) for n in names]
        provider = "ogr"
    for name, uri in uris:
        lyr = QgsVectorLayer(uri, name, provider)
        valid = lyr.isValid()
        style = 0
        rtype = "none"
        pixels = 0
        naliases = 0
        nfields = 0
        if valid:
            msg, ok = lyr.loadDefaultStyle()
            style = 1 if ok else 0
            if lyr.isSpatial():
                rtype = lyr.renderer().type()
                pixels = render(lyr, pngdir and os.path.join(pngdir, name + ".png"))
                if rtype == "RuleRenderer":
                    def walk(rule, depth):
                        for ch in rule.children():
                            print("legend\t%s\t%s%s" % (name, "  " * depth, ch.label()))
                            walk(ch, depth + 1)
                    walk(lyr.renderer().rootRule(), 0)
                    count_rules(lyr)
            fields = lyr.fields()
            nfields = len([f for f in fields if f.name() not in ("fid", "ogc_fid")])
            for i in range(fields.count()):
                a = lyr.attributeAlias(i)
                if a:
                    naliases += 1
                    print("alias\t%s\t%s\t%s" % (name, fields[i].name(), a))
                cfg = lyr.editorWidgetSetup(i).config()
                if "Precision" in cfg:
                    print("precision\t%s\t%s\t%s" % (name, fields[i].name(), cfg["Precision"]))
        print("layer\t%s\tvalid=%d\tcrs=%s\trenderer=%s\tstyle=%d\taliases=%d\tpixels=%d"
              "\tfeatures=%d\tfields=%d" % (name, valid, lyr.crs().authid() if valid else "",
                                 rtype, style, naliases, pixels,
                                 lyr.featureCount() if valid else -1, nfields))
    # QGIS 3.22 may crash while tearing down layers at interpreter exit: leave at once
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
