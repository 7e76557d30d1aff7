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
#include "cpts/lp.h"
#include "cpts/util.h"

/** Read a GeoPackage written by cpts export into s (threshold from its metadata when
 * s->thr is 0). */
int au_read_gpkg(cpts_ctx *ctx, cpts_lp *s, const char *path);

/** Bound every target (cpts_lp_solve); write findings to report; fill out. */
int au_solve(cpts_ctx *ctx, cpts_lp *s, FILE *report, size_t max_list,
	     cpts_audit_result *out);

#endif
