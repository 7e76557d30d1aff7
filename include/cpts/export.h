/*
 * cpts/export.h - exports (DOMAIN.md section 8): a GeoPackage (or any OGR driver) and
 * a self-contained HTML report, both written to a temporary name and renamed.
 * Every health count passes through disclosure control before it is written.
 */
#ifndef CPTS_EXPORT_H
#define CPTS_EXPORT_H

#include <stdbool.h>

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
} cpts_export_opts;
#define CPTS_EXPORT_OPTS_INIT { NULL, NULL, "GPKG", NULL, 0.0, 11.0, NULL }

int cpts_export_run(cpts_ctx *ctx, cpts_store *s, const cpts_export_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
