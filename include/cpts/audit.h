/*
 * cpts/audit.h - `cpts audit`: what a reader can deduce from published files.
 *
 * The audit reads published outputs only (a GeoPackage written by `cpts export`),
 * rebuilds the linear relations between the published numbers (a territory is the sum
 * of its communes, a subgroup is at most its total, a share is its numerator over its
 * denominator: the relation table of the indicator catalogue, cpts_ind_relations), and
 * for every masked cell solves two linear programs (GLPK) minimising and maximising it
 * over everything published. A masked cell whose feasible interval does not span what
 * the publication means to leave open is a finding: a masked count is known to lie in
 * [0, threshold-1] (zeros are masked too) and its interval must still reach 1 and
 * threshold-1 (span [1, threshold-1]; [0, threshold-1] is not attainable: a count
 * above a pre-masked input cell, published by the source as 1 to threshold-1, is known
 * to be at least 1 whatever is suppressed); or the published bounds of a pre-masked
 * cell.
 */
#ifndef CPTS_AUDIT_H
#define CPTS_AUDIT_H

#include <stdio.h>

#include "cpts/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpts_audit_opts {
	double threshold; /* masking threshold T; 0 = read it from the file's metadata
			     (seuil_masquage), 11 when absent */
	size_t max_list;  /* published cells listed per finding (0 = 8) */
} cpts_audit_opts;
#define CPTS_AUDIT_OPTS_INIT { .threshold = 0, .max_list = 0 }

/** Counts of one audit. */
typedef struct cpts_audit_result {
	size_t n_cells;       /* cells read (published and masked) */
	size_t n_masked;      /* masked cells (the LP targets) */
	size_t n_relations;   /* linear relations rebuilt */
	size_t n_components;  /* independent sets of relations holding masked cells */
	size_t max_component; /* unknowns in the largest component */
	size_t n_lp;          /* linear programs solved */
	size_t n_findings;    /* masked cells with a narrowed interval */
	size_t n_inconsistent;/* components whose published numbers contradict the
				 relations (reported, not counted as findings) */
} cpts_audit_result;

/**
 * Audit published files.
 *
 * @param ctx     run context (errors, progress)
 * @param[out] out counts; filled on success
 * @param paths   published files (GeoPackage); BORROWED
 * @param n_paths number of paths
 * @param report  where findings are written, one paragraph each (stdout); BORROWED
 * @param opts    BORROWED; NULL = defaults
 * @return CPTS_OK (findings are counted in out, not an error), CPTS_EINPUT for a file
 *         that is not a cpts publication, CPTS_EIO when a file cannot be read,
 *         CPTS_EDEP when GLPK fails
 */
int cpts_audit_run(cpts_ctx *ctx, cpts_audit_result *out, const char *const *paths,
		   size_t n_paths, FILE *report, const cpts_audit_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
