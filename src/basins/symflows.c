/*
 * symflows.c - the symmetrised flows A = F + F^T between communes that modularity,
 * Leiden, the floor and ceiling steps and the optimiser read, built once per run on
 * demand (cpts_basins__need_sym).
 *
 * Why a file of its own: constraints.c calls the constrained Louvain of modularity.c
 * and both need these flows; kept in either file, the two would import each other.
 */
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

void cpts_basins__symflows(cpts_symflows *out, const cpts_flows *f)
{
	size_t n = f->n, nnz = f->start[n], *fill;

	memset(out, 0, sizeof(*out));
	out->start = cpts_calloc(n + 1, sizeof(size_t));
	out->adj = cpts_mallocarray(2 * nnz + 1, sizeof(uint32_t));
	out->w = cpts_mallocarray(2 * nnz + 1, sizeof(double));
	out->k = cpts_calloc(n + 1, sizeof(double));
	for (size_t i = 0; i < n; i++)
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
			out->start[i + 1]++;
			out->start[f->col[e] + 1]++;
		}
	for (size_t i = 0; i < n; i++)
		out->start[i + 1] += out->start[i];
	fill = cpts_mallocarray(n + 1, sizeof(size_t));
	memcpy(fill, out->start, (n + 1) * sizeof(size_t));
	/* a self loop i->i appears twice in row i: weight 2 F_ii, as in A = F + F^T */
	for (size_t i = 0; i < n; i++)
		for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
			size_t j = f->col[e];
			out->adj[fill[i]] = (uint32_t)j;
			out->w[fill[i]++] = f->vol[e];
			out->adj[fill[j]] = (uint32_t)i;
			out->w[fill[j]++] = f->vol[e];
		}
	free(fill);
	for (size_t i = 0; i < n; i++)
		for (size_t e = out->start[i]; e < out->start[i + 1]; e++) {
			out->k[i] += out->w[e];
			out->two_m += out->w[e];
		}
}

void cpts_basins__need_sym(cpts_bwork *w)
{
	if (!w->sym.start)
		cpts_basins__symflows(&w->sym, w->f);
}

void cpts_basins__symflows_release(cpts_symflows *s)
{
	free(s->start);
	free(s->adj);
	free(s->w);
	free(s->k);
	memset(s, 0, sizeof(*s));
}
