/*
 * cpts/measures.h - the basin measures of a set of communes (src/basins/measures.c):
 * flow sums (for LI and MSI), compactness PAC and contiguous pieces, on plain structs
 * (model, graph, flow matrix), for any weighted set of communes: a territory of a
 * partition, or the what-if sets of `cpts check`, `move` and `suggest`.
 */
#ifndef CPTS_MEASURES_H
#define CPTS_MEASURES_H

#include <stddef.h>

#include "cpts/graph.h"
#include "cpts/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Flow measures of a set of communes: LI = in / res, MSI = in / into. */
typedef struct cpts_flowsum {
	double in;   /* residents' flows staying inside */
	double res;  /* all residents' flows (outside the workspace included) */
	double into; /* all inflows */
} cpts_flowsum;

/**
 * The flow sums of the members mb (n_mb, with their weights) of a set whose communes
 * are flagged by w (w[i] > 0 for members, 0 for others; n entries). All zero without
 * flows (f NULL or without a volume between communes).
 */
void cpts_measure_flows(const cpts_flows *f, const cpts_member *mb, size_t n_mb,
			const double *w, cpts_flowsum *out);

/**
 * PAC = perimeter / (CPTS_DOMAIN_PAC_K sqrt(area)) (DOMAIN.md 5), the perimeter of the
 * union being the sum of the members' perimeters minus the borders they share (graph
 * g); a member's area, perimeter and shared borders count with its weight (a piece of
 * a split commune, by population share). NAN without a graph or without area.
 */
double cpts_measure_pac(const cpts_model *m, const cpts_graph *g, const cpts_member *mb,
			size_t n_mb, const double *w);

/**
 * Pieces of the set on the graph (bridges allowed). piece[i] receives the piece number
 * of each member (scratch, n entries, all -1 on entry and left -1 on return except for
 * members); queue is scratch of n entries. Returns the number of pieces (0 without a
 * graph with edges) and the main piece (most population, then most communes, then
 * first found) in *main_out (-1 when none).
 */
size_t cpts_measure_pieces(const cpts_model *m, const cpts_graph *g, const cpts_member *mb,
			   size_t n_mb, const double *w, long *piece, size_t *queue,
			   long *main_out);

#ifdef __cplusplus
}
#endif
#endif
