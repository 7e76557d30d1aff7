/*
 * leiden.c - the flow-based seeding method 'leiden': igraph's Leiden algorithm
 * (Traag, Waltman and van Eck 2019) on the symmetrised flows between unlocked
 * communes, with the modularity quality (node weights = strengths, resolution
 * gamma / 2m), then the same contiguity, floor, ceiling and count steps as the others.
 *
 * Why Leiden and not our Louvain: Leiden's refinement phase guarantees connected
 * communities in the flow graph and reaches better modularity optima; it knows
 * nothing of contiguity, so its groups are split into contiguous parts afterwards.
 * igraph's generator is seeded with --seed, so a seed gives the same basins.
 *
 * igraph's default error handler aborts: it is replaced for the call by one that
 * only returns the error code, which we translate into CPTS_EDEP.
 */
#include <igraph/igraph.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"

int cpts_basins__leiden(cpts_bwork *w)
{
	size_t n = w->m->n, nn = 0, ne = 0;
	const cpts_symflows *sy;
	long *node_of = cpts_mallocarray(n + 1, sizeof(long));
	size_t *comm_of = cpts_mallocarray(n + 1, sizeof(size_t));
	igraph_error_handler_t *prev = igraph_set_error_handler(igraph_error_handler_ignore);
	igraph_vector_int_t edges, memb;
	igraph_vector_t ew, nw;
	igraph_t gr;
	igraph_integer_t n_clusters = 0;
	igraph_real_t quality = 0;
	bool has_graph = false;
	int rc = CPTS_OK;

	cpts_basins__need_sym(w);
	sy = &w->sym;
	for (size_t i = 0; i < n; i++) {
		node_of[i] = w->locked[i] ? -1 : (long)nn;
		if (!w->locked[i])
			comm_of[nn++] = i;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t e = sy->start[i]; node_of[i] >= 0 && e < sy->start[i + 1]; e++)
			ne += sy->adj[e] > i && node_of[sy->adj[e]] >= 0;
	igraph_vector_int_init(&edges, (igraph_integer_t)(2 * ne));
	igraph_vector_init(&ew, (igraph_integer_t)ne);
	igraph_vector_init(&nw, (igraph_integer_t)nn);
	igraph_vector_int_init(&memb, (igraph_integer_t)nn);
	ne = 0;
	for (size_t i = 0; i < n; i++) {
		if (node_of[i] < 0)
			continue;
		VECTOR(nw)[node_of[i]] = sy->k[i];
		for (size_t e = sy->start[i]; e < sy->start[i + 1]; e++) {
			size_t j = sy->adj[e];
			if (j <= i || node_of[j] < 0)
				continue;
			VECTOR(edges)[2 * ne] = node_of[i];
			VECTOR(edges)[2 * ne + 1] = node_of[j];
			VECTOR(ew)[ne++] = sy->w[e];
		}
	}
	if (igraph_create(&gr, &edges, (igraph_integer_t)nn, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS) {
		rc = cpts_fail(w->ctx, CPTS_EDEP, "igraph: cannot build the flow graph");
		goto out;
	}
	has_graph = true;
	igraph_rng_seed(igraph_rng_default(), (igraph_uint_t)w->opts->seed);
	/* n_iterations < 0: iterate until the partition is stable */
	if (nn && igraph_community_leiden(&gr, &ew, &nw, w->opts->resolution /
					  (sy->two_m > 0 ? sy->two_m : 1), 0.01, false, -1,
					  &memb, &n_clusters, &quality) != IGRAPH_SUCCESS) {
		rc = cpts_fail(w->ctx, CPTS_EDEP, "igraph: Leiden community detection failed");
		goto out;
	}
	CPTS_LOG(w->ctx, CPTS_LOG_NOTE, "leiden: %ld groups, quality %.4f", (long)n_clusters,
		 (double)quality);
	for (size_t v = 0; v < nn; v++)
		w->lab[comm_of[v]] = (long)w->n_lab + (long)VECTOR(memb)[v];
	w->n_lab += (size_t)n_clusters + 1;
	/* communes without any flow carry nothing: like plurality, they join a neighbour */
	for (size_t i = 0; i < n; i++)
		if (!w->locked[i] && !(sy->k[i] > 0))
			w->lab[i] = -1;
	if (cpts_basins__attach_rest(w))
		for (size_t i = 0; i < n; i++)
			if (!w->locked[i] && w->lab[i] < 0)
				w->lab[i] = (long)w->n_lab++;
	cpts_basins__split_disconnected(w);
out:
	if (has_graph)
		igraph_destroy(&gr);
	igraph_vector_int_destroy(&edges);
	igraph_vector_int_destroy(&memb);
	igraph_vector_destroy(&ew);
	igraph_vector_destroy(&nw);
	igraph_set_error_handler(prev);
	free(node_of);
	free(comm_of);
	return rc;
}
