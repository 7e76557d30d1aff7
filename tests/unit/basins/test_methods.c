/*
 * test_methods.c - the basin method table (src/basins/methods.c): its invariants (one
 * default, unique names, a help line and a French label per row), the lookups every
 * caller goes through, and every row run on a strip of four 1 km squares where the
 * basins are known by hand (the same strip as tests/cli/cli_basins.sh): towns 44001
 * (west, 10,000 inhabitants) and 44004 (east, 10,000); 44002 sends 90 of its 100 flows
 * west, 44003 80 of 100 east. Two basins {44001, 44002} {44003, 44004}; overall LI
 * (900 + 90 + 80 + 950) / 2200 = 0.918182.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpts/basins.h"
#include "cpts/ctx.h"
#include "tap.h"
#include "unit/graph/ws_helper.h"

/* The text of the first column of the first row of sql ("" when none); static. */
static const char *sql_text(cpts_store *s, const char *sql)
{
	static char out[256];
	sqlite3_stmt *st = NULL;

	out[0] = 0;
	if (sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return out;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

static void test_table(void)
{
	size_t n = cpts_basins_method_count(), n_default = 0;
	char list[256] = "";
	bool unique = true, described = true;

	ok(n >= 4, "the table has the four methods at least (%zu rows)", n);
	ok(cpts_basins_method_at(n) == NULL, "no row past the end");
	for (size_t k = 0; k < n; k++) {
		const cpts_basins_method_info *m = cpts_basins_method_at(k);
		n_default += m->is_default;
		described &= m->help && *m->help && m->label_fr && *m->label_fr;
		for (size_t j = 0; j < k; j++)
			unique &= strcmp(cpts_basins_method_at(j)->name, m->name) != 0;
		ok(cpts_basins_method_find(m->name) == m, "find('%s') gives its row", m->name);
		/* the list as a reader writes it: "a, b or c" */
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 k == 0 ? "" : k + 1 == n ? " or " : ", ", m->name);
	}
	is_int(n_default, 1, "exactly one default row");
	ok(unique, "names are unique");
	ok(described, "every row has a help line and a French label");
	ok(cpts_basins_method_find(NULL) && cpts_basins_method_find(NULL)->is_default,
	   "find(NULL) is the default row");
	ok(cpts_basins_method_find("kmeans") == NULL, "an unknown name has no row");
	is_str(cpts_basins_method_list(), list, "the list of names follows the table");
	/* the four methods of today, the default the optimiser */
	is_str(cpts_basins_method_find(NULL)->name, "optimise", "the default is optimise");
	ok(cpts_basins_method_find("optimise")->uses & CPTS_BASINS_USES_OPTIMISER,
	   "optimise reads the optimiser options");
	ok(!(cpts_basins_method_find("plurality")->uses & CPTS_BASINS_USES_OPTIMISER),
	   "plurality does not");
}

static cpts_store *strip(cpts_ctx *ctx, char *path)
{
	cpts_store *s = ws_create(ctx, path);
	static const char *code[4] = { "44001", "44002", "44003", "44004" };
	static const double pop[4] = { 10000, 1000, 1000, 10000 };
	int rc = s ? cpts_store_begin(ctx, s) : -1;

	for (int i = 0; i < 4 && rc == 0; i++)
		rc = ws_rect(ctx, s, code[i], 1000.0 * i, 0, 1000.0 * (i + 1), 1000) |
		     ws_pop(ctx, s, code[i], pop[i]);
	rc |= ws_flow(ctx, s, "44001", "44001", "", 900, 0);
	rc |= ws_flow(ctx, s, "44001", "44004", "", 100, 0);
	rc |= ws_flow(ctx, s, "44002", "44001", "", 90, 0);
	rc |= ws_flow(ctx, s, "44002", "44004", "", 10, 0);
	rc |= ws_flow(ctx, s, "44003", "44004", "", 80, 0);
	rc |= ws_flow(ctx, s, "44003", "44001", "", 20, 0);
	rc |= ws_flow(ctx, s, "44004", "44004", "", 950, 0);
	rc |= ws_flow(ctx, s, "44004", "44001", "", 50, 0);
	if (rc == 0)
		rc = cpts_store_commit(ctx, s);
	return rc == 0 ? s : NULL;
}

static void test_runs(cpts_ctx *ctx)
{
	char path[256], sql[256], name[64];
	cpts_store *s = strip(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;

	ok(s != NULL, "strip workspace built");
	if (!s)
		return;
	o.target_count = 2;
	for (size_t k = 0; k < cpts_basins_method_count(); k++) {
		const cpts_basins_method_info *m = cpts_basins_method_at(k);
		snprintf(name, sizeof(name), "b_%s", m->name);
		o.method = m->name;
		o.name = name;
		ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "%s runs", m->name);
		is_int(sum.n_basins, 2, "%s: two basins", m->name);
		ok(fabs(sum.li_overall - 2020.0 / 2200.0) < 1e-9, "%s: overall LI %.6f = 2020 / 2200",
		   m->name, sum.li_overall);
		snprintf(sql, sizeof(sql), "SELECT group_concat(code || '=' || territory, ' ') FROM"
			 " (SELECT * FROM partition_members WHERE partition = '%s' ORDER BY code)",
			 name);
		is_str(sql_text(s, sql), "44001=44001 44002=44001 44003=44004 44004=44004",
		       "%s: the basins found by hand", m->name);
		snprintf(sql, sizeof(sql), "SELECT source FROM partitions WHERE name = '%s'", name);
		is_str(sql_text(s, sql), m->name, "%s: stored as the partition's source", m->name);
	}
	/* no method named: the default row runs, and says so */
	o.method = NULL;
	o.name = "dflt";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "no method named runs");
	is_str(sql_text(s, "SELECT source FROM partitions WHERE name = 'dflt'"),
	       cpts_basins_method_find(NULL)->name, "the default row ran");
	/* an unknown name is a usage error, and nothing is stored */
	o.method = "kmeans";
	o.name = "bad";
	is_int(cpts_basins_run(ctx, s, &o, &sum), CPTS_EUSAGE, "unknown method: CPTS_EUSAGE");
	ok(strstr(ctx->err.msg, "unknown method 'kmeans'") != NULL, "the error names it (%s)",
	   ctx->err.msg);
	cpts_error_clear(ctx);
	is_str(sql_text(s, "SELECT count(*) FROM partitions WHERE name = 'bad'"), "0",
	       "nothing stored");
	ws_drop(s, path);
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_table();
	test_runs(&ctx);
	cpts_ctx_release(&ctx);
	return done_testing();
}
