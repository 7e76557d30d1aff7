/*
 * ledger_io.c - SQL of the publication ledger (cpts/store_ledger.h): recording one
 * publication in a transaction, and reading the whole ledger back for disclosure
 * control. Kept here so that SQL stays in src/store.
 */
#include <stdlib.h>

#include "store/store_int.h"

#include "cpts/store_ledger.h"
#include "cpts/util.h"

struct cpts_ledger_writer {
	cpts_store *s;      /* BORROWED */
	int64_t pub;
	sqlite3_stmt *val;  /* OWNED */
	sqlite3_stmt *mem;  /* OWNED */
};

int cpts_ledger_begin(cpts_ctx *ctx, cpts_store *s, cpts_ledger_writer **out,
		      const char *partition, const char *what, const char *when)
{
	cpts_ledger_writer *w = cpts_calloc(1, sizeof(*w));
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	w->s = s;
	if ((rc = cpts_store_begin(ctx, s)) < 0) {
		free(w);
		return rc;
	}
	if ((rc = cpts_store_prepare(ctx, s, &st, "INSERT INTO publications(partition, what,"
				     " published_at) VALUES(?, ?, ?)")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, partition, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, what ? what : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, when ? when : "", -1, SQLITE_STATIC);
	if ((rc = cpts_store_step_done(ctx, s, st)) < 0)
		goto fail;
	w->pub = sqlite3_last_insert_rowid(cpts_store_db(s));
	if ((rc = cpts_store_prepare(ctx, s, &w->val, "INSERT OR REPLACE INTO"
				     " publication_values(pub, level, code, indicator, value)"
				     " VALUES(?, ?, ?, ?, ?)")) < 0 ||
	    (rc = cpts_store_prepare(ctx, s, &w->mem, "INSERT OR IGNORE INTO"
				     " publication_members(pub, territory, code) VALUES(?, ?, ?)")) < 0)
		goto fail;
	sqlite3_finalize(st);
	*out = w;
	return CPTS_OK;
fail:
	sqlite3_finalize(st);
	cpts_ledger_end(ctx, w, false);
	return rc;
}

int cpts_ledger_add_value(cpts_ctx *ctx, cpts_ledger_writer *w, const char *level,
			  const char *code, const char *indicator, double value)
{
	sqlite3_reset(w->val);
	sqlite3_bind_int64(w->val, 1, w->pub);
	sqlite3_bind_text(w->val, 2, level, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->val, 3, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->val, 4, indicator, -1, SQLITE_STATIC);
	sqlite3_bind_double(w->val, 5, value);
	return cpts_store_step_done(ctx, w->s, w->val);
}

int cpts_ledger_add_member(cpts_ctx *ctx, cpts_ledger_writer *w, const char *territory,
			   const char *code)
{
	sqlite3_reset(w->mem);
	sqlite3_bind_int64(w->mem, 1, w->pub);
	sqlite3_bind_text(w->mem, 2, territory, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->mem, 3, code, -1, SQLITE_STATIC);
	return cpts_store_step_done(ctx, w->s, w->mem);
}

int cpts_ledger_end(cpts_ctx *ctx, cpts_ledger_writer *w, bool ok)
{
	int rc = CPTS_OK;

	if (!w)
		return CPTS_OK;
	sqlite3_finalize(w->val);
	sqlite3_finalize(w->mem);
	if (ok)
		rc = cpts_store_commit(ctx, w->s);
	else
		cpts_store_rollback(w->s);
	free(w);
	return rc;
}

int cpts_ledger_read(cpts_ctx *ctx, cpts_store *s, cpts_ledger_value_fn vf,
		     cpts_ledger_member_fn mf, void *arg)
{
	sqlite3_stmt *st = NULL;
	long long has = 0;
	int rc, src;

	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE name ="
				       " 'publication_values'", &has)) < 0)
		return rc;
	if (has == 0)
		return CPTS_OK; /* a read-only workspace made before the ledger */
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT v.pub, p.partition, p.what, v.level,"
				     " v.code, v.indicator, v.value FROM publication_values v"
				     " JOIN publications p ON p.id = v.pub ORDER BY v.pub")) < 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		vf(arg, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		   (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
		   (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
		   sqlite3_column_double(st, 6));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return cpts_store_fail(ctx, s, "reading the publication ledger");
	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT pub, territory, code FROM"
				     " publication_members ORDER BY pub, territory")) < 0)
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW)
		mf(arg, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
		   (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return cpts_store_fail(ctx, s, "reading the publication ledger");
	return CPTS_OK;
}
