/*
 * main.c - the cpts executable: global options, command dispatch through the
 * commands[] table, and the exit-code contract (README "Exit codes").
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cpts/progress.h"
#include "cpts/store.h"
#include "cpts/util.h"
#include "cpts/version.h"

struct cli_cmd {
	const char *name;
	cli_handler fn;
	const char *summary;
};

static const struct cli_cmd commands[] = {
	{ "diagnose", cmd_diagnose, "run the whole pipeline: ingest, basins or partition, profiles, exports" },
	{ "init", cmd_init, "create an empty workspace" },
	{ "info", cmd_info, "show what a workspace holds" },
	{ "ingest", cmd_ingest, "load communes, indicators, flows or a partition into a workspace" },
	{ "graph", cmd_graph, "build the contiguity graph of the communes" },
	{ "basins", cmd_basins, "cluster communes into contiguous attraction basins" },
	{ "compare", cmd_compare, "compare two partitions (ARI, NMI, matching population)" },
	{ "profile", cmd_profile, "compute the indicators of each territory of a partition" },
	{ "export", cmd_export, "write a GeoPackage and HTML reports" },
	{ "check", cmd_check, "check a partition: coverage, overlaps, contiguity, tiers, flows" },
	{ "move", cmd_move, "move communes to another territory and show the deltas" },
	{ "suggest", cmd_suggest, "propose border moves that improve a partition" },
	{ "synth", cmd_synth, "generate a fictional territory (demo and benchmarks)" },
	{ "audit", cmd_audit, "check published files: can a masked count be deduced?" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cpts [--version] [--help] <command> [<args>]\n\n"
		   "cpts builds the territorial health diagnostic of French CPTS: it loads\n"
		   "communes, indicators and patient flows into a SpatiaLite workspace, builds\n"
		   "attraction basins, computes territory profiles and writes GeoPackage and\n"
		   "HTML reports.\n\ncommands:\n");
	for (const struct cli_cmd *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\ncommon options (every command): -q/--quiet, -v/--verbose, --progress,\n"
		   "--no-progress, -h/--help. 'cpts <command> --help' documents a command.\n\n"
		   "exit codes: 0 success, 1 completed with skipped records, 2 usage error,\n"
		   "3 bad input data, 4 output or I/O error, 5 dependency or environment error,\n"
		   "70 internal error, 130 interrupted.\n");
}

int main(int argc, char **argv)
{
	cpts_ctx ctx;
	int code;

	setlocale(LC_ALL, "C");
	if (argc < 2) {
		usage(stderr);
		return CPTS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return CPTS_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("cpts %s\n", CPTS_VERSION);
		return CPTS_EXIT_OK;
	}
	for (const struct cli_cmd *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[1]) != 0)
			continue;
		if (cpts_ctx_init(&ctx) < 0) {
			cpts_error_print(&ctx);
			cpts_ctx_release(&ctx);
			return CPTS_EXIT_ENV;
		}
		cpts_interrupt_install();
		cli_command_name = c->name;
		cli_progress = cpts_progress_term_new(-1);
		ctx.progress = cpts_progress_term_cb;
		ctx.progress_arg = cli_progress;
		code = c->fn(&ctx, argc - 1, argv + 1);
		if (getenv("CPTS_DEBUG_LOADS") && strcmp(getenv("CPTS_DEBUG_LOADS"), "1") == 0)
			cpts_loads_report(stderr);
		cpts_progress_term_free(cli_progress);
		cli_progress = NULL;
		cpts_ctx_release(&ctx);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "cpts: error: cannot write to standard output\n");
			return CPTS_EXIT_IO;
		}
		return code;
	}
	fprintf(stderr, "cpts: error: '%s' is not a cpts command\ncpts: try 'cpts --help'\n",
		argv[1]);
	return CPTS_EXIT_USAGE;
}
