/*
 * compare.c - agreement between two partitions, weighted by population (DOMAIN.md 5).
 *
 * The contingency table n_ij holds the population of the communes that partition A
 * puts in territory i and B in territory j (membership weights multiply). Each
 * inhabitant then counts as one observation, so the adjusted Rand index and the
 * normalised mutual information are exactly those of scikit-learn
 * (adjusted_rand_score, normalized_mutual_info_score with the arithmetic mean) on the
 * inhabitants, with x(x-1)/2 extended to real populations. The matching share is, for
 * each territory of A, the population it shares with the territory of B it shares most
 * population with, summed over A, divided by the total.
 * Without population data every commune weighs 1 (with a warning).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"
#include "cpts/session.h"

typedef struct cell {
	size_t a, b;
	double v;
} cell;

static int cmp_cell(const void *x, const void *y)
{
	const cell *p = x, *q = y;

	if (p->a != q->a)
		return p->a < q->a ? -1 : 1;
	return p->b < q->b ? -1 : p->b > q->b;
}

static double comb2(double x)
{
	return x * (x - 1) / 2;
}

/* Indices over contingency cells (sorted by a then b, duplicates summed). */
static void scores(const cell *c, size_t nc, size_t na, size_t nb, cpts_compare_result *out)
{
	double *ra = cpts_calloc(na + 1, sizeof(double)), *rb = cpts_calloc(nb + 1, sizeof(double));
	double *best = cpts_calloc(na + 1, sizeof(double));
	double N = 0, sij = 0, sa = 0, sb = 0, mi = 0, ha = 0, hb = 0, match = 0;

	for (size_t k = 0; k < nc; k++) {
		ra[c[k].a] += c[k].v;
		rb[c[k].b] += c[k].v;
		N += c[k].v;
		sij += comb2(c[k].v);
		if (c[k].v > best[c[k].a])
			best[c[k].a] = c[k].v;
	}
	for (size_t i = 0; i < na; i++) {
		sa += comb2(ra[i]);
		if (ra[i] > 0)
			ha -= ra[i] / N * log(ra[i] / N);
		match += best[i];
	}
	for (size_t j = 0; j < nb; j++) {
		sb += comb2(rb[j]);
		if (rb[j] > 0)
			hb -= rb[j] / N * log(rb[j] / N);
	}
	for (size_t k = 0; k < nc; k++)
		if (c[k].v > 0)
			mi += c[k].v / N * log(N * c[k].v / (ra[c[k].a] * rb[c[k].b]));
	{
		double expected = N > 1 ? sa * sb / comb2(N) : 0, maxi = (sa + sb) / 2;
		out->ari = fabs(maxi - expected) < 1e-12 * (fabs(maxi) + 1)
				   ? 1.0 : (sij - expected) / (maxi - expected);
	}
	out->nmi = (ha + hb) > 0 ? mi / ((ha + hb) / 2) : 1.0;
	if (out->nmi > 1)
		out->nmi = 1; /* rounding */
	out->share_matching = N > 0 ? match / N : NAN;
	free(ra);
	free(rb);
	free(best);
}

int cpts_compare_partitions(cpts_ctx *ctx, cpts_store *s, const char *a, const char *b,
			    cpts_compare_result *out)
{
	cpts_session *ss = cpts_session_borrow(s);
	cpts_model *m;
	cpts_partition *pa, *pb;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = cpts_session_model(ctx, ss, &m)) >= 0 &&
	    (rc = cpts_session_partition(ctx, ss, a, &pa)) >= 0 &&
	    (rc = cpts_session_partition(ctx, ss, b, &pb)) >= 0) {
		if (!m->has_population)
			cpts_warn(ctx, "no population in the workspace: every commune weighs 1");
		rc = cpts_compare_partitions_of(ctx, m, pa, pb, out);
	}
	cpts_session_free(ctx, ss);
	return rc;
}

int cpts_compare_partitions_of(cpts_ctx *ctx, const cpts_model *m, const cpts_partition *pa,
			       const cpts_partition *pb, cpts_compare_result *out)
{
	const char *a = pa->name, *b = pb->name;
	cell *c = NULL;
	size_t nc = 0, cap, *sa = NULL, *sb = NULL, *bstart = NULL, *bidx = NULL, *fill;
	int rc = CPTS_OK;

	memset(out, 0, sizeof(*out));
	/* members are sorted by territory: count them per commune first */
	sa = cpts_calloc(m->n + 1, sizeof(size_t));
	sb = cpts_calloc(m->n + 1, sizeof(size_t));
	for (size_t k = 0; k < pa->n_members; k++)
		sa[pa->members[k].commune]++;
	for (size_t k = 0; k < pb->n_members; k++)
		sb[pb->members[k].commune]++;
	/* B's members indexed by commune (CSR) */
	bstart = cpts_calloc(m->n + 2, sizeof(size_t));
	bidx = cpts_mallocarray(pb->n_members + 1, sizeof(size_t));
	for (size_t i = 0; i < m->n; i++)
		bstart[i + 1] = bstart[i] + sb[i];
	fill = cpts_mallocarray(m->n + 1, sizeof(size_t));
	memcpy(fill, bstart, (m->n + 1) * sizeof(size_t));
	for (size_t k = 0; k < pb->n_members; k++)
		bidx[fill[pb->members[k].commune]++] = k;
	free(fill);
	cap = pa->n_members + pb->n_members + 1;
	c = cpts_mallocarray(cap, sizeof(cell));
	for (size_t ka = 0; ka < pa->n_members; ka++) {
		const cpts_member *x = &pa->members[ka];
		double pop = m->has_population ? m->c[x->commune].pop : 1.0;
		if (!sb[x->commune])
			continue;
		for (size_t kb = bstart[x->commune]; kb < bstart[x->commune + 1]; kb++) {
			const cpts_member *y = &pb->members[bidx[kb]];
			if (nc == cap) {
				cap *= 2;
				c = cpts_reallocarray(c, cap, sizeof(cell));
			}
			c[nc++] = (cell){ x->territory, y->territory, pop * x->weight * y->weight };
		}
	}
	for (size_t i = 0; i < m->n; i++)
		out->n_common += sa[i] && sb[i];
	if (!out->n_common) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "partitions '%s' and '%s' have no commune in common",
			       a, b);
		goto out;
	}
	cpts_qsort(c, nc, sizeof(cell), cmp_cell);
	{
		size_t k = 0;
		for (size_t i = 0; i < nc; i++) {
			if (k && c[k - 1].a == c[i].a && c[k - 1].b == c[i].b)
				c[k - 1].v += c[i].v;
			else
				c[k++] = c[i];
		}
		nc = k;
	}
	scores(c, nc, pa->n_terr, pb->n_terr, out);
	out->n_terr_a = pa->n_terr;
	out->n_terr_b = pb->n_terr;
out:
	free(c);
	free(sa);
	free(sb);
	free(bstart);
	free(bidx);
	return rc;
}
