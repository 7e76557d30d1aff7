/*
 * contiguity_int.h - shared by the contiguity files of src/graph/ only (contiguity.c and
 * contiguity_*.c): the work state of one contiguity build and the semi-private
 * functions (cpts_graph__*) of its stages.
 *
 * The build is one idea split by stage, each file a stage:
 *   contiguity.c         assembly: groups, rule, edges (cpts_graph__contiguity)
 *   contiguity_read.c    SpatiaLite / WKB blob parser: ring points into flat arrays
 *   contiguity_pass.c    the two-thread bucketed pass runner and its scratch
 *   contiguity_match.c   exact matching: vertices, segments, pairs (and the pair hash)
 *   contiguity_snap.c    free segments: segment geometry, R-trees, snapping fallback
 *   contiguity_bridge.c  components and bridges between them
 * The why of the method (and its measured costs) is in contiguity.c's header.
 */
#ifndef CPTS_GRAPH_CONTIGUITY_INT_H
#define CPTS_GRAPH_CONTIGUITY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "dep/dep.h"
#include "graph/graph_int.h"
#include "graph/rtree.h"

#define NONE UINT32_MAX

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

static inline void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 1024;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	*cap = c;
	return cpts_reallocarray(p, c, elem);
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

/* ---- contiguity_read.c ---- */

/* Read every commune's rings (model m, from store s) into b's point arrays; b->ring
 * ends with n_pt. CPTS_EINPUT naming the commune whose geometry is not a polygon. */
int cpts_graph__read_rings(build *b, const cpts_model *m, cpts_store *s);

/* ---- contiguity_pass.c ---- */

/* fn on half h0 in a second thread and on h1 here, then wait. */
void cpts_graph__run_halves(void (*fn)(void *), void *h0, void *h1);
/* Scratch buffer k (0 or 1) of b of at least bytes; BORROWED from b, contents not kept. */
void *cpts_graph__pool_get(build *b, int k, size_t bytes);
/* Buckets for n items (a power of two, at most 1,024). */
size_t cpts_graph__n_buckets(size_t n);
/* Clear the local hash table slot of a bucket of m items; returns its mask. */
size_t cpts_graph__local_table(uint32_t *slot, size_t m);
/* The two halves of a pass over n items in nb buckets (h[k].cnt OWNED by h). */
void cpts_graph__halves_init(half h[2], build *b, size_t n, size_t nb);
/* Bucket starts (start, nb + 1 entries, BORROWED by h) from the halves' counts. */
void cpts_graph__halves_start(half h[2], size_t *start, size_t nb);
void cpts_graph__halves_release(half h[2]);

/* ---- contiguity_match.c ---- */

/* Exact matching: vertex ids, distinct vertices and segments (n_vert, n_seg_all), the
 * unshared segments (b->segs), the pair records (b->pairs) and their hash table. */
void cpts_graph__match(build *b);
/* The pair record of communes c and d, created on first use; BORROWED from b (moves
 * when b->pairs grows). */
pair *cpts_graph__pair_get(build *b, uint32_t c, uint32_t d);

/* ---- contiguity_snap.c ---- */

/* Distance between segments s and t (metres). */
double cpts_graph__seg_dist(const build *b, const seg *s, const seg *t);
/* Bounding box of segment s grown by pad: xmin, ymin, xmax, ymax. */
void cpts_graph__seg_box(const build *b, const seg *s, double pad, double out[4]);
/* The R-tree of the free segments whose commune is (want_main) or is not in the main
 * component of its group; ft's contents OWNED by ft. */
void cpts_graph__freetree_build(build *b, freetree *ft, const uint32_t *main_of,
				bool want_main);
void cpts_graph__freetree_release(freetree *ft);
/* Snapping fallback: marks pairs whose free segments run within b->snap (is_near). */
void cpts_graph__snap_pass(build *b, freetree *fa, freetree *fb);

/* ---- contiguity_bridge.c ---- */

/* Components of the kept pairs plus bridges br (labels in b->comp); their number. */
size_t cpts_graph__label_components(build *b, const bool *keep, const cpts_graph_edge *br,
				    size_t n_br);
/* The largest component of each of n_groups groups; OWNED array by group. */
uint32_t *cpts_graph__group_mains(build *b, int n_groups);
/* Bridges (appended to *br, OWNED, *n_br) until each group is one component. */
int cpts_graph__bridge_components(build *b, freetree *fa, freetree *fb, const bool *keep,
				  cpts_graph_edge **br, size_t *n_br);

#endif
