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

#include "export/export_int.h"

const char *const ex_palette[EX_N_CLASSES] = { "#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33",
					       "#b30000" }; /* ColorBrewer OrRd 5 */
const char ex_palette_na[] = "#d9d9d9";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void ex_classes_make(ex_classes *c, double *values, size_t n)
{
	size_t m = 0;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			values[m++] = values[i];
	if (m == 0)
		return;
	cpts_qsort(values, m, sizeof(double), cmp_double);
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
	char *tmp = cpts_asprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int rc = CPTS_OK;

	if (!f) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || ferror(f)) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
			       strerror(errno));
out:
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int cpts_export_run(cpts_ctx *ctx, cpts_store *s, const cpts_export_opts *opts)
{
	cpts_export_opts o = *opts;
	ex_data *d = NULL;
	int rc;

	if (!o.partition || !*o.partition)
		return cpts_fail(ctx, CPTS_EUSAGE, "--partition is required");
	if (!o.gpkg && !o.html_dir)
		return cpts_fail(ctx, CPTS_EUSAGE, "nothing to export: give --gpkg FILE and/or"
				 " --html DIR");
	if (!o.format || !*o.format)
		o.format = "GPKG";
	if (!o.map_indicator || !*o.map_indicator)
		o.map_indicator = "mt_share";
	if (!cpts_indicator_find(o.map_indicator))
		return cpts_fail(ctx, CPTS_EUSAGE, "unknown indicator '%s' for --map-indicator"
				 " (see docs/export.md for the list)", o.map_indicator);
	if (!(o.mask_threshold >= 1.0))
		return cpts_fail(ctx, CPTS_EUSAGE, "--mask-threshold must be at least 1");
	if (o.flow_threshold < 0 || isnan(o.flow_threshold))
		return cpts_fail(ctx, CPTS_EUSAGE, "--flows-threshold must be positive");
	if ((rc = ex_data_load(ctx, &d, s, &o)) < 0)
		goto out;
	d->map_key = cpts_indicator_find(o.map_indicator)->key;
	if (!opts->map_indicator || !*opts->map_indicator)
		d->map_key = ex_default_map_key(d);
	if (o.gpkg) {
		if ((rc = cpts_progress(ctx, 0.3, "writing the GeoPackage")) < 0 ||
		    (rc = ex_write_gpkg(ctx, d, o.gpkg, o.format)) < 0)
			goto out;
		cpts_info(ctx, "wrote %s (%zu territories, %zu communes)", o.gpkg, d->p->n_terr,
			  d->p->n_members);
	}
	if (o.html_dir) {
		if ((rc = cpts_progress(ctx, 0.7, "writing the HTML report")) < 0 ||
		    (rc = ex_write_html(ctx, d, o.html_dir)) < 0)
			goto out;
		cpts_info(ctx, "wrote %s/index.html and %zu territory pages", o.html_dir,
			  d->p->n_terr);
	}
	rc = cpts_progress(ctx, 1.0, "export done");
out:
	ex_data_free(ctx, d);
	return rc;
}
