/*
 * optimise_ruin.c - ruin and recreate for the optimiser (optimise.c): a zone of several
 * adjacent basins (a random basin and the 4-8 basins around it that exchange most flows
 * with the zone) is dissolved and regrown into as many basins from NEW anchors, drawn
 * among the zone's communes by the flows they receive, not the old basins' poles. The
 * large-neighbourhood rounds of optimise.c re-cut 2 or 3 basins; a zone of 5-9 lets
 * the poles themselves move (where the basins sit), which the border moves, the re-cuts
 * and the recombination keep fixed.
 *
 * Growth is simultaneous: at each step the unassigned commune of the zone with the
 * largest flows to a part it touches (contiguity graph, bridges included) joins it,
 * within the ceiling; in the "floor first" mode parts still under the floor are served
 * first. A part under the floor at the end, or a commune no part can take, fails the
 * seed set. Single communes above the ceiling and locked territories never enter a zone.
 * This file only proposes a re-partition (positions of the zone's communes -> parts);
 * optimise.c applies it, runs a descent around it and keeps it when the objective rose.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

static uint64_t rr_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static double rr_unit(uint64_t *s)
{
	return (double)(rr_rand(s) >> 11) * 0x1.0p-53;
}

void cpts_basins__ruin_init(cpts_basins__ruin *r, size_t n, size_t nb)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->nb = nb;
	r->memb = cpts_mallocarray(n + 1, sizeof(size_t));
	r->pos = cpts_mallocarray(n + 1, sizeof(size_t));
	r->in = cpts_calloc(n + 1, sizeof(unsigned));
	r->part = cpts_mallocarray(n + 1, sizeof(long));
	r->best = cpts_mallocarray(n + 1, sizeof(long));
	r->aff = cpts_calloc((n + 1) * CPTS_RUIN_MAX_PARTS, sizeof(double));
	r->touch = cpts_calloc((n + 1) * CPTS_RUIN_MAX_PARTS, sizeof(unsigned char));
	r->bacc = cpts_calloc(nb + 1, sizeof(double));
	r->bmark = cpts_calloc(nb + 1, sizeof(unsigned));
	r->btouched = cpts_mallocarray(nb + 1, sizeof(long));
	r->hop = cpts_mallocarray(n + 1, sizeof(size_t));
	r->bfs = cpts_mallocarray(n + 1, sizeof(size_t));
	r->wt = cpts_mallocarray(n + 1, sizeof(double));
}

void cpts_basins__ruin_release(cpts_basins__ruin *r)
{
	free(r->memb);
	free(r->pos);
	free(r->in);
	free(r->part);
	free(r->best);
	free(r->aff);
	free(r->touch);
	free(r->bacc);
	free(r->bmark);
	free(r->btouched);
	free(r->hop);
	free(r->bfs);
	free(r->wt);
}

/* The members of basin c reached from j0 inside it, appended to the zone. */
static void rr_collect(cpts_basins__ruin *r, const cpts_bwork *w, const long *lab, size_t j0)
{
	const cpts_graph *g = w->g;
	long c = lab[j0];
	size_t h = r->k;

	r->in[j0] = r->stamp;
	r->pos[j0] = r->k;
	r->memb[r->k++] = j0;
	while (h < r->k) {
		size_t u = r->memb[h++];
		for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
			size_t v = g->adj[e];
			if (lab[v] == c && r->in[v] != r->stamp) {
				r->in[v] = r->stamp;
				r->pos[v] = r->k;
				r->memb[r->k++] = v;
			}
		}
	}
}

/* May basin b enter a zone (not locked, not a single commune above the ceiling)? */
static bool rr_free(const cpts_bwork *w, const cpts_basins__ruin_view *v, long b)
{
	double ceil = w->opts->max_pop;

	if (b < 0 || v->lockb[b] || !v->cnt[b])
		return false;
	return !(ceil > 0 && v->cnt[b] == 1 && v->pop[b] > ceil);
}

int cpts_basins__ruin_zone(cpts_basins__ruin *r, const cpts_bwork *w,
			   const cpts_basins__ruin_view *v, uint64_t *rng, int np, size_t max_k)
{
	const cpts_graph *g = w->g;
	const cpts_symflows *sy = &w->sym;
	size_t n = w->m->n, j0 = 0;
	int got = 0;

	if (np > CPTS_RUIN_MAX_PARTS)
		np = CPTS_RUIN_MAX_PARTS;
	for (int t = 0; t < 16 && !got; t++) {
		j0 = (size_t)(rr_rand(rng) % n);
		got = rr_free(w, v, v->lab[j0]);
	}
	if (!got)
		return 0;
	r->stamp++;
	r->k = 0;
	r->np = 0;
	r->ids[r->np++] = v->lab[j0];
	rr_collect(r, w, v->lab, j0);
	while (r->np < np) {
		size_t n_t = 0;
		double tot = 0, x;
		long pick = -1;
		/* adjacent free basins, weighted by the flows they exchange with the zone */
		r->bstamp++;
		for (size_t q = 0; q < r->k; q++) {
			size_t j = r->memb[q];
			for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
				long b = v->lab[g->adj[e]];
				if (r->in[g->adj[e]] == r->stamp || !rr_free(w, v, b) ||
				    r->bmark[b] == r->bstamp)
					continue;
				r->bmark[b] = r->bstamp;
				r->btouched[n_t++] = b;
				r->bacc[b] = 0;
			}
		}
		if (!n_t)
			break;
		for (size_t q = 0; q < r->k; q++) {
			size_t j = r->memb[q];
			for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
				long b = v->lab[sy->adj[e]];
				if (b >= 0 && r->in[sy->adj[e]] != r->stamp && r->bmark[b] == r->bstamp)
					r->bacc[b] += sy->w[e];
			}
		}
		for (size_t t = 0; t < n_t; t++)
			tot += r->bacc[r->btouched[t]];
		tot = tot > 0 ? tot : 1;
		x = rr_unit(rng) * tot * 1.01;
		for (size_t t = 0; t < n_t && pick < 0; t++) {
			x -= r->bacc[r->btouched[t]] + 0.01 * tot / (double)n_t;
			if (x < 0)
				pick = r->btouched[t];
		}
		if (pick < 0)
			pick = r->btouched[n_t - 1];
		if (r->k + v->cnt[pick] > max_k)
			break;
		/* a commune of it next to the zone */
		for (size_t q = 0, done = 0; q < r->k && !done; q++) {
			size_t j = r->memb[q];
			for (size_t e = g->start[j]; e < g->start[j + 1] && !done; e++)
				if (v->lab[g->adj[e]] == pick && r->in[g->adj[e]] != r->stamp) {
					r->ids[r->np++] = pick;
					rr_collect(r, w, v->lab, g->adj[e]);
					done = 1;
				}
		}
	}
	return r->np >= 2 ? r->np : 0;
}

double cpts_basins__ruin_kept(const cpts_basins__ruin *r, const cpts_bwork *w, const long *lab)
{
	const cpts_symflows *sy = &w->sym;
	double kept = 0;

	for (size_t q = 0; q < r->k; q++) {
		size_t j = r->memb[q];
		for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
			size_t u = sy->adj[e];
			if (u != j && r->in[u] == r->stamp && lab[u] == lab[j])
				kept += sy->w[e];
		}
	}
	return kept;
}

/*
 * Hops from the seeds taken (breadth-first inside the zone) into r->hop; a member drawn
 * with probability proportional to the flows it receives times the square of its hops
 * from the nearest seed (k-means++ seeding: attractive communes, spread over the zone).
 */
static size_t rr_seed(cpts_basins__ruin *r, const cpts_bwork *w, uint64_t *rng,
		      const size_t *seeds, int ns)
{
	const double *in = w->f->col_total;
	const cpts_graph *g = w->g;
	double ceil = w->opts->max_pop, tot = 0, x;
	size_t h = 0, t = 0, pick = SIZE_MAX;

	for (size_t q = 0; q < r->k; q++)
		r->hop[q] = ns ? SIZE_MAX : 1;
	for (int s = 0; s < ns; s++) {
		r->hop[r->pos[seeds[s]]] = 0;
		r->bfs[t++] = seeds[s];
	}
	while (h < t) {
		size_t u = r->bfs[h++], du = r->hop[r->pos[u]];
		for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
			size_t v = g->adj[e];
			if (r->in[v] == r->stamp && r->hop[r->pos[v]] == SIZE_MAX) {
				r->hop[r->pos[v]] = du + 1;
				r->bfs[t++] = v;
			}
		}
	}
	for (size_t q = 0; q < r->k; q++) {
		double d = r->hop[q] == SIZE_MAX ? 0 : (double)r->hop[q];
		r->wt[q] = (ceil > 0 && w->m->c[r->memb[q]].pop > ceil) ? 0
			   : (in[r->memb[q]] + 1e-9) * d * d;
		tot += r->wt[q];
	}
	if (!(tot > 0))
		return SIZE_MAX;
	x = rr_unit(rng) * tot;
	for (size_t q = 0; q < r->k && pick == SIZE_MAX; q++) {
		x -= r->wt[q];
		if (x < 0 && r->wt[q] > 0)
			pick = r->memb[q];
	}
	for (size_t q = r->k; q-- > 0 && pick == SIZE_MAX;)
		if (r->wt[q] > 0)
			pick = r->memb[q];
	return pick;
}

/* Member at zone position q joins part p. */
static void rr_join(cpts_basins__ruin *r, const cpts_bwork *w, size_t q, int p, double *ps)
{
	const cpts_symflows *sy = &w->sym;
	const cpts_graph *g = w->g;
	size_t j = r->memb[q], np = (size_t)r->np;

	r->part[q] = p;
	ps[p] += w->m->c[j].pop;
	for (size_t e = sy->start[j]; e < sy->start[j + 1]; e++) {
		size_t u = sy->adj[e];
		if (u != j && r->in[u] == r->stamp)
			r->aff[r->pos[u] * np + (size_t)p] += sy->w[e];
	}
	for (size_t e = g->start[j]; e < g->start[j + 1]; e++) {
		size_t u = g->adj[e];
		if (r->in[u] == r->stamp)
			r->touch[r->pos[u] * np + (size_t)p] = 1;
	}
}

/* Seeds grown into r->np parts (r->part per position); twice the flows kept, or -1. */
static double rr_grow(cpts_basins__ruin *r, const cpts_bwork *w, const size_t *seeds,
		      bool floor_first, bool balanced)
{
	double floor = w->opts->min_pop, ceil = w->opts->max_pop, ps[CPTS_RUIN_MAX_PARTS];
	size_t np = (size_t)r->np, left = r->k;
	double kept = 0;

	for (size_t q = 0; q < r->k; q++)
		r->part[q] = -1;
	memset(r->aff, 0, r->k * np * sizeof(double));
	memset(r->touch, 0, r->k * np);
	for (size_t p = 0; p < np; p++)
		ps[p] = 0;
	for (size_t p = 0; p < np; p++) {
		rr_join(r, w, r->pos[seeds[p]], (int)p, ps);
		left--;
	}
	while (left) {
		size_t bq = SIZE_MAX;
		int bp = -1;
		double bs = -INFINITY;
		bool low = false; /* the best is for a part under the floor */
		for (size_t q = 0; q < r->k; q++) {
			double pj = w->m->c[r->memb[q]].pop;
			if (r->part[q] >= 0)
				continue;
			for (size_t p = 0; p < np; p++) {
				double s = r->aff[q * np + p];
				bool under;
				if (!r->touch[q * np + p] || (ceil > 0 && ps[p] + pj > ceil))
					continue;
				under = floor_first && floor > 0 && ps[p] < floor;
				if (balanced) /* the smallest part grows first */
					s = -ps[p] * 1e6 + s / (1 + s);
				if ((under && !low) || (under == low && s > bs)) {
					bs = s;
					bq = q;
					bp = (int)p;
					low = under;
				}
			}
		}
		if (bq == SIZE_MAX) {
			r->fail_strand++;
			return -1;
		}
		rr_join(r, w, bq, bp, ps);
		left--;
	}
	for (size_t p = 0; p < np; p++)
		if (floor > 0 && ps[p] < floor) {
			r->fail_floor++;
			return -1;
		}
	for (size_t q = 0; q < r->k; q++)
		kept += r->aff[q * np + (size_t)r->part[q]];
	return kept;
}

double cpts_basins__ruin_recreate(cpts_basins__ruin *r, const cpts_bwork *w, uint64_t *rng,
				  int tries)
{
	size_t seeds[CPTS_RUIN_MAX_PARTS];
	double best = -1;

	for (int t = 0; t < tries; t++) {
		bool ok = true;
		double kept;
		for (int p = 0; p < r->np && ok; p++)
			ok = (seeds[p] = rr_seed(r, w, rng, seeds, p)) != SIZE_MAX;
		if (!ok) {
			r->fail_seed++;
			continue;
		}
		kept = rr_grow(r, w, seeds, t % 2 == 0, (t / 2) % 2 == 1);
		if (kept > best) {
			best = kept;
			memcpy(r->best, r->part, r->k * sizeof(long));
		}
	}
	return best;
}
