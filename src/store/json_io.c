/*
 * json_io.c - a JSON document as flat rows through SQLite's json_tree in an in-memory
 * database (cpts/store_json.h). Used by the audit to read `--json` outputs; kept in
 * src/store so that SQL stays there.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "cpts/store_json.h"
#include "cpts/util.h"

/* The path without the quotes json_tree puts around keys that are not plain words
 * ($.a."flows_in"[1] -> $.a.flows_in[1]); OWNED. */
static char *unquote(const char *p)
{
	char *o = cpts_strdup(p ? p : ""), *w = o;

	for (const char *r = o; *r; r++)
		if (*r != '"')
			*w++ = *r;
	*w = 0;
	return o;
}

int cpts_json_rows(cpts_ctx *ctx, const char *text, const char *what, cpts_json_row **rows,
		   size_t *n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = CPTS_OK, sr;

	*rows = NULL;
	*n = 0;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL)
	    != SQLITE_OK) {
		sqlite3_close(db);
		return cpts_fail(ctx, CPTS_EDEP, "SQLite: cannot open an in-memory database");
	}
	if (sqlite3_prepare_v2(db, "SELECT fullkey, type, atom FROM json_tree(?)", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = cpts_fail(ctx, CPTS_EDEP, "SQLite has no json_tree: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 1);
		cpts_json_row *r;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*rows = cpts_reallocarray(*rows, cap, sizeof(cpts_json_row));
		}
		r = &(*rows)[(*n)++];
		r->path = unquote((const char *)sqlite3_column_text(st, 0));
		r->is_num = type && (type[0] == 'i' || type[0] == 'r');
		r->num = r->is_num ? sqlite3_column_double(st, 2) : 0;
		r->text = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
			cpts_strdup((const char *)sqlite3_column_text(st, 2));
	}
	if (sr != SQLITE_DONE)
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' is not valid JSON (%s)", what,
			       sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (rc != CPTS_OK) {
		cpts_json_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}

void cpts_json_rows_free(cpts_json_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].path);
		free(rows[i].text);
	}
	free(rows);
}
