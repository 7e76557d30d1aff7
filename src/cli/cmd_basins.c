/*
 * cmd_basins.c - `cpts basins WS --method plurality|modularity [...]`: build contiguous
 * attraction basins and store them as a partition with their metrics.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/basins.h"

struct basins_cli {
	const char *method;     /* --method */
	double min_pop;         /* --min-pop */
	double max_pop;         /* --max-pop */
	double resolution;      /* --resolution */
	const char *lock;       /* --lock */
	const char *name;       /* --name */
	const char *profession; /* --profession */
	long seed;              /* --seed */
};

int cmd_basins(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"basins", "WS --method plurality|modularity [options]",
		"Cluster the communes of WS into contiguous attraction basins from the patient\n"
		"flows: 'plurality' (refined Dartmouth: each commune follows the commune that\n"
		"receives most of its flows) or 'modularity' (spatially constrained Louvain).\n"
		"Floor and ceiling bound the population of each basin; --lock keeps the communes\n"
		"of an existing partition in their territory. Stores the result as a partition\n"
		"(kind 'basins') with per-basin and per-commune metrics.",
		"cpts basins territoire.sqlite --method modularity --min-pop 20000 --max-pop 175000",
	};
	static const cli_opt table[] = {
		{ "method", 'm', CLI_STR, offsetof(struct basins_cli, method), "METHOD",
		  "plurality or modularity (default plurality)", false, false },
		{ "min-pop", 0, CLI_DBL, offsetof(struct basins_cli, min_pop), "N",
		  "population floor of a basin (default 0: none)", false, false },
		{ "max-pop", 0, CLI_DBL, offsetof(struct basins_cli, max_pop), "N",
		  "population ceiling of a basin (default 0: none)", false, false },
		{ "resolution", 0, CLI_DBL, offsetof(struct basins_cli, resolution), "G",
		  "modularity resolution (default 1; larger gives smaller basins)", false, false },
		{ "lock", 0, CLI_STR, offsetof(struct basins_cli, lock), "PARTITION",
		  "keep the communes of this partition in their territory", false, false },
		{ "name", 0, CLI_STR, offsetof(struct basins_cli, name), "NAME",
		  "name of the resulting partition (default 'basins')", false, false },
		{ "profession", 0, CLI_STR, offsetof(struct basins_cli, profession), "P",
		  "use the flows of this profession only", false, false },
		{ "seed", 0, CLI_INT, offsetof(struct basins_cli, seed), "S",
		  "seed of the modularity visiting order (default 1)", false, false },
		CLI_END,
	};
	struct basins_cli o = { "plurality", 0, 0, 1.0, NULL, "basins", NULL, 1 };
	cpts_basins_opts bo = CPTS_BASINS_OPTS_INIT;
	cpts_basins_summary sum;
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	if (strcmp(o.method, "plurality") == 0) {
		bo.method = CPTS_BASINS_PLURALITY;
	} else if (strcmp(o.method, "modularity") == 0) {
		bo.method = CPTS_BASINS_MODULARITY;
	} else {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "unknown method '%s' (plurality or modularity)",
			       o.method);
		goto out;
	}
	if (o.seed < 0) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--seed must be positive or zero");
		goto out;
	}
	bo.min_pop = o.min_pop;
	bo.max_pop = o.max_pop;
	bo.resolution = o.resolution;
	bo.lock = o.lock;
	bo.name = o.name;
	bo.profession = o.profession;
	bo.seed = (unsigned long)o.seed;
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	if ((rc = cpts_basins_run(ctx, s, &bo, &sum)) < 0)
		goto out;
	printf("partition: %s (%s)\n", bo.name, o.method);
	printf("basins: %zu\n", sum.n_basins);
	printf("overall LI: %.4f\n", sum.li_overall);
	printf("overall MSI: %.4f\n", sum.msi_overall);
	printf("basins under the floor: %zu\n", sum.n_under_floor);
	printf("single communes above the ceiling: %zu\n", sum.n_over_ceiling);
	if (bo.lock)
		printf("locked territories not contiguous: %zu\n", sum.n_locked_split);
	cpts_note(ctx, "basins computed in %.3f s", sum.seconds);
out:
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}
