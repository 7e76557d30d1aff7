/*
 * read_vector.c - `cpts ingest communes`: a commune layer from any GDAL vector source
 * into table communes.
 *
 * Why this shape: the layer is read and checked completely in memory first (about
 * 25 MB of WKB for all of metropolitan France), because two checks need every feature
 * before anything is stored: duplicate codes, and arrondissements whose commune is in
 * the layer too (never both). Each feature is reprojected by OGR to the projected CRS
 * of its territory (cpts_code_srid) with the traditional GIS axis order (longitude,
 * latitude) on both sides, checked by GEOS, repaired with GEOSMakeValid when invalid
 * (warning naming the commune), and measured in that CRS: area, perimeter and a
 * representative point that lies inside the polygon (GEOSPointOnSurface), whose
 * longitude/latitude are computed back through EPSG:4326. The store step is one
 * transaction with prepared statements; SpatiaLite builds the MULTIPOLYGON blob.
 */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <errno.h>
#include <gdal.h>
#include <geos_c.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpts/code.h"
#include "cpts/store.h"
#include "cpts/store_ingest.h"
#include "dep/dep.h"
#include "ingest/ingest_int.h"

#define MAX_SRIDS 8

/* Transformations from the layer's CRS to each territory's CRS, and back to WGS84. */
typedef struct xforms {
	OGRSpatialReferenceH src;    /* OWNED */
	OGRSpatialReferenceH wgs84;  /* OWNED */
	int srid[MAX_SRIDS];
	OGRSpatialReferenceH dst[MAX_SRIDS];              /* OWNED */
	OGRCoordinateTransformationH to[MAX_SRIDS];       /* OWNED: layer -> srid */
	OGRCoordinateTransformationH back[MAX_SRIDS];     /* OWNED: srid -> WGS84 */
	size_t n;
} xforms;

/* Everything one read needs; released in one place. */
typedef struct reader {
	cpts_ctx *ctx;
	const char *path;             /* BORROWED: as given */
	const cpts_ingest_communes_opts *o;
	GDALDatasetH ds;              /* OWNED */
	OGRLayerH layer;              /* BORROWED from ds */
	int f_code, f_name, f_dep, f_reg;
	xforms x;
	GEOSWKBReader *wkb_in;        /* OWNED */
	GEOSWKBWriter *wkb_out;       /* OWNED */
	cpts_vec out;                 /* cpts_ingest_commune */
	cpts_strmap *seen;            /* OWNED: code -> index in out */
	size_t n_skipped, n_repaired;
	size_t n_code_repaired;       /* codes that had lost their leading zero */
	char code_repaired_example[96];
} reader;

static void xforms_release(xforms *x)
{
	for (size_t i = 0; i < x->n; i++) {
		if (x->to[i])
			OCTDestroyCoordinateTransformation(x->to[i]);
		if (x->back[i])
			OCTDestroyCoordinateTransformation(x->back[i]);
		if (x->dst[i])
			OSRDestroySpatialReference(x->dst[i]);
	}
	if (x->src)
		OSRDestroySpatialReference(x->src);
	if (x->wgs84)
		OSRDestroySpatialReference(x->wgs84);
	memset(x, 0, sizeof(*x));
}

/* The transformations to srid (created on first use). */
static int xform_get(cpts_ctx *ctx, xforms *x, int srid, size_t *slot)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		if (x->srid[i] == srid) {
			*slot = i;
			return CPTS_OK;
		}
	if (x->n == MAX_SRIDS)
		return cpts_fail(ctx, CPTS_EINTERNAL, "too many CRS");
	x->srid[i] = srid;
	x->dst[i] = OSRNewSpatialReference(NULL);
	x->n++;
	cpts_gdal_clear_error();
	if (OSRImportFromEPSG(x->dst[i], srid) != OGRERR_NONE)
		return cpts_fail_gdal(ctx, CPTS_EDEP, "cannot load EPSG:%d (is proj-data installed?)",
				      srid);
	OSRSetAxisMappingStrategy(x->dst[i], OAMS_TRADITIONAL_GIS_ORDER);
	x->to[i] = OCTNewCoordinateTransformation(x->src, x->dst[i]);
	x->back[i] = OCTNewCoordinateTransformation(x->dst[i], x->wgs84);
	if (!x->to[i] || !x->back[i])
		return cpts_fail_gdal(ctx, CPTS_EDEP, "cannot build the transformation to EPSG:%d",
				      srid);
	*slot = i;
	return CPTS_OK;
}

static int setup_srs(reader *r)
{
	cpts_ctx *ctx = r->ctx;
	OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(r->layer);

	r->x.wgs84 = OSRNewSpatialReference(NULL);
	OSRImportFromEPSG(r->x.wgs84, 4326);
	OSRSetAxisMappingStrategy(r->x.wgs84, OAMS_TRADITIONAL_GIS_ORDER);
	if (r->o->s_srs) {
		r->x.src = OSRNewSpatialReference(NULL);
		cpts_gdal_clear_error();
		if (OSRSetFromUserInput(r->x.src, r->o->s_srs) != OGRERR_NONE)
			return cpts_fail_gdal(ctx, CPTS_EUSAGE, "--s-srs '%s' is not a CRS",
					      r->o->s_srs);
	} else if (lsrs) {
		r->x.src = OSRClone(lsrs);
	} else {
		r->x.src = OSRClone(r->x.wgs84);
		cpts_note(ctx, "%s: no CRS in the file: assuming EPSG:4326 (use --s-srs)", r->path);
	}
	OSRSetAxisMappingStrategy(r->x.src, OAMS_TRADITIONAL_GIS_ORDER);
	return CPTS_OK;
}

/* A field among candidates (case-insensitive), or the one forced by the user. */
static int find_field(cpts_ctx *ctx, OGRFeatureDefnH def, const char *forced,
		      const char *const *cands, const char *what, const char *path, int *out)
{
	*out = -1;
	if (forced) {
		*out = OGR_FD_GetFieldIndex(def, forced);
		if (*out < 0)
			return cpts_fail(ctx, CPTS_EINPUT, "%s: no field '%s' for the %s", path, forced,
					 what);
		return CPTS_OK;
	}
	for (int i = 0; cands[i] && *out < 0; i++)
		*out = OGR_FD_GetFieldIndex(def, cands[i]);
	return CPTS_OK;
}

static int open_layer(reader *r)
{
	static const char *const codes[] = { "code", "code_insee", "insee_com", "codgeo", "com",
					     "code_commune", "insee", NULL };
	static const char *const names[] = { "nom", "name", "libelle", "nom_com", "libgeo",
					     "nom_commune", NULL };
	static const char *const deps[] = { "dep", "insee_dep", "code_dep", "dept", NULL };
	static const char *const regs[] = { "reg", "insee_reg", "code_reg", "region", NULL };
	cpts_ctx *ctx = r->ctx;
	char *vpath = NULL;
	size_t n = strlen(r->path);
	struct stat st;
	OGRFeatureDefnH def;
	int rc = CPTS_OK;

	if (strncmp(r->path, "/vsi", 4) != 0 && n > 3 && cpts_strcasecmp(r->path + n - 3, ".gz") == 0)
		vpath = cpts_asprintf("/vsigzip/%s", r->path);
	else if (strncmp(r->path, "/vsi", 4) != 0 && n > 4 &&
		 cpts_strcasecmp(r->path + n - 4, ".zip") == 0)
		vpath = cpts_asprintf("/vsizip/%s", r->path);
	else
		vpath = cpts_strdup(r->path);
	if (strncmp(r->path, "/vsi", 4) != 0 && stat(r->path, &st) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot open '%s': %s", r->path, strerror(errno));
		goto out;
	}
	cpts_gdal_clear_error();
	r->ds = GDALOpenEx(vpath, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	if (!r->ds) {
		rc = cpts_fail_gdal(ctx, CPTS_EINPUT, "cannot read '%s' as a vector dataset",
				    r->path);
		goto out;
	}
	if (GDALDatasetGetLayerCount(r->ds) == 0) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' has no layer", r->path);
		goto out;
	}
	r->layer = r->o->layer ? GDALDatasetGetLayerByName(r->ds, r->o->layer)
			       : GDALDatasetGetLayer(r->ds, 0);
	if (!r->layer) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' has no layer '%s'", r->path, r->o->layer);
		goto out;
	}
	if (OGR_L_GetFeatureCount(r->layer, TRUE) == 0) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "%s: layer '%s' has no feature", r->path,
			       OGR_L_GetName(r->layer));
		goto out;
	}
	def = OGR_L_GetLayerDefn(r->layer);
	if ((rc = find_field(ctx, def, r->o->code_field, codes, "commune code", r->path, &r->f_code)) < 0 ||
	    (rc = find_field(ctx, def, r->o->name_field, names, "commune name", r->path, &r->f_name)) < 0)
		goto out;
	find_field(ctx, def, NULL, deps, "", r->path, &r->f_dep);
	find_field(ctx, def, NULL, regs, "", r->path, &r->f_reg);
	if (r->f_code < 0) {
		cpts_buf b = CPTS_BUF_INIT;
		for (int i = 0; i < OGR_FD_GetFieldCount(def) && i < 30; i++)
			cpts_buf_addf(&b, "%s%s", i ? ", " : "",
				      OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(def, i)));
		rc = cpts_fail(ctx, CPTS_EINPUT, "%s: no commune code field (looked for code, "
			       "code_insee, insee_com, codgeo, com; found: %s; use --code-field)",
			       r->path, b.len ? b.data : "no field");
		cpts_buf_release(&b);
		goto out;
	}
	rc = setup_srs(r);
out:
	free(vpath);
	return rc;
}

/* Keep the polygonal parts of a repaired geometry (GEOSMakeValid may add lines). */
static GEOSGeometry *polygonal_part(GEOSContextHandle_t h, GEOSGeometry *g)
{
	int t = GEOSGeomTypeId_r(h, g), n;
	GEOSGeometry **parts, *out;
	int k = 0;

	if (t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON)
		return g;
	if (t != GEOS_GEOMETRYCOLLECTION) {
		GEOSGeom_destroy_r(h, g);
		return NULL;
	}
	n = GEOSGetNumGeometries_r(h, g);
	parts = cpts_calloc((size_t)(n > 0 ? n : 1) * 4, sizeof(*parts));
	for (int i = 0; i < n; i++) {
		const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
		int pt = GEOSGeomTypeId_r(h, p);
		if (pt == GEOS_POLYGON) {
			parts[k++] = GEOSGeom_clone_r(h, p);
		} else if (pt == GEOS_MULTIPOLYGON) {
			for (int j = 0; j < GEOSGetNumGeometries_r(h, p) && k < n * 4; j++)
				parts[k++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, p, j));
		}
	}
	GEOSGeom_destroy_r(h, g);
	out = k ? GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)k) : NULL;
	free(parts);
	return out;
}

/* A feature failed: with skip_failures warn and skip (1), else the error (< 0). */
static int feature_fail(reader *r, long long fid, const char *code, const char *fmt,
			const char *detail)
{
	cpts_ctx *ctx = r->ctx;
	const char *lname = OGR_L_GetName(r->layer);

	if (r->o->skip_failures) {
		cpts_warn(ctx, "%s|%s|fid=%lld%s%s%s: %s%s; skipped", r->path, lname, fid,
			  code ? " (commune " : "", code ? code : "", code ? ")" : "", fmt,
			  detail ? detail : "");
		r->n_skipped++;
		return 1;
	}
	cpts_fail(ctx, CPTS_EINPUT, "%s|%s|fid=%lld%s%s%s: %s%s (use --skip-failures to skip "
		  "bad features)", r->path, lname, fid, code ? " (commune " : "", code ? code : "",
		  code ? ")" : "", fmt, detail ? detail : "");
	return CPTS_EINPUT;
}

static void set_text_fields(reader *r, OGRFeatureH f, cpts_ingest_commune *c)
{
	const char *s;

	c->name = cpts_strdup(r->f_name >= 0 && OGR_F_IsFieldSetAndNotNull(f, r->f_name)
				      ? OGR_F_GetFieldAsString(f, r->f_name) : c->code);
	c->dep[0] = c->reg[0] = '\0';
	if (r->f_dep >= 0 && OGR_F_IsFieldSetAndNotNull(f, r->f_dep)) {
		s = OGR_F_GetFieldAsString(f, r->f_dep);
		if (strlen(s) >= 2 && strlen(s) <= 3)
			snprintf(c->dep, sizeof(c->dep), "%s", s);
	}
	if (!c->dep[0])
		cpts_code_dep(c->code, c->dep);
	if (r->f_reg >= 0 && OGR_F_IsFieldSetAndNotNull(f, r->f_reg)) {
		s = OGR_F_GetFieldAsString(f, r->f_reg);
		if (strlen(s) >= 1 && strlen(s) <= 3)
			snprintf(c->reg, sizeof(c->reg), "%s", s);
	}
	if (!c->reg[0] && cpts_dep_region(c->dep))
		snprintf(c->reg, sizeof(c->reg), "%s", cpts_dep_region(c->dep));
}

/* Largest plausible projected coordinate (metres): beyond it a coordinate is a unit or
 * CRS mistake (a commune of France lies within a few thousand km of any origin). */
#define MAX_PROJ_COORD 1e7
/* Largest plausible commune (km2): Maripasoula, the largest, is 18,360 km2. */
#define MAX_AREA_KM2 1e5

/* Coordinates within the plausible range of their CRS: an error naming the feature
 * (1 = skipped, < 0 error) otherwise. */
static int check_extent(reader *r, OGRGeometryH g, const cpts_ingest_commune *c,
			bool geographic, const char *crs_what)
{
	OGREnvelope e;
	char d[160];
	bool ok;

	OGR_G_GetEnvelope(g, &e);
	if (geographic)
		ok = isfinite(e.MinX) && isfinite(e.MaxX) && isfinite(e.MinY) && isfinite(e.MaxY) &&
		     e.MinX >= -180 && e.MaxX <= 180 && e.MinY >= -90 && e.MaxY <= 90;
	else
		ok = isfinite(e.MinX) && isfinite(e.MaxX) && isfinite(e.MinY) && isfinite(e.MaxY) &&
		     fabs(e.MinX) <= MAX_PROJ_COORD && fabs(e.MaxX) <= MAX_PROJ_COORD &&
		     fabs(e.MinY) <= MAX_PROJ_COORD && fabs(e.MaxY) <= MAX_PROJ_COORD;
	if (ok)
		return CPTS_OK;
	snprintf(d, sizeof(d), "%s (x %.6g to %.6g, y %.6g to %.6g; %s)", crs_what, e.MinX,
		 e.MaxX, e.MinY, e.MaxY, geographic ? "longitude -180 to 180, latitude -90 to 90"
						    : "at most 1e7 m from the origin");
	return feature_fail(r, c->fid, c->code, "coordinates out of the range of the ", d);
}

/* Reproject, check/repair and measure one geometry; fills c. 1 = skipped, < 0 error. */
static int do_geometry(reader *r, OGRGeometryH src, cpts_ingest_commune *c)
{
	cpts_ctx *ctx = r->ctx;
	GEOSContextHandle_t h = ctx->geos;
	OGRGeometryH g = NULL;
	GEOSGeometry *gg = NULL, *pt = NULL;
	unsigned char *wkb = NULL, *out = NULL;
	size_t slot = 0, len;
	int rc = CPTS_OK, valid;
	double x, y;

	if ((rc = xform_get(ctx, &r->x, c->srid, &slot)) < 0)
		return rc;
	g = OGR_G_Clone(src);
	OGR_G_FlattenTo2D(g);
	if ((rc = check_extent(r, g, c, OSRIsGeographic(r->x.src) != 0, "source CRS")) != CPTS_OK)
		goto out;
	cpts_gdal_clear_error();
	if (OGR_G_Transform(g, r->x.to[slot]) != OGRERR_NONE) {
		char d[16];
		snprintf(d, sizeof(d), "%d", c->srid);
		rc = feature_fail(r, c->fid, c->code, "cannot reproject to EPSG:", d);
		goto out;
	}
	if ((rc = check_extent(r, g, c, false, "projected CRS")) != CPTS_OK)
		goto out;
	len = (size_t)OGR_G_WkbSize(g);
	wkb = cpts_malloc(len);
	OGR_G_ExportToWkb(g, wkbNDR, wkb);
	ctx->dep_msg[0] = '\0';
	gg = GEOSWKBReader_read_r(h, r->wkb_in, wkb, len);
	if (!gg) {
		rc = feature_fail(r, c->fid, c->code, "unreadable geometry: ", ctx->dep_msg);
		goto out;
	}
	valid = GEOSisValid_r(h, gg);
	if (valid != 1) {
		char *why = GEOSisValidReason_r(h, gg);
		GEOSGeometry *fixed = GEOSMakeValid_r(h, gg);
		if (fixed)
			fixed = polygonal_part(h, fixed);
		if (!fixed || GEOSisEmpty_r(h, fixed) || GEOSArea_r(h, fixed, &x) != 1 || x <= 0) {
			if (fixed)
				GEOSGeom_destroy_r(h, fixed);
			rc = feature_fail(r, c->fid, c->code, "invalid polygon that cannot be "
					  "repaired: ", why);
			GEOSFree_r(h, why);
			goto out;
		}
		cpts_warn(ctx, "%s: commune %s (%s) has an invalid polygon (%s): repaired with "
			  "GEOSMakeValid", r->path, c->code, c->name, why ? why : "?");
		GEOSFree_r(h, why);
		GEOSGeom_destroy_r(h, gg);
		gg = fixed;
		r->n_repaired++;
	}
	if (GEOSisEmpty_r(h, gg) == 1) {
		rc = feature_fail(r, c->fid, c->code, "empty geometry", NULL);
		goto out;
	}
	GEOSArea_r(h, gg, &c->area_km2);
	GEOSLength_r(h, gg, &c->perimeter_km);
	c->area_km2 /= 1e6;
	c->perimeter_km /= 1e3;
	/* areas feed densities and maps: finite, positive, plausible */
	if (!(isfinite(c->area_km2) && c->area_km2 > 0 && c->area_km2 <= MAX_AREA_KM2 &&
	      isfinite(c->perimeter_km))) {
		char d[64];
		snprintf(d, sizeof(d), "%g km2 (expected more than 0, at most %g)", c->area_km2,
			 MAX_AREA_KM2);
		rc = feature_fail(r, c->fid, c->code, "implausible area: ", d);
		goto out;
	}
	pt = GEOSPointOnSurface_r(h, gg);
	if (!pt || GEOSGeomGetX_r(h, pt, &c->px) != 1 || GEOSGeomGetY_r(h, pt, &c->py) != 1) {
		rc = feature_fail(r, c->fid, c->code, "no point inside the polygon: ", ctx->dep_msg);
		goto out;
	}
	x = c->px;
	y = c->py;
	if (!OCTTransform(r->x.back[slot], 1, &x, &y, NULL)) {
		rc = feature_fail(r, c->fid, c->code, "cannot compute longitude/latitude", NULL);
		goto out;
	}
	c->lon = x;
	c->lat = y;
	out = GEOSWKBWriter_write_r(h, r->wkb_out, gg, &len);
	if (!out) {
		rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot write WKB of commune %s", c->code);
		goto out;
	}
	c->wkb = cpts_malloc(len);
	memcpy(c->wkb, out, len);
	c->wkb_len = len;
	GEOSFree_r(h, out);
out:
	if (pt)
		GEOSGeom_destroy_r(h, pt);
	if (gg)
		GEOSGeom_destroy_r(h, gg);
	free(wkb);
	if (g)
		OGR_G_DestroyGeometry(g);
	return rc;
}

static void commune_release(cpts_ingest_commune *c)
{
	free(c->name);
	free(c->wkb);
	c->name = NULL;
	c->wkb = NULL;
}

/* One feature: code, checks, geometry. Appends to r->out; 1 when skipped. */
static int read_feature(reader *r, OGRFeatureH f)
{
	cpts_ingest_commune c;
	OGRGeometryH g = OGR_F_GetGeometryRef(f);
	const char *raw;
	int64_t prev;
	unsigned fl = 0;
	int rc, t;

	memset(&c, 0, sizeof(c));
	c.fid = (long long)OGR_F_GetFID(f);
	if (!OGR_F_IsFieldSetAndNotNull(f, r->f_code) ||
	    !*(raw = OGR_F_GetFieldAsString(f, r->f_code)))
		return feature_fail(r, c.fid, NULL, "no commune code", NULL);
	if (!cpts_code_normalize(raw, strlen(raw), c.code, &fl, false)) {
		char d[64];
		snprintf(d, sizeof(d), "'%.40s'", raw);
		return feature_fail(r, c.fid, NULL, "not a commune code: ", d);
	}
	/* a numeric field (1001) loses the leading zero: repaired, said in a warning */
	if ((fl & CPTS_CODE_REPAIRED) && r->n_code_repaired++ == 0)
		snprintf(r->code_repaired_example, sizeof(r->code_repaired_example),
			 "fid=%lld: '%.12s' -> '%.5s'", c.fid, raw, c.code);
	if (cpts_strmap_get(r->seen, c.code, &prev)) {
		char d[64];
		snprintf(d, sizeof(d), "%lld", cpts_vec_at(&r->out, cpts_ingest_commune, prev).fid);
		return feature_fail(r, c.fid, c.code, "duplicate commune code, also at fid=", d);
	}
	if (!g || OGR_G_IsEmpty(g))
		return feature_fail(r, c.fid, c.code, "no geometry", NULL);
	t = wkbFlatten(OGR_G_GetGeometryType(g));
	if (t != wkbPolygon && t != wkbMultiPolygon)
		return feature_fail(r, c.fid, c.code, "not a polygon: ", OGR_G_GetGeometryName(g));
	c.srid = cpts_code_srid(c.code);
	set_text_fields(r, f, &c);
	if ((rc = do_geometry(r, g, &c)) != CPTS_OK) {
		commune_release(&c);
		return rc;
	}
	*(cpts_ingest_commune *)cpts_vec_push(&r->out) = c;
	cpts_strmap_put(r->seen, c.code, (int64_t)(r->out.n - 1));
	return CPTS_OK;
}

static int read_features(reader *r)
{
	cpts_ctx *ctx = r->ctx;
	long long total = OGR_L_GetFeatureCount(r->layer, TRUE), i = 0;
	OGRFeatureH f;
	int rc = CPTS_OK;

	OGR_L_ResetReading(r->layer);
	cpts_gdal_clear_error();
	while ((f = OGR_L_GetNextFeature(r->layer)) != NULL) {
		rc = read_feature(r, f);
		OGR_F_Destroy(f);
		if (rc < 0)
			return rc;
		if ((++i & 511) == 0 &&
		    (rc = cpts_progress(ctx, total > 0 ? (double)i / (double)total : 0.0,
					"ingest communes")) < 0)
			return rc;
	}
	if (*cpts_gdal_last_error())
		return cpts_fail_gdal(ctx, CPTS_EINPUT, "%s: reading stopped after %lld feature%s",
				      r->path, i, i == 1 ? "" : "s");
	if (i == 0)
		return cpts_fail(ctx, CPTS_EINPUT, "%s: layer '%s' has no feature", r->path,
				 OGR_L_GetName(r->layer));
	if (r->out.n == 0)
		return cpts_fail(ctx, CPTS_EINPUT, "%s: every feature was skipped", r->path);
	return CPTS_OK;
}

/* Arrondissements: parent set; dropped when their commune is in the layer too. */
static size_t resolve_arms(cpts_ctx *ctx, cpts_ingest_layer *l, cpts_strmap *seen,
			   const char *path)
{
	size_t n_dropped = 0;
	int64_t v;

	for (size_t i = 0; i < l->n; i++) {
		cpts_ingest_commune *c = &l->c[i];
		const char *parent = cpts_code_arm_parent(c->code);
		if (!parent)
			continue;
		if (cpts_strmap_get(seen, parent, &v)) {
			c->dropped = true;
			n_dropped++;
		} else {
			memcpy(c->parent, parent, 6);
		}
	}
	if (n_dropped)
		cpts_warn(ctx, "%s: %zu arrondissement%s dropped: the layer also has %s commune "
			  "(never both)", path, n_dropped, n_dropped > 1 ? "s" : "",
			  n_dropped > 1 ? "their" : "its");
	return n_dropped;
}

int cpts_ingest__read_layer(cpts_ctx *ctx, cpts_ingest_layer *out, const char *path,
			    const cpts_ingest_communes_opts *opts)
{
	static const cpts_ingest_communes_opts defaults = CPTS_INGEST_COMMUNES_OPTS_INIT;
	reader r;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.path = path;
	r.o = opts ? opts : &defaults;
	cpts_vec_init(&r.out, sizeof(cpts_ingest_commune), (size_t)1 << 22);
	r.seen = cpts_strmap_new(40000);
	cpts_gdal_init();
	r.wkb_in = GEOSWKBReader_create_r(ctx->geos);
	r.wkb_out = GEOSWKBWriter_create_r(ctx->geos);
	GEOSWKBWriter_setByteOrder_r(ctx->geos, r.wkb_out, GEOS_WKB_NDR);
	if ((rc = open_layer(&r)) < 0 || (rc = read_features(&r)) < 0)
		goto out;
	out->c = r.out.data;
	out->n = r.out.n;
	r.out.data = NULL;
	r.out.n = 0;
	out->n_skipped = r.n_skipped;
	out->n_repaired = r.n_repaired;
	if (r.n_code_repaired)
		cpts_warn(ctx, "%s: %zu commune code%s had lost %s leading zero and %s repaired"
			  " (%s)", path, r.n_code_repaired, r.n_code_repaired > 1 ? "s" : "",
			  r.n_code_repaired > 1 ? "their" : "its",
			  r.n_code_repaired > 1 ? "were" : "was", r.code_repaired_example);
	out->layer_name = cpts_strdup(OGR_L_GetName(r.layer));
	out->n_dropped = resolve_arms(ctx, out, r.seen, path);
out:
	for (size_t i = 0; i < r.out.n; i++)
		commune_release(&cpts_vec_at(&r.out, cpts_ingest_commune, i));
	cpts_vec_release(&r.out);
	cpts_strmap_free(r.seen);
	GEOSWKBReader_destroy_r(ctx->geos, r.wkb_in);
	GEOSWKBWriter_destroy_r(ctx->geos, r.wkb_out);
	xforms_release(&r.x);
	if (r.ds)
		GDALClose(r.ds);
	return rc;
}

void cpts_ingest__layer_release(cpts_ingest_layer *l)
{
	for (size_t i = 0; i < l->n; i++)
		commune_release(&l->c[i]);
	free(l->c);
	free(l->layer_name);
	memset(l, 0, sizeof(*l));
}

/* ---- store ----------------------------------------------------------------------- */

static int store_layer(cpts_ctx *ctx, cpts_store *s, const cpts_ingest_layer *l)
{
	cpts_commune_rec *r = cpts_calloc(l->n ? l->n : 1, sizeof(*r));
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < l->n; i++) {
		const cpts_ingest_commune *c = &l->c[i];
		if (c->dropped)
			continue;
		r[n++] = (cpts_commune_rec){ c->code, c->name, c->dep, c->reg, c->parent, c->srid,
					     c->area_km2, c->perimeter_km, c->px, c->py, c->lon,
					     c->lat, c->wkb, c->wkb_len };
	}
	rc = cpts_store_communes_replace(ctx, s, r, n);
	free(r);
	return rc;
}

int cpts_ingest_communes(cpts_ctx *ctx, cpts_store *s, const char *path,
			 const cpts_ingest_communes_opts *opts, size_t *n_skipped_out)
{
	static const cpts_ingest_communes_opts defaults = CPTS_INGEST_COMMUNES_OPTS_INIT;
	cpts_ingest_layer l;
	cpts_source_info si = { 0 };
	char sha[65];
	bool in_tx = false;
	int rc;

	if (!opts)
		opts = &defaults;
	if (n_skipped_out)
		*n_skipped_out = 0;
	if ((rc = cpts_ingest__read_layer(ctx, &l, path, opts)) < 0)
		goto out;
	if (cpts_sha256_file(path, sha) != 0)
		snprintf(sha, sizeof(sha), "%s", "");
	cpts_ingest_prefetch_wait(opts->wait); /* its write to the workspace ends first */
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	in_tx = true;
	if ((rc = store_layer(ctx, s, &l)) < 0)
		goto out;
	si.tbl = "communes";
	si.file = path;
	si.sha256 = sha;
	si.n_rows = (long long)(l.n + l.n_skipped);
	si.n_communes = (long long)(l.n - l.n_dropped);
	si.vintage = opts->vintage;
	si.options = l.layer_name;
	if ((rc = cpts_store_record_source(ctx, s, &si)) < 0)
		goto out;
	if ((rc = cpts_store_commit(ctx, s)) < 0)
		goto out;
	in_tx = false;
	if (n_skipped_out)
		*n_skipped_out = l.n_skipped;
	cpts_progress(ctx, 1.0, "ingest communes");
	cpts_info(ctx, "ingested %zu communes from %s (layer '%s')%s", l.n - l.n_dropped, path,
		  l.layer_name, l.n_repaired ? ", invalid polygons repaired" : "");
out:
	if (in_tx)
		cpts_store_rollback(s);
	cpts_ingest__layer_release(&l);
	return rc;
}
