/*
 * read_json.c - rebuild the audit's cells from a `--json` output of profile, check,
 * move, suggest, compare or info (flattened by SQLite's json_tree, cpts/store_json.h).
 *
 * Objects of an array "territories" with an "id" are territories, named as the other
 * readers name them ("territoires[<partition>]|<id>|<key>"): the partition is the
 * document's "partition" (profile, check), or for move's [before, after] pairs "from"
 * for the first and "as" for the second.
 * - A member named as a catalogue indicator is that cell: a number is published, null
 *   with the key listed in "masked" is masked (a count: a target), with its bounds
 *   "<key>_lo" / "<key>_hi" when given.
 * - move: flows_in / flows_res are flow counts (health counts) and LI their ratio
 *   (LI = flows_in / flows_res, within the rounding of the printed decimals). The two
 *   partitions differ by the moved communes only, so after - before is a count over
 *   those communes' flows: a published difference from 1 to T-1 is a finding by itself
 *   (written here, no linear program needed); an "after" printed as null hides a
 *   difference that is a target in [1, T-1], which the LP then checks against LI.
 * Everything else (populations, tiers, ARI, file rows) is public or no health count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit_int.h"
#include "cpts/profile.h"
#include "cpts/store_json.h"

typedef struct j_doc {
	cpts_json_row *r;
	size_t n;
	cpts_strmap *at; /* path -> row index */
} j_doc;

static const cpts_json_row *jget(const j_doc *d, const char *path)
{
	int64_t k;

	return cpts_strmap_get(d->at, path, &k) ? &d->r[k] : NULL;
}

static const cpts_json_row *jgetf(const j_doc *d, const char *fmt, const char *a, size_t i,
				  const char *b)
{
	char *p = cpts_asprintf(fmt, a, i, b);
	const cpts_json_row *r = jget(d, p);

	free(p);
	return r;
}

/* Is key listed in $.territories[i].masked? */
static bool listed_masked(const j_doc *d, size_t i, const char *key)
{
	for (size_t k = 0;; k++) {
		char *p = cpts_asprintf("$.territories[%zu].masked[%zu]", i, k);
		const cpts_json_row *r = jget(d, p);
		free(p);
		if (!r)
			return false;
		if (r->text && strcmp(r->text, key) == 0)
			return true;
	}
}

static size_t cell(cpts_lp *s, const char *lay, const char *id, const char *key, bool integer)
{
	char *nm = cpts_asprintf("%s|%s|%s", lay, id, key);
	size_t k = cpts_lp_cell_get(s, nm);

	free(nm);
	cpts_vec_at(&s->cells, cpts_lp_cell, k).is_integer = integer;
	return k;
}

static void set_known(cpts_lp *s, size_t k, double v)
{
	cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, k);

	if (c->is_unknown) {
		c->is_unknown = false;
		c->is_target = false;
		c->value = v;
	}
}

/* profile / check: scalar members of one territory. */
static void terr_scalars(cpts_lp *s, const j_doc *d, size_t i, const char *lay, const char *id)
{
	for (const cpts_indicator *ind = cpts_indicators; ind->key; ind++) {
		if (ind->kind != CPTS_IND_COUNT && ind->kind != CPTS_IND_RATIO)
			continue;
		const cpts_json_row *v = jgetf(d, "$.territories[%s%zu].%s", "", i, ind->key);
		bool count = ind->kind == CPTS_IND_COUNT;
		if (!v)
			continue;
		size_t k = cell(s, lay, id, ind->key, count);
		if (v->is_num) {
			set_known(s, k, v->num);
			continue;
		}
		if (!listed_masked(d, i, ind->key))
			continue;
		cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, k);
		if (count)
			c->was_masked = true;
		if (!c->is_unknown || c->is_target)
			continue;
		const cpts_json_row *lo = jgetf(d, "$.territories[%s%zu].%s_lo", "", i, ind->key);
		const cpts_json_row *hi = jgetf(d, "$.territories[%s%zu].%s_hi", "", i, ind->key);
		c->lo = count ? 0 : -INFINITY; /* zeros are masked too */
		c->hi = INFINITY;
		if (lo && lo->is_num && hi && hi->is_num) {
			c->lo = lo->num;
			c->hi = hi->num;
		}
		if (count) {
			c->is_target = true;
			c->need_lo = fmax(c->lo, 1); /* reach 1 and T-1 (audit.h) */
			c->need_hi = isinf(c->hi) ? fmax(c->need_lo, s->thr - 1) : c->hi;
		}
	}
	au_feature_relations(s, lay, id);
}

/* Decimals of a printed number ("0.873291" -> 6). */
static int decimals_of(const char *t)
{
	const char *p = t ? strchr(t, '.') : NULL;

	return p ? (int)strlen(p + 1) : 0;
}

/* move: [before, after] pairs of one territory. */
static void terr_pairs(cpts_lp *s, const j_doc *d, size_t i, const char *id, const char *from,
		       const char *as, FILE *report, size_t *n_direct)
{
	static const char *const flows[] = { "flows_in", "flows_res" };
	char *lay[2] = { cpts_asprintf("territoires[%s]", from),
			 cpts_asprintf("territoires[%s]", as) };
	const cpts_json_row *nb = jgetf(d, "$.territories[%s%zu].communes[0]", "", i, "");
	const cpts_json_row *na = jgetf(d, "$.territories[%s%zu].communes[1]", "", i, "");
	/* the territory gains (+1) or loses (-1) communes: the sign of every flow change */
	double sgn = nb && na && nb->is_num && na->is_num ? (na->num >= nb->num ? 1 : -1) : 0;

	for (size_t f = 0; f < 2; f++) {
		const cpts_json_row *v[2];
		size_t k[2];
		for (int w = 0; w < 2; w++) {
			char *p = cpts_asprintf("$.territories[%zu].%s[%d]", i, flows[f], w);
			v[w] = jget(d, p);
			free(p);
			k[w] = cell(s, lay[w], id, flows[f], true);
			if (v[w] && v[w]->is_num)
				set_known(s, k[w], v[w]->num);
		}
		if (!v[0] || !v[1] || !v[0]->is_num || sgn == 0)
			continue;
		if (v[1]->is_num) {
			double dl = fabs(v[1]->num - v[0]->num);
			if (dl > 0.5 && dl < s->thr - 0.5) {
				(*n_direct)++;
				fprintf(report, "leak: %s of '%s' is published before (%.0f, %s) and"
					" after (%.0f, %s) a move: the moved communes' flows make"
					" %.0f (< %.0f)\n", flows[f], id, v[0]->num, from, v[1]->num,
					as, dl, s->thr);
			}
			continue;
		}
		/* after hidden: the change is a masked count in [1, T-1] (move prints a
		   change of 0, so a hidden change is known not to be 0) */
		char *dn = cpts_asprintf("moved[%s->%s]|%s|%s", from, as, id, flows[f]);
		size_t dk = cpts_lp_cell_get(s, dn);
		free(dn);
		cpts_lp_cell *c = &cpts_vec_at(&s->cells, cpts_lp_cell, dk);
		c->is_integer = true;
		c->was_masked = true;
		if (c->is_unknown && !c->is_target) {
			c->is_target = true;
			c->lo = c->need_lo = 1;
			c->hi = c->need_hi = s->thr - 1;
		}
		cpts_lp_rel_begin(s, 0, 0);
		cpts_lp_rel_term(s, k[1], 1);
		cpts_lp_rel_term(s, k[0], -1);
		cpts_lp_rel_term(s, dk, -sgn);
		cpts_lp_rel_end(s);
	}
	/* LI = flows_in / flows_res, within the rounding of its printed decimals */
	for (int w = 0; w < 2; w++) {
		char *p = cpts_asprintf("$.territories[%zu].LI[%d]", i, w);
		const cpts_json_row *li = jget(d, p);
		free(p);
		if (!li || !li->is_num)
			continue;
		double h = 0.5 * pow(10, -decimals_of(li->text)) + 1e-12;
		size_t fi = cell(s, lay[w], id, "flows_in", true);
		size_t fr = cell(s, lay[w], id, "flows_res", true);
		cpts_lp_rel_begin(s, -INFINITY, 0);
		cpts_lp_rel_term(s, fi, 1);
		cpts_lp_rel_term(s, fr, -(li->num + h));
		cpts_lp_rel_end(s);
		cpts_lp_rel_begin(s, 0, INFINITY);
		cpts_lp_rel_term(s, fi, 1);
		cpts_lp_rel_term(s, fr, -(li->num - h));
		cpts_lp_rel_end(s);
	}
	free(lay[0]);
	free(lay[1]);
}

int au_read_json(cpts_ctx *ctx, cpts_lp *s, const char *path, FILE *report, size_t *n_direct)
{
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f = fopen(path, "rb");
	j_doc d = { 0 };
	int rc;

	if (!f)
		return cpts_fail(ctx, CPTS_EIO, "cannot read '%s'", path);
	do {
		if (len + 4096 + 1 > cap) {
			cap = 2 * cap + 8192;
			text = cpts_realloc(text, cap);
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	text[len] = 0;
	fclose(f);
	rc = cpts_json_rows(ctx, text, path, &d.r, &d.n);
	free(text);
	if (rc < 0)
		return rc;
	if (s->thr <= 0)
		s->thr = CPTS_DOMAIN_MASK_THRESHOLD; /* the default when the file does not say */
	d.at = cpts_strmap_new(d.n + 1);
	for (size_t i = 0; i < d.n; i++)
		cpts_strmap_put(d.at, d.r[i].path, (int64_t)i);
	const cpts_json_row *part = jget(&d, "$.partition"), *from = jget(&d, "$.from"),
			    *as = jget(&d, "$.as");
	for (size_t i = 0;; i++) {
		const cpts_json_row *id = jgetf(&d, "$.territories[%s%zu].id", "", i, "");
		if (!id)
			break;
		if (!id->text)
			continue;
		if (from && from->text && as && as->text) {
			terr_pairs(s, &d, i, id->text, from->text, as->text, report, n_direct);
		} else {
			char *lay = cpts_asprintf("territoires[%s]", part && part->text ? part->text
						  : path);
			terr_scalars(s, &d, i, lay, id->text);
			free(lay);
		}
	}
	cpts_strmap_free(d.at);
	cpts_json_rows_free(d.r, d.n);
	return CPTS_OK;
}
