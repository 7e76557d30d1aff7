/*
 * diagnose.c - `cpts diagnose`, the main job: ingest -> graph -> basins or partition ->
 * metrics -> profiles -> exports, into one output directory (cpts/pipeline.h).
 *
 * CPTS_DEBUG_TIMES=1 prints the wall and CPU seconds of each stage to stderr (one
 * clock read per stage: free when unset), to see where a long run goes without a
 * profiler; CPU counts every thread of the process.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpts/outfile.h"
#include "cpts/basins.h"
#include "cpts/export.h"
#include "cpts/graph.h"
#include "cpts/ingest.h"
#include "cpts/pipeline.h"
#include "cpts/profile.h"
#include "cpts/session.h"
#include "cpts/store.h"
#include "cpts/util.h"

#define PARTITION_GIVEN "territoires"
#define PARTITION_BASINS "bassins"
#define PARTITION_WHOLE "territoire"

/* The stage clock of CPTS_DEBUG_TIMES=1: the times when the last stage ended. */
typedef struct stage_clock {
	bool on;
	double wall, cpu;
} stage_clock;

static double clock_s(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void stage_clock_start(stage_clock *c)
{
	const char *e = getenv("CPTS_DEBUG_TIMES");

	c->on = e && strcmp(e, "1") == 0;
	if (c->on) {
		c->wall = clock_s(CLOCK_MONOTONIC);
		c->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	}
}

/* Print the time since the last stage ended, and start the next one. */
static void stage_done(stage_clock *c, const char *stage)
{
	double w, u;

	if (!c->on)
		return;
	w = clock_s(CLOCK_MONOTONIC);
	u = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	fprintf(stderr, "cpts: time: %-10s %8.2f s wall %8.2f s cpu\n", stage, w - c->wall,
		u - c->cpu);
	c->wall = w;
	c->cpu = u;
}

void cpts_diagnose_opts_init(cpts_diagnose_opts *o)
{
	cpts_basins_opts b = CPTS_BASINS_OPTS_INIT;

	memset(o, 0, sizeof(*o));
	o->out_dir = "out";
	o->basins = b;
	/* o->basins.method NULL: the default row of the method table (basins/methods.c) */
	o->basins.name = PARTITION_BASINS;
	o->mask_threshold = CPTS_MASK_THRESHOLD_DEFAULT;
}

/* The options of table kind of diagnose; map (o->n_map + 1 slots, OWNED by the caller)
 * receives its --map KIND:canonical=theirs pairs. */
static void table_opts(const cpts_diagnose_opts *o, cpts_table_kind kind, const char **map,
		       cpts_ingest_table_opts *to)
{
	static const cpts_ingest_table_opts init = CPTS_INGEST_TABLE_OPTS_INIT;
	const char *kn = cpts_table_kind_name(kind);
	size_t kl = strlen(kn);

	*to = init;
	for (size_t m = 0; m < o->n_map; m++)
		if (strncmp(o->map[m], kn, kl) == 0 && o->map[m][kl] == ':')
			map[to->n_map++] = o->map[m] + kl + 1;
	to->map = map;
	to->skip_unknown = o->skip_unknown;
	to->snds_codes = o->snds_codes;
	to->vintage = o->vintage;
	to->diagnose_hints = true;
	if (kind == CPTS_TABLE_PARTITION) {
		to->name = PARTITION_GIVEN;
		to->from_column = o->from_column;
		to->name_column = o->name_column;
		to->names_file = o->names_file;
	}
}

/* The tables of diagnose in their order; the flows from *pf when one was read ahead
 * (started with table_opts: the same options; consumed, *pf set to NULL), their rows
 * then handed to the session when they were stored as read (no stage reads them back). */
static int ingest_tables(cpts_ctx *ctx, cpts_session *ss, const cpts_diagnose_opts *o,
			 cpts_ingest_prefetch **pf)
{
	cpts_store *s = cpts_session_store(ss);
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

	const char **map = cpts_calloc(o->n_map + 1, sizeof(char *));

	rc = CPTS_OK;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]) && rc == CPTS_OK; i++) {
		cpts_ingest_table_opts to;
		if (!tables[i].path)
			continue;
		if (tables[i].kind == CPTS_TABLE_FLOWS && *pf) {
			cpts_flow_rows *rows = NULL;
			rc = cpts_ingest_table_prefetched_rows(ctx, s, *pf, &rows);
			*pf = NULL;
			if (rows)
				cpts_session_put_flow_rows(ss, rows);
			continue;
		}
		table_opts(o, tables[i].kind, map, &to);
		rc = cpts_ingest_table(ctx, s, tables[i].kind, tables[i].path, &to);
	}
	free(map);
	return rc;
}

const char **cpts_catalogue_sources(size_t *n)
{
	const cpts_indicator *rows = cpts_indicators;
	size_t k = 0, cap = 1;
	const char **out;

	for (const cpts_indicator *i = rows; i->key; i++)
		cap++;
	out = cpts_calloc(cap, sizeof(*out));
	for (const cpts_indicator *i = rows; i->key; i++) {
		bool seen = false;
		if (i->builtin || i->companion || !i->source)
			continue;
		for (size_t j = 0; j < k && !seen; j++)
			seen = strcmp(out[j], i->source) == 0; /* two rows may read one column */
		if (!seen)
			out[k++] = i->source;
	}
	*n = k;
	return out;
}

/* The --indicators files, after the tables (a share of population needs it). */
/* On the session's model (read here once, after the communes and the population were
 * ingested, and used by every later stage), not one model per file. */
static int ingest_indicators(cpts_ctx *ctx, cpts_session *ss, cpts_store *s,
			     const cpts_diagnose_opts *o)
{
	size_t n_src;
	const char **src;
	cpts_model *m = NULL;
	int rc;

	if (o->n_indicators == 0)
		return CPTS_OK;
	if ((rc = cpts_session_model(ctx, ss, &m)) < 0)
		return rc;
	src = cpts_catalogue_sources(&n_src);
	for (size_t k = 0; k < o->n_indicators && rc == CPTS_OK; k++)
		rc = cpts_ingest_indicators_with(ctx, s, m, o->indicators[k], src, n_src);
	free(src);
	return rc;
}

/* Usage errors found before any work: a run of minutes must not fail on them at the
 * end. Each names an option of cpts diagnose. */
static int check_opts(cpts_ctx *ctx, const cpts_diagnose_opts *o)
{
	if (!o->communes)
		return cpts_fail(ctx, CPTS_EUSAGE, "'cpts diagnose' needs --communes FILE");
	for (size_t m = 0; m < o->n_map; m++) {
		const char *colon = strchr(o->map[m], ':');
		char kind[32];
		if (!colon || !strchr(colon, '=') || (size_t)(colon - o->map[m]) >= sizeof(kind))
			return cpts_fail(ctx, CPTS_EUSAGE, "--map '%s': expected KIND:canonical=theirs,"
					 " e.g. population:population=PMUN21", o->map[m]);
		memcpy(kind, o->map[m], (size_t)(colon - o->map[m]));
		kind[colon - o->map[m]] = '\0';
		if (cpts_table_kind_parse(kind) < 0 ||
		    cpts_table_kind_parse(kind) == CPTS_TABLE_PASSAGE)
			return cpts_fail(ctx, CPTS_EUSAGE, "--map '%s': '%s' is not a table of cpts"
					 " diagnose (population, attributes, consumption, reference,"
					 " mt, supply, flows, traveltime, partition)", o->map[m], kind);
	}
	if ((o->from_column || o->name_column || o->names_file) && !o->partition)
		return cpts_fail(ctx, CPTS_EUSAGE, "--from-column, --name-column and --names"
				 " describe the --partition file: give --partition FILE");
	if (o->name_column && !o->from_column)
		return cpts_fail(ctx, CPTS_EUSAGE, "--name-column goes with --from-column");
	if (o->name_column && o->names_file)
		return cpts_fail(ctx, CPTS_EUSAGE, "give the territory names with --name-column"
				 " or --names, not both");
	if (o->map_indicator && !cpts_indicator_find(o->map_indicator)) {
		char *keys = cpts_indicator_keys();
		int rc = cpts_fail(ctx, CPTS_EUSAGE, "unknown indicator '%s' for --map-indicator"
				   " (one of: %s)", o->map_indicator, keys);
		free(keys);
		return rc;
	}
	if (!(o->mask_threshold >= 1.0))
		return cpts_fail(ctx, CPTS_EUSAGE, "--mask-threshold must be at least 1");
	return CPTS_OK;
}

/* The report sections that will be empty for lack of an input, said before the work. */
static void warn_missing_sections(cpts_ctx *ctx, const cpts_diagnose_opts *o)
{
	cpts_buf b = CPTS_BUF_INIT;

	if (o->no_html && o->no_gpkg)
		return;
	if (!o->mt)
		cpts_buf_addstr(&b, "; « Médecin traitant » (no --mt)");
	if (!o->consumption)
		cpts_buf_addstr(&b, "; « Consommation de soins : ICC » and the missing GPs"
				    " (no --consumption)");
	if (!o->supply)
		cpts_buf_addstr(&b, "; « Offre de soins et accessibilité », APL (no --supply)");
	if (!o->flows)
		cpts_buf_addstr(&b, "; « Flux et attraction » (no --flows)");
	if (!o->population)
		cpts_buf_addstr(&b, "; « Pyramide des âges », « Taille ACI » and every rate per"
				    " inhabitant (no --population)");
	if (b.len)
		cpts_warn(ctx, "the report will lack these sections for lack of inputs: %s",
			  b.data + 2);
	cpts_buf_release(&b);
}

/* After the ingest: a population of totals only gives no age pyramid and no ICC. */
static int warn_population_form(cpts_ctx *ctx, cpts_store *s, const cpts_diagnose_opts *o)
{
	int rc = CPTS_OK;

	if (!o->population || (o->no_html && o->no_gpkg) ||
	    (rc = cpts_store_population_by_sex_age(ctx, s)) != 0)
		return rc < 0 ? rc : CPTS_OK;
	cpts_warn(ctx, "%s has totals only (no sex and age): the report will lack « Pyramide"
		  " des âges »%s", o->population, o->consumption ? " and the ICC (expected"
		  " consultations need the population by sex and age)" : "");
	return CPTS_OK;
}

/* The choropleth key: the one asked for, else the share without médecin traitant, or
 * without --mt an indicator the inputs give (a grey map says nothing). */
static const char *map_key(cpts_ctx *ctx, const cpts_diagnose_opts *o)
{
	const char *k;

	if (o->map_indicator)
		return o->map_indicator;
	if (o->mt)
		return "mt_share";
	k = o->supply && o->population ? "gp_density" : o->population ? "density" : "n_communes";
	cpts_info(ctx, "maps of the report: %s (no --mt for the share without médecin traitant;"
		  " --map-indicator chooses)", k);
	return k;
}

/* Without flows nor partition, the whole area is one territory (handed to the session
 * as written). */
static int whole_partition(cpts_ctx *ctx, cpts_session *ss)
{
	cpts_store *s = cpts_session_store(ss);
	cpts_model *m;
	char *terr[] = { (char *)PARTITION_WHOLE };
	long *ct = NULL;
	int rc;

	if ((rc = cpts_session_model(ctx, ss, &m)) < 0)
		return rc;
	ct = cpts_calloc(m->n, sizeof(long));
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	if ((rc = cpts_partition_save(ctx, s, m, PARTITION_WHOLE, "input", "all communes", NULL,
				      terr, ct)) < 0 ||
	    (rc = cpts_store_commit(ctx, s)) < 0) {
		cpts_store_rollback(s);
		goto out;
	}
	cpts_session_put_partition(ss, cpts_partition_from_labels(m, PARTITION_WHOLE, terr, 1,
								  ct));
out:
	free(ct);
	return rc;
}

/* The graph, built on the session's model, is handed to the session. */
static int build_graph(cpts_ctx *ctx, cpts_session *ss)
{
	cpts_store *s = cpts_session_store(ss);
	cpts_graph_opts go = CPTS_GRAPH_OPTS_INIT;
	cpts_model *m;
	cpts_graph *g = NULL;
	int rc;

	if ((rc = cpts_session_model(ctx, ss, &m)) < 0)
		return rc;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_graph_build(ctx, &g, m, s, &go)) < 0 ||
	    (rc = cpts_store_commit(ctx, s)) < 0) {
		cpts_store_rollback(s);
		cpts_graph_free(g);
		return rc;
	}
	cpts_info(ctx, "contiguity graph: %zu communes, %zu edges (%zu bridges)", g->n,
		  g->n_edges, g->n_bridges);
	cpts_session_put_graph(ss, g);
	return CPTS_OK;
}

/* The flow matrix the session read, cached in the workspace for later commands (cpts
 * basins on it would otherwise read the flows table back): written here, explicitly,
 * never as a side effect of a load. */
static int cache_flows(cpts_ctx *ctx, cpts_session *ss)
{
	cpts_store *s = cpts_session_store(ss);
	cpts_flows *f;
	int rc;

	if ((rc = cpts_session_flows(ctx, ss, NULL, &f)) < 0 ||
	    (rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_flows_cache_store(ctx, s, f)) < 0 ||
	    (rc = cpts_store_commit(ctx, s)) < 0)
		cpts_store_rollback(s);
	return rc;
}

static int partition_metrics(cpts_ctx *ctx, cpts_session *ss, const char *name,
			     const cpts_basins_opts *bo)
{
	cpts_store *s = cpts_session_store(ss);
	cpts_basins_opts b = *bo;
	int rc;

	b.session = ss;
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_basins_metrics(ctx, s, name, &b)) < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	return cpts_store_commit(ctx, s);
}

/* Refuse, before any work, outputs that would land on an input or a directory: --out
 * itself, the workspace, its temporary, the GeoPackage and the report directory. */
static int check_outputs(cpts_ctx *ctx, const cpts_diagnose_opts *o, const char *dir,
			 const char *ws, const char *tmp, const char *gpkg, const char *html)
{
	const char *tables[] = { o->communes, o->passage, o->population, o->consumption,
				 o->reference, o->mt, o->supply, o->flows, o->traveltime,
				 o->attributes, o->partition };
	size_t n = sizeof(tables) / sizeof(tables[0]);
	/* the inputs: the tables and the --indicators files (OWNED array) */
	const char **inputs = cpts_calloc(n + o->n_indicators + 1, sizeof(*inputs));
	cpts_export_opts eo = CPTS_EXPORT_OPTS_INIT;
	int rc;

	memcpy(inputs, tables, sizeof(tables));
	for (size_t k = 0; k < o->n_indicators; k++)
		inputs[n++] = o->indicators[k];
	if ((rc = cpts_output_check(ctx, "--out", dir, true, inputs, n)) < 0 ||
	    (rc = cpts_output_check(ctx, "workspace", ws, false, inputs, n)) < 0 ||
	    (rc = cpts_output_check(ctx, "workspace temporary", tmp, false, inputs, n)) < 0)
		goto out;
	eo.gpkg = o->no_gpkg ? NULL : gpkg;
	eo.html_dir = o->no_html ? NULL : html;
	if (eo.gpkg && (rc = cpts_output_check(ctx, "--out", gpkg, false, inputs, n)) < 0)
		goto out;
	if (eo.html_dir && (rc = cpts_output_check(ctx, "--out", html, true, inputs, n)) < 0)
		goto out;
	rc = cpts_export_check_outputs(ctx, &eo, NULL);
out:
	free(inputs);
	return rc;
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
	cpts_session *ss = NULL; /* OWNS s once made: every stage reads through it */
	cpts_basins_opts bo = o->basins;
	cpts_basins_summary bs;
	cpts_profile_opts po = CPTS_PROFILE_OPTS_INIT;
	cpts_export_opts eo = CPTS_EXPORT_OPTS_INIT;
	cpts_ingest_communes_opts co = CPTS_INGEST_COMMUNES_OPTS_INIT;
	cpts_ingest_table_opts pf_opts;
	const char **pf_map = NULL;    /* OWNED: the --map pairs of pf_opts */
	cpts_ingest_prefetch *pf = NULL; /* OWNED: the flows read ahead, until ingested */
	stage_clock clk;
	int rc, e;

	stage_clock_start(&clk);

	if ((rc = check_opts(ctx, o)) < 0)
		goto out;
	if ((rc = check_outputs(ctx, o, dir, ws, tmp, gpkg, html)) < 0)
		goto out;
	/* before any work: the export at the end would refuse it */
	if ((rc = cpts_mask_threshold_check(ctx, "--mask-threshold", o->mask_threshold)) < 0)
		goto out;
	warn_missing_sections(ctx, o);
	if ((e = cpts_mkdir_p(priv, 0700)) < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s", priv, strerror(-e));
		goto out;
	}
	unlink(tmp); /* checked above: not an input, not a directory */
	if ((rc = cpts_store_open(ctx, &s, tmp, CPTS_STORE_CREATE | CPTS_STORE_SCRATCH)) < 0)
		goto out;
	ss = cpts_session_new(s);
	bo.session = ss;

	/* 1. ingest */
	co.code_field = o->code_field;
	co.s_srs = o->s_srs;
	co.skip_failures = o->skip_failures;
	co.vintage = o->vintage;
	/* the flows file is read, and its rows written, on a thread of its own while GDAL
	   reads the communes */
	if (o->flows) {
		pf_map = cpts_calloc(o->n_map + 1, sizeof(char *));
		table_opts(o, CPTS_TABLE_FLOWS, pf_map, &pf_opts);
		pf = cpts_ingest_prefetch_start_into(ctx, CPTS_TABLE_FLOWS, o->flows, &pf_opts,
						     tmp);
		co.wait = pf; /* the thread writes the flow rows into tmp meanwhile */
	}
	if ((rc = cpts_ingest_communes(ctx, s, o->communes, &co, NULL)) < 0)
		goto out;
	stage_done(&clk, "communes");
	if ((rc = ingest_tables(ctx, ss, o, &pf)) < 0 || (rc = ingest_indicators(ctx, ss, s, o)) < 0)
		goto out;
	stage_done(&clk, "tables");
	if ((rc = warn_population_form(ctx, s, o)) < 0 ||
	    (rc = cpts_progress(ctx, 0.3, "diagnose")) < 0)
		goto out;

	/* 2. contiguity graph */
	if ((rc = build_graph(ctx, ss)) < 0)
		goto out;
	stage_done(&clk, "graph");

	/* 3. basins from the flows; metrics of the given partition */
	if (o->flows) {
		if ((rc = cpts_basins_run(ctx, s, &bo, &bs)) < 0 ||
		    (rc = cache_flows(ctx, ss)) < 0)
			goto out;
		cpts_info(ctx, "%zu attraction basins, overall localisation index %.1f %%",
			  bs.n_basins, 100.0 * bs.li_overall);
		stage_done(&clk, "basins");
	}
	if (o->partition) {
		if ((rc = partition_metrics(ctx, ss, PARTITION_GIVEN, &o->basins)) < 0)
			goto out;
		profiled = PARTITION_GIVEN;
	} else if (o->flows) {
		profiled = o->basins.name ? o->basins.name : PARTITION_BASINS;
	} else {
		if ((rc = whole_partition(ctx, ss)) < 0 ||
		    (rc = partition_metrics(ctx, ss, PARTITION_WHOLE, &o->basins)) < 0)
			goto out;
		profiled = PARTITION_WHOLE;
	}
	stage_done(&clk, "metrics");
	if ((rc = cpts_progress(ctx, 0.5, "diagnose")) < 0)
		goto out;

	/* 4. profiles */
	po.partition = profiled;
	po.session = ss;
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
	stage_done(&clk, "profiles");
	/* closed for the rename, opened again under the final name: the session keeps what
	   it loaded (the same data, now in the renamed file) */
	cpts_session_set_store(ss, NULL);
	s = NULL;
	/* its commits did not wait for the disk (CPTS_STORE_SCRATCH): synced once, here */
	if ((e = cpts_fsync_path(tmp)) < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, strerror(-e));
		goto out;
	}
	if (rename(tmp, ws) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, ws,
			       strerror(errno));
		goto out;
	}
	if ((rc = cpts_progress(ctx, 0.7, "diagnose")) < 0)
		goto out;

	/* 5. exports (none with --no-html --no-gpkg: the workspace is the result) */
	if ((rc = cpts_store_open(ctx, &s, ws, 0)) < 0)
		goto out;
	cpts_session_set_store(ss, s);
	eo.session = ss;
	eo.partition = profiled;
	eo.gpkg = o->no_gpkg ? NULL : gpkg;
	eo.html_dir = o->no_html ? NULL : html;
	eo.mask_threshold = o->mask_threshold;
	if ((eo.gpkg || eo.html_dir) && (eo.map_indicator = map_key(ctx, o)) &&
	    (rc = cpts_export_run(ctx, s, &eo)) < 0)
		goto out;
	stage_done(&clk, "export");
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
	cpts_ingest_prefetch_free(pf); /* not ingested: an earlier stage failed */
	free(pf_map);
	if (ss)
		cpts_session_free(ctx, ss); /* and s */
	else
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
