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
 *
 * Every value is written by cpts_pub_num (cpts/publish.h): the forms of the exports
 * (a masked ratio "masked", a range over masked input cells, catalogue decimals), and
 * the printed table is recorded in the workspace's publication ledger
 * (cpts_pub_record), like an export, so that neither can be differenced against the
 * other.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpts/model.h"
#include "cpts/outfile.h"
#include "cpts/profile.h"
#include "cpts/publish.h"

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

static void text_cell(cpts_buf *b, const cpts_pvalue *v, int dec, int width,
		      const cpts_pub *pub)
{
	cpts_buf s = CPTS_BUF_INIT;

	if (v)
		cpts_pub_num(&s, pub, v, dec);
	cpts_buf_addf(b, " %*s", width, v ? s.data : "-");
	cpts_buf_release(&s);
}

static void print_text(cpts_buf *b, const row *r, size_t n, const cpts_pub *pub)
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
				cpts_buf s = CPTS_BUF_INIT;
				if (usable(v)) {
					cpts_pub_num(&s, pub, v, 1);
					cpts_buf_addch(&s, ' ');
				}
				cpts_buf_addf(&s, "[%.1f-%.1f]", v->lo, v->hi);
				cpts_buf_addf(b, " %21s", s.data);
				cpts_buf_release(&s);
			} else {
				text_cell(b, v, cols[c].dec, c == 4 ? 21 : 11, pub);
			}
		}
		cpts_buf_addch(b, '\n');
	}
}

static void json_num(cpts_buf *b, const cpts_pvalue *v, int dec, bool lo, bool hi,
		     const cpts_pub *pub)
{
	cpts_pub jp = *pub;
	cpts_pvalue bound;

	jp.json = true;
	if (!lo && !hi) {
		cpts_pub_num(b, &jp, v, dec);
		return;
	}
	/* an interval end is published as the value is (same decimals) */
	bound = cpts_pub_value(has_interval(v) ? (lo ? v->lo : v->hi) : NAN);
	bound.indicator = v ? v->indicator : NULL;
	cpts_pub_num(b, &jp, &bound, dec);
}

static void print_json(cpts_buf *b, const char *partition, const row *r, size_t n,
		       const cpts_pub *pub)
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
			json_num(b, r[k].v[c], cols[c].dec, false, false, pub);
			if (c == 4) {
				cpts_buf_addstr(b, ",\"icc_lo\":");
				json_num(b, r[k].v[c], cols[c].dec, true, false, pub);
				cpts_buf_addstr(b, ",\"icc_hi\":");
				json_num(b, r[k].v[c], cols[c].dec, false, true, pub);
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

static void print_csv(cpts_buf *b, const row *r, size_t n, const cpts_pub *pub)
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
				json_num(b, v, cols[c].dec, false, false, pub);
			if (c == 4) {
				cpts_buf_addch(b, ';');
				if (has_interval(v))
					json_num(b, v, cols[c].dec, true, false, pub);
				cpts_buf_addch(b, ';');
				if (has_interval(v))
					json_num(b, v, cols[c].dec, false, true, pub);
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
	cpts_pub pub = CPTS_PUB_INIT;
	const char *keys[16];
	size_t n_keys = 0;
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
	pub.threshold = dopts.threshold;
	pub.json = format != CPTS_PROFILE_TEXT;
	if (format == CPTS_PROFILE_JSON)
		print_json(&b, partition, r, p->n_terr, &pub);
	else if (format == CPTS_PROFILE_CSV)
		print_csv(&b, r, p->n_terr, &pub);
	else
		print_text(&b, r, p->n_terr, &pub);
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write the profile table");
		goto out;
	}
	/* what was printed is published: recorded like an export (cpts/publish.h) */
	for (int c = 0; cols[c].key; c++)
		keys[n_keys++] = cols[c].ind;
	rc = cpts_pub_record(ctx, s, partition, pt, keys, n_keys,
			     format == CPTS_PROFILE_JSON  ? "--json of cpts profile"
			     : format == CPTS_PROFILE_CSV ? "--csv of cpts profile"
							  : "stdout of cpts profile");
out:
	free(r);
	cpts_buf_release(&b);
	cpts_ptable_free(pt);
	cpts_partition_free(p);
	cpts_model_free(ctx, m);
	return rc;
}
