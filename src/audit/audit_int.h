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
#include "cpts/domain.h"
#include "cpts/lp.h"
#include "cpts/util.h"

/** Read a GeoPackage written by cpts export into s (threshold from its metadata when
 * s->thr is 0). */
int au_read_gpkg(cpts_ctx *ctx, cpts_lp *s, const char *path);

/** The catalogue's declared relations (cpts_ind_relations) of one feature's cells
 * "layer|id|key" (read_gpkg.c). */
void au_feature_relations(cpts_lp *s, const char *layer, const char *id);

/** Flows published (read_flux.c): flux layers, flow tables, named destinations. */
typedef struct au_flux au_flux;
au_flux *au_flux_new(void);
void au_flux_free(au_flux *f);
/** The flux layer (and the commune names) of a GeoPackage. */
int au_flux_read_gpkg(cpts_ctx *ctx, au_flux *f, const char *path);
/** A report's flow table (its row labels; cells "flux[part]|terr|dir|label"). */
void au_flux_table(au_flux *f, const char *part, const char *terr, const char *dir,
		   const char *const *labels, size_t n);
/** A commune listed by territory terr's page. */
void au_flux_commune(au_flux *f, const char *part, const char *code, const char *name,
		     const char *terr);
/** A territory page (an xmlNode *): its named destinations. */
void au_flux_page(au_flux *f, const char *part, const char *terr, void *root);
/** The relations between the flux layers' pairs and the flow tables (before au_solve). */
void au_flux_relations(cpts_lp *s, au_flux *f);

/** Read an HTML report directory written by cpts export (every *.html in it); fx
 * (may be NULL) collects its flows. */
int au_read_html_dir(cpts_ctx *ctx, cpts_lp *s, const char *dir, au_flux *fx);

/** Read a --json output of profile, check, move, suggest, compare or info; findings
 * that need no linear program (a published difference of two counts over commune sets
 * one move apart) are written to report and counted in *n_direct. */
int au_read_json(cpts_ctx *ctx, cpts_lp *s, const char *path, FILE *report, size_t *n_direct);

/** Bound every target (cpts_lp_solve); write findings to report; fill out. */
int au_solve(cpts_ctx *ctx, cpts_lp *s, FILE *report, size_t max_list,
	     cpts_audit_result *out);

#endif
