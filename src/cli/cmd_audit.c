/*
 * cmd_audit.c - `cpts audit FILE...`: what a reader of the published files can deduce
 * about the masked counts (src/audit). Exit 0 when nothing is narrowed, 1 on any
 * finding, the usual codes on errors.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "cpts/audit.h"
#include "cpts/domain.h"

struct audit_cli {
	double threshold;
	long max_list;
};

int cmd_audit(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"audit", "FILE... [options]",
		"Read published files only (GeoPackages written by 'cpts export', HTML report\n"
		"directories, --json outputs of profile and move), rebuild the\n"
		"relations between their numbers (territory = sum of its communes, subgroups\n"
		"at most their total, shares = numerator / denominator; several files together:\n"
		"their common communes are the same numbers) and, for every masked count, solve\n"
		"two linear programs (GLPK) for the smallest and largest value it can take.\n"
		"A masked count whose interval does not span [1, threshold-1] (or its published\n"
		"bounds) is reported with the published cells that narrow it. Exit 1 on any\n"
		"finding, 0 when nothing can be deduced. HTML reports: the comparison columns\n"
		"(départements, regions), commune and flow tables are read as their reader\n"
		"sees them; move's JSON: a flow total changed by 1 to threshold-1 is a finding.",
		"cpts audit diagnostic/cpts.gpkg diagnostic/rapport move.json",
	};
	static const cli_opt table[] = {
		{ "threshold", 0, CLI_DBL, offsetof(struct audit_cli, threshold), "T",
		  "masking threshold (default: the file's seuil_masquage, else " CPTS_DOMAIN_STR(CPTS_DOMAIN_MASK_THRESHOLD) ")", false, false },
		{ "max-list", 0, CLI_INT, offsetof(struct audit_cli, max_list), "N",
		  "published cells listed per finding (default 8)", false, false },
		CLI_END,
	};
	struct audit_cli o = { 0, 8 };
	cpts_audit_opts ao = CPTS_AUDIT_OPTS_INIT;
	cpts_audit_result r;
	struct timespec t0, t1;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 4096, &pos, &n_pos)) != 0)
		goto out;
	if (o.threshold < 0 || o.max_list < 1) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "--threshold must be >= 0 and --max-list >= 1");
		goto out;
	}
	ao.threshold = o.threshold;
	ao.max_list = (size_t)o.max_list;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = cpts_audit_run(ctx, &r, (const char *const *)pos, n_pos, stdout, &ao)) < 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cpts_log(ctx, CPTS_LOG_INFO, "audit: %zu cells, %zu masked, %zu relations, %zu components (largest"
		  " %zu unknowns), %zu linear programs in %.2f s", r.n_cells, r.n_masked,
		  r.n_relations, r.n_components, r.max_component, r.n_lp,
		  (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (r.n_inconsistent)
		cpts_warn(ctx, "%zu component(s) contradict the relations: not audited",
			  r.n_inconsistent);
	printf("%zu finding(s)\n", r.n_findings);
	free(pos);
	cli_finish(ctx, rc);
	return r.n_findings || r.n_inconsistent ? 1 : 0;
out:
	free(pos);
	return cli_finish(ctx, rc);
}
