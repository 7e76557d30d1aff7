/*
 * test_optimise.c - the optimiser of self-containment, target counts, the Leiden
 * method and the LI/PAC summary on hand-made workspaces:
 *  - a line of 6 communes whose best 2-basin cut is known by hand;
 *  - a 10 x 10 grid with gravity flows: every basin contiguous after every single move
 *    of the optimiser (property checked through the move hook), within floor and
 *    ceiling at the end, the target count reached, the same basins with 1 or 2
 *    threads and for the same seed, and an overall LI at least the plurality's;
 *  - the same grid: the iterated local search and the large-neighbourhood search each
 *    above the search without them, every basin connected and within its band after
 *    every move (hook);
 *  - the same grid: ejection chains in the descents above the descents without them,
 *    connected and within the band after every move and chain (hook);
 *  - resampling: co-assignment 1 on a matrix with one destination per commune, the
 *    same co-assignments for the same seed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "basins/basins_int.h"
#include "cpts/basins.h"
#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/model.h"
#include "tap.h"
#include "unit/basins/sound.h"
#include "unit/graph/ws_helper.h"

/* Territory of every commune of a stored partition, as indices in a list of
 * distinct names (labels), into lab (n). Returns the number of territories. */
static size_t labels_of(cpts_ctx *ctx, cpts_store *s, const cpts_model *m, const char *name,
			long *lab)
{
	cpts_partition *p = NULL;
	size_t nt;

	if (cpts_partition_load(ctx, &p, s, m, name) < 0)
		return 0;
	for (size_t i = 0; i < m->n; i++)
		lab[i] = p->commune_terr[i];
	nt = p->n_terr;
	cpts_partition_free(p);
	return nt;
}

/*
 * Line 44001..44006 of 1 km squares, 10,000 inhabitants each; every commune keeps 100
 * consultations at home and sends c_i to the next one: 50, 40, 5, 30, 60. Any 2-basin
 * contiguous cut after commune k keeps every flow but c_k: the best cut is after
 * 44003 (c = 5), LI = (600 + 185 - 5) / 785 = 0.993631.
 */
static void test_line(cpts_ctx *ctx)
{
	static const double c[5] = { 50, 40, 5, 30, 60 };
	char path[256], code[8], next[8];
	cpts_store *s = ws_create(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;
	cpts_model *m = NULL;
	long lab[6];
	int rc = cpts_store_begin(ctx, s);

	for (int i = 0; i < 6; i++) {
		snprintf(code, sizeof(code), "4400%d", i + 1);
		rc |= ws_rect(ctx, s, code, 1000.0 * i, 0, 1000.0 * (i + 1), 1000);
		rc |= ws_pop(ctx, s, code, 10000);
		rc |= ws_flow(ctx, s, code, code, "", 100, 0);
		if (i < 5) {
			snprintf(next, sizeof(next), "4400%d", i + 2);
			rc |= ws_flow(ctx, s, code, next, "", c[i], 0);
		}
	}
	rc |= cpts_store_commit(ctx, s);
	ok(rc == 0, "line: workspace built");
	o.method = "optimise";
	o.target_count = 2;
	o.name = "opt";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "line: optimise runs");
	is_int((long)sum.n_basins, 2, "line: 2 basins");
	near(sum.li_overall, 780.0 / 785.0, 1e-9, "value");
	near(sum.objective, 780.0 / 785.0, 1e-9, "value");
	ok(sum.min_pop == CPTS_BASINS_CPTS_FLOOR && sum.max_pop == CPTS_BASINS_CPTS_CEILING,
	   "line: a target without bounds uses the CPTS band (got %g-%g)", sum.min_pop,
	   sum.max_pop);
	cpts_model_load(ctx, &m, s);
	labels_of(ctx, s, m, "opt", lab);
	ok(lab[0] == lab[1] && lab[1] == lab[2] && lab[3] == lab[4] && lab[4] == lab[5] &&
	   lab[2] != lab[3], "line: the cut is between 44003 and 44004");
	/* basin LIs: (100+50+100+40+100)/395 and (100+30+100+60+100)/390: median of two */
	near(sum.li_median, (390.0 / 395.0 + 390.0 / 390.0) / 2, 1e-9, "value");
	near(sum.li_min, 390.0 / 395.0, 1e-9, "value");
	is_int((long)sum.n_li_low, 0, "line: no basin under LI 0.4");
	/* each basin a 3 km x 1 km rectangle: PAC = 8 / (3.54 sqrt(3)) */
	near(sum.pac_median, 8.0 / (3.54 * sqrt(3.0)), 1e-6, "value");
	/* the same with a ceiling of 20,000: 3 basins of 2, the cuts after 44002, 44004 */
	o.max_pop = 20000;
	o.name = "opt3";
	o.target_count = 3;
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK && sum.n_basins == 3,
	   "line: 3 basins under a ceiling of 20,000");
	near(sum.li_overall, (785.0 - 40 - 30) / 785.0, 1e-9, "value");
	cpts_model_free(ctx, m);
	ws_drop(s, path);
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
 * A chain 44001..44004 where every commune sends all its flows to one destination
 * (44001 itself, the others to their west neighbour): a resampled matrix is the same
 * matrix, so every commune stays with its pole in every rerun (co-assignment 1).
 */
static void test_resample_fixed(cpts_ctx *ctx)
{
	char path[256], code[8], dest[8];
	cpts_store *s = ws_create(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;
	int rc = cpts_store_begin(ctx, s);

	for (int i = 0; i < 4; i++) {
		snprintf(code, sizeof(code), "4400%d", i + 1);
		snprintf(dest, sizeof(dest), "4400%d", i ? i : 1);
		rc |= ws_rect(ctx, s, code, 1000.0 * i, 0, 1000.0 * (i + 1), 1000);
		rc |= ws_pop(ctx, s, code, 1000);
		rc |= ws_flow(ctx, s, code, dest, "", 50, 0);
	}
	rc |= cpts_store_commit(ctx, s);
	ok(rc == 0, "fixed: workspace built");
	o.method = "plurality"; /* the default is optimise */
	o.resample = 7;
	o.name = "fixed";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "fixed: plurality with 7 resamples");
	is_int((long)sum.n_basins, 1, "fixed: one basin");
	is_int(sum.n_resamples, 7, "fixed: 7 resamples");
	is_int((long)sum.n_unstable, 0, "fixed: no unstable commune");
	near(sql_real(s, "SELECT COUNT(*) FROM basin_stability WHERE partition = 'fixed'"
		      " AND coassign = 1 AND resamples = 7"), 4, 0, "fixed: co-assignment 1.0 for"
	     " the 4 communes");
	/* a rerun without --resample drops the rows of that partition */
	o.resample = 0;
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "fixed: rerun without resamples");
	near(sql_real(s, "SELECT COUNT(*) FROM basin_stability WHERE partition = 'fixed'"), 0,
	     0, "fixed: stale co-assignments dropped");
	ws_drop(s, path);
}

/* Grid of G x G 1 km communes, populations and gravity flows from a fixed LCG. */
#define G 10
static cpts_store *grid(cpts_ctx *ctx, char *path)
{
	cpts_store *s = ws_create(ctx, path);
	double pop[G * G];
	unsigned long x = 12345;
	char a[8], b[8];
	int rc = 0;

	if (!s || cpts_store_begin(ctx, s) < 0)
		return NULL;
	for (int i = 0; i < G * G; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		pop[i] = 3000 + (double)((x >> 33) % 20000);
		if (i == 34 || i == 67)
			pop[i] = 60000; /* two towns */
		snprintf(a, sizeof(a), "44%03d", i + 1);
		rc |= ws_rect(ctx, s, a, 1000.0 * (i % G), 1000.0 * (i / G),
			      1000.0 * (i % G + 1), 1000.0 * (i / G + 1));
		rc |= ws_pop(ctx, s, a, pop[i]);
	}
	for (int i = 0; i < G * G; i++) {
		snprintf(a, sizeof(a), "44%03d", i + 1);
		for (int j = 0; j < G * G; j++) {
			double dx = i % G - j % G, dy = i / G - j / G, d = sqrt(dx * dx + dy * dy);
			double v = floor(pop[i] * pop[j] / 1e6 * exp(-d / 1.5) * (i == j ? 3 : 1));
			if (d > 3 || v < 1)
				continue;
			snprintf(b, sizeof(b), "44%03d", j + 1);
			rc |= ws_flow(ctx, s, a, b, "", v, 0);
		}
	}
	rc |= cpts_store_commit(ctx, s);
	return rc ? NULL : s;
}

/* The move hook's state: the graph, and whether every basin stayed connected. */
typedef struct hookst {
	const cpts_graph *g;
	size_t n_moves, n_bad;
} hookst;

static bool all_connected(const cpts_graph *g, const long *lab, size_t n)
{
	bool seen[G * G] = { false };
	size_t stack[G * G];

	for (size_t s = 0; s < n; s++) {
		size_t top = 0;
		if (seen[s])
			continue;
		/* a basin met a second time from another seed is not connected */
		for (size_t q = 0; q < s; q++)
			if (lab[q] == lab[s] && seen[q])
				return false;
		seen[s] = true;
		stack[top++] = s;
		while (top) {
			size_t u = stack[--top];
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
				size_t v = g->adj[e];
				if (!seen[v] && lab[v] == lab[s]) {
					seen[v] = true;
					stack[top++] = v;
				}
			}
		}
	}
	return true;
}

static void on_move(const long *lab, size_t n, void *arg)
{
	hookst *h = arg;

	h->n_moves++;
	h->n_bad += !all_connected(h->g, lab, n);
}

/* The hook of search_checked: connected, and every basin within the band [lo, hi] given by
 * the populations pop (grid labels are < G * G). */
typedef struct bandst {
	hookst h;
	const double *pop;
	double lo, hi;
	size_t n_out;
} bandst;

static void on_move_band(const long *lab, size_t n, void *arg)
{
	bandst *b = arg;
	double bp[G * G] = { 0 };

	on_move(lab, n, &b->h);
	for (size_t i = 0; i < n; i++)
		bp[lab[i]] += b->pop[i];
	for (size_t c = 0; c < G * G; c++)
		b->n_out += bp[c] > 0 && (bp[c] < b->lo || bp[c] > b->hi);
}

static void test_grid(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = grid(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum, plu, one;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	long lab1[G * G], lab2[G * G], lab3[G * G];
	hookst h = { NULL, 0, 0 };
	double pmin = INFINITY, pmax = 0, bpop[G * G] = { 0 };
	bool same = true, same_seed = true;

	ok(s != NULL, "grid: workspace built");
	if (!s)
		return;
	o.method = "plurality"; /* the default is optimise */
	o.target_count = 6;
	o.min_pop = 80000;
	o.max_pop = 400000;
	o.name = "plu";
	ok(cpts_basins_run(ctx, s, &o, &plu) == CPTS_OK, "grid: plurality at 6 basins");
	is_int((long)plu.n_basins, 6, "grid: plurality reaches the target count");
	cpts_model_load(ctx, &m, s);
	cpts_graph_load(ctx, &g, m, s);
	h.g = g;
	cpts_basins__move_hook = on_move;
	cpts_basins__move_hook_arg = &h;
	o.method = "optimise";
	o.threads = 1;
	o.kicks = 20000;
	o.name = "opt1";
	ok(cpts_basins_run(ctx, s, &o, &one) == CPTS_OK, "grid: optimise, 1 thread");
	cpts_basins__move_hook = NULL;
	ok(h.n_moves > 0 && h.n_bad == 0, "grid: every basin connected after each of the %zu"
	   " moves (%zu not)", h.n_moves, h.n_bad);
	is_int((long)one.n_basins, 6, "grid: optimise reaches the target count");
	ok(one.li_overall >= plu.li_overall, "grid: optimised LI %.4f >= plurality %.4f",
	   one.li_overall, plu.li_overall);
	near(one.objective, one.li_overall, 1e-9, "value");
	ok(partition_sound(ctx, s, "opt1"), "grid: optimised basins contiguous, no overlap");
	labels_of(ctx, s, m, "opt1", lab1);
	for (size_t i = 0; i < m->n; i++)
		bpop[lab1[i]] += m->c[i].pop;
	for (size_t b = 0; b < one.n_basins; b++) {
		pmin = fmin(pmin, bpop[b]);
		pmax = fmax(pmax, bpop[b]);
	}
	ok(pmin >= 80000 && pmax <= 400000, "grid: basins within floor and ceiling (%.0f-%.0f)",
	   pmin, pmax);
	o.threads = 2;
	o.name = "opt2";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "grid: optimise, 2 threads");
	labels_of(ctx, s, m, "opt2", lab2);
	o.threads = 1;
	o.name = "opt3";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "grid: optimise again, same seed");
	labels_of(ctx, s, m, "opt3", lab3);
	for (size_t i = 0; i < m->n; i++) {
		same &= lab1[i] == lab2[i];
		same_seed &= lab1[i] == lab3[i];
	}
	ok(same, "grid: the same basins with 1 and 2 threads");
	ok(same_seed, "grid: the same basins for the same seed");
	/* resampling: reproducible for a seed, shares multiples of 1/K within 0-1 */
	o.method = "plurality";
	o.resample = 8;
	o.name = "res1";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "grid: plurality with 8 resamples");
	o.name = "res2";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "grid: the same again");
	near(sql_real(s, "SELECT COUNT(*) FROM basin_stability a JOIN basin_stability b"
		      " USING(code) WHERE a.partition = 'res1' AND b.partition = 'res2'"
		      " AND a.coassign = b.coassign"), G * G, 0, "grid: same co-assignments for"
	     " the same seed");
	near(sql_real(s, "SELECT COUNT(*) FROM basin_stability WHERE partition = 'res1' AND"
		      " (coassign < 0 OR coassign > 1 OR abs(coassign * 8 - round(coassign * 8))"
		      " > 1e-9)"), 0, 0, "grid: shares are counts over 8");
	near(sql_real(s, "SELECT SUM(coassign < 0.8) FROM basin_stability WHERE"
		      " partition = 'res1'"), (double)sum.n_unstable, 0, "grid: unstable count"
	     " matches the table");
	o.resample = 0;
	/* Leiden then the constraints: contiguous, target count */
	o.method = "leiden";
	o.name = "lei";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "grid: leiden runs");
	is_int((long)sum.n_basins, 6, "grid: leiden reaches the target count");
	ok(partition_sound(ctx, s, "lei"), "grid: leiden basins contiguous, no overlap");
	/* --target-mean-pop: the count is the population over the mean */
	o.method = "plurality";
	o.target_count = 0;
	o.target_mean_pop = 1e9;
	o.min_pop = o.max_pop = 0;
	o.default_band = false; /* no bounds at all */
	o.name = "mean";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "grid: plurality with a mean population");
	is_int((long)sum.target_count, 1, "grid: a mean population above the total asks for 1");
	is_int((long)sum.n_basins, 1, "grid: one basin");
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/*
 * The iterated local search (kicks of several forced moves around a commune, kept when
 * the objective rises) on the grid with a binding ceiling, annealing off: every basin
 * connected after every move, within floor and ceiling, the same basins for the same
 * seed with 1 and 2 threads, and an objective above the plain descent and basin rounds
 * (iterations 0) from the same starts.
 */
static void test_ils(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = grid(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary plain, ils, sum;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	long lab1[G * G], lab2[G * G];
	hookst h = { NULL, 0, 0 };
	double pmin = INFINITY, pmax = 0, bpop[G * G] = { 0 };
	bool same = true;

	ok(s != NULL, "ils: workspace built");
	if (!s)
		return;
	o.method = "optimise";
	o.target_count = 10;
	o.min_pop = 60000;
	o.max_pop = 160000;
	o.kicks = 0;
	o.iterations = 0;
	o.lns = 0; /* the kicks alone (test_lns has the re-cuts) */
	o.threads = 1;
	o.name = "plain";
	ok(cpts_basins_run(ctx, s, &o, &plain) == CPTS_OK, "ils: descent and rounds only");
	cpts_model_load(ctx, &m, s); /* the run built the graph */
	cpts_graph_load(ctx, &g, m, s);
	o.iterations = 3000;
	o.name = "ils1";
	h.g = g;
	cpts_basins__move_hook = on_move;
	cpts_basins__move_hook_arg = &h;
	ok(cpts_basins_run(ctx, s, &o, &ils) == CPTS_OK, "ils: 3000 kicks per start");
	cpts_basins__move_hook = NULL;
	ok(h.n_moves > 0 && h.n_bad == 0, "ils: every basin connected after each of the %zu"
	   " moves (%zu not)", h.n_moves, h.n_bad);
	is_int((long)ils.n_basins, 10, "ils: the target count kept");
	ok(ils.objective > plain.objective + 1e-6, "ils: objective %.6f above the plain"
	   " search's %.6f", ils.objective, plain.objective);
	near(ils.objective, ils.li_overall, 1e-9, "ils: objective is the stored overall LI");
	ok(partition_sound(ctx, s, "ils1"), "ils: basins contiguous, no overlap");
	labels_of(ctx, s, m, "ils1", lab1);
	for (size_t i = 0; i < m->n; i++)
		bpop[lab1[i]] += m->c[i].pop;
	for (size_t b = 0; b < ils.n_basins; b++) {
		pmin = fmin(pmin, bpop[b]);
		pmax = fmax(pmax, bpop[b]);
	}
	ok(pmin >= 60000 && pmax <= 160000, "ils: basins within floor and ceiling (%.0f-%.0f)",
	   pmin, pmax);
	o.threads = 2;
	o.name = "ils2";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "ils: again on 2 threads");
	labels_of(ctx, s, m, "ils2", lab2);
	for (size_t i = 0; i < m->n; i++)
		same &= lab1[i] == lab2[i];
	ok(same, "ils: the same basins for the same seed, 1 or 2 threads");
	near(sum.objective, ils.objective, 0, "ils: the same objective");
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/* Basin populations of partition name into pmin / pmax. */
static void pop_range(cpts_ctx *ctx, cpts_store *s, const cpts_model *m, const char *name,
		      double *pmin, double *pmax)
{
	long lab[G * G];
	double bpop[G * G] = { 0 };
	size_t nb = labels_of(ctx, s, m, name, lab);

	*pmin = INFINITY;
	*pmax = 0;
	for (size_t i = 0; i < m->n; i++)
		bpop[lab[i]] += m->c[i].pop;
	for (size_t b = 0; b < nb; b++) {
		*pmin = fmin(*pmin, bpop[b]);
		*pmax = fmax(*pmax, bpop[b]);
	}
}

/*
 * Modularity with a target: the resolution search that runs the commune level once
 * (used from 5,000 communes on: all of France) forced on the grid, against the full
 * search (a Louvain per resolution): the count, contiguity, floor and ceiling, the
 * same basins for the same seed, and an overall LI close to the full search's.
 */
static void test_search_base(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = grid(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary full, base, again;
	cpts_model *m = NULL;
	long lab1[G * G], lab2[G * G];
	double pmin, pmax;
	bool same = true;

	ok(s != NULL, "search: workspace built");
	if (!s)
		return;
	cpts_model_load(ctx, &m, s);
	o.method = "modularity";
	o.target_count = 6;
	o.min_pop = 80000;
	o.max_pop = 400000;
	o.name = "mfull";
	ok(cpts_basins_run(ctx, s, &o, &full) == CPTS_OK, "search: full search runs");
	cpts_basins__search_base_min_n = 0;
	o.name = "mbase";
	ok(cpts_basins_run(ctx, s, &o, &base) == CPTS_OK, "search: one-level search runs");
	o.name = "mbase2";
	ok(cpts_basins_run(ctx, s, &o, &again) == CPTS_OK, "search: one-level search again");
	cpts_basins__search_base_min_n = 5000;
	is_int((long)full.n_basins, 6, "search: full search reaches the count");
	is_int((long)base.n_basins, 6, "search: one-level search reaches the count");
	ok(partition_sound(ctx, s, "mbase"), "search: one-level basins contiguous, no overlap");
	pop_range(ctx, s, m, "mbase", &pmin, &pmax);
	ok(pmin >= 80000 && pmax <= 400000, "search: within floor and ceiling (%.0f-%.0f)", pmin,
	   pmax);
	labels_of(ctx, s, m, "mbase", lab1);
	labels_of(ctx, s, m, "mbase2", lab2);
	for (size_t i = 0; i < m->n; i++)
		same &= lab1[i] == lab2[i];
	ok(same, "search: the same basins for the same seed");
	ok(base.li_overall >= full.li_overall - 0.02, "search: one-level LI %.4f within 0.02 of"
	   " the full search's %.4f", base.li_overall, full.li_overall);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

/*
 * A search on the grid checked as it runs and after: every basin connected and within
 * floor and ceiling after every move (move hook), the target count kept, an objective
 * above `base` (the same search without the phase under test, same starts) and equal
 * to the overall LI recomputed from the stored basins, the basins sound, and the same
 * basins and objective for the same seed with 1 and 2 threads. o->name is the 1-thread
 * run's; the 2-thread run is stored under name2. *out: the 1-thread summary.
 */
static void search_checked(cpts_ctx *ctx, cpts_store *s, cpts_basins_opts *o,
			   const char *tag, const char *name2, double base,
			   cpts_basins_summary *out)
{
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	cpts_basins_summary two;
	long lab1[G * G], lab2[G * G];
	double pop[G * G];
	bandst b = { { NULL, 0, 0 }, pop, o->min_pop, o->max_pop, 0 };
	const char *name1 = o->name;
	bool same = true;

	cpts_model_load(ctx, &m, s);
	cpts_graph_load(ctx, &g, m, s);
	for (size_t i = 0; i < m->n; i++)
		pop[i] = m->c[i].pop;
	b.h.g = g;
	o->threads = 1;
	cpts_basins__move_hook = on_move_band;
	cpts_basins__move_hook_arg = &b;
	ok(cpts_basins_run(ctx, s, o, out) == CPTS_OK, "%s: the search runs", tag);
	cpts_basins__move_hook = NULL;
	ok(b.h.n_moves > 0 && b.h.n_bad == 0, "%s: every basin connected after each of the"
	   " %zu moves (%zu not)", tag, b.h.n_moves, b.h.n_bad);
	is_int((long)b.n_out, 0, "%s: every basin within floor and ceiling after each move", tag);
	is_int((long)out->n_basins, 10, "%s: the target count kept", tag);
	ok(out->objective > base + 1e-4, "%s: objective %.6f above the search without it %.6f",
	   tag, out->objective, base);
	near(out->objective, out->li_overall, 1e-9, "%s: objective is the stored overall LI", tag);
	ok(partition_sound(ctx, s, name1), "%s: basins contiguous, no overlap", tag);
	labels_of(ctx, s, m, name1, lab1);
	o->threads = 2;
	o->name = name2;
	ok(cpts_basins_run(ctx, s, o, &two) == CPTS_OK, "%s: again on 2 threads", tag);
	labels_of(ctx, s, m, name2, lab2);
	for (size_t i = 0; i < m->n; i++)
		same &= lab1[i] == lab2[i];
	ok(same, "%s: the same basins for the same seed, 1 or 2 threads", tag);
	near(two.objective, out->objective, 0, "%s: the same objective", tag);
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
}

/* The grid's optimiser at a binding ceiling (10 basins, 60,000-160,000), annealing,
 * kicks and re-cuts off: the options both tests below start from. */
static cpts_basins_opts grid_band_opts(void)
{
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;

	o.method = "optimise";
	o.target_count = 10;
	o.min_pop = 60000;
	o.max_pop = 160000;
	o.kicks = 0;
	o.iterations = 0;
	o.lns = 0;
	o.threads = 1;
	return o;
}

/*
 * The large-neighbourhood search (2 or 3 adjacent basins merged and re-partitioned),
 * checked by search_checked against the same search without re-cuts.
 */
static void test_lns(cpts_ctx *ctx)
{
	char path[256];
	cpts_store *s = grid(ctx, path);
	cpts_basins_opts o = grid_band_opts();
	cpts_basins_summary plain, lns;

	ok(s != NULL, "lns: workspace built");
	if (!s)
		return;
	o.name = "plain";
	ok(cpts_basins_run(ctx, s, &o, &plain) == CPTS_OK, "lns: descent and rounds only");
	near(plain.objective, plain.li_overall, 1e-9, "lns: the plain objective is its stored LI");
	o.lns = 500;
	o.name = "lns1";
	search_checked(ctx, s, &o, "lns (500 re-cuts per start)", "lns2", plain.objective, &lns);
	ws_drop(s, path);
}

/*
 * One refinement of the search switched by *flag, checked by search_checked against the
 * same search with it off: every move keeps the basins connected and within the band,
 * the objective rises, the result is the same on 1 and 2 threads. tag names the checks,
 * name1/name2 the two partitions of the run with it on.
 */
static void toggle_checked(cpts_ctx *ctx, bool *flag, const char *tag, const char *off,
			   const char *name1, const char *name2)
{
	char path[256], what[96];
	cpts_store *s = grid(ctx, path);
	cpts_basins_opts o = grid_band_opts();
	cpts_basins_summary plain, on;

	ok(s != NULL, "%s: workspace built", tag);
	if (!s)
		return;
	o.name = "plain";
	*flag = false;
	snprintf(what, sizeof(what), "%s: %s", tag, off);
	ok(cpts_basins_run(ctx, s, &o, &plain) == CPTS_OK, "%s", what);
	*flag = true;
	o.name = name1;
	search_checked(ctx, s, &o, tag, name2, plain.objective, &on);
	ws_drop(s, path);
}

/* Ejection chains in the descents (a commune enters a full basin, a commune of that
 * basin leaves it). */
static void test_chains(cpts_ctx *ctx)
{
	toggle_checked(ctx, &cpts_basins__chains, "chains", "descents without chains", "ch1",
		       "ch2");
}

/* Recombination of the starts (each refined on its overlay with the best, whole cells
 * moved); the plain search keeps chains, rounds and carves. */
static void test_recombine(cpts_ctx *ctx)
{
	toggle_checked(ctx, &cpts_basins__recombine, "recombine", "starts alone", "rc1", "rc2");
}

/* Is every basin of lab (k basins, n communes) non-empty and connected in g? */
static bool small_sound(const cpts_graph *g, const long *lab, size_t n, long k)
{
	for (long b = 0; b < k; b++) {
		size_t stack[16], top = 0, seen = 0, size = 0, first = n;
		bool in[16] = { false };
		for (size_t i = 0; i < n; i++)
			if (lab[i] == b) {
				size++;
				if (first == n)
					first = i;
			}
		if (!size)
			return false;
		in[first] = true;
		stack[top++] = first;
		while (top) {
			size_t u = stack[--top];
			seen++;
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++)
				if (lab[g->adj[e]] == b && !in[g->adj[e]]) {
					in[g->adj[e]] = true;
					stack[top++] = g->adj[e];
				}
		}
		if (seen != size)
			return false;
	}
	return true;
}

/*
 * A 4 x 3 grid of communes, 3 basins within 25,000-60,000: every labelling (3^12) is
 * enumerated for the best overall LI of contiguous basins within the band; the optimiser
 * with recombination (the default) and 2 starts reaches it, its basins contiguous and
 * within the band.
 */
static void test_recombine_optimum(cpts_ctx *ctx)
{
	enum { W = 4, H = 3, N = W * H };
	char path[256], a[8], b[8];
	cpts_store *s = ws_create(ctx, path);
	cpts_basins_opts o = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	double pop[N], fl[N][N], total = 0, best = -1, bp[3];
	long lab[N], got[N];
	unsigned long x = 777;
	size_t n_feasible = 0;
	int rc = s ? cpts_store_begin(ctx, s) : -1;

	for (int i = 0; i < N && rc == 0; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		pop[i] = 6000 + (double)((x >> 33) % 12000);
		snprintf(a, sizeof(a), "44%03d", i + 1);
		rc |= ws_rect(ctx, s, a, 1000.0 * (i % W), 1000.0 * (i / W), 1000.0 * (i % W + 1),
			      1000.0 * (i / W + 1));
		rc |= ws_pop(ctx, s, a, pop[i]);
	}
	for (int i = 0; i < N && rc == 0; i++)
		for (int j = 0; j < N; j++) {
			double dx = i % W - j % W, dy = i / W - j / W;
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			fl[i][j] = floor(pop[i] * pop[j] / 1e6 * exp(-sqrt(dx * dx + dy * dy)) *
					 (0.5 + (double)((x >> 33) % 100) / 100.0) * (i == j ? 3 : 1));
			total += fl[i][j];
			snprintf(a, sizeof(a), "44%03d", i + 1);
			snprintf(b, sizeof(b), "44%03d", j + 1);
			if (fl[i][j] > 0)
				rc |= ws_flow(ctx, s, a, b, "", fl[i][j], 0);
		}
	rc |= s ? cpts_store_commit(ctx, s) : -1;
	ok(rc == 0, "optimum: workspace built");
	if (rc)
		return;
	o.method = "optimise";
	o.target_count = 3;
	o.min_pop = 25000;
	o.max_pop = 60000;
	o.n_starts = 2;
	o.name = "opt";
	ok(cpts_basins_run(ctx, s, &o, &sum) == CPTS_OK, "optimum: optimise runs");
	cpts_model_load(ctx, &m, s);
	cpts_graph_load(ctx, &g, m, s);
	labels_of(ctx, s, m, "opt", got);
	/* every labelling with basin 0 at commune 0 (the others are relabellings) */
	for (long code = 0; code < 59049 * 9; code++) {
		long c = code;
		double in = 0;
		bool band = true;
		for (int i = 0; i < N; i++, c /= 3)
			lab[i] = c % 3;
		if (lab[0] != 0)
			continue;
		bp[0] = bp[1] = bp[2] = 0;
		for (int i = 0; i < N; i++)
			bp[lab[i]] += pop[i];
		for (int t = 0; t < 3; t++)
			band &= bp[t] >= 25000 && bp[t] <= 60000;
		if (!band || !small_sound(g, lab, N, 3))
			continue;
		n_feasible++;
		for (int i = 0; i < N; i++)
			for (int j = 0; j < N; j++)
				in += lab[i] == lab[j] ? fl[i][j] : 0;
		if (in > best)
			best = in;
	}
	ok(n_feasible > 0, "optimum: %zu feasible labellings enumerated", n_feasible);
	near(sum.objective, best / total, 1e-9, "optimum: the optimiser reaches the enumerated"
	     " optimum %.6f", best / total);
	bp[0] = bp[1] = bp[2] = 0;
	for (int i = 0; i < N; i++)
		bp[got[i] >= 0 && got[i] < 3 ? got[i] : 0] += pop[i];
	ok(small_sound(g, got, N, 3), "optimum: 3 contiguous basins");
	ok(bp[0] >= 25000 && bp[0] <= 60000 && bp[1] >= 25000 && bp[1] <= 60000 &&
	   bp[2] >= 25000 && bp[2] <= 60000, "optimum: within the band (%.0f, %.0f, %.0f)",
	   bp[0], bp[1], bp[2]);
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	ws_drop(s, path);
}

int main(void)
{
	cpts_ctx ctx;

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	test_line(&ctx);
	test_resample_fixed(&ctx);
	test_grid(&ctx);
	test_ils(&ctx);
	test_lns(&ctx);
	test_chains(&ctx);
	test_recombine(&ctx);
	test_recombine_optimum(&ctx);
	test_search_base(&ctx);
	cpts_ctx_release(&ctx);
	return done_testing();
}
