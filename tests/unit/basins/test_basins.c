/*
 * test_basins.c - unit tests of src/basins on hand-made workspaces where the right
 * basins are known: two towns with a clear split, an island, an enclave, a commune with
 * no flows, a tie; floor, ceiling, lock; metrics (LI, MSI, PAC, classes) checked
 * against hand computations; partition comparison against scikit-learn's formulas
 * worked by hand.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cpts/basins.h"
#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/model.h"
#include "tap.h"
#include "unit/basins/sound.h"
#include "unit/graph/ws_helper.h"

/* Territory of a commune in a stored partition ("" when none); static buffer. */
static const char *terr_of(cpts_store *s, const char *part, const char *code)
{
	static char out[64];
	sqlite3_stmt *st = NULL;

	out[0] = 0;
	if (sqlite3_prepare_v2(cpts_store_db(s), "SELECT territory FROM partition_members WHERE"
			       " partition = ? AND code = ?", -1, &st, NULL) != SQLITE_OK)
		return out;
	sqlite3_bind_text(st, 1, part, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return out;
}

/* One real value from SQL, NAN when NULL or no row. */
static double sql_real(cpts_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	double v = NAN;

	if (sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return NAN;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Two towns 44001 (west) and 44006 (east) on a strip of 1 km squares 44001..44006;
 * 44002 has a hole filled by the enclave 44008; the island 44007 lies 2 km east of
 * 44006; 44009 (no flows) sits on top of 44003 and 44004. Flows below; see
 * test_two_towns for the expected basins and metrics.
 */
static cpts_store *two_towns(cpts_ctx *ctx, char *path)
{
	cpts_store *s = ws_create(ctx, path);
	static const struct { const char *o, *d; double v; } fl[] = {
		{ "44001", "44001", 900 }, { "44001", "44006", 100 },
		{ "44002", "44001", 80 }, { "44002", "44002", 20 },
		{ "44003", "44001", 28 }, { "44003", "44006", 22 }, { "44003", "75056", 50 },
		{ "44004", "44006", 70 }, { "44004", "44001", 30 },
		{ "44005", "44006", 45 }, { "44005", "44001", 30 }, { "44005", "75056", 25 },
		{ "44006", "44006", 950 }, { "44006", "44001", 50 },
		{ "44007", "44006", 50 }, { "44007", "44007", 10 },
		{ "44008", "44006", 30 },
	};
	static const struct { const char *c; double pop; } pops[] = {
		{ "44001", 10000 }, { "44002", 1000 }, { "44003", 1000 }, { "44004", 1000 },
		{ "44005", 1000 }, { "44006", 10000 }, { "44007", 500 }, { "44008", 200 },
		{ "44009", 300 },
	};
	int rc = 0;

	if (!s)
		return NULL;
	rc |= ws_rect(ctx, s, "44001", 0, 0, 1000, 1000);
	rc |= ws_commune(ctx, s, "44002", "44", 2154,
			 "POLYGON((1000 0, 2000 0, 2000 1000, 1000 1000, 1000 0),"
			 "(1400 400, 1600 400, 1600 600, 1400 600, 1400 400))");
	rc |= ws_rect(ctx, s, "44003", 2000, 0, 3000, 1000);
	rc |= ws_rect(ctx, s, "44004", 3000, 0, 4000, 1000);
	rc |= ws_rect(ctx, s, "44005", 4000, 0, 5000, 1000);
	rc |= ws_rect(ctx, s, "44006", 5000, 0, 6000, 1000);
	rc |= ws_rect(ctx, s, "44007", 8000, 0, 9000, 1000);
	rc |= ws_rect(ctx, s, "44008", 1400, 400, 1600, 600);
	rc |= ws_commune(ctx, s, "44009", "44", 2154,
			 "POLYGON((2000 1000, 3000 1000, 4000 1000, 4000 2000, 2000 2000,"
			 " 2000 1000))");
	for (size_t k = 0; k < sizeof(fl) / sizeof(fl[0]); k++)
		rc |= ws_flow(ctx, s, fl[k].o, fl[k].d, "", fl[k].v, fl[k].d[0] == '7');
	for (size_t k = 0; k < sizeof(pops) / sizeof(pops[0]); k++)
		rc |= ws_pop(ctx, s, pops[k].c, pops[k].pop);
	return rc ? NULL : s;
}

#define ALL_A "44001 44002 44003 44008 44009"
#define ALL_B "44004 44005 44006 44007"

static void check_two_basins(cpts_store *s, const char *name)
{
	static const char *const a[] = { "44001", "44002", "44003", "44008", "44009" };
	static const char *const b[] = { "44004", "44005", "44006", "44007" };
	bool good = true;

	for (size_t k = 0; k < 5; k++)
		good &= strcmp(terr_of(s, name, a[k]), "44001") == 0;
	ok(good, "%s: basin 44001 = " ALL_A, name);
	good = true;
	for (size_t k = 0; k < 4; k++)
		good &= strcmp(terr_of(s, name, b[k]), "44006") == 0;
	ok(good, "%s: basin 44006 = " ALL_B, name);
}

/*
 * Plurality by hand: 44002, 44003 (28 vs 22) go to 44001; 44004, 44005, 44007 go to
 * 44006 (44007 through its bridge); the enclave 44008 sends everything to 44006 but
 * only touches 44002, so it joins basin 44001; 44009 sends nothing and touches both:
 * it joins the smaller (12,200 < 12,500 inhabitants), 44001.
 * Metrics by hand (outside flows of 44003 and 44005 in the denominators):
 *   A: internal 900 + 100 + 28 = 1028, residents 1000 + 100 + 100 + 30 = 1230,
 *      LI 1028/1230 = 0.835772; inflows 1118 + 20 = 1138, MSI 1028/1138 = 0.903339.
 *   B: internal 70 + 45 + 950 + 60 = 1125, residents 1260, LI 0.892857; inflows
 *      1267 + 10 = 1277, MSI 1125/1277 = 0.880971.
 *   overall LI 2153/2490 = 0.864659, MSI 2153/2415 = 0.891511.
 * Classes: poles 1; 44002 (100 %) 2; 44005 (45 %) 3; 44003 (28 %, still first) 4;
 * 44008 (0 %, 44006 first) 5; 44009 no flow: NULL.
 */
static void test_two_towns(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = two_towns(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;
	cpts_compare_result cr;

	ok(s != NULL, "two-town workspace");
	if (!s)
		return;
	o.method = "plurality"; /* the default is optimise */
	o.name = "plu";
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0, "plurality runs (graph built on the fly)");
	is_int(sum.n_basins, 2, "two basins");
	check_two_basins(s, "plu");
	near(sum.li_overall, 2153.0 / 2490, 1e-9, "overall LI");
	near(sum.msi_overall, 2153.0 / 2415, 1e-9, "overall MSI");
	near(sql_real(s, "SELECT li FROM basin_metrics WHERE partition='plu' AND"
		      " territory='44001'"), 1028.0 / 1230, 1e-9, "LI of basin 44001");
	near(sql_real(s, "SELECT msi FROM basin_metrics WHERE partition='plu' AND"
		      " territory='44006'"), 1125.0 / 1277, 1e-9, "MSI of basin 44006");
	near(sql_real(s, "SELECT pop FROM basin_metrics WHERE partition='plu' AND"
		      " territory='44001'"), 12500, 1e-12, "population of basin 44001");
	is_int(sql_real(s, "SELECT n_communes FROM basin_metrics WHERE partition='plu' AND"
			" territory='44006'"), 4, "4 communes in basin 44006");
	is_int(sql_real(s, "SELECT tier FROM basin_metrics WHERE partition='plu' AND"
			" territory='44006'"), 1, "ACI tier 1 under 40,000");
	is_int(sql_real(s, "SELECT class FROM basin_communes WHERE partition='plu' AND"
			" code='44001'"), 1, "44001 pole: class 1");
	is_int(sql_real(s, "SELECT class FROM basin_communes WHERE partition='plu' AND"
			" code='44002'"), 2, "44002 class 2");
	is_int(sql_real(s, "SELECT class FROM basin_communes WHERE partition='plu' AND"
			" code='44005'"), 3, "44005 class 3");
	is_int(sql_real(s, "SELECT class FROM basin_communes WHERE partition='plu' AND"
			" code='44003'"), 4, "44003 class 4");
	is_int(sql_real(s, "SELECT class FROM basin_communes WHERE partition='plu' AND"
			" code='44008'"), 5, "enclave 44008 class 5");
	ok(isnan(sql_real(s, "SELECT class FROM basin_communes WHERE partition='plu' AND"
			  " code='44009'")), "44009 without flows has no class");
	near(sql_real(s, "SELECT first_share FROM basin_communes WHERE partition='plu' AND"
		      " code='44005'"), 0.45, 1e-12, "44005 first share 45 %%");
	near(sql_real(s, "SELECT second_share FROM basin_communes WHERE partition='plu' AND"
		      " code='44005' AND second_terr='44001'"), 0.30, 1e-12,
	     "44005 second destination 44001, 30 %%");
	near(sql_real(s, "SELECT own_share FROM basin_communes WHERE partition='plu' AND"
		      " code='44003'"), 0.28, 1e-12, "44003 own share 28 %%");
	ok(partition_sound(ctx, s, "plu"), "plurality: every commune once, basins contiguous");

	/* modularity finds the same two basins once the floor absorbs the enclave */
	o.method = "modularity";
	o.name = "mod";
	o.min_pop = 1000;
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0, "modularity runs");
	is_int(sum.n_basins, 2, "modularity: two basins");
	check_two_basins(s, "mod");
	ok(cpts_compare_partitions(ctx, s, "plu", "mod", &cr) == 0 && fabs(cr.ari - 1) < 1e-12 &&
	   fabs(cr.nmi - 1) < 1e-12 && fabs(cr.share_matching - 1) < 1e-12,
	   "compare: identical partitions give ARI = NMI = matching = 1");
	ok(partition_sound(ctx, s, "mod"), "modularity: every commune once, contiguous");

	/* floor 13,000: both basins (12,500) are too small: one basin */
	o.method = "plurality";
	o.name = "floor";
	o.min_pop = 13000;
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0 && sum.n_basins == 1 && sum.n_under_floor == 0,
	   "floor 13,000 merges the two basins");
	/* ceiling 11,000: each basin is split, every part at most 11,000 */
	o.name = "ceil";
	o.min_pop = 0;
	o.max_pop = 11000;
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0, "ceiling run");
	ok(sum.n_basins >= 4 && sum.n_over_ceiling == 0, "ceiling 11,000: %zu basins, none above",
	   sum.n_basins);
	is_int(sql_real(s, "SELECT count(*) FROM basin_metrics WHERE partition='ceil' AND"
			" pop > 11000"), 0, "no basin above 11,000");
	ok(partition_sound(ctx, s, "ceil"), "ceiling: contiguous parts");
	/* ceiling 8,000: each town alone above it */
	o.name = "ceil8";
	o.max_pop = 8000;
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0 && sum.n_over_ceiling == 2,
	   "towns above the 8,000 ceiling are reported (2)");
	is_int(sql_real(s, "SELECT n_communes FROM basin_metrics WHERE partition='ceil8' AND"
			" territory='44001'"), 1, "town 44001 forms its own basin");
	ws_drop(s, path);
}

/*
 * Lock: 44005 and 44006 signed a CPTS ('CPTS-EST'). By hand: 44004 then goes to 44001
 * (30, its best unlocked destination), the island keeps its residents (10) and becomes
 * its own basin, the enclave and 44009 join 44001's basin.
 */
static void test_lock(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = two_towns(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;

	ws_member(ctx, s, "signed", "44005", "CPTS-EST");
	ws_member(ctx, s, "signed", "44006", "CPTS-EST");
	o.method = "plurality"; /* the default is optimise */
	o.lock = "signed";
	o.name = "locked";
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0, "run with --lock");
	is_int(sum.n_basins, 3, "3 territories: CPTS-EST, 44001, 44007");
	is_str(terr_of(s, "locked", "44005"), "CPTS-EST", "44005 stays in CPTS-EST");
	is_str(terr_of(s, "locked", "44006"), "CPTS-EST", "44006 stays in CPTS-EST");
	is_str(terr_of(s, "locked", "44004"), "44001", "44004 goes west");
	is_str(terr_of(s, "locked", "44007"), "44007", "the island keeps its own basin");
	is_str(terr_of(s, "locked", "44009"), "44001", "44009 joins 44001");
	ok(partition_sound(ctx, s, "locked"), "lock: every commune once, contiguous");
	is_int(sum.n_locked_split, 0, "a contiguous lock is not reported");
	{
		/* 44001 and 44005 are 3 km apart on the strip: a lock in two parts, kept as
		 * given, reported once */
		size_t warned = ctx->n_warnings;
		int verbosity = ctx->verbosity;
		FILE *log = tmpfile();
		char msg[512] = "";
		ws_member(ctx, s, "split", "44001", "CPTS-SPLIT");
		ws_member(ctx, s, "split", "44005", "CPTS-SPLIT");
		o.lock = "split";
		o.name = "locked2";
		ctx->verbosity = CPTS_LOG_WARN;
		ctx->log = log;
		ok(cpts_basins_run(ctx, s, &o, &sum) == 0, "run with a lock in two parts");
		ctx->verbosity = verbosity;
		ctx->log = stderr;
		is_int(sum.n_locked_split, 1, "one locked territory not contiguous");
		is_int(ctx->n_warnings - warned, 1, "warned once");
		if (log) {
			rewind(log);
			if (!fgets(msg, sizeof(msg), log))
				msg[0] = 0;
			fclose(log);
		}
		ok(strstr(msg, "locked territory CPTS-SPLIT is not contiguous: 2 parts (44001")
		   != NULL, "the warning names the territory and its parts (%s)", msg);
		is_str(terr_of(s, "locked2", "44001"), "CPTS-SPLIT", "44001 kept in its lock");
		is_str(terr_of(s, "locked2", "44005"), "CPTS-SPLIT", "44005 kept in its lock");
		o.lock = "signed";
	}
	o.name = "signed";
	is_int(cpts_basins_run(ctx, s, &o, &sum), CPTS_EUSAGE, "refuses to overwrite the lock");
	cpts_error_clear(ctx);
	o.lock = "nope";
	o.name = "x";
	is_int(cpts_basins_run(ctx, s, &o, &sum), CPTS_EUSAGE, "unknown lock partition");
	cpts_error_clear(ctx);
	is_int(cpts_store_has_partition(ctx, s, "x"), 0, "failed run leaves no partition");
	ws_drop(s, path);
}

/*
 * Tie: 44002 sends 40 to each town; 44001 receives more in total (540 vs 340), so it
 * wins. PAC by hand: basin {44001, 44002} is a 2 km x 1 km rectangle, perimeter
 * 4 + 4 - 2 x 1 = 6 km, PAC = 6 / (3.54 sqrt 2) = 1.198437; {44003}: 4 / 3.54.
 */
static void test_tie(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = ws_create(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;

	ws_rect(ctx, s, "44001", 0, 0, 1000, 1000);
	ws_rect(ctx, s, "44002", 1000, 0, 2000, 1000);
	ws_rect(ctx, s, "44003", 2000, 0, 3000, 1000);
	ws_pop(ctx, s, "44001", 5000);
	ws_pop(ctx, s, "44002", 500);
	ws_pop(ctx, s, "44003", 3000);
	ws_flow(ctx, s, "44001", "44001", "", 500, 0);
	ws_flow(ctx, s, "44003", "44003", "", 300, 0);
	ws_flow(ctx, s, "44002", "44001", "", 40, 0);
	ws_flow(ctx, s, "44002", "44003", "", 40, 0);
	o.method = "plurality"; /* the default is optimise */
	o.name = "tie";
	ok(cpts_basins_run(ctx, s, &o, &sum) == 0 && sum.n_basins == 2, "tie: two basins");
	is_str(terr_of(s, "tie", "44002"), "44001", "a tie goes to the larger inflow");
	near(sql_real(s, "SELECT pac FROM basin_metrics WHERE partition='tie' AND"
		      " territory='44001'"), 6 / (3.54 * sqrt(2.0)), 1e-6, "PAC of a 2 x 1 rectangle");
	near(sql_real(s, "SELECT pac FROM basin_metrics WHERE partition='tie' AND"
		      " territory='44003'"), 4 / 3.54, 1e-6, "PAC of a square");
	/*
	 * 44002 split half and half between T1 = {44001, 44002 x 0.5} and T2 = {44002 x 0.5,
	 * 44003}: each piece counts with its population share (cpts/measures.h). By hand:
	 * T1 area 1 + 0.5, perimeter 4 + 0.5 x 4 - 1 (44001's border with 44002) - 0.5 x 1
	 * (the piece's border with 44001) = 4.5 km; T2 the same by symmetry. LI of T1: inside
	 * 500 + 0.5 x 40 = 520 of 500 + 0.5 x 80 = 540 from its residents. (The formula
	 * metrics.c had before gave the piece its whole perimeter and no shared border:
	 * 8 / (3.54 sqrt 1.5).)
	 */
	{
		static const char *const rows[][3] = { { "44001", "T1", "1" }, { "44002", "T1", "0.5" },
						       { "44002", "T2", "0.5" }, { "44003", "T2", "1" } };
		int rc = cpts_store_run(ctx, s, "INSERT INTO partitions(name, kind) VALUES('split',"
					" 'input')", (const char *)NULL);
		for (size_t k = 0; k < 4 && rc == 0; k++)
			rc = cpts_store_run(ctx, s, "INSERT INTO partition_members(partition, code,"
					    " territory, statut, weight) VALUES('split', ?, ?, NULL,"
					    " CAST(? AS REAL))", rows[k][0], rows[k][1], rows[k][2],
					    (const char *)NULL);
		ok(rc == 0 && cpts_store_begin(ctx, s) == 0 &&
		   cpts_basins_metrics(ctx, s, "split", NULL) == 0 && cpts_store_commit(ctx, s) == 0,
		   "metrics of a partition with a split commune");
		near(sql_real(s, "SELECT pac FROM basin_metrics WHERE partition='split' AND"
			      " territory='T1'"), 4.5 / (3.54 * sqrt(1.5)), 1e-9,
		     "PAC of T1: the split piece weighted by its share");
		near(sql_real(s, "SELECT pac FROM basin_metrics WHERE partition='split' AND"
			      " territory='T2'"), 4.5 / (3.54 * sqrt(1.5)), 1e-9,
		     "PAC of T2: the same by symmetry");
		near(sql_real(s, "SELECT li FROM basin_metrics WHERE partition='split' AND"
			      " territory='T1'"), 520.0 / 540.0, 1e-9, "LI of T1 = 520 / 540");
	}
	/* the same inputs and seed give the same partition */
	o.method = "modularity";
	o.name = "m1";
	cpts_basins_run(ctx, s, &o, &sum);
	o.name = "m2";
	cpts_basins_run(ctx, s, &o, &sum);
	is_int(cpts_store_count(s, "SELECT count(*) FROM partition_members a JOIN"
				" partition_members b ON a.code = b.code AND a.partition = 'm1' AND"
				" b.partition = 'm2' AND a.territory = b.territory", -1), 3,
	       "modularity is deterministic for a seed");
	ws_drop(s, path);
}

/*
 * Comparison, by hand with scikit-learn's formulas on inhabitants: populations 2, 1, 1,
 * 2; A = {c1, c2} X, {c3, c4} Y; B = {c1} P, {c2, c3, c4} Q. Contingency X-P 2, X-Q 1,
 * Y-Q 3 (N = 6). ARI: sum C(n_ij,2) = 4, sum C(a_i,2) = 6, sum C(b_j,2) = 7,
 * expected 6 x 7 / C(6,2) = 2.8, ARI = (4 - 2.8) / (6.5 - 2.8) = 12/37 = 0.324324 (what
 * adjusted_rand_score([0,0,0,1,1,1], [0,0,1,1,1,1]) gives). NMI (arithmetic): MI =
 * 0.318257, H(A) = ln 2, H(B) = 0.636514, NMI = 0.478704. Matching: X -> P (2),
 * Y -> Q (3): 5/6.
 */
static void test_compare(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = ws_create(ctx, path);
	cpts_compare_result r;

	ws_rect(ctx, s, "44001", 0, 0, 1000, 1000);
	ws_rect(ctx, s, "44002", 1000, 0, 2000, 1000);
	ws_rect(ctx, s, "44003", 2000, 0, 3000, 1000);
	ws_rect(ctx, s, "44004", 3000, 0, 4000, 1000);
	ws_pop(ctx, s, "44001", 2);
	ws_pop(ctx, s, "44002", 1);
	ws_pop(ctx, s, "44003", 1);
	ws_pop(ctx, s, "44004", 2);
	ws_member(ctx, s, "A", "44001", "X");
	ws_member(ctx, s, "A", "44002", "X");
	ws_member(ctx, s, "A", "44003", "Y");
	ws_member(ctx, s, "A", "44004", "Y");
	ws_member(ctx, s, "B", "44001", "P");
	ws_member(ctx, s, "B", "44002", "Q");
	ws_member(ctx, s, "B", "44003", "Q");
	ws_member(ctx, s, "B", "44004", "Q");
	ok(cpts_compare_partitions(ctx, s, "A", "B", &r) == 0, "compare runs");
	near(r.ari, 12.0 / 37, 1e-12, "population-weighted ARI");
	near(r.nmi, 0.47870397138567994, 1e-12, "population-weighted NMI");
	near(r.share_matching, 5.0 / 6, 1e-12, "share in matching territories");
	is_int(r.n_common, 4, "4 communes in common");
	is_int(cpts_compare_partitions(ctx, s, "A", "nope", &r), CPTS_EUSAGE,
	       "unknown partition is a usage error");
	cpts_error_clear(ctx);
	ws_drop(s, path);
}

/*
 * cpts_partition_from_labels gives what cpts_partition_save writes and
 * cpts_partition_load reads back: five communes, labels {2, 0, 2, -1, 0} over the ids
 * {"zeta", "unused", "alpha"}; expected (sorted ids): alpha = {44001, 44003},
 * zeta = {44002, 44005}, 44004 in none, "unused" dropped.
 */
static void test_from_labels(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = ws_create(ctx, path);
	cpts_model *m = NULL;
	cpts_partition *mem = NULL, *disk = NULL;
	char *ids[] = { "zeta", "unused", "alpha" };
	long lab[5] = { 2, 0, 2, -1, 0 };
	bool same;

	for (int i = 0; i < 5; i++) {
		char code[8];
		snprintf(code, sizeof(code), "4400%d", i + 1);
		ws_rect(ctx, s, code, i * 1000, 0, (i + 1) * 1000, 1000);
	}
	ok(cpts_model_load(ctx, &m, s) == 0 && m->n == 5, "model of five communes");
	/* the model is sorted by code: 44001..44005 are indices 0..4; label 2 = "alpha" */
	mem = cpts_partition_from_labels(m, "p", ids, 3, lab);
	ok(cpts_store_begin(ctx, s) == 0 &&
	   cpts_partition_save(ctx, s, m, "p", "basins", "test", NULL, ids, lab) == 0 &&
	   cpts_store_commit(ctx, s) == 0, "partition saved");
	ok(cpts_partition_load(ctx, &disk, s, m, "p") == 0, "partition loaded back");
	is_int((long)mem->n_terr, 2, "two territories with members (unused dropped)");
	ok(strcmp(mem->terr[0], "alpha") == 0 && strcmp(mem->terr[1], "zeta") == 0,
	   "territories sorted by id");
	same = disk && mem->n_terr == disk->n_terr && mem->n_members == disk->n_members;
	for (size_t t = 0; same && t < mem->n_terr; t++)
		same = strcmp(mem->terr[t], disk->terr[t]) == 0 && !mem->statut[t] &&
		       !disk->statut[t] && mem->terr_start[t + 1] == disk->terr_start[t + 1];
	for (size_t k = 0; same && k < mem->n_members; k++)
		same = mem->members[k].commune == disk->members[k].commune &&
		       mem->members[k].territory == disk->members[k].territory &&
		       mem->members[k].weight == disk->members[k].weight;
	for (size_t i = 0; same && i < m->n; i++)
		same = mem->commune_terr[i] == disk->commune_terr[i];
	ok(same, "in memory = saved and loaded back, member for member");
	ok(mem->commune_terr[0] == 0 && mem->commune_terr[1] == 1 && mem->commune_terr[2] == 0 &&
	   mem->commune_terr[3] == -1 && mem->commune_terr[4] == 1,
	   "44001, 44003 in alpha; 44002, 44005 in zeta; 44004 in none");
	cpts_partition_free(mem);
	cpts_partition_free(disk);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_two_towns(&ctx);
	test_lock(&ctx);
	test_tie(&ctx);
	test_compare(&ctx);
	test_from_labels(&ctx);
	cpts_ctx_release(&ctx);
	return done_testing();
}
