/*
 * cpts/store_export.h - what `cpts export` reads from the workspace besides the model,
 * the partition and the disclosed profile (src/store/export_io.c): the partition's
 * record, its basin metrics and attraction classes, the flows pair by pair and the
 * sources. Rows are handed to a callback as plain values; the export keeps what it
 * needs. Every reader reports a read that ends early (SQLITE_DONE or an error).
 */
#ifndef CPTS_STORE_EXPORT_H
#define CPTS_STORE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The record of partition name (table partitions); each field OWNED by the caller, NULL
 * when absent (and all NULL when the partition has no record). */
int cpts_store_partition_record(cpts_ctx *ctx, cpts_store *s, const char *name, char **kind,
				char **source, char **params, char **created);

/** One row of basin_metrics; text BORROWED for the callback's duration, NAN for NULL. */
typedef struct cpts_store_metric_row {
	const char *territory, *pole; /* "" when NULL */
	double pop, li, msi, pac;
	int tier;
} cpts_store_metric_row;
int cpts_store_basin_metrics_each(cpts_ctx *ctx, cpts_store *s, const char *partition,
				  void (*fn)(void *arg, const cpts_store_metric_row *r),
				  void *arg);

/** One row of basin_communes; text BORROWED (NULL when NULL), NAN for NULL numbers. */
typedef struct cpts_store_attract_row {
	const char *code;             /* "" when NULL */
	int klass;                    /* 0 when NULL */
	const char *first_terr, *second_terr;
	double first_share, second_share, own_share;
} cpts_store_attract_row;
int cpts_store_basin_communes_each(cpts_ctx *ctx, cpts_store *s, const char *partition,
				   void (*fn)(void *arg, const cpts_store_attract_row *r),
				   void *arg);

/**
 * Every row of table flows in key order (orig, dest, profession): orig and dest with
 * their lengths (BORROWED for the call), the volume (NAN when NULL) and the masked flag.
 * fn returns CPTS_OK or an error, which stops the reading and is returned.
 */
int cpts_store_flow_rows_each(cpts_ctx *ctx, cpts_store *s,
			      int (*fn)(void *arg, const char *orig, size_t orig_len,
					const char *dest, size_t dest_len, double volume,
					bool masked),
			      void *arg);

/** One row of table sources (text BORROWED, NULL when NULL), in table name order. */
typedef struct cpts_store_source_row {
	const char *tbl, *file, *sha256, *vintage, *ingested_at;
	long long n_rows, n_masked;
} cpts_store_source_row;
int cpts_store_sources_each(cpts_ctx *ctx, cpts_store *s,
			    void (*fn)(void *arg, const cpts_store_source_row *r), void *arg);

#ifdef __cplusplus
}
#endif
#endif
