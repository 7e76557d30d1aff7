/*
 * cmd_compare.c - `cpts compare WS A B`: agreement of two partitions (population-
 * weighted adjusted Rand index and NMI, share of population in matching basins).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cpts/outfile.h"
#include "cli/cli.h"
#include "cpts/basins.h"

int cmd_compare(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"compare", "WS PARTITION_A PARTITION_B",
		"Compare two partitions of WS over their common communes, weighting each commune\n"
		"by its population: adjusted Rand index, normalised mutual information, and the\n"
		"share of the population whose territory in A is matched (shares most population)\n"
		"with its territory in B.",
		"cpts compare territoire.sqlite basins bv2022",
	};
	static const cli_opt table[] = { CLI_END };
	cpts_compare_result r;
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, NULL, &help, 3, 3, &pos,
				 &n_pos)) != 0)
		goto out;
	if ((rc = cpts_store_open(ctx, &s, pos[0], CPTS_STORE_READONLY)) < 0)
		goto out;
	if ((rc = cpts_compare_partitions(ctx, s, pos[1], pos[2], &r)) < 0)
		goto out;
	printf("communes in common: %zu\n", r.n_common);
	printf("territories: %zu (%s), %zu (%s)\n", r.n_terr_a, cpts_text(pos[1]), r.n_terr_b,
	       cpts_text(pos[2]));
	printf("adjusted Rand index: %.4f\n", r.ari);
	printf("normalised mutual information: %.4f\n", r.nmi);
	printf("population in matching territories: %.4f\n", r.share_matching);
out:
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}
