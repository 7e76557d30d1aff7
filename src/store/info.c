/*
 * info.c - `cpts info`: what a workspace holds. Per table: rows, communes covered,
 * masked cells, vintage, source file, its SHA-256 and ingest time; the CRS of the
 * communes; partitions with their territory counts.
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/outfile.h"
#include "cpts/util.h"
#include "store/store_int.h"

/* Rows, communes covered (-1 without a code column) and masked cells of table t: the
 * rows counted now (count(*) walks the pages without decoding a row: 10 ms for 5 M
 * flows), the rest from table_stats when its rows agree (stats.c), else counted. */
static int table_counts(cpts_ctx *ctx, cpts_store *s, const cpts_store_tbl *t, long long *rows,
			long long *n_com, long long *masked)
{
	cpts_store_tbl only_rows = { t->name, NULL, NULL, t->label };
	long long kept_rows;
	int r;

	if (cpts_store__stats_count(s, &only_rows, rows, n_com, masked) != SQLITE_OK)
		return cpts_store_fail(ctx, s, "counting rows");
	if (!t->code_col && !t->masked)
		return CPTS_OK;
	r = cpts_store__stats_get(s, t, &kept_rows, n_com, masked);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return cpts_store_fail(ctx, s, "reading table_stats");
	if (r == SQLITE_ROW && kept_rows == *rows)
		return CPTS_OK;
	if (cpts_store__stats_count(s, t, rows, n_com, masked) != SQLITE_OK)
		return cpts_store_fail(ctx, s, "counting rows");
	return CPTS_OK;
}

int cpts_store_info(cpts_ctx *ctx, cpts_store *s, FILE *out, bool json)
{
	cpts_buf b = CPTS_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char *ver = NULL, *created = NULL;
	int rc = CPTS_OK;
	bool first = true;

	if ((rc = cpts_store_meta_lookup(ctx, s, "schema_version", &ver)) < 0 ||
	    (rc = cpts_store_meta_lookup(ctx, s, "created", &created)) < 0)
		goto out;
	if (json)
		cpts_buf_addf(&b, "{\"workspace\":");
	if (json) {
		cpts_buf_add_json(&b, s->path);
		cpts_buf_addf(&b, ",\"schema_version\":%s,\"tables\":[", ver ? ver : "null");
	} else {
		cpts_buf_addf(&b, "workspace %s (schema version %s, created %s)\n", cpts_text(s->path),
			      ver ? ver : "?", created ? created : "?");
	}
	for (const cpts_store_tbl *t = cpts_store__tables; t->name; t++) {
		long long rows, n_com, masked;
		sqlite3_stmt *src = NULL;
		const char *file = NULL, *sha = NULL, *when = NULL, *vintage = NULL;
		int by_sex_age = 1;

		if ((rc = table_counts(ctx, s, t, &rows, &n_com, &masked)) < 0 ||
		    (strcmp(t->name, "population") == 0 &&
		     (rc = by_sex_age = cpts_store_population_by_sex_age(ctx, s)) < 0) ||
		    (rc = cpts_store_prepare(ctx, s, &src, "SELECT file, sha256, ingested_at,"
					     " vintage FROM sources WHERE tbl = ?")) < 0)
			goto out;
		sqlite3_bind_text(src, 1, t->name, -1, SQLITE_STATIC);
		if ((rc = cpts_store_row(ctx, s, src, "reading sources")) < 0) {
			sqlite3_finalize(src);
			goto out;
		}
		if (rc > 0) {
			file = (const char *)sqlite3_column_text(src, 0);
			sha = (const char *)sqlite3_column_text(src, 1);
			when = (const char *)sqlite3_column_text(src, 2);
			vintage = (const char *)sqlite3_column_text(src, 3);
		}
		if (json) {
			cpts_buf_addf(&b, "%s{\"table\":\"%s\",\"rows\":%lld", first ? "" : ",",
				      t->name, rows);
			if (n_com >= 0)
				cpts_buf_addf(&b, ",\"communes\":%lld", n_com);
			cpts_buf_addf(&b, ",\"masked\":%lld", masked);
			if (file) {
				cpts_buf_addstr(&b, ",\"file\":");
				cpts_buf_add_json(&b, file);
				cpts_buf_addf(&b, ",\"sha256\":\"%s\",\"ingested_at\":\"%s\"",
					      sha ? sha : "", when ? when : "");
			}
			if (vintage) {
				cpts_buf_addstr(&b, ",\"vintage\":");
				cpts_buf_add_json(&b, vintage);
			}
			cpts_buf_addch(&b, '}');
			first = false;
		} else if (rows > 0 || file) {
			cpts_buf_addf(&b, "  %-12s %9lld rows", t->name, rows);
			if (n_com >= 0)
				cpts_buf_addf(&b, ", %lld communes", n_com);
			if (masked)
				cpts_buf_addf(&b, ", %lld masked", masked);
			/* a population of totals only is not "by sex and age" */
			if (!by_sex_age)
				cpts_buf_addstr(&b, "  (population totals, no sex and age)\n");
			else
				cpts_buf_addf(&b, "  (%s)\n", t->label);
			if (file)
				cpts_buf_addf(&b, "               from %s\n               sha256 %s,"
					      " ingested %s%s%s\n", cpts_text(file), sha ? sha : "?",
					      when ? when : "?", vintage ? ", vintage " : "",
					      vintage ? cpts_text(vintage) : "");
		}
		sqlite3_finalize(src);
	}
	/* CRS of the communes */
	if (json)
		cpts_buf_addstr(&b, "],\"crs\":[");
	else
		cpts_buf_addstr(&b, "CRS of the communes:\n");
	first = true;
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT srid, count(*) FROM communes GROUP BY"
				     " srid ORDER BY srid")) < 0)
		goto out;
	while ((rc = cpts_store_row(ctx, s, st, "reading communes")) > 0) {
		int srid = sqlite3_column_int(st, 0);
		long long n = sqlite3_column_int64(st, 1);
		if (json)
			cpts_buf_addf(&b, "%s{\"epsg\":%d,\"communes\":%lld}", first ? "" : ",", srid, n);
		else
			cpts_buf_addf(&b, "  EPSG:%d  %lld communes\n", srid, n);
		first = false;
	}
	if (rc < 0)
		goto out;
	sqlite3_finalize(st);
	st = NULL;
	if (json)
		cpts_buf_addstr(&b, "],\"partitions\":[");
	else
		cpts_buf_addstr(&b, "partitions:\n");
	first = true;
	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT p.name, p.kind, (SELECT count(DISTINCT territory) FROM"
			" partition_members m WHERE m.partition = p.name), (SELECT count(DISTINCT"
			" code) FROM partition_members m WHERE m.partition = p.name), p.source,"
			" src.sha256, src.ingested_at FROM partitions p LEFT JOIN sources src ON"
			" src.tbl = 'partition:' || p.name ORDER BY p.name")) < 0)
		goto out;
	while ((rc = cpts_store_row(ctx, s, st, "reading partitions")) > 0) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *src = (const char *)sqlite3_column_text(st, 4);
		const char *sha = (const char *)sqlite3_column_text(st, 5);
		const char *when = (const char *)sqlite3_column_text(st, 6);
		if (json) {
			cpts_buf_addstr(&b, first ? "{\"name\":" : ",{\"name\":");
			cpts_buf_add_json(&b, name ? name : "");
			cpts_buf_addf(&b, ",\"kind\":\"%s\",\"territories\":%lld,\"communes\":%lld",
				      kind ? kind : "", (long long)sqlite3_column_int64(st, 2),
				      (long long)sqlite3_column_int64(st, 3));
			if (sha) {
				cpts_buf_addstr(&b, ",\"file\":");
				cpts_buf_add_json(&b, src ? src : "");
				cpts_buf_addf(&b, ",\"sha256\":\"%s\",\"ingested_at\":\"%s\"", sha,
					      when ? when : "");
			}
			cpts_buf_addch(&b, '}');
		} else {
			cpts_buf_addf(&b, "  %-20s %-7s %lld territories, %lld communes%s%s\n",
				      cpts_text(name), cpts_text(kind),
				      (long long)sqlite3_column_int64(st, 2),
				      (long long)sqlite3_column_int64(st, 3), src ? "  from " : "",
				      cpts_text(src));
			if (sha)
				cpts_buf_addf(&b, "  %-28s sha256 %s, ingested %s\n", "", sha,
					      when ? when : "?");
		}
		first = false;
	}
	if (rc < 0)
		goto out;
	if (first && !json)
		cpts_buf_addstr(&b, "  (none)\n");
	if (json)
		cpts_buf_addstr(&b, "]}\n");
	fputs(b.data, out);
out:
	sqlite3_finalize(st);
	cpts_buf_release(&b);
	free(ver);
	free(created);
	return rc;
}
