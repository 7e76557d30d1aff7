/*
 * cpts/store_ingest.h - the SQL of the ingest module, in the store: the writers of the
 * input tables (communes, passage, the CSV kinds through a table writer, flows in bulk in
 * key order), the readers the ingest needs (commune codes, passage, arrondissement
 * populations, uncovered communes) and the bookkeeping of a partition given as input.
 * src/ingest speaks to the workspace only through these and cpts/store.h.
 */
#ifndef CPTS_STORE_INGEST_H
#define CPTS_STORE_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpts/ctx.h"
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One row of table flows, as aggregated in memory (32 bytes: millions of them). */
typedef struct cpts_flow_rec {
	char orig[5], dest[5];  /* commune codes, not NUL-terminated */
	unsigned char masked;   /* volume stored NULL when set */
	unsigned char outside;  /* dest is not a commune of the workspace */
	unsigned char how;      /* ingest's own: how the row was mapped (enum cpts_resolve_how) */
	unsigned char pad[3];
	uint32_t prof;          /* index into the profession names of the writer */
	uint32_t line;          /* ingest's own: line of the file (UINT32_MAX beyond) */
	double volume;
} cpts_flow_rec;

/**
 * Insert rows[0..n) into table flows (inside the caller's transaction, after the table
 * was cleared). rows sorted by (orig, dest, profs[prof]) in byte order, keys distinct:
 * the key order of the table, so every insert appends to its B-tree.
 * @param profs the profession names, BORROWED ("" when the file had none)
 * @return CPTS_OK; CPTS_EINTERNAL on a database error (a duplicate key included)
 */
int cpts_store_flows_write(cpts_ctx *ctx, cpts_store *s, const cpts_flow_rec *rows, size_t n,
			   const char *const *profs);

/**
 * cpts_store_flows_write into an empty flows table, for a transaction that does not
 * replace the input itself (the read-ahead of `diagnose`): the rows are adopted by the
 * one that does (cpts_store_flows_adopt), which records the replacement.
 * @return CPTS_OK; CPTS_EINPUT when the table holds rows (nothing written);
 *         CPTS_EINTERNAL on a database error
 */
int cpts_store_flows_write_ahead(cpts_ctx *ctx, cpts_store *s, const cpts_flow_rec *rows,
				 size_t n, const char *const *profs);

/**
 * Inside the caller's transaction, replace the flows by rows[0..n) that another
 * connection of this process already wrote and committed into the table (the read-ahead
 * of `diagnose`, src/ingest/load.c), instead of writing them again: the input is
 * recorded as replaced (deps.c) and the rows count as written by this transaction
 * (table_stats), as after cpts_store_input_clear and cpts_store_flows_write.
 * @return CPTS_OK; CPTS_EINTERNAL on a database error
 */
int cpts_store_flows_adopt(cpts_ctx *ctx, cpts_store *s, const cpts_flow_rec *rows, size_t n);

/* ---- communes and passage ------------------------------------------------------- */

/** One commune of a layer, as stored (texts BORROWED; reg, parent NULL or "" when none). */
typedef struct cpts_commune_rec {
	const char *code, *name, *dep, *reg, *parent;
	int srid;
	double area_km2, perimeter_km, px, py, lon, lat;
	const unsigned char *wkb; /* polygonal geometry in the CRS srid, BORROWED */
	size_t wkb_len;
} cpts_commune_rec;

/** Replace the communes (inside the caller's transaction): what was derived from the old
 * ones is dropped or marked stale (deps.c). CPTS_EINTERNAL when SpatiaLite rejects a
 * geometry. */
int cpts_store_communes_replace(cpts_ctx *ctx, cpts_store *s, const cpts_commune_rec *c,
				size_t n);

/** One row of the passage table. */
typedef struct cpts_passage_rec {
	char old_code[6], new_code[6];
	double weight;
} cpts_passage_rec;

/** Replace the passage table (inside the caller's transaction). */
int cpts_store_passage_replace(cpts_ctx *ctx, cpts_store *s, const cpts_passage_rec *r,
			       size_t n);

/** Each commune code to fn (fn < 0 stops with that status). */
int cpts_store_commune_codes_each(cpts_ctx *ctx, cpts_store *s,
				  int (*fn)(void *arg, const char *code), void *arg);
/** Each row of the passage table whose codes differ, by (old_code, new_code). */
int cpts_store_passage_each(cpts_ctx *ctx, cpts_store *s,
			    int (*fn)(void *arg, const char *old_code, const char *new_code,
				      double weight), void *arg);

/* ---- the CSV kinds ---------------------------------------------------------------- */

/** Clear the table of an input kind before it is loaded again, and drop or mark stale
 * what was derived from it (deps.c). Kind "attributes" keeps the arrondissement
 * populations (population_arm_*). A partition is replaced whole by
 * cpts_store_partition_write (cpts/store_partition.h). */
int cpts_store_input_clear(cpts_ctx *ctx, cpts_store *s, const char *kind,
			   const char *table);

/** A value bound to a column. */
typedef struct cpts_store_val {
	enum { CPTS_VAL_NULL, CPTS_VAL_TEXT, CPTS_VAL_REAL, CPTS_VAL_INT } type;
	const char *text; /* BORROWED until the put returns */
	int len;          /* bytes of text, -1 up to its NUL */
	double num;
	long long i;
} cpts_store_val;

/** How a row meets a row of the same key. */
enum cpts_store_put {
	CPTS_PUT_INSERT,  /* a conflict is reported (*conflict), nothing written */
	CPTS_PUT_ADD,     /* insert or add onto it (the kind's add rule) */
	CPTS_PUT_REPLACE, /* insert or replace it */
};

typedef struct cpts_store_tw cpts_store_tw; /* opaque: a table writer */

/**
 * A writer of rows of table (columns cols, comma-separated, in the order of the values;
 * key the primary key columns; add the SET clause of CPTS_PUT_ADD, e.g.
 * "pop = pop + excluded.pop").
 * @param[out] out OWNED by caller, free with cpts_store_tw_free()
 */
int cpts_store_tw_open(cpts_ctx *ctx, cpts_store *s, const char *table, const char *cols,
		       const char *key, const char *add, cpts_store_tw **out);
/** Write one row of n values. *conflict set (CPTS_OK returned) when CPTS_PUT_INSERT meets
 * a row of the same key; CPTS_EIO on a database error. */
int cpts_store_tw_put(cpts_ctx *ctx, cpts_store_tw *w, enum cpts_store_put how,
		      const cpts_store_val *v, size_t n, bool *conflict);
void cpts_store_tw_free(cpts_store_tw *w); /* NULL-safe */

/** Population/consumption: drop the total rows of the communes that also have rows by
 * sex and age; *n_dropped rows. */
int cpts_store_one_form_per_commune(cpts_ctx *ctx, cpts_store *s, const char *table,
				    long long *n_dropped);
/** Replace the populations of arrondissements (attributes population_arm_CODE on their
 * commune) by arms[0..n) / pops[0..n). */
int cpts_store_arm_populations_replace(cpts_ctx *ctx, cpts_store *s, const char (*arms)[6],
				       const double *pops, size_t n);
/** Each stored population of an arrondissement to fn. */
int cpts_store_arm_populations_each(cpts_ctx *ctx, cpts_store *s,
				    int (*fn)(void *arg, const char *arm, double pop), void *arg);

/* ---- a partition given as input (written by cpts/store_partition.h) --------------- */

/** The communes in no territory of partition, by code, to fn. */
int cpts_store_uncovered_each(cpts_ctx *ctx, cpts_store *s, const char *partition,
			      int (*fn)(void *arg, const char *code, const char *name),
			      void *arg);
/** Distinct communes of partition (*n). */
int cpts_store_partition_n_communes(cpts_ctx *ctx, cpts_store *s, const char *partition,
				    long long *n);
/** Distinct values of column col of table (*n): the communes of a table. */
int cpts_store_count_distinct(cpts_ctx *ctx, cpts_store *s, const char *table,
			      const char *col, long long *n);

#ifdef __cplusplus
}
#endif

#endif
