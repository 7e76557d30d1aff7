/*
 * flows.c - residence -> practice flows from a gravity model with distance decay.
 *
 * Why: basins (DOMAIN.md section 5) are built from these flows, so they must look
 * like SNDS flows: most consultations in the own commune or the nearest town, a tail
 * towards farther practices (people consult near their work), and some flows to
 * practices outside the territory near its edge, which the ingest keeps as "outside".
 *
 * Model: the attraction of practice site j seen from commune i is
 *     w_ij = FTE_j x (exp(-d/5 km) + 0.02 exp(-d/40 km)) x (4 if j = i),
 * a local decay plus a commuting tail. The sites within reach are gathered from a
 * grid (never a scan of all communes), the `flows_per_commune` strongest are kept, and
 * the commune's consultations (the sum of its consumption cells, so flows and
 * consumption agree) are shared among them: one each, the rest in proportion to the
 * weights with largest-remainder rounding. No randomness is involved, so the flows of
 * an origin do not depend on the order in which origins are written.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "synth/synth_int.h"

void synth_flows_init(synth_flow_writer *fw, const cpts_synth *s)
{
	size_t n = 0, cap = s->n + s->n_outside;
	double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;

	memset(fw, 0, sizeof(*fw));
	fw->s = s;
	fw->site_xy = cpts_mallocarray(cap ? cap : 1, 2 * sizeof(double));
	fw->site_w = cpts_mallocarray(cap ? cap : 1, sizeof(double));
	fw->site_ref = cpts_mallocarray(cap ? cap : 1, sizeof(int32_t));
	for (size_t i = 0; i < s->n; i++) {
		if (s->supply[i][0] <= 0)
			continue;
		fw->site_xy[2 * n] = s->xy[2 * i];
		fw->site_xy[2 * n + 1] = s->xy[2 * i + 1];
		fw->site_w[n] = fmax(0.1, s->etp[i][0]);
		fw->site_ref[n++] = (int32_t)i;
	}
	for (size_t o = 0; o < s->n_outside; o++) {
		fw->site_xy[2 * n] = s->outside[o].x;
		fw->site_xy[2 * n + 1] = s->outside[o].y;
		fw->site_w[n] = s->outside[o].gp;
		fw->site_ref[n++] = -1 - (int32_t)o;
	}
	fw->n_sites = n;
	for (size_t j = 0; j < n; j++) {
		xmin = fmin(xmin, fw->site_xy[2 * j]), xmax = fmax(xmax, fw->site_xy[2 * j]);
		ymin = fmin(ymin, fw->site_xy[2 * j + 1]), ymax = fmax(ymax, fw->site_xy[2 * j + 1]);
	}
	if (n == 0)
		xmin = ymin = 0, xmax = ymax = 1;
	synth_grid_init(&fw->sites, xmin, ymin, xmax, ymax,
			fmax(2000.0, sqrt((xmax - xmin) * (ymax - ymin) / (double)(n ? n : 1)) * 1.5));
	for (size_t j = 0; j < n; j++)
		synth_grid_insert(&fw->sites, fw->site_xy, j);
}

void synth_flows_release(synth_flow_writer *fw)
{
	synth_grid_release(&fw->sites);
	free(fw->site_xy);
	free(fw->site_w);
	free(fw->site_ref);
	free(fw->cand);
	free(fw->cw);
	free(fw->rem);
	memset(fw, 0, sizeof(*fw));
}

/* Candidates sorted by weight (descending), ties by site index: qsort has no context
 * argument, so the weights travel with the indices. */
typedef struct synth_cand {
	double w;
	int32_t site;
} cand_w;

static int cmp_cand(const void *a, const void *b)
{
	const cand_w *x = a, *y = b;

	if (x->w != y->w)
		return (x->w < y->w) - (x->w > y->w);
	return (x->site > y->site) - (x->site < y->site);
}

/* Sift a[i] down a heap whose root is the WORST candidate (cmp_cand order). */
static void sift_worst(cand_w *a, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, w = i;
		if (l < n && cmp_cand(&a[l], &a[w]) > 0)
			w = l;
		if (r < n && cmp_cand(&a[r], &a[w]) > 0)
			w = r;
		if (w == i)
			return;
		cand_w t = a[i];
		a[i] = a[w];
		a[w] = t;
		i = w;
	}
}

/* Move the k best candidates to a[0..k) (in heap order, deterministic) in O(n log k):
 * a full sort of every candidate dominated the profile of a 10-million-row file. */
static void select_top(cand_w *a, size_t n, size_t k)
{
	if (k == 0 || k >= n)
		return;
	for (size_t i = k / 2; i-- > 0;)
		sift_worst(a, k, i);
	for (size_t j = k; j < n; j++) {
		if (cmp_cand(&a[j], &a[0]) < 0) {
			a[0] = a[j];
			sift_worst(a, k, 0);
		}
	}
}

typedef struct synth_rem {
	double rem;
	size_t k;
} rem_item;

static int cmp_rem(const void *a, const void *b)
{
	const rem_item *x = a, *y = b;

	if (x->rem != y->rem)
		return (x->rem < y->rem) - (x->rem > y->rem);
	return (x->k > y->k) - (x->k < y->k);
}

size_t synth_flows_origin(synth_flow_writer *fw, size_t i, int32_t *dest, long *vol,
			  size_t cap)
{
	const cpts_synth *s = fw->s;
	size_t m = (size_t)s->opts.flows_per_commune, want, nc, k;
	long total = synth_actes_total(s, i), rest, given = 0;
	double x = s->xy[2 * i], y = s->xy[2 * i + 1], wsum = 0;
	cand_w *cw;
	rem_item *rem;

	if (total <= 0 || fw->n_sites == 0)
		return 0;
	want = 3 * m > 30 ? 3 * m : 30;
	nc = synth_grid_gather(&fw->sites, x, y, want,
			       fw->sites.nx > fw->sites.ny ? fw->sites.nx : fw->sites.ny,
			       &fw->cand, &fw->cand_cap);
	if (nc > fw->cw_cap) {
		fw->cw_cap = nc;
		fw->cw = cpts_reallocarray(fw->cw, nc, sizeof(*fw->cw));
		fw->rem = cpts_reallocarray(fw->rem, nc, sizeof(*fw->rem));
	}
	cw = fw->cw;
	for (size_t c = 0; c < nc; c++) {
		int32_t j = fw->cand[c];
		double d = synth_dist(x, y, fw->site_xy[2 * j], fw->site_xy[2 * j + 1]) / 1000.0;
		cw[c].w = fw->site_w[j] * (exp(-d / 5.0) + 0.02 * exp(-d / 40.0)) *
			  (fw->site_ref[j] == (int32_t)i ? 4.0 : 1.0);
		cw[c].site = j;
	}
	k = nc < m ? nc : m;
	if ((long)k > total)
		k = (size_t)total;
	if (k > cap)
		k = cap;
	select_top(cw, nc, k);
	rem = fw->rem;
	for (size_t c = 0; c < k; c++)
		wsum += cw[c].w;
	rest = total - (long)k;
	for (size_t c = 0; c < k; c++) {
		double share = wsum > 0 ? (double)rest * cw[c].w / wsum : 0;
		long f = (long)floor(share);
		dest[c] = fw->site_ref[cw[c].site];
		vol[c] = 1 + f;
		given += f;
		rem[c] = (rem_item){ share - (double)f, c };
	}
	cpts_qsort(rem, k, sizeof(*rem), cmp_rem);
	for (size_t c = 0; given < rest && c < k; c++, given++)
		vol[rem[c].k]++;
	return k;
}

size_t synth_travel_origin(synth_flow_writer *fw, size_t i, int32_t *dest, double *minutes,
			   size_t cap)
{
	const cpts_synth *s = fw->s;
	double x = s->xy[2 * i], y = s->xy[2 * i + 1];
	double reach = (30.0 - 3.0) / 1.3 * 1000.0; /* metres reachable in 30 minutes */
	long rings = (long)ceil(reach / fw->sites.cell) + 1;
	size_t nc, k = 0;

	if (cap == 0)
		return 0;
	dest[k] = (int32_t)i;
	minutes[k++] = 3.0; /* within the commune */
	nc = synth_grid_gather(&fw->sites, x, y, SIZE_MAX, rings, &fw->cand, &fw->cand_cap);
	for (size_t c = 0; c < nc && k < cap; c++) {
		int32_t j = fw->cand[c], ref = fw->site_ref[j];
		double d;
		if (ref < 0 || (size_t)ref == i)
			continue;
		d = synth_dist(x, y, fw->site_xy[2 * j], fw->site_xy[2 * j + 1]) / 1000.0;
		if (3.0 + 1.3 * d > 30.0)
			continue;
		dest[k] = ref;
		minutes[k++] = round((3.0 + 1.3 * d) * 10.0) / 10.0;
	}
	return k;
}
