/*
 * cmd_basins.c - `cpts basins` (placeholder until its module lands: exits 70 with a message).
 */
#include "cli/cli.h"

int cmd_basins(cpts_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_finish(ctx, cpts_fail(ctx, CPTS_EINTERNAL, "'cpts basins' is not implemented yet"));
}
