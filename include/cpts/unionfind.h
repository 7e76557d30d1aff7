/*
 * cpts/unionfind.h - disjoint sets over the integers 0..n-1 (union-find), the one
 * implementation shared by the contiguity graph (components of communes, bridges
 * included: src/graph/contiguity_bridge.c) and the disclosure linear programs
 * (components of unknown cells: src/lp/lp.c).
 *
 * The sets live in a caller's array parent[n] (OWNED by the caller). find uses path
 * halving; union makes the smaller root the root of the merged set, so that the root
 * of every set is its smallest element whatever the order of the unions: labels are
 * deterministic, and i is a root exactly when cpts_uf_find(parent, i) == i.
 */
#ifndef CPTS_UNIONFIND_H
#define CPTS_UNIONFIND_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Make every element of parent[0..n) a set of its own. */
void cpts_uf_init(size_t *parent, size_t n);
/** The root (smallest element) of the set of x; shortens the path it walks. */
size_t cpts_uf_find(size_t *parent, size_t x);
/** Merge the sets of x and y; true when they were two sets. */
bool cpts_uf_union(size_t *parent, size_t x, size_t y);

#ifdef __cplusplus
}
#endif
#endif
