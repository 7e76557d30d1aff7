/*
 * cmd_diagnose.c - `cpts diagnose`: the whole pipeline in one command (cpts/pipeline.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/domain.h"
#include "cpts/export.h"
#include "cpts/pipeline.h"
#include "cpts/profile.h"

struct diag_cli {
	const char *communes, *passage, *population, *consumption, *reference, *mt, *supply;
	const char *flows, *traveltime, *attributes, *partition, *out, *code_field, *method;
	const char *s_srs, *vintage, *from_column, *name_column, *names, *map_indicator;
	double min_pop, max_pop, resolution, mask_threshold, target_mean_pop;
	long seed, target_count;
	bool no_html, no_gpkg, skip_unknown, snds_codes, skip_failures;
	cli_list map;
	cli_list indicators;
};

#define O(f) offsetof(struct diag_cli, f)
static const cli_opt table[] = {
	{ "communes", 0, CLI_STR, O(communes), "FILE", "commune layer, any GDAL vector format (required)", false, true },
	{ "code-field", 0, CLI_STR, O(code_field), "FIELD", "INSEE code field of the commune layer", false, false },
	{ "passage", 0, CLI_STR, O(passage), "FILE", "COG passage table old_code;new_code[;weight]", false, false },
	{ "population", 0, CLI_STR, O(population), "FILE", "population by commune, sex and age band", false, false },
	{ "attributes", 0, CLI_STR, O(attributes), "FILE", "per-commune attributes (e.g. INSEE density grid DENS)", false, false },
	{ "consumption", 0, CLI_STR, O(consumption), "FILE", "GP consultations by commune, sex and age band (ICC)", false, false },
	{ "reference", 0, CLI_STR, O(reference), "FILE", "reference consultation rates by sex and age band", false, false },
	{ "mt", 0, CLI_STR, O(mt), "FILE", "patients without médecin traitant by commune", false, false },
	{ "supply", 0, CLI_STR, O(supply), "FILE", "GP supply by commune", false, false },
	{ "flows", 0, CLI_STR, O(flows), "FILE", "patient flows residence -> practice", false, false },
	{ "traveltime", 0, CLI_STR, O(traveltime), "FILE", "travel times origine;destination;minutes (APL)", false, false },
	{ "partition", 0, CLI_STR, O(partition), "FILE", "existing territories code_commune;territoire[;statut][;nom]", false, false },
	{ "from-column", 0, CLI_STR, O(from_column), "COLUMN", "--partition is any per-commune file: the territory is this column (e.g. epci_siren)", false, false },
	{ "name-column", 0, CLI_STR, O(name_column), "COLUMN", "with --from-column: the territory names are this column", false, false },
	{ "names", 0, CLI_STR, O(names), "FILE", "territory names: id in the first column, name in column nom", false, false },
	{ "map", 0, CLI_LIST, O(map), "KIND:CANON=THEIRS", "read column THEIRS of the KIND file as CANON, e.g. population:population=PMUN21 (repeatable)", true, false },
	{ "indicators", 0, CLI_LIST, O(indicators), "FILE", "indicators of the catalogue, long (indicateur;code_commune;numerateur...) or wide (BPE, zonage) format, as cpts ingest indicators (repeatable)", true, false },
	{ "skip-unknown", 0, CLI_FLAG, O(skip_unknown), NULL, "set aside rows of communes not in the commune layer (counted)", false, false },
	{ "snds-codes", 0, CLI_FLAG, O(snds_codes), NULL, "residence codes are SNDS codes (3-char département + 3-char commune)", false, false },
	{ "vintage", 0, CLI_STR, O(vintage), "V", "vintage recorded with every source, e.g. 'COG 2024'", false, false },
	{ "s-srs", 0, CLI_STR, O(s_srs), "SRS", "CRS of a commune layer that has none (default EPSG:4326)", false, false },
	{ "skip-failures", 0, CLI_FLAG, O(skip_failures), NULL, "skip bad commune features instead of failing", false, false },
	{ "map-indicator", 0, CLI_STR, O(map_indicator), "KEY", "indicator of the maps (default mt_share; without --mt gp_density or density; keys below)", false, false },
	{ "out", 'o', CLI_STR, O(out), "DIR", "output directory (default: out)", false, false },
	{ "method", 0, CLI_STR, O(method), "METHOD", "basin method (values below)", false, false },
	{ "target-count", 0, CLI_INT, O(target_count), "N", "number of basins (default: population / 82000, CPTS-sized)", false, false },
	{ "target-mean-pop", 0, CLI_DBL, O(target_mean_pop), "P", "mean basin population (default 82000, the mean CPTS)", false, false },
	{ "min-pop", 0, CLI_DBL, O(min_pop), "N", "basin population floor (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_FLOOR_N) ")", false, false },
	{ "max-pop", 0, CLI_DBL, O(max_pop), "N", "basin population ceiling (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_CEILING_N) ")", false, false },
	{ "resolution", 0, CLI_DBL, O(resolution), "G", "modularity resolution (default 1)", false, false },
	{ "seed", 0, CLI_INT, O(seed), "S", "seed of the basin method and of the ceiling split (default 1)", false, false },
	{ "mask-threshold", 0, CLI_DBL, O(mask_threshold), "N", "disclosure threshold for health counts, a whole number from 2 to 1000 (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_MASK_THRESHOLD) ")", false, false },
	{ "no-html", 0, CLI_FLAG, O(no_html), NULL, "do not write the HTML report", false, false },
	{ "no-gpkg", 0, CLI_FLAG, O(no_gpkg), NULL, "do not write the GeoPackage (with --no-html: the workspace only)", false, false },
	CLI_END,
};
#undef O

int cmd_diagnose(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"diagnose", "--communes FILE [--population FILE] [--consumption FILE] [--mt FILE]\n"
		"       [--supply FILE] [--flows FILE] [--partition FILE] [--out DIR] [options]",
		"Run the whole pipeline: ingest the files into a new workspace\n"
		"DIR/prive/cpts.sqlite (unmasked counts: kept apart, never to publish),\n"
		"build the contiguity graph, build attraction basins from the flows (or use the\n"
		"given partition), compute the territory profiles and write DIR/cpts.gpkg and\n"
		"DIR/html/index.html. Prints the paths of what it wrote. Before the work, it warns\n"
		"of the report sections that the given inputs leave empty. The options of the\n"
		"step commands apply: --map KIND:canonical=theirs per file, --skip-unknown for a\n"
		"national file on a regional layer, --from-column/--names for the partition.",
		"cpts diagnose --communes data/demo/communes.geojson --population "
		"data/demo/population.csv --flows data/demo/flows.csv --out out/demo",
	};
	struct diag_cli c;
	cpts_diagnose_opts o;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	memset(&c, 0, sizeof(c));
	c.resolution = 1.0;
	c.mask_threshold = CPTS_MASK_THRESHOLD_DEFAULT;
	c.seed = 1;
	if ((rc = cli_parse_pos(ctx, argc, argv, table, &c, &help, 0, 0, &pos,
				 &n_pos)) != 0)
		goto out;
	cpts_diagnose_opts_init(&o);
	o.communes = c.communes;
	o.code_field = c.code_field;
	o.passage = c.passage;
	o.population = c.population;
	o.attributes = c.attributes;
	o.consumption = c.consumption;
	o.reference = c.reference;
	o.mt = c.mt;
	o.supply = c.supply;
	o.flows = c.flows;
	o.traveltime = c.traveltime;
	o.partition = c.partition;
	if (c.out)
		o.out_dir = c.out;
	if (!cpts_basins_method_find(c.method)) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "unknown method '%s' (%s)", c.method,
			       cpts_basins_method_list());
		goto out;
	}
	o.basins.method = c.method; /* NULL: the table's default */
	if (c.target_count < 0 || c.target_mean_pop < 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--target-count and --target-mean-pop must be"
			       " positive");
		goto out;
	}
	/* CPTS-sized basins by default: the mean CPTS population, the CPTS band */
	o.basins.target_count = (size_t)c.target_count;
	o.basins.target_mean_pop = c.target_count ? 0 : c.target_mean_pop > 0
		? c.target_mean_pop : CPTS_BASINS_CPTS_MEAN;
	o.basins.min_pop = c.min_pop;
	o.basins.max_pop = c.max_pop;
	o.basins.resolution = c.resolution;
	o.basins.seed = (unsigned long)c.seed;
	o.mask_threshold = c.mask_threshold;
	o.no_html = c.no_html;
	o.no_gpkg = c.no_gpkg;
	o.skip_unknown = c.skip_unknown;
	o.snds_codes = c.snds_codes;
	o.skip_failures = c.skip_failures;
	o.s_srs = c.s_srs;
	o.vintage = c.vintage;
	o.map = (const char *const *)c.map.v;
	o.n_map = c.map.n;
	o.from_column = c.from_column;
	o.name_column = c.name_column;
	o.names_file = c.names;
	o.map_indicator = c.map_indicator;
	o.indicators = (const char *const *)c.indicators.v;
	o.n_indicators = c.indicators.n;
	rc = cpts_diagnose_run(ctx, &o, stdout);
out:
	cli_list_release(&c.map);
	cli_list_release(&c.indicators);
	free(pos);
	return cli_finish(ctx, rc);
}
