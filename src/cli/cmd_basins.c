/*
 * cmd_basins.c - `cpts basins WS [--method METHOD] [...]`: build contiguous attraction
 * basins and store them as a partition with their metrics. The method names, their
 * help and the default come from the method table (basins/methods.c).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/basins.h"
#include "cpts/domain.h"

struct basins_cli {
	const char *method;     /* --method */
	double min_pop;         /* --min-pop */
	double max_pop;         /* --max-pop */
	double resolution;      /* --resolution */
	const char *lock;       /* --lock */
	const char *name;       /* --name */
	const char *profession; /* --profession */
	long seed;              /* --seed */
	long target_count;      /* --target-count */
	double target_mean_pop; /* --target-mean-pop */
	long threads;           /* --threads */
	long starts;            /* --starts */
	long kicks;             /* --kicks */
	long iterations;        /* --iterations */
	long resample;          /* --resample */
	double stability;       /* --stability-threshold */
	long lns;               /* --lns */
};

/* Options the method does not read (its row's uses) are ignored: say so. Not given
 * means the defaults below (threads and starts 0, kicks, iterations and lns -1). */
static void warn_unused(cpts_ctx *ctx, const cpts_basins_method_info *m,
			const struct basins_cli *o)
{
	const struct { const char *name; bool given; } opt[] = {
		{ "threads", o->threads != 0 }, { "starts", o->starts != 0 },
		{ "kicks", o->kicks != -1 }, { "iterations", o->iterations != -1 },
		{ "lns", o->lns != -1 },
	};

	if (m->uses & CPTS_BASINS_USES_OPTIMISER)
		return;
	for (size_t k = 0; k < sizeof(opt) / sizeof(opt[0]); k++)
		if (opt[k].given)
			cpts_warn(ctx, "--%s is not used by method %s: ignored", opt[k].name,
				  m->name);
}

int cmd_basins(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"basins", "WS [--method METHOD] [options]",
		"Cluster the communes of WS into contiguous attraction basins from the patient\n"
		"flows, with one of the methods listed below (--method values).\n"
		"--target-count or --target-mean-pop ask for a number of basins (floor and ceiling\n"
		"then default to the CPTS band " CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_FLOOR_N) "-" CPTS_DOMAIN_STR(CPTS_DOMAIN_POP_CEILING_N) ").\n"
		"Floor and ceiling bound the population of each basin; --lock keeps the communes\n"
		"of an existing partition in their territory. Stores the result as a partition\n"
		"(kind 'basins') with per-basin and per-commune metrics.",
		"cpts basins territoire.sqlite --target-count 43",
	};
	static const cli_opt table[] = {
		{ "method", 'm', CLI_STR, offsetof(struct basins_cli, method), "METHOD",
		  "basin method (values below)", false, false },
		{ "target-count", 0, CLI_INT, offsetof(struct basins_cli, target_count), "N",
		  "number of basins wanted (default: what the method gives)", false, false },
		{ "target-mean-pop", 0, CLI_DBL, offsetof(struct basins_cli, target_mean_pop), "P",
		  "mean basin population wanted (count = population / P)", false, false },
		{ "threads", 0, CLI_INT, offsetof(struct basins_cli, threads), "T",
		  "optimiser threads (default 2; the result does not depend on it)", false, false },
		{ "starts", 0, CLI_INT, offsetof(struct basins_cli, starts), "K",
		  "optimiser starts (default 6, 2 from 5,000 communes on)", false, false },
		{ "kicks", 0, CLI_INT, offsetof(struct basins_cli, kicks), "K",
		  "optimiser annealing proposals per start (default 1000 per commune, at most"
		  " 1.5 million)", false, false },
		{ "iterations", 0, CLI_INT, offsetof(struct basins_cli, iterations), "K",
		  "optimiser iterated-local-search kicks per start (default 50 per commune,"
		  " at most 100,000 and 2e9 / communes; 0: none)", false, false },
		{ "lns", 0, CLI_INT, offsetof(struct basins_cli, lns), "K",
		  "optimiser large-neighbourhood rounds per start: 2 or 3 adjacent basins"
		  " re-partitioned (default 100 per basin, at most 5e7 / communes; 0: none)",
		  false, false },
		{ "resample", 0, CLI_INT, offsetof(struct basins_cli, resample), "K",
		  "rerun on K resampled flow matrices; store each commune's co-assignment with"
		  " its pole", false, false },
		{ "stability-threshold", 0, CLI_DBL, offsetof(struct basins_cli, stability), "S",
		  "co-assignment below which a commune is flagged (default 0.8)", false, false },
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
		  "seed of the method's generator and of the ceiling split (default 1)", false, false },
		CLI_END,
	};
	struct basins_cli o = { NULL, 0, 0, 1.0, NULL, "basins", NULL, 1, 0, 0, 0, 0, -1, -1, 0, 0.8, -1 };
	cpts_basins_opts bo = CPTS_BASINS_OPTS_INIT;
	const cpts_basins_method_info *method;
	cpts_basins_summary sum;
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	if (!(method = cpts_basins_method_find(o.method))) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "unknown method '%s' (%s)", o.method,
			       cpts_basins_method_list());
		goto out;
	}
	bo.method = method->name;
	if (o.seed < 0 || o.target_count < 0 || o.threads < 0 || o.starts < 0 ||
	    o.target_mean_pop < 0 || o.threads > 64 || o.starts > 1000) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--seed, --target-count, --target-mean-pop,"
			       " --threads (at most 64) and --starts (at most 1000) must be"
			       " positive or zero");
		goto out;
	}
	bo.target_count = (size_t)o.target_count;
	bo.target_mean_pop = o.target_mean_pop;
	bo.threads = (int)o.threads;
	bo.n_starts = (int)o.starts;
	bo.kicks = o.kicks;
	bo.iterations = o.iterations;
	bo.lns = o.lns;
	if (o.lns < -1 || o.lns > 100000000) { /* -1: not given, the default */
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--lns must be within 0-100000000");
		goto out;
	}
	if (o.resample < 0 || o.resample > 100000) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--resample must be within 0-100000");
		goto out;
	}
	bo.resample = (int)o.resample;
	warn_unused(ctx, method, &o);
	bo.stability_threshold = o.stability;
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
	printf("partition: %s (%s)\n", bo.name, method->name);
	printf("basins: %zu\n", sum.n_basins);
	printf("overall LI: %.4f\n", sum.li_overall);
	printf("overall MSI: %.4f\n", sum.msi_overall);
	printf("median basin LI: %.4f\n", sum.li_median);
	printf("minimum basin LI: %.4f\n", sum.li_min);
	printf("basins below LI %.1f: %zu\n", CPTS_BASINS_LI_FLOOR, sum.n_li_low);
	printf("median PAC: %.4f\n", sum.pac_median);
	printf("floor: %.0f, ceiling: %.0f\n", sum.min_pop, sum.max_pop);
	if (sum.n_starts)
		printf("optimiser: objective %.4f, %ld moves, %d starts, %.2f s\n",
		       sum.objective, sum.iterations, sum.n_starts, sum.opt_seconds);
	if (sum.n_resamples)
		printf("resamples: %d, communes with co-assignment below %.2f: %zu (%.1f s)\n",
		       sum.n_resamples, bo.stability_threshold, sum.n_unstable,
		       sum.resample_seconds);
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
