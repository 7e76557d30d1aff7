/*
 * resolve.c - map the commune codes of an input file onto the communes of the
 * workspace.
 *
 * Why: files and geometry rarely share a vintage or a level. A code is, in order:
 * a commune of the workspace (direct); an old code of the passage table, which spreads
 * onto its new codes with the split weights (merged communes add up onto the
 * geometry's vintage); an arrondissement of Paris/Lyon/Marseille whose commune is in
 * the workspace (aggregated to the commune, unless the file also has the commune row:
 * never both); or unknown. Lookups are one hash probe each so that flows files of tens
 * of millions of rows stay fast.
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/code.h"
#include "cpts/store.h"
#include "cpts/store_ingest.h"
#include "ingest/ingest_int.h"
#include "ingest/resolve.h"

void cpts_resolver_init(cpts_resolver *r)
{
	memset(r, 0, sizeof(*r));
	cpts_vec_init(&r->pas, sizeof(cpts_passage_target), (size_t)1 << 24);
}

void cpts_resolver_release(cpts_resolver *r)
{
	cpts_strmap_free(r->communes);
	cpts_strmap_free(r->passage);
	free(r->known);
	cpts_vec_release(&r->pas);
	memset(r, 0, sizeof(*r));
}

/* One row of the passage table: old code -> first target, targets chained by index. */
static int add_passage(void *arg, const char *old, const char *nw, double weight)
{
	cpts_resolver *r = arg;
	cpts_passage_target *t;
	int64_t first;

	if (strlen(nw) != 5)
		return CPTS_OK;
	t = cpts_vec_push(&r->pas);
	if (!t)
		return CPTS_OK; /* the chain is full: later targets are not read (as before) */
	memcpy(t->code, nw, 6);
	t->weight = weight;
	t->next = -1;
	if (cpts_strmap_get(r->passage, old, &first)) {
		int64_t i = first;
		while (cpts_vec_at(&r->pas, cpts_passage_target, i).next >= 0)
			i = cpts_vec_at(&r->pas, cpts_passage_target, i).next;
		cpts_vec_at(&r->pas, cpts_passage_target, i).next = (int64_t)(r->pas.n - 1);
	} else {
		cpts_strmap_put(r->passage, old, (int64_t)(r->pas.n - 1));
	}
	return CPTS_OK;
}

static int add_commune(void *arg, const char *code)
{
	cpts_resolver *r = arg;
	long k = cpts_code_key(code);

	cpts_strmap_put(r->communes, code, 1);
	if (k >= 0) {
		if (!r->known)
			r->known = cpts_calloc(CPTS_CODE_KEYS, 1);
		r->known[k] = 1;
	}
	return CPTS_OK;
}

int cpts_resolver_load(cpts_ctx *ctx, cpts_resolver *r, cpts_store *s)
{
	int rc;

	r->communes = cpts_strmap_new(40000);
	if ((rc = cpts_store_commune_codes_each(ctx, s, add_commune, r)) < 0)
		return rc;
	r->n_communes = cpts_strmap_count(r->communes);
	r->passage = cpts_strmap_new(1024);
	return cpts_store_passage_each(ctx, s, add_passage, r);
}

bool cpts_resolver_known(const cpts_resolver *r, const char *code)
{
	int64_t v;
	long k = cpts_code_key(code);

	if (k >= 0)
		return r->known && r->known[k];
	return cpts_strmap_get(r->communes, code, &v);
}

size_t cpts_resolve(const cpts_resolver *r, const char *code, cpts_target *out, size_t max)
{
	int64_t v;
	size_t n = 0;
	const char *parent;

	if (cpts_resolver_known(r, code)) {
		memcpy(out[0].code, code, 6);
		out[0].weight = 1.0;
		out[0].how = CPTS_RESOLVE_DIRECT;
		return 1;
	}
	if (r->passage && cpts_strmap_get(r->passage, code, &v)) {
		for (int64_t i = v; i >= 0 && n < max;
		     i = cpts_vec_at(&r->pas, cpts_passage_target, i).next) {
			const cpts_passage_target *t = &cpts_vec_at(&r->pas, cpts_passage_target, i);
			if (!cpts_resolver_known(r, t->code))
				continue;
			memcpy(out[n].code, t->code, 6);
			out[n].weight = t->weight;
			out[n].how = CPTS_RESOLVE_PASSAGE;
			n++;
		}
		if (n)
			return n;
	}
	parent = cpts_code_arm_parent(code);
	if (parent && cpts_resolver_known(r, parent)) {
		memcpy(out[0].code, parent, 6);
		out[0].weight = 1.0;
		out[0].how = CPTS_RESOLVE_ARM;
		return 1;
	}
	return 0;
}
