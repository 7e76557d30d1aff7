/*
 * cmd_profile.c - `cpts profile`: compute and store the territory profiles of a
 * partition (or of one ad-hoc list of communes) with cpts_profile_run().
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/domain.h"
#include "cpts/profile.h"
#include "cpts/store.h"

struct profile_cli {
	const char *partition;
	cli_list territories;
	cli_list communes;
	const char *reference;
	bool byar;
	bool isr_poisson;
	double gp_activity;
	double alpha;
	double detour, speed;
	double typo_dense, typo_inter;
	const char *name;
	bool json, csv, no_table;
	double mask;
};

int cmd_profile(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"profile", "WS (--partition NAME | --communes CODE,...) [options]",
		"Compute the indicators of every territory of a partition (population, age\n"
		"pyramid, density and typology, medecin traitant, ICC with its 95 % interval,\n"
		"missing GPs, GP supply, APL, ACI tier) for the territory, each of its communes,\n"
		"its departement(s), its region and the whole workspace, and store them in the\n"
		"workspace (table profile_values, unmasked; exports apply disclosure control),\n"
		"then print the key indicators per territory (masked below --mask-threshold):\n"
		"a table, --json or --csv (keys: id, name, pop, n_communes, tier, mt_share,\n"
		"icc, icc_lo, icc_hi, missing_gps, gp_density, apl, li; docs/profile.md).\n"
		"A printed table is a publication: it is recorded in the workspace's\n"
		"publication ledger like an export (--no-table prints and records nothing).\n"
		"--reference: national (the ingested reference table, else rates of the whole\n"
		"workspace), computed, regional, or a CSV file sexe;classe_age;taux.",
		"cpts profile ws.sqlite --partition cpts --reference regional",
	};
	cpts_profile_opts po = CPTS_PROFILE_OPTS_INIT;
	struct profile_cli o = { 0 };
	static const cli_opt table[] = {
		{ "partition", 'p', CLI_STR, offsetof(struct profile_cli, partition), "NAME",
		  "partition to profile", false, false },
		{ "territory", 't', CLI_LIST, offsetof(struct profile_cli, territories), "ID",
		  "only this territory (repeatable, comma-separated)", true, false },
		{ "communes", 0, CLI_LIST, offsetof(struct profile_cli, communes), "CODES",
		  "profile one territory made of these communes (partition '_adhoc')", true, false },
		{ "reference", 0, CLI_STR, offsetof(struct profile_cli, reference), "REF",
		  "ICC reference rates: national (default), computed, regional or FILE", false, false },
		{ "byar", 0, CLI_FLAG, offsetof(struct profile_cli, byar), NULL,
		  "Byar's approximation instead of the exact Poisson interval", false, false },
		{ "isr-poisson", 0, CLI_FLAG, offsetof(struct profile_cli, isr_poisson), NULL,
		  "catalogue isr indicators: pure Poisson interval (default: widened by the"
		  " over-dispersion of the communes)", false, false },
		{ "gp-activity", 0, CLI_DBL, offsetof(struct profile_cli, gp_activity), "A",
		  "consultations per full-time GP and year (default 4973)", false, false },
		{ "alpha", 0, CLI_DBL, offsetof(struct profile_cli, alpha), "P",
		  "significance level of the intervals and tests (default 0.05)", false, false },
		{ "apl-detour", 0, CLI_DBL, offsetof(struct profile_cli, detour), "F",
		  "road detour factor of centroid distances (default 1.3)", false, false },
		{ "apl-speed", 0, CLI_DBL, offsetof(struct profile_cli, speed), "KMH",
		  "speed of centroid travel times (default 60)", false, false },
		{ "dense-from", 0, CLI_DBL, offsetof(struct profile_cli, typo_dense), "D",
		  "without DENS: density of a dense urban unit (default 1000 hab./km2)", false, false },
		{ "intermediate-from", 0, CLI_DBL, offsetof(struct profile_cli, typo_inter), "D",
		  "without DENS: density of an intermediate unit (default 150 hab./km2)", false, false },
		{ "name", 0, CLI_STR, offsetof(struct profile_cli, name), "NAME",
		  "with --communes: display name of the territory (titles of the report)", false,
		  false },
		{ "json", 0, CLI_FLAG, offsetof(struct profile_cli, json), NULL,
		  "print the key indicators per territory as JSON", false, false },
		{ "csv", 0, CLI_FLAG, offsetof(struct profile_cli, csv), NULL,
		  "print the key indicators per territory as CSV (;)", false, false },
		{ "no-table", 0, CLI_FLAG, offsetof(struct profile_cli, no_table), NULL,
		  "compute and store only, print nothing", false, false },
		{ "mask-threshold", 0, CLI_DBL, offsetof(struct profile_cli, mask), "N",
		  "printed values: health counts below N are masked (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_MASK_THRESHOLD) ")", false, false },
		CLI_END,
	};
	cpts_store *s = NULL;
	char **pos = NULL;
	char *args = NULL;
	size_t n_pos;
	int rc;

	o.gp_activity = po.gp_activity;
	o.alpha = po.alpha;
	o.detour = po.apl_detour;
	o.speed = po.apl_speed_kmh;
	o.typo_dense = po.typo_dense;
	o.typo_inter = po.typo_inter;
	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	if (!o.partition && o.communes.n == 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "give --partition NAME or --communes CODE,...");
		goto out;
	}
	if (o.name && o.communes.n == 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--name goes with --communes");
		goto out;
	}
	if (o.json && o.csv) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--json and --csv exclude each other");
		goto out;
	}
	if (o.partition && o.communes.n > 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--partition and --communes exclude each other");
		goto out;
	}
	po.partition = o.partition;
	po.territories = (const char *const *)o.territories.v;
	po.n_territories = o.territories.n;
	po.communes = (const char *const *)o.communes.v;
	po.n_communes = o.communes.n;
	if (o.reference)
		po.reference = o.reference;
	po.byar = o.byar;
	po.isr_poisson = o.isr_poisson;
	po.gp_activity = o.gp_activity;
	po.alpha = o.alpha;
	po.apl_detour = o.detour;
	po.apl_speed_kmh = o.speed;
	po.typo_dense = o.typo_dense;
	po.typo_inter = o.typo_inter;
	po.name = o.name;
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	if ((rc = cpts_profile_run(ctx, s, &po)) < 0)
		goto out;
	args = cli_join_args(argc, argv);
	if ((rc = cpts_store_record_run(ctx, s, "profile", args)) < 0)
		goto out;
	if (!o.no_table)
		rc = cpts_profile_print(ctx, s, o.partition ? o.partition : "_adhoc", stdout,
					o.json ? CPTS_PROFILE_JSON : o.csv ? CPTS_PROFILE_CSV
									   : CPTS_PROFILE_TEXT,
					o.mask);
out:
	free(args);
	cpts_store_free(s);
	cli_list_release(&o.territories);
	cli_list_release(&o.communes);
	free(pos);
	return cli_finish(ctx, rc);
}
