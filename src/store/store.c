/*
 * store.c - open, create and transact on the SpatiaLite workspace; meta, sources and
 * runs bookkeeping; `cpts info`.
 *
 * Opening never writes (except, once, the tables a workspace of an older cpts lacks:
 * cpts_store_schema_upgrade_sql): a workspace opened by a command that then fails is
 * unchanged byte for byte. The journal stays in rollback (DELETE) mode for the same reason. Reads
 * go through a memory map of the file (PRAGMA mmap_size), writes through the journal
 * as before.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <spatialite.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpts/util.h"
#include "cpts/version.h"
#include "store/store_int.h"

int cpts_store__status(sqlite3 *db)
{
	switch (sqlite3_errcode(db) & 0xff) {
	case SQLITE_ERROR:    /* no such table or column, syntax: our SQL */
	case SQLITE_MISUSE:   /* a statement used out of order: our code */
	case SQLITE_RANGE:    /* a bind index out of range: our code */
	case SQLITE_MISMATCH: /* a rowid of the wrong type: our code */
	case SQLITE_SCHEMA:
	case SQLITE_INTERNAL:
		return CPTS_EINTERNAL;
	case SQLITE_NOMEM:
		return CPTS_ENOMEM;
	case SQLITE_INTERRUPT:
		return CPTS_ECANCEL;
	default:              /* I/O, disk full, read-only, locked, corrupt or not a database */
		return CPTS_EIO;
	}
}

int cpts_store_fail(cpts_ctx *ctx, cpts_store *s, const char *what)
{
	return cpts_fail(ctx, cpts_store__status(s->db), "%s: %s (workspace '%s')", what,
			 sqlite3_errmsg(s->db), s->path);
}

static int create_schema(cpts_ctx *ctx, cpts_store *s)
{
	char ts[32], ver[16];
	int rc;

	if ((rc = cpts_store_begin(ctx, s)) < 0)
		return rc;
	/* SpatiaLite metadata (spatial_ref_sys with every EPSG code we use) */
	if ((rc = cpts_store_exec(ctx, s, "SELECT InitSpatialMetaData(0, 'NONE')")) < 0)
		goto fail;
	if ((rc = cpts_store_exec(ctx, s,
			"SELECT InsertEpsgSrid(2154), InsertEpsgSrid(5490), InsertEpsgSrid(2972),"
			" InsertEpsgSrid(2975), InsertEpsgSrid(4471), InsertEpsgSrid(4467),"
			" InsertEpsgSrid(4326)")) < 0)
		goto fail;
	if ((rc = cpts_store_exec(ctx, s, cpts_store_schema_sql)) < 0)
		goto fail;
	snprintf(ver, sizeof(ver), "%d", CPTS_SCHEMA_VERSION);
	cpts_timestamp_utc(ts);
	if ((rc = cpts_store_meta_set(ctx, s, "schema_version", ver)) < 0 ||
	    (rc = cpts_store_meta_set(ctx, s, "created", ts)) < 0 ||
	    (rc = cpts_store_meta_set(ctx, s, "cpts_version", CPTS_VERSION)) < 0)
		goto fail;
	return cpts_store_commit(ctx, s);
fail:
	cpts_store_rollback(s);
	return rc;
}

/* Process-wide SQLite settings, made before the first workspace opens: no memory
 * statistics (they take a global mutex on every allocation, about 2 % of an ingest of
 * flows). When GDAL already used SQLite (a GeoPackage read first), the call is refused
 * and the default stays: only speed depends on it. */
static void sqlite_once(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int cpts_store_open(cpts_ctx *ctx, cpts_store **out, const char *path, unsigned flags)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	cpts_store *s;

	pthread_once(&once, sqlite_once);
	s = cpts_calloc(1, sizeof(*s));
	struct stat st;
	bool exists = stat(path, &st) == 0;
	int oflags, rc = CPTS_OK;
	char *ver = NULL;
	long long n = 0;

	*out = NULL;
	s->path = cpts_strdup(path);
	if (!exists && !(flags & CPTS_STORE_CREATE)) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot open workspace '%s': %s (create it with "
			       "'cpts init %s')", path, strerror(errno), path);
		goto out;
	}
	if (exists && S_ISDIR(st.st_mode)) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot open workspace '%s': is a directory", path);
		goto out;
	}
	oflags = (flags & CPTS_STORE_READONLY) ? SQLITE_OPEN_READONLY
					       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot open workspace '%s': %s", path,
			       s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	s->spl_cache = spatialite_alloc_connection();
	if (!s->spl_cache) {
		rc = cpts_fail(ctx, CPTS_EDEP, "cannot initialise SpatiaLite");
		goto out;
	}
	spatialite_init_ex(s->db, s->spl_cache, 0);
	if (exists && sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master", NULL, NULL,
				   NULL) != SQLITE_OK) {
		/* a file that is not a database is the user's input, not an I/O failure */
		int bad = (sqlite3_errcode(s->db) & 0xff) == SQLITE_NOTADB;
		rc = cpts_fail(ctx, bad ? CPTS_EINPUT : CPTS_EIO, "cannot read workspace '%s': %s%s",
			       path, sqlite3_errmsg(s->db), bad ? " (not a cpts workspace)" : "");
		goto out;
	}
	/* mmap_size: reads map the file instead of copying every page into the cache
	 * (issue 8: reading the geometries of France is a few tens of ms less) */
	if (cpts_store_exec(ctx, s, "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
				    " PRAGMA mmap_size=1073741824; PRAGMA foreign_keys=OFF") < 0) {
		rc = ctx->err.code;
		goto out;
	}
	if ((flags & CPTS_STORE_SCRATCH) &&
	    (rc = cpts_store_exec(ctx, s, "PRAGMA synchronous=OFF")) < 0)
		goto out;
	if (exists &&
	    (rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master", &n)) < 0)
		goto out;
	if (!exists || n == 0) {
		if (!(flags & CPTS_STORE_CREATE)) {
			rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' is an empty file, not a cpts "
				       "workspace", path);
			goto out;
		}
		if ((rc = create_schema(ctx, s)) < 0)
			goto out;
	}
	if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE"
				       " name='meta'", &n)) < 0)
		goto out;
	if (n != 1) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "'%s' is not a cpts workspace (no table 'meta')",
			       path);
		goto out;
	}
	if ((rc = cpts_store_meta_lookup(ctx, s, "schema_version", &ver)) < 0)
		goto out;
	if (!ver || strtol(ver, NULL, 10) != CPTS_SCHEMA_VERSION) {
		rc = cpts_fail(ctx, CPTS_EINPUT, "workspace '%s' has schema version %s, this cpts "
			       "reads version %d", path, ver ? ver : "(none)", CPTS_SCHEMA_VERSION);
		goto out;
	}
	/* a workspace of an older cpts lacks the tables added since: created once, when
	 * the workspace is opened for writing (the only write an open may do) */
	if (!(flags & CPTS_STORE_READONLY) &&
	    ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM sqlite_master WHERE type ="
					" 'table' AND name IN ('territory_names',"
					" 'basin_stability', 'table_stats')", &n)) < 0 ||
	     (n < 3 && (rc = cpts_store_exec(ctx, s, cpts_store_schema_upgrade_sql)) < 0)))
		goto out;
	if (!(flags & CPTS_STORE_READONLY)) {
		/* from here on every write keeps the counts of table_stats (stats.c) */
		cpts_store__stats_attach(s);
		/* consumption by profession (issue 14): the table rebuilt, in one
		   transaction */
		if ((rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM"
					       " pragma_table_info('consumption') WHERE"
					       " name = 'profession'", &n)) < 0)
			goto out;
		if (n == 0) {
			if ((rc = cpts_store_begin(ctx, s)) < 0)
				goto out;
			if ((rc = cpts_store_exec(ctx, s, cpts_store_consumption_upgrade_sql)) < 0) {
				cpts_store_rollback(s);
				goto out;
			}
			if ((rc = cpts_store_commit(ctx, s)) < 0)
				goto out;
		}
	}
	rc = CPTS_OK;
	*out = s;
	s = NULL;
out:
	free(ver);
	cpts_store_free(s);
	if (rc < 0 && !exists && (flags & CPTS_STORE_CREATE))
		unlink(path); /* nothing half-created stays behind */
	return rc;
}

void cpts_store_free(cpts_store *s)
{
	if (!s)
		return;
	if (s->in_tx)
		cpts_store_rollback(s);
	if (s->db)
		sqlite3_close_v2(s->db);
	if (s->spl_cache)
		spatialite_cleanup_ex(s->spl_cache);
	free(s->path);
	free(s);
}

sqlite3 *cpts_store_db(cpts_store *s)
{
	return s->db;
}

const char *cpts_store_path(const cpts_store *s)
{
	return s->path;
}

int cpts_store_exec(cpts_ctx *ctx, cpts_store *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		int rc = cpts_fail(ctx, cpts_store__status(s->db), "workspace '%s': %s", s->path,
				   err ? err : sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return rc;
	}
	return CPTS_OK;
}

int cpts_store_prepare(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return cpts_fail(ctx, cpts_store__status(s->db), "workspace '%s': %s (in: %.80s)",
				 s->path, sqlite3_errmsg(s->db), sql);
	}
	return CPTS_OK;
}

int cpts_store_run(cpts_ctx *ctx, cpts_store *s, const char *sql, ...)
{
	sqlite3_stmt *st = NULL;
	const char *arg;
	va_list ap;
	int rc, k = 1;

	if ((rc = cpts_store_prepare(ctx, s, &st, sql)) < 0)
		return rc;
	va_start(ap, sql);
	while ((arg = va_arg(ap, const char *)) != NULL)
		sqlite3_bind_text(st, k++, arg, -1, SQLITE_STATIC);
	va_end(ap);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_step_done(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt *st)
{
	int r = sqlite3_step(st);

	sqlite3_reset(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		if ((r & 0xff) == SQLITE_CONSTRAINT)
			return cpts_fail(ctx, CPTS_EINPUT, "%s", sqlite3_errmsg(s->db));
		return cpts_store_fail(ctx, s, "write failed");
	}
	return CPTS_OK;
}

bool cpts_store_in_transaction(const cpts_store *s)
{
	return s->in_tx;
}

int cpts_store_begin(cpts_ctx *ctx, cpts_store *s)
{
	int rc;

	if (s->in_tx)
		CPTS_BUG("nested workspace transaction");
	if ((rc = cpts_store_exec(ctx, s, "BEGIN IMMEDIATE")) < 0)
		return rc;
	s->in_tx = 1;
	cpts_store__stats_tx_reset(s);
	return CPTS_OK;
}

int cpts_store_commit(cpts_ctx *ctx, cpts_store *s)
{
	int rc;

	if (!s->in_tx)
		CPTS_BUG("commit without a transaction");
	if (cpts_interrupted(ctx)) {
		cpts_store_rollback(s);
		return cpts_fail(ctx, CPTS_ECANCEL, "interrupted");
	}
	/* the counts of the tables written, committed with them */
	if (cpts_store__stats_commit(s) != SQLITE_OK)
		rc = cpts_store_fail(ctx, s, "keeping the counts of the tables written");
	else
		rc = cpts_store_exec(ctx, s, "COMMIT");
	if (rc < 0) {
		cpts_store_rollback(s);
		return rc;
	}
	s->in_tx = 0;
	return CPTS_OK;
}

void cpts_store_rollback(cpts_store *s)
{
	if (!s || !s->in_tx)
		return;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_tx = 0;
	cpts_store__stats_rolled_back(s);
}

long long cpts_store_count(cpts_store *s, const char *sql, long long def)
{
	sqlite3_stmt *st = NULL;
	long long v = def;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return def;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

int cpts_store_row(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt *st, const char *what)
{
	int r = sqlite3_step(st);

	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE)
		return 0;
	return cpts_store_fail(ctx, s, what);
}

int cpts_store_count_get(cpts_ctx *ctx, cpts_store *s, const char *sql, long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return cpts_store_fail(ctx, s, sql);
	rc = cpts_store_row(ctx, s, st, sql);
	if (rc > 0 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		rc = CPTS_OK;
	} else if (rc >= 0) {
		rc = CPTS_ABSENT; /* no row, or NULL */
	}
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_meta_lookup(cpts_ctx *ctx, cpts_store *s, const char *key, char **out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return cpts_store_fail(ctx, s, "reading meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = cpts_store_row(ctx, s, st, "reading meta");
	if (rc > 0 && sqlite3_column_text(st, 0))
		*out = cpts_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc < 0 ? rc : *out ? CPTS_OK : CPTS_ABSENT;
}

int cpts_store_meta_set(cpts_ctx *ctx, cpts_store *s, const char *key, const char *value)
{
	return cpts_store_run(ctx, s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", key,
			      value, (const char *)NULL);
}

int cpts_store_record_source(cpts_ctx *ctx, cpts_store *s, const cpts_source_info *in)
{
	sqlite3_stmt *st = NULL;
	char ts[32];
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st,
			"INSERT OR REPLACE INTO sources(tbl, file, sha256, n_rows, n_communes,"
			" n_masked, vintage, ingested_at, options) VALUES(?,?,?,?,?,?,?,?,?)")) < 0)
		return rc;
	cpts_timestamp_utc(ts);
	sqlite3_bind_text(st, 1, in->tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, in->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, in->n_rows);
	sqlite3_bind_int64(st, 5, in->n_communes);
	sqlite3_bind_int64(st, 6, in->n_masked);
	sqlite3_bind_text(st, 7, in->vintage, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ts, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 9, in->options, -1, SQLITE_STATIC);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_record_run(cpts_ctx *ctx, cpts_store *s, const char *command, const char *args)
{
	sqlite3_stmt *st = NULL;
	char ts[32];
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st,
			"INSERT INTO runs(command, args, started, finished, status, cpts_version)"
			" VALUES(?, ?, ?, ?, 0, ?)")) < 0)
		return rc;
	cpts_timestamp_utc(ts);
	sqlite3_bind_text(st, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, args, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, ts, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, ts, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, CPTS_VERSION, -1, SQLITE_STATIC);
	rc = cpts_store_step_done(ctx, s, st);
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_has_partition(cpts_ctx *ctx, cpts_store *s, const char *name)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = cpts_store_prepare(ctx, s, &st, "SELECT 1 FROM partitions WHERE name = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = cpts_store_row(ctx, s, st, "reading partitions");
	sqlite3_finalize(st);
	return rc;
}

int cpts_store_population_by_sex_age(cpts_ctx *ctx, cpts_store *s)
{
	long long n = 0;
	int rc = cpts_store_count_get(ctx, s, "SELECT count(*) FROM (SELECT 1 FROM population"
				      " WHERE sex <> 'T' LIMIT 1)", &n);

	return rc < 0 ? rc : n > 0;
}

/* Prepare "head VALUES(?,..)" with n_rows rows of n_cols parameters. */
static int prepare_rows(cpts_ctx *ctx, cpts_store *s, sqlite3_stmt **st, const char *head,
			int n_cols, size_t n_rows)
{
	cpts_buf sql = CPTS_BUF_INIT;
	int rc;

	cpts_buf_addstr(&sql, head);
	cpts_buf_addstr(&sql, " VALUES");
	for (size_t r = 0; r < n_rows; r++) {
		cpts_buf_addstr(&sql, r ? ",(?" : "(?");
		for (int c = 1; c < n_cols; c++)
			cpts_buf_addstr(&sql, ",?");
		cpts_buf_addch(&sql, ')');
	}
	rc = cpts_store_prepare(ctx, s, st, sql.data);
	cpts_buf_release(&sql);
	return rc;
}

int cpts_store__insert_rows(cpts_ctx *ctx, cpts_store *s, const char *head, int n_cols,
			    size_t n, cpts_store__bind_row bind, void *arg)
{
	sqlite3_stmt *batch = NULL, *one = NULL;
	size_t i = 0;
	int rc = CPTS_OK;

	if (n >= CPTS_STORE_ROW_BATCH)
		rc = prepare_rows(ctx, s, &batch, head, n_cols, CPTS_STORE_ROW_BATCH);
	for (; rc == CPTS_OK && i + CPTS_STORE_ROW_BATCH <= n; i += CPTS_STORE_ROW_BATCH) {
		for (size_t r = 0; r < CPTS_STORE_ROW_BATCH; r++)
			bind(batch, (int)r * n_cols + 1, i + r, arg);
		rc = cpts_store_step_done(ctx, s, batch);
	}
	if (rc == CPTS_OK && i < n)
		rc = prepare_rows(ctx, s, &one, head, n_cols, 1);
	for (; rc == CPTS_OK && i < n; i++) {
		bind(one, 1, i, arg);
		rc = cpts_store_step_done(ctx, s, one);
	}
	sqlite3_finalize(batch);
	sqlite3_finalize(one);
	return rc;
}
