/*
 * audit.c - `cpts audit`: read the published files into one linear system and bound
 * every masked cell (lp.c). Files are read together, so that numbers two
 * publications share (the communes of two partitions exported from one workspace)
 * are one cell and their relations combine, as a reader holding both files would.
 * A directory is an HTML report (read_html.c), a *.json file a --json output
 * (read_json.c), anything else a GeoPackage (read_gpkg.c).
 */
#include <string.h>
#include <sys/stat.h>

#include "audit/audit_int.h"

/* A JSON output: named *.json, or its first non-blank byte is '{' or '['. */
static bool is_json(const char *path)
{
	size_t n = strlen(path);
	FILE *f;
	int c;

	if (n > 5 && strcmp(path + n - 5, ".json") == 0)
		return true;
	if (!(f = fopen(path, "rb")))
		return false;
	while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\t' || c == '\r')
		;
	fclose(f);
	return c == '{' || c == '[';
}

int cpts_audit_run(cpts_ctx *ctx, cpts_audit_result *out, const char *const *paths,
		   size_t n_paths, FILE *report, const cpts_audit_opts *opts)
{
	cpts_audit_opts defaults = CPTS_AUDIT_OPTS_INIT;
	cpts_lp s;
	size_t n_direct = 0;
	int rc = CPTS_OK;

	if (!opts)
		opts = &defaults;
	memset(out, 0, sizeof(*out));
	cpts_lp_init(&s);
	s.thr = opts->threshold;
	au_flux *fx = au_flux_new();
	for (size_t i = 0; i < n_paths && rc == CPTS_OK; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0)
			rc = cpts_fail(ctx, CPTS_EIO, "cannot read '%s'", paths[i]);
		else if (S_ISDIR(st.st_mode))
			rc = au_read_html_dir(ctx, &s, paths[i], fx);
		else if (is_json(paths[i]))
			rc = au_read_json(ctx, &s, paths[i], report, &n_direct);
		else if ((rc = au_read_gpkg(ctx, &s, paths[i])) == CPTS_OK)
			rc = au_flux_read_gpkg(ctx, fx, paths[i]);
	}
	if (rc == CPTS_OK)
		au_flux_relations(&s, fx);
	au_flux_free(fx);
	if (rc == CPTS_OK)
		rc = au_solve(ctx, &s, report, opts->max_list ? opts->max_list : 8, out);
	out->n_findings += n_direct;
	cpts_lp_release(&s);
	return rc;
}
