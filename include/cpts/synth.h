/*
 * cpts/synth.h - the synthetic territory generator (`cpts synth`): a deterministic,
 * clearly fictional territory written in the input contract of DOMAIN.md section 3.
 *
 * Why: the demo (data/demo), the end-to-end tests and the benchmarks need a complete
 * territory (polygons, age-sex population, consumption, médecin traitant, supply,
 * flows, partition, attributes) that can be published, since it is not real data,
 * and that scales to a whole country (35,000 communes, millions of flow pairs).
 *
 * Determinism: the output depends only on the options. Every random draw comes from
 * our own xoshiro256** generator seeded through splitmix64 (never rand()), each stage
 * from its own stream, and the flows of each origin from a stream of their own, so the
 * files are byte-identical across runs and across machines running the same GEOS and
 * libm builds (coordinates are written rounded to the centimetre).
 */
#ifndef CPTS_SYNTH_H
#define CPTS_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpts/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Maximum number of communes (bounded input, STYLE.md section 13): at most 900 per
 * fictional département, 95 départements. */
#define CPTS_SYNTH_MAX_COMMUNES 85000L

/** Options of the generator (transparent; start from CPTS_SYNTH_OPTS_INIT). */
typedef struct cpts_synth_opts {
	long n_communes;        /* communes written, islands included (>= 3) */
	uint64_t seed;          /* the seed of every random stream */
	long n_towns;           /* towns (clusters of dense communes); 0 = N / 60, at least 1 */
	long flows_per_commune; /* most practice communes per residence commune (>= 1) */
	bool traveltime;        /* also write traveltime.csv (origin -> practice minutes) */
	bool truth;             /* also write indicators_truth.csv (expected values) */
} cpts_synth_opts;
#define CPTS_SYNTH_OPTS_INIT { 300, 2026, 0, 20, false, false }

/** A generated territory, held in memory (opaque; invariants in src/synth/synth_int.h). */
typedef struct cpts_synth cpts_synth;

/**
 * Generate a territory: points, Voronoi polygons, names and codes, population,
 * consumption, médecin traitant, supply and the CPTS partition. Flows are not held in
 * memory: they are drawn while writing (cpts_synth_write) so that ten million pairs
 * stream through a small buffer.
 *
 * @param ctx      run context (errors, progress, GEOS handle)
 * @param[out] out new territory; OWNED by caller, free with cpts_synth_free()
 * @param opts     options; BORROWED
 * @return CPTS_OK, CPTS_EUSAGE for an option out of range, CPTS_EDEP when GEOS fails,
 *         CPTS_ECANCEL when interrupted; details in ctx->err
 */
int cpts_synth_generate(cpts_ctx *ctx, cpts_synth **out, const cpts_synth_opts *opts);

/**
 * Write the files of a territory into dir (created when missing): communes.geojson,
 * population.csv, consumption.csv, mt.csv, supply.csv, flows.csv, partition.csv,
 * attributes.csv, traveltime.csv (when asked) and README.txt. Each file is written
 * to `<name>.tmp` and renamed on success.
 *
 * @param s   territory; BORROWED
 * @param dir output directory; BORROWED
 * @return CPTS_OK, CPTS_EIO when a file cannot be written (named), CPTS_ECANCEL
 */
int cpts_synth_write(cpts_ctx *ctx, const cpts_synth *s, const char *dir);

/** Generate and write in one call (what `cpts synth` does). */
int cpts_synth_run(cpts_ctx *ctx, const char *dir, const cpts_synth_opts *opts);

/** Free a territory; NULL is accepted. */
void cpts_synth_free(cpts_synth *s);

/* Read-only accessors, for the tests. Index i is in [0, n_communes). */
struct GEOSGeom_t;
size_t cpts_synth_n_communes(const cpts_synth *s);
/** INSEE-like code (BORROWED, lives as long as s). */
const char *cpts_synth_code(const cpts_synth *s, size_t i);
/** Name (UTF-8, BORROWED). */
const char *cpts_synth_name(const cpts_synth *s, size_t i);
/** Polygon in Lambert-93 metres (BORROWED; created with ctx->geos of the generate call). */
const struct GEOSGeom_t *cpts_synth_geom(const cpts_synth *s, size_t i);
/** Total population of commune i (sum of its age-sex cells). */
long cpts_synth_population(const cpts_synth *s, size_t i);
/** True for an island commune (a polygon that touches no other commune). */
bool cpts_synth_is_island(const cpts_synth *s, size_t i);
/** Number of CPTS territories of the partition (white-zone communes belong to none). */
size_t cpts_synth_n_territories(const cpts_synth *s);
/** Territory of commune i in [0, n_territories), or -1 for the white zone. */
long cpts_synth_territory(const cpts_synth *s, size_t i);

#ifdef __cplusplus
}
#endif
#endif
