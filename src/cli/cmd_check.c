/*
 * cmd_check.c - `cpts check`: test a partition (coverage, overlaps, contiguity, tiers,
 * flows, comparison) and print the findings. Exit code 0 whatever the findings; only
 * errors (unknown partition, unreadable workspace) give another code.
 */
#include <stddef.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/publish.h"
#include "cpts/check.h"
#include "cpts/domain.h"

struct check_cli {
	const char *partition;
	bool json;
	double min_pop;
	cli_list compare;
	bool no_compare;
	const char *profession;
};

int cmd_check(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"check", "WS --partition NAME [--json] [--min-pop N] [--compare NAME]...",
		"Check a partition of the communes into CPTS territories: coverage (population and\n"
		"communes, white zones by departement, uncovered communes), overlaps, contiguity\n"
		"(pieces and cut-off communes), enclaves, ACI tier and distance to the next tier,\n"
		"LI and MSI against the flows, compactness PAC, communes drawn mostly by another\n"
		"territory (attraction class 5), coverage per stage of the statut column, and the\n"
		"comparison with basins, BV2022 and EPCI partitions of the workspace. One verdict\n"
		"line per territory. Exit code 0 whatever the findings. LI and MSI are masked with\n"
		"small flow totals, or withheld against earlier publications of the workspace; the\n"
		"flow totals printed are recorded in its publication ledger.",
		"cpts check ws.sqlite --partition projet-ars --compare basins",
	};
	struct check_cli o = { NULL, false, CPTS_DOMAIN_POP_FLOOR, { 0, NULL, NULL, 0 }, false, NULL };
	static const cli_opt table[] = {
		{ "partition", 'p', CLI_STR, offsetof(struct check_cli, partition), "NAME", "partition to check (required)", false, true },
		{ "json", 0, CLI_FLAG, offsetof(struct check_cli, json), NULL, "machine-readable output", false, false },
		{ "min-pop", 0, CLI_DBL, offsetof(struct check_cli, min_pop), "N", "population floor of the 'too small' finding "
		  "(default " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_FLOOR_N) ")", false, false },
		{ "compare", 0, CLI_LIST, offsetof(struct check_cli, compare), "NAME", "compare with this partition (repeatable; "
		  "default: basins, BV and EPCI partitions present)", true, false },
		{ "no-compare", 0, CLI_FLAG, offsetof(struct check_cli, no_compare), NULL, "skip the comparison", false, false },
		{ "profession", 0, CLI_STR, offsetof(struct check_cli, profession), "P", "flows of this profession only", false, false },
		CLI_END,
	};
	cpts_check_opts co = CPTS_CHECK_OPTS_INIT;
	cpts_check_report *r = NULL;
	cpts_pub_flows *pf = NULL;
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	co.min_pop = o.min_pop;
	co.profession = o.profession;
	co.no_compare = o.no_compare;
	if (o.compare.n) {
		co.compare = (const char *const *)o.compare.v;
		co.n_compare = o.compare.n;
	}
	/* read-write: what it prints is recorded in the publication ledger */
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	if ((rc = cpts_check_run(ctx, &r, s, o.partition, &co)) < 0)
		goto out;
	if ((rc = cpts_pub_flows_open(ctx, s, CPTS_MASK_THRESHOLD_DEFAULT, &pf)) < 0)
		goto out;
	cpts_pub_flows_profession(pf, o.profession);
	cpts_check_disclose(ctx, r, pf);
	if ((rc = cpts_check_print(ctx, r, stdout, o.json)) < 0)
		goto out;
	rc = cpts_pub_flows_record(ctx, s, pf, o.json ? "--json of cpts check" :
				   "stdout of cpts check");
out:
	cpts_pub_flows_free(pf);
	cpts_check_report_free(ctx, r);
	cpts_store_free(s);
	cli_list_release(&o.compare);
	free(pos);
	return cli_finish(ctx, rc);
}
