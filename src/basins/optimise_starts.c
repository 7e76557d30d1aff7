/*
 * optimise_starts.c - randomised pole layouts as optimiser starts (issue 17): target
 * anchors drawn at random, basins grown around them by the flows, so that the search
 * also starts from global layouts that plurality and modularity never produce.
 *
 * Why: every other start derives from plurality or modularity, whose poles sit in the
 * same places; their searches end within a few 1e-4 of LI of each other. A different
 * placement of the poles is the one thing the local search and the recombination
 * cannot reach from them.
 *
 * Anchors: the unlocked communes above the ceiling first (they can only be a basin
 * alone), then k-means++ on the communes' representative points: each next anchor
 * drawn with probability proportional to its weight (the flows it receives, self loop
 * included) times the squared distance to the nearest anchor already drawn. Growth:
 * every unassigned commune next (in the contiguity graph) to a basin is offered to the
 * adjacent basin holding the largest share of its symmetrised flows, among those it
 * fits in under the ceiling; a priority queue takes the highest share first (ties:
 * lowest commune index), stale offers are re-evaluated when popped. Communes no basin
 * can take stay without basin (-1): the caller attaches and repairs them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

/** An offer: commune j to basin b with score s (flow share), valid while ver matches. */
typedef struct soffer {
	double s;
	size_t j;
	long b;
	unsigned ver;
} soffer;

/** Growth state. */
typedef struct sgrow {
	cpts_bwork *w;        /* BORROWED */
	double *bpop;         /* OWNED, per basin id (< w->n_lab) */
	double *acc;          /* OWNED, per basin id: accumulator, kept at 0 */
	long *touched;        /* OWNED, basin ids with acc set */
	unsigned *ver;        /* OWNED, per commune: offer version */
	soffer *heap;         /* OWNED, max-heap on (s, -j) */
	size_t hn, hcap;
} sgrow;

static uint64_t srand_next(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

/* A uniform double in [0, 1). */
static double srand_unit(uint64_t *x)
{
	return (double)(srand_next(x) >> 11) * 0x1.0p-53;
}

static bool offer_before(const soffer *a, const soffer *b)
{
	return a->s > b->s || (a->s == b->s && a->j < b->j);
}

static void heap_push(sgrow *g, soffer x)
{
	size_t i;

	if (g->hn == g->hcap) {
		g->hcap = g->hcap ? 2 * g->hcap : 1024;
		g->heap = cpts_reallocarray(g->heap, g->hcap, sizeof(soffer));
	}
	i = g->hn++;
	while (i > 0 && offer_before(&x, &g->heap[(i - 1) / 2])) {
		g->heap[i] = g->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	g->heap[i] = x;
}

static soffer heap_pop(sgrow *g)
{
	soffer top = g->heap[0], x = g->heap[--g->hn];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= g->hn)
			break;
		if (c + 1 < g->hn && offer_before(&g->heap[c + 1], &g->heap[c]))
			c++;
		if (!offer_before(&g->heap[c], &x))
			break;
		g->heap[i] = g->heap[c];
		i = c;
	}
	if (g->hn)
		g->heap[i] = x;
	return top;
}

/*
 * The best basin for unassigned commune j among the unlocked basins next to it with
 * room for it: the largest share of j's symmetrised flows (0 when it exchanges none
 * with any; then the smallest such basin). Pushes the offer; nothing when none fits.
 */
static void offer(sgrow *g, size_t j)
{
	cpts_bwork *w = g->w;
	const cpts_graph *gr = w->g;
	const cpts_symflows *sy = &w->sym;
	double pj = w->m->c[j].pop, ceil = w->opts->max_pop, best_s = -1, kj = sy->k[j];
	long best = -1;
	size_t nt = 0;

	g->ver[j]++;
	for (size_t e = gr->start[j]; e < gr->start[j + 1]; e++) {
		long b = w->lab[gr->adj[e]];
		if (b < 0 || w->locked[gr->adj[e]] || (ceil > 0 && g->bpop[b] + pj > ceil))
			continue;
		if (g->acc[b] == 0) {
			g->acc[b] = 1e-300; /* marked as adjacent */
			g->touched[nt++] = b;
		}
	}
	if (!nt)
		return;
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
		size_t i = sy->adj[e];
		long b = w->lab[i];
		if (i != j && b >= 0 && g->acc[b] > 0)
			g->acc[b] += sy->w[e];
	}
	for (size_t t = 0; t < nt; t++) {
		long b = g->touched[t];
		double s = kj > 0 ? g->acc[b] / kj : -g->bpop[b] * 1e-12;
		if (s > best_s || (s == best_s && b < best)) {
			best_s = s;
			best = b;
		}
		g->acc[b] = 0;
	}
	heap_push(g, (soffer){ best_s, j, best, g->ver[j] });
}

/* Commune j joins basin b: offers re-evaluated around it (graph neighbours, and flow
 * neighbours that already touch a basin). */
static void join(sgrow *g, size_t j, long b)
{
	cpts_bwork *w = g->w;
	const cpts_graph *gr = w->g;
	const cpts_symflows *sy = &w->sym;

	w->lab[j] = b;
	g->bpop[b] += w->m->c[j].pop;
	for (size_t e = gr->start[j]; e < gr->start[j + 1]; e++)
		if (w->lab[gr->adj[e]] < 0 && !w->locked[gr->adj[e]])
			offer(g, gr->adj[e]);
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
		size_t i = sy->adj[e];
		if (w->lab[i] >= 0 || w->locked[i] || g->ver[i] == 0)
			continue;
		offer(g, i); /* an offer existed: it touches a basin */
	}
}

/* d2[i] = min(d2[i], squared distance from commune i to commune a). */
static void near_update(const cpts_bwork *w, double *d2, size_t a)
{
	const cpts_commune *c = w->m->c;

	for (size_t i = 0; i < w->m->n; i++) {
		double dx = c[i].px - c[a].px, dy = c[i].py - c[a].py;
		if (dx * dx + dy * dy < d2[i])
			d2[i] = dx * dx + dy * dy;
	}
}

void cpts_basins__random_layout(cpts_bwork *w, size_t target, uint64_t seed)
{
	size_t n = w->m->n, n_anchor = 0, nb0 = w->n_lab;
	double ceil = w->opts->max_pop, *d2 = cpts_mallocarray(n + 1, sizeof(double));
	double *wt = cpts_mallocarray(n + 1, sizeof(double));
	size_t *anchor = cpts_mallocarray(n + 1, sizeof(size_t));
	uint64_t x = (seed ^ 0x9E3779B97F4A7C15ULL) | 1;
	size_t locked_basins = 0;
	sgrow g;
	const char *wm = getenv("CPTS_RANDOM_WEIGHT"); /* EXPERIMENT */
	int wmode = wm ? (int)strtol(wm, NULL, 10) : 0;

	cpts_basins__need_sym(w);
	for (int k = 0; k < 4; k++)
		srand_next(&x);
	/* locked territories count in the target */
	{
		bool *seen = cpts_calloc(w->n_lab + 1, sizeof(bool));
		for (size_t i = 0; i < n; i++)
			if (w->locked[i] && w->lab[i] >= 0 && !seen[w->lab[i]]) {
				seen[w->lab[i]] = true;
				locked_basins++;
			}
		free(seen);
	}
	for (size_t i = 0; i < n; i++) {
		if (!w->locked[i])
			w->lab[i] = -1;
		d2[i] = INFINITY;
		wt[i] = w->locked[i] ? 0 : wmode == 1 ? w->m->c[i].pop + 1 : wmode == 2 ? 1
			: w->f->col_total[i] + 1e-9 * (1 + w->m->c[i].pop);
	}
	/* the communes above the ceiling first */
	for (size_t i = 0; i < n; i++)
		if (!w->locked[i] && ceil > 0 && w->m->c[i].pop > ceil) {
			anchor[n_anchor++] = i;
			w->lab[i] = (long)nb0; /* placeholder: taken */
			near_update(w, d2, i);
		}
	while (n_anchor + locked_basins < target) {
		double tot = 0, r, run = 0;
		size_t pick = SIZE_MAX;
		for (size_t i = 0; i < n; i++)
			if (w->lab[i] < 0 && !w->locked[i])
				tot += wt[i] * (n_anchor ? d2[i] : 1);
		if (!(tot > 0))
			break;
		r = srand_unit(&x) * tot;
		for (size_t i = 0; i < n; i++) {
			if (w->lab[i] >= 0 || w->locked[i])
				continue;
			run += wt[i] * (n_anchor ? d2[i] : 1);
			pick = i;
			if (run > r)
				break;
		}
		if (pick == SIZE_MAX)
			break;
		anchor[n_anchor++] = pick;
		w->lab[pick] = (long)nb0;
		near_update(w, d2, pick);
	}
	/* anchors get their basin ids; growth */
	memset(&g, 0, sizeof(g));
	g.w = w;
	w->n_lab = nb0 + n_anchor;
	g.bpop = cpts_calloc(w->n_lab + 1, sizeof(double));
	g.acc = cpts_calloc(w->n_lab + 1, sizeof(double));
	g.touched = cpts_mallocarray(w->n_lab + 1, sizeof(long));
	g.ver = cpts_calloc(n + 1, sizeof(unsigned));
	for (size_t i = 0; i < n; i++)
		if (w->locked[i] && w->lab[i] >= 0)
			g.bpop[w->lab[i]] += w->m->c[i].pop;
	for (size_t t = 0; t < n_anchor; t++)
		w->lab[anchor[t]] = -1;
	for (size_t t = 0; t < n_anchor; t++)
		join(&g, anchor[t], (long)(nb0 + t));
	while (g.hn) {
		soffer o = heap_pop(&g);
		if (w->lab[o.j] >= 0 || o.ver != g.ver[o.j])
			continue;
		if (ceil > 0 && g.bpop[o.b] + w->m->c[o.j].pop > ceil) {
			offer(&g, o.j);
			continue;
		}
		join(&g, o.j, o.b);
	}
	free(g.bpop);
	free(g.acc);
	free(g.touched);
	free(g.ver);
	free(g.heap);
	free(anchor);
	free(d2);
	free(wt);
}
