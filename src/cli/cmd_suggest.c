/*
 * cmd_suggest.c - `cpts suggest`: border moves that fix cut-off pieces and white zones
 * or raise the overall LI, ranked by gain, without breaking floors or contiguity.
 */
#include <stddef.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/publish.h"
#include "cpts/check.h"
#include "cpts/domain.h"

struct suggest_cli {
	const char *partition;
	long limit;
	double min_pop;
	double max_pop;
	bool json;
	const char *profession;
};

int cmd_suggest(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"suggest", "WS --partition NAME [--limit K] [--min-pop N] [--max-pop N] [--json]",
		"Propose moves of border communes: a cut-off piece to the neighbouring territory\n"
		"it sends most flows to, a white-zone commune to the adjacent territory receiving\n"
		"most of its flows, a border commune to a neighbour when it raises the overall LI.\n"
		"Ranked by gain of LI, then of coverage. No move takes a territory under the floor,\n"
		"the receiving one above the ceiling, or breaks contiguity. Each line ends with the 'cpts move' command that applies it.\n"
		"The LI printed is disclosed against, and recorded in, the publication ledger.",
		"cpts suggest ws.sqlite --partition projet-ars --limit 10",
	};
	static const cli_opt table[] = {
		{ "partition", 'p', CLI_STR, offsetof(struct suggest_cli, partition), "NAME",
		  "partition to improve (required)", false, true },
		{ "limit", 'k', CLI_INT, offsetof(struct suggest_cli, limit), "K",
		  "at most K suggestions (default 20)", false, false },
		{ "min-pop", 0, CLI_DBL, offsetof(struct suggest_cli, min_pop), "N",
		  "population floor no move may break (default " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_FLOOR_N) ")", false, false },
		{ "max-pop", 0, CLI_DBL, offsetof(struct suggest_cli, max_pop), "N",
		  "population ceiling no receiving territory may pass (default 0: none)", false,
		  false },
		{ "json", 0, CLI_FLAG, offsetof(struct suggest_cli, json), NULL,
		  "machine-readable output", false, false },
		{ "profession", 0, CLI_STR, offsetof(struct suggest_cli, profession), "P",
		  "flows of this profession only", false, false },
		CLI_END,
	};
	struct suggest_cli o = { NULL, 20, CPTS_DOMAIN_POP_FLOOR, 0, false, NULL };
	cpts_check_opts co = CPTS_CHECK_OPTS_INIT;
	cpts_suggest_opts so = CPTS_SUGGEST_OPTS_INIT;
	cpts_check_report *r = NULL;
	cpts_pub_flows *pf = NULL;
	cpts_suggestion *v = NULL;
	size_t n_v = 0;
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	if (o.limit < 1) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--limit must be at least 1 (got %ld)", o.limit);
		goto out;
	}
	co.min_pop = so.min_pop = o.min_pop;
	if (o.max_pop < 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--max-pop must be positive (got %g)", o.max_pop);
		goto out;
	}
	so.max_pop = o.max_pop;
	co.profession = so.profession = o.profession;
	co.no_compare = true;
	so.limit = (size_t)o.limit;
	/* read-write: the LI it prints is recorded in the publication ledger */
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	if ((rc = cpts_check_run(ctx, &r, s, o.partition, &co)) < 0)
		goto out;
	if ((rc = cpts_check_suggest(ctx, &v, &n_v, r, s, &so)) < 0)
		goto out;
	if ((rc = cpts_pub_flows_open(ctx, s, CPTS_MASK_THRESHOLD_DEFAULT, &pf)) < 0)
		goto out;
	cpts_pub_flows_profession(pf, o.profession);
	cpts_check_disclose(ctx, r, pf);
	if ((rc = cpts_check_print_suggestions(ctx, r, v, n_v, pos[0], stdout, o.json)) < 0)
		goto out;
	rc = cpts_pub_flows_record(ctx, s, pf, o.json ? "--json of cpts suggest" :
				   "stdout of cpts suggest");
out:
	cpts_pub_flows_free(pf);
	cpts_suggestions_free(v, n_v);
	cpts_check_report_free(ctx, r);
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}
