/*
 * export.c - `cpts export`: load the snapshot (load.c), then write the GeoPackage
 * (out_gpkg.c) and/or the HTML report (out_html.c). Also the helpers both writers
 * share: French value formatting with the masking rule, quantile classes of the
 * choropleths, and atomic file replacement (write path.tmp, rename).
 *
 * The export only reads the workspace: it opens no transaction and records nothing,
 * so exporting twice from the same workspace gives the same bytes (dates come from
 * cpts_timestamp_utc, fixed by CPTS_FIXED_TIME in tests).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpts/basins.h"
#include "cpts/outfile.h"
#include "export/export_int.h"

const char *const ex_palette[EX_N_CLASSES] = { "#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33",
					       "#b30000" }; /* ColorBrewer OrRd 5 */
const char ex_palette_na[] = "#d9d9d9";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

size_t ex_sort_values(double *values, size_t n)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			values[m++] = values[i];
	if (m > 1)
		cpts_qsort(values, m, sizeof(double), cmp_double);
	return m;
}

void ex_classes_make(ex_classes *c, double *values, size_t n)
{
	size_t m = ex_sort_values(values, n);

	memset(c, 0, sizeof(*c));
	if (m == 0)
		return;
	c->brk[0] = values[0];
	for (int k = 1; k <= EX_N_CLASSES; k++) {
		double b = values[(m - 1) * (size_t)k / EX_N_CLASSES];
		if (b > c->brk[c->n])
			c->brk[++c->n] = b;
	}
	if (c->n == 0) { /* a single distinct value: one class */
		c->n = 1;
		c->brk[1] = c->brk[0];
	}
}

int ex_classes_of(const ex_classes *c, double v)
{
	if (isnan(v) || c->n == 0)
		return -1;
	for (int k = 0; k < c->n; k++)
		if (v <= c->brk[k + 1])
			return k;
	return c->n - 1;
}

void ex_fmt_number(char *out, size_t n, const cpts_indicator *ind, double v)
{
	int dec = ind ? ind->decimals : 0;

	if (isnan(v))
		snprintf(out, n, "n.d.");
	else if (ind && strcmp(ind->unit_fr, "%") == 0)
		cpts_fmt_fr_pct(out, n, v / 100.0, dec); /* stored in percent (profile.h) */
	else
		cpts_fmt_fr(out, n, v, dec);
}

void ex_fmt_value(char *out, size_t n, const cpts_indicator *ind, const cpts_pvalue *v,
		  double threshold)
{
	char num[64];

	if (!v) {
		snprintf(out, n, "n.d.");
	} else if (v->masked) {
		/* the bounds a reader may know (profile.h): [1, threshold-1] for a small
		 * count, [lo, hi] for a total over masked input cells, none otherwise */
		if (ind && ind->kind == CPTS_IND_COUNT && v->lo >= 1 && v->hi <= threshold - 1) {
			cpts_fmt_fr(num, sizeof(num), threshold, 0);
			snprintf(out, n, "< %s", num);
		} else if (ind && ind->kind == CPTS_IND_COUNT && isfinite(v->lo)) {
			cpts_fmt_fr(num, sizeof(num), v->lo, 0);
			snprintf(out, n, "au moins %s", num);
		} else if (ind && ind->kind == CPTS_IND_RATIO && isfinite(v->lo) &&
			   isfinite(v->hi)) {
			/* a ratio over masked input cells: the range it lies in */
			/* rounded outwards, so the shown range still holds the value */
			char num2[64];
			double k = pow(10.0, ind->decimals);
			ex_fmt_number(num, sizeof(num), ind, floor(v->lo * k + 1e-9) / k);
			ex_fmt_number(num2, sizeof(num2), ind, ceil(v->hi * k - 1e-9) / k);
			if (strcmp(num, num2) == 0)
				snprintf(out, n, "environ %s", num);
			else
				snprintf(out, n, "entre %s et %s", num, num2);
		} else {
			snprintf(out, n, "secret statistique");
		}
	} else {
		ex_fmt_number(out, n, ind, v->value);
	}
}

int ex_write_file_atomic(cpts_ctx *ctx, const char *path, const char *data, size_t len)
{
	return cpts_write_file_atomic(ctx, path, data, len);
}

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

/* The metrics (LI, MSI, PAC, pole, attraction classes) of the partition, when stale,
 * in one transaction. Metrics never computed (a partition ingested and profiled but
 * never measured) are left to `cpts basins`/`diagnose`: the export then shows them as
 * not available, as before, and writes nothing. */
static int refresh_metrics(cpts_ctx *ctx, cpts_store *s, const char *partition)
{
	char why[512];
	cpts_derived_state st = cpts_store_derived_status(s, "basins", partition, why,
							  sizeof(why), NULL);
	int rc;

	if (st != CPTS_DERIVED_STALE)
		return CPTS_OK;
	if (cpts_store_readonly(s))
		return refuse_readonly(ctx, s, "the basin metrics", partition, why, "cpts basins");
	cpts_warn(ctx, "the basin metrics of partition '%s' are stale (%s): recomputing them",
		  partition, why);
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
	cpts_derived_state st = cpts_store_derived_status(s, "profile", partition, why,
							  sizeof(why), &params);
	int rc = CPTS_OK;

	if (st == CPTS_DERIVED_FRESH)
		goto out;
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

	if (!cpts_store_has_partition(s, partition))
		return CPTS_OK; /* the load names it */
	if (cpts_store_derived_status(s, "basin_partition", partition, why, sizeof(why), NULL) ==
	    CPTS_DERIVED_STALE)
		return cpts_fail(ctx, CPTS_EINPUT, "partition '%s' holds attraction basins computed"
				 " before the inputs changed (%s): run 'cpts basins' again to"
				 " rebuild it, then export", partition, why);
	if ((rc = refresh_metrics(ctx, s, partition)) < 0)
		return rc;
	return refresh_profile(ctx, s, partition);
}

int cpts_export_run(cpts_ctx *ctx, cpts_store *s, const cpts_export_opts *opts)
{
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
	if (o.gpkg) {
		if ((rc = cpts_progress(ctx, 0.3, "writing the GeoPackage")) < 0 ||
		    (rc = ex_write_gpkg(ctx, d, o.gpkg, o.format)) < 0)
			goto out;
		char safe[512];
		ex_dsn_safe(safe, sizeof(safe), o.gpkg);
		cpts_info(ctx, "wrote %s (%zu territor%s, %zu commune%s)", safe, d->p->n_terr,
			  d->p->n_terr == 1 ? "y" : "ies", d->p->n_members,
			  d->p->n_members == 1 ? "" : "s");
	}
	if (o.html_dir) {
		if ((rc = cpts_progress(ctx, 0.7, "writing the HTML report")) < 0 ||
		    (rc = ex_write_html(ctx, d, o.html_dir)) < 0)
			goto out;
		cpts_info(ctx, "wrote %s/index.html and %zu territory page%s", o.html_dir,
			  d->p->n_terr, d->p->n_terr == 1 ? "" : "s");
	}
	/* the publication ledger: later exports are protected against this one */
	if ((rc = cpts_ledger_record(ctx, s, o.partition, d->pt, o.dsn ? "PostgreSQL" :
				     o.gpkg ? o.gpkg : o.html_dir)) < 0)
		goto out;
	rc = cpts_progress(ctx, 1.0, "export done");
out:
	ex_data_free(ctx, d);
	return rc;
}
