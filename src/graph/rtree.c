/*
 * rtree.c - static packed R-tree (see rtree.h).
 *
 * Built once, bottom-up: the items are ordered by sort-tile-recursive (slices by box
 * centre x, each slice by centre y), 16 consecutive nodes make a parent, up to a single
 * root. Range queries walk it depth first with a fixed stack; the nearest search is
 * best first on a binary heap keyed by the distance between boxes (a lower bound of the
 * exact distance), so it stops as soon as no box can hold anything nearer.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "graph/rtree.h"

#define FANOUT 16
#define MAX_LEVELS 16 /* 16^16 items: never reached */

typedef struct sort_ctx {
	const double *boxes;
	int axis; /* 0: by centre x, then y; 1: by centre y, then x */
} sort_ctx;

static int cmp_centre(const void *a, const void *b, void *arg)
{
	const sort_ctx *c = arg;
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	const double *p = c->boxes + 4 * (size_t)i, *q = c->boxes + 4 * (size_t)j;
	double pa = p[c->axis] + p[c->axis + 2], qa = q[c->axis] + q[c->axis + 2];
	double pb = p[1 - c->axis] + p[3 - c->axis], qb = q[1 - c->axis] + q[3 - c->axis];

	if (pa != qa)
		return pa < qa ? -1 : 1;
	if (pb != qb)
		return pb < qb ? -1 : 1;
	return (i > j) - (i < j);
}

void cpts_graph__rtree_build(cpts_rtree *t, size_t n, const double *boxes)
{
	size_t count[MAX_LEVELS + 1], total = 0, pages, per_slice;
	sort_ctx sc = { boxes, 0 };
	int nl = 0;

	memset(t, 0, sizeof(*t));
	t->n = n;
	if (n == 0)
		return;
	/* how many nodes each level has */
	count[0] = n;
	while (count[nl] > 1 && nl < MAX_LEVELS) {
		count[nl + 1] = (count[nl] + FANOUT - 1) / FANOUT;
		nl++;
	}
	t->n_levels = nl + 1;
	t->lstart = cpts_mallocarray((size_t)t->n_levels + 1, sizeof(size_t));
	for (int l = 0; l < t->n_levels; l++) {
		t->lstart[l] = total;
		total += count[l];
	}
	t->lstart[t->n_levels] = total;
	t->box = cpts_mallocarray(4 * total, sizeof(double));
	t->item = cpts_mallocarray(n, sizeof(uint32_t));
	/* sort-tile-recursive order of the leaves */
	for (size_t i = 0; i < n; i++)
		t->item[i] = (uint32_t)i;
	pages = (n + FANOUT - 1) / FANOUT;
	per_slice = (size_t)ceil(sqrt((double)pages)) * FANOUT;
	if (n > 1)
		qsort_r(t->item, n, sizeof(uint32_t), cmp_centre, &sc);
	sc.axis = 1;
	for (size_t s = 0; s < n; s += per_slice) {
		size_t k = n - s < per_slice ? n - s : per_slice;
		if (k > 1)
			qsort_r(t->item + s, k, sizeof(uint32_t), cmp_centre, &sc);
	}
	for (size_t i = 0; i < n; i++)
		memcpy(t->box + 4 * i, boxes + 4 * (size_t)t->item[i], 4 * sizeof(double));
	/* parents: the union of FANOUT consecutive children */
	for (int l = 1; l < t->n_levels; l++)
		for (size_t k = 0; k < count[l]; k++) {
			size_t c0 = t->lstart[l - 1] + k * FANOUT;
			size_t c1 = c0 + FANOUT < t->lstart[l] ? c0 + FANOUT : t->lstart[l];
			double *b = t->box + 4 * (t->lstart[l] + k);
			memcpy(b, t->box + 4 * c0, 4 * sizeof(double));
			for (size_t c = c0 + 1; c < c1; c++) {
				const double *cb = t->box + 4 * c;
				b[0] = fmin(b[0], cb[0]);
				b[1] = fmin(b[1], cb[1]);
				b[2] = fmax(b[2], cb[2]);
				b[3] = fmax(b[3], cb[3]);
			}
		}
}

void cpts_graph__rtree_release(cpts_rtree *t)
{
	free(t->lstart);
	free(t->box);
	free(t->item);
	memset(t, 0, sizeof(*t));
}

static int level_of(const cpts_rtree *t, size_t node)
{
	int l = 0;

	while (node >= t->lstart[l + 1])
		l++;
	return l;
}

/* Children of node (level l >= 1): [*c0, *c1). */
static void children(const cpts_rtree *t, size_t node, int l, size_t *c0, size_t *c1)
{
	*c0 = t->lstart[l - 1] + (node - t->lstart[l]) * FANOUT;
	*c1 = *c0 + FANOUT < t->lstart[l] ? *c0 + FANOUT : t->lstart[l];
}

static int overlaps(const double *a, const double *b)
{
	return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

void cpts_graph__rtree_query(const cpts_rtree *t, const double q[4], void (*fn)(uint32_t, void *),
		      void *ud)
{
	size_t stack[MAX_LEVELS * FANOUT + 1];
	int top = 0;

	if (t->n_levels == 0)
		return;
	stack[top++] = t->lstart[t->n_levels - 1];
	while (top > 0) {
		size_t node = stack[--top], c0, c1;
		int l;
		if (!overlaps(t->box + 4 * node, q))
			continue;
		l = level_of(t, node);
		if (l == 0) {
			fn(t->item[node], ud);
			continue;
		}
		children(t, node, l, &c0, &c1);
		/* pushed last to first: visited in tree order */
		for (size_t c = c1; c-- > c0;)
			stack[top++] = c;
	}
}

static double box_dist(const double *a, const double *b)
{
	double dx = fmax(0.0, fmax(a[0] - b[2], b[0] - a[2]));
	double dy = fmax(0.0, fmax(a[1] - b[3], b[1] - a[3]));

	return sqrt(dx * dx + dy * dy);
}

typedef struct hent {
	double d;
	size_t node;
} hent;

static int hless(const hent *a, const hent *b)
{
	return a->d < b->d || (a->d == b->d && a->node < b->node);
}

static void heap_push(hent **h, size_t *n, size_t *cap, hent e)
{
	size_t i;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*h = cpts_reallocarray(*h, *cap, sizeof(hent));
	}
	i = (*n)++;
	while (i > 0 && hless(&e, &(*h)[(i - 1) / 2])) {
		(*h)[i] = (*h)[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	(*h)[i] = e;
}

static hent heap_pop(hent *h, size_t *n)
{
	hent top = h[0], last = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && hless(&h[c + 1], &h[c]))
			c++;
		if (!hless(&h[c], &last))
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}

uint32_t cpts_graph__rtree_nearest(const cpts_rtree *t, const double q[4], double bound,
			    double (*dist)(uint32_t, void *), void *ud, double *d_out)
{
	hent *h = NULL;
	size_t n = 0, cap = 0;
	uint32_t best = CPTS_RTREE_NONE;
	double best_d = bound;

	if (t->n_levels > 0) {
		size_t root = t->lstart[t->n_levels - 1];
		heap_push(&h, &n, &cap, (hent){ box_dist(q, t->box + 4 * root), root });
	}
	while (n > 0) {
		hent e = heap_pop(h, &n);
		size_t c0, c1;
		int l;
		if (e.d > best_d)
			break;
		l = level_of(t, e.node);
		if (l == 0) {
			uint32_t it = t->item[e.node];
			double d = dist(it, ud);
			if (d < best_d || (d == best_d && isfinite(d) &&
					   (best == CPTS_RTREE_NONE || it < best))) {
				best_d = d;
				best = it;
			}
			continue;
		}
		children(t, e.node, l, &c0, &c1);
		for (size_t c = c0; c < c1; c++) {
			double d = box_dist(q, t->box + 4 * c);
			if (d <= best_d)
				heap_push(&h, &n, &cap, (hent){ d, c });
		}
	}
	free(h);
	*d_out = best == CPTS_RTREE_NONE ? INFINITY : best_d;
	return best;
}
