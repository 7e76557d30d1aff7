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
#include "cpts/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cpts_export_opts {
	const char *partition;   /* partition to export (required) */
	const char *gpkg;        /* output dataset path, or NULL */
	const char *format;      /* OGR driver name (default "GPKG") */
	const char *html_dir;    /* output directory of the HTML report, or NULL */
	double flow_threshold;   /* flux layer: flows at or above (0 = no flux layer) */
	double mask_threshold;   /* disclosure threshold (default 11) */
	const char *map_indicator; /* indicator key of the choropleths (default "mt_share") */
	double max_hole_ha;      /* dissolved territories: holes below this area (hectares)
				    that no commune covers are closed (default 1; 0 none) */
	const char *dsn;         /* --format PostgreSQL: the "PG:..." connection string */
	const char *schema;      /* --format PostgreSQL: target schema (default public) */
} cpts_export_opts;
#define CPTS_EXPORT_OPTS_INIT { NULL, NULL, "GPKG", NULL, 0.0, 11.0, NULL, 1.0, NULL, NULL }

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
 * The keys --map-indicator accepts (every catalogue indicator), comma-separated, into
 * out (n bytes, truncated with "..." if too small; 2048 bytes are enough).
 */
void cpts_export_map_keys(char *out, size_t n);

/** True when key is a valid --map-indicator. */
bool cpts_export_map_key_ok(const char *key);

#ifdef __cplusplus
}
#endif
#endif
