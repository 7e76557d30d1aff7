/*
 * cmd_diagnose.c - `cpts diagnose`: the whole pipeline in one command (cpts/pipeline.h).
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/pipeline.h"

struct diag_cli {
	const char *communes, *passage, *population, *consumption, *reference, *mt, *supply;
	const char *flows, *traveltime, *attributes, *partition, *out, *code_field, *method;
	double min_pop, max_pop, resolution, mask_threshold;
	long seed;
	bool no_html, no_gpkg;
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
	{ "partition", 0, CLI_STR, O(partition), "FILE", "existing territories code_commune;territoire[;statut]", false, false },
	{ "out", 'o', CLI_STR, O(out), "DIR", "output directory (default: out)", false, false },
	{ "method", 0, CLI_STR, O(method), "METHOD", "basins: plurality or modularity (default)", false, false },
	{ "min-pop", 0, CLI_DBL, O(min_pop), "N", "basin population floor", false, false },
	{ "max-pop", 0, CLI_DBL, O(max_pop), "N", "basin population ceiling", false, false },
	{ "resolution", 0, CLI_DBL, O(resolution), "G", "modularity resolution (default 1)", false, false },
	{ "seed", 0, CLI_INT, O(seed), "S", "seed of the modularity method (default 1)", false, false },
	{ "mask-threshold", 0, CLI_DBL, O(mask_threshold), "N", "disclosure threshold for health counts (default 11)", false, false },
	{ "no-html", 0, CLI_FLAG, O(no_html), NULL, "do not write the HTML report", false, false },
	{ "no-gpkg", 0, CLI_FLAG, O(no_gpkg), NULL, "do not write the GeoPackage", false, false },
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
		"DIR/html/index.html. Prints the paths of what it wrote.",
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
	c.mask_threshold = 11.0;
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
	if (c.method) {
		if (strcmp(c.method, "plurality") == 0) {
			o.basins.method = CPTS_BASINS_PLURALITY;
		} else if (strcmp(c.method, "modularity") == 0) {
			o.basins.method = CPTS_BASINS_MODULARITY;
		} else {
			rc = cpts_fail(ctx, CPTS_EUSAGE, "unknown method '%s' (plurality or modularity)",
				       c.method);
			goto out;
		}
	}
	o.basins.min_pop = c.min_pop;
	o.basins.max_pop = c.max_pop;
	o.basins.resolution = c.resolution;
	o.basins.seed = (unsigned long)c.seed;
	o.mask_threshold = c.mask_threshold;
	o.no_html = c.no_html;
	o.no_gpkg = c.no_gpkg;
	rc = cpts_diagnose_run(ctx, &o, stdout);
out:
	free(pos);
	return cli_finish(ctx, rc);
}
