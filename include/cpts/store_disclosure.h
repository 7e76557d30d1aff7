/*
 * cpts/store_disclosure.h - what disclosure control (src/profile/disclosure.c) reads
 * from the workspace: the stored profile values of a partition, and the département
 * and region of every commune (the relations a reader can write between a commune and
 * its département or region). SQL in src/store/disclosure_io.c, so that src/profile/
 * speaks no SQL (issue 13).
 *
 * Error model of the store: read loops end on SQLITE_DONE; any other step result is an
 * error (CPTS_EINTERNAL for our SQL, CPTS_EIO for the file), never the end of the data.
 */
#ifndef CPTS_STORE_DISCLOSURE_H
#define CPTS_STORE_DISCLOSURE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Code, département and region of one commune ("" for SQL NULL). */
typedef struct cpts_store_commune_geo {
	char *code; /* OWNED */
	char *dep;  /* OWNED */
	char *reg;  /* OWNED */
} cpts_store_commune_geo;

/**
 * Code, département and region of every commune of the workspace, in the table's order.
 * @param[out] out   OWNED by caller, *n_out rows (NULL when none); free with
 *                   cpts_store_commune_geo_free
 * @return CPTS_OK; CPTS_EINTERNAL / CPTS_EIO on a database error (reported)
 */
int cpts_store_commune_geo_load(cpts_ctx *ctx, cpts_store *s, cpts_store_commune_geo **out,
				size_t *n_out);
/** Free n rows and the array (NULL-safe). */
void cpts_store_commune_geo_free(cpts_store_commune_geo *rows, size_t n);

/** One stored profile value as read back; strings BORROWED until the next read. */
typedef struct cpts_store_pvalue {
	const char *territory, *level, *level_code, *indicator; /* NULL for SQL NULL */
	double value, lo, hi; /* NAN for SQL NULL */
	bool masked;          /* stored masked flag (depends on masked input cells) */
} cpts_store_pvalue;

typedef struct cpts_store_pvreader cpts_store_pvreader; /* opaque (disclosure_io.c) */

/**
 * A reader of the profile values of partition (BORROWED, must outlive it), in the
 * order territory, level, level_code, indicator.
 * @param[out] out     OWNED by caller (cpts_store_pvreader_free)
 * @param[out] n_rows_out  number of rows the reader will give
 * @return CPTS_OK; CPTS_EINTERNAL / CPTS_EIO on a database error (reported)
 */
int cpts_store_pvreader_open(cpts_ctx *ctx, cpts_store *s, cpts_store_pvreader **out,
			     const char *partition, size_t *n_rows_out);
/** The next row into *row: 1, 0 at the end, < 0 on a database error (reported). */
int cpts_store_pvreader_next(cpts_ctx *ctx, cpts_store_pvreader *r, cpts_store_pvalue *row);
/** Finalize; NULL-safe. */
void cpts_store_pvreader_free(cpts_store_pvreader *r);

#ifdef __cplusplus
}
#endif
#endif
