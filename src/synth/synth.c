/*
 * synth.c - the public entry points of the generator: option checks, allocation of
 * the territory, the stages in order, and the read-only accessors used by the tests.
 *
 * Why separate generate and write: the unit tests check geometry and totals on the
 * in-memory territory (GEOS objects, exact integers) and the files on disk; the CLI
 * does both in one call (cpts_synth_run).
 */
#include <stdlib.h>
#include <string.h>

#include "cpts/outfile.h"
#include "cpts/util.h"
#include "synth/synth_int.h"

static int check_opts(cpts_ctx *ctx, const cpts_synth_opts *o)
{
	if (o->n_communes < 3 || o->n_communes > CPTS_SYNTH_MAX_COMMUNES)
		return cpts_fail(ctx, CPTS_EUSAGE, "--communes must be between 3 and %ld (got %ld)",
				 CPTS_SYNTH_MAX_COMMUNES, o->n_communes);
	if (o->n_towns < 0 || o->n_towns > o->n_communes / 3)
		return cpts_fail(ctx, CPTS_EUSAGE, "--towns must be between 1 and a third of the "
				 "communes (got %ld)", o->n_towns);
	if (o->flows_per_commune < 1 || o->flows_per_commune > 1000)
		return cpts_fail(ctx, CPTS_EUSAGE, "--flows-per-commune must be between 1 and 1000 "
				 "(got %ld)", o->flows_per_commune);
	return CPTS_OK;
}

static cpts_synth *synth_alloc(const cpts_synth_opts *opts, cpts_ctx *ctx)
{
	cpts_synth *s = cpts_calloc(1, sizeof(*s));
	size_t n = (size_t)opts->n_communes;

	s->opts = *opts;
	if (s->opts.n_towns == 0) {
		s->opts.n_towns = opts->n_communes / 60;
		if (s->opts.n_towns < 1)
			s->opts.n_towns = 1;
	}
	s->geos = ctx->geos;
	s->n = n;
	s->geom = cpts_calloc(n, sizeof(*s->geom));
	s->xy = cpts_calloc(2 * n, sizeof(*s->xy));
	s->area_km2 = cpts_calloc(n, sizeof(*s->area_km2));
	s->kind = cpts_calloc(n, sizeof(*s->kind));
	s->town = cpts_calloc(n, sizeof(*s->town));
	s->code = cpts_calloc(n, sizeof(*s->code));
	s->name = cpts_calloc(n, sizeof(*s->name));
	s->dep = cpts_calloc(n, sizeof(*s->dep));
	s->pop = cpts_calloc(n, sizeof(*s->pop));
	s->cells = cpts_calloc(n, sizeof(*s->cells));
	s->actes = cpts_calloc(n, sizeof(*s->actes));
	s->mt = cpts_calloc(n, sizeof(*s->mt));
	s->supply = cpts_calloc(n, sizeof(*s->supply));
	s->etp = cpts_calloc(n, sizeof(*s->etp));
	s->age60 = cpts_calloc(n, sizeof(*s->age60));
	s->dens_code = cpts_calloc(n, sizeof(*s->dens_code));
	s->terr = cpts_calloc(n, sizeof(*s->terr));
	return s;
}

int cpts_synth_generate(cpts_ctx *ctx, cpts_synth **out, const cpts_synth_opts *opts)
{
	cpts_synth *s = NULL;
	int rc;

	*out = NULL;
	if ((rc = check_opts(ctx, opts)) < 0)
		goto out;
	s = synth_alloc(opts, ctx);
	if ((rc = synth_layout(ctx, s)) < 0 || (rc = synth_names(ctx, s)) < 0 ||
	    (rc = synth_people(ctx, s)) < 0 || (rc = synth_partition(ctx, s)) < 0 ||
	    (rc = synth_indicators(ctx, s)) < 0)
		goto out;
	*out = s;
	s = NULL;
out:
	cpts_synth_free(s);
	return rc;
}

int cpts_synth_run(cpts_ctx *ctx, const char *dir, const cpts_synth_opts *opts)
{
	cpts_synth *s = NULL;
	int rc;

	/* an existing file at DIR is refused before generating anything */
	if ((rc = cpts_output_check(ctx, "--out", dir, true, NULL, 0)) < 0)
		return rc;
	if ((rc = cpts_synth_generate(ctx, &s, opts)) < 0)
		goto out;
	rc = cpts_synth_write(ctx, s, dir);
out:
	cpts_synth_free(s);
	return rc;
}

void cpts_synth_free(cpts_synth *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (s->geom[i])
			GEOSGeom_destroy_r(s->geos, s->geom[i]);
		free(s->name[i]);
	}
	for (size_t t = 0; t < s->n_terr && s->terr_name; t++)
		free(s->terr_name[t]);
	free(s->geom), free(s->xy), free(s->area_km2), free(s->kind), free(s->town);
	free(s->code), free(s->name), free(s->dep), free(s->dep_code);
	free(s->dep_reg), free(s->pop), free(s->cells), free(s->actes), free(s->mt);
	free(s->supply), free(s->etp), free(s->age60), free(s->dens_code), free(s->terr);
	free(s->terr_name), free(s->terr_statut), free(s->adj_start), free(s->adj);
	free(s->outside);
	synth_indicators_free(s);
	free(s);
}

size_t cpts_synth_n_communes(const cpts_synth *s)
{
	return s->n;
}

const char *cpts_synth_code(const cpts_synth *s, size_t i)
{
	return s->code[i];
}

const char *cpts_synth_name(const cpts_synth *s, size_t i)
{
	return s->name[i];
}

const struct GEOSGeom_t *cpts_synth_geom(const cpts_synth *s, size_t i)
{
	return s->geom[i];
}

long cpts_synth_population(const cpts_synth *s, size_t i)
{
	return s->pop[i];
}

bool cpts_synth_is_island(const cpts_synth *s, size_t i)
{
	return s->kind[i] == KIND_ISLAND;
}

size_t cpts_synth_n_territories(const cpts_synth *s)
{
	return s->n_terr;
}

long cpts_synth_territory(const cpts_synth *s, size_t i)
{
	return s->terr[i];
}
