/*
 * partition.c - a plausible CPTS partition of the synthetic territory.
 *
 * Why: `cpts check`, `cpts compare` and the reports need an input partition with the
 * features of a real one: territories grown around towns, of unequal sizes, at
 * different stages (ACI signée, projet de santé validé, lettre d'intention), and a
 * small white zone of uncovered communes.
 *
 * How: a multi-source Dijkstra from every town over the rook adjacency (shared
 * Voronoi edges), edge length the distance between generators, gives contiguous
 * territories. Islands join the territory of the nearest mainland commune (as
 * Belle-Île joins a mainland CPTS). The white zone is the communes closest to the
 * commune farthest from any town, taken in its territory but never the town itself.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/util.h"
#include "synth/synth_int.h"

typedef struct heap_item {
	double d;
	int32_t v;
} heap_item;

typedef struct heap {
	heap_item *a;
	size_t n, cap;
} heap;

static bool item_less(heap_item x, heap_item y)
{
	return x.d < y.d || (x.d == y.d && x.v < y.v);
}

static void heap_push(heap *h, double d, int32_t v)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->a = cpts_reallocarray(h->a, h->cap, sizeof(*h->a));
	}
	i = h->n++;
	h->a[i] = (heap_item){ d, v };
	while (i > 0 && item_less(h->a[i], h->a[(i - 1) / 2])) {
		heap_item t = h->a[i];
		h->a[i] = h->a[(i - 1) / 2];
		h->a[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static heap_item heap_pop(heap *h)
{
	heap_item top = h->a[0];
	size_t i = 0;

	h->a[0] = h->a[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && item_less(h->a[l], h->a[m]))
			m = l;
		if (r < h->n && item_less(h->a[r], h->a[m]))
			m = r;
		if (m == i)
			break;
		heap_item t = h->a[i];
		h->a[i] = h->a[m];
		h->a[m] = t;
		i = m;
	}
	return top;
}

/* Multi-source Dijkstra from the towns; fills s->terr and dist. */
static void grow(cpts_synth *s, double *dist)
{
	heap h = { 0 };

	for (size_t i = 0; i < s->n; i++) {
		dist[i] = INFINITY;
		s->terr[i] = -1;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->kind[i] != KIND_TOWN)
			continue;
		s->terr[i] = (long)s->n_terr++;
		dist[i] = 0;
		heap_push(&h, 0, (int32_t)i);
	}
	while (h.n) {
		heap_item it = heap_pop(&h);
		size_t u = (size_t)it.v;
		if (it.d > dist[u])
			continue;
		for (int32_t e = s->adj_start[u]; e < s->adj_start[u + 1]; e++) {
			size_t v = (size_t)s->adj[e];
			double d = it.d + synth_dist(s->xy[2 * u], s->xy[2 * u + 1], s->xy[2 * v],
						     s->xy[2 * v + 1]);
			if (d < dist[v]) {
				dist[v] = d;
				s->terr[v] = s->terr[u];
				heap_push(&h, d, (int32_t)v);
			}
		}
	}
	free(h.a);
}

/* Communes the search did not reach (islands, or a detached cell) join the territory
 * of the nearest reached commune. */
static void attach_unreached(cpts_synth *s)
{
	for (size_t i = 0; i < s->n; i++) {
		double best = INFINITY;
		long t = -1;

		if (s->terr[i] >= 0)
			continue;
		for (size_t j = 0; j < s->n; j++) {
			if (s->terr[j] < 0 || s->kind[j] == KIND_ISLAND)
				continue;
			double d = synth_dist(s->xy[2 * i], s->xy[2 * i + 1], s->xy[2 * j], s->xy[2 * j + 1]);
			if (d < best)
				best = d, t = s->terr[j];
		}
		s->terr[i] = t;
	}
}

/* Uncover about n / 60 communes (at least 2) around the most remote commune. */
static void white_zone(cpts_synth *s, const double *dist)
{
	size_t far = SIZE_MAX, want = s->n / 60 < 2 ? 2 : s->n / 60, taken = 0;
	size_t *queue = cpts_mallocarray(s->n, sizeof(*queue)), qh = 0, qt = 0;
	unsigned char *seen = cpts_calloc(s->n, 1);
	long t;

	for (size_t i = 0; i < s->n; i++)
		if (s->kind[i] != KIND_ISLAND && isfinite(dist[i]) &&
		    (far == SIZE_MAX || dist[i] > dist[far]))
			far = i;
	if (far == SIZE_MAX)
		goto out;
	t = s->terr[far];
	queue[qt++] = far;
	seen[far] = 1;
	while (qh < qt && taken < want) {
		size_t u = queue[qh++];
		if (s->kind[u] == KIND_TOWN)
			continue; /* the town keeps its territory non-empty */
		s->terr[u] = -1;
		taken++;
		for (int32_t e = s->adj_start[u]; e < s->adj_start[u + 1]; e++) {
			size_t v = (size_t)s->adj[e];
			if (!seen[v] && s->terr[v] == t) {
				seen[v] = 1;
				queue[qt++] = v;
			}
		}
	}
out:
	free(queue);
	free(seen);
}

/* French elision: "de" becomes "d'" before a vowel (É and Î included). */
static bool starts_vowel(const char *s)
{
	return strchr("AEIOUY", s[0]) || strncmp(s, "É", strlen("É")) == 0 ||
	       strncmp(s, "Î", strlen("Î")) == 0;
}

int synth_partition(cpts_ctx *ctx, cpts_synth *s)
{
	synth_rng r;
	double *dist = cpts_mallocarray(s->n, sizeof(*dist));
	size_t t = 0;

	synth_rng_seed(&r, s->opts.seed, STREAM_PARTITION, 0);
	s->n_terr = 0;
	grow(s, dist);
	attach_unreached(s);
	white_zone(s, dist);
	free(dist);
	s->terr_name = cpts_calloc(s->n_terr, sizeof(*s->terr_name));
	s->terr_statut = cpts_calloc(s->n_terr, 1);
	for (size_t i = 0; i < s->n && t < s->n_terr; i++) {
		const char *nm = s->name[i];
		double u = synth_rng_u01(&r);
		if (s->kind[i] != KIND_TOWN)
			continue;
		if (strncmp(nm, "Le ", 3) == 0 || strncmp(nm, "La ", 3) == 0 ||
		    strncmp(nm, "Les ", 4) == 0 || strncmp(nm, "L'", 2) == 0 || u < 0.3)
			s->terr_name[t] = cpts_asprintf("CPTS %s et environs", nm);
		else
			s->terr_name[t] = cpts_asprintf("CPTS du %s %s%s", u < 0.65 ? "Pays" : "Bassin",
							 starts_vowel(nm) ? "d'" : "de ", nm);
		u = synth_rng_u01(&r);
		s->terr_statut[t] = t == 0 || u < 0.6 ? 0 : u < 0.85 ? 1 : 2;
		t++;
	}
	return cpts_progress(ctx, 0.6, "synth: partition");
}
