/*
 * measures.c - the basin measures of any weighted set of communes (cpts/measures.h):
 * flow sums for LI and MSI, compactness PAC, contiguous pieces. Pure functions on the
 * model, the contiguity graph and the flow matrix: no workspace, no allocation (the
 * caller gives the scratch), so that `cpts check`, `move`, `suggest` and the basins
 * share one definition of each measure.
 *
 * Why sums over members rather than a dissolve: PAC's perimeter of the union is the
 * members' perimeters minus the borders shared inside (stored on the graph's edges,
 * each seen from both ends); metrics.c computes the measures of whole partitions
 * through these functions, one territory at a time.
 *
 * A commune split between territories counts in each as a piece weighted by its
 * population share: its flows, its area, its perimeter and the borders it shares
 * inside the territory all scaled by its weight (for whole communes, weight 1, the
 * plain sums). Flows are summed per member first and then weighted, in member order,
 * so that a partition's measures do not depend on how the members were gathered.
 */
#include <math.h>
#include <string.h>

#include "cpts/domain.h"
#include "cpts/measures.h"

void cpts_measure_flows(const cpts_flows *f, const cpts_member *mb, size_t n_mb,
			const double *w, cpts_flowsum *out)
{
	memset(out, 0, sizeof(*out));
	if (!f || f->start[f->n] == 0)
		return;
	for (size_t k = 0; k < n_mb; k++) {
		size_t i = mb[k].commune;
		double wi = mb[k].weight;
		double in = 0;
		out->res += wi * f->row_total[i];
		out->into += wi * f->col_total[i];
		for (size_t p = f->start[i]; p < f->start[i + 1]; p++)
			in += f->vol[p] * w[f->col[p]];
		out->in += wi * in;
	}
}

/* PAC = perimeter / (CPTS_DOMAIN_PAC_K * sqrt(area)) (DOMAIN.md 5); perimeter of the
 * union = sum of perimeters - 2 * borders shared inside (each inner edge is seen from
 * both ends, so the per-entry sum below counts it twice already); a piece of a split
 * commune brings its weight times its area, perimeter and inner borders. */
double cpts_measure_pac(const cpts_model *m, const cpts_graph *g, const cpts_member *mb,
			size_t n_mb, const double *w)
{
	double perim = 0, area = 0;

	if (!g) /* a graph without edges is fine: no member shares a border */
		return NAN;
	for (size_t k = 0; k < n_mb; k++) {
		size_t i = mb[k].commune;
		double wi = mb[k].weight;
		perim += wi * m->c[i].perimeter_km;
		area += wi * m->c[i].area_km2;
		for (size_t p = g->start[i]; p < g->start[i + 1]; p++)
			if (w[g->adj[p]] > 0)
				perim -= wi * g->shared_km[p];
	}
	if (!(area > 0) || !(perim > 0))
		return NAN;
	return perim / (CPTS_DOMAIN_PAC_K * sqrt(area));
}

size_t cpts_measure_pieces(const cpts_model *m, const cpts_graph *g, const cpts_member *mb,
			   size_t n_mb, const double *w, long *piece, size_t *queue,
			   long *main_out)
{
	size_t n_pieces = 0;
	double best_pop = -1;
	size_t best_n = 0;

	*main_out = -1;
	if (!g || g->n_edges == 0)
		return 0;
	for (size_t k = 0; k < n_mb; k++) {
		size_t seed = mb[k].commune, head = 0, tail = 0, count = 0;
		double pop = 0;
		if (piece[seed] >= 0)
			continue;
		piece[seed] = (long)n_pieces;
		queue[tail++] = seed;
		while (head < tail) {
			size_t i = queue[head++];
			count++;
			pop += m->c[i].pop;
			for (size_t p = g->start[i]; p < g->start[i + 1]; p++) {
				size_t j = g->adj[p];
				if (w[j] > 0 && piece[j] < 0) {
					piece[j] = (long)n_pieces;
					queue[tail++] = j;
				}
			}
		}
		if (pop > best_pop || (pop == best_pop && count > best_n)) {
			best_pop = pop;
			best_n = count;
			*main_out = (long)n_pieces;
		}
		n_pieces++;
	}
	return n_pieces;
}
