/*
 * cmd_export.c - `cpts export` (placeholder until its module lands: exits 70 with a message).
 */
#include "cli/cli.h"

int cmd_export(cpts_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_finish(ctx, cpts_fail(ctx, CPTS_EINTERNAL, "'cpts export' is not implemented yet"));
}
