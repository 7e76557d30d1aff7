/*
 * test_store_errors.c - unit tests of the store's error model (issue 13, point 6): a
 * workspace that cannot be read reports an error instead of reading as "no data".
 *
 *  - corrupt pages in the middle of the communes table: the read loop of the geometry
 *    blobs, the model load and `cpts info` fail with CPTS_EIO (a damaged file), after
 *    some rows were delivered, rather than ending early with fewer communes;
 *  - tables that cannot be read (dropped, or lacking a column), as a bug in our SQL
 *    would leave them: the graph, the derived-result records and the partition list
 *    report CPTS_EINTERNAL instead of "no graph", "never computed", "no partition";
 *  - the expected absences keep their status: CPTS_ABSENT (no graph) and
 *    CPTS_DERIVED_MISSING, with no error set.
 * Each check of a getter failed before the change (the getter returned its default).
 *  - the reads of disclosure control (cpts/store_disclosure.h, moved out of
 *    src/profile/disclosure.c): their values on a small workspace, and the masking of
 *    a profile (cpts_ptable_load) failing on a damaged communes table instead of
 *    building its relations from the communes read before the damage (before: status 0).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/store.h"
#include "cpts/profile.h"
#include "cpts/store_disclosure.h"
#include "cpts/store_graph.h"
#include "tap.h"
#include "unit/graph/ws_helper.h"

#define N_COMMUNES 2000

/* Codes 10000.. of N_COMMUNES 100 m squares in a row: one parsed from WKT, the others
 * translated copies of it (SpatiaLite's WKT parser is slow under MALLOC_PERTURB_). */
static cpts_store *make_ws(cpts_ctx *ctx, char *path)
{
	cpts_store *s = ws_create(ctx, path);
	char sql[1024];

	if (!s || cpts_store_begin(ctx, s) < 0 || ws_rect(ctx, s, "10000", 0, 0, 100, 100) < 0)
		return NULL;
	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
		 " FROM n WHERE i < %d) INSERT INTO communes(code, name, dep, reg, parent, srid,"
		 " area_km2, perimeter_km, px, py, lon, lat, geom) SELECT printf('%%05d', 10000 +"
		 " i), 'Commune ' || printf('%%05d', 10000 + i), dep, reg, parent, srid, area_km2,"
		 " perimeter_km, px + 100 * i, py, lon, lat, ST_Translate(geom, 100 * i, 0, 0)"
		 " FROM communes, n WHERE code = '10000'", N_COMMUNES - 1);
	if (cpts_store_exec(ctx, s, sql) < 0 ||
	    cpts_store_exec(ctx, s, "INSERT INTO population(code, sex, age, pop) SELECT code,"
			    " 'T', 'ALL', 10 FROM communes") < 0 ||
	    ws_member(ctx, s, "p", "10000", "A") < 0 || cpts_store_commit(ctx, s) < 0)
		return NULL;
	return s;
}

/* Zero the page-type byte of every b-tree leaf page (table 0x0D, index 0x0A) that
 * holds marker: SQLite then reports "database disk image is malformed" on reaching
 * it. Returns the number of pages damaged. */
static int corrupt_pages(const char *path, const char *marker)
{
	FILE *f = fopen(path, "r+b");
	unsigned char hdr[100], *page;
	size_t psz, len = strlen(marker);
	int n = 0;

	if (!f || fread(hdr, 1, 100, f) != 100) {
		if (f)
			fclose(f);
		return -1;
	}
	psz = (size_t)hdr[16] << 8 | hdr[17];
	psz = psz == 1 ? 65536 : psz;
	page = malloc(psz);
	for (long pg = 1; fseek(f, pg * (long)psz, SEEK_SET) == 0 &&
			  fread(page, 1, psz, f) == psz; pg++) {
		bool hit = false;
		if (page[0] != 0x0D && page[0] != 0x0A)
			continue;
		for (size_t k = 0; k + len <= psz && !hit; k++)
			hit = memcmp(page + k, marker, len) == 0;
		if (!hit)
			continue;
		page[0] = 0x00;
		fseek(f, pg * (long)psz, SEEK_SET);
		fwrite(page, 1, 1, f);
		n++;
	}
	free(page);
	fclose(f);
	return n;
}

static int count_blob(void *arg, const char *code, const unsigned char *blob, size_t len,
		      bool wkb)
{
	(*(int *)arg)++;
	return 0;
}

static void test_corrupt_pages(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = make_ws(ctx, path);
	cpts_model *m = NULL;
	FILE *null;
	int rows = 0, rc;

	if (!ok(s != NULL, "workspace of %d communes", N_COMMUNES))
		return;
	is_int(cpts_store_commune_blobs(ctx, s, count_blob, &rows), CPTS_OK, "intact: read");
	is_int(rows, N_COMMUNES, "intact: every commune");
	cpts_store_free(s);
	s = NULL;
	ok(corrupt_pages(path, "Commune 11000") >= 1, "a page in the middle damaged");
	if (!ok(cpts_store_open(ctx, &s, path, 0) == CPTS_OK, "the damaged file still opens"))
		return;
	rows = 0;
	rc = cpts_store_commune_blobs(ctx, s, count_blob, &rows);
	is_int(rc, CPTS_EIO, "the geometry read loop fails with an I/O error");
	ok(rows > 0 && rows < N_COMMUNES, "after %d of %d rows, not as an early end", rows,
	   N_COMMUNES);
	ok(strstr(ctx->err.msg, "malformed") != NULL, "the message says why: %s", ctx->err.msg);
	cpts_error_clear(ctx);
	is_int(cpts_model_load(ctx, &m, s), CPTS_EIO, "the model load fails");
	ok(m == NULL, "no model with missing communes");
	cpts_error_clear(ctx);
	null = fopen("/dev/null", "w");
	/* before: the counts swallowed the error and `info` printed 0 rows, status 0 */
	is_int(cpts_store_info(ctx, s, null, false), CPTS_EIO, "cpts info fails");
	cpts_error_clear(ctx);
	fclose(null);
	ws_drop(s, path);
}

static void test_unreadable_tables(cpts_ctx *ctx)
{
	char path[256], why[256];
	cpts_store *s = make_ws(ctx, path);
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	cpts_graph_opts go = CPTS_GRAPH_OPTS_INIT;

	if (!ok(s != NULL, "workspace") || !ok(cpts_model_load(ctx, &m, s) == CPTS_OK, "model"))
		return;
	/* expected absences: a status, no error */
	is_int(cpts_graph_read(ctx, &g, m, s), CPTS_ABSENT, "no graph yet: CPTS_ABSENT");
	is_int(ctx->err.code, CPTS_OK, "no error set");
	is_int(cpts_store_derived_status(ctx, s, "profile", "p", why, sizeof(why), NULL),
	       CPTS_DERIVED_MISSING, "no profile yet: missing");
	is_int(ctx->err.code, CPTS_OK, "no error set");
	is_int(cpts_store_has_partition(ctx, s, "p"), 1, "partition p exists");
	is_int(cpts_store_has_partition(ctx, s, "q"), 0, "partition q does not");
	/* a graph, then its meta unreadable: an error, not "no graph" (before: ABSENT) */
	ok(cpts_store_begin(ctx, s) == CPTS_OK &&
	   cpts_graph_build(ctx, &g, m, s, &go) == CPTS_OK && cpts_store_commit(ctx, s) == CPTS_OK,
	   "graph built");
	is_int(g ? (int)g->n_edges : -1, N_COMMUNES - 1, "a path of %d edges", N_COMMUNES - 1);
	cpts_graph_free(g);
	g = NULL;
	ok(cpts_store_exec(ctx, s, "ALTER TABLE meta RENAME TO meta_gone") == CPTS_OK,
	   "meta made unreadable");
	is_int(cpts_graph_read(ctx, &g, m, s), CPTS_EINTERNAL, "graph read: an internal error");
	ok(g == NULL, "no graph handed back");
	cpts_error_clear(ctx);
	ok(cpts_store_exec(ctx, s, "ALTER TABLE meta_gone RENAME TO meta") == CPTS_OK,
	   "meta back");
	ok(cpts_graph_read(ctx, &g, m, s) == CPTS_OK && g && g->n_edges == N_COMMUNES - 1,
	   "graph read again");
	cpts_graph_free(g);
	/* a derived-result table without its column (before: "never computed") */
	ok(cpts_store_exec(ctx, s, "DROP TABLE derived; CREATE TABLE derived(name TEXT)") ==
	   CPTS_OK, "derived made unreadable");
	is_int(cpts_store_derived_status(ctx, s, "profile", "p", why, sizeof(why), NULL),
	       CPTS_EINTERNAL, "derived status: an internal error, not 'missing'");
	ok(strstr(ctx->err.msg, "inputs") != NULL, "names the column: %s", ctx->err.msg);
	cpts_error_clear(ctx);
	/* the partition list unreadable (before: "no such partition") */
	ok(cpts_store_exec(ctx, s, "ALTER TABLE partitions RENAME TO partitions_gone") ==
	   CPTS_OK, "partitions made unreadable");
	is_int(cpts_store_has_partition(ctx, s, "p"), CPTS_EINTERNAL,
	       "has_partition: an internal error, not 'no'");
	cpts_error_clear(ctx);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/* A profile value row of partition p, hi 3, lo NULL; value < 0: NULL and masked. */
static int put_pv(cpts_ctx *ctx, cpts_store *s, const char *terr, const char *level,
		  const char *code, const char *ind, double value)
{
	char sql[512], v[32];

	snprintf(v, sizeof(v), value < 0 ? "NULL" : "%g", value);
	snprintf(sql, sizeof(sql), "INSERT INTO profile_values(partition, territory, level,"
		 " level_code, indicator, value, lo, hi, masked) VALUES('p', '%s', '%s', '%s',"
		 " '%s', %s, NULL, 3, %d)", terr, level, code, ind, v, value < 0);
	return cpts_store_exec(ctx, s, sql);
}

static void test_disclosure_reads(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = make_ws(ctx, path);
	cpts_store_commune_geo *geo = NULL;
	cpts_store_pvreader *r = NULL;
	cpts_store_pvalue row;
	cpts_ptable *t = NULL;
	size_t n = 0;
	int rc;

	if (!ok(s != NULL, "disclosure: workspace"))
		return;
	ok(cpts_store_exec(ctx, s, "UPDATE communes SET dep = '85', reg = NULL WHERE code ="
			   " '10001'") == CPTS_OK, "10001: département 85, region NULL");
	is_int(cpts_store_commune_geo_load(ctx, s, &geo, &n), CPTS_OK, "geo: read");
	is_int(n, N_COMMUNES, "geo: every commune");
	ok(n > 1 && strcmp(geo[1].code, "10001") == 0 && strcmp(geo[1].dep, "85") == 0 &&
	   strcmp(geo[1].reg, "") == 0, "geo: 10001 is 85 / '' (NULL read as empty)");
	ok(n > 0 && strcmp(geo[0].dep, "44") == 0 && strcmp(geo[0].reg, "52") == 0,
	   "geo: 10000 is 44 / 52");
	cpts_store_commune_geo_free(geo, n);
	ok(put_pv(ctx, s, "A", "territoire", "A", "mt_sans_mt", 40) == CPTS_OK &&
	   put_pv(ctx, s, "A", "commune", "10001", "mt_sans_mt", -1) == CPTS_OK &&
	   put_pv(ctx, s, "A", "commune", "10000", "mt_sans_mt", 5) == CPTS_OK,
	   "three profile values of partition p");
	is_int(cpts_store_pvreader_open(ctx, s, &r, "p", &n), CPTS_OK, "pvreader: open");
	is_int(n, 3, "pvreader: three rows counted");
	is_int(cpts_store_pvreader_next(ctx, r, &row), 1, "pvreader: first row");
	ok(strcmp(row.level, "commune") == 0 && strcmp(row.level_code, "10000") == 0 &&
	   row.value == 5 && isnan(row.lo) && row.hi == 3 && !row.masked,
	   "pvreader: commune 10000 first (ordered by level), value 5, lo NULL = NAN");
	is_int(cpts_store_pvreader_next(ctx, r, &row), 1, "pvreader: second row");
	ok(strcmp(row.level_code, "10001") == 0 && isnan(row.value) && row.masked,
	   "pvreader: 10001 masked, value NAN");
	is_int(cpts_store_pvreader_next(ctx, r, &row), 1, "pvreader: third row");
	ok(strcmp(row.level, "territoire") == 0 && row.value == 40, "pvreader: territory 40");
	is_int(cpts_store_pvreader_next(ctx, r, &row), 0, "pvreader: then the end");
	cpts_store_pvreader_free(r);
	/* the disclosure on these rows: 5 < 11 masked, and 40 with it (A = 5 + NULL cell) */
	is_int(cpts_ptable_load(ctx, &t, s, "p", NULL), CPTS_OK, "ptable: intact workspace");
	ok(t && t->n == 3 && t->v[0].masked && isnan(t->v[0].value),
	   "ptable: the commune count 5 is masked");
	cpts_ptable_free(t);
	t = NULL;
	cpts_store_free(s);
	s = NULL;
	ok(corrupt_pages(path, "Commune 11000") >= 1, "disclosure: a communes page damaged");
	if (!ok(cpts_store_open(ctx, &s, path, 0) == CPTS_OK, "the damaged file opens"))
		return;
	rc = cpts_store_commune_geo_load(ctx, s, &geo, &n);
	is_int(rc, CPTS_EIO, "geo: an I/O error, not fewer communes");
	ok(geo == NULL && n == 0, "geo: nothing handed back");
	cpts_error_clear(ctx);
	/* before: build_groups stopped at the damage and the table loaded, status 0 */
	is_int(cpts_ptable_load(ctx, &t, s, "p", NULL), CPTS_EIO,
	       "ptable: the damaged communes table fails the masking");
	ok(t == NULL, "ptable: no table handed back");
	cpts_error_clear(ctx);
	ws_drop(s, path);
}

/* table_stats (stats.c): a commit keeps the counts of the tables written, a table
 * dropped in the transaction has its counts forgotten (the commit does not fail on it),
 * a rolled-back write leaves the counts as they were. Counts checked with count(*). */
static void test_table_stats(cpts_ctx *ctx)
{
	char path[64];
	cpts_store *s = NULL;
	long long n = -1, kept = -1;

	snprintf(path, sizeof(path), "/tmp/cpts_test_stats_%d.sqlite", (int)getpid());
	unlink(path);
	if (!ok(cpts_store_open(ctx, &s, path, CPTS_STORE_CREATE) == CPTS_OK, "stats: created"))
		return;
	ok(cpts_store_begin(ctx, s) == CPTS_OK &&
	   cpts_store_exec(ctx, s, "INSERT INTO passage(old_code, new_code) VALUES('01001',"
			   " '01002'), ('01003', '01002')") == CPTS_OK &&
	   cpts_store_commit(ctx, s) == CPTS_OK, "stats: two passage rows committed");
	cpts_store_count_get(ctx, s, "SELECT count(*) FROM passage", &n);
	cpts_store_count_get(ctx, s, "SELECT n_rows FROM table_stats WHERE tbl = 'passage'", &kept);
	ok(n == 2 && kept == n, "stats: the kept rows of passage are its count(*) (%lld, %lld)",
	   kept, n);
	ok(cpts_store_begin(ctx, s) == CPTS_OK &&
	   cpts_store_exec(ctx, s, "DELETE FROM passage") == CPTS_OK, "stats: a delete begun");
	cpts_store_rollback(s);
	cpts_store_count_get(ctx, s, "SELECT n_rows FROM table_stats WHERE tbl = 'passage'", &kept);
	ok(kept == 2, "stats: rolled back, the counts stay (%lld)", kept);
	ok(cpts_store_begin(ctx, s) == CPTS_OK &&
	   cpts_store_exec(ctx, s, "DROP TABLE passage") == CPTS_OK &&
	   cpts_store_commit(ctx, s) == CPTS_OK, "stats: a commit that dropped a table succeeds");
	cpts_store_count_get(ctx, s, "SELECT count(*) FROM table_stats WHERE tbl = 'passage'",
			     &n);
	ok(n == 0, "stats: the dropped table's counts are forgotten");
	cpts_error_clear(ctx);
	cpts_store_free(s);
	unlink(path);
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_corrupt_pages(&ctx);
	test_unreadable_tables(&ctx);
	test_disclosure_reads(&ctx);
	test_table_stats(&ctx);
	cpts_ctx_release(&ctx);
	return done_testing();
}
