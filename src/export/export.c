/*
 * export.c - `cpts export`: load the snapshot (load.c), then write the GeoPackage
 * (out_gpkg.c) and/or the HTML report (out_html.c). The helpers the writers share are
 * in values.c, so that the writers never call back into this file (no import loop).
 *
 * The export only reads the workspace: it opens no transaction and records nothing,
 * so exporting twice from the same workspace gives the same bytes (dates come from
 * cpts_timestamp_utc, fixed by CPTS_FIXED_TIME in tests).
 *
 * When both are asked, the GeoPackage is written on a thread of its own (its own
 * cpts_ctx: GEOS, PROJ handles and errors; its own reprojection cache) while this
 * thread writes the HTML report: the snapshot is read-only for both, and the two
 * writers were a third of an export of France one after the other. The report waits
 * for the GeoPackage before replacing its directory (ex_data.html_gate), so what is
 * published, the messages and the error reported are those of the sequential order:
 * the GeoPackage first, the report only when the GeoPackage was written.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/basins.h"
#include "dep/dep.h"
#include "cpts/outfile.h"
#include "cpts/publish.h"
#include "export/export_int.h"

int cpts_export_check_outputs(cpts_ctx *ctx, const cpts_export_opts *o, const char *ws)
{
	const char *inputs[1] = { ws };
	int rc;

	if (o->gpkg && (rc = ex_gpkg_check(ctx, o->gpkg, o->format, inputs, 1)) < 0)
		return rc;
	if (o->html_dir && (rc = ex_html_dir_check(ctx, o->html_dir, inputs, 1)) < 0)
		return rc;
	if (o->gpkg && o->html_dir) {
		size_t n = strlen(o->html_dir);
		while (n > 1 && o->html_dir[n - 1] == '/')
			n--;
		if (cpts_same_file(o->gpkg, o->html_dir) ||
		    (strncmp(o->gpkg, o->html_dir, n) == 0 && o->gpkg[n] == '/'))
			return cpts_fail(ctx, CPTS_EINPUT, "--gpkg '%s' is inside --html '%s', which"
					 " is replaced as a whole: choose another path", o->gpkg,
					 o->html_dir);
	}
	return CPTS_OK;
}

/* A stale or missing result the export cannot recompute in a read-only workspace. */
static int refuse_readonly(cpts_ctx *ctx, cpts_store *s, const char *what,
			   const char *partition, const char *why, const char *run)
{
	return cpts_fail(ctx, CPTS_EINPUT, "%s of partition '%s' cannot be used: %s, and the"
			 " workspace '%s' is read-only (run '%s' in a writable copy)", what,
			 partition, why, cpts_store_path(s), run);
}

/* The metrics (LI, MSI, PAC, pole, attraction classes) of the partition, when missing
 * or stale, in one transaction: every partition, whatever made it (basins, `ingest
 * partition`, `move`, `profile --communes`), is published with the same measures as
 * `diagnose` gives it (issue 13, one path). A missing result is computed silently (as
 * `diagnose` does for the partition it profiles); a stale one with a warning. */
static int refresh_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition)
{
	char why[512];
	int st = cpts_store_derived_status(ctx, s, "basins", partition, why, sizeof(why), NULL);
	int rc;

	if (st < 0)
		return st;
	if (st == CPTS_DERIVED_FRESH)
		return CPTS_OK;
	if (cpts_store_readonly(s))
		return refuse_readonly(ctx, s, "the basin metrics", partition,
				       st == CPTS_DERIVED_STALE ? why : "they were never computed",
				       "cpts export");
	if (st == CPTS_DERIVED_STALE)
		cpts_warn(ctx, "the basin metrics of partition '%s' are stale (%s): recomputing"
			  " them", partition, why);
	else
		cpts_info(ctx, "partition '%s' has no basin metrics: computing LI, MSI, PAC, pole"
			  " and attraction classes", partition);
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	if ((rc = cpts_basins_metrics(ctx, s, partition, NULL)) < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	return cpts_store_commit(ctx, s);
}

/* The profile of the partition, when missing or stale, with the options it was
 * computed with (the defaults for a partition never profiled), as `diagnose` does. */
static int refresh_profile(cpts_ctx *ctx, cpts_store *s, const char *partition)
{
	cpts_profile_opts po = CPTS_PROFILE_OPTS_INIT;
	char why[512], *params = NULL, *args = NULL;
	int st = cpts_store_derived_status(ctx, s, "profile", partition, why, sizeof(why),
					   &params);
	int rc = CPTS_OK;

	if (st < 0 || st == CPTS_DERIVED_FRESH) {
		rc = st < 0 ? st : CPTS_OK;
		goto out;
	}
	if (cpts_store_readonly(s)) {
		rc = refuse_readonly(ctx, s, "the profile", partition, why, "cpts profile");
		goto out;
	}
	if (params && cpts_profile_params_parse(&po, params) < 0)
		po = (cpts_profile_opts)CPTS_PROFILE_OPTS_INIT;
	if (st == CPTS_DERIVED_STALE)
		cpts_warn(ctx, "the profile of partition '%s' is stale (%s): recomputing it",
			  partition, why);
	else
		cpts_warn(ctx, "partition '%s' has no profile: computing it with the default"
			  " options (run 'cpts profile' for others)", partition);
	po.partition = partition;
	if ((rc = cpts_profile_run(ctx, s, &po)) < 0)
		goto out;
	args = cpts_asprintf("--partition %s (recomputed by cpts export)", partition);
	if ((rc = cpts_store_begin(ctx, s)) < 0)
		goto out;
	if ((rc = cpts_store_record_run(ctx, s, "profile", args)) < 0 ||
	    (rc = cpts_store_commit(ctx, s)) < 0)
		cpts_store_rollback(s);
out:
	free(args);
	free(params);
	return rc;
}

/*
 * Never publish a stale number (cpts/store.h, deps.c): a basins partition computed
 * from inputs replaced since stops the export (its membership itself would change:
 * the user reruns `cpts basins`); the metrics and the profile, cheap, are recomputed
 * when missing or stale.
 */
static int refresh(cpts_ctx *ctx, cpts_store *s, const char *partition)
{
	char why[512];
	int rc;

	if ((rc = cpts_store_has_partition(ctx, s, partition)) <= 0)
		return rc; /* absent: the load names it */
	if ((rc = cpts_store_derived_status(ctx, s, "basin_partition", partition, why,
					    sizeof(why), NULL)) < 0)
		return rc;
	if (rc == CPTS_DERIVED_STALE)
		return cpts_fail(ctx, CPTS_EINPUT, "partition '%s' holds attraction basins computed"
				 " before the inputs changed (%s): run 'cpts basins' again to"
				 " rebuild it, then export", partition, why);
	if ((rc = refresh_metrics(ctx, s, partition)) < 0)
		return rc;
	return refresh_profile(ctx, s, partition);
}

/* The GeoPackage writer on its own thread. */
typedef struct gpkg_job {
	cpts_ctx ctx;           /* OWNED: the thread's context (released by gpkg_join) */
	const ex_data *d;       /* BORROWED */
	const cpts_export_opts *o; /* BORROWED */
	pthread_t th;
	bool running;           /* the thread was started and not joined yet */
	int rc;                 /* its status once joined */
} gpkg_job;

static void gpkg_written(cpts_ctx *ctx, const ex_data *d, const cpts_export_opts *o)
{
	char safe[512];

	ex_dsn_safe(safe, sizeof(safe), o->gpkg);
	cpts_info(ctx, "wrote %s (%zu territor%s, %zu commune%s)", safe, d->p->n_terr,
		  d->p->n_terr == 1 ? "y" : "ies", d->p->n_members,
		  d->p->n_members == 1 ? "" : "s");
}

static void *gpkg_main(void *arg)
{
	gpkg_job *j = arg;

	j->rc = ex_write_gpkg(&j->ctx, j->d, j->o->gpkg, j->o->format);
	cpts_text_release(); /* escaped copies this thread's messages made, if any */
	return NULL;
}

/* Start the GeoPackage thread; false (nothing started) when it cannot be. */
static bool gpkg_start(cpts_ctx *ctx, gpkg_job *j, const ex_data *d,
		       const cpts_export_opts *o)
{
	memset(j, 0, sizeof(*j));
	j->d = d;
	j->o = o;
	cpts_gdal_init(); /* drivers registered here, not by two threads at once */
	if (cpts_ctx_init(&j->ctx) != CPTS_OK) {
		cpts_ctx_release(&j->ctx);
		return false;
	}
	j->ctx.verbosity = ctx->verbosity; /* its warnings are the user's; no progress */
	j->ctx.log = ctx->log;
	j->running = pthread_create(&j->th, NULL, gpkg_main, j) == 0;
	if (!j->running)
		cpts_ctx_release(&j->ctx);
	return j->running;
}

/* Wait for the GeoPackage thread (once); its error, which comes first, into ctx. */
static int gpkg_join(cpts_ctx *ctx, void *arg)
{
	gpkg_job *j = arg;

	if (j->running) {
		pthread_join(j->th, NULL);
		j->running = false;
		ctx->n_warnings += j->ctx.n_warnings;
		if (j->rc < 0)
			ctx->err = j->ctx.err; /* the sequential order would have met it first */
		else
			gpkg_written(ctx, j->d, j->o);
		cpts_ctx_release(&j->ctx);
	}
	return j->rc;
}

int cpts_export_run(cpts_ctx *ctx, cpts_store *s, const cpts_export_opts *opts)
{
	gpkg_job gj = { .running = false, .rc = CPTS_OK };
	cpts_export_opts o = *opts;
	ex_data *d = NULL;
	int rc;

	if (!o.partition || !*o.partition)
		return cpts_fail(ctx, CPTS_EUSAGE, "--partition is required");
	if (o.dsn) { /* a database: --dsn names it, --format defaults to PostgreSQL */
		if (o.gpkg)
			return cpts_fail(ctx, CPTS_EUSAGE, "give --gpkg FILE or --dsn PG:..., not"
					 " both");
		if (strncmp(o.dsn, "PG:", 3) != 0)
			return cpts_fail(ctx, CPTS_EUSAGE, "--dsn takes a PostgreSQL connection"
					 " string \"PG:host=... dbname=...\" (got '%.40s')", o.dsn);
		o.gpkg = o.dsn;
		if (!o.format || !*o.format || strcmp(o.format, "GPKG") == 0)
			o.format = "PostgreSQL";
	}
	if (!o.gpkg && !o.html_dir && !o.dsn)
		return cpts_fail(ctx, CPTS_EUSAGE, "nothing to export: give --gpkg FILE (or --dsn"
				 " PG:...) and/or --html DIR");
	if (!o.format || !*o.format)
		o.format = "GPKG";
	if (!o.map_indicator || !*o.map_indicator)
		o.map_indicator = "mt_share";
	if (!cpts_indicator_find(o.map_indicator)) {
		char *keys = cpts_indicator_keys();
		rc = cpts_fail(ctx, CPTS_EUSAGE, "unknown indicator '%s' for --map-indicator"
			       " (one of: %s)", o.map_indicator, keys);
		free(keys);
		return rc;
	}
	if ((rc = cpts_mask_threshold_check(ctx, "--mask-threshold", o.mask_threshold)) < 0)
		return rc;
	if (!(o.max_hole_ha >= 0))
		return cpts_fail(ctx, CPTS_EUSAGE, "--max-hole-ha must be 0 or more (hectares)");
	if (o.flow_threshold < 0 || isnan(o.flow_threshold))
		return cpts_fail(ctx, CPTS_EUSAGE, "--flows-threshold must be positive");
	if ((rc = cpts_export_check_outputs(ctx, &o, cpts_store_path(s))) < 0)
		return rc;
	if ((rc = refresh(ctx, s, o.partition)) < 0)
		goto out;
	if ((rc = ex_data_load(ctx, &d, s, &o)) < 0)
		goto out;
	d->map_key = cpts_indicator_find(o.map_indicator)->key;
	if (!opts->map_indicator || !*opts->map_indicator)
		d->map_key = ex_default_map_key(d);
	if (o.gpkg && (rc = cpts_progress(ctx, 0.3, "writing the GeoPackage")) < 0)
		goto out;
	if (o.gpkg && o.html_dir && gpkg_start(ctx, &gj, d, &o)) {
		d->html_gate = gpkg_join;
		d->html_gate_arg = &gj;
	} else if (o.gpkg) {
		if ((rc = ex_write_gpkg(ctx, d, o.gpkg, o.format)) < 0)
			goto out;
		gpkg_written(ctx, d, &o);
	}
	if (o.html_dir) {
		if ((rc = cpts_progress(ctx, 0.7, "writing the HTML report")) == CPTS_OK)
			rc = ex_write_html(ctx, d, o.html_dir);
		if (gpkg_join(ctx, &gj) < 0) /* when the report failed before its gate */
			rc = gj.rc;
		if (rc < 0)
			goto out;
		cpts_info(ctx, "wrote %s/index.html and %zu territory page%s", o.html_dir,
			  d->p->n_terr, d->p->n_terr == 1 ? "" : "s");
	}
	/* the publication ledger: later exports are protected against this one */
	if ((rc = cpts_ledger_record(ctx, s, o.partition, d->pt, o.dsn ? "PostgreSQL" :
				     o.gpkg ? o.gpkg : o.html_dir)) < 0 ||
	    (rc = cpts_pub_flows_record(ctx, s, d->pf, o.dsn ? "PostgreSQL" :
					o.gpkg ? o.gpkg : o.html_dir)) < 0)
		goto out;
	rc = cpts_progress(ctx, 1.0, "export done");
out:
	ex_data_free(ctx, d);
	return rc;
}
