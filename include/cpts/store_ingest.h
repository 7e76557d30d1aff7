/*
 * cpts/store_ingest.h - the SQL of the ingest module, in the store: the bulk writer of
 * the flows table (rows aggregated and sorted in memory by src/ingest, written in key
 * order). src/ingest speaks to the workspace only through these and cpts/store.h.
 */
#ifndef CPTS_STORE_INGEST_H
#define CPTS_STORE_INGEST_H

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

#ifdef __cplusplus
}
#endif

#endif
