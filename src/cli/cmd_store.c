/*
 * cmd_store.c - `cpts init` and `cpts info`: create a workspace, show what it holds.
 */
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/store.h"

int cmd_init(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"init", "WS",
		"Create an empty workspace (a SpatiaLite database) at WS. Fails if WS exists.",
		"cpts init territoire.sqlite",
	};
	static const cli_opt table[] = { CLI_END };
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, NULL, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	{
		FILE *f = fopen(pos[0], "rb");
		if (f) {
			fclose(f);
			rc = cpts_fail(ctx, CPTS_EUSAGE, "'%s' exists already; 'cpts init' only creates"
				       " new workspaces", pos[0]);
			goto out;
		}
	}
	if ((rc = cpts_store_open(ctx, &s, pos[0], CPTS_STORE_CREATE)) < 0)
		goto out;
	cpts_info(ctx, "created workspace %s", pos[0]);
out:
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}

int cmd_info(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"info", "WS [--json]",
		"Show what a workspace holds: per table the rows, communes covered, masked cells,\n"
		"source file with its SHA-256 and ingest time; the CRS of the communes; the\n"
		"partitions.",
		"cpts info out/demo/prive/cpts.sqlite",
	};
	struct { bool json; } o = { false };
	static const cli_opt table[] = {
		{ "json", 0, CLI_FLAG, 0, NULL, "machine-readable output", false, false },
		CLI_END,
	};
	cpts_store *s = NULL;
	char **pos = NULL;
	size_t n_pos;
	int rc;

	if ((rc = cli_parse(ctx, argc, argv, table, &o, &help, &pos, &n_pos)) != 0)
		goto out;
	if ((rc = cli_require_pos(ctx, &help, n_pos, 1, 1)) < 0)
		goto out;
	if ((rc = cpts_store_open(ctx, &s, pos[0], CPTS_STORE_READONLY)) < 0)
		goto out;
	rc = cpts_store_info(ctx, s, stdout, o.json);
out:
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}
