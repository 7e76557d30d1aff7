/*
 * contiguity.c - queen / rook contiguity of the communes, with snapping and bridges.
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
 */
#include <geos_c.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/graph_int.h"
#include "graph/rtree.h"

#define NONE UINT32_MAX
#define QUANTUM 1e-3 /* metres: vertex matching grid */

/** A segment between two vertices, first drawn by commune c. */
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
	/* ring points in reading order; a vertex id is the index of its first point */
	double *x, *y;             /* OWNED point coordinates */
	uint32_t *pc;              /* OWNED commune of each point */
	size_t n_pt, cap_pt;
	uint32_t *ring;            /* OWNED first point of each ring, then n_pt */
	size_t n_ring, cap_ring;
	size_t n_vert;             /* distinct vertices */
	size_t n_seg_all;          /* distinct segments */
	/* free segments, in the order they were first drawn */
	seg *segs;                 /* OWNED */
	size_t n_seg, cap_seg;
	/* pairs */
	pair *pairs;               /* OWNED */
	size_t n_pair, cap_pair;
	uint64_t *pkey;            /* OWNED (a << 32 | b) + 1 */
	uint32_t *pval;
	size_t pslot_cap;
	/* scratch reused by the matching passes (fresh pages cost a fault each) */
	void *pool[2];             /* OWNED */
	size_t pool_cap[2];
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

/* ---- reading: ring points into flat arrays ---- */

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

/* Byte order and type of the next WKB geometry; dims = coordinates per point. */
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

/* Append the rings of a polygon body (ring count, then each ring's point count and
 * points) to the point arrays as points of commune c. */
static int wkb_polygon(build *b, wkb *w, uint32_t c, int dims)
{
	uint32_t n_rings;

	if (!wkb_u32(w, &n_rings))
		return -1;
	for (uint32_t r = 0; r < n_rings; r++) {
		uint32_t n_pts;
		size_t cap;
		if (!wkb_u32(w, &n_pts) || (size_t)(w->end - w->p) < (size_t)n_pts * 8 * dims)
			return -1;
		if (!n_pts)
			continue;
		if (b->n_pt + n_pts >= NONE)
			return -1;
		if (b->n_pt + n_pts > b->cap_pt) {
			cap = b->cap_pt;
			b->x = grow(b->x, &cap, b->n_pt + n_pts, sizeof(double));
			cap = b->cap_pt;
			b->y = grow(b->y, &cap, b->n_pt + n_pts, sizeof(double));
			b->pc = grow(b->pc, &b->cap_pt, b->n_pt + n_pts, sizeof(uint32_t));
		}
		b->ring = grow(b->ring, &b->cap_ring, b->n_ring + 2, sizeof(uint32_t));
		b->ring[b->n_ring++] = (uint32_t)b->n_pt;
		for (uint32_t k = 0; k < n_pts; k++, w->p += 8 * dims) {
			uint64_t vx, vy;
			memcpy(&vx, w->p, 8);
			memcpy(&vy, w->p + 8, 8);
			if (w->swap) {
				vx = __builtin_bswap64(vx);
				vy = __builtin_bswap64(vy);
			}
			memcpy(&b->x[b->n_pt], &vx, 8);
			memcpy(&b->y[b->n_pt], &vy, 8);
			b->pc[b->n_pt++] = c;
		}
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

/* Coordinates per point of an uncompressed SpatiaLite class (XY, XYZ, XYM, XYZM) of
 * base type want, 0 for anything else (compressed classes included). */
static int spl_dims(uint32_t t, uint32_t want)
{
	return t == want ? 2 : t == 1000 + want || t == 2000 + want ? 3
	       : t == 3000 + want ? 4 : 0;
}

/*
 * Walk the SpatiaLite blob of commune c: 0x00, byte order, SRID, MBR (4 doubles), 0x7C,
 * class, body, 0xFE; a Polygon body as in WKB, a MultiPolygon one as a part count
 * then, per part, 0x69, the class and a Polygon body. Returns 1 for a layout it does
 * not know (compressed geometries...), leaving the point arrays as they were.
 */
static int spl_walk(build *b, const unsigned char *d, size_t len, uint32_t c)
{
	wkb w = { d + 43, d + len - 1, false };
	size_t n_pt = b->n_pt, n_ring = b->n_ring;
	uint32_t type, n_parts;
	int dims;

	if (len < 48 || d[0] != 0x00 || (d[1] != 0 && d[1] != 1) || d[38] != 0x7C ||
	    d[len - 1] != 0xFE)
		return 1;
	w.swap = (d[1] == 1) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
	w.p = d + 39;
	if (!wkb_u32(&w, &type))
		return 1;
	if ((dims = spl_dims(type, 3)) > 0) {
		if (wkb_polygon(b, &w, c, dims) < 0)
			goto unknown;
	} else if (spl_dims(type, 6) > 0 && wkb_u32(&w, &n_parts)) {
		for (uint32_t i = 0; i < n_parts; i++) {
			if (w.p >= w.end || *w.p++ != 0x69 || !wkb_u32(&w, &type) ||
			    (dims = spl_dims(type, 3)) == 0 || wkb_polygon(b, &w, c, dims) < 0)
				goto unknown;
		}
	} else {
		return 1;
	}
	if (w.p == w.end)
		return 0;
unknown:
	b->n_pt = n_pt;
	b->n_ring = n_ring;
	return 1;
}

/* One commune's geometry blob (cpts_store_commune_blobs): its rings into the point
 * arrays; > 0 asks for the blob as WKB (another SpatiaLite layout). */
typedef struct geom_arg {
	build *b;
	const cpts_model *m;
	cpts_store *s;
	size_t done;
} geom_arg;

static int add_geometry(void *arg, const char *code, const unsigned char *blob, size_t len,
			bool as_wkb)
{
	geom_arg *g = arg;
	long i = cpts_model_find(g->m, code);
	int w = -1, rc;

	if (i < 0)
		return 0;
	if (blob && !as_wkb && (w = spl_walk(g->b, blob, len, (uint32_t)i)) > 0)
		return 1;
	if (blob && as_wkb)
		w = wkb_walk(g->b, blob, len, (uint32_t)i);
	if (w < 0) {
		rc = cpts_fail(g->b->ctx, CPTS_EINPUT, "the geometry of commune %s is missing or"
			       " is not a polygon", code);
		cpts_error_where(g->b->ctx, "%s|communes|code=%s", cpts_store_path(g->s), code);
		return rc;
	}
	if ((++g->done & 4095) == 0 &&
	    (rc = cpts_progress(g->b->ctx, 0.6 * (double)g->done / (double)g->m->n,
				"contiguity")) < 0)
		return rc;
	return 0;
}

/* Read every commune's rings into the point arrays. */
static int read_geometries(build *b, const cpts_model *m, cpts_store *s)
{
	geom_arg g = { b, m, s, 0 };
	int rc;

	if ((rc = cpts_store_commune_blobs(b->ctx, s, add_geometry, &g)) < 0)
		return rc;
	b->ring = grow(b->ring, &b->cap_ring, b->n_ring + 1, sizeof(uint32_t));
	b->ring[b->n_ring] = (uint32_t)b->n_pt;
	return CPTS_OK;
}

/* ---- matching by bucketing ---- */

/*
 * Points, segment occurrences and pair contributions are each grouped by exact key the
 * same way: scattered into buckets by a hash of the key (stable: every bucket keeps its
 * items in reading order), then each bucket, a thousand-odd items that fit in the
 * cache, is grouped with a small hash table. The work of one big hash table, without
 * a cache miss per item. Each pass runs on two threads, as two halves with disjoint
 * outputs (items [0, n/2) and [n/2, n) for counting and scattering, the first and the
 * second half of the buckets for grouping), joined in order: the result is that of a
 * single thread, whatever the scheduling.
 */

/* Scratch buffer k of at least bytes (contents not kept). */
static void *pool_get(build *b, int k, size_t bytes)
{
	if (bytes > b->pool_cap[k]) {
		free(b->pool[k]);
		b->pool[k] = cpts_malloc(bytes);
		b->pool_cap[k] = bytes;
	}
	return b->pool[k];
}

/* Buckets for n items: a power of two, at most 1,024 (more scatter streams than that
 * thrash the TLB), giving buckets of about a thousand items or more. */
static size_t n_buckets(size_t n)
{
	size_t nb = 1;

	while (nb < n / 1024 && nb < 1024)
		nb <<= 1;
	return nb;
}

/* Local hash table of a bucket of m items: cleared, returns its mask. */
static size_t local_table(uint32_t *slot, size_t m)
{
	size_t cap = 8;

	while (cap < 2 * m)
		cap <<= 1;
	memset(slot, 0xff, cap * sizeof(uint32_t));
	return cap - 1;
}

/* llround(v / QUANTUM), inlined: the same integer, half-way cases away from zero. */
static inline int64_t quantise(double v)
{
	double q = v / QUANTUM, f;
	int64_t t;

	if (!(fabs(q) < 4e15))
		return llround(q);
	t = (int64_t)q;     /* truncated towards zero */
	f = q - (double)t;  /* exact: the fractional part */
	return t + (f >= 0.5) - (f <= -0.5);
}

static inline uint64_t vertex_hash(int64_t qx, int64_t qy)
{
	return mix64((uint64_t)qx * 31 + (uint64_t)qy);
}

/** A pair contribution: a shared vertex (len < 0) or a shared segment of length len. */
typedef struct prec {
	uint64_t pk;  /* a << 32 | b, a < b */
	double len;
} prec;

typedef struct pvec {
	prec *v;      /* OWNED */
	size_t n, cap;
} pvec;

static void pvec_push(pvec *pv, uint32_t c, uint32_t d, double len)
{
	if (pv->n == pv->cap)
		pv->v = grow(pv->v, &pv->cap, pv->n + 1, sizeof(prec));
	pv->v[pv->n].pk = c < d ? (uint64_t)c << 32 | d : (uint64_t)d << 32 | c;
	pv->v[pv->n++].len = len;
}

/* Append src's contributions to dst. */
static void pvec_append(pvec *dst, const pvec *src)
{
	if (!src->n)
		return;
	dst->v = grow(dst->v, &dst->cap, dst->n + src->n, sizeof(prec));
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(prec));
	dst->n += src->n;
}

/* ---- the two halves of a pass ---- */

typedef struct task {
	void (*fn)(void *);
	void *arg;
} task;

static void *task_main(void *t)
{
	((task *)t)->fn(((task *)t)->arg);
	return NULL;
}

/* fn on half h0 in a second thread and on h1 here, then wait (both here when no
 * thread can be started). */
static void run_halves(void (*fn)(void *), void *h0, void *h1)
{
	task t = { fn, h0 };
	pthread_t th;

	if (pthread_create(&th, NULL, task_main, &t) != 0) {
		fn(h0);
		fn(h1);
		return;
	}
	fn(h1);
	pthread_join(th, NULL);
}

/** One half of a bucketed pass. Shared arrays are written at disjoint places. */
typedef struct half {
	build *b;
	size_t lo, hi;         /* items counted and scattered by this half */
	size_t klo, khi;       /* buckets grouped by this half */
	size_t nb;             /* buckets */
	size_t *cnt;           /* OWNED: items of [lo, hi) per bucket, then write cursors */
	const size_t *start;   /* BORROWED bucket starts, start[nb] = items */
	size_t big;            /* largest bucket */
	uint32_t *bk;          /* BORROWED bucket of each item */
	void *r;               /* BORROWED records, by bucket */
	/* inputs and outputs of the passes */
	uint32_t *vid;         /* vertices: vertex id of each point */
	const uint32_t *oa, *ob, *oc; /* segments: occurrences */
	uint32_t *mt;          /* segments: first occurrence a later one matches */
	unsigned char *fl;     /* segments: 1 first occurrence, 2 shared */
	const prec *pin;       /* pairs: contributions */
	pvec pv;               /* OWNED vertices: queen contributions of this half */
	size_t count;          /* distinct vertices / segments found */
	pair *pairs;           /* OWNED pairs: the pair records of this half */
	size_t n_pairs, cap_pairs;
	seg *segs;             /* OWNED segments: the unshared segments of this half */
	size_t n_segs, cap_segs;
} half;

static void halves_init(half h[2], build *b, size_t n, size_t nb)
{
	memset(h, 0, 2 * sizeof(half));
	for (int k = 0; k < 2; k++) {
		h[k].b = b;
		h[k].nb = nb;
		h[k].cnt = cpts_calloc(nb + 1, sizeof(size_t));
		h[k].lo = k ? n / 2 : 0;
		h[k].hi = k ? n : n / 2;
	}
}

/*
 * Bucket starts from the two halves' counts; each half's counts become its write
 * cursors, half 0's items first in every bucket (so the scatter keeps reading order).
 * The buckets are split between the halves at about half the items.
 */
static void halves_start(half h[2], size_t *start, size_t nb)
{
	size_t sum = 0, big = 0, ks = 0;

	for (size_t k = 0; k < nb; k++) {
		size_t c0 = h[0].cnt[k], c1 = h[1].cnt[k];
		start[k] = h[0].cnt[k] = sum;
		h[1].cnt[k] = sum + c0;
		sum += c0 + c1;
		big = c0 + c1 > big ? c0 + c1 : big;
	}
	start[nb] = sum;
	while (ks < nb && start[ks] < sum / 2)
		ks++;
	for (int k = 0; k < 2; k++) {
		h[k].start = start;
		h[k].big = big;
		h[k].klo = k ? ks : 0;
		h[k].khi = k ? nb : ks;
	}
}

static void halves_release(half h[2])
{
	for (int k = 0; k < 2; k++) {
		free(h[k].cnt);
		free(h[k].pv.v);
		free(h[k].pairs);
		free(h[k].segs);
	}
}

/* ---- vertices ---- */

/** A point in its vertex bucket. */
typedef struct vrec {
	int64_t qx, qy;  /* quantised coordinates */
	uint32_t i, c;   /* point index, commune */
} vrec;

static void vx_count(void *arg)
{
	half *h = arg;
	const build *b = h->b;

	for (size_t i = h->lo; i < h->hi; i++) {
		h->bk[i] = (uint32_t)(vertex_hash(quantise(b->x[i]), quantise(b->y[i])) &
				      (h->nb - 1));
		h->cnt[h->bk[i]]++;
	}
}

static void vx_scatter(void *arg)
{
	half *h = arg;
	const build *b = h->b;
	vrec *r = h->r;

	for (size_t i = h->lo; i < h->hi; i++)
		r[h->cnt[h->bk[i]]++] = (vrec){ quantise(b->x[i]), quantise(b->y[i]),
						(uint32_t)i, b->pc[i] };
}

/* Group each bucket by exact coordinates: vertex ids, and a queen contribution for
 * every two communes of the same group meeting at a vertex. */
static void vx_group(void *arg)
{
	half *h = arg;
	const build *b = h->b;
	const vrec *r = h->r;
	uint32_t *slot = cpts_mallocarray(4 * h->big + 8, sizeof(uint32_t));
	uint32_t *head = cpts_mallocarray(h->big + 1, sizeof(uint32_t));
	uint32_t *nxt = cpts_mallocarray(h->big + 1, sizeof(uint32_t));
	uint32_t *cs = NULL; /* distinct communes at one vertex */
	size_t cs_cap = 0;

	for (size_t k = h->klo; k < h->khi; k++) {
		const vrec *rb = r + h->start[k];
		size_t m = h->start[k + 1] - h->start[k], mask = local_table(slot, m);
		for (size_t j = 0; j < m; j++) {
			const vrec *p = &rb[j];
			size_t s = (size_t)(vertex_hash(p->qx, p->qy) >> 32) & mask;
			head[j] = nxt[j] = NONE;
			for (;; s = (s + 1) & mask) {
				uint32_t f = slot[s];
				if (f == NONE) {
					slot[s] = (uint32_t)j;
					h->vid[p->i] = p->i;
					h->count++;
					break;
				}
				if (rb[f].qx == p->qx && rb[f].qy == p->qy) {
					h->vid[p->i] = rb[f].i;
					nxt[j] = head[f];
					head[f] = (uint32_t)j;
					break;
				}
			}
		}
		/* queen contributions: the distinct communes of each shared vertex */
		for (size_t j = 0; j < m; j++) {
			size_t n_cs = 0;
			if (head[j] == NONE)
				continue;
			for (uint32_t u = (uint32_t)j; u != NONE; u = u == j ? head[j] : nxt[u]) {
				bool seen = false;
				uint32_t c = rb[u].c;
				for (size_t v = 0; v < n_cs && !seen; v++)
					seen = cs[v] == c;
				if (seen)
					continue;
				for (size_t v = 0; v < n_cs; v++)
					if (b->group[cs[v]] == b->group[c])
						pvec_push(&h->pv, cs[v], c, -1.0);
				cs = grow(cs, &cs_cap, n_cs + 1, sizeof(uint32_t));
				cs[n_cs++] = c;
			}
		}
	}
	free(cs);
	free(slot);
	free(head);
	free(nxt);
}

/*
 * Vertex id of every point (vid, n_pt entries: the index of the first point with the
 * same quantised coordinates), the number of distinct vertices, and the queen
 * contributions (appended to pv).
 */
static void match_vertices(build *b, uint32_t *vid, pvec *pv)
{
	size_t n = b->n_pt, nb = n_buckets(n);
	size_t *start = cpts_calloc(nb + 1, sizeof(size_t));
	uint32_t *bk = pool_get(b, 1, (n + 1) * sizeof(uint32_t));
	vrec *r = pool_get(b, 0, (n + 1) * sizeof(vrec));
	half h[2];

	halves_init(h, b, n, nb);
	for (int k = 0; k < 2; k++) {
		h[k].bk = bk;
		h[k].r = r;
		h[k].vid = vid;
	}
	run_halves(vx_count, &h[0], &h[1]);
	halves_start(h, start, nb);
	run_halves(vx_scatter, &h[0], &h[1]);
	run_halves(vx_group, &h[0], &h[1]);
	b->n_vert += h[0].count + h[1].count;
	pvec_append(pv, &h[0].pv);
	pvec_append(pv, &h[1].pv);
	halves_release(h);
	free(start);
}

/* ---- segments ---- */

/** A segment occurrence in its bucket. */
typedef struct srec {
	uint64_t key;   /* va << 32 | vb */
	uint32_t j, c;  /* occurrence number (reading order), commune */
} srec;

static void sg_count(void *arg)
{
	half *h = arg;

	for (size_t j = h->lo; j < h->hi; j++) {
		h->bk[j] = (uint32_t)(mix64((uint64_t)h->oa[j] << 32 | h->ob[j]) & (h->nb - 1));
		h->cnt[h->bk[j]]++;
	}
}

static void sg_scatter(void *arg)
{
	half *h = arg;
	srec *r = h->r;

	for (size_t j = h->lo; j < h->hi; j++)
		r[h->cnt[h->bk[j]]++] = (srec){ (uint64_t)h->oa[j] << 32 | h->ob[j], (uint32_t)j,
						h->oc[j] };
}

/* Group each bucket by segment: the first occurrence owns it, a later one by another
 * commune of the same group shares it (mt, fl). */
static void sg_group(void *arg)
{
	half *h = arg;
	const build *b = h->b;
	const srec *r = h->r;
	uint32_t *slot = cpts_mallocarray(4 * h->big + 8, sizeof(uint32_t));

	for (size_t k = h->klo; k < h->khi; k++) {
		const srec *rb = r + h->start[k];
		size_t m = h->start[k + 1] - h->start[k], mask = local_table(slot, m);
		for (size_t j = 0; j < m; j++) {
			const srec *p = &rb[j];
			size_t s = (size_t)(mix64(p->key) >> 32) & mask;
			for (;; s = (s + 1) & mask) {
				uint32_t f = slot[s];
				if (f == NONE) {
					slot[s] = (uint32_t)j;
					h->fl[p->j] |= 1;
					h->count++;
					break;
				}
				if (rb[f].key == p->key) {
					uint32_t c0 = rb[f].c;
					if (c0 != p->c && b->group[c0] == b->group[p->c]) {
						h->mt[p->j] = rb[f].j;
						h->fl[rb[f].j] |= 2;
					}
					break;
				}
			}
		}
	}
	free(slot);
}

/* In reading order: the rook contributions of the shared occurrences, and the
 * unshared segments. */
static void sg_emit(void *arg)
{
	half *h = arg;
	const build *b = h->b;

	for (size_t j = h->lo; j < h->hi; j++) {
		if (h->mt[j] != NONE) {
			double dx = b->x[h->ob[j]] - b->x[h->oa[j]];
			double dy = b->y[h->ob[j]] - b->y[h->oa[j]];
			/* sqrt, not hypot: no overflow at these magnitudes, and 5 times faster */
			pvec_push(&h->pv, h->oc[h->mt[j]], h->oc[j], sqrt(dx * dx + dy * dy));
		} else if (h->fl[j] == 1) {
			h->segs = grow(h->segs, &h->cap_segs, h->n_segs + 1, sizeof(seg));
			h->segs[h->n_segs++] = (seg){ h->oa[j], h->ob[j], h->oc[j], 0 };
		}
	}
}

/*
 * Segments: every pair of consecutive points on distinct vertices (and the closing one
 * of an unclosed ring) is an occurrence (va < vb, commune), numbered in reading order;
 * the first occurrence of a segment owns it. A later occurrence by another commune of
 * the same group makes the owner and it rook neighbours: a contribution of the
 * segment's length, emitted in reading order. Unshared segments go to b->segs.
 */
static void match_segments(build *b, const uint32_t *vid, pvec *pv)
{
	size_t n = b->n_pt, n_occ = 0, nb;
	uint32_t *oa = cpts_mallocarray(n + 1, sizeof(uint32_t));
	uint32_t *ob = cpts_mallocarray(n + 1, sizeof(uint32_t));
	uint32_t *oc = cpts_mallocarray(n + 1, sizeof(uint32_t));
	uint32_t *mt;
	unsigned char *fl;
	size_t *start;
	half h[2];

	for (size_t q = 0; q < b->n_ring; q++) {
		uint32_t prev = NONE, first = NONE;
		for (size_t k = b->ring[q]; k <= b->ring[q + 1]; k++) {
			/* k == end: the closing segment of an unclosed ring */
			uint32_t v = k < b->ring[q + 1] ? vid[k] : first;
			if (prev != NONE && prev != v) {
				oa[n_occ] = prev < v ? prev : v;
				ob[n_occ] = prev < v ? v : prev;
				oc[n_occ++] = b->pc[b->ring[q]];
			}
			if (first == NONE)
				first = v;
			prev = v;
		}
	}
	nb = n_buckets(n_occ);
	start = cpts_calloc(nb + 1, sizeof(size_t));
	mt = cpts_mallocarray(n_occ + 1, sizeof(uint32_t));
	memset(mt, 0xff, (n_occ + 1) * sizeof(uint32_t));
	fl = cpts_calloc(n_occ + 1, 1);
	halves_init(h, b, n_occ, nb);
	for (int k = 0; k < 2; k++) {
		h[k].bk = pool_get(b, 1, (n_occ + 1) * sizeof(uint32_t));
		h[k].r = pool_get(b, 0, (n_occ + 1) * sizeof(srec));
		h[k].oa = oa;
		h[k].ob = ob;
		h[k].oc = oc;
		h[k].mt = mt;
		h[k].fl = fl;
	}
	run_halves(sg_count, &h[0], &h[1]);
	halves_start(h, start, nb);
	run_halves(sg_scatter, &h[0], &h[1]);
	run_halves(sg_group, &h[0], &h[1]);
	b->n_seg_all += h[0].count + h[1].count;
	run_halves(sg_emit, &h[0], &h[1]);
	for (int k = 0; k < 2; k++) {
		pvec_append(pv, &h[k].pv);
		b->segs = grow(b->segs, &b->cap_seg, b->n_seg + h[k].n_segs + 1, sizeof(seg));
		if (h[k].n_segs)
			memcpy(b->segs + b->n_seg, h[k].segs, h[k].n_segs * sizeof(seg));
		b->n_seg += h[k].n_segs;
	}
	halves_release(h);
	free(oa);
	free(ob);
	free(oc);
	free(mt);
	free(fl);
	free(start);
}

/* ---- pairs ---- */

static void pr_count(void *arg)
{
	half *h = arg;

	for (size_t i = h->lo; i < h->hi; i++) {
		h->bk[i] = (uint32_t)(mix64(h->pin[i].pk) & (h->nb - 1));
		h->cnt[h->bk[i]]++;
	}
}

static void pr_scatter(void *arg)
{
	half *h = arg;
	prec *r = h->r;

	for (size_t i = h->lo; i < h->hi; i++)
		r[h->cnt[h->bk[i]]++] = h->pin[i];
}

/* Group each bucket by pair into this half's pair records, summing shared lengths in
 * emission order. */
static void pr_group(void *arg)
{
	half *h = arg;
	const prec *r = h->r;
	uint32_t *slot = cpts_mallocarray(4 * h->big + 8, sizeof(uint32_t));

	for (size_t k = h->klo; k < h->khi; k++) {
		const prec *rb = r + h->start[k];
		size_t m = h->start[k + 1] - h->start[k], mask = local_table(slot, m);
		for (size_t j = 0; j < m; j++) {
			size_t s = (size_t)(mix64(rb[j].pk) >> 32) & mask;
			pair *p;
			for (;; s = (s + 1) & mask) {
				uint32_t f = slot[s];
				if (f == NONE) {
					slot[s] = (uint32_t)h->n_pairs;
					h->pairs = grow(h->pairs, &h->cap_pairs, h->n_pairs + 1,
							sizeof(pair));
					p = &h->pairs[h->n_pairs++];
					memset(p, 0, sizeof(*p));
					p->a = (uint32_t)(rb[j].pk >> 32);
					p->b = (uint32_t)rb[j].pk;
					break;
				}
				p = &h->pairs[f];
				if (((uint64_t)p->a << 32 | p->b) == rb[j].pk)
					break;
			}
			if (rb[j].len < 0) {
				p->has_vertex = true;
			} else {
				p->has_seg = true;
				p->shared_m += rb[j].len;
			}
		}
	}
	free(slot);
}

/* The pair records from the contributions, shared lengths summed in emission order;
 * then the pair hash table that the snapping pass extends. */
static void make_pairs(build *b, const pvec *pv)
{
	size_t n = pv->n, nb = n_buckets(n), cap = 1 << 12;
	size_t *start = cpts_calloc(nb + 1, sizeof(size_t));
	half h[2];

	halves_init(h, b, n, nb);
	for (int k = 0; k < 2; k++) {
		h[k].bk = pool_get(b, 1, (n + 1) * sizeof(uint32_t));
		h[k].r = pool_get(b, 0, (n + 1) * sizeof(prec));
		h[k].pin = pv->v;
	}
	run_halves(pr_count, &h[0], &h[1]);
	halves_start(h, start, nb);
	run_halves(pr_scatter, &h[0], &h[1]);
	run_halves(pr_group, &h[0], &h[1]);
	for (int k = 0; k < 2; k++) {
		b->pairs = grow(b->pairs, &b->cap_pair, b->n_pair + h[k].n_pairs + 1,
				sizeof(pair));
		if (h[k].n_pairs)
			memcpy(b->pairs + b->n_pair, h[k].pairs, h[k].n_pairs * sizeof(pair));
		b->n_pair += h[k].n_pairs;
	}
	halves_release(h);
	free(start);
	while (cap < 2 * (b->n_pair + 1))
		cap <<= 1;
	pslots_rehash(b, cap);
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
	double ux = b->x[s->vb] - ax, uy = b->y[s->vb] - ay, l = sqrt(ux * ux + uy * uy);
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

/** The R-tree of free segments (graph/rtree.h) and what its callbacks need. */
typedef struct freetree {
	build *b;
	cpts_rtree tree;          /* OWNED; item k is free segment ids[k] */
	uint32_t *ids;            /* OWNED free segment ids */
	size_t n;
	const seg *query;         /* segment being queried */
	uint32_t exclude_comp;    /* nearest search: component to skip */
	int exclude_group;        /* nearest search: group that must match */
} freetree;

static void seg_box(const build *b, const seg *s, double pad, double out[4])
{
	out[0] = fmin(b->x[s->va], b->x[s->vb]) - pad;
	out[1] = fmin(b->y[s->va], b->y[s->vb]) - pad;
	out[2] = fmax(b->x[s->va], b->x[s->vb]) + pad;
	out[3] = fmax(b->y[s->va], b->y[s->vb]) + pad;
}

static void freetree_release(freetree *ft)
{
	cpts_rtree_release(&ft->tree);
	free(ft->ids);
	ft->ids = NULL;
}

/* Is free segment s in the "main" tree: its commune is in the largest component of
 * its group (main_of[group]) when the trees are built. */
static bool in_main(const build *b, const seg *s, const uint32_t *main_of)
{
	return b->comp[s->c] == main_of[b->group[s->c]];
}

static int cmp_seg_commune(const void *x, const void *y, void *arg)
{
	const build *b = arg;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;

	if (b->segs[i].c != b->segs[j].c)
		return b->segs[i].c < b->segs[j].c ? -1 : 1;
	return (i > j) - (i < j);
}

static void freetree_build(build *b, freetree *ft, const uint32_t *main_of, bool want_main)
{
	size_t n = 0;
	double *boxes;

	memset(ft, 0, sizeof(*ft));
	ft->b = b;
	for (size_t i = 0; i < b->n_seg; i++)
		n += !b->segs[i].matched && in_main(b, &b->segs[i], main_of) == want_main;
	ft->ids = cpts_mallocarray(n ? n : 1, sizeof(uint32_t));
	boxes = cpts_mallocarray(4 * (n ? n : 1), sizeof(double));
	for (size_t i = 0; i < b->n_seg; i++)
		if (!b->segs[i].matched && in_main(b, &b->segs[i], main_of) == want_main)
			ft->ids[ft->n++] = (uint32_t)i;
	/* by commune (then drawing order): the tree's ties go to the lowest item id, so a
	 * nearest search between equidistant communes picks the lowest code */
	if (ft->n > 1)
		qsort_r(ft->ids, ft->n, sizeof(uint32_t), cmp_seg_commune, b);
	for (size_t k = 0; k < ft->n; k++)
		seg_box(b, &b->segs[ft->ids[k]], 0, boxes + 4 * k);
	cpts_rtree_build(&ft->tree, ft->n, boxes);
	free(boxes);
}

/** A snapping contribution: communes a (queried segment) and c, near-collinear
 * overlap ov (metres). */
typedef struct nrec {
	uint32_t a, c;
	double ov;
} nrec;

/** One half of the snapping pass: queries lo..hi of the sequence "every free segment
 * of fa, then of fb", each against both trees. */
typedef struct snapjob {
	build *b;
	freetree *trees[2];
	size_t lo, hi;
	const freetree *cur;      /* tree being queried */
	const seg *query;         /* segment being queried */
	nrec *v;                  /* OWNED contributions, in query order */
	size_t n, cap;
} snapjob;

static void near_cb(uint32_t item, void *ud)
{
	snapjob *j = ud;
	const build *b = j->b;
	const seg *s = j->query, *t = &b->segs[j->cur->ids[item]];

	if (t <= s || t->c == s->c || b->group[t->c] != b->group[s->c])
		return; /* each unordered segment pair once */
	if (seg_dist(b, s, t) > b->snap)
		return;
	j->v = grow(j->v, &j->cap, j->n + 1, sizeof(nrec));
	j->v[j->n++] = (nrec){ s->c, t->c,
			       fmax(seg_overlap(b, s, t, b->snap), seg_overlap(b, t, s, b->snap)) };
}

static void snap_half(void *arg)
{
	snapjob *j = arg;
	const build *b = j->b;
	size_t na = j->trees[0]->n;

	for (size_t k = j->lo; k < j->hi; k++) {
		const freetree *ft = j->trees[k < na ? 0 : 1];
		const seg *s = &b->segs[ft->ids[k < na ? k : k - na]];
		double box[4];
		seg_box(b, s, b->snap, box);
		j->query = s;
		for (int t = 0; t < 2; t++) {
			j->cur = j->trees[t];
			cpts_rtree_query(&j->trees[t]->tree, box, near_cb, j);
		}
	}
}

/* Snapping fallback: free segments of two communes within the tolerance (every free
 * segment of either tree against both trees), on two threads; the contributions are
 * applied in query order, as a single thread would. */
static void snap_pass(build *b, freetree *fa, freetree *fb)
{
	size_t total = fa->n + fb->n;
	snapjob j[2];

	memset(j, 0, sizeof(j));
	for (int k = 0; k < 2; k++) {
		j[k].b = b;
		j[k].trees[0] = fa;
		j[k].trees[1] = fb;
		j[k].lo = k ? total / 2 : 0;
		j[k].hi = k ? total : total / 2;
	}
	run_halves(snap_half, &j[0], &j[1]);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < j[k].n; i++) {
			pair *p = pair_get(b, j[k].v[i].a, j[k].v[i].c);
			p->is_near = true;
			p->near_m += j[k].v[i].ov;
		}
		free(j[k].v);
	}
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

/* Exact distance from the queried segment to free segment item of ft (INFINITY for
 * segments of the excluded component or of another group). */
static double nearest_dist(uint32_t item, void *ud)
{
	freetree *ft = ud;
	build *b = ft->b;
	const seg *t = &b->segs[ft->ids[item]];

	if (b->comp[t->c] == ft->exclude_comp || b->group[t->c] != ft->exclude_group)
		return INFINITY;
	return seg_dist(b, ft->query, t);
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
		seg_box(b, s, 0, q);
		bb[0] = fmin(bb[0], q[0]);
		bb[1] = fmin(bb[1], q[1]);
		bb[2] = fmax(bb[2], q[2]);
		bb[3] = fmax(bb[3], q[3]);
		fa->query = s;
		/* nothing farther than the best so far can win (equal can, by the ties) */
		hit = cpts_rtree_nearest(&fa->tree, q, *best, nearest_dist, fa, &d);
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
	cpts_rtree_query(&fb->tree, bb, cand_cb, &c);
	for (size_t i = 0; i < fb->n && c.n; i++) {
		const seg *s = &b->segs[fb->ids[i]];
		if (b->comp[s->c] != k)
			continue;
		for (size_t j = 0; j < c.n; j++) {
			const seg *t = &b->segs[c.ids[j]];
			take_nearer(seg_dist(b, s, t), s->c, t->c, best, from, to);
		}
	}
	free(c.ids);
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
	if ((rc = read_geometries(&b, m, s)) < 0)
		goto out;
	tr = cpts_now();
	{
		uint32_t *vid = cpts_mallocarray(b.n_pt + 1, sizeof(uint32_t));
		pvec pv = { NULL, 0, 0 };
		pv.cap = b.n_pt + 1; /* about one contribution per point on France */
		pv.v = cpts_mallocarray(pv.cap, sizeof(prec));
		match_vertices(&b, vid, &pv);
		match_segments(&b, vid, &pv);
		free(vid);
		make_pairs(&b, &pv);
		free(pv.v);
	}
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
	freetree_build(&b, &fa, main_of, true);
	freetree_build(&b, &fb, main_of, false);
	t2 = cpts_now();
	if (b.snap > 0)
		snap_pass(&b, &fa, &fb);
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
	freetree_release(&fa);
	freetree_release(&fb);
	free(main_of);
	free(keep);
	free(br);
	free(edges);
	build_release(&b);
	return rc;
}
