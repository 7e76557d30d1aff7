/*
 * plurality.c - refined Dartmouth plurality basins (DOMAIN.md 5.1).
 *
 * Each unlocked commune points at the unlocked commune that receives the plurality
 * of its residents' flows (itself included). Following the pointers ends at a pole (a
 * commune whose plurality stays home) or in a cycle (whose member with the largest
 * inflow becomes the pole). A basin is the connected part, around its pole, of the
 * communes that lead to it; the other communes (no flow, or cut off from their pole)
 * join the adjacent basin they send most flows to, or the smallest adjacent basin when
 * they send none. Computed once from the CSR flow matrix: linear in flows + edges.
 */
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

/* Plurality destination of commune i among unlocked communes, or -1. Ties: itself,
 * then the largest inflow, then the lowest index. */
static long plurality_target(const cpts_bwork *w, size_t i)
{
	const cpts_flows *f = w->f;
	long best = -1;
	double bv = 0;

	for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
		size_t j = f->col[e];
		double v = f->vol[e];
		if (w->locked[j] || !(v > 0))
			continue;
		if (best < 0 || v > bv ||
		    (v == bv && (j == i || ((size_t)best != i &&
					    f->col_total[j] > f->col_total[best])))) {
			best = (long)j;
			bv = v;
		}
	}
	return best;
}

/* Resolve pointer chains to poles; pole[i] = -1 for communes without a target. */
static void resolve_poles(const cpts_bwork *w, const long *target, long *pole)
{
	size_t n = w->m->n;
	unsigned char *state = cpts_calloc(n + 1, 1); /* 0 new, 1 on path, 2 done */
	size_t *path = cpts_mallocarray(n + 1, sizeof(size_t));

	for (size_t s = 0; s < n; s++) {
		size_t len = 0, u = s;
		long p;
		if (state[s])
			continue;
		while (target[u] >= 0 && state[u] == 0) {
			state[u] = 1;
			path[len++] = u;
			if ((size_t)target[u] == u)
				break;
			u = (size_t)target[u];
		}
		if (target[u] < 0 && state[u] == 0) {
			/* u sends nothing but receives from the path: it is a pole */
			p = len ? (long)u : -1;
			state[u] = 2;
			pole[u] = p;
		} else if (state[u] == 2) {
			p = pole[u];
		} else if ((size_t)target[u] == u && path[len - 1] == u) {
			p = (long)u; /* a self pole */
		} else {
			/* u is on the current path: a cycle from u; its largest inflow is the pole */
			size_t k = len;
			while (k > 0 && path[k - 1] != u)
				k--;
			p = (long)u;
			for (size_t q = k - 1; q < len; q++)
				if (w->f->col_total[path[q]] > w->f->col_total[p])
					p = (long)path[q];
		}
		for (size_t q = 0; q < len; q++) {
			pole[path[q]] = p;
			state[path[q]] = 2;
		}
	}
	free(state);
	free(path);
}

/* Keep, for each pole, the connected part around it; others become -1. */
static void keep_pole_parts(cpts_bwork *w, const long *pole)
{
	const cpts_graph *g = w->g;
	size_t n = w->m->n, *stack = cpts_mallocarray(n + 1, sizeof(size_t));
	bool *seen = cpts_calloc(n + 1, sizeof(bool));

	for (size_t p = 0; p < n; p++) {
		size_t top = 0;
		if (w->locked[p] || pole[p] != (long)p)
			continue;
		seen[p] = true;
		stack[top++] = p;
		while (top) {
			size_t u = stack[--top];
			w->lab[u] = (long)p;
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
				size_t v = g->adj[e];
				if (!seen[v] && !w->locked[v] && pole[v] == (long)p) {
					seen[v] = true;
					stack[top++] = v;
				}
			}
		}
	}
	free(stack);
	free(seen);
}

size_t cpts_basins__attach_rest(cpts_bwork *w)
{
	const cpts_graph *g = w->g;
	const cpts_flows *f = w->f;
	size_t n = w->m->n, left = 0, nb = (w->n_lab > n ? w->n_lab : n) + 1;
	double *pop = cpts_calloc(nb, sizeof(double)), *acc = cpts_calloc(nb, sizeof(double));

	for (size_t i = 0; i < n; i++)
		if (w->lab[i] >= 0 && !w->locked[i])
			pop[w->lab[i]] += w->m->c[i].pop;
	for (;;) {
		size_t changed = 0;
		left = 0;
		for (size_t i = 0; i < n; i++) {
			long best = -1;
			if (w->locked[i] || w->lab[i] >= 0)
				continue;
			for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
				long b = w->lab[f->col[e]];
				if (b >= 0 && !w->locked[f->col[e]])
					acc[b] += f->vol[e];
			}
			for (size_t e = g->start[i]; e < g->start[i + 1]; e++) {
				size_t j = g->adj[e];
				long b = w->lab[j];
				if (b < 0 || w->locked[j])
					continue;
				if (best < 0 || acc[b] > acc[best] ||
				    (acc[b] == acc[best] && (pop[b] < pop[best] ||
							     (pop[b] == pop[best] && b < best))))
					best = b;
			}
			for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
				long b = w->lab[f->col[e]];
				if (b >= 0)
					acc[b] = 0;
			}
			if (best < 0) {
				left++;
				continue;
			}
			w->lab[i] = best;
			pop[best] += w->m->c[i].pop;
			changed++;
		}
		if (!changed || !left)
			break;
	}
	free(pop);
	free(acc);
	return left;
}

int cpts_basins__plurality(cpts_bwork *w)
{
	size_t n = w->m->n;
	long *target = cpts_mallocarray(n + 1, sizeof(long));
	long *pole = cpts_mallocarray(n + 1, sizeof(long));

	for (size_t i = 0; i < n; i++) {
		target[i] = w->locked[i] ? -1 : plurality_target(w, i);
		pole[i] = -1;
		if (!w->locked[i])
			w->lab[i] = -1;
	}
	resolve_poles(w, target, pole);
	keep_pole_parts(w, pole);
	if (cpts_basins__attach_rest(w)) {
		/* groups that touch no basin (no flows, surrounded by locked territory or
		 * alone in their graph component): each connected group is a basin */
		for (size_t i = 0; i < n; i++)
			if (!w->locked[i] && w->lab[i] < 0)
				w->lab[i] = (long)(n + i);
		w->n_lab = w->n_lab > 2 * n + 1 ? w->n_lab : 2 * n + 1;
		cpts_basins__split_disconnected(w);
	}
	w->n_lab = w->n_lab > n ? w->n_lab : n;
	free(target);
	free(pole);
	cpts_basins__compact(w);
	return CPTS_OK;
}
