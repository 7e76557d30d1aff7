/*
 * cpts/pipeline.h - the main job in one call: `cpts diagnose`.
 *
 * Ingests the given files into a fresh workspace DIR/cpts.sqlite, builds the
 * contiguity graph, builds attraction basins from the flows (or uses the given
 * partition, with the basins kept for comparison), computes the profiles and writes
 * DIR/cpts.gpkg and DIR/html/. The workspace is built under a temporary name and
 * renamed at the end, so a failed run leaves no half-made workspace behind.
 */
#ifndef CPTS_PIPELINE_H
#define CPTS_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/basins.h"
#include "cpts/ctx.h"

/** Subdirectory of `diagnose --out DIR` holding the unmasked workspace. */
#define CPTS_DIAGNOSE_PRIVATE_DIR "prive"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpts_diagnose_opts {
	const char *communes;    /* commune layer (required) */
	const char *passage;     /* COG passage table, applied to every later table */
	const char *population, *consumption, *reference, *mt, *supply, *flows;
	const char *traveltime, *attributes;
	const char *partition;   /* an existing partition (CSV); NULL = basins from flows */
	const char *out_dir;     /* default "out" */
	const char *code_field;  /* commune layer code field (NULL = detect) */
	cpts_basins_opts basins; /* method, floor, ceiling, resolution, seed */
	double mask_threshold;   /* disclosure threshold (11) */
	bool no_html, no_gpkg;   /* both: the workspace only (export it later) */
	/* the options of the step commands (cpts ingest, cpts export) that make sense here */
	bool skip_unknown;       /* tables: set aside rows of communes not in the layer */
	bool snds_codes;         /* tables: residence codes are SNDS codes */
	bool skip_failures;      /* communes: skip bad features */
	const char *s_srs;       /* communes: CRS of a layer without one */
	const char *vintage;     /* recorded with every source */
	const char *const *map;  /* "KIND:canonical=theirs" (BORROWED), n_map of them */
	size_t n_map;
	const char *from_column, *name_column, *names_file; /* partition: as cpts ingest */
	const char *const *indicators; /* `cpts ingest indicators` files (BORROWED), n_indicators */
	size_t n_indicators;
	const char *map_indicator; /* choropleth key; NULL = mt_share, or without --mt the GP
				      density (with --supply) or the population density */
} cpts_diagnose_opts;

/**
 * The `source` of every ingested (non-builtin) row of the indicator catalogue, each
 * once: the columns cpts_ingest_indicators_from reads from a wide file.
 * @param[out] n number of sources
 * @return OWNED array (free), strings BORROWED from the catalogue
 */
const char **cpts_catalogue_sources(size_t *n);

/** Defaults: basins with the modularity method, no floor/ceiling, threshold 11. */
void cpts_diagnose_opts_init(cpts_diagnose_opts *o);

/** Run the whole pipeline; prints a summary of what was written to `summary` (may be
 * NULL). */
int cpts_diagnose_run(cpts_ctx *ctx, const cpts_diagnose_opts *opts, FILE *summary);

#ifdef __cplusplus
}
#endif
#endif
