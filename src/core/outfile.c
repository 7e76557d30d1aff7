/*
 * outfile.c - where outputs may go and how they get there: the check that refuses an
 * output path naming a directory, the workspace or an input, and durable atomic file
 * replacement (an exclusive temporary in the target directory, fsync, rename, fsync of
 * the directory).
 *
 * Why: an output that lands on the workspace or an input destroys the only copy of a
 * team's data, and a file renamed into place before its bytes reach the disk can be
 * empty after a power cut. Files are compared by device and inode (stat follows
 * symlinks, hard links share the inode), so no spelling of a path gets around the
 * check. Temporaries are opened with O_CREAT|O_EXCL|O_NOFOLLOW: a symlink planted at
 * the temporary name is never followed, and two writers never share a temporary.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/outfile.h"

bool cpts_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (!a || !b || stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cpts_output_check(cpts_ctx *ctx, const char *opt, const char *path, bool is_dir,
		      const char *const *inputs, size_t n_inputs)
{
	struct stat sb;

	if (!path || !*path)
		return cpts_fail(ctx, CPTS_EUSAGE, "%s needs a path", opt);
	if (stat(path, &sb) != 0)
		return CPTS_OK; /* nothing there yet (a dangling symlink is replaced, not followed) */
	for (size_t k = 0; k < n_inputs; k++)
		if (inputs[k] && cpts_same_file(path, inputs[k]))
			return cpts_fail(ctx, CPTS_EINPUT, "%s '%s' is the input '%s': refusing to"
					 " overwrite it (choose another output path)", opt, path,
					 inputs[k]);
	if (!is_dir && S_ISDIR(sb.st_mode))
		return cpts_fail(ctx, CPTS_EINPUT, "%s '%s' is an existing directory: give a file"
				 " name (e.g. '%s/cpts.gpkg')", opt, path, path);
	if (is_dir && !S_ISDIR(sb.st_mode))
		return cpts_fail(ctx, CPTS_EINPUT, "%s '%s' exists and is not a directory: refusing"
				 " to replace it", opt, path);
	return CPTS_OK;
}

/* Directory part of path ("." when none); OWNED by the caller. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return cpts_strdup(".");
	if (slash == path)
		return cpts_strdup("/");
	return cpts_strndup(path, (size_t)(slash - path));
}

int cpts_fsync_dir_of(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), e = 0;

	free(dir);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0 && errno != EINVAL) /* some file systems cannot sync a directory */
		e = -errno;
	close(fd);
	return e;
}

int cpts_fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), e = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0 && errno != EINVAL)
		e = -errno;
	close(fd);
	return e;
}

int cpts_tmp_create(cpts_ctx *ctx, const char *path, const char *suffix, char **tmp_out,
		    int *fd_out)
{
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int rc = CPTS_OK;

	*tmp_out = NULL;
	*fd_out = -1;
	for (unsigned k = 0; k < 1000; k++) {
		char *tmp = cpts_asprintf("%s/.%s.tmp%ld-%u%s", dir, base, (long)getpid(), k,
					  suffix ? suffix : "");
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp_out = tmp;
			*fd_out = fd;
			goto out;
		}
		if (errno != EEXIST) {
			rc = cpts_fail(ctx, CPTS_EIO, "cannot create '%s': %s", tmp, strerror(errno));
			free(tmp);
			goto out;
		}
		free(tmp);
	}
	rc = cpts_fail(ctx, CPTS_EIO, "cannot create a temporary file next to '%s'", path);
out:
	free(dir);
	return rc;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -ENOSPC;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int cpts_tmp_commit(cpts_ctx *ctx, const char *tmp, const char *path)
{
	int e;

	if ((e = cpts_fsync_path(tmp)) < 0)
		return cpts_fail(ctx, CPTS_EIO, "cannot sync '%s': %s", tmp, strerror(-e));
	if (rename(tmp, path) != 0)
		return cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
				 strerror(errno));
	if ((e = cpts_fsync_dir_of(path)) < 0)
		return cpts_fail(ctx, CPTS_EIO, "cannot sync the directory of '%s': %s", path,
				 strerror(-e));
	return CPTS_OK;
}

int cpts_write_file_atomic(cpts_ctx *ctx, const char *path, const char *data, size_t len)
{
	char *tmp = NULL;
	int fd = -1, rc, e;

	if ((rc = cpts_tmp_create(ctx, path, NULL, &tmp, &fd)) < 0)
		return rc;
	if ((e = write_all(fd, data, len)) < 0 || (fsync(fd) != 0 && (e = -errno) != -EINVAL)) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, strerror(-e));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s': %s", tmp, path,
			       strerror(errno));
		goto out;
	}
	if ((e = cpts_fsync_dir_of(path)) < 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot sync the directory of '%s': %s", path,
			       strerror(-e));
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp); /* ours: created with O_EXCL (after a rename, tmp no longer exists) */
	free(tmp);
	return rc;
}

int cpts_write_file_new(cpts_ctx *ctx, const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666), e;

	if (fd < 0)
		return cpts_fail(ctx, CPTS_EIO, "cannot create '%s': %s", path, strerror(errno));
	e = write_all(fd, data, len);
	if (close(fd) != 0 && e == 0)
		e = -errno;
	if (e < 0) {
		unlink(path);
		return cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", path, strerror(-e));
	}
	return CPTS_OK;
}
