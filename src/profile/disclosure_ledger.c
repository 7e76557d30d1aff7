/*
 * disclosure_ledger.c - the publication ledger (issue 19, point 3) on the disclosure
 * side: record what an export published (cpts_ledger_record), and load every earlier
 * publication of the workspace for cpts_ptable_load, which adds them to the linear
 * programs of secondary suppression: an earlier territory's published count is a
 * constant tied to the sum of its communes, and an earlier commune count is known, as
 * is an earlier département's, region's or whole area's (the same cells in every
 * partition: masking one that was published earlier protects nothing).
 * A new territory whose difference with an earlier one would pin a masked count then
 * gets cells suppressed, like any other relation (disclosure.c).
 *
 * Guarantee and limit: only publications made by this workspace (export, profile
 * print) are known; files made from another workspace, or edited by hand, are not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/store_ledger.h"
#include "profile/disclosure_int.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool dl_is_area(const char *level)
{
	return level && (strcmp(level, "departement") == 0 || strcmp(level, "region") == 0 ||
			 strcmp(level, "ensemble") == 0);
}

char *dl_signature(const cpts_vec *codes)
{
	cpts_buf b = CPTS_BUF_INIT;

	for (size_t i = 0; i < codes->n; i++)
		cpts_buf_addf(&b, "%s%s", i ? "," : "", cpts_vec_at(codes, char *, i));
	return cpts_buf_detach(&b, NULL);
}

int cpts_ledger_record(cpts_ctx *ctx, cpts_store *s, const char *partition,
		       const cpts_ptable *t, const char *what)
{
	cpts_strmap *n_terr, *split; /* commune -> territories holding it; territories
					holding a split commune */
	cpts_ledger_writer *w = NULL;
	char when[32];
	int rc;

	if (!t)
		return CPTS_OK;
	if (cpts_store_readonly(s)) {
		cpts_warn(ctx, "read-only workspace: this publication is not recorded in its"
			  " ledger (later publications will not be protected against it)");
		return CPTS_OK;
	}
	n_terr = cpts_strmap_new(1024);
	split = cpts_strmap_new(64);
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		int64_t k = 0;
		if (strcmp(v->level, "commune") != 0 || strcmp(v->indicator, "pop_total") != 0)
			continue;
		cpts_strmap_get(n_terr, v->level_code, &k);
		cpts_strmap_put(n_terr, v->level_code, k + 1);
	}
	for (size_t r = 0; r < t->n; r++) {
		const cpts_pvalue *v = &t->v[r];
		int64_t k = 0;
		if (strcmp(v->level, "commune") == 0 && cpts_strmap_get(n_terr, v->level_code, &k) &&
		    k > 1)
			cpts_strmap_put(split, v->territory, 1);
	}
	cpts_timestamp_utc(when);
	if ((rc = cpts_ledger_begin(ctx, s, &w, partition, what, when)) < 0)
		goto out;
	for (size_t r = 0; r < t->n && rc >= 0; r++) {
		const cpts_pvalue *v = &t->v[r];
		const cpts_indicator *ind = cpts_indicator_find(v->indicator);
		int64_t k = 0;
		bool com = strcmp(v->level, "commune") == 0;
		if (com && strcmp(v->indicator, "pop_total") == 0 &&
		    !cpts_strmap_get(split, v->territory, &k))
			rc = cpts_ledger_add_member(ctx, w, v->territory, v->level_code);
		if (rc < 0 || !ind || ind->kind != CPTS_IND_COUNT || v->masked || v->withdrawn ||
		    isnan(v->value))
			continue;
		if (com && cpts_strmap_get(n_terr, v->level_code, &k) && k > 1)
			continue; /* a split commune's weighted part: not its count */
		if (com || strcmp(v->level, "territoire") == 0 || dl_is_area(v->level))
			rc = cpts_ledger_add_value(ctx, w, v->level, v->level_code, v->indicator,
						   v->value);
	}
out:
	rc = cpts_ledger_end(ctx, w, rc >= 0) < 0 && rc >= 0 ? CPTS_EIO : rc;
	cpts_strmap_free(n_terr);
	cpts_strmap_free(split);
	return rc;
}

typedef struct load_st {
	dl_ledger *l;
	cpts_strmap *terr; /* "pub\x1fterritory" -> index in l->terrs */
	cpts_buf key;
} load_st;

static dl_terr *terr_of(load_st *ls, int64_t pub, const char *partition, const char *what,
			const char *territory)
{
	int64_t k;
	dl_terr *t;

	cpts_buf_reset(&ls->key);
	cpts_buf_addf(&ls->key, "%lld\x1f%s", (long long)pub, territory);
	if (cpts_strmap_get(ls->terr, ls->key.data, &k))
		return &cpts_vec_at(&ls->l->terrs, dl_terr, (size_t)k);
	if (!partition)
		return NULL; /* members of a territory with no published count: unused */
	t = cpts_vec_push(&ls->l->terrs);
	if (!t)
		CPTS_BUG("ledger too large");
	memset(t, 0, sizeof(*t));
	t->pub = pub;
	t->partition = cpts_strdup(partition);
	t->what = cpts_strdup(what ? what : "");
	t->territory = cpts_strdup(territory);
	cpts_vec_init(&t->codes, sizeof(char *), SIZE_MAX / sizeof(char *));
	cpts_vec_init(&t->inds, sizeof(char *), SIZE_MAX / sizeof(char *));
	cpts_vec_init(&t->values, sizeof(double), SIZE_MAX / sizeof(double));
	cpts_strmap_put(ls->terr, ls->key.data, (int64_t)(ls->l->terrs.n - 1));
	return t;
}

static void on_value(void *arg, int64_t pub, const char *partition, const char *what,
		     const char *level, const char *code, const char *indicator, double value)
{
	load_st *ls = arg;

	if (!level || !code || !indicator)
		return;
	if (strcmp(level, "commune") == 0 || dl_is_area(level)) {
		dl_com *c = cpts_vec_push(&ls->l->coms);
		if (!c)
			CPTS_BUG("ledger too large");
		/* a département, region or the whole area: "level|code" (no commune code
		   holds a '|'), the same number in every partition of the workspace */
		c->code = dl_is_area(level) ? cpts_asprintf("%s|%s", level, code) : cpts_strdup(code);
		c->indicator = cpts_strdup(indicator);
		c->value = value;
	} else if (strcmp(level, "territoire") == 0) {
		dl_terr *t = terr_of(ls, pub, partition ? partition : "", what, code);
		char **k = cpts_vec_push(&t->inds);
		double *v = cpts_vec_push(&t->values);
		if (!k || !v)
			CPTS_BUG("ledger too large");
		*k = cpts_strdup(indicator);
		*v = value;
	}
}

static void on_member(void *arg, int64_t pub, const char *territory, const char *code)
{
	load_st *ls = arg;
	dl_terr *t;
	char **c;

	if (!territory || !code || !(t = terr_of(ls, pub, NULL, NULL, territory)))
		return;
	if (!(c = cpts_vec_push(&t->codes)))
		CPTS_BUG("ledger too large");
	*c = cpts_strdup(code);
}

int dl_ledger_load(cpts_ctx *ctx, cpts_store *s, dl_ledger *out)
{
	load_st ls = { out, cpts_strmap_new(256), CPTS_BUF_INIT };
	int rc;

	cpts_vec_init(&out->terrs, sizeof(dl_terr), SIZE_MAX / sizeof(dl_terr));
	cpts_vec_init(&out->coms, sizeof(dl_com), SIZE_MAX / sizeof(dl_com));
	rc = cpts_ledger_read(ctx, s, on_value, on_member, &ls);
	for (size_t i = 0; i < out->terrs.n; i++) {
		dl_terr *t = &cpts_vec_at(&out->terrs, dl_terr, i);
		if (t->codes.n)
			qsort(t->codes.data, t->codes.n, sizeof(char *), cmp_str);
	}
	cpts_strmap_free(ls.terr);
	cpts_buf_release(&ls.key);
	return rc;
}

static void free_strs(cpts_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(cpts_vec_at(v, char *, i));
	cpts_vec_release(v);
}

void dl_ledger_release(dl_ledger *l)
{
	for (size_t i = 0; i < l->terrs.n; i++) {
		dl_terr *t = &cpts_vec_at(&l->terrs, dl_terr, i);
		free(t->partition);
		free(t->what);
		free(t->territory);
		free_strs(&t->codes);
		free_strs(&t->inds);
		cpts_vec_release(&t->values);
	}
	cpts_vec_release(&l->terrs);
	for (size_t i = 0; i < l->coms.n; i++) {
		free(cpts_vec_at(&l->coms, dl_com, i).code);
		free(cpts_vec_at(&l->coms, dl_com, i).indicator);
	}
	cpts_vec_release(&l->coms);
}
