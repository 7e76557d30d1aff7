/*
 * contiguity_snap.c - free segments (those no other commune shares: coasts, national
 * borders, borders that are not vertex-identical): their geometry, their two static
 * R-trees (rtree.h; the main component's and the others', so that nearest searches
 * from an island never wade through its own segments), and the snapping fallback.
 *
 * Snapping: two communes whose free segments run within the tolerance of each other,
 * near-collinear, over more than the tolerance's length, share a border that is not
 * vertex-identical. Segments that merely cross or come close at an angle are overlap
 * artefacts of simplified layers and do not count. The queries run on two threads and
 * their contributions are applied in query order, as a single thread would.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/contiguity_int.h"

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
double cpts_graph__seg_dist(const build *b, const seg *s, const seg *t)
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


void cpts_graph__seg_box(const build *b, const seg *s, double pad, double out[4])
{
	out[0] = fmin(b->x[s->va], b->x[s->vb]) - pad;
	out[1] = fmin(b->y[s->va], b->y[s->vb]) - pad;
	out[2] = fmax(b->x[s->va], b->x[s->vb]) + pad;
	out[3] = fmax(b->y[s->va], b->y[s->vb]) + pad;
}

void cpts_graph__freetree_release(freetree *ft)
{
	cpts_graph__rtree_release(&ft->tree);
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

void cpts_graph__freetree_build(build *b, freetree *ft, const uint32_t *main_of, bool want_main)
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
		cpts_graph__seg_box(b, &b->segs[ft->ids[k]], 0, boxes + 4 * k);
	cpts_graph__rtree_build(&ft->tree, ft->n, boxes);
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
	if (cpts_graph__seg_dist(b, s, t) > b->snap)
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
		cpts_graph__seg_box(b, s, b->snap, box);
		j->query = s;
		for (int t = 0; t < 2; t++) {
			j->cur = j->trees[t];
			cpts_graph__rtree_query(&j->trees[t]->tree, box, near_cb, j);
		}
	}
}

/* Snapping fallback: free segments of two communes within the tolerance (every free
 * segment of either tree against both trees), on two threads; the contributions are
 * applied in query order, as a single thread would. */
void cpts_graph__snap_pass(build *b, freetree *fa, freetree *fb)
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
	cpts_graph__run_halves(snap_half, &j[0], &j[1]);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < j[k].n; i++) {
			pair *p = cpts_graph__pair_get(b, j[k].v[i].a, j[k].v[i].c);
			p->is_near = true;
			p->near_m += j[k].v[i].ov;
		}
		free(j[k].v);
	}
}

