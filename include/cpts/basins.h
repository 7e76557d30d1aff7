/*
 * cpts/basins.h - attraction basins (DOMAIN.md section 5): the plurality (refined
 * Dartmouth) and spatially constrained modularity methods, per-basin and per-commune
 * metrics, and the comparison of two partitions.
 */
#ifndef CPTS_BASINS_H
#define CPTS_BASINS_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/graph.h"
#include "cpts/model.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cpts_basin_method { CPTS_BASINS_PLURALITY, CPTS_BASINS_MODULARITY } cpts_basin_method;

typedef struct cpts_basins_opts {
	cpts_basin_method method;
	double min_pop;      /* population floor (0 = none) */
	double max_pop;      /* population ceiling (0 = none) */
	double resolution;   /* modularity resolution gamma (default 1) */
	const char *lock;    /* partition whose communes stay in their territory, or NULL */
	const char *name;    /* name of the resulting partition (default "basins") */
	const char *profession; /* flows of this profession only, or NULL */
	unsigned long seed;  /* deterministic seed (default 1) */
	/* attraction class thresholds (DOMAIN.md 5): class 2 >= t2, class 3 >= t3 */
	double class_t2, class_t3;
} cpts_basins_opts;
#define CPTS_BASINS_OPTS_INIT \
	{ CPTS_BASINS_PLURALITY, 0, 0, 1.0, NULL, "basins", NULL, 1, 0.5, 0.3 }

/** Summary of a run, for the CLI and the closing notes. */
typedef struct cpts_basins_summary {
	size_t n_basins;
	double li_overall;       /* flow-weighted localisation index */
	double msi_overall;
	size_t n_over_ceiling;   /* single communes above the ceiling */
	size_t n_under_floor;    /* basins left under the floor (only when impossible) */
	size_t n_locked_split;   /* locked territories that are not contiguous (kept as
				    given, with a warning) */
	double seconds;
} cpts_basins_summary;

/**
 * Build basins, store them as a partition (kind 'basins') with their metrics
 * (basin_metrics, basin_communes), in one transaction of its own.
 */
int cpts_basins_run(cpts_ctx *ctx, cpts_store *s, const cpts_basins_opts *opts,
		    cpts_basins_summary *summary_out);

/**
 * Compute and store the metrics of any partition (LI, MSI, PAC, tier, pole, attraction
 * classes), replacing earlier ones, inside the caller's transaction.
 */
int cpts_basins_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition,
			const cpts_basins_opts *opts);

typedef struct cpts_compare_result {
	double ari;            /* adjusted Rand index, population-weighted */
	double nmi;            /* normalised mutual information, population-weighted */
	double share_matching; /* share of population in matching basins */
	size_t n_common;       /* communes in both partitions */
	size_t n_terr_a, n_terr_b;
} cpts_compare_result;

/** Compare two stored partitions. */
int cpts_compare_partitions(cpts_ctx *ctx, cpts_store *s, const char *a, const char *b,
			    cpts_compare_result *out);

#ifdef __cplusplus
}
#endif
#endif
