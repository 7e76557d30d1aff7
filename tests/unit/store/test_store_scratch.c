/*
 * test_store_scratch.c - a workspace opened with CPTS_STORE_SCRATCH (`cpts diagnose`
 * builds its workspace under a temporary name) commits without waiting for the disk
 * (PRAGMA synchronous OFF; a default open keeps FULL) and stays transactional: a
 * rolled-back write leaves nothing, a committed one is there when the file is opened
 * again with the default flags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cpts/ctx.h"
#include "cpts/store.h"
#include "tap.h"

static long long q1(cpts_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	sqlite3_prepare_v2(cpts_store_db(s), sql, -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int main(void)
{
	cpts_ctx ctx;
	cpts_store *s = NULL;
	char path[128];

	if (cpts_ctx_init(&ctx) < 0)
		return 1;
	ctx.verbosity = CPTS_LOG_ERROR;
	snprintf(path, sizeof(path), "/tmp/cpts_test_store_scratch_%d.sqlite", (int)getpid());
	unlink(path);
	is_int(cpts_store_open(&ctx, &s, path, CPTS_STORE_CREATE | CPTS_STORE_SCRATCH), CPTS_OK,
	       "a scratch workspace is created");
	is_int((int)q1(s, "PRAGMA synchronous"), 0, "its commits do not wait for the disk (OFF)");
	is_int(cpts_store_begin(&ctx, s), CPTS_OK, "a transaction begins");
	is_int(cpts_store_exec(&ctx, s, "INSERT INTO flows(orig, dest, volume) VALUES"
			       " ('44109', '44020', 7)"), CPTS_OK, "a row written");
	cpts_store_rollback(s);
	is_int((int)q1(s, "SELECT count(*) FROM flows"), 0, "rolled back: no row");
	is_int(cpts_store_begin(&ctx, s), CPTS_OK, "another transaction begins");
	is_int(cpts_store_exec(&ctx, s, "INSERT INTO flows(orig, dest, volume) VALUES"
			       " ('44109', '44020', 9)"), CPTS_OK, "a row written");
	is_int(cpts_store_commit(&ctx, s), CPTS_OK, "committed");
	cpts_store_free(s);
	s = NULL;
	is_int(cpts_store_open(&ctx, &s, path, 0), CPTS_OK, "opened again, default flags");
	is_int((int)q1(s, "PRAGMA synchronous"), 2, "a default open keeps FULL");
	is_int((int)q1(s, "SELECT sum(volume) FROM flows"), 9, "the committed row is there");
	cpts_store_free(s);
	unlink(path);
	cpts_ctx_release(&ctx);
	return done_testing();
}
