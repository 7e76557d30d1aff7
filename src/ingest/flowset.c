/*
 * flowset.c - the rows of a flows file in memory: gather, sort by key, fold
 * (ingest/flowset.h says why).
 *
 * The sort is a least-significant-digit radix sort on 16-bit digits (profession rank,
 * then the code bytes of dest, then of orig): stable, so the rows of one key keep their
 * order of arrival, and the fold adds their volumes in the same order as the row-by-row
 * upserts did (the same sums to the last bit). Digits every record shares are skipped.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/flowset.h"
#include "ingest/resolve.h"

void cpts_flowset_init(cpts_flowset *fs)
{
	memset(fs, 0, sizeof(*fs));
	fs->prof_idx = cpts_strmap_new(16);
	fs->last_prof = UINT32_MAX;
}

void cpts_flowset_release(cpts_flowset *fs)
{
	if (!fs)
		return;
	free(fs->r);
	cpts_strmap_free(fs->prof_idx);
	for (size_t i = 0; i < fs->n_profs; i++)
		free(fs->profs[i]);
	free(fs->profs);
	memset(fs, 0, sizeof(*fs));
}

static uint32_t intern_prof(cpts_flowset *fs, const char *prof)
{
	int64_t v;

	if (fs->last_prof != UINT32_MAX && strcmp(fs->profs[fs->last_prof], prof) == 0)
		return fs->last_prof;
	if (!cpts_strmap_get(fs->prof_idx, prof, &v)) {
		v = (int64_t)fs->n_profs;
		fs->profs = cpts_reallocarray(fs->profs, fs->n_profs + 1, sizeof(char *));
		fs->profs[fs->n_profs++] = cpts_strdup(prof);
		cpts_strmap_put(fs->prof_idx, prof, v);
	}
	fs->last_prof = (uint32_t)v;
	return fs->last_prof;
}

void cpts_flowset_add(cpts_flowset *fs, const char *orig, const char *dest, const char *prof,
		      double volume, bool masked, bool outside, int how, size_t line)
{
	cpts_flow_rec *r;

	if (fs->n == fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 4096;
		fs->r = cpts_reallocarray(fs->r, fs->cap, sizeof(*fs->r));
	}
	r = &fs->r[fs->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->orig, orig, 5);
	memcpy(r->dest, dest, 5);
	r->masked = masked;
	r->outside = outside;
	r->how = (unsigned char)how;
	r->prof = intern_prof(fs, prof);
	r->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	r->volume = masked ? 0 : volume;
}

/* ---- sort -------------------------------------------------------------------------- */

struct named { const char *name; uint32_t idx; };

static int cmp_prof(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

/* Digit d (0 least significant) of a record's key. */
static inline unsigned digit(const cpts_flow_rec *r, const uint32_t *rank, int d)
{
	const unsigned char *o = (const unsigned char *)r->orig, *t = (const unsigned char *)r->dest;

	switch (d) {
	case 0: return rank[r->prof] & 0xffffu;
	case 1: return rank[r->prof] >> 16;
	case 2: return (unsigned)t[3] << 8 | t[4];
	case 3: return (unsigned)t[1] << 8 | t[2];
	case 4: return (unsigned)o[4] << 8 | t[0];
	case 5: return (unsigned)o[2] << 8 | o[3];
	default: return (unsigned)o[0] << 8 | o[1];
	}
}

static void sort_records(cpts_flowset *fs)
{
	struct named *order = cpts_calloc(fs->n_profs ? fs->n_profs : 1, sizeof(*order));
	uint32_t *rank = cpts_calloc(fs->n_profs ? fs->n_profs : 1, sizeof(uint32_t));
	size_t *count = cpts_calloc(65536, sizeof(size_t));
	cpts_flow_rec *tmp = NULL, *src = fs->r, *dst;

	/* professions ranked by name: the key order of the table */
	for (size_t i = 0; i < fs->n_profs; i++)
		order[i] = (struct named){ fs->profs[i], (uint32_t)i };
	cpts_qsort(order, fs->n_profs, sizeof(*order), cmp_prof);
	for (size_t i = 0; i < fs->n_profs; i++)
		rank[order[i].idx] = (uint32_t)i;
	for (int d = 0; d < 7 && fs->n > 1; d++) {
		size_t sum = 0;
		bool one = false;
		memset(count, 0, 65536 * sizeof(size_t));
		for (size_t i = 0; i < fs->n; i++)
			count[digit(&src[i], rank, d)]++;
		for (size_t b = 0; b < 65536 && !one; b++)
			one = count[b] == fs->n;
		if (one)
			continue; /* every record has this digit */
		for (size_t b = 0; b < 65536; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		if (!tmp)
			tmp = cpts_reallocarray(NULL, fs->n, sizeof(*tmp));
		dst = src == fs->r ? tmp : fs->r;
		for (size_t i = 0; i < fs->n; i++)
			dst[count[digit(&src[i], rank, d)]++] = src[i];
		src = dst;
	}
	if (src != fs->r)
		memcpy(fs->r, src, fs->n * sizeof(*fs->r));
	free(tmp);
	free(count);
	free(rank);
	free(order);
}

/* ---- fold -------------------------------------------------------------------------- */

static bool same_key(const cpts_flow_rec *a, const cpts_flow_rec *b)
{
	return a->prof == b->prof && memcmp(a->orig, b->orig, 5) == 0 &&
	       memcmp(a->dest, b->dest, 5) == 0;
}

void cpts_flowset_fold(cpts_flowset *fs, size_t *dup, long long *n_arm_dropped)
{
	size_t w = 0;

	*dup = SIZE_MAX;
	sort_records(fs);
	for (size_t i = 0, j; i < fs->n; i = j) {
		size_t n_direct = 0;
		bool any = false;
		cpts_flow_rec acc = fs->r[i];
		for (j = i; j < fs->n && same_key(&fs->r[j], &fs->r[i]); j++) {
			if (fs->r[j].how == CPTS_RESOLVE_DIRECT && n_direct++ > 0) {
				*dup = j; /* the second direct row of the key */
				return;
			}
		}
		/* in order of arrival: the direct row and the passage rows add up; the rows of
		 * arrondissements too when the commune has no row of its own (never both) */
		for (size_t k = i; k < j; k++) {
			const cpts_flow_rec *e = &fs->r[k];
			if (e->how == CPTS_RESOLVE_ARM && n_direct) {
				(*n_arm_dropped)++;
				continue;
			}
			if (!any) {
				acc = *e;
				any = true;
				continue;
			}
			/* the upsert of the row-by-row loader: volume NULL once one is masked */
			acc.masked = acc.masked || e->masked;
			acc.volume = acc.masked ? 0 : acc.volume + e->volume;
		}
		fs->r[w++] = acc;
	}
	fs->n = w;
}
