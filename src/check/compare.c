/*
 * compare.c - the comparison of a checked partition with flow-based basins, BV2022 and
 * EPCI partitions (issue 7 item 3), and the per-commune disagreement drawn on the HTML
 * map of disagreements.
 *
 * The indices (ARI, NMI, matching share) are those of `cpts compare`
 * (cpts_compare_partitions in src/basins); we only add the count of communes whose
 * territory's best-matching basin differs, which is what the map shows.
 */
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/store_check.h"

size_t cpts_check_disagreement(unsigned char *out, const cpts_model *m,
			       const cpts_partition *a, const cpts_partition *b)
{
	double *pop = cpts_calloc(b->n_terr + 1, sizeof(double));
	size_t *cnt = cpts_calloc(b->n_terr + 1, sizeof(size_t));
	long *best = cpts_mallocarray(a->n_terr + 1, sizeof(long));
	size_t n_dis = 0;

	for (size_t t = 0; t < a->n_terr; t++) {
		best[t] = -1;
		for (size_t k = a->terr_start[t]; k < a->terr_start[t + 1]; k++) {
			size_t i = a->members[k].commune;
			long u = b->commune_terr[i];
			if (a->commune_terr[i] != (long)t || u < 0)
				continue;
			pop[u] += m->c[i].pop;
			cnt[u]++;
			if (best[t] < 0 || pop[u] > pop[best[t]] ||
			    (pop[u] == pop[best[t]] && (cnt[u] > cnt[best[t]] ||
							(cnt[u] == cnt[best[t]] && u < best[t]))))
				best[t] = u;
		}
		for (size_t k = a->terr_start[t]; k < a->terr_start[t + 1]; k++) {
			long u = b->commune_terr[a->members[k].commune];
			if (u >= 0) {
				pop[u] = 0;
				cnt[u] = 0;
			}
		}
	}
	for (size_t i = 0; i < m->n; i++) {
		long t = a->commune_terr[i], u = b->commune_terr[i];
		if (t < 0 || u < 0)
			out[i] = 2;
		else if (u != best[t]) {
			out[i] = 1;
			n_dis++;
		} else
			out[i] = 0;
	}
	free(pop);
	free(cnt);
	free(best);
	return n_dis;
}

static int compare_one(cpts_ctx *ctx, cpts_check_report *r, cpts_store *s, const char *name)
{
	cpts_partition *b = NULL;
	unsigned char *dis = NULL;
	cpts_check_compare *c;
	int rc;

	if ((rc = cpts_partition_load(ctx, &b, s, r->model, name)) < 0)
		return rc;
	r->cmp = cpts_reallocarray(r->cmp, r->n_cmp + 1, sizeof(cpts_check_compare));
	c = &r->cmp[r->n_cmp++];
	memset(c, 0, sizeof(*c));
	c->name = cpts_strdup(name);
	dis = cpts_malloc(r->model->n ? r->model->n : 1);
	c->n_disagree = cpts_check_disagreement(dis, r->model, r->part, b);
	free(dis);
	cpts_partition_free(b);
	return cpts_compare_partitions(ctx, s, r->part->name, name, &c->r);
}

int chk_compare(cpts_ctx *ctx, cpts_check_report *r, cpts_store *s, const cpts_check_opts *opts)
{
	char **names = NULL;
	size_t n = 0;
	int rc = CPTS_OK;

	if (opts->compare) {
		for (size_t k = 0; k < opts->n_compare && rc == CPTS_OK; k++)
			rc = compare_one(ctx, r, s, opts->compare[k]);
		return rc;
	}
	/* none named: the one rule of the workspace (basins, BV, EPCI partitions) */
	if ((rc = cpts_store_compare_targets(ctx, s, r->part->name, 0, &names, &n)) < 0)
		return rc;
	for (size_t k = 0; k < n && rc == CPTS_OK; k++)
		rc = compare_one(ctx, r, s, names[k]);
	cpts_store_names_free(names, n);
	return rc;
}
