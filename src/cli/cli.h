/*
 * cli/cli.h - the table-driven command-line shell (STYLE.md section 2).
 *
 * Each command is a row of commands[] (commands.c) with a handler in cmd_<name>.c.
 * A handler declares its options as a table of cli_opt rows pointing into its own
 * options struct; cli_parse walks the table, fills the struct, collects positional
 * arguments and prints --help. No analysis logic lives here: handlers call the
 * library (cpts_<stage>_run or the module functions) and map statuses to exit codes.
 */
#ifndef CPTS_CLI_H
#define CPTS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"

enum cli_opt_type {
	CLI_FLAG,   /* bool, no argument */
	CLI_STR,    /* const char * (BORROWED from argv) */
	CLI_INT,    /* long */
	CLI_DBL,    /* double */
	CLI_LIST,   /* cli_list: repeatable; each value also split on commas when split=1 */
};

/** A repeatable option's values (pointers BORROWED from argv, array OWNED). */
typedef struct cli_list {
	size_t n;
	char **v;
	char **blocks; /* OWNED copies of comma-split values */
	size_t n_blocks;
} cli_list;

typedef struct cli_opt {
	const char *name;    /* long name without dashes */
	char short_name;     /* 0 when none */
	enum cli_opt_type type;
	size_t offset;       /* offsetof(options struct, field) */
	const char *arg;     /* argument name in --help, e.g. "FILE" */
	const char *help;    /* one line */
	bool split;          /* CLI_LIST: split values on commas */
	bool required;       /* CLI_STR / CLI_LIST: the command cannot run without it */
} cli_opt;

#define CLI_END { NULL, 0, CLI_FLAG, 0, NULL, NULL, false, false }

typedef struct cli_cmd_help {
	const char *name;     /* "ingest communes" */
	const char *usage;    /* "WS FILE [options]" */
	const char *summary;  /* one paragraph */
	const char *example;  /* one command line, may be NULL */
} cli_cmd_help;

/**
 * Parse argv (argv[0] is the command name) into opts, following the table. Common
 * options (-q, -v, --progress, --no-progress, --help) are handled here for every
 * command. Positional arguments are returned in pos (BORROWED from argv).
 * @return 0 to go on, 1 when --help was printed (exit 0), CPTS_EUSAGE on error (the
 *         error is set and the caller prints it with the usage hint)
 */
int cli_parse(cpts_ctx *ctx, int argc, char **argv, const cli_opt *table, void *opts,
	      const cli_cmd_help *help, char ***pos, size_t *n_pos);

/**
 * cli_parse, then require between lo and hi positional arguments: the one call every
 * command makes. Same return values as cli_parse.
 */
int cli_parse_pos(cpts_ctx *ctx, int argc, char **argv, const cli_opt *table, void *opts,
		  const cli_cmd_help *help, size_t lo, size_t hi, char ***pos, size_t *n_pos);

/** Require between lo and hi positionals; sets a usage error naming what is missing. */
int cli_require_pos(cpts_ctx *ctx, const cli_cmd_help *help, size_t n_pos, size_t lo,
		    size_t hi);

void cli_list_release(cli_list *l);

/** Print the command's help to stdout. */
void cli_print_help(const cli_cmd_help *help, const cli_opt *table);

/** The whole command line, for the runs table (OWNED by caller). */
char *cli_join_args(int argc, char **argv);

/** Finish a command: print the error if any and return the exit code. */
int cli_finish(cpts_ctx *ctx, int rc);

/* Name of the running command, for the usage hint ("cpts: try 'cpts ingest --help'"). */
extern const char *cli_command_name;

/* Global progress renderer (set up by main, used by long commands). */
struct cpts_progress_term;
extern struct cpts_progress_term *cli_progress;

/* Command handlers: argv[0] is the command name. Return a process exit code. */
typedef int (*cli_handler)(cpts_ctx *ctx, int argc, char **argv);
int cmd_init(cpts_ctx *ctx, int argc, char **argv);
int cmd_info(cpts_ctx *ctx, int argc, char **argv);
int cmd_ingest(cpts_ctx *ctx, int argc, char **argv);
int cmd_synth(cpts_ctx *ctx, int argc, char **argv);
int cmd_graph(cpts_ctx *ctx, int argc, char **argv);
int cmd_basins(cpts_ctx *ctx, int argc, char **argv);
int cmd_compare(cpts_ctx *ctx, int argc, char **argv);
int cmd_audit(cpts_ctx *ctx, int argc, char **argv);
int cmd_profile(cpts_ctx *ctx, int argc, char **argv);
int cmd_export(cpts_ctx *ctx, int argc, char **argv);
int cmd_diagnose(cpts_ctx *ctx, int argc, char **argv);
int cmd_check(cpts_ctx *ctx, int argc, char **argv);
int cmd_move(cpts_ctx *ctx, int argc, char **argv);
int cmd_suggest(cpts_ctx *ctx, int argc, char **argv);

#endif
