/*
 * cpts/export.h - exports (DOMAIN.md section 8): a GeoPackage (or any OGR driver) and
 * a self-contained HTML report, both written to a temporary name and renamed.
 * Every health count passes through disclosure control before it is written.
 */
#ifndef CPTS_EXPORT_H
#define CPTS_EXPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/profile.h"
#include "cpts/store.h"

struct cpts_session;

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpts_export_opts {
	const char *partition;   /* partition to export (required) */
	const char *gpkg;        /* output dataset path, or NULL */
	const char *format;      /* OGR driver name (default "GPKG") */
	const char *html_dir;    /* output directory of the HTML report, or NULL */
	double flow_threshold;   /* flux layer: flows at or above (0 = no flux layer) */
	double mask_threshold;   /* disclosure threshold (CPTS_DOMAIN_MASK_THRESHOLD) */
	const char *map_indicator; /* indicator key of the choropleths (default "mt_share") */
	double max_hole_ha;      /* dissolved territories: holes below this area (hectares)
				    that no commune covers are closed (default 1; 0 none) */
	const char *dsn;         /* --format PostgreSQL: the "PG:..." connection string */
	const char *schema;      /* --format PostgreSQL: target schema (default public) */
	struct cpts_session *session; /* the command's session (cpts/session.h), BORROWED;
					 NULL: the stage opens one over the store for itself */
} cpts_export_opts;
#define CPTS_EXPORT_OPTS_INIT { NULL, NULL, "GPKG", NULL, 0.0, CPTS_MASK_THRESHOLD_DEFAULT, NULL, 1.0, NULL, NULL, NULL }

/**
 * Export a partition: the dataset opts->gpkg (layers communes, territoires, optional
 * flux, metadata, layer_styles; docs/export.md lists the fields) and/or the HTML report
 * in opts->html_dir. Profile values are read only through cpts_ptable_load (disclosure
 * control). Every file is written under a temporary name and renamed; on failure or
 * interruption the temporaries are removed. The workspace is only read.
 *
 * @param ctx  run context (errors, progress and Ctrl-C, GEOS handle)
 * @param s    workspace; BORROWED
 * @param opts options; BORROWED
 * @return CPTS_OK; CPTS_EUSAGE (no partition, nothing to export, unknown partition,
 *         driver or indicator); CPTS_EINPUT (unreadable geometry); CPTS_EIO (cannot
 *         write); CPTS_EDEP (GDAL/GEOS/PROJ failure); CPTS_ECANCEL (interrupted)
 */
int cpts_export_run(cpts_ctx *ctx, cpts_store *s, const cpts_export_opts *opts);

/**
 * Refuse, before any work, output paths that would destroy something: --gpkg naming
 * the workspace ws (BORROWED, may be NULL) or an existing directory (a directory of
 * files cpts did not write, for one-layer-per-file drivers); --html naming the
 * workspace, a non-directory, or a directory that holds anything but a cpts report;
 * --gpkg inside --html. Files are compared by device and inode. cpts_export_run calls
 * it first; cpts_diagnose_run calls it before ingesting.
 * @return CPTS_OK or CPTS_EINPUT (exit 3) with the reason in ctx->err
 */
int cpts_export_check_outputs(cpts_ctx *ctx, const cpts_export_opts *opts, const char *ws);

#ifdef __cplusplus
}
#endif
#endif
