/*
 * test_layers.c - the real commune layers of ../shared/data/geo: Pays de la Loire
 * (1 232 communes), Bretagne (1 206), Guadeloupe (32, EPSG:5490) and all of
 * metropolitan France (34 806, gzip'd). Counts come from SOURCES.md; reference areas
 * and perimeters were computed independently with GDAL's SQLite dialect after
 * reprojection, e.g.
 *   ogrinfo -q -dialect sqlite -sql "SELECT code, ST_Area(ST_Transform(geometry, 2154))/1e6,
 *     ST_Perimeter(ST_Transform(geometry, 2154))/1e3 FROM communes_r52_pays_de_la_loire_cog2024
 *     WHERE code='44109'" communes_r52_pays_de_la_loire_cog2024.geojson
 * (EPSG:5490 for 97101; /vsigzip/ and layer "communes_metro_cog2024.geojson" for France).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/ingest.h"
#include "cpts/store.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static double q1(cpts_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	double v = -999;

	if (sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void one_layer(cpts_ctx *ctx, cpts_store *s, const char *data, const char *file,
		      long n, const char *code, double area, double perim, int srid)
{
	char path[4096], sql[256];
	size_t skipped = 99;

	snprintf(path, sizeof(path), "%s/geo/%s", data, file);
	cpts_error_clear(ctx);
	is_int(cpts_ingest_communes(ctx, s, path, NULL, &skipped), CPTS_OK, "%s ingests", file);
	if (ctx->err.code)
		diag("%s", ctx->err.msg);
	is_int(skipped, 0, "%s: nothing skipped", file);
	is_int(q1(s, "SELECT count(*) FROM communes"), n, "%s: %ld communes", file, n);
	snprintf(sql, sizeof(sql), "SELECT area_km2 FROM communes WHERE code = '%s'", code);
	near(q1(s, sql), area, 1e-6, "%s: area of %s", file, code);
	snprintf(sql, sizeof(sql), "SELECT perimeter_km FROM communes WHERE code = '%s'", code);
	if (perim > 0)
		near(q1(s, sql), perim, 1e-6, "%s: perimeter of %s", file, code);
	snprintf(sql, sizeof(sql), "SELECT srid FROM communes WHERE code = '%s'", code);
	is_int(q1(s, sql), srid, "%s: %s in EPSG:%d", file, code, srid);
	is_int(q1(s, "SELECT count(*) FROM communes WHERE NOT ST_Within(MakePoint(px, py, srid),"
		  " geom) AND NOT ST_Touches(MakePoint(px, py, srid), geom)"), 0,
	       "%s: every representative point lies in its commune", file);
}

int main(void)
{
	cpts_ctx ctx;
	cpts_store *s = NULL;
	const char *data = tap_shared_data();
	char ws[256];

	if (!data)
		skip_all("../shared/data is absent (real commune layers)");
	snprintf(ws, sizeof(ws), "/tmp/cpts_test_layers_%d.sqlite", (int)getpid());
	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	unlink(ws);
	if (cpts_store_open(&ctx, &s, ws, CPTS_STORE_CREATE) < 0) {
		printf("Bail out! %s\n", ctx.err.msg);
		return 1;
	}
	one_layer(&ctx, s, data, "communes_r52_pays_de_la_loire_cog2024.geojson", 1232, "44109",
		  65.703875656948, 55.8370130105947, 2154);
	near(q1(s, "SELECT area_km2 FROM communes WHERE code = '49007'"), 44.3906156824376, 1e-6,
	     "Angers area");
	is_int(q1(s, "SELECT count(*) FROM communes WHERE dep = '85'"), 255, "255 communes in Vendée");
	one_layer(&ctx, s, data, "communes_r53_bretagne_cog2024.geojson", 1206, "29019",
		  49.1125138899498, 60.5995160458917, 2154);
	one_layer(&ctx, s, data, "communes_971_guadeloupe.geojson", 32, "97101", 69.9861500385247,
		  49.9333631131433, 5490);
	near(q1(s, "SELECT lat FROM communes WHERE code = '97101'"), 16.27, 0.01,
	     "Les Abymes latitude about 16.27 N (axis order longitude, latitude)");
#ifdef UNDER_ASAN
	printf("ok %d - # SKIP metropolitan France (34 806 communes) is skipped under "
	       "AddressSanitizer: too slow; run in the optimised build\n", ++tap_n);
#else
	one_layer(&ctx, s, data, "communes_metro_cog2024.geojson.gz", 34806, "75056",
		  105.196683421833, 0, 2154);
	near(q1(s, "SELECT area_km2 FROM communes WHERE code = '2A004'"), 82.8731130569309, 1e-6,
	     "Ajaccio area");
	near(q1(s, "SELECT area_km2 FROM communes WHERE code = '13055'"), 238.469165635146, 1e-6,
	     "Marseille area");
	is_int(q1(s, "SELECT count(*) FROM communes WHERE parent IS NOT NULL"), 0,
	       "no arrondissement in the metropolitan layer");
#endif
	cpts_store_free(s);
	unlink(ws);
	cpts_ctx_release(&ctx);
	return done_testing();
}
