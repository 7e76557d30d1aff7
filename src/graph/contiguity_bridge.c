/*
 * contiguity_bridge.c - connected components of the adjacency pairs, and the bridges
 * that join them: each component other than the largest of its territory group
 * (metropolitan France, or one overseas departement) is linked to the nearest commune
 * outside it, found with the R-tree nearest-neighbour search on free segments (the
 * nearest points of two disjoint unions of polygons lie on their outer boundaries,
 * which are made of free segments), until each group is connected. Communes of
 * different groups are never bridged.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/unionfind.h"
#include "dep/dep.h"
#include "graph/contiguity_int.h"

/* Exact distance from the queried segment to free segment item of ft (INFINITY for
 * segments of the excluded component or of another group). */
static double nearest_dist(uint32_t item, void *ud)
{
	freetree *ft = ud;
	build *b = ft->b;
	const seg *t = &b->segs[ft->ids[item]];

	if (b->comp[t->c] == ft->exclude_comp || b->group[t->c] != ft->exclude_group)
		return INFINITY;
	return cpts_graph__seg_dist(b, ft->query, t);
}

typedef struct cand {
	const freetree *ft;
	uint32_t k;       /* component to skip */
	int grp;          /* group to keep */
	uint32_t *ids;    /* OWNED candidate segment ids */
	size_t n, cap;
} cand;

static void cand_cb(uint32_t item, void *ud)
{
	cand *c = ud;
	const build *b = c->ft->b;
	uint32_t id = c->ft->ids[item];
	const seg *t = &b->segs[id];

	if (b->comp[t->c] == c->k || b->group[t->c] != c->grp)
		return;
	c->ids = grow(c->ids, &c->cap, c->n + 1, sizeof(uint32_t));
	c->ids[c->n++] = id;
}

/* Keep (d, from, to) when nearer than the best so far; ties go to the lowest commune
 * reached, then the lowest commune it is reached from (model order = code order). */
static void take_nearer(double d, uint32_t from, uint32_t to, double *best,
			uint32_t *best_from, uint32_t *best_to)
{
	if (d < *best || (d == *best && isfinite(d) &&
			  (to < *best_to || (to == *best_to && from < *best_from)))) {
		*best = d;
		*best_from = from;
		*best_to = to;
	}
}

/*
 * Nearest commune outside component k (same group), from k's free segments: the
 * R-tree nearest-neighbour search in the main tree (which holds none of k's segments,
 * so the search stays short), then the few segments of other small components that
 * lie within that distance of k's bounding box, checked one by one.
 */
static void nearest_outside(build *b, freetree *fa, freetree *fb, uint32_t k, int grp,
			    uint32_t *from, uint32_t *to, double *best)
{
	double bb[4] = { INFINITY, INFINITY, -INFINITY, -INFINITY }, pad;
	cand c = { fb, k, grp, NULL, 0, 0 };

	*best = INFINITY;
	*from = *to = NONE;
	fa->exclude_comp = k;
	fa->exclude_group = grp;
	for (size_t i = 0; i < fb->n; i++) {
		const seg *s = &b->segs[fb->ids[i]];
		double q[4], d;
		uint32_t hit;
		if (b->comp[s->c] != k)
			continue;
		cpts_graph__seg_box(b, s, 0, q);
		bb[0] = fmin(bb[0], q[0]);
		bb[1] = fmin(bb[1], q[1]);
		bb[2] = fmax(bb[2], q[2]);
		bb[3] = fmax(bb[3], q[3]);
		fa->query = s;
		/* nothing farther than the best so far can win (equal can, by the ties) */
		hit = cpts_graph__rtree_nearest(&fa->tree, q, *best, nearest_dist, fa, &d);
		if (hit != CPTS_RTREE_NONE)
			take_nearer(d, s->c, b->segs[fa->ids[hit]].c, best, from, to);
	}
	if (!(bb[0] <= bb[2]))
		return;
	pad = isfinite(*best) ? *best : 1e8;
	bb[0] -= pad;
	bb[1] -= pad;
	bb[2] += pad;
	bb[3] += pad;
	cpts_graph__rtree_query(&fb->tree, bb, cand_cb, &c);
	for (size_t i = 0; i < fb->n && c.n; i++) {
		const seg *s = &b->segs[fb->ids[i]];
		if (b->comp[s->c] != k)
			continue;
		for (size_t j = 0; j < c.n; j++) {
			const seg *t = &b->segs[c.ids[j]];
			take_nearer(cpts_graph__seg_dist(b, s, t), s->c, t->c, best, from, to);
		}
	}
	free(c.ids);
}

/* Label components from the adjacency pairs (plus bridges); returns their number. */
size_t cpts_graph__label_components(build *b, const bool *keep, const cpts_graph_edge *br,
			       size_t n_br)
{
	size_t *parent = cpts_mallocarray(b->n + 1, sizeof(size_t));
	size_t nc = 0;

	cpts_uf_init(parent, b->n);
	for (size_t i = 0; i < b->n_pair; i++)
		if (keep[i])
			cpts_uf_union(parent, b->pairs[i].a, b->pairs[i].b);
	for (size_t i = 0; i < n_br; i++)
		cpts_uf_union(parent, br[i].a, br[i].b);
	for (size_t i = 0; i < b->n; i++) {
		b->comp[i] = (uint32_t)cpts_uf_find(parent, i);
		nc += b->comp[i] == i;
	}
	free(parent);
	return nc;
}

/* The largest component of each group (labels in b->comp); OWNED array by group. */
uint32_t *cpts_graph__group_mains(build *b, int n_groups)
{
	uint32_t *size = cpts_calloc(b->n + 1, sizeof(uint32_t));
	uint32_t *main_of = cpts_mallocarray((size_t)n_groups + 1, sizeof(uint32_t));

	for (size_t i = 0; i < b->n; i++)
		size[b->comp[i]]++;
	for (int g = 0; g <= n_groups; g++)
		main_of[g] = NONE;
	for (size_t i = 0; i < b->n; i++) {
		uint32_t k = b->comp[i], *mg = &main_of[b->group[i]];
		if (k == i && (*mg == NONE || size[k] > size[*mg]))
			*mg = k;
	}
	free(size);
	return main_of;
}

/*
 * Borůvka-style bridging: every component but the largest of its group is linked to
 * its nearest outside commune, until each group is one component.
 */
int cpts_graph__bridge_components(build *b, freetree *fa, freetree *fb, const bool *keep,
			     cpts_graph_edge **br, size_t *n_br)
{
	size_t cap = 0;
	uint32_t *main_of = NULL;
	int n_groups = 0, rc = CPTS_OK;

	for (size_t i = 0; i < b->n; i++)
		n_groups = b->group[i] + 1 > n_groups ? b->group[i] + 1 : n_groups;
	for (int round = 0; round < 64 && rc == CPTS_OK; round++) {
		bool any = false;
		cpts_graph__label_components(b, keep, *br, *n_br);
		free(main_of);
		main_of = cpts_graph__group_mains(b, n_groups);
		for (size_t i = 0; i < b->n; i++) {
			uint32_t from, to;
			double d;
			if (b->comp[i] != i || main_of[b->group[i]] == i)
				continue;
			bool dup = false;
			nearest_outside(b, fa, fb, (uint32_t)i, b->group[i], &from, &to, &d);
			if (from == NONE)
				continue; /* nothing else in this group */
			for (size_t e = 0; e < *n_br && !dup; e++)
				dup = ((*br)[e].a == from && (*br)[e].b == to) ||
				      ((*br)[e].a == to && (*br)[e].b == from);
			if (dup)
				continue; /* two components that are each other's nearest */
			*br = grow(*br, &cap, *n_br + 1, sizeof(cpts_graph_edge));
			(*br)[(*n_br)++] = (cpts_graph_edge){ from < to ? from : to,
							      from < to ? to : from,
							      CPTS_EDGE_BRIDGE, 0.0 };
			any = true;
		}
		if (!any || rc < 0)
			break;
		rc = cpts_progress(b->ctx, 0.95, "contiguity");
	}
	free(main_of);
	return rc;
}

