/*
 * modularity.c - spatially constrained Louvain (DOMAIN.md 5.2, after the ScLouvain
 * method of Wang and Wang).
 *
 * Why constrained: plain Louvain on patient flows groups communes that exchange
 * patients wherever they are, and gives a handful of huge groups (9 for all of Pays
 * de la Loire). Here a node may only move to a group that touches it in the contiguity
 * graph, a move may not push a group above the population ceiling, and after each
 * level every group is split into its connected parts before aggregation, so that
 * every aggregated node is a contiguous set of communes and every final group is
 * contiguous (through bridges for islands).
 *
 * Weights are the symmetrised flows A = F + F^T (self loops 2 F_ii); the gain of moving
 * node v into group C is k_v,C - gamma k_v Sigma_C / 2m (the usual Louvain gain up to a
 * positive factor). Nodes are visited in a seeded random order: the same seed gives
 * the same basins.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

/** One level of the aggregated graph: no self loops (the strength k counts them, the
 * gains never read them), one entry per neighbour (duplicates merged). Node indices are
 * 32-bit: a level's CSR is streamed once per pass of the local moving, and narrower
 * entries are most of what that costs (France: 5 M flow pairs). */
typedef struct level {
	size_t nn;                 /* nodes */
	double *k, *pop;           /* OWNED per node: strength, population */
	size_t *fs;                /* OWNED flow CSR offsets (nn + 1) */
	uint32_t *fa;              /* OWNED flow targets */
	double *fw;                /* OWNED flow weights */
	size_t *cs;                /* OWNED contiguity CSR offsets (nn + 1) */
	uint32_t *ca;              /* OWNED contiguity targets */
} level;

static void level_release(level *l)
{
	free(l->k);
	free(l->pop);
	free(l->fs);
	free(l->fa);
	free(l->fw);
	free(l->cs);
	free(l->ca);
	memset(l, 0, sizeof(*l));
}

/* Level 0: the active communes; node_of[i] is the node of commune i or -1. The rows of
 * A = F + F^T hold j twice when both F_ij and F_ji exist: merged here (the weights sum
 * in the row's order, so with counts the gains are exactly those of the unmerged rows). */
static void level0(cpts_bwork *w, level *l, const bool *active, long *node_of, double *two_m)
{
	size_t n = w->m->n, nn = 0, nf = 0, nc = 0;
	const cpts_graph *g = w->g;
	const cpts_symflows *sy = &w->sym;
	size_t *pos;
	uint32_t *mark;

	for (size_t i = 0; i < n; i++)
		node_of[i] = active[i] ? (long)nn++ : -1;
	l->nn = nn;
	l->k = cpts_calloc(nn + 1, sizeof(double));
	l->pop = cpts_calloc(nn + 1, sizeof(double));
	l->fs = cpts_calloc(nn + 1, sizeof(size_t));
	l->cs = cpts_calloc(nn + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		if (!active[i])
			continue;
		for (size_t e = sy->start[i]; e < sy->start[i + 1]; e++)
			nf += node_of[sy->adj[e]] >= 0;
		for (size_t e = g->start[i]; e < g->start[i + 1]; e++)
			nc += node_of[g->adj[e]] >= 0;
	}
	/* nf bounds the merged count; pages past the end are never touched, and the
	 * arrays are shrunk below */
	l->fa = cpts_mallocarray(nf + 1, sizeof(uint32_t));
	l->fw = cpts_mallocarray(nf + 1, sizeof(double));
	l->ca = cpts_mallocarray(nc + 1, sizeof(uint32_t));
	pos = cpts_mallocarray(nn + 1, sizeof(size_t));
	mark = cpts_calloc(nn + 1, sizeof(uint32_t));
	nf = nc = 0;
	*two_m = 0;
	for (size_t i = 0; i < n; i++) {
		long v = node_of[i];
		if (v < 0)
			continue;
		l->pop[v] = w->m->c[i].pop;
		for (size_t e = sy->start[i]; e < sy->start[i + 1]; e++) {
			long u = node_of[sy->adj[e]];
			if (u < 0)
				continue;
			l->k[v] += sy->w[e];
			*two_m += sy->w[e];
			if (u == v)
				continue;
			if (mark[u] != (uint32_t)v + 1) {
				mark[u] = (uint32_t)v + 1;
				pos[u] = nf;
				l->fa[nf] = (uint32_t)u;
				l->fw[nf++] = sy->w[e];
			} else {
				l->fw[pos[u]] += sy->w[e];
			}
		}
		for (size_t e = g->start[i]; e < g->start[i + 1]; e++)
			if (node_of[g->adj[e]] >= 0)
				l->ca[nc++] = (uint32_t)node_of[g->adj[e]];
		l->fs[v + 1] = nf;
		l->cs[v + 1] = nc;
	}
	free(pos);
	free(mark);
	l->fa = cpts_reallocarray(l->fa, nf + 1, sizeof(uint32_t));
	l->fw = cpts_reallocarray(l->fw, nf + 1, sizeof(double));
}

/*
 * Local moving; returns the number of moves. comm[v] = group of node v.
 *
 * A node is evaluated again only when something its choice reads has changed since it
 * last chose to stay: the group of a flow or contiguity neighbour (a move marks the
 * mover's neighbours), or the strength or population of its group or of a group next
 * to it (changed[] holds the step of the last move into or out of each group). A node
 * skipped would have stayed: the passes, moves and groups are those of evaluating every
 * node every pass (France: 18 passes of 35,000 nodes, most of them skipped after the
 * third). A node that stays gets its group's totals back as they were, so that the
 * totals depend only on the moves.
 */
static size_t local_moving(cpts_bwork *w, const level *l, uint32_t *comm, double gamma,
			   double max_pop, double two_m)
{
	size_t nn = l->nn, n_moves = 0, now = 0;
	uint32_t *order = cpts_mallocarray(nn + 1, sizeof(uint32_t));
	double *tot = cpts_calloc(nn + 1, sizeof(double)), *cpop = cpts_calloc(nn + 1, sizeof(double));
	double *acc = cpts_calloc(nn + 1, sizeof(double));
	uint32_t *touched = cpts_mallocarray(nn + 1, sizeof(uint32_t));
	size_t *seen = cpts_calloc(nn + 1, sizeof(size_t));    /* step it stayed at, 0 = to do */
	size_t *changed = cpts_calloc(nn + 1, sizeof(size_t)); /* per group: step of last move */

	for (size_t v = 0; v < nn; v++) {
		comm[v] = (uint32_t)v;
		tot[v] = l->k[v];
		cpop[v] = l->pop[v];
		order[v] = (uint32_t)v;
	}
	for (size_t v = nn; v > 1; v--) { /* Fisher-Yates, seeded */
		size_t j = (size_t)(cpts_basins__rand(w) % v);
		uint32_t t = order[v - 1];
		order[v - 1] = order[j];
		order[j] = t;
	}
	for (int pass = 0; pass < 64; pass++) {
		size_t moved = 0;
		for (size_t o = 0; o < nn; o++) {
			uint32_t v = order[o], c = comm[v], best = c;
			size_t n_t = 0;
			double best_gain, kv = l->k[v], tc = tot[c], pc = cpop[c];
			now++;
			if (seen[v] && changed[c] < seen[v]) {
				bool same = true;
				for (size_t e = l->cs[v]; same && e < l->cs[v + 1]; e++)
					same = changed[comm[l->ca[e]]] < seen[v];
				if (same)
					continue;
			}
			tot[c] -= kv;
			cpop[c] -= l->pop[v];
			for (size_t e = l->fs[v]; e < l->fs[v + 1]; e++) {
				uint32_t cu = comm[l->fa[e]];
				if (acc[cu] == 0)
					touched[n_t++] = cu;
				acc[cu] += l->fw[e];
			}
			best_gain = acc[c] - gamma * kv * tot[c] / two_m;
			for (size_t e = l->cs[v]; e < l->cs[v + 1]; e++) {
				uint32_t cc = comm[l->ca[e]];
				double gain;
				if (cc == c || (max_pop > 0 && cpop[cc] + l->pop[v] > max_pop))
					continue;
				gain = acc[cc] - gamma * kv * tot[cc] / two_m;
				if (gain > best_gain + 1e-12 * (fabs(best_gain) + 1) ||
				    (gain == best_gain && best != c && cc < best)) {
					best = cc;
					best_gain = gain;
				}
			}
			for (size_t t = 0; t < n_t; t++)
				acc[touched[t]] = 0;
			/* acc[c] may have been set without being in touched when 0-weighted */
			acc[c] = 0;
			if (best == c) {
				tot[c] = tc;
				cpop[c] = pc;
				seen[v] = now;
				continue;
			}
			comm[v] = best;
			tot[best] += kv;
			cpop[best] += l->pop[v];
			changed[c] = changed[best] = now;
			seen[v] = 0;
			for (size_t e = l->fs[v]; e < l->fs[v + 1]; e++)
				seen[l->fa[e]] = 0;
			for (size_t e = l->cs[v]; e < l->cs[v + 1]; e++)
				seen[l->ca[e]] = 0;
			moved++;
		}
		n_moves += moved;
		if (!moved)
			break;
	}
	free(order);
	free(tot);
	free(cpop);
	free(acc);
	free(touched);
	free(seen);
	free(changed);
	return n_moves;
}

/* Split groups into connected parts of the level's contiguity; returns the part count,
 * part[v] = part of node v. */
static size_t connected_parts(const level *l, const uint32_t *comm, uint32_t *part)
{
	size_t nn = l->nn, np = 0;
	uint32_t *stack = cpts_mallocarray(nn + 1, sizeof(uint32_t));

	for (size_t v = 0; v < nn; v++)
		part[v] = UINT32_MAX;
	for (size_t v = 0; v < nn; v++) {
		size_t top = 0;
		if (part[v] != UINT32_MAX)
			continue;
		part[v] = (uint32_t)np;
		stack[top++] = (uint32_t)v;
		while (top) {
			uint32_t u = stack[--top];
			for (size_t e = l->cs[u]; e < l->cs[u + 1]; e++) {
				uint32_t x = l->ca[e];
				if (part[x] == UINT32_MAX && comm[x] == comm[v]) {
					part[x] = (uint32_t)np;
					stack[top++] = x;
				}
			}
		}
		np++;
	}
	free(stack);
	return np;
}

/* Aggregate level l by part[] into next (np nodes); the weights inside a part are in
 * its strength only (no self loop). */
static void aggregate(const level *l, const uint32_t *part, size_t np, level *next)
{
	uint32_t *members = cpts_mallocarray(l->nn + 1, sizeof(uint32_t));
	size_t *mstart = cpts_calloc(np + 2, sizeof(size_t));
	uint32_t *fmark = cpts_calloc(np + 1, sizeof(uint32_t)); /* p + 1 once q is in row p */
	uint32_t *cmark = cpts_calloc(np + 1, sizeof(uint32_t));
	double *acc = cpts_calloc(np + 1, sizeof(double));
	uint32_t *touched = cpts_mallocarray(np + 1, sizeof(uint32_t));
	size_t capf = l->fs[l->nn] + 1, capc = l->cs[l->nn] + 1, nf = 0, nc = 0;

	memset(next, 0, sizeof(*next));
	next->nn = np;
	next->k = cpts_calloc(np + 1, sizeof(double));
	next->pop = cpts_calloc(np + 1, sizeof(double));
	next->fs = cpts_calloc(np + 1, sizeof(size_t));
	next->cs = cpts_calloc(np + 1, sizeof(size_t));
	next->fa = cpts_mallocarray(capf, sizeof(uint32_t));
	next->fw = cpts_mallocarray(capf, sizeof(double));
	next->ca = cpts_mallocarray(capc, sizeof(uint32_t));
	for (size_t v = 0; v < l->nn; v++)
		mstart[part[v] + 2]++;
	for (size_t p = 0; p < np; p++)
		mstart[p + 2] += mstart[p + 1];
	for (size_t v = 0; v < l->nn; v++)
		members[mstart[part[v] + 1]++] = (uint32_t)v;
	for (size_t p = 0; p < np; p++) {
		size_t n_t = 0;
		uint32_t tag = (uint32_t)p + 1;
		for (size_t k = mstart[p]; k < mstart[p + 1]; k++) {
			size_t v = members[k];
			next->k[p] += l->k[v];
			next->pop[p] += l->pop[v];
			for (size_t e = l->fs[v]; e < l->fs[v + 1]; e++) {
				uint32_t q = part[l->fa[e]];
				if (q == p)
					continue;
				if (fmark[q] != tag) {
					fmark[q] = tag;
					touched[n_t++] = q;
				}
				acc[q] += l->fw[e];
			}
			for (size_t e = l->cs[v]; e < l->cs[v + 1]; e++) {
				uint32_t q = part[l->ca[e]];
				if (q != p && cmark[q] != tag) {
					cmark[q] = tag;
					next->ca[nc++] = q;
				}
			}
		}
		for (size_t t = 0; t < n_t; t++) {
			next->fa[nf] = touched[t];
			next->fw[nf++] = acc[touched[t]];
			acc[touched[t]] = 0;
		}
		next->fs[p + 1] = nf;
		next->cs[p + 1] = nc;
	}
	next->fa = cpts_reallocarray(next->fa, nf + 1, sizeof(uint32_t));
	next->fw = cpts_reallocarray(next->fw, nf + 1, sizeof(double));
	free(members);
	free(mstart);
	free(fmark);
	free(cmark);
	free(acc);
	free(touched);
}

/*
 * Levels of the Louvain from cur (owned when own_cur) at resolution gamma, at most
 * max_levels of them; node_of (commune -> node of cur) is mapped to the nodes of the
 * last level. The last level is left in *last (owned by the caller when *own_last).
 */
static int run_levels(cpts_bwork *w, level cur, bool own_cur, long *node_of, double gamma,
		      double max_pop, double two_m, int max_levels, level *last, bool *own_last)
{
	size_t n = w->m->n;
	uint32_t *comm = NULL, *part = NULL;
	level nxt;
	int rc = CPTS_OK;

	for (int lv = 0; lv < max_levels; lv++) {
		size_t np, moves;
		comm = cpts_reallocarray(comm, cur.nn + 1, sizeof(uint32_t));
		part = cpts_reallocarray(part, cur.nn + 1, sizeof(uint32_t));
		moves = local_moving(w, &cur, comm, gamma, max_pop, two_m);
		np = connected_parts(&cur, comm, part);
		/* commune -> node of the next level */
		for (size_t i = 0; i < n; i++)
			if (node_of[i] >= 0)
				node_of[i] = (long)part[node_of[i]];
		if (!moves || np == cur.nn)
			break; /* every group a single node: node_of names the nodes of cur */
		aggregate(&cur, part, np, &nxt);
		if (own_cur)
			level_release(&cur);
		cur = nxt;
		own_cur = true;
		if ((rc = cpts_progress(w->ctx, 0.5, "modularity")) < 0)
			break;
	}
	*last = cur;
	*own_last = own_cur;
	free(comm);
	free(part);
	return rc;
}

/* node_of (nodes of a level of nn nodes) into labels allocated from w->n_lab. */
static void write_labels(cpts_bwork *w, const long *node_of, size_t nn)
{
	for (size_t i = 0; i < w->m->n; i++)
		if (node_of[i] >= 0)
			w->lab[i] = (long)w->n_lab + node_of[i];
	w->n_lab += nn + 1;
}

int cpts_basins__louvain(cpts_bwork *w, const bool *active, double gamma, double max_pop)
{
	size_t n = w->m->n;
	long *node_of = cpts_mallocarray(n + 1, sizeof(long));
	level cur, last;
	double two_m = 0;
	bool own_last = false;
	int rc;

	cpts_basins__need_sym(w);
	level0(w, &cur, active, node_of, &two_m);
	if (!(two_m > 0))
		two_m = 1; /* no flow: every gain is 0, groups only come from the floor step */
	rc = run_levels(w, cur, true, node_of, gamma, max_pop, two_m, 64, &last, &own_last);
	write_labels(w, node_of, last.nn);
	if (own_last)
		level_release(&last);
	free(node_of);
	return rc;
}

/** The first level of a Louvain, kept to run the next levels at several resolutions. */
struct cpts_louvain_base {
	level l1;        /* OWNED: the groups of level 0, aggregated */
	long *node_of;   /* OWNED, per commune: node of l1, -1 when inactive */
	double two_m;
	double max_pop;
};

int cpts_basins__louvain_base(cpts_bwork *w, const bool *active, double gamma, double max_pop,
			      cpts_louvain_base **out)
{
	size_t n = w->m->n;
	cpts_louvain_base *b = cpts_calloc(1, sizeof(*b));
	level cur;
	bool own = false;
	int rc;

	cpts_basins__need_sym(w);
	b->node_of = cpts_mallocarray(n + 1, sizeof(long));
	b->max_pop = max_pop;
	level0(w, &cur, active, b->node_of, &b->two_m);
	if (!(b->two_m > 0))
		b->two_m = 1;
	rc = run_levels(w, cur, true, b->node_of, gamma, max_pop, b->two_m, 1, &b->l1, &own);
	*out = b;
	CPTS_LOG(w->ctx, CPTS_LOG_DEBUG, "modularity: first level at resolution %g: %zu groups",
		 gamma, b->l1.nn);
	return rc;
}

size_t cpts_basins__louvain_base_size(const cpts_louvain_base *b)
{
	return b ? b->l1.nn : 0;
}

int cpts_basins__louvain_from(cpts_bwork *w, const cpts_louvain_base *b, double gamma,
			      size_t *groups)
{
	size_t n = w->m->n;
	long *node_of = cpts_mallocarray(n + 1, sizeof(long));
	level last;
	bool own_last = false;
	int rc;

	memcpy(node_of, b->node_of, n * sizeof(long));
	rc = run_levels(w, b->l1, false, node_of, gamma, b->max_pop, b->two_m, 63, &last,
			&own_last);
	write_labels(w, node_of, last.nn);
	if (groups)
		*groups = last.nn;
	if (own_last)
		level_release(&last);
	free(node_of);
	return rc;
}

void cpts_basins__louvain_base_free(cpts_louvain_base *b)
{
	if (!b)
		return;
	level_release(&b->l1);
	free(b->node_of);
	free(b);
}
