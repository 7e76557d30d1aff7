/*
 * test_flows_order.c - the flows table does not depend on the order of the rows of the
 * file (issue 13: flows are folded by key in memory and stored in key order).
 *
 * A flows file is generated over the 7 communes of tests/data/ingest/communes.geojson:
 * direct rows to every commune and to an outside destination, two professions, one
 * masked cell, rows of old codes split by a passage table (weights 1/2, exact in
 * binary so that sums do not depend on the order of the additions), rows of Marseille's
 * arrondissements onto a key that has the commune's own row (dropped) and onto one that
 * has not (summed). It is ingested as generated and shuffled; both tables must be equal
 * to each other and to the expected table computed here key by key (direct + passage,
 * or arrondissements + passage when there is no direct row). A passage row before the
 * direct row of its key used to be refused as a duplicate (the row-by-row loader did
 * not track that key); it now adds up as it does after. A repeated direct row is still
 * a duplicate, named by its later line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/ingest.h"
#include "cpts/store.h"
#include "tap.h"

#define MAXR 512

typedef struct row {
	char orig[6], dest[6], prof[4];
	double vol;   /* -1 = masked ("<11") */
} row;

static const char *const communes[7] = { "44109", "44020", "44190", "49007", "01004", "13055",
					 "2A004" };
static const char *const profs[2] = { "mg", "sf" };
static row rows[MAXR];
static size_t n_rows;
static char dir[2048], tmp[64];

static void add(const char *o, const char *d, const char *p, double v)
{
	row *r = &rows[n_rows++];
	snprintf(r->orig, sizeof(r->orig), "%s", o);
	snprintf(r->dest, sizeof(r->dest), "%s", d);
	snprintf(r->prof, sizeof(r->prof), "%s", p);
	r->vol = v;
}

static void generate(void)
{
	const char *dests[8];

	memcpy(dests, communes, sizeof(communes));
	dests[7] = "35238"; /* a well-formed code outside the workspace */
	for (int p = 0; p < 2; p++)
		for (int i = 0; i < 7; i++)
			for (int j = 0; j < 8; j++) {
				if (p == 1 && i == 5 && j == 3)
					continue; /* 13055 -> 49007 sf: from arrondissements only */
				add(communes[i], dests[j], profs[p],
				    i == 2 && j == 0 && p == 0 ? -1 : 100 * p + 10 * i + j + 1);
			}
	/* passage: 44997 -> 44020 and 44190 (1/2 each), 44999 -> 44109 */
	for (int j = 0; j < 8; j++) {
		add("44997", dests[j], "mg", 8 * (j + 1));
		add("44999", dests[j], "sf", 3 * (j + 1));
	}
	/* arrondissements of Marseille: onto 13055 -> 44109 mg (which has its own row: dropped)
	 * and 13055 -> 49007 sf (which has none: summed) */
	add("13201", "44109", "mg", 700);
	add("13202", "44109", "mg", 300);
	add("13201", "49007", "sf", 40);
	add("13203", "49007", "sf", 60);
}

static void write_csv(const char *path, const size_t *order, size_t n, const row *extra)
{
	FILE *f = fopen(path, "w");

	fprintf(f, "commune_residence;commune_exercice;volume;profession\n");
	for (size_t k = 0; k < n; k++) {
		const row *r = &rows[order[k]];
		if (r->vol < 0)
			fprintf(f, "%s;%s;<11;%s\n", r->orig, r->dest, r->prof);
		else
			fprintf(f, "%s;%s;%.0f;%s\n", r->orig, r->dest, r->vol, r->prof);
	}
	if (extra)
		fprintf(f, "%s;%s;%.0f;%s\n", extra->orig, extra->dest, extra->vol, extra->prof);
	fclose(f);
}

/* A fresh workspace with the fixture communes and the passage table. */
static cpts_store *workspace(cpts_ctx *ctx, const char *path)
{
	cpts_store *s = NULL;
	char pas[128], geo[4096];
	FILE *f;

	unlink(path);
	snprintf(pas, sizeof(pas), "%s/passage.csv", tmp);
	f = fopen(pas, "w");
	fprintf(f, "old_code;new_code;weight\n44997;44020;0,5\n44997;44190;0,5\n44999;44109;1\n");
	fclose(f);
	snprintf(geo, sizeof(geo), "%s/communes.geojson", dir);
	if (cpts_store_open(ctx, &s, path, CPTS_STORE_CREATE) < 0 ||
	    cpts_ingest_communes(ctx, s, geo, NULL, NULL) < 0 ||
	    cpts_ingest_table(ctx, s, CPTS_TABLE_PASSAGE, pas, NULL) < 0) {
		printf("Bail out! workspace %s: %s\n", path, ctx->err.msg);
		exit(1);
	}
	return s;
}

/* The flows table as text, in key order. OWNED by caller. */
static char *dump(cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(cap, 1);

	sqlite3_prepare_v2(cpts_store_db(s), "SELECT orig, dest, profession, printf('%.17g',"
			   " volume), typeof(volume), masked, outside FROM flows", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char line[160];
		int n = snprintf(line, sizeof(line), "%s|%s|%s|%s|%s|%d|%d\n",
				 sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
				 sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
				 sqlite3_column_text(st, 4), sqlite3_column_int(st, 5),
				 sqlite3_column_int(st, 6));
		if (len + (size_t)n + 1 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + len, line, (size_t)n + 1);
		len += (size_t)n;
	}
	sqlite3_finalize(st);
	return out;
}

/* The expected value of one key, from the generated rows: direct + passage, or
 * arrondissements + passage without a direct row. *masked set when a counted row is. */
static double expected(const char *o, const char *d, const char *p, int *masked, int *n_src)
{
	double direct = 0, arm = 0, pas = 0;
	int has_direct = 0, m_direct = 0, m_arm = 0, m_pas = 0, n_arm = 0, n_pas = 0;

	for (size_t k = 0; k < n_rows; k++) {
		const row *r = &rows[k];
		double v = r->vol < 0 ? 0 : r->vol;
		if (strcmp(r->dest, d) != 0 || strcmp(r->prof, p) != 0)
			continue;
		if (strcmp(r->orig, o) == 0) {
			has_direct = 1;
			direct += v;
			m_direct |= r->vol < 0;
		} else if (strcmp(o, "13055") == 0 && strncmp(r->orig, "132", 3) == 0) {
			arm += v;
			m_arm |= r->vol < 0;
			n_arm++;
		} else if ((strcmp(r->orig, "44997") == 0 &&
			    (strcmp(o, "44020") == 0 || strcmp(o, "44190") == 0)) ||
			   (strcmp(r->orig, "44999") == 0 && strcmp(o, "44109") == 0)) {
			pas += strcmp(r->orig, "44997") == 0 ? v / 2 : v;
			m_pas |= r->vol < 0;
			n_pas++;
		}
	}
	*n_src = has_direct + n_pas + (has_direct ? 0 : n_arm);
	*masked = m_pas || (has_direct ? m_direct : m_arm);
	return has_direct ? direct + pas : arm + pas;
}

/* Every stored row against expected(); the count of keys against the count of keys
 * that have a source row. */
static void check_expected(cpts_store *s, const char *what)
{
	sqlite3_stmt *st = NULL;
	int n = 0, bad = 0, n_keys = 0;
	const char *dests[8];

	memcpy(dests, communes, sizeof(communes));
	dests[7] = "35238";
	sqlite3_prepare_v2(cpts_store_db(s), "SELECT orig, dest, profession, volume, masked,"
			   " outside FROM flows", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int masked, n_src;
		const char *d = (const char *)sqlite3_column_text(st, 1);
		double v = expected((const char *)sqlite3_column_text(st, 0), d,
				    (const char *)sqlite3_column_text(st, 2), &masked, &n_src);
		bool ok_row = n_src > 0 && sqlite3_column_int(st, 4) == masked &&
			      (masked ? sqlite3_column_type(st, 3) == SQLITE_NULL
				      : sqlite3_column_double(st, 3) == v) &&
			      sqlite3_column_int(st, 5) == (strcmp(d, "35238") == 0);
		if (!ok_row && bad++ == 0)
			diag("unexpected row %s -> %s (%s): %g", sqlite3_column_text(st, 0), d,
			     sqlite3_column_text(st, 2), sqlite3_column_double(st, 3));
		n++;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < 7; i++)
		for (int j = 0; j < 8; j++)
			for (int p = 0; p < 2; p++) {
				int masked, n_src;
				expected(communes[i], dests[j], profs[p], &masked, &n_src);
				n_keys += n_src > 0;
			}
	is_int(bad, 0, "%s: every stored flow is the expected sum of its rows", what);
	is_int(n, n_keys, "%s: one row per key with a source row (%d)", what, n_keys);
}

int main(void)
{
	cpts_ctx ctx;
	cpts_store *a, *b;
	size_t order[MAXR];
	char f1[128], f2[128], f3[128], w1[128], w2[128];
	const char *src = getenv("CPTS_SRC");
	char *da, *db;
	unsigned long long lcg = 12345;
	row extra;

	if (!src)
		skip_all("CPTS_SRC is not set (run through meson test)");
	snprintf(dir, sizeof(dir), "%s/tests/data/ingest", src);
	snprintf(tmp, sizeof(tmp), "/tmp/cpts_test_flows_order_%d", (int)getpid());
	if (mkdir(tmp, 0700) != 0) {
		printf("Bail out! cannot create %s\n", tmp);
		return 1;
	}
	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	generate();
	for (size_t k = 0; k < n_rows; k++)
		order[k] = k;
	snprintf(f1, sizeof(f1), "%s/sorted.csv", tmp);
	write_csv(f1, order, n_rows, NULL);
	/* Fisher-Yates with a fixed LCG: the same shuffle every run */
	for (size_t k = n_rows - 1; k > 0; k--) {
		size_t r, t;
		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		r = (size_t)(lcg >> 33) % (k + 1);
		t = order[k];
		order[k] = order[r];
		order[r] = t;
	}
	snprintf(f2, sizeof(f2), "%s/shuffled.csv", tmp);
	write_csv(f2, order, n_rows, NULL);
	snprintf(w1, sizeof(w1), "%s/a.sqlite", tmp);
	snprintf(w2, sizeof(w2), "%s/b.sqlite", tmp);
	a = workspace(&ctx, w1);
	b = workspace(&ctx, w2);
	is_int(cpts_ingest_table(&ctx, a, CPTS_TABLE_FLOWS, f1, NULL), CPTS_OK,
	       "flows in generated order ingest");
	is_int(cpts_ingest_table(&ctx, b, CPTS_TABLE_FLOWS, f2, NULL), CPTS_OK,
	       "the same flows shuffled ingest (a passage row may come before its direct row)");
	da = dump(a);
	db = dump(b);
	ok(strlen(da) > 0 && strcmp(da, db) == 0, "the two flows tables are identical");
	check_expected(a, "generated order");
	check_expected(b, "shuffled");
	{
		sqlite3_stmt *st = NULL;
		double v = -1;
		sqlite3_prepare_v2(cpts_store_db(b), "SELECT volume FROM flows WHERE orig = '44020'"
				   " AND dest = '44109' AND profession = 'mg'", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
		/* direct 10*1 + 0 + 1 = 11, plus half of 44997's 8 */
		near(v, 15, 0, "44020 -> 44109 mg: 11 direct + 8/2 from old code 44997");
		sqlite3_prepare_v2(cpts_store_db(b), "SELECT volume FROM flows WHERE orig = '13055'"
				   " AND dest = '44109' AND profession = 'mg'", -1, &st, NULL);
		v = -1;
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
		near(v, 51, 0, "13055 -> 44109 mg: the commune's own row (51), never its"
			  " arrondissements' 700 + 300");
		sqlite3_prepare_v2(cpts_store_db(b), "SELECT volume FROM flows WHERE orig = '13055'"
				   " AND dest = '49007' AND profession = 'sf'", -1, &st, NULL);
		v = -1;
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_double(st, 0);
		sqlite3_finalize(st);
		near(v, 100, 0, "13055 -> 49007 sf: arrondissements 40 + 60");
	}
	/* a direct row repeated at the end of the shuffled file */
	extra = rows[order[3]];
	if (extra.vol < 0)
		extra = rows[order[4]];
	if (strncmp(extra.orig, "44997", 5) == 0 || strncmp(extra.orig, "44999", 5) == 0 ||
	    strncmp(extra.orig, "132", 3) == 0)
		extra = rows[0];
	snprintf(f3, sizeof(f3), "%s/dup.csv", tmp);
	write_csv(f3, order, n_rows, &extra);
	cpts_error_clear(&ctx);
	is_int(cpts_ingest_table(&ctx, b, CPTS_TABLE_FLOWS, f3, NULL), CPTS_EINPUT,
	       "a repeated direct row is refused");
	{
		char want[256];
		snprintf(want, sizeof(want), "dup.csv:%zu: duplicate row for commune_residence"
			 " '%s', commune_exercice '%s', profession '%s'", n_rows + 2, extra.orig,
			 extra.dest, extra.prof);
		ok(strstr(ctx.err.msg, want) != NULL, "named by its later line: %s", ctx.err.msg);
	}
	free(db);
	db = dump(b);
	ok(strcmp(da, db) == 0, "the refused file left the table as it was");
	free(da);
	free(db);
	cpts_store_free(a);
	cpts_store_free(b);
	snprintf(f1, sizeof(f1), "rm -rf %s", tmp);
	if (system(f1) != 0)
		diag("could not remove %s", tmp);
	cpts_ctx_release(&ctx);
	return done_testing();
}
