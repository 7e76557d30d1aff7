/*
 * values.c - the helpers every writer of the export shares (declared in export_int.h):
 * French value formatting with the masking rule, quantile classes of the choropleths
 * and their palette, atomic file replacement (write path.tmp, rename), and the hash
 * index of the disclosed values that every value lookup goes through.
 *
 * Why a file of its own: export.c runs the writers (out_gpkg.c, out_html.c, ...); with
 * these helpers in it, every writer called back into the file that calls it (an import
 * loop). Here they depend on nothing of the export but its header.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cpts/outfile.h"
#include "export/export_int.h"

const char *const ex_palette[EX_N_CLASSES] = { "#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33",
					       "#b30000" }; /* ColorBrewer OrRd 5 */
const char ex_palette_na[] = "#d9d9d9";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

size_t ex_sort_values(double *values, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			values[m++] = values[i];
	if (m > 1)
		cpts_qsort(values, m, sizeof(double), cmp_double);
	return m;
}

void ex_classes_make(ex_classes *c, double *values, size_t n)
{
	size_t m = ex_sort_values(values, n);

	memset(c, 0, sizeof(*c));
	if (m == 0)
		return;
	c->brk[0] = values[0];
	for (int k = 1; k <= EX_N_CLASSES; k++) {
		double b = values[(m - 1) * (size_t)k / EX_N_CLASSES];
		if (b > c->brk[c->n])
			c->brk[++c->n] = b;
	}
	if (c->n == 0) { /* a single distinct value: one class */
		c->n = 1;
		c->brk[1] = c->brk[0];
	}
}

int ex_classes_of(const ex_classes *c, double v)
{
	if (isnan(v) || c->n == 0)
		return -1;
	for (int k = 0; k < c->n; k++)
		if (v <= c->brk[k + 1])
			return k;
	return c->n - 1;
}

void ex_fmt_number(char *out, size_t n, const cpts_indicator *ind, double v)
{
	int dec = ind ? ind->decimals : 0;

	if (isnan(v))
		snprintf(out, n, "n.d.");
	else if (ind && strcmp(ind->unit_fr, "%") == 0)
		cpts_fmt_fr_pct(out, n, v / 100.0, dec); /* stored in percent (profile.h) */
	else
		cpts_fmt_fr(out, n, v, dec);
}

void ex_fmt_value(char *out, size_t n, const cpts_indicator *ind, const cpts_pvalue *v,
		  double threshold)
{
	char num[64];

	if (!v) {
		snprintf(out, n, "n.d.");
	} else if (v->masked) {
		/* the bounds a reader may know (profile.h): [0, threshold-1] for a small
		 * count, [lo, hi] for a total over masked input cells, none otherwise */
		if (ind && ind->kind == CPTS_IND_COUNT && v->lo >= 0 && v->hi <= threshold - 1) {
			cpts_fmt_fr(num, sizeof(num), threshold, 0);
			snprintf(out, n, "< %s", num);
		} else if (ind && ind->kind == CPTS_IND_COUNT && isfinite(v->lo)) {
			cpts_fmt_fr(num, sizeof(num), v->lo, 0);
			snprintf(out, n, "au moins %s", num);
		} else if (ind && ind->kind == CPTS_IND_RATIO && isfinite(v->lo) &&
			   isfinite(v->hi)) {
			/* a ratio over masked input cells: the range it lies in */
			/* rounded outwards, so the shown range still holds the value */
			char num2[64];
			double k = pow(10.0, ind->decimals);
			ex_fmt_number(num, sizeof(num), ind, floor(v->lo * k + 1e-9) / k);
			ex_fmt_number(num2, sizeof(num2), ind, ceil(v->hi * k - 1e-9) / k);
			if (strcmp(num, num2) == 0)
				snprintf(out, n, "environ %s", num);
			else
				snprintf(out, n, "entre %s et %s", num, num2);
		} else {
			snprintf(out, n, "secret statistique");
		}
	} else {
		ex_fmt_number(out, n, ind, v->value);
	}
}

int ex_write_file_atomic(cpts_ctx *ctx, const char *path, const char *data, size_t len)
{
	return cpts_write_file_atomic(ctx, path, data, len);
}

/* ---- the index of the disclosed values (ex_vindex) ---- */

/* FNV-1a over the four strings, each ended by its NUL. */
static uint64_t vkey_hash(const char *a, const char *b, const char *c, const char *d)
{
	const char *s[4] = { a, b, c, d };
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int k = 0; k < 4; k++) {
		const unsigned char *p = (const unsigned char *)s[k];
		do {
			h ^= *p;
			h *= 0x100000001b3ULL;
		} while (*p++);
	}
	return h ^ (h >> 32);
}

static bool vkey_eq(const cpts_pvalue *v, const char *a, const char *b, const char *c,
		    const char *d)
{
	return strcmp(v->indicator, d) == 0 && strcmp(v->level_code, c) == 0 &&
	       strcmp(v->territory, a) == 0 && strcmp(v->level, b) == 0;
}

void ex_vindex_build(ex_vindex *x, const cpts_ptable *t)
{
	size_t cap = 16;

	x->slot = NULL;
	x->mask = 0;
	if (!t || t->n >= UINT32_MAX / 4)
		return;
	while (cap < 2 * t->n)
		cap *= 2;
	x->slot = cpts_calloc(cap, sizeof(uint32_t));
	x->mask = cap - 1;
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		size_t h = (size_t)vkey_hash(v->territory, v->level, v->level_code, v->indicator) &
			   x->mask;
		while (x->slot[h]) {
			if (vkey_eq(&t->v[x->slot[h] - 1], v->territory, v->level, v->level_code,
				    v->indicator)) { /* a key twice: the binary search decides */
				ex_vindex_release(x);
				return;
			}
			h = (h + 1) & x->mask;
		}
		x->slot[h] = (uint32_t)(r + 1);
	}
}

void ex_vindex_release(ex_vindex *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}

const cpts_pvalue *ex_vindex_get(const ex_vindex *x, const cpts_ptable *t,
				 const char *territory, const char *level,
				 const char *level_code, const char *indicator)
{
	size_t h;

	if (!x->slot)
		return cpts_ptable_get(t, territory, level, level_code, indicator);
	if (!territory || !level || !level_code || !indicator)
		return NULL;
	h = (size_t)vkey_hash(territory, level, level_code, indicator) & x->mask;
	for (; x->slot[h]; h = (h + 1) & x->mask) {
		const cpts_pvalue *v = &t->v[x->slot[h] - 1];
		if (vkey_eq(v, territory, level, level_code, indicator))
			return v;
	}
	return NULL;
}

/* ---- the rows of one (territory, level, level_code) ---- */

static int cmp3(const char *a, const char *b, const char *c, const cpts_pvalue *v)
{
	int r = strcmp(a, v->territory);

	if (r)
		return r;
	if ((r = strcmp(b, v->level)) != 0)
		return r;
	return strcmp(c, v->level_code);
}

bool ex_vblock_find(ex_vblock *out, const ex_vindex *x, const cpts_ptable *t,
		    const char *territory, const char *level, const char *level_code)
{
	size_t lo = 0, hi, a, b;

	out->lo = out->hi = 0;
	if (!x->slot || !t || !territory || !level || !level_code)
		return false; /* no index: keys may repeat, cpts_ptable_get decides */
	/* the table is sorted on (territory, level, level_code, indicator) */
	for (hi = t->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp3(territory, level, level_code, &t->v[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	a = lo;
	for (hi = t->n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp3(territory, level, level_code, &t->v[mid]) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	b = lo;
	out->lo = a;
	out->hi = b;
	return true;
}

const cpts_pvalue *ex_vblock_get(const ex_vblock *blk, const cpts_ptable *t,
				 const char *indicator, size_t *hint)
{
	size_t lo = blk->lo, hi = blk->hi;

	if (!indicator)
		return NULL;
	/* the rows of most communes hold the same indicators: the offset found for the
	 * previous one is tried first (one comparison instead of a search) */
	if (hint && *hint < hi - lo && strcmp(indicator, t->v[lo + *hint].indicator) == 0)
		return &t->v[lo + *hint];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(indicator, t->v[mid].indicator);
		if (c == 0) {
			if (hint)
				*hint = mid - blk->lo;
			return &t->v[mid];
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}
