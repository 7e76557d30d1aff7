/*
 * out_profile.c - what `cpts profile` prints: the key indicators of each territory of
 * a stored profile, as an aligned table (terminal), JSON or CSV (machines).
 *
 * Why here and not in the CLI: the values pass through disclosure control
 * (cpts_ptable_load) exactly as the exports do, so nothing printed on a screen can show
 * a masked count; the CLI only chooses the format.
 *
 * JSON keys follow the convention of every command: lower snake_case, a territory is
 * "id" and "name", its population "pop", indicator values under their catalogue key
 * ("mt_share", "icc", "li", ...; shares in percent as stored), null when masked or
 * unavailable, with the list of masked keys in "masked".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/model.h"
#include "cpts/outfile.h"
#include "cpts/profile.h"

/* Printed columns: JSON/CSV key, catalogue key, text header, decimals. */
static const struct col {
	const char *key, *ind, *head;
	int dec;
} cols[] = {
	{ "pop", "pop_total", "pop", 0 },
	{ "n_communes", "n_communes", "communes", 0 },
	{ "tier", "aci_tier", "tier", 0 },
	{ "mt_share", "mt_share", "no_mt_%", 1 },
	{ "icc", "icc", "icc", 1 },
	{ "missing_gps", "missing_gps", "missing_gps", 1 },
	{ "gp_density", "gp_density", "gp/10k", 1 },
	{ "apl", "apl", "apl", 2 },
	{ "li", "li", "li_%", 1 },
	{ NULL, NULL, NULL, 0 },
};

typedef struct row {
	const char *id, *name;       /* BORROWED */
	const cpts_pvalue *v[16];    /* per column, NULL when absent */
} row;

static bool usable(const cpts_pvalue *v)
{
	return v && !v->masked && !isnan(v->value);
}

/* An interval is published when the value is, or alone when the value depends on
 * masked input cells (cpts/profile.h: the interval holds whatever they are). */
static bool has_interval(const cpts_pvalue *v)
{
	return v && (usable(v) || v->masked) && isfinite(v->lo) && isfinite(v->hi);
}

static void text_cell(cpts_buf *b, const cpts_pvalue *v, int dec, int width)
{
	char s[64];

	if (usable(v))
		snprintf(s, sizeof(s), "%.*f", dec, v->value);
	else
		snprintf(s, sizeof(s), "%s", v && v->masked ? "masked" : "-");
	cpts_buf_addf(b, " %*s", width, s);
}

static void print_text(cpts_buf *b, const row *r, size_t n)
{
	int wid = 2, wname = 4;

	for (size_t k = 0; k < n; k++) {
		int a = (int)strlen(cpts_text(r[k].id)), c = (int)strlen(cpts_text(r[k].name));
		wid = a > wid ? a : wid;
		wname = c > wname ? c : wname;
	}
	wid = wid > 24 ? 24 : wid;
	wname = wname > 36 ? 36 : wname;
	cpts_buf_addf(b, "%-*s %-*s", wid, "id", wname, "name");
	for (int c = 0; cols[c].key; c++)
		cpts_buf_addf(b, " %*s", c == 4 ? 21 : 11, cols[c].head);
	cpts_buf_addch(b, '\n');
	for (size_t k = 0; k < n; k++) {
		/* control characters made visible: a name cannot forge a line */
		cpts_buf_addf(b, "%-*.*s %-*.*s", wid, wid, cpts_text(r[k].id), wname, wname,
			      cpts_text(r[k].name));
		for (int c = 0; cols[c].key; c++) {
			const cpts_pvalue *v = r[k].v[c];
			if (c == 4 && has_interval(v)) {
				char s[64], x[24] = "";
				if (usable(v))
					snprintf(x, sizeof(x), "%.1f ", v->value);
				snprintf(s, sizeof(s), "%s[%.1f-%.1f]", x, v->lo, v->hi);
				cpts_buf_addf(b, " %21s", s);
			} else {
				text_cell(b, v, cols[c].dec, c == 4 ? 21 : 11);
			}
		}
		cpts_buf_addch(b, '\n');
	}
}

static void json_num(cpts_buf *b, const cpts_pvalue *v, bool lo, bool hi)
{
	double x = lo || hi ? (has_interval(v) ? (lo ? v->lo : v->hi) : NAN)
			    : usable(v) ? v->value : NAN;

	if (isfinite(x))
		cpts_buf_addf(b, "%.6g", x);
	else
		cpts_buf_addstr(b, "null");
}

static void print_json(cpts_buf *b, const char *partition, const row *r, size_t n)
{
	cpts_buf_addstr(b, "{\"partition\":");
	cpts_buf_add_json(b, partition);
	cpts_buf_addstr(b, ",\"territories\":[");
	for (size_t k = 0; k < n; k++) {
		int n_masked = 0;
		cpts_buf_addstr(b, k ? ",\n{\"id\":" : "\n{\"id\":");
		cpts_buf_add_json(b, r[k].id);
		cpts_buf_addstr(b, ",\"name\":");
		if (r[k].name)
			cpts_buf_add_json(b, r[k].name);
		else
			cpts_buf_addstr(b, "null");
		for (int c = 0; cols[c].key; c++) {
			cpts_buf_addf(b, ",\"%s\":", cols[c].key);
			json_num(b, r[k].v[c], false, false);
			if (c == 4) {
				cpts_buf_addstr(b, ",\"icc_lo\":");
				json_num(b, r[k].v[c], true, false);
				cpts_buf_addstr(b, ",\"icc_hi\":");
				json_num(b, r[k].v[c], false, true);
			}
		}
		cpts_buf_addstr(b, ",\"masked\":[");
		for (int c = 0; cols[c].key; c++)
			if (r[k].v[c] && r[k].v[c]->masked)
				cpts_buf_addf(b, "%s\"%s\"", n_masked++ ? "," : "", cols[c].key);
		cpts_buf_addstr(b, "]}");
	}
	cpts_buf_addstr(b, "\n]}\n");
}

/* CSV: ';'-separated, text fields quoted when they hold a separator or a quote. */
static void csv_text(cpts_buf *b, const char *s)
{
	if (!strpbrk(s, ";\"\n")) {
		cpts_buf_addstr(b, s);
		return;
	}
	cpts_buf_addch(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			cpts_buf_addch(b, '"');
		cpts_buf_addch(b, *s);
	}
	cpts_buf_addch(b, '"');
}

static void print_csv(cpts_buf *b, const row *r, size_t n)
{
	cpts_buf_addstr(b, "id;name");
	for (int c = 0; cols[c].key; c++)
		cpts_buf_addf(b, c == 4 ? ";%s;icc_lo;icc_hi" : ";%s", cols[c].key);
	cpts_buf_addch(b, '\n');
	for (size_t k = 0; k < n; k++) {
		csv_text(b, r[k].id);
		cpts_buf_addch(b, ';');
		csv_text(b, r[k].name ? r[k].name : "");
		for (int c = 0; cols[c].key; c++) {
			const cpts_pvalue *v = r[k].v[c];
			cpts_buf_addch(b, ';');
			if (usable(v))
				cpts_buf_addf(b, "%.6g", v->value);
			if (c == 4) {
				cpts_buf_addch(b, ';');
				if (has_interval(v))
					cpts_buf_addf(b, "%.6g", v->lo);
				cpts_buf_addch(b, ';');
				if (has_interval(v))
					cpts_buf_addf(b, "%.6g", v->hi);
			}
		}
		cpts_buf_addch(b, '\n');
	}
}

int cpts_profile_print(cpts_ctx *ctx, cpts_store *s, const char *partition, FILE *out,
		       cpts_profile_format format, double threshold)
{
	cpts_disclose_opts dopts = CPTS_DISCLOSE_OPTS_INIT;
	cpts_ptable *pt = NULL;
	cpts_model *m = NULL;
	cpts_partition *p = NULL;
	cpts_buf b = CPTS_BUF_INIT;
	row *r = NULL;
	int rc;

	if (threshold >= 1)
		dopts.threshold = threshold;
	if ((rc = cpts_model_load(ctx, &m, s)) < 0 ||
	    (rc = cpts_partition_load(ctx, &p, s, m, partition)) < 0 ||
	    (rc = cpts_ptable_load(ctx, &pt, s, partition, &dopts)) < 0)
		goto out;
	r = cpts_calloc(p->n_terr + 1, sizeof(row));
	for (size_t t = 0; t < p->n_terr; t++) {
		r[t].id = p->terr[t];
		r[t].name = p->names && p->names[t] && *p->names[t] ? p->names[t] : NULL;
		for (int c = 0; cols[c].key; c++)
			r[t].v[c] = cpts_ptable_get(pt, p->terr[t], "territoire", p->terr[t],
						    cols[c].ind);
	}
	if (format == CPTS_PROFILE_JSON)
		print_json(&b, partition, r, p->n_terr);
	else if (format == CPTS_PROFILE_CSV)
		print_csv(&b, r, p->n_terr);
	else
		print_text(&b, r, p->n_terr);
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write the profile table");
out:
	free(r);
	cpts_buf_release(&b);
	cpts_ptable_free(pt);
	cpts_partition_free(p);
	cpts_model_free(ctx, m);
	return rc;
}
