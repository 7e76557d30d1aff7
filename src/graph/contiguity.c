/*
 * contiguity.c - queen / rook contiguity of the communes, with snapping and bridges:
 * the method, and the assembly of its stages (cpts_graph__contiguity).
 *
 * Why this shape: real commune layers share their borders vertex for vertex, so the
 * fast path matches vertices (quantised to 1 mm, so that the same coordinate
 * reprojected twice still matches) across communes: two communes sharing a vertex are
 * queen neighbours, two sharing a segment (a pair of consecutive matched vertices) are
 * rook neighbours, and the summed length of their shared segments is the length of
 * their common border (used by the compactness of dissolved basins). Pairwise GEOS
 * predicates on an STRtree are an order of magnitude slower on all of France.
 *
 * The matching is cache-conscious (issue 8: one big hash table probed once per point of
 * France costs a cache miss per probe, most of the command's time): every ring point is
 * copied into flat arrays in reading order; points are scattered into about a thousand
 * buckets by a hash of their quantised coordinates, and each bucket, small enough for
 * the cache, is grouped by exact coordinates: one group is one vertex, identified by
 * the index of its first point (whose coordinates are the vertex's). Segment
 * occurrences (pairs of vertex ids) and then the per-pair contributions are grouped
 * the same way; a segment is owned by the commune that drew it first, and shared
 * lengths are summed in reading order, so the results are those of a single pass in
 * reading order, independent of the bucketing. This is linear in the number of points;
 * each pass runs on two threads with disjoint outputs joined in order (deterministic).
 *
 * Segments that no other commune shares ("free" segments: coasts, national borders,
 * and borders that are not vertex-identical) go into two static R-trees (rtree.h). Two
 * passes use them:
 *  - the snapping fallback: two communes whose free segments run within the tolerance
 *    of each other, near-collinear, over more than the tolerance's length, share a
 *    border that is not vertex-identical: they are rook (and so queen) neighbours.
 *    Free segments that merely cross or come close at an angle do not count: in
 *    simplified layers those are overlap artefacts (Pays de la Loire has six pairs of
 *    communes whose polygons overlap by up to 3 ha without sharing a vertex or a
 *    border; vertex-based queen weights such as libpysal's do not link them either).
 *    A corner contact that is not vertex-identical is therefore not detected;
 *  - bridges: each connected component other than the largest of its territory group
 *    (metropolitan France, or one overseas département) is linked to the nearest commune
 *    outside it, found with the R-tree nearest-neighbour search on free segments (the
 *    nearest points of two disjoint unions of polygons lie on their outer boundaries,
 *    which are made of free segments). Repeated until each group is connected.
 *
 * Communes of different groups (different CRS, or two overseas départements) are never
 * adjacent and never bridged.
 *
 * Geometries are read straight from the workspace's SpatiaLite blobs (whose polygon
 * body is laid out as in WKB; anything else goes through AsBinary): building 35,000
 * GEOS polygons, or converting each blob to WKB, only to walk their coordinates would
 * cost more than the whole matching.
 *
 * This file assembles the stages (territory groups, the neighbour rule, the edge list);
 * each stage lives in its own file, listed in contiguity_int.h: contiguity_read.c
 * (blob parser), contiguity_pass.c (two-thread pass runner), contiguity_match.c
 * (vertices, segments, pairs), contiguity_snap.c (free segments, snapping) and
 * contiguity_bridge.c (components, bridges).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/contiguity_int.h"

static int assign_groups(build *b, const cpts_model *m)
{
	cpts_strmap *gm = cpts_strmap_new(16);
	int n_groups = 0;

	for (size_t i = 0; i < m->n; i++) {
		const char *key = m->c[i].srid == 2154 ? "metro" : m->c[i].dep;
		int64_t g;
		if (!cpts_strmap_get(gm, key, &g)) {
			g = n_groups++;
			cpts_strmap_put(gm, key, g);
		}
		b->group[i] = (int)g;
	}
	cpts_strmap_free(gm);
	return n_groups;
}

/* Sort edges by (a, b), keys unique: counting sort by a, then each run by b. */
static void sort_edges(cpts_graph_edge *edges, size_t n, size_t n_nodes)
{
	cpts_graph_edge *tmp = cpts_mallocarray(n + 1, sizeof(cpts_graph_edge));
	size_t *start = cpts_calloc(n_nodes + 1, sizeof(size_t));

	for (size_t k = 0; k < n; k++)
		start[edges[k].a + 1]++;
	for (size_t i = 0; i < n_nodes; i++)
		start[i + 1] += start[i];
	for (size_t k = 0; k < n; k++)
		tmp[start[edges[k].a]++] = edges[k];
	/* start[i] is now the end of run i */
	for (size_t i = 0, lo = 0; i < n_nodes; lo = start[i++])
		for (size_t k = lo + 1; k < start[i]; k++) {
			cpts_graph_edge x = tmp[k];
			size_t j = k;
			for (; j > lo && tmp[j - 1].b > x.b; j--)
				tmp[j] = tmp[j - 1];
			tmp[j] = x;
		}
	memcpy(edges, tmp, n * sizeof(cpts_graph_edge));
	free(tmp);
	free(start);
}

static void build_release(build *b)
{
	free(b->group);
	free(b->x);
	free(b->y);
	free(b->pc);
	free(b->ring);
	free(b->segs);
	free(b->pairs);
	free(b->pool[0]);
	free(b->pool[1]);
	free(b->pkey);
	free(b->pval);
	free(b->comp);
}

/* Keep the pairs that are neighbours under the chosen rule. */
static bool *select_pairs(const build *b, const cpts_graph_opts *opts)
{
	bool *keep = cpts_calloc(b->n_pair ? b->n_pair : 1, sizeof(bool));

	for (size_t i = 0; i < b->n_pair; i++) {
		const pair *p = &b->pairs[i];
		if (opts->rook)
			keep[i] = p->has_seg || p->near_m > b->snap;
		else
			keep[i] = p->has_vertex || p->has_seg || p->near_m > b->snap;
	}
	return keep;
}

int cpts_graph__contiguity(cpts_ctx *ctx, cpts_graph_edge **edges_out, size_t *n_out,
			   cpts_graph_counts *counts, const cpts_model *m, cpts_store *s,
			   const cpts_graph_opts *opts)
{
	build b;
	freetree fa, fb;
	uint32_t *main_of = NULL;
	int n_groups;
	bool *keep = NULL;
	cpts_graph_edge *br = NULL, *edges = NULL;
	size_t n_br = 0, n_edges = 0, n_iso = 0;
	double t0, tr, t1, t2, t3;
	int rc;

	memset(&b, 0, sizeof(b));
	memset(&fa, 0, sizeof(fa));
	memset(&fb, 0, sizeof(fb));
	*edges_out = NULL;
	*n_out = 0;
	if (m->n >= NONE) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "too many communes (%zu)", m->n);
		goto out;
	}
	b.ctx = ctx;
	b.n = m->n;
	b.snap = opts->snap_m > 0 ? opts->snap_m : 0;
	b.group = cpts_mallocarray(m->n, sizeof(int));
	b.comp = cpts_mallocarray(m->n, sizeof(uint32_t));
	n_groups = assign_groups(&b, m);
	t0 = cpts_now();
	if ((rc = cpts_graph__read_rings(&b, m, s)) < 0)
		goto out;
	tr = cpts_now();
	cpts_graph__match(&b);
	t1 = cpts_now();
	/* two trees: free segments of the largest exact-contact component of each group,
	 * and the others (islands...), so that nearest searches from an island never wade
	 * through its own segments */
	keep = cpts_mallocarray(b.n_pair + 1, sizeof(bool));
	for (size_t i = 0; i < b.n_pair; i++)
		keep[i] = b.pairs[i].has_vertex || b.pairs[i].has_seg;
	cpts_graph__label_components(&b, keep, NULL, 0);
	free(keep);
	keep = NULL;
	main_of = cpts_graph__group_mains(&b, n_groups);
	cpts_graph__freetree_build(&b, &fa, main_of, true);
	cpts_graph__freetree_build(&b, &fb, main_of, false);
	t2 = cpts_now();
	if (b.snap > 0)
		cpts_graph__snap_pass(&b, &fa, &fb);
	t3 = cpts_now();
	keep = select_pairs(&b, opts);
	counts->n_components_before = cpts_graph__label_components(&b, keep, NULL, 0);
	{
		bool *has = cpts_calloc(m->n, sizeof(bool));
		for (size_t i = 0; i < b.n_pair; i++)
			if (keep[i])
				has[b.pairs[i].a] = has[b.pairs[i].b] = true;
		for (size_t i = 0; i < m->n; i++)
			n_iso += !has[i];
		free(has);
	}
	counts->n_isolated_before = n_iso;
	if (!opts->no_bridges &&
	    (rc = cpts_graph__bridge_components(&b, &fa, &fb, keep, &br, &n_br)) < 0)
		goto out;
	edges = cpts_mallocarray(b.n_pair + n_br + 1, sizeof(cpts_graph_edge));
	for (size_t i = 0; i < b.n_pair; i++) {
		const pair *p = &b.pairs[i];
		if (!keep[i])
			continue;
		counts->n_snapped += opts->rook ? !p->has_seg : !p->has_vertex && !p->has_seg;
		edges[n_edges++] = (cpts_graph_edge){ p->a, p->b,
			p->has_seg || p->near_m > b.snap ? CPTS_EDGE_ROOK : CPTS_EDGE_QUEEN,
			(p->shared_m + p->near_m) / 1000.0 };
	}
	/* a bridge never duplicates an edge: it links two different components */
	for (size_t i = 0; i < n_br; i++)
		edges[n_edges++] = br[i];
	counts->n_bridges = n_br;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "contiguity: read %.3f s, match %.3f s, tree %.3f s,"
		 " snap %.3f s, bridges %.3f s", tr - t0, t1 - tr, t2 - t1, t3 - t2,
		 cpts_now() - t3);
	sort_edges(edges, n_edges, m->n);
	cpts_note(ctx, "contiguity: %zu vertices, %zu segments (%zu free), %zu pairs",
		  b.n_vert, b.n_seg_all, fa.n + fb.n, n_edges);
	*edges_out = edges;
	*n_out = n_edges;
	edges = NULL;
out:
	cpts_graph__freetree_release(&fa);
	cpts_graph__freetree_release(&fb);
	free(main_of);
	free(keep);
	free(br);
	free(edges);
	build_release(&b);
	return rc;
}

