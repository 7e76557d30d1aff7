/*
 * test_graph.c - unit tests of src/graph: contiguity (queen, rook, snapping, bridges,
 * overseas CRS), storage and reload of the graph, and the flow matrix; then the real
 * Pays de la Loire and Bretagne communes against counts computed independently.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/ingest.h"
#include "cpts/model.h"
#include "cpts/util.h"
#include "graph/rtree.h"
#include "tap.h"
#include "unit/graph/ws_helper.h"

/* Kind of the edge a-b in g, -1 when absent. */
static int edge_kind(const cpts_graph *g, const cpts_model *m, const char *a, const char *b,
		     double *shared_km)
{
	long ia = cpts_model_find(m, a), ib = cpts_model_find(m, b);

	if (ia < 0 || ib < 0)
		return -2;
	for (size_t e = g->start[ia]; e < g->start[ia + 1]; e++)
		if (g->adj[e] == (size_t)ib) {
			if (shared_km)
				*shared_km = g->shared_km[e];
			return g->kind[e];
		}
	return -1;
}

/*
 * The layout (metres, Lambert-93):
 *   44001..44009: a 3 x 3 grid of 1 km squares, commune (r, c) = [1000c, 1000(c+1)] x
 *                 [1000r, 1000(r+1)], code 44001 + 3r + c. By hand: queen pairs = 6
 *                 horizontal + 6 vertical + 8 diagonal = 20; rook pairs = 12.
 *   44011: [3002, 4000] x [0, 2000]: 2 m east of 44003 and 44006, not vertex-identical;
 *          with the 5 m snap it is a rook neighbour of both (1 km of border each), and
 *          its corner 2 m from 44009's corner is not a border.
 *   44010: an island [6000, 7000] x [0, 1000]: 2 km from 44011, 3 km from the grid, so
 *          bridged to 44011.
 *   97101: Guadeloupe (EPSG:5490) with the same coordinates as 44001: never adjacent.
 */
static cpts_store *layout(cpts_ctx *ctx, char *path)
{
	cpts_store *s = ws_create(ctx, path);
	char code[8];
	int rc = 0;

	if (!s)
		return NULL;
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++) {
			snprintf(code, sizeof(code), "%d", 44001 + 3 * r + c);
			rc |= ws_rect(ctx, s, code, 1000 * c, 1000 * r, 1000 * (c + 1), 1000 * (r + 1));
		}
	rc |= ws_rect(ctx, s, "44011", 3002, 0, 4000, 2000);
	rc |= ws_rect(ctx, s, "44010", 6000, 0, 7000, 1000);
	rc |= ws_commune(ctx, s, "97101", "971", 5490,
			 "POLYGON((0 0, 1000 0, 1000 1000, 0 1000, 0 0))");
	return rc ? NULL : s;
}

static void test_layout(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = layout(ctx, path);
	cpts_model *m = NULL;
	cpts_graph *g = NULL, *g2 = NULL;
	cpts_graph_opts o = CPTS_GRAPH_OPTS_INIT;
	double km = -1;

	ok(s != NULL, "hand-made workspace created");
	if (!s)
		return;
	ok(cpts_model_load(ctx, &m, s) == 0 && m->n == 12, "12 communes loaded");
	/* queen, snap 5 m */
	ok(cpts_graph_build(ctx, &g, m, s, &o) == 0, "queen graph built");
	is_int(g->n_edges - g->n_bridges, 22, "queen: 20 grid pairs + 2 snapped pairs");
	is_int(g->n_bridges, 1, "one bridge (the island)");
	is_int(g->n_components_before, 3, "components: grid+44011, island, Guadeloupe");
	is_int(g->n_isolated_before, 2, "isolated before bridging: island and Guadeloupe");
	is_int(edge_kind(g, m, "44001", "44005", NULL), CPTS_EDGE_QUEEN, "diagonal is a point");
	is_int(edge_kind(g, m, "44001", "44002", &km), CPTS_EDGE_ROOK, "side is an edge");
	near(km, 1.0, 1e-9, "shared border 44001-44002 is 1 km");
	is_int(edge_kind(g, m, "44003", "44011", &km), CPTS_EDGE_ROOK, "snapped border is rook");
	near(km, 1.0, 1e-9, "snapped border 44003-44011 is 1 km");
	is_int(edge_kind(g, m, "44006", "44011", NULL), CPTS_EDGE_ROOK, "44006-44011 snapped");
	is_int(edge_kind(g, m, "44009", "44011", NULL), -1, "a near corner is not a border");
	is_int(edge_kind(g, m, "44010", "44011", NULL), CPTS_EDGE_BRIDGE, "island bridged to 44011");
	is_int(edge_kind(g, m, "44001", "97101", NULL), -1, "other CRS never adjacent");
	ok(g->start[cpts_model_find(m, "97101") + 1] == g->start[cpts_model_find(m, "97101")],
	   "Guadeloupe alone in its group stays without neighbour");
	is_int(cpts_store_count(s, "SELECT count(*) FROM graph_edges", -1), 23, "23 edges stored");
	is_int(cpts_store_count(s, "SELECT kind FROM graph_edges WHERE a='44010' AND b='44011'",
				-1), 2, "bridge stored with kind 2");
	ok(cpts_graph_load(ctx, &g2, m, s) == 0 && g2->n_edges == 23 && g2->n_bridges == 1 &&
	   g2->n_components_before == 3 && g2->n_isolated_before == 2, "graph reloaded identical");
	cpts_graph_free(g);
	cpts_graph_free(g2);
	g = g2 = NULL;
	/* rook, snap 5 m: 12 grid edges + 2 snapped */
	o.rook = true;
	ok(cpts_graph_build(ctx, &g, m, s, &o) == 0, "rook graph built");
	is_int(g->n_edges - g->n_bridges, 14, "rook: 12 grid sides + 2 snapped borders");
	is_int(edge_kind(g, m, "44001", "44005", NULL), -1, "rook drops point contacts");
	cpts_graph_free(g);
	g = NULL;
	/* queen without snapping: 44011 becomes a component of its own (2 m gap) */
	o.rook = false;
	o.snap_m = 0;
	ok(cpts_graph_build(ctx, &g, m, s, &o) == 0, "queen graph without snap");
	is_int(g->n_edges - g->n_bridges, 20, "no snap: the 20 grid pairs only");
	is_int(g->n_bridges, 2, "no snap: 44011 and the island are bridged");
	is_int(g->n_components_before, 4, "no snap: 4 components");
	is_int(edge_kind(g, m, "44010", "44011", NULL), CPTS_EDGE_BRIDGE,
	       "island still bridged to its nearest commune 44011");
	cpts_graph_free(g);
	g = NULL;
	o.snap_m = -1;
	ok(cpts_graph_build(ctx, &g, m, s, &o) == CPTS_EUSAGE && g == NULL,
	   "negative snap is a usage error");
	cpts_error_clear(ctx);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/* A missing graph is an input error naming the command to run. */
static void test_no_graph(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = layout(ctx, path);
	cpts_model *m = NULL;
	cpts_graph *g = NULL;

	cpts_model_load(ctx, &m, s);
	is_int(cpts_graph_load(ctx, &g, m, s), CPTS_EINPUT, "load without a graph fails");
	ok(strstr(ctx->err.msg, "cpts graph") != NULL, "error names 'cpts graph'");
	cpts_error_clear(ctx);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

static void test_flows(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = layout(ctx, path);
	cpts_model *m = NULL;
	cpts_flows *f = NULL;
	long a, b;

	ws_flow(ctx, s, "44001", "44001", "", 10, 0);
	ws_flow(ctx, s, "44001", "44002", "", 5, 0);
	ws_flow(ctx, s, "44001", "75056", "", 3, 1);     /* outside: in denominators */
	ws_flow(ctx, s, "44002", "44001", "", -1, 0);    /* masked */
	ws_flow(ctx, s, "44002", "44001", "mg", 7, 0);
	ws_flow(ctx, s, "44003", "44001", "mg", 2, 0);
	cpts_model_load(ctx, &m, s);
	a = cpts_model_find(m, "44001");
	b = cpts_model_find(m, "44002");
	ok(cpts_flows_load(ctx, &f, m, s, NULL) == 0, "flows loaded");
	/* by hand: 44001 sends 10 + 5 inside and 3 outside = 18 */
	near(f->row_total[a], 18, 1e-12, "row total keeps outside flows");
	near(f->outside[a], 3, 1e-12, "outside flows summed per row");
	near(f->col_total[a], 10 + 7 + 2, 1e-12, "inflows of 44001");
	near(f->total, 10 + 5 + 3 + 7 + 2, 1e-12, "total volume");
	is_int(f->n_masked, 1, "one masked cell, not counted");
	is_int(f->start[a + 1] - f->start[a], 2, "two inside destinations for 44001");
	is_int(f->col[f->start[b]], a, "44002 -> 44001 column");
	cpts_flows_free(f);
	f = NULL;
	ok(cpts_flows_load(ctx, &f, m, s, "mg") == 0, "flows of one profession");
	near(f->total, 9, 1e-12, "profession filter: 7 + 2");
	cpts_flows_free(f);
	f = NULL;
	/* rows out of key order (a keyless table filled backwards, as no cpts workspace
	 * is): the same matrix through the sorted-triplet path */
	ok(sqlite3_exec(cpts_store_db(s), "CREATE TABLE f2 AS SELECT * FROM flows;"
			" DROP TABLE flows; CREATE TABLE flows(orig, dest, profession, volume,"
			" masked, outside); INSERT INTO flows SELECT * FROM f2 ORDER BY orig DESC,"
			" dest DESC, profession DESC; DROP TABLE f2", NULL, NULL, NULL) == SQLITE_OK,
	   "flows table rewritten in reverse key order");
	ok(cpts_flows_load(ctx, &f, m, s, NULL) == 0, "reversed flows loaded");
	near(f->row_total[a], 18, 1e-12, "reversed: row total of 44001 18");
	near(f->col_total[a], 10 + 7 + 2, 1e-12, "reversed: inflows of 44001 19");
	is_int(f->start[a + 1] - f->start[a], 2, "reversed: two inside destinations for 44001");
	ok(f->col[f->start[a]] == (size_t)a && f->col[f->start[a] + 1] == (size_t)b &&
	   f->vol[f->start[a]] == 10 && f->vol[f->start[a] + 1] == 5,
	   "reversed: row 44001 sorted by column, volumes 10 and 5");
	is_int(f->col[f->start[b]], a, "reversed: 44002 -> 44001 column");
	near(f->vol[f->start[b]], 7, 1e-12, "reversed: 44002 -> 44001 volume 7 (masked cell aside)");
	cpts_flows_free(f);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/*
 * Real communes. Expected counts computed independently with a python3 script that
 * only reads the GeoJSON vertex lists (pairs of communes sharing a vertex = queen,
 * sharing a segment = rook; components by graph search):
 *   Pays de la Loire: 1232 communes, 3489 queen, 3440 rook, 1 isolated (85113, Yeu),
 *                     3 components;
 *   Bretagne: 1206 communes, 3267 queen, 3227 rook, 10 isolated, 12 components.
 * Same counts as SOURCES.md's figures for all of France (102,952 queen, 12 islands).
 */
static void real_region(cpts_ctx *ctx, const char *file, size_t n_communes, size_t queen,
			size_t rook, size_t isolated, size_t components)
{
	cpts_ingest_communes_opts io = CPTS_INGEST_COMMUNES_OPTS_INIT;
	cpts_graph_opts o = CPTS_GRAPH_OPTS_INIT;
	char path[256];
	cpts_store *s = ws_create(ctx, path);
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	size_t n_iso_after = 0;

	if (cpts_ingest_communes(ctx, s, file, &io, NULL) < 0) {
		ok(0, "ingest %s: %s", file, ctx->err.msg);
		cpts_error_clear(ctx);
		ws_drop(s, path);
		return;
	}
	cpts_model_load(ctx, &m, s);
	is_int(m->n, n_communes, "%zu communes", n_communes);
	o.snap_m = 0;
	ok(cpts_graph_build(ctx, &g, m, s, &o) == 0, "queen graph (exact vertices)");
	is_int(g->n_edges - g->n_bridges, queen, "queen pairs as the vertex count");
	is_int(g->n_isolated_before, isolated, "isolated communes before bridging");
	is_int(g->n_components_before, components, "components before bridging");
	is_int(g->n_bridges, components - 1, "one bridge per extra component");
	for (size_t i = 0; i < g->n; i++)
		n_iso_after += g->start[i] == g->start[i + 1];
	is_int(n_iso_after, 0, "no isolated commune after bridging");
	cpts_graph_free(g);
	g = NULL;
	o.snap_m = 5;
	ok(cpts_graph_build(ctx, &g, m, s, &o) == 0, "queen graph, default snap 5 m");
	is_int(g->n_edges - g->n_bridges, queen, "snapping adds no pair in this region");
	cpts_graph_free(g);
	g = NULL;
	o.snap_m = 0;
	o.rook = true;
	ok(cpts_graph_build(ctx, &g, m, s, &o) == 0, "rook graph (exact segments)");
	is_int(g->n_edges - g->n_bridges, rook, "rook pairs as the segment count");
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/* Deterministic generator for the R-tree test (64-bit LCG, top bits). */
static double rnd(uint64_t *st)
{
	*st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*st >> 11) / 9007199254740992.0;
}

typedef struct rt_probe {
	const double *boxes;
	const double *q;
	unsigned char *seen;
	size_t n_seen;
	uint32_t skip_mod; /* nearest: items with id % skip_mod == 0 are not candidates */
} rt_probe;

static void rt_hit(uint32_t item, void *ud)
{
	rt_probe *p = ud;

	p->seen[item]++;
	p->n_seen++;
}

/* Distance between boxes (the exact distance of the test's items, which are boxes). */
static double rt_boxdist(const double *a, const double *b)
{
	double dx = fmax(0, fmax(a[0] - b[2], b[0] - a[2]));
	double dy = fmax(0, fmax(a[1] - b[3], b[1] - a[3]));

	return sqrt(dx * dx + dy * dy);
}

static double rt_dist(uint32_t item, void *ud)
{
	rt_probe *p = ud;

	if (p->skip_mod && item % p->skip_mod == 0)
		return INFINITY;
	return rt_boxdist(p->q, p->boxes + 4 * (size_t)item);
}

/*
 * The static R-tree of contiguity.c against brute force on 5,000 random boxes (some
 * duplicated, so that ties occur): every range query returns exactly the intersecting
 * items, once each; every nearest search returns the brute-force minimum, the lowest id
 * among ties, respects exclusions and a distance bound.
 */
static void test_rtree(void)
{
	enum { N = 5000, Q = 300 };
	double *boxes = cpts_mallocarray(4 * N, sizeof(double));
	unsigned char *seen = cpts_calloc(N, 1);
	uint64_t st = 42;
	cpts_rtree t;
	bool range_ok = true, near_ok = true, bound_ok = true;
	double q[4], d;
	rt_probe p;

	for (size_t i = 0; i < N; i++) {
		double x = rnd(&st) * 1000, y = rnd(&st) * 1000;
		double w = rnd(&st) * 20, h = rnd(&st) * 20;
		double *b = boxes + 4 * i;
		if (i % 10 == 9) { /* a copy of an earlier box: exact ties */
			memcpy(b, boxes + 4 * (i / 2), 4 * sizeof(double));
			continue;
		}
		b[0] = x;
		b[1] = y;
		b[2] = x + w;
		b[3] = y + h;
	}
	cpts_graph__rtree_build(&t, N, boxes);
	ok(t.n == N && t.n_levels == 5, "5,000 items: leaves + 313 + 20 + 2 + 1 nodes, 5 levels"
	   " (got %d)", t.n_levels);
	for (int k = 0; k < Q; k++) {
		double x = rnd(&st) * 1000, y = rnd(&st) * 1000, w = rnd(&st) * 80;
		size_t expect = 0;
		q[0] = x;
		q[1] = y;
		q[2] = x + w;
		q[3] = y + w;
		memset(seen, 0, N);
		p = (rt_probe){ boxes, q, seen, 0, 0 };
		cpts_graph__rtree_query(&t, q, rt_hit, &p);
		for (size_t i = 0; i < N; i++) {
			const double *b = boxes + 4 * i;
			bool hit = b[0] <= q[2] && q[0] <= b[2] && b[1] <= q[3] && q[1] <= b[3];
			expect += hit;
			range_ok = range_ok && seen[i] == (hit ? 1 : 0);
		}
		range_ok = range_ok && p.n_seen == expect;
		/* nearest to a point-sized query, every third item excluded */
		q[2] = q[0];
		q[3] = q[1];
		p.skip_mod = 3;
		{
			uint32_t got = cpts_graph__rtree_nearest(&t, q, INFINITY, rt_dist, &p, &d);
			uint32_t want = UINT32_MAX;
			double wd = INFINITY;
			for (uint32_t i = 0; i < N; i++) {
				double di = rt_dist(i, &p);
				if (di < wd) {
					wd = di;
					want = i;
				}
			}
			near_ok = near_ok && got == want && d == wd;
			/* a bound below the minimum finds nothing; the minimum itself finds it */
			got = cpts_graph__rtree_nearest(&t, q, wd * 0.999 - 1e-9, rt_dist, &p, &d);
			bound_ok = bound_ok && (wd == 0 || (got == CPTS_RTREE_NONE && isinf(d)));
			got = cpts_graph__rtree_nearest(&t, q, wd, rt_dist, &p, &d);
			bound_ok = bound_ok && got == want;
		}
	}
	ok(range_ok, "300 range queries = brute force, each item once");
	ok(near_ok, "300 nearest searches = brute force (lowest id on ties, exclusions kept)");
	ok(bound_ok, "a bound below the nearest finds nothing, at the nearest finds it");
	cpts_graph__rtree_release(&t);
	cpts_graph__rtree_build(&t, 0, boxes);
	ok(t.n_levels == 0 && cpts_graph__rtree_nearest(&t, q, INFINITY, rt_dist, &p, &d) ==
	   CPTS_RTREE_NONE, "empty tree: no level, nearest finds nothing");
	cpts_graph__rtree_query(&t, q, rt_hit, &p);
	cpts_graph__rtree_release(&t);
	free(boxes);
	free(seen);
}

/*
 * Bridge ties: two mainland squares 44005 [0, 1000] and 44002 [1000, 2000] (x) share a
 * border; the island 44009 [900, 1100] x [3000, 3200] is exactly 2 km from both (its
 * nearest points face their common corner). The bridge goes to the lowest code, 44002,
 * whatever the order the communes were written in.
 */
static void test_bridge_tie(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = ws_create(ctx, path);
	cpts_model *m = NULL;
	cpts_graph *g = NULL;

	ws_rect(ctx, s, "44005", 0, 0, 1000, 1000);
	ws_rect(ctx, s, "44009", 900, 3000, 1100, 3200);
	ws_rect(ctx, s, "44002", 1000, 0, 2000, 1000);
	ok(cpts_model_load(ctx, &m, s) == 0 && cpts_graph_build(ctx, &g, m, s, NULL) == 0,
	   "tie layout: graph built");
	is_int(g ? g->n_bridges : 0, 1, "tie layout: one bridge");
	is_int(g ? edge_kind(g, m, "44009", "44002", NULL) : -3, CPTS_EDGE_BRIDGE,
	       "equidistant island bridged to the lower code 44002");
	is_int(g ? edge_kind(g, m, "44009", "44005", NULL) : -3, -1, "and not to 44005");
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

int main(void)
{
	cpts_ctx ctx;
	const char *shared = tap_shared_data();
	char file[4200];

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_layout(&ctx);
	test_no_graph(&ctx);
	test_flows(&ctx);
	test_rtree();
	test_bridge_tie(&ctx);
	if (!shared) {
		diag("real-data tests skipped: ../shared/data not found (set CPTS_SHARED)");
	} else {
		snprintf(file, sizeof(file), "%s/geo/communes_r52_pays_de_la_loire_cog2024.geojson",
			 shared);
		real_region(&ctx, file, 1232, 3489, 3440, 1, 3);
		snprintf(file, sizeof(file), "%s/geo/communes_r53_bretagne_cog2024.geojson", shared);
		real_region(&ctx, file, 1206, 3267, 3227, 10, 12);
	}
	cpts_ctx_release(&ctx);
	return done_testing();
}
