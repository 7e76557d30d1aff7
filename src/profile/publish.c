/*
 * publish.c - print a disclosed cell on stdout or in --json (cpts/publish.h), and record
 * a printed table in the publication ledger.
 *
 * Why one helper: before it, each command formatted its own numbers (profile at six
 * significant digits, move's flow totals exact, check's LI at three decimals whatever
 * its counts), so what a terminal showed could differ from what the GeoPackage masked.
 * Every command now takes its numbers from a disclosed cell (cpts_ptable_load rows, or
 * cpts_pub_count / cpts_pub_ratio for flow totals) and writes them through here, in the
 * forms of the exports: a reader of stdout learns nothing a reader of the files would
 * not. Cells (cpts_pvalue) built here hold no strings; nothing here allocates beyond
 * the caller's buffer, except cpts_pub_record (freed before it returns).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/publish.h"
#include "profile/disclosure_int.h"

static cpts_pvalue blank(double value)
{
	cpts_pvalue v;

	memset(&v, 0, sizeof(v));
	v.value = value;
	v.lo = v.hi = NAN;
	return v;
}

cpts_pvalue cpts_pub_value(double value)
{
	return blank(value);
}

cpts_pvalue cpts_pub_count(const cpts_pub *p, double value)
{
	cpts_pvalue v = blank(value);
	double thr = p && p->threshold >= 2 ? p->threshold : CPTS_MASK_THRESHOLD_DEFAULT;

	if (!isnan(value) && value > 1e-9 && value < thr - 1e-9) {
		v.masked = true;
		v.value = NAN;
		v.lo = 1;
		v.hi = thr - 1;
	}
	return v;
}

cpts_pvalue cpts_pub_ratio(double value, const cpts_pvalue *num, const cpts_pvalue *den)
{
	cpts_pvalue v = blank(value);

	if (cpts_pub_hidden(num) || cpts_pub_hidden(den)) {
		v.masked = true;
		v.value = NAN;
	}
	return v;
}

bool cpts_pub_hidden(const cpts_pvalue *v)
{
	return v && (v->masked || v->withdrawn);
}

bool cpts_pub_shown(const cpts_pvalue *v)
{
	return v && !cpts_pub_hidden(v) && isfinite(v->value);
}

static const cpts_indicator *ind_of(const cpts_pvalue *v)
{
	return v && v->indicator ? cpts_indicator_find(v->indicator) : NULL;
}

static bool is_pvalue(const cpts_pvalue *v)
{
	return v && v->indicator && strstr(v->indicator, "pvalue") != NULL;
}

static int decimals(const cpts_pvalue *v, int dec)
{
	const cpts_indicator *ind = ind_of(v);

	return ind && ind->decimals >= 0 && ind->decimals <= 6 ? ind->decimals : dec;
}

/* A hidden cell's bounds are published when finite: the "< T" of a primary count, the
 * "at least N" of a count over masked input cells, the range of such a ratio. */
static bool has_bounds(const cpts_pvalue *v)
{
	return cpts_pub_hidden(v) && !v->withdrawn && isfinite(v->lo) && isfinite(v->hi);
}

static void text_hidden(cpts_buf *b, const cpts_pub *p, const cpts_pvalue *v, int dec)
{
	double thr = p->threshold >= 2 ? p->threshold : CPTS_MASK_THRESHOLD_DEFAULT;
	const cpts_indicator *ind = ind_of(v);
	bool count = !ind || ind->kind == CPTS_IND_COUNT;

	if (!has_bounds(v))
		cpts_buf_addstr(b, "masked");
	else if (count && v->lo >= 1 - 1e-9 && v->lo <= 1 + 1e-9 && fabs(v->hi - (thr - 1)) < 1e-9)
		cpts_buf_addf(b, "< %.0f", thr);
	else if (count)
		cpts_buf_addf(b, "at least %.0f", v->lo);
	else
		cpts_buf_addf(b, "[%.*f-%.*f]", dec, v->lo, dec, v->hi);
}

static void text_pclass(cpts_buf *b, double c)
{
	if (c <= 0.001)
		cpts_buf_addstr(b, "< 0.001");
	else if (c <= 0.01)
		cpts_buf_addstr(b, "< 0.01");
	else if (c <= 0.05)
		cpts_buf_addstr(b, "< 0.05");
	else
		cpts_buf_addstr(b, "n.s.");
}

void cpts_pub_num(cpts_buf *b, const cpts_pub *p, const cpts_pvalue *v, int dec)
{
	static const cpts_pub def = CPTS_PUB_INIT;

	if (!p)
		p = &def;
	dec = decimals(v, dec);
	if (!cpts_pub_shown(v)) {
		if (p->json)
			cpts_buf_addstr(b, "null");
		else if (cpts_pub_hidden(v))
			text_hidden(b, p, v, dec);
		else
			cpts_buf_addstr(b, "n/a");
		return;
	}
	if (is_pvalue(v)) {
		double c = cpts_pvalue_class(v->value);
		if (p->json)
			cpts_buf_addf(b, "%g", c);
		else
			text_pclass(b, c);
		return;
	}
	/* -0.0 would print as "-0.0": a sign with no information */
	double x = v->value;
	char s[64];
	snprintf(s, sizeof(s), "%.*f", dec, x);
	if (strspn(s, "-0.") == strlen(s) && s[0] == '-')
		memmove(s, s + 1, strlen(s));
	cpts_buf_addstr(b, s);
}

bool cpts_pub_json_member(cpts_buf *b, const cpts_pub *p, const char *key,
			  const cpts_pvalue *v, int dec, bool first)
{
	cpts_pub jp = p ? *p : (cpts_pub)CPTS_PUB_INIT;

	jp.json = true;
	cpts_buf_addf(b, "%s\"%s\":", first ? "" : ",", key);
	cpts_pub_num(b, &jp, v, dec);
	if (has_bounds(v)) {
		int d = decimals(v, dec);
		cpts_buf_addf(b, ",\"%s_lo\":%.*f,\"%s_hi\":%.*f", key, d, v->lo, key, d, v->hi);
	}
	return cpts_pub_hidden(v);
}

/* Is key one of keys, or a count some ratio of keys is made of? */
static bool recorded_key(const char *ind, const char *const *keys, size_t n_keys)
{
	for (size_t k = 0; k < n_keys; k++) {
		const cpts_indicator *r = cpts_indicator_find(keys[k]);
		if (strcmp(ind, keys[k]) == 0 || (r && r->num && strcmp(ind, r->num) == 0) ||
		    (r && r->den && strcmp(ind, r->den) == 0))
			return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Has the ledger already recorded every count of sub (same commune set, same value)?
 * Printing the same profile again then adds no publication: the ledger, which every
 * later disclosure reads into its linear programs, does not grow with each print.
 */
static int already_recorded(cpts_ctx *ctx, cpts_store *s, const cpts_ptable *sub,
			    bool *out)
{
	dl_ledger led;
	cpts_strmap *known = cpts_strmap_new(256);
	cpts_buf key = CPTS_BUF_INIT;
	cpts_vec codes;
	int rc;

	*out = false;
	memset(&led, 0, sizeof(led));
	if ((rc = dl_ledger_load(ctx, s, &led)) < 0)
		goto out;
	for (size_t i = 0; i < led.terrs.n; i++) {
		const dl_terr *t = &cpts_vec_at(&led.terrs, dl_terr, i);
		char *sg = dl_signature(&t->codes);
		for (size_t k = 0; k < t->inds.n; k++) {
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "%s\x1f%s\x1f%.9g", sg, cpts_vec_at(&t->inds, char *, k),
				      cpts_vec_at(&t->values, double, k));
			cpts_strmap_put(known, key.data, 1);
		}
		free(sg);
	}
	cpts_vec_init(&codes, sizeof(char *), SIZE_MAX / sizeof(char *));
	*out = true;
	/* rows are sorted by territory: its commune rows, then its territory rows */
	for (size_t r = 0; r < sub->n && *out;) {
		const char *terr = sub->v[r].territory;
		size_t r0 = r;
		char *sg;
		codes.n = 0;
		for (; r < sub->n && strcmp(sub->v[r].territory, terr) == 0; r++)
			if (strcmp(sub->v[r].level, "commune") == 0)
				*(const char **)cpts_vec_push(&codes) = sub->v[r].level_code;
		qsort(codes.data, codes.n, sizeof(char *), cmp_str);
		sg = dl_signature(&codes);
		for (size_t q = r0; q < r && *out; q++) {
			const cpts_pvalue *v = &sub->v[q];
			const cpts_indicator *ind = cpts_indicator_find(v->indicator);
			int64_t k;
			if (strcmp(v->level, "territoire") != 0 || !ind ||
			    ind->kind != CPTS_IND_COUNT || cpts_pub_hidden(v) || isnan(v->value))
				continue;
			cpts_buf_reset(&key);
			cpts_buf_addf(&key, "%s\x1f%s\x1f%.9g", sg, v->indicator, v->value);
			*out = cpts_strmap_get(known, key.data, &k);
		}
		free(sg);
	}
	cpts_vec_release(&codes);
out:
	dl_ledger_release(&led);
	cpts_strmap_free(known);
	cpts_buf_release(&key);
	return rc;
}

int cpts_pub_record(cpts_ctx *ctx, cpts_store *s, const char *partition,
		    const cpts_ptable *t, const char *const *keys, size_t n_keys,
		    const char *what)
{
	cpts_ptable sub;
	bool dup = false;
	int rc = CPTS_OK;

	if (!t)
		return CPTS_OK;
	/* a view of t (rows copied, strings BORROWED): the commune populations give the
	   commune sets (cpts_ledger_record), the territory rows what was printed */
	memset(&sub, 0, sizeof(sub));
	sub.v = cpts_calloc(t->n + 1, sizeof(cpts_pvalue));
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		bool com = strcmp(v->level, "commune") == 0;
		if ((com && strcmp(v->indicator, "pop_total") == 0) ||
		    (strcmp(v->level, "territoire") == 0 && recorded_key(v->indicator, keys, n_keys)))
			sub.v[sub.n++] = *v;
	}
	if (!cpts_store_readonly(s) && (rc = already_recorded(ctx, s, &sub, &dup)) < 0)
		goto out;
	if (!dup)
		rc = cpts_ledger_record(ctx, s, partition, &sub, what);
out:
	free(sub.v);
	return rc;
}
