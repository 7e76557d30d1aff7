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

/* The partitions to compare with when none is named: basins, and any partition whose
 * name says BV or EPCI. */
static int auto_names(cpts_ctx *ctx, cpts_store *s, const char *self, cpts_vec *names)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st,
			"SELECT name FROM partitions WHERE name <> ?1 AND (kind = 'basins' OR"
			" lower(name) LIKE '%bv%' OR lower(name) LIKE '%bassin%' OR"
			" lower(name) LIKE '%epci%') ORDER BY name")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, self, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **slot = cpts_vec_push(names);
		if (slot)
			*slot = cpts_strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return CPTS_OK;
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
	cpts_vec names;
	int rc = CPTS_OK;

	cpts_vec_init(&names, sizeof(char *), 4096);
	if (opts->compare) {
		for (size_t k = 0; k < opts->n_compare; k++) {
			char **slot = cpts_vec_push(&names);
			if (slot)
				*slot = cpts_strdup(opts->compare[k]);
		}
	} else if ((rc = auto_names(ctx, s, r->part->name, &names)) < 0)
		goto out;
	for (size_t k = 0; k < names.n && rc == CPTS_OK; k++)
		rc = compare_one(ctx, r, s, cpts_vec_at(&names, char *, k));
out:
	for (size_t k = 0; k < names.n; k++)
		free(cpts_vec_at(&names, char *, k));
	cpts_vec_release(&names);
	return rc;
}
