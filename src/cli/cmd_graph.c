/*
 * cmd_graph.c - `cpts graph WS [--rook] [--snap M] [--no-bridges]`: build the
 * contiguity graph of the workspace communes, store it, print its counts.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cpts/graph.h"

struct graph_cli {
	bool rook;        /* --rook */
	bool no_bridges;  /* --no-bridges */
	double snap;      /* --snap */
};

int cmd_graph(cpts_ctx *ctx, int argc, char **argv)
{
	static const cli_cmd_help help = {
		"graph", "WS [--rook] [--snap M] [--no-bridges]",
		"Build the contiguity graph of the communes of WS (queen: a shared point; rook:\n"
		"a shared border segment), with a snapping tolerance for borders that are not\n"
		"vertex-identical; islands and other components are linked to their nearest\n"
		"commune by bridge edges. Stores it in table graph_edges and prints its counts.",
		"cpts graph territoire.sqlite --snap 5",
	};
	struct graph_cli o = { false, false, 5.0 };
	static const cli_opt table[] = {
		{ "rook", 0, CLI_FLAG, offsetof(struct graph_cli, rook), NULL, "rook contiguity (shared edge) instead of queen", false, false },
		{ "snap", 0, CLI_DBL, offsetof(struct graph_cli, snap), "M", "snapping tolerance in metres (default 5)", false, false },
		{ "no-bridges", 0, CLI_FLAG, offsetof(struct graph_cli, no_bridges), NULL, "do not link islands and components", false, false },
		CLI_END,
	};
	cpts_graph_opts go = CPTS_GRAPH_OPTS_INIT;
	cpts_store *s = NULL;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	char **pos = NULL;
	size_t n_pos, n_iso_after = 0;
	double t0, t1;
	int rc;

	if ((rc = cli_parse_pos(ctx, argc, argv, table, &o, &help, 1, 1, &pos,
				 &n_pos)) != 0)
		goto out;
	go.rook = o.rook;
	go.snap_m = o.snap;
	go.no_bridges = o.no_bridges;
	t0 = cpts_now();
	if ((rc = cpts_store_open(ctx, &s, pos[0], 0)) < 0)
		goto out;
	t1 = cpts_now();
	if ((rc = cpts_model_load(ctx, &m, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "graph: workspace opened in %.3f s, communes loaded in"
		 " %.3f s", t1 - t0, cpts_now() - t1);
	t0 = cpts_now();
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	if ((rc = cpts_graph_build(ctx, &g, m, s, &go)) < 0)
		goto out;
	if ((rc = cpts_store_record_run(ctx, s, "graph", "")) < 0)
		goto out;
	t1 = cpts_now();
	if ((rc = cpts_store_commit(ctx, s)) < 0)
		goto out;
	CPTS_LOG(ctx, CPTS_LOG_DEBUG, "graph: commit %.3f s", cpts_now() - t1);
	for (size_t i = 0; i < g->n; i++)
		n_iso_after += g->start[i] == g->start[i + 1];
	printf("contiguity: %s, snap %g m\n", go.rook ? "rook" : "queen", go.snap_m);
	printf("nodes: %zu\n", g->n);
	printf("edges: %zu\n", g->n_edges - g->n_bridges);
	printf("  exact contacts (shared %s): %zu\n", go.rook ? "segment" : "vertex",
	       g->n_edges - g->n_bridges - g->n_snapped);
	printf("  within the snapping tolerance: %zu\n", g->n_snapped);
	printf("bridges: %zu\n", g->n_bridges);
	printf("components before bridging: %zu\n", g->n_components_before);
	printf("isolated communes before bridging: %zu\n", g->n_isolated_before);
	printf("isolated communes after bridging: %zu\n", n_iso_after);
	cpts_note(ctx, "graph built and stored in %.3f s", cpts_now() - t0);
out:
	if (rc < 0)
		cpts_store_rollback(s);
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	cpts_store_free(s);
	free(pos);
	return cli_finish(ctx, rc);
}
