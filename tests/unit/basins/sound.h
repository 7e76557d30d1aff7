/*
 * sound.h - the structural check of a basin partition shared by the basins tests:
 * every commune in exactly one territory, every territory connected in the stored
 * contiguity graph (bridges included).
 */
#ifndef CPTS_TEST_SOUND_H
#define CPTS_TEST_SOUND_H

#include <stdbool.h>
#include <stdlib.h>

#include "cpts/graph.h"
#include "cpts/model.h"

/*
 * Every commune in exactly one territory, every territory connected in the stored
 * graph (bridges included). Returns true when both hold.
 */
static inline bool partition_sound(cpts_ctx *ctx, cpts_store *s, const char *name)
{
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	cpts_partition *p = NULL;
	bool good = true;
	size_t *stack = NULL;
	bool *seen = NULL;

	if (cpts_model_load(ctx, &m, s) < 0 || cpts_graph_load(ctx, &g, m, s) < 0 ||
	    cpts_partition_load(ctx, &p, s, m, name) < 0) {
		good = false;
		goto out;
	}
	stack = cpts_mallocarray(m->n + 1, sizeof(size_t));
	seen = cpts_calloc(m->n + 1, sizeof(bool));
	for (size_t i = 0; i < m->n; i++)
		good &= p->commune_terr[i] >= 0;
	for (size_t t = 0; good && t < p->n_terr; t++) {
		size_t top = 0, reached = 0, first = p->members[p->terr_start[t]].commune;
		seen[first] = true;
		stack[top++] = first;
		while (top) {
			size_t u = stack[--top];
			reached++;
			for (size_t e = g->start[u]; e < g->start[u + 1]; e++) {
				size_t v = g->adj[e];
				if (!seen[v] && p->commune_terr[v] == (long)t) {
					seen[v] = true;
					stack[top++] = v;
				}
			}
		}
		if (reached != p->terr_start[t + 1] - p->terr_start[t])
			good = false;
	}
out:
	free(stack);
	free(seen);
	cpts_partition_free(p);
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	return good;
}

#endif
