/*
 * audit_int.h - the audit's linear system, shared by the files of src/audit/.
 *
 * A cell is one published number (or one masked one) named "layer|feature|indicator";
 * a relation is lo <= sum(coef * cell) <= hi. Published cells are constants, masked
 * and unpublished cells unknowns. read_gpkg.c fills the system from a GeoPackage,
 * lp.c splits it into independent components and bounds every masked cell with GLPK.
 */
#ifndef CPTS_AUDIT_INT_H
#define CPTS_AUDIT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cpts/audit.h"
#include "cpts/util.h"

/** One cell. */
typedef struct au_cell {
	char *name;        /* OWNED: "communes|44109 Nantes|mt_sans_mt" */
	double value;      /* published value (when !is_unknown) */
	double lo, hi;     /* unknown: the bounds a reader knows (hi may be INFINITY) */
	double need_lo;    /* target: the interval the publication must leave open */
	double need_hi;
	bool is_unknown;   /* masked, or not published */
	bool is_target;    /* masked health count: its interval is checked */
	bool is_integer;   /* a count: LP bounds are rounded inward before comparing */
	bool was_masked;   /* masked in at least one publication read */
	double found_lo;   /* target, after au_solve: the interval a reader can deduce */
	double found_hi;
} au_cell;

/** One term of a relation. */
typedef struct au_term {
	size_t cell;
	double coef;
} au_term;

/** One relation lo <= sum(terms) <= hi. */
typedef struct au_rel {
	size_t off, n;     /* terms[off .. off+n) */
	double lo, hi;     /* -INFINITY / INFINITY for one-sided */
} au_rel;

/** The whole system. */
typedef struct au_sys {
	cpts_vec cells;     /* au_cell */
	cpts_vec rels;      /* au_rel */
	cpts_vec terms;     /* au_term */
	cpts_strmap *index; /* cell name -> index, OWNED */
	double thr;         /* masking threshold T */
} au_sys;

void au_sys_init(au_sys *s);
void au_sys_release(au_sys *s);
/** The cell of that name, created (unknown, unbounded >= 0) when new. */
size_t au_cell_get(au_sys *s, const char *name);
/** Index of an existing cell, or -1. */
long au_cell_find(const au_sys *s, const char *name);
/** Start a relation lo <= ... <= hi; then add its terms with au_rel_term. */
void au_rel_begin(au_sys *s, double lo, double hi);
void au_rel_term(au_sys *s, size_t cell, double coef);
/** Drop the last relation when it has no unknown term (nothing to learn from it). */
void au_rel_end(au_sys *s);

/** Read a GeoPackage written by cpts export into s (threshold from its metadata when
 * s->thr is 0). */
int au_read_gpkg(cpts_ctx *ctx, au_sys *s, const char *path);

/** Bound every target with GLPK; write findings to report; fill the counts of out. */
int au_solve(cpts_ctx *ctx, au_sys *s, FILE *report, size_t max_list,
	     cpts_audit_result *out);

#endif
