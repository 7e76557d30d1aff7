/*
 * ws_helper.h - tiny hand-made workspaces for the graph and basins unit tests:
 * communes inserted with SQL (GeomFromText in Lambert-93 or an overseas CRS),
 * populations ('T', 'ALL') and flows. Header-only, shared by tests/unit/graph and
 * tests/unit/basins.
 */
#ifndef CPTS_TEST_WS_HELPER_H
#define CPTS_TEST_WS_HELPER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/store.h"
#include "cpts/util.h"

/* A new empty workspace in a temporary file; path written to path_out (size 256). */
static inline cpts_store *ws_create(cpts_ctx *ctx, char *path_out)
{
	cpts_store *s = NULL;
	int fd;

	snprintf(path_out, 256, "/tmp/cpts_test_ws_XXXXXX");
	fd = mkstemp(path_out);
	if (fd < 0)
		return NULL;
	close(fd);
	unlink(path_out);
	if (cpts_store_open(ctx, &s, path_out, CPTS_STORE_CREATE) < 0)
		return NULL;
	return s;
}

static inline void ws_drop(cpts_store *s, const char *path)
{
	cpts_store_free(s);
	unlink(path);
}

/* Insert a commune with a WKT (multi)polygon; area and perimeter from the geometry,
 * representative point = PointOnSurface. */
static inline int ws_commune(cpts_ctx *ctx, cpts_store *s, const char *code, const char *dep,
			     int srid, const char *wkt)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = cpts_store_prepare(ctx, s, &st,
		"INSERT INTO communes(code, name, dep, reg, parent, srid, area_km2, perimeter_km,"
		" px, py, lon, lat, geom) SELECT ?1, 'Commune ' || ?1, ?2, '52', '', ?3,"
		" ST_Area(g) / 1e6, ST_Perimeter(g) / 1e3, ST_X(ST_PointOnSurface(g)),"
		" ST_Y(ST_PointOnSurface(g)), 0, 0, g FROM (SELECT CastToMultiPolygon("
		"GeomFromText(?4, ?3)) AS g)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, dep, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, srid);
	sqlite3_bind_text(st, 4, wkt, -1, SQLITE_TRANSIENT);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

/* An axis-aligned rectangle commune (metres, Lambert-93). */
static inline int ws_rect(cpts_ctx *ctx, cpts_store *s, const char *code, double x0, double y0,
			  double x1, double y1)
{
	char wkt[256];

	snprintf(wkt, sizeof(wkt), "POLYGON((%.3f %.3f, %.3f %.3f, %.3f %.3f, %.3f %.3f,"
		 " %.3f %.3f))", x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
	return ws_commune(ctx, s, code, "44", 2154, wkt);
}

static inline int ws_pop(cpts_ctx *ctx, cpts_store *s, const char *code, double pop)
{
	sqlite3_stmt *st = NULL;
	int rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO population(code, sex, age, pop)"
				    " VALUES(?, 'T', 'ALL', ?)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(st, 2, pop);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

/* A flow row; volume < 0 inserts a masked cell. */
static inline int ws_flow(cpts_ctx *ctx, cpts_store *s, const char *orig, const char *dest,
			  const char *profession, double volume, int outside)
{
	sqlite3_stmt *st = NULL;
	int rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO flows(orig, dest, profession,"
				    " volume, masked, outside) VALUES(?,?,?,?,?,?)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, orig, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, dest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, profession, -1, SQLITE_TRANSIENT);
	if (volume < 0)
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_double(st, 4, volume);
	sqlite3_bind_int(st, 5, volume < 0);
	sqlite3_bind_int(st, 6, outside);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

/* A partition member row. */
static inline int ws_member(cpts_ctx *ctx, cpts_store *s, const char *partition,
			    const char *code, const char *terr)
{
	int rc = cpts_store_run(ctx, s, "INSERT OR IGNORE INTO partitions(name, kind)"
				" VALUES(?, 'input')", partition, (const char *)NULL);
	if (rc < 0)
		return rc;
	return cpts_store_run(ctx, s, "INSERT INTO partition_members(partition, code, territory,"
			      " statut, weight) VALUES(?,?,?,NULL,1)", partition, code, terr,
			      (const char *)NULL);
}
#endif
