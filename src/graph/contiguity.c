/*
 * contiguity.c - queen / rook contiguity of the communes, with snapping and bridges.
 *
 * Why this shape: real commune layers share their borders vertex for vertex, so the
 * fast path hashes every vertex (quantised to 1 mm, so that the same coordinate
 * reprojected twice still matches) to the communes that use it: two communes sharing
 * a vertex are queen neighbours, two sharing a segment (a pair of consecutive hashed
 * vertices) are rook neighbours, and the summed length of their shared segments is the
 * length of their common border (used by the compactness of dissolved basins). This
 * is linear in the number of vertices, where pairwise GEOS predicates on an STRtree
 * are an order of magnitude slower on all of France.
 *
 * Segments that no other commune shares ("free" segments: coasts, national borders,
 * and borders that are not vertex-identical) go into a GEOS STRtree. Two passes use it:
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
 *    outside it, found with the STRtree nearest-neighbour search on free segments (the
 *    nearest points of two disjoint unions of polygons lie on their outer boundaries,
 *    which are made of free segments). Repeated until each group is connected.
 *
 * Communes of different groups (different CRS, or two overseas départements) are never
 * adjacent and never bridged.
 *
 * Geometries are read as WKB straight from the workspace: building 35,000 GEOS
 * polygons only to walk their coordinates would cost more than the whole hashing.
 */
#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/graph_int.h"

#define NONE UINT32_MAX
#define QUANTUM 1e-3 /* metres: vertex hashing grid */

/** A segment between two hashed vertices, first seen in commune c. */
typedef struct seg {
	uint32_t va, vb;   /* vertex ids (va < vb) */
	uint32_t c;        /* commune that owns it (the first one seen) */
	uint32_t matched;  /* another commune shares it */
} seg;

/** A candidate neighbour pair a < b and what links them. */
typedef struct pair {
	uint32_t a, b;
	bool has_vertex;   /* share a vertex exactly */
	bool has_seg;      /* share a segment exactly */
	bool is_near;      /* free segments within the tolerance */
	double shared_m;   /* length of shared segments, metres */
	double near_m;     /* near-collinear overlap of free segments, metres */
} pair;

/** Work state of one build. */
typedef struct build {
	cpts_ctx *ctx;
	size_t n;                  /* communes */
	int *group;                /* OWNED, per commune: territory group */
	/* vertices */
	int64_t *qx, *qy;          /* OWNED quantised coordinates */
	double *x, *y;             /* OWNED coordinates */
	uint32_t *vhead;           /* OWNED first list node of each vertex */
	size_t n_vert, cap_vert;
	uint32_t *vslot;           /* OWNED hash slots -> vertex id */
	size_t vslot_cap;
	/* commune list nodes of vertices */
	uint32_t *node_c, *node_next; /* OWNED */
	size_t n_node, cap_node;
	/* segments */
	seg *segs;                 /* OWNED */
	size_t n_seg, cap_seg;
	uint64_t *skey;            /* OWNED hash keys (va << 32 | vb) + 1, 0 = empty */
	uint32_t *sval;            /* OWNED segment index */
	size_t sslot_cap;
	/* pairs */
	pair *pairs;               /* OWNED */
	size_t n_pair, cap_pair;
	uint64_t *pkey;            /* OWNED (a << 32 | b) + 1 */
	uint32_t *pval;
	size_t pslot_cap;
	/* per commune bounding boxes */
	double *bx0, *by0, *bx1, *by1; /* OWNED */
	/* fallback */
	double snap;
	uint32_t *comp;            /* OWNED component id of each commune (bridging) */
} build;

static inline uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 1024;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	*cap = c;
	return cpts_reallocarray(p, c, elem);
}

/* ---- vertex hash ---- */

static void vslots_rehash(build *b, size_t cap)
{
	free(b->vslot);
	b->vslot = cpts_mallocarray(cap, sizeof(uint32_t));
	memset(b->vslot, 0xff, cap * sizeof(uint32_t));
	b->vslot_cap = cap;
	for (size_t v = 0; v < b->n_vert; v++) {
		size_t h = mix64((uint64_t)b->qx[v] * 31 + (uint64_t)b->qy[v]) & (cap - 1);
		while (b->vslot[h] != NONE)
			h = (h + 1) & (cap - 1);
		b->vslot[h] = (uint32_t)v;
	}
}

static uint32_t vertex_get(build *b, double x, double y)
{
	int64_t qx = llround(x / QUANTUM), qy = llround(y / QUANTUM);
	size_t h;

	if ((b->n_vert + 1) * 2 > b->vslot_cap)
		vslots_rehash(b, b->vslot_cap ? b->vslot_cap * 2 : 1 << 16);
	h = mix64((uint64_t)qx * 31 + (uint64_t)qy) & (b->vslot_cap - 1);
	for (;;) {
		uint32_t v = b->vslot[h];
		if (v == NONE)
			break;
		if (b->qx[v] == qx && b->qy[v] == qy)
			return v;
		h = (h + 1) & (b->vslot_cap - 1);
	}
	if (b->n_vert + 1 > b->cap_vert) {
		size_t cap = b->cap_vert;
		b->qx = grow(b->qx, &cap, b->n_vert + 1, sizeof(int64_t));
		cap = b->cap_vert;
		b->qy = grow(b->qy, &cap, b->n_vert + 1, sizeof(int64_t));
		cap = b->cap_vert;
		b->x = grow(b->x, &cap, b->n_vert + 1, sizeof(double));
		cap = b->cap_vert;
		b->y = grow(b->y, &cap, b->n_vert + 1, sizeof(double));
		b->vhead = grow(b->vhead, &b->cap_vert, b->n_vert + 1, sizeof(uint32_t));
	}
	b->qx[b->n_vert] = qx;
	b->qy[b->n_vert] = qy;
	b->x[b->n_vert] = x;
	b->y[b->n_vert] = y;
	b->vhead[b->n_vert] = NONE;
	b->vslot[h] = (uint32_t)b->n_vert;
	return (uint32_t)b->n_vert++;
}

/* ---- pair hash ---- */

static void pslots_rehash(build *b, size_t cap)
{
	free(b->pkey);
	free(b->pval);
	b->pkey = cpts_calloc(cap, sizeof(uint64_t));
	b->pval = cpts_mallocarray(cap, sizeof(uint32_t));
	b->pslot_cap = cap;
	for (size_t i = 0; i < b->n_pair; i++) {
		uint64_t k = ((uint64_t)b->pairs[i].a << 32 | b->pairs[i].b) + 1;
		size_t h = mix64(k) & (cap - 1);
		while (b->pkey[h])
			h = (h + 1) & (cap - 1);
		b->pkey[h] = k;
		b->pval[h] = (uint32_t)i;
	}
}

/* The pair record of communes c and d (created on first use). */
static pair *pair_get(build *b, uint32_t c, uint32_t d)
{
	uint32_t a = c < d ? c : d, bb = c < d ? d : c;
	uint64_t k = ((uint64_t)a << 32 | bb) + 1;
	size_t h;
	pair *p;

	if ((b->n_pair + 1) * 2 > b->pslot_cap)
		pslots_rehash(b, b->pslot_cap ? b->pslot_cap * 2 : 1 << 14);
	h = mix64(k) & (b->pslot_cap - 1);
	while (b->pkey[h]) {
		if (b->pkey[h] == k)
			return &b->pairs[b->pval[h]];
		h = (h + 1) & (b->pslot_cap - 1);
	}
	b->pairs = grow(b->pairs, &b->cap_pair, b->n_pair + 1, sizeof(pair));
	p = &b->pairs[b->n_pair];
	memset(p, 0, sizeof(*p));
	p->a = a;
	p->b = bb;
	b->pkey[h] = k;
	b->pval[h] = (uint32_t)b->n_pair++;
	return p;
}

/* ---- segment hash ---- */

static void sslots_rehash(build *b, size_t cap)
{
	free(b->skey);
	free(b->sval);
	b->skey = cpts_calloc(cap, sizeof(uint64_t));
	b->sval = cpts_mallocarray(cap, sizeof(uint32_t));
	b->sslot_cap = cap;
	for (size_t i = 0; i < b->n_seg; i++) {
		uint64_t k = ((uint64_t)b->segs[i].va << 32 | b->segs[i].vb) + 1;
		size_t h = mix64(k) & (cap - 1);
		while (b->skey[h])
			h = (h + 1) & (cap - 1);
		b->skey[h] = k;
		b->sval[h] = (uint32_t)i;
	}
}

static double seg_len(const build *b, const seg *s)
{
	return hypot(b->x[s->vb] - b->x[s->va], b->y[s->vb] - b->y[s->va]);
}

/* Record the segment u-v of commune c; a second commune sharing it makes a rook pair. */
static void segment_add(build *b, uint32_t u, uint32_t v, uint32_t c)
{
	uint32_t va = u < v ? u : v, vb = u < v ? v : u;
	uint64_t k = ((uint64_t)va << 32 | vb) + 1;
	size_t h;

	if (u == v)
		return;
	if ((b->n_seg + 1) * 2 > b->sslot_cap)
		sslots_rehash(b, b->sslot_cap ? b->sslot_cap * 2 : 1 << 16);
	h = mix64(k) & (b->sslot_cap - 1);
	while (b->skey[h]) {
		if (b->skey[h] == k) {
			seg *s = &b->segs[b->sval[h]];
			if (s->c != c && b->group[s->c] == b->group[c]) {
				pair *p = pair_get(b, s->c, c);
				p->has_seg = true;
				p->shared_m += seg_len(b, s);
				s->matched = 1;
			}
			return;
		}
		h = (h + 1) & (b->sslot_cap - 1);
	}
	b->segs = grow(b->segs, &b->cap_seg, b->n_seg + 1, sizeof(seg));
	b->segs[b->n_seg] = (seg){ va, vb, c, 0 };
	b->skey[h] = k;
	b->sval[h] = (uint32_t)b->n_seg++;
}

/* Attach commune c to vertex v; every other commune already there becomes a queen pair. */
static void vertex_attach(build *b, uint32_t v, uint32_t c)
{
	for (uint32_t k = b->vhead[v]; k != NONE; k = b->node_next[k])
		if (b->node_c[k] == c)
			return;
	for (uint32_t k = b->vhead[v]; k != NONE; k = b->node_next[k]) {
		uint32_t d = b->node_c[k];
		if (b->group[d] == b->group[c])
			pair_get(b, d, c)->has_vertex = true;
	}
	if (b->n_node + 1 > b->cap_node) {
		size_t cap = b->cap_node;
		b->node_c = grow(b->node_c, &cap, b->n_node + 1, sizeof(uint32_t));
		b->node_next = grow(b->node_next, &b->cap_node, b->n_node + 1, sizeof(uint32_t));
	}
	b->node_c[b->n_node] = c;
	b->node_next[b->n_node] = b->vhead[v];
	b->vhead[v] = (uint32_t)b->n_node++;
}

/* ---- WKB walking ---- */

typedef struct wkb {
	const unsigned char *p, *end;
	bool swap;
} wkb;

static bool wkb_u32(wkb *w, uint32_t *out)
{
	uint32_t v;

	if (w->end - w->p < 4)
		return false;
	memcpy(&v, w->p, 4);
	w->p += 4;
	*out = w->swap ? __builtin_bswap32(v) : v;
	return true;
}

static bool wkb_dbl(wkb *w, double *out)
{
	uint64_t v;

	if (w->end - w->p < 8)
		return false;
	memcpy(&v, w->p, 8);
	w->p += 8;
	if (w->swap)
		v = __builtin_bswap64(v);
	memcpy(out, &v, 8);
	return true;
}

/* Byte order and type of the next geometry; dims = coordinates per point. */
static bool wkb_header(wkb *w, uint32_t *type, int *dims)
{
	uint32_t t;

	if (w->p >= w->end)
		return false;
	w->swap = (*w->p == 0) == (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	w->p++;
	if (!wkb_u32(w, &t))
		return false;
	*dims = 2 + ((t & 0x80000000u) != 0) + ((t & 0x40000000u) != 0);
	t &= 0x0fffffffu;
	if (t >= 3000)
		*dims = 4;
	else if (t >= 1000)
		*dims = 3;
	*type = t % 1000;
	return true;
}

static int wkb_polygon(build *b, wkb *w, uint32_t c, int dims)
{
	uint32_t n_rings;

	if (!wkb_u32(w, &n_rings))
		return -1;
	for (uint32_t r = 0; r < n_rings; r++) {
		uint32_t n_pts, first = NONE, prev = NONE;
		if (!wkb_u32(w, &n_pts) || (size_t)(w->end - w->p) < (size_t)n_pts * 8 * dims)
			return -1;
		for (uint32_t k = 0; k < n_pts; k++) {
			double x, y, z;
			uint32_t v;
			wkb_dbl(w, &x);
			wkb_dbl(w, &y);
			for (int d = 2; d < dims; d++)
				wkb_dbl(w, &z);
			v = vertex_get(b, x, y);
			if (x < b->bx0[c]) b->bx0[c] = x;
			if (x > b->bx1[c]) b->bx1[c] = x;
			if (y < b->by0[c]) b->by0[c] = y;
			if (y > b->by1[c]) b->by1[c] = y;
			if (k + 1 < n_pts || v != first)
				vertex_attach(b, v, c);
			if (prev != NONE)
				segment_add(b, prev, v, c);
			if (first == NONE)
				first = v;
			prev = v;
		}
		if (prev != NONE && prev != first)
			segment_add(b, prev, first, c); /* unclosed ring: close it */
	}
	return 0;
}

/* Walk a Polygon or MultiPolygon WKB of commune c. */
static int wkb_walk(build *b, const unsigned char *data, size_t len, uint32_t c)
{
	wkb w = { data, data + len, false };
	uint32_t type, n_parts;
	int dims;

	if (!wkb_header(&w, &type, &dims))
		return -1;
	if (type == 3)
		return wkb_polygon(b, &w, c, dims);
	if (type != 6 || !wkb_u32(&w, &n_parts))
		return -1;
	for (uint32_t i = 0; i < n_parts; i++) {
		if (!wkb_header(&w, &type, &dims) || type != 3)
			return -1;
		if (wkb_polygon(b, &w, c, dims) < 0)
			return -1;
	}
	return 0;
}

/* Read every commune's geometry and hash its vertices and segments. */
static int read_geometries(build *b, const cpts_model *m, cpts_store *s)
{
	sqlite3_stmt *st = NULL;
	int rc = CPTS_OK, src;
	size_t done = 0;

	if ((rc = cpts_store_prepare(b->ctx, s, &st,
				     "SELECT code, AsBinary(geom) FROM communes")) < 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const unsigned char *blob = sqlite3_column_blob(st, 1);
		long i = cpts_model_find(m, code ? code : "");
		if (i < 0)
			continue;
		if (!blob || wkb_walk(b, blob, (size_t)sqlite3_column_bytes(st, 1),
				      (uint32_t)i) < 0) {
			rc = cpts_fail(b->ctx, CPTS_EINPUT, "the geometry of commune %s is missing or"
				       " is not a polygon", code);
			cpts_error_where(b->ctx, "%s|communes|code=%s", cpts_store_path(s), code);
			goto out;
		}
		if ((++done & 4095) == 0 &&
		    (rc = cpts_progress(b->ctx, 0.8 * (double)done / (double)m->n,
					"contiguity")) < 0)
			goto out;
	}
	if (src != SQLITE_DONE)
		rc = cpts_store_fail(b->ctx, s, "reading commune geometries");
out:
	sqlite3_finalize(st);
	return rc;
}

/* ---- free segments: snapping fallback and bridges ---- */

static double pt_seg_dist2(double px, double py, double ax, double ay, double bx, double by)
{
	double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = 0;

	if (l2 > 0) {
		t = ((px - ax) * dx + (py - ay) * dy) / l2;
		t = t < 0 ? 0 : t > 1 ? 1 : t;
	}
	dx = ax + t * dx - px;
	dy = ay + t * dy - py;
	return dx * dx + dy * dy;
}

static double orient(double ax, double ay, double bx, double by, double cx, double cy)
{
	return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* Distance between segments s and t. */
static double seg_dist(const build *b, const seg *s, const seg *t)
{
	double ax = b->x[s->va], ay = b->y[s->va], bx = b->x[s->vb], by = b->y[s->vb];
	double cx = b->x[t->va], cy = b->y[t->va], dx = b->x[t->vb], dy = b->y[t->vb];
	double o1 = orient(ax, ay, bx, by, cx, cy), o2 = orient(ax, ay, bx, by, dx, dy);
	double o3 = orient(cx, cy, dx, dy, ax, ay), o4 = orient(cx, cy, dx, dy, bx, by);
	double d;

	if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)))
		return 0.0;
	d = pt_seg_dist2(ax, ay, cx, cy, dx, dy);
	d = fmin(d, pt_seg_dist2(bx, by, cx, cy, dx, dy));
	d = fmin(d, pt_seg_dist2(cx, cy, ax, ay, bx, by));
	d = fmin(d, pt_seg_dist2(dx, dy, ax, ay, bx, by));
	return sqrt(d);
}

/* Length of t's projection onto s when both ends of t lie within tol of s's line. */
static double seg_overlap(const build *b, const seg *s, const seg *t, double tol)
{
	double ax = b->x[s->va], ay = b->y[s->va];
	double ux = b->x[s->vb] - ax, uy = b->y[s->vb] - ay, l = hypot(ux, uy);
	double t0, t1, n0, n1;

	if (l <= 0)
		return 0;
	ux /= l;
	uy /= l;
	t0 = (b->x[t->va] - ax) * ux + (b->y[t->va] - ay) * uy;
	t1 = (b->x[t->vb] - ax) * ux + (b->y[t->vb] - ay) * uy;
	n0 = fabs((b->x[t->va] - ax) * uy - (b->y[t->va] - ay) * ux);
	n1 = fabs((b->x[t->vb] - ax) * uy - (b->y[t->vb] - ay) * ux);
	if (n0 > tol || n1 > tol)
		return 0;
	if (t0 > t1) {
		double tmp = t0;
		t0 = t1;
		t1 = tmp;
	}
	t0 = t0 < 0 ? 0 : t0;
	t1 = t1 > l ? l : t1;
	return t1 > t0 ? t1 - t0 : 0;
}

/** The STRtree of free segments and what its callbacks need. */
typedef struct freetree {
	build *b;
	GEOSSTRtree *tree;        /* OWNED */
	GEOSGeometry **rects;     /* OWNED envelopes (kept alive while the tree lives) */
	uint32_t *ids;            /* OWNED free segment ids; items point into this array */
	size_t n;
	const seg *query;         /* segment being queried */
	const void *query_item;   /* its item pointer (nearest search) */
	uint32_t exclude_comp;    /* nearest search: component to skip */
	int exclude_group;        /* nearest search: group that must match */
} freetree;

static GEOSGeometry *seg_rect(build *b, const seg *s, double pad)
{
	double x0 = fmin(b->x[s->va], b->x[s->vb]) - pad, x1 = fmax(b->x[s->va], b->x[s->vb]) + pad;
	double y0 = fmin(b->y[s->va], b->y[s->vb]) - pad, y1 = fmax(b->y[s->va], b->y[s->vb]) + pad;

	return GEOSGeom_createRectangle_r(b->ctx->geos, x0, y0, x1, y1);
}

static void freetree_release(build *b, freetree *ft)
{
	if (ft->tree)
		GEOSSTRtree_destroy_r(b->ctx->geos, ft->tree);
	for (size_t i = 0; i < ft->n; i++)
		if (ft->rects && ft->rects[i])
			GEOSGeom_destroy_r(b->ctx->geos, ft->rects[i]);
	free(ft->rects);
	free(ft->ids);
}

/* Is free segment s in the "main" tree: its commune is in the largest component of
 * its group (main_of[group]) when the trees are built. */
static bool in_main(const build *b, const seg *s, const uint32_t *main_of)
{
	return b->comp[s->c] == main_of[b->group[s->c]];
}

static int freetree_build(build *b, freetree *ft, const uint32_t *main_of, bool want_main)
{
	size_t n = 0;

	memset(ft, 0, sizeof(*ft));
	ft->b = b;
	for (size_t i = 0; i < b->n_seg; i++)
		n += !b->segs[i].matched && in_main(b, &b->segs[i], main_of) == want_main;
	ft->ids = cpts_mallocarray(n ? n : 1, sizeof(uint32_t));
	ft->rects = cpts_calloc(n ? n : 1, sizeof(GEOSGeometry *));
	ft->tree = GEOSSTRtree_create_r(b->ctx->geos, 10);
	if (!ft->tree)
		return cpts_fail_geos(b->ctx, CPTS_EDEP, "cannot create an STRtree");
	for (size_t i = 0; i < b->n_seg; i++) {
		if (b->segs[i].matched || in_main(b, &b->segs[i], main_of) != want_main)
			continue;
		ft->ids[ft->n] = (uint32_t)i;
		ft->rects[ft->n] = seg_rect(b, &b->segs[i], 0);
		if (!ft->rects[ft->n])
			return cpts_fail_geos(b->ctx, CPTS_EDEP, "cannot create an envelope");
		GEOSSTRtree_insert_r(b->ctx->geos, ft->tree, ft->rects[ft->n], &ft->ids[ft->n]);
		ft->n++;
	}
	return CPTS_OK;
}

static void near_cb(void *item, void *ud)
{
	freetree *ft = ud;
	build *b = ft->b;
	const seg *s = ft->query, *t = &b->segs[*(uint32_t *)item];
	pair *p;
	double ov;

	if (t <= s || t->c == s->c || b->group[t->c] != b->group[s->c])
		return; /* each unordered segment pair once */
	if (seg_dist(b, s, t) > b->snap)
		return;
	p = pair_get(b, s->c, t->c);
	p->is_near = true;
	ov = fmax(seg_overlap(b, s, t, b->snap), seg_overlap(b, t, s, b->snap));
	p->near_m += ov;
}

/* Snapping fallback: free segments of two communes within the tolerance (every free
 * segment of either tree against both trees). */
static int snap_pass(build *b, freetree *fa, freetree *fb)
{
	freetree *trees[2] = { fa, fb };

	for (int q = 0; q < 2; q++)
		for (size_t i = 0; i < trees[q]->n; i++) {
			const seg *s = &b->segs[trees[q]->ids[i]];
			GEOSGeometry *r = seg_rect(b, s, b->snap);
			if (!r)
				return cpts_fail_geos(b->ctx, CPTS_EDEP, "cannot create an envelope");
			for (int t = 0; t < 2; t++) {
				trees[t]->query = s;
				GEOSSTRtree_query_r(b->ctx->geos, trees[t]->tree, r, near_cb,
						    trees[t]);
			}
			GEOSGeom_destroy_r(b->ctx->geos, r);
		}
	return CPTS_OK;
}

/* ---- components and bridges ---- */

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static void uf_union(uint32_t *parent, uint32_t x, uint32_t y)
{
	x = uf_find(parent, x);
	y = uf_find(parent, y);
	if (x != y)
		parent[x < y ? y : x] = x < y ? x : y;
}

static int nearest_dist_cb(const void *item1, const void *item2, double *dist, void *ud)
{
	freetree *ft = ud;
	build *b = ft->b;
	const void *other = item1 == ft->query_item && item2 ? item2 : item1;
	const seg *t = &b->segs[*(const uint32_t *)other];
	const seg *s = ft->query;

	if (b->comp[t->c] == ft->exclude_comp || b->group[t->c] != ft->exclude_group)
		*dist = INFINITY; /* never nearer than a real candidate */
	else
		*dist = seg_dist(b, s, t);
	return 1;
}

typedef struct cand {
	build *b;
	uint32_t k;       /* component to skip */
	int grp;          /* group to keep */
	uint32_t *ids;    /* OWNED candidate segment ids */
	size_t n, cap;
} cand;

static void cand_cb(void *item, void *ud)
{
	cand *c = ud;
	const seg *t = &c->b->segs[*(uint32_t *)item];

	if (c->b->comp[t->c] == c->k || c->b->group[t->c] != c->grp)
		return;
	c->ids = grow(c->ids, &c->cap, c->n + 1, sizeof(uint32_t));
	c->ids[c->n++] = *(uint32_t *)item;
}

/*
 * Nearest commune outside component k (same group), from k's free segments: the
 * STRtree nearest-neighbour search in the main tree (which holds none of k's segments,
 * so the search stays short), then the few segments of other small components that
 * lie within that distance of k's bounding box, checked one by one.
 */
static int nearest_outside(build *b, freetree *fa, freetree *fb, uint32_t k, int grp,
			   uint32_t *from, uint32_t *to, double *best)
{
	double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, pad;
	cand c = { b, k, grp, NULL, 0, 0 };
	GEOSGeometry *r = NULL;

	*best = INFINITY;
	*from = *to = NONE;
	fa->exclude_comp = k;
	fa->exclude_group = grp;
	for (size_t i = 0; i < fb->n; i++) {
		const seg *s = &b->segs[fb->ids[i]];
		const void *hit;
		double d = INFINITY;
		if (b->comp[s->c] != k)
			continue;
		x0 = fmin(x0, fmin(b->x[s->va], b->x[s->vb]));
		x1 = fmax(x1, fmax(b->x[s->va], b->x[s->vb]));
		y0 = fmin(y0, fmin(b->y[s->va], b->y[s->vb]));
		y1 = fmax(y1, fmax(b->y[s->va], b->y[s->vb]));
		if (!fa->n)
			continue;
		fa->query = s;
		fa->query_item = &fb->ids[i];
		hit = GEOSSTRtree_nearest_generic_r(b->ctx->geos, fa->tree, &fb->ids[i],
						    fb->rects[i], nearest_dist_cb, fa);
		if (hit)
			nearest_dist_cb(hit, NULL, &d, fa);
		if (d < *best) {
			*best = d;
			*from = s->c;
			*to = b->segs[*(const uint32_t *)hit].c;
		}
	}
	if (!(x0 <= x1))
		return CPTS_OK;
	pad = isfinite(*best) ? *best : 1e8;
	r = GEOSGeom_createRectangle_r(b->ctx->geos, x0 - pad, y0 - pad, x1 + pad, y1 + pad);
	if (!r)
		return cpts_fail_geos(b->ctx, CPTS_EDEP, "cannot create an envelope");
	GEOSSTRtree_query_r(b->ctx->geos, fb->tree, r, cand_cb, &c);
	GEOSGeom_destroy_r(b->ctx->geos, r);
	for (size_t i = 0; i < fb->n && c.n; i++) {
		const seg *s = &b->segs[fb->ids[i]];
		if (b->comp[s->c] != k)
			continue;
		for (size_t j = 0; j < c.n; j++) {
			const seg *t = &b->segs[c.ids[j]];
			double d = seg_dist(b, s, t);
			if (d < *best) {
				*best = d;
				*from = s->c;
				*to = t->c;
			}
		}
	}
	free(c.ids);
	return CPTS_OK;
}

/* Label components from the adjacency pairs (plus bridges); returns their number. */
static size_t label_components(build *b, const bool *keep, const cpts_graph_edge *br,
			       size_t n_br)
{
	uint32_t *parent = cpts_mallocarray(b->n, sizeof(uint32_t));
	size_t nc = 0;

	for (size_t i = 0; i < b->n; i++)
		parent[i] = (uint32_t)i;
	for (size_t i = 0; i < b->n_pair; i++)
		if (keep[i])
			uf_union(parent, b->pairs[i].a, b->pairs[i].b);
	for (size_t i = 0; i < n_br; i++)
		uf_union(parent, (uint32_t)br[i].a, (uint32_t)br[i].b);
	for (size_t i = 0; i < b->n; i++) {
		b->comp[i] = uf_find(parent, (uint32_t)i);
		nc += b->comp[i] == i;
	}
	free(parent);
	return nc;
}

/* The largest component of each group (labels in b->comp); OWNED array by group. */
static uint32_t *group_mains(build *b, int n_groups)
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
static int bridge_components(build *b, freetree *fa, freetree *fb, const bool *keep,
			     cpts_graph_edge **br, size_t *n_br)
{
	size_t cap = 0;
	uint32_t *main_of = NULL;
	int n_groups = 0, rc = CPTS_OK;

	for (size_t i = 0; i < b->n; i++)
		n_groups = b->group[i] + 1 > n_groups ? b->group[i] + 1 : n_groups;
	for (int round = 0; round < 64 && rc == CPTS_OK; round++) {
		bool any = false;
		label_components(b, keep, *br, *n_br);
		free(main_of);
		main_of = group_mains(b, n_groups);
		for (size_t i = 0; i < b->n; i++) {
			uint32_t from, to;
			double d;
			if (b->comp[i] != i || main_of[b->group[i]] == i)
				continue;
			bool dup = false;
			if ((rc = nearest_outside(b, fa, fb, (uint32_t)i, b->group[i], &from, &to,
						  &d)) < 0)
				break;
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

/* ---- assembly ---- */

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

static int cmp_edge(const void *x, const void *y)
{
	const cpts_graph_edge *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

static void build_release(build *b)
{
	free(b->group);
	free(b->qx);
	free(b->qy);
	free(b->x);
	free(b->y);
	free(b->vhead);
	free(b->vslot);
	free(b->node_c);
	free(b->node_next);
	free(b->segs);
	free(b->skey);
	free(b->sval);
	free(b->pairs);
	free(b->pkey);
	free(b->pval);
	free(b->bx0);
	free(b->by0);
	free(b->bx1);
	free(b->by1);
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
	double t0, t1, t2, t3;
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
	b.bx0 = cpts_mallocarray(m->n, sizeof(double));
	b.by0 = cpts_mallocarray(m->n, sizeof(double));
	b.bx1 = cpts_mallocarray(m->n, sizeof(double));
	b.by1 = cpts_mallocarray(m->n, sizeof(double));
	for (size_t i = 0; i < m->n; i++) {
		b.bx0[i] = b.by0[i] = INFINITY;
		b.bx1[i] = b.by1[i] = -INFINITY;
	}
	n_groups = assign_groups(&b, m);
	{
		/* pre-size the hash tables (about 20 distinct vertices per commune in
		 * simplified layers; doubling on demand beyond) to avoid rehashing */
		size_t cap = 1 << 12;
		while (cap < m->n * 48 && cap < ((size_t)1 << 26))
			cap <<= 1;
		vslots_rehash(&b, cap);
		sslots_rehash(&b, cap);
		pslots_rehash(&b, cap / 8);
	}
	t0 = cpts_now();
	if ((rc = read_geometries(&b, m, s)) < 0)
		goto out;
	t1 = cpts_now();
	/* two trees: free segments of the largest exact-contact component of each group,
	 * and the others (islands...), so that nearest searches from an island never wade
	 * through its own segments */
	keep = cpts_mallocarray(b.n_pair + 1, sizeof(bool));
	for (size_t i = 0; i < b.n_pair; i++)
		keep[i] = b.pairs[i].has_vertex || b.pairs[i].has_seg;
	label_components(&b, keep, NULL, 0);
	free(keep);
	keep = NULL;
	main_of = group_mains(&b, n_groups);
	if ((rc = freetree_build(&b, &fa, main_of, true)) < 0 ||
	    (rc = freetree_build(&b, &fb, main_of, false)) < 0)
		goto out;
	t2 = cpts_now();
	if (b.snap > 0 && (rc = snap_pass(&b, &fa, &fb)) < 0)
		goto out;
	t3 = cpts_now();
	keep = select_pairs(&b, opts);
	counts->n_components_before = label_components(&b, keep, NULL, 0);
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
	if (!opts->no_bridges && (rc = bridge_components(&b, &fa, &fb, keep, &br, &n_br)) < 0)
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
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "contiguity: read+hash %.3f s, tree %.3f s, snap %.3f s,"
		 " bridges %.3f s", t1 - t0, t2 - t1, t3 - t2, cpts_now() - t3);
	qsort(edges, n_edges, sizeof(cpts_graph_edge), cmp_edge);
	cpts_note(ctx, "contiguity: %zu vertices, %zu segments (%zu free), %zu pairs",
		  b.n_vert, b.n_seg, fa.n + fb.n, n_edges);
	*edges_out = edges;
	*n_out = n_edges;
	edges = NULL;
out:
	freetree_release(&b, &fa);
	freetree_release(&b, &fb);
	free(main_of);
	free(keep);
	free(br);
	free(edges);
	build_release(&b);
	return rc;
}
