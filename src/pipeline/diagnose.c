/*
 * diagnose.c - `cpts diagnose`, the main job: ingest -> graph -> basins or partition ->
 * metrics -> profiles -> exports, into one output directory (cpts/pipeline.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/basins.h"
#include "cpts/export.h"
#include "cpts/graph.h"
#include "cpts/ingest.h"
#include "cpts/pipeline.h"
#include "cpts/profile.h"
#include "cpts/util.h"

#define PARTITION_GIVEN "territoires"
#define PARTITION_BASINS "bassins"
#define PARTITION_WHOLE "territoire"

void cpts_diagnose_opts_init(cpts_diagnose_opts *o)
{
	cpts_basins_opts b = CPTS_BASINS_OPTS_INIT;

	memset(o, 0, sizeof(*o));
	o->out_dir = "out";
	o->basins = b;
	o->basins.method = CPTS_BASINS_MODULARITY;
	o->basins.name = PARTITION_BASINS;
	o->mask_threshold = 11.0;
}

static int ingest_tables(cpts_ctx *ctx, cpts_store *s, const cpts_diagnose_opts *o)
{
	const struct {
		cpts_table_kind kind;
		const char *path;
	} tables[] = {
		{ CPTS_TABLE_PASSAGE, o->passage },
		{ CPTS_TABLE_POPULATION, o->population },
		{ CPTS_TABLE_ATTRIBUTES, o->attributes },
		{ CPTS_TABLE_CONSUMPTION, o->consumption },
		{ CPTS_TABLE_REFERENCE, o->reference },
		{ CPTS_TABLE_MT, o->mt },
		{ CPTS_TABLE_SUPPLY, o->supply },
		{ CPTS_TABLE_FLOWS, o->flows },
		{ CPTS_TABLE_TRAVELTIME, o->traveltime },
		{ CPTS_TABLE_PARTITION, o->partition },
	};
	int rc;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		cpts_ingest_table_opts to = CPTS_INGEST_TABLE_OPTS_INIT;
		if (!tables[i].path)
			continue;
		if (tables[i].kind == CPTS_TABLE_PARTITION)
			to.name = PARTITION_GIVEN;
		if ((rc = cpts_ingest_table(ctx, s, tables[i].kind, tables[i].path, &to)) < 0)
			return rc;
	}
	return CPTS_OK;
}

/* Without flows nor partition, the whole area is one territory. */
static int whole_partition(cpts_ctx *ctx, cpts_store *s)
{
	cpts_model *m = NULL;
	char *terr[] = { (char *)PARTITION_WHOLE };
	long *ct = NULL;
	int rc;

	if ((rc = cpts_model_load(ctx, &m, s)) < 0)
		return rc;
	ct = cpts_calloc(m->n, sizeof(long));
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	if ((rc = cpts_partition_save(ctx, s, m, PARTITION_WHOLE, "input", "all communes", NULL,
				      terr, ct)) < 0 ||
	    (rc = cpts_store_commit(ctx, s)) < 0)
		cpts_store_rollback(s);
out:
	free(ct);
	cpts_model_free(ctx, m);
	return rc;
}

static int build_graph(cpts_ctx *ctx, cpts_store *s)
{
	cpts_graph_opts go = CPTS_GRAPH_OPTS_INIT;
	cpts_model *m = NULL;
	cpts_graph *g = NULL;
	int rc;

	if ((rc = cpts_model_load(ctx, &m, s)) < 0)
		return rc;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	if ((rc = cpts_graph_build(ctx, &g, m, s, &go)) < 0) {
		cpts_store_rollback(s);
		goto out;
	}
	if ((rc = cpts_store_commit(ctx, s)) < 0)
		goto out;
	cpts_info(ctx, "contiguity graph: %zu communes, %zu edges (%zu bridges)", g->n,
		  g->n_edges, g->n_bridges);
out:
	cpts_graph_free(g);
	cpts_model_free(ctx, m);
	return rc;
}

static int partition_metrics(cpts_ctx *ctx, cpts_store *s, const char *name,
			     const cpts_basins_opts *bo)
{
	int rc;

	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_basins_metrics(ctx, s, name, bo)) < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	return cpts_store_commit(ctx, s);
}

int cpts_diagnose_run(cpts_ctx *ctx, const cpts_diagnose_opts *o, FILE *summary)
{
	const char *dir = o->out_dir ? o->out_dir : "out";
	/* the workspace holds the unmasked counts: apart from the publishable files, in a
	   directory named so that nobody sends it out with them */
	char *priv = cpts_asprintf("%s/" CPTS_DIAGNOSE_PRIVATE_DIR, dir);
	char *ws = cpts_asprintf("%s/cpts.sqlite", priv);
	char *tmp = cpts_asprintf("%s/cpts.sqlite.tmp", priv);
	char *gpkg = cpts_asprintf("%s/cpts.gpkg", dir);
	char *html = cpts_asprintf("%s/html", dir);
	const char *profiled;
	cpts_store *s = NULL;
	cpts_basins_summary bs;
	cpts_profile_opts po = CPTS_PROFILE_OPTS_INIT;
	cpts_export_opts eo = CPTS_EXPORT_OPTS_INIT;
	cpts_ingest_communes_opts co = CPTS_INGEST_COMMUNES_OPTS_INIT;
	int rc, e;

	if (!o->communes) {
		rc = cpts_fail(ctx, CPTS_EUSAGE, "'cpts diagnose' needs --communes FILE");
		goto out;
	}
	if ((e = cpts_mkdir_p(priv, 0700)) < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s", priv, strerror(-e));
		goto out;
	}
	unlink(tmp);
	if ((rc = cpts_store_open(ctx, &s, tmp, CPTS_STORE_CREATE)) < 0)
		goto out;

	/* 1. ingest */
	co.code_field = o->code_field;
	if ((rc = cpts_ingest_communes(ctx, s, o->communes, &co, NULL)) < 0)
		goto out;
	if ((rc = ingest_tables(ctx, s, o)) < 0)
		goto out;
	if ((rc = cpts_progress(ctx, 0.3, "diagnose")) < 0)
		goto out;

	/* 2. contiguity graph */
	if ((rc = build_graph(ctx, s)) < 0)
		goto out;

	/* 3. basins from the flows; metrics of the given partition */
	if (o->flows) {
		if ((rc = cpts_basins_run(ctx, s, &o->basins, &bs)) < 0)
			goto out;
		cpts_info(ctx, "%zu attraction basins, overall localisation index %.1f %%",
			  bs.n_basins, 100.0 * bs.li_overall);
	}
	if (o->partition) {
		if ((rc = partition_metrics(ctx, s, PARTITION_GIVEN, &o->basins)) < 0)
			goto out;
		profiled = PARTITION_GIVEN;
	} else if (o->flows) {
		profiled = o->basins.name ? o->basins.name : PARTITION_BASINS;
	} else {
		if ((rc = whole_partition(ctx, s)) < 0 ||
		    (rc = partition_metrics(ctx, s, PARTITION_WHOLE, &o->basins)) < 0)
			goto out;
		profiled = PARTITION_WHOLE;
	}
	if ((rc = cpts_progress(ctx, 0.5, "diagnose")) < 0)
		goto out;

	/* 4. profiles */
	po.partition = profiled;
	if ((rc = cpts_profile_run(ctx, s, &po)) < 0)
		goto out;
	if (o->flows && o->partition) {
		/* the basins get a profile too, for comparison in the reports */
		po.partition = o->basins.name ? o->basins.name : PARTITION_BASINS;
		if ((rc = cpts_profile_run(ctx, s, &po)) < 0)
			goto out;
	}
	if ((rc = cpts_store_record_run(ctx, s, "diagnose", o->communes)) < 0)
		goto out;
	cpts_store_free(s);
	s = NULL;
	if (rename(tmp, ws) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, ws,
			       strerror(errno));
		goto out;
	}
	if ((rc = cpts_progress(ctx, 0.7, "diagnose")) < 0)
		goto out;

	/* 5. exports */
	if ((rc = cpts_store_open(ctx, &s, ws, 0)) < 0)
		goto out;
	eo.partition = profiled;
	eo.gpkg = o->no_gpkg ? NULL : gpkg;
	eo.html_dir = o->no_html ? NULL : html;
	eo.mask_threshold = o->mask_threshold;
	if ((rc = cpts_export_run(ctx, s, &eo)) < 0)
		goto out;
	if ((rc = cpts_progress(ctx, 1.0, "diagnose")) < 0)
		goto out;
	cpts_info(ctx, "the unmasked workspace is %s: keep it private, publish only %s",
		  ws, o->no_gpkg && o->no_html ? "nothing" : o->no_gpkg ? "html/" :
		  o->no_html ? "cpts.gpkg" : "cpts.gpkg and html/");
	if (summary) {
		fprintf(summary, "workspace  %s (unmasked, not for publication)\n", ws);
		if (!o->no_gpkg)
			fprintf(summary, "geopackage %s\n", gpkg);
		if (!o->no_html)
			fprintf(summary, "html       %s/index.html\n", html);
	}
out:
	cpts_store_free(s);
	if (rc < 0)
		unlink(tmp);
	free(ws);
	free(priv);
	free(tmp);
	free(gpkg);
	free(html);
	return rc;
}
