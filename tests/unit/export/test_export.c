/*
 * test_export.c - unit tests of src/export: build a small workspace by hand (six 2 km
 * squares in Lambert-93, two territories, basin metrics, flows, profile values with
 * one small count), export it, then open the GeoPackage with GDAL and read the HTML
 * back. Expected values are derived by hand from the inserted rows (each assertion
 * says how). Also: a 100-commune territory with densified boundaries stays under the
 * 2 MB page bound, exports are byte-identical when repeated, and failures or Ctrl-C
 * leave no file behind.
 */
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/export.h"
#include "cpts/store.h"
#include "cpts/util.h"
#include "dep/dep.h"
#include "export/export_int.h"
#include "tap.h"

static char tmpdir[256];

/* The six communes: code, name (accents, apostrophe, <, &), column, row. */
static const struct {
	const char *code, *name;
	int col, row;
	double pop;
} communes[] = {
	{ "44001", "Saint-Étienne-d'Arve", 0, 0, 1500 },
	{ "44002", "Le <Bourg> & Cie", 1, 0, 600 },
	{ "44003", "Nœud", 2, 0, 900 },
	{ "44004", "Àrles", 0, 1, 700 },
	{ "44005", "Bès", 1, 1, 500 },
	{ "44006", "Cé", 2, 1, 300 },
};
#define N_COMMUNES 6
#define TERR_B "B<&'"

static int exec(cpts_ctx *ctx, cpts_store *s, const char *sql)
{
	int rc = cpts_store_exec(ctx, s, sql);

	if (rc < 0)
		diag("sql failed: %s: %s", sql, ctx->err.msg);
	return rc;
}

/* A square of side `side` metres at (x0, y0), its boundary cut into `seg` segments per
 * side (densified: the simplification must remove them). */
static char *square_wkt(double x0, double y0, double side, int seg)
{
	cpts_buf b = CPTS_BUF_INIT;

	cpts_buf_addstr(&b, "MULTIPOLYGON(((");
	for (int e = 0; e < 4; e++)
		for (int k = 0; k < seg; k++) {
			double f = side * k / seg, x, y;
			x = e == 0 ? x0 + f : e == 1 ? x0 + side : e == 2 ? x0 + side - f : x0;
			y = e == 0 ? y0 : e == 1 ? y0 + f : e == 2 ? y0 + side : y0 + side - f;
			cpts_buf_addf(&b, "%.3f %.3f,", x, y);
		}
	cpts_buf_addf(&b, "%.3f %.3f)))", x0, y0);
	return cpts_buf_detach(&b, NULL);
}

static int insert_commune(cpts_ctx *ctx, cpts_store *s, const char *code, const char *name,
			  double x0, double y0, double side, int seg, double pop)
{
	char *wkt = square_wkt(x0, y0, side, seg);
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO communes(code, name, dep, reg,"
				     " parent, srid, area_km2, perimeter_km, px, py, lon, lat, geom)"
				     " VALUES(?, ?, '44', '52', '', 2154, ?, ?, ?, ?, -1.5, 47.2,"
				     " GeomFromText(?, 2154))")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, side * side / 1e6);
	sqlite3_bind_double(st, 4, 4 * side / 1e3);
	sqlite3_bind_double(st, 5, x0 + side / 2);
	sqlite3_bind_double(st, 6, y0 + side / 2);
	sqlite3_bind_text(st, 7, wkt, -1, SQLITE_STATIC);
	if ((rc = cpts_store_step_done(ctx, s, st)) < 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO population VALUES(?, 'T', 'ALL',"
				     " ?)")) < 0)
		goto out;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 2, pop);
	rc = cpts_store_step_done(ctx, s, st);
out:
	sqlite3_finalize(st);
	free(wkt);
	return rc;
}

static int pv(cpts_ctx *ctx, cpts_store *s, const char *terr, const char *level,
	      const char *code, const char *ind, double v, double lo, double hi)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO profile_values VALUES('p', ?, ?,"
				     " ?, ?, ?, ?, ?, 0)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, terr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, ind, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, v);
	if (isnan(lo))
		sqlite3_bind_null(st, 6);
	else
		sqlite3_bind_double(st, 6, lo);
	if (isnan(hi))
		sqlite3_bind_null(st, 7);
	else
		sqlite3_bind_double(st, 7, hi);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

/* Profile values of one territory (and its comparison levels). */
static int territory_values(cpts_ctx *ctx, cpts_store *s, const char *t, double pop,
			    double patients, double sans, double icc)
{
	static const char *const bands[] = { "00-04", "05-09", "75-79" };
	int rc = CPTS_OK;

	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "pop_total", pop, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "mt_patients", patients, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "mt_sans_mt", sans, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "mt_share", 100 * sans / patients, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "icc", icc, icc - 4.5, icc + 5.5);
	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "icc_signif", 0, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "territoire", t, "apl", 3.25, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "departement", "44", "pop_total", 1450000, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "departement", "44", "mt_share", 11.2, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "region", "52", "pop_total", 3900000, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "region", "52", "mt_share", 10.9, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "ensemble", "ALL", "pop_total", 12345, NAN, NAN);
	rc = rc ? rc : pv(ctx, s, t, "ensemble", "ALL", "mt_share", 12.4, NAN, NAN);
	for (int k = 0; k < 3 && rc == CPTS_OK; k++) {
		char key[32];
		snprintf(key, sizeof(key), "pyr_F_%s", bands[k]);
		rc = pv(ctx, s, t, "territoire", t, key, pop / 6, NAN, NAN);
		snprintf(key, sizeof(key), "pyr_M_%s", bands[k]);
		rc = rc ? rc : pv(ctx, s, t, "territoire", t, key, pop / 6, NAN, NAN);
	}
	return rc;
}

/* The small workspace: six communes, territories "A" (row 0) and TERR_B (row 1). */
static int make_small_ws(cpts_ctx *ctx, const char *path)
{
	cpts_store *s = NULL;
	int rc;

	unlink(path);
	if ((rc = cpts_store_open(ctx, &s, path, CPTS_STORE_CREATE)) < 0 ||
	    (rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	for (int i = 0; i < N_COMMUNES && rc == CPTS_OK; i++)
		rc = insert_commune(ctx, s, communes[i].code, communes[i].name,
				    350000 + communes[i].col * 2000.0,
				    6700000 + communes[i].row * 2000.0, 2000, 1, communes[i].pop);
	if (rc < 0)
		goto out;
	rc = exec(ctx, s,
		  "INSERT INTO partitions VALUES('p', 'input', 'test.csv', 'aucun', '2026-01-01');"
		  "INSERT INTO partition_members VALUES('p','44001','A',NULL,1),"
		  "('p','44002','A',NULL,1),('p','44003','A',NULL,1),"
		  "('p','44004','B<&''',NULL,1),('p','44005','B<&''',NULL,1),"
		  "('p','44006','B<&''',NULL,1);"
		  "INSERT INTO basin_metrics VALUES('p','A',3000,3,'44001',0.8,0.7,0.5,1),"
		  "('p','B<&''',1500,3,'44004',0.6,0.5,0.4,1);"
		  "INSERT INTO basin_communes VALUES('p','44001',1,'A',0.9,'B<&''',0.1,0.9),"
		  "('p','44002',2,'A',0.7,'B<&''',0.3,0.7),('p','44003',3,'A',0.4,NULL,NULL,0.4),"
		  "('p','44004',1,'B<&''',0.8,'A',0.2,0.8),('p','44005',5,'A',0.6,'B<&''',0.4,0.4),"
		  "('p','44006',2,'B<&''',0.55,'A',0.45,0.55);"
		  "INSERT INTO flows VALUES('44001','44002','',100,0,0),('44004','44001','',50,0,0),"
		  "('44005','44004','',5,0,0),('44006','44001','',NULL,1,0),"
		  "('44001','44001','',400,0,0),('44003','75056','',30,0,1);"
		  "INSERT INTO sources VALUES('population','/data/pop.csv','0123456789abcdef0123456789"
		  "abcdef0123456789abcdef0123456789abcdef',6,6,0,'2021','2026-01-01T00:00:00Z',"
		  "NULL);");
	if (rc < 0)
		goto out;
	if ((rc = territory_values(ctx, s, "A", 3000, 2000, 300, 95)) < 0 ||
	    (rc = territory_values(ctx, s, TERR_B, 1500, 1000, 120, 108)) < 0)
		goto out;
	/* commune level: 44002 has 5 patients without MT (primary masking: 1..10) */
	for (int i = 0; i < N_COMMUNES && rc == CPTS_OK; i++) {
		const char *t = communes[i].row == 0 ? "A" : TERR_B;
		double sans = i == 1 ? 5 : 40 + 10 * i;
		rc = pv(ctx, s, t, "commune", communes[i].code, "pop_total", communes[i].pop, NAN,
			NAN);
		rc = rc ? rc : pv(ctx, s, t, "commune", communes[i].code, "mt_patients", 400, NAN,
				  NAN);
		rc = rc ? rc : pv(ctx, s, t, "commune", communes[i].code, "mt_sans_mt", sans, NAN,
				  NAN);
		rc = rc ? rc : pv(ctx, s, t, "commune", communes[i].code, "mt_share",
				  100 * sans / 400, NAN, NAN);
	}
	/* written by hand as a profile run and basin metrics would: say what from
	   (deps.c), else the export would compute them again */
	if (rc == CPTS_OK)
		rc = cpts_store_derived_record(ctx, s, "profile", "p", NULL);
	if (rc == CPTS_OK)
		rc = cpts_store_derived_record(ctx, s, "basins", "p", NULL);
	if (rc == CPTS_OK)
		rc = cpts_store_commit(ctx, s);
out:
	cpts_store_free(s);
	return rc;
}

/* A 10 x 10 grid of 1 km communes, each boundary densified to 2,000 vertices. */
static int make_big_ws(cpts_ctx *ctx, const char *path)
{
	cpts_store *s = NULL;
	int rc;

	unlink(path);
	if ((rc = cpts_store_open(ctx, &s, path, CPTS_STORE_CREATE)) < 0 ||
	    (rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	rc = exec(ctx, s, "INSERT INTO partitions VALUES('p', 'input', NULL, NULL, NULL)");
	for (int i = 0; i < 100 && rc == CPTS_OK; i++) {
		char code[8], name[32], *sql;
		snprintf(code, sizeof(code), "35%03d", i + 1);
		snprintf(name, sizeof(name), "Commune n°%d", i + 1);
		rc = insert_commune(ctx, s, code, name, 300000 + (i % 10) * 1000.0,
				    6800000 + (i / 10) * 1000.0, 1000, 500, 1000);
		sql = cpts_asprintf("INSERT INTO partition_members VALUES('p','%s','T',NULL,1)",
				    code);
		rc = rc ? rc : exec(ctx, s, sql);
		free(sql);
	}
	/* written by hand as a profile run and basin metrics would: say what from
	   (deps.c), else the export would compute them again */
	if (rc == CPTS_OK)
		rc = cpts_store_derived_record(ctx, s, "profile", "p", NULL);
	if (rc == CPTS_OK)
		rc = cpts_store_derived_record(ctx, s, "basins", "p", NULL);
	if (rc == CPTS_OK)
		rc = cpts_store_commit(ctx, s);
out:
	cpts_store_free(s);
	return rc;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cpts_buf b = CPTS_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cpts_buf_add(&b, chunk, n);
	fclose(f);
	return cpts_buf_detach(&b, len);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static int do_export(cpts_ctx *ctx, const char *ws, const char *gpkg, const char *format,
		     const char *html, double flows)
{
	cpts_store *s = NULL;
	cpts_export_opts o = CPTS_EXPORT_OPTS_INIT;
	int rc;

	o.partition = "p";
	o.gpkg = gpkg;
	o.html_dir = html;
	o.flow_threshold = flows;
	if (format)
		o.format = format;
	cpts_error_clear(ctx);
	if ((rc = cpts_store_open(ctx, &s, ws, CPTS_STORE_READONLY)) < 0)
		return rc;
	rc = cpts_export_run(ctx, s, &o);
	cpts_store_free(s);
	return rc;
}

/* The feature of a layer whose string field `field` equals `value` (OWNED, or NULL). */
static OGRFeatureH find_feature(OGRLayerH lyr, const char *field, const char *value)
{
	OGRFeatureH f;

	OGR_L_ResetReading(lyr);
	while ((f = OGR_L_GetNextFeature(lyr))) {
		int k = OGR_F_GetFieldIndex(f, field);
		if (k >= 0 && OGR_F_IsFieldSetAndNotNull(f, k) &&
		    strcmp(OGR_F_GetFieldAsString(f, k), value) == 0)
			return f;
		OGR_F_Destroy(f);
	}
	return NULL;
}

static double field_double(OGRFeatureH f, const char *name, bool *is_null)
{
	int k = f ? OGR_F_GetFieldIndex(f, name) : -1;

	*is_null = k < 0 || !OGR_F_IsFieldSetAndNotNull(f, k);
	return *is_null ? NAN : OGR_F_GetFieldAsDouble(f, k);
}

static char *sql_text(GDALDatasetH ds, const char *sql)
{
	OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
	OGRFeatureH f;
	char *out = NULL;

	if (!r)
		return NULL;
	if ((f = OGR_L_GetNextFeature(r))) {
		out = cpts_strdup(OGR_F_GetFieldAsString(f, 0));
		OGR_F_Destroy(f);
	}
	GDALDatasetReleaseResultSet(ds, r);
	return out;
}

static void test_communes_layer(GDALDatasetH ds)
{
	OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "communes");
	OGRFeatureDefnH defn;
	OGRFeatureH f;
	bool null;
	double v;
	int n_valid = 0;

	ok(lyr != NULL, "layer communes exists");
	if (!lyr)
		return;
	defn = OGR_L_GetLayerDefn(lyr);
	is_int(OGR_L_GetFeatureCount(lyr, TRUE), 6, "communes: 6 features (all inserted)");
	ok(OGR_FD_GetFieldIndex(defn, "code") >= 0 && OGR_FD_GetFieldIndex(defn, "nom") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "territoire") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "mt_share") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "mt_share_masque") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "classe_attraction") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "dest1_territoire") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "dest2_part") >= 0,
	   "communes: documented fields present");
	ok(OGR_FD_GetFieldIndex(defn, "pop_total_masque") < 0 &&
	   OGR_FD_GetFieldIndex(defn, "pop_total_min") < 0,
	   "communes: no _masque flag nor bounds for a population (never masked)");
	ok(OGR_FD_GetFieldIndex(defn, "mt_sans_mt_min") >= 0 &&
	   OGR_FD_GetFieldIndex(defn, "mt_sans_mt_max") >= 0,
	   "communes: bound fields of a maskable count present");
	OGR_L_ResetReading(lyr);
	while ((f = OGR_L_GetNextFeature(lyr))) {
		OGRGeometryH g = OGR_F_GetGeometryRef(f);
		if (g && OGR_G_IsValid(g) && fabs(OGR_G_Area(g) - 4e6) < 1e-3)
			n_valid++;
		OGR_F_Destroy(f);
	}
	is_int(n_valid, 6, "communes: 6 valid geometries of 4 km2 (2 km squares)");
	f = find_feature(lyr, "code", "44002");
	ok(f != NULL, "commune 44002 found");
	v = field_double(f, "mt_sans_mt", &null);
	ok(null, "44002: 5 patients without MT (1..10) written as NULL");
	v = field_double(f, "mt_sans_mt_masque", &null);
	near(v, 1, 0, "44002: mt_sans_mt_masque = 1");
	/* no bounds: a primary cell must look like a secondary one (issue 19) */
	v = field_double(f, "mt_sans_mt_min", &null);
	ok(null, "44002: mt_sans_mt_min NULL (masked cells show no bounds)");
	v = field_double(f, "mt_sans_mt_max", &null);
	ok(null, "44002: mt_sans_mt_max NULL (masked cells show no bounds)");
	v = field_double(f, "mt_share", &null);
	ok(null, "44002: share derived from a masked count is NULL");
	v = field_double(f, "mt_share_min", &null);
	ok(null, "44002: a ratio whose count was suppressed here keeps no bound");
	v = field_double(f, "pop_total", &null);
	near(v, 600, 1e-12, "44002: population (public) written: 600 as inserted");
	is_str(f ? OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "nom")) : NULL,
	       "Le <Bourg> & Cie", "44002: name kept verbatim in the GeoPackage");
	v = field_double(f, "dest1_part", &null);
	near(v, 70, 1e-12, "44002: first destination share 0.7 written as 70 %%");
	OGR_F_Destroy(f);
	f = find_feature(lyr, "code", "44005");
	v = field_double(f, "classe_attraction", &null);
	near(v, 5, 0, "44005: attraction class 5 as inserted");
	is_str(f ? OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "territoire")) : NULL,
	       TERR_B, "44005: territory id with <, & and ' kept");
	v = field_double(f, "mt_sans_mt_masque", &null);
	ok(!null && (v == 0 || v == 1), "44005: flag written (0 or 1, never NULL)");
	if (!null && v == 0) {
		field_double(f, "mt_sans_mt_min", &null);
		ok(null, "44005: no bounds for a published value");
	}
	OGR_F_Destroy(f);
}

static void test_territories_layer(GDALDatasetH ds)
{
	OGRLayerH lyr = GDALDatasetGetLayerByName(ds, "territoires");
	OGRFeatureH f;
	bool null;
	double v;

	ok(lyr != NULL, "layer territoires exists");
	if (!lyr)
		return;
	is_int(OGR_L_GetFeatureCount(lyr, TRUE), 2, "territoires: 2 features");
	f = find_feature(lyr, "territoire", "A");
	ok(f && OGR_F_GetGeometryRef(f) && OGR_G_IsValid(OGR_F_GetGeometryRef(f)),
	   "territory A: valid geometry");
	/* three 2 km squares side by side: 3 x 4e6 m2 */
	near(f ? OGR_G_Area(OGR_F_GetGeometryRef(f)) : 0, 3 * 4e6, 1e-6,
	     "territory A: dissolved area = sum of its communes' areas");
	ok(f && OGR_G_GetGeometryCount(OGR_F_GetGeometryRef(f)) == 1,
	   "territory A: dissolved into one polygon");
	v = field_double(f, "li", &null);
	near(v, 80, 1e-12, "territory A: LI 0.8 from basin_metrics written as 80 %%");
	v = field_double(f, "aci_tier", &null);
	near(v, 1, 0, "territory A: ACI tier 1 (3,000 inhabitants < 40,000)");
	v = field_double(f, "mt_share", &null);
	near(v, 15, 1e-12, "territory A: mt_share 300/2000 = 15 %%");
	v = field_double(f, "mt_sans_mt_masque", &null);
	near(v, 0, 0, "territory A: 300 patients are not masked");
	field_double(f, "mt_sans_mt_min", &null);
	ok(null, "territory A: no bounds for a published value");
	v = field_double(f, "n_communes", &null);
	near(v, 3, 0, "territory A: 3 communes (from the partition)");
	OGR_F_Destroy(f);
	f = find_feature(lyr, "territoire", TERR_B);
	near(f ? OGR_G_Area(OGR_F_GetGeometryRef(f)) : 0, 3 * 4e6, 1e-6,
	     "territory B: dissolved area = sum of its communes' areas");
	OGR_F_Destroy(f);
}

static void test_other_layers(GDALDatasetH ds)
{
	OGRLayerH flux = GDALDatasetGetLayerByName(ds, "flux");
	OGRLayerH meta = GDALDatasetGetLayerByName(ds, "metadata");
	OGRLayerH sty = GDALDatasetGetLayerByName(ds, "layer_styles");
	OGRFeatureH f;
	char *t;

	/* flows >= 20 between two communes: 44001->44002 (100), 44004->44001 (50); not the
	 * 5 (below), the masked one, the self flow, nor the one leaving the workspace */
	ok(flux != NULL, "layer flux exists");
	is_int(flux ? OGR_L_GetFeatureCount(flux, TRUE) : -1, 2, "flux: 2 lines");
	f = flux ? find_feature(flux, "origine", "44004") : NULL;
	near(f ? OGR_G_Length(OGR_F_GetGeometryRef(f)) : 0, 2000, 1e-9,
	     "flux 44004->44001 joins the centres, 2 km apart");
	OGR_F_Destroy(f);
	ok(meta != NULL, "layer metadata exists");
	f = meta ? find_feature(meta, "cle", "population") : NULL;
	is_str(f ? OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "sha256")) : NULL,
	       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	       "metadata: source population with its SHA-256");
	OGR_F_Destroy(f);
	f = meta ? find_feature(meta, "cle", "date") : NULL;
	is_str(f ? OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "valeur")) : NULL,
	       "2026-01-01T00:00:00Z", "metadata: date from CPTS_FIXED_TIME");
	OGR_F_Destroy(f);
	f = meta ? find_feature(meta, "cle", "cpts_version") : NULL;
	ok(f != NULL, "metadata: cpts version row");
	OGR_F_Destroy(f);
	ok(sty != NULL, "layer layer_styles exists");
	is_int(sty ? OGR_L_GetFeatureCount(sty, TRUE) : -1, 4,
	       "layer_styles: 4 styles (communes, territoires, flux, metadata)");
	f = sty ? find_feature(sty, "f_table_name", "communes") : NULL;
	ok(f && strstr(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "styleQML")),
		       "type=\"RuleRenderer\"") &&
	   strstr(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "styleQML")),
		  "filter=\"&quot;mt_share_masque&quot; = 1\""),
	   "layer_styles: rule-based renderer on mt_share with a rule for masked values");
	ok(f && strstr(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "styleQML")),
		       "fieldName=\"nom\""), "layer_styles: labels on nom");
	ok(f && OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault")) == 1,
	   "layer_styles: used as default");
	OGR_F_Destroy(f);
	t = sql_text(ds, "SELECT name FROM gpkg_data_columns WHERE table_name = 'communes' AND"
		     " column_name = 'mt_share'");
	is_str(t, "Part des patients sans médecin traitant", "gpkg_data_columns: French alias");
	free(t);
	t = sql_text(ds, "SELECT identifier FROM gpkg_contents WHERE table_name = 'territoires'");
	is_str(t, "Territoires", "gpkg_contents: French identifier");
	free(t);
	t = sql_text(ds, "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'communes'");
	is_str(t, "2154", "communes in EPSG:2154");
	free(t);
}

/* GDAL's GeoPackage validator and QGIS (tests/gis/qgis_check.py) on a written file;
 * skipped, with the reason, when the Debian python lacks the bindings. */
static void test_in_clients(const char *gpkg)
{
	static const char validate[] =
		"/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
	const char *src = getenv("CPTS_SRC");
	char *cmd;
	int rc;

	if (access("/usr/bin/python3", X_OK) != 0 || access(validate, R_OK) != 0) {
		ok(1, "# SKIP validate_gpkg.py not installed (python3-gdal)");
	} else {
		cmd = cpts_asprintf("/usr/bin/python3 %s '%s' >&2", validate, gpkg);
		rc = system(cmd);
		free(cmd);
		is_int(rc, 0, "validate_gpkg.py passes on the GeoPackage");
	}
	if (!src || system("QT_QPA_PLATFORM=offscreen /usr/bin/python3 -c 'import qgis.core'"
			   " 2>/dev/null") != 0) {
		ok(1, "# SKIP QGIS python bindings not installed (python3-qgis) or CPTS_SRC unset");
		return;
	}
	/* every spatial layer: valid, styled by rules, all fields aliased, not blank */
	cmd = cpts_asprintf("mkdir -p -m 700 '%s/xdg' && XDG_RUNTIME_DIR='%s/xdg'"
			    " QT_QPA_PLATFORM=offscreen /usr/bin/python3 '%s/tests/gis/qgis_check.py'"
			    " '%s' 2>/dev/null | awk -F'\t' '$1 == \"layer\" { n++; split($7, a, \"=\");"
			    " split($10, f, \"=\"); split($8, p, \"=\"); if ($3 != \"valid=1\" ||"
			    " $6 != \"style=1\" || a[2] != f[2] || ($5 != \"renderer=none\" &&"
			    " ($5 != \"renderer=RuleRenderer\" || p[2] <= 400))) bad++ }"
			    " END { exit !(n == 4 && bad == 0) }'", tmpdir, tmpdir, src, gpkg);
	rc = system(cmd);
	free(cmd);
	is_int(rc, 0, "QGIS: 4 layers valid, default style applied, aliased, not blank");
}

static void test_gpkg(cpts_ctx *ctx, const char *ws)
{
	char *gpkg = cpts_asprintf("%s/out.gpkg", tmpdir);
	char *tmp = cpts_asprintf("%s/out.tmp.gpkg", tmpdir);
	GDALDatasetH ds;
	int rc = do_export(ctx, ws, gpkg, NULL, NULL, 20);

	is_int(rc, CPTS_OK, "export to GeoPackage succeeds");
	if (rc)
		diag("%s", ctx->err.msg);
	ok(!exists(tmp), "no temporary file left");
	ds = GDALOpenEx(gpkg, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	ok(ds != NULL, "GDAL opens the GeoPackage");
	if (ds) {
		is_int(GDALDatasetGetLayerCount(ds), 5, "5 layers (communes, territoires, flux,"
		       " metadata, layer_styles)");
		test_communes_layer(ds);
		test_territories_layer(ds);
		test_other_layers(ds);
		GDALClose(ds);
		test_in_clients(gpkg);
	}
	free(gpkg);
	free(tmp);
}

/* Every attribute of every layer as text, in order: what `ogrinfo -al` shows. */
static char *dump_attributes(const char *path)
{
	GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	cpts_buf b = CPTS_BUF_INIT;

	if (!ds)
		return NULL;
	for (int l = 0; l < GDALDatasetGetLayerCount(ds); l++) {
		OGRLayerH lyr = GDALDatasetGetLayer(ds, l);
		OGRFeatureH f;
		cpts_buf_addf(&b, "layer %s\n", OGR_L_GetName(lyr));
		while ((f = OGR_L_GetNextFeature(lyr))) {
			for (int k = 0; k < OGR_F_GetFieldCount(f); k++)
				cpts_buf_addf(&b, "%s|", OGR_F_IsFieldSetAndNotNull(f, k) ?
					      OGR_F_GetFieldAsString(f, k) : "NULL");
			cpts_buf_addch(&b, '\n');
			OGR_F_Destroy(f);
		}
	}
	GDALClose(ds);
	return cpts_buf_detach(&b, NULL);
}

static void test_other_formats(cpts_ctx *ctx, const char *ws)
{
	char *sq = cpts_asprintf("%s/out.sqlite", tmpdir);
	char *gj = cpts_asprintf("%s/geojson", tmpdir);
	char *p;
	GDALDatasetH ds;
	int rc;

	rc = do_export(ctx, ws, sq, "SQLite", NULL, 20);
	is_int(rc, CPTS_OK, "export with the SQLite driver");
	ds = GDALOpenEx(sq, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	ok(ds && GDALDatasetGetLayerByName(ds, "territoires") &&
	   OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "territoires"), TRUE) == 2,
	   "SQLite: 2 territories");
	if (ds)
		GDALClose(ds);
	rc = do_export(ctx, ws, gj, "GeoJSON", NULL, 0);
	is_int(rc, CPTS_OK, "export with the GeoJSON driver (one file per layer)");
	p = cpts_asprintf("%s/communes.json", gj);
	ds = GDALOpenEx(p, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
	ok(ds && OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE) == 6,
	   "GeoJSON: communes.json holds 6 communes");
	if (ds)
		GDALClose(ds);
	free(p);
	p = cpts_asprintf("%s/metadata.json", gj);
	ok(exists(p), "GeoJSON: metadata.json written");
	free(p);
	free(sq);
	free(gj);
}

static void test_html(cpts_ctx *ctx, const char *ws)
{
	char *dir = cpts_asprintf("%s/html", tmpdir), *p;
	char *a, *bpage, *idx;
	size_t len;
	int rc = do_export(ctx, ws, NULL, NULL, dir, 0);

	is_int(rc, CPTS_OK, "HTML export succeeds");
	p = cpts_asprintf("%s/index.html", dir);
	idx = slurp(p, &len);
	free(p);
	p = cpts_asprintf("%s/a.html", dir);
	a = slurp(p, &len);
	free(p);
	/* "B<&'" has unsafe characters: its slug is "b" */
	p = cpts_asprintf("%s/b.html", dir);
	bpage = slurp(p, &len);
	free(p);
	ok(idx && a && bpage, "index.html, a.html and b.html written");
	if (!idx || !a || !bpage)
		goto out;
	is_int(count(a, "<path class=\"c\" data-code="), 3, "A: one path per commune (3)");
	is_int(count(bpage, "<path class=\"c\" data-code="), 3, "B: one path per commune (3)");
	is_int(count(idx, "data-territoire="), 2, "index: one path per territory");
	ok(strstr(a, "Le &lt;Bourg&gt; &amp; Cie") != NULL, "A: <, > and & escaped in a name");
	ok(strstr(a, "Saint-Étienne-d&#39;Arve") != NULL, "A: accents kept, apostrophe escaped");
	ok(!strstr(bpage, "B<&'") && !strstr(idx, "B<&'"),
	   "B: territory id never written unescaped");
	ok(strstr(idx, "href=\"b.html\"") != NULL, "index links to the B page");
	/* 3000 -> "3 000" (U+202F); 300/2000 -> "15,0 %" (U+00A0) */
	ok(strstr(a, "3\xe2\x80\xaf" "000") != NULL, "A: population 3 000 in French format");
	ok(strstr(a, "15,0\xc2\xa0%") != NULL, "A: share 15,0 %% in French format");
	/* the whole area is one region (52): the A page shows the region, not a duplicate
	 * "ensemble" column; the index's reference row shows the whole area's 12,4 % */
	ok(strstr(idx, "12,4\xc2\xa0%") != NULL && strstr(idx, "Pays de la Loire (référence)"),
	   "index: reference row (Pays de la Loire) with 12,4 %%");
	ok(strstr(a, "[90,5 ; 100,5]") != NULL, "A: ICC interval 95 - 4.5 ; 95 + 5.5");
	ok(strstr(a, "secret statistique") != NULL, "A: masked commune share shown as secret");
	ok(strstr(a, "&lt; 11") != NULL, "A: masking rule « < 11 » stated");
	ok(strstr(a, "@page{size:A4") && strstr(a, "break-inside:avoid"), "A: print stylesheet");
	ok(strstr(a, "Pyramide des âges") && strstr(a, "class=\"pyramid\""), "A: age pyramid");
	ok(strstr(a, "Médecin traitant") && strstr(a, "Taille ACI") &&
	   strstr(a, "Où se soignent les habitants") && strstr(a, "Sources : "),
	   "A: MT, ACI, flows sections and the sources line");
	ok(strstr(idx, "id=\"methodes\"") && !strstr(a, "<h2>Méthode et paramètres</h2>"),
	   "methods and sources once, on the index");
	/* where residents of A go: 100 (to A) + 400 (to A) + 30 (outside the workspace):
	 * 530 in total; A keeps 500 / 530 = 94,3 % */
	ok(strstr(a, "94,3\xc2\xa0%") != NULL, "A: 94,3 %% of residents' flows stay in A");
	ok(strstr(a, "communes hors de la zone étudiée") != NULL,
	   "A: flow leaving the workspace listed");
	for (int k = 0; k < 3; k++) {
		const char *page = k == 0 ? idx : k == 1 ? a : bpage;
		const char *u = page;
		bool local_urls = true;
		/* url() only to a fragment of the page itself (the hatching pattern) */
		while ((u = strstr(u, "url(")) != NULL) {
			local_urls = local_urls && u[4] == '#';
			u += 4;
		}
		ok(!strstr(page, "http:") && !strstr(page, "https:") && !strstr(page, "//") &&
		   !strstr(page, "src=") && local_urls &&
		   (k == 0 ? count(page, "<script") == 1 : !strstr(page, "<script")),
		   "%s: no external URL; only the index has its one inline script",
		   k == 0 ? "index" : k == 1 ? "A" : "B");
	}
out:
	free(idx);
	free(a);
	free(bpage);
	free(dir);
}

static void test_determinism(cpts_ctx *ctx, const char *ws)
{
	char *g1 = cpts_asprintf("%s/d1.gpkg", tmpdir), *g2 = cpts_asprintf("%s/d2.gpkg", tmpdir);
	char *h1 = cpts_asprintf("%s/h1", tmpdir), *h2 = cpts_asprintf("%s/h2", tmpdir);
	char *d1, *d2, *p1, *p2, *x1, *x2;
	size_t l1 = 0, l2 = 0;

	is_int(do_export(ctx, ws, g1, NULL, h1, 20), CPTS_OK, "first export");
	is_int(do_export(ctx, ws, g2, NULL, h2, 20), CPTS_OK, "second export");
	d1 = dump_attributes(g1);
	d2 = dump_attributes(g2);
	ok(d1 && d2 && strcmp(d1, d2) == 0, "same attribute tables twice");
	p1 = cpts_asprintf("%s/a.html", h1);
	p2 = cpts_asprintf("%s/a.html", h2);
	x1 = slurp(p1, &l1);
	x2 = slurp(p2, &l2);
	ok(x1 && x2 && l1 == l2 && memcmp(x1, x2, l1) == 0, "same HTML bytes twice");
	free(d1), free(d2), free(p1), free(p2), free(x1), free(x2);
	free(g1), free(g2), free(h1), free(h2);
}

/* Issue 13 (speed): with both outputs the GeoPackage is written on a thread of its own
 * while the HTML report is written; the outputs are those of each written alone, and
 * a GeoPackage that fails leaves no report (the report waits for it). */
static void test_parallel_writers(cpts_ctx *ctx, const char *ws)
{
	char *g1 = cpts_asprintf("%s/par1.gpkg", tmpdir), *g2 = cpts_asprintf("%s/par2.gpkg", tmpdir);
	char *h1 = cpts_asprintf("%s/parh1", tmpdir), *h2 = cpts_asprintf("%s/parh2", tmpdir);
	char *bad = cpts_asprintf("%s/ws.sqlite/dir/x.gpkg", tmpdir); /* parent is a file */
	char *h3 = cpts_asprintf("%s/parh3", tmpdir);
	const char *pages[2] = { "index.html", "a.html" };
	char *d1, *d2;
	int rc;

	is_int(do_export(ctx, ws, g1, NULL, h1, 20), CPTS_OK, "13: GeoPackage and report at once");
	is_int(do_export(ctx, ws, g2, NULL, NULL, 20), CPTS_OK, "13: GeoPackage alone");
	is_int(do_export(ctx, ws, NULL, NULL, h2, 20), CPTS_OK, "13: report alone");
	d1 = dump_attributes(g1);
	d2 = dump_attributes(g2);
	ok(d1 && d2 && strlen(d1) > 100 && strcmp(d1, d2) == 0,
	   "13: same attribute tables written beside the report as alone");
	for (int k = 0; k < 2; k++) {
		char *p1 = cpts_asprintf("%s/%s", h1, pages[k]), *p2 = cpts_asprintf("%s/%s", h2,
										      pages[k]);
		size_t l1 = 0, l2 = 0;
		char *x1 = slurp(p1, &l1), *x2 = slurp(p2, &l2);
		ok(x1 && x2 && l1 > 0 && l1 == l2 && memcmp(x1, x2, l1) == 0,
		   "13: %s: same bytes written beside the GeoPackage as alone", pages[k]);
		free(p1), free(p2), free(x1), free(x2);
	}
	rc = do_export(ctx, ws, bad, NULL, h3, 20);
	is_int(rc, CPTS_EIO, "13: the GeoPackage's error is the export's");
	ok(strstr(ctx->err.msg, "ws.sqlite/dir") != NULL, "13: it names the GeoPackage path");
	ok(!exists(h3), "13: no report published when the GeoPackage failed");
	{
		char *cmd = cpts_asprintf("ls -a '%s' | grep -q '^\\.parh3'", tmpdir);
		ok(system(cmd) != 0, "13: no temporary report directory left");
		free(cmd);
	}
	cpts_error_clear(ctx);
	free(d1), free(d2), free(g1), free(g2), free(h1), free(h2), free(h3), free(bad);
}

/* Issue 13 (speed): the hash index of the disclosed values finds what the binary
 * search of cpts_ptable_get finds, absent keys and NULLs included, and gives way to it
 * when a key is there twice. */
static void test_vindex(void)
{
	static const char *const terr[] = { "T1", "T2" }, *const lvl[] = { "commune",
									   "territoire" };
	static const char *const code[] = { "01001", "01002", "T1", "T2" };
	static const char *const ind[] = { "gp_density", "mt_share", "pop_total" };
	cpts_pvalue v[48];
	cpts_ptable t;
	ex_vindex x;
	size_t n = 0, agree = 0, found = 0, tries = 0;

	memset(&t, 0, sizeof(t));
	for (int a = 0; a < 2; a++) /* sorted by (territory, level, level_code, indicator) */
		for (int b = 0; b < 2; b++)
			for (int c = 0; c < 4; c++)
				for (int e = 0; e < 3; e++)
					if ((a + b + c + e) % 2 == 0)
						v[n++] = (cpts_pvalue){ (char *)terr[a], (char *)lvl[b],
									(char *)code[c], (char *)ind[e],
									(double)n, NAN, NAN, false,
									false };
	t.n = n;
	t.v = v;
	ex_vindex_build(&x, &t);
	ok(x.slot != NULL, "13: index built over %zu values", n);
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 2; b++)
			for (int c = 0; c < 4; c++)
				for (int e = 0; e < 3; e++) {
					const char *ta = a < 2 ? terr[a] : "T3";
					const cpts_pvalue *p = ex_vindex_get(&x, &t, ta, lvl[b],
									   code[c], ind[e]);
					agree += p == cpts_ptable_get(&t, ta, lvl[b], code[c], ind[e]);
					found += p != NULL;
					tries++;
				}
	is_int((long)agree, (long)tries, "13: index and binary search agree on %zu keys", tries);
	is_int((long)found, (long)n, "13: every stored value found, no absent one");
	/* the run of one (territory, level, code): the same rows as the index */
	agree = tries = 0;
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 2; b++)
			for (int c = 0; c < 4; c++) {
				const char *ta = a < 2 ? terr[a] : "T3";
				ex_vblock blk;
				if (!ex_vblock_find(&blk, &x, &t, ta, lvl[b], code[c]))
					continue;
				for (int e = 0; e < 3; e++) {
					/* a hint left by another run, right or wrong */
					size_t hint = (size_t)(a + c + e) % 3;
					const cpts_pvalue *p = ex_vindex_get(&x, &t, ta, lvl[b],
									   code[c], ind[e]);
					agree += ex_vblock_get(&blk, &t, ind[e], NULL) == p &&
						 ex_vblock_get(&blk, &t, ind[e], &hint) == p &&
						 ex_vblock_get(&blk, &t, ind[e], &hint) == p &&
						 (!p || &t.v[blk.lo + hint] == p);
					tries++;
				}
				{
					size_t hint = 0;
					agree += ex_vblock_get(&blk, &t, "zz_absent", &hint) == NULL;
				}
				tries++;
			}
	is_int((long)agree, (long)(3 * 2 * 4 * 4), "13: runs and index agree on all %zu keys",
	       tries);
	ok(ex_vindex_get(&x, &t, NULL, "commune", "01001", "mt_share") == NULL &&
	   ex_vindex_get(&x, &t, "T1", "commune", "01001", NULL) == NULL, "13: NULL keys: none");
	ex_vindex_release(&x);
	v[1] = v[0]; /* a key twice */
	ex_vindex_build(&x, &t);
	{
		ex_vblock blk;
		ok(!ex_vblock_find(&blk, &x, &t, "T1", "commune", "01001"),
		   "13: a key twice: no run either (ex_vindex_get decides)");
	}
	ok(x.slot == NULL && ex_vindex_get(&x, &t, v[5].territory, v[5].level, v[5].level_code,
					  v[5].indicator) == &v[5],
	   "13: a key twice: no index, lookups by binary search");
	ex_vindex_release(&x);
}

static int cancel_at_close(double frac, const char *msg, void *arg)
{
	(void)frac;
	(void)arg;
	return strcmp(msg, "closing the dataset") != 0;
}

static int cancel_at_pages(double frac, const char *msg, void *arg)
{
	(void)frac;
	(void)arg;
	return strcmp(msg, "writing territory pages") != 0;
}

/* Issue 12 item 10: an interrupted report leaves the previous one intact, whole, and
 * no temporary directory (before: the new index was in place, pages half written). */
static void test_report_interrupted(cpts_ctx *ctx, const char *ws)
{
	char *dir = cpts_asprintf("%s/rep10", tmpdir), *idx = cpts_asprintf("%s/index.html", dir);
	char *old = cpts_asprintf("%s/vieille.html", dir), *a = NULL, *b = NULL;
	cpts_progress_fn saved = ctx->progress;
	size_t la = 0, lb = 0;
	FILE *f;
	int rc;

	is_int(do_export(ctx, ws, NULL, NULL, dir, 0), CPTS_OK, "10: first report");
	if ((f = fopen(old, "w"))) { /* a page of an earlier export */
		fputs("ancienne", f);
		fclose(f);
	}
	a = slurp(idx, &la);
	ctx->progress = cancel_at_pages;
	rc = do_export(ctx, ws, NULL, NULL, dir, 0);
	ctx->progress = saved;
	is_int(rc, CPTS_ECANCEL, "10: interrupted while writing the pages");
	b = slurp(idx, &lb);
	ok(a && b && la == lb && memcmp(a, b, la) == 0 && exists(old),
	   "10: the previous report is intact after the interruption");
	{
		char *cmd = cpts_asprintf("ls -a '%s' | grep -q '^\\.rep10\\.tmp'", tmpdir);
		ok(system(cmd) != 0, "10: no temporary directory left");
		free(cmd);
	}
	is_int(do_export(ctx, ws, NULL, NULL, dir, 0), CPTS_OK, "10: export again");
	ok(!exists(old), "10: the earlier export's page is gone with the old report");
	cpts_error_clear(ctx);
	free(a), free(b), free(dir), free(idx), free(old);
}

static void test_failures(cpts_ctx *ctx, const char *ws)
{
	char *gpkg = cpts_asprintf("%s/cancel.gpkg", tmpdir);
	char *tmp = cpts_asprintf("%s/cancel.tmp.gpkg", tmpdir);
	char *bad = cpts_asprintf("%s/ws.sqlite/dir/x.gpkg", tmpdir); /* parent is a file */
	cpts_export_opts o = CPTS_EXPORT_OPTS_INIT;
	cpts_store *s = NULL;
	int rc;
	cpts_progress_fn saved = ctx->progress;
	ctx->progress = cancel_at_close;
	rc = do_export(ctx, ws, gpkg, NULL, NULL, 0);
	ctx->progress = saved;
	is_int(rc, CPTS_ECANCEL, "interrupted export returns CPTS_ECANCEL");
	ok(!exists(gpkg) && !exists(tmp), "interrupted export leaves no file");
	rc = do_export(ctx, ws, bad, NULL, NULL, 0);
	is_int(rc, CPTS_EIO, "unwritable output is an I/O error");
	ok(strstr(ctx->err.msg, "ws.sqlite/dir") != NULL, "the output path is named");
	cpts_error_clear(ctx);
	if (cpts_store_open(ctx, &s, ws, CPTS_STORE_READONLY) == CPTS_OK) {
		o.partition = "nope";
		o.gpkg = gpkg;
		is_int(cpts_export_run(ctx, s, &o), CPTS_EUSAGE, "unknown partition: usage error");
		cpts_error_clear(ctx);
		o.partition = "p";
		o.map_indicator = "bogus";
		is_int(cpts_export_run(ctx, s, &o), CPTS_EUSAGE, "unknown indicator: usage error");
		cpts_error_clear(ctx);
		o.map_indicator = NULL;
		o.format = "NoSuchDriver";
		is_int(cpts_export_run(ctx, s, &o), CPTS_EUSAGE, "unknown driver: usage error");
		cpts_error_clear(ctx);
	}
	cpts_store_free(s);
	free(gpkg);
	free(tmp);
	free(bad);
}

static void test_big_page(cpts_ctx *ctx)
{
	char *ws = cpts_asprintf("%s/big.sqlite", tmpdir);
	char *dir = cpts_asprintf("%s/bightml", tmpdir);
	char *p = cpts_asprintf("%s/t.html", dir), *page;
	size_t len = 0;

	is_int(make_big_ws(ctx, ws), CPTS_OK, "100-commune workspace built");
	is_int(do_export(ctx, ws, NULL, NULL, dir, 0), CPTS_OK, "100-commune HTML export");
	page = slurp(p, &len);
	ok(page != NULL, "t.html written");
	if (page) {
		is_int(count(page, "<path class=\"c\" data-code="), 100, "100 commune paths");
		/* unsimplified, 100 x 2,000 vertices x ~12 bytes would be about 2.4 MB */
		ok(len < 2u * 1024 * 1024, "100-commune page under 2 MB (%zu bytes)", len);
		ok(len < 300u * 1024, "simplification keeps it under 300 KB (%zu bytes)", len);
	}
	free(page);
	free(p);
	free(dir);
	free(ws);
}

/* How a reader sees each kind of masked value (French formats, profile.h bounds). */
static void test_masked_formats(void)
{
	const cpts_indicator *share = cpts_indicator_find("mt_share");
	const cpts_indicator *count = cpts_indicator_find("mt_sans_mt");
	cpts_pvalue v = { NULL, NULL, NULL, NULL, NAN, NAN, NAN, true, false };
	char out[96];

	v.lo = 1, v.hi = 10;
	ex_fmt_value(out, sizeof(out), count, &v, 11);
	is_str(out, "< 11", "small count reads < 11");
	v.lo = 201, v.hi = 210;
	ex_fmt_value(out, sizeof(out), count, &v, 11);
	is_str(out, "au moins 201", "total over masked input cells reads au moins 201");
	v.lo = 5.025, v.hi = 5.25;
	ex_fmt_value(out, sizeof(out), share, &v, 11);
	is_str(out, "entre 5,0\xc2\xa0% et 5,3\xc2\xa0%", "bounded share reads entre 5,0 %% et 5,3 %%");
	v.lo = 11.11, v.hi = 11.14;
	ex_fmt_value(out, sizeof(out), share, &v, 11);
	is_str(out, "entre 11,1\xc2\xa0% et 11,2\xc2\xa0%", "bounds are rounded outwards");
	v.lo = 11.1, v.hi = 11.1;
	ex_fmt_value(out, sizeof(out), share, &v, 11);
	is_str(out, "environ 11,1\xc2\xa0%", "equal bounds read environ 11,1 %%");
	v.lo = v.hi = NAN;
	ex_fmt_value(out, sizeof(out), share, &v, 11);
	is_str(out, "secret statistique", "a suppressed share reads secret statistique");
	v.masked = false, v.value = 12.44;
	ex_fmt_value(out, sizeof(out), share, &v, 11);
	is_str(out, "12,4\xc2\xa0%", "a published share reads 12,4 %%");
}

/* ---- ex_par_run: two threads, errors reported as one thread would ---- */

typedef struct par_probe {
	pthread_t main_thread;
	atomic_int runs[200];         /* times each item ran */
	atomic_bool main_only_off_main; /* a main-only item ran on the worker */
	atomic_int on_main;           /* items run on the calling thread */
	const bool *main_only;
	size_t fail[3];               /* items that fail (SIZE_MAX: unused) */
} par_probe;

static int par_item(cpts_ctx *ctx, void *arg, size_t k, void *scratch)
{
	par_probe *p = arg;

	(void)scratch;
	atomic_fetch_add(&p->runs[k], 1);
	if (pthread_equal(pthread_self(), p->main_thread))
		atomic_fetch_add(&p->on_main, 1);
	if (p->main_only && p->main_only[k] && !pthread_equal(pthread_self(), p->main_thread))
		atomic_store(&p->main_only_off_main, true);
	for (int f = 0; f < 3; f++)
		if (p->fail[f] == k)
			return cpts_fail(ctx, CPTS_EINPUT, "item %zu failed", k);
	return CPTS_OK;
}

/* Hook for the last case of test_par: wait (at most 20 s) until the worker has run all
 * 200 items, before the calling lane starts. */
static void wait_all_run(void *arg)
{
	par_probe *p = arg;

	for (int t = 0; t < 20000; t++) {
		int sum = 0;
		for (size_t k = 0; k < 200; k++)
			sum += atomic_load(&p->runs[k]);
		if (sum >= 200)
			return;
		usleep(1000);
	}
}

static int cancel_always(double frac, const char *msg, void *arg)
{
	(void)frac;
	(void)msg;
	(void)arg;
	return 0;
}

/*
 * 200 items: without failures every item runs exactly once, main-only items (every
 * seventh) on the calling thread; with failures at items 150 (shared), 61 (shared) and
 * 70 (main-only), the error reported is item 61's, as one thread would have met it
 * first, and every item below 61 ran; with a main-only failure at 35 below a shared one
 * at 90, item 35's.
 */
static void test_par(void)
{
	cpts_ctx ctx;
	par_probe *p = cpts_calloc(1, sizeof(*p));
	bool main_only[200];
	bool once = true, below = true;

	if (cpts_ctx_init(&ctx) != CPTS_OK)
		return;
	ctx.verbosity = CPTS_LOG_ERROR;
	for (size_t k = 0; k < 200; k++)
		main_only[k] = k % 7 == 0;
	p->main_thread = pthread_self();
	p->main_only = main_only;
	p->fail[0] = p->fail[1] = p->fail[2] = SIZE_MAX;
	is_int(ex_par_run(&ctx, 200, par_item, p, main_only, NULL, NULL, 0, 1, "test"), CPTS_OK,
	       "parallel run of 200 items");
	for (size_t k = 0; k < 200; k++)
		once = once && atomic_load(&p->runs[k]) == 1;
	ok(once, "every item ran exactly once");
	ok(!atomic_load(&p->main_only_off_main), "main-only items ran on the calling thread");

	memset(p->runs, 0, sizeof(p->runs));
	p->fail[0] = 150;
	p->fail[1] = 61;
	p->fail[2] = 70;
	is_int(ex_par_run(&ctx, 200, par_item, p, main_only, NULL, NULL, 0, 1, "test"),
	       CPTS_EINPUT, "failures: the run fails");
	ok(strcmp(ctx.err.msg, "item 61 failed") == 0, "the lowest failure is reported (%s)",
	   ctx.err.msg);
	for (size_t k = 0; k < 61; k++)
		below = below && atomic_load(&p->runs[k]) == 1;
	ok(below, "every item below the failure ran once");
	cpts_error_clear(&ctx);

	memset(p->runs, 0, sizeof(p->runs));
	p->fail[0] = 90;
	p->fail[1] = 35; /* main-only: runs after the shared pass */
	p->fail[2] = SIZE_MAX;
	is_int(ex_par_run(&ctx, 200, par_item, p, main_only, NULL, NULL, 0, 1, "test"),
	       CPTS_EINPUT, "main-only failure: the run fails");
	ok(strcmp(ctx.err.msg, "item 35 failed") == 0,
	   "a main-only failure below a shared one is reported (%s)", ctx.err.msg);
	cpts_error_clear(&ctx);

	/* the worker takes every item before the calling lane takes one (a loaded
	 * machine): the calling lane still reports progress once, so a cancel is seen
	 * (before the fix of 6153724 the run returned CPTS_OK, test_export 174/175) */
	memset(p->runs, 0, sizeof(p->runs));
	p->fail[0] = p->fail[1] = p->fail[2] = SIZE_MAX;
	p->main_only = NULL;
	atomic_store(&p->on_main, 0);
	ctx.progress = cancel_always;
	ex__par_before_main_hook = wait_all_run;
	is_int(ex_par_run(&ctx, 200, par_item, p, NULL, NULL, NULL, 0, 1, "test"), CPTS_ECANCEL,
	       "worker took every item: the cancel of the progress callback is seen");
	ex__par_before_main_hook = NULL;
	once = true;
	for (size_t k = 0; k < 200; k++)
		once = once && atomic_load(&p->runs[k]) == 1;
	ok(once && atomic_load(&p->on_main) == 0, "every item ran once, all on the worker (%d on "
	   "the calling thread)", atomic_load(&p->on_main));
	cpts_error_clear(&ctx);
	cpts_ctx_release(&ctx);
	free(p);
}

/* Classes of the default styles when quantiles collapse: 706 zeros and 526 values
 * 1..526 (the shape of gp_density over the 1,232 communes of a region). Quantile breaks
 * at ranks 1231 k / 5 (246, 492, 738, 984, 1231) are 0, 0, 33, 279, 526: three classes,
 * the top one drawn in the third colour. The style classes take [0] (rank 246), then
 * the 1/r quantile of what is left, r = 4, 3, 2, 1: ranks 706 + 525/4 = 837 (value
 * 132), 838 + 393/3 = 969 (264), 970 + 261/2 = 1100 (395), 1231 (526): five classes, the
 * last one in the darkest colour. */
static void test_style_classes(void)
{
	double v[1232], w[1232];
	ex_classes q, c;

	for (int i = 0; i < 1232; i++)
		v[i] = w[i] = i < 706 ? 0.0 : (double)(i - 705);
	ex_classes_make(&q, v, 1232);
	is_int(q.n, 3, "quantile classes collapse to 3 on 706 zeros out of 1,232");
	ex_style_classes(&c, w, 1232);
	is_int(c.n, 5, "style classes: 5 classes");
	ok(c.brk[0] == 0 && c.brk[1] == 0, "style classes: first class is the value 0 alone");
	ok(c.brk[2] == 132 && c.brk[3] == 264 && c.brk[4] == 395 && c.brk[5] == 526,
	   "style classes: quintiles of 1..526 (132, 264, 395, 526)");
	is_str(ex_style_colour(4, 5), ex_palette[4], "top class of 5: darkest colour");
	is_str(ex_style_colour(2, 3), ex_palette[4], "top class of 3: darkest colour too");
	is_str(ex_style_colour(1, 3), ex_palette[2], "middle class of 3: middle colour");
	is_str(ex_style_colour(0, 3), ex_palette[0], "first class of 3: lightest colour");
	v[0] = NAN;
	for (int i = 1; i < 10; i++)
		v[i] = 7.0;
	is_int(ex_style_distinct(v, 10), 1, "one distinct value (NAN ignored)");
	v[5] = 8.0;
	is_int(ex_style_distinct(v, 10), 2, "two distinct values");
}

/* Covered when the hole's centre lies in [5000, 5100]^2 (where the "enclave" is). */
static bool enclave_covers(cpts_ctx *ctx, void *arg, const GEOSGeometry *hole, double area)
{
	double x0 = 0, y0 = 0;

	(void)arg;
	(void)area;
	GEOSGeom_getXMin_r(ctx->geos, hole, &x0);
	GEOSGeom_getYMin_r(ctx->geos, hole, &y0);
	return x0 >= 5000 && x0 <= 5100 && y0 >= 5000 && y0 <= 5100;
}

/* A 10 km square with four inner rings: a zero-area ring (three collinear points), a
 * 50 m gap (0.25 ha, no commune), a 60 m hole an enclave fills (0.36 ha) and a 200 m
 * gap (4 ha). With a 1 ha bound: the first two go, the other two stay, so the area is
 * 1e8 - 3,600 - 40,000 m2 and the PAC (perimeter km / 3.54 sqrt(km2)) counts the
 * 40 + 0.24 + 0.8 km of shell and kept holes. */
static void test_clean_holes(void)
{
	cpts_ctx ctx;
	GEOSWKTReader *r;
	GEOSGeometry *g, *out = NULL;
	ex_holes_stats st = { 0, 0 };
	double a = 0, len = 0;

	if (cpts_ctx_init(&ctx) != CPTS_OK)
		return;
	r = GEOSWKTReader_create_r(ctx.geos);
	g = GEOSWKTReader_read_r(ctx.geos, r, "POLYGON((0 0,10000 0,10000 10000,0 10000,0 0),"
				 "(1000 1000,2000 1000,3000 1000,1000 1000),"
				 "(2000 2000,2000 2050,2050 2050,2050 2000,2000 2000),"
				 "(5000 5000,5000 5060,5060 5060,5060 5000,5000 5000),"
				 "(7000 7000,7000 7200,7200 7200,7200 7000,7000 7000))");
	is_int(ex_geom_clean_holes(&ctx, &out, g, 1e4, enclave_covers, NULL, &st), CPTS_OK,
	       "holes cleaned");
	is_int((int)st.n_zero, 1, "one zero-area ring dropped");
	is_int((int)st.n_filled, 1, "one uncovered sub-hectare gap closed");
	ok(out && GEOSGetNumInteriorRings_r(ctx.geos, out) == 2,
	   "the enclave's hole and the 4 ha gap kept");
	if (out) {
		GEOSArea_r(ctx.geos, out, &a);
		GEOSLength_r(ctx.geos, out, &len);
	}
	near(a, 1e8 - 3600 - 40000, 1e-6, "area: 10 km square minus the kept holes");
	near(len, 40000 + 240 + 800, 1e-6, "perimeter: shell and kept holes");
	ok(out && GEOSisValid_r(ctx.geos, out) == 1, "result valid");
	if (out)
		GEOSGeom_destroy_r(ctx.geos, out);
	out = NULL;
	st.n_zero = st.n_filled = 0;
	is_int(ex_geom_clean_holes(&ctx, &out, g, 0, enclave_covers, NULL, &st), CPTS_OK,
	       "bound 0: holes kept");
	ok(out && GEOSGetNumInteriorRings_r(ctx.geos, out) == 3 && st.n_zero == 1 &&
	   st.n_filled == 0, "bound 0: only the zero-area ring dropped");
	if (out)
		GEOSGeom_destroy_r(ctx.geos, out);
	GEOSGeom_destroy_r(ctx.geos, g);
	GEOSWKTReader_destroy_r(ctx.geos, r);
	cpts_ctx_release(&ctx);
}

/* Symmetric difference area of a and b (both valid), -1 on failure. */
static double symdiff_area(cpts_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b)
{
	GEOSGeometry *x = GEOSSymDifference_r(ctx->geos, a, b);
	double area = -1;

	if (x) {
		GEOSArea_r(ctx->geos, x, &area);
		GEOSGeom_destroy_r(ctx->geos, x);
	}
	return area;
}

/* Issue 13: territories whose communes are not a clean coverage (two départements'
 * communes overlap along their border: 318 of 803 territories of France) were
 * dissolved by the overlay union of every commune (a fifth of an export's CPU); the
 * noded dissolve gives the same polygon. Case 1: two squares overlapping by a 0.5 m
 * strip with no shared vertex (the coverage union refuses it): the union is the
 * 20 x 10 rectangle. Case 2: a 3 x 3 grid of 10 m cells without its centre (a gap no
 * commune covers: a hole of 100 m2), one cell drawn clockwise, one shifted 0.2 m
 * into its neighbour, one split in two exactly (a vertex of the other side missing):
 * area 800, one hole, as the overlay union. Case 3: a commune with a hole an enclave
 * fills when the enclave is in the collection (no hole) and keeps when it is not. */
static void test_dissolve_noded(void)
{
	static const char *const cases[] = {
		"GEOMETRYCOLLECTION(POLYGON((0 0,10 0,10 10,0 10,0 0)),"
		"POLYGON((9.5 0,20 0,20 10,9.5 10,9.5 0)))",
		"GEOMETRYCOLLECTION(POLYGON((0 0,10 0,10 10,0 10,0 0)),"
		"POLYGON((10 0,10 10,20 10,20 0,10 0)),"          /* clockwise */
		"POLYGON((19.8 0,30 0,30 10,19.8 10,19.8 0)),"    /* 0.2 m over its neighbour */
		"POLYGON((0 10,10 10,10 20,0 20,0 10)),"
		"POLYGON((20 10,30 10,30 20,20 20,20 10)),"
		"POLYGON((0 20,10 20,10 30,0 30,0 20)),"
		"POLYGON((10 20,20 20,20 30,10 30,10 20)),"
		"POLYGON((20 20,30 20,30 25,30 30,20 30,20 20)),"  /* 30 25: not on the other side */
		"POLYGON((30 20,40 20,40 30,30 30,30 20)))",
		"GEOMETRYCOLLECTION(POLYGON((0 0,30 0,30 30,0 30,0 0),(10 10,10 20,20 20,20 10,10 10)),"
		"POLYGON((10 10,20 10,20 20,10 20,10 10)),POLYGON((29.9 0,40 0,40 30,29.9 30,29.9 0)))",
		"GEOMETRYCOLLECTION(POLYGON((0 0,30 0,30 30,0 30,0 0),(10 10,10 20,20 20,20 10,10 10)),"
		"POLYGON((29.9 0,40 0,40 30,29.9 30,29.9 0)))",
	};
	static const double area[] = { 200, 900, 1200, 1100 };
	static const int holes[] = { 0, 1, 0, 1 };
	cpts_ctx ctx;
	GEOSWKTReader *r;

	if (cpts_ctx_init(&ctx) != CPTS_OK)
		return;
	r = GEOSWKTReader_create_r(ctx.geos);
	for (int k = 0; k < 4; k++) {
		GEOSGeometry *g = GEOSWKTReader_read_r(ctx.geos, r, cases[k]);
		GEOSGeometry *cu = g ? GEOSCoverageUnion_r(ctx.geos, g) : NULL;
		GEOSGeometry *uu = g ? GEOSUnaryUnion_r(ctx.geos, g) : NULL;
		GEOSGeometry *out = g ? ex_geom_dissolve_noded(&ctx, g) : NULL;
		double a = -1, sd = -1;
		int nh = -1;
		if (out) {
			GEOSArea_r(ctx.geos, out, &a);
			sd = uu ? symdiff_area(&ctx, out, uu) : -1;
			nh = GEOSGeomTypeId_r(ctx.geos, out) == GEOS_POLYGON
				     ? GEOSGetNumInteriorRings_r(ctx.geos, out) : -1;
		}
		{ /* GEOS 3.11's coverage union fails, or returns the overlapping pieces */
			double ca = -1;
			if (cu)
				GEOSArea_r(ctx.geos, cu, &ca);
			ok(!cu || GEOSisValid_r(ctx.geos, cu) != 1 || fabs(ca - area[k]) > 1e-9,
			   "13: case %d is not a clean coverage (coverage union %s)", k + 1,
			   cu ? "invalid or of another area" : "fails");
		}
		near(a, area[k], 1e-9, "13: case %d: noded dissolve area", k + 1);
		ok(sd >= 0 && sd < 1e-9, "13: case %d: same polygon as the overlay union"
		   " (symmetric difference %g m2)", k + 1, sd);
		is_int(nh, holes[k], "13: case %d: one polygon with %d hole(s)", k + 1, holes[k]);
		ok(out && GEOSisValid_r(ctx.geos, out) == 1, "13: case %d: valid", k + 1);
		if (cu)
			GEOSGeom_destroy_r(ctx.geos, cu);
		if (uu)
			GEOSGeom_destroy_r(ctx.geos, uu);
		if (out)
			GEOSGeom_destroy_r(ctx.geos, out);
		if (g)
			GEOSGeom_destroy_r(ctx.geos, g);
	}
	{
		GEOSGeometry *g = GEOSWKTReader_read_r(ctx.geos, r, "GEOMETRYCOLLECTION("
						      "LINESTRING(0 0,1 1),POLYGON((0 0,1 0,1 1,0 0)))");
		GEOSGeometry *out = g ? ex_geom_dissolve_noded(&ctx, g) : NULL;
		ok(g && out == NULL, "13: a line in the collection: NULL (the overlay union decides)");
		if (out)
			GEOSGeom_destroy_r(ctx.geos, out);
		if (g)
			GEOSGeom_destroy_r(ctx.geos, g);
	}
	GEOSWKTReader_destroy_r(ctx.geos, r);
	cpts_ctx_release(&ctx);
}

/* The flow table's Total never leaves a small remainder: 329 + 310 + a hidden 9 gave
 * Total 648, hence the 9; now the 310 joins the 9 in "Autres" (319). */
static void test_flow_rows(void)
{
	const double v1[] = { 329, 310, 9 };
	const double v2[] = { 500, 40, 30, 20, 15, 12, 11, 11, 11, 5 };
	const double v3[] = { 6, 3 };
	double rest;
	size_t n;

	n = ex_flow_rows_shown(v1, 3, 648, 11, &rest);
	is_int(n, 1, "329, 310, 9: one row shown");
	ok(rest == 319, "the rest 310 + 9 = 319 is grouped (got %g)", rest);
	n = ex_flow_rows_shown(v1, 2, 639, 11, &rest);
	ok(n == 2 && rest == 0, "no small flow: both rows, no rest");
	/* 8 rows shown would leave 11 + 5 = 16 (>= 11): fine */
	n = ex_flow_rows_shown(v2, 10, 655, 11, &rest);
	ok(n == 8 && rest == 16, "top 8 shown, rest 16 (got %zu, %g)", n, rest);
	n = ex_flow_rows_shown(v3, 2, 9, 11, &rest);
	ok(n == 0 && rest == 9, "all small: nothing shown (the total itself is then < 11)");
	for (size_t m = 0; m <= 10; m++) {
		double tot = 0;
		for (size_t k = 0; k < m; k++)
			tot += v2[k];
		n = ex_flow_rows_shown(v2, m, tot, 11, &rest);
		if (!(rest == 0 || rest >= 11 || n == 0))
			break;
		if (m == 10)
			ok(1, "every prefix of the table leaves a rest of 0 or >= 11");
	}
}

int main(void)
{
	test_style_classes();
	test_clean_holes();
	test_dissolve_noded();
	test_flow_rows();
	test_masked_formats();
	test_par();
	test_vindex();
	cpts_ctx ctx;
	char *ws;

	setenv("CPTS_FIXED_TIME", "2026-01-01T00:00:00Z", 1);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/cpts_export_XXXXXX");
	if (!mkdtemp(tmpdir) || cpts_ctx_init(&ctx) != CPTS_OK)
		skip_all("cannot set up a context");
	ctx.verbosity = CPTS_LOG_WARN;
	cpts_gdal_init();
	ws = cpts_asprintf("%s/ws.sqlite", tmpdir);
	is_int(make_small_ws(&ctx, ws), CPTS_OK, "small workspace built");
	test_gpkg(&ctx, ws);
	test_other_formats(&ctx, ws);
	test_html(&ctx, ws);
	test_determinism(&ctx, ws);
	test_parallel_writers(&ctx, ws);
	test_failures(&ctx, ws);
	test_report_interrupted(&ctx, ws);
	test_big_page(&ctx);
	free(ws);
	cpts_ctx_release(&ctx);
	{
		char *cmd = cpts_asprintf("rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("cannot remove %s", tmpdir);
		free(cmd);
	}
	return done_testing();
}
