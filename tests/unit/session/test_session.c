/*
 * test_session.c - unit tests of the workspace session (src/session, cpts/session.h):
 * each getter loads once and hands back the same object, invalidation drops exactly the
 * entry named, a stage run through the session loads nothing again, a store swapped
 * under the session keeps the cache, and the flow transpose matches the flows table
 * summed by hand.
 */
#include <math.h>
#include <string.h>

#include "cpts/basins.h"
#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/session.h"
#include "cpts/util.h"
#include "tap.h"
#include "unit/graph/ws_helper.h"

/* Four communes in a row, 1 km squares: 44001 | 44002 | 44003 | 44004. Flows (all
 * professions, one masked cell, one to a destination outside the area). */
static cpts_store *make_ws(cpts_ctx *ctx, char *path)
{
	cpts_store *s = ws_create(ctx, path);
	const char *codes[] = { "44001", "44002", "44003", "44004" };

	if (!s)
		return NULL;
	for (int i = 0; i < 4; i++)
		if (ws_rect(ctx, s, codes[i], 1000.0 * i, 0, 1000.0 * (i + 1), 1000) < 0 ||
		    ws_pop(ctx, s, codes[i], 1000.0 * (i + 1)) < 0)
			return NULL;
	if (ws_flow(ctx, s, "44001", "44001", "", 10, 0) < 0 ||
	    ws_flow(ctx, s, "44001", "44002", "", 5, 0) < 0 ||
	    ws_flow(ctx, s, "44002", "44001", "", 7, 0) < 0 ||
	    ws_flow(ctx, s, "44003", "44001", "", 2, 0) < 0 ||
	    ws_flow(ctx, s, "44003", "44004", "", 4, 0) < 0 ||
	    ws_flow(ctx, s, "44004", "44004", "", -1, 0) < 0 || /* masked */
	    ws_flow(ctx, s, "44004", "35001", "", 3, 1) < 0 ||  /* outside */
	    ws_member(ctx, s, "p", "44001", "A") < 0 || ws_member(ctx, s, "p", "44002", "A") < 0 ||
	    ws_member(ctx, s, "p", "44003", "B") < 0 || ws_member(ctx, s, "p", "44004", "B") < 0)
		return NULL;
	return s;
}

static void test_cache(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = make_ws(ctx, path);
	cpts_session *ss;
	cpts_model *m1, *m2;
	cpts_partition *p1, *p2;
	cpts_flows *f1, *f2, *ft;
	unsigned long lm, lp, lf;

	if (!ok(s != NULL, "hand-made workspace"))
		return;
	ss = cpts_session_new(s);
	lm = cpts_load_count(CPTS_LOAD_MODEL);
	lp = cpts_load_count(CPTS_LOAD_PARTITION);
	lf = cpts_load_count(CPTS_LOAD_FLOWS);
	ok(cpts_session_model(ctx, ss, &m1) == CPTS_OK && cpts_session_model(ctx, ss, &m2) ==
	   CPTS_OK && m1 == m2, "two model requests give the same model");
	is_int((long)(cpts_load_count(CPTS_LOAD_MODEL) - lm), 1, "the model was read once");
	ok(cpts_session_partition(ctx, ss, "p", &p1) == CPTS_OK &&
	   cpts_session_partition(ctx, ss, "p", &p2) == CPTS_OK && p1 == p2 && p1->n_terr == 2,
	   "two partition requests give the same partition (2 territories)");
	is_int((long)(cpts_load_count(CPTS_LOAD_PARTITION) - lp), 1, "the partition was read once");
	ok(cpts_session_flows(ctx, ss, NULL, &f1) == CPTS_OK &&
	   cpts_session_flows(ctx, ss, NULL, &f2) == CPTS_OK && f1 == f2, "flows cached");
	ok(cpts_session_flows_t(ctx, ss, NULL, &ft) == CPTS_OK, "transpose");
	is_int((long)(cpts_load_count(CPTS_LOAD_FLOWS) - lf), 1,
	       "flows read once for the matrix and its transpose");
	/* the transpose against the rows above, by hand: column 44001 receives 10 (44001),
	   7 (44002), 2 (44003); 44004 receives 4 (44003); the masked cell and the outside
	   flow are not entries */
	is_int((long)(ft->start[1] - ft->start[0]), 3, "44001 has 3 residences sending to it");
	ok(ft->col[0] == 0 && ft->col[1] == 1 && ft->col[2] == 2 && ft->vol[0] == 10 &&
	   ft->vol[1] == 7 && ft->vol[2] == 2, "44001's column: 10, 7, 2 from 44001..44003");
	is_int((long)(ft->start[4] - ft->start[3]), 1, "44004 receives from one residence");
	ok(ft->col[ft->start[3]] == 2 && ft->vol[ft->start[3]] == 4, "44004 <- 44003: 4");
	is_int((long)(ft->start[2] - ft->start[1]), 1, "44002 receives from 44001 only");
	near(ft->row_total[0], 19, 1e-12, "inflow of 44001 = 10 + 7 + 2");
	near(ft->col_total[3], 3, 1e-12, "outflow of 44004 = its outside flow 3");
	near(ft->total, 31, 1e-12, "total 10 + 5 + 7 + 2 + 4 + 3");
	is_int((long)ft->n_masked, 1, "one masked cell");
	/* invalidation drops what is named, and only that */
	cpts_session_invalidate(ctx, ss, CPTS_SESSION_PARTITION, "p");
	ok(cpts_session_partition(ctx, ss, "p", &p2) == CPTS_OK, "partition reloaded");
	is_int((long)(cpts_load_count(CPTS_LOAD_PARTITION) - lp), 2,
	       "after invalidation the partition is read again");
	ok(cpts_session_model(ctx, ss, &m2) == CPTS_OK && m2 == m1, "the model stayed cached");
	is_int((long)(cpts_load_count(CPTS_LOAD_MODEL) - lm), 1, "model still read once");
	cpts_session_invalidate(ctx, ss, CPTS_SESSION_MODEL, NULL);
	ok(cpts_session_flows(ctx, ss, NULL, &f2) == CPTS_OK, "flows after a model invalidation");
	is_int((long)(cpts_load_count(CPTS_LOAD_MODEL) - lm), 2,
	       "invalidating the model drops everything: model read again");
	is_int((long)(cpts_load_count(CPTS_LOAD_FLOWS) - lf), 2, "and the flows");
	/* a stage run through the session: basins metrics reads nothing again */
	{
		cpts_basins_opts bo = CPTS_BASINS_OPTS_INIT;
		cpts_graph *g = NULL;
		unsigned long m0 = cpts_load_count(CPTS_LOAD_MODEL);
		unsigned long f0 = cpts_load_count(CPTS_LOAD_FLOWS);
		unsigned long p0 = cpts_load_count(CPTS_LOAD_PARTITION), g0;
		bo.method = "plurality"; /* the default is optimise */
		bo.session = ss;
		is_int(cpts_session_graph(ctx, ss, &g), CPTS_ABSENT,
		       "no graph built yet: CPTS_ABSENT, not an error");
		ok(g == NULL && ctx->err.code == CPTS_OK, "no graph, no error set");
		ok(cpts_session_model(ctx, ss, &m1) == CPTS_OK &&
		   cpts_store_begin(ctx, s) == CPTS_OK &&
		   cpts_graph_build(ctx, &g, m1, s, NULL) == CPTS_OK &&
		   cpts_store_commit(ctx, s) == CPTS_OK, "graph built");
		cpts_session_put_graph(ss, g);
		ok(cpts_session_partition(ctx, ss, "p", &p1) == CPTS_OK, "partition");
		p0 = cpts_load_count(CPTS_LOAD_PARTITION);
		g0 = cpts_load_count(CPTS_LOAD_GRAPH);
		ok(cpts_store_begin(ctx, s) == CPTS_OK &&
		   cpts_basins_metrics(ctx, s, "p", &bo) == CPTS_OK &&
		   cpts_store_commit(ctx, s) == CPTS_OK, "metrics through the session");
		ok(cpts_load_count(CPTS_LOAD_MODEL) == m0 && cpts_load_count(CPTS_LOAD_FLOWS) == f0 &&
		   cpts_load_count(CPTS_LOAD_PARTITION) == p0 &&
		   cpts_load_count(CPTS_LOAD_GRAPH) == g0, "metrics loaded nothing again");
		/* LI of A = flows of A's residents staying in A / all of them: (10 + 5 + 7) /
		   (15 + 7) = 1 */
		near(cpts_store_count(s, "SELECT CAST(li * 1000 AS INTEGER) FROM basin_metrics"
				      " WHERE partition = 'p' AND territory = 'A'", -1), 1000, 0,
		     "LI of territory A stored: 1");
		/* B: residents 44003 (2 + 4) and 44004 (3 outside): 4 inside of 9 -> 444 */
		near(cpts_store_count(s, "SELECT CAST(li * 1000 AS INTEGER) FROM basin_metrics"
				      " WHERE partition = 'p' AND territory = 'B'", -1), 444, 0,
		     "LI of territory B stored: 4 / 9");
	}
	/* a store swapped under the session keeps its cache */
	{
		cpts_store *s2 = NULL;
		unsigned long m0 = cpts_load_count(CPTS_LOAD_MODEL);
		cpts_session_set_store(ss, NULL);
		ok(cpts_store_open(ctx, &s2, path, 0) == CPTS_OK, "reopened");
		cpts_session_set_store(ss, s2);
		ok(cpts_session_model(ctx, ss, &m2) == CPTS_OK && cpts_session_store(ss) == s2 &&
		   cpts_load_count(CPTS_LOAD_MODEL) == m0, "the reopened store: model not read again");
	}
	cpts_session_free(ctx, ss);
	unlink(path);
}

/* A borrowed session leaves the store open. */
static void test_borrow(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = make_ws(ctx, path);
	cpts_session *ss;
	cpts_model *m;

	if (!ok(s != NULL, "workspace for the borrowed session"))
		return;
	ss = cpts_session_borrow(s);
	ok(cpts_session_model(ctx, ss, &m) == CPTS_OK && m->n == 4, "4 communes");
	cpts_session_free(ctx, ss);
	is_int(cpts_store_count(s, "SELECT count(*) FROM communes", -1), 4,
	       "the store is still open after the borrowed session is freed");
	ws_drop(s, path);
}

/* The store's error model: a statement that fails after its first row is an internal
 * error, never the end of the data; a missing value is CPTS_ABSENT, not a default. */
static void test_error_model(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = make_ws(ctx, path);
	sqlite3_stmt *st = NULL;
	long long v = -1;
	char *val = NULL;
	int r, rows = 0;

	if (!ok(s != NULL, "workspace for the error model"))
		return;
	/* row 1 is fine; row 2 overflows an integer inside SQLite (SQLITE_ERROR on step) */
	ok(cpts_store_prepare(ctx, s, &st, "SELECT CASE WHEN x > 1 THEN"
			      " abs(-9223372036854775807 - 1) ELSE x END FROM (SELECT 1 AS x"
			      " UNION ALL SELECT 2)") == CPTS_OK, "prepared");
	while ((r = cpts_store_row(ctx, s, st, "test read")) > 0)
		rows++;
	sqlite3_finalize(st);
	is_int(rows, 1, "one row read before the failure");
	is_int(r, CPTS_EINTERNAL, "the failure is an internal error, not the end of the rows");
	ok(strstr(ctx->err.msg, "test read") != NULL, "the error names what was read");
	cpts_error_clear(ctx);
	is_int(cpts_store_count_get(ctx, s, "SELECT abs(-9223372036854775807 - 1)", &v),
	       CPTS_EINTERNAL, "count_get reports the error");
	cpts_error_clear(ctx);
	is_int(cpts_store_count(s, "SELECT abs(-9223372036854775807 - 1)", -5), -5,
	       "(the old getter swallowed it into its default)");
	is_int(cpts_store_count_get(ctx, s, "SELECT count(*) FROM communes", &v), CPTS_OK,
	       "count_get");
	is_int(v, 4, "4 communes");
	is_int(cpts_store_count_get(ctx, s, "SELECT max(pop) FROM population WHERE code = 'x'",
				    &v), CPTS_ABSENT, "a NULL result is CPTS_ABSENT");
	is_int(cpts_store_meta_lookup(ctx, s, "no such key", &val), CPTS_ABSENT,
	       "a missing meta key is CPTS_ABSENT");
	ok(val == NULL && ctx->err.code == CPTS_OK, "no value, no error set");
	is_int(cpts_store_meta_lookup(ctx, s, "schema_version", &val), CPTS_OK, "meta found");
	is_str(val, "1", "schema_version 1");
	free(val);
	ws_drop(s, path);
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_cache(&ctx);
	test_borrow(&ctx);
	test_error_model(&ctx);
	cpts_ctx_release(&ctx);
	return done_testing();
}
