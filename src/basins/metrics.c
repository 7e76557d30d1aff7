/*
 * metrics.c - per-basin and per-commune metrics of any partition (DOMAIN.md 5):
 * population, communes, pole, LI, MSI, compactness PAC, ACI tier; attraction class,
 * first and second destination territory and their shares.
 *
 * Why from the partition members (with weights) rather than from labels: the same code
 * serves basins we computed and partitions users ingested (EPCI, existing CPTS), some
 * of which split a commune between territories. LI, MSI and PAC come from
 * cpts/measures.h (measures.c, their one home, shared with `cpts check`, `move` and
 * `suggest`), a territory at a time: PAC uses the dissolved perimeter without any GEOS
 * union (the members' perimeters minus the borders shared inside, from the contiguity
 * graph), a split commune counting in each territory as a piece weighted by its
 * population share. This file adds what only a whole partition has: the pole, and each
 * commune's destinations (attraction classes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "basins/basins_int.h"
#include "cpts/measures.h"
#include "cpts/store_basins.h"
#include "cpts/session.h"

/** Per-commune memberships in CSR form over the model. */
typedef struct memb {
	size_t *start;   /* OWNED, n + 1 */
	size_t *terr;    /* OWNED */
	double *w;       /* OWNED */
} memb;

static void memb_build(memb *mb, const cpts_model *m, const cpts_partition *p)
{
	size_t *fill;

	mb->start = cpts_calloc(m->n + 1, sizeof(size_t));
	mb->terr = cpts_mallocarray(p->n_members + 1, sizeof(size_t));
	mb->w = cpts_mallocarray(p->n_members + 1, sizeof(double));
	for (size_t k = 0; k < p->n_members; k++)
		mb->start[p->members[k].commune + 1]++;
	for (size_t i = 0; i < m->n; i++)
		mb->start[i + 1] += mb->start[i];
	fill = cpts_mallocarray(m->n + 1, sizeof(size_t));
	memcpy(fill, mb->start, (m->n + 1) * sizeof(size_t));
	for (size_t k = 0; k < p->n_members; k++) {
		size_t i = p->members[k].commune;
		mb->terr[fill[i]] = p->members[k].territory;
		mb->w[fill[i]++] = p->members[k].weight;
	}
	free(fill);
}

static void memb_release(memb *mb)
{
	free(mb->start);
	free(mb->terr);
	free(mb->w);
}

/** Accumulated metrics of one territory. */
typedef struct tacc {
	double pop, internal, res_total, in_total; /* flow sums: cpts_measure_flows */
	double pac;                                /* cpts_measure_pac */
	size_t n_communes;
	long pole;        /* commune index */
} tacc;

/* Flows of commune i by destination territory into acc (touched list returned). */
static size_t flows_by_terr(const cpts_flows *f, const memb *mb, size_t i, double *acc,
			    size_t *touched)
{
	size_t n_t = 0;

	for (size_t e = f->start[i]; e < f->start[i + 1]; e++) {
		size_t j = f->col[e];
		for (size_t k = mb->start[j]; k < mb->start[j + 1]; k++) {
			size_t t = mb->terr[k];
			if (acc[t] == 0)
				touched[n_t++] = t;
			acc[t] += f->vol[e] * mb->w[k];
		}
	}
	return n_t;
}

/* The territory a commune is reported in: its whole territory, else its largest part. */
static long own_terr(const memb *mb, size_t i)
{
	long best = -1;
	double bw = -1;

	for (size_t k = mb->start[i]; k < mb->start[i + 1]; k++)
		if (mb->w[k] > bw) {
			bw = mb->w[k];
			best = (long)mb->terr[k];
		}
	return best;
}

/** Where the residents of one commune go, by territory (its basin_communes row). */
typedef struct crow {
	long own, first, second;             /* territories, -1 when none */
	double v_own, v_first, v_second;     /* flows to them */
} crow;

/* The first and second destination territories of commune i (ties: lowest id). */
static void rank_destinations(const double *acc, const size_t *touched, size_t n_t,
			      long own, crow *r)
{
	r->own = own;
	r->first = r->second = -1;
	for (size_t k = 0; k < n_t; k++) {
		long t = (long)touched[k];
		if (r->first < 0 || acc[t] > acc[r->first] ||
		    (acc[t] == acc[r->first] && t < r->first)) {
			r->second = r->first;
			r->first = t;
		} else if (r->second < 0 || acc[t] > acc[r->second] ||
			   (acc[t] == acc[r->second] && t < r->second)) {
			r->second = t;
		}
	}
	r->v_own = own >= 0 ? acc[own] : 0;
	r->v_first = r->first >= 0 ? acc[r->first] : 0;
	r->v_second = r->second >= 0 ? acc[r->second] : 0;
}

/* One pass over the flows: the territories' population and pole in ta, each member
 * commune's destinations in rows. */
static void accumulate(const cpts_model *m, const cpts_flows *f, const cpts_partition *p,
		       const memb *mb, tacc *ta, crow *rows)
{
	double *acc = cpts_calloc(p->n_terr + 1, sizeof(double));
	size_t *touched = cpts_mallocarray(p->n_terr + 1, sizeof(size_t));

	for (size_t t = 0; t < p->n_terr; t++)
		ta[t].pole = -1;
	for (size_t i = 0; i < m->n; i++) {
		size_t n_t;
		rows[i].own = -1;
		if (mb->start[i] == mb->start[i + 1])
			continue;
		n_t = flows_by_terr(f, mb, i, acc, touched);
		rank_destinations(acc, touched, n_t, own_terr(mb, i), &rows[i]);
		for (size_t k = mb->start[i]; k < mb->start[i + 1]; k++) {
			size_t t = mb->terr[k];
			double wt = mb->w[k];
			tacc *a = &ta[t];
			long pl = a->pole;
			a->pop += wt * m->c[i].pop;
			a->n_communes++;
			if (pl < 0 || f->col_total[i] * wt > f->col_total[pl] ||
			    (f->col_total[i] * wt == f->col_total[pl] && m->c[i].pop > m->c[pl].pop))
				a->pole = (long)i;
		}
		for (size_t t = 0; t < n_t; t++)
			acc[touched[t]] = 0;
	}
	free(acc);
	free(touched);
}

/* LI and MSI flow sums and PAC of every territory, through cpts/measures.h. */
static void measure(const cpts_model *m, const cpts_graph *g, const cpts_flows *f,
		    const cpts_partition *p, tacc *ta)
{
	double *w = cpts_calloc(m->n + 1, sizeof(double)); /* weights in territory t */

	for (size_t t = 0; t < p->n_terr; t++) {
		const cpts_member *mb = p->members + p->terr_start[t];
		size_t n_mb = p->terr_start[t + 1] - p->terr_start[t];
		cpts_flowsum fs;
		for (size_t k = 0; k < n_mb; k++)
			w[mb[k].commune] = mb[k].weight;
		cpts_measure_flows(f, mb, n_mb, w, &fs);
		ta[t].internal = fs.in;
		ta[t].res_total = fs.res;
		ta[t].in_total = fs.into;
		ta[t].pac = cpts_measure_pac(m, g, mb, n_mb, w);
		for (size_t k = 0; k < n_mb; k++)
			w[mb[k].commune] = 0;
	}
	free(w);
}

static int write_basin_rows(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			    const cpts_partition *p, const tacc *ta)
{
	cpts_basin_metric_row *rows = cpts_calloc(p->n_terr + 1, sizeof(*rows));
	int rc;

	for (size_t t = 0; t < p->n_terr; t++) {
		const tacc *a = &ta[t];
		rows[t] = (cpts_basin_metric_row){
			.territory = p->terr[t], .pop = a->pop, .n_communes = a->n_communes,
			.pole = a->pole >= 0 ? m->c[a->pole].code : NULL,
			.li = a->res_total > 0 ? a->internal / a->res_total : NAN,
			.msi = a->in_total > 0 ? a->internal / a->in_total : NAN,
			.pac = a->pac,
			.tier = cpts_aci_tier_of(a->pop)->tier,
		};
	}
	rc = cpts_store_basins_put_metrics(ctx, s, p->name, rows, p->n_terr);
	free(rows);
	return rc;
}

static int write_commune_rows(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			      const cpts_flows *f, const cpts_partition *p, const crow *rows,
			      const tacc *ta, const cpts_basins_opts *opts)
{
	cpts_basin_commune_row *out = cpts_calloc(m->n + 1, sizeof(*out));
	size_t n_out = 0;
	int rc;

	for (size_t i = 0; i < m->n; i++) {
		const crow *r = &rows[i];
		double rt = f->row_total[i], own_share;
		int cls;
		if (r->own < 0)
			continue;
		own_share = rt > 0 ? r->v_own / rt : 0;
		if (ta[r->own].pole == (long)i)
			cls = 1;
		else if (!(rt > 0))
			cls = 0; /* no flow: no class (NULL) */
		else if (r->first >= 0 && r->first != r->own && r->v_first > r->v_own)
			cls = 5;
		else if (own_share >= opts->class_t2)
			cls = 2;
		else if (own_share >= opts->class_t3)
			cls = 3;
		else
			cls = 4;
		out[n_out++] = (cpts_basin_commune_row){
			.code = m->c[i].code, .cls = cls,
			.first = r->first >= 0 ? p->terr[r->first] : NULL,
			.first_share = r->first >= 0 ? r->v_first / rt : NAN,
			.second = r->second >= 0 ? p->terr[r->second] : NULL,
			.second_share = r->second >= 0 ? r->v_second / rt : NAN,
			.own_share = rt > 0 ? own_share : NAN,
		};
	}
	rc = cpts_store_basins_put_communes(ctx, s, p->name, out, n_out);
	free(out);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median and minimum basin LI (basins with flows), basins under the LI floor, and
 * median PAC, as the closing notes and the benchmark report them. */
static void distribution(const tacc *ta, size_t nt, cpts_basins_summary *sum)
{
	double *li = cpts_mallocarray(nt + 1, sizeof(double));
	double *pac = cpts_mallocarray(nt + 1, sizeof(double));
	size_t n_li = 0, n_pac = 0;

	sum->li_min = NAN;
	for (size_t t = 0; t < nt; t++) {
		if (ta[t].res_total > 0) {
			li[n_li] = ta[t].internal / ta[t].res_total;
			sum->n_li_low += li[n_li] < CPTS_BASINS_LI_FLOOR;
			if (!(li[n_li] >= sum->li_min))
				sum->li_min = li[n_li];
			n_li++;
		}
		if (!isnan(ta[t].pac))
			pac[n_pac++] = ta[t].pac;
	}
	sum->li_median = median_of(li, n_li);
	sum->pac_median = median_of(pac, n_pac);
	free(li);
	free(pac);
}

int cpts_basins__metrics(cpts_ctx *ctx, cpts_store *s, const cpts_model *m,
			 const cpts_graph *g, const cpts_flows *f, const cpts_partition *p,
			 const cpts_basins_opts *opts, cpts_basins_summary *sum)
{
	tacc *ta = cpts_calloc(p->n_terr + 1, sizeof(tacc));
	crow *rows = cpts_mallocarray(m->n + 1, sizeof(crow));
	memb mb;
	double internal = 0, res = 0, in = 0;
	int rc;

	memb_build(&mb, m, p);
	accumulate(m, f, p, &mb, ta, rows);
	measure(m, g, f, p, ta);
	if ((rc = cpts_store_basins_clear_metrics(ctx, s, p->name)) < 0)
		goto out;
	if ((rc = write_basin_rows(ctx, s, m, p, ta)) < 0)
		goto out;
	if ((rc = write_commune_rows(ctx, s, m, f, p, rows, ta, opts)) < 0 ||
	    (rc = cpts_store_derived_record(ctx, s, "basins", p->name, NULL)) < 0)
		goto out;
	if (sum) {
		memset(sum, 0, sizeof(*sum));
		sum->n_basins = p->n_terr;
		for (size_t t = 0; t < p->n_terr; t++) {
			internal += ta[t].internal;
			res += ta[t].res_total;
			in += ta[t].in_total;
			sum->n_under_floor += opts->min_pop > 0 && ta[t].pop < opts->min_pop;
			sum->n_over_ceiling += opts->max_pop > 0 && ta[t].pop > opts->max_pop;
		}
		sum->li_overall = res > 0 ? internal / res : NAN;
		sum->msi_overall = in > 0 ? internal / in : NAN;
		distribution(ta, p->n_terr, sum);
	}
out:
	memb_release(&mb);
	free(rows);
	free(ta);
	return rc;
}

int cpts_basins_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition,
			const cpts_basins_opts *opts)
{
	cpts_basins_opts def = CPTS_BASINS_OPTS_INIT;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	cpts_flows *f = NULL;
	cpts_partition *p = NULL;
	cpts_session *own = NULL, *ss;
	int rc;

	if (!opts)
		opts = &def;
	ss = opts->session ? opts->session : (own = cpts_session_borrow(s));
	/* BORROWED from the session */
	if ((rc = cpts_session_model(ctx, ss, &m)) < 0)
		goto out;
	if ((rc = cpts_session_partition(ctx, ss, partition, &p)) < 0)
		goto out;
	if ((rc = cpts_session_graph(ctx, ss, &g)) < 0)
		goto out;
	if (rc == CPTS_ABSENT) {
		if ((rc = cpts_graph_build(ctx, &g, m, s, NULL)) < 0)
			goto out;
		cpts_session_put_graph(ss, g);
	}
	if ((rc = cpts_session_flows(ctx, ss, opts->profession, &f)) < 0)
		goto out;
	rc = cpts_basins__metrics(ctx, s, m, g, f, p, opts, NULL);
out:
	cpts_session_free(ctx, own);
	return rc;
}
