/*
 * report_dir.c - the directory of the HTML report as one unit: checked before any
 * work, written into a temporary sibling directory, synced, and swapped into place as
 * a whole; and the file names of its pages (readable, unique, safe on every system).
 *
 * Why: a report is hundreds of pages linked from one index. Written file by file into
 * the target, an interruption or a full disk left an index linking pages that did not
 * exist, and pages of earlier exports stayed forever. Now the previous report stays
 * intact until the new one is complete, then the two are exchanged (renameat2
 * RENAME_EXCHANGE, or two renames where the file system lacks it) and the old one is
 * removed. An existing directory is only ever replaced when it holds nothing but a cpts
 * report (its .html pages, the .md and .odt texts beside them, and the .cpts-report
 * marker): `--html ~/Documents` is refused, never emptied. A temporary directory left by a killed run is named
 * ".<name>.tmp<pid>-<k>-report"; the next export removes those whose process is gone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/outfile.h"
#include "export/export_int.h"

#define MARKER ".cpts-report"
#define PAGE_STEM_MAX 60

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Whether an existing directory holds only what a cpts report holds; *bad_out gets the
 * first foreign entry (OWNED by the caller) when it does not. */
static bool is_report(const char *dir, char **bad_out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool ok = true;

	*bad_out = NULL;
	if (!d) {
		*bad_out = cpts_strdup("(unreadable)");
		return false;
	}
	while (ok && (e = readdir(d))) {
		struct stat sb;
		char *p;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = cpts_asprintf("%s/%s", dir, e->d_name);
		ok = lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
		     (ends_with(e->d_name, ".html") || ends_with(e->d_name, ".html.tmp") ||
		      ends_with(e->d_name, ".md") || ends_with(e->d_name, ".odt") ||
		      strcmp(e->d_name, MARKER) == 0);
		if (!ok)
			*bad_out = cpts_strdup(e->d_name);
		free(p);
	}
	closedir(d);
	return ok;
}

/* Remove a directory holding only a report's regular files (checked by the caller). */
static void remove_report(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d))) {
			char *p;
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			p = cpts_asprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

int ex_html_dir_check(cpts_ctx *ctx, const char *dir, const char *const *inputs,
		      size_t n_inputs)
{
	struct stat sb;
	char *bad = NULL;
	int rc;

	if ((rc = cpts_output_check(ctx, "--html", dir, true, inputs, n_inputs)) < 0)
		return rc;
	if (stat(dir, &sb) != 0)
		return CPTS_OK;
	if (!is_report(dir, &bad)) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "--html '%s' exists and is not a cpts report (it"
			       " holds '%s'): refusing to replace it (choose a new or empty"
			       " directory)", dir, cpts_text(bad));
		free(bad);
		return rc;
	}
	return CPTS_OK;
}

/* Remove the temporary report directories of runs that no longer exist. */
static void sweep_stale(const char *parent, const char *base)
{
	DIR *d = opendir(parent);
	struct dirent *e;
	char *prefix = cpts_asprintf(".%s.tmp", base);
	size_t n = strlen(prefix);

	while (d && (e = readdir(d))) {
		char *end, *p, *bad = NULL;
		long pid;
		if (strncmp(e->d_name, prefix, n) != 0 || !ends_with(e->d_name, "-report"))
			continue;
		pid = strtol(e->d_name + n, &end, 10);
		if (end == e->d_name + n || *end != '-' || pid <= 0 ||
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue; /* not ours, or its run is still going */
		p = cpts_asprintf("%s/%s", parent, e->d_name);
		if (is_report(p, &bad))
			remove_report(p);
		free(bad);
		free(p);
	}
	if (d)
		closedir(d);
	free(prefix);
}

int ex_html_dir_begin(cpts_ctx *ctx, const char *dir, char **tmp_out)
{
	char *copy = cpts_strdup(dir), *parent, *base;
	int rc = CPTS_OK, e;

	*tmp_out = NULL;
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	base = strrchr(copy, '/');
	if (base) {
		*base++ = '\0';
		parent = *copy ? copy : "/";
	} else {
		base = copy;
		parent = ".";
	}
	if ((e = cpts_mkdir_p(parent, 0777)) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create directory '%s': %s", parent,
			       strerror(-e));
		goto out;
	}
	sweep_stale(parent, base);
	for (unsigned k = 0; k < 1000 && !*tmp_out; k++) {
		char *t = cpts_asprintf("%s/.%s.tmp%ld-%u-report", parent, base, (long)getpid(), k);
		if (mkdir(t, 0777) == 0) {
			*tmp_out = t;
			break;
		}
		free(t);
		if (errno != EEXIST) {
			rc = cpts_fail(ctx, CPTS_EIO, "cannot create a directory next to '%s': %s",
				       dir, strerror(errno));
			goto out;
		}
	}
	if (!*tmp_out) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create a directory next to '%s'", dir);
		goto out;
	}
	{
		char *m = cpts_asprintf("%s/%s", *tmp_out, MARKER);
		static const char txt[] = "cpts HTML report: this directory is replaced as a"
					  " whole by the next export\n";
		rc = cpts_write_file_new(ctx, m, txt, sizeof(txt) - 1);
		free(m);
	}
out:
	free(copy);
	return rc;
}

void ex_html_dir_abort(const char *tmp)
{
	if (tmp)
		remove_report(tmp);
}

/* Flush every page of tmp to the disk before it becomes the report. */
static int sync_dir(cpts_ctx *ctx, const char *tmp)
{
	int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = CPTS_OK;

	if (fd < 0)
		return cpts_fail(ctx, CPTS_EIO, "cannot open '%s': %s", tmp, strerror(errno));
	if (syncfs(fd) != 0 || fsync(fd) != 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot sync '%s': %s", tmp, strerror(errno));
	close(fd);
	return rc;
}

int ex_html_dir_commit(cpts_ctx *ctx, const char *tmp, const char *dir)
{
	struct stat sb;
	char *bad = NULL, *old = NULL;
	int rc, e;

	if ((rc = sync_dir(ctx, tmp)) < 0)
		return rc;
	if (stat(dir, &sb) != 0) {
		if (rename(tmp, dir) != 0)
			return cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, dir,
					 strerror(errno));
		goto synced;
	}
	if (!is_report(dir, &bad)) { /* changed since the check */
		rc = cpts_fail(ctx, CPTS_EINPUT, "--html '%s' is no longer a cpts report (it holds"
			       " '%s'): refusing to replace it", dir, cpts_text(bad));
		free(bad);
		return rc;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
		remove_report(tmp); /* now the previous report */
		goto synced;
	}
	/* no atomic exchange here: move the old report aside, then the new one in */
	old = cpts_asprintf("%s.old", tmp);
	if (rename(dir, old) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s': %s", dir, strerror(errno));
		goto out;
	}
	if (rename(tmp, dir) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, dir,
			       strerror(errno));
		if (rename(old, dir) != 0)
			cpts_warn(ctx, "the previous report is now '%s'", old);
		goto out;
	}
	remove_report(old);
synced:
	if ((e = cpts_fsync_dir_of(dir)) < 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot sync the directory of '%s': %s", dir,
			       strerror(-e));
out:
	free(old);
	return rc;
}

/* Hash suffix of an id (first 8 hex digits of its SHA-256). */
static void id_hash(const char *id, char out[9])
{
	cpts_sha256 h;
	char hex[65];

	cpts_sha256_init(&h);
	cpts_sha256_update(&h, id, strlen(id));
	cpts_sha256_final(&h, hex);
	memcpy(out, hex, 8);
	out[8] = '\0';
}

char **ex_page_files(const char *const *ids, size_t n)
{
	char **stem = cpts_calloc(n + 1, sizeof(char *));
	char **files = cpts_calloc(n + 1, sizeof(char *));
	cpts_strmap *seen = cpts_strmap_new(n + 1);

	for (size_t t = 0; t < n; t++) {
		int64_t c = 0;
		stem[t] = cpts_slug(ids[t], PAGE_STEM_MAX, "territoire");
		cpts_strmap_get(seen, stem[t], &c);
		cpts_strmap_put(seen, stem[t], c + 1);
	}
	for (size_t t = 0; t < n; t++) {
		int64_t c = 0;
		cpts_strmap_get(seen, stem[t], &c);
		/* a shared stem gets each id's hash (so no page depends on the order of the
		 * others); "index" is the index page */
		if (c > 1 || strcmp(stem[t], "index") == 0) {
			char h[9];
			id_hash(ids[t], h);
			files[t] = cpts_asprintf("%s-%s.html", stem[t], h);
		} else {
			files[t] = cpts_asprintf("%s.html", stem[t]);
		}
		free(stem[t]);
	}
	/* two hashes alike on one stem (never seen, but names must be unique): a counter */
	cpts_strmap_free(seen);
	seen = cpts_strmap_new(n + 1);
	for (size_t t = 0; t < n; t++) {
		int64_t c = 0;
		if (cpts_strmap_get(seen, files[t], &c)) {
			char *f = cpts_asprintf("%.*s-%zu.html", (int)(strlen(files[t]) - 5),
						files[t], t);
			free(files[t]);
			files[t] = f;
		}
		cpts_strmap_put(seen, files[t], 1);
	}
	cpts_strmap_free(seen);
	free(stem);
	return files;
}

void ex_page_files_free(char **files, size_t n)
{
	if (!files)
		return;
	for (size_t t = 0; t < n; t++)
		free(files[t]);
	free(files);
}
