/*
 * test_flows_prefetch.c - a flows file read ahead on a thread (cpts_ingest_prefetch_start,
 * cpts_ingest_table_prefetched; `cpts diagnose` reads the flows while GDAL reads the
 * communes) gives the table, sources record, messages and errors of cpts_ingest_table.
 *
 * Over the 7 communes of tests/data/ingest/communes.geojson:
 * - every code a commune: the thread's rows are stored. Shown by replacing the file
 *   (rename: a new inode) after the start: the table holds the first file's volumes,
 *   whose sums are computed here row by row, and its SHA-256 is recorded;
 * - a code of the passage table, an arrondissement, a destination outside: the file is
 *   read again by the loader (the replaced file's volumes are stored), and the table is
 *   the one cpts_ingest_table makes of the same file in another workspace;
 * - a bad cell, a repeated row: the error names file, line and field as the loader's,
 *   and the workspace keeps its previous flows;
 * - a column no canonical column reads: its warning printed once, when stored;
 * - a prefetch freed unused (an earlier stage failed) stops its thread;
 * - the rows handed over when asked (cpts_ingest_table_prefetched_rows, what `diagnose`
 *   gives its session): row by row what the table gives back, and the flow matrices
 *   built from them (cpts_flows_from_rows) equal to the bit to those read from the table;
 *   none when the loader read the file again;
 * - written ahead into a fresh workspace (cpts_ingest_prefetch_start_into, what
 *   `diagnose` does while GDAL reads the communes): the communes stored after the
 *   thread's write (their opts.wait), then the rows adopted: the same table, sources
 *   record and rows handed over as the loader's, the counts of table_stats those of the
 *   current version of the input; a code of the passage table: the rows written ahead
 *   are cleared and the loader's table is the one stored; a table not empty: nothing
 *   written ahead, the loader's table stored.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/ingest.h"
#include "cpts/model.h"
#include "cpts/store_graph.h"
#include "cpts/store.h"
#include "cpts/util.h"
#include "tap.h"

static char dir[2048], tmp[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* A fresh workspace with the fixture communes and a passage table. */
static cpts_store *workspace(cpts_ctx *ctx, const char *name)
{
	cpts_store *s = NULL;
	char path[128], pas[128], geo[4096];

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	unlink(path);
	snprintf(pas, sizeof(pas), "%s/passage.csv", tmp);
	write_file(pas, "old_code;new_code;weight\n44997;44020;0,5\n44997;44190;0,5\n");
	snprintf(geo, sizeof(geo), "%s/communes.geojson", dir);
	if (cpts_store_open(ctx, &s, path, CPTS_STORE_CREATE) < 0 ||
	    cpts_ingest_communes(ctx, s, geo, NULL, NULL) < 0 ||
	    cpts_ingest_table(ctx, s, CPTS_TABLE_PASSAGE, pas, NULL) < 0) {
		printf("Bail out! workspace %s: %s\n", path, ctx->err.msg);
		exit(1);
	}
	return s;
}

/* The flows table and its sources record as text. OWNED by caller. */
static char *dump(cpts_store *s)
{
	cpts_buf b = CPTS_BUF_INIT;
	sqlite3_stmt *st = NULL;

	sqlite3_prepare_v2(cpts_store_db(s), "SELECT orig, dest, profession, quote(volume),"
			   " masked, outside FROM flows ORDER BY orig, dest, profession", -1,
			   &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		cpts_buf_addf(&b, "%s %s %s %s %d %d\n", sqlite3_column_text(st, 0),
			      sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
			      sqlite3_column_text(st, 3), sqlite3_column_int(st, 4),
			      sqlite3_column_int(st, 5));
	sqlite3_finalize(st);
	sqlite3_prepare_v2(cpts_store_db(s), "SELECT n_rows, n_communes, n_masked, options"
			   " FROM sources WHERE tbl = 'flows'", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		cpts_buf_addf(&b, "sources %d %d %d %s\n", sqlite3_column_int(st, 0),
			      sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
			      sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return b.data ? b.data : cpts_strdup("");
}

/* The file at path through cpts_ingest_table into b: the table and sources record of a
 * must be the same. Returns a's dump (OWNED by caller). */
static char *same_as_loader(cpts_ctx *ctx, cpts_store *a, cpts_store *b, const char *path)
{
	char *da, *db;

	is_int(cpts_ingest_table(ctx, b, CPTS_TABLE_FLOWS, path, NULL), CPTS_OK,
	       "the same file through cpts_ingest_table");
	da = dump(a);
	db = dump(b);
	ok(strlen(da) > 0 && strcmp(da, db) == 0, "same flows table and sources record");
	free(db);
	return da;
}

static double q1(cpts_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	double v = -1;

	sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -2 : sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char *q1s(cpts_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = cpts_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v ? v : cpts_strdup("");
}

/* Wait (up to 20 s) until a descriptor of this process is open on path. */
static bool wait_open(const char *path)
{
	for (int t = 0; t < 2000; t++) {
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		bool found = false;
		while (d && !found && (e = readdir(d))) {
			char fd[300], target[4096];
			ssize_t n;
			snprintf(fd, sizeof(fd), "/proc/self/fd/%s", e->d_name);
			n = readlink(fd, target, sizeof(target) - 1);
			if (n > 0) {
				target[n] = '\0';
				found = strcmp(target, path) == 0;
			}
		}
		if (d)
			closedir(d);
		if (found)
			return true;
		usleep(10000);
	}
	return false;
}

/* One row of table flows as text (cpts_flow_row_fn), appended to the buffer arg. */
static int row_text(void *arg, const char *o, const char *d, double v, bool masked)
{
	cpts_buf_addf(arg, "%s %s %.17g %d\n", o, d, v, masked);
	return CPTS_OK;
}

/* Whether two flow matrices are the same to the bit (arrays, totals, counts). */
static bool same_flows(const cpts_flows *x, const cpts_flows *y)
{
	size_t n = x->n, nnz = x->start[n];

	return n == y->n && memcmp(x->start, y->start, (n + 1) * sizeof(size_t)) == 0 &&
	       memcmp(x->col, y->col, nnz * sizeof(size_t)) == 0 &&
	       memcmp(x->vol, y->vol, nnz * sizeof(double)) == 0 &&
	       memcmp(x->outside, y->outside, n * sizeof(double)) == 0 &&
	       memcmp(x->row_total, y->row_total, n * sizeof(double)) == 0 &&
	       memcmp(x->col_total, y->col_total, n * sizeof(double)) == 0 &&
	       x->total == y->total && x->n_masked == y->n_masked;
}

/* The rows handed over by cpts_ingest_table_prefetched_rows against the table a now
 * holds: the same rows in the same order with the same values (all professions and
 * one), and the flow matrices built from them equal to those read from the table. */
static void check_rows(cpts_ctx *ctx, cpts_store *a, const cpts_flow_rows *rows, int n)
{
	const char *prof[2] = { NULL, "p7" };
	cpts_model *m = NULL;

	ok(rows && rows->n == (size_t)n, "the %d rows handed over", n);
	if (!rows || cpts_model_load(ctx, &m, a) < 0) {
		diag("no rows or no model: %s", ctx->err.msg);
		return;
	}
	for (int k = 0; k < 2; k++) {
		cpts_buf ta = CPTS_BUF_INIT, tb = CPTS_BUF_INIT;
		cpts_flows *fa = NULL, *fb = NULL;
		cpts_store_flows_each(ctx, a, prof[k], row_text, &ta);
		cpts_flow_rows_each(rows, prof[k], row_text, &tb);
		ok(ta.len > 0 && ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0,
		   "%s: row by row what the table gives (codes, volume, mask)",
		   prof[k] ? prof[k] : "every profession");
		is_int(cpts_flows_load(ctx, &fa, m, a, prof[k]), CPTS_OK, "matrix read");
		is_int(cpts_flows_from_rows(ctx, &fb, m, rows, prof[k]), CPTS_OK,
		       "matrix from the rows");
		ok(fa && fb && same_flows(fa, fb) && fa->start[fa->n] > 0 &&
		   (prof[k] || fa->n_masked == 1), "%s: the same matrix to the bit (%zu pairs,"
		   " %zu masked)", prof[k] ? prof[k] : "every profession",
		   fa ? fa->start[fa->n] : 0, fa ? fa->n_masked : 0);
		cpts_flows_free(fa);
		cpts_flows_free(fb);
		cpts_buf_release(&ta);
		cpts_buf_release(&tb);
	}
	cpts_model_free(ctx, m);
}

/* A fresh workspace name: its communes stored once the thread of pf (when not NULL)
 * wrote ahead, then the passage table, as `diagnose` orders them. */
static cpts_store *workspace_ahead(cpts_ctx *ctx, const char *path, cpts_ingest_prefetch *pf,
				   cpts_store *s)
{
	cpts_ingest_communes_opts co = CPTS_INGEST_COMMUNES_OPTS_INIT;
	char pas[128], geo[4096];

	snprintf(pas, sizeof(pas), "%s/passage.csv", tmp);
	snprintf(geo, sizeof(geo), "%s/communes.geojson", dir);
	co.wait = pf;
	if (cpts_ingest_communes(ctx, s, geo, &co, NULL) < 0 ||
	    cpts_ingest_table(ctx, s, CPTS_TABLE_PASSAGE, pas, NULL) < 0) {
		printf("Bail out! workspace %s: %s\n", path, ctx->err.msg);
		exit(1);
	}
	return s;
}

/* Written ahead into the fresh workspace name (rows handed over into *rows). */
static int ahead(cpts_ctx *ctx, const char *name, const char *path, cpts_store **out,
		 cpts_flow_rows **rows)
{
	static const cpts_ingest_table_opts o = CPTS_INGEST_TABLE_OPTS_INIT;
	cpts_ingest_prefetch *pf;
	char ws[128];

	snprintf(ws, sizeof(ws), "%s/%s", tmp, name);
	unlink(ws);
	if (cpts_store_open(ctx, out, ws, CPTS_STORE_CREATE) < 0) {
		printf("Bail out! workspace %s: %s\n", ws, ctx->err.msg);
		exit(1);
	}
	pf = cpts_ingest_prefetch_start_into(ctx, CPTS_TABLE_FLOWS, path, &o, ws);
	if (!pf) {
		diag("no prefetch started");
		return -100;
	}
	workspace_ahead(ctx, ws, pf, *out);
	return cpts_ingest_table_prefetched_rows(ctx, *out, pf, rows);
}

/* Prefetch path, replace it by other (when given) once the thread has it open, store. */
static int prefetched(cpts_ctx *ctx, cpts_store *s, const char *path, const char *other,
		      const cpts_ingest_table_opts *o)
{
	cpts_ingest_prefetch *pf = cpts_ingest_prefetch_start(ctx, CPTS_TABLE_FLOWS, path, o);

	if (!pf) {
		diag("no prefetch started");
		return -100;
	}
	if (other) {
		/* once the thread has the file open, a new file at its path */
		if (!wait_open(path))
			diag("the thread never opened %s", path);
		if (rename(other, path) != 0)
			diag("rename failed");
	}
	return cpts_ingest_table_prefetched(ctx, s, pf);
}

int main(void)
{
	static const cpts_ingest_table_opts opts = CPTS_INGEST_TABLE_OPTS_INIT;
	cpts_ctx ctx;
	cpts_store *a, *b;
	char f[128], g[128], want[512], *da, *db, *sha, cmd[160];
	const char *src = getenv("CPTS_SRC");
	cpts_buf big = CPTS_BUF_INIT;
	double sum_44109_44020 = 0;
	int n = 0;

	if (!src)
		skip_all("CPTS_SRC is not set (run through meson test)");
	snprintf(dir, sizeof(dir), "%s/tests/data/ingest", src);
	snprintf(tmp, sizeof(tmp), "/tmp/cpts_test_flows_prefetch_%d", (int)getpid());
	if (mkdir(tmp, 0700) != 0) {
		printf("Bail out! cannot create %s\n", tmp);
		return 1;
	}
	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	a = workspace(&ctx, "a.sqlite");
	b = workspace(&ctx, "b.sqlite");
	snprintf(f, sizeof(f), "%s/flows.csv", tmp);
	snprintf(g, sizeof(g), "%s/other.csv", tmp);

	/* 1. every code a commune: enough rows to span several progress steps of the
	 * thread; 44109 -> 44020 rows spread over the professions, one masked */
	cpts_buf_addstr(&big, "commune_residence;commune_exercice;volume;profession\n");
	{
		static const char *const c[7] = { "44109", "44020", "44190", "49007", "01004",
						  "13055", "2A004" };
		for (int p = 0; p < 3000; p++)
			for (int i = 0; i < 7; i++)
				for (int j = 0; j < 7; j++) {
					int v = (p * 7 + i * 3 + j) % 97 + 11;
					if (p == 7 && i == 0 && j == 1)
						cpts_buf_addf(&big, "%s;%s;<11;p%d\n", c[i], c[j], p);
					else
						cpts_buf_addf(&big, "%s;%s;%d;p%d\n", c[i], c[j], v, p);
					if (i == 0 && j == 1 && p != 7)
						sum_44109_44020 += v;
					n++;
				}
	}
	write_file(f, big.data);
	write_file(g, "commune_residence;commune_exercice;volume;profession\n44109;44020;1;p0\n");
	is_int(prefetched(&ctx, a, f, g, &opts), CPTS_OK, "prefetched flows (every code a commune)"
	       " stored");
	is_int((int)q1(a, "SELECT count(*) FROM flows"), n, "%d rows: those of the file read by"
	       " the thread, not of the file renamed over it", n);
	near(q1(a, "SELECT sum(volume) FROM flows WHERE orig = '44109' AND dest = '44020'"),
	     sum_44109_44020, 0, "44109 -> 44020 over 2,999 professions: %.0f, summed here",
	     sum_44109_44020);
	is_int((int)q1(a, "SELECT volume FROM flows WHERE orig = '44109' AND dest = '44020' AND"
		       " profession = 'p7'"), -2, "the masked cell stored as NULL");
	is_int((int)q1(a, "SELECT n_masked FROM sources WHERE tbl = 'flows'"), 1,
	       "sources: one masked cell");
	sha = q1s(a, "SELECT sha256 FROM sources WHERE tbl = 'flows'");
	{
		/* sha256sum of a copy of the first file (the path now holds the other) */
		char copy[160], line[200], hex[65] = "";
		FILE *pp;
		snprintf(copy, sizeof(copy), "%s/copy.csv", tmp);
		write_file(copy, big.data);
		snprintf(line, sizeof(line), "sha256sum %s", copy);
		if ((pp = popen(line, "r"))) {
			if (fscanf(pp, "%64s", hex) != 1)
				hex[0] = '\0';
			pclose(pp);
		}
		is_str(sha, hex, "sources: the SHA-256 of the file the rows came from (sha256sum)");
	}
	free(sha);
	write_file(f, big.data);
	free(same_as_loader(&ctx, a, b, f));
	{
		/* the rows stored, handed over (what `diagnose` gives its session) */
		cpts_ingest_prefetch *pf = cpts_ingest_prefetch_start(&ctx, CPTS_TABLE_FLOWS, f,
								      &opts);
		cpts_flow_rows *rows = NULL;
		is_int(pf ? cpts_ingest_table_prefetched_rows(&ctx, a, pf, &rows) : -100, CPTS_OK,
		       "prefetched again, its rows asked for");
		check_rows(&ctx, a, rows, n);
		cpts_flow_rows_free(rows);
	}

	/* 2. passage, arrondissement, outside destination: read again by the loader */
	write_file(f, "commune_residence;commune_exercice;volume\n44109;44020;40\n44997;44020;8\n"
		   "13201;44109;30\n44190;35238;12\n");
	write_file(g, "commune_residence;commune_exercice;volume\n44109;44020;41\n44997;44020;8\n"
		   "13201;44109;30\n44190;35238;12\n");
	is_int(prefetched(&ctx, a, f, g, &opts), CPTS_OK, "mapped flows stored");
	near(q1(a, "SELECT volume FROM flows WHERE orig = '44109' AND dest = '44020'"), 41, 0,
	     "read again: the file now at the path (41), not the thread's (40)");
	near(q1(a, "SELECT volume FROM flows WHERE orig = '44190' AND dest = '44020'"), 4, 0,
	     "old code 44997 spread by the passage table (8 * 0.5)");
	near(q1(a, "SELECT volume FROM flows WHERE orig = '13055' AND dest = '44109'"), 30, 0,
	     "arrondissement 13201 onto Marseille");
	is_int((int)q1(a, "SELECT outside FROM flows WHERE dest = '35238'"), 1,
	       "destination outside kept as outside");
	{
		/* read again by the loader: no rows handed over */
		cpts_ingest_prefetch *pf = cpts_ingest_prefetch_start(&ctx, CPTS_TABLE_FLOWS, f,
								      &opts);
		cpts_flow_rows *rows = (cpts_flow_rows *)&opts; /* must be set to NULL */
		is_int(pf ? cpts_ingest_table_prefetched_rows(&ctx, a, pf, &rows) : -100, CPTS_OK,
		       "mapped flows stored again, rows asked for");
		ok(rows == NULL, "read again by the loader: no rows handed over");
	}
	da = same_as_loader(&ctx, a, b, f);

	/* 3. a bad cell, a repeated row: the loader's error; the table as it was */
	write_file(f, "commune_residence;commune_exercice;volume\n44109;44020;40\n44190;44020;12\n"
		   "44020;44109;douze\n");
	cpts_error_clear(&ctx);
	is_int(prefetched(&ctx, a, f, NULL, &opts), CPTS_EINPUT, "a bad cell is refused");
	ok(strstr(ctx.err.msg, "flows.csv:4: column 'volume': 'douze' is not a number") != NULL,
	   "file, line and field named: %s", ctx.err.msg);
	db = dump(a);
	ok(strcmp(da, db) == 0, "the workspace keeps its previous flows");
	free(db);
	write_file(f, "commune_residence;commune_exercice;volume\n44109;44020;40\n44190;44020;12\n"
		   "44109;44020;7\n");
	cpts_error_clear(&ctx);
	is_int(prefetched(&ctx, a, f, NULL, &opts), CPTS_EINPUT, "a repeated row is refused");
	ok(strstr(ctx.err.msg, "flows.csv:4: duplicate row for commune_residence '44109',"
		  " commune_exercice '44020'") != NULL, "named by its later line: %s", ctx.err.msg);
	db = dump(a);
	ok(strcmp(da, db) == 0, "the workspace keeps its previous flows");
	free(db);
	free(da);
	cpts_error_clear(&ctx);

	/* 4. the thread's warning, printed once when its rows are stored */
	{
		char *text = NULL;
		size_t len = 0, n_warn = ctx.n_warnings;
		FILE *log = open_memstream(&text, &len);
		write_file(f, "commune_residence;commune_exercice;volume;remarque\n44109;44020;40;x\n");
		ctx.log = log;
		ctx.verbosity = CPTS_LOG_WARN;
		is_int(prefetched(&ctx, a, f, NULL, &opts), CPTS_OK, "flows with an extra column");
		ctx.log = NULL;
		ctx.verbosity = CPTS_LOG_ERROR;
		fclose(log);
		snprintf(want, sizeof(want), "cpts: warning: '%s': 1 column not read", f);
		ok(strstr(text, want) != NULL && strstr(strstr(text, want) + 1, want) == NULL,
		   "its warning printed once: %s", text);
		is_int((int)(ctx.n_warnings - n_warn), 1, "and counted once");
		near(q1(a, "SELECT volume FROM flows"), 40, 0, "the row stored");
		free(text);
	}

	/* 5. started, never used: the thread stops, nothing stored */
	write_file(f, big.data);
	{
		cpts_ingest_prefetch *pf = cpts_ingest_prefetch_start(&ctx, CPTS_TABLE_FLOWS, f,
								      &opts);
		ok(pf != NULL, "prefetch started");
		cpts_ingest_prefetch_free(pf);
		near(q1(a, "SELECT count(*) FROM flows"), 1, 0, "freed unused: the table untouched");
	}
	ok(cpts_ingest_prefetch_start(&ctx, CPTS_TABLE_POPULATION, f, &opts) == NULL,
	   "only flows are read ahead");

	/* 6. written ahead into a fresh workspace while its communes are read */
	{
		cpts_store *c = NULL;
		cpts_flow_rows *rows = NULL;
		char *dc, *text = NULL;
		size_t len = 0;
		FILE *log = open_memstream(&text, &len);
		ctx.log = log;
		ctx.verbosity = CPTS_LOG_NOTE;
		is_int(ahead(&ctx, "c.sqlite", f, &c, &rows), CPTS_OK, "flows written ahead,"
		       " adopted");
		ctx.log = NULL;
		ctx.verbosity = CPTS_LOG_ERROR;
		fclose(log);
		ok(text && strstr(text, "stored in") && strstr(text, "while the communes were read"),
		   "the rows were written by the thread (its note)");
		free(text);
		dc = same_as_loader(&ctx, c, b, f);
		free(dc);
		check_rows(&ctx, c, rows, n);
		cpts_flow_rows_free(rows);
		is_int((int)q1(c, "SELECT n_rows FROM table_stats WHERE tbl = 'flows'"), n,
		       "table_stats: %d rows", n);
		is_int((int)q1(c, "SELECT n_masked FROM table_stats WHERE tbl = 'flows'"), 1,
		       "table_stats: one masked row");
		is_int((int)q1(c, "SELECT n_communes FROM table_stats WHERE tbl = 'flows'"), 7,
		       "table_stats: 7 communes of residence");
		ok(q1(c, "SELECT t.version FROM table_stats t JOIN versions v ON v.name = t.tbl"
		      " WHERE t.tbl = 'flows' AND t.version = v.version") > 0,
		   "table_stats: the counts of the current version of the flows");
		ok(q1(c, "SELECT v.version FROM versions v WHERE name = 'flows'") >
		   q1(c, "SELECT v.version FROM versions v WHERE name = 'communes'"),
		   "the flows recorded as replaced after the communes, as the loader orders them");
		cpts_store_free(c);

		/* a code of the passage table: what was written ahead is cleared */
		write_file(g, "commune_residence;commune_exercice;volume\n44109;44020;40\n"
			   "44997;44020;8\n13201;44109;30\n");
		rows = (cpts_flow_rows *)&opts;
		is_int(ahead(&ctx, "d.sqlite", g, &c, &rows), CPTS_OK, "mapped flows written"
		       " ahead, then read again");
		ok(rows == NULL, "read again by the loader: no rows handed over");
		near(q1(c, "SELECT count(*) FROM flows"), 4, 0, "4 rows: 44109 -> 44020, the"
		     " passage's two, 13055 -> 44109 (arrondissement); none of the thread's");
		near(q1(c, "SELECT volume FROM flows WHERE orig = '44190' AND dest = '44020'"), 4,
		     0, "old code 44997 spread by the passage table (8 * 0.5)");
		free(same_as_loader(&ctx, c, b, g));
		cpts_store_free(c);

		/* a table not empty: nothing written ahead, the loader's rows stored */
		write_file(f, "commune_residence;commune_exercice;volume\n44109;44020;33\n");
		{
			cpts_ingest_prefetch *pf = cpts_ingest_prefetch_start_into(
				&ctx, CPTS_TABLE_FLOWS, f, &opts, cpts_store_path(a));
			cpts_ingest_prefetch_wait(pf);
			is_int(pf ? cpts_ingest_table_prefetched(&ctx, a, pf) : -100, CPTS_OK,
			       "flows over a table not empty");
		}
		free(same_as_loader(&ctx, a, b, f));
		near(q1(a, "SELECT volume FROM flows"), 33, 0, "its one row");
	}

	cpts_buf_release(&big);
	cpts_store_free(a);
	cpts_store_free(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		diag("could not remove %s", tmp);
	cpts_ctx_release(&ctx);
	return done_testing();
}
