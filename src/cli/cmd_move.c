/*
 * cmd_move.c - `cpts move`: copy a partition with communes moved to a territory (what-if)
 * and print the before/after of the territories touched.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/publish.h"
#include "cpts/check.h"
#include "cpts/domain.h"

struct move_cli {
	const char *partition;
	cli_list communes;
	const char *to;
	const char *as;
	bool json;
	double min_pop;
	bool replace;
};

int cmd_move(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"move", "WS --partition NAME --commune CODE[,CODE] --to TERRITORY [--as NEW]"
		" [--replace]",
		"Make a new partition (default name NAME-move) where the given communes belong\n"
		"wholly to TERRITORY (a new territory when it does not exist), and print the\n"
		"before/after of the territories touched: population, communes, ACI tier, LI, MSI,\n"
		"flows, pieces, PAC; then the overall coverage, overlaps, LI and problems.\n"
		"An existing partition NEW is refused unless --replace is given. Flow totals, LI and\n"
		"MSI are disclosed against, and recorded in, the workspace's publication ledger.",
		"cpts move ws.sqlite --partition projet-ars --commune 44109,44026 --to cpts-nord",
	};
	static const cli_opt table[] = {
		{ "partition", 'p', CLI_STR, offsetof(struct move_cli, partition), "NAME",
		  "partition to start from (required)", false, true },
		{ "commune", 'c', CLI_LIST, offsetof(struct move_cli, communes), "CODE",
		  "commune(s) to move (repeatable, comma-separated)", true, true },
		{ "to", 0, CLI_STR, offsetof(struct move_cli, to), "TERRITORY",
		  "territory receiving them (required)", false, true },
		{ "as", 0, CLI_STR, offsetof(struct move_cli, as), "NEW",
		  "name of the new partition (default NAME-move)", false, false },
		{ "replace", 0, CLI_FLAG, offsetof(struct move_cli, replace), NULL,
		  "replace the partition NEW when it exists (its metrics and profiles are"
		  " dropped)", false, false },
		{ "json", 0, CLI_FLAG, offsetof(struct move_cli, json), NULL,
		  "machine-readable output", false, false },
		{ "min-pop", 0, CLI_DBL, offsetof(struct move_cli, min_pop), "N",
		  "population floor of the 'too small' finding (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_FLOOR_N) ")", false, false },
		CLI_END,
	};
	struct move_cli o = { NULL, { 0, NULL, NULL, 0 }, NULL, NULL, false, CPTS_DOMAIN_POP_FLOOR, false };
	cpts_check_opts co = CPTS_CHECK_OPTS_INIT;
	cpts_check_report *before = NULL, *after = NULL;
	cpts_pub_flows *pf = NULL;
	cpts_store *s = NULL;
	char *as = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	as = o.as ? cpts_strdup(o.as) : cpts_asprintf("%s-move", o.partition);
	co.min_pop = o.min_pop;
	co.no_compare = true;
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	if ((rc = cpts_check_move(ctx, s, o.partition, as, (const char *const *)o.communes.v,
				  o.communes.n, o.to, o.replace)) < 0)
		goto out;
	if ((rc = cpts_check_run(ctx, &before, s, o.partition, &co)) < 0)
		goto out;
	if ((rc = cpts_check_run(ctx, &after, s, as, &co)) < 0)
		goto out;
	if ((rc = cpts_pub_flows_open(ctx, s, CPTS_MASK_THRESHOLD_DEFAULT, &pf)) < 0)
		goto out;
	cpts_check_disclose(ctx, before, pf); /* the print discloses `after` after it */
	if ((rc = cpts_check_print_move(ctx, before, after, (const char *const *)o.communes.v,
					o.communes.n, o.to, stdout, o.json)) < 0)
		goto out;
	rc = cpts_pub_flows_record(ctx, s, pf, o.json ? "--json of cpts move" :
				   "stdout of cpts move");
out:
	cpts_pub_flows_free(pf);
	cpts_check_report_free(ctx, before);
	cpts_check_report_free(ctx, after);
	cpts_store_free(s);
	cli_list_release(&o.communes);
	free(as);
	free(pos);
	return cli_finish(ctx, rc);
}
