/*
 * rtree.h - a static packed R-tree over axis-aligned boxes (sort-tile-recursive), with
 * range and nearest-neighbour queries. Shared by the files of src/graph/ only.
 *
 * Why not GEOS's STRtree: it wants one GEOS rectangle per item and per query, and
 * allocating 130,000 of them for the free segments of France cost more than the
 * searches themselves (issue 8). Items here are plain indices into the caller's box
 * array, the tree is four flat arrays, and a query allocates nothing but the nearest
 * search's heap.
 */
#ifndef CPTS_GRAPH_RTREE_H
#define CPTS_GRAPH_RTREE_H

#include <stddef.h>
#include <stdint.h>

#define CPTS_RTREE_NONE UINT32_MAX

/** Nodes of every level, leaves first; node k's box is box[4k .. 4k+3]. */
typedef struct cpts_rtree {
	size_t n;            /* items */
	int n_levels;        /* 0 when empty */
	size_t *lstart;      /* OWNED, n_levels + 1: first node of each level */
	double *box;         /* OWNED, 4 per node: x0, y0, x1, y1 */
	uint32_t *item;      /* OWNED, per leaf (in tree order): the caller's item id */
} cpts_rtree;

/** Build over n boxes (4 doubles each: x0, y0, x1, y1; BORROWED, copied). Item ids
 * are the indices 0..n-1. Deterministic: ties in the sorts go to the lower id. */
void cpts_graph__rtree_build(cpts_rtree *t, size_t n, const double *boxes);
void cpts_graph__rtree_release(cpts_rtree *t);

/** Call fn(item, ud) for every item whose box intersects q (x0, y0, x1, y1). */
void cpts_graph__rtree_query(const cpts_rtree *t, const double q[4], void (*fn)(uint32_t, void *),
		      void *ud);

/**
 * The item nearest to a query box q by the exact distance dist(item, ud) (INFINITY:
 * not a candidate), the distance between boxes serving as the lower bound, so dist must
 * never be below the distance between q and the item's box. Only items at a distance
 * of at most bound count (INFINITY: all; a smaller bound, such as the best distance of
 * earlier searches, prunes the walk). Ties go to the lower item id. Returns
 * CPTS_RTREE_NONE when no item is a candidate; *d_out is its distance (else INFINITY).
 */
uint32_t cpts_graph__rtree_nearest(const cpts_rtree *t, const double q[4], double bound,
			    double (*dist)(uint32_t, void *), void *ud, double *d_out);

#endif
