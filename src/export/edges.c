/*
 * edges.c - shared-border simplification of the polygons of one map (svg.h,
 * ex_edges_simplify).
 *
 * Why: simplifying each commune on its own simplifies every border twice, once per
 * side, and the two results differ, so neighbouring communes drawn on the same map
 * overlapped or left slivers between them; the territory's outline, simplified apart,
 * did not follow the communes' borders either. Here every ring is cut into edges at
 * its nodes (vertices where three or more segments meet, or where a border stops
 * being shared), each edge is kept once (a border met from both sides is the same
 * edge, read in reverse), and all the edges of the map are simplified together by
 * one GEOSTopologyPreserveSimplify_r call over a MULTILINESTRING: the nodes are kept,
 * no simplified edge crosses another, and both neighbours are rebuilt from the same
 * simplified edge, so their borders are identical. Half the segments are simplified
 * (each shared border once), which is also why it is faster.
 *
 * Borders match only where the input polygons share their vertices (a coverage, as
 * the IGN communes are, and the dissolved territories made of them): a border drawn
 * with different vertices on its two sides stays two edges, each simplified once.
 *
 * Why decimate first on large maps: GEOSTopologyPreserveSimplify builds an index over
 * every segment, so a boundary of 2 million vertices took minutes and 2.4 GB per map.
 * On a map of more than EX_DECIMATE_FROM vertices a linear pass first keeps only the
 * vertices of each edge at least the tolerance (half a pixel) from the previous kept
 * one, which no reader can tell apart, and bounds what the simplifier sees by the
 * length of the borders in pixels. Each edge is decimated once, so both sides still
 * share it. Only the map's copies are touched: never the stored geometries.
 *
 * Rings without any node (an island, an enclave met from both sides) are cut at
 * their smallest vertex (x, then y), then every ring of fewer than three edges gets
 * more nodes (ensure_three), so that a simplified ring keeps at least three corners.
 * Nodes are vertices, marked once for all rings: whichever side reads a border, it is
 * cut at the same places into the same edges.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "export/svg.h"

/* One ring of an input polygon: its distinct vertices, cyclic (no closing repeat). */
typedef struct ering {
	size_t off, n;      /* in es.ids */
	size_t e_off, e_n;  /* its edges, in es.ring_edges */
	size_t geom;        /* index of the input geometry */
	size_t poly;        /* polygon of that geometry (running count) */
	bool hole;
} ering;

/* The working state; every array OWNED, released by es_free. */
typedef struct edgeset {
	double *vx, *vy;       /* vertices */
	int32_t *nb0, *nb1;    /* two distinct neighbours, -1 none */
	uint8_t *more, *node;  /* more than two neighbours; vertex cuts edges */
	size_t nv, cap_v;
	uint32_t *vh;          /* vertex hash: index + 1, 0 empty */
	size_t vh_mask;
	uint32_t *ids;         /* ring vertices */
	size_t n_ids, cap_ids;
	ering *rings;
	size_t n_rings, cap_rings;
	uint32_t *eids;        /* canonical vertex sequences of the edges */
	size_t n_eids, cap_eids;
	size_t *e_off, *e_len; /* edge k: eids[e_off[k] .. + e_len[k]] */
	size_t n_edges, cap_edges;
	uint32_t *eh;          /* edge hash: index + 1 */
	size_t eh_mask;
	int64_t *ring_edges;   /* per ring: edge index, negative (-(k+1)) when reversed */
	size_t n_re, cap_re;
} edgeset;

static void es_free(edgeset *es)
{
	free(es->vx);
	free(es->vy);
	free(es->nb0);
	free(es->nb1);
	free(es->more);
	free(es->node);
	free(es->vh);
	free(es->ids);
	free(es->rings);
	free(es->eids);
	free(es->e_off);
	free(es->e_len);
	free(es->eh);
	free(es->ring_edges);
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint64_t hash_xy(double x, double y)
{
	uint64_t a, b;

	memcpy(&a, &x, sizeof(a));
	memcpy(&b, &y, sizeof(b));
	return mix64(a ^ mix64(b + 0x9e3779b97f4a7c15ULL));
}

/* The index of vertex (x, y), added when new. */
static uint32_t vertex_id(edgeset *es, double x, double y)
{
	size_t h;

	if (x == 0)
		x = 0; /* -0.0 and 0.0 are the same vertex */
	if (y == 0)
		y = 0;
	for (h = hash_xy(x, y) & es->vh_mask; es->vh[h]; h = (h + 1) & es->vh_mask) {
		uint32_t v = es->vh[h] - 1;
		if (es->vx[v] == x && es->vy[v] == y)
			return v;
	}
	if (es->nv == es->cap_v) {
		es->cap_v = es->cap_v ? es->cap_v * 2 : 1024;
		es->vx = cpts_reallocarray(es->vx, es->cap_v, sizeof(double));
		es->vy = cpts_reallocarray(es->vy, es->cap_v, sizeof(double));
	}
	es->vx[es->nv] = x;
	es->vy[es->nv] = y;
	es->vh[h] = (uint32_t)++es->nv;
	return (uint32_t)(es->nv - 1);
}

/* Read ring r of polygon `poly` of geometry `geom`; degenerate rings are skipped
 * (*added false). */
static int add_ring(cpts_ctx *ctx, edgeset *es, const GEOSGeometry *r, size_t geom,
		    size_t poly, bool hole, bool *added)
{
	const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ctx->geos, r);
	unsigned int n = 0;
	size_t off = es->n_ids, m;

	if (!cs || !GEOSCoordSeq_getSize_r(ctx->geos, cs, &n))
		return cpts_fail_geos(ctx, CPTS_EDEP, "cannot read a ring");
	if (es->n_ids + n > es->cap_ids) {
		es->cap_ids = (es->n_ids + n) * 2;
		es->ids = cpts_reallocarray(es->ids, es->cap_ids, sizeof(uint32_t));
	}
	for (unsigned int k = 0; k < n; k++) {
		double x, y;
		uint32_t v;
		GEOSCoordSeq_getXY_r(ctx->geos, cs, k, &x, &y);
		if (x != x || y != y)
			continue; /* NaN */
		v = vertex_id(es, x, y);
		if (es->n_ids > off && es->ids[es->n_ids - 1] == v)
			continue; /* repeated point */
		es->ids[es->n_ids++] = v;
	}
	m = es->n_ids - off;
	while (m > 1 && es->ids[off + m - 1] == es->ids[off])
		m--; /* the closing repeat */
	es->n_ids = off + m;
	*added = m >= 3;
	if (m < 3) { /* no area: not drawn */
		es->n_ids = off;
		return CPTS_OK;
	}
	if (es->n_rings == es->cap_rings) {
		es->cap_rings = es->cap_rings ? es->cap_rings * 2 : 64;
		es->rings = cpts_reallocarray(es->rings, es->cap_rings, sizeof(ering));
	}
	es->rings[es->n_rings++] = (ering){ .off = off, .n = m, .geom = geom, .poly = poly,
					    .hole = hole };
	return CPTS_OK;
}

static int add_polygon(cpts_ctx *ctx, edgeset *es, const GEOSGeometry *p, size_t geom,
		       size_t poly)
{
	int nh = GEOSGetNumInteriorRings_r(ctx->geos, p), rc;
	bool added = false;

	if ((rc = add_ring(ctx, es, GEOSGetExteriorRing_r(ctx->geos, p), geom, poly, false,
			   &added)) < 0 || !added)
		return rc; /* no shell: its holes are not drawn either */
	for (int k = 0; k < nh; k++)
		if ((rc = add_ring(ctx, es, GEOSGetInteriorRingN_r(ctx->geos, p, k), geom, poly,
				   true, &added)) < 0)
			return rc;
	return CPTS_OK;
}

/* Every polygon of g (polygons, multipolygons, collections of them), numbered on. */
static int add_geom(cpts_ctx *ctx, edgeset *es, const GEOSGeometry *g, size_t geom,
		    size_t *n_poly)
{
	int type = GEOSGeomTypeId_r(ctx->geos, g), rc;

	if (type == GEOS_POLYGON) {
		if (GEOSisEmpty_r(ctx->geos, g) == 1)
			return CPTS_OK;
		return add_polygon(ctx, es, g, geom, (*n_poly)++);
	}
	if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
		int n = GEOSGetNumGeometries_r(ctx->geos, g);
		for (int k = 0; k < n; k++)
			if ((rc = add_geom(ctx, es, GEOSGetGeometryN_r(ctx->geos, g, k), geom,
					   n_poly)) < 0)
				return rc;
	}
	return CPTS_OK; /* points and lines are not drawn */
}

static void add_nb(edgeset *es, uint32_t a, uint32_t b)
{
	if (es->more[a] || es->nb0[a] == (int32_t)b || es->nb1[a] == (int32_t)b)
		return;
	if (es->nb0[a] < 0)
		es->nb0[a] = (int32_t)b;
	else if (es->nb1[a] < 0)
		es->nb1[a] = (int32_t)b;
	else
		es->more[a] = 1;
}

/* Nodes: vertices with other than two distinct neighbours; then the smallest vertex of
 * every ring without one. */
static void find_nodes(edgeset *es)
{
	es->nb0 = cpts_mallocarray(es->nv ? es->nv : 1, sizeof(int32_t));
	es->nb1 = cpts_mallocarray(es->nv ? es->nv : 1, sizeof(int32_t));
	es->more = cpts_calloc(es->nv ? es->nv : 1, 1);
	es->node = cpts_calloc(es->nv ? es->nv : 1, 1);
	for (size_t v = 0; v < es->nv; v++)
		es->nb0[v] = es->nb1[v] = -1;
	for (size_t r = 0; r < es->n_rings; r++) {
		const uint32_t *id = es->ids + es->rings[r].off;
		size_t n = es->rings[r].n;
		for (size_t i = 0; i < n; i++) {
			uint32_t a = id[i], b = id[(i + 1) % n];
			add_nb(es, a, b);
			add_nb(es, b, a);
		}
	}
	for (size_t v = 0; v < es->nv; v++)
		es->node[v] = es->more[v] || es->nb1[v] < 0;
	for (size_t r = 0; r < es->n_rings; r++) {
		const uint32_t *id = es->ids + es->rings[r].off;
		size_t n = es->rings[r].n, best = 0;
		bool has = false;
		for (size_t i = 0; i < n && !has; i++)
			has = es->node[id[i]];
		if (has)
			continue;
		for (size_t i = 1; i < n; i++)
			if (es->vx[id[i]] < es->vx[id[best]] ||
			    (es->vx[id[i]] == es->vx[id[best]] && es->vy[id[i]] < es->vy[id[best]]))
				best = i;
		es->node[id[best]] = 1;
	}
}

/* Position in ring r of its first node. */
static size_t first_node(const edgeset *es, const ering *r)
{
	size_t i = 0;

	while (i < r->n && !es->node[es->ids[r->off + i]])
		i++;
	return i;
}

/* The pieces of ring r between its nodes, from its first node: up to max starts and
 * lengths (in segments); returns how many there are. */
static size_t pieces(const edgeset *es, const ering *r, size_t *start, size_t *len,
		     size_t max)
{
	const uint32_t *id = es->ids + r->off;
	size_t s = first_node(es, r), i = s, n = r->n, np = 0;

	do {
		size_t j = i;
		do
			j = (j + 1) % n;
		while (!es->node[id[j]]);
		if (np < max) {
			start[np] = i;
			len[np] = (j + n - i) % n ? (j + n - i) % n : n;
		}
		np++;
		i = j;
	} while (i != s);
	return np;
}

/* Rings of fewer than three edges get more nodes (a closed edge cut in three, each of
 * two edges at its middle), so that a simplified ring keeps three corners at least:
 * the simplifier keeps every node, and two edges between the same two nodes could
 * both become the same segment. The nodes are vertices, so every ring through them
 * is cut there alike. */
static void ensure_three(edgeset *es)
{
	for (size_t r = 0; r < es->n_rings; r++) {
		const ering *rg = &es->rings[r];
		const uint32_t *id = es->ids + rg->off;
		size_t st[2], len[2], n = rg->n;
		size_t np = pieces(es, rg, st, len, 2);
		if (np == 1 && len[0] >= 3) {
			es->node[id[(st[0] + len[0] / 3) % n]] = 1;
			es->node[id[(st[0] + len[0] - len[0] / 3) % n]] = 1;
		} else if (np == 2) {
			for (int k = 0; k < 2; k++)
				if (len[k] >= 2)
					es->node[id[(st[k] + len[k] / 2) % n]] = 1;
		}
	}
}

static uint64_t hash_seq(const uint32_t *s, size_t n, bool rev)
{
	uint64_t h = 0x84222325cbf29ce4ULL;

	for (size_t k = 0; k < n; k++)
		h = mix64(h ^ (rev ? s[n - 1 - k] : s[k]));
	return h;
}

/* Is the reverse of s smaller than s (then the reverse is the canonical form)? */
static bool reverse_smaller(const uint32_t *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[n - 1 - k] != s[k])
			return s[n - 1 - k] < s[k];
	return false;
}

/* The edge holding piece s (n vertices), added when new; negative when reversed. */
static int64_t edge_of(edgeset *es, const uint32_t *s, size_t n)
{
	bool rev = reverse_smaller(s, n);
	size_t h;

	for (h = hash_seq(s, n, rev) & es->eh_mask; es->eh[h]; h = (h + 1) & es->eh_mask) {
		size_t e = es->eh[h] - 1, k;
		const uint32_t *c = es->eids + es->e_off[e];
		if (es->e_len[e] != n)
			continue;
		for (k = 0; k < n && c[k] == (rev ? s[n - 1 - k] : s[k]); k++)
			;
		if (k == n)
			return rev ? -(int64_t)e - 1 : (int64_t)e;
	}
	if (es->n_edges == es->cap_edges) {
		es->cap_edges = es->cap_edges ? es->cap_edges * 2 : 256;
		es->e_off = cpts_reallocarray(es->e_off, es->cap_edges, sizeof(size_t));
		es->e_len = cpts_reallocarray(es->e_len, es->cap_edges, sizeof(size_t));
	}
	if (es->n_eids + n > es->cap_eids) {
		es->cap_eids = (es->n_eids + n) * 2;
		es->eids = cpts_reallocarray(es->eids, es->cap_eids, sizeof(uint32_t));
	}
	for (size_t k = 0; k < n; k++)
		es->eids[es->n_eids + k] = rev ? s[n - 1 - k] : s[k];
	es->e_off[es->n_edges] = es->n_eids;
	es->e_len[es->n_edges] = n;
	es->n_eids += n;
	es->eh[h] = (uint32_t)++es->n_edges;
	return rev ? -(int64_t)es->n_edges : (int64_t)es->n_edges - 1;
}

/* Every ring as a list of edges. */
static void build_edges(edgeset *es)
{
	uint32_t *piece = NULL;
	size_t cap = 0, max_edges = es->n_ids + 1, sz = 1;

	while (sz < 2 * max_edges)
		sz *= 2;
	es->eh = cpts_calloc(sz, sizeof(uint32_t));
	es->eh_mask = sz - 1;
	for (size_t r = 0; r < es->n_rings; r++) {
		ering *rg = &es->rings[r];
		const uint32_t *id = es->ids + rg->off;
		size_t s = first_node(es, rg), i = s, n = rg->n;
		rg->e_off = es->n_re;
		do {
			size_t j = i, len = 0;
			do {
				if (len + 2 > cap) {
					cap = cap ? cap * 2 : 64;
					piece = cpts_reallocarray(piece, cap, sizeof(uint32_t));
				}
				piece[len++] = id[j];
				j = (j + 1) % n;
			} while (!es->node[id[j]]);
			piece[len++] = id[j];
			if (es->n_re == es->cap_re) {
				es->cap_re = es->cap_re ? es->cap_re * 2 : 256;
				es->ring_edges = cpts_reallocarray(es->ring_edges, es->cap_re,
								   sizeof(int64_t));
			}
			es->ring_edges[es->n_re++] = edge_of(es, piece, len);
			i = j;
		} while (i != s);
		rg->e_n = es->n_re - rg->e_off;
	}
	free(piece);
}

/* The simplified edges: one MULTILINESTRING of all edges through the simplifier;
 * *out OWNED by the caller. */
static int simplify_edges(cpts_ctx *ctx, const edgeset *es, double tol, GEOSGeometry **out)
{
	bool decimate = es->nv >= EX_DECIMATE_FROM && tol > 0;
	GEOSGeometry **lines = cpts_calloc(es->n_edges ? es->n_edges : 1, sizeof(GEOSGeometry *));
	GEOSGeometry *ml;
	double *xy = NULL;
	size_t cap = 0;

	*out = NULL;
	for (size_t e = 0; e < es->n_edges; e++) {
		const uint32_t *c = es->eids + es->e_off[e];
		size_t n = es->e_len[e];
		GEOSCoordSequence *cs;
		if (2 * n > cap) {
			cap = 4 * n;
			xy = cpts_reallocarray(xy, cap, sizeof(double));
		}
		size_t kept = 0;
		for (size_t k = 0; k < n; k++) {
			double x = es->vx[c[k]], y = es->vy[c[k]];
			if (decimate && k > 0 && k + 1 < n &&
			    hypot(x - xy[2 * kept - 2], y - xy[2 * kept - 1]) < tol)
				continue;
			xy[2 * kept] = x;
			xy[2 * kept + 1] = y;
			kept++;
		}
		cs = GEOSCoordSeq_copyFromBuffer_r(ctx->geos, xy, (unsigned)kept, 0, 0);
		if (!cs || !(lines[e] = GEOSGeom_createLineString_r(ctx->geos, cs))) {
			for (size_t k = 0; k < e; k++)
				GEOSGeom_destroy_r(ctx->geos, lines[k]);
			free(lines);
			free(xy);
			return cpts_fail_geos(ctx, CPTS_EDEP, "cannot build the borders of a map");
		}
	}
	free(xy);
	ml = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTILINESTRING, lines,
					 (unsigned)es->n_edges);
	free(lines);
	if (!ml)
		return cpts_fail_geos(ctx, CPTS_EDEP, "cannot build the borders of a map");
	*out = GEOSTopologyPreserveSimplify_r(ctx->geos, ml, tol);
	GEOSGeom_destroy_r(ctx->geos, ml);
	if (!*out || GEOSGetNumGeometries_r(ctx->geos, *out) != (int)es->n_edges) {
		if (*out)
			GEOSGeom_destroy_r(ctx->geos, *out);
		*out = NULL;
		return cpts_fail_geos(ctx, CPTS_EDEP, "cannot simplify the borders of a map");
	}
	return CPTS_OK;
}

/* Ring r rebuilt from the simplified edges; NULL when it collapsed (fewer than four
 * points) or on failure (*rc set). */
static GEOSGeometry *rebuild_ring(cpts_ctx *ctx, const edgeset *es, const ering *r,
				  const GEOSGeometry *simple, double **xy, size_t *cap, int *rc)
{
	size_t n = 0;
	GEOSCoordSequence *cs;

	for (size_t k = 0; k < r->e_n; k++) {
		int64_t e = es->ring_edges[r->e_off + k];
		bool rev = e < 0;
		const GEOSGeometry *l = GEOSGetGeometryN_r(ctx->geos, simple, (int)(rev ? -e - 1 : e));
		const GEOSCoordSequence *ls = GEOSGeom_getCoordSeq_r(ctx->geos, l);
		unsigned int m = 0;
		if (!ls || !GEOSCoordSeq_getSize_r(ctx->geos, ls, &m)) {
			*rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot read a simplified border");
			return NULL;
		}
		if (2 * (n + m) > *cap) {
			*cap = 4 * (n + m);
			*xy = cpts_reallocarray(*xy, *cap, sizeof(double));
		}
		for (unsigned int j = k == 0 ? 0 : 1; j < m; j++) {
			GEOSCoordSeq_getXY_r(ctx->geos, ls, rev ? m - 1 - j : j, &(*xy)[2 * n],
					     &(*xy)[2 * n + 1]);
			n++;
		}
	}
	if (n < 4)
		return NULL;
	cs = GEOSCoordSeq_copyFromBuffer_r(ctx->geos, *xy, (unsigned)n, 0, 0);
	GEOSGeometry *g = cs ? GEOSGeom_createLinearRing_r(ctx->geos, cs) : NULL;
	if (!g)
		*rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot rebuild a simplified ring");
	return g;
}

/* The output geometries, one MULTIPOLYGON per input (empty when all collapsed). */
static int rebuild(cpts_ctx *ctx, const edgeset *es, const GEOSGeometry *simple,
		   GEOSGeometry **out, const GEOSGeometry *const *in, size_t n_in)
{
	double *xy = NULL;
	size_t cap = 0, r = 0;
	int rc = CPTS_OK;

	for (size_t g = 0; g < n_in; g++) {
		GEOSGeometry **pp;
		size_t np = 0;
		if (!in[g])
			continue;
		pp = cpts_calloc(1, sizeof(GEOSGeometry *));
		while (r < es->n_rings && es->rings[r].geom == g && rc == CPTS_OK) {
			size_t poly = es->rings[r].poly, nh = 0;
			GEOSGeometry *shell = rebuild_ring(ctx, es, &es->rings[r], simple, &xy, &cap,
							  &rc);
			GEOSGeometry **holes = NULL;
			r++;
			while (r < es->n_rings && es->rings[r].geom == g && es->rings[r].poly == poly) {
				GEOSGeometry *h = shell && rc == CPTS_OK
					? rebuild_ring(ctx, es, &es->rings[r], simple, &xy, &cap, &rc)
					: NULL;
				r++;
				if (!h)
					continue;
				holes = cpts_reallocarray(holes, nh + 1, sizeof(GEOSGeometry *));
				holes[nh++] = h;
			}
			if (shell && rc == CPTS_OK) {
				GEOSGeometry *p = GEOSGeom_createPolygon_r(ctx->geos, shell, holes,
									  (unsigned)nh);
				if (!p)
					rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot rebuild a polygon");
				else {
					pp = cpts_reallocarray(pp, np + 1, sizeof(GEOSGeometry *));
					pp[np++] = p;
				}
			} else {
				if (shell)
					GEOSGeom_destroy_r(ctx->geos, shell);
				for (size_t k = 0; k < nh; k++)
					GEOSGeom_destroy_r(ctx->geos, holes[k]);
			}
			free(holes);
		}
		if (rc == CPTS_OK) {
			out[g] = GEOSGeom_createCollection_r(ctx->geos, GEOS_MULTIPOLYGON, pp,
							     (unsigned)np);
			if (!out[g])
				rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot rebuild a polygon");
		} else {
			for (size_t k = 0; k < np; k++)
				GEOSGeom_destroy_r(ctx->geos, pp[k]);
		}
		free(pp);
		if (rc < 0)
			break;
	}
	free(xy);
	return rc;
}

int ex_edges_simplify(cpts_ctx *ctx, GEOSGeometry **out, const GEOSGeometry *const *in,
		      size_t n, double tol)
{
	edgeset es = { 0 };
	GEOSGeometry *simple = NULL;
	size_t n_v = 0, sz = 1024;
	int rc = CPTS_OK;

	for (size_t k = 0; k < n; k++) {
		out[k] = NULL;
		if (in[k])
			n_v += (size_t)GEOSGetNumCoordinates_r(ctx->geos, in[k]);
	}
	if (n_v >= UINT32_MAX / 4)
		return cpts_fail(ctx, CPTS_EDEP, "too many vertices on one map (%zu)", n_v);
	while (sz < 2 * n_v)
		sz *= 2;
	es.vh = cpts_calloc(sz, sizeof(uint32_t));
	es.vh_mask = sz - 1;
	for (size_t k = 0, n_poly = 0; k < n && rc == CPTS_OK; k++)
		if (in[k])
			rc = add_geom(ctx, &es, in[k], k, &n_poly);
	if (rc == CPTS_OK) {
		find_nodes(&es);
		ensure_three(&es);
		build_edges(&es);
		rc = simplify_edges(ctx, &es, tol, &simple);
	}
	if (rc == CPTS_OK)
		rc = rebuild(ctx, &es, simple, out, in, n);
	if (rc < 0)
		for (size_t k = 0; k < n; k++)
			if (out[k]) {
				GEOSGeom_destroy_r(ctx->geos, out[k]);
				out[k] = NULL;
			}
	if (simple)
		GEOSGeom_destroy_r(ctx->geos, simple);
	es_free(&es);
	return rc;
}
