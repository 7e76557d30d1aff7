/*
 * cmd_synth.c - `cpts synth`: write a deterministic, fictional territory (the demo and
 * the benchmark inputs). Argument parsing only; the work is cpts_synth_run().
 */
#include <stddef.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/synth.h"

/* Options as parsed (CLI_INT fields are long). */
struct synth_cli {
	long communes;          /* --communes N */
	long seed;              /* --seed S */
	long towns;             /* --towns K */
	long flows;             /* --flows-per-commune M */
	const char *out;        /* --out DIR */
	bool traveltime;        /* --traveltime */
	bool truth;             /* --truth */
};

int cmd_synth(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"synth", "--communes N --seed S --out DIR [options]",
		"Generate a deterministic, clearly fictional territory in the input contract:\n"
		"communes.geojson (Voronoi polygons, Lambert-93), population.csv, consumption.csv,\n"
		"mt.csv, supply.csv, flows.csv (gravity model), partition.csv, attributes.csv,\n"
		"indicators.csv (every ingested indicator of the default catalogue, long format),\n"
		"zonage.csv (ARS zoning, wide format), README.txt and, with --traveltime,\n"
		"traveltime.csv. The same options always give\n"
		"byte-identical files. Used for the demo (data/demo) and the benchmarks.",
		"cpts synth --communes 300 --seed 2026 --out data/demo",
	};
	struct synth_cli o = { 300, 2026, 0, 20, NULL, false, false };
	static const cli_opt table[] = {
		{ "communes", 'n', CLI_INT, offsetof(struct synth_cli, communes), "N",
		  "number of communes, islands included (default 300)", false, false },
		{ "seed", 's', CLI_INT, offsetof(struct synth_cli, seed), "S",
		  "seed of the random streams (default 2026)", false, false },
		{ "out", 'o', CLI_STR, offsetof(struct synth_cli, out), "DIR",
		  "output directory (created when missing)", false, false },
		{ "towns", 0, CLI_INT, offsetof(struct synth_cli, towns), "K",
		  "number of towns (default N / 60)", false, false },
		{ "flows-per-commune", 0, CLI_INT, offsetof(struct synth_cli, flows), "M",
		  "most practice communes per residence commune (default 20)", false, false },
		{ "traveltime", 0, CLI_FLAG, offsetof(struct synth_cli, traveltime), NULL,
		  "also write traveltime.csv", false, false },
		{ "truth", 0, CLI_FLAG, offsetof(struct synth_cli, truth), NULL,
		  "also write indicators_truth.csv, the expected value of every generated"
		  " indicator per commune, territory and the whole area", false, false },
		CLI_END,
	};
	cpts_synth_opts so = CPTS_SYNTH_OPTS_INIT;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 0, 0, &pos,
				 &n_pos)) != 0)
		goto out;
	if (!o.out) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "missing --out DIR");
		goto out;
	}
	if (o.seed < 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--seed must be a non-negative integer (got %ld)",
			       o.seed);
		goto out;
	}
	so.n_communes = o.communes;
	so.seed = (uint64_t)o.seed;
	so.n_towns = o.towns;
	so.flows_per_commune = o.flows;
	so.traveltime = o.traveltime;
	so.truth = o.truth;
	if ((rc = cpts_synth_run(ctx, o.out, &so)) < 0)
		goto out;
	cpts_info(ctx, "wrote a fictional territory of %ld communes to %s", so.n_communes, o.out);
out:
	free(pos);
	return cli_finish(ctx, rc);
}
