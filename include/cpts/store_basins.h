/*
 * cpts/store_basins.h - the SQL of the basins module (src/basins): basin_metrics,
 * basin_communes, basin_stability, and the kind of an existing partition. The basins
 * code computes; these functions read and write rows, inside the caller's transaction.
 */
#ifndef CPTS_STORE_BASINS_H
#define CPTS_STORE_BASINS_H

#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

/** One basin_metrics row. A NAN li, msi or pac and a NULL pole are stored as NULL. */
typedef struct cpts_basin_metric_row {
	const char *territory;   /* BORROWED */
	double pop;
	size_t n_communes;
	const char *pole;        /* BORROWED commune code, or NULL */
	double li, msi, pac;
	int tier;
} cpts_basin_metric_row;

/** One basin_communes row. cls 0, a NULL first/second territory (with its share) and a
 * NAN own_share are stored as NULL. */
typedef struct cpts_basin_commune_row {
	const char *code;        /* BORROWED */
	int cls;
	const char *first, *second; /* BORROWED territories, or NULL */
	double first_share, second_share, own_share;
} cpts_basin_commune_row;

/** Drop the basin_metrics and basin_communes rows of partition. */
int cpts_store_basins_clear_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition);

/** Insert n basin_metrics rows of partition. */
int cpts_store_basins_put_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition,
				  const cpts_basin_metric_row *rows, size_t n);

/** Insert n basin_communes rows of partition. */
int cpts_store_basins_put_communes(cpts_ctx *ctx, cpts_store *s, const char *partition,
				   const cpts_basin_commune_row *rows, size_t n);

/** Drop the co-assignment rows of partition (table basin_stability, created when an
 * older workspace lacks it). */
int cpts_store_basins_clear_stability(cpts_ctx *ctx, cpts_store *s, const char *partition);

/** Replace the co-assignments of partition: codes[i] with coassign[i] (NAN: no row),
 * over resamples reruns. */
int cpts_store_basins_put_stability(cpts_ctx *ctx, cpts_store *s, const char *partition,
				    const char *const *codes, const double *coassign, size_t n,
				    int resamples);

/**
 * Kind of partition name ("basins", "input", ...) into *kind_out (OWNED by the caller,
 * free()), or NULL when there is no such partition.
 */
int cpts_store_basins_partition_kind(cpts_ctx *ctx, cpts_store *s, const char *name,
				     char **kind_out);
#endif
