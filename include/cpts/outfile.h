/*
 * cpts/outfile.h - safe outputs and safe text (src/core/outfile.c, src/core/text.c):
 * the check that refuses an output path naming a directory, the workspace or an input;
 * durable atomic file replacement; shell quoting of printed command lines; visible
 * escaping of control characters in text output; file-name slugs.
 */
#ifndef CPTS_OUTFILE_H
#define CPTS_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "cpts/ctx.h"
#include "cpts/util.h"

/** True when a and b name the same existing file (same device and inode; symlinks
 * followed, hard links equal). */
bool cpts_same_file(const char *a, const char *b);

/**
 * Refuse an output path before any work: one that names an input (same device and
 * inode as any of inputs, which are BORROWED and may hold NULL entries), an existing
 * directory when a file is expected (is_dir false), or an existing non-directory when
 * a directory is expected. opt names the option in the message ("--gpkg").
 * @return CPTS_OK, CPTS_EINPUT (exit 3) with the reason in ctx->err
 */
int cpts_output_check(cpts_ctx *ctx, const char *opt, const char *path, bool is_dir,
		      const char *const *inputs, size_t n_inputs);

/**
 * Create a new temporary file next to path (".<name>.tmp<pid>-<k><suffix>" in the same
 * directory) with O_CREAT|O_EXCL|O_NOFOLLOW. *tmp_out OWNED by the caller, *fd_out open
 * for writing (the caller closes it). @return CPTS_OK or CPTS_EIO
 */
int cpts_tmp_create(cpts_ctx *ctx, const char *path, const char *suffix, char **tmp_out,
		    int *fd_out);
/** fsync tmp, rename it to path, fsync path's directory. @return CPTS_OK or CPTS_EIO */
int cpts_tmp_commit(cpts_ctx *ctx, const char *tmp, const char *path);
/** Write data to path atomically and durably (cpts_tmp_create, write, fsync, rename,
 * fsync of the directory); the temporary is removed on failure. @return CPTS_OK or
 * CPTS_EIO */
int cpts_write_file_atomic(cpts_ctx *ctx, const char *path, const char *data, size_t len);
/** Write data to a file that must not exist yet (O_CREAT|O_EXCL|O_NOFOLLOW), no sync:
 * for files of a temporary directory that is synced and renamed as a whole. */
int cpts_write_file_new(cpts_ctx *ctx, const char *path, const char *data, size_t len);
/** fsync a file (not following a symlink) / the directory holding path; 0 or -errno. */
int cpts_fsync_path(const char *path);
int cpts_fsync_dir_of(const char *path);

/** Append s as one shell word: as is when made of safe characters only, else in
 * single quotes with each ' written '\''; a value holding control characters (newline,
 * ESC...) is written $'...' with escapes so the command stays on one line. */
void cpts_buf_add_shell(cpts_buf *b, const char *s);
/** Append s with control characters made visible (\n, \r, \t, \xHH) and \ doubled, so
 * a value cannot start a new line or drive the terminal in text output. */
void cpts_buf_add_text(cpts_buf *b, const char *s);
/** s escaped as by cpts_buf_add_text, or s itself when it needs nothing (NULL -> "").
 * BORROWED: valid until 15 more calls on the same thread (enough for one printf). */
const char *cpts_text(const char *s);
/** Free the copies kept by cpts_text on this thread. */
void cpts_text_release(void);

/**
 * A readable file-name stem: ASCII lower case, accented Latin letters transliterated
 * ("CA Cholet Agglomération" -> "ca-cholet-agglomeration"), every other run of
 * characters (spaces, punctuation, emoji, other scripts, "..", "/", "\") one '-', no
 * leading or trailing '-', at most max_len bytes (at least 8), never a Windows reserved
 * name (CON, PRN, AUX, NUL, COM0-9, LPT0-9 get "-1"); fallback when nothing is left.
 * OWNED by the caller. Not unique: callers resolve collisions.
 */
char *cpts_slug(const char *s, size_t max_len, const char *fallback);

#endif
