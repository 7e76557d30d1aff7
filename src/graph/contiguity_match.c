/*
 * contiguity_match.c - exact matching of the communes' ring points: vertices (quantised
 * to 1 mm), segments (pairs of consecutive matched vertices) and the pair records they
 * make (queen: a shared vertex; rook: a shared segment, with the summed shared length).
 *
 * Each of the three groupings is a bucketed pass (contiguity_pass.c): items are
 * scattered into buckets by a hash of their key, each cache-sized bucket is grouped
 * with a small hash table; a segment is owned by the commune that drew it first, and
 * shared lengths are summed in reading order, so the result is that of a single pass
 * in reading order, whatever the bucketing and the threads. Linear in the number of
 * points. The pair hash table at the end lets the snapping pass add pairs.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "graph/contiguity_int.h"

#define QUANTUM 1e-3 /* metres: vertex matching grid */

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
pair *cpts_graph__pair_get(build *b, uint32_t c, uint32_t d)
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
		size_t m = h->start[k + 1] - h->start[k], mask = cpts_graph__local_table(slot, m);
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
	size_t n = b->n_pt, nb = cpts_graph__n_buckets(n);
	size_t *start = cpts_calloc(nb + 1, sizeof(size_t));
	uint32_t *bk = cpts_graph__pool_get(b, 1, (n + 1) * sizeof(uint32_t));
	vrec *r = cpts_graph__pool_get(b, 0, (n + 1) * sizeof(vrec));
	half h[2];

	cpts_graph__halves_init(h, b, n, nb);
	for (int k = 0; k < 2; k++) {
		h[k].bk = bk;
		h[k].r = r;
		h[k].vid = vid;
	}
	cpts_graph__run_halves(vx_count, &h[0], &h[1]);
	cpts_graph__halves_start(h, start, nb);
	cpts_graph__run_halves(vx_scatter, &h[0], &h[1]);
	cpts_graph__run_halves(vx_group, &h[0], &h[1]);
	b->n_vert += h[0].count + h[1].count;
	pvec_append(pv, &h[0].pv);
	pvec_append(pv, &h[1].pv);
	cpts_graph__halves_release(h);
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
		size_t m = h->start[k + 1] - h->start[k], mask = cpts_graph__local_table(slot, m);
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
	nb = cpts_graph__n_buckets(n_occ);
	start = cpts_calloc(nb + 1, sizeof(size_t));
	mt = cpts_mallocarray(n_occ + 1, sizeof(uint32_t));
	memset(mt, 0xff, (n_occ + 1) * sizeof(uint32_t));
	fl = cpts_calloc(n_occ + 1, 1);
	cpts_graph__halves_init(h, b, n_occ, nb);
	for (int k = 0; k < 2; k++) {
		h[k].bk = cpts_graph__pool_get(b, 1, (n_occ + 1) * sizeof(uint32_t));
		h[k].r = cpts_graph__pool_get(b, 0, (n_occ + 1) * sizeof(srec));
		h[k].oa = oa;
		h[k].ob = ob;
		h[k].oc = oc;
		h[k].mt = mt;
		h[k].fl = fl;
	}
	cpts_graph__run_halves(sg_count, &h[0], &h[1]);
	cpts_graph__halves_start(h, start, nb);
	cpts_graph__run_halves(sg_scatter, &h[0], &h[1]);
	cpts_graph__run_halves(sg_group, &h[0], &h[1]);
	b->n_seg_all += h[0].count + h[1].count;
	cpts_graph__run_halves(sg_emit, &h[0], &h[1]);
	for (int k = 0; k < 2; k++) {
		pvec_append(pv, &h[k].pv);
		b->segs = grow(b->segs, &b->cap_seg, b->n_seg + h[k].n_segs + 1, sizeof(seg));
		if (h[k].n_segs)
			memcpy(b->segs + b->n_seg, h[k].segs, h[k].n_segs * sizeof(seg));
		b->n_seg += h[k].n_segs;
	}
	cpts_graph__halves_release(h);
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
		size_t m = h->start[k + 1] - h->start[k], mask = cpts_graph__local_table(slot, m);
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
	size_t n = pv->n, nb = cpts_graph__n_buckets(n), cap = 1 << 12;
	size_t *start = cpts_calloc(nb + 1, sizeof(size_t));
	half h[2];

	cpts_graph__halves_init(h, b, n, nb);
	for (int k = 0; k < 2; k++) {
		h[k].bk = cpts_graph__pool_get(b, 1, (n + 1) * sizeof(uint32_t));
		h[k].r = cpts_graph__pool_get(b, 0, (n + 1) * sizeof(prec));
		h[k].pin = pv->v;
	}
	cpts_graph__run_halves(pr_count, &h[0], &h[1]);
	cpts_graph__halves_start(h, start, nb);
	cpts_graph__run_halves(pr_scatter, &h[0], &h[1]);
	cpts_graph__run_halves(pr_group, &h[0], &h[1]);
	for (int k = 0; k < 2; k++) {
		b->pairs = grow(b->pairs, &b->cap_pair, b->n_pair + h[k].n_pairs + 1,
				sizeof(pair));
		if (h[k].n_pairs)
			memcpy(b->pairs + b->n_pair, h[k].pairs, h[k].n_pairs * sizeof(pair));
		b->n_pair += h[k].n_pairs;
	}
	cpts_graph__halves_release(h);
	free(start);
	while (cap < 2 * (b->n_pair + 1))
		cap <<= 1;
	pslots_rehash(b, cap);
}

/*
 * Exact matching: vertex ids (quantised coordinates), then segment occurrences, then
 * the pair records from their contributions.
 */
void cpts_graph__match(build *b)
{
	uint32_t *vid = cpts_mallocarray(b->n_pt + 1, sizeof(uint32_t));
	pvec pv = { NULL, 0, 0 };

	pv.cap = b->n_pt + 1; /* about one contribution per point on France */
	pv.v = cpts_mallocarray(pv.cap, sizeof(prec));
	match_vertices(b, vid, &pv);
	match_segments(b, vid, &pv);
	free(vid);
	make_pairs(b, &pv);
	free(pv.v);
}
