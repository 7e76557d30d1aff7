/*
 * check.c - `cpts check`: the findings of a partition, overall and per territory.
 *
 * Why one pass per concern over flat arrays: a region has about 1,300 communes and a
 * hundred territories; every measure is a sum over members, their graph neighbours or
 * their flow rows, so the whole check is linear in communes + edges + flow cells and a
 * region is checked in well under a second once the workspace is read.
 *
 * Definitions (issue 7, DOMAIN.md 1 and 5): a commune is covered by the sum of its
 * membership weights (capped at 1); an overlap is a commune whose weights sum above 1
 * (claimed wholly by two territories; arrondissement splits summing to 1 are not); a
 * territory's pieces are the connected components of the graph restricted to its
 * communes, bridge edges included; the main piece is the most populated, the others are
 * "cut off"; a territory encloses a commune not its own whose neighbours (bridges aside)
 * are all its own; a commune is of attraction class 5 when another territory receives
 * more of its residents' flows than its own.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "cpts/session.h"

int cpts_check_stage_of(const char *statut)
{
	char low[128];
	size_t k = 0;

	if (!statut)
		return CPTS_STAGE_UNKNOWN;
	for (const char *p = statut; *p && k + 1 < sizeof(low); p++)
		low[k++] = (char)tolower((unsigned char)*p);
	low[k] = '\0';
	if (strstr(low, "aci") || strstr(low, "sign"))
		return CPTS_STAGE_ACI;
	if (strstr(low, "projet") || strstr(low, "valid"))
		return CPTS_STAGE_PROJET;
	if (strstr(low, "lettre") || strstr(low, "intention"))
		return CPTS_STAGE_LETTRE;
	return CPTS_STAGE_UNKNOWN;
}

/* Per-commune view of the memberships. */
typedef struct claims {
	double *wsum;    /* sum of membership weights */
	int *n;          /* number of territories claiming it */
	int *stage;      /* highest stage among its territories */
} claims;

static void claims_build(claims *c, const cpts_check_report *r)
{
	const cpts_partition *p = r->part;
	size_t n = r->model->n;

	c->wsum = cpts_calloc(n, sizeof(double));
	c->n = cpts_calloc(n, sizeof(int));
	c->stage = cpts_calloc(n, sizeof(int));
	for (size_t k = 0; k < p->n_members; k++) {
		const cpts_member *mb = &p->members[k];
		int st = r->terr[mb->territory].stage;
		c->wsum[mb->commune] += mb->weight;
		c->n[mb->commune]++;
		if (st > c->stage[mb->commune])
			c->stage[mb->commune] = st;
	}
}

static void claims_release(claims *c)
{
	free(c->wsum);
	free(c->n);
	free(c->stage);
}

static void add_white_dep(cpts_check_report *r, const cpts_commune *c)
{
	size_t k;

	for (k = 0; k < r->n_white_deps; k++)
		if (strcmp(r->white_deps[k].dep, c->dep) == 0)
			break;
	if (k == r->n_white_deps) {
		r->white_deps = cpts_reallocarray(r->white_deps, k + 1, sizeof(cpts_check_dep));
		memset(&r->white_deps[k], 0, sizeof(cpts_check_dep));
		snprintf(r->white_deps[k].dep, sizeof(r->white_deps[k].dep), "%s", c->dep);
		r->n_white_deps++;
	}
	r->white_deps[k].pop += c->pop;
	r->white_deps[k].n_communes++;
}

/* Coverage, white zones, overlaps and stages of the whole partition. */
static void check_coverage(cpts_check_report *r, const claims *c)
{
	const cpts_model *m = r->model;

	r->n_communes = m->n;
	r->uncovered = cpts_mallocarray(m->n ? m->n : 1, sizeof(size_t));
	r->overlaps = cpts_mallocarray(m->n ? m->n : 1, sizeof(size_t));
	for (size_t i = 0; i < m->n; i++) {
		double cov = c->wsum[i] > 1 ? 1 : c->wsum[i];
		r->pop_total += m->c[i].pop;
		r->pop_covered += cov * m->c[i].pop;
		if (c->wsum[i] > 0)
			r->n_covered++;
		else {
			r->uncovered[r->n_uncovered++] = i;
			add_white_dep(r, &m->c[i]);
		}
		if (c->n[i] >= 2 && c->wsum[i] > 1 + 1e-9)
			r->overlaps[r->n_overlaps++] = i;
		for (int k = 1; k <= c->stage[i]; k++)
			r->stage_pop[k] += cov * m->c[i].pop;
	}
	r->stage_pop[0] = r->pop_covered;
}

/* Contiguity of territory t: pieces and the communes cut off from the main one. */
static void check_pieces(cpts_check_report *r, const chk_env *e, size_t t, const double *w,
			 long *piece, size_t *queue)
{
	const cpts_partition *p = r->part;
	const cpts_member *mb = p->members + p->terr_start[t];
	size_t n_mb = p->terr_start[t + 1] - p->terr_start[t];
	cpts_check_terr *ct = &r->terr[t];
	long main_piece;

	ct->n_pieces = cpts_measure_pieces(e->m, e->g, mb, n_mb, w, piece, queue, &main_piece);
	ct->cut = cpts_mallocarray(n_mb ? n_mb : 1, sizeof(size_t));
	for (size_t k = 0; k < n_mb; k++) {
		if (ct->n_pieces > 1 && piece[mb[k].commune] != main_piece)
			ct->cut[ct->n_cut++] = mb[k].commune;
		piece[mb[k].commune] = -1;
	}
	if (ct->n_pieces > 1)
		ct->problems |= CPTS_CHECK_NONCONTIGUOUS;
}

/* Class 5 communes of territory t (whole members only), using acc as a per-territory
 * accumulator (zero on entry and on return). */
static void check_class5(cpts_check_report *r, const chk_env *e, size_t t, double *acc)
{
	const cpts_partition *p = r->part;
	cpts_check_terr *ct = &r->terr[t];
	size_t n_mb = p->terr_start[t + 1] - p->terr_start[t];

	if (!e->has_flows)
		return;
	ct->class5 = cpts_calloc(n_mb ? n_mb : 1, sizeof(cpts_check_class5));
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		size_t i = p->members[k].commune;
		long best = -1;
		if (p->commune_terr[i] != (long)t || e->row_total[i] <= 0)
			continue;
		for (size_t q = e->fstart[i]; q < e->fstart[i + 1]; q++) {
			long u = p->commune_terr[e->fcol[q]];
			if (u >= 0)
				acc[u] += e->fvol[q];
		}
		for (size_t q = e->fstart[i]; q < e->fstart[i + 1]; q++) {
			long u = p->commune_terr[e->fcol[q]];
			if (u >= 0 && u != (long)t && (best < 0 || acc[u] > acc[best] ||
						      (acc[u] == acc[best] && u < best)))
				best = u;
		}
		if (best >= 0 && acc[best] > acc[t]) {
			cpts_check_class5 *c5 = &ct->class5[ct->n_class5++];
			c5->commune = i;
			c5->to = best;
			c5->to_share = acc[best] / e->row_total[i];
			c5->own_share = acc[t] / e->row_total[i];
		}
		for (size_t q = e->fstart[i]; q < e->fstart[i + 1]; q++) {
			long u = p->commune_terr[e->fcol[q]];
			if (u >= 0)
				acc[u] = 0;
		}
		acc[t] = 0;
	}
	if (ct->n_class5)
		ct->problems |= CPTS_CHECK_MULTIPOLAR;
}

/* Enclaves: communes (not split) whose non-bridge neighbours all belong to one other
 * territory T; recorded under T. */
static void check_enclaves(cpts_check_report *r, const chk_env *e)
{
	const cpts_partition *p = r->part;

	if (!e->has_graph)
		return;
	for (size_t i = 0; i < r->model->n; i++) {
		long own = p->commune_terr[i], t = -1;
		bool one = true;
		if (own == -2)
			continue;
		for (size_t q = e->gstart[i]; q < e->gstart[i + 1] && one; q++) {
			long u;
			if (e->gkind[q] == CPTS_EDGE_BRIDGE)
				continue;
			u = p->commune_terr[e->gadj[q]];
			if (u < 0 || (t >= 0 && u != t))
				one = false;
			t = u;
		}
		if (one && t >= 0 && t != own) {
			cpts_check_terr *ct = &r->terr[t];
			ct->encloses = cpts_reallocarray(ct->encloses, ct->n_encloses + 1,
							 sizeof(size_t));
			ct->encloses[ct->n_encloses++] = i;
			ct->problems |= CPTS_CHECK_ENCLAVE;
		}
	}
}

static void check_overlap_terr(cpts_check_report *r, size_t t, const claims *c)
{
	const cpts_partition *p = r->part;
	cpts_check_terr *ct = &r->terr[t];
	size_t n_mb = p->terr_start[t + 1] - p->terr_start[t];

	ct->overlap = cpts_mallocarray(n_mb ? n_mb : 1, sizeof(size_t));
	for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
		size_t i = p->members[k].commune;
		if (c->n[i] >= 2 && c->wsum[i] > 1 + 1e-9)
			ct->overlap[ct->n_overlap++] = i;
	}
	if (ct->n_overlap)
		ct->problems |= CPTS_CHECK_OVERLAP;
}

/* Everything about one territory except enclaves. */
static void check_terr(cpts_check_report *r, const chk_env *e, size_t t, const claims *c,
		       double *w, long *piece, size_t *queue, double *acc, cpts_flowsum *tot)
{
	const cpts_partition *p = r->part;
	const cpts_member *mb = p->members + p->terr_start[t];
	size_t n_mb = p->terr_start[t + 1] - p->terr_start[t];
	cpts_check_terr *ct = &r->terr[t];
	const cpts_aci_tier *tier;
	cpts_flowsum fs;

	for (size_t k = 0; k < n_mb; k++) {
		w[mb[k].commune] = mb[k].weight > 0 ? mb[k].weight : 1e-12;
		ct->pop += mb[k].weight * r->model->c[mb[k].commune].pop;
	}
	ct->n_communes = n_mb;
	tier = cpts_aci_tier_of(ct->pop);
	ct->tier = tier->tier;
	ct->tier_gap = cpts_aci_tier_distance(ct->pop, &ct->toward_tier);
	if (ct->pop < r->min_pop)
		ct->problems |= CPTS_CHECK_SMALL;
	cpts_measure_flows(e->f, mb, n_mb, w, &fs);
	ct->flows_in = fs.in;
	ct->flows_res = fs.res;
	ct->flows_into = fs.into;
	ct->li = fs.res > 0 ? fs.in / fs.res : NAN;
	ct->msi = fs.into > 0 ? fs.in / fs.into : NAN;
	tot->in += fs.in;
	tot->res += fs.res;
	tot->into += fs.into;
	ct->pac = cpts_measure_pac(e->m, e->g, mb, n_mb, w);
	check_pieces(r, e, t, w, piece, queue);
	check_overlap_terr(r, t, c);
	check_class5(r, e, t, acc);
	for (size_t k = 0; k < n_mb; k++)
		w[mb[k].commune] = 0;
}

static int cmp_dep(const void *a, const void *b)
{
	return strcmp(((const cpts_check_dep *)a)->dep, ((const cpts_check_dep *)b)->dep);
}

/* Fill a report whose model and partition are set. */
static void check_all(cpts_check_report *r, const chk_env *e)
{
	size_t n = r->model->n;
	double *w = cpts_calloc(n ? n : 1, sizeof(double));
	long *piece = cpts_mallocarray(n ? n : 1, sizeof(long));
	size_t *queue = cpts_mallocarray(n ? n : 1, sizeof(size_t));
	double *acc = cpts_calloc(r->part->n_terr + 1, sizeof(double));
	cpts_flowsum tot = { 0, 0, 0 };
	claims c;

	for (size_t i = 0; i < n; i++)
		piece[i] = -1;
	r->has_flows = e->has_flows;
	r->has_graph = e->has_graph;
	r->n_terr = r->part->n_terr;
	r->terr = cpts_calloc(r->n_terr ? r->n_terr : 1, sizeof(cpts_check_terr));
	for (size_t t = 0; t < r->n_terr; t++) {
		r->terr[t].id = r->part->terr[t];
		r->terr[t].statut = r->part->statut[t];
		r->terr[t].stage = cpts_check_stage_of(r->part->statut[t]);
		if (r->terr[t].stage > 0)
			r->has_statut = true;
	}
	claims_build(&c, r);
	check_coverage(r, &c);
	cpts_qsort(r->white_deps, r->n_white_deps, sizeof(cpts_check_dep), cmp_dep);
	for (size_t t = 0; t < r->n_terr; t++)
		check_terr(r, e, t, &c, w, piece, queue, acc, &tot);
	check_enclaves(r, e);
	r->li = tot.res > 0 ? tot.in / tot.res : NAN;
	r->msi = tot.into > 0 ? tot.in / tot.into : NAN;
	for (size_t t = 0; t < r->n_terr; t++)
		if (r->terr[t].problems)
			r->n_problem_terr++;
	claims_release(&c);
	free(w);
	free(piece);
	free(queue);
	free(acc);
}

/* Border communes (a graph neighbour in another territory, or none) whose co-assignment
 * with their pôle over resampled flows is below the threshold. */
static int check_stability(cpts_ctx *ctx, cpts_check_report *r, const chk_env *e,
			   cpts_store *s)
{
	const cpts_model *m = r->model;
	double *share = cpts_mallocarray(m->n + 1, sizeof(double));
	int rc;

	r->unstable = cpts_mallocarray(m->n + 1, sizeof(size_t));
	r->unstable_share = cpts_mallocarray(m->n + 1, sizeof(double));
	if ((rc = chk_stability(ctx, s, r->part->name, m, share, &r->n_resamples)) < 0)
		goto out;
	for (size_t i = 0; i < m->n; i++) {
		long t = r->part->commune_terr[i];
		bool border = false;
		if (isnan(share[i]) || !(share[i] < r->stability_threshold))
			continue;
		for (size_t k = e->has_graph ? e->gstart[i] : 0;
		     e->has_graph && k < e->gstart[i + 1] && !border; k++)
			border = r->part->commune_terr[e->gadj[k]] != t;
		if (!border && e->has_graph)
			continue;
		r->unstable[r->n_unstable] = i;
		r->unstable_share[r->n_unstable++] = share[i];
	}
out:
	free(share);
	return rc;
}

int cpts_check_run(cpts_ctx *ctx, cpts_check_report **out, cpts_store *s,
		   const char *partition, const cpts_check_opts *opts)
{
	cpts_check_opts def = CPTS_CHECK_OPTS_INIT;
	cpts_check_report *r = cpts_calloc(1, sizeof(*r));
	chk_env e;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &def;
	r->min_pop = opts->min_pop;
	r->li = r->msi = NAN;
	if (opts->session) { /* the session's inputs, BORROWED by the report */
		r->borrowed = true;
		if ((rc = chk_env_from_session(ctx, &e, opts->session, opts->profession)) < 0 ||
		    (rc = cpts_session_partition(ctx, opts->session, partition, &r->part)) < 0)
			goto out;
	} else if ((rc = chk_env_load(ctx, &e, s, opts->profession)) < 0 ||
		   (rc = cpts_partition_load(ctx, &r->part, s, e.m, partition)) < 0) {
		goto out;
	}
	if ((rc = cpts_progress(ctx, 0.3, "checking")) < 0)
		goto out;
	r->model = e.m;
	check_all(r, &e);
	r->stability_threshold = opts->stability_threshold;
	if ((rc = check_stability(ctx, r, &e, s)) < 0)
		goto out;
	e.m = NULL; /* now owned by the report */
	if (!e.has_graph)
		cpts_warn(ctx, "no contiguity graph in the workspace: pieces, enclaves and PAC are"
			  " not checked (run 'cpts graph' first)");
	if (!e.has_flows)
		cpts_note(ctx, "no flows in the workspace: LI, MSI and attraction classes are not"
			  " checked");
	if (!opts->no_compare && (rc = chk_compare(ctx, r, s, opts)) < 0)
		goto out;
	*out = r;
	r = NULL;
out:
	if (r && r->model == e.m)
		r->model = NULL;
	chk_env_release(ctx, &e);
	cpts_check_report_free(ctx, r);
	return rc;
}

void cpts_check_report_free(cpts_ctx *ctx, cpts_check_report *r)
{
	if (!r)
		return;
	for (size_t t = 0; t < r->n_terr; t++) {
		free(r->terr[t].cut);
		free(r->terr[t].overlap);
		free(r->terr[t].encloses);
		free(r->terr[t].class5);
	}
	free(r->terr);
	for (size_t k = 0; k < r->n_cmp; k++)
		free(r->cmp[k].name);
	free(r->cmp);
	free(r->uncovered);
	free(r->white_deps);
	free(r->overlaps);
	free(r->unstable);
	free(r->unstable_share);
	if (!r->borrowed) {
		cpts_partition_free(r->part);
		cpts_model_free(ctx, r->model);
	}
	free(r);
}
