/*
 * out_pg.c - what the PostgreSQL/PostGIS output (`--format PostgreSQL --dsn PG:...`)
 * needs beyond the OGR layers out_gpkg.c writes: a check that the database has PostGIS
 * (without it OGR silently writes geometries as bytea, which QGIS cannot draw), the
 * target schema, COMMENT ON TABLE / COLUMN with the French titles and descriptions,
 * and the default QGIS styles in the `layer_styles` table QGIS itself creates (in the
 * schema of the search path, public by default; f_table_catalog is the database name,
 * f_table_schema the schema, as QGIS's postgres provider selects them).
 *
 * Statements are gathered in a buffer, separated by EX_PG_SEP (QML holds newlines and
 * semicolons), and run once the layers are committed. Every literal goes through
 * pg_quote (standard_conforming_strings is on by default since PostgreSQL 9.1, so only
 * quotes are doubled; a string with a backslash is written as an E'' literal).
 */
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <string.h>

#include "dep/dep.h"
#include "export/export_int.h"

/* Append a quoted SQL literal. */
static void pg_quote(cpts_buf *b, const char *s)
{
	bool esc = strchr(s, '\\') != NULL;

	if (esc)
		cpts_buf_addch(b, 'E');
	cpts_buf_addch(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || (esc && *s == '\\'))
			cpts_buf_addch(b, *s);
		cpts_buf_addch(b, *s);
	}
	cpts_buf_addch(b, '\'');
}

/* Append a quoted identifier. */
static void pg_ident(cpts_buf *b, const char *s)
{
	cpts_buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			cpts_buf_addch(b, '"');
		cpts_buf_addch(b, *s);
	}
	cpts_buf_addch(b, '"');
}

void ex_dsn_safe(char *out, size_t n, const char *dsn)
{
	const char *p = strstr(dsn, "password=");

	if (!p) {
		snprintf(out, n, "%s", dsn);
		return;
	}
	snprintf(out, n, "%.*spassword=***%s", (int)(p - dsn), dsn, p + strcspn(p, " "));
}

/* First column of the first row of a query as text (OWNED), or NULL. */
static char *query_text(GDALDatasetH ds, const char *sql)
{
	OGRLayerH res;
	OGRFeatureH f;
	char *out = NULL;

	cpts_gdal_clear_error();
	if (!(res = GDALDatasetExecuteSQL(ds, sql, NULL, NULL)))
		return NULL;
	if ((f = OGR_L_GetNextFeature(res))) {
		if (OGR_F_IsFieldSetAndNotNull(f, 0))
			out = cpts_strdup(OGR_F_GetFieldAsString(f, 0));
		OGR_F_Destroy(f);
	}
	GDALDatasetReleaseResultSet(ds, res);
	return out;
}

int ex_pg_prepare(cpts_ctx *ctx, GDALDatasetH ds, const char *dsn, const char *schema,
		  char **dbname_out)
{
	char safe[512], *v;
	cpts_buf sql = CPTS_BUF_INIT;
	int rc = CPTS_OK;

	*dbname_out = NULL;
	ex_dsn_safe(safe, sizeof(safe), dsn);
	v = query_text(ds, "SELECT extversion FROM pg_extension WHERE extname = 'postgis'");
	if (!v) {
		return cpts_fail(ctx, CPTS_EDEP, "the database of '%s' has no PostGIS extension:"
				 " run 'CREATE EXTENSION postgis;' in it as a superuser (Debian:"
				 " package postgresql-15-postgis-3 on the server)", safe);
	}
	free(v);
	if (!(*dbname_out = query_text(ds, "SELECT current_database()")))
		return cpts_fail_gdal(ctx, CPTS_EIO, "cannot read the database name of '%s'",
				      safe);
	cpts_buf_addstr(&sql, "CREATE SCHEMA IF NOT EXISTS ");
	pg_ident(&sql, schema);
	cpts_gdal_clear_error();
	v = query_text(ds, sql.data);
	free(v);
	if (CPLGetLastErrorType() >= CE_Failure)
		rc = cpts_fail_gdal(ctx, CPTS_EIO, "cannot create schema '%s' in '%s'", schema,
				    safe);
	cpts_buf_release(&sql);
	return rc;
}

void ex_pg_comment(cpts_buf *sql, const char *schema, const char *table, const char *column,
		   const char *text)
{
	cpts_buf_addstr(sql, column ? "COMMENT ON COLUMN " : "COMMENT ON TABLE ");
	pg_ident(sql, schema);
	cpts_buf_addch(sql, '.');
	pg_ident(sql, table);
	if (column) {
		cpts_buf_addch(sql, '.');
		pg_ident(sql, column);
	}
	cpts_buf_addstr(sql, " IS ");
	pg_quote(sql, text);
	cpts_buf_addstr(sql, EX_PG_SEP);
}

void ex_pg_styles_table(cpts_buf *sql, const char *catalog, const char *schema)
{
	/* the table as QGIS 3.22 creates it (QgsPostgresProviderMetadata::saveStyle) */
	cpts_buf_addstr(sql, "CREATE TABLE IF NOT EXISTS public.layer_styles(id SERIAL PRIMARY"
			" KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name"
			" varchar, f_geometry_column varchar, stylename text, styleqml xml,"
			" stylesld xml, useasdefault boolean, description text, owner varchar(63)"
			" DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT"
			" CURRENT_TIMESTAMP, type varchar)" EX_PG_SEP);
	/* the styles of the layers this export replaces */
	cpts_buf_addstr(sql, "DELETE FROM public.layer_styles WHERE f_table_catalog = ");
	pg_quote(sql, catalog);
	cpts_buf_addstr(sql, " AND f_table_schema = ");
	pg_quote(sql, schema);
	cpts_buf_addstr(sql, " AND f_table_name IN ('communes', 'territoires', 'flux',"
			" 'metadata')" EX_PG_SEP);
}

void ex_pg_style(cpts_buf *sql, const char *catalog, const char *schema, const char *table,
		 const char *geom_col, const char *name, const char *qml, const char *desc,
		 const char *timestamp)
{
	cpts_buf_addstr(sql, "INSERT INTO public.layer_styles(f_table_catalog, f_table_schema,"
			" f_table_name, f_geometry_column, stylename, styleqml, stylesld,"
			" useasdefault, description, owner, update_time) VALUES(");
	pg_quote(sql, catalog);
	cpts_buf_addch(sql, ',');
	pg_quote(sql, schema);
	cpts_buf_addch(sql, ',');
	pg_quote(sql, table);
	cpts_buf_addch(sql, ',');
	if (*geom_col)
		pg_quote(sql, geom_col);
	else
		cpts_buf_addstr(sql, "NULL"); /* QGIS: f_geometry_column IS NULL */
	cpts_buf_addch(sql, ',');
	pg_quote(sql, name);
	cpts_buf_addstr(sql, ",XMLPARSE(DOCUMENT ");
	pg_quote(sql, qml);
	cpts_buf_addstr(sql, "),NULL,true,");
	pg_quote(sql, desc);
	cpts_buf_addstr(sql, ",'cpts',");
	pg_quote(sql, timestamp);
	cpts_buf_addstr(sql, "::timestamp)" EX_PG_SEP);
}

int ex_pg_exec(cpts_ctx *ctx, GDALDatasetH ds, cpts_buf *sql, const char *dsn)
{
	char *p = sql->data, *next, safe[512];
	size_t seplen = strlen(EX_PG_SEP);

	ex_dsn_safe(safe, sizeof(safe), dsn);
	for (; *p; p = next) {
		OGRLayerH res;
		char *end = strstr(p, EX_PG_SEP);
		if (end) {
			*end = '\0';
			next = end + seplen;
		} else {
			next = p + strlen(p);
		}
		cpts_gdal_clear_error();
		res = GDALDatasetExecuteSQL(ds, p, NULL, NULL);
		if (res)
			GDALDatasetReleaseResultSet(ds, res);
		if (CPLGetLastErrorType() >= CE_Failure)
			return cpts_fail_gdal(ctx, CPTS_EIO, "cannot write the comments and styles"
					      " of '%s'", safe);
	}
	return CPTS_OK;
}
