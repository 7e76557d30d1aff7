/*
 * cmd_export.c - `cpts export`: write the GeoPackage (or any OGR dataset) and/or the
 * HTML report of a partition with cpts_export_run(). The workspace is opened
 * read-write only so that a missing or stale profile (or basin metrics) can be
 * recomputed before publishing; a fresh export writes nothing into it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/domain.h"
#include "cpts/export.h"
#include "cpts/store.h"

int cmd_export(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"export", "WS --partition NAME [--gpkg FILE | --dsn PG:...] [--html DIR] [options]",
		"Export a partition: a GeoPackage (layers communes, territoires, optional flux,\n"
		"metadata, with French field aliases and default QGIS styles) written to a\n"
		"temporary name and renamed, and/or a self-contained HTML report (DIR/index.html\n"
		"and one page per territory). Health counts from 1 to threshold-1 are masked.\n"
		"--format takes any OGR driver name (GPKG, SQLite, FlatGeobuf, GeoJSON...);\n"
		"drivers with one layer per file write a directory with one file per layer;\n"
		"--dsn PG:... writes the same layers, comments and styles to PostGIS.",
		"cpts export ws.sqlite --partition cpts --gpkg out/cpts.gpkg --html out/html",
	};
	cpts_export_opts o = CPTS_EXPORT_OPTS_INIT;
	static const cli_opt table[] = {
		{ "partition", 'p', CLI_STR, offsetof(cpts_export_opts, partition), "NAME",
		  "partition to export (required)", false, true },
		{ "gpkg", 'o', CLI_STR, offsetof(cpts_export_opts, gpkg), "FILE",
		  "output dataset (GeoPackage by default)", false, false },
		{ "format", 'f', CLI_STR, offsetof(cpts_export_opts, format), "DRIVER",
		  "OGR driver of the output dataset (default GPKG)", false, false },
		{ "dsn", 0, CLI_STR, offsetof(cpts_export_opts, dsn), "PG:...",
		  "write the layers, comments and QGIS styles to a PostGIS database (implies"
		  " --format PostgreSQL; see README 'Publishing to PostGIS')", false, false },
		{ "schema", 0, CLI_STR, offsetof(cpts_export_opts, schema), "NAME",
		  "with --dsn: schema of the tables (default public; created if missing)", false,
		  false },
		{ "html", 0, CLI_STR, offsetof(cpts_export_opts, html_dir), "DIR",
		  "write the HTML report into DIR", false, false },
		{ "flows-threshold", 0, CLI_DBL, offsetof(cpts_export_opts, flow_threshold), "V",
		  "write layer flux with the flows of at least V (never below the masking"
		  " threshold; default: no flux layer)", false, false },
		{ "mask-threshold", 0, CLI_DBL, offsetof(cpts_export_opts, mask_threshold), "N",
		  "health counts from 1 to N-1 are masked; a whole number from 2 to 1000 (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_MASK_THRESHOLD) ")", false, false },
		{ "map-indicator", 0, CLI_STR, offsetof(cpts_export_opts, map_indicator), "KEY",
		  "indicator of the choropleth maps and styles (default mt_share; keys listed"
		  " below)", false, false },
		{ "max-hole-ha", 0, CLI_DBL, offsetof(cpts_export_opts, max_hole_ha), "HA",
		  "close the holes of a dissolved territory smaller than HA hectares that no"
		  " commune covers (gaps between two départements' borders; default 1, 0 keeps"
		  " them); zero-area rings are always dropped", false, false },
		CLI_END,
	};
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	if (!o.gpkg && !o.html_dir && !o.dsn) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "nothing to export: give --gpkg FILE (or --dsn"
			       " PG:...) and/or --html DIR");
		goto out;
	}
	/* read-write: a missing or stale profile is computed first (cpts_export_run) */
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	rc = cpts_export_run(ctx, s, &o);
out:
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}
