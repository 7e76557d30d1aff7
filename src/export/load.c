/*
 * load.c - read everything an export needs from the workspace into one ex_data
 * snapshot (export_int.h): communes with geometries, the partition, the disclosed
 * profile values (cpts_ptable_load, the only way profile values leave the workspace),
 * basin metrics and attraction, flows summed per pair, sources and run parameters;
 * and dissolve each territory with a GEOS coverage union.
 *
 * Why a coverage union: communes of a territory form a polygonal coverage (shared
 * edges, no overlap), which GEOSCoverageUnion_r dissolves in linear time without the
 * slivers an overlay union can leave; when the input is not a clean coverage it
 * fails and we fall back to GEOSUnaryUnion_r.
 *
 * The flows (millions of rows on France; from the session when it holds the table's
 * rows, as `diagnose` does after its ingest) are read on a thread of its own while the
 * territories are dissolved: the dissolve never touches the workspace, and the flows
 * thread is then the only user of its connection (opened without SQLite's mutex), so
 * every other read is done before it starts and nothing reads the workspace until
 * it is joined. The same thread then masks LI and MSI and chooses the flux layer's
 * pairs (they need the flows and the publication ledger, not the dissolved outlines),
 * which one thread did after the dissolve.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dep/dep.h"
#include "cpts/lp.h"
#include "cpts/outfile.h"
#include "cpts/publish.h"
#include "cpts/store_check.h"
#include "cpts/store_export.h"
#include "cpts/session.h"
#include "export/export_int.h"

/* Above this many vertices in a territory, dissolve with the overlay union (see dissolve) */
#define EX_COVERAGE_MAX_VERTICES 200000

/* The options the profile of the partition was computed with (its derived record,
 * deps.c), in French: the same text whichever command computed it (`profile`,
 * `diagnose`, the refresh of `export`), where the command line of the last `profile`
 * run differed between paths and named the private workspace. */
static int profile_params_fr(cpts_ctx *ctx, ex_data *d)
{
	cpts_profile_opts po = CPTS_PROFILE_OPTS_INIT;
	char *params = NULL, why[256], a[64], g[64], det[64], sp[64], dn[64], in[64];
	const char *ref;

	int rc = cpts_store_derived_status(ctx, d->s, "profile", d->opts->partition, why,
					   sizeof(why), &params);

	if (rc < 0 || !params || cpts_profile_params_parse(&po, params) < 0) {
		free(params);
		return rc < 0 ? rc : CPTS_OK;
	}
	cpts_fmt_fr(a, sizeof(a), po.alpha, 2);
	cpts_fmt_fr(g, sizeof(g), po.gp_activity, 0);
	cpts_fmt_fr(det, sizeof(det), po.apl_detour, 1);
	cpts_fmt_fr(sp, sizeof(sp), po.apl_speed_kmh, 0);
	cpts_fmt_fr(dn, sizeof(dn), po.typo_dense, 0);
	cpts_fmt_fr(in, sizeof(in), po.typo_inter, 0);
	ref = strcmp(po.reference, "national") == 0 ? "nationale"
	      : strcmp(po.reference, "regional") == 0 ? "régionale"
	      : strcmp(po.reference, "computed") == 0 ? "calculée sur la zone étudiée"
			     : strrchr(po.reference, '/') ? strrchr(po.reference, '/') + 1
							      : po.reference;
	d->profile_params = cpts_asprintf(
		"référence de l'ICC : %s ; intervalles %s, risque %s ; %s actes par médecin"
		" généraliste ETP et par an ; APL : détour %s, vitesse %s km/h ; densité"
		" urbaine dès %s hab./km², intermédiaire dès %s hab./km²", ref,
		po.byar ? "de Byar" : "exacts de Poisson", a, g, det, sp, dn, in);
	free(params); /* po.reference pointed into it: not used after */
	return CPTS_OK;
}

static int load_partition_row(cpts_ctx *ctx, ex_data *d)
{
	int rc;

	if ((rc = cpts_store_partition_record(ctx, d->s, d->opts->partition, &d->part_kind,
					      &d->part_source, &d->part_params,
					      &d->part_created)) < 0)
		return rc;
	return profile_params_fr(ctx, d);
}

static void metric_row(void *arg, const cpts_store_metric_row *r)
{
	ex_data *d = arg;
	long t = cpts_partition_find(d->p, r->territory);
	ex_terr *e;

	if (t < 0)
		return;
	e = &d->terr[t];
	e->has_metrics = true;
	e->pop = r->pop;
	snprintf(e->pole, sizeof(e->pole), "%s", r->pole);
	e->li = r->li;
	e->msi = r->msi;
	e->pac = r->pac;
	e->tier = r->tier;
}

static int load_metrics(cpts_ctx *ctx, ex_data *d)
{
	for (size_t t = 0; t < d->p->n_terr; t++) {
		ex_terr *e = &d->terr[t];
		e->pop = e->li = e->msi = e->pac = NAN;
		e->n_communes = d->p->terr_start[t + 1] - d->p->terr_start[t];
	}
	return cpts_store_basin_metrics_each(ctx, d->s, d->opts->partition, metric_row, d);
}

static void coassign_row(void *arg, const char *code, double coassign, int resamples)
{
	ex_data *d = arg;
	long i = cpts_model_find(d->m, code);

	(void)resamples;
	if (i >= 0)
		d->att[i].coassign = coassign;
}

/* Co-assignments of the partition's communes (table basin_stability, written by
 * basins --resample; absent from older workspaces). */
static int load_coassign(cpts_ctx *ctx, ex_data *d)
{
	for (size_t i = 0; i < d->m->n; i++)
		d->att[i].coassign = NAN;
	return cpts_store_basin_stability(ctx, d->s, d->opts->partition, coassign_row, d);
}

static char *dup_or_null(const char *t)
{
	return t ? cpts_strdup(t) : NULL;
}

static void attract_row(void *arg, const cpts_store_attract_row *r)
{
	ex_data *d = arg;
	long i = cpts_model_find(d->m, r->code);
	ex_attract *a;

	if (i < 0 || d->att[i].has)
		return;
	a = &d->att[i];
	a->has = true;
	a->klass = r->klass;
	a->first_terr = dup_or_null(r->first_terr);
	/* attraction shares are published in whole percents only: at 0.1 % they
	   pin the flow total of a commune of about 150 flows (issue 19) */
	a->first_share = cpts_share_whole_pct(r->first_share);
	a->second_terr = dup_or_null(r->second_terr);
	a->second_share = cpts_share_whole_pct(r->second_share);
	a->own_share = cpts_share_whole_pct(r->own_share);
}

static int load_attraction(cpts_ctx *ctx, ex_data *d)
{
	int rc;

	d->att = cpts_calloc(d->m->n, sizeof(ex_attract));
	if ((rc = cpts_store_basin_communes_each(ctx, d->s, d->opts->partition, attract_row,
						 d)) < 0)
		return rc;
	return load_coassign(ctx, d);
}

/* Append the flow orig -> dest (volume, masked) when one end is in the partition. */
static int add_flow(cpts_ctx *ctx, ex_data *d, cpts_vec *v, long io, const char *de,
		    size_t de_len, double volume, bool masked)
{
	long id = cpts_model_find(d->m, de);
	bool in_o = io >= 0 && d->p->commune_terr[io] != -1;
	bool in_d = id >= 0 && d->p->commune_terr[id] != -1;
	size_t l = de_len < sizeof(((ex_flow *)0)->dest_code) - 1 ? de_len
		   : sizeof(((ex_flow *)0)->dest_code) - 1;
	ex_flow *f;

	if (io < 0 || (!in_o && !in_d))
		return CPTS_OK;
	if (!(f = cpts_vec_push(v)))
		return cpts_fail(ctx, CPTS_EINPUT, "too many flows");
	f->orig = io;
	f->dest = id;
	memcpy(f->dest_code, de, l); /* truncated as the field allows */
	f->dest_code[l] = '\0';
	f->volume = volume;
	f->masked = masked;
	return CPTS_OK;
}

/*
 * Flows summed over professions, kept when one end is a commune of the partition.
 * The rows come in key order (orig, dest, profession), so the rows of a pair are
 * adjacent and are summed here as they come: the same sums, in the same order, as
 * SQL's sum(CASE WHEN masked = 0 THEN volume ELSE 0 END) and max(masked) per
 * (orig, dest), which SQLite computed five times slower on millions of flows.
 */
/* The pair being summed while the rows come. */
typedef struct flow_reader {
	cpts_ctx *ctx;
	ex_data *d;
	cpts_vec v;
	cpts_buf po, pd;
	bool have, masked;
	double volume;
	long io;
} flow_reader;

static int flow_row(void *arg, const char *o, size_t lo, const char *de, size_t ld,
		    double volume, bool masked)
{
	flow_reader *r = arg;
	bool same_o = r->have && lo == r->po.len && memcmp(o, r->po.data, lo) == 0;
	int rc;

	if (!same_o || ld != r->pd.len || memcmp(de, r->pd.data, ld) != 0) {
		if (r->have && (rc = add_flow(r->ctx, r->d, &r->v, r->io, r->pd.data, r->pd.len,
					      r->volume, r->masked)) < 0)
			return rc;
		if (!same_o) {
			cpts_buf_reset(&r->po);
			cpts_buf_add(&r->po, o, lo);
			r->io = cpts_model_find(r->d->m, r->po.data);
		}
		cpts_buf_reset(&r->pd);
		cpts_buf_add(&r->pd, de, ld);
		r->have = true;
		r->volume = 0.0;
		r->masked = false;
	}
	if (masked)
		r->masked = true;
	else if (!isnan(volume))
		r->volume += volume;
	return CPTS_OK;
}

/* A row the session holds (cpts_flow_rows_each), as the table's reader gives it. */
static int held_flow_row(void *arg, const char *o, const char *de, double volume, bool masked)
{
	return flow_row(arg, o, strlen(o), de, strlen(de), volume, masked);
}

static int load_flows(cpts_ctx *ctx, ex_data *d)
{
	flow_reader r = { ctx, d, { 0 }, CPTS_BUF_INIT, CPTS_BUF_INIT, false, false, 0.0, -1 };
	const cpts_flow_rows *held = cpts_session_flow_rows(d->ss);
	int rc;

	cpts_vec_init(&r.v, sizeof(ex_flow), SIZE_MAX / sizeof(ex_flow));
	if ((rc = held ? cpts_flow_rows_each(held, NULL, held_flow_row, &r)
		       : cpts_store_flow_rows_each(ctx, d->s, flow_row, &r)) < 0)
		goto out;
	if (r.have && (rc = add_flow(ctx, d, &r.v, r.io, r.pd.data, r.pd.len, r.volume,
				     r.masked)) < 0)
		goto out;
	d->n_flows = r.v.n;
	d->flows = r.v.data;
	r.v.data = NULL;
out:
	cpts_buf_release(&r.po);
	cpts_buf_release(&r.pd);
	cpts_vec_release(&r.v);
	return rc;
}

static void source_row(void *arg, const cpts_store_source_row *r)
{
	cpts_vec *v = arg;
	ex_source *x = cpts_vec_push(v);

	if (!x)
		return;
	x->tbl = dup_or_null(r->tbl);
	x->file = dup_or_null(r->file);
	x->sha256 = dup_or_null(r->sha256);
	x->vintage = dup_or_null(r->vintage);
	x->ingested_at = dup_or_null(r->ingested_at);
	x->n_rows = r->n_rows;
	x->n_masked = r->n_masked;
}

static int load_sources(cpts_ctx *ctx, ex_data *d)
{
	cpts_vec v;
	int rc;

	cpts_vec_init(&v, sizeof(ex_source), 1u << 20);
	rc = cpts_store_sources_each(ctx, d->s, source_row, &v);
	d->n_src = v.n;
	d->src = v.data; /* freed with the rows read, even after an error */
	return rc;
}

static void add_code(char codes[][8], int *n, const char *code)
{
	int k;

	for (k = 0; k < *n; k++)
		if (strcmp(codes[k], code) == 0)
			return;
	if (*n == EX_MAX_CMP)
		return;
	for (k = *n; k > 0 && strcmp(codes[k - 1], code) > 0; k--)
		memcpy(codes[k], codes[k - 1], 8);
	snprintf(codes[k], 8, "%s", code);
	(*n)++;
}

static void add_band(ex_data *d, const char *band)
{
	int k;

	for (k = 0; k < d->n_bands; k++)
		if (strcmp(d->bands[k], band) == 0)
			return;
	if (d->n_bands == EX_MAX_BANDS || strlen(band) >= sizeof(d->bands[0]))
		return;
	for (k = d->n_bands; k > 0 && strcmp(d->bands[k - 1], band) > 0; k--)
		memcpy(d->bands[k], d->bands[k - 1], sizeof(d->bands[0]));
	snprintf(d->bands[k], sizeof(d->bands[0]), "%s", band);
	d->n_bands++;
}

/* One pass over the disclosed values: comparison levels per territory, age bands. */
static void index_ptable(ex_data *d)
{
	for (size_t k = 0; k < d->pt->n; k++) {
		const cpts_pvalue *v = &d->pt->v[k];
		long t;
		if (strncmp(v->indicator, "pyr_", 4) == 0 && strlen(v->indicator) > 6)
			add_band(d, v->indicator + 6);
		if (strcmp(v->level, "departement") != 0 && strcmp(v->level, "region") != 0)
			continue;
		if ((t = cpts_partition_find(d->p, v->territory)) < 0)
			continue;
		if (v->level[0] == 'd')
			add_code(d->terr[t].deps, &d->terr[t].n_deps, v->level_code);
		else
			add_code(d->terr[t].regs, &d->terr[t].n_regs, v->level_code);
	}
}

/* Dissolve territory t: coverage union of its communes (in their common CRS, or all
 * reprojected to EPSG:4326 when they differ). */
static int dissolve(cpts_ctx *ctx, ex_data *d, size_t t)
{
	const cpts_partition *p = d->p;
	size_t n = 0, k0 = p->terr_start[t], k1 = p->terr_start[t + 1];
	GEOSGeometry **parts = cpts_calloc(k1 - k0 + 1, sizeof(GEOSGeometry *));
	GEOSGeometry *coll = NULL;
	int srid = 0, rc = CPTS_OK;

	for (size_t k = k0; k < k1; k++) {
		const cpts_commune *c = &d->m->c[p->members[k].commune];
		srid = srid == 0 || srid == c->srid ? c->srid : -1;
	}
	d->terr[t].srid = srid < 0 ? 4326 : srid;
	for (size_t k = k0; k < k1; k++) {
		size_t i = p->members[k].commune;
		const GEOSGeometry *g = d->m->geoms[i];
		if (!g)
			continue;
		if (srid < 0)
			rc = ex_geos_transform(ctx, &d->rp, &parts[n], g, d->m->c[i].srid, 4326);
		else if (!(parts[n] = GEOSGeom_clone_r(ctx->geos, g)))
			rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot copy commune %s", d->m->c[i].code);
		if (rc < 0)
			goto out;
		n++;
	}
	if (n == 0)
		goto out;
	if (n == 1) { /* one commune: it is its own territory (no union of a huge ring) */
		d->terr[t].geom = parts[0];
		n = 0;
		goto out;
	}
	coll = GEOSGeom_createCollection_r(ctx->geos, GEOS_GEOMETRYCOLLECTION, parts,
					   (unsigned)n);
	if (!coll) {
		rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot collect the communes of territory %s",
				    p->terr[t]);
		goto out;
	}
	n = 0; /* parts now owned by coll */
	/* GEOS's coverage union builds a planar graph node per vertex (about 1 KB each: a
	 * 2,000,000-vertex commune took 60 s and 2.4 GB); above EX_COVERAGE_MAX_VERTICES the
	 * overlay union, which nodes only where borders meet, is used instead */
	if (GEOSGetNumCoordinates_r(ctx->geos, coll) <= EX_COVERAGE_MAX_VERTICES)
		d->terr[t].geom = GEOSCoverageUnion_r(ctx->geos, coll);
	/* not a clean coverage (communes of two départements overlap): the outline from
	 * the boundary segments no two communes share, noded (ex_geom_dissolve_noded);
	 * the overlay union of every commune, several times slower, when that fails */
	if (!d->terr[t].geom)
		d->terr[t].geom = ex_geom_dissolve_noded(ctx, coll);
	if (!d->terr[t].geom) {
		d->terr[t].unary_union = true; /* noted in order once all are dissolved */
		d->terr[t].geom = GEOSUnaryUnion_r(ctx->geos, coll);
	}
	if (!d->terr[t].geom)
		rc = cpts_fail_geos(ctx, CPTS_EDEP, "cannot dissolve territory %s", p->terr[t]);
out:
	for (size_t k = 0; k < n; k++)
		GEOSGeom_destroy_r(ctx->geos, parts[k]);
	if (coll)
		GEOSGeom_destroy_r(ctx->geos, coll);
	free(parts);
	if (rc < 0)
		cpts_error_where(ctx, "partition %s|territory %s", p->name, p->terr[t]);
	return rc;
}

static int dissolve_item(cpts_ctx *ctx, void *arg, size_t t, void *scratch)
{
	(void)scratch;
	return dissolve(ctx, arg, t);
}

/* Territories the worker thread must leave alone: a member in another CRS than the
 * first (reprojection goes through the caller's PROJ cache) or a commune split between
 * territories (its geometry would be read by two threads). */
static void mark_main_only(ex_data *d)
{
	const cpts_partition *p = d->p;

	d->main_only = cpts_calloc(p->n_terr + 1, sizeof(bool));
	for (size_t t = 0; t < p->n_terr; t++)
		for (size_t k = p->terr_start[t]; k < p->terr_start[t + 1]; k++) {
			size_t i = p->members[k].commune;
			if (p->commune_terr[i] < 0 ||
			    d->m->c[i].srid != d->m->c[p->members[p->terr_start[t]].commune].srid)
				d->main_only[t] = true;
		}
}

/* What hole_covered needs: the snapshot, and an STRtree of the communes' envelopes
 * (built on the first hole that needs it: a scan of every commune per hole cost more
 * than the intersections themselves on France, 4,600 holes x 35,000 communes). */
typedef struct hole_ctx {
	const ex_data *d;
	int srid;             /* CRS of the territory */
	GEOSSTRtree *tree;    /* OWNED: items are commune indices + 1, cast to pointers */
	GEOSGeometry **env;   /* OWNED: the envelope of each commune (NULL: none) */
	size_t *cand;         /* OWNED scratch: the communes a query returns */
	size_t n_cand;
} hole_ctx;

static void hole_ctx_release(cpts_ctx *ctx, hole_ctx *hc)
{
	if (hc->tree)
		GEOSSTRtree_destroy_r(ctx->geos, hc->tree);
	if (hc->env)
		for (size_t i = 0; i < hc->d->m->n; i++)
			if (hc->env[i])
				GEOSGeom_destroy_r(ctx->geos, hc->env[i]);
	free(hc->env);
	free(hc->cand);
}

/* The tree of the communes' envelopes; false when GEOS cannot build it. */
static bool hole_tree(cpts_ctx *ctx, hole_ctx *hc)
{
	const cpts_model *m = hc->d->m;

	if (hc->tree)
		return true;
	hc->env = cpts_calloc(m->n + 1, sizeof(GEOSGeometry *));
	hc->cand = cpts_mallocarray(m->n + 1, sizeof(size_t));
	if (!(hc->tree = GEOSSTRtree_create_r(ctx->geos, 10)))
		return false;
	for (size_t i = 0; i < m->n; i++) {
		if (!m->geoms[i] || !(hc->env[i] = GEOSEnvelope_r(ctx->geos, m->geoms[i])))
			continue;
		GEOSSTRtree_insert_r(ctx->geos, hc->tree, hc->env[i], (void *)(uintptr_t)(i + 1));
	}
	return true;
}

static void cand_cb(void *item, void *arg)
{
	hole_ctx *hc = arg;

	hc->cand[hc->n_cand++] = (size_t)(uintptr_t)item - 1;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* A hole is covered when communes fill more than half of it (an enclave of another
 * territory); a gap between communes is not. The communes whose envelope meets the
 * hole's are summed in increasing index order, as a scan of all of them would. */
static bool hole_covered(cpts_ctx *ctx, void *arg, const GEOSGeometry *hole, double area)
{
	hole_ctx *hc = arg;
	const cpts_model *m = hc->d->m;
	double sum = 0;

	if (!hole_tree(ctx, hc))
		return true; /* cannot tell: keep the hole */
	hc->n_cand = 0;
	GEOSSTRtree_query_r(ctx->geos, hc->tree, hole, cand_cb, hc);
	qsort(hc->cand, hc->n_cand, sizeof(size_t), cmp_size);
	for (size_t k = 0; k < hc->n_cand && sum <= 0.5 * area; k++) {
		size_t i = hc->cand[k];
		GEOSGeometry *x;
		double a = 0;
		if (m->c[i].srid != hc->srid)
			continue;
		x = GEOSIntersection_r(ctx->geos, m->geoms[i], hole);
		if (!x)
			return true; /* cannot tell: keep the hole */
		if (GEOSArea_r(ctx->geos, x, &a) == 1)
			sum += a;
		GEOSGeom_destroy_r(ctx->geos, x);
	}
	return sum > 0.5 * area;
}

/* PAC of a dissolved territory: its perimeter (km) over CPTS_DOMAIN_PAC_K sqrt(area in
 * km2), the
 * formula of basins/metrics.c, here on the written polygon so the field agrees with
 * it even where neighbouring communes' borders do not share vertices. */
static double pac_of(cpts_ctx *ctx, const GEOSGeometry *g)
{
	double len = 0, area = 0;

	if (GEOSLength_r(ctx->geos, g, &len) != 1 || GEOSArea_r(ctx->geos, g, &area) != 1 ||
	    !(area > 0))
		return NAN;
	return (len / 1000.0) / (CPTS_DOMAIN_PAC_K * sqrt(area / 1e6));
}

/* After the dissolve, on the calling thread (commune geometries are read): clean the
 * holes of every territory in a projected CRS and compute its PAC from the result. */
static int clean_territories(cpts_ctx *ctx, ex_data *d)
{
	hole_ctx hc = { d, 0, NULL, NULL, NULL, 0 };
	ex_holes_stats st = { 0, 0 };
	double max_m2 = d->opts->max_hole_ha > 0 ? d->opts->max_hole_ha * 1e4 : 0;
	int rc = CPTS_OK;

	for (size_t t = 0; t < d->p->n_terr && rc == CPTS_OK; t++) {
		ex_terr *e = &d->terr[t];
		GEOSGeometry *g = NULL;
		if (!e->geom || e->srid == 4326) /* degrees: no area bound, no PAC */
			continue;
		hc.srid = e->srid;
		rc = ex_geom_clean_holes(ctx, &g, e->geom, max_m2, hole_covered, &hc, &st);
		if (rc < 0) {
			cpts_error_where(ctx, "partition %s|territory %s", d->p->name, d->p->terr[t]);
			break;
		}
		if (g) {
			GEOSGeom_destroy_r(ctx->geos, e->geom);
			e->geom = g;
		}
		e->pac = pac_of(ctx, e->geom);
	}
	hole_ctx_release(ctx, &hc);
	if (st.n_zero || st.n_filled)
		cpts_note(ctx, "dissolved territories: %zu zero-area inner rings dropped, %zu"
			  " holes under %g ha that no commune covers closed", st.n_zero,
			  st.n_filled, d->opts->max_hole_ha);
	return rc;
}

static int mask_flow_ratios(cpts_ctx *ctx, ex_data *d);

/* The flows read on a thread of its own (see the header), then what depends on them
 * alone: the masks of LI and MSI and the flux layer's pairs (mask_flow_ratios,
 * ex_flux_prepare), whose warnings are kept and printed at the join, where the order
 * of one thread would print them. */
typedef struct flows_job {
	cpts_ctx ctx;           /* OWNED: the thread's context (its log: msgs) */
	ex_data *d;             /* BORROWED: the thread writes d->flows, n_flows, pf,
				   flux_pub, flux_known and the territories' flow masks
				   (flows_withheld, li_masked, msi_masked), which nothing
				   else touches until the join */
	int verbosity;          /* the caller's, for the second part */
	FILE *mem;              /* OWNED: the thread's log, a memstream into msgs */
	char *msgs;             /* OWNED */
	size_t msgs_len;
	pthread_t th;
	bool running;           /* started and not joined yet */
	bool masked;            /* the thread ran the second part (rc_mask is its status) */
	int rc, rc_mask;
} flows_job;

static void *flows_main(void *arg)
{
	flows_job *j = arg;

	j->rc = load_flows(&j->ctx, j->d); /* silent: errors only, as before */
	if (j->rc == CPTS_OK) {
		j->ctx.verbosity = j->verbosity;
		j->masked = true;
		if ((j->rc_mask = mask_flow_ratios(&j->ctx, j->d)) == CPTS_OK)
			j->rc_mask = ex_flux_prepare(&j->ctx, j->d);
	}
	cpts_text_release(); /* escaped copies this thread's messages made, if any */
	cpts_lp_thread_release(); /* GLPK's environment of the flux chain check, if any */
	return NULL;
}

/* Start reading the flows on a thread, or read them here when none can be started. */
static int flows_start(cpts_ctx *ctx, flows_job *j, ex_data *d)
{
	j->d = d;
	j->rc = j->rc_mask = CPTS_OK;
	j->verbosity = ctx->verbosity;
	if (cpts_ctx_init(&j->ctx) == CPTS_OK &&
	    (j->ctx.log = j->mem = open_memstream(&j->msgs, &j->msgs_len))) {
		j->ctx.verbosity = CPTS_LOG_ERROR;
		j->running = pthread_create(&j->th, NULL, flows_main, j) == 0;
	}
	if (j->running)
		return CPTS_OK;
	if (j->mem)
		fclose(j->mem);
	free(j->msgs);
	j->mem = NULL;
	j->msgs = NULL;
	cpts_ctx_release(&j->ctx);
	return load_flows(ctx, d);
}

/* Wait for the thread. The flows' error, met first in the order of the reads, wins;
 * then the caller's (rc: the thread's second part would not have run, its messages are
 * dropped); then the second part's, after its messages. */
static int flows_join(cpts_ctx *ctx, flows_job *j, int rc)
{
	if (!j->running)
		return rc;
	pthread_join(j->th, NULL);
	j->running = false;
	fclose(j->mem);
	j->mem = NULL;
	if (j->rc < 0) {
		ctx->err = j->ctx.err;
		rc = j->rc;
	} else if (rc >= 0) {
		if (j->msgs_len)
			fwrite(j->msgs, 1, j->msgs_len, ctx->log ? ctx->log : stderr);
		ctx->n_warnings += j->ctx.n_warnings;
		if (j->rc_mask < 0) {
			ctx->err = j->ctx.err;
			rc = j->rc_mask;
		}
	}
	free(j->msgs);
	j->msgs = NULL;
	cpts_ctx_release(&j->ctx);
	return rc;
}

/* LI and MSI are ratios of flow counts (health data): a territory whose residents'
 * flows, the flows staying in it, or the flows it receives sum below the threshold has
 * them masked, since a ratio at one decimal over a total below 11 pins both its counts
 * (4/7 = 57.1 %, issue 19), and a ratio beside its published denominator (the flow
 * table's total) gives its numerator. The totals are those of the exported flows (the
 * flow tables' sums, cpts/publish.h kinds flows_in, flows_res, flows_into); a total
 * that differs by 1 to T-1 from one published earlier over overlapping communes (the
 * ledger: `cpts move`, `check`, another export) withholds the territory's flow tables,
 * LI and MSI. What is shown is marked in d->pf, recorded with the export. */
static int mask_flow_ratios(cpts_ctx *ctx, ex_data *d)
{
	size_t n = d->m->n;
	double *cres = cpts_calloc(n + 1, sizeof(double)), *cin = cpts_calloc(n + 1, sizeof(double));
	double *tin = cpts_calloc(d->p->n_terr + 1, sizeof(double));
	static const char *const kind[3] = { "flows_in", "flows_res", "flows_into" };
	const char **codes = cpts_calloc(d->p->n_members + 1, sizeof(char *));
	int rc;

	if ((rc = cpts_pub_flows_open(ctx, d->s, d->threshold, &d->pf)) < 0)
		goto out;
	for (size_t k = 0; k < d->n_flows; k++) {
		const ex_flow *f = &d->flows[k];
		if (f->masked)
			continue;
		if (f->orig >= 0)
			cres[f->orig] += f->volume;
		if (f->dest >= 0)
			cin[f->dest] += f->volume;
		if (f->orig >= 0 && f->dest >= 0 && d->p->commune_terr[f->orig] >= 0 &&
		    d->p->commune_terr[f->orig] == d->p->commune_terr[f->dest])
			tin[d->p->commune_terr[f->orig]] += f->volume;
	}
	for (size_t t = 0; t < d->p->n_terr; t++) {
		double v[3] = { tin[t], 0, 0 };
		cpts_pvalue c[3];
		size_t nc = 0;
		for (size_t m = d->p->terr_start[t]; m < d->p->terr_start[t + 1]; m++) {
			size_t i = d->p->members[m].commune;
			if (d->p->commune_terr[i] == (long)t) {
				v[1] += cres[i];
				v[2] += cin[i];
			}
			codes[nc++] = d->m->c[i].code;
		}
		for (int k = 0; k < 3; k++) {
			c[k] = cpts_pub_flow(ctx, d->pf, kind[k], d->p->name, d->p->terr[t], codes, nc,
					     v[k]);
			if (cpts_pub_hidden(&c[k]) && !isfinite(c[k].lo))
				d->terr[t].flows_withheld = true;
		}
		ex_terr *e = &d->terr[t];
		e->li_masked = !isnan(e->li) && (v[1] < d->threshold || cpts_pub_hidden(&c[0]) ||
						 cpts_pub_hidden(&c[1]) || e->flows_withheld);
		e->msi_masked = !isnan(e->msi) && (v[2] < d->threshold || cpts_pub_hidden(&c[0]) ||
						   cpts_pub_hidden(&c[2]) || e->flows_withheld);
		/* published: the flow tables' totals (and the staying row) when shown, the
		   counts of a shown LI or MSI (more than a reader learns, never less) */
		bool tables = !e->flows_withheld && v[1] >= d->threshold;
		for (int k = 0; k < 3; k++)
			if ((tables && !cpts_pub_hidden(&c[k])) ||
			    (k != 2 && !isnan(e->li) && !e->li_masked) ||
			    (k != 1 && !isnan(e->msi) && !e->msi_masked))
				cpts_pub_flow_mark(d->pf, kind[k], d->p->name, d->p->terr[t], codes, nc,
						   v[k]);
	}
out:
	free(codes);
	free(tin);
	free(cres);
	free(cin);
	return rc;
}

int ex_data_load(cpts_ctx *ctx, ex_data **out, cpts_store *s, const cpts_export_opts *opts)
{
	flows_job fj = { .running = false };
	ex_data *d = cpts_calloc(1, sizeof(*d));
	cpts_disclose_opts dopts = CPTS_DISCLOSE_OPTS_INIT;
	int rc;

	*out = NULL;
	d->opts = opts;
	d->s = s;
	d->threshold = opts->mask_threshold; /* checked by cpts_export_run: the one used */
	dopts.threshold = d->threshold;
	cpts_timestamp_utc(d->timestamp);
	d->ss = opts->session ? opts->session : (d->own_ss = cpts_session_borrow(s));
	if ((rc = cpts_session_model(ctx, d->ss, &d->m)) < 0 ||
	    (rc = cpts_session_partition(ctx, d->ss, opts->partition, &d->p)) < 0)
		goto out;
	if ((rc = cpts_progress(ctx, 0.05, "loading geometries")) < 0 ||
	    (rc = cpts_session_model_geoms(ctx, d->ss, &d->m)) < 0)
		goto out;
	d->terr = cpts_calloc(d->p->n_terr + 1, sizeof(ex_terr));
	if ((rc = load_partition_row(ctx, d)) < 0 || (rc = load_metrics(ctx, d)) < 0 ||
	    (rc = load_attraction(ctx, d)) < 0 || (rc = load_sources(ctx, d)) < 0)
		goto out;
	if ((rc = cpts_ptable_load(ctx, &d->pt, s, opts->partition, &dopts)) < 0)
		goto out;
	cpts_log(ctx, CPTS_LOG_INFO, "disclosure: %zu of %zu health-count cells suppressed"
		 " (%.1f %%): %zu primary, %zu secondary (%zu of them against earlier"
		 " publications of the workspace), %zu breakdown parts withdrawn;"
		 " %zu shown without their bound", d->pt->n_primary + d->pt->n_secondary +
		 d->pt->n_withdrawn, d->pt->n_counts, d->pt->n_counts ? 100.0 * (double)
		 (d->pt->n_primary + d->pt->n_secondary + d->pt->n_withdrawn) /
		 (double)d->pt->n_counts : 0.0, d->pt->n_primary, d->pt->n_secondary,
		 d->pt->n_ledger, d->pt->n_withdrawn, d->pt->n_unbounded);
	index_ptable(d);
	ex_vindex_build(&d->vi, d->pt);
	mark_main_only(d);
	/* the last read of the workspace until flows_join */
	if ((rc = flows_start(ctx, &fj, d)) < 0)
		goto out;
	if ((rc = ex_par_run(ctx, d->p->n_terr, dissolve_item, d, d->main_only, NULL, NULL, 0.1,
			     0.3, "dissolving territories")) < 0)
		goto out;
	for (size_t t = 0; t < d->p->n_terr; t++)
		if (d->terr[t].unary_union)
			cpts_note(ctx, "territory %s: dissolved with a unary union (coverage union"
				  " failed, or more than %d vertices)", d->p->terr[t],
				  EX_COVERAGE_MAX_VERTICES);
	if ((rc = clean_territories(ctx, d)) < 0)
		goto out;
	if ((rc = flows_join(ctx, &fj, rc)) < 0)
		goto out;
	if (!fj.masked && ((rc = mask_flow_ratios(ctx, d)) < 0 ||
			   (rc = ex_flux_prepare(ctx, d)) < 0))
		goto out;
	*out = d;
	d = NULL;
out:
	rc = flows_join(ctx, &fj, rc); /* never left running over a freed snapshot */
	ex_data_free(ctx, d);
	return rc;
}

void ex_data_free(cpts_ctx *ctx, ex_data *d)
{
	if (!d)
		return;
	cpts_pub_flows_free(d->pf);
	free(d->flux_pub);
	free(d->flux_known);
	if (d->terr && d->p)
		for (size_t t = 0; t < d->p->n_terr; t++)
			if (d->terr[t].geom)
				GEOSGeom_destroy_r(ctx->geos, d->terr[t].geom);
	free(d->terr);
	free(d->main_only);
	if (d->att && d->m)
		for (size_t i = 0; i < d->m->n; i++) {
			free(d->att[i].first_terr);
			free(d->att[i].second_terr);
		}
	free(d->att);
	free(d->flows);
	for (size_t k = 0; k < d->n_src; k++) {
		free(d->src[k].tbl);
		free(d->src[k].file);
		free(d->src[k].sha256);
		free(d->src[k].vintage);
		free(d->src[k].ingested_at);
	}
	free(d->src);
	free(d->part_kind);
	free(d->part_source);
	free(d->part_params);
	free(d->part_created);
	free(d->profile_params);
	ex_reproj_release(&d->rp);
	ex_vindex_release(&d->vi);
	cpts_ptable_free(d->pt);
	cpts_session_free(ctx, d->own_ss);
	free(d);
}

const cpts_pvalue *ex_value(const ex_data *d, const char *terr, const char *level,
			    const char *level_code, const char *key)
{
	return d->pt ? ex_vindex_get(&d->vi, d->pt, terr, level, level_code, key) : NULL;
}

const cpts_pvalue *ex_commune_value(const ex_data *d, size_t i, const char *key)
{
	long t = d->p->commune_terr[i];
	const cpts_pvalue *v = NULL;

	if (t >= 0)
		return ex_value(d, d->p->terr[t], "commune", d->m->c[i].code, key);
	/* split commune: the first territory that holds a value */
	for (size_t k = 0; k < d->p->n_members && !v; k++)
		if (d->p->members[k].commune == i)
			v = ex_value(d, d->p->terr[d->p->members[k].territory], "commune",
				     d->m->c[i].code, key);
	return v;
}

bool ex_maskable(const cpts_indicator *ind)
{
	return ind->kind == CPTS_IND_COUNT || ind->kind == CPTS_IND_RATIO;
}

static bool flow_ratio_masked(const ex_data *d, size_t t, const char *key)
{
	return (strcmp(key, "li") == 0 && d->terr[t].li_masked) ||
	       (strcmp(key, "msi") == 0 && d->terr[t].msi_masked);
}

/* Fallbacks from public data, for the keys the partition itself defines. */
static double terr_fallback(const ex_data *d, size_t t, const char *key)
{
	const ex_terr *e = &d->terr[t];
	const cpts_pvalue *pv = ex_value(d, d->p->terr[t], "territoire", d->p->terr[t],
					 "pop_total");
	double pop = pv && !pv->masked ? pv->value : e->pop;
	int toward;

	if (isnan(pop) && d->m->has_population) {
		pop = 0;
		for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++)
			pop += d->m->c[d->p->members[k].commune].pop * d->p->members[k].weight;
	}

	if (strcmp(key, "pop_total") == 0)
		return pop;
	if (strcmp(key, "n_communes") == 0)
		return (double)e->n_communes;
	if (strcmp(key, "area_km2") == 0) {
		double a = 0;
		for (size_t k = d->p->terr_start[t]; k < d->p->terr_start[t + 1]; k++)
			a += d->m->c[d->p->members[k].commune].area_km2 *
			     d->p->members[k].weight;
		return a;
	}
	/* basin_metrics holds proportions (as basin_communes); the catalogue: percent */
	if (strcmp(key, "li") == 0)
		return e->li_masked ? NAN : 100.0 * e->li;
	if (strcmp(key, "msi") == 0)
		return e->msi_masked ? NAN : 100.0 * e->msi;
	if (strcmp(key, "pac") == 0)
		return e->pac;
	if (isnan(pop))
		return NAN;
	if (strcmp(key, "aci_tier") == 0)
		return e->tier > 0 ? e->tier : cpts_aci_tier_of(pop)->tier;
	if (strcmp(key, "aci_ceiling_eur") == 0)
		return cpts_aci_tier_of(pop)->total_eur;
	if (strcmp(key, "aci_distance") == 0)
		return cpts_aci_tier_distance(pop, &toward);
	return NAN;
}

double ex_map_number(const cpts_pvalue *pv)
{
	if (!pv)
		return NAN;
	if (!pv->masked)
		return pv->value;
	/* a ratio published as a narrow range (masked input cells) is drawn at its middle;
	   it never leaves the published range, so the map tells nothing the table does not */
	if (isfinite(pv->lo) && isfinite(pv->hi) && pv->indicator &&
	    cpts_indicator_find(pv->indicator) &&
	    cpts_indicator_find(pv->indicator)->kind == CPTS_IND_RATIO)
		return 0.5 * (pv->lo + pv->hi);
	return NAN;
}

double ex_terr_map_number(const ex_data *d, size_t t, const char *key)
{
	const cpts_pvalue *pv = ex_value(d, d->p->terr[t], "territoire", d->p->terr[t], key);

	return pv ? ex_map_number(pv) : terr_fallback(d, t, key);
}

double ex_terr_number(const ex_data *d, size_t t, const char *key, bool *masked)
{
	const cpts_pvalue *pv = ex_value(d, d->p->terr[t], "territoire", d->p->terr[t], key);

	if (masked)
		*masked = pv ? pv->masked : flow_ratio_masked(d, t, key);
	if (pv)
		return pv->masked ? NAN : pv->value;
	return terr_fallback(d, t, key);
}
